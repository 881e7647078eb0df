"""The local CKAN-compatible server answers like a real CKAN: response shapes checked against recorded portal
responses, GET and POST, the error envelope, paging parameters."""

from __future__ import annotations

import json
from typing import Any

import ckanapi
import pytest
import requests

from tests.ckan_server import CkanServer
from tests.shared_data import shared_data_dir


def _packages() -> list[dict[str, Any]]:
    return [
        {
            "id": f"id-{n}",
            "name": f"name-{n}",
            "title": f"Title {n}",
            "metadata_modified": f"2022-01-0{n + 1}T00:00:00.123456",
            "organization": {"id": f"org-{n % 2}", "name": f"org-{n % 2}", "title": "Org"},
            "private": n == 4,
        }
        for n in range(5)
    ]


@pytest.mark.shared
def test_response_shapes_match_recorded_portals() -> None:
    raw = shared_data_dir() / "ckan" / "br-dados-gov-br" / "raw"
    search = json.loads((raw / "package_search_q_all_rows10.json").read_text(encoding="utf-8"))
    missing = json.loads((raw / "package_show_not_found_error.json").read_text(encoding="utf-8"))
    with CkanServer(_packages()) as server:
        ours = requests.get(f"{server.url}/api/3/action/package_search", params={"rows": 2}, timeout=5)
        not_found = requests.get(f"{server.url}/api/3/action/package_show", params={"id": "nope"}, timeout=5)
    assert set(ours.json()) == set(search)
    assert set(ours.json()["result"]) == set(search["result"])
    assert not_found.status_code == 404
    assert set(not_found.json()) == set(missing)
    assert set(not_found.json()["error"]) == set(missing["error"])
    assert not_found.json()["error"]["__type"] == missing["error"]["__type"]


def test_get_and_post_through_ckanapi() -> None:
    with CkanServer(_packages()) as server:
        for get_only in (True, False):
            with ckanapi.RemoteCKAN(server.url, get_only=get_only) as ckan:
                page = ckan.call_action(
                    "package_search",
                    {"fq": "metadata_modified:[2022-01-02T00:00:00.123Z TO *]", "sort": "metadata_modified desc",
                     "rows": 2, "start": 1, "fl": ["id", "name"]},
                )  # fmt: skip
                assert page["count"] == 3  # the private one is not searched
                assert page["results"] == [{"id": "id-2", "name": "name-2"}, {"id": "id-1", "name": "name-1"}]
                assert ckan.call_action("package_show", {"id": "name-3"})["id"] == "id-3"
                assert ckan.call_action("package_list", {"limit": 2, "offset": 1}) == ["name-1", "name-2"]
                assert ckan.call_action("organization_list") == ["org-0", "org-1"]
                assert ckan.call_action("status_show")["ckan_version"] == "2.10.4"
                with pytest.raises(ckanapi.NotFound):
                    ckan.call_action("package_show", {"id": "name-4"})  # private
        methods = {entry.method for entry in server.requests}
    assert methods == {"GET", "POST"}


def test_the_store_changes_during_a_test() -> None:
    with CkanServer(_packages()) as server, ckanapi.RemoteCKAN(server.url, get_only=True) as ckan:
        server.delete("name-0")
        server.touch("id-1", "2030-01-01T00:00:00", title="New")
        server.put({"id": "id-9", "name": "name-9", "metadata_modified": "2029-01-01T00:00:00"})
        names = [p["name"] for p in ckan.call_action("package_search", {"sort": "metadata_modified asc"})["results"]]
        assert names == ["name-2", "name-3", "name-9", "name-1"]


def test_bad_search_parameters_are_ckan_errors() -> None:
    with CkanServer(_packages()) as server, ckanapi.RemoteCKAN(server.url, get_only=True) as ckan:
        with pytest.raises(ckanapi.SearchQueryError):
            ckan.call_action("package_search", {"fq": "title:x"})
        with pytest.raises(ckanapi.ValidationError):
            ckan.call_action("package_search", {"rows": "many"})
