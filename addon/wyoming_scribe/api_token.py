"""The bearer token of the HTTP API: read from a file, generated there once if it is missing."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from .state_file import StateFileError, read_or_create

GENERATED_NAME = "api_token"


class TokenError(StateFileError):
    """The configured token file cannot be used."""


def load_token(token_file: Path | None, data_dir: Path) -> str:
    """The token in ``token_file`` (default ``DATA_DIR/api_token``), generated there if missing."""
    path = token_file or data_dir / GENERATED_NAME
    try:
        token = read_or_create(path, lambda: secrets.token_urlsafe(32), "API token")
    except StateFileError as err:
        raise TokenError(str(err)) from err
    if len(token) < 16:
        raise TokenError(f"The API token in {path} is shorter than 16 characters")
    return token


def token_matches(expected: str, authorization: str | None) -> bool:
    """Whether an ``Authorization`` header carries the token (compared in constant time)."""
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    # Header bytes that are not UTF-8 arrive surrogate-escaped; they can only fail to match.
    return hmac.compare_digest(expected.encode(), given.strip().encode(errors="replace"))
