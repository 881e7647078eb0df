"""Reads what the planner needs from Neo4j (async, read transactions with a timeout) and plans a journey.

Three named reads. ``JOURNEY_EVENTS``: the planning head (stages, events, criteria), from which the life events of a
profile are chosen. ``JOURNEY_EVENT_PARTS``: per chosen event, its catalog part — its services with the
prerequisites they pull in, the documents and agencies they name, its bundles. ``JOURNEY_DATASETS``: the open
datasets linked to the chosen events. The ``*_from_record`` functions map records to domain objects; they are pure,
so the API benchmark's raw-driver baseline maps the same way.

Everything but the datasets changes only when a catalog load changes something, and every such load gives the
catalog a new version (``(:CatalogVersion)``, see ``graph.loader``); dataset links change without one. A
:class:`PlanningCache` handed to :func:`plan_journey` keeps the head and the event parts read, with the version they
were read at. A journey then plans from them and reads only its datasets, which come with the catalog's version now,
read in the same statement. When that differs (or the kept head does not know an event the person chose), everything
kept is dropped, the head read again and the journey planned again. A graph whose catalog was never loaded by
``graph.loader`` has no version, and nothing is kept.

With ``max_age`` (seconds, 0 by default) the cache also keeps each event's dataset links, and for that long after the
version was last read a journey whose events are all kept is planned without reading anything: a catalog load or a
link change made by another process shows in journeys at most ``max_age`` seconds later (a process that changes links
itself calls :meth:`PlanningCache.forget_datasets`). With ``max_age`` 0 every journey reads its datasets and the
version, and is never planned from stale data.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import neo4j

from graph import queries
from graph.errors import NotFound
from graph.model import (
    Agency,
    Bundle,
    Evidence,
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
    "EventPart", "PlanningCache", "dataset_order", "datasets_from_record", "fetch_planning_data", "head_from_record",
    "journey_fingerprint", "part_from_record", "plan_journey", "planning_data",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class EventPart:
    """The catalog part of one life event's journey: its services (with the prerequisites they pull in), the
    documents and agencies they name, and the event's bundles; all by id."""

    services: Mapping[str, Service] = field(default_factory=dict)
    evidence: Mapping[str, Evidence] = field(default_factory=dict)
    agencies: Mapping[str, Agency] = field(default_factory=dict)
    bundles: Mapping[str, Bundle] = field(default_factory=dict)


class PlanningCache:
    """The catalog data journeys were planned from — the head and the parts of the events asked for so far — and the
    catalog version they were read at, for one process and one graph (one driver and database). Create one next to
    the driver. It holds catalog data and dataset links only, nothing of a person, and at most one part and one list
    of links per life event.

    ``max_age``: seconds during which what is kept is used without reading the version again (see the module's
    documentation); ``clock`` is for tests."""

    def __init__(self, max_age: float = 0.0, clock: Callable[[], float] = time.monotonic) -> None:
        if max_age < 0:
            raise ValueError("max_age must be 0 or more seconds")
        self.max_age = max_age
        self.clock = clock
        self.version: str | None = None
        self.head: PlanningData | None = None
        self.parts: dict[str, EventPart] = {}
        self.datasets: dict[str, tuple[float, tuple[DatasetRef, ...]]] = {}
        """Per life event: when its links were read (``clock``) and the links."""
        self.checked_at: float | None = None
        """When the kept version was last read and found current (``clock``)."""
        self.head_reads = 0
        """How many times the head was read from the graph (for tests and benchmarks)."""

    def keep(self, version: str | None, head: PlanningData, parts: Mapping[str, EventPart]) -> None:
        """Forget what was kept; keep ``head`` and ``parts``, read at ``version``, when there is a version (a graph
        without one cannot say when its catalog changes)."""
        self.datasets, self.checked_at = {}, None
        if version is None:
            self.version, self.head, self.parts = None, None, {}
        else:
            self.version, self.head, self.parts = version, head, dict(parts)

    def keep_parts(self, version: str | None, parts: Mapping[str, EventPart]) -> None:
        """Keep ``parts`` if they were read at the version kept (not after another request moved on)."""
        if version is not None and version == self.version:
            self.parts.update(parts)

    def keep_datasets(
        self, version: str | None, event_ids: Iterable[str], datasets: Iterable[DatasetRef], read_at: float
    ) -> None:
        """Keep the links of ``event_ids`` read at ``read_at`` with the catalog at ``version``, if that is the version
        kept (which was then current at ``read_at``). Nothing is kept while ``max_age`` is 0."""
        if self.max_age <= 0 or version is None or version != self.version:
            return
        by_event: dict[str, list[DatasetRef]] = {key: [] for key in event_ids}
        for ref in datasets:
            if ref.event_id in by_event:
                by_event[ref.event_id].append(ref)
        for key, refs in by_event.items():
            self.datasets[key] = (read_at, tuple(refs))
        self.checked_at = max(self.checked_at or read_at, read_at)

    def forget_datasets(self) -> None:
        """Drop the kept dataset links (this process changed some): the next journey reads them again."""
        self.datasets = {}

    def current(self, profile: Profile, today: date) -> PlanningData | None:
        """The planning data of ``profile`` from what is kept, if all of it is younger than ``max_age``; else None."""
        head, checked_at = self.head, self.checked_at
        if self.max_age <= 0 or head is None or checked_at is None:
            return None
        now = self.clock()
        if now - checked_at > self.max_age:
            return None
        try:
            events, _ = choose_events(profile, head, today)
        except NotFound:
            return None
        parts: list[EventPart] = []
        links: list[DatasetRef] = []
        for chosen in events:
            key = chosen.event.id
            part, kept = self.parts.get(key), self.datasets.get(key)
            if part is None or kept is None or now - kept[0] > self.max_age:
                return None
            parts.append(part)
            links.extend(kept[1])
        return planning_data(head, parts, tuple(sorted(links, key=dataset_order)))


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


