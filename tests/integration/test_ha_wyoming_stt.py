"""Home Assistant's own Wyoming integration (2025.4.4), pointed at the real server, hears a command.

This is the path every voice command takes in Assist: HA's `wyoming` STT entity streams the
microphone's 16 kHz PCM to the server and reads back the transcript.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from homeassistant.components import stt
from homeassistant.components.wyoming.const import DOMAIN as WYOMING
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.assets import CLEAR_COMMANDS
from tests.hearing import assert_heard
from tests.integration.scribe_server import ScribeServer
from tests.wyoming_client import load_pcm

COMMAND = CLEAR_COMMANDS[-1]  # "what's the weather like in New York"


async def microphone(pcm: bytes) -> AsyncIterator[bytes]:
    """The command in 20 ms chunks, as an Assist satellite streams it."""
    for offset in range(0, len(pcm), 640):
        yield pcm[offset : offset + 640]


async def test_home_assistant_stt_entity_returns_the_words(
    hass: HomeAssistant, scribe: ScribeServer
) -> None:
    assert await async_setup_component(hass, "homeassistant", {})  # Assist's exposed entities
    entry = MockConfigEntry(domain=WYOMING, data={"host": scribe.host, "port": scribe.wyoming_port})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    (registered,) = [
        e
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.domain == "stt"
    ]
    entity = stt.async_get_speech_to_text_entity(hass, registered.entity_id)
    assert entity is not None
    assert entity.supported_languages == ["en"]  # tiny.en, as the server describes it

    metadata = stt.SpeechMetadata(
        language="en",
        format=stt.AudioFormats.WAV,
        codec=stt.AudioCodecs.PCM,
        bit_rate=stt.AudioBitRates.BITRATE_16,
        sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
        channel=stt.AudioChannels.CHANNEL_MONO,
    )
    result = await entity.internal_async_process_audio_stream(
        metadata, microphone(load_pcm(COMMAND))
    )

    assert result.result is stt.SpeechResultState.SUCCESS
    assert result.text is not None
    assert_heard(result.text, COMMAND, max_wer=0.15)  # measured 0 %
    assert await hass.config_entries.async_unload(entry.entry_id)
