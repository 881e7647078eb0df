"""Reads for the search index: every searchable thing in the graph, shaped for the feed (``navigator.search_feed``).

Catalog things (life stages, life events, services, bundles) come as :class:`CatalogEntry`, all of a kind in one round
trip (a catalog holds thousands at most). Datasets come as :class:`DatasetEntry`, streamed page by page in id order
(keyset paging, ``WHERE d.id > $after … ORDER BY d.id LIMIT $limit`` on the id constraint's index), each page its own
read transaction, so 100k datasets never sit in memory or in one transaction. :func:`dataset_versions` streams only
what a dataset's search *version* is made of (:func:`dataset_version`), so the index can tell what changed since it
was written without reading every dataset in full.

The indexer runs from the command line and in background threads, so these take the synchronous driver; each read is
a read transaction with a timeout, and Neo4j failures become :class:`~graph.errors.GraphUnavailable`.
:func:`datasets_for_search_async` is the one async twin, over a :class:`~graph.session.GraphReader`, for the web
process (a data officer's link change refreshes that dataset's entry).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import neo4j

from graph import queries
from graph.model import Text
from graph.session import GraphReader, graph_unavailable

__all__ = [
    "CATALOG_KINDS",
    "PAGE_SIZE",
    "CatalogEntry",
    "CatalogKind",
    "DatasetEntry",
    "LinkedEvent",
    "catalog_entries",
    "dataset_version",
    "dataset_versions",
    "datasets_for_search",
    "datasets_for_search_async",
    "stream_datasets",
]

PAGE_SIZE = 1000
CatalogKind = Literal["stage", "event", "service", "bundle"]
CATALOG_KINDS: tuple[CatalogKind, ...] = ("stage", "event", "service", "bundle")


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogEntry:
    """A life stage, life event, service or bundle as the search index sees it."""

    kind: CatalogKind
    id: str
    name: Text
    description: Text = field(default_factory=Text)
    related: tuple[Text, ...] = ()
    """Names of related things: a stage's events, an event's stages, the documents a service requires and produces,
    a bundle's window and services."""
    agency: Text | None = None
    event_ids: tuple[str, ...] = ()
    """The life events it belongs to (a service's, a bundle's; an event's own id)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkedEvent:
    """A dataset's link to a life event: the event, its names, and the link's review status."""

    event_id: str
    status: str
    name: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetEntry:
    """A dataset as the search index sees it. Text maps are keyed by the loader's language keys (``en``,
    ``zh-hant``, ``und``…); ``version`` changes whenever anything the index holds of the dataset changes."""

    id: str
    portal: str
    state: str
    titles: Mapping[str, str]
    descriptions: Mapping[str, str] = field(default_factory=dict)
    organisation: str | None = None
    """The organisation's display title (for the facet)."""
    organisation_titles: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[Mapping[str, str], ...] = ()
    """Each group's titles by language."""
    tags: tuple[tuple[str, str], ...] = ()
    """(language key, tag name) pairs."""
    formats: tuple[str, ...] = ()
    licence: str | None = None
    links: tuple[LinkedEvent, ...] = ()
    modified: str | None = None
    version: str = ""


# --- mapping ----------------------------------------------------------------------------------------------------


def _names(value: Mapping[str, Any] | None) -> Text:
    if not value:
        return Text()
    return Text(zh=value.get("nameZh") or "", en=value.get("nameEn") or "")


def catalog_entry(kind: CatalogKind, row: Mapping[str, Any]) -> CatalogEntry:
    """A :class:`CatalogEntry` from a row of the ``search_<kind>s`` queries."""
    props = row["props"]
    return CatalogEntry(
        kind=kind, id=props["id"], name=_names(props),
        description=Text(zh=props.get("descriptionZh") or "", en=props.get("descriptionEn") or ""),
        related=tuple(name for name in map(_names, row["related"] or ()) if name.zh or name.en),
        agency=_names(row["agency"]) if row["agency"] else None, event_ids=tuple(row["eventIds"] or ()),
    )  # fmt: skip


def _language_map(json_text: Any, fallback: Any) -> dict[str, str]:
    """A ``*Json`` language map, or ``{"und": fallback}`` when there is none."""
    if isinstance(json_text, str) and json_text:
        try:
            value = json.loads(json_text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items() if isinstance(v, str) and v.strip()}
    return {"und": fallback} if isinstance(fallback, str) and fallback.strip() else {}


def _titles(value: Mapping[str, Any] | None) -> dict[str, str]:
    if not value:
        return {}
    return _language_map(value.get("titlesJson"), value.get("title") or value.get("name"))


def dataset_version(row: Mapping[str, Any]) -> str:
    """A digest of what the index holds of a dataset, from a row of ``search_dataset_versions`` or of the full reads
    (both return the same ``props`` keys used here, ``organization``, ``groups`` and ``links``)."""
    props = row["props"]
    material = [
        [props.get(key) for key in ("contentHash", "loadVersion", "state", "title", "modified")],
        row["organization"], row["groups"], row["links"],
    ]  # fmt: skip
    encoded = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha1(encoded.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]


