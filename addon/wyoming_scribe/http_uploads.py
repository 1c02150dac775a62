"""Receiving an upload for ``POST /api/transcriptions``: streamed to a temp file, size-capped.

Either ``multipart/form-data`` (a ``file`` field and optional ``title``, ``language``,
``participants`` and ``vocabulary`` fields) or the raw file as the body (``audio/*`` or
``application/octet-stream``, fields in the query string).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from .http_errors import ApiError
from .untrusted_json import UntrustedJsonError, parse_json

FIELDS = ("title", "language", "participants", "vocabulary")
MAX_FIELD_BYTES = 64 * 1024
_WRITE_BATCH = 1024 * 1024


@dataclass
class Upload:
    path: Path
    filename: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    def participants(self) -> Any:
        raw = self.fields.get("participants")
        return self._json_list("participants") if raw else None

    def vocabulary(self) -> Any:
        """A JSON list of terms, or the terms separated by commas."""
        raw = self.fields.get("vocabulary", "")
        return self._json_list("vocabulary") if raw.lstrip().startswith("[") else raw

    def _json_list(self, name: str) -> Any:
        try:
            return parse_json(self.fields[name])
        except UntrustedJsonError as err:
            raise ApiError(400, "bad_request", f"{name} is not a JSON list: {err}") from err


async def receive_upload(request: web.Request, temp_path: Path, max_bytes: int) -> Upload:
    """The upload in ``temp_path``; on any rejection the temp file is removed."""
    upload = Upload(temp_path)
    try:
        await _receive(request, upload, max_bytes)
    except BaseException:
        _discard(temp_path)
        raise
    return upload


async def _receive(request: web.Request, upload: Upload, max_bytes: int) -> None:
    declared = request.content_length
    if declared is not None and declared > max_bytes + MAX_FIELD_BYTES:
        raise _too_large(max_bytes)
    content_type = request.content_type
    if content_type == "multipart/form-data":
        await _receive_multipart(request, upload, max_bytes)
    elif content_type.startswith("audio/") or content_type == "application/octet-stream":
        await _save(request.content.iter_chunked(64 * 1024), upload.path, max_bytes)
        upload.fields = {k: v for k, v in request.query.items() if k in FIELDS}
        upload.filename = request.query.get("filename", "")
    else:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"Send the file as multipart/form-data or as audio/*, not {content_type}",
        )


def _discard(path: Path) -> None:
    path.unlink(missing_ok=True)


async def _receive_multipart(request: web.Request, upload: Upload, max_bytes: int) -> None:
    reader = await request.multipart()
    has_file = False
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file" and not has_file:
            has_file = True
            # aiohttp's client percent-encodes file names; browsers send them as they are.
            upload.filename = unquote(part.filename or "")
            await _save(_part_chunks(part), upload.path, max_bytes)
        elif part.name in FIELDS:
            upload.fields[part.name] = await _small_field(part)
        else:
            await part.release()
    if not has_file:
        raise ApiError(400, "bad_request", "The multipart upload has no 'file' field")


async def _part_chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    while chunk := await part.read_chunk(64 * 1024):
        yield chunk


async def _small_field(part: BodyPartReader) -> str:
    data = b""
    async for chunk in _part_chunks(part):
        data += chunk
        if len(data) > MAX_FIELD_BYTES:
            raise ApiError(400, "bad_request", f"The field {part.name} is too long")
    return data.decode(errors="replace")


async def _save(chunks: AsyncIterator[bytes], path: Path, max_bytes: int) -> None:
    """Write the chunks to ``path``, in batches on a worker thread; stop at ``max_bytes``."""
    size = written = 0
    batch: list[bytes] = []
    with path.open("wb") as out:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(max_bytes)
            batch.append(chunk)
            if size - written >= _WRITE_BATCH:
                await _write(out, batch)
                batch, written = [], size
        await _write(out, batch)


async def _write(out: BinaryIO, batch: list[bytes]) -> None:
    if batch:
        await asyncio.to_thread(out.write, b"".join(batch))


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(413, "too_large", f"The upload is larger than {max_bytes // 2**20} MB")
