"""Real servers on the real Whisper models, shared by the tests that only need a working server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
import pytest_socket

from tests.assets import BASE_MODEL
from tests.server.api_client import ApiClient
from tests.server_process import ServerProcess, run_server
from tests.wyoming_client import ScribeClient


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """These tests talk to a real server over 127.0.0.1 (pytest-socket blocks sockets)."""


@pytest.fixture(scope="session")
def tiny_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Whisper tiny.en: English, the fastest real model."""
    pytest_socket.enable_socket()  # session fixtures start before the per-test fixture above
    with run_server(tmp_path_factory.mktemp("tiny")) as server:
        yield server


@pytest.fixture(scope="session")
def base_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Whisper base: multilingual, for language detection and other languages."""
    pytest_socket.enable_socket()
    with run_server(tmp_path_factory.mktemp("base"), model=BASE_MODEL) as server:
        yield server


@pytest.fixture
async def api(server: tuple[ServerProcess, str]) -> AsyncIterator[ApiClient]:
    """An API client of the module's ``server`` (its process and token), once it is ready."""
    async with aiohttp.ClientSession() as session:
        client = ApiClient(session, server[0].http_port, server[1])
        await client.wait_until_ready()
        yield client


@pytest.fixture
async def client(tiny_server: ServerProcess) -> AsyncIterator[ScribeClient]:
    connection = await ScribeClient.connect(tiny_server.port)
    yield connection
    await connection.close()
