"""The on-disk search index: build, update, search, suggest; the one module that drives whoosh's index and searcher.

``open_index(path)`` gives a :class:`SearchIndex` over an index folder (see :mod:`navigator.search.storage` for its
layout). Any number of processes may read; one at a time may write (``rebuild`` or ``update``), others wait up to
``lock_timeout`` seconds. A reader notices a new generation or a new commit on its next search (a ``stat`` of the
pointer file and whoosh's TOC check), so an API process picks up a rebuilt index without a restart.

A :class:`SearchIndex` may be shared by threads: searches take a lock (whoosh searchers are not thread-safe, and a
search is a few milliseconds of pure Python, which the GIL would serialise anyway).
"""

from __future__ import annotations

import base64
import binascii
import heapq
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Self

from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.query.compound import And
from whoosh.query.qcore import Query

from navigator.search import storage
from navigator.search.analysis import configure_segmenter
from navigator.search.building import add_documents, choose_workers, collector_paused
from navigator.search.documents import KINDS, SearchDocument
from navigator.search.errors import IndexLocked, IndexUnusable, InvalidQuery
from navigator.search.evaluate import PhraseBudget, Scores, evaluate
from navigator.search.facets import FacetTable
from navigator.search.hits import make_hit
from navigator.search.query import (
    build_queries,
    filter_query,
    highlight_terms,
    parse_user_query,
    require_span,
    term_idf,
)
from navigator.search.ranking import FastBM25F, LengthCache
from navigator.search.results import IndexReport, SearchResults, ZeroResultQuery
from navigator.search.schema import SCHEMA_VERSION, SYNC_COLUMN, build_schema, decode_sync, document_fields
from navigator.search.suggest import complete, did_you_mean
from navigator.search.synonyms import variant_boost, variants
from navigator.search.whoosh_tweaks import install as install_whoosh_tweaks
from navigator.search.zero_results import ZeroResultLog

logger = logging.getLogger(__name__)
install_whoosh_tweaks()

MAX_LIMIT = 100
RESULT_CACHE_SIZE = 512
"""Searches remembered per index commit: citizens ask the same few things, and an answer costs 1–30 ms."""
_WRITER_LIMIT_MB = 1024
"""A rebuild's posting pool stays in memory up to this: at 100k documents a 256 MB pool spills to disk and merges
its runs, and the rebuild takes 1.6x the CPU (1,650 against 2,700 documents/s)."""


def _filters_key(filters: Mapping[str, Sequence[str]] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((name, tuple(values)) for name, values in (filters or {}).items()))


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = raw.partition(":")
        offset = int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidQuery(f"cursor {cursor!r} is not one this index gave") from error
    if kind != "o" or offset < 0:
        raise InvalidQuery(f"cursor {cursor!r} is not one this index gave")
    return offset


