"""The search index while the product runs: a harvest's datasets reach a running API, and an indexer killed
mid-write leaves an index that opens and answers.

Everything goes through the command line a deployment uses (``navigator serve``, ``navigator harvest``, ``navigator
index rebuild|update``) in subprocesses, against the session's Neo4j and an index folder of the test's own.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import neo4j
import pytest

from graph.catalog import DEMO_CATALOG
from graph.datasets import HarvestSource, load_snapshot
from graph.loader import load_catalog
from navigator.search import open_index, storage
from navigator.settings import PROJECT_ROOT, Settings
from tests.integration.test_datasets import HARVESTED_AT, shared_items

SEARCH = """query($q: String!) { search(query: $q, kinds: [DATASET]) {
  totalCount edges { node { ... on Dataset { identifier title } } } } }"""


def _env(settings: Settings, index_dir: Path) -> dict[str, str]:
    env = {
        **os.environ, "NAVIGATOR_VAR_DIR": str(settings.var_dir), "NAVIGATOR_MAVEN_REPO": str(settings.maven_repo_dir),
        "NAVIGATOR_NEO4J_BOLT_PORT": str(settings.neo4j_bolt_port), "NAVIGATOR_INDEX_DIR": str(index_dir),
    }  # fmt: skip
    env.pop("NAVIGATOR_NEO4J_URI", None)
    return env


def navigator(settings: Settings, index_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "navigator", *args], capture_output=True, text=True, cwd=PROJECT_ROOT,
        env=_env(settings, index_dir), timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(settings: Settings, index_dir: Path, log_path: Path) -> Iterator[str]:
    """``navigator serve`` in a subprocess; yields its URL once /readyz says the search index is open."""
    port = _free_port()
    env = {**_env(settings, index_dir), "NAVIGATOR_HOST": "127.0.0.1", "NAVIGATOR_PORT": str(port)}
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "navigator", "serve"], cwd=PROJECT_ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            with contextlib.suppress(httpx.HTTPError):
                ready = httpx.get(url + "/readyz", timeout=2)
                if ready.status_code == 200 and ready.json()["checks"]["search"]["status"] == "ok":
                    break
            assert time.monotonic() < deadline, "the server did not come up: " + log_path.read_text()
            time.sleep(0.2)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def api_search(url: str, query: str) -> dict[str, Any]:
    response = httpx.post(url + "/graphql", json={"query": SEARCH, "variables": {"q": query}}, timeout=10)
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["search"]
    return result


def _package(ckan_id: str, title: str, notes: str) -> dict[str, Any]:
    return {
        "id": ckan_id, "name": ckan_id, "title": title, "notes": notes, "state": "active", "private": False,
        "type": "dataset", "license_id": "cc-by", "metadata_modified": "2026-11-20T08:00:00.000000",
        "organization": {"id": "org-birds", "name": "bird-survey", "title": "Coastal Bird Survey"},
        "tags": [{"name": "spoonbill"}, {"name": "wetland"}],
        "resources": [{"id": f"{ckan_id}-csv", "name": "counts.csv", "format": "CSV", "url": "https://x.example/c"}],
    }  # fmt: skip


def test_a_harvest_reaches_a_running_api_within_seconds(
    clean_graph: neo4j.Driver, test_settings: Settings, tmp_path: Path
) -> None:
    load_catalog(clean_graph, DEMO_CATALOG)
    index_dir = tmp_path / "index"
    navigator(test_settings, index_dir, "index", "rebuild")
    dump = tmp_path / "birds.jsonl"
    dump.write_text("\n".join(json.dumps(p) for p in (
        _package("spoonbill-counts", "Black-faced spoonbill winter counts", "Counts of spoonbills on the coast."),
        _package("wetland-birds", "Wetland bird census", "Birds of the coastal wetlands, with spoonbills."),
    )) + "\n", encoding="utf-8")  # fmt: skip
    with serving(test_settings, index_dir, tmp_path / "server.log") as url:
        assert api_search(url, "spoonbill")["totalCount"] == 0
        navigator(test_settings, index_dir, "harvest", str(dump), "--portal", "birds", "--language", "en")
        harvested = time.monotonic()
        while (found := api_search(url, "spoonbill"))["totalCount"] < 2:
            assert time.monotonic() - harvested < 5, "the running API did not see the harvest within 5 s"
            time.sleep(0.1)
        seen_after = time.monotonic() - harvested
    print(f"\nthe running API saw the harvest {seen_after:.2f} s after it finished")
    assert found["edges"][0]["node"]["identifier"] == "birds:spoonbill-counts"


@pytest.fixture
def taiwan_graph(clean_graph: neo4j.Driver) -> neo4j.Driver:
    """The demo catalog and the Taiwan datasets: an index of about 2,100 documents takes seconds to write."""
    load_catalog(clean_graph, DEMO_CATALOG)
    report = load_snapshot(clean_graph, shared_items("tw-depositar"),
                           HarvestSource(portal="tw-depositar", harvested_at=HARVESTED_AT))  # fmt: skip
    assert report.new > 1800
    return clean_graph


def _kill_when(process: subprocess.Popen[str], ready: Any, *, then: float) -> None:
    deadline = time.monotonic() + 120
    while not ready():
        assert process.poll() is None, "the indexer finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(then)
    assert process.poll() is None, "the indexer finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()


def _held(lock_file: Path) -> bool:
    """Whether another process holds whoosh's writer lock (a flock on this file, which outlives its holder)."""
    if not lock_file.exists():
        return False
    with lock_file.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def _indexer(settings: Settings, index_dir: Path, action: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "navigator", "index", action], cwd=PROJECT_ROOT,
                            env=_env(settings, index_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            text=True)  # fmt: skip


