"""What a stream carries from one segment to the next: the words before it, the language."""

from __future__ import annotations

import asyncio

from wyoming_scribe.engine import PROMPT_WORDS, _context
from wyoming_scribe.transcriber import Decoded, TextSegment


def _decoded(*texts: str) -> asyncio.Future[Decoded]:
    future: asyncio.Future[Decoded] = asyncio.get_running_loop().create_future()
    segments = [TextSegment(float(i), float(i + 1), text) for i, text in enumerate(texts)]
    future.set_result(Decoded(segments, "en"))
    return future


async def test_the_words_committed_before_prime_the_next_decode() -> None:
    earlier = [_decoded("Mister Schoeffer opened", "the meeting."), _decoded("He thanked Ada.")]
    assert _context(earlier) == "Mister Schoeffer opened the meeting. He thanked Ada."


async def test_the_prompt_keeps_only_the_last_words() -> None:
    words = [f"w{i}" for i in range(PROMPT_WORDS + 50)]
    earlier = [_decoded(" ".join(words[:60])), _decoded(" ".join(words[60:]))]
    prompt = _context(earlier)
    assert prompt is not None
    assert prompt.split() == words[-PROMPT_WORDS:]


async def test_dropped_and_failed_decodes_prime_nothing() -> None:
    loop = asyncio.get_running_loop()
    cancelled: asyncio.Future[Decoded] = loop.create_future()
    cancelled.cancel()
    failed: asyncio.Future[Decoded] = loop.create_future()
    failed.set_exception(RuntimeError("decode failed"))
    assert _context([]) is None
    assert _context([cancelled, failed]) is None
    assert _context([_decoded("Hello."), cancelled, failed]) == "Hello."
