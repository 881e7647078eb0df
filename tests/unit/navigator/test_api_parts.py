"""Parts of the GraphQL API that need nothing running: cursors, error codes, the journey input, log redaction."""

from __future__ import annotations

import base64
import logging
from datetime import date

import pytest
from graphql import GraphQLError

from graph.errors import AccessDenied, GraphUnavailable, NotFound, PlanningError
from navigator.connections import decode_cursor, encode_cursor, page_window
from navigator.graphql_errors import graph_errors, to_graphql_error
from navigator.log_privacy import QueryParameterRedaction
from navigator.schema_journey import profile_from_input
from navigator.schema_types import plain_id


def _code(error: GraphQLError) -> str:
    return str((error.extensions or {})["code"])


def test_cursors_round_trip_and_foreign_ones_are_bad_input() -> None:
    assert decode_cursor(encode_cursor(41)) == 41
    assert page_window(None, None) == (0, 20)
    assert page_window(5, encode_cursor(9)) == (10, 5)
    negative = base64.b64encode(b"offset:-1").decode()
    for cursor in ("", "bm9wZQ==", "!!!", negative, "b2Zmc2V0OjE"):
        with pytest.raises(GraphQLError) as raised:
            decode_cursor(cursor)
        assert _code(raised.value) == "BAD_USER_INPUT"


def test_first_over_a_hundred_is_its_own_code() -> None:
    with pytest.raises(GraphQLError) as raised:
        page_window(101, None)
    assert _code(raised.value) == "FIRST_TOO_LARGE"
    with pytest.raises(GraphQLError) as raised:
        page_window(-1, None)
    assert _code(raised.value) == "BAD_USER_INPUT"


def test_graph_errors_map_to_codes_in_one_place() -> None:
    assert _code(to_graphql_error(NotFound("Service", "x"))) == "NOT_FOUND"
    assert _code(to_graphql_error(PlanningError("cycle: a → b → a"))) == "CATALOG_INVALID"
    assert _code(to_graphql_error(AccessDenied("no"))) == "FORBIDDEN"
    unavailable = to_graphql_error(GraphUnavailable("Neo4j is unavailable: ServiceUnavailable"))
    assert (_code(unavailable), unavailable.message) == (
        "GRAPH_UNAVAILABLE", "The knowledge graph is unavailable; try again shortly."
    )
    with pytest.raises(GraphQLError) as raised, graph_errors():
        raise NotFound("LifeEvent", "nope")
    assert raised.value.message == "no LifeEvent with id 'nope'"


def test_plain_and_global_ids() -> None:
    from graphql_relay import to_global_id

    assert plain_id("newborn-bundle", "Bundle") == "newborn-bundle"
    assert plain_id(to_global_id("Bundle", "newborn-bundle"), "Bundle") == "newborn-bundle"
    assert plain_id(to_global_id("Service", "x"), "Bundle") == to_global_id("Service", "x")
    assert plain_id("city:births", "Dataset") == "city:births"


def test_the_journey_input_becomes_a_profile_and_bad_values_are_not_echoed() -> None:
    today = date(2026, 11, 23)
    profile = profile_from_input({
        "age": 34, "region": "demo-city", "household": {"partner": True, "children_ages": [0, 4]},
        "documents_held": ["id-card"], "life_events": ["having-a-baby"],
    }, today)
    assert (profile.age, profile.partner, profile.children_ages) == (34, True, (0, 4))
    assert profile.documents_held == frozenset({"id-card"}) and profile.life_events == ("having-a-baby",)
    for bad in ({"age": 151}, {"birth_date": date(2027, 1, 1)}, {"household": {"children_ages": [-3]}},
                {"documents_held": ["x"] * 101}):
        with pytest.raises(GraphQLError) as raised:
            profile_from_input(bad, today)
        assert _code(raised.value) == "BAD_USER_INPUT"
        assert "151" not in raised.value.message and "2027" not in raised.value.message


def test_the_drivers_query_lines_lose_their_parameters() -> None:
    record = logging.LogRecord(
        "neo4j.io", logging.DEBUG, __file__, 1, "[#%04X]  C: RUN %s", (4242, "'MATCH (n)' {'eventIds': ['secret']}"),
        None,
    )
    assert QueryParameterRedaction().filter(record)
    assert record.getMessage() == "[#1092]  C: RUN (query and parameters not logged)"
    other = logging.LogRecord("neo4j.io", logging.DEBUG, __file__, 1, "[#%04X]  S: RECORD * %d", (1, 3), None)
    assert QueryParameterRedaction().filter(other) and other.getMessage() == "[#0001]  S: RECORD * 3"
