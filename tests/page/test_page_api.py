"""What the page needs from the API: the recording with range requests (a player seeks with
them), search in titles and transcripts, free disk space in the health."""

from __future__ import annotations

import time

import pytest
import pytest_socket

from tests.assets import AUDIO
from tests.page.conftest import Answer, PageServer, http

JFK = AUDIO / "misc/jfk.flac"  # "And so my fellow Americans, ask not what your country can do…"


@pytest.fixture(scope="module")
def inaugural(page_server: PageServer) -> str:
    """A file meeting, transcribed; its id."""
    pytest_socket.enable_socket()  # module fixtures start before the per-test socket fixture
    answer = http(
        page_server.api_url + "api/transcriptions?title=Inaugural+address",
        "POST",
        {"Authorization": f"Bearer {page_server.token}", "Content-Type": "audio/flac"},
        JFK.read_bytes(),
    )
    assert answer.status == 202, answer.body
    meeting_id = str(answer.json()["id"])
    deadline = time.monotonic() + 120
    while (meeting := api(page_server, f"meetings/{meeting_id}").json())["status"] != "done":
        assert meeting["status"] == "finalizing", meeting
        assert time.monotonic() < deadline
        time.sleep(0.2)
    return meeting_id


def api(page_server: PageServer, path: str, **headers: str) -> Answer:
    """Through the ingress proxy, as the page asks."""
    return http(f"{page_server.ingress.url}api/{path}", headers=headers)


def test_the_whole_recording_says_it_takes_ranges(page_server: PageServer, inaugural: str) -> None:
    whole = api(page_server, f"meetings/{inaugural}/audio")

    assert whole.status == 200
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Type"] == "audio/wav"
    assert whole.body[:4] == b"RIFF"
    assert len(whole.body) == 44 + 11 * 32000  # 11 s of 16 kHz 16-bit mono after the header


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [
        ("bytes=0-43", 0, 43),  # the header alone
        ("bytes=40-1000", 40, 1000),  # across the header's end
        ("bytes=200000-299999", 200000, 299999),  # a seek into the middle
        ("bytes=300000-", 300000, None),  # to the end
        ("bytes=-1000", -1000, None),  # the last 1000 bytes
        ("bytes=352000-999999999", 352000, None),  # past the end: up to the end
    ],
)
def test_a_range_of_the_recording(
    page_server: PageServer, inaugural: str, asked: str, first: int, last: int | None
) -> None:
    whole = api(page_server, f"meetings/{inaugural}/audio").body
    start = first % len(whole)
    end = len(whole) - 1 if last is None else last

    part = api(page_server, f"meetings/{inaugural}/audio", Range=asked)

    assert part.status == 206
    assert part.body == whole[start : end + 1]
    assert part.headers["Content-Range"] == f"bytes {start}-{end}/{len(whole)}"
    assert int(part.headers["Content-Length"]) == end - start + 1


def test_a_range_past_the_end_is_refused(page_server: PageServer, inaugural: str) -> None:
    total = 44 + 11 * 32000

    answer = api(page_server, f"meetings/{inaugural}/audio", Range=f"bytes={total}-")

    assert answer.status == 416
    assert answer.headers["Content-Range"] == f"bytes */{total}"
    assert answer.json()["error"] == "range_not_satisfiable"


@pytest.mark.parametrize("asked", ["bytes=0-9,20-29", "items=0-9", "bytes=x-y"])
def test_ranges_it_does_not_serve_get_the_whole_recording(
    page_server: PageServer, inaugural: str, asked: str
) -> None:
    answer = api(page_server, f"meetings/{inaugural}/audio", Range=asked)

    assert answer.status == 200
    assert len(answer.body) == 44 + 11 * 32000


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("americans", True),  # a word of the transcript
        ("COUNTRY fellow", True),  # every word, anywhere, any case
        ("inaugural", True),  # a word of the title
        ("country zebra", False),  # one word missing
        ("zebra", False),
    ],
)
def test_search_in_titles_and_transcripts(
    page_server: PageServer, inaugural: str, query: str, found: bool
) -> None:
    answer = api(page_server, f"meetings?q={query.replace(' ', '+')}")

    ids = [meeting["id"] for meeting in answer.json()["meetings"]]  # type: ignore[attr-defined]
    assert (inaugural in ids) is found


def test_health_tells_the_free_disk_space(page_server: PageServer) -> None:
    free = api(page_server, "health").json()["disk_free_bytes"]

    assert isinstance(free, int)
    assert free > 0
