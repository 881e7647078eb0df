"""Resource formats, media types, timestamps and calendar dates."""

from __future__ import annotations

import pytest

from opendata.dates import parse_calendar_date, parse_timestamp, solr_timestamp
from opendata.formats import media_type_for, normalise_format, normalise_media_type


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CSV", "CSV"),
        (".csv", "CSV"),
        ("csv.", "CSV"),
        ("CSV ", "CSV"),
        (" .CSV", "CSV"),
        ("text/csv", "CSV"),
        ("zip+csv", "ZIP+CSV"),
        ("ZIP + XML", "ZIP+XML"),
        ("xlsx", "XLSX"),
        ("jpg", "JPEG"),
        ("PDF/A-1", "PDF/A-1"),
        ("text/html; charset=utf-8", "HTML"),
        ("application/vnd.rar", "RAR"),
        ("application/x-7z-compressed", "7Z"),
        ("external resources", "EXTERNAL RESOURCES"),
        ("網址", "網址"),
    ],
)
def test_formats_are_normalised(raw: str, expected: str) -> None:
    assert normalise_format(raw) == expected


def test_empty_formats_fall_back_to_media_type_then_url_extension() -> None:
    assert normalise_format("", media_type="application/json") == "JSON"
    assert normalise_format(None, url="https://example.org/data/file.XLSX?x=1") == "XLSX"
    assert normalise_format("", url="https://example.org/download?id=3") is None
    assert normalise_format("binary/octet-stream", url="https://example.org/a.zip") == "ZIP"
    assert normalise_format(None, url="http://[broken") is None


def test_media_types() -> None:
    assert normalise_media_type("Text/HTML; charset=UTF-8") == "text/html"
    assert normalise_media_type("Dicionário") is None
    assert media_type_for("CSV", None, "CSV") == "text/csv"
    assert media_type_for("CSV", "application/vnd.ms-excel") == "application/vnd.ms-excel"
    assert media_type_for("CSV", None, "text/csv") == "text/csv"
    assert media_type_for("SHP", None) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-03-11T16:15:41.052534", "2020-03-11T16:15:41.052534Z"),
        ("2014-03-06T14:46:57.000Z", "2014-03-06T14:46:57.000000Z"),
        ("2021-01-26 00:00:00", "2021-01-26T00:00:00.000000Z"),
        ("2020-03-11T17:08:00+01:00", "2020-03-11T16:08:00.000000Z"),
        ("2019-05-24", "2019-05-24T00:00:00.000000Z"),
    ],
)
def test_timestamps_are_utc(raw: str, expected: str) -> None:
    assert parse_timestamp(raw) == expected


@pytest.mark.parametrize("raw", ["", "1/4/2010", "yesterday"])
def test_bad_timestamps_raise(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019", "2019"),
        ("2023-02", "2023-02"),
        ("2019-05-24", "2019-05-24"),
        ("1969-12-31 00:00:00", "1969-12-31"),
        ("1969-03-31T23:00:00.000Z", "1969-03-31"),
        ("1/4/2010", None),
        ("2019-13", None),
        ("2019-02-30", None),
        ("a partir de 08/2019", None),
    ],
)
def test_calendar_dates_keep_their_precision(raw: str, expected: str | None) -> None:
    assert parse_calendar_date(raw) == expected


def test_solr_timestamps_are_truncated_to_milliseconds() -> None:
    assert solr_timestamp("2020-03-11T16:15:41.052934Z") == "2020-03-11T16:15:41.052Z"
    assert solr_timestamp("2020-03-11T16:15:41Z") == "2020-03-11T16:15:41.000Z"
