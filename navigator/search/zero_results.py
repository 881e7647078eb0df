"""A tiny append-only log of queries that found nothing, so editors can see what citizens look for and miss.

Only the normalised query text and a UTC timestamp are kept: no user, session, address or language. Long digit runs
(ID, phone and case numbers) and e-mail addresses are masked before anything is written. The log is an SQLite file in
the index folder (stdlib ``sqlite3``); a failure to write it is logged and never fails a search.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from navigator.search.analysis import normalise_query_text, to_simplified
from navigator.search.results import ZeroResultQuery

logger = logging.getLogger(__name__)

_EMAIL = re.compile(r"\S+@\S+")
_DIGITS = re.compile(r"\d[\d\s-]{3,}\d")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS zero_result (query TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS zero_result_query ON zero_result (query);
"""


def normalise_logged_query(text: str) -> str:
    """The form a query is counted under: one line, case-folded, Simplified, personal numbers and e-mails masked."""
    text = normalise_query_text(text)
    text = _DIGITS.sub("#", _EMAIL.sub("@", text))
    return to_simplified(text.casefold())


class ZeroResultLog:
    """Counts of zero-result queries in ``path`` (created on first use).

    One connection is kept open, in WAL mode with ``synchronous=NORMAL``: an insert costs no fsync, so counting never
    slows a search down (a power cut may lose the last few counts, which is fine for a statistic).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.executescript(_SCHEMA)
            except sqlite3.Error:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def record(self, query: str, *, at: datetime | None = None) -> None:
        """Count one zero-result search for ``query``; blank queries are not counted."""
        normalised = normalise_logged_query(query)
        if not normalised:
            return
        when = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        try:
            with self._lock:
                connection = self._connect()
                with connection:
                    connection.execute("INSERT INTO zero_result (query, at) VALUES (?, ?)", (normalised, when))
        except sqlite3.Error as error:
            logger.warning("could not count a zero-result query in %s: %s", self.path, error)

    def report(self, limit: int = 20) -> list[ZeroResultQuery]:
        """The ``limit`` most frequent zero-result queries, most frequent first (ties: most recent first)."""
        if not self.path.exists():
            return []
        with self._lock:
            rows = (
                self._connect()
                .execute(
                    "SELECT query, COUNT(*), MAX(at) FROM zero_result GROUP BY query "
                    "ORDER BY COUNT(*) DESC, MAX(at) DESC, query LIMIT ?",
                    (max(0, limit),),
                )
                .fetchall()
            )
        return [ZeroResultQuery(query=q, count=n, last_seen=datetime.fromisoformat(at)) for q, n, at in rows]

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
