"""Links datasets to life events with explainable keyword evidence (see :mod:`graph.link_terms` for the matching).

:func:`link_datasets` reads the life events (their names and descriptions join the hand-written term table), then
the active datasets page by page with their current links, and writes per page, in one transaction:

* ``(:Dataset)-[:RELEVANT_TO {status: 'suggested', method: 'keyword-v1', score, matchedTerms, reason}]->(:LifeEvent)``
  for new evidence;
* fresh ``score``/``matchedTerms``/``reason`` on links whose evidence changed, whatever their status: a data
  officer's ``approved`` or ``rejected`` stands (and so does a link an officer added);
* the removal of ``suggested`` links no longer backed by evidence. Reviewed links are never removed.

Unchanged links are not written, so linking twice writes nothing the second time. Withdrawn datasets are not
examined: their links stay as they were, inspectable.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import neo4j

from graph import queries
from graph.harvest_runs import utc_now
from graph.link_terms import (
    TERMS_FILE,
    DatasetText,
    EventText,
    Evidence,
    Matcher,
    Term,
    TermTable,
    graph_terms,
    read_term_table,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 1000
STATUSES = ("suggested", "approved", "rejected")


@dataclass(slots=True)
class LinkReport:
    """What one linking run did, and per life event how many active datasets link to it afterwards (by status)."""

    portal: str | None
    datasets: int = 0
    linked: int = 0
    created: int = 0
    refreshed: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    by_event: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def events_linked(self) -> int:
        """Life events with at least one suggested or approved dataset."""
        return sum(1 for counts in self.by_event.values() if counts.get("suggested", 0) + counts.get("approved", 0))

    def summary(self) -> str:
        scope = f"{self.portal}: " if self.portal else ""
        return (
            f"{scope}{self.linked} of {self.datasets} datasets linked to {self.events_linked} life events: "
            f"{self.created} links suggested, {self.refreshed} refreshed, {self.unchanged} unchanged, "
            f"{self.removed} removed in {self.seconds:.2f} s"
        )

    def table(self) -> list[str]:
        """One line per life event: datasets linked (suggested + approved), with the split by status."""
        width = max((len(event) for event in self.by_event), default=0)
        lines = []
        for event, counts in sorted(self.by_event.items(), key=lambda kv: (-_linking(kv[1]), kv[0])):
            parts = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts.get(s))
            lines.append(f"{event.ljust(width)}  {_linking(counts):>5}" + (f"  ({parts})" if parts else ""))
        return lines


def _linking(counts: Mapping[str, int]) -> int:
    return counts.get("suggested", 0) + counts.get("approved", 0)


def build_matcher(driver: neo4j.Driver, *, terms_file: Path = TERMS_FILE, database: str | None = None) -> Matcher:
    """The term lists of every life event in the graph: the table's, plus those of the events' names and texts."""
    table = read_term_table(terms_file)
    events = read_life_events(driver, database=database)
    unknown = sorted(set(table.events) - {e.id for e in events})
    if unknown:
        log.warning("%s names life events the graph does not hold: %s", terms_file.name, ", ".join(unknown))
    return Matcher(table, event_terms(table, events))


def event_terms(table: TermTable, events: Sequence[EventText]) -> dict[str, list[Term]]:
    from_graph = graph_terms(events, table)
    return {
        event.id: [*(table.events[event.id].terms if event.id in table.events else ()), *from_graph.get(event.id, ())]
        for event in events
    }


def read_life_events(driver: neo4j.Driver, *, database: str | None = None) -> list[EventText]:
    records, _, _ = driver.execute_query(
        queries.LIFE_EVENT_TEXTS, database_=database, routing_=neo4j.RoutingControl.READ
    )
    return [
        EventText(
            id=r["id"], name_zh=r["nameZh"] or "", name_en=r["nameEn"] or "",
            description_zh=r["descriptionZh"] or "", description_en=r["descriptionEn"] or "",
        )
        for r in records
    ]


def link_datasets(
    driver: neo4j.Driver, portal: str | None = None, *, database: str | None = None, page_size: int = PAGE_SIZE,
    terms_file: Path = TERMS_FILE,
) -> LinkReport:  # fmt: skip
    """Link the active datasets (of ``portal``, or all) to life events; see the module docstring."""
    started = time.perf_counter()
    matcher = build_matcher(driver, terms_file=terms_file, database=database)
    report = LinkReport(portal=portal)
    at = utc_now()
    after = ""
    while True:
        records, _, _ = driver.execute_query(
            queries.DATASETS_FOR_LINKING, after=after, portal=portal, limit=page_size, database_=database,
            routing_=neo4j.RoutingControl.READ,
        )  # fmt: skip
        if not records:
            break
        writes: list[dict[str, Any]] = []
        removals: list[dict[str, Any]] = []
        for record in records:
            evidence = matcher.evidence(dataset_text(record))
            _plan(record["id"], evidence, record["links"], report, writes, removals)
        if writes or removals:
            _write_page(driver, writes, removals, method=matcher.table.method, at=at, database=database)
        report.datasets += len(records)
        after = records[-1]["id"]
    report.by_event = relevance_counts(driver, portal, database=database)
    report.seconds = time.perf_counter() - started
    log.info("link %s", report.summary())
    return report


def _plan(
    dataset_id: str, evidence: list[Evidence], links: list[Mapping[str, Any]], report: LinkReport,
    writes: list[dict[str, Any]], removals: list[dict[str, Any]],
) -> None:  # fmt: skip
    """Compare fresh evidence with the dataset's links: what to create, refresh or remove."""
    existing = {link["event"]: link for link in links}
    for found in evidence:
        row = {"dataset": dataset_id, "event": found.event_id, "score": found.score, "terms": list(found.terms),
               "reason": found.reason}  # fmt: skip
        link = existing.get(found.event_id)
        if link is None:
            report.created += 1
            writes.append(row)
        elif (link["score"], list(link["terms"] or ()), link["reason"]) != (row["score"], row["terms"], row["reason"]):
            report.refreshed += 1
            writes.append(row)
        else:
            report.unchanged += 1
    found_events = {found.event_id for found in evidence}
    for event_id, link in existing.items():
        if event_id not in found_events and link["status"] == "suggested":
            report.removed += 1
            removals.append({"dataset": dataset_id, "event": event_id})
    after = {event_id: link["status"] for event_id, link in existing.items() if link["status"] != "suggested"}
    after.update({event_id: "suggested" for event_id in found_events if event_id not in after})
    if any(status in ("suggested", "approved") for status in after.values()):
        report.linked += 1


