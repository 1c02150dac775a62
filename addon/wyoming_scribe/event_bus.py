"""In-process publish/subscribe of meeting news, for the HTTP event streams."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

_LOGGER = logging.getLogger(__name__)
_BACKLOG = 1000


@dataclass(frozen=True, slots=True)
class MeetingEvent:
    """``status``: ``data`` is the meeting summary; ``segment``: a new committed segment;
    ``speakers``: segments got speaker labels, or they changed; ``deleted``: the meeting is gone
    (``data`` is empty)."""

    kind: Literal["status", "segment", "speakers", "deleted"]
    meeting_id: str
    data: dict[str, Any]


class Subscription:
    """The events published since subscribing, in order; ends when the bus closes."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[MeetingEvent | None] = asyncio.Queue(_BACKLOG)
        self.closed = False

    def put(self, event: MeetingEvent | None) -> None:
        if self.closed:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            # A reader this far behind is gone or stuck; end its stream rather than grow.
            _LOGGER.warning("Event subscriber fell %d events behind; closing it", _BACKLOG)
            self.closed = True
            self._queue.get_nowait()
            self._queue.put_nowait(None)

    async def next(self) -> MeetingEvent | None:
        """The next event; None once the bus closed."""
        return await self._queue.get()


class EventBus:
    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()
        self._closed = False

    def publish(self, event: MeetingEvent) -> None:
        for subscriber in self._subscribers:
            subscriber.put(event)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        subscription = Subscription()
        if self._closed:
            subscription.put(None)
        self._subscribers.add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers.discard(subscription)

    def close(self) -> None:
        """End every subscription (the server is stopping)."""
        self._closed = True
        for subscriber in self._subscribers:
            subscriber.put(None)
