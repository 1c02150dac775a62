"""The image's pinned packages: the project's dependencies, installed from wheels only."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.addon.addon_files import ADDON
from tests.assets import REPO

PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;#]+)$")


def pins() -> dict[str, Version]:
    found: dict[str, Version] = {}
    for line in (ADDON / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = PIN.match(line.strip())
        assert match, f"not an exact pin: {line!r}"
        name = canonicalize_name(match["name"])
        assert name not in found, f"{name} is pinned twice"
        found[name] = Version(match["version"])
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(line) for line in project["dependencies"]]


def test_every_declared_dependency_is_pinned_inside_its_range() -> None:
    pinned = pins()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is a dependency of the server but not in the image"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{name}=={pinned[name]} is outside {requirement.specifier} of pyproject.toml"
        )


def test_the_image_installs_the_pins_from_wheels_only() -> None:
    dockerfile = (ADDON / "Dockerfile").read_text(encoding="utf-8")
    install = re.search(r"pip install ([^\n]*)", dockerfile)
    assert install
    assert "--only-binary=:all:" in install[1]
    assert "-r requirements.txt" in install[1]
    assert "COPY requirements.txt" in dockerfile
