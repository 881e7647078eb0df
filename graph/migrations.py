"""Schema migrations: numbered ``.cypher`` files under ``graph/migrations/``, each statement ``IF NOT EXISTS``.

Applied migrations are recorded as ``(:SchemaMigration {id, checksum, appliedAt})``; applying twice changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import neo4j

from graph import queries
from graph.errors import GraphError, GraphUnavailable

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


@dataclass(frozen=True, slots=True, kw_only=True)
class Migration:
    id: str
    statements: tuple[str, ...]
    checksum: str


def load_migrations() -> list[Migration]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.cypher")):
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
        statements = tuple(s.strip() for s in body.split(";") if s.strip())
        found.append(Migration(id=path.stem, statements=statements, checksum=hashlib.sha256(text.encode()).hexdigest()))
    return found


def applied_migrations(driver: neo4j.Driver, database: str | None = None) -> dict[str, str]:
    records, _, _ = driver.execute_query(
        queries.APPLIED_MIGRATIONS, database_=database, routing_=neo4j.RoutingControl.READ
    )
    return {r["id"]: r["checksum"] for r in records}


def migrate(driver: neo4j.Driver, database: str | None = None) -> list[str]:
    """Apply every migration not yet applied; returns the ids applied now (empty on a second run)."""
    done = applied_migrations(driver, database)
    applied = []
    for migration in load_migrations():
        if done.get(migration.id) == migration.checksum:
            continue
        for statement in migration.statements:
            try:
                driver.execute_query(statement, database_=database)
            except neo4j.exceptions.Neo4jError as e:
                raise GraphError(f"migration {migration.id} failed on: {statement}: {e.message}") from e
        driver.execute_query(
            queries.RECORD_MIGRATION, id=migration.id, checksum=migration.checksum, database_=database
        )
        applied.append(migration.id)
        log.info("applied migration %s (%d statements)", migration.id, len(migration.statements))
    return applied


def pending_migrations(driver: neo4j.Driver, database: str | None = None) -> list[str]:
    done = applied_migrations(driver, database)
    return [m.id for m in load_migrations() if done.get(m.id) != m.checksum]


async def pending_migrations_async(
    driver: neo4j.AsyncDriver, database: str | None = None, timeout: float = 5.0
) -> list[str]:
    """:func:`pending_migrations` for the web app (its readiness check); Neo4j failures become GraphUnavailable."""
    try:
        records, _, _ = await driver.execute_query(
            neo4j.Query(queries.APPLIED_MIGRATIONS, timeout=timeout), database_=database,
            routing_=neo4j.RoutingControl.READ,
        )
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as e:
        raise GraphUnavailable(f"cannot read the applied migrations: {type(e).__name__}") from e
    done = {r["id"]: r["checksum"] for r in records}
    return [m.id for m in load_migrations() if done.get(m.id) != m.checksum]
