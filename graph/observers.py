"""Who watches the web path's reads: observers that see each query by name, its time and its outcome.

The graph package knows nothing of metrics or circuit breakers; the web app registers observers for the length of a
request with ``with observe_queries(metrics, circuit):``. The observers live in a :mod:`contextvars` variable, so
tasks started inside the block (DataLoader dispatches, ``asyncio.gather``) report to them and concurrent requests
(or two apps in one process) do not mix.

An observer sees a query's *name* (``"STAGES_ALL"``, see :func:`graph.queries.name_of`), never its text or
parameters. :meth:`QueryObserver.before_query` may refuse a query by raising :class:`~graph.errors.GraphUnavailable`
(a circuit breaker does, while Neo4j is known to be away); it is asked again before each retry.
:meth:`QueryObserver.read_sent` is handed each attempt while it runs: cancelling it abandons the read, which then
fails with GraphUnavailable (the circuit breaker does so with the reads in flight when it finds Neo4j gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Iterator
from typing import Any, Literal, Protocol

__all__ = ["Outcome", "QueryObserver", "notify_after", "notify_before", "notify_sent", "observe_queries"]

log = logging.getLogger(__name__)

Outcome = Literal["ok", "unavailable", "timeout", "error"]
"""How a query ended: answered; Neo4j unreachable (or refused by an observer); over its timeout; any other error."""


class QueryObserver(Protocol):
    def before_query(self, name: str) -> None:
        """Called before the query (and before each retry) is sent; may raise GraphUnavailable to refuse it."""

    def read_sent(self, name: str, attempt: asyncio.Future[Any]) -> None:
        """Called with each attempt of a read as it starts; cancelling ``attempt`` abandons the read."""

    def after_query(self, name: str, seconds: float, outcome: Outcome) -> None:
        """Called once per query when it has finished, however it ended."""


_observers: contextvars.ContextVar[tuple[QueryObserver, ...]] = contextvars.ContextVar(
    "graph_query_observers", default=()
)


@contextlib.contextmanager
def observe_queries(*observers: QueryObserver) -> Iterator[None]:
    """Report the queries run inside the block to ``observers`` (added to any registered by an outer block)."""
    token = _observers.set(_observers.get() + observers)
    try:
        yield
    finally:
        _observers.reset(token)


def notify_before(name: str) -> None:
    """Ask every observer whether ``name`` may be sent; the first refusal (GraphUnavailable) propagates."""
    for observer in _observers.get():
        observer.before_query(name)


def notify_sent(name: str, attempt: asyncio.Future[Any]) -> None:
    """Hand every observer the attempt of a read that has just started."""
    for observer in _observers.get():
        observer.read_sent(name, attempt)


def notify_after(name: str, seconds: float, outcome: Outcome) -> None:
    """Tell every observer how ``name`` ended. An observer that fails is logged, never the query's problem."""
    for observer in _observers.get():
        try:
            observer.after_query(name, seconds, outcome)
        except Exception:
            log.exception("query observer %r failed", observer)
