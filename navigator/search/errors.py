"""Errors of the search package: one root, a few documented subclasses. whoosh's own exceptions never leave it."""

from __future__ import annotations

from navigator.errors import NavigatorError


class SearchError(NavigatorError):
    """Root of every error raised by the search package."""


class DocumentInvalid(SearchError):
    """A :class:`~navigator.search.documents.SearchDocument` breaks a rule; the message names the field."""


class IndexLocked(SearchError):
    """Another writer held the index for longer than the timeout."""


class IndexUnusable(SearchError):
    """The index on disk cannot be opened (corrupt, or written by an incompatible version): rebuild it."""


class InvalidQuery(SearchError):
    """A search argument is out of range: an unknown kind or filter name, a bad cursor, a negative limit."""
