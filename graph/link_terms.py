"""Keyword evidence that a dataset serves a life event: the term lists, and matching them against a dataset's text.

Pure code, no driver (:mod:`graph.linker` reads the graph and writes the links). Term lists come from two places:

* the hand-written, version-controlled table ``graph/link_terms.yaml``: per life event id, terms in zh-Hans, en, pt,
  fr and nl (a term may carry an English gloss for the reason text), negative context terms (``exclude``), and a few
  global settings (field weights, threshold, stop and generic words);
* the life events in the graph: the Chinese and English names (weight 1) and distinctive words or phrases of their
  descriptions (weight ½; "distinctive": found in no other life event's name or description).

Matching folds text first: NFKC, Traditional → Simplified Chinese (OpenCC ``t2s``), case, and accents. Chinese terms
(at least two characters) match as substrings that start or end at a word boundary (jieba); Latin-script terms match
whole words of text in their own language (or of undetermined language), English ones after stemming
(:mod:`graph.stemming`), others as folded words. An ``exclude`` term of an event (or a global one) found in a title,
tag, group or theme rules the event out for that dataset; found in a description, it rules out the description's
matches. The score is the sum over the distinct words matched of the best field's weight (title > tags, groups,
themes > description) times the term's weight; a link needs ``threshold``, and terms from the event's description
alone never make one.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from graph.chinese import has_han, to_simplified, word_boundaries
from graph.errors import GraphError
from graph.stemming import stem

TERMS_FILE = Path(__file__).with_name("link_terms.yaml")
LANGUAGES = ("zh-hans", "en", "pt", "fr", "nl")
Field = Literal["title", "tag", "group", "theme", "description"]
FIELDS: tuple[Field, ...] = ("title", "tag", "group", "theme", "description")
_WORD = re.compile(r"[0-9a-z]+")
_ZH_CHUNKS = re.compile(r"[^\u3400-\u9fff]+|[和及与或的]")
_HAN_ONLY = re.compile(r"^[\u3400-\u9fff]+$")
NAME_WEIGHT = 1.0
DESCRIPTION_WEIGHT = 0.5


class TermsInvalid(GraphError):
    """``link_terms.yaml`` breaks a rule; the message says where."""


def fold(text: str) -> str:
    """Text as terms are matched: NFKC, zh-Hant → zh-Hans, case-folded, accents removed."""
    text = unicodedata.normalize("NFKC", text)
    if has_han(text):
        text = to_simplified(text)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True, slots=True)
class Term:
    """One term of one life event. ``key`` is the folded text (Chinese) or the words (stemmed for English)."""

    text: str
    lang: str
    weight: float = 1.0
    gloss: str | None = None
    source: str = "table"
    key: tuple[str, ...] = ()
    han: bool = False

    def label(self) -> str:
        return f"{self.text} ({self.gloss})" if self.gloss and self.gloss != self.text else self.text


def make_term(text: str, lang: str, *, weight: float = 1.0, gloss: str | None = None, source: str = "table") -> Term:
    folded = fold(text.strip())
    if _HAN_ONLY.match(folded):
        if len(folded) < 2:
            raise TermsInvalid(f"Chinese term {text!r} ({lang}) is shorter than two characters")
        return Term(text=text.strip(), lang=lang, weight=weight, gloss=gloss, source=source, key=(folded,), han=True)
    words = tuple(_WORD.findall(folded))
    if not words or has_han(folded):
        raise TermsInvalid(f"term {text!r} ({lang}) is neither Chinese nor words in Latin script")
    if lang == "en":
        words = tuple(stem(word) for word in words)
    return Term(text=text.strip(), lang=lang, weight=weight, gloss=gloss, source=source, key=words)


@dataclass(frozen=True, slots=True)
class EventTerms:
    event_id: str
    terms: tuple[Term, ...]
    exclude: tuple[Term, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TermTable:
    """The hand-written table: per event terms and exclusions, and the global settings."""

    events: Mapping[str, EventTerms]
    exclude: tuple[Term, ...] = ()
    weights: Mapping[str, float] = field(default_factory=dict)
    threshold: float = 3.0
    stopwords: frozenset[str] = frozenset()
    generic: frozenset[str] = frozenset()
    method: str = "keyword-v1"


def read_term_table(path: Path = TERMS_FILE) -> TermTable:
    """Read and check ``link_terms.yaml``; raises :class:`TermsInvalid` naming the event and term at fault."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise TermsInvalid(f"{path.name}: cannot read: {e}") from e
    if not isinstance(data, dict) or not isinstance(data.get("events"), dict):
        raise TermsInvalid(f"{path.name}: expected a mapping with 'events'")
    weights = {str(k): float(v) for k, v in (data.get("weights") or {}).items()}
    if set(weights) != set(FIELDS):
        raise TermsInvalid(f"{path.name}: weights must be given for exactly {', '.join(FIELDS)}")
    events = {}
    for event_id, spec in data["events"].items():
        where = f"{path.name}: event {event_id}"
        if not isinstance(spec, dict):
            raise TermsInvalid(f"{where}: expected a mapping with terms (and exclude)")
        events[str(event_id)] = EventTerms(
            event_id=str(event_id), terms=_terms(spec.get("terms"), where), exclude=_terms(spec.get("exclude"), where)
        )
    return TermTable(
        events=events, exclude=_terms(data.get("exclude"), f"{path.name}: exclude"), weights=weights,
        threshold=float(data.get("threshold", 3.0)), stopwords=frozenset(_words(data.get("stopwords"))),
        generic=frozenset(_words(data.get("generic"))), method=str(data.get("method", "keyword-v1")),
    )  # fmt: skip


