"""Meetings seen starting whose notes are not delivered yet; kept across restarts."""

from __future__ import annotations

from collections.abc import Iterator

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN

STORAGE_VERSION = 1
SAVE_DELAY_S = 1


class PendingMeetings:
    """A set of meeting ids stored with the config entry, so a restart of Home Assistant during a
    meeting still ends with notes, the finished event and the e-mail."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._store: Store[list[str]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.pending")
        self._ids: set[str] = set()

    async def async_load(self) -> None:
        self._ids = set(await self._store.async_load() or ())

    async def async_flush(self) -> None:
        """Write now what would be written a moment later."""
        await self._store.async_save(sorted(self._ids))

    async def async_remove(self) -> None:
        await self._store.async_remove()

    def __contains__(self, meeting_id: object) -> bool:
        return meeting_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._ids))

    def add(self, meeting_id: str) -> None:
        self._ids.add(meeting_id)
        self._save()

    def discard(self, meeting_id: str) -> None:
        if meeting_id in self._ids:
            self._ids.discard(meeting_id)
            self._save()

    def _save(self) -> None:
        self._store.async_delay_save(lambda: sorted(self._ids), SAVE_DELAY_S)
