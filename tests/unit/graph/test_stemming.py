"""The small Porter-style English stemmer the linker matches with."""

from __future__ import annotations

import pytest

from graph.stemming import stem


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("birth", "births"), "birth"),
        (("retire", "retired", "retiring"), "retir"),
        (("pension", "pensions"), "pension"),
        (("hospital", "hospitals"), "hospital"),
        (("restaurant", "restaurants"), "restaurant"),
        (("school", "schools", "schooling"), "school"),
        (("university", "universities"), "universiti"),
        (("adopted", "adopting", "adopts"), "adopt"),
        (("employer", "employers"), "employer"),
        (("caresses",), "caress"),
        (("ponies",), "poni"),
        (("hopping",), "hop"),
    ],
)
def test_inflections_share_a_stem(words: tuple[str, ...], expected: str) -> None:
    assert {stem(word) for word in words} == {expected}


def test_short_or_non_alphabetic_words_are_left_alone() -> None:
    assert [stem(w) for w in ("is", "as", "2021", "covid19", "école")] == ["is", "as", "2021", "covid19", "école"]


def test_derived_words_stay_apart() -> None:
    """Only inflections are stripped: an employer is not employment, a retirement is not a retiree."""
    assert stem("employer") != stem("employment")
    assert stem("retirement") != stem("retired")
    assert stem("marriage") != stem("mortgage") and stem("birth") != stem("berth")
