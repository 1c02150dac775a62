"""The server going away and coming back: entities, the log, and the repair issue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.meeting_scribe import coordinator, event_stream
from custom_components.meeting_scribe.const import DOMAIN
from tests.integration.conftest import Scribe, state_of, wait_for_state, wait_until

ENTITIES = [
    "switch.meeting_scribe_recording",
    "sensor.meeting_scribe_status",
    "sensor.meeting_scribe_current_meeting",
    "sensor.meeting_scribe_last_meeting",
    "sensor.meeting_scribe_last_meeting_duration",
]
UNAVAILABLE_LOG = "is unavailable"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_stream, "BACKOFF_FIRST_S", 0.05)
    monkeypatch.setattr(event_stream, "BACKOFF_MAX_S", 0.2)


async def test_entities_unavailable_while_the_server_is_down(
    hass: HomeAssistant, scribe: Scribe, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    await wait_for_state(hass, "sensor.meeting_scribe_status", "idle")
    await scribe.stop()
    for entity_id in ENTITIES:
        await wait_for_state(hass, entity_id, STATE_UNAVAILABLE)
    await wait_until(lambda: caplog.text.count("still unavailable") >= 3)
    assert caplog.text.count(UNAVAILABLE_LOG) == 1

    await scribe.start()
    await wait_for_state(hass, "switch.meeting_scribe_recording", "off")
    assert state_of(hass, "sensor.meeting_scribe_status").state == "idle"
    assert caplog.text.count("is back") == 1
    assert caplog.text.count(UNAVAILABLE_LOG) == 1


async def test_repair_issue_when_the_server_stays_away(
    hass: HomeAssistant, scribe: Scribe, entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(coordinator, "UNREACHABLE_ISSUE_AFTER", timedelta(0))
    assert await async_setup_component(hass, "repairs", {})
    issues = ir.async_get(hass)
    issue_id = f"server_unreachable_{entry.entry_id}"
    await scribe.stop()
    await wait_until(lambda: issues.async_get_issue(DOMAIN, issue_id) is not None)
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_placeholders == {
        "title": "Meeting Scribe",
        "url": f"http://127.0.0.1:{scribe.port}/api",
    }

    flows = hass.data["repairs"]["flow_manager"]
    result = await flows.async_init(DOMAIN, data={"issue_id": issue_id})
    assert result["step_id"] == "confirm"
    result = await flows.async_configure(result["flow_id"], {})
    assert result["errors"] == {"base": "cannot_connect"}

    await scribe.start()
    result = await flows.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await wait_for_state(hass, "switch.meeting_scribe_recording", "off")
    assert issues.async_get_issue(DOMAIN, issue_id) is None


async def test_issue_goes_away_by_itself_when_the_server_returns(
    hass: HomeAssistant, scribe: Scribe, entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(coordinator, "UNREACHABLE_ISSUE_AFTER", timedelta(0))
    issues = ir.async_get(hass)
    issue_id = f"server_unreachable_{entry.entry_id}"
    await scribe.stop()
    await wait_until(lambda: issues.async_get_issue(DOMAIN, issue_id) is not None)
    await scribe.start()
    await wait_until(lambda: issues.async_get_issue(DOMAIN, issue_id) is None)
    await wait_for_state(hass, "switch.meeting_scribe_recording", "off")
