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


TOY = BenchModel(
    "toy-whisper-espeak-int8",
    MODELS_DIR / "toy-whisper-espeak-int8",
    pretrained=False,
    note="a tiny Whisper-format model trained on synthetic espeak speech; it ends its decodes "
    "like a real model, but about 80 % of its words are wrong",
)
TINY_RANDOM = BenchModel(
    "whisper-tiny-random-int8",
    MODELS_DIR / "whisper-tiny-random-int8",
    pretrained=False,
    note="Whisper tiny's architecture with random weights: real compute cost, garbage text",
    random_weights=True,
)
BASE_RANDOM = BenchModel(
    "whisper-base-random-int8",
    MODELS_DIR / "whisper-base-random-int8",
    pretrained=False,
    note="Whisper base's architecture with random weights: real compute cost, garbage text",
    random_weights=True,
)


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
