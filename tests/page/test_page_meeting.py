"""The page in a real browser, opened the way Home Assistant opens it (through the FAKE ingress
proxy): a meeting recorded from the microphone shows its words live; then the library finds it,
plays it, seeks from the transcript, downloads it and deletes it.

The server runs Whisper tiny.en; the microphone plays Harvard sentences at twice real time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.assets import REPO
from tests.page.conftest import PageServer, http
from tests.server.api_client import ApiClient

# Words of the Harvard sentences (the reference), one per sentence, that the transcript must show.
KEY_WORDS = ["ring", "journey", "cat", "shell", "children", "coins", "storm", "bell"]
SCREENSHOT = REPO / "docs" / "images" / "ingress.png"
LIVE_TIMEOUT_S = 120
PLAYER = "document.getElementById('player')"
# Records in the page when each transcript line enters the DOM (epoch milliseconds).
OBSERVE_LINES = """
window.shownAt = {};
new MutationObserver((records) => {
  const now = performance.timeOrigin + performance.now();
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node.nodeType === 1 && node.matches("#live-lines li[data-key]")) {
        window.shownAt[node.dataset.key] = now;
      }
    }
  }
}).observe(document.getElementById("view"), {childList: true, subtree: true});
"""


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


class SegmentArrivals:
    """Follows ``GET /api/events`` as the integration does and notes when each segment arrives
    (epoch seconds), keyed as the page keys its lines (start time, two decimals)."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.at: dict[str, float] = {}
        self.listening = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> SegmentArrivals:
        self._thread.start()
        assert self.listening.wait(20), "the event stream did not open"
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(10)

    def _run(self) -> None:
        self._task = self._loop.create_task(self._follow())
        with contextlib.suppress(asyncio.CancelledError):
            self._loop.run_until_complete(self._task)

    async def _follow(self) -> None:
        async with aiohttp.ClientSession() as session:
            api = ApiClient(session, self.port, self.token)
            async for event in api.events("/events"):
                if event.event == "hello":
                    self.listening.set()
                elif event.event == "segment":
                    self.at.setdefault(f"{event.data['start']:.2f}", time.time())


@dataclass
class LiveMeeting:
    id: str
    title: str
    live_text: str
    latencies_ms: list[float]
    duration_s: float

    @property
    def clock(self) -> str:
        """The duration as the page shows it (m:ss)."""
        seconds = int(self.duration_s)
        return f"{seconds // 60}:{seconds % 60:02d}"


def wait(browser: webdriver.Chrome, timeout: float = 20) -> WebDriverWait[webdriver.Chrome]:
    return WebDriverWait(browser, timeout, poll_frequency=0.1)


def element(browser: webdriver.Chrome, element_id: str, timeout: float = 20) -> WebElement:
    found: WebElement = wait(browser, timeout).until(lambda d: d.find_element(By.ID, element_id))
    return found


@pytest.fixture(scope="module")
def live(page_server: PageServer, browser: webdriver.Chrome) -> LiveMeeting:
    """A meeting started and stopped on the page, its words watched as they come."""
    browser.get(page_server.ingress.url)
    title = element(browser, "start-title-input")
    browser.execute_script(OBSERVE_LINES)
    with SegmentArrivals(page_server.process.http_port, page_server.token) as arrivals:
        title.send_keys("Harvard sentences")
        participants = browser.find_element(By.ID, "start-participants")
        participants.send_keys("Ada Lovelace <ada@example.com>", Keys.ENTER, "Bob")
        browser.find_element(By.ID, "start-button").click()
        wait(browser).until(lambda d: d.find_element(By.ID, "live-status").text == "Recording")
        assert browser.find_element(By.ID, "stop-button").is_displayed()
        assert not browser.find_element(By.ID, "live-open").is_displayed()
        lines = browser.find_element(By.ID, "live-lines")
        wait(browser, LIVE_TIMEOUT_S).until(lambda _d: "bell" in words(lines.text))
        live_text = lines.text
        browser.find_element(By.ID, "stop-button").click()
        wait(browser, LIVE_TIMEOUT_S).until(
            lambda d: d.find_element(By.ID, "live-status").text == "Done"
        )
        assert not browser.find_element(By.ID, "stop-button").is_displayed()
        assert browser.find_element(By.ID, "live-open").is_displayed()
        shown_at: dict[str, float] = browser.execute_script("return window.shownAt")
        sse_at = dict(arrivals.at)
    keys = sorted(set(shown_at) & set(sse_at), key=float)
    assert len(keys) >= 4, (shown_at, sse_at)  # the sentences come as 4 to 9 segments
    latencies = [shown_at[key] - sse_at[key] * 1000 for key in keys]
    link = browser.find_element(By.ID, "live-open").get_attribute("href") or ""
    meeting_id = link.split("/")[-1]
    meeting = http(f"{page_server.ingress.url}api/meetings/{meeting_id}").json()
    duration = float(meeting["duration_s"])  # type: ignore[arg-type]
    return LiveMeeting(meeting_id, "Harvard sentences", live_text, latencies, duration)


