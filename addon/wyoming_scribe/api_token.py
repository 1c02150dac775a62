"""The bearer token of the HTTP API: read from a file, generated there once if it is missing."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from pathlib import Path

_LOGGER = logging.getLogger(__name__)
GENERATED_NAME = "api_token"


class TokenError(RuntimeError):
    """The configured token file cannot be used."""


def load_token(token_file: Path | None, data_dir: Path) -> str:
    """The token in ``token_file`` (default ``DATA_DIR/api_token``), generated there if missing."""
    path = token_file or data_dir / GENERATED_NAME
    if not path.exists():
        _generate(path)
    return _read(path)


def _generate(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        raise TokenError(f"Cannot create the API token file {path}: {err.strerror}") from err
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(32) + "\n")
    _LOGGER.warning("Generated a new API token in %s", path)


def _read(path: Path) -> str:
    try:
        token = path.read_text().strip()
    except OSError as err:
        raise TokenError(f"Cannot read the API token file {path}: {err.strerror}") from err
    if len(token) < 16:
        raise TokenError(f"The API token in {path} is shorter than 16 characters")
    return token


def token_matches(expected: str, authorization: str | None) -> bool:
    """Whether an ``Authorization`` header carries the token (compared in constant time)."""
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(expected.encode(), given.strip().encode())
