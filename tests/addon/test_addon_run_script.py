"""The add-on's run script turns options into the server's command line, one option to one flag.

The real script runs with a FAKE bashio answering from an options file (as the Supervisor's
options.json) and a FAKE python3 that records the command line it was given.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from wyoming_scribe.settings import Settings, parse_settings

from tests.addon.addon_files import RUN_SCRIPT, config, schema
from tests.addon.shell_harness import run_script, write_fake_program

ALWAYS = [
    "python3", "-m", "wyoming_scribe",
    "--uri", "tcp://0.0.0.0:10300",
    "--http-port", "10301",
    "--ingress-port", "8099",
    "--data-dir", "/data",
    "--recordings-dir", "/share/meeting_scribe",
]  # fmt: skip

ALL_SET: dict[str, object] = {
    "model": "small-int8",
    "custom_model": "/share/models/my-model",
    "language": "de",
    "beam_size": 5,
    "compute_type": "int8_float32",
    "cpu_threads": 3,
    "initial_prompt": "Ada, Grace und Linus besprechen den Plan für Q3.",
    "local_files_only": True,
    "mic_device": "plughw:CARD=Device,DEV=0",
    "debug": True,
}


def command_line(tmp_path: Path, options: dict[str, object]) -> list[str]:
    write_fake_program(tmp_path / "bin", "python3")
    run = run_script(RUN_SCRIPT, tmp_path, options)
    assert run.returncode == 0, run.stderr
    assert run.argv is not None, f"the server was not started:\n{run.stderr}"
    return run.argv


def server_settings(argv: list[str]) -> Settings:
    """What the real server makes of the command line."""
    assert argv[:3] == ["python3", "-m", "wyoming_scribe"]
    return parse_settings(argv[3:])


def test_fresh_install_passes_the_default_options(tmp_path: Path) -> None:
    argv = command_line(tmp_path, config()["options"])

    assert argv == [
        *ALWAYS,
        "--model", "tiny-int8",
        "--language", "auto",
        "--beam-size", "1",
        "--compute-type", "int8",
    ]  # fmt: skip


def test_no_options_set_passes_no_option_flags(tmp_path: Path) -> None:
    argv = command_line(tmp_path, {})

    assert argv == ALWAYS
    settings = server_settings(argv)
    assert settings.model == "tiny-int8"
    assert settings.language is None


def test_every_option_set_reaches_the_server(tmp_path: Path) -> None:
    argv = command_line(tmp_path, ALL_SET)

    assert argv == [
        *ALWAYS,
        "--model", "/share/models/my-model",
        "--language", "de",
        "--beam-size", "5",
        "--compute-type", "int8_float32",
        "--cpu-threads", "3",
        "--initial-prompt", "Ada, Grace und Linus besprechen den Plan für Q3.",
        "--local-files-only",
        "--debug",
        "--mic-command", "arecord -D plughw:CARD=Device,DEV=0 -q -t raw -r 16000 -c 1 -f S16_LE",
    ]  # fmt: skip
    settings = server_settings(argv)
    assert settings.model == "/share/models/my-model"
    assert settings.language == "de"
    assert settings.beam_size == 5
    assert settings.compute_type == "int8_float32"
    assert settings.cpu_threads == 3
    assert settings.initial_prompt == "Ada, Grace und Linus besprechen den Plan für Q3."
    assert settings.local_files_only is True
    assert settings.debug is True
    assert settings.mic_command == (
        "arecord -D plughw:CARD=Device,DEV=0 -q -t raw -r 16000 -c 1 -f S16_LE"
    )
    assert settings.data_dir == Path("/data")
    assert settings.models_dir == Path("/data/models")
    assert settings.meetings_dir == Path("/share/meeting_scribe")
    assert settings.http_port == 10301


@pytest.mark.parametrize(
    "custom_model",
    ["/share/models/my-model", "Systran/faster-distil-whisper-small.en", "small.en"],
)
def test_custom_model_overrides_the_model_list(tmp_path: Path, custom_model: str) -> None:
    options = {**config()["options"], "model": "base-int8", "custom_model": custom_model}

    argv = command_line(tmp_path, options)

    assert argv.count("--model") == 1
    assert argv[argv.index("--model") + 1] == custom_model
    assert server_settings(argv).model == custom_model


def test_cleared_text_options_are_left_out(tmp_path: Path) -> None:
    # A text field emptied in the UI can reach options.json as "".
    options = {**config()["options"], "custom_model": "", "initial_prompt": ""}

    argv = command_line(tmp_path, options)

    assert "--initial-prompt" not in argv
    assert argv.count("--model") == 1
    assert argv[argv.index("--model") + 1] == "tiny-int8"


def test_switched_off_options_pass_no_flag(tmp_path: Path) -> None:
    options = {**ALL_SET, "local_files_only": False, "debug": False}

    argv = command_line(tmp_path, options)

    assert "--local-files-only" not in argv
    assert "--debug" not in argv


def test_unset_options_never_reach_the_server_as_null(tmp_path: Path) -> None:
    # bashio reads a missing option as the text "null"; the official Whisper add-on passed it on.
    nothing_set: dict[str, object] = {}
    for options in (nothing_set, config()["options"]):
        assert not any("null" in arg for arg in command_line(tmp_path, options))


def test_every_option_of_the_schema_has_its_own_flag(tmp_path: Path) -> None:
    samples: dict[str, object] = {**ALL_SET, "model": "base-int8"}
    assert set(samples) == set(schema()), "give each option a sample value here"
    baseline = command_line(tmp_path, {})
    flags_seen: set[str] = set()

    for option, value in samples.items():
        argv = command_line(tmp_path, {option: value})
        added = [arg for arg in argv[len(ALWAYS) :] if arg.startswith("--")]
        assert argv[: len(ALWAYS)] == baseline, option
        assert len(added) == 1, f"{option} gave {added}"
        flags_seen.update(added)

    assert len(flags_seen) == len(samples) - 1  # model and custom_model are both --model
