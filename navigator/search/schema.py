"""The whoosh schema, and how a :class:`SearchDocument` becomes the fields of one whoosh document.

All the text of a document goes into one of two fields, each holding every language of its kind:

* ``text``: Chinese (either script) and every language but English, through :class:`TextAnalyzer` (segmented,
  folded, not stemmed);
* ``text_en``: English, Porter-stemmed.

Within a field the text is in three sections, title, keywords and description (:data:`SECTIONS`), whose tokens weigh
:data:`SECTION_BOOSTS` (title ≫ keywords > description): BM25F with one posting per term and document, which keeps
indexing and matching cheap (a query word is one or two postings lists, not six). The text fields keep no positions
(phrases are checked against the stored text: :mod:`navigator.search.phrases`). Mixed-script text (``户口
registration``) is fine in either field; a query is run against both, each analysed its own way (see
:mod:`navigator.search.query`). Snippets are cut from the stored texts, per section and language.

``spell`` holds the unstemmed, folded words of English titles and keywords; with ``text`` (unstemmed already) it is
what "did you mean" and autocomplete draw on (:data:`SUGGEST_FIELDS`). Facets are indexed (``kind``,
``organisation``… for filters) and also packed into one column (``facets``) that :mod:`navigator.search.facets` reads
to count them.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from typing import Any, Final

from whoosh import columns
from whoosh.analysis.tokenizers import RegexTokenizer
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.system import pack_uint

from navigator.search.analysis import SECTION_SEPARATOR, VALUE_SEPARATOR, TextAnalyzer
from navigator.search.documents import SearchDocument

TEXT_FIELD: Final = "text"
ENGLISH_FIELD: Final = "text_en"
SECTIONS: Final = ("title", "keywords", "description")
SECTION_BOOSTS: Final = (8.0, 3.0, 1.0)
"""Weight of a token in the title, keywords and description sections."""
SPELL_FIELD: Final = "spell"
SUGGEST_FIELDS: Final = (SPELL_FIELD, TEXT_FIELD)
"""Fields of unstemmed words, for corrections and completions."""

FACETS: Final = ("kind", "life_event", "organisation", "format", "licence", "portal")
"""Facet names, as used in ``filters`` and in :attr:`SearchResults.facets`; each is also an indexed field."""
MULTI_VALUED_FACETS: Final = frozenset({"life_event", "format"})
FACET_COLUMN: Final = "facets"
SYNC_COLUMN: Final = "sync"
"""``kind:id`` and the document's version, for :meth:`SearchIndex.versions` (one column read, no stored fields)."""
_FACET_SEP: Final = "\x1e"
_VALUE_SEP: Final = "\x1f"

SCHEMA_VERSION: Final = 2
"""Bumped when the fields or the analysis change; an index of another version must be rebuilt."""


Posting = tuple[bytes, int, float, bytes]
"""What a field's ``index`` gives whoosh for one term of a document: the term, its count, its weight, the encoded
value."""


class Postings(tuple[Posting, ...]):
    """The postings of one text, analysed ahead (in another process, see :mod:`navigator.search.building`): given as a
    field's value, :class:`AnalysedText` indexes them as they are."""

    __slots__ = ()


class AnalysedText(TEXT):
    """A ``TEXT`` field (``Frequency`` postings: counts and weights, no positions) over a :class:`TextAnalyzer` whose
    documents are indexed from :meth:`TextAnalyzer.index_terms`: the postings whoosh's own path would give (same
    terms, counts, weights and encoded values), without its token objects. Queries and spelling go through the
    analyzer as with ``TEXT``. A value may also be :class:`Postings` computed ahead by :meth:`postings`.
    """

    def postings(self, value: str) -> Postings:
        """The postings of ``value``, as :meth:`index` gives them."""
        return Postings(self.index(value))

    def index(self, value: Any, **kwargs: Any) -> Generator[tuple[bytes, int, float | int, bytes], Any, None]:
        if isinstance(value, Postings):
            yield from value
        elif kwargs or not isinstance(value, str) or not isinstance(self.analyzer, TextAnalyzer):
            yield from super().index(value, **kwargs)
        else:
            assert self.format is not None
            boost = self.format.field_boost
            for term, (count, weight) in self.analyzer.index_terms(value).items():
                yield term.encode("utf-8"), int(count), weight * boost, pack_uint(int(count))


