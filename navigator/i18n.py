"""The pages' languages and their message catalogs (``navigator/messages/{zh,en}.yaml``).

Every string a page shows that is not data comes from a catalog by key: ``t("journey.title")``, with ``{name}``
placeholders filled by ``str.format``. Both catalogs have the same keys (a unit test checks); a key missing at run
time is a bug, so :func:`translate` raises rather than showing the key to a citizen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "DEFAULT_LANGUAGE",
    "HTML_LANG",
    "LANGUAGES",
    "Translator",
    "catalog",
    "flatten",
    "language_from_header",
    "other_language",
    "translator",
]

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
HTML_LANG = {"zh": "zh-CN", "en": "en"}
MESSAGES_DIR = Path(__file__).resolve().parent / "messages"

Translator = Callable[..., str]


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"a": {"b": "x"}}`` → ``{"a.b": "x"}``; leaves must be strings."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, name + "."))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise TypeError(f"message {name!r} is {type(value).__name__}, not text")
    return flat


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """The flat message catalog of ``lang``."""
    if lang not in LANGUAGES:
        raise KeyError(f"no message catalog for {lang!r}")
    with (MESSAGES_DIR / f"{lang}.yaml").open(encoding="utf-8") as f:
        return flatten(yaml.safe_load(f))


@cache
def translator(lang: str) -> Translator:
    """``t(key, **values)`` for ``lang``."""
    messages = catalog(lang)

    def translate(key: str, /, **values: Any) -> str:
        try:
            text = messages[key]
        except KeyError:
            raise KeyError(f"no message {key!r} in the {lang} catalog") from None
        return text.format(**values) if values else text

    return translate


def other_language(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


def language_from_header(accept_language: str | None) -> str:
    """The first of our languages an ``Accept-Language`` header asks for (by quality), else the default."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            choices.append((-quality, position, primary))
    return min(choices)[2] if choices else DEFAULT_LANGUAGE
