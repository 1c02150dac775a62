"""One benchmark run: prepare the audio, measure each server in turn, then the floor and sweep."""

from __future__ import annotations

import math
import shlex
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import environment
from bench.audio import Clip, entries_of_kind, load_clips, load_manifest, long_files, meeting_cut
from bench.floor import FLOOR_AS_OURS, FLOOR_AS_PEER, FloorOptions
from bench.machine_load import ForeignLoad, wait_until_quiet
from bench.models import TINY_EN, BenchModel
from bench.modes import Mode
from bench.paths import MANIFEST, REPO_ROOT
from bench.results import RunResults, ServerResults
from bench.scenarios import quantization, throughput
from bench.scenarios.accuracy import measure_accuracy
from bench.scenarios.commands import measure_command, measure_commands
from bench.scenarios.concurrency import measure_concurrency
from bench.scenarios.meetings import measure_meeting
from bench.servers import RunningServer, Server, running
from bench.settings import DecodeSettings
from bench.wyoming_client import WyomingError

SETTINGS = DecodeSettings(beam_size=1, compute_type="int8", cpu_threads=2, language="en")


@dataclass(frozen=True, slots=True)
class Inputs:
    """The audio every server gets, decoded once."""

    commands: list[Clip]
    concurrency: list[Clip]
    meetings: dict[float, bytes]
    long_files: list[Clip]


class Progress:
    """Timestamped progress lines on stdout."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[{(time.monotonic() - self.started) / 60:5.1f} min] {message}", flush=True)


@dataclass(slots=True)
class Harness:
    """What every measurement shares: the run's mode, audio, logs, progress and results."""

    mode: Mode
    inputs: Inputs
    log_dir: Path
    progress: Progress
    results: RunResults
    quiet_left_s: float = 0.0

    @contextmanager
    def measuring(self, label: str) -> Iterator[None]:
        """Wait for a quiet machine, then record how busy other processes kept it."""
        self.progress(label)
        waited = time.monotonic()
        wait_until_quiet(self.progress, max_wait_s=min(self.mode.quiet_wait_s, self.quiet_left_s))
        self.quiet_left_s -= time.monotonic() - waited
        load = ForeignLoad()
        try:
            yield
        finally:
            self.results.background_load[label] = load.fraction()

    def note(self, message: str) -> None:
        self.progress(message)
        self.results.notes.append(message)


def prepare_inputs(mode: Mode) -> Inputs:
    commands = entries_of_kind(mode.command_kinds)[: mode.commands_limit]
    command_clips = load_clips(commands)
    ha_commands = [clip for clip in command_clips if clip.entry.kind == "ha_command"]
    long_clips = load_clips(long_files())
    sources = [clip.pcm for clip in long_clips]
    return Inputs(
        commands=command_clips,
        concurrency=ha_commands or command_clips,
        meetings={minutes: meeting_cut(sources, minutes * 60) for minutes in mode.meeting_minutes},
        long_files=sorted(long_clips, key=lambda clip: clip.duration_s)[: mode.throughput_files],
    )


def command_line(server: Server, model: BenchModel) -> str:
    """How the server is started, with placeholders for the per-run port and data dir."""
    argv = server.argv(0, model.path, Path("DATA_DIR"), SETTINGS)
    text = shlex.join(argv).replace("tcp://127.0.0.1:0", "tcp://127.0.0.1:PORT")
    return text.replace(f"{REPO_ROOT}/", "")


class ServerBench:
    """Measures one server, restarting it where a measurement needs its own peak memory."""

    def __init__(self, server: Server, model: BenchModel, harness: Harness) -> None:
        self.server = server
        self.model = model
        self.harness = harness
        self.mode = harness.mode
        self.inputs = harness.inputs
        self.results = ServerResults(
            key=server.key, label=server.label, command_line=command_line(server, model)
        )

    def blocks(self, scenarios: Sequence[str]) -> list[Awaitable[None]]:
        """This server's measurements, in run order, each on a freshly started server."""
        blocks: list[Awaitable[None]] = []
        if "commands" in scenarios or "concurrency" in scenarios:
            blocks.append(self._fresh("commands", self._commands_and_concurrency(scenarios)))
        if "meetings" in scenarios:
            blocks += [
                self._fresh(f"meeting {minutes:g} min", self._meeting(minutes))
                for minutes in self.mode.meeting_minutes
            ]
        if "throughput" in scenarios:
            blocks.append(self._fresh("throughput", self._throughput))
        return blocks

    async def _fresh(self, what: str, job: Callable[[RunningServer], Awaitable[None]]) -> None:
        """Start the server, warm it up with one command, run ``job``, stop the server."""
        label = f"{self.server.label}: {what}"
        try:
            with self.harness.measuring(label):
                async with running(
                    self.server, self.model.path, SETTINGS, self.harness.log_dir
                ) as handle:
                    if math.isnan(self.results.startup_s):
                        self.results.startup_s = handle.startup_s
                        self.results.ready_rss_mib = handle.ready_rss_mib
                    await measure_command(handle, self.inputs.concurrency[0])
                    await job(handle)
        except (WyomingError, RuntimeError, OSError, TimeoutError) as err:
            self.harness.note(f"{label}: failed: {err}")

    def _commands_and_concurrency(
        self, scenarios: Sequence[str]
    ) -> Callable[[RunningServer], Awaitable[None]]:
        async def job(handle: RunningServer) -> None:
            if "commands" in scenarios:
                self.results.commands = await measure_commands(handle, self.inputs.commands)
            if "concurrency" in scenarios:
                for clients in self.mode.concurrency_clients:
                    self.results.concurrency += await measure_concurrency(
                        handle, self.inputs.concurrency, clients, self.mode.concurrency_rounds
                    )

        return job

    def _meeting(self, minutes: float) -> Callable[[RunningServer], Awaitable[None]]:
        async def job(handle: RunningServer) -> None:
            pcm = self.inputs.meetings[minutes]
            sample = await measure_meeting(handle, pcm, minutes, self.mode.meeting_pace)
            self.results.meetings.append(sample)

        return job

    async def _throughput(self, handle: RunningServer) -> None:
        self.results.throughput = await throughput.measure_server(handle, self.inputs.long_files)


