"""Loads normalised dataset records into Neo4j: batched, idempotent, incremental, and safe to kill and re-run.

One run (:func:`load_snapshot`) for one portal:

1. records the ``HarvestRun`` as running and reads the stored state (``contentHash``, ``loadVersion``, ``state``)
   of the portal's datasets, once;
2. streams the records; a record whose hash, load version and state equal the stored ones is *unchanged* and not
   written; the others are written in batches of ``batch_size``, each batch one transaction. A stored dataset is
   rewritten with ``UNWIND $rows AS row MERGE …`` keyed on the uniqueness constraints: its properties, then its
   harvested links replaced (``FROM_PORTAL``, ``PUBLISHED_BY``, ``HAS_RESOURCE``, ``TAGGED``, ``IN_GROUP``;
   ``RELEVANT_TO`` is the linker's). A new one is CREATEd with its resources and links in one statement (shared
   tags, organisations and groups MERGEd; a resource id an earlier record of the run also lists MERGEd); the
   constraints still guard the CREATEs, and should a node the run took for new exist after all, the batch is rolled
   back whole and written again the MERGE way;
3. once every record has been seen, withdraws datasets (``state: 'withdrawn'``, ``withdrawnAt``; never deleted):
   those the source says were deleted, and, for a *full* listing, the portal's active datasets missing from it;
4. in its last transaction stores the report on the run and advances the portal's watermark.

Killed at any point, the graph holds whole batches of final content; a re-run finds them unchanged, writes the rest,
and ends with the graph an uninterrupted run gives. Withdrawal cannot run early (step 3 needs the full id list) and
the watermark cannot move past unwritten data (step 4 is last).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import neo4j

from graph import queries
from graph.dataset_props import ACTIVE, LOAD_VERSION, WITHDRAWN, DatasetRows, dataset_id, dataset_rows, without_nulls
from graph.errors import GraphUnavailable
from graph.harvest_runs import HarvestReport, Mode, Rejected, fail_run, finish_run, start_run, utc_now
from opendata.records import DatasetRecord

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
_QUEUED = 2  # batches read ahead of the writer
Progress = Callable[[int], None]
"""Called with the number of records (loaded or rejected) handled so far."""
_UNIDENTIFIED = re.compile(r"^line \d+\b")


@dataclass(frozen=True, slots=True, kw_only=True)
class HarvestSource:
    """Where a run's records come from: the portal, whether they are its full listing, and the harvest's header.

    ``deleted_ids`` are CKAN ids (or names) the harvest found deleted; ``watermark`` the newest ``metadata_modified``
    it covered (else the newest among the records). ``source`` names the snapshot file, for the run and the log.
    """

    portal: str
    mode: Mode = "full"
    source: str = ""
    harvested_at: str | None = None
    portal_url: str | None = None
    portal_title: str | None = None
    ckan_version: str | None = None
    watermark: str | None = None
    deleted_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Write:
    """One dataset to write: its rows; whether the graph held it when the run began; for a new one, the ids of its
    resources an earlier record of the run also lists (MERGEd, where the others are CREATEd)."""

    rows: DatasetRows
    stored: bool
    repeated: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class _Stored:
    hash: str | None
    version: str | None
    state: str | None
    name: str | None


def load_snapshot(
    driver: neo4j.Driver,
    records: Iterable[DatasetRecord | Rejected],
    source: HarvestSource,
    *,
    database: str | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> HarvestReport:
    """Load one portal's records (a snapshot's, in order; :class:`Rejected` items are counted with their reasons).

    Raises :class:`GraphUnavailable` when Neo4j fails, and lets an error of the records' source (an unreadable
    snapshot) through; either way the run is stored as failed (when Neo4j still answers) and may simply be re-run.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.perf_counter()
    report = HarvestReport(
        run_id=f"{source.portal}:{utc_now()}:{uuid.uuid4().hex[:8]}", portal=source.portal, mode=source.mode,
        source=source.source,
    )  # fmt: skip
    try:
        start_run(
            driver, report, started_at=utc_now(), url=source.portal_url, title=source.portal_title,
            ckan_version=source.ckan_version, database=database,
        )  # fmt: skip
        _Run(driver, report, source, database=database, batch_size=batch_size, progress=progress).load(records)
        report.seconds = time.perf_counter() - started
        if source.watermark is not None:
            # The harvester's watermark wins: it is held back for a dataset edited while the harvest ran, so the
            # next run fetches its new version; the newest time among the records would skip it.
            report.watermark = source.watermark
        finish_run(driver, report, database=database)
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as e:
        report.seconds = time.perf_counter() - started
        fail_run(driver, report, f"{type(e).__name__}: {e}", database=database)
        raise GraphUnavailable(f"loading {source.portal} failed: {e}") from e
    except BaseException as e:
        report.seconds = time.perf_counter() - started
        fail_run(driver, report, f"{type(e).__name__}: {e}", database=database)
        raise
    log.info("load %s", report.summary())
    return report


