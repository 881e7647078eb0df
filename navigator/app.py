"""The Starlette application: the Neo4j driver lives inside the lifespan; routes are added by their modules."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from graph.admin import ping
from graph.journeys import PlanningCache
from navigator import health
from navigator.database import open_async_driver
from navigator.graphql_context import context_factory
from navigator.graphql_http import graphiql_static_mount, graphql_endpoint
from navigator.graphql_limits import QueryLimits
from navigator.log_privacy import protect_logs
from navigator.observability import (
    QUERY_METRICS,
    RequestObserver,
    mark_process_dead,
    metrics_endpoint,
    observe_graphql_operation,
    set_circuit_open,
)
from navigator.outages import Neo4jCircuit, RequestDeadline
from navigator.pages import page_exception_handlers, page_middleware, page_routes
from navigator.schema import schema
from navigator.search_feed import open_search
from navigator.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    protect_logs()

    async def probe_neo4j() -> bool:
        return await ping(app.state.driver, settings.query_timeout, settings.neo4j_database)

    circuit = Neo4jCircuit(probe_neo4j, probe_interval=settings.neo4j_probe_interval, on_change=set_circuit_open)
    operations = [  # outermost first: observe (metrics, log line, query observers), then the deadline
        Middleware(RequestObserver, query_observers=[QUERY_METRICS, circuit]),
        Middleware(RequestDeadline, seconds=settings.request_timeout, retry_after=circuit.retry_after),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        driver = open_async_driver(settings)
        app.state.driver = driver
        app.state.settings = settings
        # catalog data and dataset links journeys are planned from, kept per driver
        app.state.planning_cache = PlanningCache(max_age=settings.journey_cache_seconds)
        # One SearchIndex per process, shared by GraphQL, pages (``search_index``) and /readyz; it notices new commits.
        app.state.search = app.state.search_index = open_search(settings)
        # What start-up built (the schema, jieba's dictionary, the search reader …) lives as long as the process:
        # frozen, the garbage collector's full passes skip it, which otherwise took ~20 ms every few hundred
        # requests and showed in the latency tail.
        gc.collect()
        gc.freeze()
        try:
            yield {}
        finally:
            gc.unfreeze()
            await circuit.aclose()
            await driver.close()
            if app.state.search is not None:
                app.state.search.close()
            mark_process_dead()

    routes = [
        Route("/healthz", health.healthz),
        Route("/readyz", health.readyz),
        Route("/metrics", metrics_endpoint),
        Route("/graphql", graphql_endpoint(
            schema, context_factory=context_factory, limits=QueryLimits(), graphiql=True, path="/graphql",
            static_path="/static/graphiql", observer=observe_graphql_operation, retry_after=circuit.retry_after,
        )),
        graphiql_static_mount("/static/graphiql"),
        *page_routes(),
    ]
    app = Starlette(
        routes=routes, lifespan=lifespan, middleware=[*operations, *page_middleware()],
        exception_handlers=page_exception_handlers(),
    )
    app.state.circuit = circuit
    return app
