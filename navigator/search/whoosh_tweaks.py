"""One change to whoosh3 (pinned at 3.54.0) for indexing speed, installed when the search package is imported.

When a writer flushes a segment, whoosh3 looks up the field length of the document of every posting it writes (for
each block's shortest and longest document) with one column read through four layers of calls per posting: a tenth
of a rebuild's time. :func:`install` makes the per-field length reader load the segment's length column once and
answer from a table, with the same answers (``test_whoosh_tweaks`` compares both on a real segment).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh.codec import whoosh3
from whoosh.util.numeric import byte_to_length

_LENGTHS: tuple[int | None, ...] = (None, *(byte_to_length(b) for b in range(1, 256)))
_original = whoosh3.W3PerDocReader.doc_field_length_reader


def _bulk_length_reader(self: Any, fieldname: str, default: int = 0) -> Callable[[int], int | None]:
    column = self._cached_reader(f"_{fieldname}_len", whoosh3.LENGTHS_COLUMN)
    if column is None:
        return lambda docnum: default
    lengths = bytes(column.load())  # one byte per document; documents past the end have none (0)
    size = len(lengths)

    def get(docnum: int) -> int | None:
        return _LENGTHS[lengths[docnum]] if docnum < size else None

    return get


def install() -> None:
    """Replace whoosh3's per-field length reader (idempotent)."""
    whoosh3.W3PerDocReader.doc_field_length_reader = _bulk_length_reader  # type: ignore[method-assign]


def original_length_reader() -> Callable[..., Callable[[int], int | None]]:
    """whoosh3's own reader, for the test that compares them."""
    return _original
