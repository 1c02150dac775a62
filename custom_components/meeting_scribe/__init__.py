"""Meeting Scribe: record meetings on the add-on's microphone and get the notes by e-mail."""

from __future__ import annotations

from homeassistant.const import CONF_HOST, CONF_PORT, CONF_TOKEN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import ScribeAuthError, ScribeClient, ScribeError
from .blueprint import async_install_blueprints
from .const import DOMAIN
from .coordinator import MeetingScribeConfigEntry, ScribeCoordinator
from .pending import PendingMeetings
from .services import async_register_services
from .summary_store import SummaryStore

PLATFORMS = [Platform.SENSOR, Platform.SWITCH]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, _config: ConfigType) -> bool:
    """Register the actions, whether or not a server is set up yet; offer the blueprints."""
    async_register_services(hass)
    await async_install_blueprints(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: MeetingScribeConfigEntry) -> bool:
    """Connect to one server and follow its event stream."""
    client = ScribeClient(
        async_get_clientsession(hass),
        entry.data[CONF_HOST],
        entry.data[CONF_PORT],
        entry.data[CONF_TOKEN],
    )
    try:
        health = await client.health()
        meetings = await client.list_meetings()
    except ScribeAuthError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except ScribeError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err
    coordinator = ScribeCoordinator(hass, entry, client, health)
    entry.runtime_data = coordinator
    await coordinator.async_start(meetings)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MeetingScribeConfigEntry) -> bool:
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: MeetingScribeConfigEntry) -> None:
    """Forget the meetings still waiting for notes, and the summaries."""
    await PendingMeetings(hass, entry.entry_id).async_remove()
    await SummaryStore(hass, entry.entry_id).async_remove()
