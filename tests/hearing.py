"""Assertions on what the server heard: words, normalised by the project's one normaliser.

Transcripts are compared after `bench.wer.normalize` (lower case, no punctuation, numbers as
words on both sides), within a WER bound or by key words: int8 kernels differ a little between
CPUs, and the decoder's defaults may change, so exact strings would test the machine.
"""

from __future__ import annotations

from pathlib import Path

from bench.wer import normalize, wer
from tests.assets import reference


def assert_heard(hypothesis: str, said: str | Path, max_wer: float) -> float:
    """``hypothesis`` is within ``max_wer`` of what was said (a text, or a file's reference)."""
    text = reference(said) if isinstance(said, Path) else said
    score = wer(text, hypothesis)
    assert score <= max_wer, (
        f"WER {score:.0%} > {max_wer:.0%}\n  said:  {normalize(text)!r}\n"
        f"  heard: {normalize(hypothesis)!r}"
    )
    return score


def assert_has_words(hypothesis: str, *words: str) -> None:
    """Every one of ``words`` (normalised) is in the normalised ``hypothesis``."""
    heard = set(normalize(hypothesis).split())
    missing = [word for word in words if not set(normalize(word).split()) <= heard]
    assert not missing, f"{missing} not heard in {normalize(hypothesis)!r}"
