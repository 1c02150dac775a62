"""Uploaded files become meetings; what is too large or not audio is refused and leaves no trace."""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_socket

from tests.assets import AUDIO
from tests.hearing import assert_heard
from tests.server.api_client import Answer, ApiClient, generated_token
from tests.server_process import ServerProcess, run_server

SPEECH = AUDIO / "misc/jfk.flac"  # 11 s, 16 kHz
MAX_MB = 1


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    pytest_socket.enable_socket()
    tmp_path = tmp_path_factory.mktemp("uploads")
    with run_server(tmp_path, "--max-upload-mb", str(MAX_MB), http=True) as process:
        yield process, generated_token(tmp_path / "data")


@pytest.fixture
def recordings(server: tuple[ServerProcess, str]) -> Path:
    return server[0].log_path.parent / "data" / "recordings"


def encode(source: Path, target: Path, *options: str) -> Path:
    """``source`` re-encoded by ffmpeg into ``target`` (its format from the extension)."""
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(source), *options, str(target)],
        check=True,
    )
    return target


async def upload_multipart(api: ApiClient, path: Path, **fields: str) -> Answer:
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    form.add_field("file", path.read_bytes(), filename=path.name)
    return await api.call("POST", "/transcriptions", data=form)


async def upload_raw(api: ApiClient, data: bytes, content_type: str, **query: str) -> Answer:
    headers = {"Content-Type": content_type}
    return await api.call("POST", "/transcriptions", data=data, headers=headers, params=query)


def assert_nothing_left(recordings: Path, before: set[str]) -> None:
    assert {p.name for p in recordings.iterdir()} == before


async def expect_transcribed(api: ApiClient, answer: Answer, title: str) -> dict[str, object]:
    assert answer.status == 202, answer
    assert answer.json["source"] == "file"
    assert answer.json["status"] == "finalizing"
    assert answer.json["title"] == title
    meeting = await api.wait_for(answer.json["id"], timeout=60)
    assert meeting["status"] == "done", meeting
    assert meeting["duration_s"] == pytest.approx(11.0, abs=0.1)
    assert meeting["segments"]
    assert meeting["language"] == "en"
    assert meeting["ended_at"] is not None
    assert_heard(str(meeting["text"]), SPEECH, max_wer=0.15)  # measured 0 %
    return meeting


async def test_a_wav_body_is_transcribed(api: ApiClient, tmp_path: Path) -> None:
    wav = encode(SPEECH, tmp_path / "standup.wav", "-ar", "22050", "-ac", "2")

    answer = await upload_raw(api, wav.read_bytes(), "audio/wav", title="Stand-up")

    await expect_transcribed(api, answer, "Stand-up")


async def test_a_flac_form_upload_keeps_its_fields(api: ApiClient, tmp_path: Path) -> None:
    flac = encode(SPEECH, tmp_path / "speech.flac", "-ar", "16000", "-ac", "1")
    participants = json.dumps([{"name": "Ada", "email": "ada@example.com"}, "bob@example.com"])

    answer = await upload_multipart(
        api, flac, title="Speech", language="en", participants=participants
    )

    meeting = await expect_transcribed(api, answer, "Speech")
    assert meeting["participants"] == [
        {"name": "Ada", "email": "ada@example.com"},
        {"name": None, "email": "bob@example.com"},
    ]


async def test_an_mp3_form_upload_is_named_after_its_file(
    api: ApiClient, tmp_path: Path, recordings: Path
) -> None:
    mp3 = encode(SPEECH, tmp_path / "board meeting.mp3", "-b:a", "64k")

    answer = await upload_multipart(api, mp3)

    meeting = await expect_transcribed(api, answer, "board meeting")
    # The upload itself is not kept once its audio is in the recording.
    folder = recordings / str(meeting["id"])
    assert sorted(p.name for p in folder.iterdir()) == [
        "audio.pcm",
        "meeting.json",
        "segments.jsonl",
        "status",
    ]


@pytest.mark.parametrize("how", ["raw", "multipart", "chunked"])
async def test_an_oversized_upload_is_refused_and_leaves_nothing(
    api: ApiClient, tmp_path: Path, recordings: Path, how: str
) -> None:
    before = {p.name for p in recordings.iterdir()}
    # Real audio, 40 s of it: 1.3 MB of WAV against a 1 MB cap.
    big = encode(SPEECH, tmp_path / "big.wav", "-af", "aloop=loop=3:size=200000")
    assert big.stat().st_size > MAX_MB * 2**20

    if how == "raw":
        answer = await upload_raw(api, big.read_bytes(), "audio/wav")
    elif how == "multipart":
        answer = await upload_multipart(api, big)
    else:

        async def chunks() -> AsyncIterator[bytes]:
            data = big.read_bytes()
            for offset in range(0, len(data), 65536):
                yield data[offset : offset + 65536]

        answer = await upload_raw(api, chunks(), "application/octet-stream")  # type: ignore[arg-type]

    assert answer.status == 413, answer
    assert answer.json["error"] == "too_large"
    assert f"{MAX_MB} MB" in answer.json["message"]
    assert_nothing_left(recordings, before)


@pytest.mark.parametrize("how", ["raw", "multipart"])
async def test_a_file_that_is_not_audio_is_refused_and_leaves_nothing(
    api: ApiClient, tmp_path: Path, recordings: Path, how: str
) -> None:
    before = {p.name for p in recordings.iterdir()}
    notes = tmp_path / "notes.wav"
    notes.write_text("These are meeting notes, not a recording.\n" * 100)

    if how == "raw":
        answer = await upload_raw(api, notes.read_bytes(), "audio/wav")
    else:
        answer = await upload_multipart(api, notes)

    assert answer.status == 400, answer
    assert answer.json["error"] == "invalid_audio"
    assert_nothing_left(recordings, before)


async def test_an_empty_upload_is_not_audio(api: ApiClient, recordings: Path) -> None:
    before = {p.name for p in recordings.iterdir()}
    answer = await upload_raw(api, b"", "audio/wav")
    assert answer.status == 400
    assert answer.json["error"] == "invalid_audio"
    assert_nothing_left(recordings, before)


async def test_other_content_types_are_unsupported(api: ApiClient, recordings: Path) -> None:
    before = {p.name for p in recordings.iterdir()}
    answer = await upload_raw(api, b"Hello", "text/plain")
    assert answer.status == 415
    assert answer.json["error"] == "unsupported_media_type"
    assert_nothing_left(recordings, before)


@pytest.mark.parametrize(
    ("fields", "explained"),
    [
        ({}, "no 'file' field"),
        ({"participants": "not json"}, "participants is not a JSON list"),
        ({"language": "english"}, "language"),
    ],
    ids=["no-file", "participants", "language"],
)
async def test_bad_upload_fields_are_explained_and_leave_nothing(
    api: ApiClient, recordings: Path, fields: dict[str, str], explained: str
) -> None:
    before = {p.name for p in recordings.iterdir()}
    form = aiohttp.FormData(default_to_multipart=True)
    for name, value in fields.items():
        form.add_field(name, value)
    if fields:
        form.add_field("file", b"RIFF", filename="tiny.wav")
    else:
        form.add_field("title", "Nothing attached")

    answer = await api.call("POST", "/transcriptions", data=form)

    assert answer.status == 400, answer
    assert answer.json["error"] == "bad_request"
    assert explained in answer.json["message"]
    assert_nothing_left(recordings, before)