def _services(rows: Sequence[Mapping[str, Any]]) -> dict[str, Service]:
    return {
        r["props"]["id"]: service_from_props(
            r["props"], event_ids=r["eventIds"], requires=r["requires"], produces=r["produces"],
            prerequisite_ids=r["prerequisiteIds"], criterion_ids=r["criterionIds"], channel_ids=r["channelIds"],
            agency_id=r["agencyId"],
        )
        for r in rows
    }


def part_from_record(record: Mapping[str, Any]) -> EventPart:
    """The catalog part of one event, from one record of ``JOURNEY_EVENT_PARTS``."""
    event_id = record["eventId"]
    return EventPart(
        services=_services(record["services"]),
        evidence={p["id"]: evidence_from_props(p) for p in record["evidence"]},
        agencies={p["id"]: agency_from_props(p) for p in record["agencies"]},
        bundles={
            b["props"]["id"]: bundle_from_props(b["props"], event_id, tuple(b["serviceIds"]))
            for b in record["bundles"]
        },
    )


def dataset_order(ref: DatasetRef) -> tuple[int, float, str, str]:
    """The order of a journey's dataset links, as ``JOURNEY_DATASETS`` sorts them: approved first, then by score
    (highest first), dataset id and event id."""
    return (0 if ref.status == "approved" else 1, -ref.score, ref.id, ref.event_id)


def datasets_from_record(record: Mapping[str, Any]) -> tuple[DatasetRef, ...]:
    """The dataset links of the one record of ``JOURNEY_DATASETS``, in its order (approved first)."""
    return tuple(
        DatasetRef(
            id=d["id"], title=Text(zh=d["titleZh"] or d["title"] or "", en=d["titleEn"] or d["title"] or ""),
            portal=d["portal"] or "", event_id=d["eventId"], status=d["status"], score=float(d["score"] or 0),
        )
        for d in record["datasets"]
    )


def planning_data(head: PlanningData, parts: Iterable[EventPart], datasets: tuple[DatasetRef, ...]) -> PlanningData:
    """The planner's data: the head, the union of the chosen events' parts (services in id order), the datasets."""
    services: dict[str, Service] = {}
    evidence: dict[str, Evidence] = {}
    agencies: dict[str, Agency] = {}
    bundles: dict[str, Bundle] = {}
    for part in parts:
        services.update(part.services)
        evidence.update(part.evidence)
        agencies.update(part.agencies)
        bundles.update(part.bundles)
    return PlanningData(
        stages=head.stages, events=head.events, criteria=head.criteria,
        services={key: services[key] for key in sorted(services)}, evidence=evidence, agencies=agencies,
        bundles=bundles, datasets=datasets,
    )


