"""A DatasetRecord as the rows the dataset loader writes: ids, provenance, the zh-Hans title, links."""

from __future__ import annotations

import json
from typing import Any

from graph.dataset_props import LOAD_VERSION, chinese_title, dataset_rows, tag_key, without_nulls
from opendata.records import DatasetRecord, GroupRecord, OrganizationRecord, ResourceRecord


def _record(**fields: Any) -> DatasetRecord:
    defaults: dict[str, Any] = {
        "portal": "tw-depositar", "ckan_id": "abc-123", "name": "birth-registrations",
        "harvested_at": "2025-01-02T03:04:05.000Z", "languages": ("zh-hant", "en"),
        "titles": {"zh-hant": "出生登記統計", "en": "Birth registrations"},
        "descriptions": {"zh-hant": "各縣市出生登記。"}, "licence_id": "cc-by", "modified": "2024-05-06T07:08:09.000Z",
    }  # fmt: skip
    return DatasetRecord(**{**defaults, **fields})


def test_ids_and_provenance() -> None:
    rows = dataset_rows(_record())
    assert rows.id == "tw-depositar:abc-123" and rows.ckan_id == "abc-123"
    props = rows.props
    assert (props["id"], props["portal"], props["ckanId"]) == ("tw-depositar:abc-123", "tw-depositar", "abc-123")
    assert (props["licenceId"], props["harvestedAt"], props["modified"]) == (
        "cc-by", "2025-01-02T03:04:05.000Z", "2024-05-06T07:08:09.000Z"
    )  # fmt: skip
    assert props["contentHash"] == _record().content_hash and props["loadVersion"] == LOAD_VERSION
    assert props["state"] == "active"


def test_titles_primary_chinese_and_english() -> None:
    props = dataset_rows(_record()).props
    assert props["title"] == "出生登記統計"  # the record's first language
    assert props["titleZh"] == "出生登记统计"  # zh-Hant converted with OpenCC
    assert props["titleEn"] == "Birth registrations"
    assert json.loads(props["titlesJson"]) == {"en": "Birth registrations", "zh-hant": "出生登記統計"}
    assert props["description"] == "各縣市出生登記。"


def test_chinese_title_prefers_simplified_and_is_none_without_chinese() -> None:
    assert chinese_title({"zh-hans": "出生", "zh-hant": "出生登記"}) == "出生"
    assert chinese_title({"zh": "離婚"}) == "离婚"
    assert chinese_title({"en": "Divorce"}) is None
    assert dataset_rows(_record(titles={"pt": "Nascimentos"}, languages=("pt",))).props["titleZh"] is None


def test_a_deleted_record_is_written_withdrawn() -> None:
    assert dataset_rows(_record(state="deleted")).props["state"] == "withdrawn"


def test_links_are_scoped_and_deduplicated() -> None:
    record = _record(
        organization=OrganizationRecord(id="org-1", name="moi", titles={"zh-hant": "內政部"}),
        groups=(GroupRecord(id=None, name="population"), GroupRecord(id=None, name="population")),
        tags={"zh-hant": ("出生", "出生 "), "en": ("Birth  Rate", "birth rate")},
        resources=(
            ResourceRecord(id="r-1", name="CSV", format="CSV", url="https://example.org/a.csv", size=12),
            ResourceRecord(id=None, name="API", titles={"en": "API", "fr": "API (fr)"}),
            ResourceRecord(id="r-1", name="again"),
        ),
    )  # fmt: skip
    rows = dataset_rows(record)
    assert rows.organization is not None
    assert (rows.organization["id"], rows.organization["titleZh"]) == ("tw-depositar:org-1", "内政部")
    assert [g["id"] for g in rows.groups] == ["tw-depositar:population"]
    assert [(t["id"], t["name"]) for t in rows.tags] == [("en:birth rate", "Birth  Rate"), ("zh-hant:出生", "出生")]
    assert [r["id"] for r in rows.resources] == ["tw-depositar:r-1", "tw-depositar:abc-123#1"]
    first, second = rows.resources
    assert (first["format"], first["size"], first["titlesJson"]) == ("CSV", 12, None)
    assert json.loads(second["titlesJson"]) == {"en": "API", "fr": "API (fr)"}


def test_tag_key_folds_width_case_and_spaces() -> None:
    assert tag_key("  Ｂｉｒｔｈ   RATE ") == "birth rate"


def test_equal_records_give_equal_rows_and_nulls_can_be_dropped() -> None:
    assert dataset_rows(_record()) == dataset_rows(_record())
    props = dataset_rows(_record()).props
    assert props["spatial"] is None and "spatial" not in without_nulls(props)
