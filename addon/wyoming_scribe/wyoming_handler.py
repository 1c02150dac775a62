"""The Wyoming door: one connection, any number of utterances, every fault answered.

Per utterance: ``transcribe``? ``audio-start`` ``audio-chunk``… ``audio-stop`` →
``transcript-start``, ``transcript-chunk`` per committed segment (often before ``audio-stop``),
``transcript`` and ``transcript-stop``.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from wyoming.asr import Transcribe, Transcript, TranscriptChunk, TranscriptStart, TranscriptStop
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event, async_write_event
from wyoming.info import Describe

from .audio_format import AudioFormat, AudioFormatError, AudioNormalizer
from .decode_queue import Priority
from .engine import Engine, ModelUnavailableError, TranscriptionStream
from .segmenter import VOICE
from .transcriber import DecodeOptions
from .wyoming_info import describe
from .wyoming_protocol import BrokenStreamError, MalformedEventError, read_event

_LOGGER = logging.getLogger(__name__)


def decode_options(request: Transcribe | None) -> DecodeOptions:
    """Language and biasing words from a ``transcribe`` request (wyoming 1.10 names/terms)."""
    if request is None:
        return DecodeOptions()
    words = [*(request.transcript_names or []), *(request.transcript_terms or [])]
    words = [w.strip() for w in words if isinstance(w, str) and w.strip()]
    return DecodeOptions(language=request.language or None, hotwords=", ".join(words) or None)


class Utterance:
    """Audio of one ``audio-start``…``audio-stop``, turned into transcript events."""

    def __init__(self, session: WyomingSession, stream: TranscriptionStream) -> None:
        self._session = session
        self.stream = stream
        self._normalizer: AudioNormalizer | None = None
        self.over_limit = False
        self._emitter = asyncio.create_task(self._emit(), name="wyoming-emit")

    async def add_chunk(self, chunk: AudioChunk) -> None:
        chunk_format = AudioFormat(chunk.rate, chunk.width, chunk.channels)
        if self._normalizer is None or self._normalizer.format != chunk_format:
            self._normalizer = AudioNormalizer(chunk_format)
        await self.stream.add_audio(self._normalizer.convert(chunk.audio))

    async def stop(self) -> None:
        if self._normalizer is not None:
            await self.stream.add_audio(self._normalizer.flush())
        await self.stream.finish()
        await self._emitter

    def cancel(self) -> None:
        self.stream.cancel()
        self._emitter.cancel()

    async def _emit(self) -> None:
        texts: list[str] = []
        try:
            async for segment in self.stream.results():
                texts.append(segment.text)
                await self._session.write(TranscriptChunk(text=segment.text).event())
        except ModelUnavailableError as err:
            await self._session.error(str(err), "model-unavailable")
            return
        except Exception as err:
            _LOGGER.exception("Decoding failed")
            await self._session.error(f"Transcription failed: {err}", "transcription-failed")
            return
        text = " ".join(texts)
        _LOGGER.info("Transcript (%.1f s of audio): %s", self.stream.duration_s, text)
        language = self.stream.language
        await self._session.write(Transcript(text=text, language=language).event())
        await self._session.write(TranscriptStop().event())


class WyomingSession:
    """Reads events from one client and answers them."""

    def __init__(
        self, engine: Engine, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._engine = engine
        self._reader = reader
        self._writer = writer
        self._request: Transcribe | None = None
        self._utterance: Utterance | None = None
        self._ignoring_audio = False
        self._write_lock = asyncio.Lock()
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "client"

    async def run(self) -> None:
        try:
            await self._serve()
        except (ConnectionError, asyncio.CancelledError):
            _LOGGER.debug("Connection from %s ended", self.peer)
        except Exception:
            _LOGGER.exception("Unexpected failure serving %s", self.peer)
        finally:
            if self._utterance is not None:
                self._utterance.cancel()
            self._writer.close()
            with suppress(ConnectionError):
                await self._writer.wait_closed()

    async def write(self, event: Event) -> None:
        async with self._write_lock:
            await async_write_event(event, self._writer)

    async def error(self, text: str, code: str) -> None:
        _LOGGER.warning("%s: %s", self.peer, text)
        await self.write(Error(text=text, code=code).event())

    async def _serve(self) -> None:
        while True:
            try:
                event = await read_event(self._reader)
            except MalformedEventError as err:
                await self.error(str(err), "malformed-event")
                continue
            except BrokenStreamError as err:
                await self.error(f"{err}; closing the connection", "broken-stream")
                return
            if event is None:
                return
            await self._handle(event)

    async def _handle(self, event: Event) -> None:
        try:
            await self._dispatch(event)
        except (KeyError, TypeError, ValueError) as err:
            # A known event type whose fields are missing or of the wrong type.
            await self.error(f"Invalid {event.type} event: {err!r}", "invalid-event")

    async def _dispatch(self, event: Event) -> None:
        if Describe.is_type(event.type):
            await self.write((await describe(self._engine)).event())
        elif Transcribe.is_type(event.type):
            self._request = Transcribe.from_event(event)
        elif AudioStart.is_type(event.type):
            await self._start(AudioStart.from_event(event))
        elif AudioChunk.is_type(event.type):
            await self._chunk(AudioChunk.from_event(event))
        elif AudioStop.is_type(event.type):
            await self._stop()
        else:
            _LOGGER.debug("Ignoring %s event from %s", event.type, self.peer)

    async def _start(self, start: AudioStart) -> None:
        if self._utterance is not None:
            await self.error("audio-start inside an utterance; starting over", "unexpected-event")
            self._utterance.cancel()
            self._utterance = None
        self._ignoring_audio = True
        try:
            AudioFormat(start.rate, start.width, start.channels).validate()
            await self._engine.transcriber()
        except AudioFormatError as err:
            await self.error(str(err), "unsupported-audio")
            return
        except ModelUnavailableError as err:
            await self.error(str(err), "model-unavailable")
            return
        options = decode_options(self._request)
        self._request = None
        stream = self._engine.open_stream(Priority.VOICE, VOICE, options)
        self._ignoring_audio = False
        await self.write(TranscriptStart(language=options.language).event())
        self._utterance = Utterance(self, stream)

    async def _chunk(self, chunk: AudioChunk) -> None:
        utterance = self._utterance
        if utterance is None:
            if not self._ignoring_audio:
                self._ignoring_audio = True
                await self.error("audio-chunk before audio-start; ignoring audio", "no-audio-start")
            return
        if utterance.over_limit:
            return
        limit = self._engine.settings.max_utterance_s
        try:
            await utterance.add_chunk(chunk)
        except AudioFormatError as err:
            await self.error(str(err), "unsupported-audio")
            return
        if utterance.stream.duration_s > limit:
            utterance.over_limit = True
            await self.error(
                f"Utterance longer than {limit:g} s: the rest is ignored, "
                f"the transcript covers the first {limit:g} s",
                "audio-too-long",
            )

    async def _stop(self) -> None:
        utterance, self._utterance = self._utterance, None
        self._ignoring_audio = False
        if utterance is not None:
            await utterance.stop()
