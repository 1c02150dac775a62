"""Other processes' CPU use: waited out before a measurement and reported for each one.

A benchmark on a shared machine is only as good as the quiet it ran in, so every measurement
records how busy the CPUs were with work that was neither the harness nor its children.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import psutil

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _busy_and_total_s() -> tuple[float, float]:
    """Busy and total CPU seconds since boot, summed over all CPUs (from /proc/stat)."""
    fields = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:]
    ticks = [int(value) for value in fields[:8]]  # user nice system idle iowait irq softirq steal
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / CLOCK_TICKS, sum(ticks) / CLOCK_TICKS


def _own_cpu_s() -> float:
    """CPU seconds used by this process, its children alive, and its children reaped."""
    me = psutil.Process()
    times = me.cpu_times()
    total: float = times.user + times.system + times.children_user + times.children_system
    for child in me.children(recursive=True):
        try:
            child_times = child.cpu_times()
        except psutil.Error:
            continue
        total += child_times.user + child_times.system
    return total


class ForeignLoad:
    """Measures the share of all CPUs that other processes used between start and stop."""

    def __init__(self) -> None:
        self._busy, self._total = _busy_and_total_s()
        self._own = _own_cpu_s()

    def fraction(self) -> float:
        """Other processes' CPU use since this object was made, as a fraction of all CPUs."""
        busy, total = _busy_and_total_s()
        elapsed = total - self._total
        if elapsed <= 0:
            return 0.0
        foreign = (busy - self._busy) - (_own_cpu_s() - self._own)
        return max(0.0, foreign / elapsed)


def wait_until_quiet(
    say: Callable[[str], None],
    threshold: float = 0.15,
    max_wait_s: float = 600.0,
    window_s: float = 3.0,
) -> float:
    """Wait until other processes use less than ``threshold`` of the CPUs; return their share.

    Gives up after ``max_wait_s`` and returns the last share seen, so a busy machine delays a
    run but never stalls it.
    """
    if max_wait_s <= 0:
        return float("nan")
    deadline = time.monotonic() + max_wait_s
    told = False
    while True:
        load = ForeignLoad()
        time.sleep(window_s)
        share = load.fraction()
        if share < threshold or time.monotonic() >= deadline:
            return share
        if not told:
            say(f"other processes use {share:.0%} of the CPUs; waiting for quiet")
            told = True
