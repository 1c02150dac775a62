"""``python -m bench.endurance``: memory and descriptors over many utterances; time to stop.

RSS and open file descriptors of the server before and after 8 clients by 50 utterances (each
answered correctly), then the seconds from SIGTERM to exit with clients connected: idle ones,
one in the middle of an utterance, one that sent half an event. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import psutil
from wyoming.audio import AudioChunk, AudioStart
from wyoming.event import async_write_event

from bench.audio import decode_pcm
from bench.memory import tree_rss_mib
from bench.paths import AUDIO_DIR, MODELS_DIR, RESULTS_DIR
from bench.servers import HOST, Server, ours_command, running
from bench.settings import DecodeSettings
from bench.wyoming_client import stream_utterance

COMMAND = AUDIO_DIR / "ha_commands/en/turn_on_standing_light.wav"
LONG_SPEECH = AUDIO_DIR / "long/ljspeech_LJ001_0001-0032_concat.flac"
TINY_EN = MODELS_DIR / "whisper-tiny.en-int8"


def _resources(pid: int) -> dict[str, float]:
    return {
        "rss_mib": round(tree_rss_mib(psutil.Process(pid)), 1),
        "fds": len(list(Path(f"/proc/{pid}/fd").iterdir())),
    }


async def _client(port: int, pcm: bytes, utterances: int) -> int:
    wrong = 0
    for _ in range(utterances):
        timing = await stream_utterance(HOST, port, pcm, pace=None)
        wrong += "standing" not in timing.text.lower()
    return wrong


async def _stop_with_clients(port: int, pid: int, process_wait: Callable[[], int]) -> float:
    idle = [await asyncio.open_connection(HOST, port) for _ in range(4)]
    _reader, talking = await asyncio.open_connection(HOST, port)
    await async_write_event(AudioStart(rate=16000, width=2, channels=1).event(), talking)
    speech = decode_pcm(LONG_SPEECH)[: 16000 * 2 * 30]
    for offset in range(0, len(speech), 32000):
        chunk = AudioChunk(rate=16000, width=2, channels=1, audio=speech[offset : offset + 32000])
        await async_write_event(chunk.event(), talking)
    _reader, half = await asyncio.open_connection(HOST, port)
    half.write(b'{"type": "describe"')
    await asyncio.sleep(1)
    started = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    await asyncio.to_thread(process_wait)
    stopped_s = time.monotonic() - started
    for _reader, writer in idle:
        writer.close()
    talking.close()
    half.close()
    return round(stopped_s, 2)


async def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="python -m bench.endurance", description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--utterances", type=int, default=50)
    parser.add_argument("--stops", type=int, default=3, help="times the stop is measured")
    args = parser.parse_args(argv)
    server = Server("ours", "Meeting Scribe", ours_command)
    log_dir = RESULTS_DIR / "tmp" / "logs"
    pcm = decode_pcm(COMMAND)
    report: dict[str, object] = {}
    async with running(server, TINY_EN, DecodeSettings(), log_dir) as live:
        await stream_utterance(HOST, live.port, pcm, pace=None)  # warm
        report["before"] = _resources(live.process.pid)
        jobs = [_client(live.port, pcm, args.utterances) for _ in range(args.clients)]
        wrong = await asyncio.gather(*jobs)
        await asyncio.sleep(2)
        report["after"] = _resources(live.process.pid)
        report["utterances"] = args.clients * args.utterances
        report["wrong_transcripts"] = sum(wrong)
    stops = []
    for _ in range(args.stops):
        async with running(server, TINY_EN, DecodeSettings(), log_dir) as live:
            stops.append(await _stop_with_clients(live.port, live.process.pid, live.process.wait))
    report["stop_with_clients_s"] = stops
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    asyncio.run(main())
