"""GraphQL over HTTP for Starlette: the one module between graphene/graphql-core and the web.

Starlette dropped its GraphQL support, so this module speaks the GraphQL-over-HTTP draft
(https://graphql.github.io/graphql-over-http/draft/) itself:

- ``POST`` with ``Content-Type: application/json`` (UTF-8); anything else is ``415``. ``GET`` with ``query``,
  ``operationName``, and JSON-encoded ``variables``/``extensions`` in the query string, for queries only: a mutation
  over ``GET`` is ``405`` with ``Allow: POST``.
- Content negotiation on ``Accept``: ``application/graphql-response+json`` when it is the client's first choice,
  else ``application/json``. With no ``Accept`` header, or ``*/*``, the answer is ``application/json`` (the
  draft's pre-2025 default, which graphql-http's audit still checks; clients that want the new status codes say
  so). An ``Accept`` that allows neither is ``406``.
- Status codes: a request that is not well-formed (bad JSON, no ``query``, wrong parameter types, too large) is
  ``4xx`` whatever the media type. A well-formed one that fails to parse, validate, pass the limits, pick its
  operation or coerce its variables is ``400`` under ``application/graphql-response+json`` and ``200`` under
  ``application/json``. Anything that was executed is ``200``, with ``data``.
- Batching (an extension of the draft): a JSON array of requests answers a JSON array of results, in order, run one
  after the other, at most ``QueryLimits.max_batch`` of them, sharing one cost budget and one context.
- GraphiQL, when enabled: a ``GET`` preferring ``text/html`` gets an offline GraphiQL page, scripts and styles from
  :func:`graphiql_static_mount`, bootstrapped by ``navigator/static/graphiql-init.js`` so that it runs under a
  Content-Security-Policy that forbids inline scripts.

Every error this API returns has one shape, made by :func:`format_error`:
``{"message": ..., "locations"?: ..., "path"?: ..., "extensions": {"code": ...}}``. An exception a resolver did not
mean to show becomes ``Internal error`` / ``INTERNAL`` and is logged with the operation's name and the field's
path; variables are never logged.

Outages: when Neo4j is away (an error with code ``GRAPH_UNAVAILABLE``, including a
:class:`graph.errors.GraphUnavailable` no resolver mapped), the answer is ``503`` with ``Retry-After``, in either
media type, with whatever ``data`` was executed: the client should retry, not trust a partial answer.
An optional :data:`OperationObserver` sees each operation's name and error codes (for metrics and the request log).

Parsing and validating a query costs more than running most of them, and apps send the same few query texts again
and again: a document that parsed and passed validation is kept, by its exact text, in a small per-process LRU
(:class:`DocumentCache`) and reused without parsing or validating it again. The limits (depth, aliases, cost) are
still checked on every request: they depend on the variables and on what is left of a batch's budget. Documents
that fail are never kept, and neither are texts over ``DocumentCache.max_text``.
"""

from __future__ import annotations

import html
import json
import logging
import traceback
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from inspect import isawaitable
from pathlib import Path
from typing import Any, NoReturn

import graphene
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    assert_valid_schema,
    execute,
    get_operation_ast,
    get_variable_values,
    specified_rules,
    validate,
)
from graphql.validation import MaxIntrospectionDepthRule
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.errors import GraphUnavailable
from navigator.graphql_execution import SettlingExecutionContext
from navigator.graphql_limits import QueryLimits, check_batch_size, check_operation, coded_error, parse_source
from navigator.settings import PROJECT_ROOT

__all__ = [
    "GRAPHIQL_CSP",
    "GRAPHQL_RESPONSE_JSON",
    "JSON",
    "UNAVAILABLE",
    "ContextFactory",
    "DocumentCache",
    "OperationObserver",
    "format_error",
    "graphiql_static_mount",
    "graphql_endpoint",
]

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
_HTML = "text/html"

ContextFactory = Callable[[Request], Any]
"""Builds the context of one HTTP request (shared by a batch's operations); may be a coroutine function."""

OperationObserver = Callable[[Request, "str | None", tuple[str, ...]], None]
"""Called once per operation of a request with the operation's name (``""`` for an anonymous one, None when no
operation was picked or the request was refused as a whole) and the codes of the errors answered. It must not look
at the variables."""

UNAVAILABLE = "GRAPH_UNAVAILABLE"
"""The code of an error caused by a Neo4j outage; a response carrying one is ``503`` with ``Retry-After``."""
_UNAVAILABLE_MESSAGE = "The knowledge graph is unavailable; try again shortly."

