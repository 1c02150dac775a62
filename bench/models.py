"""The models the benchmarks run, and whether a word error rate means anything for them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.paths import MODELS_DIR


@dataclass(frozen=True, slots=True)
class BenchModel:
    """A CTranslate2 Whisper model directory and what its transcripts are worth."""

    name: str
    path: Path
    pretrained: bool
    note: str
    # A decoder with random weights never emits end-of-text: it runs to the token limit.
    random_weights: bool = False

    @property
    def caption(self) -> str:
        """The line printed next to every table that used this model."""
        trained = "pretrained" if self.pretrained else "NOT pretrained"
        return f"Model: `{self.name}` ({trained}: {self.note})"


TINY_EN = BenchModel(
    "whisper-tiny.en-int8",
    MODELS_DIR / "whisper-tiny.en-int8",
    pretrained=True,
    note="OpenAI Whisper tiny.en, English only, 39 M parameters; the add-on's `tiny.en-int8`",
)
BASE = BenchModel(
    "whisper-base-int8",
    MODELS_DIR / "whisper-base-int8",
    pretrained=True,
    note="OpenAI Whisper base, multilingual, 74 M parameters; the add-on's `base-int8`",
)
SERVING_MODELS = {model.name: model for model in (TINY_EN, BASE)}


def user_model(path: Path) -> BenchModel:
    """A model directory given on the command line: pretrained unless it says otherwise."""
    if (path / "NOT_PRETRAINED.txt").exists():
        return BenchModel(
            path.name,
            path,
            pretrained=False,
            note="its NOT_PRETRAINED.txt says so",
            random_weights=True,
        )
    return BenchModel(path.name, path, pretrained=True, note="given with --quant-model")
