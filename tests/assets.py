"""Paths to the shared test assets (real speech, noise, models) beside the repository."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ASSETS = REPO.parent / "shared" / "assets"
AUDIO = ASSETS / "audio"
TOY_MODEL = ASSETS / "models" / "toy-whisper-espeak-int8"
TINY_RANDOM_MODEL = ASSETS / "models" / "whisper-tiny-random-int8"
TINY_EN_MODEL = ASSETS / "models" / "whisper-tiny.en-int8"


@cache
def manifest() -> list[dict[str, Any]]:
    lines = (AUDIO / "manifest.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def audio_of_kind(kind: str) -> list[Path]:
    paths = [AUDIO / entry["path"] for entry in manifest() if entry["kind"] == kind]
    assert paths, f"no {kind!r} audio in the manifest: the tests over it would check nothing"
    return paths
