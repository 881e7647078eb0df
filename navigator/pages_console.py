"""The data officers' console (``/console``, in zh and en): log in, portals and harvests, link review, coverage.

Every page needs a logged-in session (:mod:`navigator.console_session`); every form posts its session's CSRF token,
checked before anything else. Link decisions go through :func:`graph.link_review.review_dataset_link`, the same write
the GraphQL mutations use, so each is recorded with who and when. Pages say ``Cache-Control: no-store``.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from graph.access import ApiToken, Scope, authenticate
from graph.errors import AccessDenied, NotFound
from graph.link_review import REVIEW_ACTIONS, review_dataset_link
from graph.reads_console import read_active_token, read_coverage, read_link_queue, read_portals
from graph.reads_pages import read_home_page
from navigator.charts import bar_chart
from navigator.console_harvest import start_harvest
from navigator.console_session import (
    PASSWORD_PRINCIPAL,
    ConsoleSession,
    check_csrf,
    console_config,
    read_session,
    verify_password,
    write_session,
)
from navigator.i18n import language_from_header, translator
from navigator.page_requests import graph_reader, path_language
from navigator.pages_render import SECURITY_HEADERS, render
from navigator.pages_search import app_search_index
from navigator.search_feed import refresh_after_link_change

__all__ = ["console_routes"]

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}
LINK_STATUSES = ("suggested", "approved", "rejected")
LINKS_PER_PAGE = 25


def _redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303, headers={**SECURITY_HEADERS, **NO_STORE})


def _page(request: Request, template: str, session: ConsoleSession, *, status: int = 200, **context: Any) -> Response:
    response = render(request, template, status=status, headers=NO_STORE, session=session, **context)
    if read_session(request) != session:
        write_session(request, response, session)
    return response


async def _form(request: Request) -> dict[str, str]:
    async with request.form(max_files=0, max_fields=20) as form:
        return {k: v[:4000] for k, v in form.items() if isinstance(v, str)}


async def _checked_form(request: Request) -> tuple[ConsoleSession, dict[str, str]]:
    """The posted form of a logged-in session with a valid CSRF token, else 403."""
    session = read_session(request)
    form = await _form(request)
    if session is None or not session.logged_in or not check_csrf(session, form.get("csrf")):
        raise HTTPException(403)
    return session, form


async def console_root(request: Request) -> Response:
    return _redirect(f"/{language_from_header(request.headers.get('accept-language'))}/console")


async def console_home(request: Request) -> Response:
    lang = path_language(request)
    session = read_session(request) or ConsoleSession.anonymous()
    if not session.logged_in:
        return _page(request, "console/login.html", session, error=None)
    return _page(request, "console/home.html", session, section="console", lang=lang)


async def console_login(request: Request) -> Response:
    lang = path_language(request)
    session = read_session(request)
    form = await _form(request)
    if not check_csrf(session, form.get("csrf")):
        raise HTTPException(403)
    token, password = form.get("token", "").strip(), form.get("password", "")
    new: ConsoleSession | None = None
    if token:
        found = await authenticate(graph_reader(request), token)
        if found is not None:
            new = ConsoleSession.for_principal(found.id, found.name or found.id, str(found.scope))
    elif password and verify_password(console_config(request).password_hash, password):
        new = ConsoleSession.for_principal(PASSWORD_PRINCIPAL, translator(lang)("console.password_user"), "all")
    if new is None:
        log.info("console: a login failed")
        assert session is not None
        return _page(request, "console/login.html", session, status=401, error="console.login_failed")
    log.info("console: %s logged in", new.sub)
    response = _redirect(f"/{lang}/console")
    write_session(request, response, new)
    return response


async def console_logout(request: Request) -> Response:
    lang = path_language(request)
    await _checked_form(request)
    response = _redirect(f"/{lang}/console")
    write_session(request, response, None)
    return response


def _logged_in(request: Request) -> ConsoleSession | None:
    session = read_session(request)
    return session if session is not None and session.logged_in else None


async def console_portals(request: Request) -> Response:
    lang = path_language(request)
    session = _logged_in(request)
    if session is None:
        return _redirect(f"/{lang}/console")
    portals = await read_portals(graph_reader(request))
    started = request.query_params.get("started")
    return _page(request, "console/portals.html", session, section="portals", portals=portals,
                 started=started if started in {p.id for p in portals} else None)


async def console_harvest(request: Request) -> Response:
    lang = path_language(request)
    session, form = await _checked_form(request)
    portals = {p.id: p for p in await read_portals(graph_reader(request), runs=1)}
    portal = portals.get(form.get("portal", ""))
    if portal is None or not portal.url:
        raise HTTPException(404)
    await run_in_threadpool(start_harvest, request.app.state.settings, portal.id)
    log.info("console: %s started a harvest of %s", session.sub, portal.id)
    return _redirect(f"/{lang}/console/portals?started={portal.id}")


async def console_links(request: Request) -> Response:
    lang = path_language(request)
    session = _logged_in(request)
    if session is None:
        return _redirect(f"/{lang}/console")
    status = request.query_params.get("status", "suggested")
    status = status if status in LINK_STATUSES else "suggested"
    raw_page = request.query_params.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 10_000 else 1
    reader = graph_reader(request)
    queue = await read_link_queue(reader, status=status, offset=(page - 1) * LINKS_PER_PAGE, limit=LINKS_PER_PAGE)
    events = [e for stage in await read_home_page(reader) for e in stage.events]
    unique_events = list({e.id: e for e in events}.values())
    done = request.query_params.get("done")
    return _page(
        request, "console/links.html", session, section="links", queue=queue, link_status=status,
        statuses=LINK_STATUSES, page=page, pages=max(1, -(-queue.total // LINKS_PER_PAGE)), events=unique_events,
        done=done if done in ("approve", "reject", "add", "denied", "missing") else None,
    )


async def _principal(request: Request, session: ConsoleSession) -> ApiToken | None:
    if session.sub == PASSWORD_PRINCIPAL:
        return ApiToken(id=PASSWORD_PRINCIPAL, name=session.name, scope=Scope("all"), created_at="")
    assert session.sub is not None
    return await read_active_token(graph_reader(request), session.sub)


async def console_review(request: Request) -> Response:
    lang = path_language(request)
    session, form = await _checked_form(request)
    action = form.get("action", "")
    if action not in REVIEW_ACTIONS:
        raise HTTPException(400)
    principal = await _principal(request, session)
    if principal is None:  # the token was revoked since login
        response = _redirect(f"/{lang}/console")
        write_session(request, response, None)
        return response
    settings = request.app.state.settings
    back = form.get("status", "suggested")
    back = back if back in LINK_STATUSES else "suggested"
    try:
        review = await review_dataset_link(
            request.app.state.driver, principal, action=action, dataset_id=form.get("dataset", "").strip(),
            event_id=form.get("event", "").strip(), timeout=settings.query_timeout, database=settings.neo4j_database,
        )
        cache = getattr(request.app.state, "planning_cache", None)
        if cache is not None:
            cache.forget_datasets()  # this process's journeys show the change at once
        await refresh_after_link_change(app_search_index(request), graph_reader(request), review.link.dataset_id)
        done = action
    except AccessDenied:
        done = "denied"
    except NotFound:
        done = "missing"
    return _redirect(f"/{lang}/console/links?status={back}&done={done}")


async def console_coverage(request: Request) -> Response:
    lang = path_language(request)
    session = _logged_in(request)
    if session is None:
        return _redirect(f"/{lang}/console")
    t = translator(lang)
    stages = await read_coverage(graph_reader(request))
    series = [t("console.coverage.services"), t("console.coverage.datasets")]
    chart = bar_chart(
        [(s.stage_name.get(lang), [s.services, s.datasets]) for s in stages], series,
        title=t("console.coverage.chart_title"), description=t("console.coverage.chart_desc"), ident="coverage",
    )
    empty = sorted({e.event_id: e for s in stages for e in s.events if e.approved == 0}.values(),
                   key=lambda e: e.event_id)
    index = app_search_index(request)
    zero = await run_in_threadpool(index.zero_result_report, 15) if index is not None else None
    return _page(request, "console/coverage.html", session, section="coverage", stages=stages, chart=chart,
                 empty=empty, zero=zero)


def console_routes() -> list[BaseRoute]:
    get = ["GET", "HEAD"]
    return [
        Route("/console", console_root, methods=get),
        Route("/{lang:lang}/console", console_home, methods=get),
        Route("/{lang:lang}/console/login", console_login, methods=["POST"]),
        Route("/{lang:lang}/console/logout", console_logout, methods=["POST"]),
        Route("/{lang:lang}/console/portals", console_portals, methods=get),
        Route("/{lang:lang}/console/harvests", console_harvest, methods=["POST"]),
        Route("/{lang:lang}/console/links", console_links, methods=get),
        Route("/{lang:lang}/console/links", console_review, methods=["POST"]),
        Route("/{lang:lang}/console/coverage", console_coverage, methods=get),
    ]
