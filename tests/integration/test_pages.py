"""The citizens' pages and the console against the real Neo4j with the demo catalog: status, headers and structure.

Pages are fetched through the whole app (middleware, exception handlers) and parsed with ``html.parser``; the tests
check landmarks, headings, the ``lang`` attribute, links, forms and JSON-LD rather than strings.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import neo4j
import psutil
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

from graph.access import Scope, create_token, revoke_token
from graph.portals import register_portal
from graph.reads_console import PortalView, read_portals
from graph.session import GraphReader
from navigator.app import create_app
from navigator.console_session import ConsoleConfig
from navigator.pages_render import CONTENT_SECURITY_POLICY
from navigator.search import open_index
from navigator.settings import Settings
from tests.ckan_server import CkanServer
from tests.pages_support import (
    APPROVED_DATASET,
    TEST_PORTAL,
    XSS_DATASET,
    XSS_TITLE,
    Page,
    add_page_datasets,
    ckan_package,
    demo_search_documents,
    parse_page,
    remove_page_datasets,
    serve_app,
)

LANGS = ("zh", "en")
PAGES = {
    "home": "/{lang}/",
    "stage": "/{lang}/stages/birth",
    "event": "/{lang}/events/having-a-baby",
    "service": "/{lang}/services/newborn-household-registration",
    "bundle": "/{lang}/bundles/newborn-bundle",
    "journey": "/{lang}/journey",
    "search": "/{lang}/search?q=birth",
}
PASSWORD = "officer's long passphrase"
MAX_PAGE_BYTES = 60_000


@pytest.fixture(scope="module")
def page_settings(test_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    index_dir = tmp_path_factory.mktemp("page-index")
    open_index(index_dir).rebuild(demo_search_documents())
    return dataclasses.replace(test_settings, index_dir=index_dir, var_dir=tmp_path_factory.mktemp("page-var"),
                               harvest_allow_private=True)


@pytest.fixture(scope="module")
def app(page_settings: Settings) -> Starlette:
    app = create_app(page_settings)
    app.state.console_config = ConsoleConfig(
        secret=b"s" * 32, password_hash=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    )
    return app


@pytest.fixture(scope="module")
def base_url(app: Starlette, driver: neo4j.Driver) -> Iterator[str]:
    with serve_app(app) as url:
        yield url


@pytest.fixture
def client(base_url: str, demo_graph: neo4j.Driver) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=30) as http:
        yield http


def get_page(client: httpx.Client, path: str, status: int = 200) -> Page:
    response = client.get(path)
    assert response.status_code == status, (path, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    return parse_page(response.text)


def assert_well_formed(page: Page, lang: str) -> None:
    assert page.lang == {"zh": "zh-CN", "en": "en"}[lang]
    assert {"banner", "navigation", "main", "contentinfo"} <= set(page.landmarks)
    assert page.landmarks.count("main") == 1
    assert len(page.h1) == 1 and page.h1[0]
    levels = [level for level, _ in page.headings]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), page.headings
    assert page.title
    assert page.stylesheets[0] == "/static/pages/site.css"
    assert [s.attrs.get("type") for s in page.scripts if s.attrs.get("type") != "application/ld+json"] == []
    assert page.inline_styles == 0 and page.event_handlers == 0
    assert [i for i, n in page.ids.items() if n > 1] == []
    fields = [i for i in page.inputs if i.tag in ("input", "select", "textarea") and i.attrs.get("type") != "hidden"
              and i.attrs.get("type") != "submit"]
    assert [f.attrs for f in fields if not (f.labelled or f.attrs.get("id") in page.labels_for)] == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_every_page_type_is_well_formed_in_both_languages(client: httpx.Client, kind: str, lang: str) -> None:
    path = PAGES[kind].format(lang=lang)
    page = get_page(client, path)
    assert_well_formed(page, lang)
    other = "en" if lang == "zh" else "zh"
    switch = [a for a in page.links if a.attrs.get("hreflang") == {"zh": "zh-CN", "en": "en"}[other]]
    assert len(switch) == 1 and switch[0].attrs["href"] == f"/{other}/" + path.split("/", 2)[2]


def test_the_road_has_every_stage_as_a_named_link_in_order(client: httpx.Client) -> None:
    page = get_page(client, "/en/")
    stops = page.link_to("/en/stages/")
    assert [a.attrs["href"].rsplit("/", 1)[1] for a in stops][:3] == ["birth", "early-childhood", "schooling"]
    assert len(stops) == 10 and all(a.text for a in stops)
    assert [f.attrs for f in page.forms if f.attrs.get("role") == "search"] == [
        {"class": "search-box", "role": "search", "method": "get", "action": "/en/search"}]


def test_road_stage_event_service_are_linked(client: httpx.Client) -> None:
    stage = get_page(client, "/zh/stages/birth")
    assert "/zh/events/having-a-baby" in {a.attrs["href"] for a in stage.links}
    event = get_page(client, "/zh/events/having-a-baby")
    services = {a.attrs["href"] for a in event.link_to("/zh/services/")}
    assert "/zh/services/newborn-household-registration" in services and len(services) >= 5
    assert "/zh/bundles/newborn-bundle" in {a.attrs["href"] for a in event.links}


def test_a_service_page_carries_government_service_json_ld(client: httpx.Client) -> None:
    page = get_page(client, "/en/services/newborn-household-registration")
    (script,) = page.scripts
    assert script.attrs["type"] == "application/ld+json"
    data = json.loads(script.text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "GovernmentService"
    assert data["name"] == "Household registration of a newborn"
    assert data["identifier"] == "newborn-household-registration"
    assert data["provider"]["@type"] == "GovernmentOrganization"
    assert data["offers"] == {"@type": "Offer", "price": "0", "priceCurrency": "CNY"}
    assert data["url"] == f"{client.base_url}/en/services/newborn-household-registration"


@pytest.mark.parametrize(("path", "lang"), [("/zh/services/nope", "zh"), ("/en/events/nope", "en"),
                                            ("/fr/", "zh"), ("/nothing-here", "zh"), ("/en/stages/x", "en")])
def test_not_found_is_the_one_error_page_in_the_page_language(client: httpx.Client, path: str, lang: str) -> None:
    page = get_page(client, path, status=404)
    assert_well_formed(page, lang)
    assert "404" in page.text


def test_a_wrong_method_is_the_error_page_too(client: httpx.Client) -> None:
    response = client.post("/en/stages/birth")
    assert response.status_code == 405
    assert parse_page(response.text).lang == "en"


def test_the_root_sends_each_browser_to_its_language(client: httpx.Client) -> None:
    assert client.get("/", headers={"accept-language": "en-US,en;q=0.9"}).headers["location"] == "/en/"
    assert client.get("/", headers={"accept-language": "zh-CN"}).headers["location"] == "/zh/"


def test_pages_are_small(client: httpx.Client) -> None:
    css = len(client.get("/static/pages/site.css").content)
    for kind, path in PAGES.items():
        for lang in LANGS:
            html = len(client.get(path.format(lang=lang)).content)
            assert html + css <= MAX_PAGE_BYTES, (kind, lang, html, css)


# --- my journey -------------------------------------------------------------------------------------------------------

PROFILE = {"age": "31", "region": "demo-city", "partner": "yes", "children": "0", "situation": "employed",
           "documents": ["id-card", "household-register-booklet"]}


@pytest.mark.parametrize("lang", LANGS)
def test_the_journey_form_posts_to_a_result_with_ordered_steps(client: httpx.Client, lang: str) -> None:
    form = get_page(client, f"/{lang}/journey")
    (journey_form,) = [f for f in form.forms if f.attrs.get("action") == f"/{lang}/journey"]
    assert journey_form.attrs["method"] == "post"
    response = client.post(f"/{lang}/journey", data=PROFILE)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    page = parse_page(response.text)
    assert_well_formed(page, lang)
    stages = [text for level, text in page.headings if level == 3]
    assert len(stages) >= 3
    services = [a.attrs["href"] for a in page.link_to(f"/{lang}/services/")]
    birth = services.index(f"/{lang}/services/birth-medical-certificate-issue")
    registration = services.index(f"/{lang}/services/newborn-household-registration")
    assert birth < registration
    checkboxes = [i for i in page.inputs if i.attrs.get("type") == "checkbox"]
    assert checkboxes and all(c.attrs["id"] in page.labels_for for c in checkboxes)


def test_a_bad_answer_shows_the_form_again_with_the_error(client: httpx.Client) -> None:
    response = client.post("/zh/journey", data={"age": "two hundred"})
    assert response.status_code == 400
    page = parse_page(response.text)
    assert_well_formed(page, "zh")
    (age,) = [i for i in page.inputs if i.attrs.get("id") == "age"]
    assert age.attrs["aria-invalid"] == "true" and age.attrs["aria-describedby"] == "age-error"
    assert "age-error" in page.ids


def test_the_profile_is_not_logged(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = {"age": "47", "children": "13, 11", "birth_date": "1979-03-17", "documents": ["id-card"]}
    response = client.post("/en/journey", data=secret)
    assert response.status_code == 200
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for value in ("1979-03-17", "13, 11", "13,%2011"):
        assert value not in logged


# --- elder mode -------------------------------------------------------------------------------------------------------


def test_elder_mode_is_a_cookie_without_an_identifier(client: httpx.Client) -> None:
    response = client.post("/en/mode", data={"mode": "elder", "next": "/en/stages/birth"})
    assert response.status_code == 303 and response.headers["location"] == "/en/stages/birth"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("mode=elder;") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = get_page(client, "/en/stages/birth")
    assert page.html_attrs.get("class") == "elder"
    assert "/static/pages/elder.css" in page.stylesheets
    response = client.post("/en/mode", data={"mode": "standard", "next": "/en/"})
    assert 'mode=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/zh/", "/en/\\evil", ""])
def test_mode_switch_goes_only_back_to_our_pages(client: httpx.Client, target: str) -> None:
    response = client.post("/en/mode", data={"mode": "elder", "next": target})
    assert response.headers["location"] == "/en/"


# --- search -----------------------------------------------------------------------------------------------------------


def test_search_shows_hits_facets_and_filters(client: httpx.Client) -> None:
    page = get_page(client, "/en/search?q=birth+certificate")
    assert_well_formed(page, "en")
    hits = page.link_to("/en/services/") + page.link_to("/en/events/")
    assert hits
    facet_links = [a.attrs["href"] for a in page.link_to("/en/search?") if "kind=" in a.attrs["href"]]
    assert any("kind=service" in href for href in facet_links)
    filtered = get_page(client, "/en/search?q=birth+certificate&kind=service")
    assert filtered.link_to("/en/services/") and not filtered.link_to("/en/stages/")


def test_search_without_an_index_says_so(client: httpx.Client, app: Starlette, tmp_path: Path) -> None:
    state = app.state
    saved = {name: getattr(state, name, None) for name in ("search_index", "page_search_index", "settings")}
    state.search_index = state.page_search_index = None
    state.settings = dataclasses.replace(state.settings, index_dir=tmp_path / "none")
    try:
        response = client.get("/zh/search?q=x")
    finally:
        for name, value in saved.items():
            setattr(state, name, value)
    assert response.status_code == 503 and response.headers["retry-after"]
    assert_well_formed(parse_page(response.text), "zh")


# --- the console ------------------------------------------------------------------------------------------------------


def _csrf(page: Page) -> str:
    return next(i.attrs["value"] for i in page.inputs if i.attrs.get("name") == "csrf")


def login(client: httpx.Client, lang: str = "en") -> Page:
    page = get_page(client, f"/{lang}/console")
    response = client.post(f"/{lang}/console/login", data={"csrf": _csrf(page), "password": PASSWORD})
    assert response.status_code == 303, response.text[:300]
    return get_page(client, f"/{lang}/console")


def test_the_console_needs_a_login_with_a_csrf_token(client: httpx.Client) -> None:
    page = get_page(client, "/en/console")
    assert_well_formed(page, "en")
    assert client.post("/en/console/login", data={"password": PASSWORD}).status_code == 403
    assert client.get("/en/console/coverage").headers["location"] == "/en/console"
    response = client.post("/en/console/login", data={"csrf": _csrf(page), "password": "wrong"})
    assert response.status_code == 401


@pytest.mark.parametrize("lang", LANGS)
def test_a_logged_in_officer_sees_coverage_links_and_portals(client: httpx.Client, lang: str) -> None:
    home = login(client, lang)
    assert {f"/{lang}/console/portals", f"/{lang}/console/links", f"/{lang}/console/coverage"} <= {
        a.attrs["href"] for a in home.links}
    for section in ("portals", "links", "coverage"):
        assert_well_formed(get_page(client, f"/{lang}/console/{section}"), lang)
    coverage = client.get(f"/{lang}/console/coverage").text
    assert '<svg class="chart"' in coverage and 'role="img"' in coverage
    csrf = _csrf(get_page(client, f"/{lang}/console/links"))
    assert client.post(f"/{lang}/console/links", data={"action": "add", "dataset": "x:y", "event": "retiring"}
                       ).status_code == 403
    response = client.post(f"/{lang}/console/links", data={"csrf": csrf, "action": "add", "dataset": "x:y",
                                                           "event": "retiring"})
    assert response.headers["location"].endswith("done=missing")
    response = client.post(f"/{lang}/console/logout", data={"csrf": csrf})
    assert response.status_code == 303
    assert client.get(f"/{lang}/console/links").status_code == 303


# --- open data: escaping, approval ---------------------------------------------------------------------------------


@pytest.fixture
def open_data(demo_graph: neo4j.Driver) -> Iterator[neo4j.Driver]:
    add_page_datasets(demo_graph)
    try:
        yield demo_graph
    finally:
        remove_page_datasets(demo_graph)


@pytest.mark.parametrize("lang", LANGS)
def test_harvested_payloads_render_as_text(client: httpx.Client, open_data: neo4j.Driver, lang: str) -> None:
    response = client.get(f"/{lang}/datasets/{XSS_DATASET}")
    page = get_page(client, f"/{lang}/datasets/{XSS_DATASET}")
    assert_well_formed(page, lang)
    assert "<script>alert" not in response.text and "<img src=x" not in response.text and "<b>" not in response.text
    assert page.h1 == ([XSS_TITLE] if lang == "en" else ["分区出生人数<script>alert(1)</script>"])
    assert "<img src=x onerror=alert(1)>" in page.text
    hrefs = [a.attrs.get("href", "") for a in page.links]
    assert not [h for h in hrefs if not h.startswith(("/", "#", "https://", "http://"))]
    assert "https://data.example.org/births.json" in hrefs
    (script,) = page.scripts
    data = json.loads(script.text)
    assert data["@type"] == "Dataset" and data["identifier"] == "births-xss"
    assert data["name"] == page.h1[0]
    assert "javascript:" not in script.text
    assert [d["contentUrl"] for d in data["distribution"] if "contentUrl" in d] == [
        "https://data.example.org/births.json"]


def test_only_approved_datasets_show_until_an_officer_approves(client: httpx.Client, open_data: neo4j.Driver) -> None:
    event = get_page(client, "/en/events/having-a-baby")
    datasets = {a.attrs["href"] for a in event.link_to("/en/datasets/")}
    assert datasets == {f"/en/datasets/{APPROVED_DATASET}"}
    login(client)
    queue = get_page(client, "/en/console/links")
    assert_well_formed(queue, "en")
    assert f"/en/datasets/{XSS_DATASET}" in {a.attrs["href"] for a in queue.links}
    response = client.post("/en/console/links", data={
        "csrf": _csrf(queue), "action": "approve", "dataset": XSS_DATASET, "event": "having-a-baby"})
    assert response.status_code == 303 and response.headers["location"].endswith("done=approve")
    event = get_page(client, "/en/events/having-a-baby")
    assert f"/en/datasets/{XSS_DATASET}" in {a.attrs["href"] for a in event.link_to("/en/datasets/")}
    records, _, _ = open_data.execute_query(
        "MATCH (c:ChangeRecord {datasetId: $id}) RETURN c.tokenId AS who, c.action AS action", id=XSS_DATASET)
    assert [(r["who"], r["action"]) for r in records] == [("console-password", "approve")]


def test_the_portals_page_shows_runs_and_rejections(client: httpx.Client, open_data: neo4j.Driver) -> None:
    login(client, "zh")
    page = get_page(client, "/zh/console/portals")
    assert_well_formed(page, "zh")
    assert "no <b>title</b>" in page.text and "Test <b>Portal</b>" in page.text
    forms = [f for f in page.forms if f.attrs.get("action") == "/zh/console/harvests"]
    assert len(forms) == 1 and forms[0].attrs["method"] == "post"


def test_the_journey_lists_approved_datasets(client: httpx.Client, open_data: neo4j.Driver) -> None:
    response = client.post("/en/journey", data={"events": ["having-a-baby"]})
    page = parse_page(response.text)
    assert {a.attrs["href"] for a in page.link_to("/en/datasets/")} == {f"/en/datasets/{APPROVED_DATASET}"}


def test_an_officer_starts_a_harvest_of_a_registered_portal(
    client: httpx.Client, page_settings: Settings, demo_graph: neo4j.Driver
) -> None:
    packages = [ckan_package("births-2025", "Births registered in 2025"),
                ckan_package("clinics", "Vaccination clinics for newborns")]
    with CkanServer(packages, site_title="Page test portal") as server:
        register_portal(demo_graph, TEST_PORTAL, server.url, "en")
        try:
            login(client)
            portals = get_page(client, "/en/console/portals")
            response = client.post("/en/console/harvests", data={"csrf": _csrf(portals), "portal": TEST_PORTAL})
            assert response.status_code == 303
            assert response.headers["location"] == f"/en/console/portals?started={TEST_PORTAL}"
            deadline = time.monotonic() + 120
            while True:
                runs = [r for p in asyncio.run(_portals(page_settings)) if p.id == TEST_PORTAL for r in p.runs]
                if runs and runs[0].status != "running":
                    break
                assert time.monotonic() < deadline, "the harvest did not finish"
                time.sleep(0.5)
            assert runs[0].status == "succeeded" and runs[0].counts["new"] == 2
            _wait_for_harvest_to_exit(deadline)
            page = get_page(client, "/en/console/portals")
            assert "Page test portal" in page.text
        finally:
            remove_page_datasets(demo_graph)


def _wait_for_harvest_to_exit(deadline: float) -> None:
    """The run is stored before the harvest links the datasets: wait for the process itself to end."""
    command = ["-m", "navigator", "harvest", TEST_PORTAL]
    while any(p.info["cmdline"] and p.info["cmdline"][-4:] == command and p.status() != psutil.STATUS_ZOMBIE
              for p in psutil.process_iter(["cmdline"])):
        assert time.monotonic() < deadline, "the harvest process did not end"
        time.sleep(0.2)


async def _portals(settings: Settings) -> tuple[PortalView, ...]:
    async with neo4j.AsyncGraphDatabase.driver(settings.bolt_uri, auth=("neo4j", "")) as driver:
        return await read_portals(GraphReader(driver, 5.0))


def test_an_api_token_logs_in_its_scope_limits_changes_and_revoking_it_logs_out(
    client: httpx.Client, open_data: neo4j.Driver
) -> None:
    other, other_secret = create_token(open_data, name=f"{TEST_PORTAL} officer of another portal",
                                       scope=Scope.parse("portal:elsewhere"))
    page = get_page(client, "/zh/console")
    response = client.post("/zh/console/login", data={"csrf": _csrf(page), "token": other_secret})
    assert response.status_code == 303
    queue = get_page(client, "/zh/console/links")
    assert "officer of another portal" in queue.text
    form = {"csrf": _csrf(queue), "action": "approve", "dataset": XSS_DATASET, "event": "having-a-baby"}
    assert client.post("/zh/console/links", data=form).headers["location"].endswith("done=denied")
    revoke_token(open_data, other.id)
    response = client.post("/zh/console/links", data=form)
    assert response.headers["location"] == "/zh/console" and "console_session=" in response.headers["set-cookie"]
    assert parse_page(client.get("/zh/console").text).forms[-1].attrs["action"] == "/zh/console/login"
    page = get_page(client, "/zh/console")
    response = client.post("/zh/console/login", data={"csrf": _csrf(page), "token": other_secret})
    assert response.status_code == 401
    records, _, _ = open_data.execute_query("MATCH (c:ChangeRecord {datasetId: $id}) RETURN c", id=XSS_DATASET)
    assert records == []