def floor_variants(model: BenchModel) -> dict[str, FloorOptions]:
    """Bare faster-whisper as the peer calls it, and as ours does (the floor for our overhead)."""
    return {
        FLOOR_AS_PEER: FloorOptions.as_peer_calls_it(model.path, SETTINGS),
        FLOOR_AS_OURS: FloorOptions.as_ours_calls_it(model.path, SETTINGS),
    }


def measure_floor(model: BenchModel, harness: Harness) -> list[throughput.ThroughputRun]:
    runs = []
    for label, options in floor_variants(model).items():
        try:
            with harness.measuring(f"floor: {label}"):
                runs.append(throughput.measure_floor(label, options, harness.inputs.long_files))
        except (RuntimeError, subprocess.TimeoutExpired) as err:
            harness.note(f"floor: {label}: failed: {err}")
    return runs


def measure_quantization(
    harness: Harness, extra_models: Sequence[BenchModel], manifest: Path
) -> list[quantization.QuantCell]:
    mode = harness.mode
    if manifest == MANIFEST:
        entries = entries_of_kind(mode.command_kinds)
    else:
        entries = load_manifest(manifest)
    entries = entries[: mode.quant_files]
    cells = []
    for model in (*mode.quant_models, *extra_models):
        for compute_type in quantization.COMPUTE_TYPES:
            label = f"quantization: {model.name} {compute_type}"
            try:
                with harness.measuring(label):
                    cells.append(
                        quantization.measure_cell(
                            model, compute_type, entries, SETTINGS, mode.token_cap
                        )
                    )
            except (RuntimeError, subprocess.TimeoutExpired) as err:
                harness.note(f"{label}: failed: {err}")
    return cells


async def run(
    mode: Mode,
    servers: Sequence[Server],
    scenarios: Sequence[str],
    log_dir: Path,
    extra_models: Sequence[BenchModel] = (),
    manifest: Path = MANIFEST,
    accuracy_sets: Sequence[str] = (),
    accuracy_pace: float | None = None,
    model: BenchModel = TINY_EN,
) -> RunResults:
    """Every requested measurement, servers one at a time, ``model`` for the servers."""
    progress = Progress()
    results = RunResults(
        mode=mode.name,
        started_at=time.strftime("%Y-%m-%d %H:%M %Z"),
        environment=environment.collect(),
        settings=SETTINGS,
        model=model.name,
        model_caption=model.caption,
        meeting_pace=mode.meeting_pace,
        token_cap=mode.token_cap,
    )
    progress("decoding the audio")
    harness = Harness(
        mode, prepare_inputs(mode), log_dir, progress, results, quiet_left_s=mode.quiet_budget_s
    )
    benches = [ServerBench(server, model, harness) for server in servers]
    for bench in benches:
        results.servers[bench.server.key] = bench.results
    # Interleaved, in ABBA order, so that a change in the machine's load hits both servers alike.
    rounds = list(zip(*(bench.blocks(scenarios) for bench in benches), strict=True))
    for index, blocks in enumerate(rounds):
        for block in blocks if index % 2 == 0 else reversed(blocks):
            await block
    if "throughput" in scenarios:
        results.floor = measure_floor(model, harness)
    if "quantization" in scenarios:
        models = (*mode.quant_models, *extra_models)
        results.quant_captions = [m.caption for m in models]
        results.quantization = measure_quantization(harness, extra_models, manifest)
    if "accuracy" in scenarios:
        with harness.measuring("accuracy"):
            results.accuracy = await measure_accuracy(
                mode.accuracy, log_dir, progress, SETTINGS, accuracy_pace, accuracy_sets
            )
    results.duration_s = time.monotonic() - progress.started
    progress("done")
    return results
