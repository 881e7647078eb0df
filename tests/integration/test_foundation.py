"""The foundation against the real Neo4j the project starts: server CLI, migrations, catalog and service-item loads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import neo4j

from graph.admin import graph_counts
from graph.catalog import DEMO_CATALOG
from graph.loader import load_catalog
from graph.migrations import load_migrations, migrate, pending_migrations
from graph.service_items import load_service_items
from navigator.neo4j_server import ServerStatus
from navigator.settings import PROJECT_ROOT, Settings
from tests.shared_data import shared_data_dir


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NAVIGATOR_VAR_DIR": str(settings.var_dir),
        "NAVIGATOR_NEO4J_BOLT_PORT": str(settings.neo4j_bolt_port),
        "NAVIGATOR_MAVEN_REPO": str(settings.maven_repo_dir),
        "NAVIGATOR_NEO4J_HEAP": settings.neo4j_heap,
        "NAVIGATOR_NEO4J_PAGECACHE": settings.neo4j_pagecache,
    }
    env.pop("NAVIGATOR_NEO4J_URI", None)
    return subprocess.run(
        [sys.executable, "-m", "navigator", *args], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT,
        timeout=300, check=False,
    )


def _count(driver: neo4j.Driver, query: str) -> int:
    records, _, _ = driver.execute_query(query)
    return int(records[0][0])


def test_status_prints_bolt_uri_and_version(neo4j_instance: ServerStatus, test_settings: Settings) -> None:
    done = _cli(test_settings, "neo4j", "status")
    assert done.returncode == 0, done.stderr
    assert f"bolt://127.0.0.1:{test_settings.neo4j_bolt_port}" in done.stdout
    assert "Neo4j 5.26." in done.stdout and "community" in done.stdout


def test_start_when_running_is_success_and_keeps_the_same_process(
    neo4j_instance: ServerStatus, test_settings: Settings
) -> None:
    done = _cli(test_settings, "neo4j", "start")
    assert done.returncode == 0, done.stderr
    assert f"pid {neo4j_instance.pid}" in done.stdout


def test_migrations_are_idempotent(clean_graph: neo4j.Driver) -> None:
    assert pending_migrations(clean_graph) == []
    constraints_before = _count(clean_graph, "SHOW CONSTRAINTS YIELD name RETURN count(*)")
    assert migrate(clean_graph) == []
    assert _count(clean_graph, "SHOW CONSTRAINTS YIELD name RETURN count(*)") == constraints_before
    expected = sum(1 for m in load_migrations() for s in m.statements if s.startswith("CREATE CONSTRAINT"))
    assert constraints_before == expected


def test_loading_the_demo_catalog_twice_leaves_identical_counts(clean_graph: neo4j.Driver) -> None:
    first = load_catalog(clean_graph, DEMO_CATALOG)
    assert first.problems == [] and first.created > 0 and first.updated == 0
    counts = graph_counts(clean_graph)
    second = load_catalog(clean_graph, DEMO_CATALOG)
    assert (second.created, second.updated, second.rejected) == (0, 0, 0)
    assert second.unchanged == first.created
    assert graph_counts(clean_graph) == counts
    assert counts["node:Service"] >= 120
    assert counts["node:LifeStage"] >= 8 and counts["node:LifeEvent"] >= 30 and counts["node:Bundle"] >= 10
    assert counts["relationship:REQUIRES"] > 0 and counts["relationship:PRODUCES"] > 0


def test_cli_load_catalog_then_count_services(clean_graph: neo4j.Driver, test_settings: Settings) -> None:
    done = _cli(test_settings, "load", "catalog")
    assert done.returncode == 0, done.stderr
    assert "created" in done.stdout and "0 rejected" in done.stdout
    assert _count(clean_graph, "MATCH (s:Service) RETURN count(s)") >= 120
    again = _cli(test_settings, "load", "catalog")
    assert " 0 created, 0 updated," in again.stdout


def test_a_changed_service_is_updated_and_its_links_replaced(clean_graph: neo4j.Driver, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(DEMO_CATALOG, catalog)
    load_catalog(clean_graph, catalog)
    services = next(p for p in sorted((catalog / "services").glob("*.yaml")) if "requires:" in p.read_text())
    text = services.read_text(encoding="utf-8")
    service_id = text.split("- id:", 1)[1].split("\n", 1)[0].strip()
    before = _count(clean_graph, f"MATCH (:Service {{id: '{service_id}'}})-[r]->() RETURN count(r)")
    services.write_text(text.replace("processingDays:", "processingDays: 99 #", 1), encoding="utf-8")
    report = load_catalog(clean_graph, catalog)
    assert (report.created, report.updated) == (0, 1)
    assert _count(clean_graph, f"MATCH (s:Service {{id: '{service_id}'}}) RETURN s.processingDays") == 99
    assert _count(clean_graph, f"MATCH (:Service {{id: '{service_id}'}})-[r]->() RETURN count(r)") == before


def test_a_bad_catalog_file_is_reported_and_nothing_of_it_is_written(
    clean_graph: neo4j.Driver, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(DEMO_CATALOG, catalog)
    (catalog / "zz-extra.yaml").write_text(
        "services:\n"
        "  - id: extra-fine-service\n"
        "    name: {zh: 额外服务, en: Extra service}\n"
        "    events: [" + _first_event_id() + "]\n"
        "  - id: extra-broken-service\n"
        "    name: {zh: 坏服务, en: Broken service}\n"
        "    events: [" + _first_event_id() + "]\n"
        "    requires: [no-such-document]\n",
        encoding="utf-8",
    )
    report = load_catalog(clean_graph, catalog)
    assert [str(p) for p in report.problems] == [
        "zz-extra.yaml:5: service 'extra-broken-service' requires unknown 'no-such-document'"
    ]
    assert _count(clean_graph, "MATCH (s:Service) WHERE s.id STARTS WITH 'extra-' RETURN count(s)") == 0
    assert _count(clean_graph, "MATCH (s:Service) RETURN count(s)") >= 120


def _first_event_id() -> str:
    text = (DEMO_CATALOG / "events.yaml").read_text(encoding="utf-8")
    return text.split("- id:", 1)[1].split("\n", 1)[0].strip()


def test_guangdong_service_items_import(demo_graph: neo4j.Driver) -> None:
    source = shared_data_dir() / "life-events" / "cn-guangdong-service-items" / "service_items.jsonl"
    lines = sum(1 for line in source.read_text(encoding="utf-8").splitlines() if line.strip())
    report = load_service_items(demo_graph, source)
    try:
        assert report.created + report.updated + report.unchanged >= 2200
        assert report.rejected == len(report.rejected_items)
        assert all(reason.startswith("line ") and ": " in reason for _, reason in report.rejected_items)
        imported = _count(demo_graph, "MATCH (s:Service {source: 'service-items'}) RETURN count(s)")
        assert imported >= 2200 and imported + report.rejected == lines
        with_evidence = _count(
            demo_graph, "MATCH (s:Service {source: 'service-items'}) WHERE (s)-[:REQUIRES]->() RETURN count(s)"
        )
        assert with_evidence >= 800
        # Materials are deduplicated by normalised name, and reuse the catalog's documents of the same name.
        assert _count(
            demo_graph,
            "MATCH (e:Evidence) WITH e.normName AS n, count(*) AS c WHERE c > 1 RETURN count(n)",
        ) == 0
        assert _count(
            demo_graph,
            "MATCH (s:Service {source: 'service-items'})-[:REQUIRES]->(e:Evidence) "
            "WHERE NOT e.id STARTS WITH 'ev-' RETURN count(DISTINCT s)",
        ) > 0
        assert _count(
            demo_graph, "MATCH (s:Service {source: 'service-items'})-[:GROUPED_BY]->(:LifeEvent) RETURN count(s)"
        ) > 0
        counts = graph_counts(demo_graph)
        again = load_service_items(demo_graph, source)
        assert (again.created, again.updated) == (0, 0)
        assert graph_counts(demo_graph) == counts
    finally:
        demo_graph.execute_query("MATCH (s:Service {source: 'service-items'}) DETACH DELETE s")
        demo_graph.execute_query("MATCH (e:Evidence) WHERE e.id STARTS WITH 'ev-' DETACH DELETE e")
        demo_graph.execute_query("MATCH (a:Agency) WHERE a.id STARTS WITH 'agency-' DETACH DELETE a")


def test_bad_service_items_are_rejected_with_reasons(clean_graph: neo4j.Driver, tmp_path: Path) -> None:
    source = tmp_path / "items.jsonl"
    source.write_text(
        '{"TASK_CODE": "11440000ABC", "TASK_NAME": "好事项", "handle_time_limit": "7(工作日)", '
        '"visit_number": "1", "material_intro": ["居民身份证", "居民身份证 "], "DEPT_NAME": "某局"}\n'
        "{not json\n"
        '{"TASK_CODE": "", "TASK_NAME": "没有编码"}\n'
        '{"TASK_CODE": "11440000DEF", "TASK_NAME": "坏时限", "handle_time_limit": "很快"}\n'
        '{"TASK_CODE": "11440000ABC", "TASK_NAME": "重复"}\n'
        "[1, 2]\n",
        encoding="utf-8",
    )
    report = load_service_items(clean_graph, source)
    reasons = [reason for _, reason in report.rejected_items]
    assert reasons == [
        "line 2: not valid JSON: Expecting property name enclosed in double quotes",
        "line 3: TASK_CODE '' is missing or not an item code",
        "line 4 (11440000DEF): handle_time_limit '很快' is not a time limit like '7(工作日)'",
        "line 5 (11440000ABC): duplicate of line 1",
        "line 6: not a JSON object",
    ]
    records, _, _ = clean_graph.execute_query(
        "MATCH (s:Service)-[:REQUIRES]->(e:Evidence) RETURN s.id AS id, s.processingDays AS days, count(e) AS docs"
    )
    assert [(r["id"], r["days"], r["docs"]) for r in records] == [("item-11440000abc", 7, 1)]
