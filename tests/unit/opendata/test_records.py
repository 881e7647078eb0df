"""Record JSON round trip, content hash, immutability."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from opendata.errors import RecordInvalid
from opendata.records import DatasetRecord, GroupRecord, OrganizationRecord, ResourceRecord


def _record(**changes: Any) -> DatasetRecord:
    fields: dict[str, Any] = {
        "portal": "tw-depositar",
        "ckan_id": "6fb6dd5c",
        "name": "1-2-4",
        "harvested_at": "2025-01-01T00:00:00Z",
        "titles": {"zh-hant": "溫寮溪", "en": "Wenliao"},
        "descriptions": {"en": "Survey."},
        "tags": {"en": ("ecology", "river")},
        "themes": ("http://www.wikidata.org/entity/Q9578202",),
        "organization": OrganizationRecord(id="o1", name="fcu", titles={"zh-hant": "逢甲大學"}),
        "groups": (GroupRecord(id=None, name="water"),),
        "licence_id": "cc-by",
        "resources": (
            ResourceRecord(
                id="r1", name="Report", titles={"en": "Report"}, format="PDF", url="https://x/r.pdf", size=3
            ),
        ),
        "temporal_start": "2019",
        "created": "2022-04-08T04:01:52.105456Z",
        "modified": "2023-08-07T01:29:52.403488Z",
        "languages": ("zh-hant", "en"),
        "dcat": {"dct:identifier": "6fb6dd5c"},
        "extras": {"remarks": "x"},
    }
    fields.update(changes)
    return DatasetRecord(**fields)


def test_json_round_trip() -> None:
    record = _record()
    data = json.loads(json.dumps(record.to_json()))
    again = DatasetRecord.from_json(data)
    assert again == record
    assert again.content_hash == record.content_hash
    assert data["content_hash"] == record.content_hash


def test_content_hash_ignores_harvest_time_but_not_content() -> None:
    record = _record()
    assert _record(harvested_at="2030-01-01T00:00:00Z").content_hash == record.content_hash
    assert _record(titles={"en": "Wenliao"}).content_hash != record.content_hash
    assert _record(extras={"remarks": "y"}).content_hash != record.content_hash
    assert len(record.content_hash) == 64


def test_content_hash_does_not_depend_on_key_order() -> None:
    assert _record(titles={"en": "Wenliao", "zh-hant": "溫寮溪"}).content_hash == _record().content_hash


def test_records_are_immutable_and_hashable() -> None:
    record = _record()
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        record.titles["fr"] = "x"  # type: ignore[index]
    assert len({record, _record()}) == 1


def test_title_prefers_the_asked_languages() -> None:
    record = _record()
    assert record.title("fr", "zh-hant") == "溫寮溪"
    assert record.title("fr") == "Wenliao"  # keys are sorted: en first
    assert _record(titles={}).title() == "1-2-4"


def test_a_tampered_line_is_caught_by_its_hash() -> None:
    data = _record().to_json()
    data["titles"]["en"] = "Changed"
    with pytest.raises(RecordInvalid, match="content_hash"):
        DatasetRecord.from_json(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ckan_id": None}, "field ckan_id: expected non-empty text"),
        ({"state": "draft"}, "field state: expected one of active, deleted"),
        ({"titles": {"en": 1}}, "field titles: expected an object of text values"),
        ({"tags": {"en": "x"}}, "field tags.en: expected a list of text"),
        ({"resources": [{"id": "r", "name": None, "size": -1}]}, "field resources[0].size"),
        ({"organization": {"id": "o"}}, "field organization.name: expected non-empty text"),
        ({"groups": "g"}, "field groups: expected a list"),
        ({"licence_id": 5}, "field licence_id: expected text or null, got int"),
    ],
)
def test_from_json_names_the_bad_field(change: dict[str, Any], message: str) -> None:
    data = _record().to_json()
    del data["content_hash"]
    data.update(change)
    with pytest.raises(RecordInvalid, match=message.replace("[", r"\[").replace("]", r"\]")):
        DatasetRecord.from_json(data)


def test_from_json_refuses_non_objects() -> None:
    with pytest.raises(RecordInvalid, match="field record: expected an object, got list"):
        DatasetRecord.from_json([])
