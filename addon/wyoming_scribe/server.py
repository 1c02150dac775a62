"""Starts the doors (Wyoming TCP, HTTP API) around one engine and runs until stopped."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import urlparse

from aiohttp import web

from .api_token import load_token
from .engine import Engine
from .event_bus import EventBus
from .http_api import build_app
from .meeting_service import MeetingService
from .meeting_store import MeetingStore
from .server_id import load_server_id
from .settings import Settings
from .state_file import StateFileError
from .wyoming_server import WyomingServer

_LOGGER = logging.getLogger(__name__)
STOP_DEADLINE_S = 4.5  # Supervisor and Docker wait 10 s before SIGKILL; tests ask for 5
HTTP_SHUTDOWN_S = 1.0  # for requests in flight to finish when the API stops


def parse_tcp_uri(uri: str) -> tuple[str, int]:
    parsed = urlparse(uri)
    if parsed.scheme != "tcp" or parsed.hostname is None or parsed.port is None:
        raise ValueError(f"--uri must look like tcp://HOST:PORT, not {uri}")
    return parsed.hostname, parsed.port


async def run(settings: Settings, ready: asyncio.Event | None = None) -> None:
    """Serve until SIGTERM/SIGINT (or cancellation).

    Stopping takes at most STOP_DEADLINE_S: the doors close first (every Wyoming connection
    is ended), then meetings stop (left to be finished on the next start) and the engine
    drops the decode in progress. Whatever still holds on past the deadline is cut off.
    """
    host, port = parse_tcp_uri(settings.uri)
    engine = Engine(settings)
    await engine.start()
    async with AsyncExitStack() as stack:
        stack.push_async_callback(engine.stop)
        bus = EventBus()
        meetings = MeetingService(settings, engine, MeetingStore(settings.meetings_dir), bus)
        await meetings.open()
        stack.push_async_callback(meetings.close)
        if settings.http_port or settings.ingress_port:
            await _serve_http(stack, settings, engine, meetings)
        wyoming = WyomingServer(engine, host, port)
        await wyoming.start()
        stack.push_async_callback(wyoming.close)
        _LOGGER.info("Wyoming server listening on %s", settings.uri)
        if settings.zeroconf_name:
            await _advertise(stack, settings.zeroconf_name, host, port)
        if ready is not None:
            ready.set()
        await _wait_for_signal()
        _exit_if_not_stopped_by(STOP_DEADLINE_S)


async def _serve_http(
    stack: AsyncExitStack, settings: Settings, engine: Engine, meetings: MeetingService
) -> None:
    try:
        token = load_token(settings.api_token_file, settings.data_dir)
        server_id = load_server_id(settings.data_dir)
    except StateFileError as err:
        raise SystemExit(str(err)) from err
    doors = [(settings.http_port, None), (settings.ingress_port, settings.ingress_peer)]
    for port, ingress_peer in (door for door in doors if door[0]):
        app = build_app(
            meetings,
            engine,
            token=token,
            server_id=server_id,
            max_upload_bytes=settings.max_upload_mb * 2**20,
            ingress_peer=ingress_peer,
        )
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=HTTP_SHUTDOWN_S)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await web.TCPSite(runner, settings.http_host, port).start()
    stack.callback(meetings.bus.close)  # event streams end first, or they would hold the runners
    if settings.http_port:
        _LOGGER.info(
            "HTTP API on http://%s:%s/api, the page on http://%s:%s/",
            *(settings.http_host, settings.http_port) * 2,
        )
    if settings.ingress_port:
        _LOGGER.info(
            "Ingress page listening on port %s for %s", settings.ingress_port, settings.ingress_peer
        )


async def _advertise(stack: AsyncExitStack, name: str, host: str, port: int) -> None:
    from .zeroconf_advert import ZeroconfAdvert  # noqa: PLC0415 - zeroconf is optional

    try:
        advert = ZeroconfAdvert(name, port, host)
        await advert.register()
    except OSError as err:
        _LOGGER.warning("Zeroconf advertisement failed: %s", err)
        return
    stack.push_async_callback(advert.unregister)


def _connection_race(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio 3.13.0 can fail to watch a client socket that was closed an instant after it was
    accepted (FileNotFoundError from epoll in ``_add_reader``): nothing is lost, so one line
    instead of a traceback. Anything else goes to asyncio's own handler."""
    if isinstance(context.get("exception"), FileNotFoundError) and "_add_reader" in repr(
        context.get("handle")
    ):
        _LOGGER.warning("A client connection closed while it was being set up; ignored")
        return
    loop.default_exception_handler(context)


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_connection_race)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    _LOGGER.info("Stopping")


def _exit_if_not_stopped_by(deadline_s: float) -> None:
    """A last resort: nothing may keep a stopping server alive for long (meetings recover)."""

    def exit_now() -> None:
        _LOGGER.warning("Still stopping after %g s: exiting now", deadline_s)
        logging.shutdown()
        os._exit(1)

    timer = threading.Timer(deadline_s, exit_now)
    timer.daemon = True
    timer.start()
