"""Term-at-a-time evaluation of our queries: every match and its score, per segment, with set operations in C.

whoosh walks a tree of matchers document by document, several Python calls per posting and per tree level; an
intersection of two common words (社会 … 保险, the split of 社会保险) costs over a microsecond per posting visited.
The queries of :mod:`navigator.search.query` are small trees of ``Term``, ``Or``, ``And`` and ``AndMaybe`` (with
``Phrase`` and ``Every`` now and then), so here each term's postings are read a block at a time, scored with
:class:`~navigator.search.ranking.FastBM25F`'s formula in one comprehension, and combined as dictionaries
(``docnum → score``): ``Or`` adds, ``And`` keeps the keys all have and adds, ``AndMaybe`` keeps the first's keys,
``DisjunctionMax`` keeps the best.
Scores equal whoosh's matchers' for the same query (``test_ranking`` checks), and every match is found, so totals and
facets are exact. A ``Phrase`` is its words' ``And`` (scored so, times its boost) kept for the documents whose stored
text has the words in a row (:mod:`navigator.search.phrases`), best first and at most :data:`PHRASE_CHECKS` of them
per search; documents left unchecked make the total a lower bound. Any other node (``Every``) goes through whoosh.

Reading postings blocks uses whoosh3's leaf matcher internals (``_read_ids``, ``_read_weights``, ``_next_block``);
whoosh3 is pinned, and any other matcher class falls back to the generic loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher, WrappingMatcher
from whoosh.query.compound import And, AndMaybe, DisjunctionMax, Or
from whoosh.query.positional import Phrase
from whoosh.query.terms import Term

from navigator.search.phrases import has_phrase

Scores = dict[int, float]
PHRASE_CHECKS = 2000
"""Documents whose stored text a search checks for its quoted phrases, at most (each costs a re-analysis)."""


@dataclass(slots=True)
class PhraseBudget:
    """What one search may still check for phrases, and how many candidates it left unchecked."""

    remaining: int = PHRASE_CHECKS
    unchecked: int = 0


def _generic(matcher: Any) -> Scores:
    found: Scores = {}
    while matcher.is_active():
        found[matcher.id()] = matcher.score()
        matcher.next()
    return found


def _postings(matcher: Any) -> tuple[list[int], list[float]]:
    """All (docnum, weight) postings of a fresh whoosh3 leaf matcher, a block at a time."""
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        ids.extend(matcher._ids)
        weights.extend(matcher._weights)
        matcher._next_block()
    return ids, weights


def _term(query: Term, searcher: Any) -> Scores:
    matcher = query.matcher(searcher)
    boost = 1.0
    if type(matcher) is WrappingMatcher:  # a boosted term: whoosh multiplies its score
        boost, matcher = matcher.boost, matcher.child
    deleted: frozenset[int] = frozenset()
    if type(matcher) is FilterMatcher and matcher._exclude and matcher.boost == 1.0:  # a segment with deletions
        deleted, matcher = frozenset(matcher._ids), matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        found = _generic(matcher)
        return {docnum: score * boost for docnum, score in found.items() if docnum not in deleted}
    score: Callable[[int, float], float] | None = getattr(matcher.scorer, "posting_score", None)
    ids, weights = _postings(matcher)
    if score is None:  # not our scorer: a filter term of an unscored field (weight × boost)
        values = [weight * boost for weight in weights]
    else:
        values = [score(docnum, weight) * boost for docnum, weight in zip(ids, weights, strict=True)]
    if deleted:
        return {d: v for d, v in zip(ids, values, strict=True) if d not in deleted}
    return dict(zip(ids, values, strict=True))


def _boosted(found: Scores, query: Any) -> Scores:
    boost = query.boost
    return found if boost == 1.0 else {docnum: score * boost for docnum, score in found.items()}


def _phrase(query: Phrase, searcher: Any, budget: PhraseBudget) -> Scores:
    words = list(query.words)
    candidates = evaluate(And([Term(query.fieldname, word) for word in words]), searcher, budget)
    if len(words) == 1:
        return _boosted(candidates, query)
    ordered = sorted(candidates.items(), key=lambda item: (-item[1], item[0]))
    checked = ordered[: budget.remaining]
    budget.remaining -= len(checked)
    budget.unchecked += len(ordered) - len(checked)
    stored = searcher.stored_fields
    found = {d: s for d, s in checked if has_phrase(stored(d)["doc"], query.fieldname, words)}
    return _boosted(found, query)


def evaluate(query: Any, searcher: Any, budget: PhraseBudget | None = None) -> Scores:
    """Every document of the (leaf) ``searcher`` matching ``query``, with its score (see the module documentation)."""
    budget = budget if budget is not None else PhraseBudget()
    if type(query) is Term:
        return _term(query, searcher)
    if type(query) is Phrase:
        return _phrase(query, searcher, budget)
    if type(query) is AndMaybe:
        required = evaluate(query.a, searcher, budget)
        if not required:
            return {}
        optional = evaluate(query.b, searcher, budget)
        return {d: s + optional[d] if d in optional else s for d, s in required.items()}  # (whoosh: no boost)
    if type(query) in (And, Or, DisjunctionMax):
        parts = query.subqueries
        if not parts:
            return {}
        if len(parts) == 1:  # whoosh ignores a one-part compound's own boost
            return evaluate(parts[0], searcher, budget)
        if type(query) is DisjunctionMax:
            if query.tiebreak:
                return _generic(query.matcher(searcher))  # type: ignore[no-untyped-call]
            best: Scores = {}
            for found in (evaluate(part, searcher, budget) for part in parts):
                for docnum, score in found.items():
                    if score > best.get(docnum, -1.0):
                        best[docnum] = score
            return _boosted(best, query)
        if type(query) is And:
            results: list[Scores] = []
            for part in sorted(parts, key=lambda q: q.estimate_size(searcher.reader())):
                found = evaluate(part, searcher, budget)
                if not found:
                    return {}
                results.append(found)
            results.sort(key=len)
            keys = set(results[0])
            for other in results[1:]:
                keys.intersection_update(other)
            return _boosted({d: sum(r[d] for r in results) for d in keys}, query)
        total: Scores = {}
        for found in sorted((evaluate(part, searcher, budget) for part in parts), key=len, reverse=True):
            if not total:
                total = dict(found)
                continue
            for docnum, score in found.items():
                total[docnum] = total.get(docnum, 0.0) + score
        return _boosted(total, query)
    return _generic(query.matcher(searcher))
