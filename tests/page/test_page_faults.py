"""The page tells what is wrong: a full disk, a meeting the disk cut short, a model that did not
load. Each case runs its own real server behind the FAKE ingress proxy."""

from __future__ import annotations

from pathlib import Path

import pytest_socket
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.page.conftest import HARVARD, serve_page
from tests.server.api_client import mic_command


def alerts(browser: webdriver.Chrome) -> str:
    text: str = browser.find_element(By.ID, "alerts").text
    return text


def test_a_full_disk_is_told_before_and_during_a_meeting(
    browser: webdriver.Chrome, tmp_path: Path, tiny_disk: Path
) -> None:
    pytest_socket.enable_socket()
    flags = ["--recordings-dir", str(tiny_disk), "--mic-command", mic_command(HARVARD, pace=4)]
    with serve_page(tmp_path, *flags) as server:
        browser.get(server.ingress.url)
        wait = WebDriverWait(browser, 60, poll_frequency=0.2)
        wait.until(lambda d: "recordings disk is full" in alerts(d))
        browser.find_element(By.ID, "start-button").click()
        wait.until(lambda d: d.find_element(By.ID, "live-status").text == "Interrupted")

        notice = browser.find_element(By.ID, "live-notice")
        assert notice.is_displayed()
        assert notice.text.startswith("The disk is full")
        assert browser.find_element(By.ID, "live-lines").text, "what fit is kept and shown"
        browser.find_element(By.ID, "live-new").click()
        wait.until(lambda d: d.find_element(By.ID, "start-button")).click()
        error = browser.find_element(By.ID, "start-error")
        wait.until(lambda _d: error.is_displayed())
        assert "full" in error.text


def test_a_model_that_did_not_load_is_told(browser: webdriver.Chrome, tmp_path: Path) -> None:
    pytest_socket.enable_socket()
    missing = tmp_path / "no-model-here"
    with serve_page(tmp_path, "--local-files-only", model=missing) as server:
        browser.get(server.ingress.url)
        wait = WebDriverWait(browser, 60, poll_frequency=0.2)
        wait.until(lambda d: "could not be loaded" in alerts(d))
        assert str(missing) in alerts(browser) or "no-model-here" in alerts(browser)

        browser.get(server.ingress.url + "#/status")
        wait.until(lambda d: "could not be loaded" in d.find_element(By.ID, "st-state").text)
