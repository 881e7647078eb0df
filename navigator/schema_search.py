# mypy: allow-subclassing-any
"""GraphQL search: ``search(query, kinds, filters, lang, first, after)`` and ``autocomplete(prefix, first)``.

A search runs on the process's index (``navigator.search``, in a worker thread: whoosh is synchronous) and gives kinds
and ids; each edge's ``node`` is then resolved through the request's DataLoaders to the ``Service``, ``LifeEvent``,
``LifeStage``, ``Bundle`` or ``Dataset`` it stands for, one batched read per kind. A hit whose node left the graph
since it was indexed is dropped from the page. Facets are counted only when the query selects ``facets``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

import graphene
from graphene import relay
from graphql import FieldNode, FragmentSpreadNode, GraphQLResolveInfo, InlineFragmentNode, SelectionSetNode
from starlette.concurrency import run_in_threadpool

from navigator.connections import DEFAULT_FIRST, MAX_FIRST, encode_cursor, page_window
from navigator.graphql_context import request_context
from navigator.graphql_errors import api_error
from navigator.loaders import Loaders
from navigator.schema_types import Language, lang_code, plain_id
from navigator.search import InvalidQuery, SearchError, SearchIndex, SearchResults

__all__ = ["MAX_QUERY", "SearchConnection", "SearchFilters", "SearchKind", "autocomplete_field", "search_field"]

MAX_QUERY = 200
"""Characters of a query or prefix; more is an error (a citizen's question is a few words)."""
_FACET_NAMES = {
    "kind": "kind", "life_event": "lifeEvent", "organisation": "organisation", "format": "format",
    "licence": "licence", "portal": "portal",
}  # fmt: skip
_LOADERS = {"stage": "stages", "event": "events", "service": "services", "bundle": "bundles", "dataset": "datasets"}


class SearchKind(graphene.Enum):
    """What a search hit is."""

    STAGE = "stage"
    EVENT = "event"
    SERVICE = "service"
    BUNDLE = "bundle"
    DATASET = "dataset"


class SearchFilters(graphene.InputObjectType):
    """Facet filters: values within a facet are OR-ed, facets AND-ed (the values are those of `facets`)."""

    life_event = graphene.List(graphene.NonNull(graphene.ID), description="Life event ids (plain or global).")
    organisation = graphene.List(graphene.NonNull(graphene.String), description="Agency or publisher names.")
    format = graphene.List(graphene.NonNull(graphene.String), description="Resource formats, e.g. CSV.")
    licence = graphene.List(graphene.NonNull(graphene.String), description="Dataset licences.")
    portal = graphene.List(graphene.NonNull(graphene.String), description="Open-data portals.")


class SearchHighlight(graphene.ObjectType):
    class Meta:
        description = "A snippet of a hit's text with the query's words marked."

    field = graphene.String(required=True, description="title, description or keywords.")
    snippet = graphene.String(
        required=True, description="HTML: the text escaped, matches wrapped in `<mark>` (safe to insert as is)."
    )


class FacetValue(graphene.ObjectType):
    value = graphene.String(required=True)
    count = graphene.Int(required=True)


class SearchFacet(graphene.ObjectType):
    class Meta:
        description = "One facet's values among the matches, most frequent first."

    name = graphene.String(required=True, description="kind, lifeEvent, organisation, format, licence or portal.")
    values = graphene.List(graphene.NonNull(FacetValue), required=True)


class SearchConnection(relay.Connection):
    class Meta:
        node = relay.Node
        description = "One page of search hits, best first, with the facets and a spelling suggestion."

    class Edge:
        score = graphene.Float(required=True, description="Relevance (BM25F); comparable within one search only.")
        highlights = graphene.List(graphene.NonNull(SearchHighlight), required=True)

    total_count = graphene.Int(required=True, description="How many documents match (see totalIsLowerBound).")
    total_is_lower_bound = graphene.Boolean(
        required=True,
        description="True when a quoted phrase had more candidates than one search checks: at least totalCount match.",
    )
    facets = graphene.List(
        graphene.NonNull(SearchFacet), required=True, description="Facet values over every match, with counts."
    )
    suggestion = graphene.String(description="The query with misspelt words corrected, when it has some.")
    matched_all_terms = graphene.Boolean(
        required=True, description="False when no document had every word and the hits have some of them."
    )


def _selects(selection_set: SelectionSetNode | None, name: str, info: GraphQLResolveInfo) -> bool:
    """Whether ``name`` is selected directly in ``selection_set`` (through fragments too)."""
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode) and selection.name.value == name:
            return True
        if isinstance(selection, InlineFragmentNode) and _selects(selection.selection_set, name, info):
            return True
        if isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments.get(selection.name.value)
            if fragment is not None and _selects(fragment.selection_set, name, info):
                return True
    return False


