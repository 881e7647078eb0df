"""Harvest a CKAN portal (or a ``ckanapi dump datasets`` file) into normalised records and a snapshot.

Portal harvests page through ``package_search`` sorted by ``metadata_modified asc, id asc``. Each page asks for
records modified at or after the last one seen and skips, with ``start``, those already taken at that instant, so a
dataset edited mid-harvest can neither shift an unseen one out of reach (as plain offset paging would) nor be lost:
the next harvest's watermark stays at or before it. An incremental harvest adds ``fq:
metadata_modified:[SINCE TO *]``. Portals without a working ``package_search`` are read with ``package_list`` and
concurrent ``package_show`` calls.

Deletions are found by comparing the datasets known from the previous snapshot (id → name) with the portal's
current list of ids (``package_search`` with ``fl``, else ``package_list``); a listing that looks incomplete is not
trusted, and ``deletions_checked`` says so.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opendata.dates import parse_timestamp, solr_timestamp, utc_now
from opendata.errors import ActionFailed, RecordInvalid
from opendata.harvest_sources import SourceRecord, iter_dump_file, search_all_ids, search_pages
from opendata.normalise import normalise_package
from opendata.portal import PortalClient, PortalConfig, PortalInfo
from opendata.records import DatasetRecord
from opendata.snapshot import Mode, Rejection, SnapshotHeader, SnapshotWriter

logger = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
"""Called with (datasets read so far, total expected or None); the CLI wraps tqdm around it."""
MAX_ROWS = 1000  # CKAN's default ckan.search.rows_max


@dataclass(frozen=True, slots=True, kw_only=True)
class HarvestResult:
    """The outcome of one harvest. ``records`` is empty when records were streamed to ``on_record`` instead."""

    portal: PortalInfo
    default_language: str
    mode: Mode
    since: str | None
    watermark: str | None
    harvested_at: str
    method: str
    records: tuple[DatasetRecord, ...]
    loaded: int
    rejected: tuple[Rejection, ...]
    deleted_ids: tuple[str, ...]
    deletions_checked: bool
    seen: int
    seconds: float

    def snapshot_header(self) -> SnapshotHeader:
        return SnapshotHeader(
            portal=self.portal.name, portal_url=self.portal.url or None, ckan_version=self.portal.ckan_version,
            harvested_at=self.harvested_at, mode=self.mode, since=self.since, watermark=self.watermark,
            method=self.method, record_count=self.loaded, deleted_ids=self.deleted_ids,
            deletions_checked=self.deletions_checked, rejected=self.rejected,
        )  # fmt: skip


@dataclass(slots=True, kw_only=True)
class _Collector:
    """Normalises raw packages as they arrive and keeps the counts, the watermark and the rejections."""

    portal: str
    default_language: str
    portal_url: str | None
    harvested_at: str
    since: str | None
    on_record: Callable[[DatasetRecord], None] | None
    progress: Progress | None
    records: list[DatasetRecord] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    taken: dict[str, str | None] = field(default_factory=dict)  # CKAN id → modified, of the records kept
    present_ids: set[str] = field(default_factory=set)  # every dataset met on the portal, kept or rejected
    present_names: set[str] = field(default_factory=set)
    deleted: list[str] = field(default_factory=list)
    seen: int = 0
    loaded: int = 0
    total: int | None = None
    newest: str | None = None
    held_back: str | None = None

    def add(self, source: SourceRecord) -> None:
        raw = source.raw
        ckan_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        name = raw.get("name") if isinstance(raw, dict) and isinstance(raw.get("name"), str) else None
        if ckan_id is not None and ckan_id in self.present_ids:
            self._seen_again(ckan_id, raw)
            return
        if ckan_id is not None:
            self.present_ids.add(ckan_id)
        if name is not None:
            self.present_names.add(name)
        try:
            record = normalise_package(
                raw, portal=self.portal, default_language=self.default_language,
                harvested_at=self.harvested_at, portal_url=self.portal_url,
            )  # fmt: skip
        except RecordInvalid as e:
            self.reject(Rejection(ref=ckan_id or name or source.ref, reason=str(e)))
            return
        self.seen += 1
        if self.since is not None and record.modified is not None and record.modified < self.since:
            self._tick()
            return  # the package_show fallback cannot filter on the portal side
        self.taken[record.ckan_id] = record.modified
        if record.state == "deleted":
            self.deleted.append(record.ckan_id)
        if record.modified is not None and (self.newest is None or record.modified > self.newest):
            self.newest = record.modified
        self.loaded += 1
        if self.on_record is not None:
            self.on_record(record)
        else:
            self.records.append(record)
        self._tick()

    def reject(self, rejection: Rejection) -> None:
        self.seen += 1
        self.rejected.append(rejection)
        self._tick()

    def _seen_again(self, ckan_id: str, raw: Any) -> None:
        """A dataset modified during the harvest comes round again: it is not taken twice, but the watermark stays
        at or before its new time so that the next incremental harvest fetches the new version."""
        modified = raw.get("metadata_modified") if isinstance(raw, dict) else None
        try:
            stamp = parse_timestamp(modified) if isinstance(modified, str) else None
        except ValueError:
            stamp = None
        if stamp is not None and stamp != self.taken.get(ckan_id):
            if self.held_back is None or stamp < self.held_back:
                self.held_back = stamp

    def gone(self, known: Mapping[str, str], *, ids: set[str], names: set[str]) -> tuple[str, ...]:
        """Known datasets absent from the portal's listing (by id and by name), plus those marked deleted."""
        missing = [i for i, name in known.items() if i not in ids and name not in names]
        return tuple(dict.fromkeys([*self.deleted, *missing]))

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(self.seen, self.total)

    def watermark(self) -> str | None:
        candidates = [stamp for stamp in (self.newest, self.held_back) if stamp is not None]
        return min(candidates) if candidates else self.since