async def _read_head(
    driver: neo4j.AsyncDriver, timeout: float, database: str | None
) -> tuple[str | None, PlanningData]:
    (head,) = await read_query(driver, queries.JOURNEY_EVENTS, {}, timeout, database)
    return head["version"], head_from_record(head)


async def _read_rest(
    driver: neo4j.AsyncDriver, cache: PlanningCache, profile: Profile, *, timeout: float, today: date,
    database: str | None, verify: bool,
) -> tuple[PlanningData, str | None]:
    """The planning data of ``profile`` over the cache's head and parts (reading the parts it lacks, and the
    datasets), and the catalog version read with it. With no event chosen nothing more is read, unless ``verify``
    asks for the version all the same. Raises NotFound for a chosen event the head does not know."""
    head, version = cache.head, cache.version
    assert head is not None
    events, _ = choose_events(profile, head, today)
    event_ids = [e.event.id for e in events]
    if not event_ids and not verify:
        return head, version
    parts = {key: cache.parts[key] for key in event_ids if key in cache.parts}
    missing = [key for key in event_ids if key not in parts]
    read_at: set[str | None] = set()
    if missing:
        rows = await read_query(driver, queries.JOURNEY_EVENT_PARTS, {"eventIds": missing}, timeout, database)
        read = {row["eventId"]: part_from_record(row) for row in rows}
        read_at = {row["version"] for row in rows}
        if read_at == {version}:
            cache.keep_parts(version, read)
        parts |= read
    asked_at = cache.clock()
    (record,) = await read_query(driver, queries.JOURNEY_DATASETS, {"eventIds": event_ids}, timeout, database)
    now = record["version"]
    if read_at - {now}:
        now = None  # the catalog changed between the two reads: not to be trusted
    datasets = datasets_from_record(record)
    cache.keep_datasets(now, event_ids, datasets, asked_at)
    chosen = (parts.get(key, EventPart()) for key in event_ids)
    return planning_data(head, chosen, datasets), now


async def fetch_planning_data(
    driver: neo4j.AsyncDriver, profile: Profile, *, timeout: float, today: date, database: str | None = None,
    cache: PlanningCache | None = None,
) -> PlanningData:
    """What the planner needs for ``profile``; with ``cache``, from what it keeps while the catalog has not changed
    (see the module's documentation)."""
    if cache is not None and (current := cache.current(profile, today)) is not None:
        return current
    if cache is not None and cache.head is not None:
        kept = cache.version
        try:
            data, version = await _read_rest(
                driver, cache, profile, timeout=timeout, today=today, database=database, verify=True
            )
        except NotFound:
            version = None  # perhaps an event the kept head does not know yet: read the head again
        if version is not None and version == kept:
            return data
    fresh = PlanningCache(cache.max_age, cache.clock) if cache is not None else PlanningCache()
    version, head = await _read_head(driver, timeout, database)
    fresh.version, fresh.head = version, head
    data, _ = await _read_rest(driver, fresh, profile, timeout=timeout, today=today, database=database, verify=False)
    if cache is not None:
        cache.head_reads += 1
        cache.keep(version, head, fresh.parts)
        cache.datasets, cache.checked_at = fresh.datasets, fresh.checked_at
    return data


async def plan_journey(
    driver: neo4j.AsyncDriver, profile: Profile, *, timeout: float, today: date | None = None,
    database: str | None = None, cache: PlanningCache | None = None,
) -> Journey:
    """Plan the journey for ``profile`` against the graph behind ``driver`` (from what ``cache`` keeps, if given
    and current)."""
    today = today or date.today()
    data = await fetch_planning_data(driver, profile, timeout=timeout, today=today, database=database, cache=cache)
    return plan(profile, data, today)


def journey_fingerprint(journey: Journey) -> str:
    """A compact, deterministic summary of a journey (for tests and benchmarks comparing runs)."""
    return json.dumps(
        [[step.service.id for step in stage.steps] for stage in journey.stages]
        + [[c.evidence.id for c in journey.documents_to_bring], journey.visits, journey.critical_path_days]
    )
