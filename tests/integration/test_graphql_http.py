"""GraphQL over HTTP, end to end: a real uvicorn server on 127.0.0.1 serving a small graphene schema through
``navigator.graphql_http``, checked by graphql-http's conformance audit (node) and by httpx."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import graphene
import httpx
import pytest
import uvicorn
from graphene import relay
from graphql import GraphQLError, get_introspection_query
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp, Message

from navigator.graphql_http import GRAPHIQL_CSP, graphiql_static_mount, graphql_endpoint
from navigator.graphql_limits import QueryLimits
from navigator.settings import PROJECT_ROOT

GQL = "application/graphql-response+json"
JSON = "application/json"
LIMITS = QueryLimits()


# --- the test schema -------------------------------------------------------------------------------------------------


class Item(graphene.ObjectType):
    name = graphene.String(required=True)
    next = graphene.Field(lambda: Item)

    def resolve_next(self, info: graphene.ResolveInfo) -> Item:
        return Item(name=f"{self.name}+")


class ItemConnection(relay.Connection):
    class Meta:
        node = Item


class Query(graphene.ObjectType):
    hello = graphene.String(name=graphene.String(default_value="world"))
    item = graphene.Field(Item)
    items = relay.ConnectionField(ItemConnection)
    viewer = graphene.String()
    boom = graphene.String(text=graphene.String())
    missing = graphene.String()

    def resolve_hello(self, info: graphene.ResolveInfo, name: str) -> str:
        return f"Hello, {name}"

    def resolve_item(self, info: graphene.ResolveInfo) -> Item:
        return Item(name="first")

    def resolve_items(self, info: graphene.ResolveInfo, **_: object) -> list[Item]:
        return [Item(name=f"item {i}") for i in range(250)]

    async def resolve_viewer(self, info: graphene.ResolveInfo) -> str:
        await asyncio.sleep(0)
        return str(info.context["who"])

    def resolve_boom(self, info: graphene.ResolveInfo, text: str | None = None) -> str:
        raise RuntimeError(f"database said no to {text}")


    def resolve_missing(self, info: graphene.ResolveInfo) -> str:
        raise GraphQLError("No such service.", extensions={"code": "NOT_FOUND", "service": "s-1"})


class Echo(graphene.Mutation):
    class Arguments:
        text = graphene.String(required=True)

    text = graphene.String()

    def mutate(self, info: graphene.ResolveInfo, text: str) -> Echo:
        return Echo(text=text)


class Mutation(graphene.ObjectType):
    echo = Echo.Field()


SCHEMA = graphene.Schema(query=Query, mutation=Mutation)


async def _context(request: Request) -> dict[str, object]:
    return {"who": request.headers.get("x-who", "anonymous")}


def _app(*, graphiql: bool = True) -> Starlette:
    endpoint = graphql_endpoint(SCHEMA, context_factory=_context, limits=LIMITS, graphiql=graphiql)
    return Starlette(routes=[Route("/graphql", endpoint), graphiql_static_mount("/static/graphiql")])


APP = _app()


# --- the server ------------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(APP, host="127.0.0.1", port=port, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-graphql-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url.removesuffix("/graphql"), timeout=30) as http:
        yield http


def _post(client: httpx.Client, body: object, accept: str | None = JSON, **headers: str) -> httpx.Response:
    if accept is not None:
        headers["accept"] = accept
    return client.post("/graphql", content=json.dumps(body), headers={"content-type": JSON, **headers})


def _code(response: httpx.Response, index: int = 0) -> str:
    return str(response.json()["errors"][index]["extensions"]["code"])


# --- conformance: graphql-http's audit -------------------------------------------------------------------------------


def test_graphql_http_audit_passes_every_must_and_should(url: str) -> None:
    node = shutil.which("node")
    assert node is not None, "node is needed (scripts/setup installs the npm tools)"
    done = subprocess.run(
        [node, "tests/graphql_audit.mjs", url], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) > 50
    failing = [r for r in results if r["name"].startswith(("MUST", "SHOULD")) and r["status"] != "ok"]
    for result in failing:
        print(json.dumps(result, indent=2))
    assert failing == []
    print(f"graphql-http audit: {sum(r['status'] == 'ok' for r in results)} of {len(results)} ok")


# --- requests, media types and status codes --------------------------------------------------------------------------


def test_post_answers_json_by_default(client: httpx.Client) -> None:
    for accept in (None, "*/*", JSON, "application/*"):
        response = _post(client, {"query": "{ hello }"}, accept=accept)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        assert response.json() == {"data": {"hello": "Hello, world"}}


def test_graphql_response_json_when_the_client_prefers_it(client: httpx.Client) -> None:
    for accept in (GQL, f"{GQL}, {JSON};q=0.9", f"{JSON};q=0.5, {GQL}", f"{GQL};charset=utf-8"):
        response = _post(client, {"query": "{ hello }"}, accept=accept)
        assert response.status_code == 200
        assert response.headers["content-type"] == f"{GQL}; charset=utf-8"
    assert _post(client, {"query": "{ hello }"}, accept=f"{JSON}, {GQL}").headers["content-type"].startswith(JSON)


def test_unacceptable_accept_is_406(client: httpx.Client) -> None:
    response = _post(client, {"query": "{ hello }"}, accept="text/plain")
    assert response.status_code == 406
    assert _code(response) == "NOT_ACCEPTABLE"


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "application/json; charset=latin-1", "application/graphql"])
def test_unsupported_content_type_is_415(client: httpx.Client, content_type: str | None) -> None:
    headers = {"accept": JSON} | ({"content-type": content_type} if content_type else {})
    response = client.post("/graphql", content=b'{"query": "{ hello }"}', headers=headers)
    assert response.status_code == 415
    assert _code(response) == "UNSUPPORTED_MEDIA_TYPE"


def test_utf8_charset_is_accepted(client: httpx.Client) -> None:
    response = client.post(
        "/graphql", content='{"query": "{ hello(name: \\"Zoë 🏃\\") }"}'.encode(),
        headers={"content-type": "application/json; charset=UTF-8"},
    )
    assert response.json() == {"data": {"hello": "Hello, Zoë 🏃"}}


MALFORMED = [
    ("not JSON", b'{"query": '),
    ("not UTF-8", b'{"query": "{ hello }", "x": "\xff"}'),
    ("NaN", b'{"query": "{ hello }", "variables": {"a": NaN}}'),
    ("a string", b'"{ hello }"'),
    ("no query", b'{"qeury": "{ hello }"}'),
    ("query not a string", b'{"query": 7}'),
    ("variables not an object", b'{"query": "{ hello }", "variables": [1]}'),
    ("variables a string", b'{"query": "{ hello }", "variables": "{}"}'),
    ("extensions not an object", b'{"query": "{ hello }", "extensions": "x"}'),
    ("operationName not a string", b'{"query": "{ hello }", "operationName": 1}'),
    ("empty batch", b"[]"),
    ("batch of non-objects", b'[{"query": "{ hello }"}, 2]'),
]


@pytest.mark.parametrize("accept", [JSON, GQL])
@pytest.mark.parametrize(("case", "body"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_requests_are_400_whatever_the_media_type(
    client: httpx.Client, case: str, body: bytes, accept: str
) -> None:
    response = client.post("/graphql", content=body, headers={"content-type": JSON, "accept": accept})
    assert response.status_code == 400, case
    assert response.headers["content-type"].startswith(accept)
    assert _code(response) == "BAD_REQUEST"
    assert "data" not in response.json()


REQUEST_ERRORS = [
    ("parse", {"query": "{ hello"}, "GRAPHQL_PARSE_FAILED"),
    ("validation", {"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED"),
    ("variables", {"query": "query($n: Int!) { items(first: $n) { edges { cursor } } }", "variables": {"n": "x"}},
     "BAD_USER_INPUT"),
    ("missing variable", {"query": "query($n: Int!) { items(first: $n) { edges { cursor } } }"}, "BAD_USER_INPUT"),
    ("unknown operation", {"query": "query A { hello }", "operationName": "B"}, "BAD_REQUEST"),
    ("ambiguous operation", {"query": "query A { hello } query B { hello }"}, "BAD_REQUEST"),
    ("too deep", {"query": "{ item { " + "next { " * 20 + "name" + " }" * 22}, "QUERY_TOO_DEEP"),
]


@pytest.mark.parametrize(("case", "body", "code"), REQUEST_ERRORS, ids=[r[0] for r in REQUEST_ERRORS])
def test_request_errors_are_400_under_graphql_response_json_and_200_under_json(
    client: httpx.Client, case: str, body: dict[str, Any], code: str
) -> None:
    for accept, status in ((GQL, 400), (JSON, 200)):
        response = _post(client, body, accept=accept)
        assert response.status_code == status, (case, accept)
        payload = response.json()
        assert "data" not in payload
        assert payload["errors"][0]["extensions"]["code"] == code


def test_operation_name_picks_the_operation(client: httpx.Client) -> None:
    document = "query A { hello } query B { hello(name: \"B\") } mutation C { echo(text: \"c\") { text } }"
    assert _post(client, {"query": document, "operationName": "B"}).json() == {"data": {"hello": "Hello, B"}}
    assert _post(client, {"query": document, "operationName": "C"}).json() == {"data": {"echo": {"text": "c"}}}
    assert _post(client, {"query": "query A { hello }", "operationName": ""}).json() == {
        "data": {"hello": "Hello, world"}
    }


def test_variables_and_the_context_reach_the_resolvers(client: httpx.Client) -> None:
    body = {"query": "query($who: String) { hello(name: $who) viewer }", "variables": {"who": "Ana"}}
    response = _post(client, body, **{"x-who": "tester"})
    assert response.json() == {"data": {"hello": "Hello, Ana", "viewer": "tester"}}


def test_get_runs_queries_with_json_variables(client: httpx.Client) -> None:
    params = {"query": "query Q($who: String) { hello(name: $who) }", "variables": '{"who": "GET"}',
              "operationName": "Q"}
    response = client.get("/graphql", params=params, headers={"accept": GQL})
    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "Hello, GET"}}
    bad = client.get("/graphql", params={"query": "{ hello }", "variables": "[1]"}, headers={"accept": GQL})
    assert bad.status_code == 400 and _code(bad) == "BAD_REQUEST"
    missing = client.get("/graphql", headers={"accept": JSON})
    assert missing.status_code == 400 and _code(missing) == "BAD_REQUEST"


def test_mutations_over_get_are_405(client: httpx.Client) -> None:
    for accept in (JSON, GQL):
        response = client.get("/graphql", params={"query": 'mutation { echo(text: "x") { text } }'},
                              headers={"accept": accept})
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert _code(response) == "METHOD_NOT_ALLOWED"
    picked = client.get("/graphql", params={"query": 'query A { hello } mutation B { echo(text: "x") { text } }',
                                            "operationName": "B"})
    assert picked.status_code == 405


def test_other_methods_are_405(client: httpx.Client) -> None:
    response = client.put("/graphql", content=b"{}", headers={"content-type": JSON})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert _code(response) == "METHOD_NOT_ALLOWED"


def test_field_errors_keep_the_data_and_status_200(client: httpx.Client) -> None:
    response = _post(client, {"query": "{ hello boom }"}, accept=GQL)
    assert response.status_code == 200
    assert response.json() == {
        "data": {"hello": "Hello, world", "boom": None},
        "errors": [{"message": "Internal error", "locations": [{"line": 1, "column": 9}], "path": ["boom"],
                    "extensions": {"code": "INTERNAL"}}],
    }


def test_errors_raised_on_purpose_keep_their_message_and_code(client: httpx.Client) -> None:
    response = _post(client, {"query": "{ missing hello }"}, accept=GQL)
    assert response.status_code == 200
    assert response.json() == {
        "data": {"missing": None, "hello": "Hello, world"},
        "errors": [{"message": "No such service.", "locations": [{"line": 1, "column": 3}], "path": ["missing"],
                    "extensions": {"code": "NOT_FOUND", "service": "s-1"}}],
    }


def test_unexpected_errors_are_masked_and_logged_without_variables(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "ana@example.org"
    with caplog.at_level(logging.ERROR, logger="navigator.graphql_http"):
        response = _post(client, {"query": "query Boom($t: String) { boom(text: $t) }", "variables": {"t": secret}})
    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == "Internal error"
    assert secret not in response.text and "Traceback" not in response.text and "database" not in response.text
    records = [r for r in caplog.records if r.name == "navigator.graphql_http"]
    assert len(records) == 1
    logged = records[0].getMessage()
    assert "Boom" in logged and "boom" in logged and "RuntimeError" in logged
    assert secret not in logged and secret not in caplog.text


def test_persisted_queries_are_refused_so_clients_send_the_query(client: httpx.Client) -> None:
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}
    response = _post(client, body)
    assert response.status_code == 400
    assert _code(response) == "PERSISTED_QUERY_NOT_SUPPORTED"


# --- batching --------------------------------------------------------------------------------------------------------


def test_a_batch_answers_each_operation_in_order(client: httpx.Client) -> None:
    batch = [
        {"query": "{ hello }"},
        {"query": "mutation($t: String!) { echo(text: $t) { text } }", "variables": {"t": "two"}},
        {"query": "{ nope }"},
    ]
    for accept in (JSON, GQL):
        response = _post(client, batch, accept=accept)
        assert response.status_code == 200
        results = response.json()
        assert results[:2] == [{"data": {"hello": "Hello, world"}}, {"data": {"echo": {"text": "two"}}}]
        assert results[2]["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_a_batch_shares_one_cost_budget(client: httpx.Client) -> None:
    costly = {"query": "{ items(first: 100) { edges { node { name next { next { name } } } } } }"}  # 401 nodes
    response = _post(client, [costly] * LIMITS.max_batch, accept=GQL)
    assert response.status_code == 200
    assert all("data" in r for r in response.json())
    small = QueryLimits(max_cost=1_000)
    app = Starlette(routes=[Route("/graphql", graphql_endpoint(SCHEMA, context_factory=_context, limits=small))])
    status, _, body = asyncio.run(_call(app, "POST", [json.dumps([costly] * 3).encode()], accept=GQL))
    results = json.loads(body)
    assert status == 200
    assert ["data" in r for r in results] == [True, True, False]
    assert results[2]["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_a_batch_of_request_errors_only_is_400_under_graphql_response_json(client: httpx.Client) -> None:
    response = _post(client, [{"query": "{"}, {"query": "{ nope }"}], accept=GQL)
    assert response.status_code == 400
    assert [r["errors"][0]["extensions"]["code"] for r in response.json()] == [
        "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED",
    ]


# --- abuse: each refused with its code, in under 10 ms on the server -------------------------------------------------


async def _call(app: ASGIApp, method: str, chunks: list[bytes], *, accept: str = JSON,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request straight into the ASGI app, the body sent in ``chunks`` without Content-Length."""
    raw_headers = [(b"content-type", JSON.encode()), (b"accept", accept.encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": "/graphql", "raw_path": b"/graphql", "root_path": "", "query_string": b"", "headers": raw_headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
    }
    pending = list(chunks)
    sent: list[Message] = []

    async def receive() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(0), "more_body": bool(pending)}
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def _batch(n: int) -> bytes:
    return json.dumps([{"query": "{ hello }"}] * n).encode()


