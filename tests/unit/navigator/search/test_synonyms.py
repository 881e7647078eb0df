"""The thesaurus: variants of a query, quoted phrases left alone, and a rarer variant scaled down."""

from __future__ import annotations

from navigator.search import SearchDocument, SearchIndex
from navigator.search.synonyms import VARIANT_BOOST, variant_boost, variants


def test_a_term_is_replaced_by_each_other_term_of_its_group() -> None:
    assert [(v.text, v.start) for v in variants("换证 驾照")] == [("换证 驾驶证", 3)]
    assert {v.text for v in variants("出生證明")} == {"出生证", "出生医学证明"}  # Traditional folds first


def test_the_longest_term_wins_and_latin_terms_are_whole_words() -> None:
    assert [v.replaced for v in variants("社保卡")] == ["社会保障卡"]  # not 社保 → 社会保险
    assert [v.text for v in variants("Driving Licence")] == ["driver license"]
    assert variants("licences") == []  # not inside a longer word (stemming finds licence)


def test_quoted_text_is_searched_as_typed() -> None:
    assert variants('"驾照" 考试') == []
    assert [v.text for v in variants('"考试" 驾照')] == ['"考试" 驾驶证']


def test_a_rarer_replacement_counts_less() -> None:
    assert variant_boost(0.0, 5.0) == VARIANT_BOOST  # the typed word is not in the index
    assert variant_boost(5.0, 5.0) == VARIANT_BOOST
    assert variant_boost(2.0, 8.0) == VARIANT_BOOST / 4


def test_a_colloquial_query_finds_the_official_name(empty_index: SearchIndex) -> None:
    empty_index.rebuild([
        SearchDocument(kind="service", id="licence", titles={"zh-Hans": "机动车驾驶证申领"}),
        SearchDocument(kind="service", id="card", titles={"zh-Hans": "社会保障卡申领"}),
        SearchDocument(
            kind="service", id="bank", titles={"zh-Hans": "开立银行账户"}, keywords={"zh-Hans": ("社保卡合作银行",)}
        ),
    ])  # fmt: skip
    found = empty_index.search("驾照")
    assert [hit.id for hit in found.hits] == ["licence"] and "<mark>驾驶证</mark>" in found.hits[0].snippets["title"]
    assert {hit.id for hit in empty_index.search("社保卡").hits} == {"bank", "card"}
