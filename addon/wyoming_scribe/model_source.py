"""Where a model comes from: a local directory, or a name that maps to a Hugging Face repo."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Short names users of the Whisper add-on know, mapped to the quantized conversions; the
# ``.en`` models hear English only and are more accurate at it for their size.
SHORT_NAMES = {
    f"{size}-int8": f"rhasspy/faster-whisper-{size}-int8"
    for size in ("tiny.en", "tiny", "base.en", "base", "small")
}


@dataclass(frozen=True, slots=True)
class ModelSource:
    """What faster-whisper is asked to load, and a name to show for it."""

    load_from: str
    display_name: str
    is_local: bool


def resolve_model(model: str) -> ModelSource:
    """Turn a --model value into what faster-whisper loads.

    A directory on disk wins over any name; short names map to rhasspy's int8 conversions;
    anything else (a faster-whisper size such as ``small.en``, or ``owner/repo``) is passed on.
    """
    path = Path(model).expanduser()
    if path.is_dir():
        return ModelSource(str(path.resolve()), path.name, is_local=True)
    if model.startswith(("/", "./", "../", "~")):
        raise FileNotFoundError(f"Model directory {model} does not exist")
    return ModelSource(SHORT_NAMES.get(model, model), model, is_local=False)


def model_display_name(model: str) -> str:
    """The name to show for a --model value, even one that cannot be resolved."""
    try:
        return resolve_model(model).display_name
    except FileNotFoundError:
        return model
