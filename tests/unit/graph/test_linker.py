"""The linker's plan for one dataset (what to create, refresh, remove) and its report, without Neo4j."""

from __future__ import annotations

from typing import Any

from graph.link_terms import Evidence
from graph.linker import LinkReport, _plan, dataset_text


def _evidence(event: str, score: float = 3.0, reason: str = "title mentions birth") -> Evidence:
    return Evidence(event_id=event, score=score, terms=("birth",), reason=reason)


def _link(status: str, score: float = 3.0, reason: str = "title mentions birth") -> dict[str, Any]:
    return {"status": status, "score": score, "terms": ["birth"], "reason": reason}


def _run_plan(evidence: list[Evidence], links: dict[str, dict[str, Any]]) -> tuple[LinkReport, list[Any], list[Any]]:
    report, writes, removals = LinkReport(portal=None), [], []  # type: ignore[var-annotated]
    _plan("p:1", evidence, [{"event": e, **link} for e, link in links.items()], report, writes, removals)
    return report, writes, removals


def test_new_evidence_is_suggested_and_unchanged_links_are_not_written() -> None:
    report, writes, removals = _run_plan([_evidence("a"), _evidence("b")], {"b": _link("suggested")})
    assert [w["event"] for w in writes] == ["a"] and removals == []
    assert (report.created, report.unchanged, report.linked) == (1, 1, 1)


def test_reviewed_links_get_fresh_evidence_but_are_never_removed() -> None:
    links = {"a": _link("approved", score=2.0), "b": _link("rejected"), "c": _link("approved"), "d": _link("suggested")}
    report, writes, removals = _run_plan([_evidence("a"), _evidence("b")], links)
    assert [w["event"] for w in writes] == ["a"]  # new score for the approved link; its status is not in the row
    assert "status" not in writes[0]
    assert removals == [{"dataset": "p:1", "event": "d"}]  # only the suggestion without evidence goes
    assert (report.refreshed, report.unchanged, report.removed, report.linked) == (1, 1, 1, 1)


def test_a_dataset_whose_only_link_is_rejected_is_not_counted_linked() -> None:
    report, _, _ = _run_plan([_evidence("b")], {"b": _link("rejected")})
    assert report.linked == 0


def test_the_report_lists_every_event_most_linked_first() -> None:
    report = LinkReport(portal="tw", datasets=10, linked=3, created=4)
    report.by_event = {"b": {"suggested": 1, "approved": 2, "rejected": 1}, "a": {}, "c": {"suggested": 1}}
    assert report.events_linked == 2
    assert report.table() == ["b      3  (1 suggested, 2 approved, 1 rejected)", "c      1  (1 suggested)", "a      0"]
    assert report.summary().startswith("tw: 3 of 10 datasets linked to 2 life events: 4 links suggested")


def test_dataset_text_reads_language_maps_and_falls_back_to_plain_text() -> None:
    text = dataset_text({
        "id": "p:1", "title": "Nascimentos", "titles": '{"pt": "Nascimentos", "en": "Births"}', "description": "d",
        "descriptions": None, "themes": ["health"], "tags": [["pt", "parto"], ["und", None]],
        "groups": [["saude", '{"pt": "Saúde"}'], ["other", None]],
    })  # fmt: skip
    assert text.titles == (("pt", "Nascimentos"), ("en", "Births"))
    assert text.descriptions == (("", "d"),) and text.tags == (("pt", "parto"),)
    assert text.groups == (("pt", "Saúde"), ("", "other")) and text.themes == ("health",)
