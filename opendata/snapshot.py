"""JSON-lines snapshots: the file that joins a harvest to a load (as ``ckanapi dump`` / ``ckanapi load`` do).

Line 1 is a header object (``"snapshot": "opendata"``) with the portal, its CKAN version, when and how it was
harvested (``mode`` full/incremental, the ``since`` watermark it started from and the ``watermark`` to start the next
incremental harvest from), the ids found deleted and the records rejected. Every other line is one
:meth:`DatasetRecord.to_json` object.

Writing is atomic: records go to a temporary file beside the target; on commit the header and the records are written
to a second temporary file, flushed, fsync'd and renamed over the target, and the directory is fsync'd. A failed or
abandoned write leaves the previous snapshot untouched. Reading yields the records and reports each bad line (its
number and why) instead of stopping.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, Self

from opendata.errors import RecordInvalid, SnapshotInvalid
from opendata.records import DatasetRecord

logger = logging.getLogger(__name__)

SNAPSHOT_KIND = "opendata"
FORMAT_VERSION = 1
Mode = Literal["full", "incremental"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejection:
    """A dataset (by CKAN id or name) or an input line (``line 12``) that could not be normalised, and why."""

    ref: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SnapshotHeader:
    """What a snapshot holds and where it came from; ``method`` is how the portal was read."""

    portal: str
    portal_url: str | None
    ckan_version: str | None
    harvested_at: str
    mode: Mode
    since: str | None = None
    watermark: str | None = None
    method: str = "package_search"
    record_count: int = 0
    deleted_ids: tuple[str, ...] = ()
    deletions_checked: bool = False
    rejected: tuple[Rejection, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "snapshot": SNAPSHOT_KIND, "format_version": FORMAT_VERSION, "portal": self.portal,
            "portal_url": self.portal_url, "ckan_version": self.ckan_version, "harvested_at": self.harvested_at,
            "mode": self.mode, "since": self.since, "watermark": self.watermark, "method": self.method,
            "record_count": self.record_count, "deleted_ids": list(self.deleted_ids),
            "deletions_checked": self.deletions_checked,
            "rejected": [{"ref": r.ref, "reason": r.reason} for r in self.rejected],
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: object) -> Self:
        if not isinstance(data, dict) or data.get("snapshot") != SNAPSHOT_KIND:
            raise SnapshotInvalid("line 1: not an opendata snapshot header")
        if data.get("format_version") != FORMAT_VERSION:
            raise SnapshotInvalid(f"line 1: unsupported snapshot format_version {data.get('format_version')!r}")
        try:
            mode = data["mode"]
            if mode not in ("full", "incremental"):
                raise SnapshotInvalid(f"line 1: mode must be full or incremental, not {mode!r}")
            rejected = tuple(Rejection(ref=str(r["ref"]), reason=str(r["reason"])) for r in data.get("rejected", []))
            return cls(
                portal=_text(data["portal"], "portal"), portal_url=_opt_text(data.get("portal_url"), "portal_url"),
                ckan_version=_opt_text(data.get("ckan_version"), "ckan_version"),
                harvested_at=_text(data["harvested_at"], "harvested_at"), mode=mode,
                since=_opt_text(data.get("since"), "since"), watermark=_opt_text(data.get("watermark"), "watermark"),
                method=_text(data.get("method", "package_search"), "method"),
                record_count=int(data.get("record_count", 0)),
                deleted_ids=tuple(_text(i, "deleted_ids") for i in data.get("deleted_ids", [])),
                deletions_checked=bool(data.get("deletions_checked", False)), rejected=rejected,
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as e:
            raise SnapshotInvalid(f"line 1: malformed snapshot header: {e!r}") from e


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise SnapshotInvalid(f"line 1: header field {name} must be non-empty text")
    return value


def _opt_text(value: object, name: str) -> str | None:
    return None if value is None else _text(value, name)


def _dump_line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


class SnapshotWriter:
    """Write records as they come, then :meth:`commit` the header and publish the file atomically.

    Used as a context manager, an exception (or leaving without a commit) discards everything written.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._body: IO[str] | None = tempfile.NamedTemporaryFile(  # closed by commit/abort
            "w", encoding="utf-8", dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".body", delete=False
        )
        self.count = 0

    def write(self, record: DatasetRecord) -> None:
        if self._body is None:
            raise ValueError("snapshot writer is closed")
        self._body.write(_dump_line(record.to_json()))
        self.count += 1

    def commit(self, header: SnapshotHeader) -> Path:
        """Publish header + records at ``path`` atomically; returns the path."""
        if self._body is None:
            raise ValueError("snapshot writer is closed")
        body, self._body = self._body, None
        body.close()
        final = tempfile.NamedTemporaryFile(  # renamed into place below
            "w", encoding="utf-8", dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp", delete=False
        )
        try:
            with final:
                final.write(_dump_line(header.to_json()))
                with open(body.name, encoding="utf-8") as records:
                    shutil.copyfileobj(records, final)
                final.flush()
                os.fsync(final.fileno())
            os.replace(final.name, self.path)
            _fsync_directory(self.path.parent)
        except BaseException:
            Path(final.name).unlink(missing_ok=True)
            raise
        finally:
            Path(body.name).unlink(missing_ok=True)
        logger.debug("snapshot %s written: %d records", self.path, self.count)
        return self.path

    def abort(self) -> None:
        if self._body is not None:
            body, self._body = self._body, None
            body.close()
            Path(body.name).unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._body is not None:
            if exc_type is None:
                logger.warning("snapshot %s left without a commit: discarded", self.path)
            self.abort()


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_snapshot(path: str | os.PathLike[str], header: SnapshotHeader, records: Iterable[DatasetRecord]) -> Path:
    """Write a whole snapshot atomically; the header's ``record_count`` is set from the records written."""
    with SnapshotWriter(path) as writer:
        for record in records:
            writer.write(record)
        return writer.commit(_with_count(header, writer.count))


