"""Shared by the benchmarks: a Neo4j of their own (never the development graph), and a small timing table."""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
from collections.abc import Iterator
from pathlib import Path

import neo4j

from navigator import neo4j_server
from navigator.database import open_driver
from navigator.settings import PROJECT_ROOT, Settings

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def bench_neo4j(
    heap: str = "2g", pagecache: str = "2g", *, folder: str = "bench"
) -> Iterator[tuple[Settings, neo4j.Driver]]:
    """Start the project's own Neo4j under var/<folder> on a free port (wiped by the benchmark), stop it after.

    Whatever already runs in that folder is stopped first: benchmarks that may run at the same time as others
    take a folder of their own (``folder="bench-api"``)."""
    if os.environ.get("NAVIGATOR_NEO4J_URI"):
        raise SystemExit("benchmarks wipe their graph: unset NAVIGATOR_NEO4J_URI, they run their own Neo4j")
    settings = Settings(
        var_dir=PROJECT_ROOT / "var" / folder, neo4j_bolt_port=_free_port(),
        maven_repo=PROJECT_ROOT / "var" / "cache" / "m2", neo4j_heap=heap, neo4j_pagecache=pagecache,
        query_timeout=60.0,
    )
    neo4j_server.stop(settings)
    neo4j_server.start(settings)
    try:
        with open_driver(settings) as driver:
            yield settings, driver
    finally:
        neo4j_server.stop(settings)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)


def print_table(title: str, header: list[str], rows: list[list[object]]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=False)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)))
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=False)))


def require_shared(path: Path) -> Path:
    if not path.exists():
        raise SystemExit(f"{path} is absent: this benchmark reads the shared real data (../shared)")
    return path
