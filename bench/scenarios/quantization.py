"""Quantization sweep: compute types through bare faster-whisper, one process per cell.

In the spirit of the published edge studies: speed and peak memory for int8, int8_float32
and float32, and word error rate where the model is pretrained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bench.audio import ManifestEntry
from bench.floor import FloorOptions, run_in_subprocess
from bench.models import BenchModel
from bench.settings import DecodeSettings
from bench.wer import word_error_rate

COMPUTE_TYPES = ("int8", "int8_float32", "float32")


@dataclass(frozen=True, slots=True)
class QuantCell:
    """One model at one compute type."""

    model: str
    pretrained: bool
    compute_type: str
    token_cap: int | None
    files: int
    audio_s: float
    load_s: float
    decode_s: float
    peak_rss_mib: float
    wer: float | None  # None: not computed, the model is random

    @property
    def rtf(self) -> float:
        return self.decode_s / self.audio_s


def floor_options(
    model: BenchModel, compute_type: str, settings: DecodeSettings, token_cap: int
) -> FloorOptions:
    """A trained model decodes as ours would; a random one greedily, capped (it never stops)."""
    options = replace(
        FloorOptions.as_ours_calls_it(model.path, settings),
        compute_type=compute_type,
        vad_filter=False,  # commands: speech from end to end
    )
    if model.random_weights:
        return replace(options, temperatures=(0.0,), max_new_tokens=token_cap)
    return options


def measure_cell(
    model: BenchModel,
    compute_type: str,
    entries: Sequence[ManifestEntry],
    settings: DecodeSettings,
    token_cap: int,
) -> QuantCell:
    """Load ``model`` at ``compute_type`` in a fresh process and transcribe ``entries``."""
    options = floor_options(model, compute_type, settings, token_cap)
    timeout = 300.0 + 10.0 * sum(entry.duration_s for entry in entries)
    run = run_in_subprocess(options, [entry.path for entry in entries], timeout_s=timeout)
    scored = options.max_new_tokens is None
    return QuantCell(
        model=model.name,
        pretrained=model.pretrained,
        compute_type=compute_type,
        token_cap=options.max_new_tokens,
        files=len(run.files),
        audio_s=sum(decode.audio_s for decode in run.files),
        load_s=run.load_s,
        decode_s=sum(decode.decode_s for decode in run.files),
        peak_rss_mib=run.peak_rss_mib,
        wer=word_error_rate([entry.reference for entry in entries], [d.text for d in run.files])
        if scored
        else None,
    )
