"""Render time and weight of the citizens' pages: p50/p99 per page type and language, and bytes of HTML + CSS.

Runs its own Neo4j (var/bench-pages) with the demo catalog and one dataset (through the dataset loader), builds a
search index of the demo catalog, starts ``uvicorn navigator.app:create_app`` as a separate process on loopback (one
worker, access log off) and sends requests one at a time from this process with httpx (keep-alive), so the figures
are server time plus one loopback round trip; "app CPU ms" is the app process's CPU time per request, which the
other processes on the machine do not inflate (Neo4j's own time is not in it). Every request is bounded by a timeout;
the run stops by itself.

    .venv/bin/python -m bench.pages [--requests 300] [--warmup 30]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import psutil

from bench.common import _free_port, bench_neo4j, percentile, print_table
from graph.admin import wipe_graph
from graph.catalog import DEMO_CATALOG
from graph.datasets import HarvestSource, load_snapshot
from graph.loader import load_catalog
from graph.migrations import migrate
from navigator.search import open_index
from navigator.settings import PROJECT_ROOT, Settings
from opendata.records import DatasetRecord, OrganizationRecord, ResourceRecord
from tests.pages_support import demo_search_documents  # the demo catalog as search documents (no indexer CLI yet)

PAGES: dict[str, tuple[str, str, dict[str, str | list[str]] | None]] = {
    "home": ("GET", "/{lang}/", None),
    "stage": ("GET", "/{lang}/stages/family", None),
    "event": ("GET", "/{lang}/events/having-a-baby", None),
    "service": ("GET", "/{lang}/services/newborn-household-registration", None),
    "bundle": ("GET", "/{lang}/bundles/newborn-bundle", None),
    "dataset": ("GET", "/{lang}/datasets/bench:births", None),
    "search": ("GET", "/{lang}/search?q=birth+certificate", None),
    "journey form": ("GET", "/{lang}/journey", None),
    "journey result": ("POST", "/{lang}/journey", {"age": "31", "partner": "yes", "children": "0",
                                                    "region": "demo-city", "documents": ["id-card"]}),
    "error 404": ("GET", "/{lang}/services/nope", None),
}


def _dataset() -> DatasetRecord:
    return DatasetRecord(
        portal="bench", ckan_id="births", name="births-by-district", harvested_at="2026-11-01T00:00:00Z",
        titles={"en": "Births by district", "zh-hans": "分区出生人数"},
        descriptions={"en": "Monthly births by district.", "zh-hans": "按区统计每月出生人数。"},
        tags={"en": ("births", "population")}, organization=OrganizationRecord(id="health", name="health"),
        licence_id="cc-by-4.0", licence_title="CC BY 4.0", licence_url="https://creativecommons.org/licenses/by/4.0/",
        resources=(ResourceRecord(id="r1", name="births.csv", format="CSV", url="https://data.example.org/b.csv",
                                  size=20480),),
        landing_url="https://data.example.org/dataset/births", modified="2026-10-30T08:00:00Z", languages=("en",),
    )


@contextmanager
def _server(settings: Settings) -> Iterator[tuple[str, psutil.Process]]:
    port = _free_port()
    env = {
        **os.environ, "NAVIGATOR_NEO4J_URI": settings.bolt_uri, "NAVIGATOR_VAR_DIR": str(settings.var_dir),
        "NAVIGATOR_INDEX_DIR": str(settings.search_index_dir), "NAVIGATOR_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "navigator.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log", "--log-level", "warning"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the app did not start: " + (process.stderr.read().decode() if process.stderr else ""))
            time.sleep(0.2)
        yield url, psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _cpu_ms(process: psutil.Process) -> float:
    times = process.cpu_times()
    return 1000.0 * float(times.user + times.system)


def _measure(
    client: httpx.Client, server: psutil.Process, method: str, path: str, form: dict[str, str | list[str]] | None,
    requests: int, warmup: int,
) -> tuple[list[float], float, int, int]:
    """Latencies (ms) of the timed requests, the server's CPU ms per timed request, the last status and size."""
    status = size = 0
    timings: list[float] = []
    cpu_start = 0.0
    for number in range(warmup + requests):
        if number == warmup:
            cpu_start = _cpu_ms(server)
        started = time.perf_counter()
        response = client.request(method, path, data=form) if form else client.request(method, path)
        elapsed = time.perf_counter() - started
        status, size = response.status_code, len(response.content)
        if number >= warmup:
            timings.append(elapsed * 1000)
    return timings, (_cpu_ms(server) - cpu_start) / requests, status, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page type and language")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests first")
    args = parser.parse_args(argv)
    with bench_neo4j(heap="1g", pagecache="512m", folder="bench-pages") as (bench_settings, driver):
        settings = dataclasses.replace(bench_settings, index_dir=bench_settings.var_dir / "pages-index")
        wipe_graph(driver)
        migrate(driver)
        load_catalog(driver, DEMO_CATALOG)
        load_snapshot(driver, [_dataset()], HarvestSource(portal="bench", portal_title="Bench portal"))
        open_index(settings.search_index_dir).rebuild(demo_search_documents())
        with _server(settings) as (url, server), httpx.Client(base_url=url, timeout=30) as client:
            css = len(client.get("/static/pages/site.css").content)
            elder_css = len(client.get("/static/pages/elder.css").content)
            rows: list[list[object]] = []
            heaviest = 0
            for name, (method, template, form) in PAGES.items():
                for lang in ("zh", "en"):
                    timings, cpu, status, size = _measure(client, server, method, template.format(lang=lang), form,
                                                          args.requests, args.warmup)
                    heaviest = max(heaviest, size + css)
                    rows.append([
                        name, lang, status, f"{percentile(timings, 50):.1f}", f"{percentile(timings, 99):.1f}",
                        f"{1000 * len(timings) / sum(timings):.0f}", f"{cpu:.1f}", size, size + css,
                    ])
            print_table(
                f"Pages: {args.requests} sequential requests each after {args.warmup} warm-up, one uvicorn worker "
                f"(site.css {css} B, elder.css {elder_css} B)",
                ["page", "lang", "status", "p50 ms", "p99 ms", "req/s", "app CPU ms", "HTML B", "HTML+CSS B"], rows,
            )
            print(f"\nheaviest page: {heaviest} bytes of HTML + CSS (target ≤ 60000)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
