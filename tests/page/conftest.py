"""One real server for the page's tests (Whisper tiny.en, a microphone playing Harvard sentences),
behind a FAKE Supervisor ingress proxy."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_socket
from selenium import webdriver

from tests.assets import AUDIO, TINY_EN_MODEL
from tests.page.browser import chromium
from tests.page.fake_ingress import PROXY_ADDRESS, FakeIngress, fake_ingress
from tests.server.api_client import generated_token, mic_command
from tests.server_process import ServerProcess, free_port, run_server, wait_for_port

# Harvard sentences, one pause after each: "A gold ring will please most any girl. The long
# journey home took a year. She saw a cat in the neighbor's house. …" (35 s)
HARVARD = AUDIO / "osr/OSR_us_000_0034_8k.wav"
PACE = 2.0  # the microphone plays it at twice real time


@dataclass
class PageServer:
    process: ServerProcess
    token: str
    ingress_port: int
    ingress: FakeIngress

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.process.http_port}/"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, object]:
        data = json.loads(self.body)
        assert isinstance(data, dict)
        return data


def http(
    url: str, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None
) -> Answer:
    request = urllib.request.Request(url, body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as err:
        return Answer(err.code, dict(err.headers), err.read())


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """These tests talk to a real server over 127.0.0.1 (pytest-socket blocks sockets)."""


@contextmanager
def serve_page(
    tmp_path: Path, *flags: str, model: Path | str = TINY_EN_MODEL
) -> Iterator[PageServer]:
    """The real server with its ingress port, and the FAKE ingress proxy in front of it."""
    ingress_port = free_port()
    ingress = ["--ingress-port", str(ingress_port), "--ingress-peer", PROXY_ADDRESS]
    with run_server(tmp_path, *flags, *ingress, model=model, http=True) as process:
        wait_for_port(ingress_port, process.process, process.log_path)
        with fake_ingress(ingress_port) as proxy:
            yield PageServer(process, generated_token(tmp_path / "data"), ingress_port, proxy)


@pytest.fixture(scope="package")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageServer]:
    pytest_socket.enable_socket()
    tmp_path = tmp_path_factory.mktemp("page")
    with serve_page(tmp_path, "--mic-command", mic_command(HARVARD, pace=PACE)) as server:
        deadline = time.monotonic() + 120
        while http(server.api_url + "api/health").json()["status"] != "ok":
            assert time.monotonic() < deadline, "the model did not load"
            time.sleep(0.2)
        yield server


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[webdriver.Chrome]:
    """One headless Chromium per test module."""
    with chromium(downloads) as driver:
        yield driver