def _words(value: object) -> list[str]:
    return [fold(str(word)) for word in value] if isinstance(value, list) else []


def _terms(value: object, where: str) -> tuple[Term, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise TermsInvalid(f"{where}: expected terms per language ({', '.join(LANGUAGES)})")
    terms = []
    for lang, items in value.items():
        if lang not in LANGUAGES:
            raise TermsInvalid(f"{where}: unknown language {lang!r} (use {', '.join(LANGUAGES)})")
        pairs = items.items() if isinstance(items, dict) else ((item, None) for item in items or ())
        for text, gloss in pairs:
            try:
                terms.append(make_term(str(text), lang, gloss=None if gloss is None else str(gloss)))
            except TermsInvalid as e:
                raise TermsInvalid(f"{where}: {e}") from e
    return tuple(terms)


# --- terms from the life events in the graph -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class EventText:
    """A life event as the linker reads it from the graph."""

    id: str
    name_zh: str = ""
    name_en: str = ""
    description_zh: str = ""
    description_en: str = ""


def graph_terms(events: Sequence[EventText], table: TermTable) -> dict[str, list[Term]]:
    """Terms from the events' own names (weight 1) and distinctive description words and phrases (weight ½)."""
    found: dict[str, list[Term]] = defaultdict(list)
    for event in events:
        name_zh = fold(event.name_zh)
        if _HAN_ONLY.match(name_zh) and 2 <= len(name_zh) <= 6:
            found[event.id].append(make_term(event.name_zh, "zh-hans", gloss=event.name_en or None, source="name"))
        phrase = _name_phrase(event.name_en, table)
        if phrase:
            found[event.id].append(make_term(phrase, "en", source="name"))
    # A description word or phrase is distinctive when no other event's name or description holds it.
    texts = {e.id: fold(" ".join((e.name_zh, e.name_en, e.description_zh, e.description_en))) for e in events}
    for event in events:
        others = [text for event_id, text in texts.items() if event_id != event.id]
        candidates = [(c, "zh-hans") for c in _zh_phrases(event.description_zh)]
        candidates += [(w, "en") for w in _WORD.findall(fold(event.description_en))
                       if len(w) >= 5 and w not in table.stopwords and w not in table.generic]  # fmt: skip
        known = {term.key for term in found[event.id]}
        for text, lang in dict.fromkeys(candidates):
            term = make_term(text, lang, weight=DESCRIPTION_WEIGHT, source="description")
            if term.key in known or any(_mentions(other, term) for other in others):
                continue
            known.add(term.key)
            found[event.id].append(term)
    return dict(found)


def _name_phrase(name: str, table: TermTable) -> str:
    """``Having a baby`` → ``baby``, ``Caring for a young child`` → ``young child``: the name without its leading
    verb and function words; empty when nothing specific is left."""
    words = _WORD.findall(fold(name))
    if words and words[0].endswith("ing"):
        words = words[1:]
    while words and words[0] in table.stopwords:
        words = words[1:]
    if not words or (len(words) == 1 and (words[0] in table.generic or len(words[0]) < 4)):
        return ""
    return " ".join(words)


def _zh_phrases(text: str) -> list[str]:
    return [chunk for chunk in _ZH_CHUNKS.split(fold(text)) if 2 <= len(chunk) <= 4]


def _mentions(text: str, term: Term) -> bool:
    if term.han:
        return term.key[0] in text
    words = _WORD.findall(text)
    if term.lang == "en":
        words = [stem(word) for word in words]
    size = len(term.key)
    return any(tuple(words[i : i + size]) == term.key for i in range(len(words) - size + 1))


# --- matching a dataset --------------------------------------------------------------------------------------------

Text = tuple[str, str]
"""A field value and its language key (``en``, ``zh-hant``, ``und``; empty when unknown)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetText:
    """What the linker reads of a dataset: titles, descriptions, tags and groups as (language, text); themes."""

    id: str
    titles: tuple[Text, ...] = ()
    descriptions: tuple[Text, ...] = ()
    tags: tuple[Text, ...] = ()
    groups: tuple[Text, ...] = ()
    themes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    term: Term
    field: Field
    span: str  # the dataset's words the term matched (stemmed): one piece of evidence, whatever the term's language
    text: str  # the tag, group or theme that matched (empty for titles and descriptions)
    exact: bool  # the term is spelled as the dataset's words (folded): preferred when two terms match the same words


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """Why a dataset serves a life event: its score, the terms matched, and a sentence saying where."""

    event_id: str
    score: float
    terms: tuple[str, ...]
    reason: str


class _Piece:
    """One field value, folded once: its text for Chinese terms, its words and stems for the others."""

    __slots__ = ("field", "folded", "lang", "original", "stems", "words")

    def __init__(self, field_name: Field, lang: str, original: str) -> None:
        self.field: Field = field_name
        self.lang = lang
        self.original = original
        self.folded = fold(original)
        self.words = _WORD.findall(self.folded)
        self.stems = [stem(word) for word in self.words]

    def applies(self, term: Term) -> bool:
        """A Latin-script term applies to text in its own language or in one the table has no terms for (``und``,
        Chinese titles with English words): Portuguese ``visa`` ("aims") is not the English ``visa``."""
        return self.lang == term.lang or self.lang not in _LATIN_LANGUAGES


_LATIN_LANGUAGES = frozenset(LANGUAGES) - {"zh-hans"}


def _han_at_word_edge(folded: str, key: str) -> bool:
    """``key`` occurs in ``folded`` starting or ending at a word boundary (出生 in 出生率, not 护照 in 维护|照片)."""
    boundaries = word_boundaries(folded)
    start = folded.find(key)
    while start >= 0:
        if start in boundaries or start + len(key) in boundaries:
            return True
        start = folded.find(key, start + 1)
    return False


class Matcher:
    """Every event's terms, indexed for matching many datasets."""

    def __init__(self, table: TermTable, terms: Mapping[str, Iterable[Term]]) -> None:
        self.table = table
        self.events = sorted(terms)
        self._han: list[tuple[str, Term, bool]] = []  # (event id or "", term, is exclusion)
        self._words: dict[tuple[bool, str], list[tuple[str, Term, bool]]] = defaultdict(list)
        for event_id, event_terms in terms.items():
            self._index(event_id, event_terms, exclusion=False)
            if event_id in table.events:
                self._index(event_id, table.events[event_id].exclude, exclusion=True)
        self._index("", table.exclude, exclusion=True)

    def _index(self, event_id: str, terms: Iterable[Term], *, exclusion: bool) -> None:
        for term in terms:
            if term.han:
                self._han.append((event_id, term, exclusion))
            else:
                self._words[(term.lang == "en", term.key[0])].append((event_id, term, exclusion))

    def evidence(self, dataset: DatasetText) -> list[Evidence]:
        """The events ``dataset`` has enough evidence for (score ≥ threshold, no exclusion), best first."""
        pieces = [_Piece("title", lang, text) for lang, text in dataset.titles]
        pieces += [_Piece("tag", lang, text) for lang, text in dataset.tags]
        pieces += [_Piece("group", lang, text) for lang, text in dataset.groups]
        pieces += [_Piece("theme", "", text) for text in dataset.themes]
        pieces += [_Piece("description", lang, text) for lang, text in dataset.descriptions]
        hits: dict[str, list[Hit]] = defaultdict(list)
        excluded: dict[str, set[Field]] = defaultdict(set)  # event ("" for all) → fields whose hits are ruled out
        for piece in pieces:
            for event_id, term, exclusion, span, exact in self._hits(piece):
                if exclusion:
                    # Context in the title, tags, groups or themes rules the event out; in the long free text of a
                    # description, only what the description says.
                    excluded[event_id].update(("description",) if piece.field == "description" else FIELDS)
                else:
                    shown = "" if piece.field in ("title", "description") else piece.original
                    hits[event_id].append(Hit(term, piece.field, span, shown, exact))
        found = []
        for event_id, event_hits in hits.items():
            ruled_out = excluded.get(event_id, set()) | excluded.get("", set())
            kept = [hit for hit in event_hits if hit.field not in ruled_out]
            if kept:
                found.append(self._score(event_id, kept))
        return sorted((e for e in found if e.score >= self.table.threshold), key=lambda e: (-e.score, e.event_id))

    def _hits(self, piece: _Piece) -> Iterable[tuple[str, Term, bool, str, bool]]:
        if has_han(piece.folded):
            for event_id, term, exclusion in self._han:
                if term.key[0] in piece.folded and _han_at_word_edge(piece.folded, term.key[0]):
                    yield event_id, term, exclusion, term.key[0], True
        for english, tokens in ((True, piece.stems), (False, piece.words)):
            for i, token in enumerate(tokens):
                for event_id, term, exclusion in self._words.get((english, token), ()):
                    size = len(term.key)
                    if tuple(tokens[i : i + size]) == term.key and piece.applies(term):
                        # the span by its stems: "car park" and "car parks", "diploma" and "diplomas" are one mention
                        surface = piece.words[i : i + size]
                        exact = _WORD.findall(fold(term.text)) == surface
                        yield event_id, term, exclusion, " ".join(piece.stems[i : i + size]), exact

    def _score(self, event_id: str, hits: list[Hit]) -> Evidence:
        """Each span of matched words counts once, at its best field (then its best term); the reason also names the
        tags, groups and themes that repeat a word the title already has."""
        weights = self.table.weights
        best: dict[str, Hit] = {}
        for hit in hits:
            current = best.get(hit.span)
            if current is None or _rank(hit, weights) > _rank(current, weights):
                best[hit.span] = hit
        chosen = sorted(best.values(), key=lambda h: (FIELDS.index(h.field), h.term.text))
        score = round(sum(weights[h.field] * h.term.weight for h in chosen), 3)
        if all(h.term.source == "description" for h in chosen):
            score = 0.0  # words of an event's description only support evidence found with its names and table terms
        shown = chosen + [h for h in hits if h.field in ("tag", "group", "theme") and h not in chosen]
        return Evidence(
            event_id=event_id, score=score, terms=tuple(dict.fromkeys(h.term.text for h in chosen)),
            reason=_reason(shown),
        )  # fmt: skip


def _rank(hit: Hit, weights: Mapping[str, float]) -> tuple[float, float, bool, str]:
    return weights[hit.field], hit.term.weight, hit.exact, hit.term.text


def _reason(hits: list[Hit]) -> str:
    parts: list[str] = []
    by_field: dict[Field, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_field[hit.field].append(hit)
    for field_name in FIELDS:
        found = by_field.get(field_name)
        if not found:
            continue
        if field_name in ("title", "description"):
            parts.append(f"{field_name} mentions " + ", ".join(h.term.label() for h in found))
        else:
            values = dict.fromkeys(f"'{h.text}'" for h in found)
            parts.append(f"{field_name}{'s' if len(values) > 1 else ''} " + ", ".join(values))
    return "; ".join(parts)
