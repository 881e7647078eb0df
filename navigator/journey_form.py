"""The "my journey" form: its fields, and turning a submitted form into a planner :class:`Profile` or errors.

The form is personal data. It is posted (never put in a URL), parsed here into a Profile that lives for one request,
and neither stored nor logged: errors name fields and message keys, never the values given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from graph.model import SITUATIONS
from graph.planner import Profile

__all__ = ["MAX_AGE", "FormErrors", "JourneyAnswers", "parse_journey_form"]

MAX_AGE = 130
MAX_CHILD_AGE = 40
MAX_CHILDREN = 12
MAX_CHOICES = 200
TRI_STATE = ("yes", "no")
_SPLIT = re.compile(r"[\s,，、;；]+")


@dataclass(frozen=True, slots=True, kw_only=True)
class JourneyAnswers:
    """What was typed, as text, to fill the form again after an error (kept only in that response)."""

    age: str = ""
    birth_date: str = ""
    region: str = ""
    partner: str = ""
    children: str = ""
    situation: str = ""
    disability: str = ""
    documents: frozenset[str] = frozenset()
    events: frozenset[str] = frozenset()


@dataclass(slots=True)
class FormErrors:
    """Field name → message key (``journey.error.*``); the first error of each field."""

    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, key: str) -> None:
        self.by_field.setdefault(name, key)

    def __bool__(self) -> bool:
        return bool(self.by_field)


def _first(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()[:200]


def _tri_state(value: str, name: str, errors: FormErrors) -> bool | None:
    if value == "":
        return None
    if value not in TRI_STATE:
        errors.add(name, "journey.error.choice")
        return None
    return value == "yes"


def _choices(values: Iterable[str], allowed: frozenset[str], name: str, errors: FormErrors) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(chosen) > MAX_CHOICES or any(v not in allowed for v in chosen):
        errors.add(name, "journey.error.choice")
        return ()
    return chosen


def parse_journey_form(
    form: dict[str, list[str]], *, events: frozenset[str], documents: frozenset[str], regions: Iterable[str],
    today: date,
) -> tuple[Profile | None, JourneyAnswers, FormErrors]:
    """The profile the form describes, the answers as typed, and the errors (the profile is None when any)."""
    errors = FormErrors()
    answers = JourneyAnswers(
        age=_first(form, "age"), birth_date=_first(form, "birth_date"), region=_first(form, "region"),
        partner=_first(form, "partner"), children=_first(form, "children"), situation=_first(form, "situation"),
        disability=_first(form, "disability"), documents=frozenset(form.get("documents", ())),
        events=frozenset(form.get("events", ())),
    )
    age: int | None = None
    if answers.age:
        if not answers.age.isdigit() or int(answers.age) > MAX_AGE:
            errors.add("age", "journey.error.age")
        else:
            age = int(answers.age)
    birth_date: date | None = None
    if answers.birth_date:
        try:
            birth_date = date.fromisoformat(answers.birth_date)
        except ValueError:
            errors.add("birth_date", "journey.error.birth_date")
        else:
            if birth_date > today or today.year - birth_date.year > MAX_AGE:
                errors.add("birth_date", "journey.error.birth_date")
                birth_date = None
    region: str | None = None
    if answers.region:
        if answers.region != "other" and answers.region not in set(regions):
            errors.add("region", "journey.error.choice")
        else:
            region = answers.region
    children: list[int] = []
    for part in _SPLIT.split(answers.children):
        if not part:
            continue
        if not part.isdigit() or int(part) > MAX_CHILD_AGE:
            errors.add("children", "journey.error.children")
            break
        children.append(int(part))
    if len(children) > MAX_CHILDREN:
        errors.add("children", "journey.error.children")
    situation: str | None = None
    if answers.situation:
        if answers.situation not in SITUATIONS:
            errors.add("situation", "journey.error.choice")
        else:
            situation = answers.situation
    partner = _tri_state(answers.partner, "partner", errors)
    disability = _tri_state(answers.disability, "disability", errors)
    held = _choices(form.get("documents", ()), documents, "documents", errors)
    chosen = _choices(form.get("events", ()), events, "events", errors)
    if not errors and age is None and birth_date is None and not chosen:
        errors.add("age", "journey.error.need_age_or_event")
    if errors:
        return None, answers, errors
    profile = Profile(
        age=None if birth_date is not None else age, birth_date=birth_date, region=region, partner=partner,
        children_ages=tuple(children), situation=situation, disability=disability, documents_held=frozenset(held),
        life_events=chosen,
    )
    return profile, answers, errors
