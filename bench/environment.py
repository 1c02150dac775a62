"""The machine and the software versions a run measured, for the report's header."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from bench.paths import PEER_VENV, PROJECT_PYTHON, REPO_ROOT
from bench.peer_venv import installed_version


@dataclass(frozen=True, slots=True)
class Environment:
    """Where and with what a run was made."""

    cpu: str
    cores: int
    memory_gib: float
    os: str
    python: str
    ours_version: str
    ours_commit: str
    peer_version: str
    faster_whisper_ours: str
    ctranslate2_ours: str
    faster_whisper_peer: str
    ctranslate2_peer: str


def _cpu_model() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or platform.machine()
    for line in cpuinfo.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def _memory_gib() -> float:
    pages = os.sysconf("SC_PHYS_PAGES")
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024**3


def _git_commit() -> str:
    completed = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.stdout.strip() or "unknown"


def collect() -> Environment:
    """Look everything up (the peer's versions from its own interpreter)."""
    peer_python = PEER_VENV / "bin" / "python"
    return Environment(
        cpu=_cpu_model(),
        cores=len(os.sched_getaffinity(0)),
        memory_gib=round(_memory_gib(), 1),
        os=f"{platform.system()} {platform.release()} ({platform.machine()})",
        python=platform.python_version(),
        ours_version=installed_version("wyoming-scribe", PROJECT_PYTHON),
        ours_commit=_git_commit(),
        peer_version=installed_version("wyoming-faster-whisper", peer_python),
        faster_whisper_ours=version("faster-whisper"),
        ctranslate2_ours=version("ctranslate2"),
        faster_whisper_peer=installed_version("faster-whisper", peer_python),
        ctranslate2_peer=installed_version("ctranslate2", peer_python),
    )
