"""Snippets of long texts: only a stretch around the first plain occurrence is analysed, with the same marks."""

from __future__ import annotations

from navigator.search.highlight import highlight


def test_a_long_text_is_marked_around_its_first_match() -> None:
    text = "本办法适用于全省范围内的行政许可事项。" * 200 + "申请人应当提交出生證明原件。" + "其他规定从其规定。" * 200
    snippet, matched = highlight(text, frozenset({"出生证明"}), stem=False, size=160)
    assert matched and "<mark>出生證明</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…") and len(snippet) < 160 + 40


def test_a_stem_that_is_not_a_prefix_falls_back_to_the_whole_text() -> None:
    text = "Lorem ipsum dolor sit amet. " * 100 + "Families are happy with faster services."
    snippet, matched = highlight(text, frozenset({"happi"}), stem=True, size=120)  # Porter: happy → happi
    assert matched and "<mark>happy</mark>" in snippet


def test_short_texts_and_misses_are_unchanged() -> None:
    assert highlight("Birth <certificate>", frozenset({"birth"}), stem=True, size=160) == (
        "<mark>Birth</mark> &lt;certificate&gt;", True
    )
    long = "word " * 400
    snippet, matched = highlight(long, frozenset({"absent"}), stem=True, size=100)
    assert not matched and snippet.endswith("…") and "<mark>" not in snippet
