"""normalise_package over the shapes CKAN portals return (synthetic records shaped like the shared real ones)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from opendata.errors import RecordInvalid
from opendata.normalise import normalise_package
from opendata.records import DatasetRecord

HARVESTED = "2025-01-02T03:04:05Z"


def _normalise(raw: object, default_language: str = "en", **kwargs: Any) -> DatasetRecord:
    return normalise_package(raw, portal="test", default_language=default_language, harvested_at=HARVESTED, **kwargs)


def _package(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "11111111-2222-3333-4444-555555555555",
        "name": "road-traffic",
        "title": "Road traffic",
        "notes": "Counts of vehicles.",
        "metadata_created": "2020-03-11T16:15:41.052534",
        "metadata_modified": "2021-04-09T07:38:50.541756",
        "state": "active",
        "private": False,
        "type": "dataset",
        "tags": [{"name": "traffic", "display_name": "traffic", "vocabulary_id": None, "state": "active"}],
        "resources": [],
        "groups": [],
        "organization": {"id": "org-1", "name": "transport-dept", "title": "Transport Department"},
        "license_id": "cc-by",
        "license_title": "Creative Commons Attribution",
        "license_url": "http://www.opendefinition.org/licenses/cc-by",
        "extras": [],
    }
    base.update(fields)
    return base


def test_a_default_ckan_package() -> None:
    record = _normalise(_package(), portal_url="https://data.example.org/")
    assert record.portal == "test"
    assert record.ckan_id == "11111111-2222-3333-4444-555555555555"
    assert record.titles == {"en": "Road traffic"}
    assert record.descriptions == {"en": "Counts of vehicles."}
    assert record.tags == {"en": ("traffic",)}
    assert record.organization is not None
    assert (record.organization.id, record.organization.name) == ("org-1", "transport-dept")
    assert record.organization.titles == {"en": "Transport Department"}
    assert (record.licence_id, record.licence_title) == ("cc-by", "Creative Commons Attribution")
    assert record.created == "2020-03-11T16:15:41.052534Z"
    assert record.modified == "2021-04-09T07:38:50.541756Z"
    assert record.landing_url == "https://data.example.org/dataset/road-traffic"
    assert record.harvested_at == HARVESTED
    assert record.state == "active"
    assert record.languages == ("en",)
    assert record.dcat["dct:identifier"] == record.ckan_id
    assert record.dcat["dct:issued"] == record.created
    assert record.dcat["dct:publisher"] == "Transport Department"


def test_translated_dicts_and_keywords_per_language() -> None:
    raw = _package(
        title="Budget",
        title_translated={"en": "Budget", "fr": "Budget des dépenses"},
        notes_translated={"en": "Spending.", "fr": "Dépenses."},
        keywords={"en": ["Budget", "Public finance"], "fr": ["Budget", "Finances publiques"]},
        tags=[],
    )
    record = _normalise(raw)
    assert record.titles == {"en": "Budget", "fr": "Budget des dépenses"}
    assert record.descriptions == {"en": "Spending.", "fr": "Dépenses."}
    assert record.tags == {"en": ("Budget", "Public finance"), "fr": ("Budget", "Finances publiques")}
    assert record.languages == ("en", "fr")


def test_machine_translations_only_fill_gaps() -> None:
    raw = _package(
        title_translated={"fr-t-en": "Ouvertures forestières", "en": "Forest Openings"},
        notes_translated={"fr-t-en": "Traduction automatique.", "fr": "Texte humain.", "en": "Human text."},
        keywords={"fr-t-en": ["Données"], "en": ["Data"]},
    )
    record = _normalise(raw)
    assert record.titles == {"en": "Forest Openings", "fr": "Ouvertures forestières"}
    assert record.descriptions == {"en": "Human text.", "fr": "Texte humain."}
    assert record.tags["fr"] == ("Données",)


def test_fluent_tags_and_dict_valued_titles() -> None:
    raw = _package(
        title={"de": "Verkehr", "fr": "Trafic", "it": "", "en": None},
        notes=json.dumps({"de": "Zählungen", "fr": "Comptages"}),
        fluent_tags={"nl": ["verkeer"], "fr": ["trafic"]},
        tags=[],
    )
    record = _normalise(raw, default_language="de")
    assert record.titles == {"de": "Verkehr", "fr": "Trafic"}
    assert record.descriptions == {"de": "Zählungen", "fr": "Comptages"}
    assert record.tags == {"fr": ("trafic",), "nl": ("verkeer",)}


def test_fluent_tags_as_plain_text() -> None:
    record = _normalise(_package(tags=[], fluent_tags="Car-sharing, Mobility"), default_language="nl")
    assert record.tags == {"nl": ("Car-sharing", "Mobility")}


def test_scheming_fields_at_top_level_and_script_detection() -> None:
    raw = _package(
        title="溫寮溪道路工程施工階段生態檢核成果",
        notes="本報告主要針對現況環境進行生態檢核作業。",
        language=["zho"],
        keywords=["Q9578202", "生態"],
        start_time="2019",
        end_time="2021-01-31",
        tags=[{"name": "Ecology", "display_name": "Ecology"}],
        organization=None,
        remarks="備註",
    )
    record = _normalise(raw, default_language="zh-hant")
    assert record.titles == {"zh-hant": "溫寮溪道路工程施工階段生態檢核成果"}
    assert record.languages == ("zh-hant",)
    assert record.tags == {"und": ("Ecology",), "zh-hant": ("生態",)}
    assert record.themes == ("http://www.wikidata.org/entity/Q9578202",)
    assert (record.temporal_start, record.temporal_end) == ("2019", "2021-01-31")
    assert record.organization is None
    assert record.extras["remarks"] == "備註"
    assert "dct:publisher" not in record.dcat


def test_simplified_chinese_is_told_apart() -> None:
    record = _normalise(_package(title="中国人口统计数据", notes=None), default_language="en")
    assert record.titles == {"zh-hans": "中国人口统计数据"}


def test_extras_as_a_list_feed_custom_fields() -> None:
    raw = _package(
        extras=[
            {"key": "theme-primary", "value": "Transport"},
            {"key": "theme-secondary", "value": '["Health", "Towns & Cities"]'},
            {"key": "temporal_coverage-from", "value": '["2015-01-01"]'},
            {"key": "temporal_coverage-to", "value": "31/12/2015"},
            {"key": "spatial", "value": '{"type": "Point", "coordinates": [1, 2]}'},
            {"key": "dcat_issued", "value": "2014-03-06T14:46:57.000Z"},
            {"key": "frequency-of-update", "value": "monthly"},
            {"key": "old", "value": "x", "state": "deleted"},
            {"key": "count", "value": 3},
        ]
    )
    record = _normalise(raw)
    assert record.themes == ("Transport", "Health", "Towns & Cities")
    assert record.temporal_start == "2015-01-01"
    assert record.temporal_end is None  # 31/12/2015 is not ISO; it stays in extras
    assert record.extras["temporal_coverage-to"] == "31/12/2015"
    assert record.spatial == '{"coordinates":[1,2],"type":"Point"}'
    assert record.dcat["dct:issued"] == "2014-03-06T14:46:57.000000Z"
    assert record.dcat["dct:accrualPeriodicity"] == "monthly"
    assert "old" not in record.extras
    assert record.extras["count"] == "3"


def test_a_ckan_2_2_era_record() -> None:
    raw = {
        "id": "598c37fa-9d20-465a-988c-a6e31974493a",
        "name": "spend-over-25000",
        "title": "Spend over £25,000",
        "notes_rendered": "<p>Monthly list of &amp; spending.</p>",
        "tags": ["finance", "spend", "Finance"],
        "groups": ["health", "spending"],
        "extras": {"temporal_coverage-from": "2010-04-01", "contact-email": "x@example.org", "blank": ""},
        "license": "UK Open Government Licence (OGL)",
        "license_id": "uk-ogl",
        "metadata_modified": "2015-04-02T14:38:39.709348",
        "resources": [{"id": "r1", "url": "http://example.org/April%202010.csv", "format": "", "description": "April"}],
        "ratings_average": None,
    }
    record = _normalise(raw)
    assert record.descriptions == {"en": "Monthly list of & spending."}
    assert record.tags == {"en": ("finance", "spend")}
    assert [(g.id, g.name) for g in record.groups] == [(None, "health"), (None, "spending")]
    assert record.licence_title == "UK Open Government Licence (OGL)"
    assert record.temporal_start == "2010-04-01"
    assert record.dcat["vcard:hasEmail"] == "x@example.org"
    assert "blank" not in record.extras
    assert record.created is None
    resource = record.resources[0]
    assert (resource.format, resource.media_type, resource.name, resource.titles) == (
        "CSV",
        "text/csv",
        None,
        {"en": "April"},
    )


def test_resources_are_normalised() -> None:
    raw = _package(
        resources=[
            {"id": "a", "name": "Stations", "format": ".csv", "url": "https://x.org/s", "size": "2606"},
            {"id": "b", "name": "Map", "format": "text/html; charset=UTF-8", "url": "None", "size": 12.0},
            {
                "id": "c",
                "name": "Doc",
                "format": "",
                "mimetype": "application/pdf",
                "url": "https://x.org/d",
                "size": "1.2 MB",
                "last_modified": "2022-12-27T10:23:09.633059",
            },
            {"id": "d", "name": "Old", "format": "CSV", "state": "deleted"},
            {
                "id": "e",
                "name": "Layer",
                "name_translated": {"en": "Layer", "fr": "Couche"},
                "format": "WMS",
                "created": "2021-09-08T20:11:59.615239",
            },
        ]
    )
    record = _normalise(raw)
    assert [(r.id, r.format, r.url, r.size, r.media_type) for r in record.resources] == [
        ("a", "CSV", "https://x.org/s", 2606, "text/csv"),
        ("b", "HTML", None, 12, "text/html"),
        ("c", "PDF", "https://x.org/d", None, "application/pdf"),
        ("e", "WMS", None, None, None),
    ]
    assert record.resources[2].modified == "2022-12-27T10:23:09.633059Z"
    assert record.resources[3].titles == {"en": "Layer", "fr": "Couche"}
    assert record.resources[3].modified == "2021-09-08T20:11:59.615239Z"


def test_missing_licence_and_null_organization() -> None:
    raw = _package(license_id=None, license_title=None, organization=None)
    del raw["license_url"]
    record = _normalise(raw)
    assert (record.licence_id, record.licence_title, record.licence_url, record.organization) == (
        None,
        None,
        None,
        None,
    )


def test_string_booleans_and_none_texts_from_exports() -> None:
    record = _normalise(_package(private="False", url="None", author="None", maintainer="None"))
    assert record.landing_url is None
    assert "dcat:contactPoint" not in record.dcat


def test_deleted_datasets_keep_their_state() -> None:
    assert _normalise(_package(state="deleted")).state == "deleted"


def test_language_uris_and_declared_languages() -> None:
    raw = _package(language=["http://publications.europa.eu/resource/authority/language/ENG"], title="cambio: Stations")
    record = _normalise(raw, default_language="nl")
    assert record.titles == {"en": "cambio: Stations"}
    assert record.languages[0] == "en"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([1, 2], "record: expected a JSON object, got list"),
        ("text", "record: expected a JSON object, got str"),
        (_package(id=None), "field id: missing"),
        ({"name": "x"}, "field id: missing"),
        (_package(id=42), "field id: expected text, got int"),
        (_package(name="  "), "field name: empty"),
        (_package(title=["a"]), "field title: expected text, got list"),
        (_package(title_translated={"en": 3}), "field title_translated.en: expected text, got int"),
        (_package(tags="a,b", resources={"id": 1}), "field resources: expected a list, got dict"),
        (_package(resources=["x"]), "field resources[0]: expected an object, got str"),
        (_package(tags=[{"vocabulary_id": None}]), "field tags[0]: tag object without a name"),
        (_package(tags=[3]), "field tags[0]: expected a tag, got int"),
        (_package(tags=5), "field tags: expected a list of tags, got int"),
        (_package(extras="x"), "field extras: expected a list or an object, got str"),
        (_package(extras=[{"value": 1}]), "field extras[0]: expected an object with a text key"),
        (_package(organization=[]), "field organization: expected an object, got list"),
        (_package(organization={"title": "x"}), "field organization: neither a name nor an id"),
        (_package(groups="health"), "field groups: expected a list, got str"),
        (_package(groups=[1]), "field groups[0]: expected an object or a name, got int"),
        (_package(metadata_modified="last week"), "field metadata_modified: not an ISO 8601 timestamp: 'last week'"),
        (_package(metadata_modified=20200101), "field metadata_modified: expected an ISO 8601 timestamp, got int"),
        (_package(private=True), "field private: the dataset is private"),
        (_package(state="draft"), "field state: 'draft' datasets are not published"),
        (_package(license_id={"id": "x"}), "field license_id: expected text, got dict"),
    ],
)
def test_malformed_records_are_rejected_with_the_field(raw: object, message: str) -> None:
    with pytest.raises(RecordInvalid) as caught:
        _normalise(raw)
    assert str(caught.value) == message


def test_a_bad_default_language_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="default_language"):
        _normalise(_package(), default_language="not a language")


def test_normalising_is_deterministic() -> None:
    first = _normalise(_package(extras={"b": "2", "a": "1"}))
    second = _normalise(_package(extras=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]))
    assert first == second
    assert first.content_hash == second.content_hash
