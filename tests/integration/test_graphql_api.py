"""The GraphQL API against the real Neo4j with the demo catalog: journeys, lookups, paging, round trips, errors.

Queries run through the schema with the context the web app builds (``RequestContext``), so the round trips of one
request can be counted; the HTTP path (transport, tokens, logs) is exercised in ``test_graphql_datasets.py``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from datetime import date
from typing import Any

import neo4j
from graphql import graphql

from graph.session import RoundTrips, count_round_trips
from navigator.database import open_async_driver
from navigator.graphql_context import RequestContext
from navigator.graphql_http import format_error
from navigator.schema import schema
from navigator.settings import Settings

TODAY = date(2026, 11, 23)


def run_graphql(
    settings: Settings, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
) -> tuple[dict[str, Any], RoundTrips]:
    """Execute one operation as the web app would, and count its Neo4j round trips."""

    async def run() -> tuple[dict[str, Any], RoundTrips]:
        driver = open_async_driver(settings)
        try:
            context = RequestContext.create(
                driver, timeout=settings.query_timeout, database=settings.neo4j_database, token=token, today=TODAY
            )
            with count_round_trips() as trips:
                result = await graphql(schema.graphql_schema, query, context_value=context, variable_values=variables)
        finally:
            await driver.close()
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [format_error(e) for e in result.errors]
        return body, trips

    return asyncio.run(run())


def data_of(settings: Settings, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body, _ = run_graphql(settings, query, variables)
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


JOURNEY = """
query Journey($input: JourneyInput!) {
  journey(input: $input) {
    events { lifeEvent { identifier } reason reasonCode }
    stages {
      index
      steps {
        service { identifier inPerson }
        reasonCode
        documentsToBring { identifier }
        documentsProduced { identifier }
        documentsFromEarlierSteps { identifier }
        after { identifier }
        bundle { identifier }
      }
    }
    documentsToBring { document { identifier } neededBy { identifier } }
    documentsNaiveCount documentsSavedPercent visits visitsWithoutBundles criticalPathDays serialDays
    excluded { service { identifier } reason reasonCode criterion { identifier } }
  }
}
"""


def _steps(journey: dict[str, Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    return {s["service"]["identifier"]: (stage["index"], s) for stage in journey["stages"] for s in stage["steps"]}


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["identifier"] for item in items]


# --- journeys ----------------------------------------------------------------------------------------------------


def test_age_zero_alone_gives_the_newborns_road(demo_graph: neo4j.Driver, test_settings: Settings) -> None:
    body, trips = run_graphql(test_settings, JOURNEY, {"input": {"age": 0}})
    assert "errors" not in body
    journey = body["data"]["journey"]
    assert {"lifeEvent": {"identifier": "having-a-baby"}, "reasonCode": "LIFE_STAGE",
            "reason": "Your age (0) is in the life stage “Birth” (0–2)"} in journey["events"]
    steps = _steps(journey)
    certificate, _ = steps["birth-medical-certificate-issue"]
    registration, registration_step = steps["newborn-household-registration"]
    insurance, insurance_step = steps["newborn-medical-insurance"]
    assert certificate < registration < insurance
    assert "birth-medical-certificate-issue" in _ids(registration_step["after"])
    assert "birth-medical-certificate" in _ids(registration_step["documentsFromEarlierSteps"])
    assert "newborn-household-registration" in _ids(insurance_step["after"])
    assert {"citizen-id-number", "household-register-entry"} <= set(_ids(insurance_step["documentsFromEarlierSteps"]))
    assert insurance_step["documentsToBring"] == []
    assert registration_step["bundle"] == {"identifier": "newborn-bundle"}

    checklist = [item["document"]["identifier"] for item in journey["documentsToBring"]]
    produced = {d for _, step in steps.values() for d in _ids(step["documentsProduced"])}
    assert len(checklist) == len(set(checklist)) and not produced & set(checklist)
    assert "birth-medical-certificate" not in checklist
    assert journey["documentsSavedPercent"] > 0
    assert journey["documentsNaiveCount"] > len(checklist)
    in_person = sum(1 for _, step in steps.values() if step["service"]["inPerson"])
    assert 0 < journey["visits"] <= in_person
    assert journey["visits"] < journey["visitsWithoutBundles"]  # the newborn bundle is one visit
    assert 0 < journey["criticalPathDays"] <= journey["serialDays"]
    assert trips.queries == ["JOURNEY_EVENTS", "JOURNEY_EVENT_PARTS", "JOURNEY_DATASETS", "CRITERIA_BY_IDS"]


def test_a_stage_runs_steps_in_parallel(demo_graph: neo4j.Driver, test_settings: Settings) -> None:
    journey = data_of(test_settings, JOURNEY, {"input": {"age": 0, "lifeEvents": ["having-a-baby"]}})["journey"]
    steps = _steps(journey)
    parallel = {"newborn-household-registration", "vaccination-certificate-issue", "child-health-record-enrolment"}
    assert len({steps[s][0] for s in parallel}) == 1
    stage = next(st for st in journey["stages"] if st["index"] == steps["vaccination-certificate-issue"][0])
    assert len(stage["steps"]) >= 2
    assert [e["reasonCode"] for e in journey["events"]] == ["CHOSEN"]


def test_reasons_come_in_the_inputs_language(demo_graph: neo4j.Driver, test_settings: Settings) -> None:
    query = """query($input: JourneyInput!) { journey(input: $input) {
      events { reason en: reason(lang: EN) lifeEvent { name(lang: ZH) } } } }"""
    journey = data_of(test_settings, query, {"input": {"age": 0, "lifeEvents": ["having-a-baby"], "lang": "ZH"}})
    assert journey["journey"]["events"] == [
        {"reason": "您选择了这一人生事件", "en": "You chose this life event", "lifeEvent": {"name": "生育"}}
    ]


def test_a_thirty_year_old_choosing_retirement_is_told_why_services_are_left_out(
    demo_graph: neo4j.Driver, test_settings: Settings
) -> None:
    journey = data_of(test_settings, JOURNEY, {"input": {"age": 30, "lifeEvents": ["retiring"]}})["journey"]
    assert [(e["lifeEvent"]["identifier"], e["reasonCode"]) for e in journey["events"]] == [("retiring", "CHOSEN")]
    assert {
        "service": {"identifier": "retirement-application"}, "reasonCode": "CRITERION_NOT_MET",
        "criterion": {"identifier": "age-50-plus"},
        "reason": "Not eligible: Aged 50 or over (lowest statutory retirement age; the actual age depends on sex, "
                  "post and the gradual raise)",
    } in journey["excluded"]
    left_out = {x["service"]["identifier"] for x in journey["excluded"]}
    assert {"retirement-application", "pension-claim"} <= left_out
    assert not left_out & set(_steps(journey))


def test_a_journey_naming_an_unknown_life_event_is_not_found(demo_graph: neo4j.Driver, test_settings: Settings) -> None:
    body, _ = run_graphql(test_settings, "query($input: JourneyInput!) { journey(input: $input) { visits } }",
                          {"input": {"lifeEvents": ["having-a-baby", "no-such-event"]}})
    assert body == {"data": None, "errors": [{
        "message": "no LifeEvent with id 'no-such-event'", "locations": [{"line": 1, "column": 32}],
        "path": ["journey"], "extensions": {"code": "NOT_FOUND"},
    }]}


def test_an_out_of_range_age_is_bad_input_and_not_echoed(demo_graph: neo4j.Driver, test_settings: Settings) -> None:
    body, trips = run_graphql(test_settings, "query($input: JourneyInput!) { journey(input: $input) { visits } }",
                              {"input": {"age": 777}})
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "777" not in body["errors"][0]["message"]
    assert trips.count == 0


def test_a_cycle_in_the_catalog_is_a_clear_error_naming_the_services(
    clean_graph: neo4j.Driver, test_settings: Settings
) -> None:
    # The catalog loader refuses cycles, so this one is written directly.
    clean_graph.execute_query("""
        CREATE (st:LifeStage {id: 'stage', order: 1, minAge: 0, maxAge: 99, nameZh: '阶段', nameEn: 'Stage'})
        CREATE (e:LifeEvent {id: 'looping', kind: 'life', nameZh: '循环', nameEn: 'Looping'})
        CREATE (e)-[:PART_OF {order: 0}]->(st)
        CREATE (a:Service {id: 'service-a', nameZh: '甲', nameEn: 'A', visits: 1})-[:GROUPED_BY {order: 0}]->(e)
        CREATE (b:Service {id: 'service-b', nameZh: '乙', nameEn: 'B', visits: 1})-[:GROUPED_BY {order: 0}]->(e)
        CREATE (a)-[:HAS_PREREQUISITE]->(b), (b)-[:HAS_PREREQUISITE]->(a)
    """)
    body, _ = run_graphql(test_settings, "query($input: JourneyInput!) { journey(input: $input) { visits } }",
                          {"input": {"lifeEvents": ["looping"]}})
    assert body == {"data": None, "errors": [{
        "message": "the catalog has a cycle among services: service-a → service-b → service-a",
        "locations": [{"line": 1, "column": 32}], "path": ["journey"], "extensions": {"code": "CATALOG_INVALID"},
    }]}


# --- lookups and nodes -------------------------------------------------------------------------------------------


SERVICE = """query($id: ID!) { service(id: $id) {
  identifier name zh: name(lang: ZH) type visits inPerson processingDays fee { amount currency free }
  agency { identifier name }
  requires { identifier }
  produces { identifier }
  lifeEvents { identifier }
  bundles { identifier }
} }"""


def test_a_service_with_its_documents_agency_and_bundle(demo_graph: neo4j.Driver, test_settings: Settings) -> None:
    assert data_of(test_settings, SERVICE, {"id": "newborn-household-registration"}) == {"service": {
        "identifier": "newborn-household-registration", "name": "Household registration of a newborn",
        "zh": "新生儿出生登记（入户）", "type": "registration", "visits": 1, "inPerson": True, "processingDays": 0,
        "fee": {"amount": 0.0, "currency": "CNY", "free": True},
        "agency": {"identifier": "public-security-bureau",
                   "name": "Public Security Bureau - household registration (police station)"},
        "requires": [{"identifier": "birth-medical-certificate"}, {"identifier": "id-card"},
                     {"identifier": "household-register-booklet"}, {"identifier": "marriage-certificate"}],
        "produces": [{"identifier": "household-register-entry"}, {"identifier": "citizen-id-number"}],
        "lifeEvents": [{"identifier": "having-a-baby"}],
        "bundles": [{"identifier": "newborn-bundle"}],
    }}


def test_unknown_ids_are_null(demo_graph: neo4j.Driver, test_settings: Settings) -> None:
    query = """{ service(id: "nope") { identifier } lifeEvent(id: "nope") { identifier }
      bundle(id: "nope") { identifier } dataset(id: "x:y") { identifier } node(id: "not-a-global-id") { id } }"""
    assert data_of(test_settings, query) == {
        "service": None, "lifeEvent": None, "bundle": None, "dataset": None, "node": None,
    }


def test_node_round_trips_every_kind_and_global_ids_work_as_ids(
    demo_graph: neo4j.Driver, test_settings: Settings
) -> None:
    lookups = {
        "lifeStage": "birth", "lifeEvent": "having-a-baby", "service": "newborn-medical-insurance",
        "evidence": "id-card", "agency": "public-security-bureau", "bundle": "newborn-bundle",
    }
    query = "{ " + " ".join(f'{field}(id: "{ident}") {{ id identifier }}' for field, ident in lookups.items()) + " }"
    found = data_of(test_settings, query)
    for field, ident in lookups.items():
        global_id = found[field]["id"]
        assert found[field]["identifier"] == ident and global_id != ident
        again = data_of(test_settings, "query($id: ID!) { node(id: $id) { __typename id ... on Service { name } } }",
                        {"id": global_id})
        assert again["node"]["id"] == global_id
        assert again["node"]["__typename"] == field[0].upper() + field[1:]
        by_global = data_of(test_settings, f"query($id: ID!) {{ {field}(id: $id) {{ identifier }} }}",
                            {"id": global_id})
        assert by_global == {field: {"identifier": ident}}


# --- paging ------------------------------------------------------------------------------------------------------


PAGE = """query($event: ID, $after: String) { services(lifeEvent: $event, first: 5, after: $after) {
  totalCount edges { cursor node { identifier } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
} }"""


def test_cursor_paging_across_three_pages(demo_graph: neo4j.Driver, test_settings: Settings) -> None:
    everything = data_of(test_settings, '{ lifeEvent(id: "having-a-baby") { services { identifier } } }')
    expected = _ids(everything["lifeEvent"]["services"])
    assert 10 < len(expected) <= 15
    seen: list[str] = []
    after = None
    pages = []
    while True:
        page = data_of(test_settings, PAGE, {"event": "having-a-baby", "after": after})["services"]
        pages.append(page)
        assert page["totalCount"] == len(expected)
        seen += [edge["node"]["identifier"] for edge in page["edges"]]
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(pages) == 3
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False, True, True]
    assert seen == expected == sorted(expected)


def test_life_events_of_a_stage_page_in_road_order(demo_graph: neo4j.Driver, test_settings: Settings) -> None:
    query = """query($after: String) { lifeEvents(stage: "work", first: 4, after: $after) {
      totalCount edges { node { identifier } } pageInfo { hasNextPage endCursor } } }"""
    first = data_of(test_settings, query)["lifeEvents"]
    second = data_of(test_settings, query, {"after": first["pageInfo"]["endCursor"]})["lifeEvents"]
    assert first["totalCount"] == second["totalCount"] >= 8
    ids = [e["node"]["identifier"] for e in first["edges"] + second["edges"]]
    assert len(ids) == len(set(ids)) == 8


def test_first_over_a_hundred_and_foreign_cursors_are_refused(
    demo_graph: neo4j.Driver, test_settings: Settings
) -> None:
    body, trips = run_graphql(test_settings, "{ services(first: 101) { totalCount } }")
    assert body["errors"] == [{
        "message": "`first: 101` asks for more than 100 items, the most one page may hold.",
        "locations": [{"line": 1, "column": 3}], "path": ["services"], "extensions": {"code": "FIRST_TOO_LARGE"},
    }]
    assert trips.count == 0
    body, _ = run_graphql(test_settings, '{ services(after: "bm9wZQ==") { totalCount } }')
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


# --- round trips -------------------------------------------------------------------------------------------------


NESTED = """{ lifeStages { identifier lifeEvents { identifier services {
  identifier agency { identifier } requires { identifier name } } } } }"""


def test_a_nested_query_costs_one_round_trip_per_level(demo_graph: neo4j.Driver, test_settings: Settings) -> None:
    body, trips = run_graphql(test_settings, NESTED)
    assert "errors" not in body
    services = {s["identifier"] for st in body["data"]["lifeStages"] for e in st["lifeEvents"] for s in e["services"]}
    assert len(services) >= 100
    assert trips.queries == [
        "STAGES_ALL", "EVENTS_OF_STAGES", "SERVICES_OF_EVENTS", "AGENCIES_BY_IDS", "EVIDENCE_BY_IDS"
    ]
    # The same shape over one stage costs the same, whatever the size.
    one = NESTED.replace("lifeStages {", 'lifeStage(id: "birth") {', 1)
    _, small = run_graphql(test_settings, one)
    assert small.count == 5 <= 6


def test_neo4j_down_is_graph_unavailable(test_settings: Settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    away = dataclasses.replace(test_settings, neo4j_bolt_port=port, query_timeout=1.0, connect_timeout=1.0)
    body, _ = run_graphql(away, "{ lifeStages { identifier } }")
    assert body == {"data": None, "errors": [{
        "message": "The knowledge graph is unavailable; try again shortly.", "locations": [{"line": 1, "column": 3}],
        "path": ["lifeStages"], "extensions": {"code": "GRAPH_UNAVAILABLE"},
    }]}
