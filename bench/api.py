"""Benchmark: the GraphQL API under load, against the same reads made with the raw Neo4j driver in the same run.

The benchmark's own Neo4j (in ``var/bench-api``, apart from the other benchmarks' ``var/bench``) gets the demo
catalog. ``navigator serve``'s production path (:func:`navigator.serving.run_server`: JSON request logs, metrics,
the circuit, the request deadline) runs in a subprocess on a free loopback port, once per ``--workers`` value; the
load generator (``bench/http_load.py``) is a process of its own. For each operation and each number of concurrent
clients it measures p50/p99 latency and requests/s for ``--seconds`` (after ``--warmup``, at most ``--max-requests``):

* ``lifeStages`` — every life stage with its names in both languages;
* ``service`` — a service page: the service with its agency, channels, documents required and produced, life events
  and bundles;
* ``journey`` — ``journey(input: {age: 0})``: stages, steps, documents, visits and days. The server keeps the
  catalog data and dataset links journeys are planned from for ``NAVIGATOR_JOURNEY_CACHE_SECONDS`` (1 s, the
  default): most journeys read nothing from Neo4j, one a second per worker reads the links and the version.

Baseline (same run, same Neo4j, no HTTP, no GraphQL): the same data read with ``neo4j.AsyncDriver.execute_query``
by as many concurrent tasks — one Cypher statement for the life stages and one for the service page (below), and
for the journey the planner's three queries (nothing kept) mapped to domain objects plus ``plan()``.
The ratio columns say how many times slower (p50) and how many times fewer requests/s the API is.

Other work on the machine changes latencies, so each cell also reports the CPU milliseconds spent per request by
the server (all its workers), by Neo4j and by the client or baseline process (warm-up included), and the load
average: on 2 cores, 2,000 / (total CPU ms per request) is the ceiling of requests/s, whatever the neighbours do.

Targets (issue 4): journey p99 ≤ 50 ms at 32 clients and ≥ 300 journeys/s. The machine has 2 cores, shared by Neo4j,
the server and the load generator.

Run: .venv/bin/python -m bench.api [--seconds 10] [--workers 1,2] [--clients 1,8,32]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import neo4j
import psutil

from bench.common import bench_neo4j, percentile, print_table
from graph import queries
from graph.admin import wipe_graph
from graph.catalog import DEMO_CATALOG
from graph.journeys import datasets_from_record, head_from_record, part_from_record, planning_data
from graph.loader import load_catalog
from graph.migrations import migrate
from graph.planner import Profile, choose_events, plan
from navigator import neo4j_server
from navigator.database import open_async_driver
from navigator.settings import PROJECT_ROOT, Settings

SERVICE_ID = "newborn-household-registration"

LIFE_STAGES = "query LifeStages { lifeStages { identifier name zh: name(lang: ZH) } }"

SERVICE_PAGE = """query ServicePage($id: ID!) { service(id: $id) {
  identifier name zh: name(lang: ZH) description type processingDays visits inPerson legalBasis onlineUrl
  fee { amount currency free }
  agency { identifier name }
  channels { identifier name }
  requires { identifier name }
  produces { identifier name }
  lifeEvents { identifier name }
  bundles { identifier name }
} }"""

JOURNEY = """query Journey { journey(input: {age: 0}) {
  stages { index steps {
    service { identifier name inPerson }
    reason
    documentsToBring { identifier name }
    documentsProduced { identifier name }
  } }
  documentsToBring { document { identifier name } }
  documentsNaiveCount documentsSavedPercent visits visitsWithoutBundles criticalPathDays serialDays
} }"""

# The raw baseline's Cypher (kept here, beside the benchmark it serves): the same data in one statement each.
RAW_LIFE_STAGES = """
MATCH (st:LifeStage)
RETURN st.id AS id, st.nameEn AS nameEn, st.nameZh AS nameZh
ORDER BY st.order, st.id
"""

RAW_SERVICE_PAGE = """
MATCH (s:Service {id: $id})
RETURN s {.*} AS service,
  [(s)-[:PROVIDED_BY]->(a:Agency) | a {.id, .nameEn}][0] AS agency,
  COLLECT { MATCH (s)-[:AVAILABLE_THROUGH]->(c:Channel) RETURN c {.id, .nameEn} ORDER BY c.id } AS channels,
  COLLECT { MATCH (s)-[r:REQUIRES]->(d:Evidence) RETURN d {.id, .nameEn} ORDER BY r.order } AS requires,
  COLLECT { MATCH (s)-[r:PRODUCES]->(d:Evidence) RETURN d {.id, .nameEn} ORDER BY r.order } AS produces,
  COLLECT { MATCH (s)-[r:GROUPED_BY]->(e:LifeEvent) RETURN e {.id, .nameEn} ORDER BY r.order } AS lifeEvents,
  COLLECT { MATCH (b:Bundle)-[:INCLUDES]->(s) RETURN b {.id, .nameEn} ORDER BY b.id } AS bundles
