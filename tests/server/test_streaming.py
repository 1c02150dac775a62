"""A real server on 127.0.0.1, real audio, over real TCP: what a Wyoming client sees."""

from __future__ import annotations

import asyncio
from pathlib import Path

from wyoming.asr import Transcribe
from wyoming.info import Describe

from tests.assets import AUDIO, TOY_MODEL, audio_of_kind
from tests.server_process import ServerProcess, run_server
from tests.wyoming_client import ScribeClient, load_pcm, silence

COMMAND = AUDIO / "ha_commands/en/what_time_is_it.wav"
STREAM_EVENTS = ["transcript-start", "transcript-chunk", "transcript", "transcript-stop"]


def collapse(types: list[str]) -> list[str]:
    """Event types with runs of transcript-chunk folded into one."""
    return [t for i, t in enumerate(types) if i == 0 or t != types[i - 1]]


async def test_describe_names_the_loaded_model_and_streams(client: ScribeClient) -> None:
    await client.send(Describe().event())
    info = await client.read()

    assert info is not None
    assert info.type == "info"
    (program,) = info.data["asr"]
    assert program["supports_transcript_streaming"] is True
    (model,) = program["models"]
    assert model["name"] == TOY_MODEL.name
    assert model["installed"] is True
    # The toy model has Whisper's multilingual tokenizer: all of Whisper's languages.
    assert {"en", "de", "fr", "zh"} <= set(model["languages"])


async def test_one_utterance_at_22khz_stereo_gets_the_streaming_event_order(
    client: ScribeClient,
) -> None:
    pcm = load_pcm(AUDIO / "misc/jfk.flac", rate=22050, channels=2)

    utterance = await client.transcribe(pcm, rate=22050, channels=2)

    assert collapse(utterance.types) == STREAM_EVENTS
    chunks = [r.event.data["text"] for r in utterance.of_type("transcript-chunk")]
    assert utterance.transcript == " ".join(chunks)
    assert utterance.transcript.strip()
    assert utterance.of_type("transcript")[0].event.data["language"]


async def test_many_utterances_share_one_connection(client: ScribeClient) -> None:
    commands = audio_of_kind("ha_command")[:3]

    for path in commands:
        utterance = await client.transcribe(load_pcm(path) + silence(0.5))
        assert collapse(utterance.types) == STREAM_EVENTS

    await client.send(Describe().event())
    assert (await client.read()) is not None


async def test_four_clients_at_once_are_all_answered(toy_server: ServerProcess) -> None:
    commands = audio_of_kind("ha_command")[3:7]

    async def one(path_index: int) -> str:
        connection = await ScribeClient.connect(toy_server.port)
        try:
            utterance = await connection.transcribe(load_pcm(commands[path_index]), pace=4)
        finally:
            await connection.close()
        assert collapse(utterance.types) == STREAM_EVENTS
        return utterance.transcript

    transcripts = await asyncio.gather(*(one(i) for i in range(4)))

    assert all(text.strip() for text in transcripts)


async def test_segments_arrive_while_the_speaker_is_still_talking(client: ScribeClient) -> None:
    """Three sentences with pauses, streamed at real-time pace: text comes before audio-stop."""
    sentences = [AUDIO / f"ljspeech/LJ001-000{n}.flac" for n in (2, 4, 6)]
    pcm = b"".join(load_pcm(path) + silence(1.2) for path in sentences)

    utterance = await client.transcribe(pcm, pace=1)

    chunks = utterance.of_type("transcript-chunk")
    early = [c for c in chunks if c.at < utterance.stop_sent_at]
    assert len(chunks) >= 3
    assert len(early) >= 2, f"only {len(early)} of {len(chunks)} chunks came before audio-stop"
    assert collapse(utterance.types) == STREAM_EVENTS


async def test_transcript_names_and_terms_reach_the_decoder(tmp_path: Path) -> None:
    """The same audio decodes differently once names bias it (the toy model is easily swayed).

    Greedy decoding only (no temperature fallback, which samples) so that decodes repeat exactly.
    """
    pcm = load_pcm(AUDIO / "ha_commands/en/what_s_the_temperature_of_the_ecobee.wav")
    biased = Transcribe(language="en", transcript_names=["EcoBee"], transcript_terms=["Party Time"])

    with run_server(tmp_path, "--temperature-fallback", "0") as server:
        client = await ScribeClient.connect(server.port)
        plain = await client.transcribe(pcm, transcribe=Transcribe(language="en"))
        with_names = await client.transcribe(pcm, transcribe=biased)
        plain_again = await client.transcribe(pcm, transcribe=Transcribe(language="en"))
        await client.close()

    assert plain.transcript == plain_again.transcript  # decoding is deterministic…
    assert with_names.transcript != plain.transcript  # …so the names made the difference
