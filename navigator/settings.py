"""Settings: one frozen dataclass built from the environment at start-up, never at import.

Every value is converted and validated; a bad or missing value is named in the error; secrets are hidden in
``repr``; every timeout is finite. The README's settings table is checked against ``SETTINGS_DOC`` by a test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from navigator.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not (0 < value < 86_400):
        raise ValueError("must be a finite number of seconds between 0 and 86400")
    return value


def _seconds_or_zero(raw: str) -> float:
    value = float(raw)
    if not (0 <= value < 86_400):
        raise ValueError("must be a finite number of seconds between 0 and 86400")
    return value


def _port(raw: str) -> int:
    value = int(raw)
    if not (1 <= value <= 65_535):
        raise ValueError("must be a TCP port between 1 and 65535")
    return value


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("must be a whole number of at least 1")
    return value


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("must be true or false")


def _memory(raw: str) -> str:
    value = raw.strip().lower()
    if not value or not value[:-1].isdigit() or value[-1] not in "kmg":
        raise ValueError("must be a size such as 512m or 2g")
    return value


def _uri(raw: str) -> str:
    value = raw.strip()
    schemes = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
    if not value.startswith(schemes):
        raise ValueError("must start with one of " + ", ".join(schemes))
    return value


def _path(raw: str) -> Path:
    return Path(raw).expanduser()


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """The product's settings. Build with :meth:`from_env`."""

    var_dir: Path = field(default=PROJECT_ROOT / "var")
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str = field(default="", repr=False)
    neo4j_database: str = "neo4j"
    neo4j_bolt_port: int = 7687
    neo4j_heap: str = "2g"
    neo4j_pagecache: str = "2g"
    neo4j_start_timeout: float = 120.0
    maven_repo: Path | None = None
    query_timeout: float = 5.0
    connect_timeout: float = 5.0
    neo4j_retry_time: float = 0.5
    neo4j_probe_interval: float = 0.5
    request_timeout: float = 15.0
    journey_cache_seconds: float = 1.0
    shutdown_timeout: float = 30.0
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    index_dir: Path | None = None
    harvest_allow_private: bool = False
    harvest_timeout: float = 30.0
    harvest_user_agent: str = "road-of-life-navigator/0.1 (+open-data harvester)"
    harvest_concurrency: int = 4
    log_level: str = "INFO"
    console_secret: str = field(default="", repr=False)
    console_password_hash: str | None = field(default=None, repr=False)

    @property
    def embedded(self) -> bool:
        """True when the project runs its own Neo4j (no NAVIGATOR_NEO4J_URI given)."""
        return self.neo4j_uri is None

    @property
    def bolt_uri(self) -> str:
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.neo4j_bolt_port}"

    @property
    def neo4j_home(self) -> Path:
        return self.var_dir / "neo4j"

    @property
    def maven_repo_dir(self) -> Path:
        return self.maven_repo or (self.var_dir / "cache" / "m2")

    @property
    def search_index_dir(self) -> Path:
        return self.index_dir or (self.var_dir / "index")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in SETTINGS_DOC:
            raw = env.get(spec.env)
            if raw is None or raw == "":
                continue
            try:
                values[spec.attr] = spec.convert(raw)
            except ValueError as e:
                raise ConfigError(f"{spec.env}={raw if not spec.secret else '***'!s}: {e}") from e
        values.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
        if values.get("log_level", "INFO").upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError("NAVIGATOR_LOG_LEVEL: must be DEBUG, INFO, WARNING or ERROR")
        return cls(**values)


@dataclass(frozen=True, slots=True)
class SettingDoc:
    env: str
    attr: str
    convert: Callable[[str], Any]
    default: str
    help: str
    secret: bool = False


