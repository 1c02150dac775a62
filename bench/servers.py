"""Starting and stopping the two Wyoming servers on the same model, threads and beam size."""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.memory import PeakRss, tree_rss_mib
from bench.paths import PEER_VENV, PROJECT_PYTHON, REPO_ROOT
from bench.settings import DecodeSettings
from bench.wyoming_client import describe

HOST = "127.0.0.1"
READY_TIMEOUT_S = 180.0


type CommandLine = Callable[[int, Path, Path, DecodeSettings], list[str]]


def ours_command(port: int, model: Path, data_dir: Path, settings: DecodeSettings) -> list[str]:
    """Meeting Scribe's server, HTTP API off."""
    return [
        str(PROJECT_PYTHON),
        "-m",
        "wyoming_scribe",
        "--uri",
        f"tcp://{HOST}:{port}",
        "--model",
        str(model),
        "--data-dir",
        str(data_dir),
        "--http-port",
        "0",
        *settings.flags(),
    ]


def peer_command(port: int, model: Path, data_dir: Path, settings: DecodeSettings) -> list[str]:
    """wyoming-faster-whisper as Home Assistant's add-on runs it, on a local model directory."""
    return [
        str(PEER_VENV / "bin" / "wyoming-faster-whisper"),
        "--uri",
        f"tcp://{HOST}:{port}",
        "--model",
        str(model),
        "--data-dir",
        str(data_dir),
        "--local-files-only",
        *settings.flags(),
    ]


@dataclass(frozen=True, slots=True)
class Server:
    """One of the servers being compared."""

    key: str
    label: str
    command: CommandLine
    extra_args: tuple[str, ...] = ()

    def argv(self, port: int, model: Path, data_dir: Path, settings: DecodeSettings) -> list[str]:
        """The whole command line that starts this server."""
        return [*self.command(port, model, data_dir, settings), *self.extra_args]


# Ours refuses a Wyoming utterance longer than 120 s by default, and more than 30 s of one
# connection's voice audio waiting to be decoded (guards against a flooding client); the meeting,
# file and accuracy measurements stream up to 15 minutes as one utterance, faster than real time.
OURS = Server(
    "ours",
    "Meeting Scribe",
    ours_command,
    extra_args=(
        "--max-utterance-seconds", "1800",
        "--max-queued-voice-seconds-per-connection", "1800",
        "--max-queued-voice-seconds", "1800",
    ),
)  # fmt: skip
PEER = Server("peer", "wyoming-faster-whisper 3.8.1", peer_command)


@dataclass(slots=True)
class RunningServer:
    """A started server: where to reach it and how much memory it has used so far."""

    server: Server
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    data_dir: Path
    startup_s: float
    ready_rss_mib: float
    _rss: PeakRss = field(repr=False)

    @property
    def host(self) -> str:
        return HOST

    def peak_rss_mib(self) -> float:
        """Peak RSS of the server's process tree since it started (stops the sampling)."""
        return self._rss.stop()

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"{self.server.label} exited with {self.process.returncode}; see {self.log_path}"
            )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def running(
    server: Server,
    model: Path,
    settings: DecodeSettings,
    log_dir: Path,
    extra_args: Sequence[str] = (),
) -> AsyncIterator[RunningServer]:
    """Start ``server`` on ``model``, wait until it answers ``describe``, stop it afterwards.

    ``extra_args`` go at the end of its command line (a flag given twice: the last wins).
    """
    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-{server.key}-"))
    log_path = log_dir / f"{server.key}-{time.strftime('%H%M%S')}-{port}.log"
    argv = [*server.argv(port, model, data_dir, settings), *extra_args]
    started = time.monotonic()
    with _spawn(argv, log_path) as process:
        try:
            with PeakRss(process.pid) as rss:
                await _wait_ready(process, port, log_path)
                yield RunningServer(
                    server=server,
                    port=port,
                    process=process,
                    log_path=log_path,
                    data_dir=data_dir,
                    startup_s=time.monotonic() - started,
                    ready_rss_mib=tree_rss_mib(psutil.Process(process.pid)),
                    _rss=rss,
                )
        finally:
            terminate(process)
            shutil.rmtree(data_dir, ignore_errors=True)


def _spawn(argv: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``argv`` with its output in ``log_path`` (the command line on top)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        log.write(f"$ {shlex.join(argv)}\n".encode())
        log.flush()
        # Our server runs from this checkout even if the venv's editable install points elsewhere.
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "addon"), "PYTHONUNBUFFERED": "1"}
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=env)


async def _wait_ready(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log_path}")
        try:
            await describe(HOST, port, timeout_s=2.0)
        except (OSError, TimeoutError):
            await asyncio.sleep(0.2)
        else:
            return
    raise RuntimeError(f"server not ready after {READY_TIMEOUT_S:.0f} s; see {log_path}")


def terminate(process: subprocess.Popen[bytes]) -> None:
    """Stop a server as a supervisor does: SIGTERM, then SIGKILL if it does not go."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)
