"""Feeding the index from the real graph: rebuild, catalog replaced, datasets synchronised by version, a few by id,
and what a load does when the index is missing."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from graph.catalog import DEMO_CATALOG
from graph.loader import load_catalog
from graph.session import GraphReader
from navigator import search_feed
from navigator.database import open_async_driver
from navigator.search import KINDS, SearchIndex, open_index
from navigator.settings import Settings
from tests.integration.test_graphql_search import DATASETS


@pytest.fixture
def fed(clean_graph: neo4j.Driver, tmp_path: Path) -> Iterator[tuple[neo4j.Driver, SearchIndex]]:
    """The demo catalog and two datasets, indexed."""
    load_catalog(clean_graph, DEMO_CATALOG)
    clean_graph.execute_query(DATASETS)
    with open_index(tmp_path / "index") as index:
        report = search_feed.rebuild_index(index, clean_graph)
        assert report.documents == sum(len(index.versions(kind)) for kind in KINDS)
        yield clean_graph, index


def keys(index: SearchIndex, query: str) -> list[str]:
    return [hit.key for hit in index.search(query, facets=False).hits]


def test_the_whole_graph_is_indexed(fed: tuple[neo4j.Driver, SearchIndex]) -> None:
    driver, index = fed
    records, _, _ = driver.execute_query(
        "MATCH (n) WHERE n:LifeStage OR n:LifeEvent OR n:Service OR n:Bundle OR n:Dataset RETURN count(n) AS n"
    )
    assert index.doc_count() == records[0]["n"]
    assert set(index.versions("dataset")) == {"city:births", "city:clinics"}
    assert keys(index, "结婚登记")[0] == "service:marriage-registration"


def test_a_sync_writes_what_changed_and_removes_what_left(fed: tuple[neo4j.Driver, SearchIndex]) -> None:
    driver, index = fed
    assert search_feed.sync_datasets(index, driver).added == 0  # nothing changed: nothing written
    driver.execute_query("MATCH (d:Dataset {id: 'city:clinics'}) SET d.state = 'withdrawn'")
    driver.execute_query(
        "MATCH (d:Dataset {id: 'city:births'})-[l:RELEVANT_TO]->() SET l.status = 'approved', d.title = 'Newborns'"
    )
    report = search_feed.sync_datasets(index, driver)
    assert (report.added, report.deleted) == (1, 1)
    assert set(index.versions("dataset")) == {"city:births"}
    assert keys(index, "having a baby") and "dataset:city:births" in keys(index, "having a baby")


def test_the_catalog_is_replaced_whole(fed: tuple[neo4j.Driver, SearchIndex]) -> None:
    driver, index = fed
    driver.execute_query("MATCH (s:Service {id: 'marriage-registration'}) DETACH DELETE s")
    services = len(index.versions("service"))
    search_feed.update_catalog(index, driver)
    assert len(index.versions("service")) == services - 1
    assert "service:marriage-registration" not in keys(index, "结婚登记")
    assert set(index.versions("dataset")) == {"city:births", "city:clinics"}  # untouched


def test_a_few_datasets_by_id_from_the_web_process(
    fed: tuple[neo4j.Driver, SearchIndex], test_settings: Settings
) -> None:
    driver, index = fed
    driver.execute_query("MATCH (d:Dataset {id: 'city:clinics'}) SET d.title = 'Immunisation points'")

    async def refresh() -> None:
        async_driver = open_async_driver(test_settings)
        try:
            reader = GraphReader(async_driver, test_settings.query_timeout, test_settings.neo4j_database)
            await search_feed.refresh_datasets(index, reader, ["city:clinics", "city:gone"])
        finally:
            await async_driver.close()

    asyncio.run(refresh())
    assert keys(index, "immunisation points")[0] == "dataset:city:clinics"


def test_a_load_builds_a_missing_index_whole_and_never_raises(
    clean_graph: neo4j.Driver, test_settings: Settings, tmp_path: Path
) -> None:
    load_catalog(clean_graph, DEMO_CATALOG)
    settings = dataclasses.replace(test_settings, index_dir=tmp_path / "fresh")
    report = search_feed.update_index_after_load(settings, clean_graph, catalog=True)
    assert report is not None and report.documents > 200 and report.generation == "gen-000002"  # built whole
    blocked = dataclasses.replace(test_settings, index_dir=tmp_path / "file")
    blocked.search_index_dir.write_text("not a folder")
    assert search_feed.update_index_after_load(blocked, clean_graph, catalog=True) is None
