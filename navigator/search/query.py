"""From what a citizen typed to a whoosh query, without ever handing the text to whoosh's query parser.

The text is cut into *units* by the same analysis as the index (so 出生證明 is segmented after folding to Simplified,
and ``AND``, ``*``, ``:``, ``(`` are just text). Text inside double quotes (``"…"``, ``“…”``, ``「…」``, ``『…』``) is a
phrase. Every unit is matched in both text fields (title ≫ keywords > description is in the postings' weights, see
:mod:`navigator.search.schema`); a Chinese compound also matches its finest dictionary split (出生证明: 出生 … 证明).

Two queries come out: *strict*, where every meaningful unit must match (English stop words, common Romance and Dutch
articles, Chinese question and procedure words such as 怎么 or 手续, and single Han characters such as 办 or 的 are
optional and only rank), and *loose*, where any unit may match, which the caller runs when the strict one finds
nothing.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh.query.compound import And, AndMaybe, DisjunctionMax, Or
from whoosh.query.positional import Phrase
from whoosh.query.qcore import Every, Query
from whoosh.query.terms import Term

from navigator.search.analysis import (
    OPTIONAL_HAN_WORDS,
    OPTIONAL_WORDS,
    analyse,
    has_han,
    normalise_query_text,
    stem_word,
    tile_word,
)
from navigator.search.documents import KINDS
from navigator.search.errors import InvalidQuery
from navigator.search.schema import ENGLISH_FIELD, FACETS, TEXT_FIELD, normalise_format

_SPLIT_BOOST = 0.6
"""A compound found only as its split (出生 … 证明 for 出生证明) ranks below the compound itself."""
_OPTIONAL_BOOST = 0.1
"""An optional unit (办 in 办户口, "how" or "for" in English) breaks ties between documents with the meaningful
words; it must not outweigh them (a rare single character has a high idf)."""
QUOTES = re.compile(r'"([^"]*)"?|“([^”]*)”?|「([^」]*)」?|『([^』]*)』?')


@dataclass(frozen=True, slots=True)
class QueryUnit:
    """One word of the query, as each field family indexes it, with its span in the normalised query text."""

    text: str
    start: int
    end: int
    term: str
    """As the base family indexes it: folded Latin word, or Simplified Han word."""
    stem: str
    """As the English family indexes it: the Porter stem (Han words unchanged)."""
    split: tuple[str, ...] = ()
    """A Han compound's finest dictionary split (出生证明 → 出生 证明); empty otherwise."""
    subwords: tuple[str, ...] = ()
    """A Han compound's search-mode sub-words (for highlighting)."""
    han: bool = False
    required: bool = False
    """Must match even if it is a word that is otherwise optional (a thesaurus replacement: 社会保障 卡)."""

    @property
    def optional(self) -> bool:
        """Stop words, question and procedure words and single Han characters only rank; they need not match."""
        if self.required:
            return False
        if self.han:
            return len(self.term) == 1 or self.term in OPTIONAL_HAN_WORDS
        return self.term in OPTIONAL_WORDS


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """The normalised text, its loose units and its quoted phrases (each a sequence of units)."""

    text: str
    units: tuple[QueryUnit, ...]
    phrases: tuple[tuple[QueryUnit, ...], ...]

    @property
    def all_units(self) -> tuple[QueryUnit, ...]:
        return self.units + tuple(unit for phrase in self.phrases for unit in phrase)

    @property
    def empty(self) -> bool:
        return not self.units and not self.phrases


def _units(text: str, offset: int) -> list[QueryUnit]:
    units: list[QueryUnit] = []
    subwords: dict[int, list[str]] = {}
    for token in analyse(text, subwords=True):
        if token.sub:
            subwords.setdefault(len(units) - 1, []).append(token.term)
            continue
        surface = text[token.start : token.end]
        han = has_han(surface)
        units.append(
            QueryUnit(
                text=surface,
                start=offset + token.start,
                end=offset + token.end,
                term=token.term,
                stem=token.term if han else stem_word(token.term),
                split=tile_word(token.term) if han else (),
                han=han,
            )
        )
    for index, words in subwords.items():
        unit = units[index]
        units[index] = QueryUnit(unit.text, unit.start, unit.end, unit.term, unit.stem, unit.split, tuple(words), True)
    return units


