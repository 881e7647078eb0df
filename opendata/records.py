"""The normalised dataset record that leaves this package, and its JSON form.

Records are frozen: text maps are read-only mappings with sorted keys, sequences are tuples. ``to_json`` gives plain
JSON types; ``from_json`` checks every field and raises :class:`RecordInvalid` naming the field. ``content_hash`` is a
SHA-256 over the canonical JSON of everything except ``harvested_at``, so two harvests of an unchanged dataset hash
the same and an incremental load can skip it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Self

from opendata.errors import RecordInvalid

logger = logging.getLogger(__name__)

State = Literal["active", "deleted"]
STATES: tuple[State, ...] = ("active", "deleted")


def _frozen_texts(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(sorted(value.items())))


def _frozen_tags(value: Mapping[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({key: tuple(tags) for key, tags in sorted(value.items())})


@dataclass(frozen=True, slots=True, kw_only=True)
class OrganizationRecord:
    """The publishing organisation (CKAN ``organization``); ``id`` is None when the portal gave only a name."""

    id: str | None
    name: str
    titles: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "titles", _frozen_texts(self.titles))

    def __hash__(self) -> int:
        return hash((self.id, self.name, tuple(self.titles.items())))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "titles": dict(self.titles)}

    @classmethod
    def from_json(cls, data: object, where: str = "organization") -> Self:
        obj = _object(data, where)
        return cls(id=_opt_str(obj, "id", where), name=_str(obj, "name", where), titles=_texts(obj, "titles", where))


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupRecord:
    """A CKAN group the dataset belongs to (a portal's own thematic collection)."""

    id: str | None
    name: str
    titles: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "titles", _frozen_texts(self.titles))

    def __hash__(self) -> int:
        return hash((self.id, self.name, tuple(self.titles.items())))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "titles": dict(self.titles)}

    @classmethod
    def from_json(cls, data: object, where: str = "group") -> Self:
        obj = _object(data, where)
        return cls(id=_opt_str(obj, "id", where), name=_str(obj, "name", where), titles=_texts(obj, "titles", where))


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceRecord:
    """One distribution: a file or API behind the dataset. ``format`` is upper-case (``CSV``), ``size`` in bytes."""

    id: str | None
    name: str | None
    titles: Mapping[str, str] = field(default_factory=dict)
    format: str | None = None
    url: str | None = None
    size: int | None = None
    media_type: str | None = None
    modified: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "titles", _frozen_texts(self.titles))

    def __hash__(self) -> int:
        return hash((self.id, self.url, self.modified))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "titles": dict(self.titles), "format": self.format, "url": self.url,
            "size": self.size, "media_type": self.media_type, "modified": self.modified,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: object, where: str = "resource") -> Self:
        obj = _object(data, where)
        size = obj.get("size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            raise RecordInvalid(f"field {where}.size: expected a non-negative integer or null")
        return cls(
            id=_opt_str(obj, "id", where), name=_opt_str(obj, "name", where), titles=_texts(obj, "titles", where),
            format=_opt_str(obj, "format", where), url=_opt_str(obj, "url", where), size=size,
            media_type=_opt_str(obj, "media_type", where), modified=_opt_str(obj, "modified", where),
        )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetRecord:
    """One dataset of one portal, normalised; the provenance is ``portal`` + ``ckan_id`` + ``harvested_at``.

    Text maps are keyed by normalised language code (``en``, ``fr``, ``zh-hant``; ``und`` when undetermined).
    ``created``/``modified`` are the portal's catalogue timestamps (CKAN ``metadata_created``/``metadata_modified``,
    UTC, ``Z``); the publisher's own issue/modification dates, when given, are in ``dcat`` (``dct:issued``,
    ``dct:modified``). ``extras`` keeps the portal's custom fields as text, for provenance.
    """

    portal: str
    ckan_id: str
    name: str
    harvested_at: str
    dataset_type: str = "dataset"
    state: State = "active"
    titles: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    themes: tuple[str, ...] = ()
    organization: OrganizationRecord | None = None
    groups: tuple[GroupRecord, ...] = ()
    licence_id: str | None = None
    licence_title: str | None = None
    licence_url: str | None = None
    resources: tuple[ResourceRecord, ...] = ()
    temporal_start: str | None = None
    temporal_end: str | None = None
    spatial: str | None = None
    landing_url: str | None = None
    created: str | None = None
    modified: str | None = None
    languages: tuple[str, ...] = ()
    dcat: Mapping[str, str] = field(default_factory=dict)
    extras: Mapping[str, str] = field(default_factory=dict)
    content_hash: str = field(init=False, default="", compare=False)

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise RecordInvalid(f"field state: expected one of {', '.join(STATES)}, got {self.state!r}")
        for name in ("titles", "descriptions", "dcat", "extras"):
            object.__setattr__(self, name, _frozen_texts(getattr(self, name)))
        object.__setattr__(self, "tags", _frozen_tags(self.tags))
        object.__setattr__(self, "content_hash", _hash_content(self._content()))

    def __hash__(self) -> int:
        return hash((self.portal, self.ckan_id, self.content_hash))

    def title(self, *preferred: str) -> str:
        """The title in the first preferred language present, else any title, else the CKAN name."""
        for language in preferred:
            if language in self.titles:
                return self.titles[language]
        return next(iter(self.titles.values()), self.name)

    def _content(self) -> dict[str, Any]:
        return {
            "portal": self.portal, "ckan_id": self.ckan_id, "name": self.name, "dataset_type": self.dataset_type,
            "state": self.state, "titles": dict(self.titles), "descriptions": dict(self.descriptions),
            "tags": {key: list(tags) for key, tags in self.tags.items()}, "themes": list(self.themes),
            "organization": self.organization.to_json() if self.organization else None,
            "groups": [group.to_json() for group in self.groups], "licence_id": self.licence_id,
            "licence_title": self.licence_title, "licence_url": self.licence_url,
            "resources": [resource.to_json() for resource in self.resources],
            "temporal_start": self.temporal_start, "temporal_end": self.temporal_end, "spatial": self.spatial,
            "landing_url": self.landing_url, "created": self.created, "modified": self.modified,
            "languages": list(self.languages), "dcat": dict(self.dcat), "extras": dict(self.extras),
        }  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types; includes ``harvested_at`` and ``content_hash``."""
        return {**self._content(), "harvested_at": self.harvested_at, "content_hash": self.content_hash}

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Rebuild a record from :meth:`to_json` output; a stored ``content_hash`` must match the content."""
        obj = _object(data, "record")
        state = obj.get("state", "active")
        if state not in STATES:
            raise RecordInvalid(f"field state: expected one of {', '.join(STATES)}, got {state!r}")
        organization = obj.get("organization")
        record = cls(
            portal=_str(obj, "portal"), ckan_id=_str(obj, "ckan_id"), name=_str(obj, "name"),
            harvested_at=_str(obj, "harvested_at"), dataset_type=_opt_str(obj, "dataset_type") or "dataset",
            state=state, titles=_texts(obj, "titles"), descriptions=_texts(obj, "descriptions"),
            tags=_tag_map(obj, "tags"), themes=_str_tuple(obj, "themes"),
            organization=None if organization is None else OrganizationRecord.from_json(organization),
            groups=tuple(GroupRecord.from_json(g, f"groups[{i}]") for i, g in enumerate(_list(obj, "groups"))),
            licence_id=_opt_str(obj, "licence_id"), licence_title=_opt_str(obj, "licence_title"),
            licence_url=_opt_str(obj, "licence_url"),
            resources=tuple(
                ResourceRecord.from_json(r, f"resources[{i}]") for i, r in enumerate(_list(obj, "resources"))
            ),
            temporal_start=_opt_str(obj, "temporal_start"), temporal_end=_opt_str(obj, "temporal_end"),
            spatial=_opt_str(obj, "spatial"), landing_url=_opt_str(obj, "landing_url"),
            created=_opt_str(obj, "created"), modified=_opt_str(obj, "modified"),
            languages=_str_tuple(obj, "languages"), dcat=_texts(obj, "dcat"), extras=_texts(obj, "extras"),
        )  # fmt: skip
        stored = obj.get("content_hash")
        if stored is not None and stored != record.content_hash:
            raise RecordInvalid("field content_hash: does not match the record's content")
        return record


def _hash_content(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _where(where: str | None, key: str) -> str:
    return f"{where}.{key}" if where and where != "record" else key


def _object(data: object, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise RecordInvalid(f"field {where}: expected an object, got {type(data).__name__}")
    return data


def _str(obj: dict[str, Any], key: str, where: str | None = None) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise RecordInvalid(f"field {_where(where, key)}: expected non-empty text")
    return value


def _opt_str(obj: dict[str, Any], key: str, where: str | None = None) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise RecordInvalid(f"field {_where(where, key)}: expected text or null, got {type(value).__name__}")
    return value


def _list(obj: dict[str, Any], key: str, where: str | None = None) -> list[Any]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise RecordInvalid(f"field {_where(where, key)}: expected a list, got {type(value).__name__}")
    return value


def _str_tuple(obj: dict[str, Any], key: str, where: str | None = None) -> tuple[str, ...]:
    values = _list(obj, key, where)
    if not all(isinstance(v, str) for v in values):
        raise RecordInvalid(f"field {_where(where, key)}: expected a list of text")
    return tuple(values)


def _texts(obj: dict[str, Any], key: str, where: str | None = None) -> dict[str, str]:
    value = obj.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise RecordInvalid(f"field {_where(where, key)}: expected an object of text values")
    return value


def _tag_map(obj: dict[str, Any], key: str) -> dict[str, tuple[str, ...]]:
    value = obj.get(key, {})
    if not isinstance(value, dict):
        raise RecordInvalid(f"field {key}: expected an object of text lists")
    out: dict[str, tuple[str, ...]] = {}
    for language, tags in value.items():
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise RecordInvalid(f"field {key}.{language}: expected a list of text")
        out[language] = tuple(tags)
    return out
