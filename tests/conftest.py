"""Session fixtures: the project's own Neo4j, started once for the test session on its own port and folder.

Read-only tests use ``demo_graph`` (migrated, demo catalog loaded once and reloaded only after a test wiped it);
tests that write use ``clean_graph`` (an empty, migrated graph of their own).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from graph.admin import wipe_graph
from graph.catalog import DEMO_CATALOG
from graph.loader import load_catalog
from graph.migrations import migrate
from navigator import neo4j_server
from navigator.database import open_driver
from navigator.observability import reset_label_bounds
from navigator.settings import PROJECT_ROOT, Settings

_graph_state = {"seeded": False}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def _fresh_metric_label_bounds() -> None:
    """Each test starts with the per-process label bounds empty, as a new server process would (the fuzzer alone
    sends more than 100 operation names)."""
    reset_label_bounds()


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of the test session: a Neo4j of its own under var/test, Maven cache shared with development."""
    var_dir = Path(os.environ.get("NAVIGATOR_TEST_VAR_DIR", PROJECT_ROOT / "var" / "test"))
    return Settings(
        var_dir=var_dir,
        neo4j_bolt_port=int(os.environ.get("NAVIGATOR_TEST_BOLT_PORT", "0")) or _free_port(),
        maven_repo=PROJECT_ROOT / "var" / "cache" / "m2",
        neo4j_heap="1g",
        neo4j_pagecache="512m",
        index_dir=tmp_path_factory.mktemp("index"),
        # Tests change the catalog and links between requests and expect the next journey to show it; the kept
        # data's max age is tested on its own (test_journey_cache.py).
        journey_cache_seconds=0.0,
    )


@pytest.fixture(scope="session")
def neo4j_instance(test_settings: Settings) -> Iterator[neo4j_server.ServerStatus]:
    """The real Neo4j 5.26 the project starts; stopped cleanly at the end of the session."""
    neo4j_server.stop(test_settings)
    state = neo4j_server.start(test_settings)
    try:
        yield state
    finally:
        neo4j_server.stop(test_settings)


@pytest.fixture(scope="session")
def driver(neo4j_instance: neo4j_server.ServerStatus, test_settings: Settings) -> Iterator[neo4j.Driver]:
    with open_driver(test_settings) as drv:
        migrate(drv)
        yield drv


@pytest.fixture
def clean_graph(driver: neo4j.Driver) -> neo4j.Driver:
    """An empty, migrated graph for a test that writes."""
    _graph_state["seeded"] = False
    wipe_graph(driver)
    migrate(driver)
    return driver


@pytest.fixture
def demo_graph(driver: neo4j.Driver) -> neo4j.Driver:
    """The demo catalog, loaded once and shared by read-only tests (reloaded after a writing test)."""
    if not _graph_state["seeded"]:
        wipe_graph(driver)
        migrate(driver)
        report = load_catalog(driver, DEMO_CATALOG)
        assert not report.problems, report.problems
        _graph_state["seeded"] = True
    return driver
