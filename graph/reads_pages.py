"""Reads for the citizens' web pages: one round trip per page, each returning a frozen view of what the page shows.

The batch reads in :mod:`graph.reads_catalog` serve the GraphQL DataLoaders, which assemble nested results from many
small batches; a server-rendered page knows its whole shape up front, so each page here is one named query
(``graph/cypher/page_*.cypher``) and one view object. ``None`` means "no such node" (the page answers 404).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph import queries
from graph.model import (
    Agency,
    Bundle,
    Channel,
    Criterion,
    Evidence,
    LifeEvent,
    LifeStage,
    Service,
    Text,
    agency_from_props,
    bundle_from_props,
    channel_from_props,
    criterion_from_props,
    event_from_props,
    evidence_from_props,
    service_from_props,
    stage_from_props,
)
from graph.reads_dataset_pages import DatasetSummary, dataset_summary_from_props
from graph.session import GraphReader

__all__ = [
    "BundleView",
    "EventSummary",
    "EventView",
    "JourneyFormView",
    "Link",
    "ServiceSummary",
    "ServiceView",
    "StageSummary",
    "StageView",
    "read_bundle_page",
    "read_event_page",
    "read_home_page",
    "read_journey_form",
    "read_service_page",
    "read_stage_page",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """Something a page links to: its id and its name in both languages."""

    id: str
    name: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class StageSummary:
    stage: LifeStage
    events: tuple[Link, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class EventSummary:
    id: str
    name: Text
    description: Text
    services: int
    datasets: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StageView:
    stage: LifeStage
    events: tuple[EventSummary, ...]
    previous: Link | None
    next: Link | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceSummary:
    service: Service
    agency: Agency | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BundleSummary:
    bundle: Bundle
    services: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EventView:
    event: LifeEvent
    stages: tuple[Link, ...]
    services: tuple[ServiceSummary, ...]
    bundles: tuple[BundleSummary, ...]
    datasets: tuple[DatasetSummary, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceView:
    service: Service
    agency: Agency | None
    channels: tuple[Channel, ...]
    requires: tuple[Evidence, ...]
    produces: tuple[Evidence, ...]
    prerequisites: tuple[Link, ...]
    needed_for: tuple[Link, ...]
    events: tuple[Link, ...]
    bundles: tuple[Link, ...]
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class BundleView:
    bundle: Bundle
    event: Link | None
    services: tuple[ServiceSummary, ...]


def link_from_props(props: Mapping[str, Any]) -> Link:
    return Link(id=props["id"], name=Text.from_props(props, "name"))


def _links(rows: Sequence[Mapping[str, Any]] | None) -> tuple[Link, ...]:
    return tuple(link_from_props(row) for row in rows or ())


def _service_summary(row: Mapping[str, Any]) -> ServiceSummary:
    agency = row["agency"]
    return ServiceSummary(
        service=service_from_props(row["props"], agency_id=agency["id"] if agency else None),
        agency=agency_from_props(agency) if agency else None,
    )


async def read_home_page(reader: GraphReader) -> tuple[StageSummary, ...]:
    """Every life stage in road order, with the names of its life events."""
    rows = await reader.records(queries.PAGE_HOME)
    return tuple(StageSummary(stage=stage_from_props(r["stage"]), events=_links(r["events"])) for r in rows)


async def read_stage_page(reader: GraphReader, stage_id: str) -> StageView | None:
    rows = await reader.records(queries.PAGE_STAGE, {"id": stage_id})
    if not rows:
        return None
    row = rows[0]
    return StageView(
        stage=stage_from_props(row["stage"]),
        events=tuple(
            EventSummary(
                id=e["props"]["id"], name=Text.from_props(e["props"], "name"),
                description=Text.from_props(e["props"], "description"),
                services=int(e["services"]), datasets=int(e["datasets"]),
            )
            for e in row["events"]
        ),
        previous=next(iter(_links(row["previous"])), None),
        next=next(iter(_links(row["following"])), None),
    )


async def read_event_page(reader: GraphReader, event_id: str) -> EventView | None:
    rows = await reader.records(queries.PAGE_EVENT, {"id": event_id})
    if not rows:
        return None
    row = rows[0]
    stages = _links(row["stages"])
    return EventView(
        event=event_from_props(row["event"], tuple(s.id for s in stages)),
        stages=stages,
        services=tuple(_service_summary(s) for s in row["services"]),
        bundles=tuple(
            BundleSummary(bundle=bundle_from_props(b["props"], event_id), services=int(b["services"]))
            for b in row["bundles"]
        ),
        datasets=tuple(dataset_summary_from_props(d) for d in row["datasets"]),
    )


async def read_service_page(reader: GraphReader, service_id: str) -> ServiceView | None:
    rows = await reader.records(queries.PAGE_SERVICE, {"id": service_id})
    if not rows:
        return None
    row = rows[0]
    agency = agency_from_props(row["agency"]) if row["agency"] else None
    requires = tuple(evidence_from_props(p) for p in row["requires"])
    produces = tuple(evidence_from_props(p) for p in row["produces"])
    channels = tuple(channel_from_props(p) for p in row["channels"])
    prerequisites, events = _links(row["prerequisites"]), _links(row["events"])
    criteria = tuple(criterion_from_props(p) for p in row["criteria"])
    service = service_from_props(
        row["service"], agency_id=agency.id if agency else None, event_ids=[e.id for e in events],
        channel_ids=[c.id for c in channels], requires=[d.id for d in requires], produces=[d.id for d in produces],
        prerequisite_ids=[p.id for p in prerequisites], criterion_ids=[c.id for c in criteria],
    )
    return ServiceView(
        service=service, agency=agency, channels=channels, requires=requires, produces=produces,
        prerequisites=prerequisites, needed_for=_links(row["neededFor"]), events=events,
        bundles=_links(row["bundles"]), criteria=criteria,
    )


async def read_bundle_page(reader: GraphReader, bundle_id: str) -> BundleView | None:
    rows = await reader.records(queries.PAGE_BUNDLE, {"id": bundle_id})
    if not rows:
        return None
    row = rows[0]
    event = link_from_props(row["event"]) if row["event"] else None
    services = tuple(_service_summary(s) for s in row["services"])
    return BundleView(
        bundle=bundle_from_props(row["bundle"], event.id if event else None, tuple(s.service.id for s in services)),
        event=event, services=services,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class JourneyFormView:
    """What the journey form offers: life events by stage, the documents one may already hold, known regions."""

    stages: tuple[tuple[Link, tuple[Link, ...]], ...]
    documents: tuple[Link, ...]
    regions: tuple[str, ...]

    @property
    def event_ids(self) -> frozenset[str]:
        return frozenset(e.id for _, events in self.stages for e in events)

    @property
    def document_ids(self) -> frozenset[str]:
        return frozenset(d.id for d in self.documents)


async def read_journey_form(reader: GraphReader, documents: int = 16) -> JourneyFormView:
    (row,) = await reader.records(queries.PAGE_JOURNEY_FORM, {"documents": documents})
    return JourneyFormView(
        stages=tuple((link_from_props(s["stage"]), _links(s["events"])) for s in row["stages"]),
        documents=_links(row["documents"]),
        regions=tuple(str(r) for r in row["regions"]),
    )
