"""Actions: start and stop a meeting, transcribe a file, name its speakers, e-mail the notes,
summarise a meeting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .const import DOMAIN
from .coordinator import ScribeCoordinator
from .delivery import FinishedMeeting
from .errors import translated_errors
from .mail import async_send_notes, recipients_for
from .media import MEDIA_SOURCE_PREFIX, UnsupportedMediaSourceError, media_source_path
from .models import InvalidParticipantError, Meeting, Participant, parse_participants
from .summary import SummaryError

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_MEETING_ID = "meeting_id"
ATTR_TITLE = "title"
ATTR_PARTICIPANTS = "participants"
ATTR_LANGUAGE = "language"
ATTR_FILE = "file"
ATTR_WAIT = "wait"
ATTR_NOTIFY_SERVICE = "notify_service"
ATTR_RECIPIENTS = "recipients"
ATTR_VOCABULARY = "vocabulary"
ATTR_AGENT_ID = "agent_id"
ATTR_SPEAKER = "speaker"
ATTR_NAME = "name"

SERVICE_START_MEETING = "start_meeting"
SERVICE_STOP_MEETING = "stop_meeting"
SERVICE_TRANSCRIBE_FILE = "transcribe_file"
SERVICE_SEND_NOTES = "send_notes"
SERVICE_SUMMARIZE_MEETING = "summarize_meeting"
SERVICE_RENAME_SPEAKER = "rename_speaker"

# The last segment is decoded after stop; a long backlog on a slow machine can take minutes.
STOP_WAIT_TIMEOUT_S = 900.0
TRANSCRIBE_WAIT_TIMEOUT_S = 3600.0

_SERVER: dict[vol.Marker, Any] = {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string}
_ADDRESSES = vol.All(cv.ensure_list, [cv.string])
_WORDS = vol.All(cv.ensure_list_csv, [cv.string])

START_MEETING_SCHEMA = vol.Schema(
    {
        **_SERVER,
        vol.Optional(ATTR_TITLE): cv.string,
        vol.Optional(ATTR_PARTICIPANTS, default=list): _ADDRESSES,
        vol.Optional(ATTR_LANGUAGE): cv.string,
        vol.Optional(ATTR_VOCABULARY, default=list): _WORDS,
    }
)
STOP_MEETING_SCHEMA = vol.Schema({**_SERVER, vol.Optional(ATTR_MEETING_ID): cv.string})
TRANSCRIBE_FILE_SCHEMA = vol.Schema(
    {
        **_SERVER,
        vol.Required(ATTR_FILE): cv.string,
        vol.Optional(ATTR_TITLE): cv.string,
        vol.Optional(ATTR_PARTICIPANTS, default=list): _ADDRESSES,
        vol.Optional(ATTR_LANGUAGE): cv.string,
        vol.Optional(ATTR_VOCABULARY, default=list): _WORDS,
        vol.Optional(ATTR_WAIT, default=False): cv.boolean,
    }
)
SEND_NOTES_SCHEMA = vol.Schema(
    {
        **_SERVER,
        vol.Optional(ATTR_MEETING_ID): cv.string,
        vol.Optional(ATTR_NOTIFY_SERVICE): cv.string,
        vol.Optional(ATTR_RECIPIENTS): _ADDRESSES,
    }
)
SUMMARIZE_MEETING_SCHEMA = vol.Schema(
    {
        **_SERVER,
        vol.Optional(ATTR_MEETING_ID): cv.string,
        vol.Optional(ATTR_AGENT_ID): cv.string,
    }
)

RENAME_SPEAKER_SCHEMA = vol.Schema(
    {
        **_SERVER,
        vol.Optional(ATTR_MEETING_ID): cv.string,
        vol.Required(ATTR_SPEAKER): cv.string,
        vol.Optional(ATTR_NAME, default=""): vol.Any(None, cv.string),
    }
)


@callback
def async_register_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    for name, handler, schema in (
        (SERVICE_START_MEETING, _async_start_meeting, START_MEETING_SCHEMA),
        (SERVICE_STOP_MEETING, _async_stop_meeting, STOP_MEETING_SCHEMA),
        (SERVICE_TRANSCRIBE_FILE, _async_transcribe_file, TRANSCRIBE_FILE_SCHEMA),
        (SERVICE_SEND_NOTES, _async_send_notes, SEND_NOTES_SCHEMA),
        (SERVICE_SUMMARIZE_MEETING, _async_summarize_meeting, SUMMARIZE_MEETING_SCHEMA),
        (SERVICE_RENAME_SPEAKER, _async_rename_speaker, RENAME_SPEAKER_SCHEMA),
    ):
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=SupportsResponse.OPTIONAL
        )


async def _async_start_meeting(call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(call)
    meeting = await coordinator.async_start_meeting(
        call.data.get(ATTR_TITLE),
        _participants(call.data[ATTR_PARTICIPANTS]),
        call.data.get(ATTR_LANGUAGE),
        call.data[ATTR_VOCABULARY],
    )
    return meeting.as_summary()


async def _async_stop_meeting(call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(call)
    meeting = await coordinator.async_stop_meeting(call.data.get(ATTR_MEETING_ID))
    if not call.return_response:
        return None
    finished = await _async_wait(coordinator, meeting.id, STOP_WAIT_TIMEOUT_S)
    return finished.as_dict()


async def _async_transcribe_file(call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(call)
    path = await _async_audio_file(call.hass, call.data[ATTR_FILE])
    meeting = await coordinator.async_transcribe(
        path,
        call.data.get(ATTR_TITLE) or path.stem,
        call.data.get(ATTR_LANGUAGE),
        _participants(call.data[ATTR_PARTICIPANTS]),
        call.data[ATTR_VOCABULARY],
    )
    if call.data[ATTR_WAIT]:
        finished = await _async_wait(coordinator, meeting.id, TRANSCRIBE_WAIT_TIMEOUT_S)
        return finished.as_dict()
    return meeting.as_summary()


async def _async_send_notes(call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(call)
    meeting = await _async_transcribed_meeting(coordinator, _meeting_id(call, coordinator))
    summary = coordinator.delivery.summary_of(meeting.id)
    with _notes_errors(coordinator):
        files = await coordinator.delivery.async_write_notes(meeting, summary)
    settings = coordinator.settings
    if ATTR_RECIPIENTS in call.data:
        recipients = [p.email for p in _participants(call.data[ATTR_RECIPIENTS])]
    else:
        recipients = recipients_for(meeting, settings.recipients)
    service = call.data.get(ATTR_NOTIFY_SERVICE) or settings.notify_service
    await async_send_notes(call.hass, service, recipients, meeting, files, summary=summary)
    response: dict[str, Any] = {"id": meeting.id, "title": meeting.title}
    return response | {"recipients": recipients, "files": [str(path) for path in files]}


async def _async_summarize_meeting(call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(call)
    agent_id = call.data.get(ATTR_AGENT_ID) or coordinator.settings.conversation_agent
    if not agent_id:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_conversation_agent"
        )
    meeting = await _async_transcribed_meeting(coordinator, _meeting_id(call, coordinator))
    try:
        with _notes_errors(coordinator):
            finished = await coordinator.delivery.async_summarize(meeting, agent_id)
    except SummaryError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="summary_failed",
            translation_placeholders={"title": meeting.title, "agent": agent_id, "error": str(err)},
        ) from err
    assert finished.summary is not None
    response: dict[str, Any] = {"id": meeting.id, "title": meeting.title, "agent_id": agent_id}
    files = [str(path) for path in finished.files]
    return response | finished.summary.as_dict() | {"files": files}


async def _async_rename_speaker(call: ServiceCall) -> ServiceResponse:
    """Give a speaker label a name; the notes of a finished meeting are written again with it."""
    coordinator = _coordinator(call)
    meeting_id = _meeting_id(call, coordinator)
    names = {call.data[ATTR_SPEAKER]: call.data[ATTR_NAME] or ""}
    with translated_errors():
        meeting = await coordinator.client.rename_speakers(meeting_id, names)
    files: list[Path] = []
    if meeting.has_transcript:
        summary = coordinator.delivery.summary_of(meeting.id)
        with _notes_errors(coordinator):
            files = await coordinator.delivery.async_write_notes(meeting, summary)
    response: dict[str, Any] = {"id": meeting.id, "title": meeting.title}
    return response | {"speakers": dict(meeting.speakers), "files": [str(p) for p in files]}


def _meeting_id(call: ServiceCall, coordinator: ScribeCoordinator) -> str:
    """The meeting the call names, or the last one."""
    last = coordinator.data.last
    meeting_id = call.data.get(ATTR_MEETING_ID) or (last.meeting.id if last else None)
    if meeting_id is None:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_meeting")
    return str(meeting_id)


async def _async_transcribed_meeting(coordinator: ScribeCoordinator, meeting_id: str) -> Meeting:
    """The meeting, if it has a transcript."""
    with translated_errors():
        meeting = await coordinator.client.get_meeting(meeting_id)
    if not meeting.has_transcript:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_transcript",
            translation_placeholders={"title": meeting.title, "status": meeting.status.value},
        )
    return meeting


@contextmanager
def _notes_errors(coordinator: ScribeCoordinator) -> Iterator[None]:
    """Server errors and a notes folder that cannot be written, as the action's errors."""
    try:
        with translated_errors():
            yield
    except OSError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="notes_not_written",
            translation_placeholders={
                "folder": str(coordinator.settings.notes_folder),
                "error": str(err),
            },
        ) from err


