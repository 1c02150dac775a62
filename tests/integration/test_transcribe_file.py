"""Transcribing an audio file from a media folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.meeting_scribe.const import DOMAIN, EVENT_MEETING_FINISHED
from tests.assets import AUDIO
from tests.hearing import assert_has_words
from tests.integration.conftest import (
    Folders,
    act,
    assert_command_heard,
    state_of,
    wait_until,
)

COMMAND = AUDIO / "ha_commands" / "en" / "what_time_is_it.wav"


async def test_transcribe_a_file_and_wait_for_the_notes(
    hass: HomeAssistant, entry: MockConfigEntry, folders: Folders
) -> None:
    result = await act(
        hass,
        "transcribe_file",
        {"file": str(COMMAND), "wait": True, "participants": ["ada@example.com"]},
    )
    assert result["status"] == "done"
    assert result["source"] == "file"
    assert result["title"] == "what_time_is_it"
    assert result["participants"] == [{"name": "", "email": "ada@example.com"}]
    assert result["duration_s"] == pytest.approx(1.98, abs=0.1)
    files = [Path(p) for p in result["files"]]
    assert {p.suffix for p in files} == {".txt", ".srt", ".vtt", ".md"}
    assert all(p.parent == folders.notes and p.is_file() for p in files)
    assert_command_heard(result)
    for notes in files:  # every notes file carries the words
        assert_has_words(notes.read_text(), "what", "time", "is", "it")
    assert state_of(hass, "sensor.meeting_scribe_last_meeting").state == "what_time_is_it"


async def test_transcribe_a_media_source_file_without_waiting(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    finished = async_capture_events(hass, EVENT_MEETING_FINISHED)
    media_id = "media-source://media_source/assets/ha_commands/en/what_time_is_it.wav"
    result = await act(hass, "transcribe_file", {"file": media_id, "title": "Clock"})
    assert result["status"] == "finalizing"
    await wait_until(lambda: len(finished) == 1)
    assert finished[0].data["id"] == result["id"]
    assert finished[0].data["title"] == "Clock"
    assert_command_heard(finished[0].data)


@pytest.mark.parametrize(
    ("file", "error"),
    [
        ("/media/nothing_here.wav", "file_not_found"),
        ("relative.wav", "file_not_found"),
        (str(Path(__file__)), "file_not_allowed"),
        ("media-source://tts/cloud?message=hi", "unsupported_media_source"),
        ("media-source://media_source/elsewhere/a.wav", "unsupported_media_source"),
        ("media-source://media_source/assets/../../etc/passwd", "unsupported_media_source"),
    ],
)
async def test_transcribe_file_refuses_what_it_cannot_read(
    hass: HomeAssistant, entry: MockConfigEntry, file: str, error: str
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, "transcribe_file", {"file": file}, blocking=True)
    assert caught.value.translation_key == error


async def test_a_file_that_is_not_audio(
    hass: HomeAssistant, entry: MockConfigEntry, folders: Folders
) -> None:
    not_audio = folders.media / "notes.wav"
    not_audio.write_text("this is not audio " * 100)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN, "transcribe_file", {"file": str(not_audio)}, blocking=True
        )
    assert caught.value.translation_key == "invalid_audio"
