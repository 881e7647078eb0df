"""The journey planner: from one profile to the life events, services, ordered steps, checklist, visits and days.

Pure and deterministic: :func:`plan` takes a :class:`Profile` and a :class:`PlanningData` (read from the graph by
``graph.journeys``) and returns a :class:`Journey`. Eligibility is evaluated against ``Criterion`` data, never
hard-coded; ordering follows the evidence flow (A before B when A produces a document B needs and the person does
not hold it) plus explicit prerequisites, in topological layers ("serial to parallel").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from graph.errors import NotFound, PlanningError
from graph.model import Agency, Bundle, Criterion, Evidence, LifeEvent, LifeStage, Service, Text


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """A person's situation, entered once. Personal data: never stored, never logged."""

    age: int | None = None
    birth_date: date | None = None
    region: str | None = None
    partner: bool | None = None
    children_ages: tuple[int, ...] = ()
    situation: str | None = None
    disability: bool | None = None
    documents_held: frozenset[str] = frozenset()
    life_events: tuple[str, ...] = ()

    def age_on(self, today: date) -> int | None:
        if self.age is not None:
            return self.age
        if self.birth_date is None:
            return None
        before_birthday = (today.month, today.day) < (self.birth_date.month, self.birth_date.day)
        return today.year - self.birth_date.year - int(before_birthday)


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetRef:
    id: str
    title: Text
    portal: str
    event_id: str
    status: str
    score: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanningData:
    """What the planner needs from the graph, already mapped to domain objects."""

    stages: Mapping[str, LifeStage]
    events: Mapping[str, LifeEvent]
    criteria: Mapping[str, Criterion]
    services: Mapping[str, Service] = field(default_factory=dict)
    evidence: Mapping[str, Evidence] = field(default_factory=dict)
    agencies: Mapping[str, Agency] = field(default_factory=dict)
    bundles: Mapping[str, Bundle] = field(default_factory=dict)
    datasets: tuple[DatasetRef, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """Why something is in or out of a journey: a stable code and the sentence in both languages."""

    code: str
    text: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class JourneyEvent:
    event: LifeEvent
    reason: Reason


@dataclass(frozen=True, slots=True, kw_only=True)
class JourneyStep:
    service: Service
    reason: Reason
    documents_to_bring: tuple[str, ...]
    documents_produced: tuple[str, ...]
    documents_from_earlier_steps: tuple[str, ...]
    after: tuple[str, ...]
    bundle_id: str | None
    datasets: tuple[DatasetRef, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class JourneyStage:
    index: int
    steps: tuple[JourneyStep, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChecklistItem:
    evidence: Evidence
    needed_by: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Exclusion:
    service: Service
    reason: Reason
    criterion_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Journey:
    events: tuple[JourneyEvent, ...]
    excluded_events: tuple[tuple[LifeEvent, Reason], ...]
    stages: tuple[JourneyStage, ...]
    documents_to_bring: tuple[ChecklistItem, ...]
    documents_held_used: tuple[str, ...]
    documents_produced: tuple[str, ...]
    documents_naive_count: int
    documents_saved_percent: float
    visits: int
    visits_without_bundles: int
    critical_path_days: int
    serial_days: int
    excluded: tuple[Exclusion, ...]
    datasets: tuple[DatasetRef, ...]
    evidence: Mapping[str, Evidence]
    agencies: Mapping[str, Agency]
    bundles: Mapping[str, Bundle]

    @property
    def steps(self) -> tuple[JourneyStep, ...]:
        return tuple(step for stage in self.stages for step in stage.steps)


# --- eligibility -------------------------------------------------------------------------------------------------


def _range_text(criterion: Criterion) -> tuple[str, str]:
    lo, hi = criterion.min, criterion.max
    if lo is not None and hi is not None:
        return f"{lo}–{hi}", f"{lo}–{hi}"
    if lo is not None:
        return f"≥{lo}", f"{lo} or over"
    return f"≤{hi}", f"{hi} or under"


def evaluate(criterion: Criterion, profile: Profile, age: int | None) -> bool | None:
    """True or False when the profile says; None when it does not tell (the criterion is then not held against)."""

    def in_range(value: int) -> bool:
        return (criterion.min is None or value >= criterion.min) and (criterion.max is None or value <= criterion.max)

    kind = criterion.kind
    if kind == "age":
        return None if age is None else in_range(age)
    if kind == "child-age":
        return any(in_range(a) for a in profile.children_ages)
    if kind == "situation":
        return None if profile.situation is None else profile.situation in criterion.values
    if kind == "disability":
        return None if profile.disability is None else profile.disability == criterion.flag
    if kind == "partner":
        return None if profile.partner is None else profile.partner == criterion.flag
    if kind == "region":
        return None if profile.region is None else profile.region in criterion.values
    if kind == "holds":
        return criterion.evidence_id in profile.documents_held
    return None


def _criterion_reason(code: str, criterion: Criterion, prefix: Text) -> Reason:
    return Reason(code=code, text=Text(
        zh=f"{prefix.zh}{criterion.description.zh or criterion.id}",
        en=f"{prefix.en}{criterion.description.en or criterion.id}",
    ))


# --- choosing events ---------------------------------------------------------------------------------------------


def choose_events(
    profile: Profile, data: PlanningData, today: date
) -> tuple[list[JourneyEvent], list[tuple[LifeEvent, Reason]]]:
    """The life events that apply, each with its reason, and those left out with theirs."""
    age = profile.age_on(today)
    chosen: list[JourneyEvent] = []
    left_out: list[tuple[LifeEvent, Reason]] = []
    candidates: list[tuple[str, JourneyEvent]] = []
    if profile.life_events:
        for event_id in dict.fromkeys(profile.life_events):
            event = data.events.get(event_id)
            if event is None:
                raise NotFound("LifeEvent", event_id)
            chosen.append(JourneyEvent(event=event, reason=Reason(
                code="CHOSEN", text=Text(zh="您选择了这一人生事件", en="You chose this life event"))))
        return chosen, left_out
    for event in sorted(data.events.values(), key=lambda e: (_event_order(e, data), e.id)):
        # An inferred event needs every one of its criteria to hold: an unknown answer does not infer it
        # (the person can still choose the event), unlike services, where unknown does not exclude.
        verdicts = [(data.criteria[c], evaluate(data.criteria[c], profile, age))
                    for c in event.criterion_ids if c in data.criteria]
        failing = [c for c, verdict in verdicts if verdict is False]
        unknown = [c for c, verdict in verdicts if verdict is None]
        trigger = next((data.criteria[c] for c in event.trigger_ids
                        if c in data.criteria and evaluate(data.criteria[c], profile, age)), None)
        stage = _stage_for_age(event, data, age)
        if failing or unknown:
            if trigger is not None or stage is not None:
                left_out.append((event, _criterion_reason(
                    "EVENT_CRITERION_NOT_MET", failing[0], Text(zh="不符合条件：", en="Condition not met: "))
                    if failing else _criterion_reason(
                    "EVENT_CRITERION_UNKNOWN", unknown[0], Text(zh="如适用请选择：", en="Choose it if it applies: "))))
            continue
        if trigger is not None:
            candidates.append(("specific", JourneyEvent(event=event, reason=_criterion_reason(
                "TRIGGERED", trigger, Text(zh="根据您的情况：", en="From your situation: ")))))
        elif stage is not None:
            lo, hi = stage.min_age, stage.max_age
            span = f"{lo}–{hi}" if hi is not None else f"{lo}+"
            reason = Reason(code="LIFE_STAGE", text=Text(
                zh=f"您的年龄（{age}岁）处于人生阶段“{stage.name.zh}”（{span}岁）",
                en=f"Your age ({age}) is in the life stage “{stage.name.en}” ({span})",
            ))
            # An age condition only restates the stage; any other condition that holds is specific to the person.
            personal = any(c.kind != "age" for c, _ in verdicts)
            candidates.append(("specific" if personal else "general", JourneyEvent(event=event, reason=reason)))
    # What the profile tells specifically (a trigger, or a stage event whose personal conditions hold) comes first; the
    # stage's general road is the journey only when nothing specific applies, and is otherwise offered, not planned.
    specific = any(kind == "specific" for kind, _ in candidates)
    general = Reason(code="STAGE_GENERAL", text=Text(
        zh="同一人生阶段的其他事项，如适用请选择", en="Also on the road at your age: choose it if it applies"))
    for kind, journey_event in candidates:
        if kind == "specific" or not specific:
            chosen.append(journey_event)
        else:
            left_out.append((journey_event.event, general))
    return chosen, left_out


def _event_order(event: LifeEvent, data: PlanningData) -> int:
    orders = [data.stages[s].order for s in event.stage_ids if s in data.stages]
    return min(orders) if orders else 1_000


def _stage_for_age(event: LifeEvent, data: PlanningData, age: int | None) -> LifeStage | None:
    if age is None:
        return None
    for stage_id in event.stage_ids:
        stage = data.stages.get(stage_id)
        if stage is None:
            continue
        if (stage.min_age is None or age >= stage.min_age) and (stage.max_age is None or age <= stage.max_age):
            return stage
    return None


# --- ordering ----------------------------------------------------------------------------------------------------


def _layers(nodes: Iterable[str], edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Kahn's algorithm by levels; a cycle raises PlanningError naming its services."""
    nodes = sorted(nodes)
    indegree = {n: 0 for n in nodes}
    for source in nodes:
        for target in edges.get(source, ()):
            indegree[target] += 1
    layer = [n for n in nodes if indegree[n] == 0]
    layers: list[list[str]] = []
    seen = 0
    while layer:
        layers.append(layer)
        seen += len(layer)
        following = []
        for source in layer:
            for target in sorted(edges.get(source, ())):
                indegree[target] -= 1
                if indegree[target] == 0:
                    following.append(target)
        layer = sorted(following)
    if seen != len(nodes):
        raise PlanningError("the catalog has a cycle among services: " + " → ".join(
            _find_cycle([n for n in nodes if indegree[n] > 0], edges)))
    return layers


def _find_cycle(candidates: list[str], edges: Mapping[str, set[str]]) -> list[str]:
    remaining = set(candidates)
    start = candidates[0]
    path = [start]
    position = {start: 0}
    node = start
    while True:
        node = sorted(t for t in edges.get(node, ()) if t in remaining)[0]
        if node in position:
            return [*path[position[node]:], node]
        position[node] = len(path)
        path.append(node)


def _longest_path(layers: list[list[str]], preds: Mapping[str, set[str]], days: Mapping[str, int]) -> int:
    finish: dict[str, int] = {}
    for layer in layers:
        for node in layer:
            finish[node] = days[node] + max((finish[p] for p in preds.get(node, ())), default=0)
    return max(finish.values(), default=0)


# --- the plan ----------------------------------------------------------------------------------------------------


def plan(profile: Profile, data: PlanningData, today: date | None = None) -> Journey:
    today = today or date.today()
    age = profile.age_on(today)
    events, excluded_events = choose_events(profile, data, today)
    event_ids = [je.event.id for je in events]
    event_set = set(event_ids)
    held = profile.documents_held

    # Which services apply, and why; pull in prerequisites of those that do.
    included: dict[str, Reason] = {}
    excluded: list[Exclusion] = []
    candidates = sorted(
        (s for s in data.services.values() if event_set & set(s.event_ids)),
        key=lambda s: (min(event_ids.index(e) for e in s.event_ids if e in event_set), s.id),
    )
    for service in candidates:
        missing = [c for c in service.criterion_ids if c not in data.criteria]
        if missing:
            raise PlanningError(f"service {service.id!r} names criterion {missing[0]!r}, which is not in the graph")
        failing = next((data.criteria[c] for c in service.criterion_ids
                        if evaluate(data.criteria[c], profile, age) is False), None)
        if failing is not None:
            excluded.append(Exclusion(service=service, criterion_id=failing.id, reason=_criterion_reason(
                "CRITERION_NOT_MET", failing, Text(zh="不符合条件：", en="Not eligible: "))))
            continue
        if service.produces and set(service.produces) <= held:
            names = _names(service.produces, data.evidence)
            excluded.append(Exclusion(service=service, reason=Reason(code="ALREADY_HELD", text=Text(
                zh="您已持有：" + "、".join(n.zh for n in names),
                en="You already hold: " + ", ".join(n.en for n in names),
            ))))
            continue
        event = next(data.events[e] for e in service.event_ids if e in event_set)
        included[service.id] = Reason(code="EVENT", text=Text(
            zh=f"属于人生事件“{event.name.zh}”", en=f"Part of the life event “{event.name.en}”"))
    queue = list(included)
    while queue:
        sid = queue.pop()
        for pid in data.services[sid].prerequisite_ids:
            if pid not in data.services:
                raise PlanningError(f"service {sid!r} has prerequisite {pid!r}, which is not in the graph")
            if pid not in included and not (data.services[pid].produces and set(data.services[pid].produces) <= held):
                consumer = data.services[sid].name
                included[pid] = Reason(code="PREREQUISITE", text=Text(
                    zh=f"须先办理，才能办理“{consumer.zh}”", en=f"Needed before “{consumer.en}”"))
                queue.append(pid)

    services = {sid: data.services[sid] for sid in included}
    for service in services.values():
        for doc in (*service.requires, *service.produces):
            if doc not in data.evidence:
                raise PlanningError(f"service {service.id!r} names document {doc!r}, which is not in the graph")

    # Evidence flow and prerequisites as edges producer → consumer.
    producers: dict[str, list[str]] = defaultdict(list)
    for service in services.values():
        for doc in service.produces:
            producers[doc].append(service.id)
    edges: dict[str, set[str]] = defaultdict(set)
    preds: dict[str, set[str]] = defaultdict(set)
    for service in services.values():
        for doc in service.requires:
            if doc in held:
                continue
            for producer in producers.get(doc, ()):
                if producer != service.id:
                    edges[producer].add(service.id)
                    preds[service.id].add(producer)
        for pid in service.prerequisite_ids:
            if pid in services:
                edges[pid].add(service.id)
                preds[service.id].add(pid)
    layers = _layers(services, edges)

    produced_all = {doc for s in services.values() for doc in s.produces}
    bundle_of = _bundle_assignment(data.bundles, services, event_set)
    datasets_by_event: dict[str, list[DatasetRef]] = defaultdict(list)
    for ref in data.datasets:
        datasets_by_event[ref.event_id].append(ref)

    stages = []
    for index, layer in enumerate(layers, start=1):
        steps = []
        for sid in sorted(layer, key=lambda s: (services[s].event_ids[0] if services[s].event_ids else "", s)):
            service = services[sid]
            bring = tuple(d for d in service.requires if d not in held and d not in produced_all)
            from_steps = tuple(d for d in service.requires if d not in held and d in produced_all)
            step_datasets = _dedupe(r for e in service.event_ids if e in event_set for r in datasets_by_event[e])[:5]
            steps.append(JourneyStep(
                service=service, reason=included[sid], documents_to_bring=bring,
                documents_produced=service.produces, documents_from_earlier_steps=from_steps,
                after=tuple(sorted(preds.get(sid, ()))), bundle_id=bundle_of.get(sid), datasets=tuple(step_datasets),
            ))
        stages.append(JourneyStage(index=index, steps=tuple(steps)))

    # One merged checklist, in order of first need.
    needed_by: dict[str, list[str]] = {}
    for stage in stages:
        for step in stage.steps:
            for doc in step.documents_to_bring:
                needed_by.setdefault(doc, []).append(step.service.id)
    checklist = tuple(ChecklistItem(evidence=data.evidence[d], needed_by=tuple(s)) for d, s in needed_by.items())
    naive = sum(len(s.requires) for s in services.values())
    saved = round(100.0 * (naive - len(checklist)) / naive, 1) if naive else 0.0
    held_used = tuple(sorted({d for s in services.values() for d in s.requires if d in held}))

    # Visits: in-person steps; the steps of one bundle are handled at one window, in one visit.
    visits_naive = sum(s.visits for s in services.values())
    bundle_visits: dict[str, int] = {}
    visits = 0
    for service in services.values():
        bundle_id = bundle_of.get(service.id)
        if bundle_id is None:
            visits += service.visits
        elif service.visits:
            bundle_visits[bundle_id] = max(bundle_visits.get(bundle_id, 0), service.visits)
    visits += sum(bundle_visits.values())

    days = {sid: int(s.processing_days or 0) for sid, s in services.items()}
    return Journey(
        events=tuple(events), excluded_events=tuple(excluded_events), stages=tuple(stages),
        documents_to_bring=checklist, documents_held_used=held_used,
        documents_produced=tuple(sorted(produced_all)), documents_naive_count=naive,
        documents_saved_percent=saved, visits=visits, visits_without_bundles=visits_naive,
        critical_path_days=_longest_path(layers, preds, days), serial_days=sum(days.values()),
        excluded=tuple(excluded),
        datasets=tuple(_dedupe(r for e in event_ids for r in datasets_by_event[e])),
        evidence=data.evidence, agencies=data.agencies,
        bundles={b: data.bundles[b] for b in sorted(set(bundle_of.values()))},
    )


def _bundle_assignment(
    bundles: Mapping[str, Bundle], services: Mapping[str, Service], events: set[str]
) -> dict[str, str]:
    """Service id → the bundle (of a chosen event) it is handled in; the first bundle by id wins."""
    assignment: dict[str, str] = {}
    for bundle in sorted(bundles.values(), key=lambda b: b.id):
        if bundle.event_id not in events:
            continue
        members = [s for s in bundle.service_ids if s in services]
        if len(members) < 2:
            continue
        for sid in members:
            assignment.setdefault(sid, bundle.id)
    return assignment


def _names(ids: Iterable[str], evidence: Mapping[str, Evidence]) -> list[Text]:
    return [evidence[i].name if i in evidence else Text(zh=i, en=i) for i in ids]


def _dedupe(refs: Iterable[DatasetRef]) -> list[DatasetRef]:
    best: dict[str, DatasetRef] = {}
    order: list[str] = []
    for ref in refs:
        if ref.id not in best:
            order.append(ref.id)
            best[ref.id] = ref
    ranked = sorted(order, key=lambda i: (best[i].status != "approved", -best[i].score, i))
    return [best[i] for i in ranked]
