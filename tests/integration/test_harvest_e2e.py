"""Harvests end to end: the local CKAN server over real HTTP (or the shared dump files) → snapshot → real Neo4j →
links, through :func:`navigator.harvesting.harvest` and through the ``navigator`` command.

The Taiwan portal is harvested three times (full, nothing changed, 5 changed and 3 deleted); faults the server injects
are retried or end the run with a one-paragraph report and the graph as it was. (That every record of every shared
portal loads or is rejected with a reason is tested where the loader is: tests/integration/test_datasets.py.)
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

from graph.catalog import DEMO_CATALOG
from graph.harvest_runs import recent_runs
from graph.loader import load_catalog
from navigator.harvesting import HarvestFailed, HarvestOutcome, harvest
from navigator.settings import PROJECT_ROOT, Settings
from tests.ckan_server import CkanServer, Fault
from tests.shared_data import shared_data_dir

pytestmark = pytest.mark.shared

TW = "tw-depositar"
TW_LANGUAGE = "zh-Hant"


def _raw_packages(folder: str) -> list[dict[str, Any]]:
    path = shared_data_dir() / "ckan" / folder / "datasets.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


@pytest.fixture(scope="module")
def tw_packages() -> list[dict[str, Any]]:
    return _raw_packages(TW)


@pytest.fixture
def settings(test_settings: Settings, tmp_path: Path) -> Settings:
    """The test Neo4j, snapshots in a folder of the test's own, loopback portals allowed (the test server)."""
    return dataclasses.replace(test_settings, var_dir=tmp_path / "var", harvest_allow_private=True)


@pytest.fixture
def tw_server(tw_packages: list[dict[str, Any]]) -> Iterator[CkanServer]:
    with CkanServer(tw_packages, site_title="depositar") as server:
        yield server


