"""The one place where errors of the graph package become GraphQL errors with a code.

Resolvers and DataLoaders call graph functions inside :func:`graph_errors` (or decorate with
:func:`maps_graph_errors`); anything else a resolver raises on purpose is built with :func:`api_error`. The HTTP
transport (``navigator.graphql_http``) keeps the message and ``extensions.code`` of such errors and masks every
other exception as ``INTERNAL``.

| Error | Code |
| --- | --- |
| ``NotFound`` (a journey naming an unknown life event, a review of an unknown dataset) | ``NOT_FOUND`` |
| ``PlanningError``, ``CatalogInvalid`` (a cycle among services; the message names them) | ``CATALOG_INVALID`` |
| ``GraphUnavailable`` (Neo4j down or too slow) | ``GRAPH_UNAVAILABLE`` |
| ``AccessDenied`` (a token's scope does not cover the dataset) | ``FORBIDDEN`` |
| no valid bearer token for a mutation | ``UNAUTHENTICATED`` |
| an argument out of range or malformed (a cursor, an age) | ``BAD_USER_INPUT`` |
| ``first`` over 100 | ``FIRST_TOO_LARGE`` |

(The error classes are those of :mod:`graph.errors`.)
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable, Iterator
from typing import ParamSpec, TypeVar

from graphql import GraphQLError

from graph.errors import AccessDenied, CatalogInvalid, GraphError, GraphUnavailable, NotFound, PlanningError

__all__ = ["ERROR_CODES", "api_error", "graph_errors", "maps_graph_errors", "to_graphql_error"]

ERROR_CODES: tuple[tuple[type[GraphError], str], ...] = (
    (NotFound, "NOT_FOUND"),
    (PlanningError, "CATALOG_INVALID"),
    (CatalogInvalid, "CATALOG_INVALID"),
    (GraphUnavailable, "GRAPH_UNAVAILABLE"),
    (AccessDenied, "FORBIDDEN"),
)

_MESSAGES = {
    "GRAPH_UNAVAILABLE": "The knowledge graph is unavailable; try again shortly.",
}


def api_error(message: str, code: str) -> GraphQLError:
    """An error a resolver raises on purpose, shown to the client with ``extensions.code``."""
    return GraphQLError(message, extensions={"code": code})


def to_graphql_error(error: GraphError) -> GraphQLError:
    """The GraphQL error for an error of the graph package (``INTERNAL`` for one with no code of its own)."""
    code = next((c for kind, c in ERROR_CODES if isinstance(error, kind)), "INTERNAL")
    message = _MESSAGES.get(code, str(error) if code != "INTERNAL" else "Internal error")
    return api_error(message, code)


@contextlib.contextmanager
def graph_errors() -> Iterator[None]:
    """Turn errors of the graph package raised inside the block into coded GraphQL errors."""
    try:
        yield
    except GraphError as e:
        raise to_graphql_error(e) from e


P = ParamSpec("P")
R = TypeVar("R")


def maps_graph_errors(resolver: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Decorate an async resolver so that errors of the graph package become coded GraphQL errors."""

    @functools.wraps(resolver)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with graph_errors():
            return await resolver(*args, **kwargs)

    return wrapper
