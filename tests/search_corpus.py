"""Real records from ../shared/data as SearchDocuments, for search tests and benchmarks.

* Guangdong service items (``life-events/cn-guangdong-service-items/service_items.jsonl``): a service per item; title
  ``TASK_NAME``, description ``matter_name`` where it says more, keywords the required materials (``material_intro``),
  the department (``DEPT_NAME``) and the themes (``theme_category``), organisation the department.
* depositar datasets (``ckan/tw-depositar/datasets.jsonl``): a dataset per record; title and notes (Traditional
  Chinese when they have Han characters, English otherwise), keywords the tags and the organisation's title, formats
  from the resources, licence ``license_id``, portal ``tw-depositar``.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from navigator.search import SearchDocument
from navigator.search.analysis import has_han

SERVICE_ITEMS = Path("life-events/cn-guangdong-service-items/service_items.jsonl")
DEPOSITAR = Path("ckan/tw-depositar/datasets.jsonl")
_NOTHING = {"", "无", "無", "none", "null"}


def _records(path: Path, limit: int | None) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in itertools.islice(lines, limit):
            if line.strip():
                yield json.loads(line)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) and value.strip().lower() not in _NOTHING else ""


def _texts(values: object) -> tuple[str, ...]:
    items = values if isinstance(values, list) else [values]
    return tuple(text for text in map(_text, items) if text)


def service_item_documents(data_dir: Path, limit: int | None = None) -> Iterator[SearchDocument]:
    """Guangdong service items as ``service`` documents (Simplified Chinese)."""
    for record in _records(data_dir / SERVICE_ITEMS, limit):
        title = _text(record.get("TASK_NAME"))
        matter = _text(record.get("matter_name"))
        department = _text(record.get("DEPT_NAME"))
        keywords = (*_texts(record.get("material_intro")), department, *_texts(record.get("theme_category")))
        yield SearchDocument(
            kind="service",
            id=record["TASK_CODE"],
            titles={"zh-Hans": title or matter},
            descriptions={"zh-Hans": matter} if matter and matter != title else {},
            keywords={"zh-Hans": tuple(k for k in keywords if k)},
            organisation=department or None,
            portal="cn-guangdong",
        )


def _lang(text: str) -> str:
    return "zh-Hant" if has_han(text) else "en"


def _timestamp(value: object) -> datetime:
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime(1970, 1, 1, tzinfo=UTC)


def depositar_documents(data_dir: Path, limit: int | None = None) -> Iterator[SearchDocument]:
    """depositar (Taiwan) CKAN datasets as ``dataset`` documents (Traditional Chinese and English)."""
    for record in _records(data_dir / DEPOSITAR, limit):
        title = _text(record.get("title")) or record["name"]
        notes = _text(record.get("notes"))
        organisation = _text((record.get("organization") or {}).get("title"))
        tags = [_text(tag.get("display_name") or tag.get("name")) for tag in record.get("tags") or []]
        keywords: dict[str, list[str]] = {}
        for word in [*tags, organisation]:
            if word:
                keywords.setdefault(_lang(word), []).append(word)
        yield SearchDocument(
            kind="dataset",
            id=record["id"],
            titles={_lang(title): title},
            descriptions={_lang(notes): notes} if notes else {},
            keywords={lang: tuple(words) for lang, words in keywords.items()},
            organisation=organisation or None,
            portal="tw-depositar",
            licence=_text(record.get("license_id")) or None,
            formats=tuple(_text(r.get("format")) for r in record.get("resources") or [] if _text(r.get("format"))),
            updated=_timestamp(record.get("metadata_modified")),
        )


def scaled(docs: Iterable[SearchDocument], copies: int) -> Iterator[SearchDocument]:
    """``copies`` of each document under new ids (``<id>~<n>``), for volume tests; the texts repeat."""
    pool = list(docs)
    for copy in range(copies):
        for doc in pool:
            yield doc if copy == 0 else dataclasses.replace(doc, id=f"{doc.id}~{copy}")
