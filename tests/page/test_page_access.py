"""Who may open the page: Home Assistant's ingress without a token, the API port with one.

The ingress port answers only the (FAKE) Supervisor's address; the page never holds the token.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from wyoming_scribe.settings import parse_settings

from tests.page.conftest import PageServer, http

PAGE_FILES = ["", "static/app.js", "static/style.css", "static/icon.svg"]


def test_the_ingress_port_is_off_unless_asked_for() -> None:
    assert parse_settings([]).ingress_port == 0
    settings = parse_settings(["--ingress-port", "8099"])
    assert (settings.ingress_port, settings.ingress_peer) == (8099, "172.30.32.2")
    with pytest.raises(SystemExit):
        parse_settings(["--ingress-port", "10301"])  # the API's port
    with pytest.raises(SystemExit):
        parse_settings(["--ingress-port", "70000"])


@pytest.mark.parametrize("path", ["", "api/meetings", "api/health", "static/app.js"])
def test_the_ingress_port_refuses_anyone_but_the_supervisor(
    page_server: PageServer, path: str
) -> None:
    # This test connects from 127.0.0.1; only the proxy's 127.0.0.2 is let in.
    answer = http(f"http://127.0.0.1:{page_server.ingress_port}/{path}")

    assert answer.status == 403
    assert answer.json()["error"] == "forbidden"


def test_the_ingress_port_needs_no_token_from_the_supervisor(page_server: PageServer) -> None:
    answer = http(page_server.ingress.url + "api/meetings")

    assert answer.status == 200
    assert "meetings" in answer.json()


def test_the_page_holds_no_token(page_server: PageServer) -> None:
    for base in (page_server.ingress.url, page_server.api_url):
        for path in PAGE_FILES:
            answer = http(base + path)
            assert answer.status == 200, (base, path)
            assert page_server.token.encode() not in answer.body, (base, path)


def test_the_page_under_ingress_knows_its_path(page_server: PageServer) -> None:
    page = http(page_server.ingress.url).body.decode()

    assert '<base href="/api/hassio_ingress/FAKE-ingress-session_0123456789/">' in page
    assert '<base href="/">' in http(page_server.api_url).body.decode()


def test_a_forged_ingress_path_is_ignored(page_server: PageServer) -> None:
    forged = '/api/hassio_ingress/x"><script>alert(1)</script>'
    page = http(page_server.api_url, headers={"X-Ingress-Path": forged}).body.decode()

    assert "<script>alert" not in page
    assert '<base href="/">' in page


def sign_in(browser: webdriver.Chrome, token: str) -> None:
    field = WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "signin-token"))
    field.clear()
    field.send_keys(token)
    browser.find_element(By.CSS_SELECTOR, "#signin-form button[type=submit]").click()


def test_on_the_api_port_the_page_asks_for_the_token_once(
    page_server: PageServer, browser: webdriver.Chrome
) -> None:
    browser.get(page_server.api_url + "#/meetings")
    sign_in(browser, "not-the-token-at-all")
    error = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "signin-error"))
    WebDriverWait(browser, 10).until(lambda _d: error.is_displayed())
    assert "did not accept" in error.text

    sign_in(browser, page_server.token)
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "search"))
    browser.get(page_server.api_url + "#/status")  # a new load: the session cookie is enough
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "st-compute").text == "int8")
    browser.get(page_server.api_url + "#/meetings")
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "search"))

    # Scripts cannot read the session (HttpOnly), and nothing the page keeps is the token.
    assert browser.execute_script("return document.cookie") == ""
    kept = browser.execute_script(
        "return JSON.stringify([sessionStorage, localStorage, document.documentElement.outerHTML])"
    )
    assert page_server.token not in kept
    [cookie] = browser.get_cookies()
    assert cookie["httpOnly"] is True
    assert cookie["value"] != page_server.token


def test_the_session_cookie_alone_cannot_change_anything(
    page_server: PageServer, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    # What another site's form could send: the cookie, without the page's header.
    browser.get(page_server.api_url + "#/meetings")
    sign_in_needed = browser.find_elements(By.ID, "signin-token")
    if sign_in_needed:
        sign_in(browser, page_server.token)
    WebDriverWait(browser, 20).until(lambda d: d.get_cookies())
    cookie = "scribe_session=" + browser.get_cookies()[0]["value"]
    api = page_server.api_url + "api/meetings"

    assert http(api, headers={"Cookie": cookie}).status == 200
    start = {"Cookie": cookie, "Content-Type": "application/json"}
    assert http(api, method="POST", headers=start).status == 401
    assert http(api, headers={"Cookie": "scribe_session=forged"}).status == 401
