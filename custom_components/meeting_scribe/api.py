"""HTTP client for the add-on's API (docs/api.md): requests, errors and the live event stream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import aiohttp

from .models import Health, Meeting, Participant, ServerEvent, server_event

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)
UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=300)
# The server pings every 15 s; a stream silent for longer than this is dead.
STREAM_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=45)


class ScribeError(Exception):
    """Anything that went wrong talking to the server."""


class ScribeConnectionError(ScribeError):
    """The server could not be reached or did not answer in time."""


class ScribeAuthError(ScribeError):
    """The server refused the API token."""


class ScribeRequestError(ScribeError):
    """The server answered with an error (`{"error": code, "message": ...}`)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


@dataclass(slots=True)
class SseParser:
    """Assembles Server-Sent Events from lines (the subset of the spec the server uses)."""

    _event: str = ""
    _data: list[str] = field(default_factory=list)

    def feed(self, line: str) -> tuple[str, str] | None:
        """Take one line; return (event, data) when a blank line completes an event."""
        line = line.rstrip("\r\n")
        if not line:
            complete = (self._event or "message", "\n".join(self._data)) if self._data else None
            self._event, self._data = "", []
            return complete
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        return None


class ScribeClient:
    """One Meeting Scribe server, reached through Home Assistant's aiohttp session."""

    def __init__(self, session: aiohttp.ClientSession, host: str, port: int, token: str) -> None:
        self._session = session
        self.host = host
        self.port = port
        self._token = token

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/api"

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    async def health(self) -> Health:
        """Status of the server; needs no token."""
        return Health.from_json(await self._json("GET", "/health", auth=False))

    async def list_meetings(self) -> list[Meeting]:
        """Summaries of every meeting, newest first (also proves the token is right)."""
        data = await self._json("GET", "/meetings")
        return [Meeting.from_json(item) for item in data["meetings"]]

    async def get_meeting(self, meeting_id: str) -> Meeting:
        return Meeting.from_json(await self._json("GET", f"/meetings/{meeting_id}"))

    async def start_meeting(
        self,
        title: str,
        participants: list[Participant],
        language: str | None,
        vocabulary: list[str] | None = None,
    ) -> Meeting:
        body: dict[str, Any] = {
            "title": title,
            "participants": [p.as_json() for p in participants],
            "source": "mic",
            "vocabulary": vocabulary or [],
        }
        if language:
            body["language"] = language
        return Meeting.from_json(await self._json("POST", "/meetings", json=body))

    async def stop_meeting(self, meeting_id: str) -> Meeting:
        return Meeting.from_json(await self._json("POST", f"/meetings/{meeting_id}/stop"))

    async def rename_speakers(self, meeting_id: str, names: dict[str, str]) -> Meeting:
        """Names for speaker labels (``{"Speaker 2": "Ada"}``; an empty name restores the label)."""
        body = {"speakers": names}
        return Meeting.from_json(await self._json("PATCH", f"/meetings/{meeting_id}", json=body))

    async def transcript(self, meeting_id: str, fmt: str) -> bytes:
        """One export of a meeting's transcript (txt, srt, vtt, md or json)."""
        async with self._request("GET", f"/meetings/{meeting_id}/transcript.{fmt}") as response:
            return await response.read()

    async def upload(
        self,
        audio: BinaryIO,
        filename: str,
        title: str,
        language: str | None,
        participants: list[Participant],
        *,
        vocabulary: list[str] | None = None,
    ) -> Meeting:
        """Send an open audio file; the server transcribes it as a `file` meeting."""
        form = aiohttp.FormData()
        form.add_field("file", audio, filename=filename, content_type="application/octet-stream")
        form.add_field("title", title)
        if language:
            form.add_field("language", language)
        form.add_field("participants", json.dumps([p.as_json() for p in participants]))
        form.add_field("vocabulary", json.dumps(vocabulary or []))
        data = await self._json("POST", "/transcriptions", data=form, timeout=UPLOAD_TIMEOUT)
        return Meeting.from_json(data)

    async def events(self) -> AsyncIterator[ServerEvent]:
        """Follow `GET /api/events` until the connection ends; raises ScribeError on failure."""
        parser = SseParser()
        async with self._request("GET", "/events", timeout=STREAM_TIMEOUT) as response:
            try:
                async for raw in response.content:
                    message = parser.feed(raw.decode("utf-8", errors="replace"))
                    if message and (event := _decode_event(*message)):
                        yield event
            except (aiohttp.ClientError, TimeoutError, ValueError) as err:
                raise ScribeConnectionError(f"Event stream broke: {err!r}") from err

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self._request(method, path, **kwargs) as response:
            try:
                return await response.json()
            except (aiohttp.ClientError, ValueError) as err:
                raise ScribeConnectionError(f"Unreadable answer from {path}: {err!r}") from err

    def _request(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        timeout: aiohttp.ClientTimeout = REQUEST_TIMEOUT,
        **kwargs: Any,
    ) -> _Response:
        return _Response(
            self._session.request(
                method,
                self.base_url + path,
                headers=self._auth if auth else None,
                timeout=timeout,
                **kwargs,
            )
        )


def _decode_event(name: str, data: str) -> ServerEvent | None:
    try:
        return server_event(name, json.loads(data))
    except (ValueError, KeyError, TypeError) as err:
        raise ScribeConnectionError(f"Malformed {name!r} event: {data[:200]!r}") from err


class _Response:
    """Async context for a request that turns transport and HTTP failures into ScribeErrors."""

    def __init__(self, pending: Awaitable[aiohttp.ClientResponse]) -> None:
        self._pending = pending
        self._response: aiohttp.ClientResponse | None = None

    async def __aenter__(self) -> aiohttp.ClientResponse:
        try:
            response = await self._pending
        except (aiohttp.ClientError, TimeoutError) as err:
            raise ScribeConnectionError(f"Cannot reach the server: {err!r}") from err
        self._response = response
        if response.status >= 400:
            try:
                raise await _error_for(response)
            finally:
                response.release()
        return response

    async def __aexit__(self, *exc_info: object) -> None:
        if self._response is not None:
            self._response.release()


async def _error_for(response: aiohttp.ClientResponse) -> ScribeError:
    try:
        body = await response.json(content_type=None)
        code, message = str(body["error"]), str(body.get("message", ""))
    except (aiohttp.ClientError, ValueError, KeyError, TypeError):
        code, message = "http_error", response.reason or ""
    if response.status == 401:
        return ScribeAuthError(message or "The API token was refused")
    return ScribeRequestError(response.status, code, message)
