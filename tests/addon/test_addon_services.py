"""The add-on's services: the health check, discovery and what happens when the server ends.

The health check and discovery talk to the real server over real TCP. The Supervisor is
replaced by the FAKE bashio of fake_bashio/, which records the discovery announcements.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.addon.addon_files import (
    ADDON,
    DISCOVERY_SCRIPT,
    FAKE_BASHIO,
    FINISH_SCRIPT,
    HEALTHCHECK,
    S6_SERVICES,
)
from tests.addon.shell_harness import run_script, script_env
from tests.assets import REPO, TINY_EN_MODEL
from tests.server_process import free_port, run_server, wait_for_port


def healthcheck(port: int) -> int:
    done = subprocess.run(
        [str(HEALTHCHECK), str(port)], capture_output=True, timeout=30, check=False
    )
    return done.returncode


@contextmanager
def tcp_stand_in(answer: bytes | None) -> Iterator[int]:
    """A TCP port that reads one line and answers ANSWER (or closes) — not a Wyoming server."""
    listener = socket.create_server(("127.0.0.1", 0))
    port: int = listener.getsockname()[1]

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(1024)
            if answer is not None:
                connection.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        listener.close()


def test_healthcheck_passes_when_the_server_answers_describe(tmp_path: Path) -> None:
    with run_server(tmp_path) as server:
        assert healthcheck(server.port) == 0


def test_healthcheck_fails_when_nothing_listens() -> None:
    assert healthcheck(free_port()) != 0


@pytest.mark.parametrize(
    "answer",
    [None, b"HTTP/1.1 400 Bad Request\r\n\r\n", b'{"type": "error", "data_length": 0}\n'],
)
def test_healthcheck_fails_when_the_port_does_not_answer_info(answer: bytes | None) -> None:
    with tcp_stand_in(answer) as port:
        assert healthcheck(port) != 0


def test_dockerfile_health_check_runs_the_script_of_the_image() -> None:
    dockerfile = (ADDON / "Dockerfile").read_text(encoding="utf-8")
    installed_as = "/" + HEALTHCHECK.relative_to(ADDON / "rootfs").as_posix()
    assert f'CMD ["{installed_as}"]' in dockerfile
    assert os.access(HEALTHCHECK, os.X_OK)


@contextmanager
def discovery_running(
    tmp_path: Path, wyoming_port: int, api_port: int, data_dir: Path
) -> Iterator[Path]:
    env = script_env(
        tmp_path,
        {},
        SCRIBE_WYOMING_PORT=str(wyoming_port),
        SCRIBE_API_PORT=str(api_port),
        SCRIBE_DATA_DIR=str(data_dir),
    )
    process = subprocess.Popen(
        [str(FAKE_BASHIO), str(DISCOVERY_SCRIPT)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield Path(env["FAKE_BASHIO_DISCOVERY"])
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        process.wait()


def announcements(record: Path, count: int, timeout: float) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = record.read_text().splitlines() if record.exists() else []
        if len(lines) >= count:
            return [json.loads(line) for line in lines]
        time.sleep(0.2)
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


@contextmanager
def server_on(port: int, data_dir: Path, http_port: int = 0) -> Iterator[None]:
    log = data_dir.parent / "server.log"
    args = [
        sys.executable, "-m", "wyoming_scribe",
        "--uri", f"tcp://127.0.0.1:{port}",
        "--model", str(TINY_EN_MODEL),
        "--data-dir", str(data_dir),
        "--http-host", "127.0.0.1",
        "--http-port", str(http_port),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO / "addon")}
    with log.open("wb") as output:
        process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT, env=env)
    try:
        wait_for_port(port, process, log)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def api_get(port: int, path: str, token: str) -> object:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_discovery_waits_for_the_server_then_announces_both_services(tmp_path: Path) -> None:
    port, api_port, data = free_port(), free_port(), tmp_path / "data"

    with discovery_running(tmp_path, port, api_port, data) as record:
        assert announcements(record, 1, timeout=3) == [], "announced before the server answered"
        with server_on(port, data, http_port=api_port):
            announced = announcements(record, 2, timeout=60)
            token = (data / "api_token").read_text().strip()
            meetings = api_get(api_port, "/api/meetings", token)

    host = socket.gethostname()
    assert announced == [
        {"service": "wyoming", "config": {"uri": f"tcp://{host}:{port}"}},
        {
            "service": "meeting_scribe",
            "config": {"host": host, "port": port, "api_port": api_port, "token": token},
        },
    ]
    assert meetings == {"meetings": []}, "the announced token does not open the API"


def test_discovery_waits_for_the_api_token(tmp_path: Path) -> None:
    port, data = free_port(), tmp_path / "discovery-data"
    data.mkdir()

    with (
        server_on(port, tmp_path / "server-data"),
        discovery_running(tmp_path, port, 10301, data) as record,
    ):
        assert announcements(record, 1, timeout=3) == [], "announced without a token"
        (data / "api_token").write_text("a1b2c3d4e5f6g7h8i9\n")
        announced = announcements(record, 2, timeout=30)

    assert [entry["service"] for entry in announced] == ["wyoming", "meeting_scribe"]
    assert announced[1] == {
        "service": "meeting_scribe",
        "config": {
            "host": socket.gethostname(),
            "port": port,
            "api_port": 10301,
            "token": "a1b2c3d4e5f6g7h8i9",
        },
    }


@pytest.fixture
def s6_run_dir(tmp_path: Path) -> Path:
    """The parts of s6-overlay's /run the finish script uses: the exit code file and halt."""
    run = tmp_path / "run"
    (run / "s6-linux-init-container-results").mkdir(parents=True)
    (run / "s6-linux-init-container-results" / "exitcode").write_text("0\n")
    halt = run / "s6" / "basedir" / "bin" / "halt"
    halt.parent.mkdir(parents=True)
    halt.write_text(f"#!/usr/bin/env bash\n# FAKE halt, for tests\ntouch {run}/halted\n")
    halt.chmod(0o755)
    return run


