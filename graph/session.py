"""How the graph package talks to Neo4j on the web path: read transactions with a timeout, counted round trips.

:func:`read_query` runs one named query in a read transaction (an auto-commit one: a single network round trip;
routed to a follower on a cluster) with a finite timeout, and turns an outage or a timeout into
:class:`~graph.errors.GraphUnavailable`. :class:`GraphReader` bundles the driver, the timeout and the database name
so that read functions take one argument for "where to read".

Observers (:mod:`graph.observers`) see each read by name, time and outcome, and may refuse it.

Failing fast: a read that cannot reach Neo4j (a retryable driver error) is retried with short pauses for at most
``retry_time`` seconds (on a cluster the next attempt goes to another member), then raises GraphUnavailable. The
driver's own managed-transaction retries are not used: they wait a second or more before the first retry, which
would hold every request that long during an outage.

Round trips are counted per context: inside ``with count_round_trips() as trips:`` every query sent to Neo4j by this
package (reads and writes) adds one to ``trips.count``. The counter lives in a :mod:`contextvars` variable, so tasks
started inside the block (DataLoader dispatches, ``asyncio.gather``) count into it and concurrent requests do not mix.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import neo4j

from graph import queries
from graph.errors import GraphUnavailable
from graph.observers import Outcome, notify_after, notify_before, notify_sent

__all__ = [
    "RETRY_TIME", "GraphReader", "RoundTrips", "count_round_trip", "count_round_trips", "graph_unavailable",
    "read_query",
]

RETRY_TIME = 0.5
"""Seconds a read that failed to reach Neo4j is retried, by default (``NAVIGATOR_NEO4J_RETRY_TIME``)."""
_FIRST_PAUSE = 0.05


@dataclass(slots=True)
class RoundTrips:
    """How many queries were sent to Neo4j inside a :func:`count_round_trips` block."""

    count: int = 0
    queries: list[str] = field(default_factory=list)
    """The names of the queries, in the order they were sent."""


_round_trips: contextvars.ContextVar[RoundTrips | None] = contextvars.ContextVar("graph_round_trips", default=None)


@contextlib.contextmanager
def count_round_trips() -> Iterator[RoundTrips]:
    """Count the Neo4j round trips made inside the block (nested blocks count into their own counter only)."""
    trips = RoundTrips()
    token = _round_trips.set(trips)
    try:
        yield trips
    finally:
        _round_trips.reset(token)


def count_round_trip(query: str) -> None:
    """Record one round trip of ``query`` (a text from :mod:`graph.queries`) in the current counter, if any; the
    counter keeps the query's name, never its text or parameters."""
    trips = _round_trips.get()
    if trips is not None:
        trips.count += 1
        trips.queries.append(queries.name_of(query))


def graph_unavailable(error: Exception) -> GraphUnavailable | None:
    """The GraphUnavailable a Neo4j driver exception stands for, or None when it is not an outage or a timeout."""
    if isinstance(error, neo4j.exceptions.ClientError):
        if error.code and "TransactionTimedOut" in error.code:
            return GraphUnavailable("Neo4j did not answer in time")
        return None
    if isinstance(error, neo4j.exceptions.ServiceUnavailable | neo4j.exceptions.SessionExpired | OSError):
        return GraphUnavailable(f"Neo4j is unavailable: {type(error).__name__}")
    if isinstance(error, neo4j.exceptions.DriverError):
        return GraphUnavailable(f"Neo4j is unavailable: {type(error).__name__}")
    if isinstance(error, neo4j.exceptions.TransientError):
        return GraphUnavailable("Neo4j is busy; try again")
    return None


def _outcome(error: BaseException) -> Outcome:
    if isinstance(error, GraphUnavailable):
        return "timeout" if "in time" in str(error) else "unavailable"
    return "error"


async def _read_once(
    driver: neo4j.AsyncDriver, query: str, params: Mapping[str, Any], timeout: float, database: str | None
) -> list[neo4j.Record]:
    # One statement in an implicit (auto-commit) read transaction: RUN and PULL go out together and the server
    # commits when the result ends, so a read is one network round trip. An explicit transaction would add a BEGIN
    # and a COMMIT round trip each, for nothing: a single read statement has nothing to group.
    async with driver.session(
        database=database, default_access_mode=neo4j.READ_ACCESS,
        bookmark_manager=driver.execute_query_bookmark_manager,
    ) as session:
        result = await session.run(neo4j.Query(query, timeout=timeout), dict(params))
        return [record async for record in result]


async def _attempt(
    name: str, driver: neo4j.AsyncDriver, query: str, params: Mapping[str, Any], timeout: float, database: str | None
) -> list[neo4j.Record]:
    """One attempt, as a task the observers may cancel to abandon it (then GraphUnavailable)."""
    attempt = asyncio.ensure_future(_read_once(driver, query, params, timeout, database))
    notify_sent(name, attempt)
    try:
        return await attempt
    except asyncio.CancelledError:
        this = asyncio.current_task()
        if (this is not None and this.cancelling()) or not attempt.cancelled():
            raise  # the caller is being cancelled: not ours to turn into an error
        raise GraphUnavailable("Neo4j is unavailable: the read was abandoned") from None


async def read_query(
    driver: neo4j.AsyncDriver, query: str, params: Mapping[str, Any], timeout: float, database: str | None = None,
    *, retry_time: float = RETRY_TIME,
) -> list[neo4j.Record]:
    """Run one read query in a read transaction with a timeout; Neo4j failures become GraphUnavailable.

    Observers registered with :func:`graph.observers.observe_queries` are asked before each attempt (and may refuse
    it) and told the query's name, time and outcome once it has ended. An attempt that fails to reach Neo4j is
    retried for at most ``retry_time`` seconds (0: never).
    """
    name = queries.name_of(query)
    count_round_trip(query)
    started = time.perf_counter()
    outcome: Outcome = "error"
    try:
        pause, give_up = _FIRST_PAUSE, time.monotonic() + retry_time
        while True:
            notify_before(name)
            try:
                records = await _attempt(name, driver, query, params, timeout, database)
                break
            except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as e:
                if not e.is_retryable() or time.monotonic() + pause > give_up:
                    raise
            await asyncio.sleep(pause)
            pause *= 2
        outcome = "ok"
        return records
    except GraphUnavailable as e:
        outcome = _outcome(e)
        raise
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as e:
        unavailable = graph_unavailable(e)
        if unavailable is None:
            raise
        outcome = _outcome(unavailable)
        raise unavailable from e
    finally:
        notify_after(name, time.perf_counter() - started, outcome)


@dataclass(frozen=True, slots=True)
class GraphReader:
    """Where and how to read: the async driver, the read timeout in seconds, the database (None = default), and how
    long to retry a read that cannot reach Neo4j."""

    driver: neo4j.AsyncDriver
    timeout: float
    database: str | None = None
    retry_time: float = RETRY_TIME

    async def records(self, query: str, params: Mapping[str, Any] | None = None) -> list[neo4j.Record]:
        """The records of one named query (a text from :mod:`graph.queries`) run with ``params``."""
        return await read_query(
            self.driver, query, params or {}, self.timeout, self.database, retry_time=self.retry_time
        )
