"""Several satellites at once: N clients start streaming different commands together."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from bench.audio import Clip
from bench.scenarios.commands import CommandSample, measure_command
from bench.servers import RunningServer


@dataclass(frozen=True, slots=True)
class ConcurrencyRound:
    """One round: ``clients`` commands started at the same moment."""

    clients: int
    samples: list[CommandSample]


async def measure_concurrency(
    server: RunningServer, clips: Sequence[Clip], clients: int, rounds: int
) -> list[ConcurrencyRound]:
    """``rounds`` rounds of ``clients`` simultaneous commands, cycling through ``clips``."""
    cycle = itertools.cycle(clips)
    results = []
    for _ in range(rounds):
        batch = [next(cycle) for _ in range(clients)]
        samples = await asyncio.gather(*(measure_command(server, clip) for clip in batch))
        results.append(ConcurrencyRound(clients=clients, samples=list(samples)))
        server.check_alive()
    return results
