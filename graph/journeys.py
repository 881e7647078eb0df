"""Reads what the planner needs from Neo4j (async, read transactions with a timeout) and plans a journey.

Three reads: the planning head (stages, events, criteria: ``JOURNEY_EVENTS``), the services of the chosen events
(``JOURNEY_SERVICES``) and what those services mention (``JOURNEY_CONTEXT``). The ``*_from_record(s)`` functions map
their records to domain objects; they are pure, so the API benchmark's raw-driver baseline maps the same way.

The head changes only when a catalog load changes something, and every such load gives the catalog a new version
(``(:CatalogVersion)``, see ``graph.loader``). A :class:`PlanningHeads` handed to :func:`plan_journey` keeps the last
head read with its version; the next journey plans from it and reads only services and context, and the context read
returns the catalog's current version in the same statement. When that differs (or the kept head does not know an
event the person chose), the head is read again and the journey planned again from it: a journey is never planned
from a stale head. A graph whose catalog was never loaded by ``graph.loader`` has no version, and nothing is kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import neo4j

from graph import queries
from graph.errors import NotFound
from graph.model import (
    Service,
    Text,
    agency_from_props,
    bundle_from_props,
    criterion_from_props,
    event_from_props,
    evidence_from_props,
    service_from_props,
    stage_from_props,
)
from graph.planner import DatasetRef, Journey, PlanningData, Profile, choose_events, plan
from graph.session import read_query

__all__ = [
    "PlanningHead", "PlanningHeads", "context_from_record", "context_params", "fetch_planning_data",
    "head_from_record", "journey_fingerprint", "plan_journey", "services_from_records",
]


@dataclass(frozen=True, slots=True)
class PlanningHead:
    """The stages, events and criteria of the catalog (``data``) and the catalog version they were read at."""

    version: str | None
    data: PlanningData


class PlanningHeads:
    """Keeps the last planning head read, for journeys planned by one process against one graph (one driver and
    database). Create one per driver, next to it; it holds catalog data only, nothing of a person."""

    def __init__(self) -> None:
        self.current: PlanningHead | None = None
        self.reads = 0
        """How many times the head was read from the graph (for tests and benchmarks)."""

    def keep(self, head: PlanningHead) -> None:
        """Keep ``head`` when it has a version (a graph without one cannot say when its head changes)."""
        self.current = head if head.version is not None else None


def head_from_record(head: Mapping[str, Any]) -> PlanningData:
    """The planning head (stages, events, criteria) from the one record of ``JOURNEY_EVENTS``."""
    return PlanningData(
        stages={p["id"]: stage_from_props(p) for p in head["stages"]},
        events={
            e["props"]["id"]: event_from_props(
                e["props"], tuple(e["stageIds"]), tuple(e["criterionIds"]), tuple(e["triggerIds"])
            )
            for e in head["events"]
        },
        criteria={p["id"]: criterion_from_props(p) for p in head["criteria"]},
    )


def services_from_records(rows: Sequence[Mapping[str, Any]]) -> dict[str, Service]:
    """The services of the records of ``JOURNEY_SERVICES``, by id."""
    return {
        r["props"]["id"]: service_from_props(
            r["props"], event_ids=r["eventIds"], requires=r["requires"], produces=r["produces"],
            prerequisite_ids=r["prerequisiteIds"], criterion_ids=r["criterionIds"], channel_ids=r["channelIds"],
            agency_id=r["agencyId"],
        )
        for r in rows
    }


def context_params(services: Mapping[str, Service], event_ids: Sequence[str]) -> dict[str, Any]:
    """The parameters of ``JOURNEY_CONTEXT`` for these services and events."""
    # Only the documents the services name: the ones a person holds are part of their profile and stay here.
    evidence_ids = sorted({d for s in services.values() for d in (*s.requires, *s.produces)})
    agency_ids = sorted({s.agency_id for s in services.values() if s.agency_id})
    return {"evidenceIds": evidence_ids, "agencyIds": agency_ids, "eventIds": list(event_ids)}


def context_from_record(
    base: PlanningData, services: Mapping[str, Service], context: Mapping[str, Any]
) -> PlanningData:
    """``base`` (a planning head) with ``services`` and the one record of ``JOURNEY_CONTEXT``."""
    return replace(
        base, services=services,
        evidence={p["id"]: evidence_from_props(p) for p in context["evidence"]},
        agencies={p["id"]: agency_from_props(p) for p in context["agencies"]},
        bundles={
            b["props"]["id"]: bundle_from_props(b["props"], b["eventId"], tuple(b["serviceIds"]))
            for b in context["bundles"]
        },
        datasets=tuple(
            DatasetRef(
                id=d["id"], title=Text(zh=d["titleZh"] or d["title"] or "", en=d["titleEn"] or d["title"] or ""),
                portal=d["portal"] or "", event_id=d["eventId"], status=d["status"], score=float(d["score"] or 0),
            )
            for d in context["datasets"]
        ),
    )


async def _read_head(driver: neo4j.AsyncDriver, timeout: float, database: str | None) -> PlanningHead:
    (head,) = await read_query(driver, queries.JOURNEY_EVENTS, {}, timeout, database)
    return PlanningHead(head["version"], head_from_record(head))


async def _read_rest(
    driver: neo4j.AsyncDriver, head: PlanningHead, profile: Profile, *, timeout: float, today: date,
    database: str | None, verify: bool,
) -> tuple[PlanningData, str | None]:
    """The planning data of ``profile`` over ``head``, and the catalog version read with its last part. With no
    event chosen there is nothing more to read, unless ``verify`` asks for the version all the same."""
    base = head.data
    events, _ = choose_events(profile, base, today)
    event_ids = [e.event.id for e in events]
    if not event_ids and not verify:
        return base, head.version
    services: dict[str, Service] = {}
    if event_ids:
        rows = await read_query(driver, queries.JOURNEY_SERVICES, {"eventIds": event_ids}, timeout, database)
        services = services_from_records(rows)
    (context,) = await read_query(
        driver, queries.JOURNEY_CONTEXT, context_params(services, event_ids), timeout, database
    )
    return context_from_record(base, services, context), context["version"]


async def fetch_planning_data(
    driver: neo4j.AsyncDriver, profile: Profile, *, timeout: float, today: date, database: str | None = None,
    heads: PlanningHeads | None = None,
) -> PlanningData:
    """What the planner needs for ``profile``; with ``heads``, from the kept head while the catalog has not changed
    (see the module's documentation)."""
    kept = heads.current if heads is not None else None
    if kept is not None:
        try:
            data, version = await _read_rest(
                driver, kept, profile, timeout=timeout, today=today, database=database, verify=True
            )
        except NotFound:
            version = None  # perhaps an event the kept head does not know yet: read the head again
        if version is not None and version == kept.version:
            return data
    head = await _read_head(driver, timeout, database)
    if heads is not None:
        heads.reads += 1
        heads.keep(head)
    data, _ = await _read_rest(driver, head, profile, timeout=timeout, today=today, database=database, verify=False)
    return data


async def plan_journey(
    driver: neo4j.AsyncDriver, profile: Profile, *, timeout: float, today: date | None = None,
    database: str | None = None, heads: PlanningHeads | None = None,
) -> Journey:
    """Plan the journey for ``profile`` against the graph behind ``driver`` (from the head ``heads`` keeps, if
    given and current)."""
    today = today or date.today()
    data = await fetch_planning_data(driver, profile, timeout=timeout, today=today, database=database, heads=heads)
    return plan(profile, data, today)


def journey_fingerprint(journey: Journey) -> str:
    """A compact, deterministic summary of a journey (for tests and benchmarks comparing runs)."""
    return json.dumps(
        [[step.service.id for step in stage.steps] for stage in journey.stages]
        + [[c.evidence.id for c in journey.documents_to_bring], journey.visits, journey.critical_path_days]
    )
