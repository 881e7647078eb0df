"""Settings: converted and validated from the environment, secrets hidden, README table in step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from navigator.errors import ConfigError
from navigator.settings import SETTINGS_DOC, Settings

README = Path(__file__).resolve().parents[3] / "README.md"


def test_defaults_run_the_projects_own_neo4j() -> None:
    settings = Settings.from_env({})
    assert settings.embedded and settings.bolt_uri == "bolt://127.0.0.1:7687"
    assert settings.query_timeout == 5.0 and settings.port == 8000


def test_values_are_converted() -> None:
    settings = Settings.from_env({
        "NAVIGATOR_NEO4J_URI": "neo4j://cluster.example:7687", "NAVIGATOR_PORT": "9000",
        "NAVIGATOR_HARVEST_ALLOW_PRIVATE": "yes", "NAVIGATOR_QUERY_TIMEOUT": "2.5",
    })
    assert not settings.embedded and settings.bolt_uri == "neo4j://cluster.example:7687"
    assert settings.port == 9000 and settings.harvest_allow_private is True and settings.query_timeout == 2.5


@pytest.mark.parametrize(("name", "value", "message"), [
    ("NAVIGATOR_PORT", "eighty", "NAVIGATOR_PORT=eighty"),
    ("NAVIGATOR_PORT", "70000", "between 1 and 65535"),
    ("NAVIGATOR_QUERY_TIMEOUT", "inf", "finite number of seconds"),
    ("NAVIGATOR_QUERY_TIMEOUT", "0", "finite number of seconds"),
    ("NAVIGATOR_NEO4J_URI", "http://x", "must start with one of"),
    ("NAVIGATOR_HARVEST_ALLOW_PRIVATE", "maybe", "true or false"),
    ("NAVIGATOR_NEO4J_HEAP", "lots", "512m or 2g"),
    ("NAVIGATOR_LOG_LEVEL", "chatty", "NAVIGATOR_LOG_LEVEL"),
])
def test_bad_values_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        Settings.from_env({name: value})


def test_password_is_hidden() -> None:
    settings = Settings.from_env({"NAVIGATOR_NEO4J_PASSWORD": "s3cret-value"})
    assert settings.neo4j_password == "s3cret-value"
    assert "s3cret-value" not in repr(settings)
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"NAVIGATOR_NEO4J_PASSWORD": "x", "NAVIGATOR_PORT": "bad"})
    assert "x" not in str(caught.value).replace("NAVIGATOR_PORT=bad", "")


def test_readme_table_matches_the_settings() -> None:
    text = README.read_text(encoding="utf-8")
    documented = re.findall(r"^\| `(NAVIGATOR_[A-Z0-9_]+)` \| ([^|]*) \| ([^|]*) \|$", text, flags=re.MULTILINE)
    assert [(n, d.strip(), h.strip()) for n, d, h in documented] == [(s.env, s.default, s.help) for s in SETTINGS_DOC]
