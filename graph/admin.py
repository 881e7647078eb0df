"""Whole-graph operations for operators and tests: counts and a full wipe."""

from __future__ import annotations

import neo4j

from graph import queries
from graph.errors import GraphError
from graph.session import read_query


def graph_counts(driver: neo4j.Driver, database: str | None = None) -> dict[str, int]:
    """``{"node:Service": 120, "relationship:REQUIRES": 300, …}``."""
    records, _, _ = driver.execute_query(queries.GRAPH_COUNTS, database_=database, routing_=neo4j.RoutingControl.READ)
    return {f"{r['kind']}:{r['name']}": int(r["total"]) for r in records}


def wipe_graph(driver: neo4j.Driver, database: str | None = None) -> None:
    """Delete every node and relationship; the schema (constraints, indexes) stays."""
    with driver.session(database=database) as session:
        session.run(queries.WIPE_GRAPH).consume()


def server_components(driver: neo4j.Driver) -> tuple[str, str] | None:
    """``(version, edition)`` of the Neo4j behind ``driver``, from ``dbms.components()``."""
    records, _, _ = driver.execute_query(
        queries.SERVER_COMPONENTS, database_="system", routing_=neo4j.RoutingControl.READ
    )
    if not records:
        return None
    return str(records[0]["version"]), str(records[0]["edition"])


async def ping(driver: neo4j.AsyncDriver, timeout: float, database: str | None = None) -> bool:
    """True when Neo4j answers a trivial read within ``timeout`` seconds, at the first attempt (no retries: a health
    check says how things are now)."""
    try:
        await read_query(driver, queries.PING, {}, timeout, database, retry_time=0)
    except (GraphError, neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError):
        return False
    return True
