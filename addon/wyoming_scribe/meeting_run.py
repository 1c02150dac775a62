"""One meeting from its first byte of audio to its final status.

Two tasks share the work. Capture takes audio from the source and appends it to the meeting's
``audio.pcm``; it never waits for the decoder, so a live microphone is always read. Transcription
follows that file a little behind, feeding the engine, and appends each committed segment to the
store. Audio therefore never sits whole in memory, however long the meeting, and a meeting found
unfinished after a crash is completed by the same transcription task started further in.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
from collections.abc import Callable

from .audio_format import TARGET_RATE, pcm16_to_float
from .audio_source import AudioSource, SourceError
from .decode_queue import Priority
from .engine import Engine, ModelUnavailableError, TranscriptionStream
from .event_bus import EventBus, MeetingEvent
from .meeting import Meeting, Source, Status, segment_json, utc_now
from .meeting_store import BYTES_PER_SECOND, AudioWriter, MeetingStore
from .segmenter import MEETING
from .transcriber import DecodeOptions, TextSegment

_LOGGER = logging.getLogger(__name__)
FEED_BYTES = BYTES_PER_SECOND  # up to 1 s of audio per feed
MIN_FEED_BYTES = BYTES_PER_SECOND // 10  # while the meeting runs, wait for 0.1 s at least


class NotRecordingError(RuntimeError):
    """Only a meeting that is recording can be stopped."""


def disk_fault(err: OSError) -> str:
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return "The disk is full: recording stopped, everything recorded so far is kept"
    return f"Could not write the recording: {err.strerror or err}"


class MeetingRun:
    """Records (when it has a source) and transcribes one meeting."""

    def __init__(
        self,
        meeting: Meeting,
        store: MeetingStore,
        engine: Engine,
        bus: EventBus,
        source: AudioSource | None,
    ) -> None:
        self.meeting = meeting
        self._store = store
        self._engine = engine
        self._bus = bus
        self._source = source
        # A meeting resumed after a crash keeps its segments and goes on after the last one.
        self.segments: list[TextSegment] = store.segments(meeting.id)
        self.segments_saved = True
        self._resume_at_s = self.segments[-1].end if self.segments else 0.0
        self._audio_size = 0 if source else store.audio_bytes(meeting.id)
        self._audio_complete = source is None
        self._audio_changed = asyncio.Event()
        self._recording_ended = asyncio.Event()
        self._fault: str | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self, on_done: Callable[[MeetingRun], None]) -> None:
        self._task = asyncio.create_task(self._run(), name=f"meeting-{self.meeting.id}")
        self._task.add_done_callback(lambda _task: on_done(self))

    async def stop(self) -> None:
        """End the recording; transcription of what is left goes on."""
        if self.meeting.status is not Status.RECORDING or self._source is None:
            raise NotRecordingError(f"Meeting {self.meeting.id} is not recording")
        await self._source.close()
        await self._recording_ended.wait()

    async def cancel(self) -> None:
        """Stop working on the meeting; the next start finishes it, as after a crash."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        capture = asyncio.create_task(self._capture()) if self._source else None
        try:
            failure = await self._transcribe()
            if capture is not None:
                try:
                    await capture
                except Exception as err:
                    _LOGGER.exception("Meeting %s: recording failed", self.meeting.id)
                    failure = failure or f"Recording failed: {err}"
        finally:
            if capture is not None and not capture.done():
                capture.cancel()
                await asyncio.gather(capture, return_exceptions=True)
            self._recording_ended.set()
        self._finish(failure)

    # Capture: source → audio.pcm

    async def _capture(self) -> None:
        assert self._source is not None
        writer = None
        try:
            writer = self._store.audio_writer(self.meeting.id)
            async for pcm in self._source.chunks():
                writer.append(pcm)
                self._audio_grew(writer)
        except SourceError as err:
            self._fault = str(err)
        except OSError as err:
            self._fault = disk_fault(err)
        finally:
            await self._close_capture(writer)
        if self._fault:
            _LOGGER.warning("Meeting %s: %s", self.meeting.id, self._fault)
        if self.meeting.source is Source.FILE:
            self._store.upload_path(self.meeting.id).unlink(missing_ok=True)
        self._end_recording()

    async def _close_capture(self, writer: AudioWriter | None) -> None:
        assert self._source is not None
        with contextlib.suppress(SourceError, OSError):
            await self._source.close()
        if writer is not None:
            self._audio_grew(writer)  # a write cut short by a full disk still left its bytes
            try:
                await writer.close()
            except OSError as err:
                self._fault = self._fault or disk_fault(err)
        self._audio_complete = True
        self._audio_changed.set()

    def _audio_grew(self, writer: AudioWriter) -> None:
        self._audio_size = writer.size - writer.size % 2
        self.meeting.duration_s = self._audio_size / BYTES_PER_SECOND
        self._audio_changed.set()

    def _end_recording(self) -> None:
        meeting = self.meeting
        changed = meeting.status is Status.RECORDING or self._fault is not None
        if meeting.status is Status.RECORDING:
            meeting.status = Status.FINALIZING
            meeting.ended_at = utc_now()
        meeting.error = self._fault
        self._recording_ended.set()
        if changed:
            self._save_and_announce()

    # Transcription: audio.pcm → engine → segments.jsonl

    async def _transcribe(self) -> str | None:
        """Transcribe until the audio is complete and decoded; the reason if it fails."""
        meeting = self.meeting
        names = [p.name for p in meeting.participants if p.name]
        options = DecodeOptions(language=meeting.language, hotwords=", ".join(names) or None)
        priority = Priority.FILE if meeting.source is Source.FILE else Priority.MEETING
        stream = self._engine.open_stream(priority, MEETING, options)
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._feed(stream))
                group.create_task(self._collect(stream))
        except ExceptionGroup as errors:
            error = errors.exceptions[0]
            if isinstance(error, ModelUnavailableError):
                return str(error)
            _LOGGER.error("Meeting %s: transcription failed", meeting.id, exc_info=error)  # noqa: TRY400
            return f"Transcription failed: {error}"
        finally:
            stream.cancel()
            meeting.language = stream.language
        return None

    async def _feed(self, stream: TranscriptionStream) -> None:
        position = int(self._resume_at_s * TARGET_RATE) * 2
        with self._store.audio_path(self.meeting.id).open("rb") as audio:
            audio.seek(position)
            while True:
                available = self._audio_size - position
                if available >= MIN_FEED_BYTES or (self._audio_complete and available > 0):
                    pcm = audio.read(min(available, FEED_BYTES))
                    position += len(pcm)
                    await stream.add_audio(pcm16_to_float(pcm))
                elif self._audio_complete:
                    break
                else:
                    self._audio_changed.clear()
                    await self._audio_changed.wait()
        await stream.finish()

    async def _collect(self, stream: TranscriptionStream) -> None:
        log = self._store.segment_log(self.meeting.id)
        offset = self._resume_at_s
        async for decoded in stream.results():
            segment = TextSegment(
                round(decoded.start + offset, 2), round(decoded.end + offset, 2), decoded.text
            )
            self.segments.append(segment)
            self.meeting.language = stream.language  # the one given, or the best witness yet
            try:
                await log.append(segment)
            except OSError as err:
                self.segments_saved = False
                _LOGGER.warning("Meeting %s: segment not saved: %s", self.meeting.id, err)
            data = {"meeting_id": self.meeting.id, **segment_json(segment)}
            self._bus.publish(MeetingEvent("segment", self.meeting.id, data))

    def _finish(self, failure: str | None) -> None:
        meeting = self.meeting
        if failure:
            meeting.status, meeting.error = Status.FAILED, failure
        elif self._fault:
            meeting.status, meeting.error = Status.INTERRUPTED, self._fault
        else:
            meeting.status = Status.DONE
        if meeting.ended_at is None:
            meeting.ended_at = utc_now()
        _LOGGER.info(
            "Meeting %s %s: %.1f s of audio, %d segments",
            meeting.id,
            meeting.status,
            meeting.duration_s,
            len(self.segments),
        )
        self._save_and_announce()

    def _save_and_announce(self) -> None:
        try:
            self._store.save(self.meeting)
        except OSError as err:
            _LOGGER.warning("Meeting %s: could not save its state: %s", self.meeting.id, err)
        self._bus.publish(MeetingEvent("status", self.meeting.id, self.meeting.summary()))
