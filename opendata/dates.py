"""Timestamps and dates as CKAN writes them, normalised.

CKAN stores ``metadata_created``/``metadata_modified`` as naive UTC; other fields carry offsets or ``Z``. Timestamps
come out as ISO 8601 in UTC, always with microseconds and a ``Z`` (``2020-03-11T16:15:41.052534Z``), so that they
sort as text in time order; calendar dates (temporal coverage) keep
the precision they were written with (``2019``, ``2019-05``, ``2019-05-24``), since a coverage year is not a day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_LEADING_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]\S*)?$")


def parse_timestamp(value: str) -> str:
    """An ISO 8601 date or date-time as a UTC timestamp; naive values are taken as UTC (CKAN's convention).

    Raises ValueError when the text is not ISO 8601.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty timestamp")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return format_timestamp(parsed)


def format_timestamp(moment: datetime) -> str:
    """A timezone-aware datetime as ISO 8601 UTC with microseconds and a ``Z``."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def timestamp_to_datetime(value: str) -> datetime:
    """Parse a timestamp written by :func:`parse_timestamp` (or any ISO 8601) to an aware UTC datetime."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_calendar_date(value: str) -> str | None:
    """A calendar date in ISO form at its written precision, or None when the text is not an unambiguous ISO date.

    ``2019`` → ``2019``; ``2019-05`` → ``2019-05``; ``2019-05-24``, ``2019-05-24 00:00:00`` and
    ``1969-03-31T23:00:00.000Z`` → the date as written (a coverage date is a calendar date, not an instant).
    Ambiguous forms such as ``1/4/2010`` give None.
    """
    text = value.strip()
    match = _PARTIAL_DATE.match(text)
    if match:
        month = match.group(2)
        if month is not None and not 1 <= int(month) <= 12:
            return None
        return text
    match = _LEADING_DATE.match(text)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


def solr_timestamp(value: str) -> str:
    """A UTC timestamp truncated to milliseconds, as Solr (and so CKAN's search index) stores dates."""
    moment = timestamp_to_datetime(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def utc_now() -> str:
    return format_timestamp(datetime.now(UTC))
