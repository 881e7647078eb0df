"""Where raw package dicts come from: ``package_search`` pages (keyset-paged on ``metadata_modified``), the portal's
list of ids, and ``ckanapi dump datasets`` files.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from opendata.dates import solr_timestamp
from opendata.errors import ActionFailed
from opendata.portal import PortalClient
from opendata.snapshot import Rejection

logger = logging.getLogger(__name__)

SORT = "metadata_modified asc, id asc"
PLAIN_SORT = "metadata_modified asc"
_SORT_ERRORS = frozenset({"Search Query Error", "Search Error", "Validation Error"})


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRecord:
    """A raw package dict and where it came from (``line 12``, a dataset name, ``search result 7``)."""

    raw: Any
    ref: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchPage:
    count: int
    results: tuple[SourceRecord, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class IdListing:
    """The portal's current datasets; ``complete`` is false when fewer came back than the search counted."""

    ids: set[str]
    names: set[str]
    complete: bool


def search_pages(
    portal: PortalClient, *, since: str | None, rows: int, fields: list[str] | None = None
) -> Iterator[SearchPage]:
    """``package_search`` pages in ``metadata_modified`` order, from ``since`` (a Solr timestamp) on.

    Each request asks for ``metadata_modified:[W TO *]`` where W is the newest modification time taken so far
    (truncated to milliseconds, as Solr stores it) and skips with ``start`` the datasets already taken at W. A dataset
    that appears twice (edited mid-harvest) is yielded twice; the consumer keeps the first and lowers its watermark.
    """
    mark = since
    at_mark = 0
    taken: set[str] = set()
    sort = SORT
    first = True
    while True:
        data: dict[str, Any] = {"q": "*:*", "sort": sort, "rows": rows, "start": at_mark, "include_private": False}
        if mark is not None:
            data["fq"] = f"metadata_modified:[{mark} TO *]"
        if fields is not None:
            data["fl"] = fields
        try:
            result = portal.call("package_search", data)
        except ActionFailed as e:
            if first and sort == SORT and e.error_type in _SORT_ERRORS:
                logger.info("%s: sorting by id refused (%s); sorting by time only", portal.config.name, e)
                sort = PLAIN_SORT
                continue
            raise
        first = False
        count, results = _search_result(portal, result)
        fresh = [r for r in results if not (isinstance(r, dict) and r.get("id") in taken)]
        if not fresh:
            if len(results) >= rows:
                logger.warning("%s: a whole search page held nothing new; paging stopped", portal.config.name)
            return  # nothing new: the end, or a portal that ignores the paging parameters
        offset = len(taken)
        sources = tuple(SourceRecord(raw=r, ref=f"search result {offset + i + 1}") for i, r in enumerate(results))
        yield SearchPage(count=count, results=sources)
        for raw in results:
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                taken.add(raw["id"])
            stamp = _solr_stamp(raw)
            if stamp is None or stamp == mark:
                at_mark += 1
            elif mark is None or stamp > mark:
                mark, at_mark = stamp, 1
        if len(results) < rows:
            return


def _solr_stamp(raw: Any) -> str | None:
    value = raw.get("metadata_modified") if isinstance(raw, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return solr_timestamp(value)
    except ValueError:
        return None


def _search_result(portal: PortalClient, result: Any) -> tuple[int, list[Any]]:
    if (
        not isinstance(result, dict)
        or not isinstance(result.get("results"), list)
        or not isinstance(result.get("count"), int)
    ):
        raise ActionFailed(
            f"portal {portal.config.name}: package_search returned no results list and count", action="package_search"
        )
    return result["count"], result["results"]


def search_all_ids(portal: PortalClient, *, rows: int) -> IdListing | None:
    """Every current dataset id and name via ``package_search`` with ``fl``; None when the portal cannot search."""
    ids: set[str] = set()
    names: set[str] = set()
    count = 0
    try:
        for page in search_pages(portal, since=None, rows=rows, fields=["id", "name", "metadata_modified"]):
            count = max(count, page.count)
            for source in page.results:
                raw = source.raw
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    ids.add(raw["id"])
                    if isinstance(raw.get("name"), str):
                        names.add(raw["name"])
    except ActionFailed as e:
        logger.info("%s: cannot list ids with package_search (%s)", portal.config.name, e)
        return None
    return IdListing(ids=ids, names=names, complete=len(ids) >= count)


def iter_dump_file(path: Path) -> Iterator[SourceRecord | Rejection]:
    """Lines of a ``ckanapi dump datasets`` file (plain or gzip): parsed dicts, or a rejection for a bad line."""
    with _open_dump(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            ref = f"line {number}"
            try:
                raw = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError as e:
                yield Rejection(ref=ref, reason=f"not UTF-8 text ({e.reason} at byte {e.start})")
                continue
            except ValueError as e:
                yield Rejection(ref=ref, reason=f"invalid JSON: {e}")
                continue
            yield SourceRecord(raw=raw, ref=ref)


def _open_dump(path: Path) -> IO[bytes]:
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")
