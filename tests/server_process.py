"""Runs the real ``python -m wyoming_scribe`` as a child process on 127.0.0.1 for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.assets import REPO, TINY_EN_MODEL, missing_models


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    port: int
    http_port: int
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_for_port(
    port: int,
    process: subprocess.Popen[bytes],
    log: Path,
    timeout: float = 60,
    let_go: bool = False,
) -> None:
    """Wait until the server accepts a connection on ``port``.

    With ``let_go``, the probe also ends its connection and waits for the server to close its
    side, so the probe no longer holds one of the server's places (``--max-connections``).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as probe:
                if let_go:
                    probe.shutdown(socket.SHUT_WR)
                    probe.settimeout(10)
                    while probe.recv(4096):
                        pass
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"server did not listen on {port}:\n{log.read_text()}")


@contextmanager
def run_server(
    tmp_path: Path,
    *extra_args: str,
    model: Path | str | None = TINY_EN_MODEL,
    command: Sequence[str] | None = None,
    env: dict[str, str] | None = None,
    http: bool = False,
) -> Iterator[ServerProcess]:
    """Start the server, wait until it listens (and its HTTP API, with ``http``), stop it
    (SIGTERM) afterwards. ``model=None`` leaves the choice to the command (no --model)."""
    if isinstance(model, Path) and model in missing_models():
        raise FileNotFoundError(f"{model} is missing: script/setup downloads it")
    port, http_port = free_port(), free_port() if http else 0
    log_path = tmp_path / f"server-{port}.log"
    base = command or [sys.executable, "-m", "wyoming_scribe"]
    args = [
        *base,
        "--uri", f"tcp://127.0.0.1:{port}",
        *(["--model", str(model)] if model is not None else []),
        "--data-dir", str(tmp_path / "data"),
        "--http-host", "127.0.0.1",
        "--http-port", str(http_port),
        *extra_args,
    ]  # fmt: skip
    child_env = {**os.environ, "PYTHONPATH": str(REPO / "addon"), **(env or {})}
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=child_env)
    try:
        for listening in (port, http_port) if http else (port,):
            wait_for_port(listening, process, log_path, let_go=listening == port)
        yield ServerProcess(process, port, http_port, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
