"""Soak test: the API for a bounded time at many concurrent connections over a query mix — errors, latency, memory.

Its own Neo4j (``var/bench-soak``) gets the demo catalog; ``navigator serve``'s production path runs in a subprocess
on a free loopback port (``bench.api.api_server``: JSON request logs, metrics, the Neo4j circuit, the request
deadline). A load generator in a process of its own (this module with ``--client``) keeps ``--connections``
keep-alive HTTP/1.1 connections busy for ``--seconds`` after ``--warmup``; connection *i* sends the operations of
``bench.api`` in turn starting from the *i*-th (life stages, a service page, a newborn's journey), so the mix is even.

An answer is an error unless it is ``200`` without an ``errors`` member. Reported: requests and errors per operation
and in all, p50/p90/p99/max latency, requests/s, and the resident memory (RSS, all worker processes) of the app at
the end of the warm-up, every ``--sample`` seconds, and at the end: it must stay flat. The process exits 1 on any
error.

Run: .venv/bin/python -m bench.soak [--seconds 60] [--connections 64] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psutil

from bench.api import OPERATIONS, api_server, check_answers
from bench.common import bench_neo4j, percentile, print_table
from graph.admin import wipe_graph
from graph.catalog import DEMO_CATALOG
from graph.loader import load_catalog
from graph.migrations import migrate
from navigator.settings import PROJECT_ROOT

# --- the load generator (its own process) -----------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    """Latencies (ms) and errors by operation."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    first_error: str = ""


def _request(port: int, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode("ascii") + payload


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = next((int(v) for k, _, v in (line.partition(b":") for line in lines[1:])
                   if k.strip().lower() == b"content-length"), 0)
    return int(lines[0].split(b" ", 2)[1]), await reader.readexactly(length)


async def _connection(
    port: int, mix: list[tuple[str, bytes]], first: int, tally: _Tally, count_from: float, stop_at: float
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for i in range(first, 10**9):
            name, request = mix[i % len(mix)]
            started = time.perf_counter()
            if started >= stop_at:
                return
            writer.write(request)
            try:
                status, body = await _answer(reader)
            except (OSError, asyncio.IncompleteReadError) as e:
                tally.errors[name] = tally.errors.get(name, 0) + 1
                tally.first_error = tally.first_error or f"{name}: connection lost ({type(e).__name__})"
                return
            if started < count_from:
                continue
            tally.latencies.setdefault(name, []).append((time.perf_counter() - started) * 1000)
            if status != 200 or b'"errors"' in body:
                tally.errors[name] = tally.errors.get(name, 0) + 1
                tally.first_error = tally.first_error or f"{name}: {status} {body[:300]!r}"
    finally:
        writer.close()


async def _load(spec: dict[str, Any]) -> dict[str, Any]:
    port = int(spec["port"])
    mix = [(op["name"], _request(port, op["body"])) for op in spec["operations"]]
    tally = _Tally()
    count_from = time.perf_counter() + float(spec["warmup"])
    stop_at = count_from + float(spec["seconds"])
    await asyncio.gather(*(
        _connection(port, mix, i, tally, count_from, stop_at) for i in range(int(spec["connections"]))
    ))
    seconds = time.perf_counter() - count_from
    names = [name for name, _ in mix]
    rows = {name: _figures(tally.latencies.get(name, []), tally.errors.get(name, 0), seconds) for name in names}
    everything = [ms for name in names for ms in tally.latencies.get(name, [])]
    rows["all"] = _figures(everything, sum(tally.errors.values()), seconds)
    return {"rows": rows, "errors": sum(tally.errors.values()), "first_error": tally.first_error, "seconds": seconds}


def _figures(ms: list[float], errors: int, seconds: float) -> dict[str, float]:
    return {"requests": len(ms), "errors": errors, "rps": len(ms) / seconds, "p50": percentile(ms, 50),
            "p90": percentile(ms, 90), "p99": percentile(ms, 99), "max": max(ms, default=0.0)}


# --- the soak ---------------------------------------------------------------------------------------------------------


def _rss_mb(process: psutil.Process) -> float:
    """Resident memory of the server process and its children (uvicorn's workers), in MB."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between memory samples")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(asyncio.run(_load(json.loads(sys.stdin.read())))))
        return
    with bench_neo4j(heap="1g", pagecache="512m", folder="bench-soak") as (settings, driver):
        wipe_graph(driver)
        migrate(driver)
        load_catalog(driver, DEMO_CATALOG)
        with api_server(settings, args.workers) as (port, server):
            check_answers(port)
            spec = {"port": port, "connections": args.connections, "seconds": args.seconds, "warmup": args.warmup,
                    "operations": [{"name": op.name, "body": op.body} for op in OPERATIONS]}
            client = subprocess.Popen(
                [sys.executable, "-m", "bench.soak", "--client"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                cwd=PROJECT_ROOT, text=True,
            )
            answer: list[str] = []
            talk = threading.Thread(target=lambda: answer.append(client.communicate(json.dumps(spec))[0]))
            talk.start()
            began = time.monotonic()
            time.sleep(args.warmup)
            memory = [(0.0, _rss_mb(server))]
            while talk.is_alive():
                talk.join(timeout=min(args.sample, 1.0))
                elapsed = time.monotonic() - began - args.warmup
                if elapsed - memory[-1][0] >= args.sample:
                    memory.append((elapsed, _rss_mb(server)))
            memory.append((time.monotonic() - began - args.warmup, _rss_mb(server)))
            if client.returncode != 0:
                raise SystemExit(f"the load generator failed ({client.returncode})")
            result = json.loads(answer[0])
    _report(args, result, memory)
    if result["errors"]:
        raise SystemExit(1)


def _report(args: argparse.Namespace, result: dict[str, Any], memory: list[tuple[float, float]]) -> None:
    seconds = result["seconds"]
    rows = [
        [name, f["requests"], f["errors"], f"{f['rps']:,.0f}", f"{f['p50']:.1f}", f"{f['p90']:.1f}",
         f"{f['p99']:.1f}", f"{f['max']:.1f}"]
        for name, f in result["rows"].items()
    ]
    print_table(
        f"Soak: {args.connections} connections, {seconds:.0f} s after a {args.warmup:.0f} s warm-up, "
        f"{args.workers} worker(s), load average {os.getloadavg()[0]:.1f} at the end",
        ["operation", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"], rows,
    )
    print_table("App memory (RSS of all its processes)", ["at s", "RSS MB"],
                [[f"{t:.0f}", f"{mb:.1f}"] for t, mb in memory])
    start, end = memory[0][1], memory[-1][1]
    print(f"\nRSS start {start:.1f} MB, end {end:.1f} MB ({end - start:+.1f} MB, {100 * (end - start) / start:+.1f} %)")
    if result["first_error"]:
        print(f"first error: {result['first_error']}")


if __name__ == "__main__":
    main()
