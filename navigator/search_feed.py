"""Feeding the search index from the graph: life stages, life events, services, bundles and datasets as documents.

The graph side reads (:mod:`graph.reads_search`); this module turns its entries into :class:`SearchDocument` values,
in every language they have, and drives the index (:mod:`navigator.search`):

* :func:`rebuild_index` — everything, into a new index generation swapped in whole (``navigator index rebuild``);
* :func:`update_catalog` — the catalog kinds replaced in one commit (after ``load catalog``, ``load service-items``);
* :func:`sync_datasets` — the datasets whose version changed since they were indexed are written again, withdrawn
  and vanished ones removed (after a harvest, ``load snapshot``, ``link``; ``navigator index update``); it compares
  digests, so it also repairs an index that missed an update;
* :func:`update_datasets` and :func:`refresh_datasets` — a few datasets by id (a data officer's link change; the
  latter from the web process, over the async driver);
* :func:`update_index_after_load` — what the command line and the harvest call after they changed the graph.

One writer at a time: every write takes the index folder's writer lock (see :mod:`navigator.search.storage`), so a
harvest, a catalog load and a link change in the API serialise; readers in API processes notice the new commit on
their next search, without a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import neo4j

from graph import reads_search
from graph.errors import GraphError
from graph.model import Text
from graph.reads_search import CatalogEntry, DatasetEntry
from graph.session import GraphReader
from navigator.search import IndexReport, SearchDocument, SearchError, SearchIndex, open_index
from navigator.search.errors import IndexUnusable
from navigator.settings import Settings

__all__ = [
    "FEED_VERSION",
    "catalog_document",
    "dataset_document",
    "describe",
    "merge_reports",
    "open_search",
    "rebuild_index",
    "refresh_datasets",
    "sync_datasets",
    "update_catalog",
    "update_datasets",
    "update_index_after_load",
]

log = logging.getLogger(__name__)

FEED_VERSION = "feed-1"
"""Part of every document's version: bump it when the mapping below changes, and the next sync rewrites them all."""
CATALOG_KINDS = reads_search.CATALOG_KINDS
READ_TIMEOUT = 60.0
"""Seconds one page of the indexer's reads may take (pages are of 1,000 datasets; the web path's timeout is shorter)."""
WRITER_WAIT = 600.0
"""Seconds a batch update waits for another writer (a rebuild of 100k documents takes about a minute)."""
_LANGUAGE_CASE = {"zh-hans": "zh-Hans", "zh-hant": "zh-Hant"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _language(key: str) -> str:
    """A language key of the loader (``zh-hant``) as a BCP 47 tag (``zh-Hant``)."""
    return _LANGUAGE_CASE.get(key.lower(), key)


def _text_map(text: Text) -> dict[str, str]:
    """A catalog text (Simplified Chinese and English) by language tag."""
    return {lang: value for lang, value in (("zh-Hans", text.zh), ("en", text.en)) if value.strip()}


def _keywords(*groups: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for group in groups:
        for lang, word in group:
            if word and word.strip():
                found.setdefault(lang, []).append(word.strip())
    return {lang: tuple(words) for lang, words in found.items()}


def _text_pairs(texts: Iterable[Text]) -> Iterator[tuple[str, str]]:
    for text in texts:
        yield from _text_map(text).items()


def catalog_document(entry: CatalogEntry) -> SearchDocument:
    """A life stage, life event, service or bundle as a document: its names and descriptions in Chinese and English;
    as keywords the names of what it relates to (documents and agency of a service, events of a stage…)."""
    titles = _text_map(entry.name) or {"und": entry.id}
    agency = entry.agency
    return SearchDocument(
        kind=entry.kind, id=entry.id, titles=titles, descriptions=_text_map(entry.description),
        keywords=_keywords(_text_pairs(entry.related), _text_pairs([agency] if agency else [])),
        organisation=(agency.zh or agency.en or None) if agency else None, life_events=entry.event_ids,
        version=FEED_VERSION,
    )  # fmt: skip


def _timestamp(value: str | None) -> datetime:
    if not value:
        return _EPOCH
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _EPOCH
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def dataset_document(entry: DatasetEntry) -> SearchDocument:
    """A dataset as a document: titles and descriptions in every language it has; as keywords its tags, the titles of
    its organisation and groups, and the names of the life events a data officer linked it to (approved links). The
    ``life_event`` facet holds every link the public sees (approved and suggested)."""
    titles = {_language(lang): text for lang, text in entry.titles.items()} or {"und": entry.id}
    approved = [link.name for link in entry.links if link.status == "approved"]
    return SearchDocument(
        kind="dataset", id=entry.id, titles=titles,
        descriptions={_language(lang): text for lang, text in entry.descriptions.items()},
        keywords=_keywords(
            ((_language(lang), name) for lang, name in entry.tags),
            ((_language(lang), title) for lang, title in entry.organisation_titles.items()),
            ((_language(lang), title) for group in entry.groups for lang, title in group.items()),
            _text_pairs(approved),
        ),
        organisation=entry.organisation, portal=entry.portal, licence=entry.licence, formats=entry.formats,
        life_events=tuple(link.event_id for link in entry.links if link.status in ("approved", "suggested")),
        updated=_timestamp(entry.modified), version=dataset_version(entry.version),
    )  # fmt: skip


def dataset_version(graph_version: str) -> str:
    """The version a dataset's document carries: the graph's digest and :data:`FEED_VERSION`."""
    return f"{FEED_VERSION}/{graph_version}"


# --- driving the index --------------------------------------------------------------------------------------------


def _catalog_documents(
    driver: neo4j.Driver, database: str | None, kinds: Iterable[reads_search.CatalogKind] = CATALOG_KINDS
) -> Iterator[SearchDocument]:
    for entry in reads_search.catalog_entries(driver, kinds, timeout=READ_TIMEOUT, database=database):
        yield catalog_document(entry)


def all_documents(driver: neo4j.Driver, database: str | None = None) -> Iterator[SearchDocument]:
    """Every document the graph gives: the catalog, then the active datasets in id order (streamed)."""
    yield from _catalog_documents(driver, database)
    for entry in reads_search.stream_datasets(driver, timeout=READ_TIMEOUT, database=database):
        yield dataset_document(entry)


def rebuild_index(index: SearchIndex, driver: neo4j.Driver, database: str | None = None) -> IndexReport:
    """Build a new generation from the whole graph and swap it in; readers switch on their next search."""
    return index.rebuild(all_documents(driver, database))


def update_catalog(index: SearchIndex, driver: neo4j.Driver, database: str | None = None) -> IndexReport:
    """Replace every life stage, life event, service and bundle in one commit."""
    return index.update(_catalog_documents(driver, database), replace_kinds=CATALOG_KINDS)


def sync_datasets(index: SearchIndex, driver: neo4j.Driver, database: str | None = None) -> IndexReport:
    """Write the datasets whose version differs from the indexed one; remove those no longer active in the graph."""
    indexed = index.versions("dataset")
    stale: list[str] = []
    active: set[str] = set()
    for ident, version in reads_search.dataset_versions(driver, timeout=READ_TIMEOUT, database=database):
        active.add(ident)
        if indexed.get(ident) != dataset_version(version):
            stale.append(ident)
    gone = [("dataset", ident) for ident in sorted(set(indexed) - active)]
    if not stale and not gone:
        return IndexReport(documents=len(indexed), generation=index.generation or "")
    entries = reads_search.datasets_for_search(driver, stale, timeout=READ_TIMEOUT, database=database)
    return index.update((dataset_document(e) for e in entries if e.state == "active"), gone)


def _dataset_changes(
    entries: Iterable[DatasetEntry], ids: Iterable[str]
) -> tuple[list[SearchDocument], list[tuple[str, str]]]:
    found = {entry.id: entry for entry in entries}
    upserts = [dataset_document(entry) for entry in found.values() if entry.state == "active"]
    inactive = sorted(ident for ident in set(ids) if ident not in found or found[ident].state != "active")
    deletions = [("dataset", ident) for ident in inactive]
    return upserts, deletions


def update_datasets(
    index: SearchIndex, driver: neo4j.Driver, ids: Iterable[str], database: str | None = None
) -> IndexReport:
    """Index the datasets of ``ids`` again (withdrawn or missing ones are removed)."""
    wanted = sorted(set(ids))
    entries = reads_search.datasets_for_search(driver, wanted, timeout=READ_TIMEOUT, database=database)
    upserts, deletions = _dataset_changes(entries, wanted)
    return index.update(upserts, deletions)


async def refresh_datasets(index: SearchIndex, reader: GraphReader, ids: Iterable[str]) -> IndexReport:
    """:func:`update_datasets` from the web process: the read over the async driver, the write in a thread."""
    wanted = sorted(set(ids))
    entries = await reads_search.datasets_for_search_async(reader, wanted)
    upserts, deletions = _dataset_changes(entries, wanted)
    return await asyncio.to_thread(index.update, upserts, deletions)


_background: set[asyncio.Task[IndexReport]] = set()


async def refresh_after_link_change(
    index: SearchIndex | None, reader: GraphReader, dataset_id: str, *, wait: float = 2.0
) -> None:
    """Refresh one dataset's document after its links changed, waiting at most ``wait`` seconds for it.

    The graph change has happened and is what counts: an index busy with a rebuild makes the refresh finish in the
    background, and a failure is logged, never raised (the next ``navigator index update`` or harvest repairs it).
    """
    if index is None:
        return
    task = asyncio.ensure_future(refresh_datasets(index, reader, [dataset_id]))
    _background.add(task)
    task.add_done_callback(_refresh_done)  # logs a failure; never raised into the caller
    done, _ = await asyncio.wait({task}, timeout=wait)
    if not done:
        log.info("search index: the refresh of a dataset continues in the background")


def _refresh_done(task: asyncio.Task[IndexReport]) -> None:
    _background.discard(task)
    if not task.cancelled() and task.exception() is not None:
        error = task.exception()
        log.warning("search index: a dataset's document was not refreshed (%s: %s); run `navigator index update`",
                    type(error).__name__, error)  # fmt: skip


def open_search(settings: Settings) -> SearchIndex | None:
    """The web process's index at ``settings.search_index_dir`` (an empty one is made if there is none yet, and filled
    by the next ``navigator index update``), or None when the folder cannot be used: the app then runs without
    search, and ``/readyz`` says so."""
    try:
        return open_index(settings.search_index_dir)
    except (SearchError, OSError) as error:
        log.warning("search index unavailable (%s: %s)", type(error).__name__, error)
        return None


def update_index_after_load(
    settings: Settings, driver: neo4j.Driver, *, catalog: bool = False, datasets: bool = False,
    dataset_ids: Iterable[str] = (),
) -> IndexReport | None:  # fmt: skip
    """Bring the index at ``settings.search_index_dir`` up to date after the graph changed.

    ``catalog``: the catalog was (re)loaded (datasets are synchronised too: they carry their life events' names);
    ``datasets``: datasets were loaded, linked or withdrawn (a harvest);
    ``dataset_ids``: just these datasets changed. An index that does not exist yet, is empty or was built by another
    version of the code is rebuilt whole. Never raises for the index or the graph: the load that called it has
    succeeded, so a failure is logged (with what to run) and None returned.
    """
    database = settings.neo4j_database
    ids = sorted(set(dataset_ids))
    try:
        with open_index(settings.search_index_dir, lock_timeout=WRITER_WAIT) as index:
            try:
                empty = index.doc_count() == 0
            except IndexUnusable:
                empty = True
            if empty:
                return rebuild_index(index, driver, database)
            report = None
            if catalog:
                report = update_catalog(index, driver, database)
            if datasets or catalog:  # datasets carry the names of their life events
                report = merge_reports(report, sync_datasets(index, driver, database))
            elif ids:
                report = merge_reports(report, update_datasets(index, driver, ids, database))
            return report
    except (SearchError, GraphError, OSError) as error:
        log.warning("search index not updated (%s: %s); run `navigator index update`", type(error).__name__, error)
        return None


def merge_reports(first: IndexReport | None, second: IndexReport) -> IndexReport:
    """Two reports of consecutive writes as one."""
    if first is None:
        return second
    return IndexReport(
        added=first.added + second.added, deleted=first.deleted + second.deleted, documents=second.documents,
        seconds=round(first.seconds + second.seconds, 3), generation=second.generation or first.generation,
    )  # fmt: skip


def describe(report: IndexReport) -> str:
    """One line for the command line."""
    return (
        f"search index {report.generation or '(none)'}: {report.added} written, {report.deleted} removed, "
        f"{report.documents} documents, {report.seconds:.1f} s"
    )

