"""GraphQL search over HTTP against the real Neo4j: hits resolved to their nodes, scores, highlights, facets, paging,
filters, suggestions, completions, errors, and a data officer's link decision reaching the index.

The graph is the demo catalog plus two datasets written with plain Cypher in the shapes the harvest writes; the
index is built from it by ``navigator.search_feed``, in a folder of the test's own.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import httpx
import neo4j
import pytest

from graph.access import Scope, create_token
from graph.catalog import DEMO_CATALOG
from graph.loader import load_catalog
from navigator import search_feed
from navigator.search import open_index
from navigator.settings import Settings
from tests.integration.test_graphql_datasets import on_app, post

DATASETS = """
MATCH (baby:LifeEvent {id: 'having-a-baby'})
CREATE (health:Organization {id: 'city:health', name: 'health', title: 'Health Commission',
  titlesJson: '{"en":"Health Commission","zh-hans":"卫生健康委员会"}'})
CREATE (births:Dataset {id: 'city:births', portal: 'city', ckanId: 'births', name: 'births-by-district',
  title: 'Births by district', titlesJson: '{"en":"Births by district","zh-hans":"分区出生人数"}',
  description: 'Monthly births in each district.', state: 'active', licenceId: 'cc-by-4.0',
  licenceTitle: 'CC BY 4.0', contentHash: 'h1', loadVersion: 'dataset-v1'})
CREATE (births)-[:PUBLISHED_BY]->(health)
CREATE (births)-[:HAS_RESOURCE]->(:Resource {id: 'city:births:0', position: 0, name: 'births.csv', format: 'CSV'})
CREATE (births)-[:TAGGED]->(:Tag {id: 'en:births', name: 'births', lang: 'en'})
CREATE (births)-[:RELEVANT_TO {score: 0.9, method: 'keyword', matchedTerms: ['birth'], status: 'suggested'}]->(baby)
CREATE (clinics:Dataset {id: 'city:clinics', portal: 'city', ckanId: 'clinics', name: 'vaccination-clinics',
  title: 'Vaccination clinics', description: 'Where newborns get their vaccinations.', state: 'active',
  contentHash: 'h2', loadVersion: 'dataset-v1'})
CREATE (clinics)-[:PUBLISHED_BY]->(health)
CREATE (clinics)-[:HAS_RESOURCE]->(:Resource {id: 'city:clinics:0', position: 0, name: 'clinics', format: 'XLSX'})
"""

SEARCH = """
query Search($q: String!, $kinds: [SearchKind!], $filters: SearchFilters, $lang: Language, $first: Int,
             $after: String) {
  search(query: $q, kinds: $kinds, filters: $filters, lang: $lang, first: $first, after: $after) {
    totalCount totalIsLowerBound suggestion matchedAllTerms
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor score highlights { field snippet }
            node { __typename id ... on Service { identifier name(lang: ZH) }
                   ... on LifeEvent { identifier } ... on Bundle { identifier } ... on LifeStage { identifier }
                   ... on Dataset { identifier title organization { name } } } }
  }
}"""
FACETS = """
query Facets($q: String!, $filters: SearchFilters) {
  search(query: $q, filters: $filters) { totalCount facets { name values { value count } } edges { node { id } } }
}"""


@pytest.fixture
def search_settings(clean_graph: neo4j.Driver, test_settings: Settings, tmp_path: Path) -> Settings:
    """The demo catalog and two datasets in the graph, indexed into a folder of this test's own."""
    report = load_catalog(clean_graph, DEMO_CATALOG)
    assert not report.problems
    clean_graph.execute_query(DATASETS)
    settings = dataclasses.replace(test_settings, index_dir=tmp_path / "index")
    with open_index(settings.search_index_dir) as index:
        search_feed.rebuild_index(index, clean_graph)
    return settings


def query(settings: Settings, document: str, token: str | None = None, **variables: Any) -> Any:
    async def scenario(http: httpx.AsyncClient) -> Any:
        return await post(http, document, variables, token=token)

    return on_app(settings, scenario)


def search(settings: Settings, q: str, **variables: Any) -> dict[str, Any]:
    body = query(settings, SEARCH, q=q, **variables)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["search"]
    return result


def nodes(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(edge["node"]["__typename"], edge["node"]["identifier"]) for edge in result["edges"]]


def test_hits_are_nodes_with_scores_and_marked_snippets(search_settings: Settings) -> None:
    result = search(search_settings, "结婚登记", first=3)
    assert nodes(result)[0] == ("Service", "marriage-registration")
    assert {"Bundle", "LifeEvent"} & {kind for kind, _ in nodes(result)}
    first = result["edges"][0]
    assert first["node"]["name"] == "结婚登记" and first["score"] > result["edges"][-1]["score"] > 0
    assert {"field": "title", "snippet": "<mark>结婚登记</mark>"} in first["highlights"]
    assert result["totalCount"] >= 3 and result["totalIsLowerBound"] is False and result["matchedAllTerms"]
    assert result["pageInfo"]["hasNextPage"] and not result["pageInfo"]["hasPreviousPage"]
    # a node's global id resolves through the Node interface like any other
    node = query(search_settings, "query($id: ID!) { node(id: $id) { __typename } }", id=first["node"]["id"])
    assert node == {"data": {"node": {"__typename": "Service"}}}


