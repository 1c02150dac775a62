"""Silero VAD, one 32 ms window at a time, for audio that is still arriving.

faster-whisper ships the Silero model (``faster_whisper/assets/silero_vad_v6.onnx``) and runs it
over whole files. The model is recurrent: its state and the last 64 samples of context carry from
one window to the next, so the same model can follow a live stream if that state is kept here.
"""

from __future__ import annotations

import numpy as np
from faster_whisper.vad import SileroVADModel, get_vad_model

from .audio_format import Samples

WINDOW = 512  # samples at 16 kHz: 32 ms
_CONTEXT = 64


class StreamingVad:
    """Speech probability for every full window of a stream."""

    def __init__(self) -> None:
        model: SileroVADModel = get_vad_model()  # loaded once: faster-whisper caches it
        self._session = model.session
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context: Samples = np.zeros(_CONTEXT, dtype=np.float32)
        self._pending: Samples = np.zeros(0, dtype=np.float32)

    def process(self, audio: Samples) -> Samples:
        """Probabilities for the windows completed by ``audio`` (a partial window waits)."""
        data = np.concatenate([self._pending, audio]) if self._pending.size else audio
        count = data.size // WINDOW
        self._pending = data[count * WINDOW :]
        if not count:
            return np.zeros(0, dtype=np.float32)
        windows = data[: count * WINDOW].reshape(count, WINDOW)
        contexts = np.concatenate([self._context[None, :], windows[:-1, -_CONTEXT:]])
        self._context = windows[-1, -_CONTEXT:].copy()
        batch = np.concatenate([contexts, windows], axis=1).astype(np.float32, copy=False)
        probs, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        return np.asarray(probs, dtype=np.float32).reshape(-1)
