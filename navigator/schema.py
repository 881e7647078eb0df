# mypy: allow-subclassing-any
"""The public GraphQL schema: the ``Query`` and ``Mutation`` roots over the types of ``schema_types``,
``schema_datasets``, ``schema_journey``, ``schema_search`` and ``schema_mutations``.

Single lookups (``service(id:)`` …) take our plain ids or Relay global ids and answer ``null`` for an unknown id;
listings are Relay connections with ``totalCount``. ``python -m navigator.schema`` (or ``navigator schema``) writes
the SDL to ``schema.graphql`` at the repository root; a test fails when that file is stale.
"""

from __future__ import annotations

import binascii
import sys
from pathlib import Path
from typing import Any

import graphene
from graphene import relay
from graphql import GraphQLResolveInfo
from graphql_relay import from_global_id

from graph import model, reads_catalog, reads_datasets
from navigator.connections import connection_args, page_window, to_connection
from navigator.graphql_context import request_context
from navigator.graphql_errors import graph_errors
from navigator.schema_datasets import Dataset, DatasetConnection
from navigator.schema_journey import Journey, JourneyInput, JourneyView, resolve_journey
from navigator.schema_mutations import Mutation
from navigator.schema_search import autocomplete_field, search_field
from navigator.schema_types import (
    Agency,
    Bundle,
    Evidence,
    LifeEvent,
    LifeEventConnection,
    LifeStage,
    Service,
    ServiceConnection,
    loaders,
    plain_id,
)
from navigator.settings import PROJECT_ROOT

__all__ = ["SCHEMA_FILE", "Query", "schema", "schema_sdl", "write_schema_file"]

SCHEMA_FILE = PROJECT_ROOT / "schema.graphql"

_NODE_LOADERS = {
    "LifeStage": "stages", "LifeEvent": "events", "Service": "services", "Evidence": "evidence",
    "Agency": "agencies", "Criterion": "criteria", "Bundle": "bundles", "Dataset": "datasets",
}


def _by_id(type_: type[graphene.ObjectType], loader: str, description: str) -> graphene.Field:
    type_name = type_._meta.name

    async def resolve(root: Any, info: GraphQLResolveInfo, id: str) -> Any:
        return await getattr(loaders(info), loader).load(plain_id(id, type_name))

    return graphene.Field(
        type_, resolver=resolve, description=description,
        id=graphene.ID(required=True, description=f"The {type_name}'s plain id (`identifier`) or global id."),
    )


