"""The parts of the harvest orchestration that need nothing running: names, languages, snapshot paths, reports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph.harvest_runs import HarvestReport, Rejected
from graph.portals import PortalInvalid, check_portal_name
from navigator.errors import NavigatorError
from navigator.harvesting import (
    HarvestOutcome,
    HarvestTarget,
    harvest_failure_report,
    normalise_language,
    portal_name_from_url,
    rejected_lines,
    snapshot_path,
)
from navigator.settings import Settings
from opendata.errors import PortalRefused, PortalUnreachable


def test_portal_names_name_files_so_they_are_plain() -> None:
    for good in ("tw-depositar", "data.gov.uk", "a", "x_1"):
        assert check_portal_name(good) == good
    for bad in ("", "../etc", "a/b", "-x", "名字", "a" * 65, "a b"):
        with pytest.raises(PortalInvalid):
            check_portal_name(bad)


def test_a_url_names_its_portal_after_its_host() -> None:
    assert portal_name_from_url("https://data.gov.uk/api/3") == "data-gov-uk"
    assert portal_name_from_url("http://127.0.0.1:8080") == "127-0-0-1"
    with pytest.raises(NavigatorError):
        portal_name_from_url("https:///nohost")


def test_languages_are_normalised_or_refused() -> None:
    assert normalise_language("zh-Hant") == "zh-hant"
    assert normalise_language("pt_BR") == "pt"
    assert normalise_language("und") == "und"
    with pytest.raises(NavigatorError, match="not a language"):
        normalise_language("no such")


def test_snapshot_paths_carry_portal_and_utc_milliseconds(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    moment = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert snapshot_path(settings, "tw", now=moment) == tmp_path / "snapshots" / "tw-20260102T030405678Z.jsonl"
    with pytest.raises(PortalInvalid):
        snapshot_path(settings, "../tw")


def test_a_failure_is_one_paragraph_saying_what_state_the_graph_is_in() -> None:
    target = HarvestTarget(portal="tw", source="https://portal.example", kind="portal", default_language="en")
    error = PortalUnreachable("gave up after 5 attempts: HTTP 500.")
    text = harvest_failure_report(target, error, 7.25, "2024-01-01T00:00:00Z", "tw:run")
    assert "\n" not in text
    assert text.startswith("Harvest of portal 'tw' from https://portal.example failed after 7.2 s: gave up after 5")
    assert "watermark stays at 2024-01-01T00:00:00Z" in text and "HarvestRun tw:run" in text
    assert "`navigator harvest tw`" in text
    refused = harvest_failure_report(target, PortalRefused("x resolves to a non-public address"), 0.0, None, None)
    assert "NAVIGATOR_HARVEST_ALLOW_PRIVATE=true" in refused and "is still unset" in refused


def test_the_printed_report_lists_counts_snapshot_links_and_reasons(tmp_path: Path) -> None:
    report = HarvestReport(run_id="r", portal="tw", mode="incremental", new=1, updated=2, unchanged=3, withdrawn=4)
    report.rejected = 3
    report.rejected_reasons = [Rejected(ref=f"id{i}", reason="no title") for i in range(3)]
    outcome = HarvestOutcome(
        target=HarvestTarget(portal="tw", source="https://p.example", kind="portal", default_language="en"),
        snapshot=tmp_path / "s.jsonl", since="2024-01-01T00:00:00Z", method="package_search", deletions_checked=True,
        report=report, linked=None, harvest_seconds=1.0, load_seconds=0.5, link_seconds=0.0, seconds=1.5,
    )  # fmt: skip
    lines = outcome.lines(show_rejected=2)
    assert lines[0].startswith("tw: 1 new, 2 updated, 3 unchanged, 4 withdrawn, 3 rejected in 1.50 s (incremental")
    assert f"  snapshot: {tmp_path / 's.jsonl'}" in lines
    assert "  links: nothing changed, not re-linked" in lines
    assert lines[-3:] == ["  rejected id0: no title", "  rejected id1: no title", "  … and 1 more rejected"]
    assert rejected_lines([], 5) == []
