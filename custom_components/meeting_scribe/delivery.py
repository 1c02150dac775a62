"""What follows a meeting's end: notes on disk, the finished event, the e-mail; and who waits."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .api import ScribeClient, ScribeError, ScribeRequestError
from .const import DOMAIN, EVENT_MEETING_FINISHED, LOGGER
from .localized import async_common_strings
from .mail import async_send_notes, recipients_for
from .models import Meeting
from .notes import async_write_notes
from .settings import ScribeSettings
from .summarizer import Summarizer
from .summary import MeetingSummary, SummaryError
from .summary_store import SummaryStore

RECENTLY_DELIVERED = 20


@dataclass(frozen=True, slots=True)
class FinishedMeeting:
    """A meeting that ended, with the notes written for it."""

    meeting: Meeting
    files: tuple[Path, ...] = ()
    summary: MeetingSummary | None = None

    def as_dict(self) -> dict[str, Any]:
        """The finished event's data and the actions' response."""
        text = self.meeting.text or ""
        summary = self.summary.as_dict() if self.summary else None
        files = [str(p) for p in self.files]
        return self.meeting.as_summary() | {"text": text, "files": files, "summary": summary}


class NotesDelivery:
    """Delivers each ended meeting once: writes its notes, fires the event, sends the e-mail."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: ScribeClient,
        on_delivered: Callable[[FinishedMeeting], None],
        on_vanished: Callable[[str], None],
        *,
        summaries: SummaryStore,
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._client = client
        self._on_delivered = on_delivered
        self._on_vanished = on_vanished
        self._summaries = summaries
        self._delivered: OrderedDict[str, FinishedMeeting] = OrderedDict()
        self._running: set[str] = set()
        self._waiters: dict[str, list[asyncio.Future[FinishedMeeting]]] = {}

    @property
    def settings(self) -> ScribeSettings:
        return ScribeSettings.from_options(self._hass, self._entry.options)

    def has_ended(self, meeting_id: str) -> bool:
        """Whether the meeting is being or has been delivered (so it is over)."""
        return meeting_id in self._running or meeting_id in self._delivered

    def schedule(self, meeting_id: str) -> None:
        """Deliver the meeting in the background, unless that is done or under way."""
        if self.has_ended(meeting_id):
            return
        self._running.add(meeting_id)
        self._entry.async_create_background_task(
            self._hass, self._async_deliver(meeting_id), f"{DOMAIN} deliver {meeting_id}"
        )

    async def async_write_notes(
        self, meeting: Meeting, summary: MeetingSummary | None = None
    ) -> list[Path]:
        """Write the meeting's notes in the chosen formats to the notes folder."""
        settings = self.settings
        sections = summary.as_markdown(await async_common_strings(self._hass)) if summary else None
        return await async_write_notes(
            self._hass,
            self._client,
            meeting,
            settings.notes_folder,
            settings.export_formats,
            summary=sections,
        )

    async def async_summarize(self, meeting: Meeting, agent_id: str) -> FinishedMeeting:
        """Summarise the meeting with the agent, write its notes again; SummaryError if not."""
        summary = await Summarizer(self._hass, agent_id).async_summarize(meeting)
        self._summaries.put(meeting.id, summary)
        files = await self.async_write_notes(meeting, summary)
        finished = FinishedMeeting(meeting, tuple(files), summary)
        if meeting.id in self._delivered:
            self._remember(finished)
        return finished

    def summary_of(self, meeting_id: str) -> MeetingSummary | None:
        """The meeting's summary, if it got one lately."""
        return self._summaries.get(meeting_id)

    async def async_wait(self, meeting_id: str, limit_s: float) -> FinishedMeeting:
        """Wait until the meeting's notes are written and its finished event fired."""
        if finished := self._delivered.get(meeting_id):
            return finished
        waiter: asyncio.Future[FinishedMeeting] = self._hass.loop.create_future()
        self._waiters.setdefault(meeting_id, []).append(waiter)
        try:
            async with asyncio.timeout(limit_s):
                return await waiter
        finally:
            if waiter in (waiters := self._waiters.get(meeting_id, [])):
                waiters.remove(waiter)

    async def _async_deliver(self, meeting_id: str) -> None:
        try:
            meeting = await self._client.get_meeting(meeting_id)
            summary = await self._async_summary_or_log(meeting)
            files = await self._async_write_notes_or_log(meeting, summary)
        except ScribeError as err:
            LOGGER.warning("Could not fetch the notes of meeting %s: %s", meeting_id, err)
            if isinstance(err, ScribeRequestError) and err.status == 404:
                self._on_vanished(meeting_id)
            for waiter in self._waiters.pop(meeting_id, []):
                waiter.set_exception(err)
            return
        finally:
            self._running.discard(meeting_id)
        finished = FinishedMeeting(meeting, tuple(files), summary)
        self._remember(finished)
        self._hass.bus.async_fire(
            EVENT_MEETING_FINISHED, {"config_entry_id": self._entry.entry_id, **finished.as_dict()}
        )
        await self._async_email_if_wanted(finished)

    async def _async_summary_or_log(self, meeting: Meeting) -> MeetingSummary | None:
        """The agent's summary, if one is chosen and it gives one; else None and a log line."""
        agent_id = self.settings.conversation_agent
        if not (agent_id and meeting.has_transcript and (meeting.text or "").strip()):
            return None
        try:
            summary = await Summarizer(self._hass, agent_id).async_summarize(meeting)
        except SummaryError as err:
            LOGGER.warning(
                "The notes of %s go out without a summary: %s (agent %s)",
                meeting.title,
                err,
                agent_id,
            )
            return None
        self._summaries.put(meeting.id, summary)
        return summary

    async def _async_write_notes_or_log(
        self, meeting: Meeting, summary: MeetingSummary | None
    ) -> list[Path]:
        if not meeting.has_transcript:
            LOGGER.warning("Meeting %s ended %s: %s", meeting.title, meeting.status, meeting.error)
            return []
        try:
            return await self.async_write_notes(meeting, summary)
        except OSError as err:
            LOGGER.error("Could not write the notes to %s: %s", self.settings.notes_folder, err)
            return []

    def _remember(self, finished: FinishedMeeting) -> None:
        meeting_id = finished.meeting.id
        self._delivered[meeting_id] = finished
        while len(self._delivered) > RECENTLY_DELIVERED:
            self._delivered.popitem(last=False)
        self._on_delivered(finished)
        for waiter in self._waiters.pop(meeting_id, []):
            waiter.set_result(finished)

    async def _async_email_if_wanted(self, finished: FinishedMeeting) -> None:
        settings = self.settings
        recipients = recipients_for(finished.meeting, settings.recipients)
        if not (settings.email_on_finish and finished.files and recipients):
            return
        try:
            await async_send_notes(
                self._hass,
                settings.notify_service,
                recipients,
                finished.meeting,
                list(finished.files),
                summary=finished.summary,
            )
        except HomeAssistantError as err:
            LOGGER.error("Could not e-mail the notes of %s: %s", finished.meeting.title, err)
