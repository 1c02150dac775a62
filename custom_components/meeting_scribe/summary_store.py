"""The summaries of recent meetings, kept across restarts: notes written again keep theirs."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .summary import MeetingSummary

STORAGE_VERSION = 1
SAVE_DELAY_S = 1
KEPT = 200  # meetings; older summaries stay in their notes only


class SummaryStore:
    """Meeting id → summary, stored with the config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.summaries"
        )
        self._summaries: dict[str, MeetingSummary] = {}

    async def async_load(self) -> None:
        stored = await self._store.async_load() or {}
        self._summaries = {
            meeting_id: MeetingSummary.from_dict(data) for meeting_id, data in stored.items()
        }

    async def async_flush(self) -> None:
        """Write now what would be written a moment later."""
        await self._store.async_save(self._data())

    async def async_remove(self) -> None:
        await self._store.async_remove()

    def get(self, meeting_id: str) -> MeetingSummary | None:
        return self._summaries.get(meeting_id)

    def put(self, meeting_id: str, summary: MeetingSummary) -> None:
        self._summaries.pop(meeting_id, None)
        self._summaries[meeting_id] = summary
        while len(self._summaries) > KEPT:
            del self._summaries[min(self._summaries)]  # ids sort by start time
        self._store.async_delay_save(self._data, SAVE_DELAY_S)

    def _data(self) -> dict[str, Any]:
        return {meeting_id: summary.as_dict() for meeting_id, summary in self._summaries.items()}