def finish(tmp_path: Path, s6_run_dir: Path, exit_code: int, signal: int) -> tuple[int, str]:
    run = run_script(
        FINISH_SCRIPT, tmp_path, {}, str(exit_code), str(signal), SCRIBE_S6_RUN_DIR=str(s6_run_dir)
    )
    assert run.returncode == 0, run.stderr
    assert (s6_run_dir / "halted").exists(), "the container was not stopped"
    code = (s6_run_dir / "s6-linux-init-container-results" / "exitcode").read_text()
    return int(code), run.stderr


def test_a_crash_by_illegal_instruction_stops_the_add_on_and_says_why(
    tmp_path: Path, s6_run_dir: Path
) -> None:
    code, log = finish(tmp_path, s6_run_dir, 256, 4)

    assert code == 132
    assert "SIGILL" in log
    assert "instruction this CPU does not have" in log


def test_a_server_that_fails_to_start_stops_the_add_on_with_its_status(
    tmp_path: Path, s6_run_dir: Path
) -> None:
    code, log = finish(tmp_path, s6_run_dir, 2, 0)

    assert code == 2
    assert "status 2" in log


def test_stopping_the_add_on_is_not_reported_as_a_crash(tmp_path: Path, s6_run_dir: Path) -> None:
    code, log = finish(tmp_path, s6_run_dir, 256, 15)

    assert code == 143
    assert "ERROR" not in log


def test_the_first_failure_is_the_one_kept(tmp_path: Path, s6_run_dir: Path) -> None:
    (s6_run_dir / "s6-linux-init-container-results" / "exitcode").write_text("2\n")

    code, _ = finish(tmp_path, s6_run_dir, 256, 15)

    assert code == 2


def test_s6_starts_the_server_and_discovery_after_it() -> None:
    services = {"meeting_scribe": "longrun", "discovery": "oneshot"}
    for service, kind in services.items():
        assert (S6_SERVICES / service / "type").read_text().strip() == kind
    enabled = {path.name for path in (S6_SERVICES / "user" / "contents.d").iterdir()}
    assert enabled == set(services)
    assert {path.name for path in (S6_SERVICES / "discovery" / "dependencies.d").iterdir()} == {
        "meeting_scribe"
    }
    up = (S6_SERVICES / "discovery" / "up").read_text().strip()
    assert up == "/" + DISCOVERY_SCRIPT.relative_to(ADDON / "rootfs").as_posix()
    for script in (DISCOVERY_SCRIPT, FINISH_SCRIPT, S6_SERVICES / "meeting_scribe" / "run"):
        assert os.access(script, os.X_OK), f"{script.name} is not executable"
        assert script.read_text().startswith("#!/command/with-contenv bashio\n")
