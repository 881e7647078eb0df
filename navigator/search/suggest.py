"""Did-you-mean and autocomplete, from the unstemmed words of titles and keywords (``SUGGEST_FIELDS``).

Corrections rank by edit distance first, then by how many documents have the word (whoosh's own ``ReaderCorrector``
ranks by frequency alone within the whole distance, so "pensoin" could become a frequent word two edits away rather
than "pension"). Only Latin-script words of three letters or more that no text field knows are corrected.
"""

from __future__ import annotations

import itertools
from typing import Any

from navigator.search.analysis import analyse, has_han, normalise_query_text, stem_word, to_simplified, to_traditional
from navigator.search.query import ParsedQuery, QueryUnit
from navigator.search.schema import ENGLISH_FIELD, SPELL_FIELD, SUGGEST_FIELDS, TEXT_FIELD

_MAX_DISTANCE = 2
_MAX_PREFIX_TERMS = 300
"""Terms looked at per field for a completion (ranked by how many documents have them)."""


def _term(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _known(reader: Any, unit: QueryUnit) -> bool:
    return bool(
        reader.doc_frequency(SPELL_FIELD, unit.term)
        or reader.doc_frequency(TEXT_FIELD, unit.term)
        or reader.doc_frequency(ENGLISH_FIELD, unit.stem)
    )


def _frequency(reader: Any, word: str) -> int:
    return sum(int(reader.doc_frequency(field, word)) for field in SUGGEST_FIELDS)


def _correct(reader: Any, word: str) -> str | None:
    for distance in range(1, _MAX_DISTANCE + 1):
        candidates = {
            _term(term) for field in SUGGEST_FIELDS for term in reader.terms_within(field, word, distance, prefix=1)
        }
        candidates = {c for c in candidates if c != word and not c.isdigit() and not has_han(c)}
        if candidates:
            return max(sorted(candidates), key=lambda c: _frequency(reader, c))
    return None


def _known_word(reader: Any, unit: QueryUnit) -> bool:
    return bool(reader.doc_frequency(SPELL_FIELD, unit.term) or reader.doc_frequency(TEXT_FIELD, unit.term))


def did_you_mean(reader: Any, parsed: ParsedQuery, cache: dict[str, str | None] | None = None) -> str | None:
    """``parsed.text`` with its misspelt words corrected, or None if nothing needs (or can be given) a correction.

    A word is corrected when no text field knows it, or when it is not a word of any title or keyword but a near word
    is, with the same English stem (unemployement → unemployment: the search found the stem, the suggestion shows the
    spelling). ``cache`` keeps corrections for the life of one searcher (the automaton search costs milliseconds).
    """
    replacements: list[tuple[int, int, str]] = []
    corrections = cache if cache is not None else {}
    for unit in parsed.all_units:
        if unit.han or unit.optional or len(unit.term) < 3 or unit.term.isdigit() or _known_word(reader, unit):
            continue
        if unit.term not in corrections:
            correction = _correct(reader, unit.term)
            if correction is not None and _known(reader, unit) and stem_word(correction) != unit.stem:
                correction = None  # a real word found by its stem; the near word would change the search
            corrections[unit.term] = correction
        correction = corrections[unit.term]
        if correction is not None:
            replacements.append((unit.start, unit.end, correction))
    if not replacements:
        return None
    text = parsed.text
    for start, end, correction in sorted(replacements, reverse=True):
        text = text[:start] + correction + text[end:]
    return text


def complete(reader: Any, prefix: str, limit: int) -> list[str]:
    """Completions of the last word of ``prefix`` (the rest kept as typed), most frequent first.

    A trailing Chinese run is completed as a whole (出生證 → 出生證明) and shown in Traditional characters when it was
    typed in them; a Latin word is completed in its folded form (sao → são paulo shows as ``sao paulo``).
    """
    text = normalise_query_text(prefix)
    if not text or limit <= 0 or not text[-1].isalnum():
        return []
    tokens = list(analyse(text, subwords=False))
    if not tokens or tokens[-1].end != len(text):
        return []
    last = tokens[-1]
    attempts = [(text[: last.start], last.term, has_han(last.term))]
    if has_han(text[last.start :]):
        start = last.start
        while start > 0 and has_han(text[start - 1]):
            start -= 1
        run = to_simplified(text[start:])
        if run != last.term:
            attempts.insert(0, (text[:start], run, True))
    completions: list[str] = []
    for head, stem, han in attempts:
        traditional = han and to_simplified(text[len(head) :]) != text[len(head) :]
        counts: dict[str, int] = {}
        for field in SUGGEST_FIELDS:
            for term in itertools.islice(reader.expand_prefix(field, stem), _MAX_PREFIX_TERMS):
                word = _term(term)
                counts[word] = counts.get(word, 0) + int(reader.doc_frequency(field, word))
        words = sorted(counts, key=lambda word: (-counts[word], word))
        for word in words:
            if word == stem:
                continue
            shown = head + (to_traditional(word) if traditional else word)
            if shown not in completions:
                completions.append(shown)
        if completions:
            break
    return completions[:limit]
