"""The add-on's files, and the rules the Home Assistant Supervisor applies to them.

The rules are restated from the Supervisor's validation (supervisor/addons/validate.py and
options.py) and its developer documentation, for the parts this add-on uses.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tests.assets import REPO

ADDON = REPO / "addon"
ROOTFS = ADDON / "rootfs"
S6_SERVICES = ROOTFS / "etc" / "s6-overlay" / "s6-rc.d"
RUN_SCRIPT = S6_SERVICES / "meeting_scribe" / "run"
FINISH_SCRIPT = S6_SERVICES / "meeting_scribe" / "finish"
DISCOVERY_SCRIPT = S6_SERVICES / "discovery" / "run"
HEALTHCHECK = ROOTFS / "usr" / "bin" / "meeting-scribe-healthcheck"
FAKE_BASHIO = Path(__file__).parent / "fake_bashio" / "bashio"

SUPERVISOR_ARCHES = {"armhf", "armv7", "aarch64", "amd64", "i386"}
SLUG = re.compile(r"^[-_.A-Za-z0-9]+$")
PORT_KEY = re.compile(r"^\d+(?:/tcp|/udp)?$")
DOCKER_IMAGE = re.compile(r"^([a-zA-Z\-\.:\d{}]+/)*?([\-\w{}]+)/([\-\w{}]+)(:[\.\-\w{}]+)?$")
MAP_TYPES = {
    "data",
    "config",
    "ssl",
    "addons",
    "backup",
    "share",
    "media",
    "homeassistant_config",
    "all_addon_configs",
    "addon_config",
}
# One option's type: str, bool, int, float, email, url, password, port, match(REGEX),
# list(a|b|c) or device, with an optional (min,max) range, and "?" when it may be left unset.
SCHEMA_ELEMENT = re.compile(
    r"^(?:"
    r"bool|email|url|port"
    r"|device(?:\(subsystem=[a-z]+\))?"
    r"|(?:str|password|int)(?:\((?P<min>\d+)?,(?P<max>\d+)?\))?"
    r"|float(?:\([\d.]*,[\d.]*\))?"
    r"|match\((?P<regex>.*)\)"
    r"|list\((?P<choices>.+)\)"
    r")\??$"
)


def load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


@cache
def config() -> dict[str, Any]:
    return load_yaml(ADDON / "config.yaml")


def schema() -> dict[str, str]:
    return dict(config()["schema"])


def option_accepts(spec: str, value: object) -> bool:
    """Whether the Supervisor accepts VALUE for an option of type SPEC."""
    match = SCHEMA_ELEMENT.match(spec)
    assert match, f"not a Supervisor option type: {spec}"
    kind = spec.rstrip("?").split("(")[0]
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return str(value) in match["choices"].split("|")
    if kind == "match":
        return re.match(match["regex"], str(value)) is not None
    if kind == "int":
        low, high = int(match["min"] or -(2**63)), int(match["max"] or 2**63)
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if kind == "str":
        low, high = int(match["min"] or 0), int(match["max"] or 2**63)
        return isinstance(value, str) and low <= len(value) <= high
    raise AssertionError(f"option type {kind} is not used by this add-on: teach this helper")


def choices(option: str) -> list[str]:
    """The values a list(a|b|c) option offers."""
    match = SCHEMA_ELEMENT.match(schema()[option])
    assert match, f"{option} is not a Supervisor option type"
    assert match["choices"], f"{option} is not a list option"
    return match["choices"].split("|")
