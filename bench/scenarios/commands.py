"""Voice commands: a satellite streams a command, then 0.7 s of silence, then audio-stop.

What users feel is the time from audio-stop to the transcript.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.audio import Clip, silence
from bench.servers import RunningServer
from bench.wyoming_client import stream_utterance

TAIL_SILENCE_S = 0.7


@dataclass(frozen=True, slots=True)
class CommandSample:
    """One command through one server."""

    name: str
    kind: str
    audio_s: float
    latency_s: float  # audio-stop -> transcript
    chunks: int  # transcript-chunk events before the transcript
    text: str
    reference: str


def satellite_audio(clip: Clip) -> bytes:
    """The command as a satellite sends it: speech, then the silence that ends it."""
    return clip.pcm + silence(TAIL_SILENCE_S)


async def measure_command(server: RunningServer, clip: Clip) -> CommandSample:
    """Stream one command at real-time pace in 20 ms chunks and time the answer."""
    timing = await stream_utterance(server.host, server.port, satellite_audio(clip), pace=1.0)
    return CommandSample(
        name=clip.entry.name,
        kind=clip.entry.kind,
        audio_s=timing.audio_s,
        latency_s=timing.stop_to_transcript_s,
        chunks=len(timing.chunks),
        text=timing.text,
        reference=clip.entry.reference,
    )


async def measure_commands(server: RunningServer, clips: Sequence[Clip]) -> list[CommandSample]:
    """Each command once, one after another."""
    samples = []
    for clip in clips:
        samples.append(await measure_command(server, clip))
        server.check_alive()
    return samples
