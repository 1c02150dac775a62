"""Speaker turns: how much speech time gets the right speaker, and what it costs.

Assembles the four-voice meeting (``bench.speaker_meeting``), clean and at 10 dB SNR, and the
shared ``long/synthetic_meeting_multispeaker.flac``; uploads each to the real server (real Whisper
model) and scores the speaker labels it returns against the turn list: the share of speech time
whose label maps to the right voice under the best one-to-one mapping, and the number of speakers
found. The cost is measured in this process on the same segments, the way a meeting runs it (a
label for each segment as it is committed, all embeddings clustered again each time): seconds of
work per second of audio beside the server's own transcription time, and the resident memory the
encoder adds.

    .venv/bin/python -m bench.speakers [--model DIR] [--hint] [--save DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import psutil
from numpy.typing import NDArray

from bench.audio import SAMPLE_RATE, float_to_s16, load_manifest
from bench.meeting_realtime import wait_ready
from bench.memory import MIB
from bench.paths import AUDIO_DIR, MODELS_DIR, REPO_ROOT
from bench.servers import free_port, terminate
from bench.speaker_meeting import Audio, Turn, assemble, with_noise

SYNTHETIC = AUDIO_DIR / "long/synthetic_meeting_multispeaker.flac"
FRAME_S = 0.01


def score(turns: list[Turn], segments: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of reference speech time labelled right under the best one-to-one mapping."""
    length = int(max(t.end for t in turns) / FRAME_S) + 1
    reference = np.full(length, "", dtype=object)
    for turn in turns:
        reference[int(turn.start / FRAME_S) : int(turn.end / FRAME_S)] = turn.speaker
    hypothesis = np.full(length, "", dtype=object)
    for segment in segments:
        hypothesis[int(segment["start"] / FRAME_S) : int(segment["end"] / FRAME_S)] = (
            segment.get("speaker") or ""
        )
    speech = reference != ""
    voices = sorted({t.speaker for t in turns})
    found = sorted({s["speaker"] for s in segments if s.get("speaker")})
    overlap = np.array(
        [[np.sum(speech & (reference == v) & (hypothesis == f)) for f in found] for v in voices]
    )
    best = _best_mapping(overlap)
    return {
        "speakers_true": len(voices),
        "speakers_found": len(found),
        "right_share": round(best / max(int(np.sum(speech)), 1), 4),
        "speech_s": round(float(np.sum(speech)) * FRAME_S, 1),
    }


def _best_mapping(overlap: NDArray[np.float64]) -> int:
    """The largest total overlap of a one-to-one mapping (exhaustive for small, greedy beyond)."""
    rows, cols = overlap.shape
    if cols == 0:
        return 0
    if min(rows, cols) <= 7 and max(rows, cols) <= 9:
        small, large = (overlap, rows) if rows <= cols else (overlap.T, cols)
        del large
        best = 0
        for chosen in itertools.permutations(range(small.shape[1]), small.shape[0]):
            best = max(best, int(sum(small[i, j] for i, j in enumerate(chosen))))
        return best
    total, work = 0, overlap.astype(np.int64).copy()
    while work.size and work.max() > 0:
        i, j = np.unravel_index(int(np.argmax(work)), work.shape)
        total += int(work[i, j])
        work[i, :], work[:, j] = -1, -1
    return total


def wav_bytes(audio: Audio) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(float_to_s16(audio))
    return buffer.getvalue()


def start_server(model: str, workdir: Path, http_port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "wyoming_scribe", "--uri", f"tcp://127.0.0.1:{free_port()}",
        "--http-host", "127.0.0.1", "--http-port", str(http_port), "--model", model,
        "--local-files-only", "--data-dir", str(workdir / "data"),
        "--recordings-dir", str(workdir / "recordings"),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "addon")}
    with (workdir / "server.log").open("wb") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)


