"""Everything one run measured, kept together and written as JSON next to the report."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.environment import Environment
from bench.scenarios.commands import CommandSample
from bench.scenarios.concurrency import ConcurrencyRound
from bench.scenarios.meetings import MeetingSample
from bench.scenarios.quantization import QuantCell
from bench.scenarios.throughput import ThroughputRun
from bench.settings import DecodeSettings


@dataclass(slots=True)
class ServerResults:
    """One server's measurements."""

    key: str
    label: str
    command_line: str
    startup_s: float = float("nan")
    ready_rss_mib: float = float("nan")
    commands: list[CommandSample] = field(default_factory=list)
    concurrency: list[ConcurrencyRound] = field(default_factory=list)
    meetings: list[MeetingSample] = field(default_factory=list)
    throughput: ThroughputRun | None = None


@dataclass(slots=True)
class RunResults:
    """A whole run: setup, each server, the floor and the quantization sweep."""

    mode: str
    started_at: str
    environment: Environment
    settings: DecodeSettings
    model: str
    model_caption: str
    meeting_pace: float
    token_cap: int
    servers: dict[str, ServerResults] = field(default_factory=dict)
    floor: list[ThroughputRun] = field(default_factory=list)
    quantization: list[QuantCell] = field(default_factory=list)
    quant_captions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Share of all CPUs that processes other than the bench used during each measurement.
    background_load: dict[str, float] = field(default_factory=dict)
    duration_s: float = float("nan")

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")