CHUNK = b" " * 65_536
ABUSES = [
    ("depth 50", [json.dumps({"query": "{ item { " + "next { " * 48 + "name" + " }" * 50}).encode()],
     400, "QUERY_TOO_DEEP"),
    ("1,000 aliases", [json.dumps({"query": "{ " + " ".join(f"a{i}: hello" for i in range(1000)) + " }"}).encode()],
     400, "TOO_MANY_ALIASES"),
    ("5 MB body", [CHUNK] * 80, 413, "REQUEST_TOO_LARGE"),
    ("100-operation batch", [_batch(100)], 400, "BATCH_TOO_LARGE"),
    ("first: 100000", [b'{"query": "{ items(first: 100000) { edges { node { name } } } }"}'], 400, "FIRST_TOO_LARGE"),
]


@pytest.mark.parametrize(("case", "chunks", "status", "code"), ABUSES, ids=[a[0] for a in ABUSES])
def test_abuse_is_refused_in_under_10_ms_server_side(case: str, chunks: list[bytes], status: int, code: str) -> None:
    async def measure() -> float:
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            got_status, _, body = await _call(APP, "POST", chunks, accept=GQL)
            best = min(best, time.perf_counter() - started)
            assert got_status == status
            assert json.loads(body)["errors"][0]["extensions"]["code"] == code
        return best

    elapsed = asyncio.run(measure())
    assert elapsed < 0.010, f"{case}: {elapsed * 1000:.1f} ms"


