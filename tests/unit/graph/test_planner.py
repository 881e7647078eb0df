"""The journey planner on small hand-made catalogs: events, eligibility, ordering, checklist, visits, days."""

from __future__ import annotations

from datetime import date

import pytest

from graph.errors import NotFound, PlanningError
from graph.model import Bundle, Criterion, Evidence, LifeEvent, LifeStage, Service, Text
from graph.planner import PlanningData, Profile, evaluate, plan

TODAY = date(2026, 11, 23)


def _t(name: str) -> Text:
    return Text(zh=name + "（中）", en=name)


def _data(services: list[Service], bundles: list[Bundle] | None = None,
          criteria: list[Criterion] | None = None) -> PlanningData:
    stages = [
        LifeStage(id="birth", order=1, min_age=0, max_age=2, name=_t("Birth")),
        LifeStage(id="work", order=2, min_age=18, max_age=64, name=_t("Work")),
        LifeStage(id="old-age", order=3, min_age=60, max_age=None, name=_t("Old age")),
    ]
    crit = {c.id: c for c in (criteria or [])}
    crit.setdefault("child-under-1", Criterion(id="child-under-1", kind="child-age", max=1,
                                               description=_t("Has a child under 1")))
    crit.setdefault("age-60-plus", Criterion(id="age-60-plus", kind="age", min=60, description=_t("Aged 60+")))
    events = [
        LifeEvent(id="newborn", kind="life", name=_t("Newborn"), stage_ids=("birth",),
                  trigger_ids=("child-under-1",)),
        LifeEvent(id="first-job", kind="life", name=_t("First job"), stage_ids=("work",)),
        LifeEvent(id="retiring", kind="life", name=_t("Retiring"), stage_ids=("old-age",),
                  criterion_ids=("age-60-plus",)),
    ]
    docs = {d for s in services for d in (*s.requires, *s.produces)}
    return PlanningData(
        stages={s.id: s for s in stages}, events={e.id: e for e in events}, criteria=crit,
        services={s.id: s for s in services}, evidence={d: Evidence(id=d, name=_t(d)) for d in sorted(docs)},
        bundles={b.id: b for b in (bundles or [])},
    )


def _svc(
    sid: str, event: str = "newborn", *, requires: tuple[str, ...] = (), produces: tuple[str, ...] = (),
    days: int = 1, visits: int = 1, criteria: tuple[str, ...] = (), prerequisites: tuple[str, ...] = (),
) -> Service:
    return Service(id=sid, name=_t(sid), event_ids=(event,), requires=requires, produces=produces,
                   processing_days=days, visits=visits, criterion_ids=criteria, prerequisite_ids=prerequisites)


NEWBORN = [
    _svc("birth-cert", requires=("parent-id",), produces=("birth-certificate",), days=0),
    _svc("hukou", requires=("birth-certificate", "parent-id", "hukou-book"), produces=("hukou-entry",), days=5),
    _svc("vaccination", requires=("birth-certificate",), produces=("vaccination-card",), days=0),
    _svc("medical-insurance", requires=("hukou-entry", "parent-id"), produces=("insurance-card",), days=10),
    _svc("childcare-allowance", requires=("hukou-entry", "bank-card"), days=20, visits=0),
]


def _ids(journey_stage: object) -> list[str]:
    return [step.service.id for step in journey_stage.steps]  # type: ignore[attr-defined]


def test_age_zero_gives_the_newborn_road_in_evidence_order() -> None:
    journey = plan(Profile(age=0), _data(NEWBORN), TODAY)
    assert [e.event.id for e in journey.events] == ["newborn"]
    assert journey.events[0].reason.code == "LIFE_STAGE"
    assert [_ids(s) for s in journey.stages] == [
        ["birth-cert"], ["hukou", "vaccination"], ["childcare-allowance", "medical-insurance"]
    ]
    hukou = journey.stages[1].steps[0]
    assert hukou.documents_from_earlier_steps == ("birth-certificate",)
    assert hukou.documents_to_bring == ("parent-id", "hukou-book")
    assert hukou.after == ("birth-cert",)


