"""The pages in a real browser: Debian's Chromium driven by Playwright against the app on a loopback uvicorn.

Covers the road → stage → event → service path, the journey in both languages (and with JavaScript off), search
with a facet, elder mode, an officer approving a link, harvested payloads that must stay text, the profile kept out
of URLs and logs, axe-core (WCAG 2.1 A and AA rules) on every page type in both languages, and screenshots at desktop
and mobile sizes written to ``test-artifacts/screenshots/`` for review.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from starlette.applications import Starlette

from navigator.app import create_app
from navigator.console_session import ConsoleConfig
from navigator.search import open_index
from navigator.settings import PROJECT_ROOT, Settings
from tests.pages_support import (
    XSS_DATASET,
    XSS_TITLE,
    add_page_datasets,
    demo_search_documents,
    remove_page_datasets,
    serve_app,
)

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
PASSWORD = "a data officer's passphrase"
LANGS = ("zh", "en")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup --test)"
)


@pytest.fixture(scope="module")
def app(test_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Starlette:
    index_dir = tmp_path_factory.mktemp("browser-index")
    open_index(index_dir).rebuild(demo_search_documents())
    settings = dataclasses.replace(test_settings, index_dir=index_dir, var_dir=tmp_path_factory.mktemp("browser-var"))
    app = create_app(settings)
    app.state.console_config = ConsoleConfig(
        secret=b"b" * 32, password_hash=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    )
    return app


@pytest.fixture(scope="module")
def base_url(app: Starlette, driver: neo4j.Driver) -> Iterator[str]:
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def open_data(demo_graph: neo4j.Driver) -> Iterator[neo4j.Driver]:
    add_page_datasets(demo_graph)
    try:
        yield demo_graph
    finally:
        remove_page_datasets(demo_graph)


@dataclasses.dataclass
class Visit:
    """A browser context on the app that records every request URL and every dialog."""

    context: BrowserContext
    page: Page
    base_url: str
    requests: list[str] = dataclasses.field(default_factory=list)
    dialogs: list[str] = dataclasses.field(default_factory=list)

    def go(self, path: str) -> Page:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, (path, response and response.status)
        return self.page


@pytest.fixture
def visit(browser: Browser, base_url: str, open_data: neo4j.Driver) -> Iterator[Visit]:
    yield from _visit(browser, base_url)


def _visit(browser: Browser, base_url: str, **options: Any) -> Iterator[Visit]:
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True, **options)
    page = context.new_page()
    visit = Visit(context, page, base_url)
    page.on("request", lambda request: visit.requests.append(request.url))

    def on_dialog(dialog: Any) -> None:
        visit.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield visit
    finally:
        context.close()


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size_name, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{size_name}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]


# --- the road -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_road_to_stage_to_event_to_service(visit: Visit, lang: str) -> None:
    names = {"zh": ("出生", "生育", "新生儿出生登记（入户）"), "en": ("Birth", "Having a baby",
                                                           "Household registration of a newborn")}[lang]
    page = visit.go(f"/{lang}/")
    page.get_by_role("link", name=re.compile("^" + re.escape(names[0]))).first.click()
    expect(page).to_have_url(re.compile(f"/{lang}/stages/birth$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(names[0])
    page.get_by_role("link", name=names[1], exact=True).first.click()
    expect(page).to_have_url(re.compile(f"/{lang}/events/having-a-baby$"))
    page.get_by_role("link", name=names[2], exact=True).click()
    expect(page).to_have_url(re.compile(f"/{lang}/services/newborn-household-registration$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(names[2])


def test_the_stops_of_the_road_are_reached_with_the_keyboard(visit: Visit) -> None:
    page = visit.go("/en/")
    stops: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href')") or ""
        if href.startswith("/en/stages/"):
            stops.append(href)
            if len(stops) == 2:
                break
    assert stops == ["/en/stages/birth", "/en/stages/early-childhood"]
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/en/stages/early-childhood$"))


# --- my journey ----------------------------------------------------------------------------------------------------

PROFILE_DATE = "1979-03-17"


def _fill_journey(page: Page, lang: str) -> None:
    labels = {"zh": ("您的出生日期", "子女的年龄"), "en": ("Your date of birth", "Ages of your children")}[lang]
    page.get_by_label(labels[0]).fill(PROFILE_DATE)
    page.get_by_label(labels[1]).fill("0, 13")
    page.locator("input[name=documents]").first.check()
    page.locator("select[name=region]").select_option("demo-city")
    page.locator("input[name=partner][value=yes]").check()
    page.locator("form.journey-form button[type=submit]").click()


@pytest.mark.parametrize("lang", LANGS)
def test_the_journey_form_leads_to_the_result(visit: Visit, lang: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    page = visit.go(f"/{lang}/journey")
    shoot(page, f"journey-form-{lang}")
    _fill_journey(page, lang)
    expect(page).to_have_url(re.compile(f"/{lang}/journey$"))
    stages = page.locator(".journey-stage")
    expect(stages.first).to_be_visible()
    assert stages.count() >= 3
    assert page.locator(".parallel").first.locator(".step").count() >= 1
    assert max(page.locator(".parallel").nth(i).locator(".step").count() for i in range(stages.count())) >= 2
    assert page.locator(".checklist input[type=checkbox]").count() >= 1
    page.locator(".checklist input[type=checkbox]").first.check()
    shoot(page, f"journey-result-{lang}")
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    page.emulate_media(media="screen")
    # The profile stays out of every URL the browser asked for, and out of the server's logs.
    assert [u for u in visit.requests if "1979" in u or "0%2C" in u or "0, 13" in u or "partner" in u] == []
    assert "1979" not in page.url
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert PROFILE_DATE not in logged and "0, 13" not in logged and "0%2C+13" not in logged
    assert visit.context.cookies() == []


def test_the_whole_journey_works_without_javascript(browser: Browser, base_url: str, open_data: neo4j.Driver) -> None:
    for visit in _visit(browser, base_url, java_script_enabled=False):
        page = visit.go("/en/")
        page.get_by_role("link", name="Plan my journey").click()
        _fill_journey(page, "en")
        expect(page.locator(".journey-stage").first).to_be_visible()
        page.get_by_role("link", name="Household registration of a newborn").first.click()
        expect(page).to_have_url(re.compile("/en/services/newborn-household-registration$"))
        page.get_by_role("button", name="Larger text").click()
        expect(page.locator("html")).to_have_class("elder")


# --- search, elder mode -----------------------------------------------------------------------------------------------


def test_search_with_a_facet(visit: Visit) -> None:
    page = visit.go("/en/")
    page.get_by_label("Search services, life events and open data").fill("birth certificate")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/en/search\?q=birth\+certificate"))
    hits = page.locator(".hit")
    expect(hits.first).to_be_visible()
    shoot(page, "search-en")
    page.locator(".facet").first.get_by_role("link", name=re.compile("^Service")).click()
    expect(page).to_have_url(re.compile("kind=service"))
    badges = page.locator(".hit .kind-badge").all_text_contents()
    assert badges and set(badges) == {"Service"}
    expect(page.locator(".active-filters a")).to_have_count(1)


def test_elder_mode_is_remembered_without_tracking(visit: Visit) -> None:
    page = visit.go("/zh/events/having-a-baby")
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    with page.expect_navigation():
        page.get_by_role("button", name="大字模式").click()
    expect(page).to_have_url(re.compile("/zh/events/having-a-baby$"))
    expect(page.locator("html")).to_have_class("elder")
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= size * 1.2
    assert [(c["name"], c["value"]) for c in visit.context.cookies()] == [("mode", "elder")]
    shoot(page, "event-zh-elder")
    visit.go("/en/services/newborn-household-registration")
    expect(page.locator("html")).to_have_class("elder")
    with page.expect_navigation():
        page.get_by_role("button", name="Standard view").click()
    expect(page.locator("html")).not_to_have_class("elder")
    assert visit.context.cookies() == []


# --- harvested text, the console ----------------------------------------------------------------------------------


def test_payloads_in_a_dataset_stay_text_and_fire_nothing(visit: Visit) -> None:
    page = visit.go(f"/en/datasets/{XSS_DATASET}")
    expect(page.get_by_role("heading", level=1)).to_have_text(XSS_TITLE)
    expect(page.get_by_text("<img src=x onerror=alert(1)>", exact=False).first).to_be_visible()
    assert page.locator("img").count() == 0
    shoot(page, "dataset-en")
    visit.go(f"/zh/datasets/{XSS_DATASET}")
    visit.go(f"/en/search?q={XSS_DATASET}")
    assert visit.dialogs == []


def test_an_officer_approves_a_link_and_the_dataset_shows_on_the_event_page(visit: Visit) -> None:
    page = visit.go("/en/events/having-a-baby")
    assert page.get_by_role("link", name=XSS_TITLE).count() == 0
    visit.go("/console")
    expect(page).to_have_url(re.compile("/console$"))
    page.get_by_label("Console password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Link review").first.click()
    shoot(page, "console-links-en")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=XSS_TITLE))
    row.get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.get_by_role("status")).to_be_visible()
    page.get_by_role("link", name="Coverage").first.click()
    expect(page.locator("svg.chart")).to_be_visible()
    shoot(page, "console-coverage-en")
    visit.go("/en/events/having-a-baby")
    expect(page.get_by_role("link", name=XSS_TITLE)).to_be_visible()
    assert visit.dialogs == []


# --- accessibility and screenshots of every page type -----------------------------------------------------------

PAGE_TYPES = {
    "home": "/{lang}/",
    "stage": "/{lang}/stages/birth",
    "event": "/{lang}/events/having-a-baby",
    "service": "/{lang}/services/newborn-household-registration",
    "bundle": "/{lang}/bundles/newborn-bundle",
    "dataset": f"/{{lang}}/datasets/{XSS_DATASET}",
    "search": "/{lang}/search?q=birth",
    "journey-form": "/{lang}/journey",
    "console-login": "/{lang}/console",
}


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_no_violation_on_any_page_type(visit: Visit, lang: str) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    for name, template in PAGE_TYPES.items():
        page = visit.go(template.format(lang=lang))
        found[name] = axe_violations(page)
        if name in ("home", "event", "service", "stage"):
            shoot(page, f"{name}-{lang}")
    page = visit.page
    page.goto(f"{visit.base_url}/{lang}/no-such-page")
    found["error"] = axe_violations(page)
    visit.go(f"/{lang}/journey")
    _fill_journey(page, lang)
    found["journey-result"] = axe_violations(page)
    visit.go(f"/{lang}/console")
    page.locator("#password").fill(PASSWORD)
    page.locator("form.journey-form button[type=submit]").click()
    found["console-home"] = axe_violations(page)
    for section in ("portals", "links", "coverage"):
        visit.go(f"/{lang}/console/{section}")
        found[f"console-{section}"] = axe_violations(page)
    visit.go(f"/{lang}/events/having-a-baby")
    with page.expect_navigation():
        page.locator("form.mode button").click()
    found["event-elder"] = axe_violations(page)
    assert {name: v for name, v in found.items() if v} == {}
