"""Metrics and request logs: bounded labels, route templates, one JSON line per request, nothing of the request's
values."""

from __future__ import annotations

import asyncio
import json
import logging
import logging.config
import sys

import httpx
import pytest
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from graph.observers import notify_after, observe_queries
from navigator import observability
from navigator.observability import (
    QUERY_METRICS,
    JsonFormatter,
    RequestObserver,
    count_harvest_run,
    logging_config,
    metrics_endpoint,
    observe_graphql_operation,
)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def _service(request: Request) -> Response:
    with observe_queries():
        notify_after("SERVICES_BY_IDS", 0.004, "ok")
    return PlainTextResponse(f"service {request.path_params['ident']}")


async def _graphql(request: Request) -> Response:
    observe_graphql_operation(request, "Journey", ("GRAPH_UNAVAILABLE",))
    return PlainTextResponse("{}", status_code=503)


async def _asset(request: Request) -> Response:
    return PlainTextResponse("asset")


def _app() -> Starlette:
    routes = [
        Route("/services/{ident}", _service),
        Route("/graphql", _graphql, methods=["POST"]),
        Route("/metrics", metrics_endpoint),
        Mount("/static/x", routes=[Route("/{name}", _asset)]),
    ]
    return Starlette(routes=routes, middleware=[Middleware(RequestObserver, query_observers=[QUERY_METRICS])])


async def _requests(app: Starlette, *calls: tuple[str, str]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return [await client.request(method, url, content=b"age=33&region=secret-town") for method, url in calls]


def test_one_log_line_per_request_with_the_route_template_and_never_its_values(
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = sample("navigator_http_requests_total", method="GET", route="/services/{ident}", operation="",
                    status="200")
    errors_before = sample("navigator_graphql_errors_total", code="GRAPH_UNAVAILABLE")
    queries_before = sample("navigator_neo4j_query_duration_seconds_count", query="SERVICES_BY_IDS", outcome="ok")
    with caplog.at_level(logging.INFO, logger="navigator.access"):
        asyncio.run(_requests(
            _app(), ("GET", "/services/id-card-secret?name=Zhang+San"), ("POST", "/graphql?region=secret-town"),
            ("GET", "/static/x/app.js"), ("GET", "/nowhere/private-path"), ("BREW", "/services/x"),
        ))
    records = [r for r in caplog.records if r.name == "navigator.access"]
    fields = [r.fields for r in records]  # type: ignore[attr-defined]
    assert [(f["method"], f["route"], f["operation"], f["status"]) for f in fields] == [
        ("GET", "/services/{ident}", "", 200),
        ("POST", "/graphql", "Journey", 503),
        ("GET", "/static/x/{name}", "", 200),
        ("GET", "(unmatched)", "", 404),
        ("OTHER", "/services/{ident}", "", 405),
    ]
    assert all(isinstance(f["ms"], float) for f in fields)
    lines = "\n".join(JsonFormatter().format(r) for r in records)
    for value in ("id-card-secret", "Zhang", "secret-town", "private-path", "app.js", "BREW", "age=33"):
        assert value not in lines
    assert sample("navigator_http_requests_total", method="GET", route="/services/{ident}", operation="",
                  status="200") == before + 1
    assert sample("navigator_graphql_errors_total", code="GRAPH_UNAVAILABLE") == errors_before + 1
    assert sample("navigator_neo4j_query_duration_seconds_count", query="SERVICES_BY_IDS",
                  outcome="ok") == queries_before + 1


def test_metrics_are_served_in_prometheus_text_format() -> None:
    count_harvest_run("demo-portal", "ok")
    (response,) = asyncio.run(_requests(_app(), ("GET", "/metrics")))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    for name in ("navigator_http_requests_total", "navigator_http_request_duration_seconds_bucket",
                 "navigator_neo4j_circuit_open", 'navigator_harvest_runs_total{outcome="ok",portal="demo-portal"}'):
        assert name in response.text


def test_label_values_are_bounded() -> None:
    label = observability._BoundedLabel(limit=3)
    assert [label(v) for v in ("a", "b", "c", "d", "a", "x" * 100)] == ["a", "b", "c", "(other)", "a", "(other)"]


def test_json_lines_carry_the_fields_and_an_exceptions_type_but_never_its_message() -> None:
    logger = logging.getLogger("test.json")
    town = "-".join(["secret", "town"])  # built here: the stack shows source lines, the message must not appear
    try:
        raise ValueError(f"profile says age 33 in {town}")
    except ValueError:
        record = logger.makeRecord("test.json", logging.ERROR, __file__, 1, "failed %s", ("x",), exc_info=None)
        record.exc_info = sys.exc_info()
    record.fields = {"route": "/graphql"}
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "failed x" and entry["route"] == "/graphql" and entry["error"] == "ValueError"
    assert "test_json_lines" in entry["stack"] and town not in json.dumps(entry)


def test_the_serve_logging_config_is_valid() -> None:
    config = logging_config("INFO")
    assert config["formatters"]["json"]["()"] == "navigator.observability.JsonFormatter"
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        logging.config.dictConfig(config)
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