def test_checklist_is_merged_and_the_saving_counted() -> None:
    journey = plan(Profile(age=0), _data(NEWBORN), TODAY)
    assert [(c.evidence.id, c.needed_by) for c in journey.documents_to_bring] == [
        ("parent-id", ("birth-cert", "hukou", "medical-insurance")),
        ("hukou-book", ("hukou",)),
        ("bank-card", ("childcare-allowance",)),
    ]
    assert journey.documents_naive_count == 9
    assert journey.documents_saved_percent == pytest.approx(66.7)


def test_documents_already_held_are_not_asked_again_and_do_not_order_steps() -> None:
    held = frozenset({"parent-id", "birth-certificate"})
    journey = plan(Profile(age=0, documents_held=held), _data(NEWBORN), TODAY)
    # The birth certificate is held: issuing it is skipped and the steps that need it start at once.
    assert [_ids(s) for s in journey.stages] == [["hukou", "vaccination"], ["childcare-allowance", "medical-insurance"]]
    assert journey.excluded[0].service.id == "birth-cert" and journey.excluded[0].reason.code == "ALREADY_HELD"
    assert [c.evidence.id for c in journey.documents_to_bring] == ["hukou-book", "bank-card"]
    assert journey.documents_held_used == ("birth-certificate", "parent-id")


def test_critical_path_and_serial_days() -> None:
    journey = plan(Profile(age=0), _data(NEWBORN), TODAY)
    assert journey.serial_days == 0 + 5 + 0 + 10 + 20
    assert journey.critical_path_days == 0 + 5 + 20


def test_visits_count_a_bundle_once() -> None:
    bundle = Bundle(id="newborn-bundle", name=_t("Bundle"), event_id="newborn",
                    service_ids=("hukou", "medical-insurance", "childcare-allowance"))
    journey = plan(Profile(age=0), _data(NEWBORN, [bundle]), TODAY)
    assert journey.visits_without_bundles == 4
    assert journey.visits == 3  # birth-cert, vaccination, and one visit at the bundle's window
    assert {s.service.id: s.bundle_id for s in journey.steps}["hukou"] == "newborn-bundle"


def test_eligibility_excludes_with_the_criterion_as_reason() -> None:
    services = [
        _svc("pension", "retiring", criteria=("age-60-plus",)),
        _svc("job-registration", "first-job"),
        _svc("youth-subsidy", "first-job", criteria=("under-30",)),
    ]
    under_30 = Criterion(id="under-30", kind="age", max=29, description=Text(zh="未满30周岁", en="Under 30"))
    journey = plan(Profile(age=45, life_events=("first-job", "retiring")), _data(services, criteria=[under_30]),
                   TODAY)
    assert [s.service.id for s in journey.steps] == ["job-registration"]
    assert [(x.service.id, x.criterion_id, x.reason.text.en) for x in journey.excluded] == [
        ("youth-subsidy", "under-30", "Not eligible: Under 30"),
        ("pension", "age-60-plus", "Not eligible: Aged 60+"),
    ]


def test_events_are_inferred_from_age_and_triggers_with_reasons() -> None:
    data = _data([_svc("a", "first-job"), _svc("b", "retiring"), _svc("c")])
    journey = plan(Profile(age=62, children_ages=(0,)), data, TODAY)
    # Specific first: a trigger; the stage's general road (an age condition only restates the stage) is offered.
    assert [(e.event.id, e.reason.code) for e in journey.events] == [("newborn", "TRIGGERED")]
    assert "Has a child under 1" in journey.events[0].reason.text.en
    assert [(e.id, r.code) for e, r in journey.excluded_events] == [
        ("first-job", "STAGE_GENERAL"), ("retiring", "STAGE_GENERAL")]
    journey = plan(Profile(age=62), data, TODAY)
    assert [(e.event.id, e.reason.code) for e in journey.events] == [
        ("first-job", "LIFE_STAGE"), ("retiring", "LIFE_STAGE")]
    journey = plan(Profile(age=40), data, TODAY)
    assert [e.event.id for e in journey.events] == ["first-job"]


