"""Scoring: BM25F with field lengths read once per segment.

whoosh's BM25F scorer reads each matching document's field length through four layers of calls (searcher, reader,
codec, column); on a broad query over 100k documents that was a third of the search time. :class:`FastBM25F` scores
exactly as whoosh's ``BM25F`` (same formula, same ``B`` and ``K1``, same block-quality bounds) but looks a document's
length normalisation up in a table: each segment's length bytes are read once and kept (segments never change), and
the 256 possible encoded lengths are normalised once per searcher. :mod:`navigator.search.evaluate` scores whole
postings blocks with :meth:`_Scorer.posting_score`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.scoring import BM25F, BaseScorer, WeightScorer
from whoosh.util.numeric import byte_to_length, length_to_byte

_LENGTH_BYTES = 256


def _length_bytes(leaf: Any, fieldname: str) -> bytes:
    """The one-byte encoded length of ``fieldname`` of every document of segment reader ``leaf`` (0 = absent).

    Reads whoosh3's length column directly (one pass); ``test_ranking`` checks it against ``doc_field_length``.
    """
    count = leaf.doc_count_all()
    reader = leaf._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)  # whoosh3's name for the column
    if reader is None:
        return bytes(count)
    values = bytes(reader.load())
    return values + bytes(count - len(values)) if len(values) < count else values[:count]


class LengthCache:
    """Length bytes per (segment id, field), shared by the searchers of one index (segments never change)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lengths: dict[tuple[str, str], bytes] = {}

    def lengths(self, leaf: Any, fieldname: str) -> bytes:
        segment = leaf.segment()
        if segment is None:
            return _length_bytes(leaf, fieldname)
        key = (str(segment.segment_id()), fieldname)
        with self._lock:
            found = self._lengths.get(key)
        if found is None:
            found = _length_bytes(leaf, fieldname)
            with self._lock:
                self._lengths[key] = found
        return found

    def keep_only(self, segment_ids: set[str]) -> None:
        """Forget the segments not in ``segment_ids`` (merged away or of an older generation)."""
        with self._lock:
            for key in [key for key in self._lengths if key[0] not in segment_ids]:
                del self._lengths[key]


class _Scorer(BaseScorer):
    """BM25 of one term in one segment; ``norms[b]`` is ``K1 * ((1 - B) + B * length(b) / avgfl)``."""

    def __init__(self, idf: float, k1: float, norms: Sequence[float], lengths: bytes, terminfo: Any) -> None:
        self._idf_k = idf * (k1 + 1)
        self._norms = norms
        self._lengths = lengths
        self._max = self._bound(terminfo.max_weight(), terminfo.min_length())

    def _bound(self, weight: float, length: int) -> float:
        return self._idf_k * weight / (weight + self._norms[length_to_byte(length)]) if weight else 0.0

    def supports_block_quality(self) -> bool:
        return True

    def score(self, matcher: Any) -> float:
        weight = matcher.weight()
        return float(self._idf_k * weight / (weight + self._norms[self._lengths[matcher.id()]]))

    def posting_score(self, docnum: int, weight: float) -> float:
        """The score of one posting (for :mod:`navigator.search.evaluate`, which reads postings a block at a time)."""
        return float(self._idf_k * weight / (weight + self._norms[self._lengths[docnum]]))

    def max_quality(self) -> float:
        return self._max

    def block_quality(self, matcher: Any) -> float:
        return self._bound(matcher.block_max_weight(), matcher.block_min_length())


class FastBM25F(BM25F):
    """whoosh's BM25F with cached field lengths; one instance per top-level searcher (it caches ``avgfl``)."""

    def __init__(self, lengths: LengthCache, B: float = 0.5, K1: float = 1.2, *, per_language: bool = True) -> None:
        super().__init__(B=B, K1=K1)
        self._lengths = lengths
        self.per_language = per_language
        self._norms: dict[str, list[float]] = {}

    def _average_length(self, parent: Any, fieldname: str) -> float:
        """The field's mean length over the documents that have it (whoosh divides by every document: in a field of
        one language, the documents in other languages would make a short English text look long)."""
        having = sum(
            len(lengths) - lengths.count(0)
            for lengths in (self._lengths.lengths(leaf, fieldname) for leaf, _ in parent.reader().leaf_readers())
        )
        return float(parent.field_length(fieldname)) / having if having else 1.0

    def _field_norms(self, parent: Any, fieldname: str) -> list[float]:
        norms = self._norms.get(fieldname)
        if norms is None:
            avgfl = self._average_length(parent, fieldname) if self.per_language else parent.avg_field_length(fieldname)
            avgfl = avgfl or 1
            b, k1 = self.B, self.K1
            norms = [k1 * ((1 - b) + b * byte_to_length(i) / avgfl) for i in range(_LENGTH_BYTES)]
            self._norms[fieldname] = norms
        return norms

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        parent = searcher.get_parent()
        return _Scorer(
            parent.idf(fieldname, text), self.K1, self._field_norms(parent, fieldname),
            self._lengths.lengths(searcher.reader(), fieldname), searcher.term_info(fieldname, text),
        )  # fmt: skip
