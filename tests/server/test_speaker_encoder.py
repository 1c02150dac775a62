"""The numpy front end and the ONNX speaker encoder give resemblyzer's own embeddings, and the
clustering tells voices apart with or without the number of participants.

``speaker_reference.json`` holds resemblyzer 0.1.4's embeddings of shared recordings, made with
torch by ``script/convert-speaker-model`` (torch is not installed here, and never in the add-on).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from faster_whisper.audio import decode_audio
from wyoming_scribe.speakers.clustering import cluster
from wyoming_scribe.speakers.encoder import Embedding, SpeakerEncoder
from wyoming_scribe.speakers.features import mel_filters, partial_starts

from tests.assets import AUDIO

Embeddings = dict[str, Embedding]
REFERENCE = json.loads((Path(__file__).parent / "speaker_reference.json").read_text())


@pytest.fixture(scope="module")
def encoder() -> SpeakerEncoder:
    return SpeakerEncoder()


@pytest.fixture(scope="module")
def embeddings(encoder: SpeakerEncoder) -> Embeddings:
    return {clip: encoder.embed(decode_audio(str(AUDIO / clip))) for clip in REFERENCE}


def voice(clip: str) -> str:
    return clip.rsplit("/", maxsplit=1)[-1].rsplit("_", 1)[0].rsplit("-", 2)[0]


def test_the_embeddings_are_resemblyzers(embeddings: Embeddings) -> None:
    assert len(embeddings) == 8
    for clip, embedding in embeddings.items():
        reference = np.array(REFERENCE[clip], np.float32)
        assert float(embedding @ reference) > 0.99, clip
        assert float(np.linalg.norm(embedding)) == pytest.approx(1.0, abs=1e-5)


def test_the_same_voice_is_nearer_than_another(embeddings: Embeddings) -> None:
    clips = list(embeddings)
    for a in clips:
        same = [
            float(embeddings[a] @ embeddings[b]) for b in clips if b != a and voice(b) == voice(a)
        ]
        other = [float(embeddings[a] @ embeddings[b]) for b in clips if voice(b) != voice(a)]
        assert min(same) > max(other), a


def test_mel_filters_are_slaney_triangles_of_unit_area_per_mel() -> None:
    filters = mel_filters()
    assert filters.shape == (40, 201)
    assert (filters >= 0).all()
    peaks = filters.argmax(axis=1)
    assert (np.diff(peaks) >= 0).all()  # ordered from low to high frequency
    assert filters[0, 0] == 0.0


def test_partials_cover_the_utterance_like_resemblyzer() -> None:
    assert partial_starts(16000, 1.3) == [0]  # shorter than one partial: still one
    starts = partial_starts(10 * 16000, 1.3)
    assert starts[:3] == [0, 77, 154]
    assert (starts[-1] + 160) * 160 >= 10 * 16000 * 0.9


def test_voices_are_grouped_in_order_of_first_words(embeddings: Embeddings) -> None:
    order = [
        "librispeech/1089-134686-0000.flac",
        "arctic/cmu_arctic_us_aew_a0001.wav",
        "librispeech/1089-134691-0001.flac",
        "librivox_pocketsphinx/sense_and_sensibility_01_austen_64kb-0870.wav",
        "arctic/cmu_arctic_us_aew_a0002.wav",
        "librivox_pocketsphinx/sense_and_sensibility_01_austen_64kb-0890.wav",
    ]
    vectors = np.stack([embeddings[c] for c in order])
    durations = np.full(len(order), 5.0)
    assert cluster(vectors, durations) == [0, 1, 0, 2, 1, 2]
    assert cluster(vectors, durations, speakers_hint=3) == [0, 1, 0, 2, 1, 2]


def test_the_number_of_participants_is_a_hint_not_a_truth(
    embeddings: Embeddings,
) -> None:
    order = [
        "arctic/cmu_arctic_us_aew_a0001.wav",
        "arctic/cmu_arctic_us_axb_a0004.wav",
        "librispeech/1089-134686-0000.flac",
        "arctic/cmu_arctic_us_aew_a0002.wav",
        "arctic/cmu_arctic_us_axb_a0006.wav",
        "librispeech/1089-134691-0001.flac",
    ]
    vectors = np.stack([embeddings[c] for c in order])
    durations = np.full(len(order), 4.0)
    # One participant named, three clearly different voices heard: still three.
    assert cluster(vectors, durations, speakers_hint=1) == [0, 1, 2, 0, 1, 2]
    # Ten named, three heard: three.
    assert cluster(vectors, durations, speakers_hint=10) == [0, 1, 2, 0, 1, 2]


def test_a_voice_back_after_a_long_silence_keeps_its_label(
    embeddings: Embeddings,
) -> None:
    lj_like = "arctic/cmu_arctic_us_axb_a0004.wav"
    others = [c for c in REFERENCE if voice(c) != voice(lj_like)]
    order = [lj_like, *others, "arctic/cmu_arctic_us_axb_a0006.wav"]
    groups = cluster(np.stack([embeddings[c] for c in order]), np.full(len(order), 4.0))
    assert groups[0] == groups[-1] == 0
    assert 0 not in groups[1:-1]


def test_a_short_segment_joins_the_voice_it_is_nearest(embeddings: Embeddings) -> None:
    order = [
        "arctic/cmu_arctic_us_aew_a0001.wav",
        "librispeech/1089-134686-0000.flac",
        "librispeech/1089-134691-0001.flac",  # said in under a second: no voice of its own
    ]
    vectors = np.stack([embeddings[c] for c in order])
    assert cluster(vectors, np.array([4.0, 4.0, 0.8])) == [0, 1, 1]
    assert cluster(vectors[:0], np.zeros(0)) == []
