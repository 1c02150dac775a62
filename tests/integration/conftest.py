"""Fixtures for the integration's tests: a real Home Assistant, the server, and an SMTP server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import pytest_socket
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from homeassistant.core import HomeAssistant, State
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.meeting_scribe.const import CONF_NOTES_FOLDER, DOMAIN
from tests.assets import AUDIO, MEETING_AUDIO, TINY_EN_MODEL, manifest_entry
from tests.hearing import assert_heard
from tests.integration.scribe_server import TOKEN, ScribeServer
from tests.server_process import free_port

NOTIFY_NAME = "scribe_mail"
COMMAND_AUDIO = AUDIO / "ha_commands" / "en" / "what_time_is_it.wav"


@pytest.fixture(autouse=True)
def _integration_env(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Load custom_components/meeting_scribe; allow sockets to 127.0.0.1."""


def _running_server(
    tmp_path_factory: pytest.TempPathFactory, name: str, model: Path = TINY_EN_MODEL
) -> Iterator[ScribeServer]:
    pytest_socket.enable_socket()  # session fixtures start before the per-test `socket_enabled`
    server = ScribeServer(tmp_path_factory.mktemp(name), model)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScribeServer]:
    """One real server for the tests that only need a working one."""
    yield from _running_server(tmp_path_factory, "scribe")


@pytest.fixture
def scribe(shared_server: ScribeServer) -> Iterator[ScribeServer]:
    """The shared server, left with a free microphone and nothing in progress afterwards."""
    yield shared_server
    shared_server.settle()


@pytest.fixture(scope="session")
def spare_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScribeServer]:
    """A second server, for the tests that stop, crash or restart it."""
    yield from _running_server(tmp_path_factory, "spare")


@pytest.fixture
def restartable_server(spare_server: ScribeServer) -> Iterator[ScribeServer]:
    """The spare server; whatever the test did to it, it runs again as before afterwards."""
    yield spare_server
    if spare_server.process is None or spare_server.token != TOKEN:
        spare_server.stop()
        spare_server.token = TOKEN
        spare_server.start()
    spare_server.settle()


@pytest.fixture
def empty_server(scribe: ScribeServer) -> ScribeServer:
    """The shared server with no meetings on it."""
    scribe.settle()
    scribe.delete_all_meetings()
    return scribe


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
    hass: HomeAssistant, scribe: ScribeServer, folders: Folders, options: dict[str, Any]
) -> MockConfigEntry:
    """The server set up as a config entry, as the config flow would leave it."""
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        title="Meeting Scribe",
        data=scribe.data,
        options=options,
        unique_id=scribe.server_id,
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


async def record_meeting(
    hass: HomeAssistant, title: str = "Weekly sync", participants: list[str] | None = None
) -> dict[str, Any]:
    """Start a meeting on the microphone, let it hear something, stop it; the response."""
    await act(hass, "start_meeting", {"title": title, "participants": participants or []})
    current = "sensor.meeting_scribe_current_meeting"
    await wait_until(lambda: (state_of(hass, current).attributes.get("segments") or 0) > 0)
    return await act(hass, "stop_meeting")


async def transcribe_command(
    hass: HomeAssistant, title: str = "Weekly sync", participants: list[str] | None = None
) -> dict[str, Any]:
    """A finished meeting, quickly: a two-second voice command transcribed as a file."""
    data = {"file": str(COMMAND_AUDIO), "title": title, "wait": True}
    return await act(hass, "transcribe_file", data | {"participants": participants or []})


def said_before(seconds: float) -> str:
    """What the meeting's speakers said in its first ``seconds``: the turns that ended, and of a
    turn cut off, the share of its words its elapsed time suggests."""
    words: list[str] = []
    for turn in manifest_entry(MEETING_AUDIO)["segments"]:
        turn_words = str(turn["text"]).split()
        if turn["end"] <= seconds:
            words += turn_words
        elif turn["start"] < seconds:
            share = (seconds - turn["start"]) / (turn["end"] - turn["start"])
            words += turn_words[: round(share * len(turn_words))]
    return " ".join(words)


def assert_meeting_heard(result: dict[str, Any], max_wer: float = 0.35) -> None:
    """The text of a meeting recorded from the microphone (which plays the meeting) is what was
    said while it recorded."""
    assert_heard(str(result["text"]), said_before(float(result["duration_s"])), max_wer)


def assert_command_heard(result: dict[str, Any]) -> None:
    """The text of `transcribe_command`'s meeting is the command's words."""
    assert_heard(str(result["text"]), COMMAND_AUDIO, max_wer=0.2)  # measured 0 %


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
