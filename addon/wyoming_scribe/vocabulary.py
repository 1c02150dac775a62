"""The team's own words: names, the title and a glossary that bias a meeting's decode.

They go to Whisper as ``hotwords`` (the decode's ``prompt`` carries the text said before), so
"Siobhan Nguyen from Zyxel" is written as such rather than as it sounds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MAX_TERMS = 100
MAX_TERM_CHARS = 100
# Whisper reads at most 223 tokens of hotwords; about three characters make a token.
MAX_HOTWORDS_CHARS = 600


class VocabularyError(ValueError):
    """A glossary that is not a list of short words or phrases."""


def parse_vocabulary(value: Any) -> list[str]:
    """``["Zyxel", "OKR"]``, or one string of terms split at commas, semicolons or new lines."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = re.split(r"[,;\n]", value)
    if not isinstance(value, list) or not all(isinstance(term, str) for term in value):
        raise VocabularyError("vocabulary must be a list of words or phrases")
    terms = [" ".join(term.split()) for term in value]
    terms = [term for term in terms if term]
    if len(terms) > MAX_TERMS:
        raise VocabularyError(f"vocabulary has more than {MAX_TERMS} terms")
    if too_long := next((term for term in terms if len(term) > MAX_TERM_CHARS), None):
        raise VocabularyError(
            f"vocabulary term longer than {MAX_TERM_CHARS} characters: {too_long!r}"
        )
    return terms


def hotwords(names: Iterable[str], vocabulary: Iterable[str], title: str | None) -> str | None:
    """The words to bias the decode with: names first, then the glossary, then the title."""
    terms: list[str] = []
    seen: set[str] = set()
    for term in [*names, *vocabulary, title or ""]:
        key = term.casefold()
        if term and key not in seen:
            seen.add(key)
            terms.append(term)
    text = ", ".join(terms)
    if len(text) > MAX_HOTWORDS_CHARS:
        text = text[:MAX_HOTWORDS_CHARS].rsplit(",", 1)[0]
    return text or None
