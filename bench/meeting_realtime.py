"""A meeting at real-time pace: how long from stop to ``done``, and how much memory on the way.

Runs the real server (``python -m wyoming_scribe``) with a microphone command that plays the
five-minute synthetic meeting at ``--pace`` times real time (1 = real time, the default), then
silence. Once the whole file is recorded the meeting is stopped; the script reports the time
from the stop request to the ``done`` status (seen on the meeting's event stream) and the
server's resident memory: after the model loaded, each minute, and its peak (VmHWM).

    .venv/bin/python bench/meeting_realtime.py [--pace 1] [--model DIR] [--cpu-threads N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parents[1]
ASSETS = REPO.parent / "shared" / "assets"
MEETING = ASSETS / "audio/long/synthetic_meeting_multispeaker.flac"
MEETING_S = 301.768
FAKE_MIC = REPO / "tests/server/fake_mic.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def memory_kb(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


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
    env = {**os.environ, "PYTHONPATH": str(REPO / "addon")}
    with (workdir / "server.log").open("wb") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)


async def measure(server: subprocess.Popen[bytes], workdir: Path, http_port: int) -> dict[str, Any]:
    base = f"http://127.0.0.1:{http_port}/api"
    async with aiohttp.ClientSession() as session:
        await asyncio.wait_for(wait_ready(session, base), 120)
        token = (workdir / "data/api_token").read_text().strip()
        headers = {"Authorization": f"Bearer {token}"}
        session.headers.update(headers)
        loaded = memory_kb(server.pid)
        async with session.post(f"{base}/meetings", json={"title": "Bench"}) as response:
            meeting_id = (await response.json())["id"]
        events: Seen = []
        following = asyncio.create_task(
            follow(session, f"{base}/meetings/{meeting_id}/events", events)
        )
        samples: list[tuple[int, int]] = []
        started = time.monotonic()
        while True:
            async with session.get(f"{base}/meetings/{meeting_id}") as response:
                duration = (await response.json())["duration_s"]
            if duration >= MEETING_S + 0.5:
                break
            if time.monotonic() - started >= 60 * (len(samples) + 1):
                samples.append((round(duration), memory_kb(server.pid)["VmRSS"]))
            await asyncio.sleep(0.2)
        stop_sent = time.monotonic()
        async with session.post(f"{base}/meetings/{meeting_id}/stop") as response:
            assert response.status == 202
        await asyncio.wait_for(following, 600)
        done_at = next(at for at, event, data in events if data.get("status") == "done")
        async with session.get(f"{base}/meetings/{meeting_id}") as response:
            meeting = await response.json()
        peak = memory_kb(server.pid)
    return {
        "recorded_s": meeting["duration_s"],
        "segments": len(meeting["segments"]),
        "stop_to_done_s": round(done_at - stop_sent, 2),
        "segments_before_stop": sum(1 for at, e, _ in events if e == "segment" and at < stop_sent),
        "rss_after_model_load_mb": round(loaded["VmRSS"] / 1024, 1),
        "peak_rss_before_meeting_mb": round(loaded["VmHWM"] / 1024, 1),
        "rss_each_minute_mb": [(s, round(kb / 1024, 1)) for s, kb in samples],
        "peak_rss_mb": round(peak["VmHWM"] / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pace", type=float, default=1.0)
    parser.add_argument("--model", default=str(ASSETS / "models/toy-whisper-espeak-int8"))
    parser.add_argument("--cpu-threads", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        http_port = free_port()
        server = start_server(args, Path(workdir), http_port)
        try:
            result = asyncio.run(measure(server, Path(workdir), http_port))
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(30)
    print(json.dumps({"pace": args.pace, **result}, indent=2))


if __name__ == "__main__":
    main()
