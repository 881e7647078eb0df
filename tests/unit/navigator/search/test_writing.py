"""Writing: atomic rebuilds, incremental updates seen by open readers, one writer at a time, crash safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from navigator.search import IndexLocked, IndexUnusable, SearchDocument, SearchIndex, open_index, storage
from tests.unit.navigator.search.conftest import DOCUMENTS

REPO = Path(__file__).resolve().parents[4]


def service(ident: str, title: str) -> SearchDocument:
    return SearchDocument(kind="service", id=ident, titles={"en": title})


def test_a_new_folder_opens_as_an_empty_index(empty_index: SearchIndex) -> None:
    assert empty_index.search("pension").total == 0 and empty_index.doc_count() == 0
    assert empty_index.generation == "gen-000001"
    with pytest.raises(IndexUnusable, match="no index"):
        open_index(empty_index.root.parent / "elsewhere", create=False)


def test_rebuild_swaps_a_whole_new_generation_in(
    open_more: Callable[..., SearchIndex], empty_index: SearchIndex
) -> None:
    reader = open_more(empty_index.root)
    empty_index.rebuild([service("old", "Old pension")])
    assert reader.search("pension").total == 1
    started, release = threading.Event(), threading.Event()

    def slow_documents() -> Iterator[SearchDocument]:
        yield service("new-1", "New pension")
        started.set()
        release.wait(10)
        yield service("new-2", "Another pension")

    builder = threading.Thread(target=lambda: empty_index.rebuild(slow_documents()))
    builder.start()
    assert started.wait(10)
    during = reader.search("pension")  # the rebuild is half done: readers still see the whole old index
    release.set()
    builder.join(10)
    after = reader.search("pension")
    assert [hit.id for hit in during.hits] == ["old"]
    assert sorted(hit.id for hit in after.hits) == ["new-1", "new-2"]
    empty_index.rebuild([service("newest", "Pension")])
    generations = sorted(p.name for p in empty_index.root.glob("gen-*"))
    assert generations == ["gen-000003", "gen-000004"]  # the live one and the one before
    assert not list(empty_index.root.glob("build-*"))


def test_a_failed_rebuild_leaves_the_live_index(empty_index: SearchIndex) -> None:
    empty_index.rebuild([service("kept", "Pension")])

    def broken() -> Iterator[SearchDocument]:
        yield service("lost", "Pension two")
        raise RuntimeError("the graph went away")

    with pytest.raises(RuntimeError):
        empty_index.rebuild(broken())
    assert [hit.id for hit in empty_index.search("pension").hits] == ["kept"]


def test_a_repeated_key_keeps_its_first_document(empty_index: SearchIndex) -> None:
    report = empty_index.rebuild([service("s", "First pension"), service("s", "Second pension")])
    assert report.documents == 1 and report.skipped_duplicates == 1
    assert empty_index.search("pension").hits[0].title == "First pension"


def test_an_update_is_seen_by_an_open_reader_within_a_second(
    open_more: Callable[..., SearchIndex], empty_index: SearchIndex
) -> None:
    empty_index.rebuild(DOCUMENTS)
    reader = open_more(empty_index.root)
    assert reader.search("passport").total == 0
    report = empty_index.update(
        upserts=[service("passport", "Passport application"), service("hukou", "Hukou passport transfer")],
        deletions=[("dataset", "pension-statistics"), ("dataset", "no-such-dataset")],
    )
    assert report.added == 2 and report.deleted == 1 and report.documents == len(DOCUMENTS)
    deadline = time.monotonic() + 1.0
    while reader.search("passport").total < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(hit.id for hit in reader.search("passport").hits) == ["hukou", "passport"]
    assert [hit.title for hit in reader.search("hukou").hits] == ["Hukou passport transfer"]  # replaced, not added
    assert [hit.id for hit in reader.search("pension").hits] == ["state-pension"]
    assert reader.search("", filters={"format": ["pdf"]}).total == 0  # facets follow the new segment


def test_an_open_reader_sees_merged_segments_once(
    open_more: Callable[..., SearchIndex], empty_index: SearchIndex
) -> None:
    empty_index.rebuild(DOCUMENTS)
    reader = open_more(empty_index.root)
    for round_ in range(12):  # enough commits for whoosh's merge policy to fold small segments together
        reader.search("pension")
        empty_index.update([service(f"extra-{round_}", f"Extra pension {round_}"), service("hukou", f"Hukou {round_}")])
    results = reader.search("pension", limit=50)
    assert len({hit.key for hit in results.hits}) == results.total == 14
    assert reader.doc_count() == len(DOCUMENTS) + 12
    assert [hit.title for hit in reader.search("hukou").hits] == ["Hukou 11"]
    reader.close()


def test_one_writer_at_a_time(open_more: Callable[..., SearchIndex], empty_index: SearchIndex) -> None:
    impatient = open_more(empty_index.root, lock_timeout=0.2)
    with storage.writer_lock(empty_index.root, 1.0):
        with pytest.raises(IndexLocked):
            impatient.update([service("x", "X")])
        with pytest.raises(IndexLocked):
            impatient.rebuild([service("x", "X")])
    impatient.update([service("x", "Pension X")])
    assert empty_index.search("pension").total == 1


_CRASHING_WRITER = textwrap.dedent(
    """
    import sys, time
    import whoosh.writing
    from navigator.search import SearchDocument, open_index, storage

    where, path = sys.argv[1], sys.argv[2]

    def stall(original):
        def stalled(*args, **kwargs):
            print("STALLED", flush=True)
            time.sleep(60)
            return original(*args, **kwargs)
        return stalled

    if where == "segment":
        whoosh.writing.SegmentWriter._finalize_segment = stall(whoosh.writing.SegmentWriter._finalize_segment)
    elif where == "toc":
        whoosh.writing.SegmentWriter._commit_toc = stall(whoosh.writing.SegmentWriter._commit_toc)
    else:
        storage.promote = stall(storage.promote)
    docs = [SearchDocument(kind="service", id=f"new-{n}", titles={"en": f"Crash pension {n}"}) for n in range(500)]
    index = open_index(path)
    if where == "rebuild":
        index.rebuild(docs)
    else:
        index.update(docs, deletions=[("service", "state-pension")])
    """
)


@pytest.mark.parametrize("where", ["segment", "toc", "rebuild"])
def test_a_writer_killed_mid_commit_leaves_a_usable_index(
    open_more: Callable[..., SearchIndex], empty_index: SearchIndex, where: str
) -> None:
    empty_index.rebuild(DOCUMENTS)
    before = [hit.key for hit in empty_index.search("pension").hits]
    with subprocess.Popen(
        [sys.executable, "-c", _CRASHING_WRITER, where, str(empty_index.root)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "STALLED"
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.wait(10)
    assert child.returncode == -signal.SIGKILL
    reopened = open_more(empty_index.root, lock_timeout=5.0)
    assert [hit.key for hit in reopened.search("pension").hits] == before
    assert reopened.search("crash").total == 0
    assert empty_index.search("pension").total == len(before)  # the reader that was open carries on too
    reopened.update([service("after", "After the crash pension")])  # the locks died with the writer
    assert reopened.search("crash pension").hits[0].id == "after"
    reopened.rebuild(DOCUMENTS)  # and a rebuild clears what the crash left behind
    assert not list(reopened.root.glob("build-*"))


def test_an_index_of_another_schema_version_must_be_rebuilt(
    open_more: Callable[..., SearchIndex], empty_index: SearchIndex
) -> None:
    generation = empty_index.generation
    assert generation is not None
    storage.write_meta(empty_index.root / generation, schema_version=0)
    with pytest.raises(IndexUnusable, match="rebuild"):
        open_more(empty_index.root).search("x")
    empty_index.rebuild(DOCUMENTS)
    assert empty_index.search("pension").total == 2