SETTINGS_DOC: tuple[SettingDoc, ...] = (
    SettingDoc("NAVIGATOR_VAR_DIR", "var_dir", _path, "./var", "Data, logs, caches, search index and Neo4j store"),
    SettingDoc("NAVIGATOR_NEO4J_URI", "neo4j_uri", _uri, "(unset)",
               "Use this Neo4j (bolt:// or neo4j:// routing URI) and start none of our own"),
    SettingDoc("NAVIGATOR_NEO4J_USER", "neo4j_user", str, "neo4j", "Neo4j user name"),
    SettingDoc("NAVIGATOR_NEO4J_PASSWORD", "neo4j_password", str, "(empty)", "Neo4j password (never logged)",
               secret=True),
    SettingDoc("NAVIGATOR_NEO4J_DATABASE", "neo4j_database", str, "neo4j", "Database name"),
    SettingDoc("NAVIGATOR_NEO4J_BOLT_PORT", "neo4j_bolt_port", _port, "7687",
               "Bolt port of the project's own Neo4j (127.0.0.1 only)"),
    SettingDoc("NAVIGATOR_NEO4J_HEAP", "neo4j_heap", _memory, "2g", "JVM heap of the project's own Neo4j"),
    SettingDoc("NAVIGATOR_NEO4J_PAGECACHE", "neo4j_pagecache", _memory, "2g", "Page cache of the project's own Neo4j"),
    SettingDoc("NAVIGATOR_NEO4J_START_TIMEOUT", "neo4j_start_timeout", _positive_float, "120",
               "Seconds `navigator neo4j start` waits for Bolt"),
    SettingDoc("NAVIGATOR_MAVEN_REPO", "maven_repo", _path, "./var/cache/m2", "Maven repository for Neo4j's jars"),
    SettingDoc("NAVIGATOR_QUERY_TIMEOUT", "query_timeout", _positive_float, "5",
               "Seconds a read transaction may run"),
    SettingDoc("NAVIGATOR_CONNECT_TIMEOUT", "connect_timeout", _positive_float, "5",
               "Seconds to open a Neo4j connection or acquire one from the pool"),
    SettingDoc("NAVIGATOR_NEO4J_RETRY_TIME", "neo4j_retry_time", _positive_float, "0.5",
               "Seconds a web read that failed to reach Neo4j is retried before the request is answered 503"),
    SettingDoc("NAVIGATOR_NEO4J_PROBE_INTERVAL", "neo4j_probe_interval", _positive_float, "0.5",
               "Seconds between checks of an unreachable Neo4j; reads fail at once (503) until one succeeds"),
    SettingDoc("NAVIGATOR_REQUEST_TIMEOUT", "request_timeout", _positive_float, "15",
               "Seconds a web request may take before it is answered 503"),
    SettingDoc("NAVIGATOR_JOURNEY_CACHE_SECONDS", "journey_cache_seconds", _seconds_or_zero, "1",
               "Seconds an API process plans journeys from the catalog data and dataset links it keeps before "
               "checking the catalog version again (0: check on every journey)"),
    SettingDoc("NAVIGATOR_SHUTDOWN_TIMEOUT", "shutdown_timeout", _positive_float, "30",
               "Seconds `navigator serve` lets in-flight requests finish after SIGTERM"),
    SettingDoc("NAVIGATOR_HOST", "host", str, "127.0.0.1", "Address `navigator serve` binds"),
    SettingDoc("NAVIGATOR_PORT", "port", _port, "8000", "Port `navigator serve` binds"),
    SettingDoc("NAVIGATOR_WORKERS", "workers", _positive_int, "1", "Worker processes of `navigator serve`"),
    SettingDoc("NAVIGATOR_INDEX_DIR", "index_dir", _path, "./var/index", "Search index folder"),
    SettingDoc("NAVIGATOR_HARVEST_ALLOW_PRIVATE", "harvest_allow_private", _bool, "false",
               "Allow harvesting portals on loopback/private addresses"),
    SettingDoc("NAVIGATOR_HARVEST_TIMEOUT", "harvest_timeout", _positive_float, "30",
               "Seconds per CKAN HTTP request"),
    SettingDoc("NAVIGATOR_HARVEST_USER_AGENT", "harvest_user_agent", str, "road-of-life-navigator/0.1 (...)",
               "User-Agent sent to CKAN portals"),
    SettingDoc("NAVIGATOR_HARVEST_CONCURRENCY", "harvest_concurrency", _positive_int, "4",
               "Concurrent requests to one portal at most"),
    SettingDoc("NAVIGATOR_LOG_LEVEL", "log_level", lambda raw: raw.strip().upper(), "INFO", "Logging level"),
    SettingDoc("NAVIGATOR_CONSOLE_SECRET", "console_secret", str, "(random per process)",
               "Key signing console sessions; set it so sessions survive restarts and span workers", secret=True),
    SettingDoc("NAVIGATOR_CONSOLE_PASSWORD_HASH", "console_password_hash", str, "(unset)",
               "argon2 hash of the data officers' console password (token login works without it)", secret=True),
)
