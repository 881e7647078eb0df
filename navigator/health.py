"""Health endpoints for load balancers and orchestrators.

- ``GET /healthz`` — liveness: the process answers. Always ``200`` with ``{"status": "ok", "pid": …}``; it never
  touches Neo4j, so a Neo4j outage does not get healthy workers restarted.
- ``GET /readyz`` — readiness: Neo4j answers, the schema migrations are applied and the search index is open.
  ``200`` with ``{"status": "ready", "checks": {…}}``, else ``503`` with ``Retry-After`` and ``"not ready"``. Each
  check says ``ok``, ``unavailable``, ``pending`` (migrations) or ``not configured`` (no search index in this app,
  which does not make it unready). The whole answer takes at most about :data:`CHECK_TIMEOUT` seconds per check.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import JSONResponse

from graph.admin import ping
from graph.errors import GraphError
from graph.migrations import pending_migrations_async
from navigator.search import SearchError

__all__ = ["CHECK_TIMEOUT", "healthz", "readyz"]

CHECK_TIMEOUT = 1.0
_STARTED = time.monotonic()
_NO_STORE = {"Cache-Control": "no-store"}


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse(
        {"status": "ok", "pid": os.getpid(), "uptimeSeconds": round(time.monotonic() - _STARTED, 1)},
        headers=_NO_STORE,
    )


async def _neo4j(state: State) -> dict[str, Any]:
    circuit = getattr(state, "circuit", None)
    if circuit is not None and circuit.is_open:
        return {"status": "unavailable", "circuit": "open"}
    settings = state.settings
    started = time.perf_counter()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            answered = await ping(state.driver, min(CHECK_TIMEOUT, settings.query_timeout), settings.neo4j_database)
    except TimeoutError:
        answered = False
    if not answered:
        return {"status": "unavailable"}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


async def _migrations(state: State) -> dict[str, Any]:
    if getattr(state, "migrations_applied", False):  # once applied they stay applied: no query per probe
        return {"status": "ok"}
    settings = state.settings
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            pending = await pending_migrations_async(state.driver, settings.neo4j_database, CHECK_TIMEOUT)
    except (TimeoutError, GraphError):
        return {"status": "unavailable"}
    if pending:
        return {"status": "pending", "pending": pending}
    state.migrations_applied = True
    return {"status": "ok"}


async def _search(state: State) -> dict[str, Any]:
    index = getattr(state, "search", None)
    if index is None:
        return {"status": "not configured"}
    try:
        documents = await asyncio.wait_for(run_in_threadpool(index.doc_count), CHECK_TIMEOUT)
    except (TimeoutError, SearchError, OSError) as e:
        return {"status": "unavailable", "error": type(e).__name__}
    return {"status": "ok", "documents": int(documents)}


async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    neo4j = await _neo4j(state)
    migrations = await _migrations(state) if neo4j["status"] == "ok" else {"status": "unknown"}
    checks = {"neo4j": neo4j, "migrations": migrations, "search": await _search(state)}
    ready = all(check["status"] in ("ok", "not configured") for check in checks.values())
    headers = dict(_NO_STORE)
    if not ready:
        circuit = getattr(state, "circuit", None)
        headers["Retry-After"] = str(circuit.retry_after if circuit is not None else 1)
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503, headers=headers)
