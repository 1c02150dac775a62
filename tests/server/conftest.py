"""One real server on the toy model, shared by the tests that only need a working server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
import pytest_socket

from tests.server.api_client import ApiClient
from tests.server_process import ServerProcess, run_server
from tests.wyoming_client import ScribeClient


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """These tests talk to a real server over 127.0.0.1 (pytest-socket blocks sockets)."""


@pytest.fixture(scope="session")
def toy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    pytest_socket.enable_socket()  # session fixtures start before the per-test fixture above
    with run_server(tmp_path_factory.mktemp("toy")) as server:
        yield server


@pytest.fixture
async def api(server: tuple[ServerProcess, str]) -> AsyncIterator[ApiClient]:
    """An API client of the module's ``server`` (its process and token), once it is ready."""
    async with aiohttp.ClientSession() as session:
        client = ApiClient(session, server[0].http_port, server[1])
        await client.wait_until_ready()
        yield client


@pytest.fixture
async def client(toy_server: ServerProcess) -> AsyncIterator[ScribeClient]:
    connection = await ScribeClient.connect(toy_server.port)
    yield connection
    await connection.close()
