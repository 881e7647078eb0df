"""Benchmark: loading a 100,000-dataset snapshot into Neo4j, against a raw batched UNWIND MERGE baseline.

The real records of every shared portal (``../shared/data/ckan/*/datasets.jsonl``, normalised) are scaled up to
``--datasets`` records with new ids and the same content (copy *k* of a dataset gets CKAN id ``<id>-k`` and new
resource ids) and written as one snapshot of the portal ``bench``. Then, each in a fresh child process (so peak RSS
is that step's own) against the benchmark's own Neo4j:

* read only — the snapshot read and turned into rows, nothing written (the Python side's ceiling);
* ``navigator load snapshot`` — the real path: first load into an empty graph, then the same snapshot again
  (everything unchanged: nothing is written);
* baseline — the same rows (same reader, same mapping) written by one plain ``UNWIND $rows AS row MERGE …``
  statement per batch: no change detection, no link replacement, no run bookkeeping.

An unmeasured load of each kind runs before its measured one (the graph wiped in between), so that both measured
loads find Neo4j's store files grown and its JIT warm for their own statements (the loader's are not the
baseline's: after only the baseline's warm-up, its first load still paid ~100 us of Neo4j compiler-thread CPU per
dataset). Besides wall-clock rates, the table gives the processor time per dataset of the loading process and of the
Neo4j server: on a shared machine they say more than the clock does.

Run: .venv/bin/python -m bench.harvest [--datasets 100000] [--batch-size 1000]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import SHARED_DATA, bench_neo4j, print_table, require_shared
from navigator.settings import PROJECT_ROOT, Settings

PORTAL = "bench"
LANGUAGES = {
    "tw-depositar": "zh-hant", "br-dados-gov-br": "pt", "ca-asc-csa": "en", "ca-open-canada": "en",
    "uk-data-gov-uk": "en", "hk-data-gov-hk": "en", "be-transportdata": "nl",
}  # fmt: skip
TARGET_RATE = 5_000
TARGET_RSS_MB = 500

# The baseline: what a plain batched loader does with the same rows (kept here, beside the benchmark it serves).
BASELINE = """
UNWIND $rows AS row
MERGE (d:Dataset {id: row.id})
SET d += row.props
MERGE (p:Portal {id: $portal})
MERGE (d)-[:FROM_PORTAL]->(p)
FOREACH (r IN row.resources | MERGE (x:Resource {id: r.id}) SET x += r MERGE (d)-[:HAS_RESOURCE]->(x))
FOREACH (t IN row.tags | MERGE (x:Tag {id: t.id}) ON CREATE SET x += t MERGE (d)-[:TAGGED]->(x))
FOREACH (o IN row.organizations | MERGE (x:Organization {id: o.id}) SET x += o MERGE (d)-[:PUBLISHED_BY]->(x))
FOREACH (g IN row.groups | MERGE (x:Group {id: g.id}) SET x += g MERGE (d)-[:IN_GROUP]->(x))
"""


def _base_records() -> list[Any]:
    from opendata.normalise import normalise_package

    records = []
    for path in sorted(require_shared(SHARED_DATA / "ckan").glob("*/datasets.jsonl")):
        portal = path.parent.name
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                raw = json.loads(line)
                records.append(normalise_package(
                    raw, portal=PORTAL, default_language=LANGUAGES.get(portal, "und"),
                    harvested_at="2025-01-01T00:00:00Z",
                ))  # fmt: skip
    return records


def _scaled(base: list[Any], count: int) -> Iterator[Any]:
    for index in range(count):
        copy, record = divmod(index, len(base))
        original = base[record]
        yield dataclasses.replace(
            original, ckan_id=f"{original.ckan_id}-{copy}", name=f"{original.name}-{copy}",
            resources=tuple(
                dataclasses.replace(r, id=f"{r.id}-{copy}" if r.id else None) for r in original.resources
            ),
        )  # fmt: skip


def write_snapshot(path: Path, count: int) -> float:
    from opendata.snapshot import SnapshotHeader, write_snapshot

    started = time.perf_counter()
    base = _base_records()
    header = SnapshotHeader(
        portal=PORTAL, portal_url=None, ckan_version=None, harvested_at="2025-01-01T00:00:00Z", mode="full"
    )
    write_snapshot(path, header, _scaled(base, count))
    return time.perf_counter() - started


# --- steps, each run in a child process ---------------------------------------------------------------------------


def _settings(port: int) -> Settings:
    """The child's view of the benchmark's Neo4j (started by the parent with ``bench_neo4j``)."""
    return Settings(neo4j_bolt_port=port, query_timeout=600.0)


def _step_read(path: Path, batch_size: int) -> dict[str, Any]:
    from graph.dataset_props import dataset_rows
    from navigator.cli import snapshot_items
    from opendata.records import DatasetRecord
    from opendata.snapshot import SnapshotReader

    count = 0
    with SnapshotReader(path) as reader:
        for item in snapshot_items(reader):
            if isinstance(item, DatasetRecord):
                dataset_rows(item)
                count += 1
    return {"datasets": count}


def _step_load(path: Path, batch_size: int, port: int) -> dict[str, Any]:
    from navigator.cli import load_snapshot_file
    from navigator.database import open_driver

    with open_driver(_settings(port)) as driver:
        report = load_snapshot_file(driver, path, batch_size=batch_size)
    return {"datasets": report.loaded, "new": report.new, "unchanged": report.unchanged, "writes": report.writes}


def _step_baseline(path: Path, batch_size: int, port: int) -> dict[str, Any]:
    from graph.dataset_props import dataset_rows
    from navigator.database import open_driver
    from opendata.snapshot import SnapshotReader

    count = 0
    with open_driver(_settings(port)) as driver, SnapshotReader(path) as reader:
        rows: list[dict[str, Any]] = []
        for record in reader:
            r = dataset_rows(record)
            rows.append({
                "id": r.id, "props": r.props, "resources": r.resources, "tags": r.tags, "groups": r.groups,
                "organizations": [r.organization] if r.organization else [],
            })  # fmt: skip
            if len(rows) >= batch_size:
                driver.execute_query(BASELINE, rows=rows, portal=PORTAL)
                count, rows = count + len(rows), []
        if rows:
            driver.execute_query(BASELINE, rows=rows, portal=PORTAL)
            count += len(rows)
    return {"datasets": count}


def _child(argv: list[str]) -> None:
    """Run one step and print its figures as JSON (the parent reads the last line)."""
    step, path, batch_size, port = argv[0], Path(argv[1]), int(argv[2]), int(argv[3])
    started = time.perf_counter()
    if step == "read":
        result = _step_read(path, batch_size)
    elif step == "load":
        result = _step_load(path, batch_size, port)
    else:
        result = _step_baseline(path, batch_size, port)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["seconds"] = time.perf_counter() - started
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux: KiB
    print(json.dumps(result))


def _server_cpu(settings: Settings) -> float:
    """CPU seconds the benchmark's Neo4j process has used so far."""
    import psutil

    pid = int((settings.neo4j_home / "neo4j.pid").read_text(encoding="utf-8").strip())
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def _run_child(step: str, path: Path, batch_size: int, settings: Settings) -> dict[str, Any]:
    port = settings.neo4j_bolt_port
    server_before = _server_cpu(settings)
    done = subprocess.run(
        [sys.executable, "-m", "bench.harvest", "--child", step, str(path), str(batch_size), str(port)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"benchmark step {step} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["server_cpu_seconds"] = _server_cpu(settings) - server_before
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--keep-snapshot", action="store_true", help="reuse an existing snapshot of that size")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    from graph.admin import graph_counts, wipe_graph
    from graph.migrations import migrate

    path = PROJECT_ROOT / "var" / "bench" / "snapshots" / f"bench-{args.datasets}.jsonl"
    if not (args.keep_snapshot and path.exists()):
        seconds = write_snapshot(path, args.datasets)
        size = path.stat().st_size / 2**20
        print(f"snapshot: {args.datasets:,} datasets, {size:,.0f} MiB, written in {seconds:.0f} s")
    with bench_neo4j() as (settings, driver):

        def fresh() -> None:
            wipe_graph(driver)
            migrate(driver)

        read = _run_child("read", path, args.batch_size, settings)
        # A warm-up load of each kind first, so that both measured loads find the store files grown and the JVM warm.
        fresh()
        _run_child("baseline", path, args.batch_size, settings)
        fresh()
        baseline = _run_child("baseline", path, args.batch_size, settings)
        baseline_counts = graph_counts(driver)
        fresh()
        _run_child("load", path, args.batch_size, settings)  # the loader's warm-up
        fresh()
        first = _run_child("load", path, args.batch_size, settings)
        counts = graph_counts(driver)
        again = _run_child("load", path, args.batch_size, settings)
    rows: list[list[object]] = []
    for label, step in (
        ("read + map only (no Neo4j)", read), ("navigator load snapshot: first load", first),
        ("navigator load snapshot: unchanged re-load", again), ("raw UNWIND MERGE baseline, same rows", baseline),
    ):
        rate = step["datasets"] / step["seconds"]
        client_us = step["cpu_seconds"] / step["datasets"] * 1e6
        server_us = step["server_cpu_seconds"] / step["datasets"] * 1e6
        rows.append([
            label, f"{step['seconds']:.1f}", f"{rate:,.0f}", f"{baseline['seconds'] / step['seconds']:.2f}x",
            f"{step['peak_rss_mb']:,.0f}", f"{client_us:,.0f}", f"{server_us:,.0f}",
            f"{1e6 / max(client_us, server_us, 1):,.0f}",
        ])  # fmt: skip
    print_table(
        f"Load from snapshot: {args.datasets:,} datasets (batch {args.batch_size}); "
        f"targets >= {TARGET_RATE:,} datasets/s, <= {TARGET_RSS_MB} MB RSS",
        ["step", "seconds", "datasets/s", "speed vs baseline", "peak RSS MB", "client CPU us/ds",
         "Neo4j CPU us/ds", "datasets/s on 2 free cores"], rows,
    )  # fmt: skip
    print(
        "\n(CPU columns: processor time per dataset of the loading process and of the Neo4j server during the step; "
        "the last column is what the step would reach with a core each for client and server, which this shared "
        f"machine ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}) did not give it.)"
    )
    nodes = {k: v for k, v in counts.items() if k.startswith("node:")}
    print(f"\ngraph after first load: {nodes}")
    print(f"graph after baseline:   {({k: v for k, v in baseline_counts.items() if k.startswith('node:')})}")
    print(f"re-load wrote {again['writes']} changes ({again['unchanged']:,} datasets unchanged)")


if __name__ == "__main__":
    main()
