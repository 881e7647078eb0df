""""My journey": a form that asks the profile once (GET) and the planned journey it posts to (POST).

The profile is personal data: it arrives in a POST body, lives in this request only, and is never stored, logged,
put in a URL or a cookie; the responses say ``Cache-Control: no-store``. The result page is printable.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from graph.journeys import plan_journey
from graph.model import SITUATIONS, Text
from graph.planner import Journey
from graph.reads_pages import JourneyFormView, read_journey_form
from navigator.journey_form import FormErrors, JourneyAnswers, parse_journey_form
from navigator.page_requests import graph_reader, path_language
from navigator.pages_render import render

__all__ = ["journey_routes"]

NO_STORE = {"Cache-Control": "no-store", "Vary": "Cookie"}
_MAX_FIELDS = 400


def _form_page(
    request: Request, view: JourneyFormView, *, answers: JourneyAnswers | None = None,
    errors: FormErrors | None = None, status: int = 200,
) -> Response:
    return render(
        request, "journey_form.html", status=status, section="journey", headers=NO_STORE, form=view,
        answers=answers or JourneyAnswers(), errors=(errors or FormErrors()).by_field, situations=SITUATIONS,
    )


async def journey_form(request: Request) -> Response:
    path_language(request)
    view = await read_journey_form(graph_reader(request))
    return _form_page(request, view)


def _service_names(journey: Journey) -> dict[str, Text]:
    names = {step.service.id: step.service.name for step in journey.steps}
    names.update({e.service.id: e.service.name for e in journey.excluded})
    return names


async def journey_result(request: Request) -> Response:
    path_language(request)
    reader = graph_reader(request)
    view = await read_journey_form(reader)
    async with request.form(max_files=0, max_fields=_MAX_FIELDS) as form:
        fields: dict[str, list[str]] = defaultdict(list)
        for name, value in form.multi_items():
            if isinstance(value, str):
                fields[name].append(value)
    today = date.today()
    profile, answers, errors = parse_journey_form(
        fields, events=view.event_ids, documents=view.document_ids, regions=view.regions, today=today
    )
    if profile is None:
        return _form_page(request, view, answers=answers, errors=errors, status=400)
    settings = request.app.state.settings
    journey = await plan_journey(
        reader.driver, profile, timeout=settings.query_timeout, today=today, database=settings.neo4j_database,
        cache=getattr(request.app.state, "planning_cache", None),  # the same kept data as the API's journeys
    )
    approved = tuple(d for d in journey.datasets if d.status == "approved")
    return render(
        request, "journey_result.html", section="journey", headers=NO_STORE, journey=journey,
        names=_service_names(journey), datasets=approved,
    )


def journey_routes() -> list[BaseRoute]:
    return [
        Route("/{lang:lang}/journey", journey_form, methods=["GET", "HEAD"]),
        Route("/{lang:lang}/journey", journey_result, methods=["POST"]),
    ]
