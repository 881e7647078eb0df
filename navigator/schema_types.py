# mypy: allow-subclassing-any
"""GraphQL types of the catalog: thin views over the domain objects of ``graph.model``.

Each node type implements Relay's ``Node`` (``id`` is a global id) and has ``identifier``, the catalog's plain id.
Texts a person reads take ``lang: Language = EN``. Links to other objects resolve through the request's
DataLoaders (``navigator.loaders``), so a nested query costs one round trip per kind of object, not per object.
"""

from __future__ import annotations

import binascii
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import graphene
from graphene import relay
from graphql import GraphQLResolveInfo
from graphql_relay import from_global_id

from graph import model
from navigator.connections import CountedConnection, connection_args, page_window, to_connection
from navigator.graphql_context import request_context
from navigator.loaders import Loaders

__all__ = [
    "Agency",
    "Bundle",
    "Channel",
    "Criterion",
    "Evidence",
    "Fee",
    "Language",
    "LifeEvent",
    "LifeEventConnection",
    "LifeStage",
    "Service",
    "ServiceConnection",
    "bilingual",
    "lang_code",
    "loaders",
    "plain_id",
]

T = TypeVar("T")


class Language(graphene.Enum):
    """The language of a text: Simplified Chinese or English (a missing text falls back to the other)."""

    ZH = "zh"
    EN = "en"


def lang_code(lang: Any) -> str:
    """``"zh"`` or ``"en"`` from a ``Language`` argument (graphene passes a member, or the raw default)."""
    return str(getattr(lang, "value", lang) or "en")


def bilingual(attr: str, description: str, *, required: bool = True) -> graphene.String:
    """A text field read from the ``Text`` attribute ``attr`` of the object, in the language asked for."""

    def resolve(root: Any, info: GraphQLResolveInfo, lang: Any = "en") -> str | None:
        text = getattr(root, attr)
        value = text.get(lang_code(lang)) if text is not None else ""
        return value if value or required else None

    return graphene.String(
        required=required, description=description, resolver=resolve,
        lang=graphene.Argument(Language, default_value="en", description="Language of the text."),
    )


def loaders(info: GraphQLResolveInfo) -> Loaders:
    return request_context(info).loaders


def plain_id(value: str, type_name: str) -> str:
    """Our plain id for ``value``, which may be the plain id itself or a global id of ``type_name``."""
    try:
        kind, ident = from_global_id(value)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        return value
    return ident if kind == type_name and ident else value


async def _many(load: Callable[[Iterable[str]], Awaitable[list[T | None]]], ids: Iterable[str]) -> list[T]:
    return [item for item in await load(list(ids)) if item is not None]


class _Identified:
    identifier = graphene.ID(required=True, description="The plain id of this object in the catalog.")

    @staticmethod
    def resolve_identifier(root: Any, info: GraphQLResolveInfo) -> str:
        return str(root.id)


class LifeStage(_Identified, graphene.ObjectType):
    class Meta:
        interfaces = (relay.Node,)
        possible_types = (model.LifeStage,)
        description = "A stop on the road of life (birth, schooling, work, retirement …), with its age range."

    order = graphene.Int(required=True, description="Position on the road, 1 = first.")
    min_age = graphene.Int(description="Youngest age in years (inclusive).")
    max_age = graphene.Int(description="Oldest age in years (inclusive); null for no upper bound.")
    name = bilingual("name", "The stage's name.")
    description = bilingual("description", "What happens in this stage.")
    life_events = graphene.List(
        graphene.NonNull(lambda: LifeEvent), required=True, description="The life events of this stage, by id."
    )

    @staticmethod
    async def resolve_life_events(root: model.LifeStage, info: GraphQLResolveInfo) -> list[model.LifeEvent]:
        events: list[model.LifeEvent] = await loaders(info).events_of_stages.load(root.id)
        return events

    @classmethod
    async def get_node(cls, info: GraphQLResolveInfo, ident: str) -> model.LifeStage | None:
        found: model.LifeStage | None = await loaders(info).stages.load(ident)
        return found