def harvest_portal(
    config: PortalConfig,
    *,
    since: str | None = None,
    known: Mapping[str, str] | None = None,
    rows: int = MAX_ROWS,
    max_workers: int = 4,
    harvested_at: str | None = None,
    on_record: Callable[[DatasetRecord], None] | None = None,
    progress: Progress | None = None,
    client: PortalClient | None = None,
) -> HarvestResult:
    """Harvest one portal: all datasets, or (``since`` given) those modified at or after ``since``.

    ``known`` maps CKAN id → name of the datasets of the previous snapshot; with it, deletions are detected.
    ``rows`` (≤ 1000) is the page size; ``max_workers`` caps concurrent ``package_show`` calls in the fallback.
    ``on_record`` receives each record instead of the result keeping it; ``progress`` gets (read, expected).
    ``client`` (made for ``config``) lets a caller supply its own :class:`PortalClient`.
    Raises :class:`PortalRefused` for a disallowed address, :class:`PortalUnreachable` when the portal cannot be
    reached or keeps failing, :class:`ActionFailed` when it answers with errors the fallback cannot get round.
    """
    if not 1 <= rows <= MAX_ROWS:
        raise ValueError(f"rows must be between 1 and {MAX_ROWS}")
    if max_workers < 1:
        raise ValueError("max_workers must be at least 1")
    if client is not None and client.config != config:
        raise ValueError("client was made for another portal configuration")
    since_stamp = parse_timestamp(since) if since is not None else None
    started = time.monotonic()
    own_client = client is None
    portal = client if client is not None else PortalClient(config, pool_size=max_workers)
    try:
        info = portal.info()
        collector = _Collector(
            portal=config.name, default_language=config.default_language, portal_url=config.url,
            harvested_at=harvested_at or utc_now(), since=since_stamp, on_record=on_record, progress=progress,
        )  # fmt: skip
        method = _harvest_records(portal, collector, since=since_stamp, rows=rows, max_workers=max_workers)
        deleted, checked = _deletions(portal, collector, known=known, since=since_stamp, method=method, rows=rows)
    finally:
        if own_client:
            portal.close()
    return _finish(info, config.default_language, collector, since_stamp, method, deleted, checked, started)


def _harvest_records(
    portal: PortalClient, collector: _Collector, *, since: str | None, rows: int, max_workers: int
) -> str:
    try:
        pages = search_pages(portal, since=solr_timestamp(since) if since else None, rows=rows)
        first = next(pages, None)
    except ActionFailed as e:
        logger.warning("%s: package_search unusable (%s); reading package_list + package_show", portal.config.name, e)
        _show_all(portal, collector, max_workers=max_workers)
        return "package_show"
    if first is not None:
        collector.total = first.count
        for page in itertools.chain([first], pages):
            for source in page.results:
                collector.add(source)
    return "package_search"


def _show_all(portal: PortalClient, collector: _Collector, *, max_workers: int) -> None:
    names = list_package_names(portal)
    collector.total = len(names)
    collector.present_names.update(names)
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="package_show") as pool:
        pending: dict[Future[Any], str] = {}
        queue = iter(names)
        try:
            while True:
                while len(pending) < max_workers * 2:
                    name = next(queue, None)
                    if name is None:
                        break
                    pending[pool.submit(portal.call, "package_show", {"id": name})] = name
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    name = pending.pop(future)
                    _take_shown(collector, name, future)
        finally:
            for future in pending:
                future.cancel()


def _take_shown(collector: _Collector, name: str, future: Future[Any]) -> None:
    try:
        raw = future.result()
    except ActionFailed as e:
        if e.error_type == "Not Found Error":
            logger.info("%s: %s vanished between package_list and package_show", collector.portal, name)
            return
        collector.reject(Rejection(ref=name, reason=f"package_show failed: {e}"))
        return
    collector.add(SourceRecord(raw=raw, ref=name))


