"""A few thousand hostile Wyoming frames (seeded, so the same every run): no silent close, no
hang, and the server still transcribes a real command correctly afterwards.

The full-size run (100,000 frames) is ``python -m bench.fuzz``; both use the same frames.
Real server process on the real tiny.en model; real TCP on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

from bench.fuzz import fuzz
from tests.assets import COMMAND
from tests.server_process import run_server


async def test_hostile_frames_get_answers_and_the_server_keeps_transcribing(
    tmp_path: Path,
) -> None:
    # A frame that promises bytes it never sends is ended by the idle timeout: keep it short.
    with run_server(tmp_path, "--idle-timeout-seconds", "2") as server:
        result = await fuzz(server.port, total_frames=2_000, seed=2026, check_audio=COMMAND)
        assert server.process.poll() is None

    assert result.frames == 2_000
    assert result.errors_received > 500  # the frames were hostile enough to be answered
    assert result.silent_closes == 0, result.silent_examples
    assert result.no_answer == 0
    assert result.check_ok, result.check_text
    assert "Traceback" not in server.log
