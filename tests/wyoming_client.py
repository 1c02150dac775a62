"""A small Wyoming client for tests: sends real audio, records every answer with its time."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from wyoming.asr import Transcribe
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event, async_read_event, async_write_event


def load_pcm(path: Path, rate: int = 16000, channels: int = 1) -> bytes:
    """A file decoded to interleaved s16 PCM at the given rate and channel count."""
    layout = "mono" if channels == 1 else "stereo"
    resampler = av.AudioResampler(format="s16", layout=layout, rate=rate)
    parts: list[bytes] = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            parts += [bytes(f.to_ndarray().tobytes()) for f in resampler.resample(frame)]
    parts += [bytes(f.to_ndarray().tobytes()) for f in resampler.resample(None)]
    return b"".join(parts)


def silence(seconds: float, rate: int = 16000, channels: int = 1) -> bytes:
    return bytes(int(seconds * rate) * 2 * channels)


def tone(seconds: float, rate: int = 16000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2").tobytes()


@dataclass
class Received:
    event: Event
    at: float  # time.monotonic() when it arrived

    @property
    def type(self) -> str:
        return self.event.type


@dataclass
class Utterance:
    events: list[Received]
    stop_sent_at: float

    @property
    def types(self) -> list[str]:
        return [r.type for r in self.events]

    def of_type(self, event_type: str) -> list[Received]:
        return [r for r in self.events if r.type == event_type]

    @property
    def transcript(self) -> str:
        return str(self.of_type("transcript")[0].event.data["text"])


class ScribeClient:
    """One TCP connection to the server under test."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int) -> ScribeClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()

    async def send(self, event: Event) -> None:
        await async_write_event(event, self.writer)

    async def send_raw(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def read(self, timeout: float = 30) -> Event | None:
        return await asyncio.wait_for(async_read_event(self.reader), timeout)

    async def read_until(self, event_type: str, timeout: float = 60) -> list[Received]:
        received: list[Received] = []
        while True:
            event = await self.read(timeout)
            if event is None:
                raise ConnectionError(f"closed before {event_type}; got {received}")
            received.append(Received(event, time.monotonic()))
            if event.type == event_type:
                return received

    async def transcribe(
        self,
        pcm: bytes,
        rate: int = 16000,
        channels: int = 1,
        pace: float | None = None,
        transcribe: Transcribe | None = None,
    ) -> Utterance:
        """Send one utterance in 20 ms chunks (``pace`` times real time, or as fast as possible)."""
        collected: list[Received] = []
        reading = asyncio.create_task(self._collect(collected))
        if transcribe is not None:
            await self.send(transcribe.event())
        await self.send(AudioStart(rate=rate, width=2, channels=channels).event())
        chunk_bytes = rate // 50 * 2 * channels
        started = time.monotonic()
        for index, offset in enumerate(range(0, len(pcm), chunk_bytes)):
            chunk = pcm[offset : offset + chunk_bytes]
            await self.send(AudioChunk(rate=rate, width=2, channels=channels, audio=chunk).event())
            if pace:
                due = started + (index + 1) * 0.02 / pace
                await asyncio.sleep(max(0.0, due - time.monotonic()))
        stop_sent_at = time.monotonic()
        await self.send(AudioStop().event())
        await asyncio.wait_for(reading, 120)
        return Utterance(collected, stop_sent_at)

    async def _collect(self, into: list[Received]) -> None:
        while True:
            event = await async_read_event(self.reader)
            if event is None:
                raise ConnectionError(f"closed before transcript-stop; got {into}")
            into.append(Received(event, time.monotonic()))
            if event.type == "transcript-stop":
                return