def _cli(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``navigator ARGS`` in a child process against the test Neo4j, with extra ``NAVIGATOR_*`` settings."""
    environment = {
        **os.environ,
        "NAVIGATOR_VAR_DIR": str(settings.var_dir),
        "NAVIGATOR_NEO4J_BOLT_PORT": str(settings.neo4j_bolt_port),
        "NAVIGATOR_MAVEN_REPO": str(settings.maven_repo_dir),
        "NAVIGATOR_NEO4J_HEAP": settings.neo4j_heap,
        "NAVIGATOR_NEO4J_PAGECACHE": settings.neo4j_pagecache,
        "NAVIGATOR_HARVEST_ALLOW_PRIVATE": "true" if settings.harvest_allow_private else "false",
        **env,
    }
    environment.pop("NAVIGATOR_NEO4J_URI", None)
    return subprocess.run(
        [sys.executable, "-m", "navigator", *args], capture_output=True, text=True, env=environment,
        cwd=PROJECT_ROOT, timeout=300, check=False,
    )  # fmt: skip


def _timed_harvest(
    settings: Settings, driver: neo4j.Driver, url: str, portal: str = TW
) -> tuple[HarvestOutcome, float]:
    started = time.perf_counter()
    outcome = harvest(settings, driver, url, portal=portal, default_language=TW_LANGUAGE)
    return outcome, time.perf_counter() - started


def _portal_graph(driver: neo4j.Driver, portal: str) -> dict[str, Any]:
    """Everything the graph holds about a portal's datasets: their properties and each relationship (type, other
    end and the properties of both), as one comparable value. The portal node's own bookkeeping (watermark, last
    run) is not part of it."""
    records, _, _ = driver.execute_query(
        """
        MATCH (d:Dataset) WHERE d.portal = $portal
        RETURN d.id AS id, properties(d) AS props,
               COLLECT {
                 MATCH (d)-[r]-(x)
                 RETURN [type(r), coalesce(x.id, elementId(x)), properties(r),
                         CASE WHEN x:Portal THEN null ELSE properties(x) END]
               } AS links
        """,
        portal=portal,
    )
    return {
        r["id"]: (r["props"], sorted(json.dumps(link, sort_keys=True, default=str) for link in r["links"]))
        for r in records
    }


def _portal_props(driver: neo4j.Driver, portal: str) -> dict[str, Any]:
    records, _, _ = driver.execute_query("MATCH (p:Portal {id: $portal}) RETURN properties(p) AS p", portal=portal)
    return dict(records[0]["p"]) if records else {}


# --- the Taiwan portal, three times ----------------------------------------------------------------------------------


def test_taiwan_portal_full_then_nothing_then_five_changed_and_three_deleted(
    clean_graph: neo4j.Driver, settings: Settings, tw_server: CkanServer, tw_packages: list[dict[str, Any]]
) -> None:
    assert not load_catalog(clean_graph, DEMO_CATALOG).problems  # the life events datasets link to
    first, first_seconds = _timed_harvest(settings, clean_graph, tw_server.url)
    report = first.report
    assert (report.mode, first.method) == ("full", "package_search") and first.linked is not None
    assert report.new + report.rejected == len(tw_packages)
    assert report.new >= 0.95 * len(tw_packages) and (report.updated, report.withdrawn) == (0, 0)
    assert all(r.reason for r in report.rejected_reasons)
    assert first.snapshot.parent == settings.var_dir / "snapshots" and first.snapshot.name.startswith(f"{TW}-")
    before = _portal_graph(clean_graph, TW)
    assert len(before) == report.new
    watermark = _portal_props(clean_graph, TW)["watermark"]
    assert watermark and watermark.startswith("2023-08-07T01:29:52.403")

    requests_before = len(tw_server.requests)
    second, second_seconds = _timed_harvest(settings, clean_graph, tw_server.url)
    assert (second.report.mode, second.since) == ("incremental", watermark)
    assert (second.report.new, second.report.updated, second.report.withdrawn) == (0, 0, 0)
    assert second.report.writes == 0 and second.linked is None
    assert _portal_graph(clean_graph, TW) == before
    # The cheap path: a search for what changed since the watermark, an id listing, no package_show.
    asked = tw_server.requests[requests_before:]
    searches = [r for r in asked if r.action == "package_search"]
    assert any(str(r.params.get("fq", "")).startswith("metadata_modified:[2023-08-07T01:29:52.403Z") for r in searches)
    assert any("fl" in r.params for r in searches)
    assert not [r for r in asked if r.action == "package_show"]
    ratio = second_seconds / first_seconds
    print(f"\nTaiwan portal: first run {first_seconds:.2f} s, second {second_seconds:.3f} s, ratio {ratio:.1%}")
    print(f"  first: {first.summary()}\n    links: {first.linked}\n  second: {second.summary()}")
    assert ratio <= 0.10, (first_seconds, second_seconds)

    loaded = [p for p in tw_packages if f"{TW}:{p['id']}" in before]
    deleted = _most_linked(clean_graph, [p["id"] for p in loaded], 3)
    changed = [p for p in loaded if p["id"] not in deleted][:5]
    for number, package in enumerate(changed):
        tw_server.touch(
            package["id"], f"2024-03-0{number + 1}T08:00:00.{number + 1:06d}", title=f"{package['title']}（修訂版）"
        )
    for ckan_id in deleted:
        tw_server.delete(ckan_id)
    deleted_before = {f"{TW}:{i}": before[f"{TW}:{i}"] for i in deleted}
    assert all(any('"RELEVANT_TO"' in link for link in links) for _, links in deleted_before.values())

    third, _ = _timed_harvest(settings, clean_graph, tw_server.url)
    assert (third.report.new, third.report.updated, third.report.withdrawn) == (0, 5, 3)
    assert third.linked is not None
    after = _portal_graph(clean_graph, TW)
    assert len(after) == len(before)
    for package in changed:
        assert after[f"{TW}:{package['id']}"][0]["title"].endswith("（修訂版）")
    for key, (props, links) in deleted_before.items():
        now_props, now_links = after[key]
        assert now_props["state"] == "withdrawn" and now_props["withdrawnAt"]
        assert {k: v for k, v in now_props.items() if k not in ("state", "withdrawnAt")} == {
            k: v for k, v in props.items() if k not in ("state", "withdrawnAt")
        }
        assert now_links == links  # its resources, tags, organisation, portal and life-event links stay
    unchanged = set(before) - {f"{TW}:{p['id']}" for p in changed} - set(deleted_before)
    assert all(after[key] == before[key] for key in unchanged)
    assert _portal_props(clean_graph, TW)["watermark"].startswith("2024-03-05T08:00:00.000005")

    runs = recent_runs(clean_graph, TW)
    assert [r["status"] for r in runs] == ["succeeded"] * 3
    newest = runs[0]
    assert (newest["new"], newest["updated"], newest["withdrawn"]) == (0, 5, 3)
    assert newest["snapshot"] == str(third.snapshot) and newest["method"] == "package_search"
    assert newest["totalSeconds"] > 0 and newest["linkedAt"]


def _most_linked(driver: neo4j.Driver, ckan_ids: list[str], count: int) -> list[str]:
    """The ``count`` datasets with the most life-event links (then the most relationships): deleting those shows the
    links surviving withdrawal."""
    records, _, _ = driver.execute_query(
        """
        UNWIND $ids AS ckanId
        MATCH (d:Dataset {id: $portal + ':' + ckanId})
        RETURN ckanId, COUNT { (d)-[:RELEVANT_TO]->() } AS events, COUNT { (d)--() } AS links
        ORDER BY events DESC, links DESC, ckanId
        LIMIT $count
        """,
        ids=ckan_ids, portal=TW, count=count,
    )  # fmt: skip
    return [r["ckanId"] for r in records]


def test_a_rerun_after_an_unlinked_load_links_and_a_portal_is_remembered(
    clean_graph: neo4j.Driver, settings: Settings, tw_packages: list[dict[str, Any]]
) -> None:
    """A run that loaded but never linked (killed between the two) leaves its changes to be linked by the next run,
    even when that one finds nothing new. A portal harvested by URL with a language can be harvested by name."""
    with CkanServer(tw_packages[:40]) as server:
        first = harvest(settings, clean_graph, server.url, portal="tw-small", default_language=TW_LANGUAGE)
        assert first.linked is not None
        clean_graph.execute_query("MATCH (r:HarvestRun {portal: 'tw-small'}) REMOVE r.linkedAt")
        # By name: the URL and the language given the first time were remembered.
        second = harvest(settings, clean_graph, None, portal="tw-small")
        assert (second.target.source, second.target.default_language) == (server.url, "zh-hant")
        assert second.report.writes == 0 and second.linked is not None
        third = harvest(settings, clean_graph, server.url, portal="tw-small", default_language=TW_LANGUAGE)
        assert third.linked is None


# --- private addresses ---------------------------------------------------------------------------------------------


def test_a_loopback_portal_is_refused_without_the_setting(
    clean_graph: neo4j.Driver, settings: Settings, tw_server: CkanServer
) -> None:
    refusing = dataclasses.replace(settings, harvest_allow_private=False)
    with pytest.raises(HarvestFailed) as caught:
        harvest(refusing, clean_graph, tw_server.url, portal=TW, default_language=TW_LANGUAGE)
    message = str(caught.value)
    assert "non-public address" in message and "NAVIGATOR_HARVEST_ALLOW_PRIVATE=true" in message
    assert tw_server.requests == []
    assert _portal_graph(clean_graph, TW) == {}
    assert [r["status"] for r in recent_runs(clean_graph, TW)] == ["failed"]

    done = _cli(refusing, "harvest", tw_server.url, "--portal", TW, "--language", TW_LANGUAGE)
    assert done.returncode == 1, done.stdout
    assert "non-public address" in done.stderr and "Traceback" not in done.stderr
    assert tw_server.requests == []


# --- the command: registered portals, faults --------------------------------------------------------------------------


def test_cli_registers_lists_and_harvests_a_portal_by_name(
    clean_graph: neo4j.Driver, settings: Settings, tw_packages: list[dict[str, Any]]
) -> None:
    with CkanServer(tw_packages[:30], site_title="depositar") as server:
        done = _cli(settings, "portals", "add", "tw-cli", server.url, "--language", "zh-Hant")
        assert done.returncode == 0, done.stderr
        done = _cli(settings, "portals", "list")
        assert done.returncode == 0, done.stderr
        assert "tw-cli" in done.stdout and server.url in done.stdout and "zh-hant" in done.stdout

        done = _cli(settings, "harvest", "tw-cli")
        assert done.returncode == 0, done.stderr
        assert "tw-cli: 30 new, 0 updated, 0 unchanged, 0 withdrawn, 0 rejected" in done.stdout
        assert "snapshot:" in done.stdout and "Traceback" not in done.stderr
        assert len(_portal_graph(clean_graph, "tw-cli")) == 30

        done = _cli(settings, "harvest", "tw-cli")
        assert done.returncode == 0, done.stderr
        assert "0 new, 0 updated" in done.stdout and "(incremental, package_search" in done.stdout
        done = _cli(settings, "portals", "list")
        assert "30 active" in done.stdout and "depositar" in done.stdout

        done = _cli(settings, "harvest", "no-such-portal")
        assert done.returncode == 1 and "no portal named 'no-such-portal'" in done.stderr
        assert "Traceback" not in done.stderr


RETRIED = {
    "429 with Retry-After": (Fault(kind="status", status=429, retry_after="1", action="package_search"), {}),
    "500 then success": (Fault(kind="status", status=500, action="package_search"), {}),
    "truncated JSON": (Fault(kind="truncated", action="package_search"), {}),
    "HTML 502 page": (Fault(kind="html", status=502, action="package_search"), {}),
    "slow beyond the timeout": (
        Fault(kind="slow", delay=2.5, action="package_search"), {"NAVIGATOR_HARVEST_TIMEOUT": "1"}
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(RETRIED))
def test_cli_retries_a_passing_fault(
    name: str, clean_graph: neo4j.Driver, settings: Settings, tw_packages: list[dict[str, Any]]
) -> None:
    fault, env = RETRIED[name]
    with CkanServer(tw_packages[:20]) as server:
        server.inject(dataclasses.replace(fault))
        done = _cli(settings, "harvest", server.url, "--portal", "tw-fault", "--language", TW_LANGUAGE, **env)
        assert done.returncode == 0, done.stderr
        assert "tw-fault: 20 new" in done.stdout and "Traceback" not in done.stderr
        faulted = [i for i, r in enumerate(server.requests) if r.fault is not None]
        assert len(faulted) == 1 and server.requests[faulted[0] + 1].action == "package_search"
    assert len(_portal_graph(clean_graph, "tw-fault")) == 20


REPORTED = {
    "429 asking for an hour": (
        Fault(kind="status", status=429, retry_after="3600", action="package_search"), {}, "more than the"
    ),
    "500 every time": (Fault(kind="status", status=500, count=1000), {}, "gave up after 5 attempts"),
    "truncated JSON every time": (Fault(kind="truncated", count=1000), {}, "JSON cut short"),
    "HTML error page": (Fault(kind="html", status=200, count=1000), {}, "not a CKAN API response"),
    "slow every time": (
        Fault(kind="slow", delay=2.0, count=1000), {"NAVIGATOR_HARVEST_TIMEOUT": "0.5"}, "gave up after"
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(REPORTED))
def test_cli_reports_a_lasting_fault_and_keeps_the_graph(
    name: str, clean_graph: neo4j.Driver, settings: Settings, tw_packages: list[dict[str, Any]]
) -> None:
    fault, env, why = REPORTED[name]
    with CkanServer(tw_packages[:20]) as server:
        harvest(settings, clean_graph, server.url, portal="tw-fault", default_language=TW_LANGUAGE)
        before, portal_before = _portal_graph(clean_graph, "tw-fault"), _portal_props(clean_graph, "tw-fault")
        server.touch(tw_packages[0]["id"], "2024-05-01T00:00:00.000001", title="changed")
        server.delete(tw_packages[1]["id"])
        server.inject(dataclasses.replace(fault))
        done = _cli(settings, "harvest", server.url, "--portal", "tw-fault", **env)
    assert done.returncode == 1, done.stdout
    assert "Traceback" not in done.stderr
    error = [line for line in done.stderr.splitlines() if line.startswith("navigator: error:")]
    assert len(error) == 1, done.stderr
    assert f"Harvest of portal 'tw-fault' from {server.url} failed after" in error[0]
    assert why in error[0] and "Nothing was loaded" in error[0] and portal_before["watermark"] in error[0]
    assert _portal_graph(clean_graph, "tw-fault") == before
    portal_after = _portal_props(clean_graph, "tw-fault")
    assert (portal_after["watermark"], portal_after["lastSuccessfulRunAt"]) == (
        portal_before["watermark"], portal_before["lastSuccessfulRunAt"]
    )  # fmt: skip
    runs = recent_runs(clean_graph, "tw-fault")
    assert [r["status"] for r in runs] == ["failed", "succeeded"] and why in runs[0]["error"]


def test_cli_reports_a_portal_that_is_gone(
    clean_graph: neo4j.Driver, settings: Settings, tw_packages: list[dict[str, Any]]
) -> None:
    with CkanServer(tw_packages[:5]) as server:
        url = server.url
    done = _cli(settings, "harvest", url, "--portal", "tw-gone", "--language", "zh-Hant")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"Harvest of portal 'tw-gone' from {url} failed" in done.stderr and "is still unset" in done.stderr


def test_cli_harvests_a_dump_file_and_reports_what_it_rejected(
    clean_graph: neo4j.Driver, settings: Settings, tw_packages: list[dict[str, Any]], tmp_path: Path
) -> None:
    dump = tmp_path / "dump.jsonl"
    lines = [json.dumps(p, ensure_ascii=False) for p in tw_packages[:3]]
    lines += ["{cut short", json.dumps({"id": "private-one", "name": "private-one", "private": True}), ""]
    dump.write_text("\n".join(lines), encoding="utf-8")
    done = _cli(settings, "harvest", str(dump), "--portal", "tw-dump", "--language", "zh-Hant")
    assert done.returncode == 0, done.stderr
    assert "tw-dump: 3 new, 0 updated, 0 unchanged, 0 withdrawn, 2 rejected" in done.stdout
    assert "(full, dump;" in done.stdout and "  rejected line 4: invalid JSON" in done.stdout
    assert "  rejected private-one: field private" in done.stdout
    run = recent_runs(clean_graph, "tw-dump")[0]
    assert run["rejected"] == 2 and [r["ref"] for r in run["rejectedReasons"]] == ["line 4", "private-one"]
    assert len(_portal_graph(clean_graph, "tw-dump")) == 3

    dump.write_text("\n".join(lines[1:3]), encoding="utf-8")  # the first dataset is gone from the portal's dump
    done = _cli(settings, "harvest", str(dump), "--portal", "tw-dump", "--language", "zh-Hant")
    assert done.returncode == 0, done.stderr
    assert "tw-dump: 0 new, 0 updated, 2 unchanged, 1 withdrawn, 0 rejected" in done.stdout
    gone = _portal_graph(clean_graph, "tw-dump")[f"tw-dump:{tw_packages[0]['id']}"][0]
    assert gone["state"] == "withdrawn"
