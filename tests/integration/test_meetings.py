"""A meeting recorded from the microphone, started and stopped through the actions."""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.meeting_scribe.const import (
    EVENT_MEETING_FINISHED,
    EVENT_MEETING_STARTED,
)
from tests.hearing import assert_has_words
from tests.integration.conftest import (
    Folders,
    act,
    assert_meeting_heard,
    state_of,
    wait_for_state,
    wait_until,
)

SWITCH = "switch.meeting_scribe_recording"
STATUS = "sensor.meeting_scribe_status"
CURRENT = "sensor.meeting_scribe_current_meeting"
LAST = "sensor.meeting_scribe_last_meeting"
DURATION = "sensor.meeting_scribe_last_meeting_duration"


async def test_start_and_stop_meeting(
    hass: HomeAssistant, entry: MockConfigEntry, folders: Folders
) -> None:
    started = async_capture_events(hass, EVENT_MEETING_STARTED)
    finished = async_capture_events(hass, EVENT_MEETING_FINISHED)

    meeting = await act(
        hass,
        "start_meeting",
        {
            "title": "Weekly sync",
            "participants": ["Ada Lovelace <ada@example.com>", "bob@example.com"],
        },
    )
    assert meeting["status"] == "recording"
    assert state_of(hass, SWITCH).state == "on"
    assert state_of(hass, STATUS).state == "recording"
    assert state_of(hass, CURRENT).state == "Weekly sync"
    await wait_until(lambda: len(started) == 1)
    assert started[0].data["participants"] == [
        {"name": "Ada Lovelace", "email": "ada@example.com"},
        {"name": "", "email": "bob@example.com"},
    ]
    await wait_until(lambda: (state_of(hass, CURRENT).attributes.get("segments") or 0) > 0)

    result = await act(hass, "stop_meeting", {})
    assert result["id"] == meeting["id"]
    assert result["title"] == "Weekly sync"
    assert result["duration_s"] > 0
    assert result["text"]
    assert_meeting_heard(result)
    files = [Path(p) for p in result["files"]]
    assert sorted(p.suffix for p in files) == [".md", ".srt", ".txt", ".vtt"]
    assert all(p.parent == folders.notes and p.read_text() for p in files)
    for notes in files:  # every notes file holds the words
        assert_has_words(notes.read_text(), *str(result["text"]).split())

    assert len(finished) == 1
    assert finished[0].data["id"] == meeting["id"]
    assert finished[0].data["files"] == result["files"]
    assert await wait_for_state(hass, SWITCH, "off") == "off"
    assert state_of(hass, LAST).state == "Weekly sync"
    assert state_of(hass, STATUS).state == "idle"


async def test_switch_records_a_meeting_with_a_default_title(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    finished = async_capture_events(hass, EVENT_MEETING_FINISHED)
    await hass.services.async_call("switch", "turn_on", {"entity_id": SWITCH}, blocking=True)
    assert state_of(hass, SWITCH).state == "on"
    title = state_of(hass, CURRENT).state
    assert title.startswith("Meeting 20")
    await wait_until(lambda: (state_of(hass, CURRENT).attributes.get("segments") or 0) > 0)
    await hass.services.async_call("switch", "turn_off", {"entity_id": SWITCH}, blocking=True)
    await wait_until(lambda: len(finished) == 1)
    assert finished[0].data["title"] == title
    assert state_of(hass, LAST).state == title
    assert float(state_of(hass, DURATION).state) > 0
