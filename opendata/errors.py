"""Errors of the opendata package: one root, a few documented subclasses."""


class OpendataError(Exception):
    """Root of every error raised by the opendata package."""


class PortalUnreachable(OpendataError):
    """A CKAN portal could not be reached, or kept failing after retries."""


class PortalRefused(OpendataError):
    """A portal address is not allowed (e.g. loopback/private address without the setting)."""


class RecordInvalid(OpendataError):
    """A CKAN record cannot be normalised; the message says which field and why."""