def list_package_names(portal: PortalClient, *, page_size: int = MAX_ROWS) -> list[str]:
    """Every dataset name from ``package_list``, paged with limit/offset where the portal supports it."""
    names: list[str] = []
    seen: set[str] = set()
    offset = 0
    while True:
        result = portal.call("package_list", {"limit": page_size, "offset": offset})
        if not isinstance(result, list) or not all(isinstance(n, str) for n in result):
            raise ActionFailed(
                f"portal {portal.config.name}: package_list did not return a list of names", action="package_list"
            )
        fresh = [n for n in result if n not in seen]
        names += fresh
        seen.update(fresh)
        if len(result) < page_size or not fresh:  # the last page, or a portal that ignores limit/offset
            return names
        offset += len(result)


def _deletions(
    portal: PortalClient,
    collector: _Collector,
    *,
    known: Mapping[str, str] | None,
    since: str | None,
    method: str,
    rows: int,
) -> tuple[tuple[str, ...], bool]:
    if not known:
        return tuple(collector.deleted), False
    ids, names = collector.present_ids, collector.present_names
    if method == "package_show":
        complete = True  # package_list named every dataset, and each was shown or found gone
    elif since is None:
        complete = collector.total is None or len(ids) >= collector.total
    else:
        listing = search_all_ids(portal, rows=rows)
        if listing is None:
            ids, names = set(), set(list_package_names(portal))
            complete = True
        else:
            ids, names, complete = listing.ids, listing.names, listing.complete
    if not complete or (not ids and not names):
        logger.warning("%s: the portal's dataset list looks incomplete; deletions not checked", portal.config.name)
        return tuple(collector.deleted), False
    return collector.gone(known, ids=ids, names=names), True


def _finish(
    info: PortalInfo,
    default_language: str,
    collector: _Collector,
    since: str | None,
    method: str,
    deleted: tuple[str, ...],
    checked: bool,
    started: float,
) -> HarvestResult:
    result = HarvestResult(
        portal=info, default_language=default_language, mode="full" if since is None else "incremental",
        since=since, watermark=collector.watermark(), harvested_at=collector.harvested_at, method=method,
        records=tuple(collector.records), loaded=collector.loaded, rejected=tuple(collector.rejected),
        deleted_ids=deleted, deletions_checked=checked, seen=collector.seen,
        seconds=round(time.monotonic() - started, 3),
    )  # fmt: skip
    logger.info(
        "harvest %s: %d loaded, %d rejected, %d deleted in %.1fs (%s, %s)",
        info.name, result.loaded, len(result.rejected), len(result.deleted_ids), result.seconds, result.mode, method,
    )  # fmt: skip
    return result


def harvest_dump(
    path: str | os.PathLike[str],
    *,
    portal: str,
    default_language: str,
    portal_url: str | None = None,
    known: Mapping[str, str] | None = None,
    harvested_at: str | None = None,
    on_record: Callable[[DatasetRecord], None] | None = None,
    progress: Progress | None = None,
) -> HarvestResult:
    """Harvest a ``ckanapi dump datasets`` JSON-lines file (gzip too); a bad line is rejected as ``line N``."""
    started = time.monotonic()
    collector = _Collector(
        portal=portal, default_language=default_language, portal_url=portal_url,
        harvested_at=harvested_at or utc_now(), since=None, on_record=on_record, progress=progress,
    )  # fmt: skip
    for item in iter_dump_file(Path(path)):
        if isinstance(item, Rejection):
            collector.reject(item)
        else:
            collector.add(item)
    deleted, checked = tuple(collector.deleted), False
    if known:
        deleted, checked = collector.gone(known, ids=collector.present_ids, names=collector.present_names), True
    info = PortalInfo(name=portal, url=portal_url or "")
    return _finish(info, default_language, collector, None, "dump", deleted, checked, started)


def write_harvest(result: HarvestResult, path: str | os.PathLike[str]) -> Path:
    """Write a collected harvest (records kept in the result) as a snapshot, atomically."""
    with SnapshotWriter(path) as writer:
        for record in result.records:
            writer.write(record)
        return writer.commit(result.snapshot_header())


def harvest_to_snapshot(
    config: PortalConfig,
    path: str | os.PathLike[str],
    *,
    since: str | None = None,
    known: Mapping[str, str] | None = None,
    rows: int = MAX_ROWS,
    max_workers: int = 4,
    harvested_at: str | None = None,
    progress: Progress | None = None,
    client: PortalClient | None = None,
) -> HarvestResult:
    """Harvest a portal straight into a snapshot file, streaming records (see :func:`harvest_portal`).

    Nothing is written unless the harvest succeeds; the previous snapshot at ``path`` stays until then.
    """
    with SnapshotWriter(path) as writer:
        result = harvest_portal(
            config, since=since, known=known, rows=rows, max_workers=max_workers, harvested_at=harvested_at,
            on_record=writer.write, progress=progress, client=client,
        )  # fmt: skip
        writer.commit(result.snapshot_header())
    return result
