"""The zero-result log: counts of normalised query text, nothing about who asked."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from navigator.search import SearchIndex
from navigator.search.zero_results import ZeroResultLog, normalise_logged_query
from tests.unit.navigator.search.conftest import DOCUMENTS


def test_searches_that_find_nothing_are_counted(empty_index: SearchIndex) -> None:
    empty_index.rebuild(DOCUMENTS)
    for text in ["Passport  renewal", "passport renewal", "PASSPORT RENEWAL\n", "辦護照", "办护照", "pension", "  "]:
        empty_index.search(text)
    empty_index.search("passport", kinds=["dataset"])
    report = empty_index.zero_result_report()
    assert [(row.query, row.count) for row in report] == [("passport renewal", 3), ("办护照", 2), ("passport", 1)]
    assert all(row.last_seen.tzinfo is UTC for row in report)
    assert [row.query for row in empty_index.zero_result_report(limit=1)] == ["passport renewal"]


def test_only_the_query_text_and_a_timestamp_are_stored(tmp_path: object) -> None:
    path = tmp_path / "zero.sqlite3"  # type: ignore[operator]
    log = ZeroResultLog(path)
    log.record("my id is 110105199001011234, mail me at a.b@example.org", at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    log.close()
    with sqlite3.connect(path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(zero_result)")]
        rows = connection.execute("SELECT * FROM zero_result").fetchall()
    assert columns == ["query", "at"]
    assert rows == [("my id is #, mail me at @", "2024-01-02T03:04:05+00:00")]


def test_normalisation() -> None:
    assert normalise_logged_query("  Pension\tCredit ") == "pension credit"
    assert normalise_logged_query("出生證明") == "出生证明"
    assert normalise_logged_query("call 020-8313 4173") == "call #"


def test_an_unwritable_log_never_fails_a_search(empty_index: SearchIndex) -> None:
    (empty_index.root / "zero_results.sqlite3").mkdir()  # a folder where the file should be
    assert empty_index.search("nothing matches this").total == 0
    assert ZeroResultLog(empty_index.root / "absent.sqlite3").report() == []


def test_counts_from_two_processes_meet(empty_index: SearchIndex) -> None:
    other = ZeroResultLog(empty_index.root / "zero_results.sqlite3")
    other.record("passport")
    empty_index.search("passport")
    other.close()
    assert [(row.query, row.count) for row in empty_index.zero_result_report()] == [("passport", 2)]


def test_a_repeated_search_is_counted_each_time(empty_index: SearchIndex) -> None:
    first, second = empty_index.search("visa"), empty_index.search("visa")
    assert first is second  # answered from the per-commit result cache
    assert [(row.query, row.count) for row in empty_index.zero_result_report()] == [("visa", 2)]
