"""A meeting's final status and error are on disk even when the disk is full, and a restart with
the disk still full reads them back: the record never says ``done`` for a meeting cut short.

Real server process on the real tiny.en model, real HTTP on 127.0.0.1, a real (tiny) tmpfs.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.assets import MEETING_AUDIO
from tests.server.api_client import mic_command
from tests.server.reliability.conftest import api_for
from tests.server_process import run_server


async def test_the_verdict_of_a_full_disk_survives_a_restart(
    tmp_path: Path, tiny_disk: Path
) -> None:
    args = ["--recordings-dir", str(tiny_disk), "--mic-command", mic_command(MEETING_AUDIO, 4)]
    with run_server(tmp_path, *args, http=True) as server:
        async with aiohttp.ClientSession() as session:
            api = await api_for(server, tmp_path, session)
            started = await api.start_meeting(title="Tiny disk")
            cut_short = await api.wait_for(started["id"], timeout=60)
    assert cut_short["status"] == "interrupted"
    assert cut_short["error"].startswith("The disk is full")

    with run_server(tmp_path, *args, http=True) as server:
        async with aiohttp.ClientSession() as session:
            api = await api_for(server, tmp_path, session)
            after_restart = await api.meeting(started["id"])

    assert after_restart["status"] == "interrupted"
    assert after_restart["error"] == cut_short["error"]
    assert after_restart["recovered"] is False
    assert after_restart["ended_at"] == cut_short["ended_at"]
