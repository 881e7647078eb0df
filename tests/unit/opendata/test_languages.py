"""Language keys and script detection."""

from __future__ import annotations

import pytest

from opendata.languages import LanguageKey, detect_language, normalise_language_key, normalise_language_list


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("en", LanguageKey(code="en")),
        ("EN", LanguageKey(code="en")),
        ("pt_BR", LanguageKey(code="pt")),
        ("pt-br", LanguageKey(code="pt")),
        ("zh-Hant", LanguageKey(code="zh-hant")),
        ("zh_TW", LanguageKey(code="zh-hant")),
        ("zh-HK", LanguageKey(code="zh-hant")),
        ("zh-Hans-CN", LanguageKey(code="zh-hans")),
        ("zh_CN", LanguageKey(code="zh-hans")),
        ("zh", LanguageKey(code="zh")),
        ("zho", LanguageKey(code="zh")),
        ("eng", LanguageKey(code="en")),
        ("nld", LanguageKey(code="nl")),
        ("nan", LanguageKey(code="nan")),
        ("fr-t-en", LanguageKey(code="fr", machine=True)),
        ("en-t-fr", LanguageKey(code="en", machine=True)),
        ("http://publications.europa.eu/resource/authority/language/ENG", LanguageKey(code="en")),
        ("http://publications.europa.eu/resource/authority/language/DEU/", LanguageKey(code="de")),
    ],
)
def test_language_keys_are_normalised(key: str, expected: LanguageKey) -> None:
    assert normalise_language_key(key) == expected


@pytest.mark.parametrize("key", ["", "  ", "default", "e", "en us", "12", None, 3, ["en"]])
def test_things_that_are_not_language_keys(key: object) -> None:
    assert normalise_language_key(key) is None


def test_declared_language_lists_drop_unknowns_and_duplicates() -> None:
    assert normalise_language_list(["zho", "eng", "zh", "xx-!!", "en"]) == ("zh", "en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("溫寮溪道路工程施工階段生態檢核成果", "zh-hant"),
        ("中国人口统计数据", "zh-hans"),
        ("東京都の人口統計", "ja"),
        ("서울시 인구 통계", "ko"),
    ],
)
def test_cjk_scripts_are_detected_whatever_the_default(text: str, expected: str) -> None:
    assert detect_language(text, default="en") == expected


def test_weak_chinese_evidence_keeps_the_portal_variant() -> None:
    # 台 is written in both scripts; OpenCC alone would call this simplified.
    assert detect_language("台中市人口", default="zh-hant") == "zh-hant"
    assert detect_language("人口", default="zh-hans") == "zh-hans"
    assert detect_language("人口", default="en") == "zh"


def test_a_katakana_middle_dot_is_not_japanese() -> None:
    assert detect_language("與Arduino一起駭玩具・製作發聲樂器", default="zh-hant") == "zh-hant"


def test_latin_text_takes_the_declared_or_default_language() -> None:
    assert detect_language("Population census", default="pt") == "pt"
    assert detect_language("Population census", declared=("zh", "en"), default="zh-hant") == "en"
    assert detect_language("Population census", declared=("en", "fr"), default="fr") == "fr"
    assert detect_language("Population census", declared=("en", "fr"), default="de") == "en"


def test_latin_text_on_a_cjk_portal_without_declaration_is_undetermined() -> None:
    assert detect_language("India Census 2001", default="zh-hant") == "und"
