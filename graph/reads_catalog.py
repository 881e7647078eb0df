"""Batch reads of the catalog side of the graph, for the GraphQL DataLoaders and the web pages.

Every function takes a :class:`~graph.session.GraphReader` (driver, timeout, database), makes exactly one round trip
to Neo4j in a read transaction, and returns domain objects from :mod:`graph.model`, never records:

- ``*_by_ids(reader, ids)`` → ``{id: object}``; ids not in the graph are simply absent.
- ``*_of_*(reader, ids)`` → ``{id: [objects]}`` (one-to-many); every asked id is a key, with ``[]`` when it has
  none. Lists are ordered by the objects' ids.
- ``list_*(reader, ..., offset, limit)`` → a :class:`Page`: the items of one page, in a documented deterministic
  order, and the total count under the same filters.

A service always comes with the ids it links to (``event_ids``, ``requires``, ``produces``, ``prerequisite_ids``,
``criterion_ids``, ``channel_ids``, ``agency_id``), so showing its documents or agency needs one more batch read for
all services at once, never one per service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

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
    agency_from_props,
    bundle_from_props,
    channel_from_props,
    criterion_from_props,
    event_from_props,
    evidence_from_props,
    service_from_props,
    stage_from_props,
)
from graph.session import GraphReader

__all__ = [
    "EvidenceUse",
    "Page",
    "agencies_by_ids",
    "all_bundles",
    "bundles_by_ids",
    "bundles_of_events",
    "bundles_of_services",
    "channels_by_ids",
    "criteria_by_ids",
    "events_by_ids",
    "events_of_stages",
    "evidence_by_ids",
    "life_stages",
    "list_life_events",
    "list_services",
    "services_by_ids",
    "services_of_events",
    "services_of_evidence",
    "stages_by_ids",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Page(Generic[T]):
    """One page of a listing: ``items`` from position ``offset`` (0-based) of ``total`` matching items."""

    items: tuple[T, ...]
    total: int
    offset: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceUse:
    """The services that produce a document and those that require it, each by service id."""

    producers: tuple[Service, ...] = ()
    consumers: tuple[Service, ...] = ()


def _ids(ids: Iterable[str]) -> list[str]:
    return sorted(set(ids))


def event_from_row(row: Mapping[str, Any]) -> LifeEvent:
    """A LifeEvent from a row with ``props``, ``stageIds``, ``criterionIds`` and ``triggerIds``."""
    return event_from_props(
        row["props"], tuple(row["stageIds"]), tuple(row["criterionIds"]), tuple(row["triggerIds"])
    )


def service_from_row(row: Mapping[str, Any]) -> Service:
    """A Service from a row with ``props`` and the link columns every service query returns."""
    return service_from_props(
        row["props"], event_ids=row["eventIds"], requires=row["requires"], produces=row["produces"],
        prerequisite_ids=row["prerequisiteIds"], criterion_ids=row["criterionIds"], channel_ids=row["channelIds"],
        agency_id=row["agencyId"],
    )


def bundle_from_row(row: Mapping[str, Any]) -> Bundle:
    return bundle_from_props(row["props"], row["eventId"], tuple(row["serviceIds"]))


def _grouped(keys: Iterable[str], pairs: Iterable[tuple[str, T]]) -> dict[str, list[T]]:
    grouped: dict[str, list[T]] = {key: [] for key in keys}
    for key, item in pairs:
        grouped.setdefault(key, []).append(item)
    return grouped


# --- by ids ------------------------------------------------------------------------------------------------------


async def life_stages(reader: GraphReader) -> list[LifeStage]:
    """Every life stage, in road order (``order``, then id)."""
    return [stage_from_props(r["props"]) for r in await reader.records(queries.STAGES_ALL)]


async def stages_by_ids(reader: GraphReader, ids: Iterable[str]) -> dict[str, LifeStage]:
    rows = await reader.records(queries.STAGES_BY_IDS, {"ids": _ids(ids)})
    return {r["props"]["id"]: stage_from_props(r["props"]) for r in rows}


async def events_by_ids(reader: GraphReader, ids: Iterable[str]) -> dict[str, LifeEvent]:
    rows = await reader.records(queries.EVENTS_BY_IDS, {"ids": _ids(ids)})
    return {r["props"]["id"]: event_from_row(r) for r in rows}


async def services_by_ids(reader: GraphReader, ids: Iterable[str]) -> dict[str, Service]:
    rows = await reader.records(queries.SERVICES_BY_IDS, {"ids": _ids(ids)})
    return {r["props"]["id"]: service_from_row(r) for r in rows}


async def evidence_by_ids(reader: GraphReader, ids: Iterable[str]) -> dict[str, Evidence]:
    rows = await reader.records(queries.EVIDENCE_BY_IDS, {"ids": _ids(ids)})
    return {r["props"]["id"]: evidence_from_props(r["props"]) for r in rows}


async def agencies_by_ids(reader: GraphReader, ids: Iterable[str]) -> dict[str, Agency]:
    rows = await reader.records(queries.AGENCIES_BY_IDS, {"ids": _ids(ids)})
    return {r["props"]["id"]: agency_from_props(r["props"]) for r in rows}


async def criteria_by_ids(reader: GraphReader, ids: Iterable[str]) -> dict[str, Criterion]:
    rows = await reader.records(queries.CRITERIA_BY_IDS, {"ids": _ids(ids)})
    return {r["props"]["id"]: criterion_from_props(r["props"]) for r in rows}


async def channels_by_ids(reader: GraphReader, ids: Iterable[str]) -> dict[str, Channel]:
    rows = await reader.records(queries.CHANNELS_BY_IDS, {"ids": _ids(ids)})
    return {r["props"]["id"]: channel_from_props(r["props"]) for r in rows}


async def bundles_by_ids(reader: GraphReader, ids: Iterable[str]) -> dict[str, Bundle]:
    rows = await reader.records(queries.BUNDLES_BY_IDS, {"ids": _ids(ids)})
    return {r["props"]["id"]: bundle_from_row(r) for r in rows}


async def all_bundles(reader: GraphReader) -> list[Bundle]:
    """Every bundle, by id."""
    return [bundle_from_row(r) for r in await reader.records(queries.BUNDLES_ALL)]


# --- one to many -------------------------------------------------------------------------------------------------


async def events_of_stages(reader: GraphReader, stage_ids: Iterable[str]) -> dict[str, list[LifeEvent]]:
    """The life events of each stage, by event id."""
    keys = _ids(stage_ids)
    rows = await reader.records(queries.EVENTS_OF_STAGES, {"ids": keys})
    return _grouped(keys, ((r["stageId"], event_from_row(r)) for r in rows))


async def services_of_events(reader: GraphReader, event_ids: Iterable[str]) -> dict[str, list[Service]]:
    """The services of each life event, by service id."""
    keys = _ids(event_ids)
    rows = await reader.records(queries.SERVICES_OF_EVENTS, {"ids": keys})
    return _grouped(keys, ((r["eventId"], service_from_row(r)) for r in rows))


async def bundles_of_events(reader: GraphReader, event_ids: Iterable[str]) -> dict[str, list[Bundle]]:
    """The bundles of each life event, by bundle id."""
    keys = _ids(event_ids)
    rows = await reader.records(queries.BUNDLES_OF_EVENTS, {"ids": keys})
    return _grouped(keys, ((r["key"], bundle_from_row(r)) for r in rows))


async def bundles_of_services(reader: GraphReader, service_ids: Iterable[str]) -> dict[str, list[Bundle]]:
    """The bundles each service is handled in, by bundle id."""
    keys = _ids(service_ids)
    rows = await reader.records(queries.BUNDLES_OF_SERVICES, {"ids": keys})
    return _grouped(keys, ((r["key"], bundle_from_row(r)) for r in rows))


async def services_of_evidence(reader: GraphReader, evidence_ids: Iterable[str]) -> dict[str, EvidenceUse]:
    """For each document, the services producing it and those requiring it, by service id."""
    keys = _ids(evidence_ids)
    rows = await reader.records(queries.SERVICES_OF_EVIDENCE, {"ids": keys})
    producers = _grouped(keys, ((r["evidenceId"], service_from_row(r)) for r in rows if r["role"] == "producer"))
    consumers = _grouped(keys, ((r["evidenceId"], service_from_row(r)) for r in rows if r["role"] == "consumer"))
    return {key: EvidenceUse(producers=tuple(producers[key]), consumers=tuple(consumers[key])) for key in keys}


# --- paged listings ----------------------------------------------------------------------------------------------


def _page(rows: Sequence[Mapping[str, Any]], offset: int, build: Any) -> Page[Any]:
    total = int(rows[0]["total"]) if rows else 0
    return Page(items=tuple(build(r) for r in rows if r["props"] is not None), total=total, offset=offset)


async def list_life_events(
    reader: GraphReader, *, stage: str | None = None, offset: int = 0, limit: int = 20
) -> Page[LifeEvent]:
    """Life events, of ``stage`` when given, in road order: earliest stage first, then by id."""
    rows = await reader.records(
        queries.LIFE_EVENTS_PAGE, {"stage": stage, "offset": offset, "limit": limit}
    )
    page: Page[LifeEvent] = _page(rows, offset, event_from_row)
    return page


async def list_services(
    reader: GraphReader, *, life_event: str | None = None, agency: str | None = None, offset: int = 0,
    limit: int = 20,
) -> Page[Service]:
    """Services, of ``life_event`` and/or provided by ``agency`` when given, by id."""
    rows = await reader.records(
        queries.SERVICES_PAGE, {"lifeEvent": life_event, "agency": agency, "offset": offset, "limit": limit}
    )
    page: Page[Service] = _page(rows, offset, service_from_row)
    return page
