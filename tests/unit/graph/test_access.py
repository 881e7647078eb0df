"""API token scopes and hashing (the graph side is tested in tests/integration/test_graphql_datasets.py)."""

from __future__ import annotations

import hashlib

import pytest

from graph.access import Scope, hash_token
from graph.reads_datasets import DatasetLink


def test_scopes_parse_print_and_cover() -> None:
    assert Scope.parse("all").covers("any", ())
    portal = Scope.parse("portal:city")
    assert (str(portal), portal.covers("city", ()), portal.covers("town", ("city",))) == ("portal:city", True, False)
    organization = Scope.parse("organization:town:edu")
    assert organization.value == "town:edu"
    assert organization.covers("town", ("town:edu",)) and not organization.covers("town", ("town:health",))
    for bad in ("", "all:x", "portal:", "portal", "everything"):
        with pytest.raises(ValueError, match="scope"):
            Scope.parse(bad)


def test_tokens_are_stored_as_sha256() -> None:
    assert hash_token("rln_abc") == hashlib.sha256(b"rln_abc").hexdigest()


def test_a_link_says_why_in_both_languages() -> None:
    link = DatasetLink(dataset_id="p:d", event_id="e", status="suggested", score=0.42)
    assert link.reason().en == "Suggested automatically (score 0.42)"
    approved = DatasetLink(dataset_id="p:d", event_id="e", status="approved", score=1.0, method="manual", note="ok")
    assert approved.reason().zh == "数据管理员已确认；方法：manual；备注：ok"