class _Run:
    """One load: the stored datasets, the ids seen, and the batches on their way to Neo4j.

    Reading and mapping records (Python) overlaps with writing the previous batch (Neo4j): a reader thread fills
    batches in order, the calling thread writes them in that order, one transaction each. At most ``_QUEUED``
    batches wait, so memory stays bounded whatever the snapshot's size.
    """

    def __init__(
        self, driver: neo4j.Driver, report: HarvestReport, source: HarvestSource, *, database: str | None,
        batch_size: int, progress: Progress | None,
    ) -> None:  # fmt: skip
        self.driver = driver
        self.report = report
        self.source = source
        self.database = database
        self.batch_size = batch_size
        self.progress = progress
        self.stored = _stored_states(driver, source.portal, database)
        self.seen: set[str] = set()
        # hash() of every resource id the run's records list: a resource met again is MERGEd (a collision of two
        # hashes only costs a MERGE where a CREATE would have done); ints keep the set small at 100,000s of ids.
        self.resource_keys: set[int] = set()

    def load(self, items: Iterable[DatasetRecord | Rejected]) -> None:
        batches: queue.Queue[list[_Write] | None] = queue.Queue(maxsize=_QUEUED)
        stop = threading.Event()
        failure: list[BaseException] = []
        reader = threading.Thread(
            target=self._read, args=(items, batches, stop, failure), name="dataset-reader", daemon=True
        )
        reader.start()
        try:
            while (batch := batches.get()) is not None:
                self.report.writes += self._write_batch(batch)
        finally:
            stop.set()
            while reader.is_alive():  # let a reader blocked on a full queue see the stop
                with contextlib.suppress(queue.Empty):
                    batches.get(timeout=0.05)
            reader.join()
        if failure:
            raise failure[0]
        if self.progress is not None:
            self.progress(self.report.loaded + self.report.rejected)
        self._withdraw()
        # Always, so that orphans left by a killed run's replaced links are gone after the re-run too.
        self.report.writes += self._write(partial(_run, query=queries.PRUNE_DATASET_VOCABULARY))

    def _read(
        self, items: Iterable[DatasetRecord | Rejected], batches: queue.Queue[list[_Write] | None],
        stop: threading.Event, failure: list[BaseException],
    ) -> None:  # fmt: skip
        batch: list[_Write] = []
        try:
            for handled, item in enumerate(items, start=1):
                if stop.is_set():
                    return
                if isinstance(item, Rejected):
                    self._reject(item)
                elif (rows := self._classify(item)) is not None:
                    batch.append(rows)
                    if len(batch) >= self.batch_size:
                        _put(batches, batch, stop)
                        batch = []
                if self.progress is not None and handled % 100 == 0:
                    self.progress(handled)
            _put(batches, batch or None, stop)
        except BaseException as e:  # handed to the writing thread, which re-raises it
            failure.append(e)
        finally:
            _put(batches, None, stop)

    def _reject(self, item: Rejected) -> None:
        self.report.rejected += 1
        self.report.rejected_reasons.append(item)

    def _classify(self, record: DatasetRecord) -> _Write | None:
        """Count ``record`` as new, updated, withdrawn or unchanged; the rows to write, unless unchanged."""
        report = self.report
        if record.portal != self.source.portal:
            self._reject(Rejected(ref=record.ckan_id, reason=f"record of portal {record.portal!r}, not of this run's"))
            return None
        if record.ckan_id in self.seen:
            self._reject(Rejected(ref=record.ckan_id, reason="duplicate: the same CKAN id came earlier in this run"))
            return None
        self.seen.add(record.ckan_id)
        if record.modified is not None and (report.watermark is None or record.modified > report.watermark):
            report.watermark = record.modified
        stored = self.stored.get(record.ckan_id)
        state = WITHDRAWN if record.state == "deleted" else ACTIVE
        if stored is not None and (stored.hash, stored.version, stored.state) == (
            record.content_hash, LOAD_VERSION, state
        ):
            report.unchanged += 1
            return None
        if stored is None:
            report.new += 1
        elif state == WITHDRAWN and stored.state != WITHDRAWN:
            report.withdrawn += 1
        else:
            report.updated += 1
        rows = dataset_rows(record)
        return _Write(rows, stored is not None, self._repeated_resources(rows))

    def _repeated_resources(self, rows: DatasetRows) -> frozenset[str]:
        """The ids of ``rows``' resources that an earlier record of the run listed too; notes the others."""
        keys = self.resource_keys
        repeated: list[str] = []
        for resource in rows.resources:
            key = hash(resource["id"])
            if key in keys:
                repeated.append(resource["id"])
            else:
                keys.add(key)
        return frozenset(repeated)

    def _withdraw(self) -> None:
        """Withdraw what the source says was deleted and, for a full listing, what it no longer lists."""
        by_name = {stored.name: ckan_id for ckan_id, stored in self.stored.items() if stored.name}
        gone = {by_name.get(ref, ref) for ref in self.source.deleted_ids}
        if self.source.mode == "full":
            missing, skipped = self._missing_from_listing(by_name)
            gone |= missing
            self.report.withdrawal_skipped = skipped
        ids = sorted(
            dataset_id(self.source.portal, ckan_id) for ckan_id in gone
            if ckan_id not in self.seen and ckan_id in self.stored and self.stored[ckan_id].state != WITHDRAWN
        )  # fmt: skip
        at = self.source.harvested_at or utc_now()
        for start in range(0, len(ids), self.batch_size):
            chunk = ids[start : start + self.batch_size]
            self.report.writes += self._write(partial(_run, query=queries.WITHDRAW_DATASETS, ids=chunk, at=at))
            self.report.withdrawn += len(chunk)

    def _missing_from_listing(self, by_name: dict[str, str]) -> tuple[set[str], str | None]:
        unidentified = [r.ref for r in self.report.rejected_reasons if _UNIDENTIFIED.match(r.ref)]
        if unidentified:
            return set(), f"{len(unidentified)} rejected record(s) without an id ({unidentified[0]}, …)"
        active = {ckan_id for ckan_id, stored in self.stored.items() if stored.state != WITHDRAWN}
        if active and not self.seen and not self.report.rejected:
            return set(), "the listing is empty"
        kept = {by_name.get(r.ref, r.ref) for r in self.report.rejected_reasons}  # still listed, just not loadable
        return active - self.seen - kept, None

    def _write_batch(self, batch: list[_Write]) -> int:
        portal = self.source.portal
        try:
            return self._write(partial(_write_batch, portal=portal, batch=batch))
        except neo4j.exceptions.ConstraintError as e:
            # A node the run took for new exists after all (a resource id another dataset holds, a dataset written
            # since the run read the stored states): the transaction was rolled back whole; write it the MERGE way.
            log.debug("batch of %d rewritten with MERGE: %s", len(batch), e)
            return self._write(partial(_write_batch, portal=portal, batch=batch, merge=True))

    def _write(self, work: Callable[[neo4j.ManagedTransaction], int]) -> int:
        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)


