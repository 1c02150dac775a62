"""The bearer token of the HTTP API: read from a file, or generated once and kept."""

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
    """The token from ``token_file``; without one, ``DATA_DIR/api_token``, created if missing."""
    if token_file is not None:
        return _read(token_file)
    path = data_dir / GENERATED_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
        _LOGGER.info("Generated an API token in %s", path)
    return _read(path)


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
