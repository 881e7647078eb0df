"""How a rebuild writes: with Python's cyclic garbage collector paused, and optionally on two cores.

A rebuild allocates a few hundred thousand long-lived tuples (whoosh's posting pool, the analysis caches) and no
reference cycles (checked with ``gc.DEBUG_SAVEALL``: a rebuild of the 4,101 real records leaves 9 objects, an
exception's traceback), so the collector's passes over them are pure cost: :func:`collector_paused` turns it off for
the rebuild (2.03 → 1.85 s CPU for those records) and back on after.

On two cores, the main process writes whoosh's postings while a forked worker analyses the texts.

Analysis (jieba, OpenCC, sub-words, stemming) is about a third of a rebuild of new text and whoosh's writing the rest
(measured on the 4,101 real records: 0.7 s and 1.4 s of CPU). :func:`add_documents` sends the texts of the
:class:`~navigator.search.schema.AnalysedText` fields of each chunk of documents to one worker process, which gives
back their :class:`~navigator.search.schema.Postings`; the main process keeps adding the documents, in their order,
with those postings in place of the texts, so the index is the one a serial build writes (docnum for docnum; a test
compares them). At most ``_IN_FLIGHT`` chunks are out at once, so a fast worker never piles up a corpus of postings.

The worker is forked, so it shares the parent's loaded jieba dictionary and starts in milliseconds (a spawned one
would load the dictionary again: half a second). It is used only when asked for (``SearchIndex.rebuild(docs,
workers=2)``) and where it is safe: a platform with ``fork`` and a process with no other thread (a fork copies no
thread, and a lock another thread held would stay taken in the child); otherwise the rebuild is serial.

It is not the default because on this project's 2-core machines, shared with other work, it did not pay: with both
cores free it would bring a rebuild of new text from ~2.1 s to ~1.5 s of wall time (the main process's CPU time), but
measured with the other core busy the wall time was the same or worse and the CPU time 5-10% more (pickling the texts
and postings); ``bench/search.py`` measures both on every run.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing.pool import AsyncResult
from typing import Any, Final

from navigator.search.schema import AnalysedText, Postings, build_schema

_CHUNK: Final = 64
_IN_FLIGHT: Final = 8

Fields = dict[str, Any]
Texts = list[tuple[str, str]]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off inside, back on after if it was on (reference counting goes on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def choose_workers(requested: int) -> int:
    """How many processes a rebuild that asked for ``requested`` writes with here: 2 (one forked worker) or 1."""
    if requested < 2 or "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1
    return 2


_analysed_fields: dict[str, AnalysedText] | None = None


def _analyse_chunk(chunk: list[Texts]) -> list[list[tuple[str, Postings]]]:
    """In the worker: the postings of each document's texts."""
    global _analysed_fields
    if _analysed_fields is None:
        schema = build_schema()
        _analysed_fields = {}
        for name in schema.names():
            field = schema[name]
            if isinstance(field, AnalysedText):
                _analysed_fields[name] = field
    fields = _analysed_fields
    return [[(name, fields[name].postings(text)) for name, text in texts] for texts in chunk]


def _split(chunk: list[Fields], names: frozenset[str]) -> list[Texts]:
    """Take the analysed fields' texts out of each document of ``chunk``."""
    return [[(name, doc.pop(name)) for name in sorted(names & doc.keys())] for doc in chunk]


def add_documents(writer: Any, docs: Iterable[Fields], workers: int) -> None:
    """``writer.add_document(**fields)`` for each of ``docs``, in order, analysing in a forked worker if ``workers``
    is 2 or more."""
    if workers < 2:
        for fields in docs:
            writer.add_document(**fields)
        return
    schema = writer.schema
    names = frozenset(name for name in schema.names() if isinstance(schema[name], AnalysedText))
    pending: deque[tuple[list[Fields], AsyncResult[list[list[tuple[str, Postings]]]]]] = deque()

    def add_oldest() -> None:
        chunk, result = pending.popleft()
        for fields, postings in zip(chunk, result.get(), strict=True):
            fields.update(postings)
            writer.add_document(**fields)

    with multiprocessing.get_context("fork").Pool(1) as pool:
        for chunk in _chunks(docs):
            pending.append((chunk, pool.apply_async(_analyse_chunk, (_split(chunk, names),))))
            if len(pending) >= _IN_FLIGHT:
                add_oldest()
        while pending:
            add_oldest()


def _chunks(docs: Iterable[Fields]) -> Iterator[list[Fields]]:
    it = iter(docs)
    while chunk := list(itertools.islice(it, _CHUNK)):
        yield chunk
