"""A meeting at real-time pace: how long from stop to ``done``, and how much memory on the way.

Runs the real server (``python -m wyoming_scribe``) with a microphone command that plays the
five-minute synthetic meeting at ``--pace`` times real time (1 = real time, the default), then
silence. Once the whole file is recorded the meeting is stopped; the script reports the time
from the stop request to the ``done`` status (seen on the meeting's event stream) and the
server's resident memory: after the model loaded, each minute, and its peak (VmHWM).

    .venv/bin/python -m bench.meeting_realtime [--pace 1] [--model DIR] [--cpu-threads N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from bench.audio import load_manifest
from bench.memory import MIB, high_water_mark_mib
from bench.paths import AUDIO_DIR, MODELS_DIR, REPO_ROOT
from bench.servers import free_port, terminate

MEETING = AUDIO_DIR / "long/synthetic_meeting_multispeaker.flac"
FAKE_MIC = REPO_ROOT / "tests/server/fake_mic.py"


def meeting_seconds() -> float:
    """The meeting file's length, from the manifest."""
    entry = next(e for e in load_manifest() if e.path == MEETING)
    return entry.duration_s


def rss_mib(pid: int) -> float:
    rss: int = psutil.Process(pid).memory_info().rss
    return round(rss / MIB, 1)


def peak_mib(pid: int) -> float:
    return round(high_water_mark_mib(pid) or float("nan"), 1)


async def wait_ready(session: aiohttp.ClientSession, base: str) -> None:
    while True:
        try:
            async with session.get(f"{base}/health") as response:
                if (await response.json())["status"] == "ok":
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.2)


Seen = list[tuple[float, str, Any]]  # (arrival time, event name, data)


async def follow(session: aiohttp.ClientSession, url: str, seen: Seen) -> None:
    timeout = aiohttp.ClientTimeout(total=None)
    async with session.get(url, timeout=timeout) as response:
        event = ""
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                seen.append((time.monotonic(), event, json.loads(line[6:])))


def start_server(
    args: argparse.Namespace, workdir: Path, http_port: int
) -> subprocess.Popen[bytes]:
    port = free_port()
    mic = f"{sys.executable} {FAKE_MIC} {MEETING} --pace {args.pace}"
    command = [
        sys.executable, "-m", "wyoming_scribe",
        "--uri", f"tcp://127.0.0.1:{port}", "--http-host", "127.0.0.1",
        "--http-port", str(http_port), "--model", args.model, "--local-files-only",
        "--data-dir", str(workdir / "data"), "--mic-command", mic,
    ]  # fmt: skip
    if args.cpu_threads:
        command += ["--cpu-threads", str(args.cpu_threads)]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "addon")}
    with (workdir / "server.log").open("wb") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)


async def measure(server: subprocess.Popen[bytes], workdir: Path, http_port: int) -> dict[str, Any]:
    base = f"http://127.0.0.1:{http_port}/api"
    async with aiohttp.ClientSession() as session:
        await asyncio.wait_for(wait_ready(session, base), 120)
        token = (workdir / "data/api_token").read_text().strip()
        headers = {"Authorization": f"Bearer {token}"}
        session.headers.update(headers)
        loaded_rss, loaded_peak = rss_mib(server.pid), peak_mib(server.pid)
        meeting_s = meeting_seconds()
        async with session.post(f"{base}/meetings", json={"title": "Bench"}) as response:
            meeting_id = (await response.json())["id"]
        events: Seen = []
        following = asyncio.create_task(
            follow(session, f"{base}/meetings/{meeting_id}/events", events)
        )
        samples: list[tuple[int, float]] = []
        started = time.monotonic()
        while True:
            async with session.get(f"{base}/meetings/{meeting_id}") as response:
                duration = (await response.json())["duration_s"]
            if duration >= meeting_s + 0.5:
                break
            if time.monotonic() - started >= 60 * (len(samples) + 1):
                samples.append((round(duration), rss_mib(server.pid)))
            await asyncio.sleep(0.2)
        stop_sent = time.monotonic()
        async with session.post(f"{base}/meetings/{meeting_id}/stop") as response:
            assert response.status == 202
        await asyncio.wait_for(following, 600)
        done_at = next(at for at, event, data in events if data.get("status") == "done")
        async with session.get(f"{base}/meetings/{meeting_id}") as response:
            meeting = await response.json()
        peak = peak_mib(server.pid)
    return {
        "recorded_s": meeting["duration_s"],
        "segments": len(meeting["segments"]),
        "stop_to_done_s": round(done_at - stop_sent, 2),
        "segments_before_stop": sum(1 for at, e, _ in events if e == "segment" and at < stop_sent),
        "rss_after_model_load_mib": loaded_rss,
        "peak_rss_before_meeting_mib": loaded_peak,
        "rss_each_minute_mib": samples,
        "peak_rss_mib": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pace", type=float, default=1.0)
    parser.add_argument("--model", default=str(MODELS_DIR / "whisper-tiny.en-int8"))
    parser.add_argument("--cpu-threads", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        http_port = free_port()
        server = start_server(args, Path(workdir), http_port)
        try:
            result = asyncio.run(measure(server, Path(workdir), http_port))
        finally:
            terminate(server)
    print(json.dumps({"pace": args.pace, **result}, indent=2))


if __name__ == "__main__":
    main()
