"""Behind a proxy that holds the event stream back (Home Assistant's ingress before 2026.2), the
live page still shows the words: it notices that the stream says nothing and asks every second."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_socket
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.page.conftest import PageServer, http
from tests.page.fake_ingress import FakeIngress, fake_ingress


@pytest.fixture(scope="module")
def held(page_server: PageServer) -> Iterator[FakeIngress]:
    pytest_socket.enable_socket()  # module fixtures start before the per-test socket fixture
    with fake_ingress(page_server.ingress_port, hold_event_streams=True) as proxy:
        yield proxy


def test_live_words_come_even_when_the_event_stream_is_held(
    held: FakeIngress, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    browser.get(held.url)
    wait = WebDriverWait(browser, 20, poll_frequency=0.2)
    wait.until(lambda d: d.find_element(By.ID, "start-title-input")).send_keys("Held stream")
    browser.find_element(By.ID, "start-button").click()
    wait.until(lambda d: d.find_element(By.ID, "live-status").text == "Recording")
    meeting_id = browser.execute_script("return state.liveId")
    try:
        lines = browser.find_element(By.ID, "live-lines")
        WebDriverWait(browser, 120, poll_frequency=0.2).until(
            lambda _d: {"ring", "journey"} <= set(re.findall(r"[a-z]+", lines.text.lower()))
        )
        assert browser.execute_script("return state.events") == "polling"

        browser.find_element(By.ID, "stop-button").click()
        wait.until(lambda d: d.find_element(By.ID, "live-status").text == "Done")
    finally:
        http(f"{held.url}api/meetings/{meeting_id}", "DELETE")
