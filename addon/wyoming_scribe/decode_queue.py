"""One model, one worker thread, a priority queue in front of it.

Voice commands go first, then live meetings, then files. Meetings and files wait for room when
the queue is full (that back-pressure reaches their audio source), first come first served.

Voice work is admitted at once, within bounds on the audio waiting to be decoded: per client
(one Wyoming connection) and in all. A client with nothing waiting always gets its segment in,
so one client's flood never turns a new voice command away; past a bound, ``QueueFullError``
says which. Among voice jobs, the client that has had the least audio decoded goes first, so a
short command overtakes a client that keeps pushing long audio.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

_LOGGER = logging.getLogger(__name__)


class Priority(IntEnum):
    VOICE = 0
    MEETING = 1
    FILE = 2


_NOTHING_S = 0.001  # what float sums of added and removed seconds leave of nothing


class QueueFullError(RuntimeError):
    """Admitting this voice audio would pass a bound on the audio waiting to be decoded."""


@dataclass(frozen=True, slots=True)
class VoiceBounds:
    """Seconds of voice audio that may wait to be decoded, per client and in all."""

    per_client_s: float = 30.0
    total_s: float = 60.0


@dataclass(slots=True)
class VoiceClient:
    """One client's voice audio: waiting to be decoded now, and admitted since it connected."""

    queued_s: float = 0.0
    admitted_s: float = 0.0


@dataclass(order=True, slots=True)
class _Job:
    priority: Priority
    served_s: float  # voice: the client's audio admitted before this job (least first)
    sequence: int
    work: Callable[[], Any] = field(compare=False)
    future: asyncio.Future[Any] = field(compare=False)


class DecodeQueue:
    """Runs blocking decode work on a single thread, in priority order."""

    def __init__(self, voice: VoiceBounds | None = None, max_pending: int = 16) -> None:
        self.max_pending = max_pending
        self.voice = voice or VoiceBounds()
        self.voice_queued_s = 0.0
        self._heap: list[_Job] = []
        self._sequence = itertools.count()
        self._changed = asyncio.Condition()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="decode")
        self._worker: asyncio.Task[None] | None = None

    @property
    def depth(self) -> int:
        """Jobs waiting, not counting the one being decoded."""
        return len(self._heap)

    def start(self) -> None:
        self._worker = asyncio.create_task(self._run(), name="decode-worker")

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        for job in self._heap:
            job.future.cancel()
        self._heap.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def run_on_worker[T](self, work: Callable[[], T]) -> T:
        """Run work on the decode thread right away (model loading), outside the queue."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    async def submit[T](
        self,
        priority: Priority,
        work: Callable[[], T],
        *,
        audio_s: float = 0.0,
        client: VoiceClient | None = None,
    ) -> asyncio.Future[T]:
        """Queue work; returns a future for its result once it is admitted.

        Voice work (``audio_s`` seconds from ``client``) raises QueueFullError past a bound.
        """
        async with self._changed:
            served_s = 0.0
            if priority is not Priority.VOICE:
                await self._changed.wait_for(lambda: len(self._heap) < self.max_pending)
            future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
            if priority is Priority.VOICE:
                client = client or VoiceClient()
                served_s = client.admitted_s
                self._admit_voice(client, audio_s, future)
            job = _Job(priority, served_s, next(self._sequence), work, future)
            heapq.heappush(self._heap, job)
            self._changed.notify_all()
        return future

    def _admit_voice(
        self, client: VoiceClient, audio_s: float, future: asyncio.Future[Any]
    ) -> None:
        """Count the audio as waiting until its decode is done (or dropped), or refuse it."""
        if client.queued_s > _NOTHING_S:
            bounds = self.voice
            if client.queued_s + audio_s > bounds.per_client_s:
                raise QueueFullError(
                    f"More than {bounds.per_client_s:g} s of this connection's audio would be "
                    "waiting to be decoded (--max-queued-voice-seconds-per-connection)"
                )
            if self.voice_queued_s + audio_s > bounds.total_s:
                raise QueueFullError(
                    f"More than {bounds.total_s:g} s of voice audio would be waiting to be "
                    "decoded (--max-queued-voice-seconds)"
                )
        client.queued_s += audio_s
        client.admitted_s += audio_s
        self.voice_queued_s += audio_s

        def release(_future: asyncio.Future[Any]) -> None:
            client.queued_s -= audio_s
            self.voice_queued_s -= audio_s

        future.add_done_callback(release)

    async def _next_job(self) -> _Job:
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self._heap))
            job = heapq.heappop(self._heap)
            self._changed.notify_all()
            return job

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            job = await self._next_job()
            if job.future.cancelled():
                continue
            try:
                result = await loop.run_in_executor(self._executor, job.work)
            except Exception as err:  # a failed decode belongs to its requester
                _LOGGER.debug("Decode failed: %r", err)
                if not job.future.done():
                    job.future.set_exception(err)
            else:
                if not job.future.done():
                    job.future.set_result(result)
