"""Speaker turns: a meeting of three real voices comes back with a label per turn, in every export,
and with the names a user gives; uploads and the live event stream carry them too.

The meeting is assembled from the shared recordings (LJ Speech, LibriSpeech speaker 1089, the
ARCTIC speaker aew), each voice speaking twice, and transcribed by the real server with the real
tiny.en model.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import aiohttp
import pytest
import pytest_socket

from tests.assets import TINY_EN_MODEL
from tests.server.api_client import ApiClient, ServerEvent, generated_token
from tests.server_process import ServerProcess, run_server
from tests.voices import Turn, assemble

pytestmark = pytest.mark.slow
TURNS = [  # (voice, recordings spoken as one turn)
    ("LJ", ["ljspeech/LJ001-0001.flac"]),
    ("1089", ["librispeech/1089-134686-0000.flac"]),
    ("aew", ["arctic/cmu_arctic_us_aew_a0001.wav", "arctic/cmu_arctic_us_aew_a0002.wav"]),
    ("LJ", ["ljspeech/LJ001-0003.flac"]),
    ("1089", ["librispeech/1089-134691-0001.flac"]),
    ("aew", ["arctic/cmu_arctic_us_aew_a0003.wav", "arctic/cmu_arctic_us_aew_a0001.wav"]),
]


def turn_of(turns: list[Turn], segment: dict[str, object]) -> Turn:
    """The turn a segment overlaps most."""
    start, end = float(segment["start"]), float(segment["end"])  # type: ignore[arg-type]
    return max(turns, key=lambda t: min(end, t.end) - max(start, t.start))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    pytest_socket.enable_socket()
    tmp_path = tmp_path_factory.mktemp("speakers")
    with run_server(tmp_path, http=True, model=TINY_EN_MODEL) as process:
        yield process, generated_token(tmp_path / "data")


@pytest.fixture
async def api(server: tuple[ServerProcess, str]) -> AsyncIterator[ApiClient]:
    async with aiohttp.ClientSession() as session:
        client = ApiClient(session, server[0].http_port, server[1])
        await client.wait_until_ready(timeout=120)
        yield client


@dataclass
class Transcribed:
    meeting: dict[str, object]
    turns: list[Turn]
    events: list[ServerEvent]


@pytest.fixture(scope="module")
def transcribed(server: tuple[ServerProcess, str]) -> Transcribed:
    return asyncio.run(transcribe(*server))


async def transcribe(process: ServerProcess, token: str) -> Transcribed:
    audio, turns = assemble(TURNS)
    async with aiohttp.ClientSession() as session:
        api = ApiClient(session, process.http_port, token)
        await api.wait_until_ready(timeout=120)
        form = aiohttp.FormData()
        form.add_field("file", audio, filename="three-voices.wav")
        answer = await api.call("POST", "/transcriptions", data=form)
        assert answer.status == 202, answer
        meeting_id = answer.json["id"]
        events = [e async for e in api.events(f"/meetings/{meeting_id}/events")]
        meeting = await api.wait_for(meeting_id, timeout=300)
    assert meeting["status"] == "done", meeting
    return Transcribed(meeting, turns, events)


def labels_by_turn(transcribed: Transcribed) -> list[set[str]]:
    labels: list[set[str]] = [set() for _ in transcribed.turns]
    for segment in transcribed.meeting["segments"]:  # type: ignore[attr-defined]
        turn = turn_of(transcribed.turns, segment)
        labels[transcribed.turns.index(turn)].add(segment["speaker"])
    return labels


async def test_an_upload_gets_one_label_per_voice_in_order_of_first_words(
    transcribed: Transcribed,
) -> None:
    assert transcribed.meeting["speakers"] == {
        "Speaker 1": "Speaker 1",
        "Speaker 2": "Speaker 2",
        "Speaker 3": "Speaker 3",
    }
    labels = labels_by_turn(transcribed)
    assert all(len(turn) == 1 for turn in labels), labels
    assert [turn.pop() for turn in labels] == [
        "Speaker 1",  # LJ
        "Speaker 2",  # 1089
        "Speaker 3",  # aew
        "Speaker 1",  # LJ again, after two other voices
        "Speaker 2",
        "Speaker 3",
    ]


async def test_the_event_stream_carries_the_speakers(transcribed: Transcribed) -> None:
    """Segments come at once; their labels follow in ``speakers`` events, the last word final."""
    latest: dict[float, str | None] = {}
    for event in transcribed.events:
        if event.event == "segment":
            latest[event.data["start"]] = event.data["speaker"]
        elif event.event == "speakers":
            latest |= {s["start"]: s["speaker"] for s in event.data["segments"]}
            assert set(event.data["speakers"]) <= {"Speaker 1", "Speaker 2", "Speaker 3"}
    final = {s["start"]: s["speaker"] for s in transcribed.meeting["segments"]}  # type: ignore[attr-defined]
    assert latest == final


async def test_exports_show_the_speakers_and_the_names_given(
    transcribed: Transcribed, api: ApiClient
) -> None:
    meeting_id = transcribed.meeting["id"]
    txt = (await api.call("GET", f"/meetings/{meeting_id}/transcript.txt")).raw.decode()
    spoken = re.findall(r"^\[\d\d:\d\d:\d\d\] (Speaker \d): ", txt, re.MULTILINE)
    assert spoken == ["Speaker 1", "Speaker 2", "Speaker 3"] * 2
    vtt = (await api.call("GET", f"/meetings/{meeting_id}/transcript.vtt")).raw.decode()
    assert "<v Speaker 2>" in vtt

    answer = await api.call(
        "PATCH", f"/meetings/{meeting_id}", json={"speakers": {"Speaker 2": "  Stephen   D. "}}
    )
    assert answer.status == 200, answer
    assert answer.json["speakers"]["Speaker 2"] == "Stephen D."
    txt = (await api.call("GET", f"/meetings/{meeting_id}/transcript.txt")).raw.decode()
    spoken = re.findall(r"^\[\d\d:\d\d:\d\d\] ([^:]+): ", txt, re.MULTILINE)
    assert spoken == ["Speaker 1", "Stephen D.", "Speaker 3"] * 2
    md = (await api.call("GET", f"/meetings/{meeting_id}/transcript.md")).raw.decode()
    assert md.count("**Stephen D.:**") == 2
    srt = (await api.call("GET", f"/meetings/{meeting_id}/transcript.srt")).raw.decode()
    assert re.search(r"^Stephen D\.: ", srt, re.MULTILINE)
    data = (await api.call("GET", f"/meetings/{meeting_id}/transcript.json")).json
    assert {s["speaker"] for s in data["segments"]} == {"Speaker 1", "Speaker 2", "Speaker 3"}
    assert data["speakers"]["Speaker 2"] == "Stephen D."

    # An empty name gives the label back; the meeting on disk keeps the names.
    answer = await api.call(
        "PATCH", f"/meetings/{meeting_id}", json={"speakers": {"Speaker 2": ""}}
    )
    assert answer.json["speakers"]["Speaker 2"] == "Speaker 2"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"speakers": {"Speaker 9": "Ada"}}, "No speaker 'Speaker 9'"),
        ({"speakers": {"Speaker 1": 7}}, "must be a string"),
        ({"speakers": {"Speaker 1": "x" * 101}}, "longer than 100"),
        ({"speakers": []}, "speakers must be an object"),
        ({"title": "New"}, "Only speakers can be changed"),
    ],
)
async def test_a_bad_rename_is_refused_and_changes_nothing(
    transcribed: Transcribed, api: ApiClient, body: dict[str, object], message: str
) -> None:
    meeting_id = transcribed.meeting["id"]
    answer = await api.call("PATCH", f"/meetings/{meeting_id}", json=body)
    assert answer.status == 400, answer
    assert message in answer.json["message"]
    assert (await api.meeting(str(meeting_id)))["speakers"]["Speaker 1"] == "Speaker 1"


async def test_renaming_in_an_unknown_meeting_is_not_found(api: ApiClient) -> None:
    answer = await api.call(
        "PATCH", "/meetings/20260101-000000-abcdef", json={"speakers": {"Speaker 1": "Ada"}}
    )
    assert answer.status == 404