@pytest.mark.parametrize(("case", "chunks", "status", "code"), ABUSES, ids=[a[0] for a in ABUSES])
def test_abuse_is_refused_over_http(client: httpx.Client, case: str, chunks: list[bytes], status: int,
                                    code: str) -> None:
    body = b"".join(chunks)
    response = client.post("/graphql", content=body, headers={"content-type": JSON, "accept": GQL})
    assert response.status_code == status
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    assert error["message"]


def test_a_large_body_is_refused_before_it_is_read(client: httpx.Client) -> None:
    """Content-Length over the limit: refused at once, with the body left unread."""
    status, _, body = asyncio.run(_call(APP, "POST", [], headers={"content-length": str(5 * 1024 * 1024)}))
    assert status == 413
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


# --- one error shape -------------------------------------------------------------------------------------------------

ERROR_REQUESTS: list[dict[str, Any]] = [
    {"method": "POST", "content": b"{", "headers": {"content-type": JSON}},
    {"method": "POST", "content": b"{}", "headers": {"content-type": "text/plain"}},
    {"method": "POST", "content": b'{"query": "{ hello }"}', "headers": {"content-type": JSON, "accept": "image/png"}},
    {"method": "DELETE"},
    {"method": "GET", "params": {"query": "mutation { echo(text: \"x\") { text } }"}},
    {"method": "POST", "content": b'{"query": "{ nope }"}', "headers": {"content-type": JSON}},
    {"method": "POST", "content": b'{"query": "{ boom }"}', "headers": {"content-type": JSON}},
    {"method": "POST", "content": _batch(11), "headers": {"content-type": JSON}},
]


