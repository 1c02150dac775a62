"""The add-on image: built from the Dockerfile alone, prebuilt for the store, named in config.yaml.

The build arguments each builder passes were read in its source.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.addon.addon_files import ADDON, DOCKER_IMAGE, config
from tests.addon.dockerfile import base_image, labels
from tests.assets import REPO

MULTI_ARCH_DEBIAN = re.compile(r"^ghcr\.io/home-assistant/base-debian:(?P<suite>[a-z]+)$")
VERSION = config()["version"]

# Supervisor 2026.04 and later, and home-assistant/builder's actions/build-image:
CURRENT_SUPERVISOR = {"BUILD_VERSION": VERSION, "BUILD_ARCH": "aarch64"}
BUILDER_ACTION = {"BUILD_ARCH": "amd64", "BUILD_VERSION": VERSION}
# Supervisor 2026.03 and older, for an add-on without build.yaml: the Alpine base of its arch.
OLDER_SUPERVISOR = {
    **CURRENT_SUPERVISOR,
    "BUILD_FROM": "ghcr.io/home-assistant/aarch64-base:latest",
}


def test_build_parameters_live_in_the_dockerfile() -> None:
    # The current Supervisor logs build.yaml as deprecated: "Move build parameters into the
    # Dockerfile directly".
    assert not [path.name for path in ADDON.glob("build.*")]


@pytest.mark.parametrize(
    "build_args",
    [CURRENT_SUPERVISOR, BUILDER_ACTION, OLDER_SUPERVISOR, {}],
    ids=["supervisor-2026.04+", "builder-action", "supervisor-2026.03-", "plain-docker-build"],
)
def test_every_builder_gets_home_assistants_multi_arch_debian(build_args: dict[str, str]) -> None:
    # Debian: faster-whisper's wheels need glibc. Multi-arch: the platform being built picks it.
    assert MULTI_ARCH_DEBIAN.match(base_image(build_args))


def test_check_aarch64_emulates_the_debian_suite_of_the_image() -> None:
    suite = MULTI_ARCH_DEBIAN.match(base_image({}))
    assert suite
    read_suite = 'source <(sed -n "/^image_suite()/,/^}/p" script/check-aarch64); image_suite'
    read = subprocess.run(
        ["bash", "-c", read_suite],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout.strip() == suite["suite"]


def test_the_image_says_what_it_is() -> None:
    found = labels()
    assert found["io.hass.type"] == "addon"
    assert found["io.hass.name"] == config()["name"]
    assert found["org.opencontainers.image.source"] == config()["url"]
    assert found["org.opencontainers.image.licenses"] == "MIT"


def test_config_names_the_prebuilt_image_of_each_arch() -> None:
    image = config()["image"]
    owner = config()["url"].removeprefix("https://github.com/").split("/")[0]
    for arch in config()["arch"]:
        name = image.format(arch=arch)
        assert DOCKER_IMAGE.match(name), name
        assert name == f"ghcr.io/{owner}/{arch}-addon-{config()['slug']}"


def test_the_store_url_is_the_repository_users_add() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"add `{config()['url']}`" in readme
