"""A stand-in for ``arecord``: plays an audio file as raw 16 kHz mono s16 on stdout.

``python fake_mic.py FILE [--pace N] [--then silence|exit]``: the file at N times real time
(0 = as fast as the reader takes it), then silence at the same pace until killed, or an exit
with code 1 as a microphone that was unplugged.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import BinaryIO

import av

RATE = 16000
CHUNK = RATE // 10 * 2  # 0.1 s


def decode(path: str) -> bytes:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    parts: list[bytes] = []
    with av.open(path) as container:
        for frame in container.decode(audio=0):
            parts += [bytes(f.to_ndarray().tobytes()) for f in resampler.resample(frame)]
    parts += [bytes(f.to_ndarray().tobytes()) for f in resampler.resample(None)]
    return b"".join(parts)


def play(out: BinaryIO, pcm: bytes, pace: float) -> None:
    """Write ``pcm`` in 0.1 s chunks at ``pace`` times real time (0: no waiting)."""
    started = time.monotonic()
    for offset in range(0, len(pcm), CHUNK):
        out.write(pcm[offset : offset + CHUNK])
        out.flush()
        if pace:
            due = started + (offset + CHUNK) / (RATE * 2) / pace
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
            play(out, bytes(RATE * 2), args.pace or 1.0)
    except (BrokenPipeError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    main()
