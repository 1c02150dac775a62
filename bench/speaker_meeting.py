"""A meeting of four real voices taking turns, assembled from the shared audio, with its turn list.

LJ Speech (her clips, joined into turns), the sonnet reader and the LibriVox Austen reader (their
recordings cut at pauses) and LibriSpeech speaker 1089 (his clips) speak turns of 3-15 s in a
seeded random order, never twice in a row, 0.3-1.0 s apart (shorter than the meeting segmenter's
1.2 s pause, so a segment may hold two voices). The same mix with the shared noise at 10 dB SNR
is the noisy variant.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from faster_whisper.audio import decode_audio
from numpy.typing import NDArray

from bench.audio import SAMPLE_RATE, load_manifest
from bench.paths import AUDIO_DIR

Audio = NDArray[np.float32]
SEED = 14
TURN_S = (3.0, 15.0)
GAP_S = (0.3, 1.0)
VOICE_SECONDS = {
    "LJ": 130.0,
    "sonnets": 120.0,
}  # the two long readers; the others speak all they have


@dataclass(frozen=True, slots=True)
class Turn:
    start: float
    end: float
    speaker: str


def _clips(speaker: str) -> list[Audio]:
    entries = [
        e for e in load_manifest() if e.kind == "short" and _speaker_of(e.path.name) == speaker
    ]
    return [decode_audio(str(e.path), sampling_rate=SAMPLE_RATE) for e in entries]


def _speaker_of(name: str) -> str | None:
    if name.startswith("LJ001"):
        return "LJ"
    if name.startswith("1089-"):
        return "1089"
    if name.startswith("sense_and_sensibility"):
        return "austen"
    return None


def _joined(clips: list[Audio], limit_s: float, rng: random.Random) -> Iterator[Audio]:
    """Consecutive clips joined (0.2 s apart) into turns of 3-15 s, up to ``limit_s`` in all."""
    total = 0.0
    current: Audio = np.zeros(0, np.float32)
    for clip in clips:
        if current.size and (current.size + clip.size) / SAMPLE_RATE > TURN_S[1]:
            yield current
            total += current.size / SAMPLE_RATE
            current = np.zeros(0, np.float32)
        pause = np.zeros(int(0.2 * SAMPLE_RATE) if current.size else 0, np.float32)
        current = np.concatenate([current, pause, clip])
        if current.size / SAMPLE_RATE >= rng.uniform(*TURN_S) or total >= limit_s:
            yield current
            total += current.size / SAMPLE_RATE
            current = np.zeros(0, np.float32)
        if total >= limit_s:
            return
    if current.size:
        yield current


def _cut_at_pauses(audio: Audio, limit_s: float, rng: random.Random) -> Iterator[Audio]:
    """A long reading cut at its quietest 50 ms near a random length of 3-15 s."""
    frame = SAMPLE_RATE // 20
    energy = np.convolve(audio.astype(np.float64) ** 2, np.ones(frame), "same")
    position, total = 0, 0.0
    while total < limit_s and audio.size - position > TURN_S[0] * SAMPLE_RATE:
        wanted = rng.uniform(TURN_S[0] + 1, TURN_S[1] - 1)
        low = position + int((wanted - 1) * SAMPLE_RATE)
        high = min(position + int((wanted + 1) * SAMPLE_RATE), audio.size)
        cut = audio.size if high - low < frame else low + int(np.argmin(energy[low:high]))
        yield audio[position:cut]
        total += (cut - position) / SAMPLE_RATE
        position = cut


def _voices(rng: random.Random) -> dict[str, list[Audio]]:
    sonnets = decode_audio(str(AUDIO_DIR / "long/sonnets_I-III_concat.flac"))
    return {
        "LJ": list(_joined(_clips("LJ"), VOICE_SECONDS["LJ"], rng)),
        "sonnets": list(_cut_at_pauses(sonnets, VOICE_SECONDS["sonnets"], rng)),
        "austen": _clips("austen"),
        "1089": _clips("1089"),
    }


def assemble(seed: int = SEED) -> tuple[Audio, list[Turn]]:
    """The meeting's audio (16 kHz float) and its reference turns."""
    rng = random.Random(seed)
    voices = _voices(rng)
    parts: list[Audio] = [np.zeros(SAMPLE_RATE // 2, np.float32)]
    turns: list[Turn] = []
    position, last = SAMPLE_RATE // 2, ""
    while any(voices.values()):
        choices = [v for v, pieces in voices.items() if pieces and v != last] or [last]
        weights = [len(voices[v]) for v in choices]
        speaker = rng.choices(choices, weights)[0]
        piece = _trimmed(voices[speaker].pop(0))
        turns.append(Turn(position / SAMPLE_RATE, (position + piece.size) / SAMPLE_RATE, speaker))
        gap = np.zeros(int(rng.uniform(*GAP_S) * SAMPLE_RATE), np.float32)
        parts += [piece, gap]
        position += piece.size + gap.size
        last = speaker
    return np.concatenate(parts), turns


def _trimmed(audio: Audio) -> Audio:
    """Without leading and trailing silence (the turn list then holds speech, not pauses)."""
    loud = np.flatnonzero(np.abs(audio) > 0.02)
    return audio[loud[0] : loud[-1] + 1] if loud.size else audio


def with_noise(audio: Audio, turns: list[Turn], snr_db: float = 10.0) -> Audio:
    """The shared noise recordings, looped one after another, at ``snr_db`` below the speech."""
    noises = [decode_audio(str(p)) for p in sorted((AUDIO_DIR / "noise").iterdir())]
    noise = np.resize(np.concatenate(noises), audio.size).astype(np.float64)
    speech = np.concatenate(
        [audio[int(t.start * SAMPLE_RATE) : int(t.end * SAMPLE_RATE)] for t in turns]
    )
    speech_power = float(np.mean(speech.astype(np.float64) ** 2))
    noise *= np.sqrt(speech_power / float(np.mean(noise**2)) / 10 ** (snr_db / 10))
    return np.clip(audio + noise, -1.0, 1.0).astype(np.float32)
