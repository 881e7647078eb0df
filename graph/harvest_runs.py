"""Harvest runs and portal watermarks: the bookkeeping that makes a dataset load incremental and safe to re-run.

A run is ``(:HarvestRun {id, portal, startedAt, finishedAt, status, mode, source, new, updated, unchanged, withdrawn,
rejected, rejectedReasonsJson, seconds, writes})-[:HARVESTED]->(:Portal)``. It is recorded as ``running`` first;
only its last step (:func:`finish_run`, one transaction) sets ``succeeded`` and moves the portal's ``watermark`` (the
newest source ``metadata_modified`` seen) and ``lastSuccessfulRunAt``. A process killed mid-run leaves its run
``running``; the next run of the portal marks it ``failed``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import neo4j

from graph import queries

log = logging.getLogger(__name__)

Mode = Literal["full", "incremental"]
MAX_STORED_REASONS = 1000  # rejected reasons kept on the run node; the count is always exact


def utc_now() -> str:
    """Now, UTC, millisecond precision, ``Z`` (the form CKAN timestamps are normalised to)."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected:
    """A record that was not loaded: its CKAN id or name (or ``line N`` of a snapshot) and why."""

    ref: str
    reason: str


@dataclass(slots=True, kw_only=True)
class HarvestReport:
    """What one load of a portal's records did; stored on its ``HarvestRun`` and printed as :meth:`summary`.

    ``writes`` counts what the dataset writes changed in Neo4j (nodes, relationships, properties): 0 when nothing
    changed. ``withdrawal_skipped`` says why datasets missing from a full listing were not withdrawn, if they were not.
    """

    run_id: str
    portal: str
    mode: Mode
    source: str = ""
    status: str = "running"
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: int = 0
    rejected_reasons: list[Rejected] = field(default_factory=list)
    seconds: float = 0.0
    writes: int = 0
    watermark: str | None = None
    withdrawal_skipped: str | None = None

    @property
    def loaded(self) -> int:
        return self.new + self.updated + self.unchanged

    def summary(self) -> str:
        skipped = f" (withdrawal skipped: {self.withdrawal_skipped})" if self.withdrawal_skipped else ""
        return (
            f"{self.portal}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.withdrawn} withdrawn, {self.rejected} rejected in {self.seconds:.2f} s ({self.mode}){skipped}"
        )

    def to_props(self) -> dict[str, Any]:
        reasons = [{"ref": r.ref, "reason": r.reason} for r in self.rejected_reasons[:MAX_STORED_REASONS]]
        return {
            "new": self.new, "updated": self.updated, "unchanged": self.unchanged, "withdrawn": self.withdrawn,
            "rejected": self.rejected, "rejectedReasonsJson": json.dumps(reasons, ensure_ascii=False),
            "seconds": round(self.seconds, 3), "writes": self.writes, "watermark": self.watermark,
            "withdrawalSkipped": self.withdrawal_skipped,
        }  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class PortalState:
    """Where the next harvest of a portal starts: ``watermark`` for ``since``, ``known`` (CKAN id → name) of its
    active datasets for detecting deletions. Empty for a portal never loaded."""

    portal: str
    watermark: str | None = None
    last_successful_run_at: str | None = None
    url: str | None = None
    known: dict[str, str] = field(default_factory=dict)


def start_run(
    driver: neo4j.Driver, report: HarvestReport, *, started_at: str, url: str | None, title: str | None,
    ckan_version: str | None, database: str | None = None,
) -> None:  # fmt: skip
    """Record ``report``'s run as running (and fail the portal's runs a killed process left running)."""
    driver.execute_query(
        queries.START_HARVEST_RUN, portal=report.portal, url=url, title=title, ckanVersion=ckan_version,
        runId=report.run_id, startedAt=started_at, mode=report.mode, source=report.source, database_=database,
    )  # fmt: skip


def finish_run(driver: neo4j.Driver, report: HarvestReport, *, database: str | None = None) -> None:
    """The final step of a successful run: store the report, advance the portal's watermark."""
    report.status = "succeeded"
    driver.execute_query(
        queries.FINISH_HARVEST_RUN, runId=report.run_id, report=report.to_props(), finishedAt=utc_now(),
        watermark=report.watermark, database_=database,
    )  # fmt: skip


def fail_run(driver: neo4j.Driver, report: HarvestReport, error: str, *, database: str | None = None) -> None:
    """Mark the run failed with ``error``; never raises (the original error matters more)."""
    report.status = "failed"
    try:
        driver.execute_query(
            queries.FAIL_HARVEST_RUN, runId=report.run_id, report=report.to_props(), finishedAt=utc_now(),
            error=error[:2000], database_=database,
        )  # fmt: skip
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as e:
        log.warning("could not mark harvest run %s failed: %s", report.run_id, e)


def portal_state(driver: neo4j.Driver, portal: str, *, database: str | None = None) -> PortalState:
    """The portal's watermark and its active datasets, for the next (incremental) harvest."""
    records, _, _ = driver.execute_query(
        queries.PORTAL_STATE, portal=portal, database_=database, routing_=neo4j.RoutingControl.READ
    )
    props = records[0]["portal"] or {}
    return PortalState(
        portal=portal, watermark=props.get("watermark"), last_successful_run_at=props.get("lastSuccessfulRunAt"),
        url=props.get("url"), known={ckan_id: name for ckan_id, name in records[0]["known"]},
    )  # fmt: skip


def recent_runs(
    driver: neo4j.Driver, portal: str | None = None, *, limit: int = 20, database: str | None = None
) -> list[dict[str, Any]]:
    """The latest runs (newest first) as property maps, ``rejectedReasonsJson`` decoded to ``rejectedReasons``."""
    records, _, _ = driver.execute_query(
        queries.HARVEST_RUNS, portal=portal, limit=limit, database_=database, routing_=neo4j.RoutingControl.READ
    )
    runs = []
    for record in records:
        run = dict(record["run"])
        run["rejectedReasons"] = json.loads(run.pop("rejectedReasonsJson", None) or "[]")
        runs.append(run)
    return runs
