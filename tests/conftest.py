"""Fixtures shared by the server's and the page's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.tmpfs import tiny_tmpfs


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 192 KB tmpfs (6 s of audio), where this machine allows mounting one."""
    with tiny_tmpfs(tmp_path / "tiny") as mount_point:
        yield mount_point
