"""Quoted phrases, checked against a document's stored text: the text fields keep no positions.

A phrase matches when its words occur at consecutive positions within one value of one section of the document's
text of the phrase's field family, exactly as the analysis numbers them (:func:`navigator.search.analysis.analyse`:
sub-words share their parent word's position; a value or section boundary opens a gap). Only documents that have every
word of the phrase (from the postings) are checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from navigator.search.analysis import analyse
from navigator.search.schema import ENGLISH_FIELD, section_text


def has_phrase(payload: Mapping[str, Any], field: str, words: Sequence[str]) -> bool:
    """Whether the stored document ``payload`` has ``words`` (as ``field`` indexes them) at consecutive positions."""
    english = field == ENGLISH_FIELD
    text = section_text(payload["titles"], payload["keywords"], payload["descriptions"], english)
    if not text or not words:
        return False
    positions: dict[str, set[int]] = {}
    wanted = set(words)
    for token in analyse(text, stem=english):
        if token.term in wanted:
            positions.setdefault(token.term, set()).add(token.pos)
    if len(positions) < len(wanted):
        return False
    rest = [(offset, positions[word]) for offset, word in enumerate(words) if offset]
    return any(all(start + offset in found for offset, found in rest) for start in positions[words[0]])
