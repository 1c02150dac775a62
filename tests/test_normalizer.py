"""The one text normaliser (bench/wer.py) that the tests and the benchmarks score with."""

from __future__ import annotations

import pytest

from bench.wer import normalize, wer


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("Set a timer for thirty seconds", "Set a timer for 30 seconds."),
        ("set bed light brightness to fifty percent", "Set bed light brightness to 50%."),
        ("IN EIGHTEEN THIRTEEN", "In 1813,"),
        ("one thousand people", "1,000 people"),
        ("what's the weather like in new york", "What's the weather like in New York?"),
        ("a well known state of the art tool", "A well-known, state-of-the-art tool!"),
    ],
)
def test_what_was_said_and_what_was_written_normalise_alike(said: str, written: str) -> None:
    assert normalize(said) == normalize(written)
    assert wer(said, written) == 0.0


def test_wer_counts_words_after_normalising() -> None:
    assert wer("turn on the light", "Turn off the light.") == 0.25
    assert wer("", "") == 0.0
    assert wer("", "Thank you.") == 1.0  # words out of nothing
    assert wer("next", "") == 1.0