def _coordinator(call: ServiceCall) -> ScribeCoordinator:
    """The server the call names, or the only one there is."""
    hass = call.hass
    if entry_id := call.data.get(ATTR_CONFIG_ENTRY_ID):
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_server",
                translation_placeholders={"entry_id": entry_id},
            )
    else:
        entries = hass.config_entries.async_entries(
            DOMAIN, include_ignore=False, include_disabled=False
        )
        if len(entries) != 1:
            key = "no_server" if not entries else "several_servers"
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key=key)
        entry = entries[0]
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="server_not_loaded",
            translation_placeholders={"title": entry.title},
        )
    coordinator: ScribeCoordinator = entry.runtime_data
    return coordinator


def _participants(texts: list[str]) -> list[Participant]:
    try:
        return parse_participants(texts)
    except InvalidParticipantError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_participant",
            translation_placeholders={"participant": err.text},
        ) from err


async def _async_wait(
    coordinator: ScribeCoordinator, meeting_id: str, limit_s: float
) -> FinishedMeeting:
    try:
        with translated_errors():
            return await coordinator.delivery.async_wait(meeting_id, limit_s)
    except TimeoutError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="timeout",
            translation_placeholders={"meeting_id": meeting_id},
        ) from err


async def _async_audio_file(hass: HomeAssistant, value: str) -> Path:
    """The local file a path or a media-source id names, if Home Assistant may read it."""
    if value.startswith(MEDIA_SOURCE_PREFIX):
        try:
            path = media_source_path(hass, value)
        except UnsupportedMediaSourceError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unsupported_media_source",
                translation_placeholders={"media_id": value},
            ) from err
    else:
        path = Path(value)

    def check() -> str | None:
        if not path.is_absolute() or not path.is_file():
            return "file_not_found"
        resolved = path.resolve()
        media_dirs = hass.config.media_dirs.values()
        if hass.config.is_allowed_path(str(resolved)) or any(
            resolved.is_relative_to(Path(folder).resolve()) for folder in media_dirs
        ):
            return None
        return "file_not_allowed"

    if problem := await hass.async_add_executor_job(check):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=problem,
            translation_placeholders={"file": value},
        )
    return path
