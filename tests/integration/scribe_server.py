"""The real Meeting Scribe server (`python -m wyoming_scribe`) as a child process on 127.0.0.1.

Its microphone is a command that plays test audio: by default a recorded five-minute meeting,
looped, at three times real speed so the tests do not wait long for the first words. A test can
plug in another "microphone" (say, one that stops after a few seconds) without restarting the
server: the server runs whatever command line the file `microphone` holds when a meeting starts.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.assets import MEETING_AUDIO, REPO, TINY_EN_MODEL
from tests.server_process import free_port

TOKEN = "integration-test-token-0123456789"
START_TIMEOUT_S = 90
SETTLE_TIMEOUT_S = 60


def mic_command(audio: Path = MEETING_AUDIO, *, loop: bool = True) -> str:
    """An ffmpeg command writing the audio as raw 16 kHz mono s16, as a microphone would."""
    looping = ["-stream_loop", "-1"] if loop else []
    args = ["ffmpeg", "-loglevel", "error", "-readrate", "3", *looping, "-i", str(audio)]
    return shlex.join([*args, "-f", "s16le", "-ac", "1", "-ar", "16000", "-"])


class ScribeServer:
    """One server with its own data, recordings and token; it can be stopped and started again."""

    host = "127.0.0.1"

    def __init__(self, workdir: Path, model: Path = TINY_EN_MODEL) -> None:
        self.workdir = workdir
        self.model = model
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.wyoming_port = free_port()
        self.mic_file = workdir / "microphone"
        self.mic = mic_command()
        self.token = TOKEN
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def data(self) -> dict[str, Any]:
        """What a config entry for this server holds."""
        return {"host": self.host, "port": self.port, "token": self.token}

    @property
    def server_id(self) -> str:
        """The id the server made for itself on its first start."""
        return (self.workdir / "data/server_id").read_text().strip()

    @property
    def mic(self) -> str:
        """The command line the microphone runs at the next meeting."""
        return self.mic_file.read_text()

    @mic.setter
    def mic(self, command: str) -> None:
        self.mic_file.write_text(command)

    @property
    def log(self) -> str:
        return (self.workdir / "server.log").read_text(errors="replace")

    def start(self) -> None:
        """Start the server (same ports as before) and wait until its model is loaded."""
        token_file = self.workdir / "api_token"
        token_file.write_text(self.token)
        args = [
            sys.executable, "-m", "wyoming_scribe",
            "--uri", f"tcp://{self.host}:{self.wyoming_port}",
            "--model", str(self.model),
            "--data-dir", str(self.workdir / "data"),
            "--http-host", self.host,
            "--http-port", str(self.port),
            "--api-token-file", str(token_file),
            "--recordings-dir", str(self.workdir / "recordings"),
            "--mic-command", shlex.join(["sh", "-c", f'eval "exec $(cat {self.mic_file})"']),
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(REPO / "addon")}
        with (self.workdir / "server.log").open("ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + START_TIMEOUT_S
        while self._health_status() != "ok":
            if self.process.poll() is not None:
                raise RuntimeError(f"The server exited with {self.process.returncode}:\n{self.log}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"The server did not get ready:\n{self.log}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server the way the Supervisor does (SIGTERM)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def crash(self) -> None:
        """Kill the server at once, as a power cut would."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None

    def request(self, method: str, path: str) -> Any:
        """Call the API directly, as another client would."""
        request = urllib.request.Request(
            f"http://{self.host}:{self.port}/api{path}",
            method=method,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def delete_all_meetings(self) -> None:
        for meeting in self.request("GET", "/meetings")["meetings"]:
            self.request("DELETE", f"/meetings/{meeting['id']}")

    def settle(self) -> None:
        """Put the usual microphone back, stop a meeting still recording, let every meeting end."""
        self.mic = mic_command()
        health = self.request("GET", "/health")
        if health["recording"]:
            self.request("POST", f"/meetings/{health['recording']}/stop")
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while any(
            m["status"] in ("recording", "finalizing")
            for m in self.request("GET", "/meetings")["meetings"]
        ):
            if time.monotonic() > deadline:
                raise TimeoutError("Meetings did not finish")
            time.sleep(0.1)

    def _health_status(self) -> str | None:
        try:
            with urllib.request.urlopen(
                f"http://{self.host}:{self.port}/api/health", timeout=2
            ) as response:
                status: str = json.loads(response.read())["status"]
                return status
        except (OSError, ValueError):
            return None
