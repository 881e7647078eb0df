"""The whoosh3 length reader installed by navigator.search answers as whoosh3's own does."""

from __future__ import annotations

from navigator.search import SearchDocument, SearchIndex
from navigator.search.schema import ENGLISH_FIELD, SPELL_FIELD, TEXT_FIELD
from navigator.search.whoosh_tweaks import _bulk_length_reader, original_length_reader


def test_the_bulk_length_reader_gives_whooshs_answers(empty_index: SearchIndex) -> None:
    titles = [{"en": " ".join(["pension"] * n)} if n % 3 else {"zh-Hans": "养老金"} for n in range(1, 300)]
    empty_index.rebuild([SearchDocument(kind="service", id=str(n), titles=t) for n, t in enumerate(titles)])
    empty_index.doc_count()
    reader = empty_index._current_searcher().reader()
    for leaf, _ in reader.leaf_readers():
        perdoc = leaf._perdoc
        for field in (TEXT_FIELD, ENGLISH_FIELD, SPELL_FIELD, "no-such-field"):
            ours, whooshs = _bulk_length_reader(perdoc, field), original_length_reader()(perdoc, field)
            numbers = range(leaf.doc_count_all() + 2)  # and two past the end
            assert [ours(n) for n in numbers] == [whooshs(n) for n in numbers]