class Query(graphene.ObjectType):
    node = graphene.Field(relay.Node, id=graphene.ID(required=True), description="Any object by its global id.")
    life_stages = graphene.List(graphene.NonNull(LifeStage), required=True,
                                description="Every stop on the road of life, in order.")
    life_stage = _by_id(LifeStage, "stages", "A life stage by id.")
    life_event = _by_id(LifeEvent, "events", "A life event by id.")
    life_events = graphene.Field(
        LifeEventConnection, required=True, description="Life events in road order (earliest stage, then id).",
        **connection_args(stage=graphene.ID(description="Only the events of this stage.")),
    )
    service = _by_id(Service, "services", "A service by id.")
    services = graphene.Field(
        ServiceConnection, required=True, description="Services by id.",
        **connection_args(
            life_event=graphene.ID(description="Only the services of this life event."),
            agency=graphene.ID(description="Only the services this agency provides."),
        ),
    )
    evidence = _by_id(Evidence, "evidence", "A document by id.")
    agency = _by_id(Agency, "agencies", "An agency by id.")
    bundle = _by_id(Bundle, "bundles", "A 'one thing' bundle by id.")
    bundles = graphene.List(graphene.NonNull(Bundle), required=True, description="Every bundle, by id.")
    dataset = _by_id(Dataset, "datasets", "An open dataset by id (`<portal>:<ckanId>`).")
    datasets = graphene.Field(
        DatasetConnection, required=True,
        description="Active open datasets: by id; with `lifeEvent`, approved links first, then by score.",
        **connection_args(
            life_event=graphene.ID(description="Only datasets linked to this life event (approved or suggested)."),
            organization=graphene.ID(description="Only datasets of this publishing organisation."),
            format=graphene.String(description="Only datasets with a resource in this format (e.g. CSV)."),
        ),
    )
    journey = graphene.Field(
        Journey, required=True, input=graphene.Argument(JourneyInput, required=True),
        description="Plan a person's road. The input is used for this answer only: never stored, never logged.",
    )
    search = search_field()
    autocomplete = autocomplete_field()

    @staticmethod
    async def resolve_node(root: Any, info: GraphQLResolveInfo, id: str) -> Any:
        try:
            type_name, ident = from_global_id(id)
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
            return None
        loader = _NODE_LOADERS.get(type_name)
        if loader is None or not ident:
            return None
        return await getattr(loaders(info), loader).load(ident)

    @staticmethod
    async def resolve_life_stages(root: Any, info: GraphQLResolveInfo) -> list[model.LifeStage]:
        context = request_context(info)
        with graph_errors():
            stages = await reads_catalog.life_stages(context.reader)
        for stage in stages:
            context.loaders.stages.prime(stage.id, stage)
        return stages

    @staticmethod
    async def resolve_life_events(
        root: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
        stage: str | None = None,
    ) -> LifeEventConnection:
        offset, limit = page_window(first, after)
        with graph_errors():
            page = await reads_catalog.list_life_events(
                request_context(info).reader, stage=None if stage is None else plain_id(stage, "LifeStage"),
                offset=offset, limit=limit,
            )
        return to_connection(LifeEventConnection, page)

    @staticmethod
    async def resolve_services(
        root: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
        life_event: str | None = None, agency: str | None = None,
    ) -> ServiceConnection:
        offset, limit = page_window(first, after)
        with graph_errors():
            page = await reads_catalog.list_services(
                request_context(info).reader,
                life_event=None if life_event is None else plain_id(life_event, "LifeEvent"),
                agency=None if agency is None else plain_id(agency, "Agency"), offset=offset, limit=limit,
            )
        return to_connection(ServiceConnection, page)

    @staticmethod
    async def resolve_bundles(root: Any, info: GraphQLResolveInfo) -> list[model.Bundle]:
        context = request_context(info)
        with graph_errors():
            bundles = await reads_catalog.all_bundles(context.reader)
        for bundle in bundles:
            context.loaders.bundles.prime(bundle.id, bundle)
        return bundles

    @staticmethod
    async def resolve_datasets(
        root: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
        life_event: str | None = None, organization: str | None = None, format: str | None = None,
    ) -> DatasetConnection:
        offset, limit = page_window(first, after)
        context = request_context(info)
        with graph_errors():
            page = await reads_datasets.list_datasets(
                context.reader, life_event=None if life_event is None else plain_id(life_event, "LifeEvent"),
                organization=organization, format=format, offset=offset, limit=limit,
            )
        for dataset in page.items:
            context.loaders.datasets.prime(dataset.id, dataset)
        return to_connection(DatasetConnection, page)

    @staticmethod
    async def resolve_journey(root: Any, info: GraphQLResolveInfo, input: Any) -> JourneyView:
        return await resolve_journey(root, info, input)


schema = graphene.Schema(query=Query, mutation=Mutation)


def schema_sdl() -> str:
    """The schema in SDL, as committed in ``schema.graphql``."""
    return str(schema).rstrip("\n") + "\n"


def write_schema_file(path: Path = SCHEMA_FILE) -> bool:
    """Write the SDL to ``path``; True when the file changed."""
    text = schema_sdl()
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def main() -> int:
    changed = write_schema_file()
    print(f"{SCHEMA_FILE.name}: {'written' if changed else 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
