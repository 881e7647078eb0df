"""Snippets: the matched words of a text wrapped in ``<mark>``, everything else HTML-escaped.

The text is re-analysed with the analysis the index used (so a Traditional 證明 is marked for the query 证明, and
``pensions`` for ``pension``); overlapping matches (a compound and its sub-words) are merged into one mark. For a
snippet of a long text only a stretch around the first place a term occurs as plain text is analysed (a dataset's
notes or a service's legal basis run to thousands of characters; re-analysing all of them for each hit was most of
a search's time); when no term occurs as plain text (a stem that is not a prefix, accents), the whole text is.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from navigator.search.analysis import analyse, to_simplified

ELLIPSIS = "…"


def _spans(text: str, terms: frozenset[str], stem: bool) -> list[tuple[int, int]]:
    found = sorted((t.start, t.end) for t in analyse(text, stem=stem) if t.term in terms)
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, spans: Iterable[tuple[int, int]], lo: int, hi: int) -> str:
    out = [ELLIPSIS if lo > 0 else ""]
    position = lo
    for start, end in spans:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        out.append(escape(text[position:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    out.append(escape(text[position:hi]))
    out.append(ELLIPSIS if hi < len(text) else "")
    return "".join(out)


def _window(spans: list[tuple[int, int]], length: int, size: int) -> tuple[int, int]:
    """The ``size``-character window holding the most matches, starting a little before its first."""
    best, best_start = -1, 0
    for first, (start, _) in enumerate(spans):
        covered = sum(1 for s, e in spans[first:] if e <= start + size)
        if covered > best:
            best, best_start = covered, start
    lo = max(0, min(best_start - size // 5, length - size))
    return lo, min(length, lo + size)


def _stretch(text: str, terms: frozenset[str], size: int) -> tuple[int, int] | None:
    """About three snippets' worth of ``text`` around the first plain occurrence of a term, or None."""
    folded = to_simplified(text).lower()
    if len(folded) != len(text):
        return None
    first = min((found for term in terms if (found := folded.find(term)) >= 0), default=-1)
    if first < 0:
        return None
    lo, hi = max(0, first - size), min(len(text), first + 2 * size)
    while lo > 0 and text[lo - 1].isalnum() and text[lo].isalnum() and first - lo < 2 * size:
        lo -= 1  # do not cut a word
    while hi < len(text) and text[hi - 1].isalnum() and text[hi].isalnum() and hi - first < 3 * size:
        hi += 1
    return lo, hi


def highlight(text: str, terms: frozenset[str], *, stem: bool, size: int | None = None) -> tuple[str, bool]:
    """``text`` as HTML with matches marked (cut to about ``size`` characters around them), and whether any matched."""
    if terms and size is not None and len(text) > 4 * size:
        stretch = _stretch(text, terms, size)
        if stretch is not None:
            lo, hi = stretch
            spans = [(start + lo, end + lo) for start, end in _spans(text[lo:hi], terms, stem)]
            if spans:
                window = _window(spans, len(text), size)
                return _render(text, spans, *window), True
    spans = _spans(text, terms, stem) if terms else []
    if size is None or len(text) <= size:
        return _render(text, spans, 0, len(text)), bool(spans)
    if not spans:
        return _render(text, [], 0, size), False
    lo, hi = _window(spans, len(text), size)
    return _render(text, spans, lo, hi), True
