"""Running the web app under uvicorn the way production wants it (``navigator serve``).

- ``workers`` processes (uvicorn's supervisor restarts a worker that dies); each builds its own app, driver and
  search reader from the same settings, so they share one Neo4j and one read-only search index.
- Logs are JSON lines on stderr (:func:`navigator.observability.logging_config`), one per request from
  ``navigator.access``; uvicorn's own access log is off.
- Graceful shutdown: on SIGTERM or SIGINT uvicorn stops accepting connections, lets the requests in flight finish
  for up to ``NAVIGATOR_SHUTDOWN_TIMEOUT`` seconds, then runs the app's shutdown (driver closed).
- Metrics of several workers: with ``PROMETHEUS_MULTIPROC_DIR`` set, the folder is created and emptied of the
  previous run's files before the workers start (prometheus-client's multi-process mode requires it). This module
  imports prometheus-client (through :mod:`navigator.observability`) only after that: in multi-process mode it opens
  files in that folder as soon as metrics are defined.
- Several workers share a listening socket that uvicorn binds with ``proto`` 0; accepted connections inherit it and
  asyncio then leaves Nagle's algorithm on, so each keep-alive response waited ~40 ms for the client's delayed ACK
  (Kludex/uvicorn#3149). :func:`tcp_listener` gives the socket its ``IPPROTO_TCP`` so connections get
  ``TCP_NODELAY``, as they do with one worker.
"""

from __future__ import annotations

import math
import os
import socket
from pathlib import Path
from typing import Any

from navigator.settings import Settings

__all__ = ["APP_FACTORY", "prepare_metrics_dir", "run_server", "tcp_listener"]

APP_FACTORY = "navigator.app:create_app"


def prepare_metrics_dir() -> Path | None:
    """Create and empty ``PROMETHEUS_MULTIPROC_DIR`` (only prometheus-client's ``*.db`` files), if it is set."""
    raw = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not raw:
        return None
    folder = Path(raw)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)
    return folder


def tcp_listener(sock: socket.socket) -> socket.socket:
    """``sock`` (a bound TCP socket) as a socket object whose ``proto`` is ``IPPROTO_TCP``, inheritable: the sockets it
    accepts then say so too, and asyncio sets ``TCP_NODELAY`` on them."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
        return sock
    fixed = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    fixed.set_inheritable(True)
    return fixed


def run_server(
    settings: Settings, *, app: str = APP_FACTORY, host: str | None = None, port: int | None = None,
    workers: int | None = None,
) -> None:
    """Serve ``app`` (an import string of an app factory taking no arguments) until SIGTERM or SIGINT."""
    prepare_metrics_dir()
    import uvicorn

    from navigator.observability import logging_config

    options: dict[str, Any] = {
        "factory": True, "host": host or settings.host, "port": port or settings.port,
        "workers": workers or settings.workers, "log_config": logging_config(settings.log_level),
        "log_level": settings.log_level.lower(), "access_log": False, "server_header": False,
        "timeout_graceful_shutdown": math.ceil(settings.shutdown_timeout),
    }
    if options["workers"] == 1:
        uvicorn.run(app, **options)
        return
    # uvicorn.run's own path for several workers, with the listening socket's proto fixed (see the module's notes)
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(app, **options)
    try:
        Multiprocess(config, sockets=[tcp_listener(config.bind_socket())]).run()
    except KeyboardInterrupt:
        pass
