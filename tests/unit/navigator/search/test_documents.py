"""SearchDocument: frozen, normalised, validated; kind + id is the key."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from navigator.search import DocumentInvalid, SearchDocument


def test_documents_are_frozen_and_normalised() -> None:
    doc = SearchDocument(
        kind="dataset",
        id="d1",
        titles={"en": " Births ", "zh-Hant": "  "},
        keywords={"en": ("csv", " csv ", ""), "pt": ()},
        formats=("CSV", " CSV", ""),
        organisation=" City ",
    )
    assert doc.key == "dataset:d1"
    assert dict(doc.titles) == {"en": "Births"} and dict(doc.keywords) == {"en": ("csv",)}
    assert doc.formats == ("CSV",) and doc.organisation == "City"
    assert doc.languages == ("en",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.id = "d2"  # type: ignore[misc]
    with pytest.raises(TypeError):
        doc.titles["fr"] = "Naissances"  # type: ignore[index]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "person"}, "kind"),
        ({"id": ""}, "id"),
        ({"id": " x"}, "id"),
        ({"titles": {}}, "no title"),
        ({"titles": {"": "x"}}, "titles"),
        ({"keywords": {"en": "csv"}}, "keywords"),
        ({"formats": "CSV"}, "formats"),
        ({"organisation": " "}, "organisation"),
        ({"updated": datetime(2024, 1, 1)}, "timezone"),
    ],
)
def test_invalid_documents_are_refused(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"kind": "service", "id": "s1", "titles": {"en": "A service"}, **changes}
    with pytest.raises(DocumentInvalid, match=message):
        SearchDocument(**fields)  # type: ignore[arg-type]
