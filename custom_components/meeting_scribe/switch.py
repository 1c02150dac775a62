"""A switch that records a meeting from the server's microphone while it is on."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import MeetingScribeConfigEntry
from .entity import ScribeEntity

PARALLEL_UPDATES = 1

RECORDING = SwitchEntityDescription(key="recording", translation_key="recording")


async def async_setup_entry(
    _hass: HomeAssistant,
    entry: MeetingScribeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_entities([RecordingSwitch(entry.runtime_data, RECORDING)])


class RecordingSwitch(ScribeEntity, SwitchEntity):
    """On: a meeting is being recorded. Turning it on starts one with the default settings."""

    @property
    def is_on(self) -> bool:
        return self.coordinator.recording_meeting_id is not None

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.coordinator.async_start_meeting(None, [], None)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.coordinator.async_stop_meeting()
