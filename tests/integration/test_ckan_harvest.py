"""Harvesting over real HTTP from the local CKAN-compatible server: every shared portal's records, paging,
incremental harvests, deletions, the package_show fallback, snapshots and dump files. Needs no Neo4j.
"""

from __future__ import annotations

import gzip
import json
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from opendata.errors import PortalRefused, PortalUnreachable
from opendata.harvest import harvest_dump, harvest_portal, harvest_to_snapshot, write_harvest
from opendata.portal import PortalConfig
from opendata.retry import RetryPolicy
from opendata.snapshot import read_snapshot
from tests.ckan_server import CkanServer, Fault
from tests.shared_data import shared_data_dir

# Every datasets.jsonl under shared/data/ckan, with the language of its untranslated text (SOURCES.md).
PORTALS = {
    "tw-depositar": "zh-hant",
    "br-dados-gov-br": "pt",
    "ca-asc-csa": "en",
    "ca-open-canada": "en",
    "uk-data-gov-uk": "en",
    "uk-data-gov-uk/legacy-2015": "en",
    "hk-data-gov-hk": "en",
    "be-transportdata": "nl",
}
MIN_LOADED_FRACTION = 0.95  # at least this share of each portal's real records must normalise
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.02, max_delay=0.1, max_total_seconds=20)


def _config(server: CkanServer, *, name: str = "test", language: str = "en", **changes: Any) -> PortalConfig:
    return PortalConfig(
        name=name,
        url=server.url,
        default_language=language,
        allow_private=True,
        retry=changes.pop("retry", FAST_RETRY),
        **changes,
    )


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def _package(number: int, modified: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-0000-0000-{number:012d}",
        "name": f"dataset-{number}",
        "title": f"Dataset {number}",
        "notes": "Synthetic.",
        "metadata_created": "2020-01-01T00:00:00",
        "metadata_modified": modified,
        "state": "active",
        "private": False,
        "tags": [{"name": "synthetic"}],
        "resources": [{"id": f"r{number}", "format": ".csv", "url": f"https://example.org/{number}.csv"}],
        **fields,
    }


def _packages(count: int) -> list[dict[str, Any]]:
    """``count`` datasets modified one minute apart (with distinct microseconds), oldest first."""
    base = datetime(2021, 1, 1, 10, 0, 0)
    return [_package(n, (base + timedelta(minutes=n, microseconds=n)).isoformat()) for n in range(count)]


@pytest.mark.shared
@pytest.mark.parametrize("portal", sorted(PORTALS))
def test_every_shared_record_normalises_or_is_rejected(portal: str) -> None:
    path = shared_data_dir() / "ckan" / portal / "datasets.jsonl"
    raw_lines = path.read_text(encoding="utf-8").split("\n")
    lines = len([line for line in raw_lines if line.strip()])
    packages = _lines(path)
    served = [p for p in packages if p.get("state", "active") == "active" and p.get("private") is not True]
    with CkanServer(packages) as server:
        config = _config(server, name=portal, language=PORTALS[portal])
        over_http = harvest_portal(config, rows=500)
        from_dump = harvest_dump(
            path,
            portal=portal,
            default_language=PORTALS[portal],
            portal_url=server.url,
            harvested_at=over_http.harvested_at,
        )
    # The dump path sees every line; the HTTP path what a CKAN would serve (public, active).
    assert from_dump.loaded + len(from_dump.rejected) == lines
    assert from_dump.loaded >= MIN_LOADED_FRACTION * lines
    assert over_http.loaded + len(over_http.rejected) == len(served)
    assert over_http.method == "package_search"
    for rejection in (*from_dump.rejected, *over_http.rejected):
        assert rejection.reason.startswith(("field ", "record:"))
    # Both paths give the same records.
    by_id = {r.ckan_id: r.content_hash for r in from_dump.records}
    assert {r.ckan_id: r.content_hash for r in over_http.records} == {
        k: by_id[k] for k in (r.ckan_id for r in over_http.records)
    }


@pytest.mark.shared
def test_real_records_carry_their_languages() -> None:
    root = shared_data_dir() / "ckan"
    canada = harvest_dump(root / "ca-open-canada" / "datasets.jsonl", portal="ca", default_language="en")
    forest = next(r for r in canada.records if r.titles.get("en") == "Forest Openings Pre 1990")
    assert forest.titles["fr"] == "Ouvertures forestières avant 1990"  # fr-t-en, kept as there is no human fr
    assert forest.tags["fr"] == ("Données téléchargeables", "Information gouvernementale")
    belgium = harvest_dump(root / "be-transportdata" / "datasets.jsonl", portal="be", default_language="nl")
    assert set(belgium.records[0].descriptions) == {"nl", "fr", "de", "en"}
    taiwan = harvest_dump(root / "tw-depositar" / "datasets.jsonl", portal="tw", default_language="zh-hant")
    languages = [language for record in taiwan.records for language in record.titles]
    assert languages.count("zh-hant") > 0.9 * len(taiwan.records)
    assert sum(1 for r in taiwan.records if r.organization is None) > 0  # organization: null is fine


