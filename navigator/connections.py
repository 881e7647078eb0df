# mypy: allow-subclassing-any
"""Relay cursor connections over the graph's paged reads: arguments, cursors and the connection objects.

A cursor is opaque to clients; it encodes the position of an item in the listing's deterministic order
(``base64("offset:<n>")``). ``after`` a cursor starts the next page right after that item. ``first`` defaults to 20
and may be at most :data:`MAX_FIRST` (100); more is an error with code ``FIRST_TOO_LARGE`` — the transport's cost
analysis refuses it before execution too, this check covers callers that run the schema directly.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, TypeVar

import graphene
from graphene import relay

from graph.reads_catalog import Page
from navigator.graphql_errors import api_error

__all__ = ["DEFAULT_FIRST", "MAX_FIRST", "CountedConnection", "connection_args", "decode_cursor", "encode_cursor",
           "page_window", "to_connection"]

DEFAULT_FIRST = 20
MAX_FIRST = 100
_PREFIX = "offset:"

T = TypeVar("T")


def encode_cursor(position: int) -> str:
    return base64.b64encode(f"{_PREFIX}{position}".encode()).decode("ascii")


def decode_cursor(cursor: str) -> int:
    """The position a cursor stands for; a cursor this API did not make is a ``BAD_USER_INPUT`` error."""
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii")
    except (UnicodeError, binascii.Error, ValueError):
        text = ""
    number = text.removeprefix(_PREFIX)
    if not text.startswith(_PREFIX) or not number.isdigit() or len(number) > 9:
        raise api_error(f"`after: {cursor[:40]!r}` is not a cursor this API gave out.", "BAD_USER_INPUT")
    return int(number)


def page_window(first: int | None, after: str | None) -> tuple[int, int]:
    """``(offset, limit)`` for the arguments ``first`` and ``after``, checked."""
    limit = DEFAULT_FIRST if first is None else first
    if limit > MAX_FIRST:
        raise api_error(
            f"`first: {limit}` asks for more than {MAX_FIRST} items, the most one page may hold.", "FIRST_TOO_LARGE"
        )
    if limit < 0:
        raise api_error("`first` must not be negative.", "BAD_USER_INPUT")
    offset = 0 if after is None else decode_cursor(after) + 1
    return offset, limit


def connection_args(**filters: Any) -> dict[str, Any]:
    """The arguments of a connection field: the filters given, plus ``first`` (default 20, at most 100) and
    ``after``."""
    return {
        **filters,
        "first": graphene.Int(default_value=DEFAULT_FIRST, description=f"Page size, at most {MAX_FIRST}."),
        "after": graphene.String(description="Return the items after this cursor (from `pageInfo.endCursor`)."),
    }


class CountedConnection(relay.Connection):
    """A Relay connection that also says how many items match in all (``totalCount``)."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="How many items match, over all pages.")


C = TypeVar("C", bound=CountedConnection)


def to_connection(connection_type: type[C], page: Page[T], node: Callable[[T], Any] = lambda item: item) -> C:
    """Build ``connection_type`` from a page of the graph's reads."""
    edge_type = connection_type.Edge
    edges = [
        edge_type(node=node(item), cursor=encode_cursor(page.offset + i)) for i, item in enumerate(page.items)
    ]
    page_info = relay.PageInfo(
        start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None,
        has_previous_page=page.has_previous, has_next_page=page.has_next,
    )
    return connection_type(edges=edges, page_info=page_info, total_count=page.total)
