# mypy: allow-subclassing-any
"""The ``journey`` query: a person's road through the services, planned by ``graph.planner``.

The input is personal data: it is turned into a ``Profile``, handed to the planner and forgotten — never stored,
never logged, and error messages do not repeat it. Reasons (why an event or service is in or out) come in the
input's ``lang`` unless a ``reason(lang:)`` argument asks otherwise; catalog texts (names of services, documents …)
take their own ``lang`` argument as everywhere in the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from graph import model
from graph.journeys import plan_journey
from graph.planner import DatasetRef, Profile, Reason
from graph.planner import Journey as PlannedJourney
from graph.reads_datasets import DatasetLink
from navigator.graphql_context import request_context
from navigator.graphql_errors import api_error, graph_errors
from navigator.schema_datasets import DatasetLink as DatasetLinkType
from navigator.schema_types import (
    Bundle,
    Criterion,
    Evidence,
    Language,
    LifeEvent,
    Service,
    lang_code,
    loaders,
    plain_id,
)

__all__ = ["Journey", "JourneyInput", "resolve_journey"]

MAX_AGE = 150
MAX_IDS = 100


class Situation(graphene.Enum):
    """What a person mainly does now."""

    STUDYING = "studying"
    EMPLOYED = "employed"
    UNEMPLOYED = "unemployed"
    SELF_EMPLOYED = "self-employed"
    RETIRED = "retired"


class HouseholdInput(graphene.InputObjectType):
    partner = graphene.Boolean(description="Has a spouse or partner.")
    children_ages = graphene.List(graphene.NonNull(graphene.Int), description="Ages in years of the children.")


class JourneyInput(graphene.InputObjectType):
    """A person's situation, entered once. Personal data: used for this answer only, never stored or logged."""

    birth_date = graphene.Date(description="Birth date; `age` wins when both are given.")
    age = graphene.Int(description="Age in whole years; `age: 0` alone gives the newborn's road.")
    region = graphene.String(description="Region code, e.g. demo-city.")
    household = graphene.InputField(HouseholdInput)
    situation = graphene.InputField(Situation)
    disability = graphene.Boolean()
    documents_held = graphene.List(
        graphene.NonNull(graphene.ID), description="Ids of documents already held (not asked again); unknown ids "
        "are ignored."
    )
    life_events = graphene.List(
        graphene.NonNull(graphene.ID),
        description="Life events chosen (ids); empty or absent: inferred from the profile.",
    )
    lang = graphene.InputField(Language, default_value="en",
                               description="Language of the reasons (default EN).")


def _bad(message: str) -> Exception:
    return api_error(message, "BAD_USER_INPUT")


def profile_from_input(data: Mapping[str, Any], today: date) -> Profile:
    """The planner's profile for a ``JourneyInput``; out-of-range values are BAD_USER_INPUT errors that name the
    field, never the value."""
    age = data.get("age")
    if age is not None and not 0 <= age <= MAX_AGE:
        raise _bad(f"`age` must be between 0 and {MAX_AGE}.")
    birth_date = data.get("birth_date")
    if birth_date is not None and not date(today.year - MAX_AGE, 1, 1) <= birth_date <= today:
        raise _bad("`birthDate` must be a past date within a human lifetime.")
    household = data.get("household") or {}
    children = tuple(household.get("children_ages") or ())
    if len(children) > 30 or any(not 0 <= a <= MAX_AGE for a in children):
        raise _bad(f"`household.childrenAges` takes at most 30 ages between 0 and {MAX_AGE}.")
    held = data.get("documents_held") or ()
    chosen = data.get("life_events") or ()
    if len(held) > MAX_IDS or len(chosen) > MAX_IDS:
        raise _bad(f"`documentsHeld` and `lifeEvents` take at most {MAX_IDS} ids each.")
    situation = data.get("situation")
    region = data.get("region")
    if region is not None and len(region) > 100:
        raise _bad("`region` takes at most 100 characters.")
    return Profile(
        age=age, birth_date=birth_date, region=region, partner=household.get("partner"), children_ages=children,
        situation=None if situation is None else str(getattr(situation, "value", situation)),
        disability=data.get("disability"),
        documents_held=frozenset(plain_id(d, "Evidence") for d in held),
        life_events=tuple(plain_id(e, "LifeEvent") for e in chosen),
    )


