"""A FAKE of the Home Assistant Supervisor's ingress proxy (the Supervisor cannot run here).

Like the real one, it serves the add-on under ``/api/hassio_ingress/<session>/``, forwards each
request to the add-on's ingress port with the ``X-Ingress-Path`` header, streams the answer back
(event streams included), and connects from its own address: 127.0.0.2 here, standing in for
172.30.32.2 on the add-on network. It runs in a thread, so that synchronous tests (Selenium) can
use it.

With ``hold_event_streams`` it behaves as Home Assistant's ingress did before 2026.2
(home-assistant/core#160704): event streams were compressed, and nothing reached the browser
until the compressor's buffer filled, which for a few events is never.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import aiohttp
from aiohttp import web

from tests.server_process import free_port

PROXY_ADDRESS = "127.0.0.2"
SESSION = "FAKE-ingress-session_0123456789"
PREFIX = f"/api/hassio_ingress/{SESSION}"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_HOP_BY_HOP = {"host", "connection", "keep-alive", "transfer-encoding", "upgrade", "content-length"}


class FakeIngress:
    def __init__(self, addon_port: int, *, hold_event_streams: bool = False) -> None:
        self.addon_port = addon_port
        self.hold_event_streams = hold_event_streams
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="fake-ingress", daemon=True)

    @property
    def url(self) -> str:
        """The panel's address, as Home Assistant's frontend opens it."""
        return f"http://127.0.0.1:{self.port}{PREFIX}/"

    def start(self) -> None:
        self._thread.start()
        if not self._started.wait(10):
            raise TimeoutError("the fake ingress proxy did not start")

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())
        self._loop.run_until_complete(_cancel_the_rest())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        connector = aiohttp.TCPConnector(local_addr=(PROXY_ADDRESS, 0))
        timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, auto_decompress=False
        ) as session:
            app = web.Application()
            app.router.add_route("*", PREFIX + "/{tail:.*}", self._forward(session))
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", self.port).start()
            self._started.set()
            await self._stop.wait()
            await runner.cleanup()

    def _forward(self, session: aiohttp.ClientSession) -> Handler:
        async def forward(request: web.Request) -> web.StreamResponse:
            url = f"http://127.0.0.1:{self.addon_port}/{request.match_info['tail']}"
            headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
            headers["X-Ingress-Path"] = PREFIX
            body = await request.read()
            async with session.request(
                request.method, url, params=request.query, headers=headers, data=body or None
            ) as upstream:
                response = web.StreamResponse(status=upstream.status)
                for key, value in upstream.headers.items():
                    if key.lower() not in _HOP_BY_HOP:
                        response.headers.add(key, value)
                if upstream.content_length is not None:
                    response.content_length = upstream.content_length
                await response.prepare(request)
                if self.hold_event_streams and upstream.content_type == "text/event-stream":
                    await upstream.content.read()  # until the stream ends: never, here
                try:
                    async for chunk in upstream.content.iter_any():
                        await response.write(chunk)
                except ConnectionResetError:
                    pass  # the browser left (an event stream it closed)
                return response

        return forward


async def _cancel_the_rest() -> None:
    """Streams still forwarded (a browser's event stream) end with the proxy."""
    pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


@contextmanager
def fake_ingress(addon_port: int, *, hold_event_streams: bool = False) -> Iterator[FakeIngress]:
    proxy = FakeIngress(addon_port, hold_event_streams=hold_event_streams)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