class Criterion(_Identified, graphene.ObjectType):
    class Meta:
        interfaces = (relay.Node,)
        possible_types = (model.Criterion,)
        description = "An eligibility rule a profile is checked against."

    kind = graphene.String(
        required=True, description="age, child-age, situation, disability, partner, region or holds."
    )
    description = bilingual("description", "The rule in words.")
    min = graphene.Int(description="Lower bound in years (age, child-age), inclusive.")
    max = graphene.Int(description="Upper bound in years (age, child-age), inclusive.")
    values = graphene.List(graphene.NonNull(graphene.String), required=True,
                           description="Accepted values (situation, region).")
    flag = graphene.Boolean(description="Required value (disability, partner).")
    evidence = graphene.Field(lambda: Evidence, description="The document a 'holds' rule asks for.")

    @staticmethod
    async def resolve_evidence(root: model.Criterion, info: GraphQLResolveInfo) -> model.Evidence | None:
        if root.evidence_id is None:
            return None
        found: model.Evidence | None = await loaders(info).evidence.load(root.evidence_id)
        return found

    @classmethod
    async def get_node(cls, info: GraphQLResolveInfo, ident: str) -> model.Criterion | None:
        found: model.Criterion | None = await loaders(info).criteria.load(ident)
        return found


class Agency(_Identified, graphene.ObjectType):
    class Meta:
        interfaces = (relay.Node,)
        possible_types = (model.Agency,)
        description = "A public organisation competent for services."

    name = bilingual("name", "The agency's name.")
    level = graphene.String(description="national, province, city, district, street or other.")

    @classmethod
    async def get_node(cls, info: GraphQLResolveInfo, ident: str) -> model.Agency | None:
        found: model.Agency | None = await loaders(info).agencies.load(ident)
        return found


class Channel(_Identified, graphene.ObjectType):
    class Meta:
        possible_types = (model.Channel,)
        description = "A way to use a service: in-person, online, app, phone or post."

    name = bilingual("name", "The channel's name.")


class Fee(graphene.ObjectType):
    class Meta:
        possible_types = (model.Fee,)
        description = "What a service costs."

    amount = graphene.Float(required=True)
    currency = graphene.String(required=True)
    free = graphene.Boolean(required=True)
    note = bilingual("note", "A note on the fee.", required=False)


class Evidence(_Identified, graphene.ObjectType):
    class Meta:
        interfaces = (relay.Node,)
        possible_types = (model.Evidence,)
        description = "A document: services require some and produce some."

    name = bilingual("name", "The document's name.")
    description = bilingual("description", "What the document is.", required=False)
    produced_by = graphene.List(graphene.NonNull(lambda: Service), required=True,
                                description="Services that produce this document, by id.")
    required_by = graphene.List(graphene.NonNull(lambda: Service), required=True,
                                description="Services that require this document, by id.")

    @staticmethod
    async def resolve_produced_by(root: model.Evidence, info: GraphQLResolveInfo) -> list[model.Service]:
        return list((await loaders(info).services_of_evidence.load(root.id)).producers)

    @staticmethod
    async def resolve_required_by(root: model.Evidence, info: GraphQLResolveInfo) -> list[model.Service]:
        return list((await loaders(info).services_of_evidence.load(root.id)).consumers)

    @classmethod
    async def get_node(cls, info: GraphQLResolveInfo, ident: str) -> model.Evidence | None:
        found: model.Evidence | None = await loaders(info).evidence.load(ident)
        return found


