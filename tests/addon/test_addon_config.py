"""config.yaml, translations and repository.yaml, checked by the Supervisor's rules."""

from __future__ import annotations

import json
import re
import struct
import subprocess
from pathlib import Path, PurePosixPath

import pytest
import wyoming_scribe
from faster_whisper import WhisperModel
from wyoming_scribe.model_source import SHORT_NAMES

from tests.addon.addon_files import (
    ADDON,
    MAP_TYPES,
    PORT_KEY,
    SCHEMA_ELEMENT,
    SLUG,
    SUPERVISOR_ARCHES,
    choices,
    config,
    load_yaml,
    option_accepts,
    schema,
)
from tests.assets import REPO, TOY_MODEL

WYOMING_PORT = "10300/tcp"
API_PORT = "10301/tcp"


def test_required_keys_have_valid_values() -> None:
    cfg = config()
    for key in ("name", "version", "slug", "description", "arch"):
        assert cfg.get(key), f"config.yaml needs {key}"
    assert cfg["slug"] == "meeting_scribe"
    assert SLUG.match(cfg["slug"])
    assert isinstance(cfg["version"], str), "quote the version: YAML reads 1.10 as a number"
    assert re.fullmatch(r"\d+\.\d+\.\d+", cfg["version"]), "the store compares MAJOR.MINOR.PATCH"


def test_runs_on_a_pi_and_on_x86() -> None:
    arches = config()["arch"]
    assert set(arches) <= SUPERVISOR_ARCHES
    assert sorted(arches) == ["aarch64", "amd64"]


def test_s6_overlay_is_the_init_system() -> None:
    # With Docker's init as PID 1, s6-overlay v3 refuses to start.
    assert config()["init"] is False


def test_exposes_the_wyoming_and_api_ports() -> None:
    ports = config()["ports"]
    assert set(ports) == {WYOMING_PORT, API_PORT}
    for key, host_port in ports.items():
        assert PORT_KEY.match(key)
        assert host_port is None or 1 <= host_port <= 65535


def test_has_a_panel_through_ingress_on_a_port_of_its_own() -> None:
    cfg = config()
    assert cfg["ingress"] is True
    # The Supervisor's rule: a port number, or 0 for one it picks.
    assert isinstance(cfg["ingress_port"], int)
    assert 0 < cfg["ingress_port"] <= 65535
    assert f"{cfg['ingress_port']}/tcp" not in cfg["ports"], "ingress is not published"
    assert cfg["ingress_port"] not in (10300, 10301)
    assert re.fullmatch(r"mdi:[a-z0-9-]+", cfg["panel_icon"])
    assert cfg["panel_title"] == "Meeting Scribe"


def test_announces_itself_and_records_from_the_microphone() -> None:
    cfg = config()
    assert cfg["discovery"] == ["wyoming", "meeting_scribe"]
    assert cfg["audio"] is True


def test_maps_share_writable_for_meetings_and_custom_models() -> None:
    maps = config()["map"]
    for entry in maps:
        assert entry["type"] in MAP_TYPES
        assert set(entry) <= {"type", "read_only", "path"}
    share = [entry for entry in maps if entry["type"] == "share"]
    assert share == [{"type": "share", "read_only": False}]


def _in_backup(data_dir: Path, patterns: list[str]) -> set[str]:
    """Files of the add-on's /data a Supervisor backup keeps.

    The Supervisor matches each pattern against the full path of every entry it walks
    (PurePath.match) and does not enter an excluded folder.
    """
    kept: set[str] = set()

    def walk(folder: Path) -> None:
        for entry in folder.iterdir():
            if any(PurePosixPath(entry).match(pattern) for pattern in patterns):
                continue
            if entry.is_dir():
                walk(entry)
            else:
                kept.add(entry.relative_to(data_dir).as_posix())

    walk(data_dir)
    return kept


