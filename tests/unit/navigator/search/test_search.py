"""Searching the synthetic index: folding, phrases, fallbacks, facets, filters, snippets, suggestions, pages."""

from __future__ import annotations

import pytest

from navigator.search import FACETS, FacetCount, InvalidQuery, SearchIndex, SearchResults


def keys(results: SearchResults) -> list[str]:
    return [hit.key for hit in results.hits]


def test_simplified_and_traditional_queries_find_the_same(built_index: SearchIndex) -> None:
    simplified, traditional = built_index.search("出生证明"), built_index.search("出生證明")
    assert keys(simplified) == keys(traditional)
    assert {"service:hukou", "dataset:taipei-births", "service:birth-certificate"} <= set(keys(simplified))
    # The Traditional document is found by the Simplified query, and marked where its Traditional text is.
    taipei = next(hit for hit in simplified.hits if hit.id == "taipei-births")
    assert "<mark>出生證明</mark>" in taipei.snippets["description"]


def test_a_compound_in_a_title_ranks_above_its_split(built_index: SearchIndex) -> None:
    results = built_index.search("户口")
    assert keys(results)[0] == "service:hukou"


def test_quoted_chinese_is_a_phrase(built_index: SearchIndex) -> None:
    loose, phrase = built_index.search("出生证明"), built_index.search("“出生证明”")
    assert "service:birth-certificate" in keys(loose)  # 出生医学证明: both words, not adjacent
    assert "service:birth-certificate" not in keys(phrase)
    assert {"service:hukou", "dataset:taipei-births"} <= set(keys(phrase))
    adjacent = built_index.search('"出生 人口"')
    assert keys(adjacent) == ["dataset:taipei-births"]
    assert built_index.search('"人口 出生"').total == 0


def test_english_is_stemmed_and_accents_folded(built_index: SearchIndex) -> None:
    assert set(keys(built_index.search("pensions"))[:2]) == {"service:state-pension", "dataset:pension-statistics"}
    assert keys(built_index.search("sao paulo")) == ["dataset:sao-paulo-births"]
    assert keys(built_index.search("SÃO")) == ["dataset:sao-paulo-births"]
    assert "dataset:sao-paulo-births" in keys(built_index.search("certidoes"))


def test_every_word_must_match_unless_none_does_then_any(built_index: SearchIndex) -> None:
    both = built_index.search("birth statistics")
    assert keys(both) == ["dataset:taipei-births"] and both.matched_all_terms
    fallback = built_index.search("pension zzqqx")
    assert not fallback.matched_all_terms
    assert set(keys(fallback)) == {"service:state-pension", "dataset:pension-statistics"}


def test_stop_words_and_single_han_characters_are_optional(built_index: SearchIndex) -> None:
    assert built_index.search("how to apply for a pension").matched_all_terms
    assert keys(built_index.search("how to apply for a pension"))[0] == "service:state-pension"
    handle = built_index.search("办户口")
    assert handle.matched_all_terms and keys(handle)[0] == "service:hukou"


@pytest.mark.parametrize(
    "text", ["pension AND (", "title:户口", "*", "pen*", "~!@#$%^&*()[]{}:\\", '"', "OR", "NOT pension"]
)
def test_query_syntax_is_never_parsed(built_index: SearchIndex, text: str) -> None:
    built_index.search(text)  # no exception, whatever the characters


def test_facets_count_every_match(built_index: SearchIndex) -> None:
    everything = built_index.search("", limit=3)
    assert everything.total == 10 and len(everything.hits) == 3
    assert set(everything.facets) == set(FACETS)
    assert everything.facets["kind"][0] == FacetCount(value="service", count=4)
    assert FacetCount(value="CSV", count=2) in everything.facets["format"]  # "csv" and "CSV" are one format
    assert FacetCount(value="XLSX", count=1) in everything.facets["format"]
    assert everything.facets["life_event"][0] == FacetCount(value="birth", count=4)
    assert FacetCount(value="公安局", count=2) in everything.facets["organisation"]
    births = built_index.search("出生")
    assert sum(f.count for f in births.facets["kind"]) == births.total


