"""script/check-aarch64: the image's packages on an emulated Raspberry Pi 4 CPU. Minutes; opt-in."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.assets import REPO


@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.skipif(
    os.environ.get("SCRIBE_CHECK_AARCH64") != "1",
    reason="minutes under qemu-aarch64: run script/check-aarch64, or set SCRIBE_CHECK_AARCH64=1",
)
def test_packages_of_the_image_run_on_an_emulated_cortex_a72() -> None:
    done = subprocess.run(
        [str(REPO / "script" / "check-aarch64")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "check-aarch64 PASSED" in done.stdout
