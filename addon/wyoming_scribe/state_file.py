"""Small files in the data directory, written once with generated contents, read on each start."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

_LOGGER = logging.getLogger(__name__)


class StateFileError(RuntimeError):
    """A state file cannot be created or read."""


def read_or_create(path: Path, generate: Callable[[], str], what: str) -> str:
    """The stripped contents of ``path``; a new value from ``generate`` is written there first if
    the file is missing. The file is private to the server's user (mode 600)."""
    if not path.exists():
        _create(path, generate(), what)
    try:
        return path.read_text().strip()
    except OSError as err:
        raise StateFileError(f"Cannot read the {what} file {path}: {err.strerror}") from err


def _create(path: Path, value: str, what: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return  # another process won the race: its value is the one to read
    except OSError as err:
        raise StateFileError(f"Cannot create the {what} file {path}: {err.strerror}") from err
    with os.fdopen(fd, "w") as out:
        out.write(value + "\n")
    _LOGGER.info("Generated a new %s in %s", what, path)
