"""Set up a server: Supervisor discovery, by hand, reconfigure, reauthenticate; and the options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_TOKEN
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    ConversationAgentSelector,
    LanguageSelector,
    LanguageSelectorConfig,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.hassio import HassioServiceInfo

from .api import ScribeAuthError, ScribeClient, ScribeError
from .const import (
    CONF_CONVERSATION_AGENT,
    CONF_EMAIL_ON_FINISH,
    CONF_EXPORT_FORMATS,
    CONF_LANGUAGE,
    CONF_NOTES_FOLDER,
    CONF_NOTIFY_SERVICE,
    CONF_RECIPIENTS,
    CONF_VOCABULARY,
    DEFAULT_PORT,
    DOMAIN,
    EXPORT_FORMATS,
)
from .coordinator import MeetingScribeConfigEntry
from .mail import NOTIFY_DOMAIN, notify_service_name
from .models import InvalidParticipantError, parse_participants
from .settings import default_notes_folder

DEFAULT_TITLE = "Meeting Scribe"

SERVER_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_HOST): TextSelector(),
        vol.Required(CONF_PORT, default=DEFAULT_PORT): cv.port,
        vol.Required(CONF_TOKEN): TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD)),
    }
)
TOKEN_SCHEMA = vol.Schema(
    {vol.Required(CONF_TOKEN): TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))}
)


@dataclass(frozen=True, slots=True)
class _Probe:
    """What asking a server with the given address and token found."""

    error: str | None
    unique_id: str


async def _async_probe(hass: HomeAssistant, data: Mapping[str, Any]) -> _Probe:
    """Check the address and the token; the unique id is the server's id, else host:port."""
    host, port = data[CONF_HOST], data[CONF_PORT]
    fallback_id = f"{host.lower()}:{port}"
    client = ScribeClient(async_get_clientsession(hass), host, port, data.get(CONF_TOKEN, ""))
    try:
        health = await client.health()
    except ScribeError:
        return _Probe("cannot_connect", fallback_id)
    unique_id = health.server_id or fallback_id
    try:
        await client.list_meetings()
    except ScribeAuthError:
        return _Probe("invalid_auth", unique_id)
    except ScribeError:
        return _Probe("cannot_connect", unique_id)
    return _Probe(None, unique_id)


def _server_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    return {
        CONF_HOST: str(user_input[CONF_HOST]).strip(),
        CONF_PORT: int(user_input[CONF_PORT]),
        CONF_TOKEN: str(user_input.get(CONF_TOKEN) or "").strip(),
    }


class MeetingScribeConfigFlow(ConfigFlow, domain=DOMAIN):
    """One config entry per Meeting Scribe server."""

    VERSION = 1

    _discovered: dict[str, Any]
    _addon_name: str = DEFAULT_TITLE

    @staticmethod
    @callback
    def async_get_options_flow(_config_entry: MeetingScribeConfigEntry) -> ScribeOptionsFlow:
        return ScribeOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _server_data(user_input)
            probe = await _async_probe(self.hass, data)
            if probe.error is None:
                await self.async_set_unique_id(probe.unique_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=self._title_for(data[CONF_HOST]), data=data)
            errors["base"] = probe.error
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(SERVER_SCHEMA, user_input),
            errors=errors,
        )

    def _title_for(self, host: str) -> str:
        """The entry title: the product name, with the host once there is more than one server."""
        return f"{DEFAULT_TITLE} ({host})" if self._async_current_entries() else DEFAULT_TITLE

    async def async_step_hassio(self, discovery_info: HassioServiceInfo) -> ConfigFlowResult:
        """The add-on announced itself: host, `port` (Wyoming), `api_port` (HTTP) and `token`."""
        config = discovery_info.config
        self._discovered = _server_data(
            {
                CONF_HOST: config[CONF_HOST],
                CONF_PORT: config.get("api_port") or config.get(CONF_PORT) or DEFAULT_PORT,
                CONF_TOKEN: config.get(CONF_TOKEN),
            }
        )
        self._addon_name = discovery_info.name or DEFAULT_TITLE
        probe = await _async_probe(self.hass, self._discovered)
        await self.async_set_unique_id(probe.unique_id)
        self._abort_if_unique_id_configured(updates=self._discovered)
        self.context["title_placeholders"] = {"name": self._addon_name}
        self.context["configuration_url"] = (
            f"homeassistant://hassio/addon/{discovery_info.slug}/info"
        )
        return await self.async_step_hassio_confirm()

    async def async_step_hassio_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            probe = await _async_probe(self.hass, self._discovered)
            if probe.error is None:
                # The id found now counts: at discovery the add-on may not have answered yet.
                await self.async_set_unique_id(probe.unique_id)
                self._abort_if_unique_id_configured(updates=self._discovered)
                return self.async_create_entry(title=self._addon_name, data=self._discovered)
            errors["base"] = probe.error
        return self.async_show_form(
            step_id="hassio_confirm",
            description_placeholders={"addon": self._addon_name},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _server_data(user_input)
            probe = await _async_probe(self.hass, data)
            if probe.error is None:
                if any(
                    other.unique_id == probe.unique_id and other.entry_id != entry.entry_id
                    for other in self._async_current_entries()
                ):
                    return self.async_abort(reason="already_configured")
                return self.async_update_reload_and_abort(
                    entry, unique_id=probe.unique_id, data_updates=data
                )
            errors["base"] = probe.error
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                SERVER_SCHEMA, user_input or entry.data
            ),
            errors=errors,
        )

    async def async_step_reauth(self, _entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _server_data({**entry.data, CONF_TOKEN: user_input[CONF_TOKEN]})
            probe = await _async_probe(self.hass, data)
            if probe.error is None:
                return self.async_update_reload_and_abort(entry, data_updates=data)
            errors["base"] = probe.error
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=TOKEN_SCHEMA,
            description_placeholders={"title": entry.title},
            errors=errors,
        )


