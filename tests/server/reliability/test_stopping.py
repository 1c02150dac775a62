"""SIGTERM stops the server within 5 s whatever its clients do; nothing recorded is lost.

Real server process on the real tiny.en model; real TCP and HTTP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import aiohttp
from wyoming.audio import AudioChunk, AudioStart

from tests.assets import AUDIO
from tests.server.api_client import mic_command
from tests.server.reliability.conftest import api_for
from tests.server_process import run_server
from tests.wyoming_client import ScribeClient, load_pcm

LONG_SPEECH = AUDIO / "long/ljspeech_LJ001_first_90s.opus"
MEETING = AUDIO / "misc/jfk.flac"


async def test_sigterm_ends_the_server_within_5_s_with_clients_connected(tmp_path: Path) -> None:
    mic = mic_command(MEETING, pace=1)  # a live meeting, recording at real time
    with run_server(tmp_path, "--mic-command", mic, http=True) as server:
        async with aiohttp.ClientSession() as session:
            api = await api_for(server, tmp_path, session)
            meeting = await api.start_meeting(title="Interrupted by a restart")
            idle = await ScribeClient.connect(server.port)  # as Home Assistant keeps one
            talking = await ScribeClient.connect(server.port)  # in the middle of an utterance
            await talking.send(AudioStart(rate=16000, width=2, channels=1).event())
            speech = load_pcm(LONG_SPEECH)[: 16000 * 2 * 40]
            for offset in range(0, len(speech), 32000):
                piece = speech[offset : offset + 32000]
                await talking.send(AudioChunk(rate=16000, width=2, channels=1, audio=piece).event())
            mute = await ScribeClient.connect(server.port)
            await mute.send_raw(b'{"type": "describe"')  # half an event, and never more
            while (await api.meeting(meeting["id"]))["duration_s"] < 4:
                await asyncio.sleep(0.2)  # the meeting records; the utterance decodes

            started = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(server.process.wait, 10)
            stopped_in = time.monotonic() - started

            goodbye = await idle.read(timeout=5)
            assert goodbye is not None
            assert goodbye.data["code"] == "server-stopping"
            assert await idle.read(timeout=5) is None  # then a clean close
            for client in (idle, talking, mute):
                client.writer.close()

    assert stopped_in < 5, f"took {stopped_in:.1f} s to stop"
    assert code == 0, server.log

    # The meeting was left to be finished on the next start: nothing recorded is lost.
    with run_server(tmp_path, "--mic-command", mic, http=True) as server:
        async with aiohttp.ClientSession() as session:
            api = await api_for(server, tmp_path, session)
            finished = await api.wait_for(meeting["id"])
    assert finished["status"] == "done"
    assert finished["recovered"] is True
    assert finished["duration_s"] >= 4
    assert "fellow" in finished["text"].lower()
