"""The recording as a WAV file, with HTTP range requests so that a player can seek in it.

On disk a recording is raw PCM (``audio.pcm``); the WAV header in front of it is made on the fly,
so the file served is virtual and aiohttp's ``FileResponse`` (which handles ranges for real files)
cannot serve it. This module answers ``Range: bytes=…`` itself: one range per request, which is
what browsers' media players ask for.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from .audio_format import wav_header
from .http_errors import ApiError
from .meeting_service import MeetingService

HEADER_BYTES = 44
_CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True, slots=True)
class ByteRange:
    """``first`` to ``last`` inclusive, of a file of ``total`` bytes."""

    first: int
    last: int
    total: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    def content_range(self) -> str:
        return f"bytes {self.first}-{self.last}/{self.total}"


class UnsatisfiableRangeError(ValueError):
    def __init__(self, total: int) -> None:
        super().__init__(f"The recording has {total} bytes")
        self.total = total


def parse_range(header: str | None, total: int) -> ByteRange | None:
    """The range a ``Range`` header asks for; None for the whole file (no header, several
    ranges, or a unit other than bytes: a server may always answer those with everything).
    Raises ``UnsatisfiableRangeError`` for a range that starts past the end."""
    match = _RANGE.match((header or "").replace(" ", ""))
    if match is None or match[1] == match[2] == "":
        return None
    if match[1] == "":  # the last N bytes
        suffix = int(match[2])
        if suffix == 0:
            raise UnsatisfiableRangeError(total)
        return ByteRange(max(0, total - suffix), total - 1, total)
    first = int(match[1])
    last = min(int(match[2]), total - 1) if match[2] else total - 1
    if first >= total or last < first:
        raise UnsatisfiableRangeError(total)
    return ByteRange(first, last, total)


async def serve_wav(
    request: web.Request, service: MeetingService, meeting_id: str
) -> web.StreamResponse:
    """``GET /api/meetings/{id}/audio``: the whole recording, or the range asked for."""
    path, pcm_bytes = service.audio(meeting_id)
    total = HEADER_BYTES + pcm_bytes
    try:
        wanted = parse_range(request.headers.get("Range"), total)
    except UnsatisfiableRangeError as err:
        refusal = ApiError(416, "range_not_satisfiable", str(err)).response()
        refusal.headers["Content-Range"] = f"bytes */{total}"
        return refusal
    part = wanted or ByteRange(0, total - 1, total)
    response = web.StreamResponse(
        status=206 if wanted else 200,
        headers={
            "Content-Type": "audio/wav",
            "Accept-Ranges": "bytes",
            "Content-Disposition": f'attachment; filename="{meeting_id}.wav"',
            "Cache-Control": "no-cache",
        },
    )
    if wanted:
        response.headers["Content-Range"] = part.content_range()
    response.content_length = part.length
    await response.prepare(request)
    if request.method != "HEAD":
        await _write_part(response, path, pcm_bytes, part)
    return response


async def _write_part(
    response: web.StreamResponse, path: Path, pcm_bytes: int, part: ByteRange
) -> None:
    header = wav_header(pcm_bytes)[part.first : part.last + 1]
    await response.write(header)
    start = max(0, part.first - HEADER_BYTES)
    remaining = part.length - len(header)
    with path.open("rb") as audio:
        audio.seek(start)
        while remaining > 0:
            chunk = await asyncio.to_thread(audio.read, min(_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            await response.write(chunk)
    # A recording that shrank (deleted meanwhile) still gets the promised length.
    if remaining > 0:
        await response.write(bytes(remaining))