def test_paging_across_many_pages_takes_every_dataset_once() -> None:
    packages = _packages(230)
    with CkanServer(packages) as server:
        result = harvest_portal(_config(server), rows=25)
        searches = server.requests_for("package_search")
    assert result.loaded == 230
    assert len({r.ckan_id for r in result.records}) == 230
    assert len(searches) == math.ceil(230 / 25)
    assert all(int(s.params["rows"]) == 25 for s in searches)
    assert all(s.params["sort"] == "metadata_modified asc, id asc" for s in searches)
    modified = [r.modified or "" for r in result.records]
    assert modified == sorted(modified)
    assert result.watermark == max(modified)


def test_datasets_sharing_a_modification_time_are_paged_without_loss() -> None:
    same = "2022-05-05T05:05:05.123456"
    packages = [_package(n, same) for n in range(17)] + [_package(100 + n, "2022-06-01T00:00:00") for n in range(5)]
    with CkanServer(packages) as server:
        result = harvest_portal(_config(server), rows=4)
    assert sorted(r.ckan_id for r in result.records) == sorted(p["id"] for p in packages)


def test_edits_during_a_harvest_lose_nothing() -> None:
    packages = _packages(60)
    with CkanServer(packages) as server:
        edits = {"done": False}

        def edit_midway(done: int, total: int | None) -> None:
            if done == 20 and not edits["done"]:
                edits["done"] = True
                server.touch(packages[5]["id"], "2030-01-01T00:00:00.000001", title="Edited after it was read")
                server.touch(packages[50]["id"], "2030-01-02T00:00:00", title="Edited before it was read")

        result = harvest_portal(_config(server), rows=10, progress=edit_midway)
    ids = [r.ckan_id for r in result.records]
    assert sorted(ids) == sorted(p["id"] for p in packages)
    # The dataset edited after it was read is not taken twice, and the watermark stays at or before its new time,
    # so the next incremental harvest fetches it.
    assert result.watermark == "2030-01-01T00:00:00.000001Z"


def test_incremental_harvest_from_a_watermark_with_deletions() -> None:
    packages = _packages(40)
    with CkanServer(packages) as server:
        config = _config(server)
        first = harvest_portal(config, rows=15)
        known = {r.ckan_id: r.name for r in first.records}
        server.touch(packages[3]["id"], "2031-01-01T00:00:00", title="Changed")
        server.touch(packages[7]["id"], "2031-01-02T00:00:00")
        server.put(_package(999, "2031-01-03T00:00:00"))
        server.delete(packages[10]["id"])
        server.delete(packages[11]["name"])
        second = harvest_portal(config, since=first.watermark, known=known, rows=15)
        incremental_searches = [s for s in server.requests_for("package_search") if "fq" in s.params]
    assert second.mode == "incremental"
    assert second.since == first.watermark
    changed = {r.ckan_id for r in second.records}
    # The watermark is inclusive: the newest dataset of the first harvest comes again (unchanged hash).
    assert changed == {packages[3]["id"], packages[7]["id"], _package(999, "x")["id"], first.records[-1].ckan_id}
    assert second.deletions_checked
    assert set(second.deleted_ids) == {packages[10]["id"], packages[11]["id"]}
    assert second.watermark == "2031-01-03T00:00:00.000000Z"
    assert incremental_searches[0].params["fq"].startswith("metadata_modified:[")
    unchanged = next(r for r in second.records if r.ckan_id == first.records[-1].ckan_id)
    assert unchanged.content_hash == first.records[-1].content_hash


def test_a_full_harvest_reports_deletions_against_the_previous_snapshot() -> None:
    packages = _packages(8)
    with CkanServer(packages) as server:
        first = harvest_portal(_config(server))
        server.delete(packages[0]["id"])
        second = harvest_portal(_config(server), known={r.ckan_id: r.name for r in first.records})
    assert second.deleted_ids == (packages[0]["id"],)
    assert second.deletions_checked


def test_a_dataset_that_turned_malformed_is_rejected_not_deleted() -> None:
    packages = _packages(4)
    with CkanServer(packages) as server:
        first = harvest_portal(_config(server))
        server.touch(packages[1]["id"], "2033-01-01T00:00:00", resources="not a list")
        known = {r.ckan_id: r.name for r in first.records}
        second = harvest_portal(_config(server), since=first.watermark, known=known)
    assert [(r.ref, r.reason) for r in second.rejected] == [
        (packages[1]["id"], "field resources: expected a list, got str")
    ]
    assert second.deleted_ids == ()
    assert second.deletions_checked


