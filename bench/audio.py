"""Test audio: the shared manifest, decoding to 16 kHz mono s16, and long meeting cuts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from faster_whisper.audio import decode_audio
from numpy.typing import NDArray

from bench.paths import MANIFEST

SAMPLE_RATE = 16_000
SAMPLE_WIDTH = 2  # bytes: signed 16-bit little-endian, mono
BYTES_PER_SECOND = SAMPLE_RATE * SAMPLE_WIDTH


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One file of the shared audio manifest."""

    path: Path
    kind: str
    reference: str
    duration_s: float

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass(frozen=True, slots=True)
class Clip:
    """A manifest entry decoded to the format a satellite streams: 16 kHz mono s16."""

    entry: ManifestEntry
    pcm: bytes

    @property
    def duration_s(self) -> float:
        return pcm_seconds(self.pcm)


def pcm_seconds(pcm: bytes) -> float:
    """Duration of 16 kHz mono s16 audio."""
    return len(pcm) / BYTES_PER_SECOND


def load_manifest(manifest: Path = MANIFEST) -> list[ManifestEntry]:
    """Every entry of a manifest (JSON lines with path, kind, text; paths relative to it)."""
    entries = []
    with manifest.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            entries.append(
                ManifestEntry(
                    path=manifest.parent / row["path"],
                    kind=row.get("kind", ""),
                    # FLEURS and LJ Speech carry a normalised reference next to the raw one.
                    reference=row.get("text_normalized") or row.get("text", ""),
                    duration_s=float(row.get("duration_s", 0.0)),
                )
            )
    return entries


def entries_of_kind(kinds: Sequence[str], manifest: Path = MANIFEST) -> list[ManifestEntry]:
    """The manifest's entries of the given kinds, kind by kind, in manifest order within each."""
    entries = load_manifest(manifest)
    return [entry for kind in kinds for entry in entries if entry.kind == kind]


def decode_pcm(path: Path) -> bytes:
    """Any file the decoder reads, as 16 kHz mono s16 bytes."""
    samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    return float_to_s16(samples)


def float_to_s16(samples: NDArray[np.float32]) -> bytes:
    """Float samples in [-1, 1] as s16 little-endian bytes."""
    clipped = np.clip(samples, -1.0, 1.0)
    return (clipped * 32767.0).astype("<i2").tobytes()


def load_clips(entries: Sequence[ManifestEntry]) -> list[Clip]:
    """Decode every entry."""
    return [Clip(entry=entry, pcm=decode_pcm(entry.path)) for entry in entries]


def silence(seconds: float) -> bytes:
    """Digital silence of the given length."""
    return bytes(round(seconds * SAMPLE_RATE) * SAMPLE_WIDTH)


def meeting_cut(sources: Sequence[bytes], seconds: float) -> bytes:
    """The sources played one after another, looped as needed, cut to ``seconds``."""
    if not sources or not any(sources):
        raise ValueError("meeting_cut needs at least one non-empty source")
    wanted = round(seconds * SAMPLE_RATE) * SAMPLE_WIDTH
    parts: list[bytes] = []
    have = 0
    while have < wanted:
        for pcm in sources:
            parts.append(pcm)
            have += len(pcm)
            if have >= wanted:
                break
    return b"".join(parts)[:wanted]


def long_files() -> list[ManifestEntry]:
    """The shared long recordings (the meeting material), in manifest order."""
    return entries_of_kind(["long"])


def pcm_to_float(pcm: bytes) -> NDArray[np.float32]:
    """16 kHz mono s16 bytes as float samples in [-1, 1]."""
    return (np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32767.0).astype(np.float32)


_FRAME = SAMPLE_RATE // 50  # 20 ms
_ACTIVE_DB = 40.0


def speech_level(samples: NDArray[np.float32]) -> float:
    """RMS over the 20 ms frames within 40 dB of the loudest: the pauses do not count."""
    usable = len(samples) - len(samples) % _FRAME
    frames = samples[:usable].reshape(-1, _FRAME) if usable else samples.reshape(1, -1)
    energy = np.mean(frames.astype(np.float64) ** 2, axis=1)
    active = energy[energy >= energy.max() * 10 ** (-_ACTIVE_DB / 10)]
    return float(np.sqrt(np.mean(active))) if active.size else 0.0


def mix_noise(speech: bytes, noise: bytes, snr_db: float) -> bytes:
    """``noise`` (looped from its start) under ``speech`` at ``snr_db``; same input, same bytes.

    The SNR is the speech level (``speech_level``) over the noise's RMS. A mix that would clip
    is scaled down as a whole.
    """
    voice = pcm_to_float(speech)
    if not voice.size:
        return speech
    raw = pcm_to_float(noise)
    if not raw.size or not np.any(raw):
        raise ValueError("mix_noise needs a noise recording that is not silent")
    bed = np.resize(raw, voice.shape).astype(np.float64)
    gain = speech_level(voice) / (float(np.sqrt(np.mean(bed**2))) * 10 ** (snr_db / 20))
    mixed = voice + gain * bed
    peak = float(np.max(np.abs(mixed)))
    if peak > 1.0:
        mixed /= peak
    return float_to_s16(mixed.astype(np.float32))