def _filters(filters: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """The index's filters (its facet names are the input's field names in snake case)."""
    return {
        name: [plain_id(v, "LifeEvent") if name == "life_event" else v for v in values]
        for name, values in (filters or {}).items()
        if values
    }


def _index(info: GraphQLResolveInfo) -> SearchIndex:
    index = request_context(info).search
    if index is None:
        raise api_error("Search is unavailable in this process; try again shortly.", "SEARCH_UNAVAILABLE")
    return index


async def _nodes(loaders: Loaders, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """The graph objects of ``(kind, id)`` keys, one batched read per kind; keys not in the graph are absent."""
    wanted: dict[str, list[str]] = {}
    for kind, ident in keys:
        wanted.setdefault(kind, []).append(ident)
    kinds = [kind for kind in wanted if kind in _LOADERS]
    loaded = await asyncio.gather(*(getattr(loaders, _LOADERS[kind]).load_many(wanted[kind]) for kind in kinds))
    return {
        (kind, ident): node
        for kind, nodes in zip(kinds, loaded, strict=True)
        for ident, node in zip(wanted[kind], nodes, strict=True)
        if node is not None
    }


async def resolve_search(
    root: Any, info: GraphQLResolveInfo, query: str, kinds: list[Any] | None = None,
    filters: Mapping[str, Any] | None = None, lang: Any = "en", first: int | None = DEFAULT_FIRST,
    after: str | None = None,
) -> SearchConnection:  # fmt: skip
    if len(query) > MAX_QUERY:
        raise api_error(f"`query` takes at most {MAX_QUERY} characters.", "BAD_USER_INPUT")
    offset, limit = page_window(first, after)
    index = _index(info)
    facets = _selects(info.field_nodes[0].selection_set, "facets", info)
    try:
        results: SearchResults = await run_in_threadpool(
            index.search, query, kinds=[str(getattr(k, "value", k)) for k in kinds or ()], filters=_filters(filters),
            lang=lang_code(lang), limit=max(limit, 1), offset=offset, facets=facets,
        )  # fmt: skip
    except InvalidQuery as error:
        raise api_error(str(error), "BAD_USER_INPUT") from error
    except (SearchError, OSError) as error:
        raise api_error("Search is unavailable; try again shortly.", "SEARCH_UNAVAILABLE") from error
    hits = results.hits[:limit]
    nodes = await _nodes(request_context(info).loaders, ((hit.kind, hit.id) for hit in hits))
    edge: Any = SearchConnection.Edge
    edges = [
        edge(
            node=nodes[(hit.kind, hit.id)], cursor=encode_cursor(offset + position), score=hit.score,
            highlights=[SearchHighlight(field=field, snippet=html) for field, html in hit.snippets.items()],
        )
        for position, hit in enumerate(hits)
        if (hit.kind, hit.id) in nodes
    ]
    page_info = relay.PageInfo(
        start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None,
        has_previous_page=offset > 0, has_next_page=offset + len(hits) < results.total,
    )  # fmt: skip
    return SearchConnection(
        edges=edges, page_info=page_info, total_count=results.total, total_is_lower_bound=results.total_is_lower_bound,
        facets=[
            SearchFacet(name=_FACET_NAMES[name], values=[FacetValue(value=c.value, count=c.count) for c in counts])
            for name, counts in results.facets.items()
        ],
        suggestion=results.suggestion,
        matched_all_terms=results.matched_all_terms,
    )  # fmt: skip


async def resolve_autocomplete(root: Any, info: GraphQLResolveInfo, prefix: str, first: int | None = 8) -> list[str]:
    if len(prefix) > MAX_QUERY:
        raise api_error(f"`prefix` takes at most {MAX_QUERY} characters.", "BAD_USER_INPUT")
    if first is None or not 1 <= first <= MAX_FIRST:
        raise api_error(f"`first` must be between 1 and {MAX_FIRST}.", "BAD_USER_INPUT")
    index = _index(info)
    try:
        completions: list[str] = await run_in_threadpool(index.autocomplete, prefix, first)
    except (SearchError, OSError) as error:
        raise api_error("Search is unavailable; try again shortly.", "SEARCH_UNAVAILABLE") from error
    return completions


def search_field() -> graphene.Field:
    """The ``search`` field of ``Query``."""
    return graphene.Field(
        SearchConnection, required=True, resolver=resolve_search,
        description="Find services, life events, life stages, bundles and open datasets by what a citizen types "
        "(Simplified or Traditional Chinese, English…), best first.",
        query=graphene.String(required=True, description=f"The words typed (at most {MAX_QUERY} characters)."),
        kinds=graphene.List(graphene.NonNull(SearchKind), description="Only hits of these kinds."),
        filters=graphene.Argument(SearchFilters, description="Only hits with these facet values."),
        lang=graphene.Argument(Language, default_value="en", description="Language of titles and snippets."),
        first=graphene.Int(default_value=DEFAULT_FIRST, description=f"Page size, at most {MAX_FIRST}."),
        after=graphene.String(description="Return the hits after this cursor (from `pageInfo.endCursor`)."),
    )  # fmt: skip


def autocomplete_field() -> graphene.Field:
    """The ``autocomplete`` field of ``Query``."""
    return graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(graphene.String))), resolver=resolve_autocomplete,
        description="Completions of what a citizen is typing, most frequent first.",
        prefix=graphene.String(required=True, description="The text typed so far."),
        first=graphene.Int(default_value=8, description=f"How many completions, 1 to {MAX_FIRST}."),
    )  # fmt: skip