def test_backups_leave_out_downloaded_models_and_keep_the_rest(tmp_path: Path) -> None:
    data = tmp_path / "addons" / "data" / "5c53de3b_meeting_scribe"
    blob = data / "models" / "models--rhasspy--faster-whisper-small-int8" / "blobs" / "9f2c"
    snapshot = data / "models" / "models--rhasspy--faster-whisper-small-int8" / "snapshots"
    for path in (blob, snapshot / "abc" / "model.bin", data / "api_token", data / "options.json"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")

    assert _in_backup(data, config()["backup_exclude"]) == {"api_token", "options.json"}


def test_schema_uses_the_supervisors_option_types() -> None:
    for option, spec in schema().items():
        assert isinstance(spec, str), option
        assert SCHEMA_ELEMENT.match(spec), f"{option}: {spec}"


def test_defaults_are_valid_and_required_options_have_one() -> None:
    options, types = config()["options"], schema()
    assert set(options) <= set(types), "an option without a schema entry is dropped"
    for option, value in options.items():
        assert option_accepts(types[option], value), f"default {option}: {value!r}"
    for option, spec in types.items():
        if not spec.endswith("?"):
            assert option in options, f"{option} is required: the add-on cannot start without it"


def test_every_option_has_a_name_and_description_for_users() -> None:
    translations = load_yaml(ADDON / "translations" / "en.yaml")
    described = translations["configuration"]
    assert set(described) == set(schema())
    for option, text in described.items():
        assert text["name"].strip(), option
        assert text["description"].strip(), option
    assert set(translations["network"]) == set(config()["ports"])


def test_model_choices_are_names_the_server_knows() -> None:
    assert set(choices("model")) == set(SHORT_NAMES)
    assert config()["options"]["model"] == "tiny-int8"


def test_language_choices_are_the_languages_whisper_knows() -> None:
    model = WhisperModel(str(TOY_MODEL), device="cpu", compute_type="int8")
    assert choices("language") == ["auto", *model.supported_languages]


@pytest.mark.parametrize("compute_type", choices("compute_type"))
def test_every_compute_type_offered_loads_a_model(compute_type: str) -> None:
    WhisperModel(str(TOY_MODEL), device="cpu", compute_type=compute_type)


@pytest.mark.parametrize(
    ("device", "accepted"),
    [
        ("plughw:CARD=Device,DEV=0", True),
        ("hw:1,0", True),
        ("default", True),
        ("sysdefault:CARD=USB_Audio", True),
        ("hw:1 -d 1", False),
        ("default'; reboot", False),
        ("$(reboot)", False),
    ],
)
def test_microphone_device_accepts_alsa_names_only(device: str, accepted: bool) -> None:
    # The device goes into the arecord command line the server runs.
    assert option_accepts(schema()["mic_device"], device) is accepted


def test_version_is_the_servers_and_heads_the_changelog() -> None:
    version = config()["version"]
    assert version == wyoming_scribe.__version__
    # One release tag publishes the image and the integration: the same version.
    manifest_file = REPO / "custom_components" / "meeting_scribe" / "manifest.json"
    assert json.loads(manifest_file.read_text())["version"] == version
    changelog = (ADDON / "CHANGELOG.md").read_text(encoding="utf-8")
    first_heading = re.search(r"^## (\S+)", changelog, re.MULTILINE)
    assert first_heading
    assert first_heading[1] == version


def test_repository_yaml_names_the_repository() -> None:
    repository = load_yaml(REPO / "repository.yaml")
    assert repository["name"] == "Meeting Scribe"


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert header[12:16] == b"IHDR"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_icon_and_logo_have_the_sizes_the_store_shows() -> None:
    assert png_size(ADDON / "icon.png") == (128, 128)
    width, height = png_size(ADDON / "logo.png")
    assert 200 <= width <= 300
    assert 80 <= height <= 120


def test_only_one_config_yaml_and_one_manifest_json_in_the_repository() -> None:
    # The add-on store and hassfest scan the whole tree and take any of them for theirs.
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    names = [PurePosixPath(path).name for path in listed if (REPO / path).exists()]
    assert names.count("config.yaml") == 1
    assert names.count("manifest.json") <= 1
