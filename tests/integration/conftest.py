"""Fixtures for the integration's tests: a real Home Assistant, the server, and an SMTP server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from homeassistant.core import HomeAssistant, State
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.meeting_scribe.const import CONF_NOTES_FOLDER, DOMAIN
from tests.assets import AUDIO
from tests.integration.fake_scribe_server import TOKEN, FakeScribeServer
from tests.server_process import free_port

NOTIFY_NAME = "scribe_mail"


@pytest.fixture(autouse=True)
def _integration_env(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Load custom_components/meeting_scribe; allow sockets to 127.0.0.1."""


@dataclass
class Scribe:
    """Where the server under test listens; it can be stopped and started again."""

    host: str
    port: int
    token: str
    server: FakeScribeServer | None = None

    @property
    def data(self) -> dict[str, Any]:
        return {"host": self.host, "port": self.port, "token": self.token}

    async def stop(self) -> None:
        if self.server:
            await self.server.stop()
            self.server = None

    async def start(self) -> None:
        self.server = FakeScribeServer()
        await self.server.start(self.port)


@pytest.fixture
async def scribe() -> AsyncIterator[Scribe]:
    server = FakeScribeServer()
    await server.start()
    handle = Scribe("127.0.0.1", server.port, TOKEN, server)
    yield handle
    await handle.stop()


@dataclass
class Folders:
    config: Path
    media: Path
    notes: Path


@pytest.fixture
def folders(hass: HomeAssistant, tmp_path: Path) -> Folders:
    """A config folder, a media folder with the notes in it, and the shared audio as media."""
    config, media = tmp_path / "config", tmp_path / "media"
    config.mkdir()
    media.mkdir()
    hass.config.config_dir = str(config)
    hass.config.media_dirs = {"local": str(media), "assets": str(AUDIO)}
    hass.config.allowlist_external_dirs = {str(media)}
    return Folders(config, media, media / "meeting_scribe")


@pytest.fixture
def options(folders: Folders) -> dict[str, Any]:
    return {CONF_NOTES_FOLDER: str(folders.notes)}


@pytest.fixture
async def entry(
    hass: HomeAssistant, scribe: Scribe, folders: Folders, options: dict[str, Any]
) -> MockConfigEntry:
    """The server set up as a config entry, as the config flow would leave it."""
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        title="Meeting Scribe",
        data=scribe.data,
        options=options,
        unique_id=f"{scribe.host}:{scribe.port}",
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


@dataclass
class Mailbox:
    """What the SMTP server received."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    controller: Controller | None = None

    def stop(self) -> None:
        """Take the mail server away."""
        if self.controller:
            self.controller.stop()
            self.controller = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        message = message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    async def wait_for(self, count: int, timeout: float = 20) -> list[EmailMessage]:
        await wait_until(lambda: len(self.messages) >= count, timeout)
        return self.messages


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1."""
    box = Mailbox(free_port())
    box.controller = Controller(box, hostname="127.0.0.1", port=box.port)
    box.controller.start()
    yield box
    box.stop()


@pytest.fixture
async def smtp_notify(hass: HomeAssistant, mailbox: Mailbox) -> str:
    """Home Assistant's own `smtp` notify platform, sending to the mailbox."""
    config = {
        "notify": [
            {
                "platform": "smtp",
                "name": NOTIFY_NAME,
                "server": "127.0.0.1",
                "port": mailbox.port,
                "encryption": "none",
                "sender": "scribe@example.com",
                "recipient": "fallback@example.com",
            }
        ]
    }
    assert await async_setup_component(hass, "notify", config)
    await hass.async_block_till_done()
    assert hass.services.has_service("notify", NOTIFY_NAME)
    return f"notify.{NOTIFY_NAME}"


def state_of(hass: HomeAssistant, entity_id: str) -> State:
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} does not exist"
    return state


async def act(
    hass: HomeAssistant, action: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Call one of the integration's actions and return its response."""
    response = await hass.services.async_call(
        DOMAIN, action, data or {}, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def wait_until(
    condition: Callable[[], bool], timeout: float = 20, interval: float = 0.05
) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(interval)


async def wait_for_state(
    hass: HomeAssistant, entity_id: str, expected: Callable[[str], bool] | str, timeout: float = 20
) -> str:
    check: Callable[[str], bool] = (
        expected if callable(expected) else lambda value: value == expected
    )
    await wait_until(
        lambda: (state := hass.states.get(entity_id)) is not None and check(state.state), timeout
    )
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def server_request(scribe: Scribe, method: str, path: str) -> Any:
    """Talk to the server directly, as another client would (not through Home Assistant)."""
    headers = {"Authorization": f"Bearer {scribe.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, f"http://{scribe.host}:{scribe.port}/api{path}", headers=headers
        ) as r,
    ):
        r.raise_for_status()
        return await r.json()
