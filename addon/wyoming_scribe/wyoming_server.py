"""The Wyoming listener: serves up to ``--max-connections`` clients and closes them all on stop.

A client past the cap is told so (an ``error`` event) and closed; one that sends nothing for
``--idle-timeout-seconds`` is closed by its session. Stopping closes every connection, so a
client that stays connected (Home Assistant keeps them open) never holds the server up.
"""

from __future__ import annotations

import asyncio
import logging

from .engine import Engine
from .wyoming_handler import WyomingSession
from .wyoming_protocol import MAX_HEADER_BYTES

_LOGGER = logging.getLogger(__name__)
CLOSE_GRACE_S = 1.0  # for sessions to say goodbye before their sockets are cut


class WyomingServer:
    def __init__(self, engine: Engine, host: str, port: int) -> None:
        self._engine = engine
        self._host, self._port = host, port
        self._server: asyncio.Server | None = None
        self._sessions: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self._host, self._port, limit=MAX_HEADER_BYTES
        )

    async def close(self) -> None:
        """Stop listening, end every session (a decode it waits for is dropped), cut stragglers."""
        if self._server is not None:
            self._server.close()
        sessions = list(self._sessions)
        for task in sessions:
            task.cancel()
        if sessions:
            await asyncio.wait(sessions, timeout=2 * CLOSE_GRACE_S)
        if self._server is not None:
            self._server.abort_clients()  # any connection a session did not close in time
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = WyomingSession(self._engine, reader, writer)
        limit = self._engine.settings.max_connections
        if len(self._sessions) >= limit:
            await session.refuse(
                f"The server serves {limit} connections at once (--max-connections); "
                "try again later",
                "too-many-connections",
            )
            return
        task = asyncio.current_task()
        assert task is not None
        self._sessions.add(task)
        try:
            await session.run()
        finally:
            self._sessions.discard(task)
