"""The index folder: generations of whoosh indexes, the pointer to the live one, and the one-writer lock.

Layout of the index folder::

    CURRENT              the name of the live generation, replaced atomically (write a temporary file, os.replace)
    gen-000007/          a complete whoosh index, plus META.json (schema version, documents, when built)
    gen-000006/          the previous generation, kept so a reader that opened it just before a swap can finish
    build-<random>/      a rebuild in progress (removed if a crash left it behind)
    writer.lock          held (flock) by the one process rebuilding or updating; the kernel frees it if it dies
    zero_results.sqlite3 see :mod:`navigator.search.zero_results`
    jieba/               jieba's dictionary cache

A rebuild writes a new generation beside the live one and swaps ``CURRENT``, so readers never see a half-built index;
an update commits into the live generation, where whoosh writes new segment files first and its TOC last, so a crash
mid-commit leaves the previous TOC, and the index as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from navigator.search.errors import IndexLocked, IndexUnusable

logger = logging.getLogger(__name__)

POINTER = "CURRENT"
META = "META.json"
LOCK = "writer.lock"
_GENERATION_PREFIX = "gen-"
_BUILD_PREFIX = "build-"
_KEEP_GENERATIONS = 2


@contextlib.contextmanager
def writer_lock(root: Path, timeout: float) -> Iterator[None]:
    """Hold the index folder's writer lock, waiting up to ``timeout`` seconds; :class:`IndexLocked` after that."""
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexLocked(f"another writer held {root / LOCK} for more than {timeout:g} s") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def read_pointer(root: Path) -> str | None:
    """The name of the live generation, or None when the folder has none yet."""
    try:
        name = (root / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not name.startswith(_GENERATION_PREFIX) or "/" in name or not (root / name).is_dir():
        raise IndexUnusable(f"{root / POINTER} names {name!r}, which is not a generation folder: rebuild the index")
    return name


def pointer_stamp(root: Path) -> tuple[int, int]:
    """Inode and modification time of ``CURRENT``: changes whenever a generation is swapped in."""
    try:
        stat = os.stat(root / POINTER)
    except FileNotFoundError:
        return (0, 0)
    return (stat.st_ino, stat.st_mtime_ns)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_pointer(root: Path, generation: str) -> None:
    """Make ``generation`` the live one, atomically (callers hold the writer lock)."""
    temporary = root / f".{POINTER}.{uuid.uuid4().hex}"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(generation + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, root / POINTER)
    _fsync_dir(root)


def new_build_dir(root: Path) -> Path:
    """A fresh folder for a rebuild; leftovers of crashed rebuilds are removed first (callers hold the lock)."""
    for stale in root.glob(_BUILD_PREFIX + "*"):
        logger.warning("removing %s, left by an interrupted rebuild", stale)
        shutil.rmtree(stale, ignore_errors=True)
    path = root / f"{_BUILD_PREFIX}{uuid.uuid4().hex}"
    path.mkdir()
    return path


def _generations(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob(_GENERATION_PREFIX + "*") if p.is_dir())


def promote(root: Path, build_dir: Path) -> str:
    """Rename a finished build to the next generation, point ``CURRENT`` at it, drop generations beyond the last two."""
    existing = _generations(root)
    number = int(existing[-1].removeprefix(_GENERATION_PREFIX)) + 1 if existing else 1
    generation = f"{_GENERATION_PREFIX}{number:06d}"
    os.rename(build_dir, root / generation)
    write_pointer(root, generation)
    for old in _generations(root)[:-_KEEP_GENERATIONS]:
        shutil.rmtree(root / old, ignore_errors=True)
    return generation


def write_meta(path: Path, **values: Any) -> None:
    meta = {"built_at": datetime.now(UTC).isoformat(timespec="seconds"), **values}
    (path / META).write_text(json.dumps(meta, sort_keys=True) + "\n", encoding="utf-8")


def read_meta(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads((path / META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexUnusable(f"{path / META} is missing or unreadable ({error}): rebuild the index") from error
    if not isinstance(meta, dict):
        raise IndexUnusable(f"{path / META} is not a JSON object: rebuild the index")
    return meta
