"""The server's id: made once and kept in the data directory, so Home Assistant knows the server
again when its address changes (the integration's unique id)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from .state_file import StateFileError, read_or_create

FILE_NAME = "server_id"
_VALID = re.compile(r"^[0-9a-f]{32}$")


def load_server_id(data_dir: Path) -> str:
    """The id in ``DATA_DIR/server_id``; a damaged file is replaced by a new id."""
    path = data_dir / FILE_NAME
    server_id = read_or_create(path, lambda: uuid.uuid4().hex, "server id")
    if _VALID.match(server_id):
        return server_id
    try:
        path.unlink()
    except OSError as err:
        raise StateFileError(f"Cannot replace the damaged server id file {path}: {err}") from err
    return read_or_create(path, lambda: uuid.uuid4().hex, "server id")
