"""The Starlette application: the Neo4j driver lives inside the lifespan; routes are added by their modules."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from graph.admin import ping
from navigator.database import open_async_driver
from navigator.graphql_context import context_factory
from navigator.graphql_http import graphiql_static_mount, graphql_endpoint
from navigator.graphql_limits import QueryLimits
from navigator.log_privacy import protect_logs
from navigator.schema import schema
from navigator.settings import Settings

log = logging.getLogger(__name__)


async def healthz(request: Request) -> JSONResponse:
    state = request.app.state
    reachable = await ping(state.driver, state.settings.query_timeout, state.settings.neo4j_database)
    return JSONResponse({"status": "ok", "neo4j": "reachable" if reachable else "unreachable"})


async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Road-of-Life Navigator</title></head>"
        "<body><main><h1>Road-of-Life Navigator</h1><p>GraphQL API at <a href='/graphql'>/graphql</a>.</p>"
        "</main></body></html>"
    )


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    protect_logs()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        driver = open_async_driver(settings)
        app.state.driver = driver
        app.state.settings = settings
        try:
            yield {}
        finally:
            await driver.close()

    routes = [
        Route("/", home),
        Route("/healthz", healthz),
        Route("/graphql", graphql_endpoint(
            schema, context_factory=context_factory, limits=QueryLimits(), graphiql=True, path="/graphql",
            static_path="/static/graphiql",
        )),
        graphiql_static_mount("/static/graphiql"),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