@dataclass(frozen=True, slots=True)
class JourneyView:
    """A planned journey and the language of its reasons."""

    journey: PlannedJourney
    lang: str
    services: Mapping[str, model.Service]

    def reason(self, reason: Reason, lang: Any) -> str:
        return reason.text.get(self.lang if lang is None else lang_code(lang))

    def evidence(self, ids: tuple[str, ...]) -> list[model.Evidence]:
        return [self.journey.evidence[d] for d in ids if d in self.journey.evidence]


@dataclass(frozen=True, slots=True)
class _Part:
    """One part of a journey (an event, step, exclusion …) seen with its journey."""

    item: Any
    view: JourneyView


def _reason_field(description: str) -> graphene.String:
    return graphene.String(
        required=True, description=description,
        lang=graphene.Argument(Language, description="Language (default: the journey input's `lang`)."),
    )


def _link(ref: DatasetRef) -> DatasetLink:
    return DatasetLink(dataset_id=ref.id, event_id=ref.event_id, status=ref.status, score=ref.score)


class JourneyEvent(graphene.ObjectType):
    life_event = graphene.Field(LifeEvent, required=True)
    reason = _reason_field("Why this life event is in (or out of) the journey.")
    reason_code = graphene.String(
        required=True, description="CHOSEN, TRIGGERED, LIFE_STAGE or EVENT_CRITERION_NOT_MET."
    )

    @staticmethod
    def resolve_life_event(root: _Part, info: GraphQLResolveInfo) -> model.LifeEvent:
        event: model.LifeEvent = root.item[0]
        return event

    @staticmethod
    def resolve_reason(root: _Part, info: GraphQLResolveInfo, lang: Any = None) -> str:
        return root.view.reason(root.item[1], lang)

    @staticmethod
    def resolve_reason_code(root: _Part, info: GraphQLResolveInfo) -> str:
        return str(root.item[1].code)


class JourneyStep(graphene.ObjectType):
    service = graphene.Field(Service, required=True)
    reason = _reason_field("Why this service is in the journey.")
    reason_code = graphene.String(required=True, description="EVENT or PREREQUISITE.")
    documents_to_bring = graphene.List(graphene.NonNull(Evidence), required=True,
                                       description="Documents to bring that no earlier step produces.")
    documents_produced = graphene.List(graphene.NonNull(Evidence), required=True)
    documents_from_earlier_steps = graphene.List(graphene.NonNull(Evidence), required=True,
                                                 description="Documents this step needs that earlier steps produce.")
    after = graphene.List(graphene.NonNull(Service), required=True, description="Steps that must come first.")
    bundle = graphene.Field(Bundle, description="The bundle this step is handled in, if any.")
    datasets = graphene.List(graphene.NonNull(DatasetLinkType), required=True)

    @staticmethod
    def resolve_service(root: _Part, info: GraphQLResolveInfo) -> model.Service:
        service: model.Service = root.item.service
        return service

    @staticmethod
    def resolve_reason(root: _Part, info: GraphQLResolveInfo, lang: Any = None) -> str:
        return root.view.reason(root.item.reason, lang)

    @staticmethod
    def resolve_reason_code(root: _Part, info: GraphQLResolveInfo) -> str:
        return str(root.item.reason.code)

    @staticmethod
    def resolve_documents_to_bring(root: _Part, info: GraphQLResolveInfo) -> list[model.Evidence]:
        return root.view.evidence(root.item.documents_to_bring)

    @staticmethod
    def resolve_documents_produced(root: _Part, info: GraphQLResolveInfo) -> list[model.Evidence]:
        return root.view.evidence(root.item.documents_produced)

    @staticmethod
    def resolve_documents_from_earlier_steps(root: _Part, info: GraphQLResolveInfo) -> list[model.Evidence]:
        return root.view.evidence(root.item.documents_from_earlier_steps)

    @staticmethod
    def resolve_after(root: _Part, info: GraphQLResolveInfo) -> list[model.Service]:
        return [root.view.services[s] for s in root.item.after if s in root.view.services]

    @staticmethod
    def resolve_bundle(root: _Part, info: GraphQLResolveInfo) -> model.Bundle | None:
        return root.view.journey.bundles.get(root.item.bundle_id) if root.item.bundle_id else None

    @staticmethod
    def resolve_datasets(root: _Part, info: GraphQLResolveInfo) -> list[DatasetLink]:
        return [_link(ref) for ref in root.item.datasets]


