"""Text analysis for the search index: one tokenizer for every script, in one pass.

Design (each choice is pinned by a test in ``tests/unit/navigator/search/test_analysis.py``):

* Text is split into runs: Han runs, word runs (letters and digits of any other script) and value separators
  (``VALUE_SEPARATOR`` joins the values of a multi-valued field; it opens a gap of ``VALUE_GAP`` positions so a phrase
  never spans two tags). Punctuation and spaces only delimit runs, so whoosh query syntax in user text is inert.
* A Han run is folded to Simplified Chinese with OpenCC ``t2s`` *before* segmentation, so 出生證明 and 出生证明 give the
  same terms. The conversion keeps the run's length (checked, with a per-character fallback), so character offsets
  still point into the original text and highlights land on the right characters.
* The folded run is segmented with jieba's default mode (DAG, HMM off: deterministic and fast), computed by
  :func:`cut_default` from jieba's own dictionary in one pass (jieba's code takes twice as long; a test compares the two
  on real text). Each default-mode word takes the next position; at index time the dictionary sub-words that jieba's
  search mode would add (2- and 3-grams of longer words) are emitted at their parent's position. Positions therefore
  advance by exactly one per default-mode word, and a phrase query built from the default-mode words of the same text
  matches.
* A word run is case-folded and accent-folded (``whoosh.support.charset.accent_map``: São → sao); the English
  analyzer then Porter-stems it (pensions → pension).

Segmentations, conversions and foldings are cached per distinct string (``functools.lru_cache``): real corpora repeat
agency names, tags and phrases, and jieba is the slow part of indexing.
"""

from __future__ import annotations

import logging
import math
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import jieba
import opencc
from opencc import OpenCC
from whoosh.analysis.acore import Token
from whoosh.analysis.analyzers import Analyzer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

logger = logging.getLogger(__name__)

VALUE_SEPARATOR = "\u2029"
"""Joins the values of a multi-valued text field (tags, document names); never appears in a term."""
VALUE_GAP = 100
"""Positions skipped at a value or section separator, so phrases never cross from one value to the next."""
SECTION_SEPARATOR = "\u001d"
"""Separates the sections of one field (title, keywords, description); :class:`TextAnalyzer` weights each its own."""

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f"
_RUNS = re.compile(
    rf"(?P<han>[{_HAN}]+)|(?P<word>[^\W{_HAN}]+)|(?P<sep>{VALUE_SEPARATOR})|(?P<section>{SECTION_SEPARATOR})"
)
_HAN_CHAR = re.compile(f"[{_HAN}]")
# Full-width ASCII (Ｐｅｎｓｉｏｎ, ２０２３) typed with a Chinese input method folds to ASCII, character for character.
_FULLWIDTH: dict[int, int] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_LATIN_FOLD: dict[int, int | str] = {**accent_map, **_FULLWIDTH}  # type: ignore[dict-item]  # its keys are ints

# Words a citizen types that carry little meaning: optional in the query (they rank, but do not have to match).
OPTIONAL_WORDS = frozenset(STOP_WORDS) | frozenset(
    # How citizens ask in English, then Portuguese, French and Dutch articles and prepositions (accent-folded).
    "how what where which who why do does i my me get need want "
    "o os as um uma de da do das dos em no na nos nas para por com e "
    "le la les un une des du au aux et en pour par sur "
    "de het een van voor met en op in te".split()
)
OPTIONAL_HAN_WORDS = frozenset(
    # How citizens ask in Chinese (Simplified, as queries are folded): question words, "I want / need", and the generic
    # "apply / handle / procedure" verbs around what they are after (办理护照, 退休手续, 怎么申请公积金).
    "怎么 怎样 怎么样 如何 哪里 哪儿 在哪 在哪里 什么 为什么 需要 我 我们 我的 想 想要 要 可以 能 能否 是否 "
    "办理 办 手续 流程 步骤 申请 申办 申领".split()
)


def has_han(text: str) -> bool:
    """Whether ``text`` contains a Han character (Chinese, in either script)."""
    return _HAN_CHAR.search(text) is not None