class Service(_Identified, graphene.ObjectType):
    class Meta:
        interfaces = (relay.Node,)
        possible_types = (model.Service,)
        description = "A public service: what it needs, what it gives, who provides it, and how."

    name = bilingual("name", "The service's name.")
    description = bilingual("description", "What the service is.", required=False)
    type = graphene.String(required=True, description="registration, certificate, benefit, permit, insurance, …")
    processing_days = graphene.Int(description="Time limit in working days (0 = on the spot).")
    fee = graphene.Field(Fee, required=True)
    legal_basis = bilingual("legal_basis", "The law or regulation it rests on.", required=False)
    online_url = graphene.String()
    visits = graphene.Int(required=True, description="In-person visits needed (0 when fully online).")
    in_person = graphene.Boolean(required=True, description="Whether at least one visit in person is needed.")
    source = graphene.String(required=True, description="Where the service comes from (catalog, service items …).")
    region = graphene.String()
    agency = graphene.Field(Agency, description="The competent agency.")
    life_events = graphene.List(graphene.NonNull(lambda: LifeEvent), required=True)
    channels = graphene.List(graphene.NonNull(Channel), required=True)
    requires = graphene.List(graphene.NonNull(Evidence), required=True,
                             description="Documents to present, in the catalog's order.")
    produces = graphene.List(graphene.NonNull(Evidence), required=True, description="Documents it issues.")
    prerequisites = graphene.List(graphene.NonNull(lambda: Service), required=True,
                                  description="Services to complete first (beyond what documents imply).")
    criteria = graphene.List(graphene.NonNull(Criterion), required=True,
                             description="Rules that must all hold for a person to be eligible.")
    bundles = graphene.List(graphene.NonNull(lambda: Bundle), required=True,
                            description="'One thing' bundles this service is handled in.")

    @staticmethod
    async def resolve_agency(root: model.Service, info: GraphQLResolveInfo) -> model.Agency | None:
        if root.agency_id is None:
            return None
        found: model.Agency | None = await loaders(info).agencies.load(root.agency_id)
        return found

    @staticmethod
    async def resolve_life_events(root: model.Service, info: GraphQLResolveInfo) -> list[model.LifeEvent]:
        return await _many(loaders(info).events.load_many, root.event_ids)

    @staticmethod
    async def resolve_channels(root: model.Service, info: GraphQLResolveInfo) -> list[model.Channel]:
        return await _many(loaders(info).channels.load_many, root.channel_ids)

    @staticmethod
    async def resolve_requires(root: model.Service, info: GraphQLResolveInfo) -> list[model.Evidence]:
        return await _many(loaders(info).evidence.load_many, root.requires)

    @staticmethod
    async def resolve_produces(root: model.Service, info: GraphQLResolveInfo) -> list[model.Evidence]:
        return await _many(loaders(info).evidence.load_many, root.produces)

    @staticmethod
    async def resolve_prerequisites(root: model.Service, info: GraphQLResolveInfo) -> list[model.Service]:
        return await _many(loaders(info).services.load_many, root.prerequisite_ids)

    @staticmethod
    async def resolve_criteria(root: model.Service, info: GraphQLResolveInfo) -> list[model.Criterion]:
        return await _many(loaders(info).criteria.load_many, root.criterion_ids)

    @staticmethod
    async def resolve_bundles(root: model.Service, info: GraphQLResolveInfo) -> list[model.Bundle]:
        bundles: list[model.Bundle] = await loaders(info).bundles_of_services.load(root.id)
        return bundles

    @classmethod
    async def get_node(cls, info: GraphQLResolveInfo, ident: str) -> model.Service | None:
        found: model.Service | None = await loaders(info).services.load(ident)
        return found