def dataset_entry(row: Mapping[str, Any]) -> DatasetEntry:
    """A :class:`DatasetEntry` from a row of ``search_datasets_page`` or ``search_datasets_by_ids``."""
    props = row["props"]
    organization = row["organization"]
    organisation_titles = _titles(organization)
    licence = props.get("licenceTitle") or props.get("licenceId")
    portal = props.get("portal") or str(props["id"]).partition(":")[0]
    return DatasetEntry(
        id=props["id"], portal=str(portal), state=str(props.get("state") or "active"),
        titles=_language_map(props.get("titlesJson"), props.get("title")),
        descriptions=_language_map(props.get("descriptionsJson"), props.get("description")),
        organisation=(organization.get("title") or organization.get("name")) if organization else None,
        organisation_titles=organisation_titles, groups=tuple(filter(None, map(_titles, row["groups"] or ()))),
        tags=tuple((str(t.get("lang") or "und"), str(t["name"])) for t in row["tags"] or () if t.get("name")),
        formats=tuple(str(f) for f in row["formats"] or () if f), licence=str(licence) if licence else None,
        links=tuple(
            LinkedEvent(event_id=link["eventId"], status=str(link.get("status") or "suggested"), name=_names(link))
            for link in row["links"] or ()
        ),
        modified=props.get("modified"), version=dataset_version(row),
    )  # fmt: skip


# --- reads ------------------------------------------------------------------------------------------------------


def _read(driver: neo4j.Driver, query: str, *, timeout: float, database: str | None, **params: Any) -> list[Any]:
    try:
        records, _, _ = driver.execute_query(
            neo4j.Query(query, timeout=timeout), params, database_=database, routing_=neo4j.RoutingControl.READ
        )
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as error:
        unavailable = graph_unavailable(error)
        if unavailable is None:
            raise
        raise unavailable from error
    return list(records)


def catalog_entries(
    driver: neo4j.Driver, kinds: Iterable[CatalogKind] = CATALOG_KINDS, *,
    timeout: float = 30.0, database: str | None = None,
) -> Iterator[CatalogEntry]:  # fmt: skip
    """Every life stage, life event, service and bundle (of ``kinds``), kind by kind, each kind by id."""
    by_kind = {
        "stage": queries.SEARCH_STAGES, "event": queries.SEARCH_EVENTS, "service": queries.SEARCH_SERVICES,
        "bundle": queries.SEARCH_BUNDLES,
    }  # fmt: skip
    wanted = set(kinds)
    for kind in CATALOG_KINDS:
        if kind in wanted:
            for row in _read(driver, by_kind[kind], timeout=timeout, database=database):
                yield catalog_entry(kind, row)


def _pages(
    driver: neo4j.Driver, query: str, *, timeout: float, database: str | None, page_size: int
) -> Iterator[list[Any]]:
    after = ""
    while True:
        rows = _read(driver, query, timeout=timeout, database=database, after=after, limit=page_size)
        if not rows:
            return
        yield rows
        after = rows[-1]["props"]["id"]


def stream_datasets(
    driver: neo4j.Driver, *, timeout: float = 30.0, database: str | None = None, page_size: int = PAGE_SIZE
) -> Iterator[DatasetEntry]:
    """Every active dataset, in id order, ``page_size`` per round trip."""
    for rows in _pages(driver, queries.SEARCH_DATASETS_PAGE, timeout=timeout, database=database, page_size=page_size):
        yield from map(dataset_entry, rows)


def dataset_versions(
    driver: neo4j.Driver, *, timeout: float = 30.0, database: str | None = None, page_size: int = 5000
) -> Iterator[tuple[str, str]]:
    """``(id, version)`` of every active dataset, in id order: what :attr:`DatasetEntry.version` would be."""
    query = queries.SEARCH_DATASET_VERSIONS
    for rows in _pages(driver, query, timeout=timeout, database=database, page_size=page_size):
        for row in rows:
            yield row["props"]["id"], dataset_version(row)


def datasets_for_search(
    driver: neo4j.Driver, ids: Iterable[str], *, timeout: float = 30.0, database: str | None = None,
    page_size: int = PAGE_SIZE,
) -> Iterator[DatasetEntry]:  # fmt: skip
    """The datasets of ``ids`` that are in the graph, withdrawn ones included (``state`` says so)."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), page_size):
        chunk = wanted[start : start + page_size]
        rows = _read(driver, queries.SEARCH_DATASETS_BY_IDS, timeout=timeout, database=database, ids=chunk)
        yield from map(dataset_entry, rows)


async def datasets_for_search_async(reader: GraphReader, ids: Iterable[str]) -> list[DatasetEntry]:
    """:func:`datasets_for_search` for the web process, in one round trip (a few ids at a time)."""
    rows = await reader.records(queries.SEARCH_DATASETS_BY_IDS, {"ids": sorted(set(ids))})
    return [dataset_entry(row) for row in rows]
