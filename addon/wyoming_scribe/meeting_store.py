"""Meetings on disk, written as they happen so that a crash or power cut loses at most a second.

One folder per meeting under the recordings dir:

- ``meeting.json``: the meeting without its segments, replaced atomically (temp, fsync, rename);
- ``status``: its status and error again, in room reserved up front, so that they are recorded
  even when a full disk keeps ``meeting.json`` from being replaced (``status_record``);
- ``audio.pcm``: the recording, raw 16 kHz mono s16, appended as it arrives, fsynced each second;
- ``segments.jsonl``: one committed segment per line, appended and fsynced as each is decoded
  (replaced whole when the meeting is done, if its speaker labels were revised);
- ``upload``: an uploaded file, kept only until its audio is all in ``audio.pcm``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from .audio_format import TARGET_RATE
from .meeting import MEETING_ID, Meeting, segment_from_json, segment_json
from .status_record import StatusRecord
from .transcriber import TextSegment

_LOGGER = logging.getLogger(__name__)

BYTES_PER_SECOND = TARGET_RATE * 2  # the recording: 16 kHz mono s16
SYNC_EVERY_S = 1.0
_MEETING_FILE = "meeting.json"
_AUDIO_FILE = "audio.pcm"
_SEGMENTS_FILE = "segments.jsonl"
_STATUS_FILE = "status"
_UPLOAD_FILE = "upload"
_UPLOAD_PREFIX = ".upload-"
# Meetings are the most private data here: only the server's user may read them.
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


class MeetingStore:
    """The recordings dir: creates, reads, updates and deletes meeting folders."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def prepare(self) -> None:
        """Create the recordings dir; drop uploads a crash left half-received."""
        self.root.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        _make_private(self.root)
        for stale in self.root.glob(f"{_UPLOAD_PREFIX}*"):
            _LOGGER.info("Removing unfinished upload %s", stale.name)
            stale.unlink(missing_ok=True)

    def folder(self, meeting_id: str) -> Path:
        if not MEETING_ID.match(meeting_id):
            raise ValueError(f"Not a meeting id: {meeting_id!r}")
        return self.root / meeting_id

    def create(self, meeting: Meeting, upload: Path | None = None) -> None:
        """A new folder with the meeting and empty audio and segments (and the upload, moved in)."""
        folder = self.folder(meeting.id)
        folder.mkdir(mode=PRIVATE_FOLDER)
        try:
            (folder / _AUDIO_FILE).touch(mode=PRIVATE_FILE)
            (folder / _SEGMENTS_FILE).touch(mode=PRIVATE_FILE)
            self._status(meeting.id).create(PRIVATE_FILE)
            if upload is not None:
                upload.rename(folder / _UPLOAD_FILE)
            self.save(meeting)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    def save(self, meeting: Meeting) -> None:
        """Record the status durably, then replace ``meeting.json`` (a crash leaves the old or the
        new one, never half). Raises OSError only when the status itself could not be recorded:
        a full disk that keeps ``meeting.json`` as it was is logged."""
        summary = meeting.summary()
        status = self._status(meeting.id)
        if not status.path.exists():  # a meeting from an older version
            status.create(PRIVATE_FILE)
        status.write(summary)
        try:
            self._replace_meeting_file(meeting.id, summary)
        except OSError as err:
            if err.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            _LOGGER.warning(
                "Meeting %s: the disk is full; its status (%s) is kept in its status record",
                meeting.id,
                meeting.status,
            )

    def _replace_meeting_file(self, meeting_id: str, summary: dict[str, object]) -> None:
        data = json.dumps(summary, ensure_ascii=False, indent=1).encode()
        _replace(self.folder(meeting_id) / _MEETING_FILE, data)

    def rewrite_segments(self, meeting_id: str, segments: list[TextSegment]) -> None:
        """Replace ``segments.jsonl`` whole (speaker labels revised), atomically like ``save``."""
        lines = (json.dumps(segment_json(s), ensure_ascii=False) + "\n" for s in segments)
        _replace(self.folder(meeting_id) / _SEGMENTS_FILE, "".join(lines).encode())

    def load_all(self) -> list[Meeting]:
        """Every meeting on disk (a folder that cannot be read is logged and skipped)."""
        meetings: list[Meeting] = []
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir() or not MEETING_ID.match(folder.name):
                continue
            try:
                meeting = self._load(folder)
            except (OSError, ValueError, KeyError, TypeError) as err:
                _LOGGER.warning("Skipping unreadable meeting %s: %s", folder.name, err)
                continue
            meetings.append(meeting)
        return meetings

    def _load(self, folder: Path) -> Meeting:
        data = json.loads((folder / _MEETING_FILE).read_text())
        status = StatusRecord(folder / _STATUS_FILE).read()
        meeting = Meeting.from_summary({**data, **status} if status else data)
        if meeting.id != folder.name:
            raise ValueError(f"meeting.json names {meeting.id}")
        # The audio file is the truth about the length (meeting.json is only saved now and then).
        meeting.duration_s = self.audio_bytes(meeting.id) / BYTES_PER_SECOND
        return meeting

    def delete(self, meeting_id: str) -> None:
        shutil.rmtree(self.folder(meeting_id), ignore_errors=True)

    def segments(self, meeting_id: str) -> list[TextSegment]:
        """The committed segments; a line cut short by a crash is skipped."""
        path = self.folder(meeting_id) / _SEGMENTS_FILE
        segments: list[TextSegment] = []
        try:
            lines = path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return segments
        for line in lines:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                segments.append(segment_from_json(json.loads(line)))
        return segments

    def _status(self, meeting_id: str) -> StatusRecord:
        return StatusRecord(self.folder(meeting_id) / _STATUS_FILE)

    def audio_path(self, meeting_id: str) -> Path:
        return self.folder(meeting_id) / _AUDIO_FILE

    def audio_bytes(self, meeting_id: str) -> int:
        """Length of the recording in whole samples' bytes."""
        try:
            size = self.audio_path(meeting_id).stat().st_size
        except FileNotFoundError:
            return 0
        return size - size % 2

    def upload_path(self, meeting_id: str) -> Path:
        return self.folder(meeting_id) / _UPLOAD_FILE

    def new_upload(self) -> Path:
        """A temp file for an upload being received (removed by ``prepare`` if we crash)."""
        handle, name = tempfile.mkstemp(dir=self.root, prefix=_UPLOAD_PREFIX)
        os.close(handle)
        return Path(name)

    def audio_writer(self, meeting_id: str) -> AudioWriter:
        return AudioWriter(self.audio_path(meeting_id))

    def segment_log(self, meeting_id: str) -> SegmentLog:
        return SegmentLog(self.folder(meeting_id) / _SEGMENTS_FILE)


