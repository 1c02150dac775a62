"""Home Assistant restarting: what it shows afterwards, and a meeting that ended meanwhile."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.meeting_scribe.const import EVENT_MEETING_FINISHED
from tests.integration.conftest import Folders, act, state_of, transcribe_command, wait_until
from tests.integration.scribe_server import ScribeServer

LAST = "sensor.meeting_scribe_last_meeting"
CURRENT = "sensor.meeting_scribe_current_meeting"


async def heard_something(hass: HomeAssistant) -> None:
    await wait_until(lambda: (state_of(hass, CURRENT).attributes.get("segments") or 0) > 0)


async def wait_until_finished(
    hass: HomeAssistant, scribe: ScribeServer, meeting_id: str
) -> dict[str, Any]:
    async with asyncio.timeout(30):
        while True:
            meeting = await hass.async_add_executor_job(
                scribe.request, "GET", f"/meetings/{meeting_id}"
            )
            if meeting["status"] not in ("recording", "finalizing"):
                return dict(meeting)
            await asyncio.sleep(0.1)


async def test_last_meeting_still_shown_after_a_restart(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await transcribe_command(hass, "Retro")
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
    hass: HomeAssistant, scribe: ScribeServer, entry: MockConfigEntry, folders: Folders
) -> None:
    finished = async_capture_events(hass, EVENT_MEETING_FINISHED)
    meeting = await act(hass, "start_meeting", {"title": "Board"})
    await heard_something(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)

    await hass.async_add_executor_job(scribe.request, "POST", f"/meetings/{meeting['id']}/stop")
    assert (await wait_until_finished(hass, scribe, meeting["id"]))["status"] == "done"
    assert finished == []

    assert await hass.config_entries.async_setup(entry.entry_id)
    await wait_until(lambda: len(finished) == 1)
    assert finished[0].data["id"] == meeting["id"]
    assert len(finished[0].data["files"]) == 4
    assert all(Path(p).parent == folders.notes for p in finished[0].data["files"])
    await wait_until(lambda: state_of(hass, LAST).state == "Board")


async def test_removing_the_server_forgets_its_meetings(
    hass: HomeAssistant, entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    await act(hass, "start_meeting", {"title": "Forgotten"})
    assert await hass.config_entries.async_unload(entry.entry_id)
    key = f"meeting_scribe.{entry.entry_id}.pending"
    assert hass_storage[key]["data"]
    assert await hass.config_entries.async_remove(entry.entry_id)
    assert key not in hass_storage
