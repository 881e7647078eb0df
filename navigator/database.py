"""Neo4j drivers built from settings: the sync one for the CLI and loaders, the async one for the web path."""

from __future__ import annotations

import neo4j

from navigator.settings import Settings


def _options(settings: Settings) -> dict[str, object]:
    return {
        "auth": (settings.neo4j_user, settings.neo4j_password),
        "connection_timeout": settings.connect_timeout,
        "connection_acquisition_timeout": settings.connect_timeout,
        "max_transaction_retry_time": settings.query_timeout,
        "user_agent": "road-of-life-navigator/0.1",
        "notifications_min_severity": "OFF",
    }


def open_driver(settings: Settings) -> neo4j.Driver:
    return neo4j.GraphDatabase.driver(settings.bolt_uri, **_options(settings))  # type: ignore[arg-type]


def open_async_driver(settings: Settings) -> neo4j.AsyncDriver:
    return neo4j.AsyncGraphDatabase.driver(settings.bolt_uri, **_options(settings))  # type: ignore[arg-type]
