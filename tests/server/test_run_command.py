"""The README's run command starts a server that answers a Wyoming client."""

from __future__ import annotations

import re
from pathlib import Path

from wyoming.info import Describe

from tests.assets import AUDIO, REPO, TOY_MODEL
from tests.server_process import run_server
from tests.wyoming_client import ScribeClient, load_pcm


def test_readme_gives_the_run_and_test_commands() -> None:
    readme = (REPO / "README.md").read_text()
    assert re.search(r"^script/run\b", readme, re.MULTILINE)
    assert re.search(r"^script/test$", readme, re.MULTILINE)
    assert "script/test" in (REPO / ".ci/run").read_text()


async def test_script_run_serves_wyoming(tmp_path: Path) -> None:
    with run_server(tmp_path, command=[str(REPO / "script/run")], model=TOY_MODEL) as server:
        client = await ScribeClient.connect(server.port)
        await client.send(Describe().event())
        info = await client.read()
        utterance = await client.transcribe(load_pcm(AUDIO / "ha_commands/en/next.wav"))
        await client.close()

    assert info is not None
    assert info.type == "info"
    assert utterance.types[-2:] == ["transcript", "transcript-stop"]
