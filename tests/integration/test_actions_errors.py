"""What the actions say when they cannot do what was asked."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.meeting_scribe.const import DOMAIN
from tests.integration.scribe_server import ScribeServer


async def call(hass: HomeAssistant, action: str, data: dict[str, Any]) -> None:
    await hass.services.async_call(DOMAIN, action, data, blocking=True)


async def expect_refusal(
    hass: HomeAssistant, action: str, data: dict[str, Any]
) -> ServiceValidationError:
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, action, data)
    return caught.value


async def test_a_second_meeting_while_one_records(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    await call(hass, "start_meeting", {"title": "First"})
    error = await expect_refusal(hass, "start_meeting", {"title": "Second"})
    assert error.translation_key == "already_recording"
    assert str(error) == "A meeting is already being recorded; stop it first"
    await call(hass, "stop_meeting", {})


async def test_stop_when_nothing_records(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    error = await expect_refusal(hass, "stop_meeting", {})
    assert error.translation_key == "not_recording"
    error = await expect_refusal(hass, "stop_meeting", {"meeting_id": "no-such-meeting"})
    assert error.translation_key == "not_found"


async def test_participants_must_have_addresses(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    error = await expect_refusal(
        hass, "start_meeting", {"participants": ["ada@example.com", "Bob from accounting"]}
    )
    assert error.translation_key == "invalid_participant"
    assert str(error) == '"Bob from accounting" is not an e-mail address or "Name <address>"'


async def test_no_server_set_up(hass: HomeAssistant) -> None:
    assert await __import__("homeassistant.setup").setup.async_setup_component(hass, DOMAIN, {})
    error = await expect_refusal(hass, "start_meeting", {})
    assert error.translation_key == "no_server"
    error = await expect_refusal(hass, "start_meeting", {"config_entry_id": "nope"})
    assert error.translation_key == "unknown_server"


async def test_choosing_between_servers(
    hass: HomeAssistant, scribe: ScribeServer, entry: MockConfigEntry
) -> None:
    second = MockConfigEntry(domain=DOMAIN, title="Attic", data={**scribe.data, "port": 1})
    second.add_to_hass(hass)
    error = await expect_refusal(hass, "start_meeting", {})
    assert error.translation_key == "several_servers"
    error = await expect_refusal(hass, "start_meeting", {"config_entry_id": second.entry_id})
    assert error.translation_key == "server_not_loaded"
    assert second.state is ConfigEntryState.NOT_LOADED
    await call(hass, "start_meeting", {"config_entry_id": entry.entry_id})
    await call(hass, "stop_meeting", {"config_entry_id": entry.entry_id})
