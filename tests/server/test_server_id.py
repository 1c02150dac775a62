"""The server id: made once, the same on every start; a damaged file does not stop the server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from wyoming_scribe.server_id import load_server_id
from wyoming_scribe.state_file import StateFileError


def test_the_id_is_made_once_and_kept(tmp_path: Path) -> None:
    server_id = load_server_id(tmp_path / "data")

    assert re.fullmatch("[0-9a-f]{32}", server_id)
    assert load_server_id(tmp_path / "data") == server_id
    assert load_server_id(tmp_path / "other") != server_id


@pytest.mark.parametrize("damage", ["", "not an id\n", "0" * 31])
def test_a_damaged_id_is_replaced(tmp_path: Path, damage: str) -> None:
    (tmp_path / "server_id").write_text(damage)

    server_id = load_server_id(tmp_path)

    assert re.fullmatch("[0-9a-f]{32}", server_id)
    assert (tmp_path / "server_id").read_text().strip() == server_id


def test_a_data_dir_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the data directory should be")

    with pytest.raises(StateFileError, match="Cannot create the server id file"):
        load_server_id(tmp_path / "data")
