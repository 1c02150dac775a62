"""One model, one worker thread, a priority queue in front of it.

Voice commands go first, then live meetings, then files; within a priority, first come first
served. Meetings and files wait for room when the queue is full (that back-pressure reaches
their audio source); a voice command is always admitted, so nobody talking to the assistant
waits behind a backlog.
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


@dataclass(order=True, slots=True)
class _Job:
    priority: Priority
    sequence: int
    work: Callable[[], Any] = field(compare=False)
    future: asyncio.Future[Any] = field(compare=False)


class DecodeQueue:
    """Runs blocking decode work on a single thread, in priority order."""

    def __init__(self, max_pending: int = 16) -> None:
        self.max_pending = max_pending
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

    async def submit[T](self, priority: Priority, work: Callable[[], T]) -> asyncio.Future[T]:
        """Queue work; returns a future for its result once it is admitted."""
        async with self._changed:
            if priority is not Priority.VOICE:
                await self._changed.wait_for(lambda: len(self._heap) < self.max_pending)
            future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._heap, _Job(priority, next(self._sequence), work, future))
            self._changed.notify_all()
        return future

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