def test_datasets_are_found_in_their_languages_with_their_publisher(search_settings: Settings) -> None:
    english = search(search_settings, "births", kinds=["DATASET"])
    assert nodes(english) == [("Dataset", "city:births")]
    assert english["edges"][0]["node"]["organization"] == {"name": "health"}
    chinese = search(search_settings, "出生人數", kinds=["DATASET"], lang="ZH")  # Traditional finds Simplified
    assert nodes(chinese) == [("Dataset", "city:births")]
    assert {"field": "title", "snippet": "分区<mark>出生人数</mark>"} in chinese["edges"][0]["highlights"]


def test_facets_count_every_match_and_filters_narrow(search_settings: Settings) -> None:
    body = query(search_settings, FACETS, q="vaccination")
    assert "errors" not in body, body
    facets = {f["name"]: {v["value"]: v["count"] for v in f["values"]} for f in body["data"]["search"]["facets"]}
    assert set(facets) == {"kind", "lifeEvent", "organisation", "format", "licence", "portal"}
    assert sum(facets["kind"].values()) == body["data"]["search"]["totalCount"] > 1
    assert facets["format"] == {"XLSX": 1} and facets["portal"] == {"city": 1}
    filtered = search(search_settings, "vaccination", filters={"format": ["xlsx"]})
    assert nodes(filtered) == [("Dataset", "city:clinics")]
    by_event = search(search_settings, "births", filters={"lifeEvent": ["having-a-baby"]}, kinds=["DATASET"])
    assert nodes(by_event) == [("Dataset", "city:births")]  # its link is suggested: the public sees it


def test_pages_follow_the_cursor(search_settings: Settings) -> None:
    whole = search(search_settings, "registration", first=6)
    first = search(search_settings, "registration", first=3)
    second = search(search_settings, "registration", first=3, after=first["pageInfo"]["endCursor"])
    assert nodes(first) + nodes(second) == nodes(whole)
    assert second["pageInfo"]["hasPreviousPage"] and second["totalCount"] == whole["totalCount"]


def test_kinds_limit_the_hits(search_settings: Settings) -> None:
    events = search(search_settings, "baby", kinds=["EVENT", "BUNDLE"])
    assert events["edges"] and {kind for kind, _ in nodes(events)} <= {"LifeEvent", "Bundle"}


def test_a_misspelling_gets_a_suggestion_and_completions_follow_the_typing(search_settings: Settings) -> None:
    assert search(search_settings, "marriage registraton")["suggestion"] == "marriage registration"
    body = query(search_settings, '{ zh: autocomplete(prefix: "结婚") en: autocomplete(prefix: "marr", first: 2) }')
    assert "结婚登记" in body["data"]["zh"]
    assert body["data"]["en"] and len(body["data"]["en"]) <= 2 and all(w.startswith("marr") for w in body["data"]["en"])


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ('{ search(query: "x", after: "not-a-cursor") { totalCount } }', "BAD_USER_INPUT"),
        ('{ search(query: "' + "x" * 201 + '") { totalCount } }', "BAD_USER_INPUT"),
        ('{ search(query: "x", first: 101) { totalCount } }', "FIRST_TOO_LARGE"),
        ('{ autocomplete(prefix: "x", first: 0) }', "BAD_USER_INPUT"),
    ],
)
def test_bad_arguments_are_coded_errors(search_settings: Settings, document: str, code: str) -> None:
    body = query(search_settings, document)
    assert [error["extensions"]["code"] for error in body["errors"]] == [code]


def test_an_approved_link_makes_the_dataset_findable_by_its_life_event(
    search_settings: Settings, clean_graph: neo4j.Driver
) -> None:
    assert search(search_settings, "having a baby", kinds=["DATASET"])["edges"] == []
    _, token = create_token(clean_graph, name="Officer", scope=Scope.parse("all"))
    approve = """mutation { approveDatasetLink(dataset: "city:births", lifeEvent: "having-a-baby") {
      link { status } } }"""
    assert query(search_settings, approve, token=token) == {
        "data": {"approveDatasetLink": {"link": {"status": "APPROVED"}}}
    }
    found = search(search_settings, "having a baby", kinds=["DATASET"])  # the app refreshed the document
    assert nodes(found) == [("Dataset", "city:births")]
    assert any("<mark>" in h["snippet"] for h in found["edges"][0]["highlights"] if h["field"] == "keywords")