def require_span(parsed: ParsedQuery, start: int, end: int) -> ParsedQuery:
    """``parsed`` with every unit inside ``[start, end)`` of its text required (see :attr:`QueryUnit.required`)."""
    units = tuple(
        dataclasses.replace(unit, required=True) if start <= unit.start and unit.end <= end else unit
        for unit in parsed.units
    )
    return ParsedQuery(parsed.text, units, parsed.phrases)


def parse_user_query(text: str) -> ParsedQuery:
    """Normalise and cut ``text`` into units and quoted phrases; never raises on odd characters."""
    normalised = normalise_query_text(text)
    units: list[QueryUnit] = []
    phrases: list[tuple[QueryUnit, ...]] = []
    position = 0
    for match in QUOTES.finditer(normalised):
        units.extend(_units(normalised[position : match.start()], position))
        inner_start = match.start() + 1
        inner = next(group for group in match.groups() if group is not None)
        phrase = _units(inner, inner_start)
        if len(phrase) > 1 or (phrase and phrase[0].split):
            phrases.append(tuple(phrase))
        else:
            units.extend(phrase)
        position = match.end()
    units.extend(_units(normalised[position:], position))
    return ParsedQuery(normalised, tuple(units), tuple(phrases))


def _words_query(field: str, words: Sequence[str], boost: float = 1.0) -> Query:
    if len(words) == 1:
        return Term(field, words[0], boost=boost)
    return Phrase(field, list(words), boost=boost)


def _unit_query(unit: QueryUnit, boost: float = 1.0) -> Query:
    """The unit in either field; a compound also as its split, ranked lower: the better of the two counts, not both
    (a text with 出生证明 also has its sub-words 出生 and 证明). Section weights are in the postings."""
    base: Query = Term(TEXT_FIELD, unit.term)
    if unit.split:
        # a single character of the split must be there but does not score (身份证 → 身份 + 证: 证 alone means little,
        # and as a rare stand-alone token its idf is high)
        pieces = [Term(TEXT_FIELD, word, boost=1.0 if len(word) > 1 else 0.0) for word in unit.split]
        base = DisjunctionMax([base, And(pieces, boost=_SPLIT_BOOST)])
    return Or([base, Term(ENGLISH_FIELD, unit.stem)], boost=boost)


def _phrase_query(units: Sequence[QueryUnit]) -> Query:
    """Every unit in order, adjacent, within one section; a compound may also appear as its split."""
    terms = [unit.term for unit in units]
    split = [word for unit in units for word in (unit.split or (unit.term,))]
    clauses = [_words_query(TEXT_FIELD, terms), _words_query(ENGLISH_FIELD, [unit.stem for unit in units])]
    if split != terms:
        clauses.append(_words_query(TEXT_FIELD, split, _SPLIT_BOOST))
    return Or(clauses)


def _scaled(query: Query, factor: float) -> Query:
    """``query`` with its score multiplied by ``factor`` (whoosh's own ``with_boost`` sets, and on a binary query sets
    both sides)."""
    if isinstance(query, AndMaybe):
        return AndMaybe(_scaled(query.a, factor), _scaled(query.b, factor))
    boost: float = getattr(query, "boost", 1.0)
    return query.with_boost(boost * factor)


def build_queries(
    parsed: ParsedQuery, variants: Sequence[tuple[ParsedQuery, float]] = ()
) -> tuple[Query, Query | None]:
    """The strict query, and the loose one to run if it finds nothing (``None`` when it would be the same).

    ``variants`` are the same query with a thesaurus term replaced (:mod:`navigator.search.synonyms`), each with the
    factor its matches count by: a document scores its best match among the query and its variants.
    """
    strict, loose = _build(parsed)
    built = [(*_build(variant), boost) for variant, boost in variants if not variant.empty]
    if parsed.empty or not built:
        return strict, loose
    strict_any = DisjunctionMax([strict, *(_scaled(s, boost) for s, _, boost in built)])
    if loose is None and all(other is None for _, other, _ in built):
        return strict_any, None
    looses = [loose or strict, *(_scaled(other or s, boost) for s, other, boost in built)]
    return strict_any, DisjunctionMax(looses)


