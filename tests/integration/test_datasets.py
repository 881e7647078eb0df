"""Loading dataset records into the real Neo4j: every shared portal, idempotence, change / withdraw / reappear,
the watermark, and a load killed at random points then re-run ending with the graph an uninterrupted load gives."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

from graph.datasets import HarvestSource, Rejected, load_snapshot
from graph.harvest_runs import portal_state, recent_runs
from navigator.settings import PROJECT_ROOT, Settings
from opendata.errors import RecordInvalid
from opendata.normalise import normalise_package
from opendata.records import DatasetRecord
from opendata.snapshot import SnapshotHeader, write_snapshot
from tests.shared_data import shared_data_dir

pytestmark = pytest.mark.shared

HARVESTED_AT = "2025-01-02T03:04:05.000Z"
# Every datasets.jsonl of the shared CKAN data: portal name → (folder, language of its untranslated text).
PORTALS = {
    "be-transportdata": ("be-transportdata", "nl"),
    "br-dados-gov-br": ("br-dados-gov-br", "pt"),
    "ca-asc-csa": ("ca-asc-csa", "en"),
    "ca-open-canada": ("ca-open-canada", "en"),
    "hk-data-gov-hk": ("hk-data-gov-hk", "en"),
    "tw-depositar": ("tw-depositar", "zh-hant"),
    "uk-data-gov-uk": ("uk-data-gov-uk", "en"),
    "uk-data-gov-uk-legacy-2015": ("uk-data-gov-uk/legacy-2015", "en"),
}
# Records of each file that load (counted from the files: one package per non-empty line, each public and active,
# each with an id and a name, none repeated); the rest would be rejected with a reason.
EXPECTED = {
    "be-transportdata": (1, 0), "br-dados-gov-br": (820, 0), "ca-asc-csa": (136, 0), "ca-open-canada": (2, 0),
    "hk-data-gov-hk": (1, 0), "tw-depositar": (1839, 0), "uk-data-gov-uk": (9, 0),
    "uk-data-gov-uk-legacy-2015": (10, 0),
}  # fmt: skip


def shared_lines(portal: str) -> list[str]:
    folder, _ = PORTALS[portal]
    path = shared_data_dir() / "ckan" / folder / "datasets.jsonl"
    return [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def shared_items(portal: str, lines: list[str] | None = None) -> list[DatasetRecord | Rejected]:
    """A portal's lines normalised as a harvest does: a record, or a rejection naming the line and why."""
    _, language = PORTALS.get(portal, ("", "und"))
    items: list[DatasetRecord | Rejected] = []
    for number, line in enumerate(shared_lines(portal) if lines is None else lines, start=1):
        try:
            items.append(normalise_package(
                json.loads(line), portal=portal, default_language=language, harvested_at=HARVESTED_AT
            ))  # fmt: skip
        except (ValueError, RecordInvalid) as e:
            items.append(Rejected(ref=f"line {number}", reason=str(e)))
    return items


def records_of(items: list[DatasetRecord | Rejected]) -> list[DatasetRecord]:
    return [item for item in items if isinstance(item, DatasetRecord)]


def load_all_shared(driver: neo4j.Driver) -> dict[str, Any]:
    """Load every shared portal; returns the reports by portal."""
    return {
        portal: load_snapshot(driver, shared_items(portal), HarvestSource(portal=portal, harvested_at=HARVESTED_AT))
        for portal in PORTALS
    }


