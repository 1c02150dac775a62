"""Meetings of several real voices, assembled from the shared recordings, with their turn list."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np
from faster_whisper.audio import decode_audio

from tests.assets import AUDIO

RATE = 16000


@dataclass(frozen=True, slots=True)
class Turn:
    voice: str
    start: float
    end: float


def assemble(turns: list[tuple[str, list[str]]], gap_s: float = 1.5) -> tuple[bytes, list[Turn]]:
    """A 16 kHz WAV file of each ``(voice, recordings)`` turn in order, ``gap_s`` apart, and
    where each turn is in it."""
    parts, placed, position = [np.zeros(RATE // 2, np.float32)], [], RATE // 2
    gap = np.zeros(int(gap_s * RATE), np.float32)
    for voice, paths in turns:
        speech = np.concatenate([decode_audio(str(AUDIO / path)) for path in paths])
        placed.append(Turn(voice, position / RATE, (position + speech.size) / RATE))
        parts += [speech, gap]
        position += speech.size + gap.size
    pcm = (np.clip(np.concatenate(parts), -1, 1) * 32767).astype("<i2").tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm)
    return buffer.getvalue(), placed
