"""Base of every entity: one device per server, available while its event stream is up."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import ScribeCoordinator


class ScribeEntity(CoordinatorEntity[ScribeCoordinator]):
    """An entity of the Meeting Scribe server device."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: ScribeCoordinator, description: EntityDescription) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.unique_id}_{description.key}"
        health = coordinator.data.health
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, coordinator.unique_id)},
            name=coordinator.config_entry.title,
            manufacturer="Meeting Scribe",
            model=health.model,
            sw_version=health.version,
        )
