"""Data officers' review of dataset ↔ life-event links, each change recorded.

:func:`review_dataset_link` approves or rejects a link the linker suggested, or adds one it missed, for a token whose
scope covers the dataset. It runs as one write transaction (async driver, ``execute_write``, with a timeout): check
that the dataset and life event exist and the scope covers the dataset, change the link (marking it
``reviewedBy``/``reviewedAt`` so re-linking keeps the decision), and write a ``(:ChangeRecord {id, at, tokenId,
action, datasetId, lifeEventId, before, after})`` with the link's properties before and after as JSON. Either all
of it is written or none.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import neo4j

from graph import queries
from graph.access import ApiToken, utc_now
from graph.errors import AccessDenied, GraphUnavailable, NotFound
from graph.observers import Outcome, notify_after, notify_before
from graph.reads_datasets import DatasetLink, dataset_link_from_props
from graph.session import count_round_trip, graph_unavailable

__all__ = ["REVIEW_ACTIONS", "ChangeRecord", "LinkReview", "review_dataset_link"]

REVIEW_ACTIONS = {"approve": "approved", "reject": "rejected", "add": "approved"}
"""Action → the link status it leaves."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeRecord:
    """One recorded change: who (token id), when, what (action on which link), the link before and after."""

    id: str
    at: str
    token_id: str
    action: str
    dataset_id: str
    event_id: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkReview:
    link: DatasetLink
    change: ChangeRecord


def _json(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(dict(value), ensure_ascii=False, sort_keys=True, default=str)


async def review_dataset_link(
    driver: neo4j.AsyncDriver, token: ApiToken, *, action: str, dataset_id: str, event_id: str,
    note: str | None = None, timeout: float, database: str | None = None, now: str | None = None,
) -> LinkReview:
    """Apply ``action`` (``approve``, ``reject`` or ``add``) to the link from ``dataset_id`` to ``event_id``.

    Raises NotFound for an unknown dataset or life event (or, for approve/reject, a link that does not exist),
    AccessDenied when the token's scope does not cover the dataset, GraphUnavailable when Neo4j is down.
    """
    if action not in REVIEW_ACTIONS:
        raise ValueError(f"unknown review action {action!r}")
    at = now or utc_now()
    change_id = uuid.uuid4().hex
    params = {
        "datasetId": dataset_id, "eventId": event_id, "action": action, "status": REVIEW_ACTIONS[action],
        "note": note, "at": at, "tokenId": token.id,
    }

    async def work(tx: neo4j.AsyncManagedTransaction) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        count_round_trip(queries.DATASET_LINK_SCOPE)
        state = await (await tx.run(queries.DATASET_LINK_SCOPE, params)).single(strict=True)
        if not state["datasetFound"]:
            raise NotFound("Dataset", dataset_id)
        if not state["eventFound"]:
            raise NotFound("LifeEvent", event_id)
        portal = state["portal"] or dataset_id.partition(":")[0]
        if not token.scope.covers(portal, tuple(state["organizations"])):
            raise AccessDenied(
                f"the token's scope {token.scope} does not cover dataset {dataset_id!r} (portal {portal!r})"
            )
        if state["link"] is None and action != "add":
            raise NotFound("DatasetLink", f"{dataset_id} → {event_id}")
        count_round_trip(queries.WRITE_DATASET_LINK)
        written = await (await tx.run(queries.WRITE_DATASET_LINK, params)).single(strict=True)
        before = None if written["before"] is None else dict(written["before"])
        after = dict(written["after"])
        count_round_trip(queries.RECORD_CHANGE)
        await (await tx.run(queries.RECORD_CHANGE, {
            "id": change_id, "at": at, "tokenId": token.id, "action": action, "datasetId": dataset_id,
            "eventId": event_id, "before": _json(before), "after": _json(after),
        })).consume()
        return before, after

    name = queries.name_of(queries.WRITE_DATASET_LINK)
    started = time.perf_counter()
    outcome: Outcome = "error"
    try:
        notify_before(name)
        # The same bookmarks as reads, so a read after this write sees it, on a cluster too.
        async with driver.session(
            database=database, bookmark_manager=driver.execute_query_bookmark_manager
        ) as session:
            before, after = await session.execute_write(neo4j.unit_of_work(timeout=timeout)(work))
        outcome = "ok"
    except GraphUnavailable:
        outcome = "unavailable"
        raise
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as e:
        unavailable = graph_unavailable(e)
        if unavailable is None:
            raise
        outcome = "unavailable"
        raise unavailable from e
    finally:
        notify_after(name, time.perf_counter() - started, outcome)
    change = ChangeRecord(
        id=change_id, at=at, token_id=token.id, action=action, dataset_id=dataset_id, event_id=event_id,
        before=before, after=after,
    )
    return LinkReview(link=dataset_link_from_props(dataset_id, event_id, after), change=change)
