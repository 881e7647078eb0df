# mypy: allow-subclassing-any
"""Mutations for data officers: approve, reject or add a dataset ↔ life-event link.

Each needs a bearer API token (``navigator tokens create``) whose scope covers the dataset's portal or organisation;
without one the answer is ``UNAUTHENTICATED``, with the wrong scope ``FORBIDDEN``. Every change is written with a
``ChangeRecord`` (who, when, what, before and after) in the same transaction.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from graph.link_review import LinkReview, review_dataset_link
from navigator.graphql_context import request_context
from navigator.graphql_errors import api_error, graph_errors
from navigator.schema_datasets import DatasetLink
from navigator.schema_types import plain_id
from navigator.search_feed import refresh_after_link_change

__all__ = ["ChangeRecord", "DatasetLinkChange", "Mutation"]

MAX_NOTE = 2000


class ChangeRecord(graphene.ObjectType):
    class Meta:
        description = "One recorded change: who (token), when, what, and the link before and after."

    identifier = graphene.ID(required=True)
    at = graphene.String(required=True, description="When (ISO 8601, UTC).")
    token_id = graphene.String(required=True, description="The id of the API token that made the change.")
    action = graphene.String(required=True, description="approve, reject or add.")
    dataset_id = graphene.String(required=True)
    life_event_id = graphene.String(required=True)
    before = graphene.JSONString(description="The link's properties before (null when it did not exist).")
    after = graphene.JSONString(description="The link's properties after.")

    @staticmethod
    def resolve_identifier(root: Any, info: GraphQLResolveInfo) -> str:
        return str(root.id)

    @staticmethod
    def resolve_life_event_id(root: Any, info: GraphQLResolveInfo) -> str:
        return str(root.event_id)

    @staticmethod
    def resolve_before(root: Any, info: GraphQLResolveInfo) -> Any:
        return None if root.before is None else dict(root.before)

    @staticmethod
    def resolve_after(root: Any, info: GraphQLResolveInfo) -> Any:
        return None if root.after is None else dict(root.after)


class DatasetLinkChange(graphene.ObjectType):
    class Meta:
        description = "The link as it is now, and the record of the change."

    link = graphene.Field(DatasetLink, required=True)
    change = graphene.Field(ChangeRecord, required=True)


async def _review(
    info: GraphQLResolveInfo, action: str, dataset: str, life_event: str, note: str | None
) -> LinkReview:
    context = request_context(info)
    token = await context.require_viewer()
    if note is not None and len(note) > MAX_NOTE:
        raise api_error(f"`note` takes at most {MAX_NOTE} characters.", "BAD_USER_INPUT")
    reader = context.reader
    with graph_errors():
        review = await review_dataset_link(
            reader.driver, token, action=action, dataset_id=plain_id(dataset, "Dataset"),
            event_id=plain_id(life_event, "LifeEvent"), note=note, timeout=reader.timeout, database=reader.database,
        )
    # What this request read before the change is stale now.
    context.loaders.links_of_datasets.clear_all()
    context.loaders.links_of_events.clear_all()
    if context.planning_cache is not None:
        context.planning_cache.forget_datasets()  # this process's journeys show the change at once
    await refresh_after_link_change(context.search, reader, review.link.dataset_id)  # and its search document
    return review


def _review_field(description: str) -> graphene.Field:
    return graphene.Field(
        DatasetLinkChange, required=True, description=description,
        dataset=graphene.ID(required=True, description="Dataset id (`<portal>:<ckanId>`) or global id."),
        life_event=graphene.ID(required=True, description="Life event id or global id."),
        note=graphene.String(description=f"A note for the record (at most {MAX_NOTE} characters)."),
    )


class Mutation(graphene.ObjectType):
    approve_dataset_link = _review_field("Approve a suggested link (it must exist).")
    reject_dataset_link = _review_field("Reject a link (it must exist); it stays in the graph, hidden by default.")
    add_dataset_link = _review_field("Add a link the linker missed (or approve it if it exists).")

    @staticmethod
    async def resolve_approve_dataset_link(
        root: Any, info: GraphQLResolveInfo, dataset: str, life_event: str, note: str | None = None
    ) -> LinkReview:
        return await _review(info, "approve", dataset, life_event, note)

    @staticmethod
    async def resolve_reject_dataset_link(
        root: Any, info: GraphQLResolveInfo, dataset: str, life_event: str, note: str | None = None
    ) -> LinkReview:
        return await _review(info, "reject", dataset, life_event, note)

    @staticmethod
    async def resolve_add_dataset_link(
        root: Any, info: GraphQLResolveInfo, dataset: str, life_event: str, note: str | None = None
    ) -> LinkReview:
        return await _review(info, "add", dataset, life_event, note)
