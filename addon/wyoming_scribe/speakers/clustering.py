"""Embeddings → speakers: agglomerative clustering that needs no speaker count.

Average linkage on cosine similarity, each segment weighted by its length: the two most similar
groups merge until no two are alike enough (``SAME_SPEAKER``). The number of participants, when
known, is a hint and not a truth: while there are more groups than participants, groups merge
down to ``SAME_SPEAKER_HINTED``, never further, and never fewer groups than that are forced.
Time plays no part, so a speaker who was quiet for an hour is still recognised.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# Cosine similarity of GE2E embeddings: the same voice is usually above 0.8, two voices below 0.7.
SAME_SPEAKER = 0.75
SAME_SPEAKER_HINTED = 0.7
# A segment shorter than this is too short to tell a voice by: it joins the group it is nearest.
MIN_CLUSTERED_S = 2.0


def cluster(
    embeddings: npt.NDArray[np.float32],
    durations: npt.NDArray[np.float64],
    speakers_hint: int | None = None,
) -> list[int]:
    """A group number per embedding, numbered in order of first appearance (0, 1, …)."""
    count = len(embeddings)
    if count == 0:
        return []
    long_enough = np.flatnonzero(durations >= MIN_CLUSTERED_S)
    if long_enough.size == 0:
        long_enough = np.array([int(np.argmax(durations))])
    groups = _agglomerate(embeddings[long_enough], durations[long_enough], speakers_hint)
    labels = np.empty(count, np.int64)
    labels[long_enough] = groups
    short = np.setdiff1d(np.arange(count), long_enough)
    if short.size:
        centroids = _centroids(embeddings[long_enough], durations[long_enough], groups)
        labels[short] = np.argmax(embeddings[short] @ centroids.T, axis=1)
    return _in_order_of_appearance(labels)


def _agglomerate(
    embeddings: npt.NDArray[np.float32],
    weights: npt.NDArray[np.float64],
    speakers_hint: int | None,
) -> npt.NDArray[np.int64]:
    count = len(embeddings)
    similarity = (embeddings @ embeddings.T).astype(np.float64)
    np.fill_diagonal(similarity, -np.inf)
    sizes = weights.astype(np.float64).copy()
    members = np.arange(count)
    alive = count
    while alive > 1:
        flat = int(np.argmax(similarity))
        a, b = divmod(flat, count)
        best = similarity[a, b]
        floor = SAME_SPEAKER_HINTED if speakers_hint and alive > speakers_hint else SAME_SPEAKER
        if best < floor:
            break
        # Lance-Williams update for average linkage: b joins a.
        merged = (sizes[a] * similarity[a] + sizes[b] * similarity[b]) / (sizes[a] + sizes[b])
        similarity[a], similarity[:, a] = merged, merged
        similarity[a, a] = -np.inf
        similarity[b], similarity[:, b] = -np.inf, -np.inf
        sizes[a] += sizes[b]
        members[members == b] = a
        alive -= 1
    return members.astype(np.int64)


def _centroids(
    embeddings: npt.NDArray[np.float32],
    weights: npt.NDArray[np.float64],
    groups: npt.NDArray[np.int64],
) -> npt.NDArray[np.float32]:
    """One unit vector per group number 0..max (unused numbers get zeros)."""
    centroids = np.zeros((int(groups.max()) + 1, embeddings.shape[1]), np.float64)
    np.add.at(centroids, groups, embeddings * weights[:, None])
    norms = np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    unit: npt.NDArray[np.float32] = (centroids / norms).astype(np.float32)
    return unit


def _in_order_of_appearance(labels: npt.NDArray[np.int64]) -> list[int]:
    numbers: dict[int, int] = {}
    return [numbers.setdefault(int(label), len(numbers)) for label in labels]