def test_birth_date_gives_the_age() -> None:
    assert Profile(birth_date=date(2000, 11, 24)).age_on(TODAY) == 25
    assert Profile(birth_date=date(2000, 11, 23)).age_on(TODAY) == 26


def test_prerequisites_order_and_pull_in_services() -> None:
    services = [_svc("register", "first-job", days=2),
                _svc("second", "retiring", days=3),
                _svc("apply", "first-job", prerequisites=("second",), days=1)]
    journey = plan(Profile(age=30, life_events=("first-job",)), _data(services), TODAY)
    assert [_ids(s) for s in journey.stages] == [["register", "second"], ["apply"]]
    pulled = next(s for s in journey.steps if s.service.id == "second")
    assert pulled.reason.code == "PREREQUISITE" and "apply" in pulled.reason.text.en


def test_a_cycle_is_a_clear_error_naming_the_services() -> None:
    services = [
        _svc("x", produces=("doc-x",), requires=("doc-y",)),
        _svc("y", produces=("doc-y",), requires=("doc-x",)),
    ]
    with pytest.raises(PlanningError, match="cycle among services: x → y → x"):
        plan(Profile(age=0), _data(services), TODAY)


def test_a_dangling_prerequisite_is_a_clear_error() -> None:
    with pytest.raises(PlanningError, match="'a' has prerequisite 'ghost'"):
        plan(Profile(age=0), _data([_svc("a", prerequisites=("ghost",))]), TODAY)


def test_unknown_chosen_event_is_not_found() -> None:
    with pytest.raises(NotFound, match="no LifeEvent with id 'nope'"):
        plan(Profile(life_events=("nope",)), _data(NEWBORN), TODAY)


def test_unknown_profile_facts_do_not_exclude() -> None:
    crit = Criterion(id="employed", kind="situation", values=("employed",), description=_t("Employed"))
    assert evaluate(crit, Profile(), None) is None
    assert evaluate(crit, Profile(situation="retired"), None) is False
    assert evaluate(crit, Profile(situation="employed"), None) is True


def test_same_input_same_journey() -> None:
    data = _data(NEWBORN)
    first = plan(Profile(age=0), data, TODAY)
    assert plan(Profile(age=0), data, TODAY) == first


def test_an_event_whose_criterion_is_unknown_is_not_inferred_but_can_be_chosen() -> None:
    services = [_svc("pension", "retiring")]
    data = _data(services)
    journey = plan(Profile(age=None, birth_date=None, life_events=()), data, TODAY)
    assert journey.events == ()
    disabled = Criterion(id="disabled", kind="disability", flag=True, description=_t("Has a disability"))
    data = _data(services, criteria=[disabled])
    event = LifeEvent(id="disability", kind="life", name=_t("Disability"), stage_ids=("work",),
                      criterion_ids=("disabled",))
    data = PlanningData(stages=data.stages, events={**data.events, "disability": event}, criteria=data.criteria,
                        services=data.services, evidence=data.evidence)
    inferred = plan(Profile(age=40), data, TODAY)
    assert [e.event.id for e in inferred.events] == ["first-job"]
    assert [(e.id, r.code) for e, r in inferred.excluded_events] == [("disability", "EVENT_CRITERION_UNKNOWN")]
    assert [e.event.id for e in plan(Profile(age=40, disability=True), data, TODAY).events] == ["disability"]
    assert [e.event.id for e in plan(Profile(age=40, life_events=("disability",)), data, TODAY).events] == [
        "disability"]