class _Segmenter:
    """jieba's tokenizer and OpenCC's converters, initialised once per process (jieba's start-up is ~1 s)."""

    def __init__(self, cache_dir: Path) -> None:
        jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading to stderr at DEBUG otherwise
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.jieba = jieba.Tokenizer()
        self.jieba.tmp_dir = str(cache_dir)  # jieba pickles its prefix dictionary here, and loads it next time
        self.jieba.initialize()
        self.freq: dict[str, int] = self.jieba.FREQ
        self.log_total = math.log(self.jieba.total)
        self.to_simplified = OpenCC("t2s")
        self.to_traditional = OpenCC("s2t")
        logger.debug("jieba dictionary loaded, cache in %s", cache_dir)


_segmenter_lock = threading.Lock()
_segmenter: _Segmenter | None = None


def configure_segmenter(cache_dir: Path) -> None:
    """Load jieba's dictionary now, keeping its cache file in ``cache_dir``; the first call in a process wins."""
    global _segmenter
    with _segmenter_lock:
        if _segmenter is None:
            _segmenter = _Segmenter(cache_dir)


def _get_segmenter() -> _Segmenter:
    if _segmenter is None:
        configure_segmenter(Path(tempfile.gettempdir()) / "navigator-jieba")
    assert _segmenter is not None
    return _segmenter


@dataclass(frozen=True, slots=True)
class _T2STables:
    """OpenCC's own t2s tables, for a fast path: with no phrase of TSPhrases in a run, t2s maps each character by
    TSCharacters (first candidate), which ``str.translate`` does in C. Runs with a phrase go through OpenCC itself.
    ``test_analysis`` checks the fast path against OpenCC on real text.
    """

    characters: dict[int, str]
    phrases: re.Pattern[str]


def _load_t2s_tables() -> _T2STables | None:
    folder = Path(opencc.__file__).parent / "dictionary"
    try:
        characters = (folder / "TSCharacters.txt").read_text(encoding="utf-8").splitlines()
        phrases = (folder / "TSPhrases.txt").read_text(encoding="utf-8").splitlines()
    except OSError:  # another OpenCC layout: always use OpenCC
        logger.warning("OpenCC's t2s tables not found in %s; converting every Han run with OpenCC", folder)
        return None
    table: dict[int, str] = {}
    for line in characters:
        key, _, values = line.partition("\t")
        first = values.split(" ")[0]
        if len(key) == 1 and len(first) == 1 and key != first:
            table[ord(key)] = first
    keys = sorted((line.partition("\t")[0] for line in phrases if line.strip()), key=len, reverse=True)
    return _T2STables(table, re.compile("|".join(map(re.escape, keys))))


_T2S = _load_t2s_tables()


@lru_cache(maxsize=65_536)
def to_simplified(text: str) -> str:
    """``text`` with Traditional Chinese folded to Simplified, the same length as ``text`` (offsets stay valid)."""
    if not has_han(text):
        return text
    if _T2S is not None and _T2S.phrases.search(text) is None:
        return text.translate(_T2S.characters)
    converter = _get_segmenter().to_simplified
    converted: str = converter.convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length: fall back to character-by-character conversion, which cannot.
    chars = []
    for char in text:
        single: str = converter.convert(char)
        chars.append(single if len(single) == 1 else char)
    return "".join(chars)


def to_traditional(text: str) -> str:
    """``text`` with Simplified Chinese shown in Traditional characters (for completions typed in Traditional)."""
    converted: str = _get_segmenter().to_traditional.convert(text)
    return converted


@lru_cache(maxsize=262_144)
def fold_word(word: str) -> str:
    """A word-run as indexed: case-folded, accents and full-width forms folded (São → sao, ＣＳＶ → csv)."""
    return word.translate(_LATIN_FOLD).casefold()


@lru_cache(maxsize=262_144)
def stem_word(folded: str) -> str:
    """The English stem of a folded word (pensions → pension)."""
    stemmed: str = porter_stem(folded)  # type: ignore[no-untyped-call]
    return stemmed


_JIEBA_BLOCK = re.compile("[\u4e00-\u9fd5]+")
"""Han text that jieba's default mode segments with its dictionary (its ``re_han_default`` has these and ASCII); it
gives any other character as a word of its own."""


