"""Equivalent terms: what citizens say for what the catalog calls it, and mainland and Taiwan words for one thing.

A query that contains a term of a group is also run with each other term of the group in its place, every word of the
replacement required (社会保障 卡: the 卡 counts, though a single character is otherwise optional); a document counts
with its best match among the variants, the query as typed ahead of a variant (:data:`VARIANT_BOOST`). Chinese terms
are matched anywhere in the query once folded to Simplified, Latin ones as whole words, case-folded. A replacement
rarer in the index than the term typed would score its few documents far above the many that have the typed term (its
idf is higher), so the caller scales a variant down by the ratio of their idfs, as Lucene's synonym queries blend
document frequencies (:func:`variant_boost`).

The table is small on purpose: colloquial names of common documents and benefits (驾照 for 机动车驾驶证), and everyday
words that differ across the strait (餐厅 / 餐馆, 数据 / 资料). Words that are simply part of a longer official name
(身份证 in 居民身份证) need no entry: segmentation finds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from navigator.search.analysis import fold_word, has_han, to_simplified
from navigator.search.query import QUOTES

VARIANT_BOOST: Final = 0.9
MAX_VARIANTS: Final = 4

GROUPS: Final[tuple[tuple[str, ...], ...]] = (
    # colloquial ↔ official (mainland)
    ("驾照", "驾驶证"),
    ("社保卡", "社会保障卡"),
    ("社保", "社会保险"),
    ("医保", "医疗保险"),
    ("出生证", "出生证明", "出生医学证明"),
    ("户口本", "户口簿"),
    ("失业金", "失业保险金"),
    ("退休金", "养老金"),
    ("低保", "最低生活保障"),
    ("房产证", "不动产权证书"),
    ("准生证", "生育登记"),
    # mainland ↔ Taiwan
    ("餐厅", "餐馆"),
    ("数据", "资料"),
    ("信息", "资讯"),
    ("网络", "网路"),
    ("软件", "软体"),
    ("出租车", "计程车"),
    ("幼儿园", "幼稚园"),
    ("身份证", "身分证"),
    ("打印", "列印"),
    ("视频", "影片"),
    # British ↔ American English, everyday ↔ official
    ("licence", "license"),
    ("driving licence", "driver license"),
    ("id card", "identity card"),
    ("newborn", "baby"),
    ("dole", "unemployment benefit"),
)


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    pattern: re.Pattern[str]


def _fold(text: str) -> str:
    return " ".join(fold_word(to_simplified(word)) for word in text.split())


def _term(text: str) -> _Term:
    folded = _fold(text)
    if has_han(folded):
        return _Term(folded, re.compile(re.escape(folded)))
    return _Term(folded, re.compile(rf"(?<![^\W_]){re.escape(folded)}(?![^\W_])"))


_GROUPS: Final = tuple(tuple(_term(text) for text in group) for group in GROUPS)


@dataclass(frozen=True, slots=True)
class Variant:
    """The query with ``typed`` (a thesaurus term found in it) replaced by the term ``replaced``."""

    text: str
    typed: str
    replaced: str
    start: int
    """Where the replacement is in ``text`` (it ends at ``start + len(replaced)``): its words must all match."""


def variants(text: str) -> list[Variant]:
    """``text`` (a normalised query) with one thesaurus term replaced by each other term of its group, at most
    :data:`MAX_VARIANTS`; the longest term found is replaced first (社保卡, not 社保)."""
    folded = _fold(text)
    quoted = [match.span() for match in QUOTES.finditer(folded)]  # a quoted phrase is meant as typed
    found: list[tuple[int, int, int, _Term]] = []
    for number, group in enumerate(_GROUPS):
        for term in group:
            for match in term.pattern.finditer(folded):
                if not any(match.start() < end and start < match.end() for start, end in quoted):
                    found.append((match.start(), match.end(), number, term))
                    break
    found.sort(key=lambda item: (-(item[1] - item[0]), item[0]))
    out: dict[str, Variant] = {}
    taken: list[tuple[int, int]] = []
    for start, end, number, term in found:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        taken.append((start, end))
        for other in _GROUPS[number]:
            if other is not term:
                replaced = folded[:start] + other.text + folded[end:]
                out.setdefault(replaced, Variant(replaced, term.text, other.text, start))
    return list(out.values())[:MAX_VARIANTS]


def variant_boost(typed_idf: float, replacement_idf: float) -> float:
    """How much a variant's matches count: :data:`VARIANT_BOOST`, scaled down when the replacement is the rarer term."""
    if replacement_idf <= 0:
        return VARIANT_BOOST
    return VARIANT_BOOST * min(1.0, typed_idf / replacement_idf) if typed_idf > 0 else VARIANT_BOOST
