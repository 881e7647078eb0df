"""Facet counts over every match of a query, fast enough to run on each search.

Each segment's ``facets`` column is read once and kept (segments never change; a deleted document simply never
matches again). Documents with the same facet values share one small integer, so counting the matches is one
``Counter`` over integers, expanded to values afterwards.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

from navigator.search.results import FacetCount
from navigator.search.schema import FACET_COLUMN, FACETS, decode_facets

logger = logging.getLogger(__name__)

FacetValues = tuple[tuple[str, ...], ...]


def _segment_id(leaf: Any, position: int) -> str:
    segment = leaf.segment()
    return str(segment.segment_id()) if segment is not None else f"unsaved-{position}"


class FacetTable:
    """Per-document facet combinations of the segments of one index, cached by segment id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._combos: list[FacetValues] = []
        self._combo_ids: dict[FacetValues, int] = {}
        self._segments: dict[str, list[int]] = {}
        self._table: tuple[tuple[str, ...], list[int]] = ((), [])

    def _segment_column(self, reader: Any) -> list[int]:
        decoded: dict[bytes, int] = {}
        out: list[int] = []
        if reader.has_column(FACET_COLUMN):
            values: Iterable[bytes] = reader.column_reader(FACET_COLUMN)
        else:  # a segment with no document (never written to the column)
            values = [b""] * reader.doc_count_all()
        for data in values:
            combo_id = decoded.get(data)
            if combo_id is None:
                combo = decode_facets(data)
                combo_id = self._combo_ids.setdefault(combo, len(self._combos))
                if combo_id == len(self._combos):
                    self._combos.append(combo)
                decoded[data] = combo_id
            out.append(combo_id)
        return out

    def table(self, reader: Any) -> list[int]:
        """Combination id per global document number of ``reader`` (a whoosh reader of the whole index)."""
        leaves = reader.leaf_readers()
        ids = tuple(_segment_id(leaf, position) for position, (leaf, _) in enumerate(leaves))
        with self._lock:
            if self._table[0] == ids:
                return self._table[1]
            if not set(ids) & set(self._segments):  # a new index generation: forget the old combinations
                self._combos, self._combo_ids, self._segments = [], {}, {}
            table: list[int] = []
            for segment_id, (leaf, offset) in zip(ids, leaves, strict=True):
                column = self._segments.get(segment_id)
                if column is None:
                    column = self._segments[segment_id] = self._segment_column(leaf)
                if len(table) != offset:
                    raise AssertionError(f"segment {segment_id} starts at {offset}, table has {len(table)}")
                table.extend(column)
            for stale in set(self._segments) - set(ids):
                del self._segments[stale]
            self._table = (ids, table)
            logger.debug("facet table: %d documents in %d segments", len(table), len(ids))
            return table

    def count(self, reader: Any, docnums: Iterable[int], *, top: int = 20) -> dict[str, tuple[FacetCount, ...]]:
        """The ``top`` values of each facet among ``docnums``, most frequent first (ties by value)."""
        table = self.table(reader)
        combos = Counter(table[docnum] for docnum in docnums)
        counters: list[Counter[str]] = [Counter() for _ in FACETS]
        for combo_id, count in combos.items():
            for counter, values in zip(counters, self._combos[combo_id], strict=True):
                for value in values:
                    counter[value] += count
        return {
            name: tuple(
                FacetCount(value=value, count=count)
                for value, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:top]
            )
            for name, counter in zip(FACETS, counters, strict=True)
        }
