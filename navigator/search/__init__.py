"""Full-text search over life stages, life events, services, bundles and datasets, in every language they have.

whoosh sits behind this package and nothing else imports it. The graph side builds :class:`SearchDocument` values and
calls :func:`feed_index` (or :meth:`SearchIndex.rebuild` / :meth:`SearchIndex.update`); the web side calls
:func:`open_index` once and :meth:`SearchIndex.search` / :meth:`SearchIndex.autocomplete` per request.
"""

from navigator.search.documents import KINDS, Kind, SearchDocument
from navigator.search.errors import DocumentInvalid, IndexLocked, IndexUnusable, InvalidQuery, SearchError
from navigator.search.index import SearchIndex, feed_index, open_index
from navigator.search.results import FacetCount, IndexReport, SearchHit, SearchResults, ZeroResultQuery
from navigator.search.schema import FACETS

__all__ = [
    "FACETS",
    "KINDS",
    "DocumentInvalid",
    "FacetCount",
    "IndexLocked",
    "IndexReport",
    "IndexUnusable",
    "InvalidQuery",
    "Kind",
    "SearchDocument",
    "SearchError",
    "SearchHit",
    "SearchIndex",
    "SearchResults",
    "ZeroResultQuery",
    "feed_index",
    "open_index",
]