class ScribeOptionsFlow(OptionsFlow):
    """Where notes go, in which formats, who gets them and through which notify service; the
    agent that summarises meetings and the team's own words."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            if error := await self._async_problem(user_input):
                errors["base"] = error
            else:
                return self.async_create_entry(data=user_input)
        schema = self.add_suggested_values_to_schema(
            self._schema(), user_input if user_input is not None else self.config_entry.options
        )
        return self.async_show_form(step_id="init", data_schema=schema, errors=errors)

    def _schema(self) -> vol.Schema:
        hass = self.hass
        notify_services = sorted(
            f"{NOTIFY_DOMAIN}.{name}"
            for name in hass.services.async_services_for_domain(NOTIFY_DOMAIN)
        )
        entry = self.config_entry
        loaded = entry.state is ConfigEntryState.LOADED
        languages = list(entry.runtime_data.data.health.languages) if loaded else []
        return vol.Schema(
            {
                vol.Optional(CONF_NOTIFY_SERVICE): SelectSelector(
                    SelectSelectorConfig(
                        options=notify_services,
                        custom_value=True,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(CONF_RECIPIENTS): TextSelector(
                    TextSelectorConfig(type=TextSelectorType.EMAIL, multiple=True)
                ),
                vol.Optional(CONF_EMAIL_ON_FINISH, default=False): BooleanSelector(),
                vol.Optional(CONF_LANGUAGE): LanguageSelector(
                    LanguageSelectorConfig(languages=languages)
                ),
                vol.Optional(CONF_EXPORT_FORMATS, default=list(EXPORT_FORMATS)): SelectSelector(
                    SelectSelectorConfig(
                        options=list(EXPORT_FORMATS),
                        multiple=True,
                        translation_key="export_format",
                    )
                ),
                vol.Optional(
                    CONF_NOTES_FOLDER, default=str(default_notes_folder(hass))
                ): TextSelector(),
                vol.Optional(CONF_CONVERSATION_AGENT): ConversationAgentSelector(),
                vol.Optional(CONF_VOCABULARY): TextSelector(TextSelectorConfig(multiple=True)),
            }
        )

    async def _async_problem(self, options: dict[str, Any]) -> str | None:
        """The first thing wrong with the options, as an error key."""
        try:
            parse_participants(options.get(CONF_RECIPIENTS) or [])
        except InvalidParticipantError:
            return "invalid_recipient"
        if not options.get(CONF_EXPORT_FORMATS):
            return "no_export_format"
        if options.get(CONF_NOTIFY_SERVICE) or options.get(CONF_EMAIL_ON_FINISH):
            try:
                notify_service_name(self.hass, options.get(CONF_NOTIFY_SERVICE))
            except ServiceValidationError as err:
                return str(err.translation_key)
        folder = Path(options.get(CONF_NOTES_FOLDER) or default_notes_folder(self.hass))
        allowed = folder.is_absolute() and await self.hass.async_add_executor_job(
            self.hass.config.is_allowed_path, str(folder)
        )
        return None if allowed else "notes_folder_not_allowed"
