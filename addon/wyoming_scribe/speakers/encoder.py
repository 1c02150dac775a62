"""The GE2E speaker encoder (resemblyzer's pretrained weights) on ONNX Runtime.

Three LSTM layers of 256 over 40 mel bands, a linear layer and a ReLU: the last hidden state of
a 1.6 s partial utterance becomes a 256-dimensional embedding; an utterance's embedding is the
L2-normalised mean of its partials'. The weights come from the ``resemblyzer`` wheel on PyPI
(Apache-2.0), converted once by ``script/convert-speaker-model``: torch is never needed here.
ONNX Runtime is already in the image for faster-whisper's VAD.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime

from ..audio_format import Samples
from .features import normalize_volume, partials

Embedding = npt.NDArray[np.float32]
MODEL = Path(__file__).with_name("ge2e_resemblyzer.onnx")
# resemblyzer's default: a partial utterance every 0.77 s (neighbours overlap by half)
PARTIALS_PER_S = 1.3


class SpeakerEncoder:
    """Audio of one speaker → a unit vector; the same voice gives nearby vectors."""

    def __init__(self, model: Path = MODEL, threads: int = 1) -> None:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.enable_cpu_mem_arena = False
        options.enable_mem_pattern = False
        self._session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )

    def embed_partials(self, mels: Samples) -> Samples:
        """(n, 160, 40) mel frames → (n, 256) unit embeddings."""
        (raw,) = self._session.run(["embeddings"], {"mels": mels})
        return _unit_rows(np.asarray(raw, np.float32))

    def embed(self, samples: Samples, rate: float = PARTIALS_PER_S) -> Embedding:
        """The embedding of one utterance (16 kHz float32): its partials averaged."""
        partial = self.embed_partials(partials(normalize_volume(samples), rate))
        embedding: Embedding = _unit_rows(partial.mean(axis=0, keepdims=True))[0]
        return embedding


def _unit_rows(rows: Samples) -> Samples:
    norms = np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    unit: Samples = (rows / norms).astype(np.float32)
    return unit