class Bundle(_Identified, graphene.ObjectType):
    class Meta:
        interfaces = (relay.Node,)
        possible_types = (model.Bundle,)
        description = "A 'one thing' (一件事) bundle: services of one life event handled together at one window."

    name = bilingual("name", "The bundle's name.")
    description = bilingual("description", "What the bundle covers.", required=False)
    window = bilingual("window", "Where it is handled.", required=False)
    life_event = graphene.Field(lambda: LifeEvent)
    services = graphene.List(graphene.NonNull(Service), required=True, description="In the catalog's order.")

    @staticmethod
    async def resolve_life_event(root: model.Bundle, info: GraphQLResolveInfo) -> model.LifeEvent | None:
        if root.event_id is None:
            return None
        found: model.LifeEvent | None = await loaders(info).events.load(root.event_id)
        return found

    @staticmethod
    async def resolve_services(root: model.Bundle, info: GraphQLResolveInfo) -> list[model.Service]:
        return await _many(loaders(info).services.load_many, root.service_ids)

    @classmethod
    async def get_node(cls, info: GraphQLResolveInfo, ident: str) -> model.Bundle | None:
        found: model.Bundle | None = await loaders(info).bundles.load(ident)
        return found


class LifeEvent(_Identified, graphene.ObjectType):
    class Meta:
        interfaces = (relay.Node,)
        possible_types = (model.LifeEvent,)
        description = "A life event (having a baby, losing a job …) or business event, with its services."

    kind = graphene.String(required=True, description="life or business.")
    name = bilingual("name", "The event's name.")
    description = bilingual("description", "What the event involves.", required=False)
    sdgr_code = graphene.String(description="The matching EU SDGR life/business event code.")
    stages = graphene.List(graphene.NonNull(LifeStage), required=True)
    criteria = graphene.List(graphene.NonNull(Criterion), required=True,
                             description="Rules that must all hold for the event to apply to a person.")
    triggers = graphene.List(graphene.NonNull(Criterion), required=True,
                             description="Rules any of which infers the event from a profile.")
    services = graphene.List(graphene.NonNull(Service), required=True, description="The event's services, by id.")
    bundles = graphene.List(graphene.NonNull(Bundle), required=True)
    datasets = graphene.Field(
        "navigator.schema_datasets.DatasetLinkConnection", required=True,
        description="Open datasets linked to this event: approved first, then by score.",
        **connection_args(status=graphene.List(
            graphene.NonNull("navigator.schema_datasets.LinkStatus"),
            description="Link statuses to include (default: approved and suggested).",
        )),
    )

    @staticmethod
    async def resolve_stages(root: model.LifeEvent, info: GraphQLResolveInfo) -> list[model.LifeStage]:
        return await _many(loaders(info).stages.load_many, root.stage_ids)

    @staticmethod
    async def resolve_criteria(root: model.LifeEvent, info: GraphQLResolveInfo) -> list[model.Criterion]:
        return await _many(loaders(info).criteria.load_many, root.criterion_ids)

    @staticmethod
    async def resolve_triggers(root: model.LifeEvent, info: GraphQLResolveInfo) -> list[model.Criterion]:
        return await _many(loaders(info).criteria.load_many, root.trigger_ids)

    @staticmethod
    async def resolve_services(root: model.LifeEvent, info: GraphQLResolveInfo) -> list[model.Service]:
        services: list[model.Service] = await loaders(info).services_of_events.load(root.id)
        return services

    @staticmethod
    async def resolve_bundles(root: model.LifeEvent, info: GraphQLResolveInfo) -> list[model.Bundle]:
        bundles: list[model.Bundle] = await loaders(info).bundles_of_events.load(root.id)
        return bundles

    @staticmethod
    async def resolve_datasets(
        root: model.LifeEvent, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
        status: list[Any] | None = None,
    ) -> Any:
        from navigator.schema_datasets import DatasetLinkConnection, link_statuses

        offset, limit = page_window(first, after)
        page = await loaders(info).links_of_events.load((root.id, link_statuses(status), offset, limit))
        return to_connection(DatasetLinkConnection, page)

    @classmethod
    async def get_node(cls, info: GraphQLResolveInfo, ident: str) -> model.LifeEvent | None:
        found: model.LifeEvent | None = await loaders(info).events.load(ident)
        return found


class LifeEventConnection(CountedConnection):
    class Meta:
        node = LifeEvent


class ServiceConnection(CountedConnection):
    class Meta:
        node = Service