@pytest.mark.parametrize("request_kwargs", ERROR_REQUESTS)
def test_every_error_has_one_shape(client: httpx.Client, request_kwargs: dict[str, Any]) -> None:
    response = client.request(url="/graphql", **request_kwargs)
    payload = response.json()
    assert set(payload) <= {"data", "errors"}
    assert payload["errors"]
    for error in payload["errors"]:
        assert set(error) <= {"message", "locations", "path", "extensions"}
        assert isinstance(error["message"], str) and error["message"]
        assert re.fullmatch(r"[A-Z_]+", error["extensions"]["code"])


# --- GraphiQL --------------------------------------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_script = False
        self.stylesheets: list[str] = []
        self.attributes: list[str] = []
        self.mount: dict[str, str | None] | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.attributes += [v for _, v in attrs if v]
        if tag == "script":
            self.scripts.append(found)
            self._in_script = True
        if tag == "link" and found.get("rel") == "stylesheet":
            self.stylesheets.append(str(found["href"]))
        if found.get("id") == "graphiql":
            self.mount = found
        if "style" in found or any(k.startswith("on") for k in found):
            self.inline_script = True

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script = True


def test_graphiql_page_is_offline_and_needs_no_inline_script(client: httpx.Client) -> None:
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/graphql", headers={"accept": browser_accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == GRAPHIQL_CSP
    assert "script-src 'self';" in GRAPHIQL_CSP and "unsafe-eval" not in GRAPHIQL_CSP
    page = _Page()
    page.feed(response.text)
    assert page.mount is not None and page.mount["data-endpoint"] == "/graphql"
    assert not page.inline_script
    sources = [str(s.get("src")) for s in page.scripts]
    assert sources == [
        "/static/graphiql/react.production.min.js", "/static/graphiql/react-dom.production.min.js",
        "/static/graphiql/graphiql.min.js", "/static/graphiql/graphiql-init.js",
    ]
    assert page.stylesheets == ["/static/graphiql/graphiql.min.css"]
    assert not re.search(r"(?:https?:)?//", response.text), "the page must not load anything from elsewhere"
    for asset in [*sources, *page.stylesheets]:
        loaded = client.get(asset)
        assert loaded.status_code == 200, asset
        expected = "text/css" if asset.endswith(".css") else "text/javascript"
        assert loaded.headers["content-type"] == f"{expected}; charset=utf-8"
        assert loaded.headers["x-content-type-options"] == "nosniff"
        assert len(loaded.content) > 500
    assert client.get("/static/graphiql/package.json").status_code == 404
    assert client.get("/static/graphiql/..%2F..%2Fpyproject.toml").status_code == 404


