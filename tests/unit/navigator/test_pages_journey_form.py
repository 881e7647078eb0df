"""The "my journey" form: answers become a planner Profile, or errors that name fields and never echo values."""

from __future__ import annotations

from datetime import date

import pytest

from graph.planner import Profile
from navigator.journey_form import parse_journey_form

TODAY = date(2026, 6, 1)
EVENTS = frozenset({"having-a-baby", "retiring"})
DOCUMENTS = frozenset({"id-card", "household-register-booklet"})


def parse(**fields: str | list[str]) -> tuple[Profile | None, dict[str, str]]:
    form = {k: v if isinstance(v, list) else [v] for k, v in fields.items()}
    profile, _, errors = parse_journey_form(
        form, events=EVENTS, documents=DOCUMENTS, regions=["demo-city"], today=TODAY
    )
    return profile, errors.by_field


def test_a_full_profile() -> None:
    profile, errors = parse(
        age="31", region="demo-city", partner="yes", children="0, 4，7", situation="employed", disability="no",
        documents=["id-card", "household-register-booklet"], events=["having-a-baby"],
    )
    assert errors == {}
    assert profile == Profile(
        age=31, region="demo-city", partner=True, children_ages=(0, 4, 7), situation="employed", disability=False,
        documents_held=DOCUMENTS, life_events=("having-a-baby",),
    )


def test_unanswered_questions_are_unknown_not_no() -> None:
    profile, errors = parse(age="0", partner="", disability="", region="", situation="")
    assert errors == {}
    assert profile == Profile(age=0)


def test_a_birth_date_wins_over_an_age() -> None:
    profile, _ = parse(age="50", birth_date="1990-06-02")
    assert profile is not None and profile.age is None and profile.birth_date == date(1990, 6, 2)
    assert profile.age_on(TODAY) == 35


def test_somewhere_else_is_a_region_that_matches_no_rule() -> None:
    profile, _ = parse(age="40", region="other")
    assert profile is not None and profile.region == "other"


@pytest.mark.parametrize(("fields", "field", "key"), [
    ({"age": "abc"}, "age", "journey.error.age"),
    ({"age": "131"}, "age", "journey.error.age"),
    ({"age": "-1"}, "age", "journey.error.age"),
    ({"birth_date": "2026-13-01"}, "birth_date", "journey.error.birth_date"),
    ({"birth_date": "2027-01-01"}, "birth_date", "journey.error.birth_date"),
    ({"age": "30", "children": "2, x"}, "children", "journey.error.children"),
    ({"age": "30", "children": ",".join(["1"] * 13)}, "children", "journey.error.children"),
    ({"age": "30", "region": "atlantis"}, "region", "journey.error.choice"),
    ({"age": "30", "situation": "astronaut"}, "situation", "journey.error.choice"),
    ({"age": "30", "partner": "maybe"}, "partner", "journey.error.choice"),
    ({"age": "30", "documents": ["passport"]}, "documents", "journey.error.choice"),
    ({"events": ["not-an-event"]}, "events", "journey.error.choice"),
    ({}, "age", "journey.error.need_age_or_event"),
])
def test_errors_name_the_field_and_a_message(fields: dict[str, str | list[str]], field: str, key: str) -> None:
    profile, errors = parse(**fields)
    assert profile is None
    assert errors[field] == key


def test_choosing_an_event_is_enough_without_an_age() -> None:
    profile, errors = parse(events=["retiring", "retiring"])
    assert errors == {}
    assert profile is not None and profile.life_events == ("retiring",)


def test_answers_are_kept_as_typed_to_fill_the_form_again() -> None:
    _, answers, errors = parse_journey_form(
        {"age": ["abc"], "children": ["3"]}, events=EVENTS, documents=DOCUMENTS, regions=[], today=TODAY
    )
    assert errors and answers.age == "abc" and answers.children == "3"
    assert "abc" not in repr(errors.by_field)
