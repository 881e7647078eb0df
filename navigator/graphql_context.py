"""The context of one GraphQL request: where to read, the request's DataLoaders, and who is asking.

:func:`context_factory` is what ``navigator.graphql_http.graphql_endpoint`` calls for each HTTP request (a batch
shares one context). A bearer token (``Authorization: Bearer rln_…``) is only checked when a mutation asks for the
viewer, so anonymous reads cost no round trip for it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date

import neo4j
from graphql import GraphQLResolveInfo
from starlette.requests import Request

from graph.access import ApiToken, authenticate
from graph.journeys import PlanningCache
from graph.session import RETRY_TIME, GraphReader
from navigator.graphql_errors import api_error, graph_errors
from navigator.loaders import Loaders
from navigator.search import SearchIndex

__all__ = ["RequestContext", "bearer_token", "context_factory", "request_context"]


@dataclass(slots=True, kw_only=True)
class RequestContext:
    """Everything a resolver may use; built per request, never shared between requests."""

    reader: GraphReader
    loaders: Loaders
    search: SearchIndex | None = None
    """The process's search index (``app.state.search``), or None when the app runs without one."""
    token: str | None = field(default=None, repr=False)
    """The bearer token the request carries (never shown in a repr or a log)."""
    today: date | None = None
    """The date journeys are planned for (None = today); tests pin it."""
    planning_cache: PlanningCache | None = field(default=None, repr=False)
    """The process's catalog data for journeys (``app.state.planning_cache``), or None: read it for every journey."""
    _viewer: asyncio.Future[ApiToken | None] | None = field(default=None, repr=False)

    @classmethod
    def create(
        cls, driver: neo4j.AsyncDriver, *, timeout: float, database: str | None = None, token: str | None = None,
        today: date | None = None, planning_cache: PlanningCache | None = None, search: SearchIndex | None = None,
        retry_time: float = RETRY_TIME,
    ) -> RequestContext:
        """A context over ``driver``; call inside the running event loop (the loaders bind to it)."""
        reader = GraphReader(driver, timeout, database, retry_time)
        return cls(reader=reader, loaders=Loaders(reader), search=search, token=token, today=today,
                   planning_cache=planning_cache)

    async def viewer(self) -> ApiToken | None:
        """The active API token the request carries, or None (anonymous, malformed, unknown or revoked)."""
        if self.token is None:
            return None
        if self._viewer is None:
            self._viewer = asyncio.ensure_future(self._authenticate(self.token))
        return await self._viewer

    async def _authenticate(self, token: str) -> ApiToken | None:
        with graph_errors():
            return await authenticate(self.reader, token)

    async def require_viewer(self) -> ApiToken:
        """The viewer, or an ``UNAUTHENTICATED`` error."""
        viewer = await self.viewer()
        if viewer is None:
            raise api_error(
                "This needs a valid API token: send `Authorization: Bearer <token>` "
                "(created with `navigator tokens create`).",
                "UNAUTHENTICATED",
            )
        return viewer


def request_context(info: GraphQLResolveInfo) -> RequestContext:
    """The context of the request a resolver runs for."""
    context = info.context
    assert isinstance(context, RequestContext), "the schema runs with a RequestContext"
    return context


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


async def context_factory(request: Request) -> RequestContext:
    """The GraphQL context of one HTTP request, from the app's driver and settings."""
    state = request.app.state
    settings = state.settings
    return RequestContext.create(
        state.driver, timeout=settings.query_timeout, database=settings.neo4j_database,
        retry_time=settings.neo4j_retry_time, token=bearer_token(request),
        planning_cache=getattr(state, "planning_cache", None), search=getattr(state, "search", None),
    )
