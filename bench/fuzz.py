"""``python -m bench.fuzz [--frames N] [--seed S]``: hostile Wyoming frames against the server.

Each connection sends a random run of frames: valid events with wild fields, JSON that breaks
parsers (deep nesting, huge numbers, lone surrogates), lengths that lie, garbage lines, random
byte flips. Every frame that gets an answer must get an ``error`` event or a real answer; a
connection may only be closed after an ``error`` event (the stream could not be parsed further).
Afterwards the server must still transcribe a real command correctly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.audio import decode_pcm
from bench.paths import AUDIO_DIR, MODELS_DIR, RESULTS_DIR
from bench.servers import HOST, Server, ours_command, running
from bench.settings import DecodeSettings
from bench.wyoming_client import stream_utterance

CHECK_AUDIO = AUDIO_DIR / "ha_commands/en/turn_on_standing_light.wav"
CHECK_WORDS = {"turn", "standing"}
TINY_EN = MODELS_DIR / "whisper-tiny.en-int8"
ANSWER_TIMEOUT_S = 60.0  # noise can take the decoder a while

type Frame = tuple[bytes, bool]  # the bytes, and whether they leave the stream unparseable


def _event(kind: str, data: object = None, payload: bytes = b"", extra: str = "") -> bytes:
    header: dict[str, object] = {"type": kind}
    if data is not None:
        header["data"] = data
    if payload:
        header["payload_length"] = len(payload)
    line = json.dumps(header)
    if extra:
        line = line[:-1] + ", " + extra + "}"
    return line.encode() + b"\n" + payload


def _wild(rng: random.Random) -> object:
    """A field value a careless or hostile client might send."""
    choices: list[Callable[[], object]] = [
        lambda: rng.choice([8000, 16000, 22050, 44100, 48000, 192000]),
        lambda: rng.randint(-(2**40), 2**40),
        lambda: rng.choice([0, 1, 2, 3, 4, 8, -1]),
        lambda: "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(0, 20))),
        lambda: rng.random() * 1e6,
        lambda: None,
        lambda: True,
        lambda: [rng.randint(0, 9)] * rng.randint(0, 5),
        lambda: {"nested": {"deeper": rng.randint(0, 9)}},
    ]
    return rng.choice(choices)()


def _audio_data(rng: random.Random) -> dict[str, object]:
    if rng.random() < 0.6:
        return {"rate": 16000, "width": 2, "channels": 1}
    return {"rate": _wild(rng), "width": _wild(rng), "channels": _wild(rng)}


def _valid_like(rng: random.Random) -> bytes:
    kind = rng.choice(["describe", "transcribe", "audio-start", "audio-chunk", "audio-stop"])
    if kind == "transcribe":
        names = [rng.choice(["Ada", "\ud800", "x" * 300, _wild(rng)]) for _ in range(3)]
        return _event(kind, {"language": _wild(rng), "transcript_names": names})
    if kind == "audio-start":
        return _event(kind, _audio_data(rng))
    if kind == "audio-chunk":
        payload = rng.randbytes(rng.randint(0, 3200))
        return _event(kind, _audio_data(rng), payload)
    return _event(kind, None if rng.random() < 0.7 else _wild(rng))


def frame(rng: random.Random) -> Frame:
    """One hostile frame."""
    roll = rng.random()
    if roll < 0.45:
        return _valid_like(rng), False
    if roll < 0.52:
        return _event(rng.choice(["ping", "run-pipeline", "x" * 100, "détecter"])), False
    if roll < 0.58:
        garbage = bytes(b for b in rng.randbytes(rng.randint(1, 200)) if b != 10)
        return garbage + b"\n", False
    if roll < 0.62:
        return json.dumps(rng.choice([[1, 2], "text", 42, None])).encode() + b"\n", False
    if roll < 0.66:
        depth = rng.choice([100, 1000, 20_000])
        return b'{"type": "describe", "data": ' + b"[" * depth + b"]" * depth + b"}\n", False
    if roll < 0.70:
        digits = rng.choice([100, 4300, 5000, 20_000])
        return b'{"type": "audio-start", "data": {"rate": ' + b"7" * digits + b"}}\n", False
    if roll < 0.74:
        data = json.dumps({"rate": 16000, "width": 2, "channels": 1, "x": "\udfff"}).encode()
        return _event("audio-start", extra=f'"data_length": {len(data)}') + data, False
    if roll < 0.78:
        data = rng.randbytes(rng.randint(1, 64))
        return _event("describe", extra=f'"data_length": {len(data)}') + data, False
    if roll < 0.80:
        return b"\n", False
    if roll < 0.99:
        mutated = bytearray(_valid_like(rng))
        for _ in range(rng.randint(1, 4)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        # A flipped length digit can leave the server waiting for bytes that never come: the
        # idle timeout then closes the connection, with an error event.
        return bytes(mutated), False
    breaking = [
        _event("audio-chunk", extra='"payload_length": 999999999'),
        _event("audio-chunk", extra='"payload_length": -1'),
        _event("audio-chunk", extra='"data_length": "ten"'),
        b'{"type": "describe", "payload_length": 100}\n' + b"short",
        b"{" * 70_000,  # a header line longer than the server reads
    ]
    return rng.choice(breaking), True


@dataclass
class FuzzResult:
    frames: int = 0  # sent
    connections: int = 0
    errors_received: int = 0
    closes_after_error: int = 0
    silent_closes: int = 0
    silent_close_after_breaking_frame: int = 0
    no_answer: int = 0
    silent_examples: list[str] = field(default_factory=list)
    check_text: str = ""
    check_ok: bool = False


async def _connection(port: int, frames: Sequence[Frame], result: FuzzResult) -> None:
    reader, writer = await asyncio.open_connection(HOST, port, limit=2**20)
    received: list[dict[str, object]] = []
    closed = asyncio.Event()

    async def read() -> None:
        try:
            while line := await reader.readline():
                header = json.loads(line)
                data_length = header.get("data_length") or 0
                payload_length = header.get("payload_length") or 0
                await reader.readexactly(data_length + payload_length)
                received.append(header)
                if header.get("type") == "error":
                    result.errors_received += 1
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        closed.set()

    reading = asyncio.create_task(read())
    sent: list[Frame] = []
    try:
        for data, breaks in frames:
            sent.append((data, breaks))
            writer.write(data)
            await writer.drain()
            if breaks or closed.is_set():
                break  # the stream may be out of step now: the server must say so and close
        if not sent[-1][1] and not closed.is_set():
            writer.write(b'{"type": "describe"}\n')  # a real command at the end of the run
            await writer.drain()
        await _wait_for_answer(received, closed, sent[-1][1])
    except ConnectionError:
        pass
    result.frames += len(sent)
    result.connections += 1
    if closed.is_set():
        _judge_close(received, result, sent)
    elif not sent[-1][1] and not any(h.get("type") == "info" for h in received):
        result.no_answer += 1
    writer.close()
    reading.cancel()


async def _wait_for_answer(
    received: list[dict[str, object]], closed: asyncio.Event, broke: bool
) -> None:
    """Until the ``info`` arrives, or (after a breaking frame) the server closes."""
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while time.monotonic() < deadline and not closed.is_set():
        if not broke and any(h.get("type") == "info" for h in received):
            return
        await asyncio.sleep(0.01)


def _judge_close(
    received: list[dict[str, object]], result: FuzzResult, sent: Sequence[Frame]
) -> None:
    if any(h.get("type") == "error" for h in received[-1:]):
        result.closes_after_error += 1
        return
    result.silent_closes += 1
    result.silent_close_after_breaking_frame += sent[-1][1]
    if len(result.silent_examples) < 5:
        result.silent_examples.append(repr(sent[-1][0][:120]))


async def fuzz(
    port: int,
    total_frames: int,
    seed: int,
    parallel: int = 4,
    check_audio: Path = CHECK_AUDIO,
) -> FuzzResult:
    """Fuzz ``total_frames`` frames on connections of 1..200 frames, ``parallel`` at a time.

    A connection ends at its first frame that breaks the stream; the next one goes on. Then
    ``check_audio`` (a recording of "turn on the standing light") must still be heard.
    """
    rng = random.Random(seed)
    result = FuzzResult()
    while result.frames < total_frames:
        runs, remaining = [], total_frames - result.frames
        for _ in range(parallel):
            count = min(rng.randint(1, 200), remaining)
            remaining -= count
            runs.append([frame(rng) for _ in range(count)])
        await asyncio.gather(*(_connection(port, run, result) for run in runs if run))
    timing = await stream_utterance(HOST, port, decode_pcm(check_audio), pace=None)
    result.check_text = timing.text
    result.check_ok = set(re.findall(r"[a-z']+", timing.text.lower())) >= CHECK_WORDS
    return result


async def main(argv: Sequence[str] | None = None) -> FuzzResult:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__)
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    # A frame that promises bytes it never sends leaves the server waiting for them: the idle
    # timeout ends such a connection, kept short here so the run is not mostly waiting.
    server = Server("ours", "Meeting Scribe", ours_command, ("--idle-timeout-seconds", "2"))
    started = time.monotonic()
    async with running(server, TINY_EN, DecodeSettings(), RESULTS_DIR / "tmp" / "logs") as live:
        result = await fuzz(live.port, args.frames, args.seed)
        live.check_alive()
    seconds = round(time.monotonic() - started, 1)
    print(json.dumps({**asdict(result), "seconds": seconds}, indent=1))
    return result


if __name__ == "__main__":
    outcome = asyncio.run(main())
    raise SystemExit(0 if outcome.silent_closes == 0 and outcome.check_ok else 1)
