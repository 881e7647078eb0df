"""Errors of the web app, CLI and settings. Foreign exceptions are converted at the boundary with ``raise … from``."""


class NavigatorError(Exception):
    """Root of every error raised by the navigator package."""


class ConfigError(NavigatorError):
    """A setting is missing or invalid; the message names it."""


class Neo4jServerError(NavigatorError):
    """The project's own Neo4j could not be installed, started or stopped; the message says why."""
