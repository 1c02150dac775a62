"""Diagnostics a user can attach to a bug report without giving away secrets."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from tests.integration.conftest import record_meeting
from tests.integration.scribe_server import ScribeServer

REDACTED = "**REDACTED**"


async def test_diagnostics_hide_the_token_and_the_people(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    scribe: ScribeServer,
    entry: MockConfigEntry,
) -> None:
    await record_meeting(hass, participants=["Ada Lovelace <ada@example.com>"])
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["entry"]["data"] == {
        "host": scribe.host,
        "port": scribe.port,
        "token": REDACTED,
    }
    assert scribe.token not in str(diagnostics)
    assert diagnostics["connected"] is True
    assert diagnostics["status"] == "idle"
    assert diagnostics["health"]["status"] == "ok"
    last = diagnostics["last_meeting"]
    assert last["title"] == REDACTED
    assert last["text"] == REDACTED
    assert last["status"] == "done"
    assert {p["email"] for p in last["participants"]} == {REDACTED}
    assert "example.com" not in str(diagnostics)
    assert "Ada" not in str(diagnostics)
