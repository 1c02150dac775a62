"""Word error rate after the normalisation the shared assets ask for.

The project's one text normaliser: the tests (tests/hearing.py) and the benchmarks score with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import jiwer

# fmt: off
_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# fmt: on
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"))


def number_words(number: int) -> str:
    """An integer spelled out in English words ("42" -> "forty two")."""
    if number >= 1000 * _SCALES[0][0]:
        return " ".join(_ONES[int(digit)] for digit in str(number))
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    for scale, name in _SCALES:
        if number >= scale:
            head, rest = divmod(number, scale)
            return f"{number_words(head)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError(number)


def spoken_number(number: int) -> str:
    """A number as people say it: years and hundreds in pairs ("1813" -> "eighteen thirteen",
    "1500" -> "fifteen hundred"), anything else spelled out by `number_words`."""
    if 1100 <= number <= 1999:
        head, tail = divmod(number, 100)
        if tail == 0:
            return f"{number_words(head)} hundred"
        return f"{number_words(head)} {'oh ' if tail < 10 else ''}{number_words(tail)}"
    return number_words(number)


def normalize(text: str) -> str:
    """Lower case, numbers as words, no punctuation, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,000 -> 1000
    text = text.replace("%", " percent ")
    text = re.sub(r"\d+", lambda match: f" {spoken_number(int(match.group()))} ", text)
    text = text.replace("-", " ")
    text = re.sub(r"[^\w\s']|_", " ", text)
    text = re.sub(r"'(?!\w)|(?<!\w)'", " ", text)  # quotes, not apostrophes inside words
    return " ".join(text.split())


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of one hypothesis against its reference, both normalised.

    An empty (normalised) reference scores 0.0 against an empty hypothesis and 1.0 otherwise.
    """
    reference, hypothesis = normalize(reference), normalize(hypothesis)
    if not reference:
        return 0.0 if not hypothesis else 1.0
    return float(jiwer.wer(reference, hypothesis))


def word_error_rate(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Corpus WER over normalised pairs; empty normalised references are skipped."""
    pairs = [
        (normalize(reference), normalize(hypothesis))
        for reference, hypothesis in zip(references, hypotheses, strict=True)
    ]
    kept = [(reference, hypothesis) for reference, hypothesis in pairs if reference]
    if not kept:
        return float("nan")
    return float(jiwer.wer([ref for ref, _ in kept], [hyp for _, hyp in kept]))
