"""The API token: generated once and kept private, read back unchanged, compared exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from wyoming_scribe.api_token import TokenError, load_token, token_matches


def test_a_token_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    token = load_token(None, tmp_path / "data")

    assert len(token) >= 32
    assert (tmp_path / "data/api_token").stat().st_mode & 0o777 == 0o600
    assert load_token(None, tmp_path / "data") == token


def test_a_token_file_is_read_or_created_where_it_is_named(tmp_path: Path) -> None:
    given = tmp_path / "token"
    given.write_text("  a-token-of-twenty-chars \n")
    assert load_token(given, tmp_path / "data") == "a-token-of-twenty-chars"
    assert not (tmp_path / "data/api_token").exists()

    missing = tmp_path / "addon/api_token"
    assert load_token(missing, tmp_path / "data") == missing.read_text().strip()


def test_a_short_token_is_refused(tmp_path: Path) -> None:
    short = tmp_path / "token"
    short.write_text("secret")
    with pytest.raises(TokenError, match="shorter than 16"):
        load_token(short, tmp_path)


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("Bearer a-token-of-twenty-chars", True),
        ("bearer a-token-of-twenty-chars", True),
        ("Bearer a-token-of-twenty-char", False),
        ("Bearer a-token-of-twenty-charsX", False),
        ("Basic a-token-of-twenty-chars", False),
        ("a-token-of-twenty-chars", False),
        ("Bearer ", False),
        (None, False),
    ],
)
def test_only_the_exact_bearer_token_matches(header: str | None, accepted: bool) -> None:
    assert token_matches("a-token-of-twenty-chars", header) is accepted
