"""Every Cypher query has a name, lives in one file, and is used; values are parameters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph import queries

ROOT = Path(__file__).resolve().parents[3]
USE = re.compile(r"\bqueries\.([A-Z][A-Z0-9_]+)\b")


def _used_names() -> set[str]:
    used = set()
    for package in ("graph", "navigator", "opendata"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name != "queries.py":
                used.update(USE.findall(path.read_text(encoding="utf-8")))
    return used


def test_every_query_file_is_used() -> None:
    unused = sorted(set(queries.names()) - _used_names())
    assert unused == []


def test_every_used_query_exists() -> None:
    missing = sorted(_used_names() - set(queries.names()))
    assert missing == []


def test_unknown_query_name_fails_loudly() -> None:
    with pytest.raises(AttributeError, match="NO_SUCH_QUERY"):
        _ = queries.NO_SUCH_QUERY
