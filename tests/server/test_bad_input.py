"""Every client mistake gets an error event (or a clean close) and the server keeps serving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.info import Describe

from tests.assets import AUDIO
from tests.hearing import assert_heard
from tests.server_process import ServerProcess, run_server
from tests.wyoming_client import ScribeClient, load_pcm, silence

COMMAND = AUDIO / "ha_commands/en/turn_off_lights_in_the_office.wav"


async def expect_error(client: ScribeClient, code: str) -> str:
    event = await client.read(timeout=10)
    assert event is not None, f"connection closed instead of an error {code}"
    assert event.type == "error", event
    assert event.data["code"] == code
    assert event.data["text"]
    return str(event.data["text"])


async def assert_still_serving(server: ServerProcess) -> None:
    """A new client gets a full transcript: the server survived."""
    client = await ScribeClient.connect(server.port)
    try:
        utterance = await client.transcribe(load_pcm(COMMAND))
    finally:
        await client.close()
    assert utterance.types[-2:] == ["transcript", "transcript-stop"]
    assert utterance.transcript.strip()
    assert_heard(utterance.transcript, COMMAND, max_wer=0.2)  # measured 0 %


async def assert_closed(client: ScribeClient) -> None:
    assert await client.read(timeout=10) is None


@pytest.mark.parametrize(
    "line",
    [b"this is not json\n", b'["a", "list"]\n', b'{"data": {}}\n', b"\xff\xfe\n"],
    ids=["not-json", "not-an-object", "no-type", "not-utf8"],
)
async def test_a_malformed_header_is_answered_and_the_connection_goes_on(
    client: ScribeClient, tiny_server: ServerProcess, line: bytes
) -> None:
    await client.send_raw(line)
    await expect_error(client, "malformed-event")

    await client.send(Describe().event())
    answer = await client.read()
    assert answer is not None
    assert answer.type == "info"


async def test_data_that_is_not_json_is_answered(client: ScribeClient) -> None:
    await client.send_raw(b'{"type": "transcribe", "data_length": 5}\nxxxxx')
    await expect_error(client, "malformed-event")
    await client.send(Describe().event())
    assert (await client.read()) is not None


@pytest.mark.parametrize(
    "header",
    [
        {"type": "audio-chunk", "payload_length": 10**12},
        {"type": "audio-chunk", "data_length": 10**9},
        {"type": "audio-chunk", "payload_length": -5},
        {"type": "audio-chunk", "payload_length": "many"},
    ],
    ids=["huge-payload", "huge-data", "negative", "not-a-number"],
)
async def test_an_absurd_length_closes_cleanly_and_others_are_served(
    client: ScribeClient, tiny_server: ServerProcess, header: dict[str, object]
) -> None:
    await client.send_raw(json.dumps(header).encode() + b"\n")
    await expect_error(client, "broken-stream")
    await assert_closed(client)
    await assert_still_serving(tiny_server)


async def test_an_endless_header_line_closes_cleanly(
    client: ScribeClient, tiny_server: ServerProcess
) -> None:
    await client.send_raw(b"{" + b" " * 100_000)
    await expect_error(client, "broken-stream")
    await assert_closed(client)
    await assert_still_serving(tiny_server)


async def test_audio_before_audio_start_is_reported_once(
    client: ScribeClient, tiny_server: ServerProcess
) -> None:
    for _ in range(5):
        await client.send(AudioChunk(rate=16000, width=2, channels=1, audio=silence(0.02)).event())
    await expect_error(client, "no-audio-start")
    await client.send(AudioStop().event())

    # The same connection then transcribes normally, with no further errors in between.
    utterance = await client.transcribe(load_pcm(COMMAND))
    assert utterance.types[0] == "transcript-start"
    assert "error" not in utterance.types
    assert_heard(utterance.transcript, COMMAND, max_wer=0.2)


@pytest.mark.parametrize(
    ("rate", "width", "channels", "explained"),
    [
        (16000, 3, 1, "width 3"),
        (4000, 2, 1, "4000 Hz"),
        (16000, 2, 6, "channel count 6"),
        ("fast", 2, 1, "'fast'"),
    ],
    ids=["24-bit", "4-khz", "six-channels", "rate-not-a-number"],
)
async def test_unsupported_audio_formats_are_explained(
    client: ScribeClient, rate: int, width: int, channels: int, explained: str
) -> None:
    await client.send(AudioStart(rate=rate, width=width, channels=channels).event())
    assert explained in await expect_error(client, "unsupported-audio")
    for _ in range(3):
        chunk = AudioChunk(rate=rate, width=width, channels=channels, audio=b"\0" * 96)
        await client.send(chunk.event())
    await client.send(AudioStop().event())

    utterance = await client.transcribe(load_pcm(COMMAND))
    assert "error" not in utterance.types
    assert utterance.transcript.strip()
    assert_heard(utterance.transcript, COMMAND, max_wer=0.2)


async def test_an_utterance_over_the_cap_is_cut_with_an_error(tmp_path: Path) -> None:
    with run_server(tmp_path, "--max-utterance-seconds", "3") as server:
        client = await ScribeClient.connect(server.port)
        pcm = load_pcm(COMMAND) + silence(1) + load_pcm(COMMAND) + silence(1) + load_pcm(COMMAND)
        utterance = await client.transcribe(pcm)
        await client.close()

        errors = utterance.of_type("error")
        assert len(errors) == 1
        assert errors[0].event.data["code"] == "audio-too-long"
        # Nothing is lost silently: the first 3 s are transcribed and the answer completes.
        assert utterance.types[-2:] == ["transcript", "transcript-stop"]
        assert utterance.transcript.strip()
        assert_heard(utterance.transcript, COMMAND, max_wer=0.2)  # the first command, once
        await assert_still_serving(server)


async def test_a_model_that_cannot_load_is_an_error_not_a_dead_server(tmp_path: Path) -> None:
    with run_server(tmp_path, model=tmp_path / "no-such-model") as server:
        for _ in range(2):  # the next client is answered the same way
            client = await ScribeClient.connect(server.port)
            await client.send(Describe().event())
            info = await client.read()
            assert info is not None
            assert info.data["asr"][0]["models"][0]["installed"] is False

            await client.send(AudioStart(rate=16000, width=2, channels=1).event())
            text = await expect_error(client, "model-unavailable")
            assert "no-such-model" in text
            await client.close()
        assert server.process.poll() is None
