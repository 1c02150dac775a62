"""A server killed mid-meeting finishes the meeting on its next start, losing nothing on disk."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import aiohttp
import pytest

from tests.assets import MEETING_AUDIO, manifest_entry
from tests.hearing import assert_heard
from tests.server.api_client import ApiClient, generated_token, mic_command
from tests.server_process import ServerProcess, run_server

BYTES_PER_SECOND = 32000


def api_for(session: aiohttp.ClientSession, server: ServerProcess, tmp_path: Path) -> ApiClient:
    return ApiClient(session, server.http_port, generated_token(tmp_path / "data"))


async def record_until_killed(
    tmp_path: Path, sig: signal.Signals
) -> tuple[dict[str, object], int, str]:
    """A meeting recorded at 20x real time, so its transcript lags; the server killed at 30 s.
    Returns the meeting as last seen, the bytes of audio on disk and the server's id."""
    mic = mic_command(MEETING_AUDIO, pace=20)
    with run_server(tmp_path, "--mic-command", mic, http=True) as server:
        async with aiohttp.ClientSession() as session:
            api = api_for(session, server, tmp_path)
            await api.wait_until_ready()
            server_id = (await api.call("GET", "/health")).json["server_id"]
            meeting = await api.start_meeting(title="Cut off")
            seen = meeting
            while seen["duration_s"] < 30 or len(seen["segments"]) < 2:
                await asyncio.sleep(0.1)
                seen = await api.meeting(meeting["id"])
        server.process.send_signal(sig)
        server.process.wait(timeout=10)
    folder = tmp_path / "data" / "recordings" / meeting["id"]
    return seen, (folder / "audio.pcm").stat().st_size, server_id


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
async def test_a_meeting_cut_off_is_recovered_on_the_next_start(
    tmp_path: Path, sig: signal.Signals
) -> None:
    seen, audio_bytes, server_id = await record_until_killed(tmp_path, sig)
    folder = tmp_path / "data" / "recordings" / str(seen["id"])
    on_disk = json.loads((folder / "meeting.json").read_text())
    assert on_disk["status"] == "recording"
    # Every byte the server had when it was killed is on disk (the kernel holds what it wrote).
    assert audio_bytes >= float(seen["duration_s"]) * BYTES_PER_SECOND  # type: ignore[arg-type]
    committed = seen["segments"]
    assert isinstance(committed, list)
    assert committed[-1]["end"] < audio_bytes / BYTES_PER_SECOND - 5, "nothing left to recover"

    with run_server(tmp_path, http=True) as server:
        async with aiohttp.ClientSession() as session:
            api = api_for(session, server, tmp_path)
            # A hang guard: the real model decodes what was left slower than the toy one did.
            meeting = await api.wait_for(str(seen["id"]), timeout=240)
            # Home Assistant knows the server again by its id, whatever its address.
            assert (await api.call("GET", "/health")).json["server_id"] == server_id

    assert meeting["status"] == "done"
    assert meeting["recovered"] is True
    assert meeting["error"] is None
    assert meeting["duration_s"] == pytest.approx(audio_bytes / BYTES_PER_SECOND, abs=0.01)
    assert meeting["ended_at"] is not None
    segments = meeting["segments"]

    # What was committed before the kill is kept as it was; the rest was transcribed after it.
    # Speaker labels are worked out again over the whole meeting: every segment has one.
    def unlabelled(segments: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in s.items() if k != "speaker"} for s in segments]

    assert unlabelled(segments[: len(committed)]) == unlabelled(committed)
    assert all(s["speaker"] for s in segments)
    assert len(segments) > len(committed)
    assert segments[-1]["end"] > meeting["duration_s"] - 15
    starts = [s["start"] for s in segments]
    assert starts == sorted(starts)
    # The words are there, those said after the last segment committed before the kill too
    # (the recording ends where the kill cut it: the turns inside it).
    turns = [
        turn
        for turn in manifest_entry(MEETING_AUDIO)["segments"]
        if turn["end"] <= meeting["duration_s"] - 1
    ]
    after_kill = " ".join(t["text"] for t in turns if t["start"] > committed[-1]["end"])
    recovered = [s for s in segments[len(committed) :] if s["end"] <= turns[-1]["end"] + 0.5]
    assert_heard(" ".join(s["text"] for s in recovered), after_kill, max_wer=0.45)
