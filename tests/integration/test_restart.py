"""Home Assistant restarting: what it shows afterwards and the notes of a meeting it missed."""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.meeting_scribe.const import EVENT_MEETING_FINISHED
from tests.integration.conftest import Folders, Scribe, act, server_request, state_of, wait_until
from tests.integration.test_email import record_meeting

LAST = "sensor.meeting_scribe_last_meeting"
CURRENT = "sensor.meeting_scribe_current_meeting"


async def test_last_meeting_still_shown_after_a_restart(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await record_meeting(hass, "Retro")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    state = state_of(hass, LAST)
    assert state.state == "Retro"
    assert state.attributes["meeting_id"] == result["id"]
    assert sorted(state.attributes["notes"]) == sorted(result["files"])
    md = Path(next(p for p in result["files"] if p.endswith(".md")))
    assert state.attributes["notes_link"] == (
        f"media-source://media_source/local/meeting_scribe/{md.name}"
    )


async def test_notes_of_a_meeting_that_ended_while_home_assistant_was_down(
    hass: HomeAssistant, scribe: Scribe, entry: MockConfigEntry, folders: Folders
) -> None:
    finished = async_capture_events(hass, EVENT_MEETING_FINISHED)
    meeting = await act(hass, "start_meeting", {"title": "Board"})
    await wait_until(lambda: (state_of(hass, CURRENT).attributes.get("segments") or 0) > 0)
    assert await hass.config_entries.async_unload(entry.entry_id)

    await server_request(scribe, "POST", f"/meetings/{meeting['id']}/stop")

    async def done() -> bool:
        summary = await server_request(scribe, "GET", f"/meetings/{meeting['id']}")
        return bool(summary["status"] == "done")

    while not await done():
        await hass.async_add_executor_job(lambda: None)
    assert finished == []

    assert await hass.config_entries.async_setup(entry.entry_id)
    await wait_until(lambda: len(finished) == 1)
    assert finished[0].data["id"] == meeting["id"]
    assert all(Path(p).parent == folders.notes for p in finished[0].data["files"])
    assert len(finished[0].data["files"]) == 4
    await wait_until(lambda: state_of(hass, LAST).state == "Board")
