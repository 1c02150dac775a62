"""Repair for a server that stays unreachable: say what to check, and try again on request."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult

from .api import ScribeError
from .coordinator import MeetingScribeConfigEntry


class ServerUnreachableRepairFlow(RepairsFlow):
    """Submitting checks the server again; the issue goes away once it answers."""

    def __init__(self, entry: MeetingScribeConfigEntry | None) -> None:
        self._entry = entry

    async def async_step_init(self, _user_input: dict[str, Any] | None = None) -> FlowResult:
        return await self.async_step_confirm()

    async def async_step_confirm(self, user_input: dict[str, Any] | None = None) -> FlowResult:
        entry = self._entry
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="entry_gone")
        errors: dict[str, str] = {}
        coordinator = entry.runtime_data
        if user_input is not None:
            try:
                await coordinator.client.health()
            except ScribeError:
                errors["base"] = "cannot_connect"
            else:
                coordinator.follower.retry_now()
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders={"title": entry.title, "url": coordinator.client.base_url},
            errors=errors,
        )


async def async_create_fix_flow(
    hass: HomeAssistant, _issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    entry_id = str((data or {}).get("entry_id", ""))
    return ServerUnreachableRepairFlow(hass.config_entries.async_get_entry(entry_id))
