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
from .decode_queue import Priority, QueueFullError, VoiceClient
from .engine import Engine, ModelUnavailableError, TranscriptionStream
from .segmenter import VOICE
from .transcriber import DecodeOptions
from .wyoming_info import describe
from .wyoming_protocol import BrokenStreamError, MalformedEventError, read_event

_LOGGER = logging.getLogger(__name__)
CLOSE_TIMEOUT_S = 1.0  # for the client to take what is still unsent before the socket is cut


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
        self.received_s = 0.0
        self.over_limit = False
        self._emitter = asyncio.create_task(self._emit(), name="wyoming-emit")

    async def add_chunk(self, chunk: AudioChunk, limit_s: float) -> bool:
        """Take the chunk's audio up to ``limit_s`` in all; False when some did not fit."""
        chunk_format = AudioFormat(chunk.rate, chunk.width, chunk.channels)
        if self._normalizer is None or self._normalizer.format != chunk_format:
            self._normalizer = AudioNormalizer(chunk_format)
        frame_bytes = chunk.width * chunk.channels
        room = max(0, int((limit_s - self.received_s) * chunk.rate)) * frame_bytes
        audio = chunk.audio[:room]  # checked before any of it is converted or kept
        self.received_s += len(audio) / (frame_bytes * chunk.rate)
        await self.stream.add_audio(self._normalizer.convert(audio))
        return len(audio) == len(chunk.audio)

    async def stop(self) -> None:
        try:
            if self._normalizer is not None:
                await self.stream.add_audio(self._normalizer.flush())
            await self.stream.finish()
        except QueueFullError as err:  # the last segment did not fit; the stream has ended
            await self._session.error(str(err), "queue-full")
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
        self._voice = VoiceClient()  # this connection's share of the decode queue
        self._idle_s = engine.settings.idle_timeout_s
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "client"

    async def run(self) -> None:
        try:
            await self._serve()
        except ConnectionError:
            _LOGGER.debug("Connection from %s ended", self.peer)
        except asyncio.CancelledError:  # the server is stopping
            self._drop_utterance()
            with suppress(ConnectionError):
                await self.error("The server is stopping", "server-stopping")
        except Exception:
            _LOGGER.exception("Unexpected failure serving %s", self.peer)
        finally:
            self._drop_utterance()
            await self._close()

    async def refuse(self, text: str, code: str) -> None:
        """Answer a connection the server cannot serve, and close it."""
        with suppress(ConnectionError):
            await self.error(text, code)
        await self._close()

    async def write(self, event: Event) -> None:
        """Raises ConnectionError when the client does not take it within the idle timeout."""
        async with self._write_lock:
            try:
                async with asyncio.timeout(self._idle_s):
                    await async_write_event(event, self._writer)
            except TimeoutError:
                raise ConnectionResetError(
                    f"{self.peer} read nothing for {self._idle_s:g} s (--idle-timeout-seconds)"
                ) from None

    async def _close(self) -> None:
        self._writer.close()
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await self._writer.wait_closed()
        except TimeoutError:
            self._writer.transport.abort()  # the client does not read what is still unsent
        except ConnectionError:
            pass

    def _drop_utterance(self) -> None:
        if self._utterance is not None:
            self._utterance.cancel()
            self._utterance = None

    async def error(self, text: str, code: str) -> None:
        _LOGGER.warning("%s: %s", self.peer, text)
        await self.write(Error(text=text, code=code).event())

    async def _serve(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self._idle_s):
                    event = await read_event(self._reader)
            except TimeoutError:
                await self.error(
                    f"No event for {self._idle_s:g} s (--idle-timeout-seconds); "
                    "closing the connection",
                    "idle-timeout",
                )
                return
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
        except (ConnectionError, asyncio.CancelledError):
            raise
        except Exception as err:
            _LOGGER.exception("Handling %s from %s failed", event.type, self.peer)
            self._drop_utterance()
            await self.error(f"Could not handle {event.type}: {err!r}", "internal-error")

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
        stream = self._engine.open_stream(Priority.VOICE, VOICE, options, self._voice)
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
            fits = await utterance.add_chunk(chunk, limit)
        except AudioFormatError as err:
            await self.error(str(err), "unsupported-audio")
            return
        except QueueFullError as err:
            utterance.over_limit = True
            await self.error(f"{err}: the rest of this utterance is ignored", "queue-full")
            return
        if not fits:
            utterance.over_limit = True
            await self.error(
                f"Utterance longer than {limit:g} s (--max-utterance-seconds): the rest is "
                f"ignored, the transcript covers the first {limit:g} s",
                "audio-too-long",
            )

    async def _stop(self) -> None:
        utterance, self._utterance = self._utterance, None
        already_answered, self._ignoring_audio = self._ignoring_audio, False
        if utterance is not None:
            await utterance.stop()
        elif not already_answered:  # an audio-start refused, or audio before it, was reported
            await self.error("audio-stop without audio-start", "no-audio-start")