def term_idf(searcher: Any, text: str) -> float:
    """The summed idf of the meaningful words of ``text`` in the text fields (a word's best of the two; 0 for a word
    the index does not have)."""
    reader = searcher.reader()
    units = [unit for unit in parse_user_query(text).all_units if not unit.optional]
    return sum(
        max(searcher.idf(TEXT_FIELD, unit.term) if (TEXT_FIELD, unit.term) in reader else 0.0,
            searcher.idf(ENGLISH_FIELD, unit.stem) if (ENGLISH_FIELD, unit.stem) in reader else 0.0)
        for unit in units
    )  # fmt: skip


def _build(parsed: ParsedQuery) -> tuple[Query, Query | None]:
    if parsed.empty:
        return Every(), None  # type: ignore[no-untyped-call]
    required = [_unit_query(unit) for unit in parsed.units if not unit.optional]
    required += [_phrase_query(phrase) for phrase in parsed.phrases]
    optional = [_unit_query(unit, _OPTIONAL_BOOST) for unit in parsed.units if unit.optional]
    if not required:  # only optional words (a single character, "how to"): they are the query, at full weight
        required, optional = [_unit_query(unit) for unit in parsed.units if unit.optional], []
    strict: Query = And(required) if len(required) > 1 else required[0]
    if optional:
        strict = AndMaybe(strict, Or(optional))
    if len(required) + len(optional) == 1:
        return strict, None
    return strict, Or(required + optional)


def filter_query(kinds: Sequence[str], filters: Mapping[str, Sequence[str]] | None) -> Query | None:
    """A query that scores zero, for the kinds and facet filters: values OR-ed within a facet, facets AND-ed."""
    clauses: list[Query] = []
    wanted = dict(filters or {})
    if kinds:
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown:
            raise InvalidQuery(f"unknown kind(s) {', '.join(unknown)}; expected some of {', '.join(KINDS)}")
        wanted["kind"] = [*wanted.get("kind", ()), *kinds]
    for name, values in wanted.items():
        if name not in FACETS:
            raise InvalidQuery(f"unknown filter {name!r}; expected one of {', '.join(FACETS)}")
        if isinstance(values, str):
            raise InvalidQuery(f"filter {name!r}: expected a list of values, got the string {values!r}")
        cleaned = [normalise_format(v) if name == "format" else v.strip() for v in values if v and v.strip()]
        if cleaned:
            clauses.append(Or([Term(name, value, boost=0.0) for value in dict.fromkeys(cleaned)]))
    if not clauses:
        return None
    # Zero-boost terms add nothing to the score, and an And of them skips through postings like any other query
    # (whoosh's ConstantScoreQuery either scores its child anyway or materialises every matching document).
    return And(clauses) if len(clauses) > 1 else clauses[0]


@dataclass(frozen=True, slots=True)
class Marks:
    """The terms to mark in snippets, per field family: the query's own words first, and with compounds' splits and
    sub-words as a second choice for text where the words themselves do not appear (出生 … 证明 for 出生证明)."""

    base: frozenset[str]
    english: frozenset[str]
    base_expanded: frozenset[str]
    english_expanded: frozenset[str]

    def terms(self, *, english: bool, expanded: bool) -> frozenset[str]:
        if english:
            return self.english_expanded if expanded else self.english
        return self.base_expanded if expanded else self.base


def highlight_terms(parsed: ParsedQuery, variants: Sequence[tuple[ParsedQuery, float]] = ()) -> Marks:
    """What to mark for ``parsed`` and its thesaurus ``variants`` (optional words only when they are the whole
    query)."""
    queries = (parsed, *(variant for variant, _ in variants))
    units = [unit for query in queries for unit in query.all_units if not unit.optional]
    units = units or list(parsed.all_units)
    base = frozenset(unit.term for unit in units)
    english = frozenset(unit.stem for unit in units)
    extra = frozenset(word for unit in units for word in (*unit.split, *unit.subwords))
    return Marks(base, english, base | extra, english | extra)
