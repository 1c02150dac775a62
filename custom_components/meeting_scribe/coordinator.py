"""One server's live state, kept up to date from its event stream (no polling), and the
actions that change it: start, stop, transcribe a file."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .api import ScribeAuthError, ScribeClient, ScribeError
from .const import (
    DOMAIN,
    EVENT_MEETING_STARTED,
    ISSUE_SERVER_UNREACHABLE,
    LOGGER,
)
from .delivery import FinishedMeeting, NotesDelivery
from .errors import translated_errors
from .event_stream import EventFollower
from .localized import async_default_title
from .models import (
    Health,
    HelloEvent,
    Meeting,
    MeetingEvent,
    MeetingStatus,
    Participant,
    SegmentEvent,
    ServerEvent,
)
from .notes import async_existing_notes
from .pending import PendingMeetings
from .settings import ScribeSettings
from .summary_store import SummaryStore

# How long the server may stay unreachable before a repair issue tells the user.
UNREACHABLE_ISSUE_AFTER = timedelta(minutes=5)

type MeetingScribeConfigEntry = ConfigEntry[ScribeCoordinator]


@dataclass(frozen=True, slots=True)
class LiveMeeting:
    """A meeting being recorded or transcribed, with what it has heard so far."""

    meeting: Meeting
    segments: int = 0
    last_text: str | None = None


@dataclass(slots=True)
class ScribeState:
    """What the entities show."""

    health: Health
    active: dict[str, LiveMeeting] = field(default_factory=dict)
    last: FinishedMeeting | None = None

    @property
    def current(self) -> LiveMeeting | None:
        """The microphone meeting, recording or finishing."""
        mic = [live for live in self.active.values() if live.meeting.source == "mic"]
        mic.sort(key=lambda live: live.meeting.status != "recording")
        return mic[0] if mic else None

    @property
    def status(self) -> str:
        if current := self.current:
            return current.meeting.status.value
        return "transcribing" if self.active else "idle"


class ScribeCoordinator(DataUpdateCoordinator[ScribeState]):
    """Follows one server; entities are unavailable while its stream is down."""

    config_entry: MeetingScribeConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MeetingScribeConfigEntry,
        client: ScribeClient,
        health: Health,
    ) -> None:
        super().__init__(hass, LOGGER, config_entry=entry, name=entry.title)
        self.client = client
        self.data = ScribeState(health)
        self.follower = EventFollower(client, self)
        self._pending = PendingMeetings(hass, entry.entry_id)
        self._summaries = SummaryStore(hass, entry.entry_id)
        self.delivery = NotesDelivery(
            hass,
            entry,
            client,
            self._on_delivered,
            self._pending.discard,
            summaries=self._summaries,
        )
        self._down_since: datetime | None = None

    @property
    def settings(self) -> ScribeSettings:
        return self.delivery.settings

    @property
    def unique_id(self) -> str:
        return self.config_entry.unique_id or self.config_entry.entry_id

    async def async_start(self, meetings: list[Meeting]) -> None:
        """Show the newest finished meeting, then follow the stream in the background."""
        await self._pending.async_load()
        self.config_entry.async_on_unload(self._pending.async_flush)
        await self._summaries.async_load()
        self.config_entry.async_on_unload(self._summaries.async_flush)
        if last := next((m for m in meetings if not m.is_active), None):
            settings = self.settings
            files = await async_existing_notes(
                self.hass, settings.notes_folder, last, settings.export_formats
            )
            summary = self._summaries.get(last.id)
            self.data.last = FinishedMeeting(last, tuple(files), summary)
        self.config_entry.async_create_background_task(
            self.hass, self.follower.async_run(), f"{DOMAIN} event stream {self.client.base_url}"
        )

    # Actions

    async def async_start_meeting(
        self,
        title: str | None,
        participants: list[Participant],
        language: str | None,
        vocabulary: list[str] | None = None,
    ) -> Meeting:
        """Start recording from the server's microphone."""
        title = title or await async_default_title(self.hass)
        with translated_errors():
            meeting = await self.client.start_meeting(
                title, participants, language or self.settings.language, self._words(vocabulary)
            )
        self._on_meeting(meeting)
        self.async_update_listeners()
        return meeting

    async def async_stop_meeting(self, meeting_id: str | None = None) -> Meeting:
        """Stop the given meeting, or the one being recorded."""
        meeting_id = meeting_id or self.recording_meeting_id
        if meeting_id is None:
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="not_recording")
        with translated_errors():
            meeting = await self.client.stop_meeting(meeting_id)
        self._on_meeting(meeting)
        self.async_update_listeners()
        return meeting

    async def async_transcribe(
        self,
        path: Path,
        title: str,
        language: str | None,
        participants: list[Participant],
        vocabulary: list[str] | None = None,
    ) -> Meeting:
        """Upload an audio file; the server transcribes it as a meeting of its own."""
        audio = await self.hass.async_add_executor_job(path.open, "rb")
        try:
            with translated_errors():
                meeting = await self.client.upload(
                    audio,
                    path.name,
                    title,
                    language or self.settings.language,
                    participants,
                    vocabulary=self._words(vocabulary),
                )
        finally:
            await self.hass.async_add_executor_job(audio.close)
        self._on_meeting(meeting)
        self.async_update_listeners()
        return meeting

    def _words(self, vocabulary: list[str] | None) -> list[str]:
        """The glossary of the options and the action's own words, each once."""
        return list(dict.fromkeys([*self.settings.vocabulary, *(vocabulary or [])]))

    @property
    def recording_meeting_id(self) -> str | None:
        current = self.data.current
        if current and current.meeting.status == MeetingStatus.RECORDING:
            return current.meeting.id
        return None

    # Stream listener

    async def async_on_event(self, event: ServerEvent) -> None:
        match event:
            case HelloEvent(health):
                self.data.health = health
                self._mark_connected()
                self._reconcile(await self.client.list_meetings())
            case MeetingEvent(meeting):
                self._on_meeting(meeting)
            case SegmentEvent(meeting_id, segment):
                if live := self.data.active.get(meeting_id):
                    self.data.active[meeting_id] = replace(
                        live, segments=live.segments + 1, last_text=segment.text
                    )
        self.async_update_listeners()

    def on_disconnect(self, error: ScribeError) -> None:
        now = dt_util.utcnow()
        if self._down_since is None:
            self._down_since = now
            LOGGER.warning(
                "Meeting Scribe server at %s is unavailable (%s); retrying in the background",
                self.client.base_url,
                error,
            )
            self.last_update_success = False
            self.async_update_listeners()
        elif now - self._down_since >= UNREACHABLE_ISSUE_AFTER:
            self._create_unreachable_issue()
        else:
            LOGGER.debug("Meeting Scribe server still unavailable: %s", error)

    def on_auth_failed(self, error: ScribeAuthError) -> None:
        LOGGER.error(
            "Meeting Scribe server at %s refused the token: %s", self.client.base_url, error
        )
        self.last_update_success = False
        self.async_update_listeners()
        self.config_entry.async_start_reauth(self.hass)

    def _mark_connected(self) -> None:
        if self._down_since is not None:
            LOGGER.info("Meeting Scribe server at %s is back", self.client.base_url)
            self._down_since = None
            ir.async_delete_issue(self.hass, DOMAIN, self._issue_id)
        self.last_update_success = True

    @property
    def _issue_id(self) -> str:
        return f"{ISSUE_SERVER_UNREACHABLE}_{self.config_entry.entry_id}"

    def _create_unreachable_issue(self) -> None:
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._issue_id,
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_SERVER_UNREACHABLE,
            translation_placeholders={
                "title": self.config_entry.title,
                "url": self.client.base_url,
            },
            data={"entry_id": self.config_entry.entry_id},
        )

    # Meetings

    def _reconcile(self, meetings: list[Meeting]) -> None:
        """After (re)connecting: adopt running meetings, finish those that ended meanwhile."""
        known = {meeting.id: meeting for meeting in meetings}
        for meeting_id in list(self.data.active):
            if meeting_id not in known or not known[meeting_id].is_active:
                del self.data.active[meeting_id]
        for meeting_id in list(self._pending):
            if meeting_id not in known:
                self._pending.discard(meeting_id)
        for meeting in meetings:
            if meeting.is_active:
                self._track(meeting)
            elif meeting.id in self._pending:
                self.delivery.schedule(meeting.id)

    def _on_meeting(self, meeting: Meeting) -> None:
        if meeting.is_active:
            self._track(meeting)
            return
        self.data.active.pop(meeting.id, None)
        self.delivery.schedule(meeting.id)

    def _track(self, meeting: Meeting) -> None:
        if self.delivery.has_ended(meeting.id):
            return  # a late answer about a meeting that has already ended
        live = self.data.active.get(meeting.id)
        self.data.active[meeting.id] = (
            replace(live, meeting=meeting) if live else LiveMeeting(meeting)
        )
        if live is None and meeting.id not in self._pending:
            self._pending.add(meeting.id)
            self._fire(EVENT_MEETING_STARTED, meeting.as_summary())

    def _fire(self, event_type: str, data: dict[str, Any]) -> None:
        self.hass.bus.async_fire(
            event_type, {"config_entry_id": self.config_entry.entry_id, **data}
        )

    def _on_delivered(self, finished: FinishedMeeting) -> None:
        meeting = finished.meeting
        self._pending.discard(meeting.id)
        last = self.data.last
        if last is None or _started(meeting) >= _started(last.meeting):
            self.data.last = finished
        self.async_update_listeners()


def _started(meeting: Meeting) -> datetime:
    return meeting.started_at or datetime.min.replace(tzinfo=dt_util.UTC)
