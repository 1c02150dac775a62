"""Meetings a crash or power cut left unfinished: found on start and completed.

Their audio and committed segments are on disk; transcription goes on after the last committed
segment. An upload whose audio was not all decoded yet is decoded again from its start.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from .audio_source import AudioSource
from .file_source import FileSource
from .meeting import Meeting, Source, Status
from .meeting_store import MeetingStore

_LOGGER = logging.getLogger(__name__)


def needs_recovery(meeting: Meeting) -> bool:
    return meeting.status in (Status.RECORDING, Status.FINALIZING)


def prepare_recovery(meeting: Meeting, store: MeetingStore) -> AudioSource | None:
    """Mark the meeting recovered and finalizing; the source still to decode, if any."""
    _LOGGER.info("Recovering meeting %s (%s)", meeting.id, meeting.status)
    meeting.recovered = True
    if meeting.status is Status.RECORDING:
        # The recording ended when the server did; its audio says when that was.
        meeting.ended_at = meeting.started_at + timedelta(seconds=round(meeting.duration_s))
    meeting.status = Status.FINALIZING
    upload = store.upload_path(meeting.id)
    if meeting.source is Source.FILE and upload.exists():
        store.audio_path(meeting.id).write_bytes(b"")
        meeting.duration_s = 0.0
        return FileSource(upload)
    return None
