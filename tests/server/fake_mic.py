"""A stand-in for ``arecord``: plays an audio file as raw 16 kHz mono s16 on stdout.

``python fake_mic.py FILE [--pace N] [--then silence|exit]``: the file at N times real time
(0 = as fast as the reader takes it), then silence at the same pace until killed, or an exit
with code 1 as a microphone that was unplugged.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import av

RATE = 16000
CHUNK = RATE // 10 * 2  # 0.1 s


def decode(path: str) -> Iterator[bytes]:
    """The file as 16 kHz mono s16, decoded as it is played (a microphone has no start-up delay)."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    with av.open(path) as container:
        for frame in container.decode(audio=0):
            yield from (bytes(f.to_ndarray().tobytes()) for f in resampler.resample(frame))
    yield from (bytes(f.to_ndarray().tobytes()) for f in resampler.resample(None))


def chunks(parts: Iterable[bytes]) -> Iterator[bytes]:
    """``parts`` re-cut into 0.1 s chunks (the last one may be shorter)."""
    pending = b""
    for part in parts:
        pending += part
        while len(pending) >= CHUNK:
            yield pending[:CHUNK]
            pending = pending[CHUNK:]
    if pending:
        yield pending


def play(out: BinaryIO, parts: Iterable[bytes], pace: float) -> None:
    """Write ``parts`` in 0.1 s chunks at ``pace`` times real time (0: no waiting)."""
    started, written = time.monotonic(), 0
    for chunk in chunks(parts):
        out.write(chunk)
        out.flush()
        written += len(chunk)
        if pace:
            due = started + written / (RATE * 2) / pace
            time.sleep(max(0.0, due - time.monotonic()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--pace", type=float, default=0.0)
    parser.add_argument("--then", choices=["silence", "exit"], default="silence")
    args = parser.parse_args()
    out = sys.stdout.buffer
    try:
        play(out, decode(args.file), args.pace)
        if args.then == "exit":
            print("fake-mic: device unplugged", file=sys.stderr)
            sys.exit(1)
        while True:  # silence until killed, never faster than the file was played
            play(out, [bytes(RATE * 2)], args.pace or 1.0)
    except (BrokenPipeError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    main()
