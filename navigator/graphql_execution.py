"""graphql-core's execution, minus one leak: no resolver is left behind un-awaited when a sibling field fails.

In graphql-core 3.2, when a non-null field fails *synchronously* while sibling fields (or earlier items of a list)
have already returned coroutines, the error propagates and those coroutines are dropped without ever running; for a
mutation, the next root field's resolver is created before the previous one has finished and dropped when it fails.
Python then warns ``coroutine … was never awaited`` when they are collected. (Fixed upstream in 3.3:
graphql-python/graphql-core#236.) :class:`SettlingExecutionContext`, passed as ``execution_context_class`` to
``graphql.execute``, changes only that:

- fields and list items: awaitables already created when a sibling fails are run to completion in the background
  (their results and errors discarded), as graphql-core does anyway for the siblings of a field that fails later;
- mutations: each root field is started only after the previous one has finished, so none is created for nothing.

It also spends less on the fields of a large result (a journey completes some 600 values), with the same results:

- a leaf value (scalar or enum, nullable or not) that is present is serialised directly;
- the arguments of a field the query gives none are its definition's defaults, worked out once per execution;
- plain values (strings, numbers, lists, dicts …) are known not to be awaitable without three checks each.

The methods are adapted from graphql-core 3.2 (MIT licence); everything else is graphql-core's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from enum import Enum
from typing import Any, cast

from graphql import (
    ExecutionContext,
    FieldNode,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    get_argument_values,
    is_leaf_type,
    located_error,
)
from graphql.execution.execute import get_field_def
from graphql.pyutils import AwaitableOrValue, Path, Undefined, is_awaitable, is_iterable

__all__ = ["SettlingExecutionContext", "fast_is_awaitable"]

_PLAIN = frozenset({str, int, float, bool, type(None), list, tuple, dict})
_CONSTANT = (str, int, float, bool, Enum, type(None))


def fast_is_awaitable(value: Any) -> bool:
    """graphql-core's ``is_awaitable``, answered at once for the plain values most fields return."""
    return type(value) not in _PLAIN and is_awaitable(value)


def _leaf_of(return_type: GraphQLOutputType) -> GraphQLLeafType | None:
    """The scalar or enum ``return_type`` is (perhaps non-null), else None."""
    inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    return cast(GraphQLLeafType, inner) if is_leaf_type(inner) else None

_running: set[asyncio.Future[Any]] = set()  # strong references: the loop keeps only weak ones


def _settle(awaitables: Iterable[Awaitable[Any]]) -> None:
    """Run ``awaitables`` to completion in the background and discard what they return or raise."""
    for awaitable in awaitables:
        task = asyncio.ensure_future(awaitable)
        _running.add(task)
        task.add_done_callback(_forget)


def _forget(task: asyncio.Future[Any]) -> None:
    _running.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: no "exception was never retrieved" at collection


