"""The accuracy benchmark's own parts: the noisy mixes it makes and how it shows errors."""

from __future__ import annotations

import math

import numpy as np

from bench.accuracy_report import error_snippets, text_errors
from bench.audio import decode_pcm, mix_noise, pcm_to_float, speech_level
from tests.assets import audio_of_kind


def _speech_and_noise() -> tuple[bytes, bytes]:
    speech = decode_pcm(audio_of_kind("ha_command")[0])
    noise = decode_pcm(audio_of_kind("noise")[-1])  # white noise
    return speech, noise


def test_noise_is_mixed_at_the_stated_snr_and_the_same_every_time() -> None:
    speech, noise = _speech_and_noise()
    for snr_db in (10.0, 5.0):
        mixed = mix_noise(speech, noise, snr_db)
        assert mixed == mix_noise(speech, noise, snr_db)
        assert len(mixed) == len(speech)
        added = pcm_to_float(mixed) - pcm_to_float(speech)
        measured = 20 * math.log10(
            speech_level(pcm_to_float(speech)) / float(np.sqrt(np.mean(added**2)))
        )
        assert abs(measured - snr_db) < 0.2, measured


def test_a_mix_never_clips() -> None:
    speech, noise = _speech_and_noise()
    loud = pcm_to_float(mix_noise(speech, noise, -10.0))
    assert float(np.max(np.abs(loud))) <= 1.0


def test_errors_are_shown_where_they_are_after_normalising() -> None:
    reference = "From fairest creatures we desire increase, that thereby beauty's rose"
    hypothesis = "from fairest creatures we desire and crease that thereby beauty's rose"
    wer, errors = text_errors(reference, hypothesis)
    assert errors == 2
    assert wer == 2 / 10
    assert error_snippets(reference, hypothesis) == [
        "“creatures we desire increase that thereby beauty's” → "
        "“creatures we desire and crease that thereby beauty's”"
    ]
    assert text_errors("Turn on 2 lights.", "turn on two lights") == (0.0, 0)
