"""Throughput: the long recordings transcribed as fast as possible.

The servers get each file streamed in 100 ms chunks as fast as the socket takes them; the
floor is ``WhisperModel.transcribe`` on the decoded file in a process of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.audio import Clip
from bench.floor import FloorOptions, run_in_subprocess
from bench.servers import RunningServer
from bench.wyoming_client import stream_utterance

FILE_CHUNK_S = 0.1


@dataclass(frozen=True, slots=True)
class ThroughputSample:
    """One file through one system."""

    name: str
    audio_s: float
    wall_s: float  # first chunk sent (floor: transcribe called) -> full transcript

    @property
    def rtf(self) -> float:
        return self.wall_s / self.audio_s


@dataclass(frozen=True, slots=True)
class ThroughputRun:
    """All files through one system, and its peak RSS while doing them."""

    system: str
    samples: list[ThroughputSample]
    peak_rss_mib: float

    @property
    def rtf(self) -> float:
        """Total processing time over total audio."""
        return sum(sample.wall_s for sample in self.samples) / sum(
            sample.audio_s for sample in self.samples
        )


async def measure_server(server: RunningServer, clips: Sequence[Clip]) -> ThroughputRun:
    """Each file as one utterance, unpaced."""
    samples = []
    for clip in clips:
        timing = await stream_utterance(
            server.host,
            server.port,
            clip.pcm,
            pace=None,
            chunk_s=FILE_CHUNK_S,
            timeout_s=max(300.0, 2.0 * clip.duration_s),
        )
        server.check_alive()
        samples.append(
            ThroughputSample(
                name=clip.entry.name, audio_s=timing.audio_s, wall_s=timing.start_to_transcript_s
            )
        )
    return ThroughputRun(
        system=server.server.key, samples=samples, peak_rss_mib=server.peak_rss_mib()
    )


def measure_floor(system: str, options: FloorOptions, clips: Sequence[Clip]) -> ThroughputRun:
    """The same files through bare faster-whisper."""
    timeout = 120.0 + 3.0 * sum(clip.duration_s for clip in clips)
    run = run_in_subprocess(options, [clip.entry.path for clip in clips], timeout_s=timeout)
    samples = [
        ThroughputSample(name=clip.entry.name, audio_s=decode.audio_s, wall_s=decode.decode_s)
        for clip, decode in zip(clips, run.files, strict=True)
    ]
    return ThroughputRun(system=system, samples=samples, peak_rss_mib=run.peak_rss_mib)
