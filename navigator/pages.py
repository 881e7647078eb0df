"""The citizens' pages: the road of life, stages, life events, services, bundles and datasets, in zh and en.

Every page is server-rendered HTML without JavaScript, in the language of its URL prefix (``/zh/…``, ``/en/…``).
:func:`page_routes` lists every route of the pages (citizens' and the data officers' console) for the app;
:func:`page_middleware` and :func:`page_exception_handlers` give the security headers and the one error page.

Elder-friendly mode is remembered in a cookie ``mode=elder``: the value is the whole cookie, the same for everyone who
chose it, so it identifies no one; it is set only when a person asks for the mode and removed when they leave it.
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from graph.reads_dataset_pages import read_dataset_page
from graph.reads_pages import read_bundle_page, read_event_page, read_home_page, read_service_page, read_stage_page
from navigator.i18n import language_from_header
from navigator.jsonld import dataset_jsonld, service_jsonld
from navigator.page_errors import page_exception_handlers
from navigator.page_requests import graph_reader, local_path, path_ident, path_language, register_language
from navigator.pages_console import console_routes
from navigator.pages_journey import journey_routes
from navigator.pages_render import ELDER_COOKIE, SECURITY_HEADERS, render
from navigator.pages_search import search_routes
from navigator.security_headers import SecurityHeadersMiddleware

__all__ = ["page_exception_handlers", "page_middleware", "page_routes"]

STATIC_DIR = Path(__file__).resolve().parent / "static" / "pages"
ELDER_COOKIE_SECONDS = 365 * 24 * 3600


def _absolute(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


async def root(request: Request) -> Response:
    lang = language_from_header(request.headers.get("accept-language"))
    return RedirectResponse(f"/{lang}/", status_code=307, headers={"Vary": "Accept-Language", **SECURITY_HEADERS})


async def home(request: Request) -> Response:
    path_language(request)
    stages = await read_home_page(graph_reader(request))
    return render(request, "home.html", section="home", stages=stages)


async def stage(request: Request) -> Response:
    path_language(request)
    view = await read_stage_page(graph_reader(request), path_ident(request))
    if view is None:
        raise HTTPException(404)
    return render(request, "stage.html", view=view)


async def event(request: Request) -> Response:
    path_language(request)
    view = await read_event_page(graph_reader(request), path_ident(request))
    if view is None:
        raise HTTPException(404)
    return render(request, "event.html", view=view)


async def service(request: Request) -> Response:
    lang = path_language(request)
    view = await read_service_page(graph_reader(request), path_ident(request))
    if view is None:
        raise HTTPException(404)
    return render(request, "service.html", view=view, structured_data=service_jsonld(view, lang, _absolute(request)))


async def bundle(request: Request) -> Response:
    path_language(request)
    view = await read_bundle_page(graph_reader(request), path_ident(request))
    if view is None:
        raise HTTPException(404)
    return render(request, "bundle.html", view=view)


async def dataset(request: Request) -> Response:
    lang = path_language(request)
    view = await read_dataset_page(graph_reader(request), path_ident(request))
    if view is None:
        raise HTTPException(404)
    return render(request, "dataset.html", view=view, structured_data=dataset_jsonld(view, lang, _absolute(request)))


async def switch_mode(request: Request) -> Response:
    """Turn elder-friendly mode on or off and go back to the page the person was on."""
    lang = path_language(request)
    form = await request.form()
    response = RedirectResponse(local_path(form.get("next"), lang), status_code=303, headers=dict(SECURITY_HEADERS))
    if form.get("mode") == "elder":
        response.set_cookie(ELDER_COOKIE, "elder", max_age=ELDER_COOKIE_SECONDS, path="/", httponly=True,
                            samesite="lax", secure=request.url.scheme == "https")
    else:
        response.delete_cookie(ELDER_COOKIE, path="/", httponly=True, samesite="lax")
    return response


def citizen_routes() -> list[BaseRoute]:
    return [
        Route("/{lang:lang}/", home, methods=["GET", "HEAD"]),
        Route("/{lang:lang}/stages/{id}", stage, methods=["GET", "HEAD"]),
        Route("/{lang:lang}/events/{id}", event, methods=["GET", "HEAD"]),
        Route("/{lang:lang}/services/{id}", service, methods=["GET", "HEAD"]),
        Route("/{lang:lang}/bundles/{id}", bundle, methods=["GET", "HEAD"]),
        Route("/{lang:lang}/datasets/{id:path}", dataset, methods=["GET", "HEAD"]),
        Route("/{lang:lang}/mode", switch_mode, methods=["POST"]),
        *journey_routes(),
        *search_routes(),
    ]


def page_routes() -> list[BaseRoute]:
    """Every route of the pages, for ``Starlette(routes=[..., *page_routes()])``: put them after the API's."""
    register_language()
    return [
        Route("/", root, methods=["GET", "HEAD"]),
        Mount("/static/pages", app=StaticFiles(directory=STATIC_DIR), name="page_static"),
        *console_routes(),
        *citizen_routes(),
    ]


def page_middleware() -> list[Middleware]:
    """For ``Starlette(middleware=…)``: the security headers on every response."""
    return [Middleware(SecurityHeadersMiddleware)]
