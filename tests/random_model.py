"""A Whisper model with the weights of tiny.en shuffled: the architecture and the scale of every
tensor stay, what it learned is gone. Whenever its decoder runs it prints garbage words, which makes
it the witness that audio (noise, silence) never reached the decoder.

CTranslate2's `model.bin` (format version 6) is a list of named tensors; each float tensor of the
real model is rewritten with its own values in a random (seeded, so always the same) order.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import numpy as np

_FLOATS = {0: np.float32, 4: np.float16}  # CTranslate2 DataType ids: FLOAT32, FLOAT16
_KEEP = ("position_encodings",)  # sinusoids, not learned
SEED = 20261203


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def number(self, fmt: str) -> int:
        (value,) = struct.unpack(fmt, self.take(struct.calcsize(fmt)))
        return int(value)

    def string(self) -> tuple[str, bytes]:
        raw = self.take(2)
        text = self.take(struct.unpack("<H", raw)[0])
        return text[:-1].decode(), raw + text


def shuffled_weights(model_bin: bytes, seed: int = SEED) -> bytes:
    """``model_bin`` with every learned float tensor's values permuted."""
    rng = np.random.default_rng(seed)
    reader = _Reader(model_bin)
    version = reader.number("<I")
    if version != 6:
        raise ValueError(f"CTranslate2 model format {version} is not the one this knows (6)")
    out = [struct.pack("<I", version), reader.string()[1], reader.take(4)]
    count = reader.number("<I")
    out.append(struct.pack("<I", count))
    for _ in range(count):
        name, raw_name = reader.string()
        start = reader.pos
        rank = reader.number("<B")
        reader.take(4 * rank)
        dtype = reader.number("<B")
        size = reader.number("<I")
        header = model_bin[start : reader.pos]
        values = reader.take(size)
        if dtype in _FLOATS and rank > 0 and not any(k in name for k in _KEEP):
            array = np.frombuffer(values, dtype=_FLOATS[dtype])
            values = rng.permutation(array).tobytes()
        out += [raw_name, header, values]
    out.append(model_bin[reader.pos :])  # the aliases
    return b"".join(out)


def make_random_model(real: Path, target: Path) -> Path:
    """A copy of the model directory ``real`` with shuffled weights at ``target`` (made once)."""
    if (target / "model.bin").is_file():
        return target
    work = target.with_name(target.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(real, work, ignore=shutil.ignore_patterns("model.bin"))
    (work / "model.bin").write_bytes(shuffled_weights((real / "model.bin").read_bytes()))
    (work / "NOT_PRETRAINED.txt").write_text(
        f"The weights of {real.name} shuffled (tests/random_model.py): garbage on any audio.\n"
    )
    work.rename(target)
    return target