class SearchIndex:
    """A search index folder; see the module documentation. Build with :func:`open_index`."""

    def __init__(self, root: Path, *, lock_timeout: float = 30.0, cache_size: int = RESULT_CACHE_SIZE) -> None:
        self.root = root
        self.lock_timeout = lock_timeout
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._generation: str | None = None
        self._ix: Any = None
        self._toc_generation = -1
        self._searcher: Any = None
        self._facets = FacetTable()
        self._lengths = LengthCache()
        self._cache_size = cache_size
        self._results: OrderedDict[tuple[Any, ...], SearchResults] = OrderedDict()
        self._corrections: dict[str, str | None] = {}
        self._zero_results = ZeroResultLog(root / "zero_results.sqlite3")

    # --- opening and refreshing ---------------------------------------------------------------------------------

    def _open_generation(self, generation: str) -> Any:
        path = self.root / generation
        meta = storage.read_meta(path)
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexUnusable(
                f"{path} has schema version {meta.get('schema_version')!r}, this code reads {SCHEMA_VERSION}: rebuild"
            )
        try:
            return whoosh_index.open_dir(str(path))
        except Exception as error:  # whoosh raises anything from EmptyIndexError to unpickling errors
            raise IndexUnusable(f"cannot open the search index in {path}: {error}") from error

    def _current_searcher(self) -> Any:
        """The searcher of the live generation at its latest commit (callers hold ``self._lock``)."""
        stamp = storage.pointer_stamp(self.root)
        if stamp != self._stamp or self._searcher is None:
            generation = storage.read_pointer(self.root)
            if generation is None:
                raise IndexUnusable(f"{self.root} holds no index: build one first")
            if generation != self._generation or self._searcher is None:
                ix = self._open_generation(generation)
                self._close_searcher()
                self._ix, self._generation = ix, generation
                self._open_searcher()
                logger.info("search index %s: opened %s (%d documents)", self.root, generation, ix.doc_count())
            self._stamp = stamp
        elif self._ix.latest_generation() != self._toc_generation:
            self._open_searcher()
        return self._searcher

    def _open_searcher(self) -> None:
        """A new searcher at the latest commit.

        Not ``Searcher.refresh()``: in whoosh3 (3.0–3.54) it reuses segment readers with their old deletions and adds
        back segments a merge removed, so replaced documents stay visible and merged ones are counted twice
        (``test_writing`` pins this); it also fails on an empty index.
        """
        toc_generation = self._ix.latest_generation()  # read first: a commit racing this only causes a re-check
        old, self._searcher = self._searcher, self._ix.searcher(weighting=FastBM25F(self._lengths))
        self._corrections = {}
        segments = (leaf.segment() for leaf, _ in self._searcher.reader().leaf_readers())
        self._lengths.keep_only({str(segment.segment_id()) for segment in segments if segment is not None})
        self._results.clear()
        if old is not None:
            old.close()
        self._toc_generation = toc_generation

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        if self._ix is not None:
            self._ix.close()
        self._ix = self._searcher = self._generation = None
        self._toc_generation = -1
        self._results.clear()

    def close(self) -> None:
        """Release the open files; the object may still be used (it reopens on the next call)."""
        with self._lock:
            self._close_searcher()
            self._stamp = None
        self._zero_results.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def generation(self) -> str | None:
        """The name of the live generation on disk (``gen-000007``), or None before the first build."""
        return storage.read_pointer(self.root)

    def doc_count(self) -> int:
        with self._lock:
            return int(self._current_searcher().doc_count())

    def versions(self, kind: str) -> dict[str, str]:
        """``{id: version}`` of every document of ``kind`` in the live index (see :attr:`SearchDocument.version`)."""
        prefix = f"{kind}:"
        found: dict[str, str] = {}
        with self._lock:
            reader = self._current_searcher().reader()
            for leaf, _ in reader.leaf_readers():
                if not leaf.has_column(SYNC_COLUMN):
                    continue
                deleted = leaf.has_deletions()
                for docnum, data in enumerate(leaf.column_reader(SYNC_COLUMN)):
                    if deleted and leaf.is_deleted(docnum):
                        continue
                    entry = decode_sync(data)
                    if entry is not None and entry[0].startswith(prefix):
                        found[entry[0][len(prefix) :]] = entry[1]
        return found

    # --- writing ------------------------------------------------------------------------------------------------

    def rebuild(self, docs: Iterable[SearchDocument], *, workers: int = 1) -> IndexReport:
        """Index ``docs`` into a new generation and swap it in atomically; a repeated key keeps its first document.

        ``workers=2`` analyses the texts in a forked worker while this process writes, where that is safe (see
        :mod:`navigator.search.building`, which also says why it is not the default).
        """
        started = time.perf_counter()
        seen: set[str] = set()
        duplicates = 0

        def unique_fields() -> Iterator[dict[str, Any]]:
            nonlocal duplicates
            for doc in docs:
                if doc.key in seen:
                    duplicates += 1
                    continue
                seen.add(doc.key)
                yield document_fields(doc)

        with storage.writer_lock(self.root, self.lock_timeout):
            build_dir = storage.new_build_dir(self.root)
            ix: Any = whoosh_index.create_in(str(build_dir), build_schema())
            writer = ix.writer(procs=1, limitmb=_WRITER_LIMIT_MB)
            with collector_paused():
                try:
                    processes = choose_workers(workers)
                    add_documents(writer, unique_fields(), processes)
                except BaseException:
                    writer.cancel()
                    ix.close()
                    raise
                writer.commit(optimize=True)
            ix.close()
            storage.write_meta(build_dir, schema_version=SCHEMA_VERSION, documents=len(seen))
            generation = storage.promote(self.root, build_dir)
        if duplicates:
            logger.warning("search index rebuild: %d documents with a repeated kind:id were skipped", duplicates)
        report = IndexReport(
            added=len(seen),
            skipped_duplicates=duplicates,
            documents=len(seen),
            seconds=round(time.perf_counter() - started, 3),
            generation=generation,
        )
        logger.info(
            "search index %s rebuilt as %s: %d documents in %.1f s (%d process%s)",
            self.root, generation, len(seen), report.seconds, processes, "es" if processes > 1 else "",
        )  # fmt: skip
        return report

    def update(
        self, upserts: Iterable[SearchDocument] = (), deletions: Iterable[tuple[str, str]] = (),
        *, replace_kinds: Iterable[str] = (),
    ) -> IndexReport:  # fmt: skip
        """Add or replace ``upserts``, remove ``deletions`` (``(kind, id)`` pairs), in one commit of the live index.

        With ``replace_kinds``, every document of those kinds is removed first, so that ``upserts`` become all there is
        of them (a catalog reloaded whole). Readers see the index before or after the commit, never in between.
        """
        replaced = tuple(dict.fromkeys(replace_kinds))
        unknown = sorted(set(replaced) - set(KINDS))
        if unknown:
            raise InvalidQuery(f"unknown kind(s) {', '.join(unknown)}; expected some of {', '.join(KINDS)}")
        started = time.perf_counter()
        with storage.writer_lock(self.root, self.lock_timeout):
            generation = storage.read_pointer(self.root)
            if generation is None:
                raise IndexUnusable(f"{self.root} holds no index: rebuild it before updating")
            ix: Any = self._open_generation(generation)
            try:
                writer = ix.writer(timeout=self.lock_timeout, delay=0.05)
            except LockError as error:
                ix.close()
                raise IndexLocked(f"whoosh's lock on {self.root / generation} stayed taken") from error
            added = deleted = 0
            try:
                for kind in replaced:
                    deleted += writer.delete_by_term("kind", kind)
                for kind, ident in deletions:
                    deleted += writer.delete_by_term("key", f"{kind}:{ident}")
                for doc in upserts:
                    if doc.kind in replaced:
                        writer.add_document(**document_fields(doc))
                    else:
                        writer.update_document(**document_fields(doc))
                    added += 1
            except BaseException:
                writer.cancel()
                ix.close()
                raise
            writer.commit()
            documents = ix.doc_count()
            ix.close()
        report = IndexReport(
            added=added,
            deleted=deleted,
            documents=documents,
            seconds=round(time.perf_counter() - started, 3),
            generation=generation,
        )
        logger.info(
            "search index %s updated: %d upserted, %d deleted in %.2f s", self.root, added, deleted, report.seconds
        )
        return report

    # --- reading ------------------------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        kinds: Sequence[str] = (),
        filters: Mapping[str, Sequence[str]] | None = None,
        lang: str = "en",
        limit: int = 10,
        page: int | None = None,
        after: str | None = None,
        offset: int | None = None,
        facets: bool = True,
    ) -> SearchResults:
        """One page of what matches ``query`` (user text, never query syntax) within ``kinds`` and ``filters``.

        The page starts at ``offset`` (0-based), at ``page`` (1-based, pages of ``limit``) or ``after`` the
        ``next_cursor`` of the previous page; give at most one. ``lang`` is the reader's language: titles and snippets
        are shown in it where the document has it. An empty query lists everything that passes the filters.
        ``facets=False`` skips counting facet values (the total is counted anyway).
        """
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        if sum(x is not None for x in (page, after, offset)) > 1:
            raise InvalidQuery("give at most one of page, after and offset")
        if page is not None and page < 1:
            raise InvalidQuery(f"page must be 1 or more, got {page}")
        if offset is not None and offset < 0:
            raise InvalidQuery(f"offset must be 0 or more, got {offset}")
        if offset is None:
            offset = _decode_cursor(after) if after is not None else ((page or 1) - 1) * limit
        parsed = parse_user_query(query)
        restrict = filter_query(kinds, filters)
        found_variants = variants(parsed.text) if not parsed.empty else []
        key = (parsed.text, tuple(sorted(kinds)), _filters_key(filters), lang, offset, limit, facets)
        with self._lock:
            self._current_searcher()
            cached = self._results.get(key)
            if cached is not None:
                self._results.move_to_end(key)
        if cached is not None:
            if cached.total == 0 and not parsed.empty:
                self._zero_results.record(parsed.text)
            return cached
        with self._lock:
            searcher = self._current_searcher()
            alternatives = [
                (require_span(parse_user_query(v.text), v.start, v.start + len(v.replaced)),
                 variant_boost(term_idf(searcher, v.typed), term_idf(searcher, v.replaced)))
                for v in found_variants
            ]  # fmt: skip
            strict, loose = build_queries(parsed, alternatives)
            marks = highlight_terms(parsed, alternatives)
            budget = PhraseBudget()
            scores, matched_all = self._run(searcher, strict, restrict, budget), True
            if not scores and loose is not None:
                scores, matched_all = self._run(searcher, loose, restrict, budget), False
            # best first, ties by document number (whoosh's order)
            top = heapq.nlargest(offset + limit, ((score, -docnum) for docnum, score in scores.items()))
            counts = self._facets.count(searcher.reader(), scores) if facets else {}
            hits = tuple(
                make_hit(searcher.stored_fields(-negated)["doc"], score, lang, marks)
                for score, negated in top[offset : offset + limit]
            )
            suggestion = did_you_mean(searcher.reader(), parsed, self._corrections) if not parsed.empty else None
        total = len(scores)
        if total == 0 and not parsed.empty:
            self._zero_results.record(parsed.text)
        results = SearchResults(
            query=parsed.text,
            hits=hits,
            total=total,
            total_is_lower_bound=budget.unchecked > 0,
            offset=offset,
            facets=counts,
            suggestion=suggestion,
            matched_all_terms=matched_all,
            next_cursor=_encode_cursor(offset + limit) if offset + limit < total else None,
        )
        with self._lock:
            if self._searcher is searcher:  # not if the index changed while this search ran
                self._results[key] = results
                if len(self._results) > self._cache_size:
                    self._results.popitem(last=False)
        return results

    @staticmethod
    def _run(searcher: Any, q: Query, restrict: Query | None, budget: PhraseBudget) -> Scores:
        """Every match of ``q`` within ``restrict`` and its score, by global document number."""
        combined = And([q, restrict]) if restrict is not None else q
        scores: Scores = {}
        for leaf, offset in searcher.leaf_searchers():
            found = evaluate(combined, leaf, budget)
            if offset:
                scores.update({docnum + offset: score for docnum, score in found.items()})
            elif not scores:
                scores = found
            else:
                scores.update(found)
        return scores

    def autocomplete(self, prefix: str, limit: int = 8) -> list[str]:
        """Up to ``limit`` completions of what a citizen is typing, most frequent first."""
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        with self._lock:
            return complete(self._current_searcher().reader(), prefix, limit)

    def zero_result_report(self, limit: int = 20) -> list[ZeroResultQuery]:
        """The most frequent queries that found nothing, with counts (query text and times only, no user data)."""
        return self._zero_results.report(limit)


def open_index(
    path: Path | str, *, create: bool = True, lock_timeout: float = 30.0, cache_size: int = RESULT_CACHE_SIZE
) -> SearchIndex:
    """The index in folder ``path``; with ``create``, an empty one is made if there is none yet. ``cache_size``
    answers are remembered per commit (0: none, for benchmarks)."""
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    configure_segmenter(root / "jieba")
    index = SearchIndex(root, lock_timeout=lock_timeout, cache_size=cache_size)
    if storage.read_pointer(root) is None:
        if not create:
            raise IndexUnusable(f"{root} holds no index: build one first")
        with storage.writer_lock(root, lock_timeout):
            if storage.read_pointer(root) is None:
                build_dir = storage.new_build_dir(root)
                empty: Any = whoosh_index.create_in(str(build_dir), build_schema())
                empty.close()
                storage.write_meta(build_dir, schema_version=SCHEMA_VERSION, documents=0)
                storage.promote(root, build_dir)
    return index


def feed_index(path: Path | str, docs: Iterable[SearchDocument]) -> IndexReport:
    """Rebuild the index in ``path`` from ``docs``: the one call the loader makes after the graph changed."""
    return open_index(path).rebuild(docs)
