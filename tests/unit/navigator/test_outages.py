"""Failing fast: the Neo4j circuit, the request deadline and the GraphQL endpoint's 503 during an outage."""

from __future__ import annotations

import asyncio
import json
import logging

import graphene
import httpx
import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from graph.errors import GraphUnavailable
from graph.observers import notify_after, notify_before, observe_queries
from navigator.graphql_http import graphql_endpoint
from navigator.outages import Neo4jCircuit, RequestDeadline, retry_after_seconds


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


# --- the circuit ------------------------------------------------------------------------------------------------------


def test_the_circuit_refuses_reads_while_open_and_closes_when_the_probe_answers() -> None:
    answers = [False, False, True]
    changes: list[bool] = []

    async def probe() -> bool:
        return answers.pop(0)

    async def scenario() -> None:
        circuit = Neo4jCircuit(probe, probe_interval=0.01, on_change=changes.append)
        with observe_queries(circuit):
            notify_before("STAGES_ALL")  # closed: allowed
            notify_after("STAGES_ALL", 0.3, "timeout")  # a slow query is no outage
            assert not circuit.is_open
            notify_after("STAGES_ALL", 0.3, "unavailable")
            assert circuit.is_open
            with pytest.raises(GraphUnavailable):
                notify_before("STAGES_ALL")
            notify_after("STAGES_ALL", 0.0, "unavailable")  # already open: one trip only
            for _ in range(100):
                if not circuit.is_open:
                    break
                await asyncio.sleep(0.01)
            assert not circuit.is_open and not answers
            notify_before("STAGES_ALL")
        await circuit.aclose()

    run(scenario())
    assert changes == [True, False]


def test_opening_the_circuit_abandons_the_reads_in_flight() -> None:
    async def never() -> bool:
        return False

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        circuit = Neo4jCircuit(never, probe_interval=10)
        hanging, finished = loop.create_future(), loop.create_future()
        finished.set_result([])
        circuit.read_sent("STAGES_ALL", hanging)
        circuit.read_sent("PING", finished)
        circuit.after_query("SERVICES_BY_IDS", 0.2, "unavailable")
        assert hanging.cancelled() and not finished.cancelled()
        late = loop.create_future()
        circuit.read_sent("STAGES_ALL", late)  # (a read the circuit already refuses never gets this far)
        assert not late.cancelled()
        await circuit.aclose()

    run(scenario())


def test_a_failing_or_hanging_probe_keeps_the_circuit_open_and_stops_with_the_app() -> None:
    calls = 0

    async def probe() -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("driver trouble")
        await asyncio.sleep(60)
        return True

    async def scenario() -> None:
        circuit = Neo4jCircuit(probe, probe_interval=0.01)
        circuit.trip()
        await asyncio.sleep(0.1)
        assert circuit.is_open and calls == 2
        await circuit.aclose()

    logging.getLogger("navigator.outages").disabled = True
    try:
        run(scenario())
    finally:
        logging.getLogger("navigator.outages").disabled = False


def test_retry_after_is_whole_seconds() -> None:
    assert retry_after_seconds(0.5) == 1 and retry_after_seconds(2.2) == 3


# --- the request deadline -------------------------------------------------------------------------------------------


async def _slow(request: Request) -> Response:
    await asyncio.sleep(5)
    return PlainTextResponse("late")


async def _quick(request: Request) -> Response:
    return PlainTextResponse("ok")


async def _error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return Response(f"<h1>error {exc.status_code}</h1>", exc.status_code, exc.headers, media_type="text/html")


def _deadline_app() -> Starlette:
    return Starlette(
        routes=[Route("/slow", _slow), Route("/quick", _quick)],
        middleware=[Middleware(RequestDeadline, seconds=0.2, retry_after=2)],
        exception_handlers={HTTPException: _error_page},
    )


async def _get(app: Starlette, path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path, headers=headers)


def test_a_request_over_the_deadline_is_answered_503_in_the_error_shape() -> None:
    app = _deadline_app()
    quick = run(_get(app, "/quick"))
    assert isinstance(quick, httpx.Response) and quick.text == "ok"
    late = run(_get(app, "/slow", accept="application/json"))
    assert isinstance(late, httpx.Response)
    assert late.status_code == 503 and late.headers["retry-after"] == "2"
    assert late.json() == {"errors": [{"message": "The request took longer than 0.2 s; try again shortly.",
                                       "extensions": {"code": "REQUEST_TIMEOUT"}}]}


def test_a_browser_over_the_deadline_gets_the_error_page() -> None:
    late = run(_get(_deadline_app(), "/slow", accept="text/html,application/xhtml+xml,*/*;q=0.8"))
    assert isinstance(late, httpx.Response)
    assert late.status_code == 503 and late.headers["retry-after"] == "2" and late.text == "<h1>error 503</h1>"


# --- GraphQL during an outage ---------------------------------------------------------------------------------------


class Query(graphene.ObjectType):
    stages = graphene.List(graphene.String)
    version = graphene.String()

    async def resolve_stages(self, info: graphene.ResolveInfo) -> list[str]:
        raise GraphUnavailable("Neo4j is unavailable: ServiceUnavailable")

    def resolve_version(self, info: graphene.ResolveInfo) -> str:
        return "1"


def test_graphql_answers_503_with_retry_after_and_a_stable_code_when_neo4j_is_away(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[tuple[str | None, tuple[str, ...]]] = []
    endpoint = graphql_endpoint(
        graphene.Schema(query=Query), context_factory=lambda request: {}, retry_after=3,
        observer=lambda request, name, codes: seen.append((name, codes)),
    )
    app = Starlette(routes=[Route("/graphql", endpoint)])

    async def post(body: object) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/graphql", json=body)

    with caplog.at_level(logging.ERROR):
        down = run(post({"query": "query Road { version stages }"}))
        fine = run(post({"query": "{ version }"}))
        batch = run(post([{"query": "{ version }"}, {"query": "query Road { stages }"}]))
        bad = run(post({"query": "{ nope }"}))
    assert isinstance(down, httpx.Response) and isinstance(fine, httpx.Response)
    assert isinstance(batch, httpx.Response) and isinstance(bad, httpx.Response)
    assert down.status_code == 503 and down.headers["retry-after"] == "3"
    assert json.loads(down.text) == {
        "data": {"version": "1", "stages": None},
        "errors": [{"message": "The knowledge graph is unavailable; try again shortly.",
                    "locations": [{"line": 1, "column": 22}], "path": ["stages"],
                    "extensions": {"code": "GRAPH_UNAVAILABLE"}}],
    }
    assert fine.status_code == 200 and "retry-after" not in fine.headers
    assert batch.status_code == 503 and batch.json()[0] == {"data": {"version": "1"}}
    assert bad.status_code == 200
    assert seen == [("Road", ("GRAPH_UNAVAILABLE",)), ("", ()), ("", ()), ("Road", ("GRAPH_UNAVAILABLE",)),
                    ("", ("GRAPHQL_VALIDATION_FAILED",))]
    assert not caplog.records, "an outage is no internal error: nothing is logged as one"
