"""Sensors: what the server is doing, the meeting being recorded, and the last meeting."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.const import MAX_LENGTH_STATE_STATE, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import MeetingScribeConfigEntry, ScribeState
from .entity import ScribeEntity
from .models import Meeting
from .notes import notes_link

PARALLEL_UPDATES = 0  # pushed by the event stream


@dataclass(frozen=True, kw_only=True)
class ScribeSensorDescription(SensorEntityDescription):
    """How a sensor reads the server's state."""

    value_fn: Callable[[ScribeState], str | float | None]
    attributes_fn: Callable[[HomeAssistant, ScribeState], Mapping[str, Any] | None] = (
        lambda _hass, _state: None
    )


def _title(meeting: Meeting) -> str:
    """A state holds at most 255 characters; titles are rarely that long."""
    return meeting.title[:MAX_LENGTH_STATE_STATE]


def _current_attributes(_hass: HomeAssistant, state: ScribeState) -> Mapping[str, Any] | None:
    if (live := state.current) is None:
        return None
    meeting = live.meeting
    return {
        "meeting_id": meeting.id,
        "started_at": meeting.started_at,
        "participants": [p.display_name for p in meeting.participants],
        "language": meeting.language,
        "segments": live.segments,
        "last_words": live.last_text,
    }


def _last_attributes(hass: HomeAssistant, state: ScribeState) -> Mapping[str, Any] | None:
    if (last := state.last) is None:
        return None
    meeting = last.meeting
    return {
        "meeting_id": meeting.id,
        "status": meeting.status.value,
        "source": meeting.source,
        "started_at": meeting.started_at,
        "ended_at": meeting.ended_at,
        "duration_s": meeting.duration_s,
        "participants": [p.display_name for p in meeting.participants],
        "notes": [str(path) for path in last.files],
        "notes_link": notes_link(hass, list(last.files)),
    }


SENSORS: tuple[ScribeSensorDescription, ...] = (
    ScribeSensorDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=["idle", "recording", "finalizing", "transcribing"],
        value_fn=lambda state: state.status,
    ),
    ScribeSensorDescription(
        key="current_meeting",
        translation_key="current_meeting",
        value_fn=lambda state: _title(state.current.meeting) if state.current else None,
        attributes_fn=_current_attributes,
    ),
    ScribeSensorDescription(
        key="last_meeting",
        translation_key="last_meeting",
        value_fn=lambda state: _title(state.last.meeting) if state.last else None,
        attributes_fn=_last_attributes,
    ),
    ScribeSensorDescription(
        key="last_meeting_duration",
        translation_key="last_meeting_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=1,
        value_fn=lambda state: state.last.meeting.duration_s if state.last else None,
    ),
)


async def async_setup_entry(
    _hass: HomeAssistant,
    entry: MeetingScribeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data
    async_add_entities(ScribeSensor(coordinator, description) for description in SENSORS)


class ScribeSensor(ScribeEntity, SensorEntity):
    """A sensor of the server device."""

    entity_description: ScribeSensorDescription

    @property
    def native_value(self) -> str | float | None:
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        return self.entity_description.attributes_fn(self.hass, self.coordinator.data)
