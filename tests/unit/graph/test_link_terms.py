"""Keyword evidence for dataset ↔ life-event links: the term table, folding, whole words, guards, reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graph.catalog import DEMO_CATALOG
from graph.link_terms import (
    LANGUAGES,
    DatasetText,
    EventText,
    Matcher,
    TermsInvalid,
    TermTable,
    fold,
    graph_terms,
    make_term,
    read_term_table,
)
from graph.linker import event_terms

TABLE = read_term_table()
EVENTS = [
    EventText(
        id=e["id"], name_zh=e["name"]["zh"], name_en=e["name"]["en"],
        description_zh=e.get("description", {}).get("zh", ""), description_en=e.get("description", {}).get("en", ""),
    )
    for e in yaml.safe_load((DEMO_CATALOG / "events.yaml").read_text(encoding="utf-8"))["events"]
]
MATCHER = Matcher(TABLE, event_terms(TABLE, EVENTS))


def _events(**fields: object) -> dict[str, str]:
    """Event id → reason, for a dataset with the given fields."""
    dataset = DatasetText(id="test:1", **fields)  # type: ignore[arg-type]
    return {e.event_id: e.reason for e in MATCHER.evidence(dataset)}


def test_the_table_covers_the_demo_life_events_in_five_languages() -> None:
    demo_ids = {e.id for e in EVENTS}
    assert set(TABLE.events) == demo_ids
    for event_id, spec in TABLE.events.items():
        languages = {term.lang for term in spec.terms}
        assert languages == set(LANGUAGES), (event_id, sorted(set(LANGUAGES) - languages))


def test_traditional_chinese_is_matched_by_the_simplified_term_list() -> None:
    found = _events(titles=(("zh-hant", "臺東縣醫療院所"),))
    assert "falling-ill" in found
    assert found["falling-ill"] == "title mentions 医疗 (medical care), 医疗院所 (medical institutions)"
    assert fold("晶片身分證") == "晶片身分证"


def test_a_chinese_term_across_two_words_does_not_match() -> None:
    # 維護|照片 "maintenance photos" holds 护照 "passport" across its word boundary; 大學|校園 holds 学校 "school".
    assert "travelling-abroad" not in _events(titles=(("zh-hant", "臺灣高海拔山峰土壤溫度計維護照片"),))
    assert "starting-school" not in _events(titles=(("zh-hant", "國立嘉義大學校園安全地圖"),))
    assert "travelling-abroad" in _events(titles=(("zh-hant", "護照申請統計"),))


def test_english_words_match_whole_and_stemmed() -> None:
    found = _events(titles=(("en", "Births and deaths registered by month"),))
    assert found["having-a-baby"].startswith("title mentions birth")
    assert "after-a-death" in found
    assert "having-a-baby" not in _events(titles=(("en", "Birthday honours list"),))


def test_other_languages_match_folded_words_in_tags_and_titles() -> None:
    found = _events(titles=(("pt", "Nascimentos por município"),), tags=(("pt", "nascimento"),))
    assert found["having-a-baby"] == "title mentions nascimentos (births); tag 'nascimento'"
    assert "having-a-baby" in _events(titles=(("fr", "NAISSANCES par commune"),))
    assert "having-a-baby" in _events(titles=(("nl", "Geboorten per gemeente"),))


def test_negative_context_guards_an_ambiguous_term() -> None:
    assert "retiring" in _events(titles=(("en", "Retirement pensions paid by region"),))
    assert "retiring" not in _events(titles=(("en", "Retirement of the RADARSAT-1 satellite"),))
    assert "retiring" not in _events(
        titles=(("pt", "Solicitar porte de armas para policiais aposentados"),)
    )


def test_negative_context_in_a_description_only_rules_out_the_description() -> None:
    title_and_description = _events(
        titles=(("en", "Car parks"),), descriptions=(("en", "Parking spaces next to the space agency's campus."),)
    )
    assert title_and_description["driving-a-vehicle"] == "title mentions car parks"


def test_a_word_shared_by_two_languages_counts_once() -> None:
    # "diplomas" is a Portuguese term and (stemmed) an English one: one mention, one score.
    table = TermTable(events={}, weights=TABLE.weights, threshold=3.0)
    matcher = Matcher(table, {"graduating": [make_term("diplomas", "pt"), make_term("diploma", "en")]})
    [evidence] = matcher.evidence(DatasetText(id="x", titles=(("", "Diplomas de graduação"),)))
    assert evidence.score == 3.0 and evidence.terms == ("diplomas",)


def test_latin_terms_apply_to_text_of_their_language_only() -> None:
    # The Portuguese verb "visa" (aims) is not the English noun.
    table = TermTable(events={}, weights=TABLE.weights, threshold=1.0)
    matcher = Matcher(table, {"travelling-abroad": [make_term("visa", "en")]})
    assert matcher.evidence(DatasetText(id="x", descriptions=(("pt", "O programa visa apoiar famílias"),))) == []
    assert matcher.evidence(DatasetText(id="x", descriptions=(("en", "Visa applications"),)))
    assert matcher.evidence(DatasetText(id="x", descriptions=(("und", "visa"),)))


def test_terms_from_an_event_description_support_but_never_make_a_link() -> None:
    table = TermTable(events={}, weights=TABLE.weights, threshold=1.0)
    weak = make_term("vaccination", "en", weight=0.5, source="description")
    matcher = Matcher(table, {"having-a-baby": [make_term("newborn", "en"), weak]})
    assert matcher.evidence(DatasetText(id="x", titles=(("en", "Vaccination coverage"),))) == []
    [evidence] = matcher.evidence(DatasetText(id="x", titles=(("en", "Newborn vaccination coverage"),)))
    assert evidence.score == 4.5 and evidence.terms == ("newborn", "vaccination")


def test_event_names_and_distinctive_description_words_become_terms() -> None:
    terms = graph_terms(EVENTS, TABLE)
    baby = {(t.text, t.weight, t.source) for t in terms["having-a-baby"]}
    assert ("生育", 1.0, "name") in baby and ("baby", 1.0, "name") in baby
    assert ("maternity", 0.5, "description") in baby
    assert all(t.text not in TABLE.stopwords for ts in terms.values() for t in ts)


def test_a_single_chinese_character_or_a_non_word_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TermsInvalid, match="shorter than two characters"):
        make_term("婚", "zh-hans")
    bad = tmp_path / "terms.yaml"
    bad.write_text(
        "weights: {title: 3, tag: 2, group: 2, theme: 2, description: 1}\n"
        "events:\n  having-a-baby:\n    terms:\n      de: [Geburt]\n",
        encoding="utf-8",
    )
    with pytest.raises(TermsInvalid, match="event having-a-baby: unknown language 'de'"):
        read_term_table(bad)