def cut_default(sentence: str, freq: Mapping[str, int], log_total: float) -> list[tuple[str, int, int]]:
    """jieba's default mode with HMM off over ``sentence`` (all of it matched by ``_JIEBA_BLOCK``): its words with
    their offsets, as ``Tokenizer.tokenize(sentence, HMM=False)`` gives them.

    The same computation as jieba's ``get_DAG`` and ``calc`` (dictionary words starting at each character, then the
    route of greatest summed log frequency, from the right, ties to the longer word), in one pass without the DAG dict,
    the per-candidate generator and the second slicing: the same floating-point sums in the same order, so the same
    route.
    """
    n = len(sentence)
    score = [0.0] * (n + 1)
    ends = [0] * (n + 1)
    log = math.log
    for start in range(n - 1, -1, -1):
        best = 0.0
        best_end = 0
        i = start
        piece = sentence[start]
        while piece in freq:
            count = freq[piece]
            i += 1
            if count:
                candidate = log(count) - log_total + score[i]
                if not best_end or candidate >= best:
                    best, best_end = candidate, i
            if i == n:
                break
            piece = sentence[start : i + 1]
        if not best_end:  # no dictionary word starts here: the character alone
            best, best_end = log(freq.get(sentence[start]) or 1) - log_total + score[start + 1], start + 1
        score[start] = best
        ends[start] = best_end
    words = []
    start = 0
    while start < n:
        end = ends[start]
        words.append((sentence[start:end], start, end))
        start = end
    return words


class HanTerm(NamedTuple):
    """A term of a Han run: Simplified text, index of its default-mode word, offsets in the run, sub-word or not."""

    term: str
    word: int
    start: int
    end: int
    sub: bool


@lru_cache(maxsize=131_072)
def segment_han(run: str) -> tuple[HanTerm, ...]:
    """Fold a Han run to Simplified and segment it (jieba default mode, HMM off), each word followed by its sub-words.

    Sub-words are the dictionary 2- and 3-grams inside a longer word, as jieba's search mode finds them.
    """
    seg = _get_segmenter()
    simplified = to_simplified(run)
    freq = seg.freq
    if _JIEBA_BLOCK.fullmatch(simplified):
        words = cut_default(simplified, freq, seg.log_total)
    else:  # rarer Han characters (extensions, compatibility ideographs): jieba's own code, which handles them
        words = list(seg.jieba.tokenize(simplified, HMM=False))
    terms: list[HanTerm] = []
    append = terms.append
    new = tuple.__new__  # HanTerm(...) goes through a Python-level __new__: a tenth of a cold analysis
    for index, (text, start, end) in enumerate(words):
        append(new(HanTerm, (text, index, start, end, False)))
        length = end - start
        if length > 2:
            for n in (2, 3) if length > 3 else (2,):
                for i in range(length - n + 1):
                    gram = text[i : i + n]
                    if freq.get(gram):
                        append(new(HanTerm, (gram, index, start + i, start + i + n, True)))
    return tuple(terms)


@lru_cache(maxsize=131_072)
def han_index_terms(run: str) -> tuple[str, ...]:
    """The terms of :func:`segment_han` alone, in order (what an index-mode analysis of ``run`` gives)."""
    return tuple([term[0] for term in segment_han(run)])


@lru_cache(maxsize=65_536)
def tile_word(word: str) -> tuple[str, ...]:
    """The finest dictionary split of a compound word (出生证明 → 出生 证明), for phrase fallbacks; ``()`` if none.

    Dynamic programming over dictionary words shorter than ``word`` (single characters allowed), maximising the sum of
    log frequencies as jieba does, so the split is the one jieba would make if ``word`` were not in its dictionary.
    """
    if len(word) < 3:
        return ()
    freq = _get_segmenter().freq
    total = math.log(sum(freq.values()) or 1)
    n = len(word)
    best: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
    for end in range(1, n + 1):
        candidates = []
        for start in range(max(0, end - 4), end):
            piece = word[start:end]
            if end - start > 1 and (piece == word or not freq.get(piece)):
                continue
            weight = math.log(freq.get(piece) or 1) - total
            candidates.append((best[start][0] + weight, start))
        best[end] = max(candidates)
    pieces = []
    end = n
    while end > 0:
        start = best[end][1]
        pieces.append(word[start:end])
        end = start
    pieces.reverse()
    if all(len(piece) == 1 for piece in pieces):
        return ()
    return tuple(pieces)


class TextToken(NamedTuple):
    """A term with its position and character span in the original text; ``sub`` marks a search-mode sub-word."""

    term: str
    pos: int
    start: int
    end: int
    sub: bool = False
    section: int = 0


