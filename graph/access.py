"""API tokens of data officers: created once, stored hashed, scoped to a portal, an organisation or everything.

A token reads ``rln_<id>_<secret>``: ``id`` (12 hex digits) names the ``(:ApiToken)`` node, so a presented token is
looked up by its id through the uniqueness constraint; ``secret`` is 32 random bytes (URL-safe base64). Only
``sha256(token)`` is stored, compared in constant time.

Why SHA-256 and not argon2: argon2 (and bcrypt, scrypt) are slow on purpose to make guessing *low-entropy* secrets —
passwords people choose — expensive after a leak. Our tokens are 256 bits from ``secrets``; nobody can enumerate
2^256 candidates whatever the hash costs, so a slow hash would add no safety and would cost ~50 ms of CPU on every
authenticated request (an easy denial of service). A fast cryptographic hash is the usual choice for random API
keys, as GitHub and others do.

Scopes: ``all``; ``portal:<id>`` (datasets whose ``portal`` is ``<id>``); ``organization:<id>`` (datasets published
by organisation ``<id>``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import neo4j

from graph import queries
from graph.session import GraphReader, count_round_trip

__all__ = [
    "ApiToken",
    "Scope",
    "authenticate",
    "create_token",
    "hash_token",
    "list_tokens",
    "revoke_token",
    "utc_now",
]

_TOKEN = re.compile(r"rln_(?P<id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})")
SCOPE_KINDS = ("all", "portal", "organization")


def utc_now() -> str:
    """Now, as ISO 8601 in UTC with a ``Z`` (the form every timestamp of the graph takes)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Scope:
    """What a token may change: ``all``, or the datasets of one portal or of one organisation."""

    kind: str
    value: str | None = None

    @classmethod
    def parse(cls, text: str) -> Scope:
        """``all``, ``portal:<id>`` or ``organization:<id>``; anything else is a ValueError saying so."""
        kind, _, value = text.strip().partition(":")
        if kind == "all" and not value:
            return cls("all")
        if kind in ("portal", "organization") and value.strip():
            return cls(kind, value.strip())
        raise ValueError(f"scope {text!r} is not 'all', 'portal:<id>' or 'organization:<id>'")

    def __str__(self) -> str:
        return self.kind if self.value is None else f"{self.kind}:{self.value}"

    def covers(self, portal: str | None, organizations: tuple[str, ...]) -> bool:
        """Whether a dataset of ``portal`` published by ``organizations`` is within this scope."""
        if self.kind == "all":
            return True
        if self.kind == "portal":
            return portal == self.value
        return self.value in organizations


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiToken:
    """A stored token, without its hash."""

    id: str
    name: str
    scope: Scope
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _token_from_props(props: dict[str, Any]) -> ApiToken:
    return ApiToken(
        id=props["id"], name=props.get("name") or "", scope=Scope.parse(props.get("scope") or ""),
        created_at=props.get("createdAt") or "", revoked_at=props.get("revokedAt"),
    )


def hash_token(token: str) -> str:
    """The stored form of a token: SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    driver: neo4j.Driver, *, name: str, scope: Scope, now: str | None = None, database: str | None = None
) -> tuple[ApiToken, str]:
    """Create a token; returns the stored token and the token itself, which is shown once and never stored."""
    if not name.strip():
        raise ValueError("a token needs a name")
    token_id = secrets.token_hex(6)
    token = f"rln_{token_id}_{secrets.token_urlsafe(32)}"
    count_round_trip(queries.CREATE_API_TOKEN)
    records, _, _ = driver.execute_query(
        queries.CREATE_API_TOKEN,
        {"id": token_id, "name": name.strip(), "scope": str(scope), "hash": hash_token(token),
         "createdAt": now or utc_now()},
        database_=database,
    )
    return _token_from_props(dict(records[0]["props"])), token


def list_tokens(driver: neo4j.Driver, database: str | None = None) -> list[ApiToken]:
    """Every token, oldest first (hashes are not read)."""
    count_round_trip(queries.API_TOKENS_ALL)
    records, _, _ = driver.execute_query(
        queries.API_TOKENS_ALL, database_=database, routing_=neo4j.RoutingControl.READ
    )
    return [_token_from_props(dict(r["props"])) for r in records]


def revoke_token(
    driver: neo4j.Driver, token_id: str, *, now: str | None = None, database: str | None = None
) -> ApiToken | None:
    """Revoke a token (from then on it authenticates nobody); None when there is no such token."""
    count_round_trip(queries.REVOKE_API_TOKEN)
    records, _, _ = driver.execute_query(
        queries.REVOKE_API_TOKEN, {"id": token_id, "at": now or utc_now()}, database_=database
    )
    return _token_from_props(dict(records[0]["props"])) if records else None


async def authenticate(reader: GraphReader, token: str) -> ApiToken | None:
    """The active token ``token`` is, or None (malformed, unknown, wrong secret or revoked). One round trip, none
    for a malformed token."""
    match = _TOKEN.fullmatch(token.strip())
    if match is None:
        return None
    rows = await reader.records(queries.API_TOKEN_BY_ID, {"id": match["id"]})
    if not rows:
        return None
    props = dict(rows[0]["props"])
    if not hmac.compare_digest(str(props.get("hash") or ""), hash_token(token.strip())):
        return None
    stored = _token_from_props(props)
    return stored if stored.active else None