def test_live_page_shows_the_words_as_they_are_spoken(live: LiveMeeting) -> None:
    heard = [word for word in KEY_WORDS if word in words(live.live_text)]

    assert len(heard) >= len(KEY_WORDS) - 1, live.live_text
    assert re.search(r"^0:0\d$", live.live_text, re.MULTILINE), "lines show their time"


def test_committed_segments_reach_the_page_within_a_second(live: LiveMeeting) -> None:
    median = statistics.median(live.latencies_ms)
    print(  # the number the issue asks for
        f"\nevent stream → page DOM, {len(live.latencies_ms)} segments: median {median:.1f} ms, "
        f"max {max(live.latencies_ms):.1f} ms"
    )

    assert median < 1000
    assert max(live.latencies_ms) < 2000


def test_the_library_lists_and_finds_the_meeting(
    page_server: PageServer, browser: webdriver.Chrome, live: LiveMeeting
) -> None:
    browser.get(page_server.ingress.url + "#/meetings")
    search = element(browser, "search")
    search.clear()
    row = f'#meeting-list li[data-id="{live.id}"]'
    text = wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, row).text)
    assert live.title in text
    assert "Done" in text
    assert live.clock in text

    search.send_keys("JOURNEY home")  # words of the transcript, any case
    wait(browser).until(lambda d: listed(d) == [live.id])
    search.clear()
    search.send_keys("zebra")
    empty = element(browser, "meetings-empty")
    wait(browser).until(lambda _d: empty.is_displayed())
    assert "zebra" in empty.text
    assert browser.find_elements(By.CSS_SELECTOR, "#meeting-list li") == []
    search.clear()
    search.send_keys("sentences")  # a word of the title
    wait(browser).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, f'#meeting-list li[data-id="{live.id}"]')
    )


def listed(browser: webdriver.Chrome) -> list[str | None]:
    rows = browser.find_elements(By.CSS_SELECTOR, "#meeting-list li")
    return [row.get_attribute("data-id") for row in rows]


def open_meeting(page_server: PageServer, browser: webdriver.Chrome, meeting_id: str) -> None:
    browser.get(page_server.ingress.url + f"#/meetings/{meeting_id}")
    wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#meeting-lines li")) >= 4)
    wait(browser).until(lambda d: d.execute_script(f"return {PLAYER}.readyState") >= 1)


def player_time(browser: webdriver.Chrome) -> float:
    value: float = browser.execute_script(f"return {PLAYER}.currentTime")
    return value


def test_a_click_on_a_line_plays_from_there(
    page_server: PageServer, browser: webdriver.Chrome, live: LiveMeeting
) -> None:
    open_meeting(page_server, browser, live.id)
    duration = browser.execute_script(f"return {PLAYER}.duration")
    assert duration == pytest.approx(live.duration_s, abs=0.2)
    items = browser.find_elements(By.CSS_SELECTOR, "#meeting-lines li")
    target = items[3]
    start = float(target.get_attribute("data-start") or "nan")

    target.find_element(By.CSS_SELECTOR, "button.line").click()

    wait(browser).until(lambda d: player_time(d) >= start - 0.05)
    assert player_time(browser) < start + 3
    wait(browser).until(lambda _d: "current" in (target.get_attribute("class") or ""))
    assert target.find_element(By.CSS_SELECTOR, "button").get_attribute("aria-current") == "true"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#meeting-lines li.current")) == 1


