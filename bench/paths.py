"""Where the benchmarks find the project, the shared assets and the interpreters they start."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
# The shared test assets live next to the project: ../shared/assets seen from its root.
ASSETS_DIR = Path(os.environ.get("SCRIBE_ASSETS", REPO_ROOT.parent / "shared" / "assets"))
AUDIO_DIR = ASSETS_DIR / "audio"
MANIFEST = AUDIO_DIR / "manifest.jsonl"
MODELS_DIR = ASSETS_DIR / "models"

# Our server and the bare faster-whisper floor run in the project's virtual environment;
# the peer in its own (bench/.venv-peer, built by bench.peer_venv).
PROJECT_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
PEER_VENV = BENCH_DIR / ".venv-peer"
