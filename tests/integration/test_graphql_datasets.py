"""The GraphQL API over HTTP: open datasets and their links, data officers' mutations behind API tokens, and the
journey input kept out of logs and out of the graph.

Datasets are written with plain Cypher in a clean graph (the shapes the harvest writes: ``PUBLISHED_BY``,
``HAS_RESOURCE``, ``TAGGED``, ``RELEVANT_TO``); requests go through the Starlette app like any client's.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import neo4j
import pytest

from graph.access import Scope, create_token
from navigator.app import create_app
from navigator.settings import PROJECT_ROOT, Settings
from tests.integration.test_graphql_api import run_graphql

OPEN_DATA = """
CREATE (st:LifeStage {id: 'birth', order: 1, minAge: 0, maxAge: 2, nameZh: '出生', nameEn: 'Birth'})
CREATE (baby:LifeEvent {id: 'having-a-baby', kind: 'life', nameZh: '生育', nameEn: 'Having a baby'})
CREATE (school:LifeEvent {id: 'starting-school', kind: 'life', nameZh: '入学', nameEn: 'Starting school'})
CREATE (move:LifeEvent {id: 'moving-house', kind: 'life', nameZh: '搬家', nameEn: 'Moving house'})
CREATE (baby)-[:PART_OF {order: 0}]->(st), (school)-[:PART_OF {order: 0}]->(st), (move)-[:PART_OF {order: 0}]->(st)
CREATE (health:Organization {id: 'city:health', name: 'health', title: 'Health Commission', titleZh: '卫生健康委员会'})
CREATE (edu:Organization {id: 'town:edu', name: 'edu', title: 'Education Bureau'})
CREATE (births:Dataset {id: 'city:births', portal: 'city', ckanId: 'births', name: 'births-by-district',
  title: 'Births by district', titleZh: '分区出生人数', titleEn: 'Births by district', description: 'Monthly births.',
  state: 'active', licenceId: 'cc-by-4.0', licenceTitle: 'CC BY 4.0', harvestedAt: '2026-11-01T00:00:00Z'})
CREATE (births)-[:PUBLISHED_BY]->(health)
CREATE (births)-[:HAS_RESOURCE]->(:Resource {id: 'city:births:0', position: 0, name: 'births.csv', format: 'CSV',
  url: 'https://city.example/births.csv', size: 2048})
CREATE (births)-[:HAS_RESOURCE]->(:Resource {id: 'city:births:1', position: 1, name: 'births.json', format: 'JSON',
  url: 'https://city.example/births.json'})
CREATE (births)-[:TAGGED]->(:Tag {id: 'en:births', name: 'births', lang: 'en'})
CREATE (births)-[:TAGGED]->(:Tag {id: 'zh-hans:出生', name: '出生', lang: 'zh-hans'})
CREATE (clinics:Dataset {id: 'city:clinics', portal: 'city', ckanId: 'clinics', name: 'vaccination-clinics',
  title: 'Vaccination clinics', state: 'active'})-[:PUBLISHED_BY]->(health)
CREATE (clinics)-[:HAS_RESOURCE]->(:Resource {id: 'city:clinics:0', position: 0, name: 'clinics', format: 'xlsx'})
CREATE (schools:Dataset {id: 'town:schools', portal: 'town', ckanId: 'schools', name: 'schools',
  title: 'Primary schools', state: 'active'})-[:PUBLISHED_BY]->(edu)
CREATE (old:Dataset {id: 'town:old-births', portal: 'town', ckanId: 'old-births', name: 'old-births',
  title: 'Births in 1990', state: 'withdrawn'})
CREATE (births)-[:RELEVANT_TO {score: 0.9, method: 'keyword', matchedTerms: ['birth', '出生'],
  status: 'suggested'}]->(baby)
CREATE (clinics)-[:RELEVANT_TO {score: 0.6, method: 'keyword', matchedTerms: ['vaccination'],
  status: 'approved'}]->(baby)
CREATE (schools)-[:RELEVANT_TO {score: 0.8, method: 'keyword', matchedTerms: ['school'], status: 'suggested'}]->(school)
CREATE (schools)-[:RELEVANT_TO {score: 0.3, method: 'keyword', matchedTerms: ['birth'], status: 'rejected'}]->(baby)
CREATE (old)-[:RELEVANT_TO {score: 0.95, method: 'keyword', matchedTerms: ['births'], status: 'suggested'}]->(baby)
"""


@pytest.fixture
def open_data(clean_graph: neo4j.Driver) -> neo4j.Driver:
    clean_graph.execute_query(OPEN_DATA)
    return clean_graph


T = TypeVar("T")


def on_app(settings: Settings, scenario: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    """Run ``scenario`` against the web app (its lifespan running) through httpx's ASGI transport."""

    async def run() -> T:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                return await scenario(http)

    return asyncio.run(run())


