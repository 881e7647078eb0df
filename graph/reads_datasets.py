"""Batch reads of the open-data side of the graph (harvested datasets and their links to life events).

Same conventions as :mod:`graph.reads_catalog`: one round trip per call, domain objects out, ids not in the graph
absent. The harvest (``graph/datasets.py``) writes these nodes; this module only reads them and reads defensively:
any property may be missing, and organisations, resources and tags are found through any relationship to the
dataset, so these reads hold whatever the harvest names those relationships.

Node properties read (camelCase): ``Dataset {id: "<portal>:<ckanId>", portal, ckanId, name, title, titleZh,
titleEn, description, descriptionZh, descriptionEn, state: 'active'|'withdrawn', licenceId, licenceTitle,
licenceUrl, landingUrl, modified, harvestedAt}``; ``Organization {id, name, title, titleZh, titleEn}``;
``Resource {id, name, title, format, url, size, mediaType, modified}``; and the link
``(:Dataset)-[:RELEVANT_TO {score, method, matchedTerms, status, note}]->(:LifeEvent)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph import queries
from graph.model import Text
from graph.reads_catalog import Page
from graph.session import GraphReader

__all__ = [
    "LINK_STATUSES",
    "VISIBLE_LINK_STATUSES",
    "Dataset",
    "DatasetLink",
    "Organization",
    "Resource",
    "dataset_link_from_props",
    "datasets_by_ids",
    "links_of_datasets",
    "links_of_events",
    "list_datasets",
    "resources_of_datasets",
]

LINK_STATUSES = ("approved", "suggested", "rejected")
VISIBLE_LINK_STATUSES = ("approved", "suggested")
"""What the public sees by default: links a data officer rejected stay in the graph but are not shown."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Organization:
    """The organisation that publishes a dataset on its portal."""

    id: str
    name: str
    title: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    """One distribution of a dataset: a file or an API. ``format`` is upper-case (``CSV``), ``size`` in bytes."""

    id: str
    name: str | None
    title: Text
    format: str | None
    url: str | None
    size: int | None
    media_type: str | None
    modified: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Dataset:
    """A harvested dataset with its provenance (portal, CKAN id, licence, harvested at)."""

    id: str
    portal: str
    ckan_id: str
    name: str
    title: Text
    description: Text
    state: str
    licence_id: str | None = None
    licence_title: str | None = None
    licence_url: str | None = None
    landing_url: str | None = None
    modified: str | None = None
    harvested_at: str | None = None
    organization: Organization | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetLink:
    """A dataset ↔ life-event link: how it was found (``method``, ``matched_terms``, ``score``) and its review
    ``status`` (``suggested`` by the linker; ``approved`` or ``rejected`` by a data officer)."""

    dataset_id: str
    event_id: str
    status: str
    score: float
    method: str | None = None
    matched_terms: tuple[str, ...] = ()
    note: str | None = None

    def reason(self) -> Text:
        """Why the dataset is linked, in both languages."""
        zh: list[str] = []
        en: list[str] = []
        if self.status == "approved":
            zh.append("数据管理员已确认")
            en.append("Approved by a data officer")
        elif self.status == "rejected":
            zh.append("数据管理员已否决")
            en.append("Rejected by a data officer")
        if self.matched_terms:
            zh.append("匹配词：" + "、".join(self.matched_terms))
            en.append("matched terms: " + ", ".join(self.matched_terms))
        if self.method:
            zh.append(f"方法：{self.method}")
            en.append(f"method: {self.method}")
        if not self.matched_terms and self.status == "suggested":
            zh.append(f"自动推荐（得分 {self.score:.2f}）")
            en.append(f"suggested automatically (score {self.score:.2f})")
        if self.note:
            zh.append(f"备注：{self.note}")
            en.append(f"note: {self.note}")
        return Text(zh="；".join(zh), en=_sentence("; ".join(en)))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _text(props: Mapping[str, Any], stem: str) -> Text:
    plain = props.get(stem) or ""
    return Text(zh=props.get(f"{stem}Zh") or plain, en=props.get(f"{stem}En") or plain)


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def organization_from_props(props: Mapping[str, Any]) -> Organization:
    name = str(props.get("name") or props.get("id") or "")
    return Organization(id=str(props.get("id") or name), name=name, title=_text(props, "title"))


def resource_from_props(props: Mapping[str, Any]) -> Resource:
    fmt = props.get("format")
    return Resource(
        id=str(props.get("id") or props.get("url") or ""), name=_str(props.get("name")), title=_text(props, "title"),
        format=str(fmt).upper() if fmt else None, url=_str(props.get("url")), size=_int(props.get("size")),
        media_type=_str(props.get("mediaType")), modified=_str(props.get("modified")),
    )


