"""What the running app tells its operators: Prometheus metrics and one JSON log line per request.

Metrics, served at ``GET /metrics`` in Prometheus' text format:

| Metric | Labels | Meaning |
| --- | --- | --- |
| ``navigator_http_requests_total`` | method, route, operation, status | requests answered |
| ``navigator_http_request_duration_seconds`` | method, route, operation | time to answer (histogram) |
| ``navigator_http_requests_in_flight`` | | requests being answered |
| ``navigator_graphql_errors_total`` | code | errors in GraphQL responses, by ``extensions.code`` |
| ``navigator_neo4j_query_duration_seconds`` | query, outcome | each web read by its name (``STAGES_ALL``) |
| ``navigator_neo4j_circuit_open`` | | 1 while Neo4j is away and reads are refused |
| ``navigator_neo4j_circuit_trips_total`` | | times the circuit opened |
| ``navigator_harvest_runs_total`` | portal, outcome | harvest runs, counted by :func:`count_harvest_run` |

Every label is bounded, whatever clients send: ``route`` is the route's template (``/graphql``), never the path;
``method`` is a standard method or ``OTHER``; ``operation`` is the GraphQL operation's name (``(anonymous)``,
``(batch)``, ``(none)`` when none was picked, empty for other routes), at most :data:`MAX_LABEL_VALUES` distinct
names per process, then ``(other)``.

Several processes (``navigator serve --workers N``): set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder before
start; prometheus-client then keeps each worker's values in files there and ``/metrics`` adds them up
(``navigator serve`` empties the folder when it starts; a harvest run with the same folder is counted too).

Logs: :class:`RequestObserver` writes one line per request to the ``navigator.access`` logger with ``method``,
``route``, ``operation``, ``status`` and ``ms`` — never the path's values, a query string, a body, variables or a
profile. :class:`JsonFormatter` writes every record as one JSON object per line; an exception is written as its type
and stack only (its message may quote a citizen's input). ``navigator serve`` logs this way (:func:`logging_config`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.observers import Outcome, QueryObserver, observe_queries

__all__ = [
    "MAX_LABEL_VALUES",
    "QUERY_METRICS",
    "JsonFormatter",
    "RequestObserver",
    "count_harvest_run",
    "logging_config",
    "mark_process_dead",
    "metrics_endpoint",
    "observe_graphql_operation",
    "set_circuit_open",
]

log = logging.getLogger(__name__)
access_log = logging.getLogger("navigator.access")

MAX_LABEL_VALUES = 100
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "navigator_http_requests", "HTTP requests answered", ["method", "route", "operation", "status"]
)
REQUEST_SECONDS = Histogram(
    "navigator_http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route", "operation"],
    buckets=_LATENCY_BUCKETS,
)
IN_FLIGHT = Gauge("navigator_http_requests_in_flight", "HTTP requests being answered", multiprocess_mode="livesum")
GRAPHQL_ERRORS = Counter("navigator_graphql_errors", "Errors in GraphQL responses, by code", ["code"])
NEO4J_QUERY_SECONDS = Histogram(
    "navigator_neo4j_query_duration_seconds", "Time of a web read from Neo4j, by query name and outcome",
    ["query", "outcome"], buckets=_LATENCY_BUCKETS,
)
CIRCUIT_OPEN = Gauge(
    "navigator_neo4j_circuit_open", "1 while Neo4j is away and reads are refused at once", multiprocess_mode="livemax"
)
CIRCUIT_TRIPS = Counter("navigator_neo4j_circuit_trips", "Times Neo4j was found unreachable and the circuit opened")
HARVEST_RUNS = Counter("navigator_harvest_runs", "Harvest runs of CKAN portals", ["portal", "outcome"])


class _BoundedLabel:
    """The values one label may take in this process: the first ``limit`` seen, then ``(other)``."""

    def __init__(self, limit: int = MAX_LABEL_VALUES) -> None:
        self.limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: str) -> str:
        value = value[:64]
        if value in self._seen:
            return value
        with self._lock:
            if len(self._seen) >= self.limit:
                return "(other)"
            self._seen.add(value)
        return value

    def forget(self) -> None:
        with self._lock:
            self._seen.clear()


_operation_label = _BoundedLabel()
_code_label = _BoundedLabel()
_portal_label = _BoundedLabel()


def reset_label_bounds() -> None:
    """Forget the label values seen so far (a test process runs many apps; a server process never needs this)."""
    for bounded in (_operation_label, _code_label, _portal_label):
        bounded.forget()


# --- hooks for the other modules ----------------------------------------------------------------------------------


class _QueryMetrics:
    """A :class:`graph.observers.QueryObserver` timing each web read by its name."""

    def before_query(self, name: str) -> None:
        return None

    def read_sent(self, name: str, attempt: asyncio.Future[Any]) -> None:
        return None

    def after_query(self, name: str, seconds: float, outcome: Outcome) -> None:
        NEO4J_QUERY_SECONDS.labels(name, outcome).observe(seconds)


QUERY_METRICS: QueryObserver = _QueryMetrics()


def observe_graphql_operation(request: Request, operation: str | None, codes: tuple[str, ...]) -> None:
    """The ``observer`` of ``navigator.graphql_http.graphql_endpoint``: counts error codes and keeps the operation's
    name for the request's log line and metrics."""
    for code in codes:
        GRAPHQL_ERRORS.labels(_code_label(code)).inc()
    names: list[str | None] = request.scope.setdefault("state", {}).setdefault("graphql_operations", [])
    names.append(operation)


