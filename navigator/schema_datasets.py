# mypy: allow-subclassing-any
"""GraphQL types of the open-data side: harvested datasets, their resources and their links to life events."""

from __future__ import annotations

from typing import Any

import graphene
from graphene import relay
from graphql import GraphQLResolveInfo

from graph import model, reads_datasets
from navigator.connections import CountedConnection
from navigator.schema_types import Language, LifeEvent, bilingual, lang_code, loaders

__all__ = ["Dataset", "DatasetConnection", "DatasetLink", "DatasetLinkConnection", "LinkStatus", "link_statuses"]


class LinkStatus(graphene.Enum):
    """The review state of a dataset ↔ life-event link."""

    SUGGESTED = "suggested"
    APPROVED = "approved"
    REJECTED = "rejected"


def link_statuses(statuses: list[Any] | None) -> tuple[str, ...]:
    """The statuses asked for (default: approved and suggested), as sorted plain strings."""
    if not statuses:
        return tuple(sorted(reads_datasets.VISIBLE_LINK_STATUSES))
    return tuple(sorted({str(getattr(s, "value", s)) for s in statuses}))


class Organization(graphene.ObjectType):
    class Meta:
        possible_types = (reads_datasets.Organization,)
        description = "The organisation that publishes a dataset on its portal."

    identifier = graphene.ID(required=True)
    name = graphene.String(required=True)
    title = bilingual("title", "The organisation's title.", required=False)

    @staticmethod
    def resolve_identifier(root: reads_datasets.Organization, info: GraphQLResolveInfo) -> str:
        return root.id


class Resource(graphene.ObjectType):
    class Meta:
        possible_types = (reads_datasets.Resource,)
        description = "A distribution of a dataset: a file or an API."

    identifier = graphene.ID(required=True)
    name = graphene.String()
    title = bilingual("title", "The resource's title.", required=False)
    format = graphene.String(description="Upper-case format, e.g. CSV.")
    url = graphene.String()
    size = graphene.Float(description="Size in bytes, when the portal says.")
    media_type = graphene.String()
    modified = graphene.String()

    @staticmethod
    def resolve_identifier(root: reads_datasets.Resource, info: GraphQLResolveInfo) -> str:
        return root.id


class Dataset(graphene.ObjectType):
    class Meta:
        interfaces = (relay.Node,)
        possible_types = (reads_datasets.Dataset,)
        description = "An open dataset harvested from a CKAN portal, with its provenance."

    identifier = graphene.ID(required=True, description="The dataset's id: `<portal>:<ckanId>`.")
    portal = graphene.String(required=True)
    ckan_id = graphene.String(required=True)
    name = graphene.String(required=True, description="The CKAN name (URL slug).")
    title = bilingual("title", "The dataset's title.")
    description = bilingual("description", "The dataset's description.", required=False)
    state = graphene.String(required=True, description="active, or withdrawn when gone from its portal.")
    licence_id = graphene.String()
    licence_title = graphene.String()
    licence_url = graphene.String()
    landing_url = graphene.String()
    modified = graphene.String(description="Last modified on the portal (ISO 8601).")
    harvested_at = graphene.String(description="When it was harvested (ISO 8601).")
    organization = graphene.Field(Organization)
    tags = graphene.List(graphene.NonNull(graphene.String), required=True)
    resources = graphene.List(graphene.NonNull(Resource), required=True)
    links = graphene.List(
        graphene.NonNull(lambda: DatasetLink), required=True,
        status=graphene.List(graphene.NonNull(LinkStatus),
                             description="Link statuses to include (default: approved and suggested)."),
        description="Life events this dataset is linked to: approved first, then by score.",
    )

    @staticmethod
    def resolve_identifier(root: reads_datasets.Dataset, info: GraphQLResolveInfo) -> str:
        return root.id

    @staticmethod
    async def resolve_resources(root: reads_datasets.Dataset, info: GraphQLResolveInfo) -> list[Any]:
        resources: list[Any] = await loaders(info).resources_of_datasets.load(root.id)
        return resources

    @staticmethod
    async def resolve_links(
        root: reads_datasets.Dataset, info: GraphQLResolveInfo, status: list[Any] | None = None
    ) -> list[reads_datasets.DatasetLink]:
        links: list[reads_datasets.DatasetLink] = await loaders(info).links_of_datasets.load(
            (root.id, link_statuses(status))
        )
        return links

    @classmethod
    async def get_node(cls, info: GraphQLResolveInfo, ident: str) -> reads_datasets.Dataset | None:
        found: reads_datasets.Dataset | None = await loaders(info).datasets.load(ident)
        return found


class DatasetLink(graphene.ObjectType):
    class Meta:
        possible_types = (reads_datasets.DatasetLink,)
        description = "A dataset ↔ life-event link: how it was found and its review status."

    dataset = graphene.Field(Dataset, description="Null only if the dataset left the graph.")
    life_event = graphene.Field(LifeEvent)
    status = graphene.Field(LinkStatus, required=True)
    score = graphene.Float(required=True, description="The linker's confidence, 0 to 1.")
    method = graphene.String(description="How the link was found (by the linker, or manual).")
    matched_terms = graphene.List(graphene.NonNull(graphene.String), required=True)
    note = graphene.String(description="A data officer's note.")
    reason = graphene.String(
        required=True, lang=graphene.Argument(Language, default_value="en"),
        description="Why the dataset is linked, in words.",
    )

    @staticmethod
    async def resolve_dataset(root: reads_datasets.DatasetLink, info: GraphQLResolveInfo) -> Any:
        return await loaders(info).datasets.load(root.dataset_id)

    @staticmethod
    async def resolve_life_event(root: reads_datasets.DatasetLink, info: GraphQLResolveInfo) -> model.LifeEvent | None:
        found: model.LifeEvent | None = await loaders(info).events.load(root.event_id)
        return found

    @staticmethod
    def resolve_status(root: reads_datasets.DatasetLink, info: GraphQLResolveInfo) -> str:
        return root.status if root.status in reads_datasets.LINK_STATUSES else "suggested"

    @staticmethod
    def resolve_reason(root: reads_datasets.DatasetLink, info: GraphQLResolveInfo, lang: Any = "en") -> str:
        return root.reason().get(lang_code(lang))


class DatasetConnection(CountedConnection):
    class Meta:
        node = Dataset


class DatasetLinkConnection(CountedConnection):
    class Meta:
        node = DatasetLink