"""

READ = neo4j.RoutingControl.READ
NEWBORN = Profile(age=0)

RawOperation = Callable[[neo4j.AsyncDriver], Awaitable[object]]


async def raw_life_stages(driver: neo4j.AsyncDriver) -> object:
    return (await driver.execute_query(RAW_LIFE_STAGES, routing_=READ)).records


async def raw_service_page(driver: neo4j.AsyncDriver) -> object:
    (record,) = (await driver.execute_query(RAW_SERVICE_PAGE, {"id": SERVICE_ID}, routing_=READ)).records
    return record


async def raw_journey(driver: neo4j.AsyncDriver) -> object:
    """The planner's three queries through the driver directly (nothing kept), mapped to domain objects, then
    ``plan()``."""
    today = date.today()
    (head,) = (await driver.execute_query(queries.JOURNEY_EVENTS, routing_=READ)).records
    base = head_from_record(head)
    event_ids = [e.event.id for e in choose_events(NEWBORN, base, today)[0]]
    parts = (await driver.execute_query(queries.JOURNEY_EVENT_PARTS, {"eventIds": event_ids}, routing_=READ)).records
    (links,) = (await driver.execute_query(queries.JOURNEY_DATASETS, {"eventIds": event_ids}, routing_=READ)).records
    data = planning_data(base, [part_from_record(p) for p in parts], datasets_from_record(links))
    return plan(NEWBORN, data, today)


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    body: dict[str, Any]
    raw: RawOperation


OPERATIONS = (
    Operation("lifeStages", {"query": LIFE_STAGES}, raw_life_stages),
    Operation("service", {"query": SERVICE_PAGE, "variables": {"id": SERVICE_ID}}, raw_service_page),
    Operation("journey", {"query": JOURNEY}, raw_journey),
)


@dataclass(frozen=True, slots=True)
class Figures:
    p50: float
    p99: float
    rps: float
    requests: int
    errors: int
    cpu_ms: float
    """CPU ms per request of the server (or, for the baseline, of this process)."""
    neo4j_cpu_ms: float
    client_cpu_ms: float
    load: float
    """The 1-minute load average at the end of the cell."""


def cpu_seconds(processes: list[psutil.Process]) -> float:
    """User + system CPU seconds used so far by ``processes`` and their children (uvicorn's workers)."""
    total = 0.0
    for process in processes:
        for each in (process, *process.children(recursive=True)):
            try:
                times = each.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
    return total


def neo4j_process(settings: Settings) -> list[psutil.Process]:
    pid = neo4j_server.status(settings).pid
    return [psutil.Process(pid)] if pid else []


# --- the raw-driver baseline ----------------------------------------------------------------------------------------


async def _measure_raw(
    driver: neo4j.AsyncDriver, operation: RawOperation, clients: int, seconds: float, warmup: float, max_requests: int,
    neo4j_processes: list[psutil.Process],
) -> Figures:
    latencies: list[float] = []
    answered = [0]
    begun = time.perf_counter()
    count_from, budget = begun + warmup, [max_requests]
    stop_at = count_from + seconds

    async def client() -> None:
        while True:
            started = time.perf_counter()
            if started >= stop_at or budget[0] <= 0:
                return
            await operation(driver)
            answered[0] += 1
            if started >= count_from:
                budget[0] -= 1
                latencies.append((time.perf_counter() - started) * 1000)

    cpu, neo4j_cpu = time.process_time(), cpu_seconds(neo4j_processes)
    await asyncio.gather(*(client() for _ in range(clients)))
    cpu, neo4j_cpu = time.process_time() - cpu, cpu_seconds(neo4j_processes) - neo4j_cpu
    elapsed = time.perf_counter() - count_from
    per = 1000 / max(1, answered[0])
    return Figures(
        percentile(latencies, 50), percentile(latencies, 99), len(latencies) / elapsed, len(latencies), 0,
        cpu * per, neo4j_cpu * per, 0.0, os.getloadavg()[0],
    )


def measure_raw(
    settings: Settings, operations: list[Operation], clients: list[int], seconds: float, warmup: float,
    max_requests: int, *, warm_up: float,
) -> dict[tuple[str, int], Figures]:
    async def run() -> dict[tuple[str, int], Figures]:
        driver = open_async_driver(settings)
        neo4j_processes = neo4j_process(settings)
        try:
            found = {}
            for operation in operations:  # Neo4j plans each statement and its JIT warms up before any clock starts
                await _measure_raw(driver, operation.raw, 8, warm_up, 0, max_requests, [])
            for operation in operations:
                for n in clients:
                    found[operation.name, n] = await _measure_raw(
                        driver, operation.raw, n, seconds, warmup, max_requests, neo4j_processes
                    )
            return found
        finally:
            await driver.close()

    return asyncio.run(run())


# --- the server and the load generator -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(port: int, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


@contextmanager
def api_server(settings: Settings, workers: int) -> Iterator[tuple[int, psutil.Process]]:
    """``navigator serve``'s production path in a subprocess against the bench Neo4j; yields its port and
    process."""
    port = _free_port()
    var_dir = settings.var_dir
    env = {
        **os.environ,
        "NAVIGATOR_VAR_DIR": str(var_dir), "NAVIGATOR_NEO4J_BOLT_PORT": str(settings.neo4j_bolt_port),
        "NAVIGATOR_MAVEN_REPO": str(settings.maven_repo_dir), "NAVIGATOR_INDEX_DIR": str(var_dir / "index"),
        "NAVIGATOR_HOST": "127.0.0.1", "NAVIGATOR_PORT": str(port), "NAVIGATOR_WORKERS": str(workers),
        "NAVIGATOR_LOG_LEVEL": "INFO",
    }
    env.pop("NAVIGATOR_NEO4J_URI", None)
    if workers > 1:  # several workers share their metrics through files, as the README says to run them
        metrics = var_dir / "api-metrics"
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir(parents=True)  # prometheus-client opens its files there on import, before run_server runs
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    log_path = var_dir / f"api-server-{workers}w.log"
    serve = "from navigator.serving import run_server; from navigator.settings import Settings; " \
            "run_server(Settings.from_env())"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-c", serve], env=env, cwd=PROJECT_ROOT, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                        break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"the API server did not start; see {log_path}") from None
                    time.sleep(0.2)
            yield port, psutil.Process(process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def measure_api(
    port: int, operation: Operation, clients: int, seconds: float, warmup: float, max_requests: int,
    server: list[psutil.Process], neo4j_processes: list[psutil.Process],
) -> Figures:
    spec = {"port": port, "path": "/graphql", "body": operation.body, "concurrency": clients, "seconds": seconds,
            "warmup": warmup, "max_requests": max_requests}
    cpu, neo4j_cpu = cpu_seconds(server), cpu_seconds(neo4j_processes)
    done = subprocess.run(
        [sys.executable, "-m", "bench.http_load"], input=json.dumps(spec), capture_output=True, text=True,
        cwd=PROJECT_ROOT, check=True,
    )
    cpu, neo4j_cpu = cpu_seconds(server) - cpu, cpu_seconds(neo4j_processes) - neo4j_cpu
    result = json.loads(done.stdout)
    if result["errors"]:
        print(f"  {operation.name} × {clients}: {result['errors']} errors, first: {result['first_error']}")
    per = 1000 / max(1, result["answered"])
    return Figures(
        result["p50"], result["p99"], result["rps"], result["requests"], result["errors"], cpu * per,
        neo4j_cpu * per, result["client_cpu_ms"], os.getloadavg()[0],
    )


def check_answers(port: int) -> None:
    """Each operation answers data without errors before it is measured."""
    for operation in OPERATIONS:
        answer = _post(port, operation.body)
        if answer.get("errors") or not answer.get("data"):
            raise SystemExit(f"{operation.name} answered {json.dumps(answer)[:500]}")


# --- the report -------------------------------------------------------------------------------------------------------


def _row(label: str, operation: str, clients: int, api: Figures, raw: Figures) -> list[object]:
    return [
        label, operation, clients, f"{api.p50:.1f}", f"{api.p99:.1f}", f"{api.rps:,.0f}",
        f"{raw.p50:.1f}", f"{raw.p99:.1f}", f"{raw.rps:,.0f}",
        f"{api.p50 / raw.p50:.1f}x" if raw.p50 else "-", f"{raw.rps / api.rps:.1f}x" if api.rps else "-",
        f"{api.cpu_ms:.2f}", f"{api.neo4j_cpu_ms:.2f}", f"{api.client_cpu_ms:.2f}",
        f"{raw.cpu_ms:.2f}", f"{raw.neo4j_cpu_ms:.2f}", f"{api.load:.1f}", api.errors,
    ]


def _found(module: str, otherwise: str) -> str:
    """What uvicorn's "auto" loop and HTTP settings pick in the server (same environment as this process)."""
    return module if importlib.util.find_spec(module) is not None else otherwise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per cell (default 10)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each cell (default 1)")
    parser.add_argument("--jvm-warmup", type=float, default=5.0,
                        help="seconds of each baseline operation run once before anything is measured (default 5)")
    parser.add_argument("--max-requests", type=int, default=50_000, help="at most this many per cell")
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts to run, comma-separated")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients, comma-separated")
    parser.add_argument("--operations", default=",".join(o.name for o in OPERATIONS),
                        help="operations to run, comma-separated (default: all)")
    args = parser.parse_args()
    chosen = args.operations.split(",")
    unknown = sorted(set(chosen) - {o.name for o in OPERATIONS})
    if unknown:
        parser.error(f"unknown operation(s) {', '.join(unknown)}")
    operations = [o for o in OPERATIONS if o.name in chosen]
    workers = [int(w) for w in args.workers.split(",")]
    clients = [int(c) for c in args.clients.split(",")]
    window = (args.seconds, args.warmup, args.max_requests)

    with bench_neo4j(folder="bench-api") as (settings, driver):
        wipe_graph(driver)
        migrate(driver)
        load_catalog(driver, DEMO_CATALOG)
        print(f"Neo4j {settings.bolt_uri}, demo catalog loaded; {os.cpu_count()} CPUs; "
              f"{args.seconds:g} s per cell after {args.warmup:g} s warm-up, at most {args.max_requests:,} requests; "
              f"uvicorn's event loop {_found('uvloop', 'asyncio')}, HTTP parser {_found('httptools', 'h11')}")
        raw = measure_raw(settings, operations, clients, *window, warm_up=args.jvm_warmup)
        for (name, n), figures in raw.items():
            print(f"  raw {name} × {n}: p50 {figures.p50:.1f} ms, p99 {figures.p99:.1f} ms, {figures.rps:,.0f}/s",
                  flush=True)
        neo4j_processes = neo4j_process(settings)
        rows: list[list[object]] = []
        journeys: dict[int, Figures] = {}
        for count in workers:
            with api_server(settings, count) as (port, server):
                check_answers(port)
                for operation in operations:
                    for n in clients:
                        figures = measure_api(port, operation, n, *window, [server], neo4j_processes)
                        rows.append(_row(f"{count} worker{'s' if count > 1 else ''}", operation.name, n, figures,
                                         raw[operation.name, n]))
                        if operation.name == "journey" and n == max(clients):
                            journeys[count] = figures
                        print(f"  {rows[-1][0]} {operation.name} × {n}: p50 {figures.p50:.1f} ms, "
                              f"p99 {figures.p99:.1f} ms, {figures.rps:,.0f}/s", flush=True)

    print_table(
        "GraphQL API over HTTP vs the same reads with the raw async driver (ms; ratio = API / raw)",
        ["server", "operation", "clients", "p50", "p99", "req/s", "raw p50", "raw p99", "raw req/s", "p50 ratio",
         "req/s ratio", "cpu/req", "neo4j/req", "client/req", "raw cpu/req", "raw neo4j/req", "load", "errors"],
        rows,
    )
    print("cpu/req: CPU ms per request of the server (all workers); neo4j/req: of Neo4j; client/req: of the load "
          "generator; raw …: of the baseline process and of Neo4j during the baseline; load: 1-min load average")
    cores = os.cpu_count() or 1
    for count, figures in journeys.items():
        p99_ok, rps_ok = figures.p99 <= 50, figures.rps >= 300
        print(f"targets, {count} worker(s), journey at {max(clients)} clients: p99 {figures.p99:.1f} ms "
              f"({'met' if p99_ok else 'MISSED'}: ≤ 50), {figures.rps:,.0f}/s ({'met' if rps_ok else 'MISSED'}: ≥ 300)")
        spent = figures.cpu_ms + figures.neo4j_cpu_ms + figures.client_cpu_ms
        ceiling = cores * 1000 / spent if spent else float("nan")
        print(f"  CPU per journey {spent:.2f} ms (server, Neo4j, client): at most {ceiling:,.0f}/s on {cores} idle "
              f"cores, so {max(clients)} closed-loop clients wait at least {max(clients) / ceiling * 1000:.0f} ms "
              f"on average (Little's law)")


if __name__ == "__main__":
    main()
