"""What a search returns: frozen, plain values (no whoosh object leaves the package)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from navigator.search.documents import Kind


@dataclass(frozen=True, slots=True, kw_only=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchHit:
    """One found document. ``snippets`` are HTML: text escaped, matches wrapped in ``<mark>``.

    ``snippets["title"]`` is always there; ``description`` is a fragment around the matches (or the opening of the
    description when only the title matched); ``keywords`` lists the matching keywords only.
    """

    kind: Kind
    id: str
    score: float
    title: str
    title_lang: str
    snippets: Mapping[str, str]

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchResults:
    """One page of hits, the total over all pages, facet counts over all matches, and a "did you mean"."""

    query: str
    """The query as normalised (one line, spaces collapsed)."""
    hits: tuple[SearchHit, ...]
    total: int
    offset: int
    facets: Mapping[str, tuple[FacetCount, ...]]
    """For each facet name, its values among all matches, most frequent first; empty when the search did not ask."""
    total_is_lower_bound: bool = False
    """True when a quoted phrase had more candidates than a search checks: at least ``total`` match, maybe more."""
    suggestion: str | None = None
    """The query with misspelt words corrected, when some word is unknown to the index and a correction exists."""
    matched_all_terms: bool = True
    """False when no document had every word and the hits are those with any of them."""
    next_cursor: str | None = None
    """Pass as ``after`` for the next page; None on the last page."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ZeroResultQuery:
    """A normalised query that found nothing, how often, and when last."""

    query: str
    count: int
    last_seen: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexReport:
    """What a rebuild or update did."""

    added: int = 0
    deleted: int = 0
    skipped_duplicates: int = 0
    documents: int = 0
    """Documents in the index afterwards."""
    seconds: float = 0.0
    generation: str = field(default="")
