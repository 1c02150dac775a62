"""Input that is valid enough to get far gets a clear answer, on every door, and harms nothing.

Real server process on the real tiny.en model; real TCP and HTTP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import stat
import wave
from pathlib import Path

import pytest
from wyoming.audio import AudioStop
from wyoming.info import Describe

from tests.assets import AUDIO, COMMAND
from tests.server.api_client import ApiClient
from tests.server_process import ServerProcess
from tests.wyoming_client import ScribeClient, load_pcm

SPEECH = AUDIO / "misc/jfk.flac"  # "And so, my fellow Americans, ask not what your country..."
DEEP_ARRAY = b"[" * 20_000 + b"]" * 20_000
LONG_NUMBER = b"1" * 5_000


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


async def expect_error(client: ScribeClient, code: str) -> str:
    event = await client.read(timeout=15)
    assert event is not None, f"the connection closed instead of an error {code}"
    assert event.type == "error", event
    assert event.data["code"] == code, event
    return str(event.data["text"])


async def expect_info(client: ScribeClient) -> None:
    await client.send(Describe().event())
    answer = await client.read(timeout=15)
    assert answer is not None
    assert answer.type == "info"


@pytest.mark.parametrize(
    "header",
    [
        b'{"type": "describe", "data": ' + DEEP_ARRAY + b"}\n",
        b'{"type": "describe", "data": {"n": ' + LONG_NUMBER + b"}}\n",
    ],
    ids=["20000-deep", "5000-digits"],
)
async def test_json_that_breaks_the_parser_is_answered_on_the_wyoming_port(
    scribe: ServerProcess, header: bytes
) -> None:
    client = await ScribeClient.connect(scribe.port)
    try:
        await client.send_raw(header)
        assert "not valid JSON" in await expect_error(client, "malformed-event")
        await expect_info(client)  # the same connection goes on
    finally:
        await client.close()


@pytest.mark.parametrize("body", [DEEP_ARRAY, LONG_NUMBER], ids=["20000-deep", "5000-digits"])
async def test_json_that_breaks_the_parser_is_a_400_on_the_api(
    scribe_api: ApiClient, body: bytes
) -> None:
    answer = await scribe_api.call(
        "POST", "/meetings", data=body, headers={"Content-Type": "application/json"}
    )

    assert answer.status == 400, answer
    assert answer.json["error"] == "bad_request"
    assert "not valid JSON" in answer.json["message"]


async def test_audio_stop_without_audio_start_is_answered(scribe: ServerProcess) -> None:
    client = await ScribeClient.connect(scribe.port)
    try:
        await client.send(AudioStop().event())
        assert "audio-start" in await expect_error(client, "no-audio-start")
        utterance = await client.transcribe(load_pcm(COMMAND))
        assert {"turn", "standing"} <= set(words(utterance.transcript))
    finally:
        await client.close()


async def test_a_lone_surrogate_in_transcript_names_does_not_fail_the_utterance(
    scribe: ServerProcess,
) -> None:
    client = await ScribeClient.connect(scribe.port)
    try:
        # Valid JSON (the escapes are allowed), but not text; sent as bytes, as any client may.
        await client.send_raw(
            b'{"type": "transcribe", "data": {"language": "en", '
            b'"transcript_names": ["Ada \\ud800", "\\udfff"]}}\n'
        )
        utterance = await client.transcribe(load_pcm(SPEECH))
    finally:
        await client.close()

    assert "error" not in utterance.types
    assert {"fellow", "americans", "country"} <= set(words(utterance.transcript))


@pytest.mark.parametrize(
    "token",
    ["café-über-token".encode("latin-1"), b"\xff\xfe" * 20, "☃☃☃-snowmen".encode()],
    ids=["latin-1", "not-text", "utf-8"],
)
async def test_a_non_ascii_bearer_token_is_a_401(scribe: ServerProcess, token: bytes) -> None:
    # Raw bytes on the wire, as any client may send (aiohttp's client would not).
    reader, writer = await asyncio.open_connection("127.0.0.1", scribe.http_port)
    writer.write(
        b"GET /api/meetings HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Authorization: Bearer " + token + b"\r\n\r\n"
    )
    answer = await asyncio.wait_for(reader.read(), 15)
    writer.close()

    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 401 Unauthorized", answer
    assert json.loads(rest.partition(b"\r\n\r\n")[2])["error"] == "unauthorized"


async def test_an_upload_named_with_a_newline_and_5000_characters_gets_a_clean_title(
    scribe_api: ApiClient, scribe_dir: Path
) -> None:
    name = "Board meeting\n- [ ] not an action item" + "x" * 5_000 + ".flac"

    answer = await scribe_api.call(
        "POST",
        "/transcriptions",
        params={"filename": name},
        data=SPEECH.read_bytes(),
        headers={"Content-Type": "audio/flac"},
    )

    assert answer.status == 202, answer
    meeting = await scribe_api.wait_for(answer.json["id"])
    assert meeting["status"] == "done"
    assert meeting["title"].startswith("Board meeting - [ ] not an action item")
    assert "\n" not in meeting["title"]
    assert len(meeting["title"]) <= 200
    notes = await scribe_api.call("GET", f"/meetings/{meeting['id']}/transcript.md")
    assert notes.status == 200
    assert not any(line.startswith("- [ ]") for line in notes.raw.decode().splitlines())


async def test_an_empty_wav_is_not_a_meeting(scribe_api: ApiClient) -> None:
    empty = io.BytesIO()
    with wave.open(empty, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
    before = (await scribe_api.call("GET", "/meetings")).json["meetings"]

    answer = await scribe_api.call(
        "POST", "/transcriptions", data=empty.getvalue(), headers={"Content-Type": "audio/wav"}
    )

    assert answer.status == 400, answer
    assert answer.json["error"] == "invalid_audio"
    assert "empty" in answer.json["message"]
    assert (await scribe_api.call("GET", "/meetings")).json["meetings"] == before


async def test_recordings_are_readable_by_the_server_alone(
    scribe_api: ApiClient, scribe_dir: Path
) -> None:
    answer = await scribe_api.call(
        "POST", "/transcriptions", data=SPEECH.read_bytes(), headers={"Content-Type": "audio/flac"}
    )
    assert answer.status == 202, answer
    meeting = await scribe_api.wait_for(answer.json["id"])
    assert meeting["status"] == "done"

    folder = scribe_dir / "data" / "recordings" / meeting["id"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert {p.name for p in files} >= {"audio.pcm", "meeting.json", "segments.jsonl"}
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: 0o600 for p in files}
    token = scribe_dir / "data" / "api_token"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
