"""Server-Sent Events: one meeting's progress, or everything happening on the server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from .event_bus import MeetingEvent, Subscription
from .meeting import Status
from .meeting_service import MeetingService

PING_EVERY_S = 15.0


async def meeting_events(
    request: web.Request, service: MeetingService, meeting_id: str
) -> web.StreamResponse:
    """``status`` now, then ``segment``, ``speakers`` and ``status`` events until the meeting is
    over."""
    async with service.bus.subscribe() as subscription:
        meeting = service.get(meeting_id)  # after subscribing: nothing can slip in between
        response = await _open(request)
        try:
            await _send(response, "status", meeting.summary())
            if not meeting.status.is_final:
                await _follow_meeting(response, subscription, meeting_id)
        except ConnectionResetError:
            pass
    return response


async def _follow_meeting(
    response: web.StreamResponse, subscription: Subscription, meeting_id: str
) -> None:
    while (event := await _next(response, subscription)) is not None:
        if event.meeting_id != meeting_id:
            continue
        if event.kind == "deleted":
            return
        await _send(response, event.kind, event.data)
        if event.kind == "status" and Status(event.data["status"]).is_final:
            return


async def server_events(
    request: web.Request, service: MeetingService, hello: dict[str, Any]
) -> web.StreamResponse:
    """``hello`` with the health, then ``meeting``, ``segment`` and ``speakers`` events, for
    ever."""
    async with service.bus.subscribe() as subscription:
        response = await _open(request)
        try:
            await _send(response, "hello", hello)
            while (event := await _next(response, subscription)) is not None:
                if event.kind != "deleted":  # not part of the contract (docs/api.md)
                    name = "meeting" if event.kind == "status" else event.kind
                    await _send(response, name, event.data)
        except ConnectionResetError:
            pass
    return response


async def _open(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",  # proxies (ingress) must pass events on at once
        }
    )
    await response.prepare(request)
    return response


async def _next(response: web.StreamResponse, subscription: Subscription) -> MeetingEvent | None:
    """The next event (None when the server stops), pinging while there is none."""
    while True:
        try:
            async with asyncio.timeout(PING_EVERY_S):
                return await subscription.next()
        except TimeoutError:
            await response.write(b": ping\n\n")


async def _send(response: web.StreamResponse, event: str, data: dict[str, Any]) -> None:
    payload = json.dumps(data, ensure_ascii=False)
    await response.write(f"event: {event}\ndata: {payload}\n\n".encode())
