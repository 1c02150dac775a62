"""What a meeting's audio comes from: a live microphone or a decoded file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol


class SourceError(Exception):
    """The source failed; the message tells a person why."""


class AudioSource(Protocol):
    """Raw 16 kHz mono s16 audio in chunks of any size, until the source ends or is closed."""

    def chunks(self) -> AsyncIterator[bytes]:
        """Ends after ``close``; raises SourceError when the source fails on its own."""
        ...

    async def close(self) -> None:
        """Stop producing audio; what is already produced still comes out of ``chunks``."""
        ...
