"""Reads Wyoming events defensively: every length is checked before anything is allocated.

The ``wyoming`` library's reader trusts the peer (a header claiming 10 GB is read as such) and
turns every fault into "connection closed". Here a bad header line is reported and skipped;
only a stream whose framing is lost ends the connection.
"""

from __future__ import annotations

import asyncio
from typing import Any

from wyoming.event import Event

from .untrusted_json import UntrustedJsonError, parse_json

MAX_HEADER_BYTES = 64 * 1024
MAX_DATA_BYTES = 1024 * 1024
MAX_PAYLOAD_BYTES = 4 * 1024 * 1024  # 1 s of 192 kHz stereo 32-bit audio is 1.5 MB


class MalformedEventError(ValueError):
    """One event could not be understood; the stream is still in step."""


class BrokenStreamError(ValueError):
    """The stream can no longer be read: the next event's start is unknown."""


async def read_event(reader: asyncio.StreamReader) -> Event | None:
    """The next event, or None when the peer closed the connection."""
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as err:
        if err.partial.strip():
            raise BrokenStreamError("Connection closed in the middle of an event header") from err
        return None
    except asyncio.LimitOverrunError as err:
        raise BrokenStreamError(
            f"Event header longer than {MAX_HEADER_BYTES} bytes: not a Wyoming stream"
        ) from err

    header = _parse_header(line)
    data_length = _length(header, "data_length", MAX_DATA_BYTES)
    payload_length = _length(header, "payload_length", MAX_PAYLOAD_BYTES)
    try:
        data_bytes = await reader.readexactly(data_length) if data_length else b""
        payload = await reader.readexactly(payload_length) if payload_length else None
    except asyncio.IncompleteReadError as err:
        raise BrokenStreamError("Connection closed in the middle of an event") from err

    data = _object(header.get("data") or {}, "data")
    if data_bytes:
        data = {**data, **_object(_json(data_bytes, "event data"), "event data")}
    return Event(type=header["type"], data=data, payload=payload)


def _parse_header(line: bytes) -> dict[str, Any]:
    if not line.strip():
        raise MalformedEventError("Empty event header line")
    header = _object(_json(line, "event header"), "event header")
    if not isinstance(header.get("type"), str) or not header["type"]:
        raise MalformedEventError("Event header has no type")
    return header


def _length(header: dict[str, Any], key: str, limit: int) -> int:
    value = header.get(key)
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
        # The bytes that follow can't be skipped safely: their length is the bad value.
        raise BrokenStreamError(f"{key} {value!r} is outside 0..{limit}")
    return value


def _json(raw: bytes, what: str) -> Any:
    try:
        return parse_json(raw)
    except UntrustedJsonError as err:
        raise MalformedEventError(f"{what} is not valid JSON: {err}") from err


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedEventError(f"{what} must be a JSON object")
    return value
