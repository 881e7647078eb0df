"""A :class:`~opendata.records.DatasetRecord` as the rows the dataset loader writes: node properties and links.

This is the one place the dataset side is mapped to Neo4j properties (camelCase; see :mod:`graph.model`). Pure
functions, no driver: the loader (:mod:`graph.datasets`) sends the rows in batches.

Ids: ``Dataset.id`` is ``<portal>:<ckanId>``; organisations, groups and resources are scoped to their portal
(``<portal>:<ckan id or name>``; a resource without an id is ``<dataset id>#<position>``); a tag is
``<lang>:<normalised name>`` and is shared across portals. Text maps keyed by language are stored as JSON text
(``titlesJson``), since Neo4j properties cannot hold maps.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graph.chinese import to_simplified
from opendata.records import DatasetRecord, GroupRecord, OrganizationRecord, ResourceRecord

# Bump when the mapping below changes, so the next load rewrites datasets whose records did not change.
LOAD_VERSION = "dataset-v1"
ACTIVE = "active"
WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetRows:
    """Everything one dataset writes: its node properties and the rows of its links."""

    id: str
    ckan_id: str
    props: dict[str, Any]
    resources: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    organization: dict[str, Any] | None
    groups: list[dict[str, Any]]


def dataset_id(portal: str, ckan_id: str) -> str:
    return f"{portal}:{ckan_id}"


def tag_key(name: str) -> str:
    """A tag name folded for identity: NFKC, case-folded, whitespace collapsed (``Birth  Rate`` → ``birth rate``)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: dict[str, str]) -> str | None:
    """A language map as JSON text (records keep their maps sorted by key); None when empty."""
    return _ENCODER.encode(value) if value else None


def without_nulls(props: dict[str, Any]) -> dict[str, Any]:
    """``props`` without its null values: what a new node needs (an update sends the nulls, to remove properties)."""
    return {key: value for key, value in props.items() if value is not None}


def _first(texts: dict[str, str] | Any, languages: tuple[str, ...]) -> str | None:
    for language in languages:
        if language in texts:
            return str(texts[language])
    return next(iter(texts.values()), None)


def chinese_title(titles: Any) -> str | None:
    """The zh-Hans title: given, or the zh-Hant (or bare zh) title converted with OpenCC."""
    if "zh-hans" in titles:
        return str(titles["zh-hans"])
    for key in ("zh-hant", "zh"):
        if key in titles:
            return to_simplified(str(titles[key]))
    return None


def dataset_rows(record: DatasetRecord) -> DatasetRows:
    """The rows that write ``record``; deterministic, so equal records give equal rows."""
    ident = dataset_id(record.portal, record.ckan_id)
    titles = record.titles
    withdrawn = record.state == "deleted"
    props: dict[str, Any] = {
        "id": ident, "portal": record.portal, "ckanId": record.ckan_id, "name": record.name,
        "datasetType": record.dataset_type, "title": record.title(*record.languages),
        "titleZh": chinese_title(titles), "titleEn": titles.get("en"), "titlesJson": _json(dict(titles)),
        "description": _first(record.descriptions, record.languages),
        "descriptionsJson": _json(dict(record.descriptions)),
        "licenceId": record.licence_id, "licenceTitle": record.licence_title, "licenceUrl": record.licence_url,
        "landingUrl": record.landing_url, "created": record.created, "modified": record.modified,
        "harvestedAt": record.harvested_at, "state": WITHDRAWN if withdrawn else ACTIVE,
        "contentHash": record.content_hash, "loadVersion": LOAD_VERSION, "themes": list(record.themes),
        "languages": list(record.languages), "temporalStart": record.temporal_start,
        "temporalEnd": record.temporal_end, "spatial": record.spatial, "dcatJson": _json(dict(record.dcat)),
        "extrasJson": _json(dict(record.extras)),
    }  # fmt: skip
    return DatasetRows(
        id=ident, ckan_id=record.ckan_id, props=props,
        resources=_resources(record.portal, ident, record.resources), tags=_tags(record.tags),
        organization=_organization(record.portal, record.organization), groups=_groups(record.portal, record.groups),
    )  # fmt: skip


def _resources(portal: str, ident: str, resources: tuple[ResourceRecord, ...]) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for position, resource in enumerate(resources):
        rid = f"{portal}:{resource.id}" if resource.id else f"{ident}#{position}"
        if rid in rows:
            continue
        name = resource.name or _first(resource.titles, ("en",))
        titles = dict(resource.titles)
        rows[rid] = {
            "id": rid, "position": position, "name": name,
            # the names per language only when they say more than ``name`` (most resources have one name)
            "titlesJson": _json(titles) if len(titles) > 1 or (titles and name not in titles.values()) else None,
            "format": resource.format, "url": resource.url, "size": resource.size, "mediaType": resource.media_type,
            "modified": resource.modified,
        }  # fmt: skip
    return list(rows.values())


def _tags(tags: Any) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for language, names in tags.items():
        for name in names:
            key = tag_key(name)
            if key:
                rows.setdefault(f"{language}:{key}", {"id": f"{language}:{key}", "name": name, "lang": language})
    return list(rows.values())


@lru_cache(maxsize=4096)  # a portal has few organisations and groups, each named in many records
def _organization(portal: str, organization: OrganizationRecord | None) -> dict[str, Any] | None:
    if organization is None:
        return None
    return {
        "id": f"{portal}:{organization.id or organization.name}", "portal": portal, "ckanId": organization.id,
        "name": organization.name, "title": _first(organization.titles, ("en",)) or organization.name,
        "titleZh": chinese_title(organization.titles), "titlesJson": _json(dict(organization.titles)),
    }  # fmt: skip


def _groups(portal: str, groups: tuple[GroupRecord, ...]) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for group in groups:
        row = _group(portal, group)
        rows.setdefault(row["id"], row)
    return list(rows.values())


@lru_cache(maxsize=4096)
def _group(portal: str, group: GroupRecord) -> dict[str, Any]:
    gid = f"{portal}:{group.id or group.name}"
    return {
        "id": gid, "portal": portal, "ckanId": group.id, "name": group.name,
        "title": _first(group.titles, ("en",)) or group.name, "titlesJson": _json(dict(group.titles)),
    }  # fmt: skip
