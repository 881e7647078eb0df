"""One CKAN package dict, in any of the shapes portals return, normalised into a :class:`DatasetRecord`.

Handles the default CKAN 2.x schema, ckanext-scheming fields at top level, ckanext-fluent translated dicts and
``fluent_tags``, ``keywords`` per language, ``extras`` as a list of ``{key, value}`` or as a dict, and CKAN 2.2-era /
API v1 records (``tags`` as strings, ``groups`` as names, ``license``, ``notes_rendered``). Custom fields are looked
up at top level first, then in ``extras``. Anything malformed raises :class:`RecordInvalid` naming the field.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from opendata.dates import parse_calendar_date, parse_timestamp
from opendata.errors import RecordInvalid
from opendata.formats import media_type_for, normalise_format
from opendata.languages import UNDETERMINED, ZH_HANS, ZH_HANT, normalise_language_key, normalise_language_list
from opendata.records import DatasetRecord, GroupRecord, OrganizationRecord, ResourceRecord, State
from opendata.translations import LanguageContext, clean_text, collect_tags, decode_json_text, text_map

logger = logging.getLogger(__name__)

# CKAN core and bookkeeping fields, and fields whose content went into typed record fields: not copied to extras.
_NOT_EXTRAS = frozenset({
    "id", "name", "title", "title_translated", "notes", "notes_translated", "notes_rendered", "description",
    "description_translated", "url", "version", "author", "author_email", "maintainer", "maintainer_email",
    "license_id", "license_title", "license_url", "license", "isopen", "private", "state", "type", "owner_org",
    "organization", "groups", "tags", "tags_translated", "keywords", "fluent_tags", "tag_string", "resources",
    "extras", "metadata_created", "metadata_modified", "num_tags", "num_resources", "relationships_as_object",
    "relationships_as_subject", "relationships", "revision_id", "revision_timestamp", "creator_user_id",
    "tracking_summary", "data_dict", "individual_resources", "timeseries_resources", "additional_resources",
    "ckan_url", "ratings_average", "ratings_count", "language", "spatial", "display_name", "download_url",
})  # fmt: skip
# Custom-field spellings (ckanext-dcat, DCAT-AP profiles, national schemas), first match wins.
_TEMPORAL_START = ("temporal_start", "temporal_coverage-from", "temporal_coverage_from", "temporal-extent-begin",
                   "time_period_coverage_start", "start_time", "coverage_start")  # fmt: skip
_TEMPORAL_END = ("temporal_end", "temporal_coverage-to", "temporal_coverage_to", "temporal-extent-end",
                 "time_period_coverage_end", "end_time", "coverage_end")  # fmt: skip
_THEMES = ("theme", "themes", "theme-primary", "theme-secondary", "subject", "dcat_theme")
_DCAT_TEXT = {
    "dct:identifier": ("identifier", "dct_identifier", "guid"),
    "owl:versionInfo": ("version",),
    "dct:accrualPeriodicity": ("frequency", "accrual_periodicity", "update_frequency", "frequency-of-update"),
    "dct:spatial": ("spatial_uri",),
    "dct:publisher": ("publisher_uri", "publisher_name", "dcat_publisher_name", "publisher"),
    "dcat:contactPoint": ("contact_name", "contact-name", "contact_person", "maintainer", "author"),
    "vcard:hasEmail": ("contact_email", "contact-email", "maintainer_email", "author_email"),
}
_DCAT_DATES = {
    "dct:issued": ("issued", "dcat_issued", "date_published", "date_released", "publish-date"),
    "dct:modified": ("modified", "dcat_modified", "date_modified", "date_updated"),
}
_LABEL_CHARS = 120
_NULL_TEXT = frozenset({"none", "null", "n/a"})
_HTML_TAG = re.compile(r"<[^>]+>")
_STATES: dict[str, State] = {"active": "active", "deleted": "deleted"}


def normalise_package(
    raw: object, *, portal: str, default_language: str, harvested_at: str, portal_url: str | None = None
) -> DatasetRecord:
    """Normalise one CKAN package dict; ``default_language`` is the portal's language for untranslated text.

    ``portal_url``, when given, supplies the CKAN dataset page as ``landing_url`` for datasets without their own.
    Raises :class:`RecordInvalid` for a record that is malformed, private, or not published (e.g. a draft).
    """
    if not isinstance(raw, dict):
        raise RecordInvalid(f"record: expected a JSON object, got {type(raw).__name__}")
    default = normalise_language_key(default_language)
    if default is None:
        raise ValueError(f"default_language {default_language!r} is not a language code")
    ckan_id = _required_text(raw, "id")
    name = _required_text(raw, "name")
    if _flag(raw.get("private")):
        raise RecordInvalid("field private: the dataset is private")
    state = _state(raw.get("state"))
    extras = _extras(raw.get("extras"))
    fields = _Fields(raw, extras)
    declared = _declared_languages(fields.get("language"))
    ctx = LanguageContext(declared=declared, default=default.code)

    titles = text_map(raw.get("title_translated"), raw.get("title"), ctx=ctx, where="title")
    notes = raw.get("notes") if raw.get("notes") is not None else raw.get("description")
    if notes is None and isinstance(raw.get("notes_rendered"), str):
        notes = html.unescape(_HTML_TAG.sub(" ", raw["notes_rendered"]))
    translated_notes = raw.get("notes_translated", raw.get("description_translated"))
    descriptions = text_map(translated_notes, notes, ctx=ctx, where="notes")
    tag_set = collect_tags(
        [(key, raw.get(key)) for key in ("tags", "tags_translated", "keywords", "fluent_tags") if key in raw]
        or [("tag_string", raw.get("tag_string"))],
        ctx=ctx,
    )
    organization = _organization(raw.get("organization"), ctx=ctx)
    modified = _timestamp(raw, "metadata_modified")
    created = _timestamp(raw, "metadata_created")
    languages = _languages(declared, titles, descriptions, default=default.code)
    return DatasetRecord(
        portal=portal, ckan_id=ckan_id, name=name, harvested_at=harvested_at,
        dataset_type=_optional_text(raw, "type") or "dataset", state=state, titles=titles,
        descriptions=descriptions, tags=tag_set.tags, themes=_themes(fields) + tag_set.concepts,
        organization=organization, groups=_groups(raw.get("groups"), ctx=ctx),
        licence_id=_optional_text(raw, "license_id"),
        licence_title=_optional_text(raw, "license_title") or _optional_text(raw, "license"),
        licence_url=_url(raw.get("license_url")), resources=_resources(raw.get("resources"), ctx=ctx),
        temporal_start=_calendar_date(fields, _TEMPORAL_START), temporal_end=_calendar_date(fields, _TEMPORAL_END),
        spatial=_spatial(fields.get("spatial")), landing_url=_landing_url(raw, name, portal_url),
        created=created, modified=modified, languages=languages,
        dcat=_dcat(fields, ckan_id=ckan_id, created=created, modified=modified, organization=organization),
        extras=_provenance_extras(raw, extras),
    )  # fmt: skip


class _Fields:
    """Custom fields: top level first (ckanext-scheming), then ``extras`` (default schema)."""

    def __init__(self, raw: Mapping[str, Any], extras: Mapping[str, str]) -> None:
        self._raw = raw
        self._extras = extras

    def get(self, key: str) -> object:
        value = self._raw.get(key)
        if _is_empty(value):
            value = self._extras.get(key)
        return None if _is_empty(value) else value

    def first(self, keys: tuple[str, ...]) -> object:
        for key in keys:
            value = self.get(key)
            if value is not None:
                return value
        return None


def _is_empty(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, list | dict) and not value)


def _required_text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        raise RecordInvalid(f"field {key}: missing")
    if not isinstance(value, str):
        raise RecordInvalid(f"field {key}: expected text, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise RecordInvalid(f"field {key}: empty")
    return text


def _optional_text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordInvalid(f"field {key}: expected text, got {type(value).__name__}")
    return clean_text(str(value))


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return value is True


def _state(value: object) -> State:
    if value is None:
        return "active"
    if not isinstance(value, str):
        raise RecordInvalid(f"field state: expected text, got {type(value).__name__}")
    state = _STATES.get(value.strip().lower())
    if state is None:
        raise RecordInvalid(f"field state: {value!r} datasets are not published")
    return state


def _extras(value: object) -> dict[str, str]:
    """``extras`` as a dict of text: from a list of ``{key, value}`` (CKAN 2.x) or a plain dict (API v1/2.2-era)."""
    value = decode_json_text(value)
    if value is None:
        return {}
    out: dict[str, str] = {}
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, dict) or not isinstance(item.get("key"), str):
                raise RecordInvalid(f"field extras[{index}]: expected an object with a text key")
            if item.get("state", "active") != "deleted":
                items.append((item["key"], item.get("value")))
    else:
        raise RecordInvalid(f"field extras: expected a list or an object, got {type(value).__name__}")
    for key, item_value in items:
        text = _as_text(item_value)
        if isinstance(key, str) and key.strip() and text is not None:
            out[key.strip()] = text
    return out


def _as_text(value: object) -> str | None:
    """A field value as provenance text: text as-is, other JSON values as compact JSON without their empty parts
    (``{"en": "", "fr": ""}`` is no value); empty values give None."""
    value = _pruned(value)
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _pruned(value: object) -> object:
    if isinstance(value, dict):
        kept = {k: v for k, v in ((k, _pruned(v)) for k, v in value.items()) if v is not None}
        return kept or None
    if isinstance(value, list):
        items = [v for v in (_pruned(v) for v in value) if v is not None]
        return items or None
    if isinstance(value, str):
        return value if value.strip() else None
    return value


def _provenance_extras(raw: Mapping[str, Any], extras: dict[str, str]) -> dict[str, str]:
    out = dict(extras)
    for key, value in raw.items():
        if key in _NOT_EXTRAS:
            continue
        text = _as_text(value)
        if text is not None:
            out[key] = text
    return out


def _declared_languages(value: object) -> tuple[str, ...]:
    value = decode_json_text(value)
    if isinstance(value, str):
        return normalise_language_list(part for part in re.split(r"[,;\s]+", value) if part)
    if isinstance(value, list):
        return normalise_language_list(value)
    return ()


def _languages(declared: tuple[str, ...], *texts: Mapping[str, str], default: str) -> tuple[str, ...]:
    """Declared languages then those of the texts; a bare declared ``zh`` gives way to the script found in the texts
    (or the portal's Chinese default)."""
    found = [code for text in texts for code in text if code != UNDETERMINED]
    scripts = [code for code in (*found, default) if code in (ZH_HANT, ZH_HANS)]
    codes = [scripts[0] if code == "zh" and scripts else code for code in (*declared, *found)]
    return tuple(dict.fromkeys(codes))


def _timestamp(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise RecordInvalid(f"field {key}: expected an ISO 8601 timestamp, got {type(value).__name__}")
    try:
        return parse_timestamp(value)
    except ValueError as e:
        raise RecordInvalid(f"field {key}: not an ISO 8601 timestamp: {value[:40]!r}") from e


def _lenient_timestamp(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


def _calendar_date(fields: _Fields, keys: tuple[str, ...]) -> str | None:
    value = decode_json_text(fields.first(keys))
    if isinstance(value, list):  # DGU stores coverage as a one-item list
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return parse_calendar_date(value) if isinstance(value, str) else None


def _themes(fields: _Fields) -> tuple[str, ...]:
    themes: list[str] = []
    for key in _THEMES:
        value = decode_json_text(fields.get(key))
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str):
                themes += [part.strip() for part in (item.split(",") if key == "theme" else [item]) if part.strip()]
    return tuple(dict.fromkeys(themes))


def _spatial(value: object) -> str | None:
    """A GeoJSON geometry as compact JSON text, or None when the field holds no GeoJSON object."""
    value = decode_json_text(value)
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return None


def _url(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or text.lower() in _NULL_TEXT:
        return None
    return text


def _landing_url(raw: Mapping[str, Any], name: str, portal_url: str | None) -> str | None:
    url = _url(raw.get("url"))
    if url is not None and url.lower().startswith(("http://", "https://")):
        return url
    if portal_url:
        return f"{portal_url.rstrip('/')}/dataset/{name}"
    return None


def _titles_of(obj: Mapping[str, Any], *, ctx: LanguageContext, where: str) -> dict[str, str]:
    plain = obj.get("title") if obj.get("title") is not None else obj.get("display_name")
    return text_map(obj.get("title_translated"), plain, ctx=ctx, where=f"{where}.title")


def _organization(value: object, *, ctx: LanguageContext) -> OrganizationRecord | None:
    if value is None:
        return None
    if isinstance(value, str):
        name = clean_text(value)
        return OrganizationRecord(id=None, name=name) if name else None
    if not isinstance(value, dict):
        raise RecordInvalid(f"field organization: expected an object, got {type(value).__name__}")
    org_id = value.get("id") if isinstance(value.get("id"), str) else None
    name = value.get("name") if isinstance(value.get("name"), str) else org_id
    if not name:
        raise RecordInvalid("field organization: neither a name nor an id")
    return OrganizationRecord(id=org_id, name=name, titles=_titles_of(value, ctx=ctx, where="organization"))


def _groups(value: object, *, ctx: LanguageContext) -> tuple[GroupRecord, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RecordInvalid(f"field groups: expected a list, got {type(value).__name__}")
    groups: list[GroupRecord] = []
    for index, item in enumerate(value):
        if isinstance(item, str):  # API v1 / CKAN 2.2-era: group names
            if item.strip():
                groups.append(GroupRecord(id=None, name=item.strip()))
            continue
        if not isinstance(item, dict):
            raise RecordInvalid(f"field groups[{index}]: expected an object or a name, got {type(item).__name__}")
        group_id = item.get("id") if isinstance(item.get("id"), str) else None
        name = item.get("name") if isinstance(item.get("name"), str) else group_id
        if not name:
            raise RecordInvalid(f"field groups[{index}]: neither a name nor an id")
        groups.append(GroupRecord(id=group_id, name=name, titles=_titles_of(item, ctx=ctx, where=f"groups[{index}]")))
    return tuple(groups)


def _resources(value: object, *, ctx: LanguageContext) -> tuple[ResourceRecord, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RecordInvalid(f"field resources: expected a list, got {type(value).__name__}")
    resources: list[ResourceRecord] = []
    for index, item in enumerate(value):
        where = f"resources[{index}]"
        if not isinstance(item, dict):
            raise RecordInvalid(f"field {where}: expected an object, got {type(item).__name__}")
        if item.get("state") == "deleted":
            continue
        url = _url(item.get("url")) or _url(item.get("access_url")) or _url(item.get("download_url"))
        declared_media = item.get("mimetype") or item.get("media_type")
        fmt = normalise_format(item.get("format"), media_type=_media(declared_media), url=url)
        raw_id = item.get("id")
        titles = text_map(item.get("name_translated"), item.get("name"), ctx=ctx, where=f"{where}.name")
        if not titles and isinstance(item.get("description"), str):  # CKAN shows the description when unnamed
            label = item["description"].strip().split("\n", 1)[0][:_LABEL_CHARS].strip()
            titles = text_map(None, label, ctx=ctx, where=f"{where}.description")
        resources.append(
            ResourceRecord(
                id=raw_id if isinstance(raw_id, str) and raw_id else None,
                name=clean_text(item["name"]) if isinstance(item.get("name"), str) else None,
                titles=titles,
                format=fmt,
                url=url,
                size=_size(item.get("size")),
                media_type=media_type_for(fmt, declared_media, item.get("format")),
                modified=_lenient_timestamp(item.get("last_modified"))
                or _lenient_timestamp(item.get("metadata_modified"))
                or _lenient_timestamp(item.get("created")),
            )
        )
    return tuple(resources)


def _media(value: object) -> str | None:
    return value.split(";", 1)[0].strip().lower() if isinstance(value, str) and value.strip() else None


def _size(value: object) -> int | None:
    """Bytes from an integer, an integral float or digit text; anything else (``1.2 MB``) is unknown."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _dcat(
    fields: _Fields, *, ckan_id: str, created: str | None, modified: str | None,
    organization: OrganizationRecord | None,
) -> dict[str, str]:  # fmt: skip
    """DCAT-AP terms the record supplies, following ckanext-dcat's mapping and its fallbacks."""
    out: dict[str, str] = {}
    for term, keys in _DCAT_TEXT.items():
        value = fields.first(keys)
        if isinstance(value, str) and value.strip() and value.strip().lower() not in _NULL_TEXT:
            out[term] = value.strip()
    out.setdefault("dct:identifier", ckan_id)
    if "dct:publisher" not in out and organization is not None:
        out["dct:publisher"] = next(iter(organization.titles.values()), organization.name)
    for term, keys in _DCAT_DATES.items():
        stamp = next((s for s in (_lenient_timestamp(fields.get(k)) for k in keys) if s), None)
        fallback = created if term == "dct:issued" else modified
        if stamp or fallback:
            out[term] = stamp or fallback or ""
    return out