def graph_state(driver: neo4j.Driver) -> list[str]:
    """Every node and relationship with its properties, as sorted JSON lines; run bookkeeping (harvest runs, the
    schema's migrations, when the portal last succeeded) is left out."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) WHERE NOT n:HarvestRun AND NOT n:SchemaMigration RETURN labels(n) AS labels, properties(n) AS props"
    )
    relationships, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) WHERE type(r) <> 'HARVESTED' "
        "RETURN type(r) AS type, a.id AS start, b.id AS end, properties(r) AS props"
    )
    bookkeeping = {"lastSuccessfulRunAt", "lastRunId"}
    lines = [
        json.dumps(["node", sorted(r["labels"]), {k: v for k, v in r["props"].items() if k not in bookkeeping}],
                   sort_keys=True, ensure_ascii=False, default=str)
        for r in nodes
    ]  # fmt: skip
    lines += [json.dumps(["rel", r["type"], r["start"], r["end"], r["props"]], sort_keys=True, default=str)
              for r in relationships]  # fmt: skip
    return sorted(lines)


def _count(driver: neo4j.Driver, query: str, **params: Any) -> int:
    records, _, _ = driver.execute_query(query, params)
    return int(records[0][0])


def _dataset(driver: neo4j.Driver, dataset_id: str) -> dict[str, Any]:
    records, _, _ = driver.execute_query(
        "MATCH (d:Dataset {id: $id}) RETURN properties(d) AS props, "
        "COLLECT { MATCH (d)-[r]->(x) RETURN type(r) + ' ' + x.id } AS links",
        id=dataset_id,
    )
    return {"props": dict(records[0]["props"]), "links": sorted(records[0]["links"])}


# --- every shared portal -------------------------------------------------------------------------------------------


def test_every_record_of_every_shared_portal_loads_or_is_rejected_with_a_reason(clean_graph: neo4j.Driver) -> None:
    reports = load_all_shared(clean_graph)
    for portal, report in reports.items():
        lines = len(shared_lines(portal))
        assert (report.new, report.rejected) == EXPECTED[portal], portal
        assert report.new + report.rejected == lines and report.status == "succeeded"
        assert all(r.reason for r in report.rejected_reasons)
        stored = _count(clean_graph, "MATCH (d:Dataset) WHERE d.portal = $p RETURN count(d)", p=portal)
        assert stored == report.new
        assert recent_runs(clean_graph, portal)[0]["new"] == report.new
    # Provenance on every dataset: portal, CKAN id, harvested-at, source modified-at, licence (when the portal gave
    # one), and the link to its portal.
    missing = _count(
        clean_graph,
        "MATCH (d:Dataset) WHERE d.portal IS NULL OR d.ckanId IS NULL OR d.harvestedAt IS NULL OR d.modified IS NULL "
        "OR d.contentHash IS NULL OR NOT (d)-[:FROM_PORTAL]->(:Portal {id: d.portal}) RETURN count(d)",
    )
    assert missing == 0
    with_licence = _count(clean_graph, "MATCH (d:Dataset) WHERE d.licenceId IS NOT NULL RETURN count(d)")
    assert with_licence >= 2500
    zh = _count(clean_graph, "MATCH (d:Dataset {portal: 'tw-depositar'}) WHERE d.titleZh IS NOT NULL RETURN count(d)")
    assert zh >= 1700
    records, _, _ = clean_graph.execute_query(
        "MATCH (d:Dataset {id: 'tw-depositar:' + $id}) RETURN d.title AS title, d.titleZh AS zh",
        id=records_of(shared_items("tw-depositar"))[0].ckan_id,
    )
    assert records[0]["title"].startswith("溫寮溪") and records[0]["zh"].startswith("温寮溪")  # OpenCC t2s


def test_bad_records_are_rejected_with_their_reasons_and_stored_on_the_run(clean_graph: neo4j.Driver) -> None:
    lines = shared_lines("tw-depositar")[:5]
    lines += ["{cut short", json.dumps({"id": "p-1", "name": "private-one", "private": True})]
    report = load_snapshot(clean_graph, shared_items("tw-depositar", lines), HarvestSource(portal="tw-depositar"))
    assert (report.new, report.rejected) == (5, 2)
    run = recent_runs(clean_graph, "tw-depositar")[0]
    assert run["rejected"] == 2 and run["status"] == "succeeded"
    assert [r["ref"] for r in run["rejectedReasons"]] == ["line 6", "line 7"]
    assert run["rejectedReasons"][0]["reason"].startswith("Expecting property name")
    assert "private" in run["rejectedReasons"][1]["reason"]


# --- incremental and safe --------------------------------------------------------------------------------------------


def test_a_second_load_of_the_same_records_writes_nothing(clean_graph: neo4j.Driver) -> None:
    items = shared_items("br-dados-gov-br")
    first = load_snapshot(clean_graph, items, HarvestSource(portal="br-dados-gov-br"))
    state = graph_state(clean_graph)
    second = load_snapshot(clean_graph, items, HarvestSource(portal="br-dados-gov-br"))
    assert (first.new, first.writes > 0) == (820, True)
    assert (second.new, second.updated, second.withdrawn, second.unchanged, second.writes) == (0, 0, 0, 820, 0)
    assert graph_state(clean_graph) == state


def test_changed_records_are_rewritten_missing_ones_withdrawn_and_returning_ones_active_again(
    clean_graph: neo4j.Driver,
) -> None:
    portal = "br-dados-gov-br"
    records = records_of(shared_items(portal))[:60]
    load_snapshot(clean_graph, records, HarvestSource(portal=portal, harvested_at="2025-01-01T00:00:00.000Z"))
    gone, changed = records[:3], records[3:8]
    before = {r.ckan_id: _dataset(clean_graph, f"{portal}:{r.ckan_id}") for r in gone}
    edited = [
        dataclasses.replace(r, titles={**r.titles, "pt": r.titles["pt"] + " (revisado)"}, tags={"pt": ("novo",)})
        for r in changed
    ]
    second = [*edited, *records[8:]]
    report = load_snapshot(clean_graph, second, HarvestSource(portal=portal, harvested_at="2025-02-01T00:00:00.000Z"))
    assert (report.new, report.updated, report.withdrawn, report.unchanged) == (0, 5, 3, 52)
    for record in edited:
        now = _dataset(clean_graph, f"{portal}:{record.ckan_id}")
        assert now["props"]["title"].endswith("(revisado)")
        assert [link for link in now["links"] if link.startswith("TAGGED")] == ["TAGGED pt:novo"]
    for record in gone:  # withdrawn, not deleted: properties and links kept, inspectable
        now = _dataset(clean_graph, f"{portal}:{record.ckan_id}")
        assert (now["props"]["state"], now["props"]["withdrawnAt"]) == ("withdrawn", "2025-02-01T00:00:00.000Z")
        assert {k: v for k, v in now["props"].items() if k not in ("state", "withdrawnAt")} == {
            k: v for k, v in before[record.ckan_id]["props"].items() if k not in ("state", "withdrawnAt")
        }
        assert now["links"] == before[record.ckan_id]["links"]
    assert portal_state(clean_graph, portal).known.keys() == {r.ckan_id for r in second}
    orphans = _count(clean_graph, "MATCH (t:Tag) WHERE NOT (t)--() RETURN count(t)")
    assert orphans == 0  # tags only the edited datasets had are gone with their links

    third = load_snapshot(clean_graph, [*gone, *second], HarvestSource(portal=portal))
    assert (third.new, third.updated, third.withdrawn, third.unchanged) == (0, 3, 0, 57)
    for record in gone:
        now = _dataset(clean_graph, f"{portal}:{record.ckan_id}")
        assert now["props"]["state"] == "active" and "withdrawnAt" not in now["props"]


def test_incremental_runs_withdraw_only_what_the_source_says_was_deleted(clean_graph: neo4j.Driver) -> None:
    portal = "ca-asc-csa"
    records = records_of(shared_items(portal))
    load_snapshot(clean_graph, records, HarvestSource(portal=portal))
    deleted = records[0]
    report = load_snapshot(
        clean_graph, records[5:7], HarvestSource(portal=portal, mode="incremental", deleted_ids=(deleted.name,))
    )
    assert (report.unchanged, report.withdrawn) == (2, 1)
    states = {r.ckan_id: s for r in records if (s := _dataset(clean_graph, f"{portal}:{r.ckan_id}")["props"]["state"])}
    assert states.pop(deleted.ckan_id) == "withdrawn" and set(states.values()) == {"active"}
    # A record CKAN itself marks deleted (ckanapi dumps keep them) is withdrawn too.
    deleted_in_ckan = dataclasses.replace(records[1], state="deleted")
    report = load_snapshot(clean_graph, [deleted_in_ckan], HarvestSource(portal=portal, mode="incremental"))
    assert report.withdrawn == 1
    assert _dataset(clean_graph, f"{portal}:{records[1].ckan_id}")["props"]["state"] == "withdrawn"


def test_a_full_listing_with_unidentified_rejects_or_no_records_withdraws_nothing(clean_graph: neo4j.Driver) -> None:
    portal = "uk-data-gov-uk"
    records = records_of(shared_items(portal))
    load_snapshot(clean_graph, records, HarvestSource(portal=portal))
    unreadable = load_snapshot(
        clean_graph, [*records[2:], Rejected(ref="line 1", reason="invalid JSON")], HarvestSource(portal=portal)
    )
    assert unreadable.withdrawn == 0 and unreadable.withdrawal_skipped is not None
    assert "without an id" in unreadable.withdrawal_skipped
    named = load_snapshot(
        clean_graph, [*records[2:], Rejected(ref=records[0].name, reason="field title: empty")],
        HarvestSource(portal=portal),
    )  # fmt: skip
    assert named.withdrawn == 1  # records[1] is missing; records[0] is still listed, only not loadable
    empty = load_snapshot(clean_graph, [], HarvestSource(portal=portal))
    assert (empty.withdrawn, empty.withdrawal_skipped) == (0, "the listing is empty")


def test_the_watermark_moves_only_when_a_run_succeeds(clean_graph: neo4j.Driver) -> None:
    portal = "ca-asc-csa"
    records = records_of(shared_items(portal))
    newest = max(r.modified for r in records if r.modified)
    load_snapshot(clean_graph, records[:50], HarvestSource(portal=portal))
    watermark = portal_state(clean_graph, portal).watermark
    assert watermark == max(r.modified for r in records[:50] if r.modified)

    def failing() -> Iterator[DatasetRecord]:
        yield from records[50:]
        raise OSError("the snapshot disk went away")

    with pytest.raises(OSError, match="disk went away"):
        load_snapshot(clean_graph, failing(), HarvestSource(portal=portal), batch_size=10)
    assert portal_state(clean_graph, portal).watermark == watermark
    runs = recent_runs(clean_graph, portal)
    assert [r["status"] for r in runs] == ["failed", "succeeded"] and "disk went away" in runs[0]["error"]

    load_snapshot(clean_graph, records, HarvestSource(portal=portal))
    assert portal_state(clean_graph, portal).watermark == newest >= watermark


# --- killed at random points ---------------------------------------------------------------------------------------


def _cli_env(settings: Settings, index_dir: Path) -> dict[str, str]:
    """The environment of a ``navigator`` child process against the test Neo4j, with a search index of its own."""
    env = {
        **os.environ,
        "NAVIGATOR_VAR_DIR": str(settings.var_dir),
        "NAVIGATOR_NEO4J_BOLT_PORT": str(settings.neo4j_bolt_port),
        "NAVIGATOR_MAVEN_REPO": str(settings.maven_repo_dir),
        "NAVIGATOR_NEO4J_HEAP": settings.neo4j_heap,
        "NAVIGATOR_NEO4J_PAGECACHE": settings.neo4j_pagecache,
        "NAVIGATOR_INDEX_DIR": str(index_dir),
    }
    env.pop("NAVIGATOR_NEO4J_URI", None)
    return env


def _load_cli(
    settings: Settings, snapshot: Path, *, kill_after: float | None = None, kill_when: Callable[[], bool] | None = None
) -> str:
    """``navigator load snapshot`` in a child process, SIGKILLed once ``kill_after`` seconds have passed or
    ``kill_when()`` says so (polled every 20 ms); returns how it ended."""
    command = [sys.executable, "-m", "navigator", "load", "snapshot", str(snapshot), "--batch-size", "50"]
    started = time.monotonic()
    child = subprocess.Popen(
        command, env=_cli_env(settings, snapshot.parent / "index"), cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    while child.poll() is None and time.monotonic() - started < 300:
        if (kill_after is not None and time.monotonic() - started >= kill_after) or (kill_when and kill_when()):
            child.send_signal(signal.SIGKILL)
            child.communicate()
            return f"killed after {time.monotonic() - started:.2f} s"
        time.sleep(0.02)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert " rejected in " in out and "Traceback" not in err
    return "finished"


def _snapshot(path: Path, portal: str, records: list[DatasetRecord], harvested_at: str) -> Path:
    header = SnapshotHeader(portal=portal, portal_url=None, ckan_version=None, harvested_at=harvested_at, mode="full")
    return write_snapshot(path, header, records)


def test_a_load_killed_at_random_points_and_rerun_ends_with_the_uninterrupted_graph(
    clean_graph: neo4j.Driver, test_settings: Settings, tmp_path: Path
) -> None:
    """SIGKILL the load of a first snapshot, and of a second one that changes and drops datasets, at random moments;
    after each kill the same command runs to the end. The graph must equal the one uninterrupted loads give."""
    from graph.admin import wipe_graph
    from graph.migrations import migrate

    portal = "tw-depositar"
    records = records_of(shared_items(portal))
    first = _snapshot(tmp_path / "first.jsonl", portal, records, "2025-01-01T00:00:00.000Z")
    changed = [dataclasses.replace(r, titles={**r.titles, "en": f"Revised {i}"}) for i, r in enumerate(records[:300])]
    second = _snapshot(
        tmp_path / "second.jsonl", portal, [*changed, *records[300:1700]], "2025-02-01T00:00:00.000Z"
    )  # 300 changed, 139 gone

    def fresh() -> None:
        wipe_graph(clean_graph)
        migrate(clean_graph)

    def count(query: str) -> int:
        return _count(clean_graph, query)

    fresh()
    _load_cli(test_settings, first)
    reference_first = graph_state(clean_graph)
    _load_cli(test_settings, second)
    reference_second = graph_state(clean_graph)
    assert count("MATCH (d:Dataset {state: 'withdrawn'}) RETURN count(d)") == 139

    # Kill points: a random moment in the first 1.5 s (start-up, the run being recorded, the first batches), then
    # random numbers of datasets written, of datasets updated and of datasets withdrawn (polled in the graph).
    rng = random.Random(int(os.environ.get("NAVIGATOR_KILL_SEED", "20251123")))
    datasets = "MATCH (d:Dataset) RETURN count(d)"
    revised = "MATCH (d:Dataset) WHERE d.titleEn STARTS WITH 'Revised' RETURN count(d)"
    withdrawn = "MATCH (d:Dataset {state: 'withdrawn'}) RETURN count(d)"

    def reached(query: str, n: int) -> Callable[[], bool]:
        return lambda: count(query) >= n

    ended: list[str] = []
    partial: list[int] = []
    first_kills: list[dict[str, Any]] = [{"kill_after": rng.uniform(0.05, 1.5)}]
    first_kills += [{"kill_when": reached(datasets, rng.randrange(1, len(records)))} for _ in range(3)]
    for kill in first_kills:
        fresh()
        ended.append(_load_cli(test_settings, first, **kill))
        partial.append(count(datasets))
        _load_cli(test_settings, first)
        assert graph_state(clean_graph) == reference_first, (ended[-1], partial[-1])
    second_kills: list[list[dict[str, Any]]] = [
        [{"kill_after": rng.uniform(0.05, 1.5)}, {"kill_when": reached(revised, rng.randrange(1, 300))}],
        [{"kill_when": reached(revised, rng.randrange(1, 300))},
         {"kill_when": reached(withdrawn, rng.randrange(1, 139))}],
    ]
    for kills in second_kills:
        fresh()
        _load_cli(test_settings, first)
        for kill in kills:  # killed twice, then run to the end
            ended.append(_load_cli(test_settings, second, **kill))
        _load_cli(test_settings, second)
        assert graph_state(clean_graph) == reference_second, ended[-2:]
    print(f"\nkills: {ended}; first loads killed with {partial} of {len(records)} datasets written")
    assert sum(e.startswith("killed") for e in ended) >= 6, ended
    assert any(0 < n < len(records) for n in partial), partial  # killed mid-load: whole batches, not all
    runs = recent_runs(clean_graph, portal, limit=50)
    assert {r["status"] for r in runs} <= {"succeeded", "failed"}  # killed runs were marked failed by the next one


def test_the_harvesters_held_back_watermark_is_the_one_stored(clean_graph: neo4j.Driver) -> None:
    items = shared_items("hk-data-gov-hk")
    newest = max(r.modified for r in records_of(items) if r.modified)
    held_back = "2001-01-01T00:00:00.000000Z"
    assert held_back < newest
    load_snapshot(clean_graph, items, HarvestSource(portal="hk-data-gov-hk", watermark=held_back))
    assert portal_state(clean_graph, "hk-data-gov-hk").watermark == held_back
    load_snapshot(clean_graph, items, HarvestSource(portal="hk-data-gov-hk"))
    assert portal_state(clean_graph, "hk-data-gov-hk").watermark == newest
