"""The open-data side of the citizens' pages: a dataset's page and the dataset lines of a life-event page.

Dataset text is harvested and untrusted: it is mapped here to plain strings and escaped by the templates. Titles and
descriptions come per language; :func:`texts_from_props` folds them into the page's two languages (Simplified or
Traditional Chinese into ``zh``, English into ``en``, any other language as the fallback of both).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph import queries
from graph.model import Text
from graph.session import GraphReader

__all__ = ["DatasetSummary", "DatasetView", "ResourceView", "read_dataset_page", "texts_from_props"]

_ZH = ("zh-hans", "zh", "zh-cn", "zh-hant", "zh-tw", "zh-hk")


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetSummary:
    id: str
    title: Text
    description: Text
    portal: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceView:
    id: str
    name: str
    format: str | None
    url: str | None
    size: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetView:
    """A dataset with its provenance (portal, CKAN id, licence, harvested-at) and the life events it helps with."""

    summary: DatasetSummary
    ckan_id: str | None
    name: str | None
    state: str
    licence_id: str | None
    licence_title: str | None
    licence_url: str | None
    landing_url: str | None
    portal_title: str | None
    portal_url: str | None
    organization: Text | None
    harvested_at: str | None
    created: str | None
    modified: str | None
    tags: tuple[str, ...]
    resources: tuple[ResourceView, ...]
    events: tuple[tuple[str, Text], ...]

    @property
    def id(self) -> str:
        return self.summary.id


def _language_map(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, Mapping):
        return {}
    return {str(k).lower(): str(v) for k, v in value.items() if isinstance(v, str) and v.strip()}


def texts_from_props(props: Mapping[str, Any], stem: str) -> Text:
    """``stem`` (``title``/``description``) in Chinese and English from ``{stem}Zh``/``{stem}En``, the per-language
    map in ``{stem}sJson`` (JSON text, as the dataset loader stores it) or the plain ``{stem}``; another language
    stands in for a missing one."""
    zh, en = props.get(f"{stem}Zh") or "", props.get(f"{stem}En") or ""
    by_language = _language_map(props.get(f"{stem}sJson") or props.get(f"{stem}s"))
    zh = zh or next((by_language[k] for k in _ZH if k in by_language), "")
    en = en or by_language.get("en", "")
    other = props.get(stem) or next(iter(by_language.values()), "")
    return Text(zh=str(zh or other or ""), en=str(en or other or ""))


def dataset_summary_from_props(props: Mapping[str, Any]) -> DatasetSummary:
    title = texts_from_props(props, "title")
    if not (title.zh or title.en):
        fallback = str(props.get("name") or props["id"])
        title = Text(zh=fallback, en=fallback)
    return DatasetSummary(
        id=props["id"], title=title, description=texts_from_props(props, "description"),
        portal=str(props.get("portal") or ""),
    )


def _opt(props: Mapping[str, Any] | None, *keys: str) -> str | None:
    if not props:
        return None
    for key in keys:
        value = props.get(key)
        if value not in (None, ""):
            return str(value)
    return None


def _resource(props: Mapping[str, Any]) -> ResourceView:
    size = props.get("size")
    return ResourceView(
        id=str(props.get("id") or ""),
        name=_opt(props, "nameZh", "nameEn", "name", "title") or _opt(props, "url") or "",
        format=_opt(props, "format"), url=_opt(props, "url"), size=int(size) if isinstance(size, int) else None,
    )


def _organization(props: Mapping[str, Any] | None) -> Text | None:
    if not props:
        return None
    title = texts_from_props(props, "title")
    if title.zh or title.en:
        return title
    name = _opt(props, "name", "id") or ""
    return Text(zh=name, en=name)


async def read_dataset_page(reader: GraphReader, dataset_id: str) -> DatasetView | None:
    rows = await reader.records(queries.PAGE_DATASET, {"id": dataset_id})
    if not rows:
        return None
    row = rows[0]
    props, portal = row["dataset"], row["portal"]
    events: Sequence[Mapping[str, Any]] = row["events"]
    return DatasetView(
        summary=dataset_summary_from_props(props),
        ckan_id=_opt(props, "ckanId"), name=_opt(props, "name"), state=_opt(props, "state") or "active",
        licence_id=_opt(props, "licenceId", "licence"), licence_title=_opt(props, "licenceTitle"),
        licence_url=_opt(props, "licenceUrl"), landing_url=_opt(props, "landingUrl"),
        portal_title=_opt(portal, "title", "name", "id") or _opt(props, "portal"),
        portal_url=_opt(portal, "url"),
        organization=_organization(row["organization"]),
        harvested_at=_opt(props, "harvestedAt"), created=_opt(props, "created"), modified=_opt(props, "modified"),
        tags=tuple(str(t) for t in row["tags"] if t),
        resources=tuple(_resource(r) for r in row["resources"]),
        events=tuple((e["id"], Text.from_props(e, "name")) for e in events),
    )
