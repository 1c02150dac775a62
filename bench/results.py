"""Everything one run measured, kept together and written as JSON next to the report."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.environment import Environment
from bench.scenarios.accuracy import AccuracyRun
from bench.scenarios.commands import CommandSample
from bench.scenarios.concurrency import ConcurrencyRound
from bench.scenarios.meetings import MeetingSample
from bench.scenarios.quantization import QuantCell
from bench.scenarios.throughput import ThroughputRun, ThroughputSample
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
    accuracy: AccuracyRun | None = None
    notes: list[str] = field(default_factory=list)
    # Share of all CPUs that processes other than the bench used during each measurement.
    background_load: dict[str, float] = field(default_factory=dict)
    duration_s: float = float("nan")

    def measured(self) -> set[str]:
        """The questions this run has data for: commands, meetings, throughput, memory, ..."""
        servers = list(self.servers.values())
        has_data = {
            "commands": any(s.commands for s in servers),
            "meetings": any(s.meetings for s in servers),
            "throughput": bool(self.floor) or any(s.throughput for s in servers),
            "memory": any(s.meetings or s.throughput for s in servers),
            "quantization": bool(self.quantization),
            "accuracy": self.accuracy is not None and bool(self.accuracy.samples),
            "concurrency": any(s.concurrency for s in servers),
            "background": bool(self.background_load),
        }
        return {name for name, present in has_data.items() if present}

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")


def _throughput(data: dict[str, Any] | None) -> ThroughputRun | None:
    if data is None:
        return None
    return ThroughputRun(
        system=data["system"],
        samples=[ThroughputSample(**sample) for sample in data["samples"]],
        peak_rss_mib=data["peak_rss_mib"],
    )


def _server(data: dict[str, Any]) -> ServerResults:
    return ServerResults(
        key=data["key"],
        label=data["label"],
        command_line=data["command_line"],
        startup_s=data["startup_s"],
        ready_rss_mib=data["ready_rss_mib"],
        commands=[CommandSample(**sample) for sample in data["commands"]],
        concurrency=[
            ConcurrencyRound(
                clients=round_["clients"],
                samples=[CommandSample(**sample) for sample in round_["samples"]],
            )
            for round_ in data["concurrency"]
        ],
        meetings=[MeetingSample(**sample) for sample in data["meetings"]],
        throughput=_throughput(data["throughput"]),
    )


def load(path: Path) -> RunResults:
    """A run written by ``RunResults.save``, to render its report again."""
    data = json.loads(path.read_text(encoding="utf-8"))
    floor = [_throughput(run) for run in data["floor"]]
    return RunResults(
        mode=data["mode"],
        started_at=data["started_at"],
        environment=Environment(**data["environment"]),
        settings=DecodeSettings(**data["settings"]),
        model=data["model"],
        model_caption=data["model_caption"],
        meeting_pace=data["meeting_pace"],
        token_cap=data["token_cap"],
        servers={key: _server(server) for key, server in data["servers"].items()},
        floor=[run for run in floor if run is not None],
        quantization=[QuantCell(**cell) for cell in data["quantization"]],
        quant_captions=data["quant_captions"],
        accuracy=AccuracyRun.from_json(data["accuracy"]) if data.get("accuracy") else None,
        notes=data["notes"],
        background_load=data["background_load"],
        duration_s=data["duration_s"],
    )