def test_graphiql_introspection_passes_the_limits(client: httpx.Client) -> None:
    query = get_introspection_query(descriptions=True, input_value_deprecation=True, schema_description=True)
    response = _post(client, {"query": query, "operationName": "IntrospectionQuery"}, accept=GQL)
    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_without_graphiql_a_browser_gets_json() -> None:
    app = _app(graphiql=False)
    transport = httpx.ASGITransport(app=app)

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await http.get("/graphql", headers={"accept": "text/html,*/*;q=0.8"})

    response = asyncio.run(fetch())
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert _code(response) == "BAD_REQUEST"


def test_a_failure_outside_the_resolvers_is_500_internal(caplog: pytest.LogCaptureFixture) -> None:
    def broken_context(request: Request) -> object:
        raise KeyError(request.headers["x-email"])  # a message built from the request

    endpoint = graphql_endpoint(SCHEMA, context_factory=broken_context)
    app = Starlette(routes=[Route("/graphql", endpoint)])
    with caplog.at_level(logging.ERROR, logger="navigator.graphql_http"):
        status, headers, body = asyncio.run(
            _call(app, "POST", [b'{"query": "{ hello }"}'], accept=GQL, headers={"x-email": "ana@example.org"})
        )
    assert status == 500
    assert headers["content-type"] == f"{GQL}; charset=utf-8"
    assert json.loads(body) == {"errors": [{"message": "Internal error", "extensions": {"code": "INTERNAL"}}]}
    assert "KeyError" in caplog.text and "ana@example.org" not in caplog.text
