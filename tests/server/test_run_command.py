"""The README's run command starts a server that answers a Wyoming client with the right words."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

from wyoming.info import Describe

from tests.assets import AUDIO, REPO, TINY_EN_MODEL
from tests.hearing import assert_heard
from tests.server_process import ServerProcess, free_port, run_server
from tests.wyoming_client import ScribeClient, load_pcm

COMMAND = AUDIO / "ha_commands/en/what_s_the_weather_like_in_new_york.wav"


def test_readme_gives_the_run_and_test_commands() -> None:
    readme = (REPO / "README.md").read_text()
    assert re.search(r"^script/run\b", readme, re.MULTILINE)
    assert re.search(r"^script/test$", readme, re.MULTILINE)
    assert "script/test" in (REPO / ".ci/run").read_text()


def run_env(hugging_face: str) -> dict[str, str]:
    """script/run's environment with no model chosen and Hugging Face at ``hugging_face``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCRIBE_")}
    return {**env, "HF_ENDPOINT": hugging_face, "HF_HUB_OFFLINE": "0"}


async def test_script_run_without_hugging_face_starts_on_tiny_en_and_hears(
    tmp_path: Path,
) -> None:
    """No --model, no $SCRIBE_MODEL, Hugging Face unreachable (a closed port): the model
    script/setup put in place answers, with the right words."""
    offline = run_env(f"http://127.0.0.1:{free_port()}")
    script_run = [str(REPO / "script/run")]
    with run_server(tmp_path, command=script_run, model=None, env=offline) as server:
        client = await ScribeClient.connect(server.port)
        await client.send(Describe().event())
        info = await client.read()
        utterance = await client.transcribe(load_pcm(COMMAND))
        await client.close()
        model_given = server_model(server)

    assert (REPO / model_given).resolve() == TINY_EN_MODEL.resolve()  # relative to script/run
    assert info is not None
    assert info.type == "info"
    (model,) = info.data["asr"][0]["models"]
    assert model["name"] == TINY_EN_MODEL.name
    assert model["installed"] is True
    assert utterance.types[-2:] == ["transcript", "transcript-stop"]
    assert_heard(utterance.transcript, COMMAND, max_wer=0.15)  # measured 0 %
    assert "Hugging Face cannot be reached" in server.log


def server_model(server: ServerProcess) -> str:
    """The --model script/run gave the server (script/run execs it: same process)."""
    args = Path(f"/proc/{server.process.pid}/cmdline").read_bytes().decode().split("\0")
    return args[args.index("--model") + 1]


async def test_script_run_with_hugging_face_keeps_the_default_download(tmp_path: Path) -> None:
    """Hugging Face reachable (here a local stand-in that accepts connections): script/run
    starts the server on tiny-int8, downloaded from there, as before."""
    with socket.create_server(("127.0.0.1", 0)) as stand_in:
        online = run_env(f"http://127.0.0.1:{stand_in.getsockname()[1]}")
        script_run = [str(REPO / "script/run")]
        with run_server(tmp_path, command=script_run, model=None, env=online) as server:
            assert server_model(server) == "tiny-int8"
            assert "wyoming_scribe" in Path(f"/proc/{server.process.pid}/cmdline").read_text()

    assert "Hugging Face cannot be reached" not in server.log
