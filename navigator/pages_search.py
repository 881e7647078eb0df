"""The search page: a query, facets with counts as links that filter, "did you mean", completions and pages.

Searching runs in the thread pool (whoosh is synchronous). The index is the app's ``state.search_index`` when the
app opened one, else the folder of ``settings.search_index_dir`` opened on first use; without a usable index the
page says search is unavailable (HTTP 503) and the rest of the site works on.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from graph.model import Text
from graph.reads_pages import read_home_page
from navigator.page_errors import RETRY_AFTER_SECONDS
from navigator.page_requests import graph_reader, path_language
from navigator.pages_render import path_segment, render
from navigator.search import FACETS, SearchError, SearchIndex, SearchResults, open_index

__all__ = ["KIND_PATHS", "app_search_index", "marked_snippet", "search_routes"]

log = logging.getLogger(__name__)
PAGE_SIZE = 10
MAX_PAGE = 50
MAX_QUERY = 200
KIND_PATHS = {"stage": "stages", "event": "events", "service": "services", "bundle": "bundles", "dataset": "datasets"}
_MARK = re.compile(r"(</?mark>)")


def marked_snippet(snippet: str) -> Markup:
    """A search snippet (escaped text with ``<mark>`` around matches) made safe again: every piece between the marks
    is unescaped and escaped anew, so only ``<mark>`` and ``</mark>`` survive as markup, whatever the input."""
    out = []
    for piece in _MARK.split(snippet):
        out.append(Markup(piece) if piece in ("<mark>", "</mark>") else escape(html.unescape(piece)))  # noqa: S704
    return Markup("").join(out)


def app_search_index(request: Request) -> SearchIndex | None:
    """The app's search index, or None when there is none usable."""
    state = request.app.state
    index = getattr(state, "search_index", None) or getattr(state, "page_search_index", None)
    if index is not None:
        return index  # type: ignore[no-any-return]
    try:
        index = open_index(state.settings.search_index_dir, create=False)
    except (SearchError, OSError) as error:
        log.warning("search page: no usable index: %s", error)
        return None
    state.page_search_index = index
    return index


def _filters(request: Request) -> dict[str, list[str]]:
    return {
        name: [v[:MAX_QUERY] for v in request.query_params.getlist(name) if v][:10]
        for name in FACETS if request.query_params.getlist(name)
    }


def _url(lang: str, query: str, filters: dict[str, list[str]], page: int = 1) -> str:
    params: list[tuple[str, str]] = [("q", query)] if query else []
    params += [(name, value) for name, values in filters.items() for value in values]
    if page > 1:
        params.append(("page", str(page)))
    return f"/{lang}/search" + (f"?{urlencode(params)}" if params else "")


def _toggled(filters: dict[str, list[str]], name: str, value: str) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in filters.items()}
    values = out.setdefault(name, [])
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    return {k: v for k, v in out.items() if v}


async def search_page(request: Request) -> Response:
    lang = path_language(request)
    query = (request.query_params.get("q") or "").strip()[:MAX_QUERY]
    filters = _filters(request)
    raw_page = request.query_params.get("page", "1")
    page = min(int(raw_page), MAX_PAGE) if raw_page.isdigit() and int(raw_page) > 0 else 1
    index = app_search_index(request)
    if index is None:
        return render(request, "search.html", status=503, section="search", query=query, unavailable=True,
                      headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if not query and not filters:
        return render(request, "search.html", section="search", query="", unavailable=False, results=None)
    kinds = filters.get("kind", [])
    other = {k: v for k, v in filters.items() if k != "kind"}
    try:
        results: SearchResults = await run_in_threadpool(
            index.search, query, kinds=kinds, filters=other, lang=lang, limit=PAGE_SIZE, page=page
        )
        completions: list[str] = []
        if results.total == 0 and query:
            completions = await run_in_threadpool(index.autocomplete, query, 5)
    except SearchError as error:
        log.warning("search page: %s", type(error).__name__)
        return render(request, "search.html", status=503, section="search", query=query, unavailable=True,
                      headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    event_names: dict[str, Text] = {}
    if results.facets.get("life_event"):
        event_names = {e.id: e.name for st in await read_home_page(graph_reader(request)) for e in st.events}
    facets: list[dict[str, Any]] = []
    for name in FACETS:
        values = results.facets.get(name, ())
        if not values:
            continue
        facets.append({"name": name, "values": [
            {"value": fc.value, "count": fc.count, "active": fc.value in filters.get(name, []),
             "label": event_names[fc.value].get(lang) if name == "life_event" and fc.value in event_names else None,
             "href": _url(lang, query, _toggled(filters, name, fc.value))}
            for fc in values[:12]
        ]})
    pages = -(-results.total // PAGE_SIZE)
    return render(
        request, "search.html", section="search", query=query, unavailable=False, results=results,
        hits=[{"hit": h, "href": f"/{lang}/{KIND_PATHS[h.kind]}/{path_segment(h.id)}", "snippets": {
            k: marked_snippet(v) for k, v in h.snippets.items()}} for h in results.hits],
        facets=facets, page=page, pages=min(pages, MAX_PAGE),
        previous_url=_url(lang, query, filters, page - 1) if page > 1 else None,
        next_url=_url(lang, query, filters, page + 1) if page < min(pages, MAX_PAGE) else None,
        suggestion_url=_url(lang, results.suggestion, filters) if results.suggestion else None,
        completions=[(c, _url(lang, c, {})) for c in completions],
        active=[(name, value, _url(lang, query, _toggled(filters, name, value)))
                for name, values in filters.items() for value in values],
    )


def search_routes() -> list[BaseRoute]:
    return [Route("/{lang:lang}/search", search_page, methods=["GET", "HEAD"])]
