"""What a user sees when delivering the notes goes wrong."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.meeting_scribe import services
from custom_components.meeting_scribe.const import (
    CONF_EMAIL_ON_FINISH,
    CONF_NOTES_FOLDER,
    CONF_NOTIFY_SERVICE,
    DOMAIN,
    EVENT_MEETING_FINISHED,
)
from tests.integration.conftest import (
    Folders,
    Mailbox,
    act,
    state_of,
    transcribe_command,
    wait_until,
)
from tests.integration.scribe_server import ScribeServer
from tests.integration.test_email import body

CURRENT = "sensor.meeting_scribe_current_meeting"


@pytest.fixture
def options(folders: Folders) -> dict[str, Any]:
    return {
        CONF_NOTES_FOLDER: str(folders.notes),
        CONF_EMAIL_ON_FINISH: True,
        CONF_NOTIFY_SERVICE: "notify.scribe_mail",
    }


async def test_mail_server_down(
    hass: HomeAssistant,
    smtp_notify: str,
    mailbox: Mailbox,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mailbox.stop()
    await transcribe_command(hass, participants=["ada@example.com"])
    await wait_until(lambda: "Could not e-mail the notes of Weekly sync" in caplog.text)
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(DOMAIN, "send_notes", {}, blocking=True)
    assert caught.value.translation_key == "email_failed"
    assert str(caught.value).startswith("Sending the e-mail with notify.scribe_mail failed")


async def test_nobody_to_send_to(
    hass: HomeAssistant, smtp_notify: str, mailbox: Mailbox, entry: MockConfigEntry
) -> None:
    result = await transcribe_command(hass, title="Alone")
    assert len(result["files"]) == 4
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "send_notes", {}, blocking=True)
    assert caught.value.translation_key == "no_recipients"
    assert mailbox.messages == []


async def test_notes_folder_that_cannot_be_written(
    hass: HomeAssistant,
    folders: Folders,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    smtp_notify: str,
) -> None:
    blocked = folders.media / "blocked"
    blocked.write_text("a file where the notes folder should be")
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_NOTES_FOLDER: str(blocked / "notes")}
    )
    finished = async_capture_events(hass, EVENT_MEETING_FINISHED)

    await transcribe_command(hass)
    assert finished[0].data["files"] == []
    assert "Could not write the notes" in caplog.text
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(DOMAIN, "send_notes", {}, blocking=True)
    assert caught.value.translation_key == "notes_not_written"


async def test_stop_answers_before_a_slow_transcript_is_done(
    hass: HomeAssistant, entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "STOP_WAIT_TIMEOUT_S", 0)
    finished = async_capture_events(hass, EVENT_MEETING_FINISHED)
    await hass.services.async_call(DOMAIN, "start_meeting", {"title": "Slow"}, blocking=True)
    with pytest.raises(HomeAssistantError) as caught:
        await act(hass, "stop_meeting")
    assert caught.value.translation_key == "timeout"
    await wait_until(lambda: len(finished) == 1)
    assert Path(finished[0].data["files"][0]).is_file()


async def test_a_microphone_that_dies(
    hass: HomeAssistant,
    scribe: ScribeServer,
    smtp_notify: str,
    entry: MockConfigEntry,
    mailbox: Mailbox,
) -> None:
    """Three seconds of silence, then the microphone is gone: the notes say so."""
    silence = ["-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "3"]
    scribe.mic = shlex.join(["ffmpeg", "-loglevel", "error", *silence, "-f", "s16le", "-"])
    finished = async_capture_events(hass, EVENT_MEETING_FINISHED)
    await act(hass, "start_meeting", {"title": "Quiet", "participants": ["ada@example.com"]})
    await wait_until(lambda: len(finished) == 1)
    data = finished[0].data
    assert data["status"] == "interrupted"
    assert "microphone" in data["error"]
    assert data["text"] == ""
    assert len(data["files"]) == 4
    assert state_of(hass, "switch.meeting_scribe_recording").state == "off"

    [message] = await mailbox.wait_for(1)
    text = body(message)
    assert f"The recording stopped early ({data['error']})" in text
    assert "No speech was recognised in this meeting." in text
