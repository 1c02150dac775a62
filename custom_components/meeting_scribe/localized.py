"""Text the integration writes itself (e-mails, default titles), in Home Assistant's language."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .const import DOMAIN


async def async_common_strings(hass: HomeAssistant) -> dict[str, str]:
    """The `common` section of the integration's translations, keyed by name."""
    prefix = f"component.{DOMAIN}.common."
    translations = await async_get_translations(hass, hass.config.language, "common", [DOMAIN])
    return {key.removeprefix(prefix): value for key, value in translations.items()}


async def async_default_title(hass: HomeAssistant) -> str:
    """The title of a meeting started without one, such as "Meeting 2026-11-21 09:30"."""
    strings = await async_common_strings(hass)
    return strings["default_title"].format(date=dt_util.now().strftime("%Y-%m-%d %H:%M"))