def analyse(text: str, *, stem: bool = False, subwords: bool = True) -> Iterator[TextToken]:
    """Tokens of ``text`` (any mix of scripts), positions sequential per default-mode word (see module doc)."""
    pos = -1
    section = 0
    for match in _RUNS.finditer(text):
        kind = match.lastgroup
        offset = match.start()
        if kind == "han":
            base = pos + 1
            for term, word, start, end, sub in segment_han(match.group()):
                if sub and not subwords:
                    continue
                pos = base + word
                yield TextToken(term, pos, offset + start, offset + end, sub, section)
        elif kind == "word":
            pos += 1
            folded = fold_word(match.group())
            yield TextToken(stem_word(folded) if stem else folded, pos, offset, match.end(), False, section)
        else:
            pos += VALUE_GAP
            section += kind == "section"


class TextAnalyzer(Analyzer):
    """whoosh analyzer over :func:`analyse`: index mode adds sub-words, query mode gives default-mode words only.

    ``section_boosts`` weight the tokens of each section of the text (sections are separated by
    ``SECTION_SEPARATOR``; the last boost holds for any further section). A term's weight in a document is then the sum
    of its tokens' boosts, which BM25 takes as its frequency: BM25F over one field, so a word in a title counts as
    several in a description, with one posting per term and document however many sections hold it. In the first
    ``once_sections`` sections (titles and keywords: lists of names) a term counts once however often it is repeated,
    so a long list of documents naming the same office does not outweigh a title that is the query. Use it only for
    fields without positions.

    It holds only its configuration, so the schema whoosh pickles into the index's TOC stays small and portable; jieba
    and OpenCC live in module state.
    """

    def __init__(
        self, *, stem: bool = False, section_boosts: tuple[float, ...] = (1.0,), once_sections: int = 0
    ) -> None:
        self.stem = stem
        self.section_boosts = section_boosts
        self.once_sections = once_sections

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.text = fold_word(to_simplified(value))
            if keeporiginal:
                vars(token)["original"] = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        token.stopped = False
        boosts = self.section_boosts
        last = len(boosts) - 1
        once = self.once_sections
        seen: set[tuple[int, str]] = set()
        for term, pos, start, end, _, section in analyse(value, stem=self.stem, subwords=mode != "query"):
            if section < once:
                if (section, term) in seen:
                    continue
                seen.add((section, term))
            token.text = term
            token.boost = boosts[section if section < last else last]
            if keeporiginal:
                vars(token)["original"] = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


    def index_terms(self, value: str) -> dict[str, list[float]]:
        """``{term: [count, weight]}`` of ``value`` in index mode: what whoosh's ``Frequency`` format sums from
        ``self(value, mode="index")`` (tokens counted and their boosts added in the same order), without a token
        object per term. :class:`navigator.search.schema.AnalysedText` indexes with it; a test compares the two.
        """
        boosts = self.section_boosts
        last = len(boosts) - 1
        once = self.once_sections
        stem = self.stem
        found: dict[str, list[float]] = {}
        seen: set[tuple[int, str]] = set()
        section = 0
        boost = boosts[0]
        for match in _RUNS.finditer(value):
            kind = match.lastgroup
            if kind == "han":
                terms: Iterable[str] = han_index_terms(match.group())
            elif kind == "word":
                folded = fold_word(match.group())
                terms = (stem_word(folded) if stem else folded,)
            else:
                if kind == "section":
                    section += 1
                    boost = boosts[section if section < last else last]
                continue
            for term in terms:
                if section < once:
                    key = (section, term)
                    if key in seen:
                        continue
                    seen.add(key)
                entry = found.get(term)
                if entry is None:
                    found[term] = [1, 0.0 + boost]
                else:
                    entry[0] += 1
                    entry[1] += boost
        return found


def clear_caches() -> None:
    """Forget every cached segmentation, conversion and folding (benchmarks of distinct content start from here)."""
    for cached in (to_simplified, fold_word, stem_word, segment_han, han_index_terms, tile_word):
        cached.cache_clear()


def normalise_query_text(text: str, *, max_length: int = 200) -> str:
    """User text as one line: control characters dropped, spaces collapsed, capped at ``max_length`` characters."""
    cleaned = "".join(" " if not char.isprintable() else char for char in text)
    return " ".join(cleaned.split())[:max_length]
