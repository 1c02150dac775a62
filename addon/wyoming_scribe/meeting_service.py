"""The meetings of this server: start, stop, read, delete, and finish those a crash left behind.

The HTTP API is a thin door onto this; it holds no meeting logic of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from datetime import datetime
from pathlib import Path

from .audio_source import AudioSource
from .engine import Engine
from .event_bus import EventBus, MeetingEvent
from .file_source import FileSource, check_audio
from .meeting import (
    Meeting,
    MeetingRequest,
    MeetingRequestError,
    Source,
    Status,
    new_meeting_id,
    utc_now,
)
from .meeting_run import MeetingRun, NotRecordingError
from .meeting_store import MeetingStore
from .mic_source import MicSource
from .recovery import needs_recovery, prepare_recovery
from .settings import Settings
from .transcriber import TextSegment

_LOGGER = logging.getLogger(__name__)


class MeetingNotFoundError(KeyError):
    def __str__(self) -> str:
        return f"No meeting with id {self.args[0]}"


class AlreadyRecordingError(RuntimeError):
    """The microphone is busy with another meeting."""


class MeetingService:
    def __init__(
        self, settings: Settings, engine: Engine, store: MeetingStore, bus: EventBus
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._store = store
        self.bus = bus
        self._meetings: dict[str, Meeting] = {}
        self._runs: dict[str, MeetingRun] = {}
        self._starting = asyncio.Lock()

    async def open(self) -> None:
        """Load the meetings on disk and finish those a crash left unfinished."""
        self._store.prepare()
        for meeting in self._store.load_all():
            self._meetings[meeting.id] = meeting
            if needs_recovery(meeting):
                self._launch(meeting, prepare_recovery(meeting, self._store))
        _LOGGER.info("%d meetings in %s", len(self._meetings), self._store.root)

    async def close(self) -> None:
        """Stop all work; an unfinished meeting is completed on the next start."""
        runs = list(self._runs.values())
        await asyncio.gather(*(run.cancel() for run in runs))

    @property
    def recording_id(self) -> str | None:
        for run in self._runs.values():
            if run.meeting.status is Status.RECORDING:
                return run.meeting.id
        return None

    def list_meetings(self) -> list[Meeting]:
        """Newest first."""
        return sorted(self._meetings.values(), key=lambda m: (m.started_at, m.id), reverse=True)

    def search(self, query: str) -> list[Meeting]:
        """Newest first, the meetings whose title or transcript holds every word of ``query``
        in any case)."""
        words = query.casefold().split()

        def matches(meeting: Meeting) -> bool:
            text = " ".join([meeting.title, *(s.text for s in self.segments(meeting.id))])
            folded = text.casefold()
            return all(word in folded for word in words)

        return [meeting for meeting in self.list_meetings() if matches(meeting)]

    def disk_free_bytes(self) -> int | None:
        """Free space on the disk holding the recordings (None if it cannot be read)."""
        try:
            return shutil.disk_usage(self._store.root).free
        except OSError:
            return None

    def get(self, meeting_id: str) -> Meeting:
        try:
            return self._meetings[meeting_id]
        except KeyError:
            raise MeetingNotFoundError(meeting_id) from None

    def segments(self, meeting_id: str) -> list[TextSegment]:
        self.get(meeting_id)
        run = self._runs.get(meeting_id)
        return list(run.segments) if run else self._store.segments(meeting_id)

    def audio(self, meeting_id: str) -> tuple[Path, int]:
        """The recording's raw PCM file and how many bytes of it are there now."""
        self.get(meeting_id)
        return self._store.audio_path(meeting_id), self._store.audio_bytes(meeting_id)

    def new_upload(self) -> Path:
        """A temp file in the recordings dir for an upload being received."""
        return self._store.new_upload()

    async def start_mic(self, request: MeetingRequest) -> Meeting:
        async with self._starting:
            if (busy := self.recording_id) is not None:
                raise AlreadyRecordingError(f"Meeting {busy} is recording; stop it first")
            await self._check_request(request)
            meeting = self._new_meeting(request, Source.MIC, Status.RECORDING, "Meeting")
            mic = MicSource(self._settings.mic_command)
            await mic.start()
            try:
                self._store.create(meeting)
            except BaseException:
                await mic.close()
                raise
            self._launch(meeting, mic)
        _LOGGER.info("Meeting %s recording from the microphone", meeting.id)
        return meeting

    async def start_file(self, upload: Path, request: MeetingRequest, filename: str) -> Meeting:
        """An uploaded file becomes a meeting; the upload is moved into it (or left to the caller
        to remove when this raises)."""
        await self._check_request(request)
        await asyncio.to_thread(check_audio, upload)
        title = request.title or Path(filename).stem or None
        request = MeetingRequest(title, request.participants, request.language)
        meeting = self._new_meeting(request, Source.FILE, Status.FINALIZING, "Upload")
        self._store.create(meeting, upload=upload)
        self._launch(meeting, FileSource(self._store.upload_path(meeting.id)))
        _LOGGER.info("Meeting %s transcribing the upload %s", meeting.id, filename)
        return meeting

    async def stop(self, meeting_id: str) -> Meeting:
        meeting = self.get(meeting_id)
        run = self._runs.get(meeting_id)
        if run is None:
            raise NotRecordingError(f"Meeting {meeting_id} is not recording")
        await run.stop()
        return meeting

    async def delete(self, meeting_id: str) -> None:
        self.get(meeting_id)
        run = self._runs.pop(meeting_id, None)
        if run is not None:
            if run.meeting.status is Status.RECORDING:
                with contextlib.suppress(RuntimeError):
                    await run.stop()
            await run.cancel()
        self._meetings.pop(meeting_id, None)
        await asyncio.to_thread(self._store.delete, meeting_id)
        self.bus.publish(MeetingEvent("deleted", meeting_id, {}))
        _LOGGER.info("Meeting %s deleted", meeting_id)

    async def _check_request(self, request: MeetingRequest) -> None:
        if self._engine.status == "loading":
            return  # record at once; the first segment waits for the model
        # A model that failed raises ModelUnavailableError here, once retried if a retry is due.
        transcriber = await self._engine.transcriber()
        if request.language and request.language not in transcriber.languages:
            raise MeetingRequestError(f"The model does not know the language {request.language!r}")

    def _new_meeting(
        self, request: MeetingRequest, source: Source, status: Status, kind: str
    ) -> Meeting:
        now = utc_now()
        return Meeting(
            id=new_meeting_id(now),
            title=request.title or f"{kind} {datetime.now().astimezone():%Y-%m-%d %H:%M}",
            participants=request.participants,
            language=request.language,
            source=source,
            status=status,
            started_at=now,
        )

    def _launch(self, meeting: Meeting, source: AudioSource | None) -> None:
        self._meetings[meeting.id] = meeting
        run = MeetingRun(meeting, self._store, self._engine, self.bus, source)
        self._runs[meeting.id] = run
        run.start(self._run_done)
        self.bus.publish(MeetingEvent("status", meeting.id, meeting.summary()))

    def _run_done(self, run: MeetingRun) -> None:
        # Segments a full disk kept from being saved stay in memory, served from the run.
        if run.segments_saved and self._runs.get(run.meeting.id) is run:
            del self._runs[run.meeting.id]
