"""Peak resident memory of a server process and its children, sampled while it works."""

from __future__ import annotations

import threading
from pathlib import Path

import psutil

MIB = 1024 * 1024


def high_water_mark_mib(pid: int) -> float | None:
    """The kernel's own peak RSS of one process (VmHWM), or None if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return None


def tree_rss_mib(process: psutil.Process) -> float:
    """Current RSS of a process plus all its descendants."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total / MIB


class PeakRss:
    """Samples a process tree's RSS every ``interval_s`` until stopped.

    The peak is the larger of the highest sampled tree total and the root's VmHWM, which the
    kernel keeps exactly (so a spike between two samples of the main process is not missed).
    """

    def __init__(self, pid: int, interval_s: float = 0.05) -> None:
        self._pid = pid
        self._process = psutil.Process(pid)
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._peak_mib = 0.0
        self._thread = threading.Thread(target=self._sample, name=f"rss-{pid}", daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> float:
        """Stop sampling (idempotent) and return the peak in MiB."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._peak_mib = max(self._peak_mib, high_water_mark_mib(self._pid) or 0.0)
        return self._peak_mib

    def _sample(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self._peak_mib = max(self._peak_mib, tree_rss_mib(self._process))
            except psutil.Error:
                return
