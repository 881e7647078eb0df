"""Execution that leaves no resolver un-awaited when a sibling fails: same results as graphql-core, no warnings."""

from __future__ import annotations

import asyncio
import gc
import warnings
from typing import Any

import pytest
from graphql import (
    ExecutionContext,
    ExecutionResult,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    execute,
    parse,
)

from navigator.graphql_execution import SettlingExecutionContext

ran: list[str] = []


async def slow_ok(obj: Any, info: Any) -> str:
    await asyncio.sleep(0.01)
    ran.append(info.field_name)
    return "ok"


def fails(obj: Any, info: Any) -> str:
    raise ValueError("boom")


async def fails_later(obj: Any, info: Any) -> str:
    await asyncio.sleep(0)
    raise ValueError("boom")


Item = GraphQLObjectType("Item", {
    "slow": GraphQLField(GraphQLNonNull(GraphQLString), resolve=slow_ok),
    "bad": GraphQLField(GraphQLNonNull(GraphQLString), resolve=lambda obj, info: fails(obj, info) if obj else "fine"),
})
SCHEMA = GraphQLSchema(
    query=GraphQLObjectType("Query", {
        "slow": GraphQLField(GraphQLNonNull(GraphQLString), resolve=slow_ok),
        "bad": GraphQLField(GraphQLNonNull(GraphQLString), resolve=fails),
        "items": GraphQLField(GraphQLList(GraphQLNonNull(Item)), resolve=lambda obj, info: [0, 0, 1, 0]),
    }),
    mutation=GraphQLObjectType("Mutation", {
        "first": GraphQLField(GraphQLNonNull(GraphQLString), resolve=fails_later),
        "second": GraphQLField(GraphQLNonNull(GraphQLString), resolve=slow_ok),
    }),
)


def run(query: str, context_class: type[ExecutionContext]) -> tuple[Any, list[Any], list[str]]:
    """Data, formatted errors and the "never awaited" warnings of one execution (its garbage collected inside)."""

    async def go() -> tuple[Any, list[Any]]:
        result = execute(SCHEMA, parse(query), execution_context_class=context_class)
        done = result if isinstance(result, ExecutionResult) else await result
        await asyncio.sleep(0.05)  # let settled siblings finish
        return done.data, [e.formatted for e in done.errors or []]

    ran.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data, errors = asyncio.run(go())
        gc.collect()
    return data, errors, [str(w.message) for w in caught if "never awaited" in str(w.message)]


@pytest.mark.parametrize("query", [
    "{ slow bad }",  # a root field fails at once after an async sibling started
    "{ items { slow bad } }",  # a list item fails at once after earlier items started
    "mutation { first second }",  # the first mutation fails: the second must not run
])
def test_no_resolver_is_left_un_awaited_and_results_are_graphql_cores(query: str) -> None:
    data, errors, leaks = run(query, SettlingExecutionContext)
    ran_with_ours = list(ran)
    their_data, their_errors, their_leaks = run(query, ExecutionContext)
    assert their_leaks, "graphql-core itself leaves coroutines behind here"
    assert leaks == []
    assert (data, errors) == (their_data, their_errors)
    if query.startswith("mutation"):
        assert ran_with_ours == [] and data is None


def test_results_without_failures_are_unchanged() -> None:
    assert run("{ slow items { slow } }", SettlingExecutionContext) == (
        {"slow": "ok", "items": [{"slow": "ok"}] * 4}, [], []
    )
