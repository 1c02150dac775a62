"""The server going away and coming back: entities, log, repair issue, a crash, a new token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.meeting_scribe import coordinator, event_stream
from custom_components.meeting_scribe.const import DOMAIN, EVENT_MEETING_FINISHED
from tests.integration.conftest import (
    act,
    assert_meeting_heard,
    state_of,
    wait_for_state,
    wait_until,
)
from tests.integration.scribe_server import ScribeServer

SWITCH = "switch.meeting_scribe_recording"
ENTITIES = [
    SWITCH,
    "sensor.meeting_scribe_status",
    "sensor.meeting_scribe_current_meeting",
    "sensor.meeting_scribe_last_meeting",
    "sensor.meeting_scribe_last_meeting_duration",
]
UNAVAILABLE_LOG = "is unavailable"


@pytest.fixture
def scribe(restartable_server: ScribeServer) -> ScribeServer:
    """These tests stop, crash and restart the server."""
    return restartable_server


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_stream, "BACKOFF_FIRST_S", 0.05)
    monkeypatch.setattr(event_stream, "BACKOFF_MAX_S", 0.2)


def issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"server_unreachable_{entry.entry_id}")


async def test_entities_unavailable_while_the_server_is_down(
    hass: HomeAssistant,
    scribe: ScribeServer,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(coordinator, "UNREACHABLE_ISSUE_AFTER", timedelta(0))
    await wait_for_state(hass, "sensor.meeting_scribe_status", "idle")
    await hass.async_add_executor_job(scribe.stop)
    for entity_id in ENTITIES:
        await wait_for_state(hass, entity_id, STATE_UNAVAILABLE)
    await wait_until(lambda: issue(hass, entry) is not None)
    assert caplog.text.count(UNAVAILABLE_LOG) == 1  # logged once, however many retries
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(DOMAIN, "start_meeting", {}, blocking=True)
    assert caught.value.translation_key == "cannot_connect"
    assert str(caught.value).startswith("Could not reach the Meeting Scribe server")

    await hass.async_add_executor_job(scribe.start)
    await wait_for_state(hass, SWITCH, "off")
    assert state_of(hass, "sensor.meeting_scribe_status").state == "idle"
    assert caplog.text.count("is back") == 1
    assert caplog.text.count(UNAVAILABLE_LOG) == 1
    assert issue(hass, entry) is None


async def test_repair_issue_when_the_server_stays_away(
    hass: HomeAssistant,
    scribe: ScribeServer,
    entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(coordinator, "UNREACHABLE_ISSUE_AFTER", timedelta(0))
    monkeypatch.setattr(event_stream, "BACKOFF_FIRST_S", 30)  # only the repair retries soon
    assert await async_setup_component(hass, "repairs", {})
    await hass.async_add_executor_job(scribe.stop)
    await wait_until(lambda: issue(hass, entry) is not None)
    found = issue(hass, entry)
    assert found is not None
    assert found.is_fixable
    assert found.translation_key == "server_unreachable"
    assert found.translation_placeholders == {
        "title": "Meeting Scribe",
        "url": f"http://127.0.0.1:{scribe.port}/api",
    }

    flows = hass.data["repairs"]["flow_manager"]
    result = await flows.async_init(DOMAIN, data={"issue_id": found.issue_id})
    assert result["step_id"] == "confirm"
    result = await flows.async_configure(result["flow_id"], {})
    assert result["errors"] == {"base": "cannot_connect"}

    await hass.async_add_executor_job(scribe.start)
    result = await flows.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await wait_for_state(hass, SWITCH, "off", timeout=10)
    assert issue(hass, entry) is None


async def test_notes_of_a_meeting_cut_off_by_a_server_crash(
    hass: HomeAssistant, scribe: ScribeServer, entry: MockConfigEntry
) -> None:
    """A power cut in the middle of a meeting: once the server is back, the notes come."""
    finished = async_capture_events(hass, EVENT_MEETING_FINISHED)
    meeting = await act(hass, "start_meeting", {"title": "Cut off"})
    current = "sensor.meeting_scribe_current_meeting"
    await wait_until(lambda: (state_of(hass, current).attributes.get("segments") or 0) > 0)
    await hass.async_add_executor_job(scribe.crash)
    await wait_for_state(hass, SWITCH, STATE_UNAVAILABLE)
    await hass.async_add_executor_job(scribe.start)

    await wait_until(lambda: len(finished) == 1, timeout=60)
    data = finished[0].data
    assert data["id"] == meeting["id"]
    assert data["status"] in ("done", "interrupted")
    assert data["text"]
    assert_meeting_heard(data)  # the words said before and after the crash
    assert len(data["files"]) == 4
    assert state_of(hass, SWITCH).state == "off"


async def test_a_new_token_on_the_server_asks_for_it(
    hass: HomeAssistant, scribe: ScribeServer, entry: MockConfigEntry
) -> None:
    """The add-on was reinstalled with a new token: Home Assistant asks for the new one."""
    await hass.async_add_executor_job(scribe.stop)
    scribe.token = "a-brand-new-token-for-the-add-on"
    await hass.async_add_executor_job(scribe.start)

    await wait_until(lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)))
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert state_of(hass, SWITCH).state == STATE_UNAVAILABLE

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"token": scribe.token}
    )
    assert result["reason"] == "reauth_successful"
    await wait_for_state(hass, SWITCH, "off")
