"""The project's own Neo4j 5.26 LTS Community server: installed from Maven Central, run embedded with Bolt.

``install`` resolves ``org.neo4j:neo4j`` with Maven into a repository folder the project owns and compiles the small
launcher in ``neo4j-launcher/`` with javac. ``start`` runs it on JDK 17 in its own session, with data and logs under
``var/neo4j``, and waits until Bolt answers; ``stop`` sends SIGTERM (the launcher shuts the database down cleanly);
``status`` asks ``dbms.components()``. When ``NAVIGATOR_NEO4J_URI`` is set, none of this runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import neo4j

from graph.admin import server_components
from navigator.errors import Neo4jServerError
from navigator.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

LAUNCHER_DIR = PROJECT_ROOT / "neo4j-launcher"
LAUNCHER_MAIN = "org.roadoflife.neo4j.Launcher"

# Servers this process started, kept so they are reaped on stop (the server itself outlives the CLI process).
_children: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerStatus:
    uri: str
    running: bool
    version: str | None
    edition: str | None
    pid: int | None
    managed: bool


def _files(settings: Settings) -> dict[str, Path]:
    home = settings.neo4j_home
    return {
        "home": home,
        "data": home / "data",
        "logs": home / "logs",
        "conf": home / "neo4j.conf",
        "pid": home / "neo4j.pid",
        "classpath": home / "classpath.txt",
        "classes": home / "classes",
        "launcher_log": home / "logs" / "launcher.log",
    }


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted([LAUNCHER_DIR / "pom.xml", *LAUNCHER_DIR.rglob("*.java")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def install(settings: Settings) -> Path:
    """Resolve Neo4j's jars and compile the launcher; cached, so a second call does nothing.

    Returns the file holding the classpath.
    """
    files = _files(settings)
    files["home"].mkdir(parents=True, exist_ok=True)
    stamp = files["home"] / f".installed-{_sources_digest()}"
    cp_file = files["classpath"]
    if stamp.exists() and cp_file.exists() and all(Path(p).exists() for p in cp_file.read_text().split(os.pathsep)):
        return cp_file
    for tool in ("mvn", "javac", "java"):
        if shutil.which(tool) is None:
            raise Neo4jServerError(f"{tool} is not installed; Neo4j needs JDK 17 and Maven")
    repo = settings.maven_repo_dir.resolve()
    cmd = [
        "mvn", "-q", "-B", "-f", str(LAUNCHER_DIR / "pom.xml"), f"-Dmaven.repo.local={repo}",
        "dependency:build-classpath", f"-Dmdep.outputFile={cp_file.resolve()}",
    ]
    log.info("resolving Neo4j from Maven Central into %s", repo)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        raise Neo4jServerError("Maven could not resolve Neo4j:\n" + (done.stdout + done.stderr)[-4000:])
    classes = files["classes"]
    shutil.rmtree(classes, ignore_errors=True)
    classes.mkdir(parents=True)
    sources = [str(p) for p in sorted(LAUNCHER_DIR.rglob("*.java"))]
    done = subprocess.run(
        ["javac", "--release", "17", "-cp", cp_file.read_text().strip(), "-d", str(classes), *sources],
        capture_output=True, text=True, timeout=600, check=False,
    )
    if done.returncode != 0:
        raise Neo4jServerError("javac could not compile the Neo4j launcher:\n" + done.stderr[-4000:])
    for old in files["home"].glob(".installed-*"):
        old.unlink()
    stamp.touch()
    return cp_file


def _write_config(settings: Settings, files: dict[str, Path]) -> None:
    port = settings.neo4j_bolt_port
    lines = [
        "# Written by `navigator neo4j start`; edits are overwritten.",
        "server.bolt.enabled=true",
        f"server.bolt.listen_address=127.0.0.1:{port}",
        f"server.bolt.advertised_address=127.0.0.1:{port}",
        # Only reachable from this machine (loopback), so local development runs without a password.
        "dbms.security.auth_enabled=false",
        f"server.memory.pagecache.size={settings.neo4j_pagecache}",
        "db.transaction.timeout=120s",
        "db.lock.acquisition.timeout=60s",
        "server.logs.debug.enabled=true",
        "dbms.usage_report.enabled=false",
    ]
    files["conf"].write_text("\n".join(lines) + "\n")


def _read_pid(files: dict[str, Path]) -> int | None:
    try:
        pid = int(files["pid"].read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return pid
    if stat.rsplit(")", 1)[-1].split()[0] == "Z":
        return None  # exited, not yet reaped
    # While the java launcher re-executes itself the command line can be briefly empty: still ours.
    if cmdline and LAUNCHER_MAIN.encode() not in cmdline and b"java" not in cmdline:
        return None
    return pid


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _components(settings: Settings, timeout: float) -> tuple[str, str] | None:
    auth = (settings.neo4j_user, settings.neo4j_password)
    try:
        with neo4j.GraphDatabase.driver(
            settings.bolt_uri, auth=auth, connection_timeout=timeout, max_transaction_retry_time=0,
            connection_acquisition_timeout=timeout, notifications_min_severity="OFF",
        ) as driver:
            return server_components(driver)
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError):
        return None


def status(settings: Settings) -> ServerStatus:
    files = _files(settings)
    pid = _read_pid(files) if settings.embedded else None
    found = _components(settings, timeout=min(settings.connect_timeout, 3.0))
    return ServerStatus(
        uri=settings.bolt_uri, running=found is not None, version=found[0] if found else None,
        edition=found[1] if found else None, pid=pid, managed=settings.embedded,
    )


def start(settings: Settings) -> ServerStatus:
    """Start the project's own Neo4j and wait until Bolt answers. Already running is success."""
    if not settings.embedded:
        current = status(settings)
        if not current.running:
            raise Neo4jServerError(f"NAVIGATOR_NEO4J_URI is set, and {settings.bolt_uri} does not answer")
        return current
    files = _files(settings)
    current = status(settings)
    if current.running:
        return current
    pid = _read_pid(files)
    if pid is None and _port_open(settings.neo4j_bolt_port):
        raise Neo4jServerError(
            f"port {settings.neo4j_bolt_port} is taken by another program; set NAVIGATOR_NEO4J_BOLT_PORT"
        )
    if pid is None:
        cp_file = install(settings)
        for key in ("data", "logs"):
            files[key].mkdir(parents=True, exist_ok=True)
        _write_config(settings, files)
        classpath = os.pathsep.join([str(files["classes"]), cp_file.read_text().strip()])
        cmd = [
            "java", f"-Xms{settings.neo4j_heap}", f"-Xmx{settings.neo4j_heap}", "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError", "-Dfile.encoding=UTF-8", "-cp", classpath,
            LAUNCHER_MAIN, str(files["data"]), str(files["conf"]),
        ]
        with files["launcher_log"].open("ab") as out:
            proc = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        _children[proc.pid] = proc
        files["pid"].write_text(str(proc.pid))
        pid = proc.pid
        log.info("started Neo4j (pid %d), waiting for Bolt on %s", pid, settings.bolt_uri)
    deadline = time.monotonic() + settings.neo4j_start_timeout
    while time.monotonic() < deadline:
        if _read_pid(files) is None:
            tail = files["launcher_log"].read_text(errors="replace")[-3000:] if files["launcher_log"].exists() else ""
            raise Neo4jServerError(f"Neo4j exited while starting; last log lines:\n{tail}")
        current = status(settings)
        if current.running:
            return current
        time.sleep(0.5)
    raise Neo4jServerError(
        f"Neo4j did not answer on {settings.bolt_uri} within {settings.neo4j_start_timeout:.0f} s; "
        f"see {files['launcher_log']}"
    )


def stop(settings: Settings, timeout: float = 60.0) -> bool:
    """Stop the project's own Neo4j cleanly. Returns False when it was not running."""
    if not settings.embedded:
        raise Neo4jServerError("NAVIGATOR_NEO4J_URI is set: that Neo4j is not ours to stop")
    files = _files(settings)
    pid = _read_pid(files)
    if pid is None:
        files["pid"].unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _read_pid(files) is None:
            break
        _reap(pid)
        time.sleep(0.2)
    else:
        log.warning("Neo4j (pid %d) did not stop in %.0f s; killing it", pid, timeout)
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
    child = _children.get(pid)
    if child is not None:  # ours: the pid file goes before the JVM has quite exited; wait for it to end
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(1.0, deadline - time.monotonic()))
    _reap(pid)
    files["pid"].unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    child = _children.get(pid)
    if child is not None:
        if child.poll() is not None:
            del _children[pid]
        return
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