class JourneyStage(graphene.ObjectType):
    index = graphene.Int(required=True, description="1 = first; the steps of one stage can run at the same time.")
    steps = graphene.List(graphene.NonNull(JourneyStep), required=True)

    @staticmethod
    def resolve_index(root: _Part, info: GraphQLResolveInfo) -> int:
        return int(root.item.index)

    @staticmethod
    def resolve_steps(root: _Part, info: GraphQLResolveInfo) -> list[_Part]:
        return [_Part(step, root.view) for step in root.item.steps]


class ChecklistItem(graphene.ObjectType):
    document = graphene.Field(Evidence, required=True)
    needed_by = graphene.List(graphene.NonNull(Service), required=True, description="The steps that need it.")

    @staticmethod
    def resolve_document(root: _Part, info: GraphQLResolveInfo) -> model.Evidence:
        evidence: model.Evidence = root.item.evidence
        return evidence

    @staticmethod
    def resolve_needed_by(root: _Part, info: GraphQLResolveInfo) -> list[model.Service]:
        return [root.view.services[s] for s in root.item.needed_by if s in root.view.services]


class Exclusion(graphene.ObjectType):
    service = graphene.Field(Service, required=True)
    reason = _reason_field("Why this service is left out.")
    reason_code = graphene.String(required=True, description="CRITERION_NOT_MET or ALREADY_HELD.")
    criterion = graphene.Field(Criterion, description="The eligibility rule that left it out, if any.")

    @staticmethod
    def resolve_service(root: _Part, info: GraphQLResolveInfo) -> model.Service:
        service: model.Service = root.item.service
        return service

    @staticmethod
    def resolve_reason(root: _Part, info: GraphQLResolveInfo, lang: Any = None) -> str:
        return root.view.reason(root.item.reason, lang)

    @staticmethod
    def resolve_reason_code(root: _Part, info: GraphQLResolveInfo) -> str:
        return str(root.item.reason.code)

    @staticmethod
    async def resolve_criterion(root: _Part, info: GraphQLResolveInfo) -> model.Criterion | None:
        if root.item.criterion_id is None:
            return None
        found: model.Criterion | None = await loaders(info).criteria.load(root.item.criterion_id)
        return found


def _from_journey(attr: str) -> Any:
    def resolve(root: JourneyView, info: GraphQLResolveInfo) -> Any:
        return getattr(root.journey, attr)

    return resolve


