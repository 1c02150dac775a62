"""The Whisper model: loads once, turns one speech segment into timed text.

Everything here is synchronous and runs on the decode worker's thread.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from faster_whisper import WhisperModel
from faster_whisper.tokenizer import _LANGUAGE_CODES
from faster_whisper.transcribe import Segment

from .audio_format import TARGET_RATE, Samples
from .model_source import ModelSource, resolve_model
from .settings import Settings

_LOGGER = logging.getLogger(__name__)


class ModelLoadError(RuntimeError):
    """The model could not be found, downloaded or read."""


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    """What one request may change about a decode."""

    language: str | None = None
    prompt: str | None = None
    hotwords: str | None = None


@dataclass(frozen=True, slots=True)
class TextSegment:
    """Text with its place in the audio, in seconds."""

    start: float
    end: float
    text: str
    speaker: str | None = None  # a meeting's speaker label ("Speaker 1"); the engine leaves it


@dataclass(frozen=True, slots=True)
class Decoded:
    segments: list[TextSegment]
    language: str | None


def fallback_temperatures(retries: int) -> list[float]:
    """Greedy first, then ``retries`` warmer attempts when faster-whisper rejects a decode."""
    return [round(min(1.0, 0.2 * step), 1) for step in range(retries + 1)]


class Transcriber:
    """One loaded faster-whisper model and the server-wide decode settings."""

    def __init__(self, settings: Settings) -> None:
        self.source: ModelSource = resolve_model(settings.model)
        self._settings = settings
        _LOGGER.info("Loading model %s (%s)", self.source.display_name, settings.compute_type)
        try:
            self._model = WhisperModel(
                self.source.load_from,
                device="cpu",
                compute_type=settings.compute_type,
                cpu_threads=settings.cpu_threads,
                download_root=str(settings.models_dir),
                local_files_only=settings.local_files_only,
            )
        except Exception as err:
            raise ModelLoadError(self._explain(err)) from err
        self._temperatures = fallback_temperatures(settings.temperature_fallback)

    def _explain(self, err: Exception) -> str:
        name, settings = self.source.display_name, self._settings
        if self.source.is_local:
            return f"Model directory {self.source.load_from} could not be loaded: {err}"
        if settings.local_files_only:
            return (
                f"Model {name} is not in {settings.models_dir} and --local-files-only "
                "forbids downloading it: download it once without that option, or give a "
                "local model directory"
            )
        return f"Model {name} could not be downloaded from Hugging Face ({err})"

    @property
    def languages(self) -> list[str]:
        if self._model.model.is_multilingual:
            return list(_LANGUAGE_CODES)
        return ["en"]

    def transcribe(self, audio: Samples, options: DecodeOptions) -> Decoded:
        """Decode 16 kHz mono float32 audio; times in the result are relative to its start."""
        settings = self._settings
        prompt = " ".join(p for p in (settings.initial_prompt, options.prompt) if p) or None
        segments, info = self._model.transcribe(
            audio,
            language=options.language or settings.language,
            beam_size=settings.beam_size,
            temperature=self._temperatures,
            initial_prompt=prompt,
            hotwords=options.hotwords,
            condition_on_previous_text=False,
            vad_filter=False,  # the segmenter already cut speech out of silence
            max_new_tokens=settings.max_tokens,
        )
        return Decoded(_inside(segments, audio.size / TARGET_RATE), info.language)


def _inside(segments: Iterable[Segment], duration: float) -> list[TextSegment]:
    """Whisper may place timestamps past the end of what it heard: keep every time inside.

    Text wholly past the end joins the text before it (or spans the audio if it is alone).
    """
    texts: list[TextSegment] = []
    for segment in segments:
        text = segment.text.strip()
        if not text:
            continue
        start, end = min(segment.start, duration), min(segment.end, duration)
        if start >= end:
            if texts:
                previous = texts.pop()
                start, text = previous.start, f"{previous.text} {text}"
            else:
                start = 0.0
        texts.append(TextSegment(round(start, 2), round(end, 2), text))
    return texts
