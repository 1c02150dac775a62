"""Incoming PCM of any common rate, width and channel count → 16 kHz mono float32."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import av
import numpy as np
import numpy.typing as npt

TARGET_RATE = 16000
Samples = npt.NDArray[np.float32]  # 16 kHz mono audio in [-1, 1]
_SAMPLE_FORMATS = {1: ("u8", np.uint8), 2: ("s16", np.int16), 4: ("s32", np.int32)}
_CHANNELS = (1, 2)
MIN_RATE, MAX_RATE = 8000, 192000


class AudioFormatError(ValueError):
    """The client described audio this server cannot take."""


@dataclass(frozen=True, slots=True)
class AudioFormat:
    rate: int
    width: int
    channels: int

    def validate(self) -> None:
        for name in ("rate", "width", "channels"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise AudioFormatError(f"Audio {name} must be a whole number, not {value!r}")
        if self.width not in _SAMPLE_FORMATS:
            raise AudioFormatError(
                f"Unsupported sample width {self.width} bytes: send 1, 2 or 4 (16-bit is best)"
            )
        if not MIN_RATE <= self.rate <= MAX_RATE:
            raise AudioFormatError(
                f"Unsupported sample rate {self.rate} Hz: send {MIN_RATE} to {MAX_RATE} Hz"
            )
        if self.channels not in _CHANNELS:
            raise AudioFormatError(f"Unsupported channel count {self.channels}: send 1 or 2")


class AudioNormalizer:
    """Mixes to mono and resamples a stream chunk by chunk, keeping the resampler's state."""

    def __init__(self, audio_format: AudioFormat) -> None:
        audio_format.validate()
        self.format = audio_format
        self._dtype = _SAMPLE_FORMATS[audio_format.width][1]
        self._resampler = av.AudioResampler(format="flt", layout="mono", rate=TARGET_RATE)
        self._remainder = b""

    def convert(self, pcm: bytes) -> Samples:
        """Whole frames of ``pcm`` as float32; a partial frame waits for the next call."""
        frame_bytes = self.format.width * self.format.channels
        data = self._remainder + pcm
        usable = len(data) - len(data) % frame_bytes
        self._remainder = data[usable:]
        if not usable:
            return np.zeros(0, dtype=np.float32)
        mono = self._to_float(np.frombuffer(data[:usable], dtype=self._dtype))
        if self.format.rate == TARGET_RATE:
            return mono
        frame = av.AudioFrame.from_ndarray(mono.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = self.format.rate
        return self._collect(self._resampler.resample(frame))

    def _to_float(self, samples: npt.NDArray[np.generic]) -> Samples:
        scaled: Samples = samples.astype(np.float32)
        if self.format.width == 1:  # unsigned 8-bit: silence is 128
            scaled = (scaled - 128.0) / 128.0
        else:
            scaled /= float(2 ** (8 * self.format.width - 1))
        # Averaging (not summing) the channels keeps full scale at full scale.
        mono: Samples = scaled.reshape(-1, self.format.channels).mean(axis=1, dtype=np.float32)
        return mono

    def flush(self) -> Samples:
        """What the resampler still holds at the end of the stream."""
        if self.format.rate == TARGET_RATE:
            return np.zeros(0, dtype=np.float32)
        return self._collect(self._resampler.resample(None))

    @staticmethod
    def _collect(frames: list[av.AudioFrame]) -> Samples:
        if not frames:
            return np.zeros(0, dtype=np.float32)
        audio = np.concatenate([f.to_ndarray().reshape(-1) for f in frames])
        return audio.astype(np.float32, copy=False)


def pcm16_to_float(pcm: bytes) -> Samples:
    samples: Samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / np.float32(32768)
    return samples


def wav_header(data_bytes: int) -> bytes:
    """The 44-byte RIFF header for ``data_bytes`` of 16 kHz mono s16 PCM that follow it."""
    data_bytes = min(data_bytes, 0xFFFFFFFF - 36)  # beyond 4 GB (37 hours) the header saturates
    byte_rate = TARGET_RATE * 2
    return b"".join(
        [
            b"RIFF",
            struct.pack("<I", 36 + data_bytes),
            b"WAVEfmt ",
            struct.pack("<IHHIIHH", 16, 1, 1, TARGET_RATE, byte_rate, 2, 16),
            b"data",
            struct.pack("<I", data_bytes),
        ]
    )
