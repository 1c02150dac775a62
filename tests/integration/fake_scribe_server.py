"""FAKE Meeting Scribe HTTP API — temporary scaffolding until the real server's API lands.

Implements docs/api.md with canned transcripts so the integration can be developed; it is to be
deleted once the tests run against the real `wyoming_scribe` process.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

TOKEN = "fake-token"


@dataclass
class FakeMeeting:
    id: str
    title: str
    participants: list[dict[str, str]]
    language: str | None
    source: str
    status: str = "recording"
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    ended_at: str | None = None
    duration_s: float = 0.0
    segments: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "participants": self.participants,
            "language": self.language,
            "source": self.source,
            "status": self.status,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_s": self.duration_s,
            "error": None,
            "recovered": False,
        }

    def full(self) -> dict[str, Any]:
        text = " ".join(s["text"] for s in self.segments)
        return self.summary() | {"segments": self.segments, "text": text}


class FakeScribeServer:
    def __init__(self) -> None:
        self.meetings: dict[str, FakeMeeting] = {}
        self.queues: list[asyncio.Queue[tuple[str, dict[str, Any]]]] = []
        self.counter = 0
        self.runner: web.AppRunner | None = None
        self.port = 0
        self.tasks: set[asyncio.Task[None]] = set()

    async def start(self, port: int = 0) -> None:
        app = web.Application(middlewares=[self._auth])
        app.router.add_get("/api/health", self._health)
        app.router.add_get("/api/meetings", self._list)
        app.router.add_post("/api/meetings", self._start)
        app.router.add_get("/api/meetings/{id}", self._get)
        app.router.add_post("/api/meetings/{id}/stop", self._stop)
        app.router.add_get("/api/meetings/{id}/transcript.{fmt}", self._transcript)
        app.router.add_get("/api/events", self._events)
        app.router.add_post("/api/transcriptions", self._upload)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for queue in self.queues:
            queue.put_nowait(("__close__", {}))
        assert self.runner
        await self.runner.cleanup()

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if (
            request.path != "/api/health"
            and request.headers.get("Authorization") != f"Bearer {TOKEN}"
        ):
            return web.json_response({"error": "unauthorized", "message": "no"}, status=401)
        return await handler(request)

    def _health_json(self) -> dict[str, Any]:
        recording = next((m.id for m in self.meetings.values() if m.status == "recording"), None)
        return {
            "status": "ok",
            "version": "0.1.0",
            "model": "toy",
            "compute_type": "int8",
            "languages": ["en", "de"],
            "queue_depth": 0,
            "recording": recording,
            "error": None,
        }

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response(self._health_json())

    async def _list(self, request: web.Request) -> web.Response:
        items = sorted(self.meetings.values(), key=lambda m: m.started_at, reverse=True)
        return web.json_response({"meetings": [m.summary() for m in items]})

    def _broadcast(self, event: str, data: dict[str, Any]) -> None:
        for queue in self.queues:
            queue.put_nowait((event, data))

    async def _start(self, request: web.Request) -> web.Response:
        body = await request.json()
        if any(m.status == "recording" for m in self.meetings.values()):
            return web.json_response({"error": "already_recording", "message": "busy"}, status=409)
        self.counter += 1
        meeting = FakeMeeting(
            id=f"20261121-0930{self.counter:02d}-abc{self.counter}",
            title=body["title"],
            participants=[
                p if isinstance(p, dict) else {"name": "", "email": p} for p in body["participants"]
            ],
            language=body.get("language"),
            source="mic",
        )
        self.meetings[meeting.id] = meeting
        self._broadcast("meeting", meeting.summary())
        task = asyncio.create_task(self._speak(meeting))
        self.tasks.add(task)
        return web.json_response(meeting.full(), status=201)

    async def _speak(self, meeting: FakeMeeting) -> None:
        while meeting.status == "recording":
            await asyncio.sleep(0.2)
            if meeting.status != "recording":
                break
            start = meeting.duration_s
            meeting.duration_s += 1.0
            segment = {"start": start, "end": meeting.duration_s, "text": "turn on the lights"}
            meeting.segments.append(segment)
            self._broadcast("segment", {"meeting_id": meeting.id} | segment)

    async def _finalize(self, meeting: FakeMeeting) -> None:
        await asyncio.sleep(0.2)
        meeting.status = "done"
        meeting.ended_at = datetime.now(UTC).isoformat()
        self._broadcast("meeting", meeting.summary())

    async def _stop(self, request: web.Request) -> web.Response:
        meeting = self.meetings.get(request.match_info["id"])
        if meeting is None:
            return web.json_response({"error": "not_found", "message": "no such"}, status=404)
        if meeting.status != "recording":
            return web.json_response({"error": "not_recording", "message": "no"}, status=409)
        meeting.status = "finalizing"
        self._broadcast("meeting", meeting.summary())
        self.tasks.add(asyncio.create_task(self._finalize(meeting)))
        return web.json_response(meeting.full(), status=202)

    async def _get(self, request: web.Request) -> web.Response:
        meeting = self.meetings.get(request.match_info["id"])
        if meeting is None:
            return web.json_response({"error": "not_found", "message": "no such"}, status=404)
        return web.json_response(meeting.full())

    async def _transcript(self, request: web.Request) -> web.Response:
        meeting = self.meetings[request.match_info["id"]]
        fmt = request.match_info["fmt"]
        text = meeting.full()["text"]
        body = {
            "txt": text,
            "md": f"# {meeting.title}\n\n{text}\n",
            "srt": "1\n00:00:00,000 --> 00:00:01,000\n" + text + "\n",
            "vtt": "WEBVTT\n\n00:00.000 --> 00:01.000\n" + text + "\n",
        }[fmt]
        return web.Response(text=body)

    async def _upload(self, request: web.Request) -> web.Response:
        reader = await request.multipart()
        fields: dict[str, str] = {}
        head = b""
        while part := await reader.next():
            if part.name == "file":  # type: ignore[union-attr]
                head = (await part.read())[:4]  # type: ignore[union-attr]
            else:
                fields[part.name or ""] = await part.text()  # type: ignore[union-attr]
        if head != b"RIFF":
            return web.json_response({"error": "invalid_audio", "message": "not audio"}, status=400)
        self.counter += 1
        meeting = FakeMeeting(
            id=f"20261121-0931{self.counter:02d}-fil{self.counter}",
            title=fields.get("title", "upload"),
            participants=json.loads(fields.get("participants", "[]")),
            language=fields.get("language"),
            source="file",
            status="finalizing",
        )
        meeting.segments = [{"start": 0.0, "end": 2.0, "text": "what time is it"}]
        meeting.duration_s = 2.0
        self.meetings[meeting.id] = meeting
        self._broadcast("meeting", meeting.summary())
        self.tasks.add(asyncio.create_task(self._finalize(meeting)))
        return web.json_response(meeting.full(), status=202)

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self.queues.append(queue)
        try:
            await response.write(
                f"event: hello\ndata: {json.dumps(self._health_json())}\n\n".encode()
            )
            while True:
                event, data = await queue.get()
                if event == "__close__":
                    break
                await response.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
        finally:
            self.queues.remove(queue)
        return response
