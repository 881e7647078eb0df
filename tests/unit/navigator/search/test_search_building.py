"""Rebuilding with a forked analysis worker writes the index a serial rebuild writes (navigator.search.building)."""

from __future__ import annotations

import dataclasses
import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from navigator.search import SearchDocument, open_index, storage
from navigator.search.building import choose_workers, collector_paused
from tests.unit.navigator.search.conftest import DOCUMENTS

QUERIES = ("出生证明", "戶口登記", "pension", "birth certificate", "身份证", "pensão", "registration")


def many_documents(copies: int) -> list[SearchDocument]:
    """The synthetic documents under new ids, each copy's titles numbered so the texts differ too."""
    return [
        dataclasses.replace(doc, id=f"{doc.id}-{n}", titles={lang: f"{text} {n}" for lang, text in doc.titles.items()})
        for n in range(copies)
        for doc in DOCUMENTS
    ]


def index_content(root: Path) -> Iterator[Any]:
    """Every term with its postings (docnum, weight, value), then every document's stored fields, lengths, columns."""
    ix = whoosh_index.open_dir(str(root / str(storage.read_pointer(root))))
    with ix.reader() as reader:
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            yield fieldname, text, postings
        for docnum in range(reader.doc_count_all()):
            lengths = [reader.doc_field_length(docnum, name) for name in ("text", "text_en", "spell")]
            yield reader.stored_fields(docnum), lengths
        for column in ("facets", "sync"):
            yield list(reader.column_reader(column))
    ix.close()


def test_the_forked_worker_builds_the_serial_index(tmp_path: Path) -> None:
    docs = many_documents(100)  # 100 chunks' worth of window: the in-flight limit is reached and drained
    docs.append(docs[3])  # a repeated key is skipped either way
    reports = {}
    for workers in (1, 2):
        with open_index(tmp_path / str(workers)) as index:
            reports[workers] = index.rebuild(docs, workers=workers)
    assert reports[1].documents == reports[2].documents == len(docs) - 1
    assert reports[1].skipped_duplicates == reports[2].skipped_duplicates == 1
    assert list(index_content(tmp_path / "2")) == list(index_content(tmp_path / "1"))
    with open_index(tmp_path / "1") as serial, open_index(tmp_path / "2") as forked:
        for query in QUERIES:
            expected = serial.search(query, limit=20)
            assert expected.total > 0
            assert forked.search(query, limit=20) == expected
        assert forked.autocomplete("pen") == serial.autocomplete("pen")


def test_a_failure_in_the_worker_reaches_the_caller_and_keeps_the_live_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_index(tmp_path) as index:
        index.rebuild(DOCUMENTS)
        generation = index.generation

        def broken(self: object, value: str) -> None:
            raise RuntimeError("analysis failed")

        monkeypatch.setattr("navigator.search.schema.AnalysedText.postings", broken)
        with pytest.raises(RuntimeError, match="analysis failed"):
            index.rebuild(many_documents(10), workers=2)
        assert index.generation == generation and index.search("pension").total > 0


def test_a_threaded_process_is_written_serially() -> None:
    assert choose_workers(2) == 2 and choose_workers(1) == 1
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert choose_workers(2) == 1
    finally:
        stop.set()
        other.join()


def test_the_collector_is_paused_for_a_rebuild_and_restored_after(tmp_path: Path) -> None:
    states: list[bool] = []

    def documents() -> Iterator[SearchDocument]:
        states.append(gc.isenabled())
        yield from DOCUMENTS

    assert gc.isenabled()
    with open_index(tmp_path) as index:
        index.rebuild(documents())
        assert states == [False] and gc.isenabled()
        with pytest.raises(ValueError), collector_paused():
            assert not gc.isenabled()
            raise ValueError
        assert gc.isenabled()
        gc.disable()
        try:
            with collector_paused():
                pass
            assert not gc.isenabled()  # left as it was found
        finally:
            gc.enable()
