"""A small client of the HTTP API for tests: JSON calls, waiting for a status, reading SSE."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

FAKE_MIC = Path(__file__).with_name("fake_mic.py")
FINAL = ("done", "failed", "interrupted")


def mic_command(path: Path, pace: float = 0.0, then: str = "silence") -> str:
    return f"{sys.executable} {FAKE_MIC} {path} --pace {pace} --then {then}"


def generated_token(data_dir: Path) -> str:
    return (data_dir / "api_token").read_text().strip()


@dataclass
class Answer:
    status: int
    body: Any  # parsed JSON, or the raw bytes of anything else
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> dict[str, Any]:
        assert isinstance(self.body, dict), self.body
        return self.body


@dataclass
class ServerEvent:
    event: str
    data: dict[str, Any]
    at: float  # time.monotonic() on arrival


class ApiClient:
    def __init__(self, session: aiohttp.ClientSession, port: int, token: str | None) -> None:
        self.session = session
        self.base = f"http://127.0.0.1:{port}/api"
        self.token = token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def call(self, method: str, path: str, **kwargs: Any) -> Answer:
        headers = {**self.headers(), **kwargs.pop("headers", {})}
        async with self.session.request(
            method, self.base + path, headers=headers, **kwargs
        ) as response:
            raw = await response.read()
            if response.content_type == "application/json" and raw:
                body: Any = json.loads(raw)
            else:
                body = raw
            return Answer(response.status, body, dict(response.headers), raw)

    async def start_meeting(self, **fields: Any) -> dict[str, Any]:
        answer = await self.call("POST", "/meetings", json={"title": "Test", **fields})
        assert answer.status == 201, answer
        return answer.json

    async def meeting(self, meeting_id: str) -> dict[str, Any]:
        answer = await self.call("GET", f"/meetings/{meeting_id}")
        assert answer.status == 200, answer
        return answer.json

    async def wait_until_ready(self, timeout: float = 60) -> None:
        """Until the model is loaded (health ``ok``)."""
        deadline = time.monotonic() + timeout
        while (await self.call("GET", "/health")).json["status"] != "ok":
            assert time.monotonic() < deadline, "the model did not load"
            await asyncio.sleep(0.1)

    async def wait_for(
        self, meeting_id: str, statuses: tuple[str, ...] = FINAL, timeout: float = 120
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            meeting = await self.meeting(meeting_id)
            if meeting["status"] in statuses:
                return meeting
            await asyncio.sleep(0.1)
        raise TimeoutError(f"meeting {meeting_id} never reached {statuses}: {meeting}")

    async def events(self, path: str) -> AsyncIterator[ServerEvent]:
        """Server-Sent Events from ``path`` until the server ends the stream."""
        timeout = aiohttp.ClientTimeout(total=None, sock_read=60)
        async with self.session.get(
            self.base + path, headers=self.headers(), timeout=timeout
        ) as response:
            assert response.status == 200, await response.text()
            assert response.content_type == "text/event-stream"
            event, data = "message", ""
            async for raw in response.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data += line[6:]
                elif not line and data:
                    yield ServerEvent(event, json.loads(data), time.monotonic())
                    event, data = "message", ""
