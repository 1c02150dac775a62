"""Quick and full runs: the same measurements at two sizes."""

from __future__ import annotations

from dataclasses import dataclass

from bench.models import BASE, TINY_EN, BenchModel


@dataclass(frozen=True, slots=True)
class AccuracyPlan:
    """How much of the shared audio the accuracy benchmark hears (None: all of it)."""

    commands_per_kind: int | None  # first N of the ha_command files and of the short files
    noisy_commands_per_kind: int | None  # of those, the first N get noisy versions
    long_files: int | None  # the N shortest long files
    noisy_long_files: int | None
    fleurs_per_language: int | None
    noise_seconds: float | None  # each noise recording cut to its first N seconds
    pace_check: bool  # stream one long file at real-time pace too, to show pace changes nothing


@dataclass(frozen=True, slots=True)
class Mode:
    """How much of each measurement a run does."""

    name: str
    command_kinds: tuple[str, ...]
    commands_limit: int | None  # first N of those files; None: all
    concurrency_clients: tuple[int, ...]
    concurrency_rounds: int
    meeting_minutes: tuple[float, ...]
    meeting_pace: float  # 1.0 is real time
    throughput_files: int | None  # the N shortest long files; None: all
    quant_models: tuple[BenchModel, ...]
    quant_files: int | None  # first N of the command files; None: all
    token_cap: int  # new tokens per 30 s window for random-weight decoders
    quiet_wait_s: float  # how long to wait for other processes to calm down before each part
    quiet_budget_s: float  # how long to wait for that over the whole run
    accuracy: AccuracyPlan


QUICK = Mode(
    name="quick",
    command_kinds=("ha_command",),
    commands_limit=10,
    concurrency_clients=(1, 4, 8),
    concurrency_rounds=1,
    meeting_minutes=(1, 3),
    meeting_pace=4.0,
    throughput_files=1,
    quant_models=(TINY_EN, BASE),
    quant_files=4,
    token_cap=32,
    quiet_wait_s=0.0,  # a preview: measure the background load, do not wait it out
    quiet_budget_s=0.0,
    accuracy=AccuracyPlan(
        commands_per_kind=8,
        noisy_commands_per_kind=4,
        long_files=1,
        noisy_long_files=0,
        fleurs_per_language=2,
        noise_seconds=20.0,
        pace_check=False,
    ),
)

FULL = Mode(
    name="full",
    command_kinds=("ha_command", "short"),
    commands_limit=None,
    concurrency_clients=(1, 4, 8),
    concurrency_rounds=4,
    meeting_minutes=(1, 5, 15),
    meeting_pace=1.0,
    throughput_files=None,
    quant_models=(TINY_EN, BASE),
    quant_files=40,
    token_cap=32,
    quiet_wait_s=300.0,
    quiet_budget_s=2700.0,
    accuracy=AccuracyPlan(
        commands_per_kind=None,
        noisy_commands_per_kind=None,
        long_files=None,
        noisy_long_files=None,
        fleurs_per_language=None,
        noise_seconds=None,
        pace_check=True,
    ),
)