def build_schema() -> Schema:
    """The schema of every index generation."""
    base = TextAnalyzer(section_boosts=SECTION_BOOSTS, once_sections=2)
    english = TextAnalyzer(stem=True, section_boosts=SECTION_BOOSTS, once_sections=2)
    values = RegexTokenizer(rf"[^{VALUE_SEPARATOR}]+")
    fields: dict[str, Any] = {
        "key": ID(unique=True, stored=True),
        "doc": STORED(),
        FACET_COLUMN: COLUMN(columns.VarBytesColumn()),  # type: ignore[no-untyped-call]
        SYNC_COLUMN: COLUMN(columns.VarBytesColumn()),  # type: ignore[no-untyped-call]
        SPELL_FIELD: AnalysedText(analyzer=TextAnalyzer(), phrase=False),
        # No positions: postings blocks of ids and weights only read 2-3x faster (a quoted phrase is checked against
        # the stored text instead, see navigator.search.phrases).
        TEXT_FIELD: AnalysedText(analyzer=base, phrase=False),
        ENGLISH_FIELD: AnalysedText(analyzer=english, phrase=False),
    }
    for name in FACETS:
        fields[name] = KEYWORD(analyzer=values) if name in MULTI_VALUED_FACETS else ID()
    return Schema(**fields)


def is_english(lang: str) -> bool:
    """Whether texts in ``lang`` go to the stemmed English family."""
    return lang.lower() == "en" or lang.lower().startswith("en-")


def normalise_format(value: str) -> str:
    """A resource format as faceted: upper case, no leading dot (``.csv`` → ``CSV``)."""
    return value.strip().lstrip(".").upper()


def facet_values(doc: SearchDocument) -> dict[str, tuple[str, ...]]:
    """The facet values of ``doc``, by facet name (single-valued facets give zero or one value)."""
    return {
        "kind": (doc.kind,),
        "life_event": doc.life_events,
        "organisation": (doc.organisation,) if doc.organisation else (),
        "format": tuple(dict.fromkeys(filter(None, map(normalise_format, doc.formats)))),
        "licence": (doc.licence,) if doc.licence else (),
        "portal": (doc.portal,) if doc.portal else (),
    }


def encode_facets(values: dict[str, tuple[str, ...]]) -> bytes:
    """Pack facet values into the bytes of the ``facets`` column (order of :data:`FACETS`)."""
    clean = (_VALUE_SEP.join(v.replace(_FACET_SEP, " ").replace(_VALUE_SEP, " ") for v in values[n]) for n in FACETS)
    return _FACET_SEP.join(clean).encode("utf-8")


def decode_facets(data: bytes) -> tuple[tuple[str, ...], ...]:
    """Unpack the ``facets`` column: one tuple of values per facet, in the order of :data:`FACETS`."""
    if not data:
        return tuple(() for _ in FACETS)
    return tuple(tuple(part.split(_VALUE_SEP)) if part else () for part in data.decode("utf-8").split(_FACET_SEP))


def encode_sync(doc: SearchDocument) -> bytes:
    return f"{doc.key}{_VALUE_SEP}{doc.version}".encode()


def decode_sync(data: bytes) -> tuple[str, str] | None:
    """``(key, version)`` from the ``sync`` column; None for an empty value."""
    if not data:
        return None
    key, _, version = data.decode("utf-8").partition(_VALUE_SEP)
    return key, version


def _join(texts: list[str]) -> str:
    return VALUE_SEPARATOR.join(texts)


def section_text(
    titles: Mapping[str, str], keywords: Mapping[str, Sequence[str]], descriptions: Mapping[str, str], english: bool
) -> str:
    """One field's text: the title, keywords and description sections of the languages of one family."""
    title_texts = [text for lang, text in titles.items() if is_english(lang) == english]
    keyword_texts = [word for lang, words in keywords.items() if is_english(lang) == english for word in words]
    description_texts = [text for lang, text in descriptions.items() if is_english(lang) == english]
    if not (title_texts or keyword_texts or description_texts):
        return ""
    return SECTION_SEPARATOR.join(_join(section) for section in (title_texts, keyword_texts, description_texts))


def document_fields(doc: SearchDocument) -> dict[str, Any]:
    """The whoosh fields of ``doc``; empty text fields are left out (whoosh then skips them cheaply)."""
    fields: dict[str, Any] = {"key": doc.key, "doc": stored_payload(doc)}
    facets = facet_values(doc)
    fields[FACET_COLUMN] = encode_facets(facets)
    fields[SYNC_COLUMN] = encode_sync(doc)
    for name, english in ((TEXT_FIELD, False), (ENGLISH_FIELD, True)):
        text = section_text(doc.titles, doc.keywords, doc.descriptions, english)
        if text:
            fields[name] = text
    spell = [text for lang, text in doc.titles.items() if is_english(lang)]
    spell += [word for lang, words in doc.keywords.items() if is_english(lang) for word in words]
    if spell:
        fields[SPELL_FIELD] = _join(spell)
    for name, values in facets.items():
        if values:
            fields[name] = _join(list(values))
    return fields


def stored_payload(doc: SearchDocument) -> dict[str, Any]:
    """What is stored for display and highlighting: plain dicts, lists and strings (whoosh pickles it)."""
    return {
        "kind": doc.kind,
        "id": doc.id,
        "titles": dict(doc.titles),
        "descriptions": dict(doc.descriptions),
        "keywords": {lang: list(words) for lang, words in doc.keywords.items()},
        "updated": doc.updated.isoformat(),
    }
