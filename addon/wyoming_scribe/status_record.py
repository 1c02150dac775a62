"""A meeting's status, written in place into room reserved when the meeting was created.

``meeting.json`` is replaced whole on each save, which needs free space: on a full disk it keeps
its old contents. The status (and the error that says why) must survive that, and a restart, so
it is also kept in ``status``: two fixed slots allocated when the folder is made, overwritten in
place, which needs no new space. Each write goes to the older slot with a higher sequence number
and a checksum, so a crash in the middle of a write leaves the other slot whole; reading takes
the newest whole slot.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from pathlib import Path
from typing import Any

SLOT_BYTES = 2048
FIELDS = ("status", "error", "ended_at", "recovered")
_HEADER = 20  # "<sequence 10 digits> <crc32 8 hex>\n"


class StatusRecord:
    def __init__(self, path: Path) -> None:
        self.path = path

    def create(self, mode: int) -> None:
        """Reserve the two slots (empty: a meeting without a status yet)."""
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            os.write(fd, bytes(2 * SLOT_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> dict[str, Any] | None:
        """The newest status written, or None (no record, or none written yet)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        slots = [_decode(raw[i * SLOT_BYTES : (i + 1) * SLOT_BYTES]) for i in (0, 1)]
        written = [slot for slot in slots if slot is not None]
        return max(written, key=lambda slot: slot[0])[1] if written else None

    def write(self, summary: dict[str, Any]) -> None:
        """Durably record the status fields of ``summary`` (raises OSError)."""
        fields = {key: summary.get(key) for key in FIELDS}
        fd = os.open(self.path, os.O_RDWR)
        try:
            raw = os.pread(fd, 2 * SLOT_BYTES, 0)
            sequences = [_decode(raw[i * SLOT_BYTES : (i + 1) * SLOT_BYTES]) for i in (0, 1)]
            newest = max((slot[0] for slot in sequences if slot is not None), default=0)
            slot = 1 if sequences[0] is not None and sequences[0][0] == newest else 0
            os.pwrite(fd, _encode(newest + 1, fields), slot * SLOT_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)


def _encode(sequence: int, fields: dict[str, Any]) -> bytes:
    body = json.dumps(fields, ensure_ascii=True).encode()
    while len(body) > SLOT_BYTES - _HEADER:  # only a long error can make it so: cut it
        error = str(fields["error"])
        fields = {**fields, "error": error[: len(error) // 2] + "…"}
        body = json.dumps(fields, ensure_ascii=True).encode()
    header = f"{sequence:010d} {zlib.crc32(body):08x}\n".encode()
    return (header + body).ljust(SLOT_BYTES, b"\0")


def _decode(slot: bytes) -> tuple[int, dict[str, Any]] | None:
    body = slot[_HEADER:].rstrip(b"\0")
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        sequence, checksum = slot[: _HEADER - 1].decode().split(" ")
        if int(checksum, 16) == zlib.crc32(body):
            fields = json.loads(body)
            if isinstance(fields, dict):
                return int(sequence), fields
    return None
