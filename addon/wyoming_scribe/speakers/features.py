"""The speaker encoder's front end, in numpy: resemblyzer's mel frames without librosa.

16 kHz audio, 25 ms Hann windows every 10 ms (centred, zero-padded), power spectrum, 40 Slaney
mel bands (librosa's ``filters.mel`` defaults). An utterance is cut into partial utterances of
160 frames (1.6 s); the encoder embeds each and averages them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from ..audio_format import TARGET_RATE, Samples

Floats = Samples
N_FFT = TARGET_RATE * 25 // 1000  # 400 samples
HOP = TARGET_RATE * 10 // 1000  # 160 samples
N_MELS = 40
PARTIAL_FRAMES = 160
TARGET_DBFS = -30.0
_INT16_MAX = 2**15 - 1


def normalize_volume(samples: Floats) -> Floats:
    """Raise quiet audio to -30 dBFS (never lower loud audio), as resemblyzer does."""
    rms = float(np.sqrt(np.mean(np.square(samples * _INT16_MAX, dtype=np.float64))))
    if rms == 0.0:
        return samples
    change_db = TARGET_DBFS - 20 * np.log10(rms / _INT16_MAX)
    if change_db < 0:
        return samples
    return (samples * np.float32(10 ** (change_db / 20))).astype(np.float32)


def _hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Slaney's scale: linear below 1 kHz, logarithmic above."""
    step, min_log_hz = 200.0 / 3, 1000.0
    logstep = np.log(6.4) / 27.0
    linear = hz / step
    logarithmic = min_log_hz / step + np.log(np.maximum(hz, min_log_hz) / min_log_hz) / logstep
    return np.where(hz >= min_log_hz, logarithmic, linear)


def _mel_to_hz(mel: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float64]:
    step, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / step, np.log(6.4) / 27.0
    logarithmic = min_log_hz * np.exp(logstep * (mel - min_log_mel))
    return np.where(mel >= min_log_mel, logarithmic, step * mel)


@cache
def mel_filters() -> Floats:
    """(40, 201) triangular filters with Slaney area normalisation."""
    fft_hz = np.linspace(0, TARGET_RATE / 2, 1 + N_FFT // 2)
    low, high = _hz_to_mel(np.array([0.0, TARGET_RATE / 2], np.float64))
    mel_hz = _mel_to_hz(np.linspace(float(low), float(high), N_MELS + 2))
    widths = np.diff(mel_hz)
    ramps = mel_hz[:, None] - fft_hz[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_hz[2:] - mel_hz[:-2]))[:, None]
    filters: Floats = weights.astype(np.float32)
    return filters


@cache
def _window() -> Floats:
    """Periodic Hann window (scipy's ``get_window('hann', N)``)."""
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)


def mel_frames(samples: Floats) -> Floats:
    """(frames, 40) mel power frames, one every 10 ms (not logarithmic: the encoder wants power)."""
    padded = np.pad(samples, N_FFT // 2)
    count = 1 + (padded.size - N_FFT) // HOP
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:count]
    power = np.abs(np.fft.rfft(frames * _window(), axis=1)) ** 2
    return (power.astype(np.float32) @ mel_filters().T).astype(np.float32)


def partial_starts(samples: int, rate: float, min_coverage: float = 0.75) -> list[int]:
    """First frames of the 160-frame partial utterances that cover ``samples`` of audio,
    ``rate`` per second (resemblyzer's ``compute_partial_slices``)."""
    frames = int(np.ceil((samples + 1) / HOP))
    step = int(np.round(TARGET_RATE / rate / HOP))
    starts = list(range(0, max(1, frames - PARTIAL_FRAMES + step + 1), step))
    coverage = (samples - starts[-1] * HOP) / (PARTIAL_FRAMES * HOP)
    if coverage < min_coverage and len(starts) > 1:
        starts.pop()
    return starts


def partials(samples: Floats, rate: float) -> Floats:
    """(n, 160, 40): the partial utterances of one utterance, zero-padded at the end."""
    starts = partial_starts(samples.size, rate)
    needed = (starts[-1] + PARTIAL_FRAMES) * HOP
    if needed >= samples.size:
        samples = np.pad(samples, (0, needed - samples.size))
    frames = mel_frames(samples)
    return np.stack([frames[start : start + PARTIAL_FRAMES] for start in starts])
