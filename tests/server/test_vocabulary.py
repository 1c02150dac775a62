"""The team's own words: a meeting's vocabulary, names and title bias its decode (hotwords).

Speech made by espeak-ng says names Whisper tiny.en cannot know; with the vocabulary they are
written as the team writes them. Deterministic: greedy decoding, no temperature fallback.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_socket

from bench.wer import normalize
from tests.assets import TINY_EN_MODEL
from tests.server.api_client import ApiClient, generated_token
from tests.server.test_uploads import upload_multipart
from tests.server_process import ServerProcess, run_server

SENTENCE = "Siobhan Nguyen from Zyxel will send the quarterly report on Friday."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    pytest_socket.enable_socket()
    tmp_path = tmp_path_factory.mktemp("vocabulary")
    args = ("--temperature-fallback", "0", "--cpu-threads", "2")
    with run_server(tmp_path, *args, model=TINY_EN_MODEL, http=True) as process:
        yield process, generated_token(tmp_path / "data")


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("espeak") / "siobhan.wav"
    subprocess.run(["espeak-ng", "-w", str(path), SENTENCE], check=True)
    return path


async def transcribe(api: ApiClient, speech: Path, **fields: str) -> dict[str, object]:
    answer = await upload_multipart(api, speech, title="Quarterly report", **fields)
    assert answer.status == 202, answer
    meeting = await api.wait_for(answer.json["id"], timeout=60)
    assert meeting["status"] == "done", meeting
    return meeting


async def test_a_name_is_right_with_the_vocabulary_and_wrong_without(
    api: ApiClient, speech: Path
) -> None:
    without = await transcribe(api, speech)
    assert "siobhan nguyen" not in normalize(str(without["text"]))
    assert "quarterly report on friday" in normalize(str(without["text"]))

    vocabulary = ["Siobhan Nguyen", "Zyxel"]
    with_words = await transcribe(api, speech, vocabulary=json.dumps(vocabulary))
    assert "siobhan nguyen" in normalize(str(with_words["text"]))
    assert "report on friday" in normalize(str(with_words["text"]))
    assert with_words["vocabulary"] == vocabulary


async def test_participants_names_bias_the_decode_too(api: ApiClient, speech: Path) -> None:
    participants = [{"name": "Siobhan Nguyen", "email": "siobhan@example.com"}]
    meeting = await transcribe(api, speech, participants=json.dumps(participants))
    assert "siobhan nguyen" in normalize(str(meeting["text"]))
    assert meeting["vocabulary"] == []


async def test_vocabulary_as_comma_separated_text(api: ApiClient, speech: Path) -> None:
    meeting = await transcribe(api, speech, vocabulary="Siobhan Nguyen, Zyxel ,")
    assert meeting["vocabulary"] == ["Siobhan Nguyen", "Zyxel"]
    assert "siobhan nguyen" in normalize(str(meeting["text"]))


@pytest.mark.parametrize(
    ("vocabulary", "message"),
    [
        ([1, 2], "vocabulary must be a list of words or phrases"),
        ({"Zyxel": True}, "vocabulary must be a list of words or phrases"),
        (["x" * 101], "longer than 100 characters"),
        ([f"term {n}" for n in range(101)], "more than 100 terms"),
    ],
)
async def test_bad_vocabulary_is_refused(api: ApiClient, vocabulary: object, message: str) -> None:
    before = (await api.call("GET", "/meetings")).json["meetings"]
    answer = await api.call("POST", "/meetings", json={"title": "x", "vocabulary": vocabulary})
    assert answer.status == 400, answer
    assert answer.json["error"] == "bad_request"
    assert message in answer.json["message"]
    assert (await api.call("GET", "/meetings")).json["meetings"] == before


async def test_bad_vocabulary_in_an_upload_is_refused(api: ApiClient, speech: Path) -> None:
    answer = await upload_multipart(api, speech, vocabulary="[1, 2")
    assert answer.status == 400, answer
    assert "vocabulary is not a JSON list" in answer.json["message"]
