"""The search tests' graph: the demo catalog, the Guangdong service items and the Taiwan depositar datasets, loaded
with the real loaders and linked by the real linker, then indexed through ``navigator.search_feed``."""

from __future__ import annotations

from pathlib import Path

import neo4j

from graph.admin import wipe_graph
from graph.catalog import DEMO_CATALOG
from graph.datasets import HarvestSource, load_snapshot
from graph.linker import link_datasets
from graph.loader import load_catalog
from graph.migrations import migrate
from graph.service_items import load_service_items
from navigator import search_feed
from navigator.search import IndexReport, open_index
from tests import conftest
from tests.integration.test_datasets import HARVESTED_AT, shared_items
from tests.shared_data import shared_data_dir

SERVICE_ITEMS = Path("life-events/cn-guangdong-service-items/service_items.jsonl")
TAIWAN = "tw-depositar"


def load_search_corpus(driver: neo4j.Driver) -> None:
    """Wipe the graph and load the three sources (the session's demo graph is reloaded by the next test needing it)."""
    conftest._graph_state["seeded"] = False
    wipe_graph(driver)
    migrate(driver)
    catalog = load_catalog(driver, DEMO_CATALOG)
    assert not catalog.problems, catalog.problems
    load_service_items(driver, shared_data_dir() / SERVICE_ITEMS)
    report = load_snapshot(driver, shared_items(TAIWAN), HarvestSource(portal=TAIWAN, harvested_at=HARVESTED_AT))
    assert report.new > 1800, report.summary()
    link_datasets(driver, portal=TAIWAN)


def build_index(driver: neo4j.Driver, path: Path) -> IndexReport:
    """A fresh index of the whole graph in ``path``."""
    with open_index(path) as index:
        return search_feed.rebuild_index(index, driver)
