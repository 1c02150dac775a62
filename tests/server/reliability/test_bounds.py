"""Every resource a client can make the server spend is bounded by a setting; past a bound the
client is told which one, and everyone else is served as before.

Real server processes on the real tiny.en model; real TCP and HTTP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import av
import numpy as np
import pytest
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.info import Describe

from tests.assets import AUDIO, COMMAND
from tests.server.reliability.conftest import api_for
from tests.server_process import run_server
from tests.wyoming_client import ScribeClient, load_pcm

SPEECH = AUDIO / "misc/jfk.flac"  # 11 s: "...ask not what your country can do for you, ask what..."
LONG_SPEECH = AUDIO / "long/ljspeech_LJ001_first_90s.opus"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


async def read_until(
    client: ScribeClient, event_type: str, timeout: float = 60
) -> list[dict[str, Any]]:
    """Events (type and data) up to and including the first of ``event_type``."""
    seen = []
    for received in await client.read_until(event_type, timeout):
        seen.append({"type": received.type, **received.event.data})
    return seen


async def test_one_huge_chunk_is_cut_at_the_utterance_limit(tmp_path: Path) -> None:
    # All 11 s in one chunk of 8 kHz 8-bit audio; only the first 5 s may be heard.
    pcm16 = np.frombuffer(load_pcm(SPEECH, rate=8000), dtype="<i2")
    pcm8 = ((pcm16.astype(np.int32) >> 8) + 128).astype(np.uint8).tobytes()
    with run_server(tmp_path, "--max-utterance-seconds", "5") as server:
        client = await ScribeClient.connect(server.port)
        await client.send(AudioStart(rate=8000, width=1, channels=1).event())
        await client.send(AudioChunk(rate=8000, width=1, channels=1, audio=pcm8).event())
        await client.send(AudioStop().event())
        events = await read_until(client, "transcript-stop")
        await client.close()

    errors = [e for e in events if e["type"] == "error"]
    assert [e["code"] for e in errors] == ["audio-too-long"]
    assert "--max-utterance-seconds" in errors[0]["text"]
    heard = words(next(e for e in events if e["type"] == "transcript")["text"])
    assert "fellow" in heard
    assert "country" not in heard  # said after 5 s
    assert "Transcript (5.0 s of audio)" in server.log


async def test_a_flooding_connection_is_bounded_and_a_voice_command_still_goes_through(
    tmp_path: Path,
) -> None:
    flood = load_pcm(LONG_SPEECH)[: 16000 * 2 * 100]  # 100 s of speech, sent at once
    args = ["--max-queued-voice-seconds-per-connection", "20", "--max-utterance-seconds", "100"]
    with run_server(tmp_path, *args) as server:
        flooder = await ScribeClient.connect(server.port)
        await flooder.send(AudioStart(rate=16000, width=2, channels=1).event())
        for offset in range(0, len(flood), 32000):
            chunk = flood[offset : offset + 32000]
            await flooder.send(AudioChunk(rate=16000, width=2, channels=1, audio=chunk).event())
        await flooder.send(AudioStop().event())

        canary = await ScribeClient.connect(server.port)
        command = await canary.transcribe(load_pcm(COMMAND))
        await canary.close()
        flooded = await read_until(flooder, "transcript-stop", timeout=120)
        await flooder.close()

    assert {"turn", "standing"} <= set(words(command.transcript))
    errors = [e for e in flooded if e["type"] == "error"]
    assert [e["code"] for e in errors] == ["queue-full"]
    assert "--max-queued-voice-seconds-per-connection" in errors[0]["text"]
    # What was admitted is transcribed: the first sentence of the flood.
    assert "printing" in words(next(e for e in flooded if e["type"] == "transcript")["text"])


async def served_client(port: int) -> ScribeClient:
    """A client the server is serving: it has answered ``describe``."""
    client = await ScribeClient.connect(port)
    await client.send(Describe().event())
    answer = await client.read(timeout=5)
    assert answer is not None
    assert answer.type == "info", answer
    return client


async def test_idle_and_surplus_connections_are_closed_with_a_reason(tmp_path: Path) -> None:
    idle_s = 3.0  # long enough that the surplus client comes while the first three are served
    args = ["--idle-timeout-seconds", str(idle_s), "--max-connections", "3"]
    with run_server(tmp_path, *args) as server:
        held = [await served_client(server.port) for _ in range(2)]
        slow = await served_client(server.port)
        surplus = await ScribeClient.connect(server.port)
        refused = await surplus.read(timeout=5)
        assert refused is not None
        assert refused.type == "error"
        assert refused.data["code"] == "too-many-connections"
        assert "--max-connections" in refused.data["text"]
        assert await surplus.read(timeout=5) is None  # then closed

        # A byte now and then never makes an event: the idle timeout still ends it.
        started = time.monotonic()
        for _ in range(4):
            await slow.send_raw(b"{")
            await asyncio.sleep(0.3)
        goodbye = await slow.read(timeout=5)
        assert goodbye is not None
        assert goodbye.data["code"] == "idle-timeout"
        assert "--idle-timeout-seconds" in goodbye.data["text"]
        assert time.monotonic() - started < idle_s + 2.5
        for client in held:
            event = await client.read(timeout=5)
            assert event is not None
            assert event.data["code"] == "idle-timeout"

        # Their places are free again.
        fresh = await ScribeClient.connect(server.port)
        utterance = await fresh.transcribe(load_pcm(COMMAND))
        await fresh.close()
        assert {"turn", "standing"} <= set(words(utterance.transcript))


async def test_running_out_of_file_descriptors_does_not_flood_the_log(tmp_path: Path) -> None:
    # 64 descriptors and a cap above that: accept() fails with EMFILE while the clients stay.
    if shutil.which("prlimit") is None:
        pytest.skip("prlimit (util-linux) is not installed")
    command = ["prlimit", "--nofile=64", sys.executable, "-m", "wyoming_scribe"]
    args = ["--max-connections", "1000", "--max-log-lines-per-second", "2"]
    with run_server(tmp_path, *args, command=command) as server:
        clients = []
        for _ in range(100):
            try:
                clients.append(await ScribeClient.connect(server.port))
            except OSError:
                break
        await asyncio.sleep(3)
        for client in clients:
            client.writer.close()
        await asyncio.sleep(1.5)
        fresh = await ScribeClient.connect(server.port)
        await fresh.send(Describe().event())
        info = await fresh.read(timeout=10)
        await fresh.close()
        log = server.log

    assert info is not None
    assert info.type == "info"
    assert "Too many open files" in log  # the failure happened, and was logged
    # 2 lines a second for about 5 s of failing accepts, each with its traceback.
    assert log.count("Too many open files") < 40
    assert len(log) < 200_000


def silent_flac(path: Path, seconds: int) -> Path:
    with av.open(str(path), "w", format="flac") as container:
        stream = container.add_stream("flac", rate=16000, layout="mono")
        assert isinstance(stream, av.AudioStream)
        block = np.zeros((1, 16000), dtype=np.int16)
        for _ in range(seconds):
            frame = av.AudioFrame.from_ndarray(block, format="s16", layout="mono")
            frame.sample_rate = 16000
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


async def test_an_upload_is_decoded_up_to_its_length_limit(tmp_path: Path) -> None:
    flac = silent_flac(tmp_path / "ten minutes of silence.flac", 600)
    with run_server(tmp_path, "--max-upload-hours", "0.01", http=True) as server:
        async with aiohttp.ClientSession() as session:
            api = await api_for(server, tmp_path, session)
            answer = await api.call(
                "POST",
                "/transcriptions",
                data=flac.read_bytes(),
                headers={"Content-Type": "audio/flac"},
            )
            assert answer.status == 202, answer
            meeting = await api.wait_for(answer.json["id"])

    assert meeting["status"] == "interrupted"
    assert "--max-upload-hours" in meeting["error"]
    assert meeting["duration_s"] == pytest.approx(36, abs=0.01)
    pcm = tmp_path / "data" / "recordings" / meeting["id"] / "audio.pcm"
    assert pcm.stat().st_size == 36 * 32000
