"""The peer's own virtual environment: wyoming-faster-whisper 3.8.1 from PyPI.

Its speech engine is pinned to the versions our server runs on (read from this interpreter),
so that the comparison is between the servers and not between CTranslate2 builds.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench.paths import PEER_VENV

PEER_REQUIREMENT = "wyoming-faster-whisper==3.8.1"
SHARED_ENGINE = ("faster-whisper", "ctranslate2", "av", "onnxruntime", "tokenizers", "numpy")
STAMP = ".bench-requirements"


def engine_pins() -> list[str]:
    """``name==version`` for each engine package installed next to our server."""
    pins = []
    for package in SHARED_ENGINE:
        try:
            pins.append(f"{package}=={version(package)}")
        except PackageNotFoundError:
            continue
    return pins


def requirements() -> list[str]:
    return [PEER_REQUIREMENT, *engine_pins()]


def ensure_peer_venv(log_path: Path) -> Path:
    """Build (or reuse) the peer's venv; returns its wyoming-faster-whisper executable."""
    wanted = "\n".join(requirements()) + "\n"
    stamp = PEER_VENV / STAMP
    executable = PEER_VENV / "bin" / "wyoming-faster-whisper"
    if executable.exists() and stamp.exists() and stamp.read_text() == wanted:
        return executable
    print(f"Installing the peer into {PEER_VENV}: {', '.join(requirements())}", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(PEER_VENV)
    python = PEER_VENV / "bin" / "python"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", *requirements()],
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    stamp.write_text(wanted)
    return executable


def installed_version(package: str, python: Path) -> str:
    """A package's version as another interpreter sees it."""
    completed = subprocess.run(
        [str(python), "-c", f"import importlib.metadata as m; print(m.version({package!r}))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.stdout.strip() or "not installed"


if __name__ == "__main__":
    print(ensure_peer_venv(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/dev/null")))
