"""One hit for display: the title in the reader's language, and highlighted snippets from the text that matched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from navigator.search.highlight import highlight
from navigator.search.query import Marks
from navigator.search.results import SearchHit
from navigator.search.schema import is_english

SNIPPET_CHARS = 160
_KEYWORD_JOIN = " · "


def language_order(wanted: str, available: Sequence[str]) -> list[str]:
    """``available`` languages, best for a reader of ``wanted`` first.

    Exact tag, then the same language in another script or region (zh-Hant → zh-Hans), then English, then the rest.
    """
    wanted_base = wanted.lower().split("-")[0]

    def rank(lang: str) -> tuple[int, str]:
        if lang.lower() == wanted.lower():
            return (0, lang)
        if lang.lower().split("-")[0] == wanted_base:
            return (1, lang)
        if is_english(lang):
            return (2, lang)
        return (3, lang)

    return sorted(available, key=rank)


def _mark(text: str, lang: str, marks: Marks, size: int | None = None) -> tuple[str, bool]:
    english = is_english(lang)
    for expanded in (False, True):
        snippet, matched = highlight(text, marks.terms(english=english, expanded=expanded), stem=english, size=size)
        if matched:
            return snippet, True
    return snippet, False


def _best(texts: Mapping[str, str], order: list[str], marks: Marks, size: int | None) -> tuple[str, str, bool] | None:
    """(language, snippet, matched) of the first text in ``order`` that matches, else of the first text."""
    first: tuple[str, str, bool] | None = None
    for lang in order:
        snippet, matched = _mark(texts[lang], lang, marks, size)
        if matched:
            return lang, snippet, True
        if first is None:
            first = (lang, snippet, False)
    return first


def _keywords(keywords: Mapping[str, list[str]], order: list[str], marks: Marks) -> list[str]:
    """The keywords that match the query's own words or, failing any, its expanded words; marked."""
    for expanded in (False, True):
        found: list[str] = []
        for lang in order:
            english = is_english(lang)
            terms = marks.terms(english=english, expanded=expanded)
            for word in keywords[lang]:
                snippet, matched = highlight(word, terms, stem=english)
                if matched and snippet not in found:
                    found.append(snippet)
        if found:
            return found
    return []


def make_hit(payload: Mapping[str, Any], score: float, lang: str, marks: Marks) -> SearchHit:
    """A :class:`SearchHit` from the stored payload of a document (see ``schema.stored_payload``)."""
    titles: Mapping[str, str] = payload["titles"]
    descriptions: Mapping[str, str] = payload["descriptions"]
    keywords: Mapping[str, list[str]] = payload["keywords"]
    title_order = language_order(lang, list(titles))
    snippets: dict[str, str] = {}
    best_title = _best(titles, title_order, marks, None)
    assert best_title is not None  # a document always has a title
    # Show the title in the reader's language; if only another language's title matched, show that one instead.
    shown_lang, snippets["title"], _ = best_title
    best_description = _best(descriptions, language_order(lang, list(descriptions)), marks, SNIPPET_CHARS)
    if best_description is not None:
        snippets["description"] = best_description[1]
    matched_keywords = _keywords(keywords, language_order(lang, list(keywords)), marks)
    if matched_keywords:
        snippets["keywords"] = _KEYWORD_JOIN.join(matched_keywords[:8])
    return SearchHit(
        kind=payload["kind"],
        id=payload["id"],
        score=round(float(score), 6),
        title=titles[shown_lang],
        title_lang=shown_lang,
        snippets=MappingProxyType(snippets),
    )
