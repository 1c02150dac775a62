"""What HACS and hassfest check in the integration's files, and that every message has its words."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest
import yaml

from custom_components.meeting_scribe.errors import KNOWN_CODES
from tests.assets import REPO

PACKAGE = REPO / "custom_components" / "meeting_scribe"
CODE = "\n".join(path.read_text() for path in sorted(PACKAGE.glob("*.py")))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())


STRINGS = load_json(PACKAGE / "translations" / "en.json")


def test_manifest_is_what_hassfest_and_hacs_expect() -> None:
    manifest = load_json(PACKAGE / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == PACKAGE.name
    for key in ("codeowners", "documentation", "issue_tracker", "version", "iot_class"):
        assert manifest[key]
    assert manifest["config_flow"] is True
    assert "wyoming" not in json.dumps(manifest.get("requirements", []))
    assert manifest.get("dependencies", []) == []


def test_hacs_manifest() -> None:
    hacs = load_json(REPO / "hacs.json")
    assert hacs["name"] == "Meeting Scribe"
    assert re.fullmatch(r"\d{4}\.\d+\.\d+", hacs["homeassistant"])


@pytest.mark.parametrize(("name", "size"), [("icon.png", 256), ("icon@2x.png", 512)])
def test_brand_icons(name: str, size: int) -> None:
    data = (PACKAGE / "brand" / name).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (size, size)


def test_every_raised_message_is_translated() -> None:
    literal = set(re.findall(r'translation_key="(\w+)"', CODE))
    assert literal, "the pattern finds no translation keys: it no longer matches the code"
    entity_keys = {key for platform in STRINGS["entity"].values() for key in platform}
    computed = set(re.findall(r'return "(\w+)"', (PACKAGE / "services.py").read_text()))
    computed |= {"no_server", "several_servers", "server_error"}
    raised = (literal - entity_keys - set(STRINGS["selector"])) | computed | KNOWN_CODES
    assert raised <= set(STRINGS["exceptions"])
    assert all(entry["message"] for entry in STRINGS["exceptions"].values())


def test_flow_errors_are_translated() -> None:
    errors = set(re.findall(r'errors\["base"\] = "(\w+)"', CODE))
    errors |= set(re.findall(r'_Probe\("(\w+)"', CODE))
    assert errors <= set(STRINGS["config"]["error"])
    options_errors = set(re.findall(r'return "(\w+)"', (PACKAGE / "config_flow.py").read_text()))
    assert options_errors <= set(STRINGS["options"]["error"]) | set(STRINGS["config"]["error"])


def test_every_action_field_has_words_a_selector_and_an_icon() -> None:
    services = yaml.safe_load((PACKAGE / "services.yaml").read_text())
    icons = load_json(PACKAGE / "icons.json")
    assert set(services) == set(STRINGS["services"]) == set(icons["services"])
    for name, service in services.items():
        words = STRINGS["services"][name]
        assert words["name"]
        assert words["description"]
        assert set(service["fields"]) == set(words["fields"])
        for field, spec in service["fields"].items():
            assert "selector" in spec, f"{name}.{field}"
            assert words["fields"][field]["name"]
            assert words["fields"][field]["description"]


def test_every_entity_has_a_name_and_an_icon() -> None:
    keys = dict(re.findall(r'key="(\w+)",\s*translation_key="(\w+)"', CODE))
    icons = load_json(PACKAGE / "icons.json")["entity"]
    named = {key for platform in STRINGS["entity"].values() for key in platform}
    with_icon = {key for platform in icons.values() for key in platform}
    assert set(keys.values()) == named == with_icon


def test_email_words_exist() -> None:
    used = set(re.findall(r'strings\["(\w+)"\]', CODE))
    assert used, "the pattern finds no e-mail words: it no longer matches the code"
    assert used <= set(STRINGS["common"])