class Journey(graphene.ObjectType):
    class Meta:
        description = "A person's road: life events, ordered steps, one checklist, visits and days."

    events = graphene.List(graphene.NonNull(JourneyEvent), required=True, description="Life events that apply.")
    excluded_events = graphene.List(graphene.NonNull(JourneyEvent), required=True,
                                    description="Life events of the person's stage left out, with the reason.")
    stages = graphene.List(graphene.NonNull(JourneyStage), required=True,
                           description="Steps in order of the document flow; steps of one stage run in parallel.")
    documents_to_bring = graphene.List(graphene.NonNull(ChecklistItem), required=True,
                                       description="One merged checklist, each document once, in order of need.")
    documents_held_used = graphene.List(graphene.NonNull(Evidence), required=True,
                                        description="Documents held that the steps use (not asked again).")
    documents_naive_count = graphene.Int(
        required=True, resolver=_from_journey("documents_naive_count"),
        description="Documents asked for, summed over services.",
    )
    documents_saved_percent = graphene.Float(
        required=True, resolver=_from_journey("documents_saved_percent"),
        description="How much shorter the merged checklist is than the naive count, in percent.",
    )
    visits = graphene.Int(
        required=True, resolver=_from_journey("visits"), description="In-person visits; a bundle's steps count once."
    )
    visits_without_bundles = graphene.Int(
        required=True, resolver=_from_journey("visits_without_bundles"),
        description="In-person visits if every service were handled on its own.",
    )
    critical_path_days = graphene.Int(
        required=True, resolver=_from_journey("critical_path_days"),
        description="Working days along the longest chain of steps.",
    )
    serial_days = graphene.Int(
        required=True, resolver=_from_journey("serial_days"),
        description="Working days if every step waited for the one before.",
    )
    excluded = graphene.List(graphene.NonNull(Exclusion), required=True, description="Services left out, and why.")
    datasets = graphene.List(graphene.NonNull(DatasetLinkType), required=True,
                             description="Open datasets linked to the journey's life events, approved first.")
    bundles = graphene.List(graphene.NonNull(Bundle), required=True, description="Bundles the steps are handled in.")

    @staticmethod
    def resolve_events(root: JourneyView, info: GraphQLResolveInfo) -> list[_Part]:
        return [_Part((e.event, e.reason), root) for e in root.journey.events]

    @staticmethod
    def resolve_excluded_events(root: JourneyView, info: GraphQLResolveInfo) -> list[_Part]:
        return [_Part(pair, root) for pair in root.journey.excluded_events]

    @staticmethod
    def resolve_stages(root: JourneyView, info: GraphQLResolveInfo) -> list[_Part]:
        return [_Part(stage, root) for stage in root.journey.stages]

    @staticmethod
    def resolve_documents_to_bring(root: JourneyView, info: GraphQLResolveInfo) -> list[_Part]:
        return [_Part(item, root) for item in root.journey.documents_to_bring]

    @staticmethod
    def resolve_documents_held_used(root: JourneyView, info: GraphQLResolveInfo) -> list[model.Evidence]:
        return root.evidence(root.journey.documents_held_used)

    @staticmethod
    def resolve_excluded(root: JourneyView, info: GraphQLResolveInfo) -> list[_Part]:
        return [_Part(item, root) for item in root.journey.excluded]

    @staticmethod
    def resolve_datasets(root: JourneyView, info: GraphQLResolveInfo) -> list[DatasetLink]:
        return [_link(ref) for ref in root.journey.datasets]

    @staticmethod
    def resolve_bundles(root: JourneyView, info: GraphQLResolveInfo) -> list[model.Bundle]:
        return list(root.journey.bundles.values())


async def resolve_journey(root: Any, info: GraphQLResolveInfo, input: Mapping[str, Any]) -> JourneyView:
    """Plan the journey for one input; the profile lives only in this call."""
    context = request_context(info)
    today = context.today or date.today()
    profile = profile_from_input(input, today)
    reader = context.reader
    with graph_errors():
        journey = await plan_journey(
            reader.driver, profile, timeout=reader.timeout, today=today, database=reader.database,
            cache=context.planning_cache,
        )
    services = {s.service.id: s.service for s in journey.steps} | {x.service.id: x.service for x in journey.excluded}
    context.loaders.prime_journey_objects(
        services=services.values(), evidence=journey.evidence.values(), agencies=journey.agencies.values(),
        bundles=journey.bundles.values(), events=[e.event for e in journey.events],
    )
    return JourneyView(journey=journey, lang=lang_code(input.get("lang")), services=services)
