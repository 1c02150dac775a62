"""Speaker labels for one meeting's segments, revised as segments are committed.

Each committed segment's audio is read back from the meeting's recording and embedded; all
embeddings so far are clustered again, so a label may change while the meeting runs (the last
clustering, when the meeting is done, is final). The work runs on its own thread at a low
priority (nice 10), never on the event loop and never in the decode queue: the decoder, and so a
voice command, always goes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..audio_format import TARGET_RATE, Samples, pcm16_to_float
from ..transcriber import TextSegment
from .clustering import cluster
from .encoder import Embedding, SpeakerEncoder

_LOGGER = logging.getLogger(__name__)
# A segment is embedded from at most this much of its audio (its middle): the voice is clear by
# then, and the cost of a long segment stays bounded.
MAX_EMBEDDED_S = 8.0
NICENESS = 10


def _lower_priority() -> None:
    """Make the speaker thread yield the CPU to the decoder (Linux schedules threads alone)."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


def speaker_label(number: int) -> str:
    """``Speaker 1`` for the first voice heard, ``Speaker 2`` for the next, …"""
    return f"Speaker {number + 1}"


@cache
def shared_encoder() -> SpeakerEncoder:
    """One encoder for the whole server (its session is safe to run from several threads)."""
    return SpeakerEncoder()


class SpeakerTurns:
    """Labels the segments of one meeting whose audio is in ``audio_path`` (16 kHz mono s16)."""

    def __init__(self, audio_path: Path, speakers_hint: int | None = None) -> None:
        self._audio_path = audio_path
        self._hint = speakers_hint
        self._embeddings: list[Embedding] = []
        self._durations: list[float] = []
        self._failed = False
        self._worker = ThreadPoolExecutor(1, "speakers", initializer=_lower_priority)

    def close(self) -> None:
        """End the worker thread (blocks until the embedding under way, if any, is done)."""
        self._worker.shutdown(wait=True, cancel_futures=True)

    async def labels(self, segments: list[TextSegment]) -> list[str] | None:
        """A label per segment (embedding those not seen yet); None if speakers cannot be told."""
        if self._failed or not segments:
            return None
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._worker, self._label, segments
            )
        except Exception:
            # Speaker turns are a bonus: the transcript goes on without them.
            meeting = self._audio_path.parent.name
            _LOGGER.exception("Speaker turns are off for meeting %s", meeting)
            self._failed = True
            return None

    def _label(self, segments: list[TextSegment]) -> list[str]:
        encoder = shared_encoder()
        with self._audio_path.open("rb") as audio:
            for segment in segments[len(self._embeddings) :]:
                samples = _read(audio, segment)
                self._embeddings.append(encoder.embed(samples))
                self._durations.append(samples.size / TARGET_RATE)
        groups = cluster(
            np.stack(self._embeddings), np.array(self._durations, np.float64), self._hint
        )
        return [speaker_label(group) for group in groups]


def _read(audio: BinaryIO, segment: TextSegment) -> Samples:
    """The middle ``MAX_EMBEDDED_S`` (at most) of a segment's audio, as float samples."""
    start, end = segment.start, max(segment.end, segment.start + 0.1)
    if end - start > MAX_EMBEDDED_S:
        middle = (start + end) / 2
        start, end = middle - MAX_EMBEDDED_S / 2, middle + MAX_EMBEDDED_S / 2
    first = int(start * TARGET_RATE)
    count = max(int(end * TARGET_RATE) - first, 1)
    audio.seek(first * 2)
    pcm = audio.read(count * 2)
    return pcm16_to_float(pcm[: len(pcm) - len(pcm) % 2] or bytes(2))
