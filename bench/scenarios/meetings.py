"""Meetings: a long recording streamed at real-time pace (or a stated speed-up).

A server that decodes while the audio arrives has only the last segment left when the meeting
ends; one that waits for audio-stop decodes the whole meeting then.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.audio import pcm_seconds
from bench.servers import RunningServer
from bench.wyoming_client import stream_utterance


@dataclass(frozen=True, slots=True)
class MeetingSample:
    """One meeting through one (freshly started) server."""

    minutes: float
    audio_s: float
    pace: float
    latency_s: float  # end of audio (audio-stop) -> final transcript
    # Seconds into the audio at which each transcript-chunk arrived (arrival time x pace).
    chunk_audio_times: list[float]
    words: int
    peak_rss_mib: float


async def measure_meeting(
    server: RunningServer, pcm: bytes, minutes: float, pace: float
) -> MeetingSample:
    """Stream the meeting, wait for the final transcript, and read the server's peak RSS."""
    timing = await stream_utterance(
        server.host,
        server.port,
        pcm,
        pace=pace,
        timeout_s=max(300.0, 2.0 * pcm_seconds(pcm)),
    )
    server.check_alive()
    return MeetingSample(
        minutes=minutes,
        audio_s=timing.audio_s,
        pace=pace,
        latency_s=timing.stop_to_transcript_s,
        chunk_audio_times=[when * pace for when, _ in timing.chunks],
        words=len(timing.text.split()),
        peak_rss_mib=server.peak_rss_mib(),
    )
