"""Execution that leaves no resolver un-awaited when a sibling fails, and takes shortcuts on plain leaves and default
arguments: the same results as graphql-core, no warnings."""

from __future__ import annotations

import asyncio
import gc
import warnings
from typing import Any

import pytest
from graphql import (
    ExecutionContext,
    ExecutionResult,
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    execute,
    parse,
)

from navigator.graphql_execution import SettlingExecutionContext, fast_is_awaitable

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


# --- the fast paths (leaves, default arguments, plain values) give graphql-core's results -------------------------

Color = GraphQLEnumType("Color", {"RED": "red", "GREEN": "green"})
Thing = GraphQLObjectType("Thing", {
    "name": GraphQLField(GraphQLNonNull(GraphQLString), resolve=lambda obj, info: obj.get("name")),
    "count": GraphQLField(GraphQLInt, resolve=lambda obj, info: obj.get("count")),
    "color": GraphQLField(Color, resolve=lambda obj, info: obj.get("color")),
    "label": GraphQLField(
        GraphQLNonNull(GraphQLString),
        args={"lang": GraphQLArgument(GraphQLString, default_value="en"),
              "upper": GraphQLArgument(GraphQLBoolean, default_value=False)},
        resolve=lambda obj, info, lang, upper: (f"{lang}:{obj.get('name')}".upper() if upper
                                                else f"{lang}:{obj.get('name')}"),
    ),
    "tags": GraphQLField(GraphQLList(GraphQLNonNull(GraphQLString)), resolve=lambda obj, info: obj.get("tags")),
})  # fmt: skip
THINGS = [
    {"name": "a", "count": 1, "color": "red", "tags": ["x", "y"]},
    {"name": "b", "count": "many", "color": "blue", "tags": ["x", None]},  # not an Int, not a Color, a null tag
    {"name": None, "count": None, "color": None, "tags": None},  # a null non-null name
]
LEAVES = GraphQLSchema(query=GraphQLObjectType("Query", {
    "things": GraphQLField(GraphQLList(Thing), resolve=lambda obj, info: THINGS),
    "one": GraphQLField(GraphQLNonNull(Thing), resolve=lambda obj, info: THINGS[0]),
}))  # fmt: skip


@pytest.mark.parametrize("query", [
    "{ one { name count color label tags } }",
    "{ things { name count color label tags } }",
    '{ things { label(lang: "zh") l2: label(upper: true) label } one { label } }',
    "{ things { count color } things2: things { tags } }",
])
def test_leaves_and_default_arguments_complete_as_graphql_core_does(query: str) -> None:
    def run_with(context_class: type[ExecutionContext]) -> tuple[Any, list[Any]]:
        result = execute(LEAVES, parse(query), execution_context_class=context_class)
        assert isinstance(result, ExecutionResult)
        return result.data, [e.formatted for e in result.errors or []]

    ours, theirs = run_with(SettlingExecutionContext), run_with(ExecutionContext)
    assert ours == theirs
    if "things {" in query and "count" in query:
        assert theirs[1], "the bad values give errors"


@pytest.mark.parametrize("value", ["text", 1, 1.5, True, None, [1], (1,), {"a": 1}])
def test_plain_values_are_not_awaitable(value: Any) -> None:
    assert fast_is_awaitable(value) is False


def test_awaitables_are_awaitable() -> None:
    async def coroutine() -> None:
        return None

    pending = coroutine()
    assert fast_is_awaitable(pending)
    pending.close()
    loop = asyncio.new_event_loop()
    try:
        assert fast_is_awaitable(loop.create_future())
    finally:
        loop.close()
