"""A Wyoming STT client that streams like a satellite and timestamps what comes back.

One connection per utterance, as Home Assistant opens one: ``transcribe``, ``audio-start``,
``audio-chunk``…, ``audio-stop``, then wait for ``transcript``. Chunks are sent on a fixed
schedule (``pace`` times real time; ``None`` sends as fast as the socket takes them).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from wyoming.asr import Transcribe, Transcript, TranscriptChunk
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event, async_read_event, async_write_event
from wyoming.info import Describe, Info

from bench.audio import BYTES_PER_SECOND, SAMPLE_RATE, SAMPLE_WIDTH

SATELLITE_CHUNK_S = 0.02


class WyomingError(RuntimeError):
    """The server answered with an ``error`` event, closed early, or took too long."""


@dataclass(slots=True)
class StreamTiming:
    """What one streamed utterance cost, in seconds on the client's monotonic clock."""

    text: str
    audio_s: float
    send_s: float  # first chunk to audio-stop
    stop_to_transcript_s: float
    start_to_transcript_s: float
    # (seconds since the first chunk was sent, text) for each transcript-chunk.
    chunks: list[tuple[float, str]] = field(default_factory=list)
    language: str | None = None  # as the transcript event gave it


@dataclass(slots=True)
class _Collector:
    """Reads the server's events as they arrive and remembers when."""

    transcript: asyncio.Future[tuple[float, Transcript]]
    chunks: list[tuple[float, str]] = field(default_factory=list)

    async def run(self, reader: asyncio.StreamReader) -> None:
        while not self.transcript.done():
            event = await async_read_event(reader)
            now = time.monotonic()
            if event is None:
                self._fail("the server closed the connection before its transcript")
            elif TranscriptChunk.is_type(event.type):
                self.chunks.append((now, TranscriptChunk.from_event(event).text))
            elif Transcript.is_type(event.type):
                self.transcript.set_result((now, Transcript.from_event(event)))
            elif Error.is_type(event.type):
                self._fail(f"the server sent an error: {Error.from_event(event).text}")

    def _fail(self, message: str) -> None:
        if not self.transcript.done():
            self.transcript.set_exception(WyomingError(message))


async def stream_utterance(
    host: str,
    port: int,
    pcm: bytes,
    *,
    pace: float | None = 1.0,
    chunk_s: float = SATELLITE_CHUNK_S,
    language: str | None = "en",
    timeout_s: float = 120.0,
) -> StreamTiming:
    """Stream ``pcm`` (16 kHz mono s16) as one utterance and time the answer."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10.0)
    collector = _Collector(transcript=asyncio.get_running_loop().create_future())
    reading = asyncio.create_task(collector.run(reader))
    try:
        await _write(writer, Transcribe(language=language).event())
        await _write(writer, AudioStart(rate=SAMPLE_RATE, width=SAMPLE_WIDTH, channels=1).event())
        started = await _send_paced(writer, pcm, pace=pace, chunk_s=chunk_s)
        await _write(writer, AudioStop().event())
        stopped = time.monotonic()
        try:
            arrived, transcript = await asyncio.wait_for(
                asyncio.shield(collector.transcript), timeout_s
            )
        except TimeoutError as err:
            raise WyomingError(f"no transcript {timeout_s:.0f} s after audio-stop") from err
    finally:
        reading.cancel()
        writer.close()
        await _closed(writer)
    return StreamTiming(
        text=transcript.text,
        audio_s=len(pcm) / BYTES_PER_SECOND,
        send_s=stopped - started,
        stop_to_transcript_s=arrived - stopped,
        start_to_transcript_s=arrived - started,
        chunks=[(when - started, chunk) for when, chunk in collector.chunks],
        language=transcript.language,
    )


async def _send_paced(
    writer: asyncio.StreamWriter, pcm: bytes, *, pace: float | None, chunk_s: float
) -> float:
    """Send ``pcm`` in chunks on schedule; returns when the first chunk went out."""
    chunk_bytes = round(chunk_s * SAMPLE_RATE) * SAMPLE_WIDTH
    started = time.monotonic()
    for index, offset in enumerate(range(0, len(pcm), chunk_bytes)):
        if pace is not None:
            # Absolute deadlines: the schedule does not drift with the time sends take.
            delay = started + index * chunk_s / pace - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        chunk = AudioChunk(
            rate=SAMPLE_RATE,
            width=SAMPLE_WIDTH,
            channels=1,
            audio=pcm[offset : offset + chunk_bytes],
        )
        await _write(writer, chunk.event())
    return started


async def _write(writer: asyncio.StreamWriter, event: Event) -> None:
    try:
        await async_write_event(event, writer)
    except (ConnectionError, OSError) as err:
        raise WyomingError(f"the server closed the connection: {err}") from err


async def _closed(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        await writer.wait_closed()


async def describe(host: str, port: int, timeout_s: float = 5.0) -> Info:
    """The server's ``info``; raises OSError or TimeoutError while it is not listening."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    try:
        await async_write_event(Describe().event(), writer)
        while True:
            event = await asyncio.wait_for(async_read_event(reader), timeout_s)
            if event is None:
                raise ConnectionResetError("closed before info")
            if Info.is_type(event.type):
                return Info.from_event(event)
    finally:
        writer.close()
        await _closed(writer)
