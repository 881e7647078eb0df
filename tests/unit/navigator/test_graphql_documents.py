"""The GraphQL endpoint keeps documents that parsed and validated, by text; limits still apply to every request."""

from __future__ import annotations

import asyncio
from typing import Any

import graphene
import httpx
import pytest
from graphene import relay
from graphql import parse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from navigator import graphql_http
from navigator.graphql_http import DocumentCache, graphql_endpoint


class Item(graphene.ObjectType):
    name = graphene.String(required=True)


class ItemConnection(relay.Connection):
    class Meta:
        node = Item


class Query(graphene.ObjectType):
    hello = graphene.String(name=graphene.String(default_value="world"))
    items = relay.ConnectionField(ItemConnection)

    def resolve_hello(self, info: graphene.ResolveInfo, name: str) -> str:
        return f"Hello, {name}"

    def resolve_items(self, info: graphene.ResolveInfo, **_: object) -> list[Item]:
        return [Item(name=f"item {i}") for i in range(5)]


SCHEMA = graphene.Schema(query=Query)


async def _context(request: Request) -> dict[str, object]:
    return {}


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts graphql-core validations made by the endpoint."""
    seen: list[str] = []
    validate = graphql_http.validate

    def counting(schema: Any, document: Any, rules: Any) -> Any:
        seen.append("validate")
        return validate(schema, document, rules)

    monkeypatch.setattr(graphql_http, "validate", counting)
    return seen


def _answers(requests: list[dict[str, Any]]) -> list[Any]:
    """The JSON answers of one endpoint (one cache) to ``requests`` sent in order (``params`` means a GET)."""
    app = Starlette(routes=[Route("/graphql", graphql_endpoint(SCHEMA, context_factory=_context))])

    async def send() -> list[Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = []
            for request in requests:
                if "params" in request:
                    response = await client.get("/graphql", params=request["params"])
                else:
                    response = await client.post("/graphql", json=request)
                answers.append(response.json())
            return answers

    return asyncio.run(send())


HELLO = "query($n: String) { hello(name: $n) }"


def test_the_same_text_is_parsed_and_validated_once(validations: list[str]) -> None:
    answers = _answers([{"query": HELLO, "variables": {"n": n}} for n in "abc"] + [{"params": {"query": HELLO}}])
    assert answers == [{"data": {"hello": f"Hello, {n}"}} for n in "abc"] + [{"data": {"hello": "Hello, world"}}]
    assert len(validations) == 1


def test_invalid_documents_are_never_kept(validations: list[str]) -> None:
    answers = _answers([{"query": "{ nope }"}, {"query": "{ hello "}] * 2)
    codes = [answer["errors"][0]["extensions"]["code"] for answer in answers]
    assert codes == ["GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"] * 2
    assert len(validations) == 2


def test_a_kept_document_still_meets_the_limits_with_new_variables(validations: list[str]) -> None:
    query = "query($n: Int) { items(first: $n) { edges { node { name } } } }"
    small, large = _answers([{"query": query, "variables": {"n": 2}}, {"query": query, "variables": {"n": 100_000}}])
    assert len(small["data"]["items"]["edges"]) == 2
    assert large["errors"][0]["extensions"]["code"] == "FIRST_TOO_LARGE"
    assert len(validations) == 1


def test_the_cache_forgets_the_least_recently_used_and_skips_long_texts() -> None:
    cache = DocumentCache(size=2)
    documents = {text: parse(text) for text in ("{ a }", "{ b }", "{ c }")}
    cache.put("{ a }", documents["{ a }"])
    cache.put("{ b }", documents["{ b }"])
    assert cache.get("{ a }") is documents["{ a }"]  # now the most recently used
    cache.put("{ c }", documents["{ c }"])
    assert cache.get("{ b }") is None
    assert cache.get("{ a }") is documents["{ a }"] and cache.get("{ c }") is documents["{ c }"]
    long_text = "{ a }" + " " * DocumentCache.max_text
    cache.put(long_text, documents["{ a }"])
    assert cache.get(long_text) is None and len(cache) == 2