def test_filters_and_kinds_narrow_the_matches(built_index: SearchIndex) -> None:
    csv = built_index.search("", filters={"format": ["csv"]})
    assert set(keys(csv)) == {"dataset:taipei-births", "dataset:sao-paulo-births"}
    both = built_index.search("", filters={"format": ["csv"], "licence": ["cc-by", "ogl"]})
    assert keys(both) == ["dataset:taipei-births"]
    services = built_index.search("出生", kinds=["service"])
    assert services.total and all(hit.kind == "service" for hit in services.hits)
    assert services.facets["kind"] == (FacetCount(value="service", count=services.total),)
    moving = built_index.search("", filters={"life_event": ["move"], "organisation": ["公安局"]})
    assert set(keys(moving)) == {"service:hukou", "service:identity-card"}


def test_filters_do_not_change_the_ranking(built_index: SearchIndex) -> None:
    plain = [(h.key, h.score) for h in built_index.search("出生").hits if h.kind == "dataset"]
    filtered = [(h.key, h.score) for h in built_index.search("出生", kinds=["dataset"]).hits]
    assert filtered == plain


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kinds": ["person"]}, "unknown kind"),
        ({"filters": {"colour": ["red"]}}, "unknown filter"),
        ({"filters": {"format": "csv"}}, "a list of values"),
        ({"limit": 0}, "limit"),
        ({"page": 0}, "page"),
        ({"after": "not-a-cursor"}, "cursor"),
        ({"page": 2, "after": "bzox"}, "at most one"),
        ({"offset": 3, "page": 2}, "at most one"),
        ({"offset": -1}, "offset"),
    ],
)
def test_bad_arguments_are_refused(built_index: SearchIndex, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidQuery, match=message):
        built_index.search("出生", **kwargs)  # type: ignore[arg-type]


def test_snippets_are_escaped_and_marked(built_index: SearchIndex) -> None:
    hit = built_index.search("pension statistics").hits[0]
    assert hit.id == "pension-statistics"
    assert hit.snippets["title"] == "<mark>Pension</mark> <mark>statistics</mark>"
    assert (
        hit.snippets["description"] == "Counts of &lt;b&gt;<mark>pensions</mark>&lt;/b&gt; &amp; allowances, by region."
    )
    child = built_index.search("newborn child").hits[0]
    assert "&lt;<mark>child</mark>&gt; &amp;" in child.snippets["description"]
    assert "<b>" not in child.snippets["description"]
    keywords = built_index.search("pension credit").hits[0].snippets["keywords"]
    assert keywords == "<mark>pension</mark> <mark>credit</mark>"


def test_titles_are_shown_in_the_readers_language_unless_another_matched(built_index: SearchIndex) -> None:
    hukou = built_index.search("", kinds=["service"], filters={"life_event": ["move"]}, lang="zh-Hant")
    assert {hit.title for hit in hukou.hits} == {"戶口登記", "居民身份證申領"}
    found_in_english = next(h for h in built_index.search("birth", lang="zh-Hans").hits if h.id == "birth-certificate")
    assert (found_in_english.title, found_in_english.title_lang) == ("Birth certificate", "en")
    found_in_chinese = next(h for h in built_index.search("户口", lang="en").hits if h.id == "hukou")
    assert found_in_chinese.title_lang == "zh-Hans"
    assert built_index.search("", filters={"licence": ["cc-by-sa"]}, lang="fr").hits[0].title_lang == "pt"


def test_did_you_mean_corrects_misspelt_words(built_index: SearchIndex) -> None:
    assert built_index.search("pensoin").suggestion == "pension"
    assert built_index.search("birth certifcate").suggestion == "birth certificate"
    assert built_index.search("pension").suggestion is None
    assert built_index.search("出生证明").suggestion is None


def test_autocomplete(built_index: SearchIndex) -> None:
    assert built_index.autocomplete("pen")[0] == "pension"
    assert "apply for a state pension" not in built_index.autocomplete("pen")
    assert "birth certificate" in built_index.autocomplete("birth cert")
    assert "出生证明" in built_index.autocomplete("出生")
    assert built_index.autocomplete("出生證") == ["出生證明"]
    assert built_index.autocomplete("sã") == ["sao"]
    assert built_index.autocomplete("") == [] and built_index.autocomplete("pension ") == []


def test_pages_by_number_and_by_cursor(built_index: SearchIndex) -> None:
    first = built_index.search("", limit=4)
    assert first.next_cursor is not None
    second = built_index.search("", limit=4, after=first.next_cursor)
    assert second == built_index.search("", limit=4, page=2)
    third = built_index.search("", limit=4, after=second.next_cursor)
    assert third.next_cursor is None and len(third.hits) == 2
    assert len({*keys(first), *keys(second), *keys(third)}) == 10
