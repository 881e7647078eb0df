"""The search feed's mapping from graph entries to documents (no Neo4j: entries are built by hand)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from graph.model import Text
from graph.reads_search import CatalogEntry, DatasetEntry, LinkedEvent, dataset_version
from navigator.search import IndexLocked
from navigator.search_feed import FEED_VERSION, catalog_document, dataset_document, refresh_after_link_change


def test_a_service_carries_its_documents_and_agency_in_both_languages() -> None:
    entry = CatalogEntry(
        kind="service", id="marriage-registration", name=Text(zh="结婚登记", en="Marriage registration"),
        description=Text(zh="双方亲自到婚姻登记处办理。"),
        related=(Text(zh="居民身份证", en="Resident identity card"), Text(zh="居民户口簿")),
        agency=Text(zh="区民政局", en="District civil affairs bureau"), event_ids=("getting-married",),
    )  # fmt: skip
    doc = catalog_document(entry)
    assert doc.key == "service:marriage-registration"
    assert dict(doc.titles) == {"en": "Marriage registration", "zh-Hans": "结婚登记"}
    assert dict(doc.descriptions) == {"zh-Hans": "双方亲自到婚姻登记处办理。"}
    assert dict(doc.keywords) == {
        "zh-Hans": ("居民身份证", "居民户口簿", "区民政局"),
        "en": ("Resident identity card", "District civil affairs bureau"),
    }
    assert doc.organisation == "区民政局" and doc.life_events == ("getting-married",)
    assert doc.version == FEED_VERSION


def test_a_dataset_carries_tags_organisation_formats_licence_and_approved_links() -> None:
    links = (
        LinkedEvent(event_id="having-a-baby", status="approved", name=Text(zh="生育", en="Having a baby")),
        LinkedEvent(event_id="retiring", status="suggested", name=Text(zh="退休", en="Retiring")),
        LinkedEvent(event_id="moving-house", status="rejected", name=Text(zh="迁居", en="Moving house")),
    )
    entry = DatasetEntry(
        id="tw-depositar:abc", portal="tw-depositar", state="active",
        titles={"zh-hant": "清代臺灣人口統計", "en": "Population of Qing Taiwan"}, descriptions={"und": "1684-1895"},
        organisation="GIS Center", organisation_titles={"zh-hant": "中研院人社中心GIS專題中心"},
        groups=({"en": "History"},), tags=(("zh-hant", "人口"), ("en", "census")), formats=("CSV", "SHP"),
        licence="CC-BY-4.0", links=links, modified="2024-03-01T10:00:00.000Z", version="v1",
    )  # fmt: skip
    doc = dataset_document(entry)
    assert doc.key == "dataset:tw-depositar:abc"
    assert dict(doc.titles) == {"en": "Population of Qing Taiwan", "zh-Hant": "清代臺灣人口統計"}
    assert dict(doc.keywords) == {
        "zh-Hant": ("人口", "中研院人社中心GIS專題中心"),
        "en": ("census", "History", "Having a baby"),
        "zh-Hans": ("生育",),
    }
    assert (doc.organisation, doc.portal, doc.licence) == ("GIS Center", "tw-depositar", "CC-BY-4.0")
    assert doc.formats == ("CSV", "SHP")
    assert doc.life_events == ("having-a-baby", "retiring")  # what the public sees: approved and suggested
    assert doc.updated == datetime(2024, 3, 1, 10, tzinfo=UTC)
    assert doc.version == f"{FEED_VERSION}/v1"


def test_the_dataset_version_follows_what_the_index_holds() -> None:
    row: dict[str, Any] = {
        "props": {"id": "p:a", "contentHash": "h1", "loadVersion": "dataset-v1", "state": "active", "title": "T"},
        "organization": {"name": "org", "title": "Org"}, "groups": [], "tags": [],
        "links": [{"eventId": "e", "status": "suggested", "nameZh": "生育", "nameEn": "Baby"}],
    }  # fmt: skip
    same = dataset_version(row)
    assert dataset_version({**row, "tags": ["ignored: the content hash covers tags"]}) == same
    assert dataset_version({**row, "links": [{**row["links"][0], "status": "approved"}]}) != same
    assert dataset_version({**row, "organization": {"name": "org", "title": "Renamed"}}) != same
    assert dataset_version({**row, "props": {**row["props"], "contentHash": "h2"}}) != same


class _Reader:
    async def records(self, query: str, params: dict[str, Any] | None = None) -> list[Any]:
        return []


class _LockedIndex:
    def update(self, *args: Any, **kwargs: Any) -> Any:
        raise IndexLocked("a rebuild holds the index")


def test_a_link_change_refresh_never_fails_the_request(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        await refresh_after_link_change(_LockedIndex(), _Reader(), "p:a", wait=1.0)  # type: ignore[arg-type]
        await refresh_after_link_change(None, _Reader(), "p:a")  # type: ignore[arg-type]

    asyncio.run(scenario())
    assert "was not refreshed (IndexLocked: a rebuild holds the index)" in caplog.text