def _with_count(header: SnapshotHeader, count: int) -> SnapshotHeader:
    return dataclasses.replace(header, record_count=count)


@dataclass(frozen=True, slots=True, kw_only=True)
class SnapshotProblem:
    """A snapshot line that was skipped: its 1-based number and the reason."""

    line: int
    reason: str


class SnapshotReader:
    """Iterate a snapshot's records; bad lines are skipped and listed in :attr:`problems` (filled while iterating).

    Raises :class:`SnapshotInvalid` at once when the file is missing or its header is unreadable.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.problems: list[SnapshotProblem] = []
        try:
            self._file: IO[bytes] = open(self.path, "rb")  # closed by close()/__exit__
        except OSError as e:
            raise SnapshotInvalid(f"{self.path}: cannot open: {e.strerror or e}") from e
        first = self._file.readline()
        try:
            data = json.loads(first.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            self._file.close()
            raise SnapshotInvalid(f"{self.path}: line 1: the header is not JSON") from e
        except BaseException:
            self._file.close()
            raise
        try:
            self.header = SnapshotHeader.from_json(data)
        except SnapshotInvalid as e:
            self._file.close()
            raise SnapshotInvalid(f"{self.path}: {e}") from e

    def __iter__(self) -> Iterator[DatasetRecord]:
        seen: dict[str, int] = {}
        for number, raw_line in enumerate(self._file, start=2):
            if not raw_line.strip():
                continue
            try:
                data = json.loads(raw_line.decode("utf-8"))
                record = DatasetRecord.from_json(data)
            except UnicodeDecodeError as e:
                self._problem(number, f"not UTF-8 text ({e.reason} at byte {e.start})")
                continue
            except ValueError as e:  # json.JSONDecodeError is a ValueError
                self._problem(number, f"invalid JSON: {e}")
                continue
            except RecordInvalid as e:
                self._problem(number, str(e))
                continue
            if record.ckan_id in seen:
                self._problem(number, f"duplicate ckan_id {record.ckan_id} (first at line {seen[record.ckan_id]})")
                continue
            seen[record.ckan_id] = number
            yield record

    def _problem(self, line: int, reason: str) -> None:
        logger.warning("snapshot %s: line %d skipped: %s", self.path, line, reason)
        self.problems.append(SnapshotProblem(line=line, reason=reason))

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    header: SnapshotHeader
    records: tuple[DatasetRecord, ...]
    problems: tuple[SnapshotProblem, ...]

    def known_datasets(self) -> dict[str, str]:
        """CKAN id → name of the records, for detecting deletions in the next incremental harvest."""
        return {record.ckan_id: record.name for record in self.records}


def read_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Read a whole snapshot into memory (see :class:`SnapshotReader` to stream it)."""
    with SnapshotReader(path) as reader:
        records = tuple(reader)
        return Snapshot(header=reader.header, records=records, problems=tuple(reader.problems))