def _put(batches: queue.Queue[Any], batch: Any, stop: threading.Event) -> None:
    """Put ``batch`` on the queue, waiting for room unless the load is stopping."""
    while not stop.is_set():
        try:
            batches.put(batch, timeout=0.1)
            return
        except queue.Full:
            continue


def _stored_states(driver: neo4j.Driver, portal: str, database: str | None) -> dict[str, _Stored]:
    records, _, _ = driver.execute_query(
        queries.DATASET_STATES, portal=portal, database_=database, routing_=neo4j.RoutingControl.READ
    )
    return {r["ckanId"]: _Stored(r["hash"], r["version"], r["state"], r["name"]) for r in records}


class _Rows(list[Any]):
    """A batch's rows, shown by their count: the driver formats every RUN's parameters for its debug log whether or
    not anything logs at DEBUG (neo4j 6.4, ``Bolt5x5.run``): ``repr`` of a batch of 1000 datasets' rows cost ~40 us
    of client CPU per dataset, spent while Neo4j waits for the batch. Packed as the list it is."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _run(tx: neo4j.ManagedTransaction, query: str, **params: Any) -> int:
    """Run one write and return how much it changed (nodes, relationships, properties)."""
    params = {name: _Rows(value) if isinstance(value, list) else value for name, value in params.items()}
    counters = tx.run(query, params).consume().counters
    return (
        counters.nodes_created + counters.nodes_deleted + counters.relationships_created
        + counters.relationships_deleted + counters.properties_set
    )  # fmt: skip


def _write_batch(tx: neo4j.ManagedTransaction, portal: str, batch: list[_Write], merge: bool = False) -> int:
    """One transaction: the stored datasets rewritten, then the new ones created (all merged when ``merge``)."""
    stored = [w.rows for w in batch if merge or w.stored]
    writes = _merge_datasets(tx, portal, stored) if stored else 0
    new = [] if merge else [w for w in batch if not w.stored]
    if new:
        writes += _create_datasets(tx, portal, new)
    return writes


def _merge_datasets(tx: neo4j.ManagedTransaction, portal: str, batch: list[DatasetRows]) -> int:
    """The datasets' properties, then their links replaced, all MERGEd on their ids.

    The maps keep their nulls, so that ``SET +=`` removes properties the record no longer has.
    """
    writes = _run(tx, queries.UPSERT_DATASETS, rows=[{"id": d.id, "props": d.props} for d in batch])
    unlink = [{"id": d.id, "resourceIds": [r["id"] for r in d.resources]} for d in batch]
    writes += _run(tx, queries.UNLINK_DATASETS, rows=unlink)
    writes += _run(tx, queries.LINK_DATASETS_PORTAL, portal=portal, ids=[d.id for d in batch])
    links = (
        (queries.LINK_DATASET_RESOURCES, lambda d: d.resources),
        (queries.LINK_DATASET_TAGS, lambda d: d.tags),
        (queries.LINK_DATASET_ORGANIZATIONS, lambda d: [d.organization] if d.organization else []),
        (queries.LINK_DATASET_GROUPS, lambda d: d.groups),
    )
    for query, links_of in links:
        rows = [{"id": d.id, "links": found} for d in batch if (found := links_of(d))]
        if rows:
            writes += _run(tx, query, rows=rows)
    return writes


def _create_datasets(tx: neo4j.ManagedTransaction, portal: str, batch: list[_Write]) -> int:
    """New datasets with their links in one statement; the maps go without their nulls (nothing to remove).

    Resources an earlier record of the run listed follow, MERGEd (and updated: the last record's maps win, as with
    MERGE alone), after the CREATEs that may have made them.
    """
    rows = [
        {
            "props": without_nulls(d.props),
            "resources": [without_nulls(r) for r in d.resources if r["id"] not in w.repeated],
            "tags": d.tags,
            "organizations": [without_nulls(d.organization)] if d.organization else [],
            "groups": [without_nulls(g) for g in d.groups],
        }
        for w in batch
        for d in (w.rows,)
    ]
    writes = _run(tx, queries.CREATE_DATASETS, portal=portal, rows=rows)
    repeated = [
        {"id": w.rows.id, "links": [without_nulls(r) for r in w.rows.resources if r["id"] in w.repeated]}
        for w in batch
        if w.repeated
    ]
    if repeated:
        writes += _run(tx, queries.LINK_DATASET_RESOURCES, rows=repeated)
    return writes


__all__ = ["BATCH_SIZE", "HarvestReport", "HarvestSource", "Rejected", "load_snapshot"]
