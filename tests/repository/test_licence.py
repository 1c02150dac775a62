"""The licence: a file GitHub recognises as MIT (HACS's `license` check reads GitHub's answer)."""

from __future__ import annotations

import hashlib
import re
import tomllib

from tests.assets import REPO

LICENCE = REPO / "LICENSE"
# SHA-256 of the MIT licence's text from "Permission is hereby granted" to the end, with every run
# of whitespace made one space: the text of spdx.org/licenses/MIT, which GitHub's licence
# detection matches. The same digest as HACS's own LICENSE file.
MIT_TEXT_SHA256 = "fe2a9817987f862eaced948f0468c7f51d2fedfc48c5c505b246a49a3870e9a5"


def normalised(text: str) -> str:
    return " ".join(text.split())


def test_the_licence_is_the_mit_text_word_for_word() -> None:
    text = LICENCE.read_text(encoding="utf-8")
    title, _, rest = text.partition("\n")
    assert title == "MIT License"
    assert re.search(r"^Copyright \(c\) \d{4} \S.*$", rest, re.MULTILINE)
    body = normalised(rest[rest.index("Permission is hereby granted") :])
    assert hashlib.sha256(body.encode()).hexdigest() == MIT_TEXT_SHA256


def test_the_package_declares_the_same_licence() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"


def test_readme_and_addon_docs_name_the_licence() -> None:
    for doc in (REPO / "README.md", REPO / "addon" / "DOCS.md"):
        text = doc.read_text(encoding="utf-8")
        assert re.search(r"\[MIT licen[cs]e\]\([^)]*LICENSE\)", text), doc.name