@pytest.mark.shared
def test_an_indexer_killed_mid_write_leaves_an_index_that_opens_and_answers(
    taiwan_graph: neo4j.Driver, test_settings: Settings, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    navigator(test_settings, index_dir, "index", "rebuild")
    with open_index(index_dir, create=False) as index:
        documents, generation = index.doc_count(), index.generation
        before = [hit.key for hit in index.search("黑面琵鷺", limit=5).hits]
    assert documents > 2000 and before

    # A rebuild killed while it writes its new generation: the live one is untouched.
    rebuild = _indexer(test_settings, index_dir, "rebuild")
    _kill_when(rebuild, lambda: any(index_dir.glob("build-*/*")), then=1.0)
    assert rebuild.returncode == -signal.SIGKILL
    with open_index(index_dir, create=False) as index:
        assert (index.generation, index.doc_count()) == (generation, documents)
        assert [hit.key for hit in index.search("黑面琵鷺", limit=5).hits] == before

    # An update killed while its writer is open (every dataset changed): the commit never happened.
    taiwan_graph.execute_query("MATCH (d:Dataset) SET d.contentHash = d.contentHash + '-changed'")
    assert generation is not None
    update = _indexer(test_settings, index_dir, "update")
    _kill_when(update, lambda: _held(index_dir / generation / "MAIN_WRITELOCK"), then=1.0)
    with open_index(index_dir, create=False) as index:
        assert index.doc_count() == documents
        assert [hit.key for hit in index.search("黑面琵鷺", limit=5).hits] == before
        stale = index.versions("dataset")

    # Both run again to the end: the left-over build folder is cleared, every dataset written anew.
    navigator(test_settings, index_dir, "index", "update")
    with open_index(index_dir, create=False) as index:
        fresh = index.versions("dataset")
        assert set(fresh) == set(stale) and all(fresh[i] != stale[i] for i in fresh)
        assert index.search("黑面琵鷺", limit=5).total > 0
    navigator(test_settings, index_dir, "index", "rebuild")
    assert not list(index_dir.glob(storage._BUILD_PREFIX + "*"))
    with open_index(index_dir, create=False) as index:
        assert index.doc_count() == documents and index.generation != generation