async def post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.headers["content-type"].startswith("application/json"), response.text
    return response.json()


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NAVIGATOR_VAR_DIR": str(settings.var_dir),
        "NAVIGATOR_NEO4J_BOLT_PORT": str(settings.neo4j_bolt_port),
        "NAVIGATOR_MAVEN_REPO": str(settings.maven_repo_dir),
    }
    env.pop("NAVIGATOR_NEO4J_URI", None)
    return subprocess.run([sys.executable, "-m", "navigator", *args], capture_output=True, text=True, env=env,
                          cwd=PROJECT_ROOT, timeout=120, check=False)


# --- reading datasets --------------------------------------------------------------------------------------------


def test_a_dataset_with_its_provenance_resources_and_links(open_data: neo4j.Driver, test_settings: Settings) -> None:
    query = """{ dataset(id: "city:births") {
      identifier portal ckanId name title zh: title(lang: ZH) description state licenceId licenceTitle harvestedAt
      organization { identifier name title zh: title(lang: ZH) }
      tags resources { identifier name format url size }
      links { lifeEvent { identifier } status score method matchedTerms reason zh: reason(lang: ZH) }
    } }"""
    body, trips = run_graphql(test_settings, query)
    assert body == {"data": {"dataset": {
        "identifier": "city:births", "portal": "city", "ckanId": "births", "name": "births-by-district",
        "title": "Births by district", "zh": "分区出生人数", "description": "Monthly births.", "state": "active",
        "licenceId": "cc-by-4.0", "licenceTitle": "CC BY 4.0", "harvestedAt": "2026-11-01T00:00:00Z",
        "organization": {"identifier": "city:health", "name": "health", "title": "Health Commission",
                         "zh": "卫生健康委员会"},
        "tags": ["births", "出生"],
        "resources": [
            {"identifier": "city:births:0", "name": "births.csv", "format": "CSV",
             "url": "https://city.example/births.csv", "size": 2048.0},
            {"identifier": "city:births:1", "name": "births.json", "format": "JSON",
             "url": "https://city.example/births.json", "size": None},
        ],
        "links": [{
            "lifeEvent": {"identifier": "having-a-baby"}, "status": "SUGGESTED", "score": 0.9, "method": "keyword",
            "matchedTerms": ["birth", "出生"], "reason": "Matched terms: birth, 出生; method: keyword",
            "zh": "匹配词：birth、出生；方法：keyword",
        }],
    }}}
    assert trips.queries == ["DATASETS_BY_IDS", "RESOURCES_OF_DATASETS", "LINKS_OF_DATASETS", "EVENTS_BY_IDS"]


def test_dataset_listings_filter_and_rank(open_data: neo4j.Driver, test_settings: Settings) -> None:
    query = """query($event: ID, $org: ID, $format: String) {
      datasets(lifeEvent: $event, organization: $org, format: $format) { totalCount edges { node { identifier } } } }"""

    def listed(**variables: str) -> tuple[int, list[str]]:
        body, _ = run_graphql(test_settings, query, variables)
        page = body["data"]["datasets"]
        return page["totalCount"], [e["node"]["identifier"] for e in page["edges"]]

    assert listed() == (3, ["city:births", "city:clinics", "town:schools"])  # withdrawn left out
    assert listed(event="having-a-baby") == (2, ["city:clinics", "city:births"])  # approved first; no rejected
    assert listed(format="csv") == (1, ["city:births"])
    assert listed(format="XLSX") == (1, ["city:clinics"])
    assert listed(org="town:edu") == (1, ["town:schools"])
    assert listed(event="having-a-baby", org="city:health", format="xlsx") == (1, ["city:clinics"])
    withdrawn = run_graphql(test_settings, '{ dataset(id: "town:old-births") { state } }')[0]
    assert withdrawn == {"data": {"dataset": {"state": "withdrawn"}}}


def test_the_datasets_of_life_events_in_one_round_trip(open_data: neo4j.Driver, test_settings: Settings) -> None:
    query = """{ lifeStages { lifeEvents { identifier
      datasets(first: 5) { totalCount edges { node { status dataset { identifier } } } }
      rejected: datasets(status: [REJECTED]) { totalCount edges { node { dataset { identifier } } } } } } }"""
    body, trips = run_graphql(test_settings, query)
    events = {e["identifier"]: e for e in body["data"]["lifeStages"][0]["lifeEvents"]}
    assert events["having-a-baby"]["datasets"] == {"totalCount": 2, "edges": [
        {"node": {"status": "APPROVED", "dataset": {"identifier": "city:clinics"}}},
        {"node": {"status": "SUGGESTED", "dataset": {"identifier": "city:births"}}},
    ]}
    assert events["having-a-baby"]["rejected"] == {
        "totalCount": 1, "edges": [{"node": {"dataset": {"identifier": "town:schools"}}}]
    }
    assert events["moving-house"]["datasets"] == {"totalCount": 0, "edges": []}
    # one read per distinct page (default statuses, and REJECTED), for all events at once
    assert trips.queries == ["STAGES_ALL", "EVENTS_OF_STAGES", "LINKS_OF_EVENTS", "LINKS_OF_EVENTS", "DATASETS_BY_IDS"]