class AudioWriter:
    """Appends PCM to ``audio.pcm``; the kernel has every byte at once, the disk within a second.

    Writes go straight to the file descriptor (no user-space buffer), so a reader of the same
    file sees them immediately and a killed process loses nothing the kernel already has.
    """

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
        self.size = os.fstat(self._fd).st_size
        self._synced_at = time.monotonic()
        self._syncing: asyncio.Task[None] | None = None

    def append(self, pcm: bytes) -> None:
        """Raises OSError (ENOSPC when the disk is full)."""
        view = memoryview(pcm)
        while view:
            written = os.write(self._fd, view)
            self.size += written
            view = view[written:]
        if time.monotonic() - self._synced_at >= SYNC_EVERY_S:
            self._sync_soon()

    def _sync_soon(self) -> None:
        if self._syncing is not None and not self._syncing.done():
            return
        self._synced_at = time.monotonic()
        self._syncing = asyncio.create_task(asyncio.to_thread(os.fsync, self._fd))

    async def close(self) -> None:
        """Flush to disk and close; safe to call twice."""
        if self._fd < 0:
            return
        fd, self._fd = self._fd, -1
        try:
            if self._syncing is not None:
                with contextlib.suppress(OSError):
                    await self._syncing
            await asyncio.to_thread(os.fsync, fd)
        finally:
            os.close(fd)


class SegmentLog:
    """Appends one JSON line per committed segment."""

    def __init__(self, path: Path) -> None:
        self._path = path

    async def append(self, segment: TextSegment) -> None:
        line = json.dumps(segment_json(segment), ensure_ascii=False) + "\n"
        await asyncio.to_thread(self._append_line, line.encode())

    def _append_line(self, line: bytes) -> None:
        fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)


def _replace(path: Path, data: bytes) -> None:
    """Write beside ``path``, fsync, rename over ``path``: a crash leaves the old or the new."""
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.stem}-", delete=False) as tmp:
        try:
            os.fchmod(tmp.fileno(), PRIVATE_FILE)
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        except BaseException:
            Path(tmp.name).unlink(missing_ok=True)
            raise
    Path(tmp.name).replace(path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_private(root: Path) -> None:
    """Meeting folders and files that an older version left readable to all become private."""
    for folder in root.iterdir():
        if not MEETING_ID.match(folder.name) or not folder.is_dir() or folder.is_symlink():
            continue
        with contextlib.suppress(OSError):
            if folder.stat().st_mode & 0o077:
                folder.chmod(PRIVATE_FOLDER)
                for path in folder.iterdir():
                    if path.is_file() and not path.is_symlink():
                        path.chmod(PRIVATE_FILE)
