"""The pages' behaviour that needs no graph: errors while Neo4j is away, headers, redirects, elder mode, CSRF.

The app runs in-process (httpx's ASGI transport, lifespan included) with a Neo4j address where nothing listens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
import pytest

from navigator.app import create_app
from navigator.pages_render import CONTENT_SECURITY_POLICY
from navigator.settings import Settings
from tests.pages_support import free_port, parse_page

T = TypeVar("T")


def on_app(scenario: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    async def run() -> T:
        settings = Settings(neo4j_uri=f"bolt://127.0.0.1:{free_port()}", connect_timeout=1.0, query_timeout=1.0)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                return await scenario(http)

    return asyncio.run(run())


def get(path: str, **headers: str) -> httpx.Response:
    async def scenario(http: httpx.AsyncClient) -> httpx.Response:
        return await http.get(path, headers=headers)

    return on_app(scenario)


@pytest.mark.parametrize(
    ("path", "lang"), [("/en/", "en"), ("/zh/events/having-a-baby", "zh-CN"), ("/en/journey", "en")]
)
def test_neo4j_away_is_the_error_page_with_503_and_retry_after(path: str, lang: str) -> None:
    response = get(path)
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page = parse_page(response.text)
    assert page.lang == lang and len(page.h1) == 1 and "503" in page.text


def test_an_unknown_language_is_a_404_in_the_browsers_language() -> None:
    response = get("/fr/stages/birth", **{"accept-language": "en-GB"})
    assert response.status_code == 404
    assert parse_page(response.text).lang == "en"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_the_stylesheet_is_served_with_the_headers() -> None:
    response = get("/static/pages/site.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "@media print" in response.text


def test_console_redirects_to_its_language() -> None:
    response = get("/console", **{"accept-language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 303 and response.headers["location"] == "/zh/console"


def test_elder_mode_needs_no_graph() -> None:
    async def scenario(http: httpx.AsyncClient) -> httpx.Response:
        return await http.post("/zh/mode", data={"mode": "elder", "next": "/zh/search?q=x"})

    response = on_app(scenario)
    assert response.status_code == 303 and response.headers["location"] == "/zh/search?q=x"
    assert response.headers["set-cookie"].startswith("mode=elder;")


def test_a_console_form_without_its_csrf_token_is_refused() -> None:
    async def scenario(http: httpx.AsyncClient) -> list[int]:
        login = await http.post("/en/console/login", data={"password": "x"})
        logout = await http.post("/en/console/logout", data={"csrf": "forged-token-forged-token"})
        review = await http.post("/en/console/links", data={"action": "approve", "dataset": "a:b", "event": "c"})
        return [login.status_code, logout.status_code, review.status_code]

    assert on_app(scenario) == [403, 403, 403]
