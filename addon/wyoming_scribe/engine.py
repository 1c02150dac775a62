"""The one decode path: audio → segmenter → decode queue → committed text, in order.

Every door (a Wyoming utterance, a live meeting, an uploaded file) opens a
``TranscriptionStream`` here and feeds it 16 kHz mono float32 audio.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import numpy as np

from .audio_format import TARGET_RATE, Samples
from .decode_queue import DecodeQueue, Priority
from .segmenter import SegmenterConfig, SpeechSegment, SpeechSegmenter
from .settings import Settings
from .transcriber import Decoded, DecodeOptions, ModelLoadError, TextSegment, Transcriber

_LOGGER = logging.getLogger(__name__)
_RELOAD_AFTER_S = 30.0
LANGUAGE_WITNESS_S = 8.0
PROMPT_WORDS = 100  # Whisper keeps at most 223 prompt tokens


class ModelUnavailableError(RuntimeError):
    """The model is not loaded and could not be."""


class Engine:
    """Owns the model and the decode queue; hands out transcription streams."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.queue = DecodeQueue()
        self._transcriber: Transcriber | None = None
        self._load_error: str | None = None
        self._loading: asyncio.Task[None] | None = None
        self._last_attempt = 0.0

    @property
    def status(self) -> str:
        if self._transcriber is not None:
            return "ok"
        return "error" if self._load_error else "loading"

    @property
    def load_error(self) -> str | None:
        return self._load_error

    async def start(self) -> None:
        self.queue.start()
        self._begin_loading()

    async def stop(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
        await self.queue.stop()

    async def transcriber(self) -> Transcriber:
        """The loaded model; waits for a load in progress, retries a failed one now and then."""
        retry_due = time.monotonic() - self._last_attempt >= _RELOAD_AFTER_S
        if self._transcriber is None and self._loading is None and retry_due:
            self._begin_loading()
        if self._loading is not None:
            await asyncio.shield(self._loading)
        if self._transcriber is None:
            raise ModelUnavailableError(f"The speech model is not available: {self._load_error}")
        return self._transcriber

    def open_stream(
        self, priority: Priority, segmenter: SegmenterConfig, options: DecodeOptions
    ) -> TranscriptionStream:
        return TranscriptionStream(self, priority, segmenter, options)

    def _begin_loading(self) -> None:
        self._last_attempt = time.monotonic()
        self._loading = asyncio.create_task(self._load(), name="load-model")

    def _load_and_warm_up(self) -> Transcriber:
        transcriber = Transcriber(self.settings)
        # The first decode pays for allocations; pay it now, not in the first user's answer.
        one_second = np.zeros(TARGET_RATE, dtype=np.float32)
        transcriber.transcribe(one_second, DecodeOptions(language="en"))
        return transcriber

    async def _load(self) -> None:
        try:
            transcriber = await self.queue.run_on_worker(self._load_and_warm_up)
        except ModelLoadError as err:
            self._load_error = str(err)
            _LOGGER.error("%s", err)  # noqa: TRY400 - the message says it all
        except Exception as err:
            self._load_error = f"{type(err).__name__}: {err}"
            _LOGGER.exception("Could not load model %s", self.settings.model)
        else:
            self._transcriber, self._load_error = transcriber, None
            _LOGGER.info("Model %s ready", transcriber.source.display_name)
        finally:
            self._loading = None


class TranscriptionStream:
    """Audio in; committed segments out, in order, each as soon as it is decoded.

    Speech segments are queued for decoding the moment the segmenter closes them, so while
    audio still arrives the earlier segments are already being turned into text.
    """

    def __init__(
        self,
        engine: Engine,
        priority: Priority,
        segmenter: SegmenterConfig,
        options: DecodeOptions,
    ) -> None:
        self._engine = engine
        self._priority = priority
        self._segmenter = SpeechSegmenter(segmenter)
        self._options = options
        # Each committed segment's start (s) and its decode, in order; None ends the stream.
        self._pending: asyncio.Queue[tuple[float, asyncio.Future[Decoded]] | None] = asyncio.Queue()
        self._tentative: tuple[tuple[int, int], asyncio.Future[Decoded]] | None = None
        # Decodes of the committed segments so far: their text primes the next decode.
        self._committed: list[asyncio.Future[Decoded]] = []
        self._finished = False
        self.samples = 0
        self._language = options.language  # given, or settled by a long enough segment
        self._witness: tuple[float, str | None] = (0.0, None)  # longest segment heard, its language

    @property
    def language(self) -> str | None:
        """The language given, else the one heard in the longest segment so far."""
        return self._language or self._witness[1]

    @property
    def duration_s(self) -> float:
        return self.samples / TARGET_RATE

    async def add_audio(self, audio: Samples) -> None:
        """Feed 16 kHz mono float32 audio; may wait while the decode queue is full."""
        self.samples += audio.size
        for segment in self._segmenter.feed(audio):
            await self._accept(segment)

    async def finish(self) -> None:
        """No more audio: the segment still open is decoded, then ``results`` ends."""
        if self._finished:
            return
        self._finished = True
        try:
            for segment in self._segmenter.flush():
                await self._accept(segment)
        finally:
            self._drop_tentative()
            self._pending.put_nowait(None)

    def cancel(self) -> None:
        """Drop what is still queued (the client went away)."""
        self._finished = True
        self._drop_tentative()
        while not self._pending.empty():
            if (pending := self._pending.get_nowait()) is not None:
                pending[1].cancel()
        self._pending.put_nowait(None)

    async def results(self) -> AsyncIterator[TextSegment]:
        """Committed segments with times from the start of the stream, until ``finish``."""
        while (pending := await self._pending.get()) is not None:
            offset, future = pending
            decoded = await future
            for segment in decoded.segments:
                yield TextSegment(
                    round(segment.start + offset, 2), round(segment.end + offset, 2), segment.text
                )

    async def _accept(self, segment: SpeechSegment) -> None:
        """Queue a segment; a final one reuses the tentative decode of the same audio."""
        key = (segment.start, segment.audio.size)
        if not segment.final:
            self._drop_tentative()
            self._tentative = (key, await self._decode(segment))
            return
        if self._tentative is not None and self._tentative[0] == key:
            future = self._tentative[1]
            self._tentative = None
        else:
            self._drop_tentative()
            future = await self._decode(segment)
        self._committed.append(future)
        self._pending.put_nowait((segment.start_s, future))

    def _drop_tentative(self) -> None:
        if self._tentative is not None:
            self._tentative[1].cancel()  # skipped if still queued; its result unused if not
            self._tentative = None

    async def _decode(self, segment: SpeechSegment) -> asyncio.Future[Decoded]:
        transcriber = await self._engine.transcriber()
        earlier = list(self._committed)

        def decode() -> Decoded:
            # The queue decodes a stream's segments in order: the earlier ones are done.
            options = replace(self._options, language=self._language, prompt=_context(earlier))
            decoded = transcriber.transcribe(segment.audio, options)
            self._heard(segment, decoded.language)
            return decoded

        return await self._engine.queue.submit(self._priority, decode)

    def _heard(self, segment: SpeechSegment, language: str | None) -> None:
        """A short segment is a poor witness of the language: later segments detect it again
        until one of LANGUAGE_WITNESS_S or more has been heard."""
        if self._language is not None:
            return
        duration = segment.end_s - segment.start_s
        if duration > self._witness[0]:
            self._witness = (duration, language)
        if duration >= LANGUAGE_WITNESS_S:
            self._language = language


def _context(decodes: list[asyncio.Future[Decoded]], words: int = PROMPT_WORDS) -> str | None:
    """The last words committed before a segment, to carry its sense (names, style) on."""
    texts: list[str] = []
    for future in reversed(decodes):
        if future.cancelled() or not future.done() or future.exception() is not None:
            continue
        texts[:0] = [segment.text for segment in future.result().segments]
        if sum(len(text.split()) for text in texts) >= words:
            break
    tail = " ".join(" ".join(texts).split()[-words:])
    return tail or None