# --- mutations ---------------------------------------------------------------------------------------------------


APPROVE = """mutation($dataset: ID!, $event: ID!) { approveDatasetLink(dataset: $dataset, lifeEvent: $event) {
  link { status dataset { identifier } lifeEvent { identifier } }
  change { action tokenId datasetId lifeEventId before after } } }"""
ADD = """mutation($dataset: ID!, $event: ID!, $note: String) {
  addDatasetLink(dataset: $dataset, lifeEvent: $event, note: $note) {
    link { status score method note } change { action before after } } }"""
REJECT = """mutation($dataset: ID!, $event: ID!) { rejectDatasetLink(dataset: $dataset, lifeEvent: $event) {
  link { status } } }"""


def _error(body: dict[str, Any]) -> tuple[str, str]:
    assert body["data"] is None, body
    (error,) = body["errors"]
    return error["extensions"]["code"], error["message"]


def test_data_officers_review_links_with_scoped_tokens(open_data: neo4j.Driver, test_settings: Settings) -> None:
    made = _cli(test_settings, "tokens", "create", "--name", "City portal officer", "--scope", "portal:city")
    assert made.returncode == 0, made.stderr
    city_token = made.stdout.strip().splitlines()[-1]
    city_id = city_token.split("_")[1]
    edu, edu_token = create_token(open_data, name="Education officer", scope=Scope.parse("organization:town:edu"))

    # Only the hash is stored.
    records, _, _ = open_data.execute_query("MATCH (t:ApiToken {id: $id}) RETURN t {.*} AS t", {"id": city_id})
    stored = records[0]["t"]
    assert stored["hash"] == hashlib.sha256(city_token.encode()).hexdigest()
    assert city_token not in json.dumps(stored) and stored["scope"] == "portal:city"

    link = {"dataset": "city:births", "event": "having-a-baby"}

    async def scenario(http: httpx.AsyncClient) -> None:
        assert _error(await post(http, APPROVE, link))[0] == "UNAUTHENTICATED"
        unknown = "rln_000000000000_" + "x" * 43
        assert _error(await post(http, APPROVE, link, token=unknown))[0] == "UNAUTHENTICATED"
        assert _error(await post(http, APPROVE, link, token="not-a-token"))[0] == "UNAUTHENTICATED"
        schools = {"dataset": "town:schools", "event": "starting-school"}
        assert _error(await post(http, APPROVE, schools, city_token)) == (
            "FORBIDDEN", "the token's scope portal:city does not cover dataset 'town:schools' (portal 'town')"
        )
        assert _error(await post(http, APPROVE, link, edu_token))[0] == "FORBIDDEN"
        no_link = {"dataset": "city:clinics", "event": "moving-house"}
        assert _error(await post(http, APPROVE, no_link, city_token)) == (
            "NOT_FOUND", "no DatasetLink with id 'city:clinics → moving-house'"
        )
        no_dataset = {"dataset": "city:nope", "event": "having-a-baby"}
        assert _error(await post(http, APPROVE, no_dataset, city_token)) == (
            "NOT_FOUND", "no Dataset with id 'city:nope'"
        )

        approved = (await post(http, APPROVE, link, city_token))["data"]["approveDatasetLink"]
        change = approved.pop("change")
        assert approved == {"link": {"status": "APPROVED", "dataset": {"identifier": "city:births"},
                                     "lifeEvent": {"identifier": "having-a-baby"}}}
        before, after = json.loads(change.pop("before")), json.loads(change.pop("after"))
        assert change == {"action": "approve", "tokenId": city_id, "datasetId": "city:births",
                          "lifeEventId": "having-a-baby"}
        assert (before["status"], after["status"], after["reviewedBy"]) == ("suggested", "approved", city_id)

        note = {"dataset": "town:schools", "event": "moving-house", "note": "Catchment areas"}
        added = (await post(http, ADD, note, edu_token))["data"]["addDatasetLink"]
        assert added["link"] == {"status": "APPROVED", "score": 1.0, "method": "manual", "note": "Catchment areas"}
        assert added["change"]["before"] is None and added["change"]["action"] == "add"

        assert await post(http, REJECT, {"dataset": "city:clinics", "event": "having-a-baby"}, city_token) == {
            "data": {"rejectDatasetLink": {"link": {"status": "REJECTED"}}}
        }
        shown = await post(
            http, '{ lifeEvent(id: "having-a-baby") { datasets { edges { node { dataset { identifier } status } } } } }'
        )
        assert shown["data"]["lifeEvent"]["datasets"]["edges"] == [
            {"node": {"dataset": {"identifier": "city:births"}, "status": "APPROVED"}}
        ]

        records, _, _ = open_data.execute_query(
            "MATCH (c:ChangeRecord) RETURN c.action AS action, c.tokenId AS token, c.datasetId AS dataset, "
            "c.lifeEventId AS event, c.before AS before, c.after AS after, c.at AS at"
        )
        assert sorted(tuple(r)[:4] for r in records) == [
            ("add", edu.id, "town:schools", "moving-house"), ("approve", city_id, "city:births", "having-a-baby"),
            ("reject", city_id, "city:clinics", "having-a-baby"),
        ]
        rejected = next(r for r in records if r["action"] == "reject")
        assert json.loads(rejected["before"])["status"] == "approved"
        assert json.loads(rejected["after"])["status"] == "rejected"
        assert rejected["at"].endswith("Z")

        revoked = _cli(test_settings, "tokens", "revoke", city_id)
        assert revoked.returncode == 0, revoked.stderr
        listed = _cli(test_settings, "tokens", "list").stdout
        assert f"{city_id}  portal:city  'City portal officer'" in listed and "revoked" in listed
        assert _error(await post(http, APPROVE, link, city_token))[0] == "UNAUTHENTICATED"

    on_app(test_settings, scenario)


