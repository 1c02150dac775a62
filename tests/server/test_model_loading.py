"""Models load by name or directory; --local-files-only never touches the network."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from wyoming.audio import AudioStart
from wyoming.info import Describe

from tests.server_process import run_server
from tests.wyoming_client import ScribeClient


class ProxyWitness:
    """A TCP listener posing as the HTTP(S) proxy: it records every connection attempt."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.requests: list[bytes] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            with connection:
                self.requests.append(connection.recv(256))

    def close(self) -> None:
        self._socket.shutdown(socket.SHUT_RDWR)  # wakes accept()
        self._socket.close()
        self._thread.join(timeout=5)


@pytest.fixture
def proxy() -> Iterator[ProxyWitness]:
    witness = ProxyWitness()
    yield witness
    witness.close()


async def model_error(port: int) -> str:
    client = await ScribeClient.connect(port)
    await client.send(AudioStart(rate=16000, width=2, channels=1).event())
    event = await client.read()
    await client.close()
    assert event is not None
    assert event.type == "error"
    assert event.data["code"] == "model-unavailable"
    return str(event.data["text"])


@pytest.mark.parametrize("offline", [True, False], ids=["local-files-only", "online"])
async def test_local_files_only_never_reaches_for_the_network(
    tmp_path: Path, proxy: ProxyWitness, offline: bool
) -> None:
    env = {"HTTPS_PROXY": proxy.url, "HTTP_PROXY": proxy.url, "NO_PROXY": ""}
    flags = ["--local-files-only"] if offline else []
    with run_server(tmp_path, *flags, model="tiny-int8", env=env) as server:
        text = await model_error(server.port)

    if offline:
        assert "--local-files-only" in text
        assert proxy.requests == []
    else:
        # The same witness sees the download attempt when downloads are allowed.
        assert any(b"huggingface.co" in request for request in proxy.requests)
        assert "tiny-int8" in text


async def test_short_names_are_reported_as_given(tmp_path: Path, proxy: ProxyWitness) -> None:
    with run_server(
        tmp_path, "--local-files-only", model="base-int8", env={"HTTPS_PROXY": proxy.url}
    ) as server:
        client = await ScribeClient.connect(server.port)
        await client.send(Describe().event())
        info = await client.read()
        await client.close()
    assert info is not None
    assert info.data["asr"][0]["models"][0]["name"] == "base-int8"