async def transcribe(
    base: str, token: str, audio: Audio, participants: int
) -> tuple[dict[str, Any], float]:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        form = aiohttp.FormData()
        form.add_field("file", wav_bytes(audio), filename="meeting.wav")
        if participants:
            emails = [f"p{number}@example.com" for number in range(participants)]
            form.add_field("participants", json.dumps(emails))
        started = time.monotonic()
        async with session.post(f"{base}/transcriptions", data=form) as response:
            meeting_id = (await response.json())["id"]
        while True:
            async with session.get(f"{base}/meetings/{meeting_id}") as response:
                meeting: dict[str, Any] = await response.json()
            if meeting["status"] in ("done", "failed", "interrupted"):
                return meeting, time.monotonic() - started
            await asyncio.sleep(0.2)


async def speaker_cost(audio: Audio, segments: list[dict[str, Any]]) -> dict[str, float]:
    """Seconds of speaker work per second of audio, as a meeting runs it, and the memory added."""
    from wyoming_scribe.speakers.turns import SpeakerTurns  # noqa: PLC0415
    from wyoming_scribe.transcriber import TextSegment  # noqa: PLC0415

    texts = [TextSegment(s["start"], s["end"], s["text"]) for s in segments]
    with tempfile.TemporaryDirectory() as folder:
        pcm = Path(folder) / "audio.pcm"
        pcm.write_bytes(float_to_s16(audio))
        process = psutil.Process()
        rss_before = process.memory_info().rss
        turns = SpeakerTurns(pcm)
        started = time.process_time()
        for count in range(1, len(texts) + 1):
            await turns.labels(texts[:count])
        cpu_s = time.process_time() - started
        turns.close()
    return {
        "speaker_cpu_s": round(cpu_s, 2),
        "speaker_rtf": round(cpu_s / (audio.size / SAMPLE_RATE), 4),
        "speaker_rss_added_mib": round((process.memory_info().rss - rss_before) / MIB, 1),
    }


def synthetic_meeting() -> tuple[Audio, list[Turn]]:
    from faster_whisper.audio import decode_audio  # noqa: PLC0415

    entry = next(e for e in load_manifest() if e.path == SYNTHETIC)
    row = next(
        json.loads(line)
        for line in (AUDIO_DIR / "manifest.jsonl").read_text().splitlines()
        if line.strip() and json.loads(line)["path"] == "long/" + entry.path.name
    )
    turns = [Turn(s["start"], s["end"], s["speaker"]) for s in row["segments"]]
    return decode_audio(str(SYNTHETIC)), turns


async def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    http_port = free_port()
    server = start_server(args.model, workdir, http_port)
    base = f"http://127.0.0.1:{http_port}/api"
    try:
        async with aiohttp.ClientSession() as session:
            await asyncio.wait_for(wait_ready(session, base), 120)
        token = (workdir / "data/api_token").read_text().strip()
        clean, turns = assemble()
        cases = {
            "four_voices_clean": (clean, turns, 4),
            "four_voices_10db": (with_noise(clean, turns), turns, 4),
            "synthetic_meeting_multispeaker": (*synthetic_meeting(), 0),
        }
        results: dict[str, Any] = {}
        for name, (audio, reference, participants) in cases.items():
            meeting, wall_s = await transcribe(base, token, audio, participants if args.hint else 0)
            results[name] = {
                "audio_s": round(audio.size / SAMPLE_RATE, 1),
                "turns": len(reference),
                **score(reference, meeting["segments"]),
                "transcription_wall_s": round(wall_s, 1),
            }
            if name == "four_voices_clean":
                cost = await speaker_cost(audio, meeting["segments"])
                cost["speaker_share_of_transcription"] = round(cost["speaker_cpu_s"] / wall_s, 3)
                results[name].update(cost)
            print(name, json.dumps(results[name]), flush=True)
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"{name}.json").write_text(json.dumps(meeting, indent=1))
        return results
    finally:
        terminate(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(MODELS_DIR / "whisper-tiny.en-int8"))
    parser.add_argument("--hint", action="store_true", help="give the number of participants")
    parser.add_argument("--save", type=Path, help="keep each transcribed meeting's JSON here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        results = asyncio.run(run(args, Path(workdir)))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