GRAPHIQL_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The page's policy: no inline or foreign script. Inline styles stay allowed: GraphiQL's dialogs insert a
``<style>`` element (checked in Chromium: without ``'unsafe-inline'`` the settings dialog is blocked)."""

_VALIDATION_RULES = (*specified_rules, MaxIntrospectionDepthRule)

_STATIC_DIR = Path(__file__).resolve().parent / "static"
_GRAPHIQL_ASSETS: dict[str, tuple[str, str]] = {
    # served name: (path under node_modules, or "static:" + our own file; media type)
    "react.production.min.js": ("react/umd/react.production.min.js", "text/javascript"),
    "react-dom.production.min.js": ("react-dom/umd/react-dom.production.min.js", "text/javascript"),
    "graphiql.min.js": ("graphiql/graphiql.min.js", "text/javascript"),
    "graphiql.min.css": ("graphiql/graphiql.min.css", "text/css"),
    "graphiql-init.js": ("static:graphiql-init.js", "text/javascript"),
}
_GRAPHIQL_SCRIPTS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql-init.js")


def format_error(error: GraphQLError, *, default_code: str = "INTERNAL") -> dict[str, Any]:
    """The one shape of an error in a response. Errors raised on purpose (a ``GraphQLError``, or graphql-core's own)
    keep their message and ``extensions``, with ``code`` defaulting to ``default_code``; any other exception is
    masked as ``Internal error`` / ``INTERNAL``."""
    original = error.original_error
    if isinstance(original, GraphUnavailable):
        shaped: dict[str, Any] = {"message": _UNAVAILABLE_MESSAGE}
        extensions: dict[str, Any] = {"code": UNAVAILABLE}
    elif original is not None and not isinstance(original, GraphQLError):
        shaped = {"message": "Internal error"}
        extensions = {"code": "INTERNAL"}
    else:
        shaped = {"message": error.message}
        extensions = dict(error.extensions or {})
        extensions["code"] = str(extensions.get("code") or default_code)
    if error.locations:
        shaped["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path is not None:
        shaped["path"] = list(error.path)
    shaped["extensions"] = {"code": extensions.pop("code"), **extensions}
    return shaped


class _Rejected(Exception):
    """The request as a whole is refused with this status, whatever media type was negotiated."""

    def __init__(self, status: int, message: str, code: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = coded_error(message, code)
        self.headers = dict(headers or {})


@dataclass(frozen=True, slots=True)
class _Params:
    query: str
    operation_name: str | None
    variables: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class _Outcome:
    body: dict[str, Any]
    status: int = 200  # under application/graphql-response+json
    legacy_status: int = 200  # under application/json
    cost: int = field(default=0, compare=False)
    operation: str | None = field(default=None, compare=False)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(str(e["extensions"]["code"]) for e in self.body.get("errors", ()))


def _failed(errors: tuple[GraphQLError, ...] | list[GraphQLError], default_code: str) -> _Outcome:
    """A well-formed request that was not executed: 400 under the new media type, 200 under the legacy one."""
    return _Outcome({"errors": [format_error(e, default_code=default_code) for e in errors]}, 400, 200)


def _negotiate(accept: str | None, *, html_allowed: bool) -> str | None:
    """The response media type for an ``Accept`` header: its most preferred type we serve (first listed wins a tie)."""
    if accept is None or not accept.strip():
        return JSON
    best: str | None = None
    best_q = 0.0
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.lower()
        offered = {
            GRAPHQL_RESPONSE_JSON: GRAPHQL_RESPONSE_JSON,
            JSON: JSON,
            "application/*": JSON,
            "*/*": JSON,
            _HTML: _HTML if html_allowed else None,
        }.get(media)
        if offered is not None and q > best_q:
            best, best_q = offered, q
    return best


def _json_bytes(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _respond(body: object, status: int, media: str, headers: Mapping[str, str] | None = None) -> Response:
    headers = {"Vary": "Accept", **(headers or {})}
    return Response(_json_bytes(body), status_code=status, headers=headers, media_type=f"{media}; charset=utf-8")


def _refuse(message: str) -> NoReturn:
    raise _Rejected(400, message, "BAD_REQUEST")


def _no_constants(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _params_from(raw: Mapping[str, object]) -> _Params:
    """Check the parameters of one request (a JSON object, or a GET query string already decoded)."""
    query, name = raw.get("query"), raw.get("operationName")
    variables, extensions = raw.get("variables"), raw.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        _refuse("`extensions` must be an object.")
    if query is None:
        if isinstance(extensions, dict) and "persistedQuery" in extensions:
            raise _Rejected(
                400, "Persisted queries are not supported; send the query.", "PERSISTED_QUERY_NOT_SUPPORTED"
            )
        _refuse("The request has no `query`.")
    if not isinstance(query, str):
        _refuse("`query` must be a string.")
    if name is not None and not isinstance(name, str):
        _refuse("`operationName` must be a string.")
    if variables is not None and not isinstance(variables, dict):
        _refuse("`variables` must be an object.")
    return _Params(query, name or None, variables)


def _params_from_query_string(request: Request, limits: QueryLimits) -> _Params:
    if len(request.url.query) > limits.max_body_bytes:
        raise _Rejected(414, f"The query string is over {limits.max_body_bytes:,} bytes.", "REQUEST_TOO_LARGE")
    raw: dict[str, object] = dict(request.query_params)
    for key in ("variables", "extensions"):
        if key in raw:
            try:
                raw[key] = json.loads(str(raw[key]), parse_constant=_no_constants)
            except (ValueError, RecursionError):
                _refuse(f"`{key}` must be a JSON-encoded object.")
    return _params_from(raw)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit``: from ``Content-Length``, or while
    reading, so a large body is never held in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _Rejected(413, f"The request body is over {limit:,} bytes.", "REQUEST_TOO_LARGE")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _Rejected(413, f"The request body is over {limit:,} bytes.", "REQUEST_TOO_LARGE")
    return bytes(body)


def _check_content_type(value: str | None) -> None:
    media, *params = (p.strip().lower() for p in (value or "").split(";"))
    charsets = [p.partition("=")[2].strip('"') for p in params if p.startswith("charset=")]
    if media != JSON or any(c not in ("utf-8", "utf8") for c in charsets):
        raise _Rejected(
            415, "POST requests must be sent as `Content-Type: application/json` (UTF-8).", "UNSUPPORTED_MEDIA_TYPE"
        )


class DocumentCache:
    """Query documents that parsed and passed validation, by their exact text: the ``size`` most recently used.

    Used from one event loop (no locking). A document is shared by the requests that send its text; graphql-core
    never changes a document it executes.
    """

    max_text = 16 * 1024
    """Longer query texts are never kept (a long text is rare, and the cache's memory stays bounded)."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()

    def __len__(self) -> int:
        return len(self._documents)

    def get(self, query: str) -> DocumentNode | None:
        document = self._documents.get(query)
        if document is not None:
            self._documents.move_to_end(query)
        return document

    def put(self, query: str, document: DocumentNode) -> None:
        """Keep ``document`` (which has passed validation) for ``query``, forgetting the least recently used."""
        if len(query) > self.max_text or self.size < 1:
            return
        self._documents[query] = document
        self._documents.move_to_end(query)
        while len(self._documents) > self.size:
            self._documents.popitem(last=False)


class _GraphQLHTTP:
    def __init__(
        self, schema: graphene.Schema, context_factory: ContextFactory, limits: QueryLimits, page: bytes | None,
        observer: OperationObserver | None = None, retry_after: int = 1,
    ) -> None:
        self.schema = schema.graphql_schema
        assert_valid_schema(self.schema)  # a broken schema fails at start-up, not on the first request
        self.context_factory = context_factory
        self.limits = limits
        self.page = page
        self.observer = observer
        self.retry_after = retry_after
        self.documents = DocumentCache()

    def _observe(self, request: Request, operation: str | None, codes: tuple[str, ...]) -> None:
        if self.observer is not None:
            try:
                self.observer(request, operation, codes)
            except Exception:
                log.exception("the GraphQL operation observer failed")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        html_allowed = self.page is not None and request.method == "GET"
        media = _negotiate(request.headers.get("accept"), html_allowed=html_allowed)
        try:
            if request.method not in ("GET", "POST"):
                raise _Rejected(405, "Use GET or POST.", "METHOD_NOT_ALLOWED", {"Allow": "GET, POST"})
            if media is None:
                raise _Rejected(406, f"Accept `{GRAPHQL_RESPONSE_JSON}` or `{JSON}`.", "NOT_ACCEPTABLE")
            if media == _HTML and self.page is not None:
                return self._graphiql(request)
            return await self._graphql(request, media)
        except _Rejected as rejected:
            body = {"errors": [format_error(rejected.error)]}
            self._observe(request, None, (str(body["errors"][0]["extensions"]["code"]),))
            return _respond(body, rejected.status, media if media in (GRAPHQL_RESPONSE_JSON, JSON) else JSON,
                            rejected.headers)
        except ClientDisconnect:
            return Response(status_code=400)
        except Exception as e:
            _log_failure("GraphQL request failed", e)
            self._observe(request, None, ("INTERNAL",))
            internal = {"errors": [format_error(coded_error("Internal error", "INTERNAL"))]}
            return _respond(internal, 500, media if media in (GRAPHQL_RESPONSE_JSON, JSON) else JSON)

    def _graphiql(self, request: Request) -> Response:
        assert self.page is not None
        headers = {
            "Content-Security-Policy": GRAPHIQL_CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-cache",
            "Vary": "Accept",
        }
        return Response(self.page, headers=headers, media_type="text/html; charset=utf-8")

    async def _graphql(self, request: Request, media: str) -> Response:
        is_get = request.method == "GET"
        if is_get:
            batch, requests = False, [_params_from_query_string(request, self.limits)]
        else:
            _check_content_type(request.headers.get("content-type"))
            body = await _read_body(request, self.limits.max_body_bytes)
            try:
                payload = json.loads(body.decode("utf-8"), parse_constant=_no_constants)
            except (UnicodeDecodeError, ValueError, RecursionError):
                _refuse("The request body is not valid JSON in UTF-8.")
            batch = isinstance(payload, list)
            items = payload if isinstance(payload, list) else [payload]
            if not items:
                _refuse("The batch is empty.")
            too_many = check_batch_size(len(items), self.limits)
            if too_many is not None:
                raise _Rejected(400, too_many.message, "BATCH_TOO_LARGE")
            if not all(isinstance(item, dict) for item in items):
                _refuse("A request must be a JSON object (or, for a batch, an array of objects).")
            requests = [_params_from(item) for item in items]
        context = self.context_factory(request)
        if isawaitable(context):
            context = await context
        outcomes: list[_Outcome] = []
        budget = self.limits.max_cost
        for params in requests:
            outcome = await self._run(params, context=context, is_get=is_get, budget=budget)
            budget -= outcome.cost
            outcomes.append(outcome)
            self._observe(request, outcome.operation, outcome.codes)
        if any(UNAVAILABLE in o.codes for o in outcomes):
            answered = [o.body for o in outcomes] if batch else outcomes[0].body
            return _respond(answered, 503, media, {"Retry-After": str(self.retry_after)})
        if not batch:
            only = outcomes[0]
            return _respond(only.body, only.status if media == GRAPHQL_RESPONSE_JSON else only.legacy_status, media)
        if any("data" in o.body for o in outcomes):
            status = 200
        else:
            status = outcomes[0].status if media == GRAPHQL_RESPONSE_JSON else outcomes[0].legacy_status
        return _respond([o.body for o in outcomes], status, media)

    async def _run(self, params: _Params, *, context: object, is_get: bool, budget: int) -> _Outcome:
        """Parse, check the limits, validate, coerce the variables, then execute one operation. A document seen
        before (see :class:`DocumentCache`) is neither parsed nor validated again."""
        document = self.documents.get(params.query)
        validated = document is not None
        if document is None:
            try:
                document = parse_source(params.query, self.limits)
            except GraphQLError as e:
                return _failed([e], "GRAPHQL_PARSE_FAILED")
        operation = get_operation_ast(document, params.operation_name)
        if operation is None:
            missing = coded_error(_missing_operation(document, params.operation_name), "BAD_REQUEST")
            return _failed([missing], "BAD_REQUEST")
        if is_get and operation.operation is not OperationType.QUERY:
            raise _Rejected(
                405, f"A {operation.operation.value} cannot be sent with GET; use POST.", "METHOD_NOT_ALLOWED",
                {"Allow": "POST"},
            )
        name = operation.name.value if operation.name else ""
        if operation.operation is OperationType.SUBSCRIPTION:
            refused = coded_error("Subscriptions are not served over HTTP.", "BAD_REQUEST")
            return replace(_failed([refused], "BAD_REQUEST"), operation=name)
        checked = check_operation(document, operation, self.schema, self.limits, params.variables, cost_budget=budget)
        if checked.errors:
            return replace(_failed(checked.errors, "BAD_REQUEST"), operation=name)
        if not validated:
            invalid = validate(self.schema, document, _VALIDATION_RULES)
            if invalid:
                return replace(_failed(invalid, "GRAPHQL_VALIDATION_FAILED"), operation=name)
            self.documents.put(params.query, document)
        coerced = get_variable_values(self.schema, operation.variable_definitions or (), params.variables or {}, 20)
        if isinstance(coerced, list):
            return replace(_failed(coerced, "BAD_USER_INPUT"), operation=name)
        result = execute(
            self.schema, document, context_value=context, variable_values=params.variables,
            operation_name=params.operation_name, execution_context_class=SettlingExecutionContext,
        )
        if isawaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        return _Outcome(self._executed(result, operation), cost=checked.cost, operation=name)

    @staticmethod
    def _executed(result: ExecutionResult, operation: OperationDefinitionNode) -> dict[str, Any]:
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            name = operation.name.value if operation.name else "(anonymous)"
            for error in result.errors:
                original = error.original_error
                if original is not None and not isinstance(original, GraphQLError | GraphUnavailable):
                    where = ".".join(str(p) for p in error.path or ()) or "(root)"
                    _log_failure(f"GraphQL operation {name} failed at {where}", original)
            body["errors"] = [format_error(error) for error in result.errors]
        return body


def _log_failure(what: str, error: BaseException) -> None:
    """Log an unexpected exception by its type and stack only. Its message is left out: it may be built from the
    request's variables, which can hold a citizen's data. ``what`` must name the operation, never its variables."""
    stack = "".join(traceback.format_tb(error.__traceback__)).rstrip()
    log.error("%s with %s (message not logged)\n%s", what, type(error).__qualname__, stack)


def _missing_operation(document: DocumentNode, name: str | None) -> str:
    if name is not None:
        return f"Unknown operation named '{name}'."
    if not any(isinstance(d, OperationDefinitionNode) for d in document.definitions):
        return "The document contains no operation."
    return "Must provide operation name if query contains multiple operations."


def _graphiql_page(endpoint_path: str, static_path: str) -> bytes:
    prefix = html.escape(static_path.rstrip("/"), quote=True)
    scripts = "\n".join(f'<script src="{prefix}/{name}"></script>' for name in _GRAPHIQL_SCRIPTS)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · Road-of-Life Navigator API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{prefix}/graphiql.min.css">
</head>
<body>
<div id="graphiql" data-endpoint="{html.escape(endpoint_path, quote=True)}">Loading GraphiQL…</div>
<noscript>GraphiQL needs JavaScript. The API itself answers POST requests at this address.</noscript>
{scripts}
</body>
</html>
""".encode()


def graphql_endpoint(
    schema: graphene.Schema,
    *,
    context_factory: ContextFactory,
    limits: QueryLimits | None = None,
    graphiql: bool = False,
    path: str = "/graphql",
    static_path: str = "/static/graphiql",
    observer: OperationObserver | None = None,
    retry_after: int = 1,
) -> ASGIApp:
    """An ASGI endpoint serving ``schema`` over HTTP at ``path``: ``Route(path, graphql_endpoint(...))``. It answers
    every method itself (``405`` in the API's error shape for all but GET and POST).

    ``path`` is where it is mounted (the GraphiQL page posts there); ``static_path`` is where
    :func:`graphiql_static_mount` serves GraphiQL's files. ``observer`` sees each operation's name and error codes;
    ``retry_after`` is the ``Retry-After`` (seconds) of a ``503`` answered during a Neo4j outage.
    """
    page = _graphiql_page(path, static_path) if graphiql else None
    return _GraphQLHTTP(schema, context_factory, limits or QueryLimits(), page, observer, retry_after)


def graphiql_static_mount(
    path: str = "/static/graphiql", *, node_modules: Path = PROJECT_ROOT / "node_modules"
) -> Mount:
    """Serves GraphiQL's browser files from ``node_modules`` (installed by npm at set-up) and our bootstrap script.
    Only the listed files are served; a missing one is logged once here and answered 404."""
    files: dict[str, tuple[Path, str]] = {}
    for name, (where, media) in _GRAPHIQL_ASSETS.items():
        source = _STATIC_DIR / where.removeprefix("static:") if where.startswith("static:") else node_modules / where
        files[name] = (source, media)
    missing = [str(p) for p, _ in files.values() if not p.is_file()]
    if missing:
        log.warning("GraphiQL files are missing (run `npm ci`): %s", ", ".join(missing))

    async def asset(request: Request) -> Response:
        found = files.get(request.path_params["name"])
        if found is None or not found[0].is_file():
            return Response("Not found", status_code=404, media_type="text/plain")
        source, media = found
        headers = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
        return FileResponse(source, media_type=f"{media}; charset=utf-8", headers=headers)

    return Mount(path, routes=[Route("/{name}", asset, methods=["GET", "HEAD"])])