def test_mutations_are_refused_over_get(open_data: neo4j.Driver, test_settings: Settings) -> None:
    query = 'mutation { approveDatasetLink(dataset: "a:b", lifeEvent: "c") { link { status } } }'

    async def scenario(http: httpx.AsyncClient) -> httpx.Response:
        return await http.get("/graphql", params={"query": query})

    assert on_app(test_settings, scenario).status_code == 405


# --- the journey input is personal data --------------------------------------------------------------------------


def test_a_journey_leaves_nothing_of_the_profile_in_logs_or_graph(
    demo_graph: neo4j.Driver, test_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    def graph_state() -> tuple[int, int, str]:
        records, _, _ = demo_graph.execute_query(
            "CALL () { MATCH (n) RETURN count(n) AS nodes, collect(properties(n)) AS nodeProps } "
            "CALL () { MATCH ()-[r]->() RETURN count(r) AS rels, collect(properties(r)) AS relProps } "
            "RETURN nodes, rels, nodeProps, relProps"
        )
        row = records[0]
        return row["nodes"], row["rels"], json.dumps([row["nodeProps"], row["relProps"]], default=str)

    nodes, rels, _ = graph_state()
    profile = {
        "birthDate": "1961-07-19", "region": "privacy-region-5c1d",
        "household": {"partner": True, "childrenAges": [0]}, "situation": "SELF_EMPLOYED", "disability": True,
        "documentsHeld": ["disability-certificate", "minimum-living-allowance-certificate"],
        "lifeEvents": ["living-with-disability", "facing-financial-hardship"], "lang": "ZH",
    }
    caplog.set_level(logging.DEBUG)
    query = "query J($input: JourneyInput!) { journey(input: $input) { visits events { reason } } }"
    body = on_app(test_settings, lambda http: post(http, query, {"input": profile}))
    assert "errors" not in body and body["data"]["journey"]["visits"] > 0

    personal = ["1961-07-19", "privacy-region-5c1d", "disability-certificate", "minimum-living-allowance-certificate",
                "living-with-disability", "facing-financial-hardship", "SELF_EMPLOYED", "self-employed"]
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert any(r.name.startswith("neo4j") for r in caplog.records)  # the driver did log, at DEBUG
    assert [value for value in personal if value in logged] == []
    after_nodes, after_rels, properties = graph_state()
    assert (after_nodes, after_rels) == (nodes, rels)
    assert "privacy-region-5c1d" not in properties and "1961-07-19" not in properties


def test_the_http_endpoint_answers_whole_results(demo_graph: neo4j.Driver, test_settings: Settings) -> None:
    async def scenario(http: httpx.AsyncClient) -> tuple[Any, httpx.Response]:
        posted = await post(http, '{ lifeStage(id: "birth") { identifier name zh: name(lang: ZH) minAge maxAge } }')
        got = await http.get("/graphql", params={"query": '{ service(id: "nope") { identifier } }'})
        return posted, got

    posted, got = on_app(test_settings, scenario)
    assert posted == {
        "data": {"lifeStage": {"identifier": "birth", "name": "Birth", "zh": "出生", "minAge": 0, "maxAge": 2}}
    }
    assert (got.status_code, got.json()) == (200, {"data": {"service": None}})