@pytest.mark.parametrize("status", [400, 404])
def test_old_portals_fall_back_to_package_list_and_package_show(status: int) -> None:
    packages = _packages(12)
    with CkanServer(packages, ckan_version="1.8") as server:
        server.search_unavailable = 400 if status == 400 else 404
        server.inject(Fault(kind="slow", action="package_show", count=12, delay=0.2))
        result = harvest_portal(_config(server), max_workers=4)
        shows = server.requests_for("package_show")
    assert result.method == "package_show"
    assert result.portal.ckan_version == "1.8"
    assert result.loaded == 12
    assert len(shows) == 12
    # Twelve 0.2 s responses through four workers overlap: three rounds, not twelve.
    assert shows[-1].at - shows[0].at < 1.2


def test_fallback_incremental_filters_locally_and_sees_deletions() -> None:
    packages = _packages(6)
    with CkanServer(packages) as server:
        server.search_unavailable = 400
        first = harvest_portal(_config(server))
        server.touch(packages[2]["id"], "2032-01-01T00:00:00")
        server.delete(packages[4]["id"])
        second = harvest_portal(
            _config(server), since=first.watermark, known={r.ckan_id: r.name for r in first.records}
        )
    newest = max(first.records, key=lambda r: r.modified or "")  # package_show answers come in any order
    assert {r.ckan_id for r in second.records} == {packages[2]["id"], newest.ckan_id}
    assert second.deleted_ids == (packages[4]["id"],)


def test_private_addresses_are_refused_unless_allowed() -> None:
    with CkanServer(_packages(2)) as server:
        refused = PortalConfig(name="local", url=server.url, default_language="en")
        with pytest.raises(PortalRefused, match="non-public address"):
            harvest_portal(refused)
        assert server.requests == []
        assert harvest_portal(_config(server)).loaded == 2
        localhost = PortalConfig(name="local", url=server.url.replace("127.0.0.1", "localhost"), default_language="en")
        with pytest.raises(PortalRefused):
            harvest_portal(localhost)


def test_harvest_to_snapshot_streams_and_reads_back(tmp_path: Path) -> None:
    packages = _packages(30)
    target = tmp_path / "snapshots" / "test.jsonl"
    with CkanServer(packages, ckan_version="2.9.11") as server:
        result = harvest_to_snapshot(_config(server), target, rows=7)
    assert result.records == ()  # streamed, not kept
    snapshot = read_snapshot(target)
    assert snapshot.problems == ()
    assert len(snapshot.records) == result.loaded == 30
    header = snapshot.header
    assert (header.portal, header.ckan_version, header.mode, header.since) == ("test", "2.9.11", "full", None)
    assert header.watermark == result.watermark
    assert header.record_count == 30
    assert header.harvested_at == result.harvested_at


def test_a_failed_harvest_leaves_the_previous_snapshot(tmp_path: Path) -> None:
    target = tmp_path / "test.jsonl"
    with CkanServer(_packages(5)) as server:
        harvest_to_snapshot(_config(server), target)
        before = target.read_bytes()
        server.inject(Fault(kind="status", status=503, action="package_search", count=100))
        with pytest.raises(PortalUnreachable, match="gave up after 4 attempts"):
            harvest_to_snapshot(_config(server), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["test.jsonl"]


def test_write_harvest_writes_a_collected_result(tmp_path: Path) -> None:
    with CkanServer(_packages(3)) as server:
        result = harvest_portal(_config(server))
    snapshot = read_snapshot(write_harvest(result, tmp_path / "s.jsonl"))
    assert snapshot.records == result.records


@pytest.mark.parametrize("compress", [False, True])
def test_dump_file_with_bad_lines(tmp_path: Path, compress: bool) -> None:
    good = [json.dumps(p) for p in _packages(3)]
    lines = [good[0], "{not json", good[1], "", "[1, 2]", json.dumps({"name": "no-id"}), good[2], '{"id": "cut']
    text = "\n".join(lines) + "\n"
    path = tmp_path / ("dump.jsonl.gz" if compress else "dump.jsonl")
    path.write_bytes(gzip.compress(text.encode()) if compress else text.encode())
    progress: list[int] = []
    result = harvest_dump(
        path, portal="dump", default_language="en", progress=lambda done, total: progress.append(done)
    )
    assert result.loaded == 3
    assert result.method == "dump"
    assert [(r.ref, r.reason.split(":")[0]) for r in result.rejected] == [
        ("line 2", "invalid JSON"),
        ("line 5", "record"),
        ("no-id", "field id"),
        ("line 8", "invalid JSON"),
    ]
    assert result.seen == 7
    assert progress == list(range(1, 8))
