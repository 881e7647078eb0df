"""Writes a checked :class:`~graph.catalog.Catalog` to Neo4j: idempotent batches in one transaction.

Each node carries a ``contentHash`` of its properties and links, so a load tells created, updated and unchanged
apart and writes only what changed; a second load of the same files writes nothing. A load that writes something
also gives the catalog a new ``(:CatalogVersion)`` in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import neo4j

from graph import queries
from graph.catalog import Catalog, read_catalog
from graph.errors import CatalogProblem
from graph.model import (
    CHANNEL_KINDS,
    agency_to_props,
    bundle_to_props,
    criterion_to_props,
    event_to_props,
    evidence_to_props,
    service_to_props,
    stage_to_props,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 1000

CHANNEL_NAMES = {
    "in-person": ("窗口办理", "In person"),
    "online": ("网上办理", "Online"),
    "app": ("移动端办理", "Mobile app"),
    "phone": ("电话办理", "By phone"),
    "post": ("邮寄办理", "By post"),
}

LABELS = {
    "stages": "LifeStage", "events": "LifeEvent", "agencies": "Agency", "evidence": "Evidence",
    "criteria": "Criterion", "services": "Service", "bundles": "Bundle",
}


@dataclass(slots=True)
class LoadReport:
    """What one load did; ``summary()`` is the one line the CLI prints."""

    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[CatalogProblem] = field(default_factory=list)
    rejected_items: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.source}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected in {self.seconds:.2f} s"
        )


def _hash(row: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()[:32]


def _rows(catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    """The rows each upsert query takes, keyed by kind; ``hash`` covers properties and links."""
    rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in LABELS}

    def add(kind: str, ident: str, props: dict[str, Any], **links: Any) -> None:
        row = {"id": ident, "props": props, **links}
        row["hash"] = _hash(row)
        rows[kind].append(row)

    for stage in catalog.stages.values():
        add("stages", stage.id, stage_to_props(stage))
    for agency in catalog.agencies.values():
        add("agencies", agency.id, agency_to_props(agency))
    for evidence in catalog.evidence.values():
        add("evidence", evidence.id, evidence_to_props(evidence))
    for criterion in catalog.criteria.values():
        add("criteria", criterion.id, criterion_to_props(criterion))
    for event in catalog.events.values():
        add("events", event.id, event_to_props(event), stages=list(event.stage_ids),
            criteria=list(event.criterion_ids), triggers=list(event.trigger_ids))
    for service in catalog.services.values():
        add("services", service.id, service_to_props(service), events=list(service.event_ids),
            requires=list(service.requires), produces=list(service.produces),
            prerequisites=list(service.prerequisite_ids), channels=list(service.channel_ids),
            criteria=list(service.criterion_ids), agency=service.agency_id)
    for bundle in catalog.bundles.values():
        add("bundles", bundle.id, bundle_to_props(bundle), services=list(bundle.service_ids), event=bundle.event_id)
    return rows


UPSERTS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("stages", lambda: queries.UPSERT_STAGES),
    ("agencies", lambda: queries.UPSERT_AGENCIES),
    ("evidence", lambda: queries.UPSERT_EVIDENCE),
    ("criteria", lambda: queries.UPSERT_CRITERIA),
    ("events", lambda: queries.UPSERT_EVENTS),
    ("services", lambda: queries.UPSERT_SERVICES),
    ("bundles", lambda: queries.UPSERT_BUNDLES),
)


def catalog_ids(driver: neo4j.Driver, database: str | None = None) -> dict[str, set[str]]:
    """Ids of the catalog nodes already in the graph, by catalog kind."""
    records, _, _ = driver.execute_query(queries.CATALOG_IDS, database_=database, routing_=neo4j.RoutingControl.READ)
    by_label = {r["label"]: set(r["ids"]) for r in records}
    return {kind: by_label.get(label, set()) for kind, label in LABELS.items()}


def write_catalog(driver: neo4j.Driver, catalog: Catalog, report: LoadReport, database: str | None = None) -> None:
    """Write ``catalog`` in one transaction, only the rows whose content changed; counts go to ``report``."""
    rows = _rows(catalog)
    records, _, _ = driver.execute_query(
        queries.EXISTING_HASHES, {kind: [row["id"] for row in rows[kind]] for kind in LABELS},
        database_=database, routing_=neo4j.RoutingControl.READ,
    )
    existing: dict[tuple[str, str], str | None] = {(r["label"], r["id"]): r["hash"] for r in records}
    changed: dict[str, list[dict[str, Any]]] = {}
    for kind, kind_rows in rows.items():
        todo = []
        for row in kind_rows:
            key = (LABELS[kind], row["id"])
            if key not in existing or existing[key] is None:
                report.created += 1
                todo.append(row)
            elif existing[key] != row["hash"]:
                report.updated += 1
                todo.append(row)
            else:
                report.unchanged += 1
        changed[kind] = todo
        report.by_kind[kind] = len(kind_rows)
    if not any(changed.values()):
        return

    def work(tx: neo4j.ManagedTransaction) -> None:
        tx.run(queries.UPSERT_CHANNELS, rows=[
            {"id": cid, "props": {"id": cid, "nameZh": CHANNEL_NAMES[cid][0], "nameEn": CHANNEL_NAMES[cid][1]}}
            for cid in CHANNEL_KINDS
        ]).consume()
        for kind, query in UPSERTS:
            for chunk in _chunks(changed[kind], BATCH_SIZE):
                tx.run(query(), rows=chunk).consume()
        tx.run(queries.BUMP_CATALOG_VERSION).consume()  # caches of catalog data (graph.journeys) read it again

    with driver.session(database=database) as session:
        session.execute_write(work)


def load_catalog(driver: neo4j.Driver, path: Path, database: str | None = None) -> LoadReport:
    """Check and load the catalog at ``path`` (a folder of YAML files or one file)."""
    started = time.perf_counter()
    report = LoadReport(source=str(path))
    result = read_catalog(path, known=catalog_ids(driver, database))
    report.problems = result.problems
    report.rejected = len(result.rejected_files)
    report.rejected_items = [(p.file, str(p)) for p in result.problems]
    write_catalog(driver, result.catalog, report, database)
    report.seconds = time.perf_counter() - started
    log.info("%s", report.summary())
    return report


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
