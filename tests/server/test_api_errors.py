"""The API's answers to strangers, mistakes and a microphone that goes away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_socket

from tests.assets import AUDIO
from tests.server.api_client import ApiClient, mic_command
from tests.server_process import ServerProcess, run_server

TOKEN = "test-token-0123456789abcdef"
SPEECH = AUDIO / "misc/jfk.flac"  # 11 s
UNKNOWN = "20200101-000000-abcdef"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    pytest_socket.enable_socket()
    tmp_path = tmp_path_factory.mktemp("errors")
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    # A microphone that plays 11 s of speech at four times real time, then is unplugged.
    mic = mic_command(SPEECH, pace=4, then="exit")
    args = ["--api-token-file", str(token_file), "--mic-command", mic]
    with run_server(tmp_path, *args, http=True) as process:
        yield process


@pytest.fixture
async def api(server: ServerProcess) -> AsyncIterator[ApiClient]:
    async with aiohttp.ClientSession() as session:
        client = ApiClient(session, server.http_port, TOKEN)
        await client.wait_until_ready()
        yield client


def recordings(server: ServerProcess) -> Path:
    return server.log_path.parent / "data" / "recordings"


ROUTES = [
    ("GET", "/meetings"),
    ("POST", "/meetings"),
    ("GET", f"/meetings/{UNKNOWN}"),
    ("DELETE", f"/meetings/{UNKNOWN}"),
    ("POST", f"/meetings/{UNKNOWN}/stop"),
    ("GET", f"/meetings/{UNKNOWN}/transcript.txt"),
    ("GET", f"/meetings/{UNKNOWN}/audio"),
    ("GET", f"/meetings/{UNKNOWN}/events"),
    ("GET", "/events"),
    ("POST", "/transcriptions"),
    ("GET", "/no-such-route"),
]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token-0123456789abcdef", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"],
    ids=["none", "wrong", "basic", "empty", "longer"],
)
async def test_every_route_but_health_needs_the_token(
    api: ApiClient, authorization: str | None
) -> None:
    api.token = None
    headers = {"Authorization": authorization} if authorization else {}
    for method, path in ROUTES:
        answer = await api.call(method, path, headers=headers)
        assert answer.status == 401, (method, path)
        assert answer.json["error"] == "unauthorized"
        assert answer.json["message"]
        assert answer.headers["WWW-Authenticate"] == "Bearer"

    health = await api.call("GET", "/health", headers=headers)
    assert health.status == 200


@pytest.mark.parametrize(
    ("method", "path"), ROUTES[2:8], ids=[r[1].split("/")[-1] for r in ROUTES[2:8]]
)
async def test_an_unknown_meeting_is_not_found(api: ApiClient, method: str, path: str) -> None:
    answer = await api.call(method, path)
    assert answer.status == 404
    assert answer.json == {"error": "not_found", "message": f"No meeting with id {UNKNOWN}"}


@pytest.mark.parametrize(
    "path", ["/meetings/..%2F..%2Fetc", "/meetings/not-an-id/audio", "/no-such-route"]
)
async def test_odd_paths_are_json_404s(api: ApiClient, path: str) -> None:
    answer = await api.call("GET", path)
    assert answer.status == 404
    assert answer.json["error"] == "not_found"


@pytest.mark.parametrize(
    ("body", "explained"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"participants": "ada"}', "participants must be a list"),
        (b'{"participants": [{"email": "not an address"}]}', "not an email address"),
        (b'{"participants": [{}]}', "needs a name or an email"),
        (b'{"language": "klingon"}', "language"),
        (b'{"language": "xx"}', "does not know the language"),
        (b'{"title": 42}', "title"),
        (b'{"source": "file"}', "/api/transcriptions"),
    ],
    ids=[
        "not-json", "not-object", "participants-string", "bad-email", "empty-participant",
        "language-format", "unknown-language", "title-number", "file-source",
    ],
)  # fmt: skip
async def test_a_bad_meeting_request_is_explained(
    api: ApiClient, server: ServerProcess, body: bytes, explained: str
) -> None:
    before = (await api.call("GET", "/meetings")).json["meetings"]
    answer = await api.call(
        "POST", "/meetings", data=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status == 400, answer
    assert answer.json["error"] == "bad_request"
    assert explained in answer.json["message"]
    assert (await api.call("GET", "/meetings")).json["meetings"] == before


async def test_one_microphone_meeting_at_a_time(api: ApiClient) -> None:
    first = await api.start_meeting(participants=["Ada Lovelace <ada@example.com>"])

    second = await api.call("POST", "/meetings", json={"title": "Another"})
    assert second.status == 409
    assert second.json["error"] == "already_recording"
    assert first["id"] in second.json["message"]
    health = (await api.call("GET", "/health")).json
    assert health["recording"] == first["id"]

    stopped = await api.call("POST", f"/meetings/{first['id']}/stop")
    assert stopped.status == 202
    again = await api.call("POST", f"/meetings/{first['id']}/stop")
    assert again.status == 409
    assert again.json["error"] == "not_recording"
    assert (await api.wait_for(first["id"]))["status"] == "done"
    assert (await api.call("GET", "/health")).json["recording"] is None


async def test_a_microphone_that_goes_away_interrupts_the_meeting(api: ApiClient) -> None:
    meeting = await api.start_meeting()

    ended = await api.wait_for(meeting["id"], timeout=60)

    assert ended["status"] == "interrupted"
    assert "microphone stopped" in ended["error"]
    assert "exited with code 1" in ended["error"]
    assert "device unplugged" in ended["error"]  # what the program said on stderr
    # Everything heard before the fault is kept and transcribed.
    assert ended["duration_s"] == pytest.approx(11.0, abs=0.2)
    assert ended["segments"]
    audio = await api.call("GET", f"/meetings/{meeting['id']}/audio")
    assert (len(audio.raw) - 44) / 32000 == pytest.approx(ended["duration_s"], abs=0.01)


async def test_deleting_a_recording_meeting_stops_and_removes_it(
    api: ApiClient, server: ServerProcess
) -> None:
    meeting = await api.start_meeting()
    assert (recordings(server) / meeting["id"]).is_dir()
    first_event = asyncio.Event()

    async def follow() -> list[str]:
        seen = []
        async for event in api.events(f"/meetings/{meeting['id']}/events"):
            seen.append(event.data["status"])
            first_event.set()
        return seen

    following = asyncio.create_task(follow())
    await asyncio.wait_for(first_event.wait(), 10)

    deleted = await api.call("DELETE", f"/meetings/{meeting['id']}")

    assert deleted.status == 204
    # The meeting's event stream ends with it (the stop on the way is reported).
    assert (await asyncio.wait_for(following, 10))[0] == "recording"
    assert (await api.call("GET", f"/meetings/{meeting['id']}")).status == 404
    assert not (recordings(server) / meeting["id"]).exists()
    assert (await api.call("GET", "/health")).json["recording"] is None
    listed = (await api.call("GET", "/meetings")).json["meetings"]
    assert meeting["id"] not in [m["id"] for m in listed]
