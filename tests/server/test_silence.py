"""No words from silence or noise, even with a model that hallucinates on anything it hears."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_socket

from tests.assets import AUDIO, audio_of_kind, random_model
from tests.server_process import ServerProcess, run_server
from tests.wyoming_client import ScribeClient, load_pcm, silence


@pytest.fixture(scope="module")
def random_model_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The random-weight tiny model: every decode it runs prints garbage words."""
    model = random_model()
    pytest_socket.enable_socket()
    with run_server(tmp_path_factory.mktemp("random"), model=model) as server:
        yield server


NOISE = audio_of_kind("noise")


async def test_the_random_model_prints_words_whenever_its_decoder_runs(
    random_model_server: ServerProcess,
) -> None:
    """What makes the tests below mean something: speech that reaches the decoder gets words."""
    client = await ScribeClient.connect(random_model_server.port)
    utterance = await client.transcribe(load_pcm(AUDIO / "ha_commands/en/next.wav"))
    await client.close()

    assert len(utterance.transcript.split()) >= 3


@pytest.mark.parametrize("path", NOISE, ids=[p.stem for p in NOISE])
async def test_noise_gives_an_empty_transcript(
    random_model_server: ServerProcess, path: Path
) -> None:
    client = await ScribeClient.connect(random_model_server.port)
    utterance = await client.transcribe(load_pcm(path))
    await client.close()

    assert utterance.transcript == ""
    assert utterance.of_type("transcript-chunk") == []


async def test_silence_gives_an_empty_transcript(random_model_server: ServerProcess) -> None:
    client = await ScribeClient.connect(random_model_server.port)
    utterance = await client.transcribe(silence(10))
    await client.close()

    assert utterance.transcript == ""
    assert utterance.types == ["transcript-start", "transcript", "transcript-stop"]
