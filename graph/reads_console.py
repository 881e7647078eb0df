"""Reads for the data officers' console: portals and their harvest runs, the link review queue, coverage.

One round trip per page, frozen views out, as in :mod:`graph.reads_pages`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph import queries
from graph.access import ApiToken, Scope
from graph.model import Text
from graph.reads_dataset_pages import texts_from_props
from graph.session import GraphReader

__all__ = [
    "CoverageRow",
    "HarvestRunView",
    "LinkQueue",
    "PortalView",
    "QueuedLink",
    "StageCoverage",
    "read_active_token",
    "read_coverage",
    "read_link_queue",
    "read_portals",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class HarvestRunView:
    id: str
    status: str
    mode: str | None
    started_at: str | None
    finished_at: str | None
    counts: Mapping[str, int]
    seconds: float | None
    error: str | None
    rejected_reasons: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PortalView:
    id: str
    title: str | None
    url: str | None
    last_successful_run_at: str | None
    active: int
    withdrawn: int
    runs: tuple[HarvestRunView, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class QueuedLink:
    dataset_id: str
    dataset_title: Text
    portal: str
    event_id: str
    event_name: Text
    status: str
    score: float
    method: str | None
    matched_terms: tuple[str, ...]
    reviewed_by: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkQueue:
    links: tuple[QueuedLink, ...]
    total: int
    offset: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverageRow:
    event_id: str
    event_name: Text
    services: int
    approved: int
    suggested: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StageCoverage:
    stage_id: str
    stage_name: Text
    events: tuple[CoverageRow, ...]

    @property
    def services(self) -> int:
        return sum(e.services for e in self.events)

    @property
    def datasets(self) -> int:
        return sum(e.approved for e in self.events)


_COUNTS = ("new", "updated", "unchanged", "withdrawn", "rejected")


def _reasons(raw: Any) -> tuple[tuple[str, str], ...]:
    try:
        items = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return ()
    out = []
    for item in items[:20] if isinstance(items, list) else ():
        if isinstance(item, Mapping):
            out.append((str(item.get("ref", "")), str(item.get("reason", ""))))
    return tuple(out)


def _run(props: Mapping[str, Any]) -> HarvestRunView:
    seconds = props.get("seconds")
    return HarvestRunView(
        id=str(props.get("id", "")), status=str(props.get("status") or "unknown"), mode=props.get("mode"),
        started_at=props.get("startedAt"), finished_at=props.get("finishedAt"),
        counts={k: int(props.get(k) or 0) for k in _COUNTS},
        seconds=float(seconds) if isinstance(seconds, int | float) else None, error=props.get("error"),
        rejected_reasons=_reasons(props.get("rejectedReasonsJson")),
    )


async def read_portals(reader: GraphReader, runs: int = 5) -> tuple[PortalView, ...]:
    rows = await reader.records(queries.PAGE_CONSOLE_PORTALS, {"runs": runs})
    return tuple(
        PortalView(
            id=r["portal"]["id"], title=r["portal"].get("title"), url=r["portal"].get("url"),
            last_successful_run_at=r["portal"].get("lastSuccessfulRunAt"), active=int(r["active"]),
            withdrawn=int(r["withdrawn"]), runs=tuple(_run(run) for run in r["runs"]),
        )
        for r in rows
    )


def _terms(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return (raw,)
    if isinstance(raw, list | tuple):
        return tuple(str(t) for t in raw)
    return ()


async def read_link_queue(
    reader: GraphReader, *, status: str = "suggested", offset: int = 0, limit: int = 25
) -> LinkQueue:
    (row,) = await reader.records(
        queries.PAGE_CONSOLE_LINKS, {"status": status, "offset": offset, "limit": limit}
    )
    links = []
    for item in row["links"]:
        d, e, link = item["dataset"], item["event"], item["link"]
        title = texts_from_props(d, "title")
        links.append(QueuedLink(
            dataset_id=d["id"], dataset_title=title if (title.zh or title.en) else Text(zh=d["id"], en=d["id"]),
            portal=str(d.get("portal") or ""), event_id=e["id"], event_name=Text.from_props(e, "name"),
            status=str(link.get("status") or status), score=float(link.get("score") or 0.0),
            method=link.get("method"), matched_terms=_terms(link.get("matchedTerms")),
            reviewed_by=link.get("reviewedBy"),
        ))
    return LinkQueue(links=tuple(links), total=int(row["total"]), offset=offset)


async def read_coverage(reader: GraphReader) -> tuple[StageCoverage, ...]:
    rows = await reader.records(queries.PAGE_CONSOLE_COVERAGE)
    return tuple(
        StageCoverage(
            stage_id=r["stage"]["id"], stage_name=Text.from_props(r["stage"], "name"),
            events=tuple(
                CoverageRow(
                    event_id=e["event"]["id"], event_name=Text.from_props(e["event"], "name"),
                    services=int(e["services"]), approved=int(e["approved"]), suggested=int(e["suggested"]),
                )
                for e in r["events"]
            ),
        )
        for r in rows
    )


async def read_active_token(reader: GraphReader, token_id: str) -> ApiToken | None:
    """The token with ``token_id`` when it exists and is not revoked (a console session re-checks it per change)."""
    rows = await reader.records(queries.PAGE_CONSOLE_TOKEN, {"id": token_id})
    if not rows:
        return None
    props = rows[0]["props"]
    if props.get("revokedAt"):
        return None
    try:
        scope = Scope.parse(props.get("scope") or "")
    except ValueError:
        return None
    return ApiToken(id=props["id"], name=props.get("name") or "", scope=scope, created_at=props.get("createdAt") or "")
