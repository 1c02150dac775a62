"""Keeps the server's live event stream (`GET /api/events`) open, reconnecting with backoff."""

from __future__ import annotations

import asyncio
from typing import Protocol

from .api import ScribeAuthError, ScribeClient, ScribeConnectionError, ScribeError
from .models import ServerEvent

BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 60.0


class StreamListener(Protocol):
    """What the follower reports to."""

    async def async_on_event(self, event: ServerEvent) -> None:
        """A server event arrived (the first one of a connection is `hello`)."""

    def on_disconnect(self, error: ScribeError) -> None:
        """The stream could not be opened or it ended."""

    def on_auth_failed(self, error: ScribeAuthError) -> None:
        """The server refused the token; the follower has stopped."""


class EventFollower:
    """Follows one server's stream until cancelled; retries 1 s, 2 s, 4 s … up to a minute apart."""

    def __init__(self, client: ScribeClient, listener: StreamListener) -> None:
        self._client = client
        self._listener = listener
        self._wake = asyncio.Event()

    async def async_run(self) -> None:
        delay = BACKOFF_FIRST_S
        while True:
            try:
                async for event in self._client.events():
                    delay = BACKOFF_FIRST_S
                    await self._listener.async_on_event(event)
                error: ScribeError = ScribeConnectionError("The server closed the event stream")
            except ScribeAuthError as err:
                self._listener.on_auth_failed(err)
                return
            except ScribeError as err:
                error = err
            self._listener.on_disconnect(error)
            await self._sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX_S)

    def retry_now(self) -> None:
        """Cut the current wait short (a user asked to try again)."""
        self._wake.set()

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            pass
