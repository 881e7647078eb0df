"""Multilingual text as CKAN portals write it, gathered into maps keyed by normalised language code.

Translated dicts (ckanext-fluent/scheming ``title_translated``, opendata.swiss-style dict-valued ``title``, JSON text
holding such a dict), plain text (given the language it is detected in), and tag lists in every shape: CKAN tag
objects, plain strings, comma-separated text, ``keywords``/``fluent_tags`` keyed by language. Machine translations
(``fr-t-en``) are kept only where no human text exists in that language.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from opendata.errors import RecordInvalid
from opendata.languages import detect_language, normalise_language_key, resolve_chinese

logger = logging.getLogger(__name__)

_CONCEPT_ID = re.compile(r"^Q[1-9]\d*$")  # a Wikidata item id used as a keyword (ckanext-scheming wikidata fields)
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"


@dataclass(frozen=True, slots=True, kw_only=True)
class LanguageContext:
    """What decides the language of plain text: the dataset's declared languages and the portal's default."""

    declared: tuple[str, ...]
    default: str

    def detect(self, text: str) -> str:
        return detect_language(text, declared=self.declared, default=self.default)

    def resolve(self, code: str, text: str) -> str:
        return resolve_chinese(code, text, declared=self.declared, default=self.default)


def decode_json_text(value: object) -> object:
    """Text that holds a JSON object or list (as some portals store translated fields and list extras), decoded."""
    if isinstance(value, str):
        text = value.strip()
        if (text.startswith("{") and text.endswith("}")) or (text.startswith("[") and text.endswith("]")):
            try:
                decoded: object = json.loads(text)
            except ValueError:
                return value
            return decoded
    return value


def clean_text(value: str) -> str | None:
    text = value.strip()
    return text or None


def text_map(translated: object, plain: object, *, ctx: LanguageContext, where: str) -> dict[str, str]:
    """One text per language from a translated dict (``title_translated``) and a plain value (``title``).

    The plain value is added under its detected language unless it repeats a translation or that language is taken.
    """
    result = _translated_texts(translated, ctx=ctx, where=f"{where}_translated") if translated is not None else {}
    plain = decode_json_text(plain)
    if isinstance(plain, dict):
        for language, text in _translated_texts(plain, ctx=ctx, where=where).items():
            result.setdefault(language, text)
    elif isinstance(plain, str):
        single = clean_text(plain)
        if single is not None and single not in result.values():
            result.setdefault(ctx.detect(single), single)
    elif plain is not None:
        raise RecordInvalid(f"field {where}: expected text, got {type(plain).__name__}")
    return result


def _translated_texts(value: object, *, ctx: LanguageContext, where: str) -> dict[str, str]:
    value = decode_json_text(value)
    if isinstance(value, str):  # a portal that left a plain value in the translated field
        plain = clean_text(value)
        return {ctx.detect(plain): plain} if plain else {}
    if not isinstance(value, dict):
        raise RecordInvalid(f"field {where}: expected an object of translations, got {type(value).__name__}")
    human: dict[str, str] = {}
    machine: dict[str, str] = {}
    for key, raw_text in value.items():
        if raw_text is None:
            continue
        if not isinstance(raw_text, str):
            raise RecordInvalid(f"field {where}.{key}: expected text, got {type(raw_text).__name__}")
        text = clean_text(raw_text)
        language = normalise_language_key(key)
        if text is None or language is None:
            continue
        code = ctx.resolve(language.code, text)
        (machine if language.machine else human).setdefault(code, text)
    for code, text in machine.items():
        human.setdefault(code, text)
    return human


@dataclass(frozen=True, slots=True, kw_only=True)
class TagSet:
    """Tags per language, and concept identifiers found among keywords (Wikidata ids, as entity URIs)."""

    tags: dict[str, tuple[str, ...]]
    concepts: tuple[str, ...]


def collect_tags(sources: Iterable[tuple[str, object]], *, ctx: LanguageContext) -> TagSet:
    """Merge tag-like fields (``tags``, ``keywords``, ``fluent_tags``…) into tags per language, de-duplicated
    case-insensitively in first-seen order; plain tags take their own detected language.
    """
    human: dict[str, list[str]] = {}
    machine: dict[str, list[str]] = {}
    concepts: list[str] = []
    for where, value in sources:
        value = decode_json_text(value)
        if value is None:
            continue
        if isinstance(value, dict):
            for key, tags in value.items():
                language = normalise_language_key(key)
                if language is None:
                    continue
                for tag in _tag_texts(tags, where=f"{where}.{key}"):
                    if _CONCEPT_ID.match(tag):
                        concepts.append(WIKIDATA_ENTITY + tag)
                        continue
                    code = ctx.resolve(language.code, tag)
                    (machine if language.machine else human).setdefault(code, []).append(tag)
        else:
            for tag in _tag_texts(value, where=where):
                if _CONCEPT_ID.match(tag):
                    concepts.append(WIKIDATA_ENTITY + tag)
                else:
                    human.setdefault(ctx.detect(tag), []).append(tag)
    for code, tags in machine.items():
        human.setdefault(code, tags)
    return TagSet(
        tags={code: _unique(tags) for code, tags in human.items() if tags}, concepts=tuple(dict.fromkeys(concepts))
    )


def _tag_texts(value: object, *, where: str) -> list[str]:
    """Tag texts from a list (of text or CKAN tag objects) or comma-separated text."""
    value = decode_json_text(value)
    if value is None:
        return []
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list):
        items = value
    else:
        raise RecordInvalid(f"field {where}: expected a list of tags, got {type(value).__name__}")
    out: list[str] = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            if item.get("state") == "deleted":
                continue
            item = item.get("display_name") or item.get("name")
            if item is None:
                raise RecordInvalid(f"field {where}[{index}]: tag object without a name")
        if not isinstance(item, str):
            raise RecordInvalid(f"field {where}[{index}]: expected a tag, got {type(item).__name__}")
        text = clean_text(item)
        if text is not None:
            out.append(text)
    return out


def _unique(tags: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        folded = tag.casefold()
        if folded not in seen:
            seen.add(folded)
            out.append(tag)
    return tuple(out)
