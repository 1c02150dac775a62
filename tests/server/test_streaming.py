"""A real server on 127.0.0.1, real audio, over real TCP: what a Wyoming client sees and reads."""

from __future__ import annotations

import asyncio
from pathlib import Path

from wyoming.asr import Transcribe
from wyoming.info import Describe

from tests.assets import AUDIO, BASE_MODEL, CLEAR_COMMANDS, TINY_EN_MODEL, reference
from tests.hearing import assert_has_words, assert_heard
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
    assert model["name"] == TINY_EN_MODEL.name
    assert model["installed"] is True
    assert model["languages"] == ["en"]  # tiny.en is English only


async def test_describe_lists_all_languages_of_a_multilingual_model(
    base_server: ServerProcess,
) -> None:
    client = await ScribeClient.connect(base_server.port)
    await client.send(Describe().event())
    info = await client.read()
    await client.close()

    assert info is not None
    (model,) = info.data["asr"][0]["models"]
    assert model["name"] == BASE_MODEL.name
    assert {"en", "de", "fr", "zh"} <= set(model["languages"])


async def test_the_language_is_detected_and_its_words_heard(base_server: ServerProcess) -> None:
    """German read speech, no language given: base detects it and writes German."""
    speech = AUDIO / "fleurs/de/fleurs-de-001.ogg"
    client = await ScribeClient.connect(base_server.port)
    utterance = await client.transcribe(load_pcm(speech), transcribe=Transcribe())
    await client.close()

    assert utterance.of_type("transcript")[0].event.data["language"] == "de"
    assert_heard(utterance.transcript, speech, max_wer=0.45)  # measured 24 %
    assert_has_words(utterance.transcript, "wasser", "dinosaurier")


async def test_one_utterance_at_22khz_stereo_gets_the_streaming_event_order(
    client: ScribeClient,
) -> None:
    speech = AUDIO / "misc/jfk.flac"
    pcm = load_pcm(speech, rate=22050, channels=2)

    utterance = await client.transcribe(pcm, rate=22050, channels=2)

    assert collapse(utterance.types) == STREAM_EVENTS
    chunks = [r.event.data["text"] for r in utterance.of_type("transcript-chunk")]
    assert utterance.transcript == " ".join(chunks)
    assert_heard(utterance.transcript, speech, max_wer=0.15)  # measured 0 %
    assert utterance.of_type("transcript")[0].event.data["language"] == "en"


async def test_many_utterances_share_one_connection(client: ScribeClient) -> None:
    commands = CLEAR_COMMANDS[:3]

    for path in commands:
        utterance = await client.transcribe(load_pcm(path) + silence(0.5))
        assert collapse(utterance.types) == STREAM_EVENTS
        assert_heard(utterance.transcript, path, max_wer=0.25)  # each heard exactly

    await client.send(Describe().event())
    assert (await client.read()) is not None


async def test_four_clients_at_once_are_all_answered(tiny_server: ServerProcess) -> None:
    commands = CLEAR_COMMANDS[2:6]

    async def one(path_index: int) -> str:
        connection = await ScribeClient.connect(tiny_server.port)
        try:
            utterance = await connection.transcribe(load_pcm(commands[path_index]), pace=4)
        finally:
            await connection.close()
        assert collapse(utterance.types) == STREAM_EVENTS
        return utterance.transcript

    transcripts = await asyncio.gather(*(one(i) for i in range(4)))

    assert all(text.strip() for text in transcripts)
    for path, text in zip(commands, transcripts, strict=True):  # nobody got another's words
        assert_heard(text, path, max_wer=0.25)


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
    said = " ".join(reference(path) for path in sentences)
    assert_heard(utterance.transcript, said, max_wer=0.15)  # measured 2 %
    # The words of the first sentence were already there before the speaker stopped.
    assert_has_words(" ".join(c.event.data["text"] for c in early), "comparatively", "modern")


async def test_transcript_names_and_terms_reach_the_decoder(tmp_path: Path) -> None:
    """The same audio decodes differently once names bias it: tiny.en alone hears "EcoBee" as
    another word; told the name, it writes it.

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
    assert_has_words(with_names.transcript, "ecobee")
    assert "ecobee" not in plain.transcript.lower()
