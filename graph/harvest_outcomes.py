"""What a whole harvest adds to its ``HarvestRun`` beyond the load: the snapshot and timings, whether the datasets it
changed were linked to life events, and runs that failed before anything was loaded.

Linking is tracked on the runs: a successful run that changed datasets keeps ``linkedAt`` null until the portal's
datasets are linked again, so a harvest interrupted between load and linking is linked by the next one, even when
that one finds nothing new.
"""

from __future__ import annotations

import uuid
from typing import Any

import neo4j

from graph import queries
from graph.harvest_runs import HarvestReport, Mode, fail_run, start_run, utc_now

__all__ = ["annotate_run", "links_pending", "mark_linked", "record_failed_harvest"]

READ_TIMEOUT = 10.0


def annotate_run(
    driver: neo4j.Driver, run_id: str, details: dict[str, Any], *, language: str | None = None,
    database: str | None = None,
) -> None:  # fmt: skip
    """Store ``details`` (camelCase keys, Neo4j property values) on the run; ``language``, when given, becomes the
    portal's default language unless it has one."""
    driver.execute_query(
        queries.HARVEST_ANNOTATE_RUN, runId=run_id, details=details, language=language, database_=database
    )


def links_pending(driver: neo4j.Driver, portal: str, *, database: str | None = None) -> bool:
    """Whether a successful run of ``portal`` changed datasets that were not linked since."""
    records, _, _ = driver.execute_query(
        neo4j.Query(queries.HARVEST_LINKS_PENDING, timeout=READ_TIMEOUT), portal=portal, database_=database,
        routing_=neo4j.RoutingControl.READ,
    )  # fmt: skip
    return bool(records[0]["pending"])


def mark_linked(driver: neo4j.Driver, portal: str, *, up_to: str, database: str | None = None) -> None:
    """Mark the portal's successful runs started at or before ``up_to`` (when linking began) as linked."""
    driver.execute_query(queries.HARVEST_MARK_LINKED, portal=portal, upTo=up_to, at=utc_now(), database_=database)


def record_failed_harvest(
    driver: neo4j.Driver, *, portal: str, mode: Mode, source: str, url: str | None, error: str, seconds: float,
    database: str | None = None,
) -> str:  # fmt: skip
    """Store a run that failed before loading (the portal unreachable, a bad dump file): status ``failed`` with the
    error, nothing loaded, the portal's watermark untouched. Returns the run's id."""
    report = HarvestReport(
        run_id=f"{portal}:{utc_now()}:{uuid.uuid4().hex[:8]}", portal=portal, mode=mode, source=source,
        seconds=seconds,
    )  # fmt: skip
    start_run(driver, report, started_at=utc_now(), url=url, title=None, ckan_version=None, database=database)
    fail_run(driver, report, error, database=database)
    return report.run_id
