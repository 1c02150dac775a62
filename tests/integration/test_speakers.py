"""Naming a meeting's speakers from Home Assistant: the notes and the e-mail show the names.

A real server with the real tiny.en model transcribes two real voices (LJ Speech, then
LibriSpeech speaker 1089, then LJ again); the integration's `rename_speaker` action names the
second one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.meeting_scribe.const import DOMAIN
from tests.assets import TINY_EN_MODEL
from tests.integration.conftest import Folders, Mailbox, act
from tests.integration.scribe_server import ScribeServer
from tests.voices import assemble

pytestmark = pytest.mark.slow
TURNS = [
    ("LJ", ["ljspeech/LJ001-0001.flac"]),
    ("1089", ["librispeech/1089-134686-0000.flac"]),
    ("LJ", ["ljspeech/LJ001-0003.flac"]),
]


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScribeServer]:
    import pytest_socket  # noqa: PLC0415

    pytest_socket.enable_socket()
    server = ScribeServer(tmp_path_factory.mktemp("speakers"), model=TINY_EN_MODEL)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def tiny_entry(
    hass: HomeAssistant, tiny_server: ScribeServer, options: dict[str, Any]
) -> MockConfigEntry:
    config_entry = MockConfigEntry(
        domain=DOMAIN, title="Meeting Scribe", data=tiny_server.data, options=options
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


async def transcribe_two_voices(hass: HomeAssistant, folders: Folders) -> dict[str, Any]:
    audio, _ = assemble(TURNS)
    path = folders.notes.parent / "two_voices.wav"
    path.write_bytes(audio)
    data = {"file": str(path), "title": "Two voices", "wait": True}
    return await act(hass, "transcribe_file", data | {"participants": ["ada@example.com"]})


def speakers_in(notes: Path) -> list[str]:
    return re.findall(r"^\[\d\d:\d\d:\d\d\] ([^:]+): ", notes.read_text(), re.MULTILINE)


async def test_named_speakers_in_the_notes_and_the_email(
    hass: HomeAssistant,
    tiny_entry: MockConfigEntry,
    folders: Folders,
    smtp_notify: str,
    mailbox: Mailbox,
) -> None:
    result = await transcribe_two_voices(hass, folders)
    [txt] = [Path(p) for p in result["files"] if p.endswith(".txt")]
    assert speakers_in(txt) == ["Speaker 1", "Speaker 2", "Speaker 1"]

    response = await act(hass, "rename_speaker", {"speaker": "Speaker 2", "name": "Stephen"})
    assert response["id"] == result["id"]
    assert response["speakers"] == {"Speaker 1": "Speaker 1", "Speaker 2": "Stephen"}
    assert speakers_in(txt) == ["Speaker 1", "Stephen", "Speaker 1"]  # the notes, written again
    md = next(Path(p) for p in response["files"] if p.endswith(".md")).read_text()
    assert "**Stephen:**" in md

    await act(hass, "send_notes", {"notify_service": smtp_notify})
    [message] = await mailbox.wait_for(1)
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    body: str = part.get_content()
    assert re.findall(r"^(Speaker 1|Stephen): ", body, re.MULTILINE) == [
        "Speaker 1",
        "Stephen",
        "Speaker 1",
    ]


async def test_an_unknown_speaker_is_refused(
    hass: HomeAssistant, tiny_entry: MockConfigEntry, folders: Folders
) -> None:
    await transcribe_two_voices(hass, folders)
    with pytest.raises(HomeAssistantError, match="Speaker 7"):
        await hass.services.async_call(
            DOMAIN,
            "rename_speaker",
            {"speaker": "Speaker 7", "name": "Ada"},
            blocking=True,
            return_response=True,
        )
