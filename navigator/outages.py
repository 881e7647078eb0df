"""Failing fast: the Neo4j circuit and the request deadline, so that no request hangs while something is away.

:class:`Neo4jCircuit` watches the web path's reads (a :class:`graph.observers.QueryObserver`). When a read finds Neo4j
unreachable — after the read's own short retries, see ``NAVIGATOR_NEO4J_RETRY_TIME`` — the circuit *opens*: the reads
still in flight are abandoned, and every new read is refused at once with :class:`~graph.errors.GraphUnavailable`
(no connection attempt, no waiting), so GraphQL
answers ``503`` + ``Retry-After`` with code ``GRAPH_UNAVAILABLE`` and pages the 503 error page, in milliseconds. A
background probe pings Neo4j every ``NAVIGATOR_NEO4J_PROBE_INTERVAL`` seconds; the first answer closes the circuit
and service resumes, without restarting anything. A slow query (over ``NAVIGATOR_QUERY_TIMEOUT``) does not open it.

:class:`RequestDeadline` bounds every request by ``NAVIGATOR_REQUEST_TIMEOUT``: one still running then is cancelled
and answered ``503`` with ``Retry-After`` (code ``REQUEST_TIMEOUT``), unless its response had already begun.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.errors import GraphUnavailable
from graph.observers import Outcome

__all__ = ["Neo4jCircuit", "RequestDeadline", "error_body", "retry_after_seconds"]

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[bool]]
"""Answers whether Neo4j responds now (one attempt, bounded in time)."""


def retry_after_seconds(probe_interval: float) -> int:
    """The ``Retry-After`` of a 503 during an outage: the probe interval, rounded up to whole seconds."""
    return max(1, math.ceil(probe_interval))


def error_body(message: str, code: str) -> bytes:
    """An error in the API's one error shape (see ``navigator.graphql_http.format_error``), as JSON bytes."""
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()


class Neo4jCircuit:
    """Refuses reads at once while Neo4j is known to be unreachable; probes in the background until it answers.

    ``on_change(open)`` is told when the circuit opens or closes (for metrics). Use inside the event loop; call
    :meth:`aclose` when the app stops.
    """

    def __init__(
        self, probe: Probe, *, probe_interval: float, on_change: Callable[[bool], None] | None = None
    ) -> None:
        self._probe = probe
        self.probe_interval = probe_interval
        self._on_change = on_change
        self._opened_at: float | None = None
        self._probing: asyncio.Task[None] | None = None
        self._stopped = False
        self._in_flight: set[asyncio.Future[Any]] = set()

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    @property
    def retry_after(self) -> int:
        return retry_after_seconds(self.probe_interval)

    # --- graph.observers.QueryObserver --------------------------------------------------------------------------

    def before_query(self, name: str) -> None:
        if self._opened_at is not None:
            raise GraphUnavailable("Neo4j is unavailable (waiting for it to answer again)")

    def read_sent(self, name: str, attempt: asyncio.Future[Any]) -> None:
        self._in_flight.add(attempt)
        attempt.add_done_callback(self._in_flight.discard)

    def after_query(self, name: str, seconds: float, outcome: Outcome) -> None:
        if outcome == "unavailable":
            self.trip()

    # --- opening and closing ------------------------------------------------------------------------------------

    def trip(self) -> None:
        """Open the circuit (if closed) and start probing."""
        if self._opened_at is not None or self._stopped:
            return
        self._opened_at = time.monotonic()
        abandoned = [attempt for attempt in self._in_flight if attempt.cancel()]
        log.warning("Neo4j is unreachable: %d reads in flight abandoned, new reads refused (503) until it answers "
                    "again", len(abandoned))
        self._notify(True)
        # A fresh context: the probe must not report to (or be refused by) the observers of the request that tripped.
        loop = asyncio.get_running_loop()
        self._probing = loop.create_task(self._probe_until_back(), context=contextvars.Context())

    def _close(self) -> None:
        if self._opened_at is None:
            return
        away = time.monotonic() - self._opened_at
        self._opened_at = None
        log.warning("Neo4j answers again after %.1f s: reads resume", away)
        self._notify(False)

    def _notify(self, opened: bool) -> None:
        if self._on_change is not None:
            try:
                self._on_change(opened)
            except Exception:
                log.exception("the circuit's on_change callback failed")

    async def _probe_until_back(self) -> None:
        while self._opened_at is not None:
            await asyncio.sleep(self.probe_interval)
            try:
                async with asyncio.timeout(max(1.0, self.probe_interval)):
                    answered = await self._probe()
            except TimeoutError:
                answered = False
            except Exception:
                log.exception("the Neo4j probe failed")
                answered = False
            if answered:
                self._close()

    async def aclose(self) -> None:
        """Stop probing (the app is stopping); the circuit no longer opens after this."""
        self._stopped = True
        task, self._probing = self._probing, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass


def _wants_html(scope: Scope) -> bool:
    """True when the client lists ``text/html`` before any JSON type (a browser), so it gets the error page."""
    accept = next((v.decode("latin-1").lower() for k, v in scope.get("headers", ()) if k == b"accept"), "")
    html_at, json_at = accept.find("text/html"), accept.find("json")
    return html_at >= 0 and (json_at < 0 or html_at < json_at)


class RequestDeadline:
    """ASGI middleware: a request still running after ``seconds`` is cancelled and answered 503 + ``Retry-After``.

    JSON clients get the API's error shape (code ``REQUEST_TIMEOUT``); browsers get the app's error page for a 503
    (the handler registered for ``HTTPException``), or plain text when there is none.
    """

    def __init__(self, app: ASGIApp, *, seconds: float, retry_after: int = 1) -> None:
        self.app = app
        self.seconds = seconds
        self.retry_after = retry_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_started(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        deadline = asyncio.timeout(self.seconds)
        try:
            async with deadline:
                await self.app(scope, receive, send_started)
        except TimeoutError:
            if not deadline.expired() or started:
                raise
            log.warning("a request ran over %.1f s and was answered 503", self.seconds)
            response = await self._response(scope, receive)
            await response(scope, receive, send)

    async def _response(self, scope: Scope, receive: Receive) -> Response:
        headers = {"Retry-After": str(self.retry_after), "Cache-Control": "no-store"}
        if _wants_html(scope):
            app = scope.get("app")
            handler = getattr(app, "exception_handlers", {}).get(HTTPException) if app is not None else None
            if handler is not None:
                answer = handler(Request(scope, receive), HTTPException(503, headers=headers))
                result: Response = await answer if asyncio.iscoroutine(answer) else answer
                return result
            return Response("Service unavailable: try again shortly.", 503, headers, media_type="text/plain")
        body = error_body(f"The request took longer than {self.seconds:g} s; try again shortly.", "REQUEST_TIMEOUT")
        return Response(body, 503, headers, media_type="application/json")
