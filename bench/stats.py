"""Summaries of latency samples."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Summary:
    """Median, 90th percentile, mean and extremes of a sample, in its own unit."""

    n: int
    median: float
    p90: float
    mean: float
    min: float
    max: float


def summarize(values: Sequence[float]) -> Summary:
    """Summary of ``values`` (linear interpolation between ranks for the percentiles)."""
    if not values:
        nan = float("nan")
        return Summary(n=0, median=nan, p90=nan, mean=nan, min=nan, max=nan)
    array = np.asarray(values, dtype=float)
    return Summary(
        n=len(values),
        median=float(np.median(array)),
        p90=float(np.percentile(array, 90)),
        mean=float(array.mean()),
        min=float(array.min()),
        max=float(array.max()),
    )


def ratio(ours: float, peer: float) -> float:
    """ours / peer, NaN when the peer's figure is zero or missing."""
    if not peer or peer != peer:
        return float("nan")
    return ours / peer
