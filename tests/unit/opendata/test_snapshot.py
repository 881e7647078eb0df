"""Snapshot files: atomic writes, header, bad lines reported with their number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opendata.errors import SnapshotInvalid
from opendata.records import DatasetRecord
from opendata.snapshot import (
    Rejection,
    SnapshotHeader,
    SnapshotReader,
    SnapshotWriter,
    read_snapshot,
    write_snapshot,
)


def _record(ckan_id: str, title: str = "Traffic") -> DatasetRecord:
    return DatasetRecord(
        portal="demo",
        ckan_id=ckan_id,
        name=f"name-{ckan_id}",
        harvested_at="2025-01-01T00:00:00Z",
        titles={"en": title, "zh-hant": "交通"},
        modified="2024-12-30T16:50:37.676965Z",
    )


def _header(**changes: object) -> SnapshotHeader:
    fields: dict[str, object] = {
        "portal": "demo",
        "portal_url": "https://data.example.org",
        "ckan_version": "2.10.4",
        "harvested_at": "2025-01-01T00:00:00Z",
        "mode": "incremental",
        "since": "2024-12-01T00:00:00Z",
        "watermark": "2024-12-30T16:50:37.676965Z",
        "deleted_ids": ("gone-1",),
        "deletions_checked": True,
        "rejected": (Rejection(ref="bad-1", reason="field id: missing"),),
    }
    fields.update(changes)
    return SnapshotHeader(**fields)  # type: ignore[arg-type]


def test_write_then_read(tmp_path: Path) -> None:
    path = tmp_path / "snap" / "demo.jsonl"
    records = [_record("a"), _record("b", "Parking")]
    assert write_snapshot(path, _header(), records) == path
    snapshot = read_snapshot(path)
    assert snapshot.header == _header(record_count=2)
    assert snapshot.records == tuple(records)
    assert snapshot.problems == ()
    assert snapshot.known_datasets() == {"a": "name-a", "b": "name-b"}
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0])["snapshot"] == "opendata"
    assert "交通" in lines[1]  # UTF-8, not \u escapes
    assert [p.name for p in tmp_path.joinpath("snap").iterdir()] == ["demo.jsonl"]  # no temporary files left


def test_a_failed_write_keeps_the_previous_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "demo.jsonl"
    write_snapshot(path, _header(), [_record("a")])
    before = path.read_bytes()

    def failing() -> list[DatasetRecord]:
        raise RuntimeError("portal went away")

    with pytest.raises(RuntimeError), SnapshotWriter(path) as writer:
        writer.write(_record("b"))
        failing()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["demo.jsonl"]


def test_leaving_without_commit_discards(tmp_path: Path) -> None:
    path = tmp_path / "demo.jsonl"
    with SnapshotWriter(path) as writer:
        writer.write(_record("a"))
    assert list(tmp_path.iterdir()) == []


def test_bad_lines_are_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "demo.jsonl"
    write_snapshot(path, _header(), [_record("a"), _record("b")])
    lines = path.read_bytes().splitlines(keepends=True)
    tampered = json.loads(lines[2])
    tampered["titles"]["en"] = "edited by hand"
    no_id = json.loads(lines[2])
    del no_id["ckan_id"], no_id["content_hash"]
    lines[2:] = [
        b'{"ckan_id": "trunc\n',
        b"\xff\xfe not utf-8\n",
        b"[1, 2]\n",
        (json.dumps(tampered) + "\n").encode(),
        (json.dumps(no_id) + "\n").encode(),
        lines[1],  # duplicate of record a
        lines[2],
    ]
    path.write_bytes(b"".join(lines))
    with SnapshotReader(path) as reader:
        records = list(reader)
        problems = [(p.line, p.reason.split(":")[0]) for p in reader.problems]
    assert [r.ckan_id for r in records] == ["a", "b"]
    assert problems == [
        (3, "invalid JSON"),
        (4, "not UTF-8 text (invalid start byte at byte 0)"),
        (5, "field record"),
        (6, "field content_hash"),
        (7, "field ckan_id"),
        (8, "duplicate ckan_id a (first at line 2)"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "line 1: the header is not JSON"),
        (b"not json\n", "line 1: the header is not JSON"),
        (b'{"id": "x"}\n', "not an opendata snapshot header"),
        (b'{"snapshot": "opendata", "format_version": 99}\n', "unsupported snapshot format_version 99"),
        (b'{"snapshot": "opendata", "format_version": 1, "mode": "full"}\n', "malformed snapshot header"),
        (
            b'{"snapshot": "opendata", "format_version": 1, "mode": "sometimes", "portal": "p"}\n',
            "mode must be full or incremental",
        ),
    ],
)
def test_an_unreadable_header_is_fatal(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "demo.jsonl"
    path.write_bytes(content)
    with pytest.raises(SnapshotInvalid, match=message):
        SnapshotReader(path)


def test_a_missing_file_is_snapshot_invalid(tmp_path: Path) -> None:
    with pytest.raises(SnapshotInvalid, match="cannot open"):
        read_snapshot(tmp_path / "absent.jsonl")
