"""Diagnostics: the server's health and what the integration knows, without secrets."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant

from .const import CONF_RECIPIENTS, CONF_VOCABULARY
from .coordinator import MeetingScribeConfigEntry

# Tokens, and what people said and who they are.
TO_REDACT = {
    CONF_TOKEN,
    CONF_RECIPIENTS,
    CONF_VOCABULARY,
    "email",
    "name",
    "text",
    "title",
    "last_words",
    "summary",
    "speakers",
}


async def async_get_config_entry_diagnostics(
    _hass: HomeAssistant, entry: MeetingScribeConfigEntry
) -> dict[str, Any]:
    coordinator = entry.runtime_data
    state = coordinator.data
    data = {
        "entry": {"data": dict(entry.data), "options": dict(entry.options)},
        "server": coordinator.client.base_url,
        "connected": coordinator.last_update_success,
        "health": asdict(state.health),
        "status": state.status,
        "active_meetings": [
            live.meeting.as_summary() | {"segments": live.segments}
            for live in state.active.values()
        ],
        "last_meeting": state.last.as_dict() if state.last else None,
    }
    return async_redact_data(data, TO_REDACT)
