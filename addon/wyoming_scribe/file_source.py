"""An audio file of any format FFmpeg reads, decoded to 16 kHz mono s16 a few seconds at a time."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Generator
from pathlib import Path

import av

from .audio_format import TARGET_RATE
from .audio_source import SourceError

CHUNK_BYTES = TARGET_RATE * 2 * 5  # 5 s of audio per hand-over


class InvalidAudioError(ValueError):
    """The file holds no audio this server can decode."""


def check_audio(path: Path) -> None:
    """Raises InvalidAudioError unless the file opens and its first audio decodes."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise InvalidAudioError("The file has no audio stream")
            for frame in container.decode(audio=0):
                if frame.samples:
                    return
    except av.FFmpegError as err:
        raise InvalidAudioError(f"The file is not audio FFmpeg can decode: {err.strerror}") from err
    except (UnicodeDecodeError, OSError) as err:
        raise InvalidAudioError(f"The file could not be read as audio: {err}") from err
    raise InvalidAudioError("The file holds no audio: it is empty")


class FileSource:
    """Decodes on worker threads; the event loop only receives the PCM."""

    def __init__(self, path: Path) -> None:
        self._decoder = _Decoder(path)
        self._decoded_s = 0.0

    async def chunks(self) -> AsyncIterator[bytes]:
        try:  # a closed decoder reads as the end of the file
            while chunk := await asyncio.to_thread(self._decoder.read):
                self._decoded_s += len(chunk) / (TARGET_RATE * 2)
                yield chunk
        except (av.FFmpegError, OSError) as err:
            raise SourceError(
                f"The file could not be decoded past {self._decoded_s:.1f} s: {err}"
            ) from err

    async def close(self) -> None:
        await asyncio.to_thread(self._decoder.close)


class _Decoder:
    """A decoding generator that two threads may touch: one reads while another closes."""

    def __init__(self, path: Path) -> None:
        self._pcm = _decode(path)
        self._lock = threading.Lock()
        self._closed = False

    def read(self) -> bytes:
        with self._lock:
            return b"" if self._closed else next(self._pcm, b"")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._pcm.close()


def _decode(path: Path) -> Generator[bytes]:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=TARGET_RATE)
    pending: list[bytes] = []
    size = 0
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                data = bytes(out.to_ndarray().tobytes())
                pending.append(data)
                size += len(data)
            if size >= CHUNK_BYTES:
                yield b"".join(pending)
                pending, size = [], 0
        for out in resampler.resample(None):
            pending.append(bytes(out.to_ndarray().tobytes()))
    if pending:
        yield b"".join(pending)
