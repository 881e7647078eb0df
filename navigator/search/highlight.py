"""Snippets: the matched words of a text wrapped in ``<mark>``, everything else HTML-escaped.

The text is re-analysed with the analysis the index used (so a Traditional 證明 is marked for the query 证明, and
``pensions`` for ``pension``); overlapping matches (a compound and its sub-words) are merged into one mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from navigator.search.analysis import analyse

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


def highlight(text: str, terms: frozenset[str], *, stem: bool, size: int | None = None) -> tuple[str, bool]:
    """``text`` as HTML with matches marked (cut to about ``size`` characters around them), and whether any matched."""
    spans = _spans(text, terms, stem) if terms else []
    if size is None or len(text) <= size:
        return _render(text, spans, 0, len(text)), bool(spans)
    if not spans:
        return _render(text, [], 0, size), False
    lo, hi = _window(spans, len(text), size)
    return _render(text, spans, lo, hi), True
