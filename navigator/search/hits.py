"""One hit for display: the title in the reader's language, and highlighted snippets from the text that matched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from navigator.search.highlight import highlight
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


def _terms(lang: str, base: frozenset[str], english: frozenset[str]) -> tuple[frozenset[str], bool]:
    return (english, True) if is_english(lang) else (base, False)


def _best(
    texts: Mapping[str, str], order: list[str], base: frozenset[str], english: frozenset[str], size: int | None
) -> tuple[str, str, bool] | None:
    """(language, snippet, matched) of the first text in ``order`` that matches, else of the first text."""
    first: tuple[str, str, bool] | None = None
    for lang in order:
        terms, stem = _terms(lang, base, english)
        snippet, matched = highlight(texts[lang], terms, stem=stem, size=size)
        if matched:
            return lang, snippet, True
        if first is None:
            first = (lang, snippet, False)
    return first


def make_hit(
    payload: Mapping[str, Any], score: float, lang: str, base: frozenset[str], english: frozenset[str]
) -> SearchHit:
    """A :class:`SearchHit` from the stored payload of a document (see ``schema.stored_payload``)."""
    titles: Mapping[str, str] = payload["titles"]
    descriptions: Mapping[str, str] = payload["descriptions"]
    keywords: Mapping[str, list[str]] = payload["keywords"]
    title_order = language_order(lang, list(titles))
    title_lang = title_order[0]
    snippets: dict[str, str] = {}
    best_title = _best(titles, title_order, base, english, None)
    assert best_title is not None  # a document always has a title
    # Show the title in the reader's language; if only another language's title matched, show that one instead.
    shown_lang, snippets["title"], title_matched = best_title
    if not title_matched:
        shown_lang = title_lang
    best_description = _best(descriptions, language_order(lang, list(descriptions)), base, english, SNIPPET_CHARS)
    if best_description is not None:
        snippets["description"] = best_description[1]
    matched_keywords: list[str] = []
    for keyword_lang in language_order(lang, list(keywords)):
        terms, stem = _terms(keyword_lang, base, english)
        for word in keywords[keyword_lang]:
            snippet, matched = highlight(word, terms, stem=stem)
            if matched and snippet not in matched_keywords:
                matched_keywords.append(snippet)
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