def set_circuit_open(opened: bool) -> None:
    """The ``on_change`` of :class:`navigator.outages.Neo4jCircuit`."""
    CIRCUIT_OPEN.set(1 if opened else 0)
    if opened:
        CIRCUIT_TRIPS.inc()


def count_harvest_run(portal: str, outcome: str) -> None:
    """Count one harvest run of ``portal`` (its name or host, not a URL with credentials) that ended with
    ``outcome`` (``ok``, ``failed``, ``partial``…)."""
    HARVEST_RUNS.labels(_portal_label(portal), _code_label(outcome)).inc()


# --- /metrics ---------------------------------------------------------------------------------------------------------


def _multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir") or None


async def metrics_endpoint(request: Request) -> Response:
    """``GET /metrics``: this process's metrics, or every worker's added up in multi-process mode."""
    if _multiprocess_dir() is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        data = generate_latest(registry)
    else:
        data = generate_latest(REGISTRY)
    return Response(data, headers={"Cache-Control": "no-store", "Content-Type": CONTENT_TYPE_LATEST})


def mark_process_dead() -> None:
    """Drop this worker's live gauges from the multi-process folder (call when the worker stops)."""
    if _multiprocess_dir() is not None:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


# --- the request middleware -----------------------------------------------------------------------------------------


def _route_label(scope: Scope) -> str:
    """The template of the route that answered (``/static/graphiql/{name}``), never the path itself."""
    route = scope.get("route")
    if route is None:
        return "(unmatched)"
    if isinstance(route, Mount):
        return f"{route.path}/{{path}}"
    app = scope.get("app")
    for top in getattr(app, "routes", ()):
        if top is route:
            return str(getattr(route, "path", "(route)"))
        if isinstance(top, Mount) and route in top.routes:
            return f"{top.path}{getattr(route, 'path', '')}"
    return "(route)"


def _operation_of(scope: Scope) -> str:
    names = scope.get("state", {}).get("graphql_operations")
    if names is None:
        return ""
    if not names:
        return "(none)"
    if len(names) > 1:
        return "(batch)"
    if names[0] is None:
        return "(none)"
    return _operation_label(names[0] or "(anonymous)")


class RequestObserver:
    """ASGI middleware: times each HTTP request, counts it, writes its log line, and reports the Neo4j reads made
    while answering it to ``query_observers`` (metrics, the circuit)."""

    def __init__(self, app: ASGIApp, *, query_observers: Sequence[QueryObserver] = ()) -> None:
        self.app = app
        self.query_observers = tuple(query_observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        IN_FLIGHT.inc()
        try:
            with observe_queries(*self.query_observers):
                await self.app(scope, receive, send_status)
        finally:
            IN_FLIGHT.dec()
            seconds = time.perf_counter() - started
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            route, operation = _route_label(scope), _operation_of(scope)
            REQUESTS.labels(method, route, operation, str(status)).inc()
            REQUEST_SECONDS.labels(method, route, operation).observe(seconds)
            fields = {"method": method, "route": route, "operation": operation, "status": status,
                      "ms": round(seconds * 1000, 1)}
            access_log.info("%s %s %s %d", method, route, operation or "-", status, extra={"fields": fields})


# --- logging --------------------------------------------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, the record's ``fields`` (given with
    ``extra={"fields": {...}}``) and, for an exception, ``error`` (its type) and ``stack`` — never its message."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["error"] = type(error).__qualname__
            entry["stack"] = "".join(traceback.format_tb(error.__traceback__)).rstrip()
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(level: str) -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of ``navigator serve`` (given to uvicorn, applied in every worker): JSON
    lines on stderr; uvicorn's own access log off (``navigator.access`` has one line per request)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }
