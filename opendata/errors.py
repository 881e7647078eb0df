"""Errors of the opendata package: one root, a few documented subclasses."""


class OpendataError(Exception):
    """Root of every error raised by the opendata package."""


class PortalUnreachable(OpendataError):
    """A CKAN portal could not be reached, or kept failing after retries."""


class PortalRefused(OpendataError):
    """A portal address is not allowed (e.g. loopback/private address without the setting)."""


class ActionFailed(OpendataError):
    """The portal answered, but refused or does not know the action (a CKAN error envelope, HTTP 4xx).

    ``action`` names the CKAN action, ``status`` is the HTTP status when known, ``error_type`` the CKAN ``__type``.
    """

    def __init__(self, message: str, *, action: str, status: int | None = None, error_type: str | None = None) -> None:
        super().__init__(message)
        self.action = action
        self.status = status
        self.error_type = error_type


class RecordInvalid(OpendataError):
    """A CKAN record cannot be normalised; the message says which field and why."""


class SnapshotInvalid(OpendataError):
    """A snapshot file cannot be read at all (missing or malformed header); bad record lines are reported instead."""
