"""Runs the add-on's real s6 scripts outside the Supervisor, with the FAKE bashio."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.addon.addon_files import FAKE_BASHIO, ROOTFS, config

# A FAKE exec target: writes the command line it was started with, NUL-separated, and exits.
_FAKE_PROGRAM = """#!/usr/bin/env bash
# FAKE {name}, for tests: records its command line instead of running.
printf '%s\\0' {name} "$@" >"${{FAKE_EXEC_ARGV}}"
"""


@dataclass
class ScriptRun:
    returncode: int
    stderr: str
    argv: list[str] | None  # what the fake exec target received, None if it was not started


def write_fake_program(bin_dir: Path, name: str) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    program = bin_dir / name
    program.write_text(_FAKE_PROGRAM.format(name=name), encoding="utf-8")
    program.chmod(0o755)


def script_env(tmp_path: Path, options: dict[str, object], **extra: str) -> dict[str, str]:
    options_file = tmp_path / "options.json"
    options_file.write_text(json.dumps(options), encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    return {
        **os.environ,
        "PATH": f"{bin_dir}:{ROOTFS / 'usr' / 'bin'}:{os.environ['PATH']}",
        "FAKE_BASHIO_OPTIONS": str(options_file),
        "FAKE_BASHIO_PYTHON": sys.executable,
        "FAKE_BASHIO_DISCOVERY": str(tmp_path / "discovery.jsonl"),
        # A fixed ingress_port in config.yaml is the port the Supervisor reports.
        "FAKE_BASHIO_INGRESS_PORT": str(config()["ingress_port"]),
        "FAKE_EXEC_ARGV": str(tmp_path / "argv"),
        **extra,
    }


def run_script(
    script: Path, tmp_path: Path, options: dict[str, object], *args: str, **extra_env: str
) -> ScriptRun:
    """Run SCRIPT as the add-on base image would (its shebang names bashio) with OPTIONS."""
    env = script_env(tmp_path, options, **extra_env)
    argv_file = Path(env["FAKE_EXEC_ARGV"])
    argv_file.unlink(missing_ok=True)
    done = subprocess.run(
        [str(FAKE_BASHIO), str(script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    argv = argv_file.read_bytes().decode().split("\0")[:-1] if argv_file.exists() else None
    return ScriptRun(done.returncode, done.stderr, argv)