class SettlingExecutionContext(ExecutionContext):
    """See the module documentation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_awaitable is is_awaitable:
            self.is_awaitable = fast_is_awaitable
        self._leaves: dict[int, GraphQLLeafType | None] = {}
        self._default_args: dict[int, dict[str, Any]] = {}

    def execute_field(
        self, parent_type: GraphQLObjectType, source: Any, field_nodes: list[FieldNode], path: Path
    ) -> AwaitableOrValue[Any]:
        """graphql-core's, with the arguments of a field the query gives none worked out once (see the module)."""
        node = field_nodes[0]
        if node.arguments or self.middleware_manager:
            return super().execute_field(parent_type, source, field_nodes, path)
        field_def = get_field_def(self.schema, parent_type, node)
        if not field_def:
            return Undefined
        return_type = field_def.type
        resolve_fn = field_def.resolve or self.field_resolver
        info = self.build_resolve_info(field_def, field_nodes, parent_type, path)
        try:
            result = resolve_fn(source, info, **self._defaults(field_def, node))
            if self.is_awaitable(result):

                async def await_result() -> Any:
                    try:
                        completed = self.complete_value(return_type, field_nodes, info, path, await result)
                        return await completed if self.is_awaitable(completed) else completed
                    except Exception as raw_error:
                        error = located_error(raw_error, field_nodes, path.as_list())
                        self.handle_field_error(error, return_type, path)
                        return None

                return await_result()
            completed = self.complete_value(return_type, field_nodes, info, path, result)
            if self.is_awaitable(completed):

                async def await_completed() -> Any:
                    try:
                        return await completed
                    except Exception as raw_error:
                        error = located_error(raw_error, field_nodes, path.as_list())
                        self.handle_field_error(error, return_type, path)
                        return None

                return await_completed()
            return completed
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    def _defaults(self, field_def: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """The arguments of ``field_def`` when ``node`` gives none: its defaults (kept when all are constants)."""
        key = id(field_def)
        found = self._default_args.get(key)
        if found is None:
            found = get_argument_values(field_def, node, self.variable_values)
            if all(isinstance(value, _CONSTANT) for value in found.values()):
                self._default_args[key] = found
            else:
                return found
        return found

    def complete_value(
        self, return_type: GraphQLOutputType, field_nodes: list[FieldNode], info: GraphQLResolveInfo, path: Path,
        result: Any,
    ) -> AwaitableOrValue[Any]:
        """graphql-core's, with a leaf value that is present serialised directly (the same result, fewer checks)."""
        key = id(return_type)
        try:
            leaf = self._leaves[key]
        except KeyError:
            leaf = self._leaves[key] = _leaf_of(return_type)
        if leaf is not None and result is not None and result is not Undefined and not isinstance(result, Exception):
            serialized = leaf.serialize(result)
            if serialized is not None and serialized is not Undefined:
                return serialized
        return super().complete_value(return_type, field_nodes, info, path, result)

    def execute_fields_serially(
        self, parent_type: GraphQLObjectType, source_value: Any, path: Path | None, fields: dict[str, list[FieldNode]]
    ) -> AwaitableOrValue[dict[str, Any]]:
        async def one_after_another() -> dict[str, Any]:
            results: dict[str, Any] = {}
            for response_name, field_nodes in fields.items():
                field_path = Path(path, response_name, parent_type.name)
                result = self.execute_field(parent_type, source_value, field_nodes, field_path)
                if result is Undefined:
                    continue
                results[response_name] = await result if self.is_awaitable(result) else result
            return results

        return one_after_another()

    def execute_fields(
        self, parent_type: GraphQLObjectType, source_value: Any, path: Path | None, fields: dict[str, list[FieldNode]]
    ) -> AwaitableOrValue[dict[str, Any]]:
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        try:
            for response_name, field_nodes in fields.items():
                field_path = Path(path, response_name, parent_type.name)
                result = self.execute_field(parent_type, source_value, field_nodes, field_path)
                if result is not Undefined:
                    results[response_name] = result
                    if self.is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            _settle(results[name] for name in awaitable_fields)
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            values = await asyncio.gather(*(results[name] for name in awaitable_fields))
            results.update(zip(awaitable_fields, values, strict=True))
            return results

        return get_results()

    def complete_list_value(
        self, return_type: GraphQLList[GraphQLOutputType], field_nodes: list[FieldNode], info: GraphQLResolveInfo,
        path: Path, result: Any,
    ) -> AwaitableOrValue[list[Any]]:
        if not is_iterable(result):  # async iterables and the error for a non-list: graphql-core's own
            return super().complete_list_value(return_type, field_nodes, info, path, result)
        item_type = return_type.of_type
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        try:
            for index, item in enumerate(result):
                value = self._complete_item(item_type, field_nodes, info, path.add_key(index, None), item)
                if self.is_awaitable(value):
                    awaitable_indices.append(index)
                completed.append(value)
        except Exception:
            _settle(completed[index] for index in awaitable_indices)
            raise
        if not awaitable_indices:
            return completed

        async def get_completed() -> list[Any]:
            values = await asyncio.gather(*(completed[index] for index in awaitable_indices))
            for index, value in zip(awaitable_indices, values, strict=True):
                completed[index] = value
            return completed

        return get_completed()

    def _complete_item(
        self, item_type: GraphQLOutputType, field_nodes: list[FieldNode], info: GraphQLResolveInfo, item_path: Path,
        item: Any,
    ) -> AwaitableOrValue[Any]:
        """One list item, completed as graphql-core does: an error is the item's (null, or raised when non-null)."""

        def failed(raw_error: Exception) -> None:
            error = located_error(raw_error, field_nodes, item_path.as_list())
            self.handle_field_error(error, item_type, item_path)

        if self.is_awaitable(item):

            async def await_item() -> Any:
                try:
                    value = self.complete_value(item_type, field_nodes, info, item_path, await item)
                    return await value if self.is_awaitable(value) else value
                except Exception as raw_error:
                    failed(raw_error)
                    return None

            return await_item()
        try:
            value = self.complete_value(item_type, field_nodes, info, item_path, item)
        except Exception as raw_error:
            failed(raw_error)
            return None
        if not self.is_awaitable(value):
            return value

        async def await_value() -> Any:
            try:
                return await value
            except Exception as raw_error:
                failed(raw_error)
                return None

        return await_value()
