"""Setting up a server: Supervisor discovery, by hand, reconfigure, a new token, and the options."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_HASSIO, SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.hassio import HassioServiceInfo
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.meeting_scribe.const import (
    CONF_EMAIL_ON_FINISH,
    CONF_EXPORT_FORMATS,
    CONF_LANGUAGE,
    CONF_NOTES_FOLDER,
    CONF_NOTIFY_SERVICE,
    CONF_RECIPIENTS,
    DOMAIN,
)
from tests.integration.conftest import Folders, state_of
from tests.integration.scribe_server import ScribeServer
from tests.server_process import free_port


def discovery(server: dict[str, Any], **changes: Any) -> HassioServiceInfo:
    """What the Supervisor hands over when the add-on announces itself (see its discovery run)."""
    server = server | changes
    return HassioServiceInfo(
        config={
            "host": server["host"],
            "port": 10300,  # Wyoming, for the voice pipeline
            "api_port": server["port"],
            "token": server["token"],
            "addon": "Meeting Scribe",
        },
        name="Meeting Scribe",
        slug="abc123_meeting_scribe",
        uuid="1234",
    )


async def test_discovery_then_submit(
    hass: HomeAssistant, scribe: ScribeServer, folders: Folders
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_HASSIO}, data=discovery(scribe.data)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "hassio_confirm"
    assert result["description_placeholders"] == {"addon": "Meeting Scribe"}
    progress = hass.config_entries.flow.async_progress()
    assert progress[0]["context"]["title_placeholders"] == {"name": "Meeting Scribe"}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Meeting Scribe"
    assert result["data"] == scribe.data
    entry = result["result"]
    assert entry.unique_id == scribe.server_id
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, "switch.meeting_scribe_recording").state == "off"


async def test_discovery_with_a_wrong_token_says_so(
    hass: HomeAssistant, scribe: ScribeServer
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_HASSIO}, data=discovery(scribe.data, token="wrong")
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}


async def test_discovery_of_a_server_that_is_gone(hass: HomeAssistant) -> None:
    gone = {"host": "127.0.0.1", "port": free_port(), "token": "token"}
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_HASSIO}, data=discovery(gone)
    )
    assert result["step_id"] == "hassio_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["errors"] == {"base": "cannot_connect"}


async def test_rediscovery_updates_the_token(
    hass: HomeAssistant, scribe: ScribeServer, entry: MockConfigEntry
) -> None:
    hass.config_entries.async_update_entry(entry, data={**entry.data, "token": "old"})
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_HASSIO}, data=discovery(scribe.data)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data["token"] == scribe.token


async def test_an_add_on_at_a_new_address_updates_its_entry(
    hass: HomeAssistant, scribe: ScribeServer, folders: Folders
) -> None:
    moved_from = {**scribe.data, "port": free_port()}
    entry = MockConfigEntry(domain=DOMAIN, data=moved_from, unique_id=scribe.server_id)
    entry.add_to_hass(hass)

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_HASSIO}, data=discovery(scribe.data)
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data == scribe.data
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_manual_setup_reports_each_problem_then_succeeds(
    hass: HomeAssistant, scribe: ScribeServer, folders: Folders
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"

    nobody = {"host": "127.0.0.1", "port": free_port(), "token": scribe.token}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], nobody)
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**scribe.data, "token": "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], scribe.data)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Meeting Scribe"
    assert result["data"] == scribe.data
    await hass.async_block_till_done()


async def test_one_entry_per_server(
    hass: HomeAssistant, scribe: ScribeServer, entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], scribe.data)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure_moves_an_entry_to_the_right_port(
    hass: HomeAssistant, scribe: ScribeServer, folders: Folders
) -> None:
    wrong = {**scribe.data, "port": free_port()}
    entry = MockConfigEntry(domain=DOMAIN, data=wrong, unique_id=f"127.0.0.1:{wrong['port']}")
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"

    result = await hass.config_entries.flow.async_configure(result["flow_id"], wrong)
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**scribe.data, "token": "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], scribe.data)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == scribe.data
    assert entry.unique_id == scribe.server_id
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_onto_another_entrys_server(
    hass: HomeAssistant, scribe: ScribeServer, entry: MockConfigEntry
) -> None:
    elsewhere = {**scribe.data, "port": free_port()}
    other = MockConfigEntry(domain=DOMAIN, data=elsewhere, unique_id="127.0.0.1:1")
    other.add_to_hass(hass)
    result = await other.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], scribe.data)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_a_refused_token_asks_for_a_new_one(
    hass: HomeAssistant, scribe: ScribeServer, folders: Folders
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={**scribe.data, "token": "stale"}, title="Scribe")
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state == ConfigEntryState.SETUP_ERROR
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {"token": "nope"})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"token": scribe.token}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.state == ConfigEntryState.LOADED


async def test_setup_waits_for_a_server_that_is_down(hass: HomeAssistant, folders: Folders) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN, data={"host": "127.0.0.1", "port": free_port(), "token": "t"}
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY


OPTIONS_PROBLEMS = [
    ({CONF_RECIPIENTS: ["not an address"]}, "invalid_recipient"),
    ({CONF_EXPORT_FORMATS: []}, "no_export_format"),
    ({CONF_NOTIFY_SERVICE: "notify.nowhere"}, "unknown_notify_service"),
    ({CONF_EMAIL_ON_FINISH: True}, "no_notify_service"),
    ({CONF_NOTES_FOLDER: "/etc/meeting_scribe"}, "notes_folder_not_allowed"),
    ({CONF_NOTES_FOLDER: "relative/folder"}, "notes_folder_not_allowed"),
]


@pytest.mark.parametrize(("change", "error"), OPTIONS_PROBLEMS)
async def test_options_refuse_what_cannot_work(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    smtp_notify: str,
    folders: Folders,
    change: dict[str, Any],
    error: str,
) -> None:
    good = {CONF_NOTES_FOLDER: str(folders.notes), CONF_EXPORT_FORMATS: ["md"]}
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**good, **change}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}


async def test_options_saved(
    hass: HomeAssistant, entry: MockConfigEntry, smtp_notify: str, folders: Folders
) -> None:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    options = {
        CONF_NOTIFY_SERVICE: smtp_notify,
        CONF_RECIPIENTS: ["boss@example.com"],
        CONF_EMAIL_ON_FINISH: True,
        CONF_LANGUAGE: "en",
        CONF_EXPORT_FORMATS: ["txt", "md"],
        CONF_NOTES_FOLDER: str(folders.media / "minutes"),
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], options)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == options
