"""The plain document the index is fed: one life stage, life event, service, bundle or dataset, in all its languages.

The graph side builds these from its domain objects and hands them to :meth:`SearchIndex.rebuild` or
:meth:`SearchIndex.update`; the search package knows nothing else of the domain. ``kind`` + ``id`` is the unique key.
Text maps are keyed by language tag (``zh-Hans``, ``zh-Hant``, ``en``, ``pt``…); English (``en``, ``en-GB``…) is
stemmed, every other language is case- and accent-folded, Chinese in either script is segmented and folded to
Simplified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Literal, get_args

from navigator.search.errors import DocumentInvalid

Kind = Literal["stage", "event", "service", "bundle", "dataset"]
KINDS: tuple[Kind, ...] = get_args(Kind)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _texts(name: str, value: Mapping[str, str]) -> Mapping[str, str]:
    out = {}
    for lang, text in sorted(value.items()):
        if not isinstance(lang, str) or not lang or not isinstance(text, str):
            raise DocumentInvalid(f"{name}: language tags and texts must be non-empty strings, got {lang!r}: {text!r}")
        if text.strip():
            out[lang] = text.strip()
    return MappingProxyType(out)


def _keywords(value: Mapping[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    out = {}
    for lang, words in sorted(value.items()):
        if not isinstance(lang, str) or not lang or isinstance(words, str):
            raise DocumentInvalid(f"keywords: expected language → tuple of strings, got {lang!r}: {words!r}")
        kept = tuple(dict.fromkeys(word.strip() for word in words if isinstance(word, str) and word.strip()))
        if kept:
            out[lang] = kept
    return MappingProxyType(out)


def _values(name: str, value: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise DocumentInvalid(f"{name}: expected a tuple of strings, got the string {value!r}")
    return tuple(dict.fromkeys(item.strip() for item in value if item and item.strip()))


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchDocument:
    """What the index knows of one thing a citizen can find; frozen, text maps read-only and sorted by language."""

    kind: Kind
    id: str
    titles: Mapping[str, str]
    descriptions: Mapping[str, str] = field(default_factory=dict)
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Tags, required-document names, agency names…: short phrases, each matched on its own."""
    organisation: str | None = None
    portal: str | None = None
    licence: str | None = None
    formats: tuple[str, ...] = ()
    life_events: tuple[str, ...] = ()
    """Ids of the life events this document belongs to (a service's events; an event's own id)."""
    updated: datetime = _EPOCH
    version: str = ""
    """A digest of the source the document was built from; :meth:`SearchIndex.versions` gives it back, so a feed can
    tell which documents are out of date without rebuilding them."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise DocumentInvalid(f"kind: {self.kind!r} is not one of {', '.join(KINDS)}")
        if not isinstance(self.id, str) or not self.id.strip() or self.id != self.id.strip():
            raise DocumentInvalid(f"id: expected a non-empty string without surrounding spaces, got {self.id!r}")
        object.__setattr__(self, "titles", _texts("titles", self.titles))
        if not self.titles:
            raise DocumentInvalid(f"titles: {self.key} has no title in any language")
        object.__setattr__(self, "descriptions", _texts("descriptions", self.descriptions))
        object.__setattr__(self, "keywords", _keywords(self.keywords))
        for name in ("organisation", "portal", "licence"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise DocumentInvalid(f"{name}: expected a non-empty string or None, got {value!r}")
            if value is not None:
                object.__setattr__(self, name, value.strip())
        object.__setattr__(self, "formats", _values("formats", self.formats))
        object.__setattr__(self, "life_events", _values("life_events", self.life_events))
        if not isinstance(self.version, str) or any(c in self.version for c in "\x1e\x1f\n"):
            raise DocumentInvalid(f"version: expected a one-line string, got {self.version!r}")
        if not isinstance(self.updated, datetime) or self.updated.tzinfo is None:
            raise DocumentInvalid(f"updated: expected a timezone-aware datetime, got {self.updated!r}")

    @property
    def key(self) -> str:
        """The unique key in the index: ``kind:id``."""
        return f"{self.kind}:{self.id}"

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language the document has text in, sorted."""
        return tuple(sorted({*self.titles, *self.descriptions, *self.keywords}))