def _write_page(
    driver: neo4j.Driver, writes: list[dict[str, Any]], removals: list[dict[str, Any]], *, method: str, at: str,
    database: str | None,
) -> None:  # fmt: skip
    def work(tx: neo4j.ManagedTransaction) -> None:
        if writes:
            tx.run(queries.WRITE_RELEVANCE, rows=writes, method=method, at=at).consume()
        if removals:
            tx.run(queries.REMOVE_RELEVANCE, rows=removals).consume()

    with driver.session(database=database) as session:
        session.execute_write(work)


def relevance_counts(driver: neo4j.Driver, portal: str | None = None, *, database: str | None = None) -> dict[
    str, dict[str, int]
]:
    """Per life event (all of them, zero included), active datasets linked to it by status."""
    records, _, _ = driver.execute_query(
        queries.RELEVANCE_COUNTS, portal=portal, database_=database, routing_=neo4j.RoutingControl.READ
    )
    counts: dict[str, Counter[str]] = {}
    for record in records:
        by_status = counts.setdefault(record["event"], Counter())
        if record["status"] is not None:
            by_status[record["status"]] += int(record["datasets"])
    return {event: dict(by_status) for event, by_status in counts.items()}


def dataset_text(record: Mapping[str, Any]) -> DatasetText:
    """A dataset as the linker reads it (``datasets_for_linking``): texts by language, tags, groups, themes."""
    titles = _language_map(record["titles"]) or ({"": record["title"]} if record["title"] else {})
    descriptions = _language_map(record["descriptions"]) or (
        {"": record["description"]} if record["description"] else {}
    )
    groups: list[tuple[str, str]] = []
    for name, titles_json in record["groups"]:
        group_titles = _language_map(titles_json)
        groups += list(group_titles.items()) if group_titles else [("", name)]
    return DatasetText(
        id=record["id"], titles=tuple(titles.items()), descriptions=tuple(descriptions.items()),
        tags=tuple((lang or "", name) for lang, name in record["tags"] if name), groups=tuple(groups),
        themes=tuple(record["themes"] or ()),
    )  # fmt: skip


def _language_map(value: object) -> dict[str, str]:
    if not isinstance(value, str):
        return {}
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str) and v} if isinstance(data, dict) else {}
