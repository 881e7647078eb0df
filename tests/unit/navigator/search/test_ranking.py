"""Ranking: term-at-a-time evaluation with cached-length BM25F scores as whoosh's own matchers do; totals are exact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh.query.compound import And, AndMaybe, Or
from whoosh.query.qcore import Query
from whoosh.query.terms import Term
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from navigator.search import SearchDocument, SearchIndex, open_index
from navigator.search import evaluate as evaluate_module
from navigator.search.evaluate import evaluate
from navigator.search.ranking import FastBM25F, LengthCache, _length_bytes
from navigator.search.schema import ENGLISH_FIELD, TEXT_FIELD


def _documents(count: int) -> list[SearchDocument]:
    """Pension services of growing description length, and a few with other words."""
    docs = []
    for number in range(count):
        words = " ".join(["pension"] * (number % 7 + 1) + ["claim"] * (number % 5))
        docs.append(
            SearchDocument(
                kind="service" if number % 3 else "dataset", id=f"s{number:04d}",
                titles={"en": f"Pension {number}" if number % 4 == 0 else f"Service {number}", "zh-Hans": "养老金"},
                descriptions={"en": words}, organisation=f"Agency {number % 3}",
            )
        )  # fmt: skip
    return docs


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    """Two segments, one with a deletion; no result cache (each search runs)."""
    with open_index(tmp_path_factory.mktemp("many"), cache_size=0) as index:
        index.rebuild(_documents(600))
        index.update([SearchDocument(kind="service", id="late", titles={"en": "Pension late"})], [("service", "s0001")])
        assert index.doc_count() == 600
        yield index


def test_length_bytes_are_whooshs_own_field_lengths(many: SearchIndex) -> None:
    reader = many._current_searcher().reader()
    for leaf, _ in reader.leaf_readers():
        for field in (TEXT_FIELD, ENGLISH_FIELD):
            lengths = _length_bytes(leaf, field)
            assert len(lengths) == leaf.doc_count_all()
            for docnum in range(leaf.doc_count_all()):
                expected = leaf.doc_field_length(docnum, field, 0) or 0
                assert (byte_to_length(lengths[docnum]) if lengths[docnum] else 0) == expected


@pytest.mark.parametrize(
    "query",
    [
        Or([Term(ENGLISH_FIELD, "pension"), Term(ENGLISH_FIELD, "claim"), Term(TEXT_FIELD, "养老金")]),
        And([Term(ENGLISH_FIELD, "pension"), Term(ENGLISH_FIELD, "claim")], boost=0.6),
        AndMaybe(Term(ENGLISH_FIELD, "claim"), Or([Term(ENGLISH_FIELD, "pension"), Term(TEXT_FIELD, "养老金")])),
        And([Or([Term(ENGLISH_FIELD, "pension"), Term(ENGLISH_FIELD, "nothing")]), Term("kind", "service", boost=0.0)]),
    ],
    ids=["or", "and-boosted", "and-maybe", "filtered"],
)
def test_evaluation_scores_as_whooshs_bm25f_matchers(many: SearchIndex, query: Query) -> None:
    ix = many._ix
    whooshs = FastBM25F(LengthCache(), B=0.75, per_language=False)  # whoosh's own parameters and mean length
    with ix.searcher(weighting=BM25F()) as plain, ix.searcher(weighting=whooshs) as fast:
        expected = {hit.docnum: hit.score for hit in plain.search(query, limit=None)}
        found: dict[int, float] = {}
        for leaf, offset in fast.leaf_searchers():
            found.update({docnum + offset: score for docnum, score in evaluate(query, leaf).items()})
    assert expected and sorted(found) == sorted(expected)
    for docnum, score in found.items():
        assert score == pytest.approx(expected[docnum], rel=1e-9)


def test_mean_lengths_count_only_documents_in_the_language(tmp_path: Path) -> None:
    docs = [
        SearchDocument(kind="service", id="en", titles={"en": "Pension claim for retired people"}),
        *(SearchDocument(kind="service", id=f"zh{n}", titles={"zh-Hans": "养老金"}) for n in range(3)),
    ]
    with open_index(tmp_path / "index") as index:
        index.rebuild(docs)
        searcher = index._current_searcher()
        english = FastBM25F(LengthCache())._average_length(searcher, ENGLISH_FIELD)
        whooshs = searcher.avg_field_length(ENGLISH_FIELD)  # over all four documents
        assert english == searcher.field_length(ENGLISH_FIELD) == pytest.approx(4 * whooshs)


def test_totals_are_exact_and_facets_optional(many: SearchIndex) -> None:
    results = many.search("pension")
    assert not results.total_is_lower_bound
    assert sum(c.count for c in results.facets["kind"]) == results.total == 600
    quick = many.search("pension", facets=False)
    assert quick.facets == {} and quick.total == results.total
    assert [h.key for h in quick.hits] == [h.key for h in results.hits]


def test_a_phrase_with_more_candidates_than_checked_gives_a_lower_bound(
    many: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = many.search('"pension claim"')
    assert whole.total > 50 and not whole.total_is_lower_bound
    monkeypatch.setattr(evaluate_module.PhraseBudget, "__init__", _small_budget)
    capped = many.search('"pension claim"', limit=5)
    assert capped.total_is_lower_bound and capped.total <= 50
    assert [h.key for h in capped.hits] == [h.key for h in whole.hits[:5]]


def _small_budget(self: evaluate_module.PhraseBudget) -> None:
    self.remaining, self.unchecked = 50, 0


def test_offsets_page_through_the_same_order(many: SearchIndex) -> None:
    whole = [h.key for h in many.search("pension", limit=30).hits]
    pages = [h.key for offset in (0, 10, 20) for h in many.search("pension", limit=10, offset=offset).hits]
    assert pages == whole
