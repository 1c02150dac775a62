"""A real server on the real tiny.en model, shared by the reliability tests that need no flags."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_socket

from tests.server.api_client import ApiClient, generated_token
from tests.server_process import ServerProcess, run_server


@pytest.fixture(scope="session")
def scribe_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reliability")


@pytest.fixture(scope="session")
def scribe(scribe_dir: Path) -> Iterator[ServerProcess]:
    pytest_socket.enable_socket()  # session fixtures start before the per-test socket fixture
    with run_server(scribe_dir, http=True) as server:
        yield server


@pytest.fixture
async def scribe_api(scribe: ServerProcess, scribe_dir: Path) -> AsyncIterator[ApiClient]:
    async with aiohttp.ClientSession() as session:
        yield await api_for(scribe, scribe_dir, session)


async def api_for(
    server: ServerProcess, tmp_path: Path, session: aiohttp.ClientSession
) -> ApiClient:
    """The API of a server started by a test with ``run_server(tmp_path, ...)``, model loaded."""
    api = ApiClient(session, server.http_port, generated_token(tmp_path / "data"))
    await api.wait_until_ready()
    return api
