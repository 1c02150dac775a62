"""Fixtures of the add-on tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """The health check and discovery talk to a real server over 127.0.0.1."""
