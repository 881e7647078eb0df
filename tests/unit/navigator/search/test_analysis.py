"""Analysis: sequential positions, Simplified/Traditional folding both ways, stemming, accent folding, mixed script."""

from __future__ import annotations

import pytest
from whoosh.formats import Frequency

from navigator.search.analysis import (
    SECTION_SEPARATOR,
    VALUE_GAP,
    VALUE_SEPARATOR,
    TextAnalyzer,
    analyse,
    normalise_query_text,
    segment_han,
    tile_word,
    to_simplified,
    to_traditional,
)
from navigator.search.analysis import _get_segmenter as get_segmenter


def whoosh_tokens(text: str, *, stem: bool = False, mode: str = "index") -> list[tuple[str, int, int, int]]:
    analyzer = TextAnalyzer(stem=stem)
    return [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True, mode=mode)]


def test_default_mode_words_take_sequential_positions_and_sub_words_share_their_parents() -> None:
    text = "办理中华人民共和国居民身份证需要户口簿"
    tokens = whoosh_tokens(text)
    words = [t for t in analyse(text) if not t.sub]
    assert [w.pos for w in words] == list(range(len(words)))
    for term, pos, start, end in tokens:
        assert text[start:end] == term  # offsets point into the original text
        parent = next(w for w in words if w.pos == pos)
        assert parent.start <= start and end <= parent.end
    assert ("居民身份证", 2, 9, 14) in tokens and ("身份证", 2, 11, 14) in tokens and ("身份", 2, 11, 13) in tokens


def test_query_mode_gives_the_default_mode_words_with_the_same_positions() -> None:
    text = "办理中华人民共和国居民身份证需要户口簿"
    index_words = [(t[0], t[1]) for t in whoosh_tokens(text) if t[0] in {w.term for w in analyse(text) if not w.sub}]
    query_words = [(t[0], t[1]) for t in whoosh_tokens(text, mode="query")]
    assert query_words == [(w.term, w.pos) for w in analyse(text) if not w.sub]
    assert set(query_words) <= set(index_words)
    assert [p for _, p in query_words] == list(range(len(query_words)))


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("出生證明", "出生证明"),
        ("辦戶口", "办户口"),
        ("臺灣資料集", "台湾资料集"),
        ("居民身份證申領", "居民身份证申领"),
    ],
)
def test_traditional_and_simplified_give_the_same_terms(traditional: str, simplified: str) -> None:
    assert to_simplified(traditional) == simplified
    assert [t.term for t in analyse(traditional)] == [t.term for t in analyse(simplified)]
    # Offsets stay on the original characters, so highlights land where the Traditional text is.
    assert [(t.start, t.end) for t in analyse(traditional)] == [(t.start, t.end) for t in analyse(simplified)]


def test_simplified_shows_back_in_traditional() -> None:
    assert to_traditional("出生证明") == "出生證明"


@pytest.mark.parametrize(
    "text",
    ["一目瞭然的出生證明", "沈默", "乾燥的臺北", "皇后大道東", "出生证明", "著作權", "了解不瞭解", "𠀀中文 mixed 漢字"],
)
def test_the_fast_t2s_path_agrees_with_opencc(text: str) -> None:
    expected = get_segmenter().to_simplified.convert(text)
    assert to_simplified.__wrapped__(text) == expected


def test_english_is_stemmed_and_other_latin_text_folded() -> None:
    assert [t[0] for t in whoosh_tokens("Pensions", stem=True)] == ["pension"]
    assert [t[0] for t in whoosh_tokens("Pensions")] == ["pensions"]
    assert [t[0] for t in whoosh_tokens("São Paulo CERTIDÃO")] == ["sao", "paulo", "certidao"]
    assert [t[0] for t in whoosh_tokens("Ｐｅｎｓｉｏｎ ２０２４")] == ["pension", "2024"]


def test_mixed_script_text_in_one_field() -> None:
    tokens = whoosh_tokens("户口registration São出生證明 2024年")
    assert [(t[0], t[1]) for t in tokens] == [
        ("户口", 0),
        ("registration", 1),
        ("sao", 2),
        ("出生证明", 3),
        ("出生", 3),
        ("证明", 3),
        ("出生证", 3),
        ("2024", 4),
        ("年", 5),
    ]


def test_values_of_a_multi_valued_field_are_kept_apart() -> None:
    tokens = whoosh_tokens(VALUE_SEPARATOR.join(["户口簿", "身份证"]))
    assert [t[1] for t in tokens if t[0] in {"户口簿", "身份证"}] == [0, 1 + VALUE_GAP]


def test_query_syntax_is_only_text() -> None:
    assert [t.term for t in analyse('title:出生 AND (x* OR "y")^2 ~')] == ["title", "出生", "and", "x", "or", "y", "2"]


def test_compounds_split_as_jieba_would_without_them() -> None:
    assert tile_word("出生证明") == ("出生", "证明")
    assert tile_word("户口") == ()


def test_query_text_is_one_line_without_control_characters() -> None:
    assert normalise_query_text("  出生\n证明\x00  pension\t ") == "出生 证明 pension"
    assert len(normalise_query_text("x" * 1000)) == 200


@pytest.mark.parametrize("text", ["出生医学证明签发", "研究生命起源", "结婚登记", "長江大橋", "的", "㐀出生𠀀证明"])
def test_segmentation_is_jiebas_default_mode(text: str) -> None:
    simplified = to_simplified(text)
    expected = [(word, start, end) for word, start, end in get_segmenter().jieba.tokenize(simplified, HMM=False)]
    assert [(t.term, t.start, t.end) for t in segment_han(text) if not t.sub] == expected


@pytest.mark.parametrize("stem", [False, True])
def test_index_terms_are_what_whoosh_sums_from_the_tokens(stem: bool) -> None:
    text = SECTION_SEPARATOR.join(
        [
            VALUE_SEPARATOR.join(["出生医学证明 Birth certificates", "出生證明"]),
            VALUE_SEPARATOR.join(["户口簿", "身份证", "户口簿", "Pensions pension"]),
            "出生证明 birth 出生 São 2024年 出生证明",
            "a fourth section: birth",
        ]
    )
    analyzer = TextAnalyzer(stem=stem, section_boosts=(8.0, 3.0, 1.0), once_sections=2)
    expected = {term: [count, weight] for term, count, weight, _ in Frequency().word_values(text, analyzer)}
    assert analyzer.index_terms(text) == expected
    assert expected["出生"][0] == 4  # the title's two values count once in all, the description's twice
