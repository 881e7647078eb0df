"""The load generator of ``bench/api.py``, run as a process of its own so it never shares the server's event loop.

N clients, each one keep-alive HTTP/1.1 connection on raw asyncio streams (no HTTP library: on 2 cores the client's
own overhead must stay small), send one prepared POST after another for a bounded time or request count. Requests
answered in the warm-up are not counted. A response counts as an error unless it is ``200`` and its body has no
``"errors"`` member. One JSON line on stdout: requests (measured) and answered (warm-up included), errors, seconds,
requests/s, p50/p90/p99/max in ms, and the client's own CPU milliseconds per answered request.

Input (JSON on stdin): ``{"port", "path", "body", "concurrency", "seconds", "warmup", "max_requests"}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench.common import percentile


@dataclass(slots=True)
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    answered: int = 0
    """Every answer, warm-up included (the CPU time covers them all)."""


def _request(port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return status, await reader.readexactly(length)


async def _client(
    port: int, request: bytes, tally: Tally, count_from: float, stop_at: float, budget: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            started = time.perf_counter()
            if started >= stop_at or budget[0] <= 0:
                return
            writer.write(request)
            status, body = await _read_response(reader)
            ended = time.perf_counter()
            tally.answered += 1
            if started < count_from:
                continue
            budget[0] -= 1
            if status != 200 or b'"errors"' in body:
                tally.errors += 1
                tally.first_error = tally.first_error or f"{status}: {body[:300]!r}"
            tally.latencies.append(ended - started)
    finally:
        writer.close()


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    port, concurrency = int(spec["port"]), int(spec["concurrency"])
    request = _request(port, str(spec["path"]), json.dumps(spec["body"]).encode())
    tally = Tally()
    begun = time.perf_counter()
    count_from = begun + float(spec["warmup"])
    stop_at = count_from + float(spec["seconds"])
    budget = [int(spec["max_requests"])]
    clients = [_client(port, request, tally, count_from, stop_at, budget) for _ in range(concurrency)]
    cpu = time.process_time()
    await asyncio.gather(*clients)
    cpu = time.process_time() - cpu
    seconds = time.perf_counter() - count_from
    ms = [x * 1000 for x in tally.latencies]
    return {
        "requests": len(ms), "answered": tally.answered, "errors": tally.errors, "first_error": tally.first_error,
        "seconds": seconds,
        "rps": len(ms) / seconds if seconds > 0 else 0.0,
        "p50": percentile(ms, 50), "p90": percentile(ms, 90), "p99": percentile(ms, 99), "max": max(ms, default=0.0),
        "client_cpu_ms": cpu * 1000 / tally.answered if tally.answered else 0.0,
    }


def main() -> None:
    spec = json.loads(sys.stdin.read())
    print(json.dumps(asyncio.run(run(spec))))


if __name__ == "__main__":
    main()
