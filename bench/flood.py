"""``python -m bench.flood``: a voice command's latency while 4 clients push oversize audio.

The canary streams a short command at real time, as a satellite does, and times audio-stop to
transcript: first alone, then while four other connections each push more speech than one
utterance may hold (150 s, as fast as the socket takes it) over and over. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import async_read_event, async_write_event

from bench.audio import decode_pcm
from bench.paths import AUDIO_DIR, MODELS_DIR, RESULTS_DIR
from bench.servers import HOST, Server, ours_command, running
from bench.settings import DecodeSettings
from bench.wyoming_client import WyomingError, stream_utterance

CANARY = AUDIO_DIR / "ha_commands/en/turn_on_standing_light.wav"
FLOOD = AUDIO_DIR / "long/ljspeech_LJ001_0001-0032_concat.flac"
FLOOD_S = 150
FLOOD_CHUNK_S = 10
TINY_EN = MODELS_DIR / "whisper-tiny.en-int8"


@dataclass
class FloodResult:
    canary_alone_s: list[float] = field(default_factory=list)
    canary_flooded_s: list[float] = field(default_factory=list)
    canary_failures: list[str] = field(default_factory=list)
    flood_utterances: int = 0
    flood_errors: dict[str, int] = field(default_factory=dict)


async def _flooder(port: int, pcm: bytes, result: FloodResult, stop: asyncio.Event) -> None:
    chunk_bytes = 16000 * 2 * FLOOD_CHUNK_S
    while not stop.is_set():
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            await async_write_event(AudioStart(rate=16000, width=2, channels=1).event(), writer)
            for offset in range(0, len(pcm), chunk_bytes):
                chunk = AudioChunk(
                    rate=16000, width=2, channels=1, audio=pcm[offset : offset + chunk_bytes]
                )
                await async_write_event(chunk.event(), writer)
            await async_write_event(AudioStop().event(), writer)
            while (event := await async_read_event(reader)) is not None:
                if event.type == "error":
                    code = str(event.data.get("code"))
                    result.flood_errors[code] = result.flood_errors.get(code, 0) + 1
                if event.type == "transcript-stop" or stop.is_set():
                    break
            result.flood_utterances += 1
        except ConnectionError:
            pass
        finally:
            writer.close()


async def _canary(port: int, pcm: bytes, timeout_s: float) -> float:
    timing = await stream_utterance(HOST, port, pcm, pace=1.0, timeout_s=timeout_s)
    if "standing" not in timing.text.lower():
        raise WyomingError(f"wrong transcript: {timing.text!r}")
    return timing.stop_to_transcript_s


async def flood(port: int, runs: int, timeout_s: float) -> FloodResult:
    canary, flood_pcm = decode_pcm(CANARY), decode_pcm(FLOOD)
    flood_pcm = (flood_pcm * (1 + FLOOD_S * 32000 // len(flood_pcm)))[: FLOOD_S * 32000]
    result = FloodResult()
    for _ in range(runs):
        result.canary_alone_s.append(await _canary(port, canary, timeout_s))
    stop = asyncio.Event()
    flooders = [asyncio.create_task(_flooder(port, flood_pcm, result, stop)) for _ in range(4)]
    await asyncio.sleep(5)  # the flood is under way
    for _ in range(runs):
        try:
            result.canary_flooded_s.append(await _canary(port, canary, timeout_s))
        except (WyomingError, OSError) as err:
            result.canary_failures.append(str(err))
    stop.set()
    for task in flooders:
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.gather(*flooders, return_exceptions=True)
    return result


async def main(argv: Sequence[str] | None = None) -> FloodResult:
    parser = argparse.ArgumentParser(prog="python -m bench.flood", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="canary commands alone and flooded")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per canary")
    args = parser.parse_args(argv)
    server = Server("ours", "Meeting Scribe", ours_command)
    started = time.monotonic()
    async with running(server, TINY_EN, DecodeSettings(), RESULTS_DIR / "tmp" / "logs") as live:
        result = await flood(live.port, args.runs, args.timeout)
        live.check_alive()
    summary = {
        "canary_alone_median_s": round(statistics.median(result.canary_alone_s), 2),
        "canary_flooded_median_s": round(statistics.median(result.canary_flooded_s), 2)
        if result.canary_flooded_s
        else None,
        "canary_flooded_max_s": round(max(result.canary_flooded_s, default=0), 2),
        "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps({**summary, **asdict(result)}, indent=1))
    return result


if __name__ == "__main__":
    asyncio.run(main())