def dataset_from_row(row: Mapping[str, Any]) -> Dataset:
    props = row["props"]
    portal, _, ckan = str(props["id"]).partition(":")
    organization = row.get("organization")
    return Dataset(
        id=props["id"], portal=str(props.get("portal") or portal), ckan_id=str(props.get("ckanId") or ckan),
        name=str(props.get("name") or props.get("ckanId") or ckan), title=_text(props, "title"),
        description=_text(props, "description"), state=str(props.get("state") or "active"),
        licence_id=_str(props.get("licenceId")), licence_title=_str(props.get("licenceTitle")),
        licence_url=_str(props.get("licenceUrl")), landing_url=_str(props.get("landingUrl")),
        modified=_str(props.get("modified")), harvested_at=_str(props.get("harvestedAt")),
        organization=organization_from_props(organization) if organization else None,
        tags=tuple(str(t) for t in row.get("tags") or () if t is not None),
    )


def dataset_link_from_props(dataset_id: str, event_id: str, props: Mapping[str, Any]) -> DatasetLink:
    """A link from the properties of its ``RELEVANT_TO`` relationship."""
    score = props.get("score")
    return DatasetLink(
        dataset_id=dataset_id, event_id=event_id, status=str(props.get("status") or "suggested"),
        score=float(score) if isinstance(score, int | float) else 0.0, method=_str(props.get("method")),
        matched_terms=tuple(str(t) for t in props.get("matchedTerms") or ()), note=_str(props.get("note")),
    )


def _ids(ids: Iterable[str]) -> list[str]:
    return sorted(set(ids))


def _statuses(statuses: Iterable[str]) -> list[str]:
    chosen = sorted(set(statuses))
    unknown = [s for s in chosen if s not in LINK_STATUSES]
    if unknown:
        raise ValueError(f"unknown link status {unknown[0]!r}; expected one of {', '.join(LINK_STATUSES)}")
    return chosen


# --- reads -------------------------------------------------------------------------------------------------------


async def datasets_by_ids(reader: GraphReader, ids: Iterable[str]) -> dict[str, Dataset]:
    """Datasets by id, withdrawn ones included (their ``state`` says so)."""
    rows = await reader.records(queries.DATASETS_BY_IDS, {"ids": _ids(ids)})
    return {r["props"]["id"]: dataset_from_row(r) for r in rows}


async def resources_of_datasets(reader: GraphReader, dataset_ids: Iterable[str]) -> dict[str, list[Resource]]:
    """The resources of each dataset, in the portal's order."""
    keys = _ids(dataset_ids)
    rows = await reader.records(queries.RESOURCES_OF_DATASETS, {"ids": keys})
    grouped: dict[str, list[Resource]] = {key: [] for key in keys}
    for r in rows:
        grouped[r["datasetId"]].append(resource_from_props(r["props"]))
    return grouped


async def links_of_datasets(
    reader: GraphReader, dataset_ids: Iterable[str], *, statuses: Iterable[str] = VISIBLE_LINK_STATUSES
) -> dict[str, list[DatasetLink]]:
    """The life-event links of each dataset: approved first, then by score (highest first), then event id."""
    keys = _ids(dataset_ids)
    rows = await reader.records(queries.LINKS_OF_DATASETS, {"ids": keys, "statuses": _statuses(statuses)})
    grouped: dict[str, list[DatasetLink]] = {key: [] for key in keys}
    for r in rows:
        grouped[r["datasetId"]].append(dataset_link_from_props(r["datasetId"], r["eventId"], r["link"]))
    return grouped


async def links_of_events(
    reader: GraphReader, event_ids: Iterable[str], *, statuses: Iterable[str] = VISIBLE_LINK_STATUSES,
    offset: int = 0, limit: int = 20,
) -> dict[str, Page[DatasetLink]]:
    """For each life event, one page of its dataset links (approved first, then by score, then dataset id) and
    their total; links to withdrawn datasets are left out."""
    keys = _ids(event_ids)
    rows = await reader.records(
        queries.LINKS_OF_EVENTS, {"ids": keys, "statuses": _statuses(statuses), "offset": offset, "limit": limit}
    )
    empty: Page[DatasetLink] = Page(items=(), total=0, offset=offset)
    pages = dict.fromkeys(keys, empty)
    for r in rows:
        items = tuple(dataset_link_from_props(p["datasetId"], r["eventId"], p["link"]) for p in r["page"])
        pages[r["eventId"]] = Page(items=items, total=int(r["total"]), offset=offset)
    return pages


async def list_datasets(
    reader: GraphReader, *, life_event: str | None = None, organization: str | None = None,
    format: str | None = None, statuses: Iterable[str] = VISIBLE_LINK_STATUSES, include_withdrawn: bool = False,
    offset: int = 0, limit: int = 20,
) -> Page[Dataset]:
    """Datasets, filtered by life event (links with a status in ``statuses``), organisation id and resource format
    (case-insensitive). Ordered by id; with ``life_event``, approved links first, then by score, then by id."""
    params: dict[str, Any] = {
        "organization": organization, "format": format.upper() if format else None,
        "includeWithdrawn": include_withdrawn, "offset": offset, "limit": limit,
    }
    if life_event is None:
        rows = await reader.records(queries.DATASETS_PAGE, params)
    else:
        params |= {"lifeEvent": life_event, "statuses": _statuses(statuses)}
        rows = await reader.records(queries.DATASETS_PAGE_FOR_EVENT, params)
    total = int(rows[0]["total"]) if rows else 0
    items = tuple(dataset_from_row(r) for r in rows if r["props"] is not None)
    return Page(items=items, total=total, offset=offset)