def test_the_keyboard_seeks_too(
    page_server: PageServer, browser: webdriver.Chrome, live: LiveMeeting
) -> None:
    open_meeting(page_server, browser, live.id)
    items = browser.find_elements(By.CSS_SELECTOR, "#meeting-lines li")
    start = float(items[2].get_attribute("data-start") or "nan")
    line = items[2].find_element(By.CSS_SELECTOR, "button.line")
    browser.execute_script("arguments[0].focus()", line)

    line.send_keys(Keys.ENTER)

    wait(browser).until(lambda d: start - 0.05 <= player_time(d) < start + 3)


def test_a_meeting_seen_at_phone_width_needs_no_sideways_scrolling(
    page_server: PageServer, browser: webdriver.Chrome, live: LiveMeeting
) -> None:
    browser.set_window_size(390, 844)
    try:
        open_meeting(page_server, browser, live.id)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
    finally:
        browser.set_window_size(1000, 900)


def test_each_export_downloads(
    page_server: PageServer, browser: webdriver.Chrome, live: LiveMeeting, downloads: Path
) -> None:
    open_meeting(page_server, browser, live.id)
    expected = {"txt": "journey", "md": "Harvard sentences", "srt": "-->", "vtt": "WEBVTT"}
    for export, needle in expected.items():
        browser.find_element(By.CSS_SELECTOR, f'a[data-export="{export}"]').click()
        path = downloads / f"{live.id}.{export}"  # the name the server gives
        wait(browser).until(lambda _d, p=path: p.exists() and p.stat().st_size > 0)
        assert needle in path.read_text(encoding="utf-8")

    browser.find_element(By.CSS_SELECTOR, 'a[data-export="wav"]').click()
    wav = downloads / f"{live.id}.wav"
    wait(browser, 30).until(lambda _d: wav.exists() and wav.stat().st_size > 1_000_000)
    data = wav.read_bytes()
    assert data[:4] == b"RIFF"
    assert data[8:16] == b"WAVEfmt "
    assert len(data) - 44 == pytest.approx(live.duration_s * 32000, abs=32000 * 0.1)


def test_screenshot_of_the_meeting_page(
    page_server: PageServer, browser: webdriver.Chrome, live: LiveMeeting, tmp_path: Path
) -> None:
    """The picture in README.md and addon/DOCS.md (copied there with SCRIBE_SCREENSHOTS=1)."""
    browser.set_window_size(1000, 860)
    open_meeting(page_server, browser, live.id)
    browser.find_elements(By.CSS_SELECTOR, "#meeting-lines button.line")[1].click()
    browser.execute_script(f"{PLAYER}.pause(); window.scrollTo(0, 0)")
    shot = tmp_path / "ingress.png"

    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("SCRIBE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


def test_delete_asks_first_then_removes_the_meeting(
    page_server: PageServer, browser: webdriver.Chrome, live: LiveMeeting
) -> None:
    open_meeting(page_server, browser, live.id)
    dialog = browser.find_element(By.ID, "confirm")

    browser.find_element(By.ID, "delete-button").click()
    wait(browser).until(lambda _d: dialog.is_displayed())
    dialog.find_element(By.CSS_SELECTOR, "button[value=cancel]").click()
    wait(browser).until(lambda _d: not dialog.is_displayed())
    api = f"{page_server.ingress.url}api/meetings/{live.id}"
    assert http(api).status == 200

    browser.find_element(By.ID, "delete-button").click()
    wait(browser).until(lambda _d: dialog.is_displayed())
    element(browser, "confirm-delete").click()

    wait(browser).until(lambda d: d.current_url.endswith("#/meetings"))
    wait(browser).until(lambda d: d.find_elements(By.ID, "search"))
    assert not browser.find_elements(By.CSS_SELECTOR, f'li[data-id="{live.id}"]')
    assert http(api).status == 404
