"""Registered CKAN portals: the ``(:Portal)`` nodes a data officer names once and harvests by name afterwards.

A portal node is ``(:Portal {id, url, defaultLanguage, registeredAt, title, ckanVersion, lastSuccessfulRunAt,
watermark, lastRunId})``: ``id`` is the portal's name, ``url`` where its CKAN API is and ``defaultLanguage`` the
language of its untranslated text; the rest is written by the dataset loader (:mod:`graph.harvest_runs`).
Registering a portal again changes its URL and language and keeps the harvest bookkeeping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import neo4j

from graph import queries
from graph.errors import GraphError, NotFound
from graph.harvest_runs import utc_now

__all__ = [
    "PORTAL_NAME",
    "PortalInvalid",
    "RegisteredPortal",
    "check_portal_name",
    "get_portal",
    "list_portals",
    "register_portal",
]

PORTAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
"""A portal name: it names snapshot files, so letters, digits, ``.``, ``_`` and ``-`` only, at most 64."""
READ_TIMEOUT = 10.0


class PortalInvalid(GraphError):
    """A portal registration breaks a rule (its name, URL or language); the message says which."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisteredPortal:
    """A portal as the graph knows it; ``url`` or ``default_language`` is None for a portal only ever loaded from a
    dump file. ``active``/``withdrawn`` count its datasets."""

    name: str
    url: str | None
    default_language: str | None
    title: str | None = None
    ckan_version: str | None = None
    registered_at: str | None = None
    last_successful_run_at: str | None = None
    watermark: str | None = None
    active: int = 0
    withdrawn: int = 0


def check_portal_name(name: str) -> str:
    """``name`` when it is a valid portal name; else :class:`PortalInvalid`."""
    if not PORTAL_NAME.match(name):
        raise PortalInvalid(
            f"portal name {name!r} is not allowed: use 1-64 letters, digits, '.', '_' or '-', starting with a letter"
            " or digit"
        )
    return name


def register_portal(
    driver: neo4j.Driver, name: str, url: str, default_language: str, *, database: str | None = None
) -> RegisteredPortal:
    """Register ``name`` (or change its URL and language); returns the portal as stored."""
    check_portal_name(name)
    if not url.lower().startswith(("http://", "https://")):
        raise PortalInvalid(f"portal URL must start with http:// or https://: {url!r}")
    if not default_language.strip():
        raise PortalInvalid("a portal needs a default language (the language of its untranslated text)")
    driver.execute_query(
        queries.HARVEST_REGISTER_PORTAL, name=name, url=url, language=default_language, at=utc_now(),
        database_=database,
    )  # fmt: skip
    return get_portal(driver, name, database=database)


def list_portals(driver: neo4j.Driver, *, database: str | None = None) -> list[RegisteredPortal]:
    """Every portal in the graph (registered, or created by a harvest), by name."""
    return _read(driver, None, database)


def get_portal(driver: neo4j.Driver, name: str, *, database: str | None = None) -> RegisteredPortal:
    """The portal named ``name``; :class:`NotFound` when there is none."""
    found = _read(driver, name, database)
    if not found:
        raise NotFound("portal", name)
    return found[0]


def _read(driver: neo4j.Driver, name: str | None, database: str | None) -> list[RegisteredPortal]:
    records, _, _ = driver.execute_query(
        neo4j.Query(queries.HARVEST_PORTALS, timeout=READ_TIMEOUT), name=name, database_=database,
        routing_=neo4j.RoutingControl.READ,
    )  # fmt: skip
    return [_portal(r["portal"], active=r["active"], withdrawn=r["withdrawn"]) for r in records]


def _portal(props: dict[str, Any], *, active: int, withdrawn: int) -> RegisteredPortal:
    return RegisteredPortal(
        name=props["id"], url=props.get("url"), default_language=props.get("defaultLanguage"),
        title=props.get("title"), ckan_version=props.get("ckanVersion"), registered_at=props.get("registeredAt"),
        last_successful_run_at=props.get("lastSuccessfulRunAt"), watermark=props.get("watermark"),
        active=int(active), withdrawn=int(withdrawn),
    )  # fmt: skip
