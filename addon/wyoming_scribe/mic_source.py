"""The microphone: a program (``arecord`` by default) that writes raw 16 kHz mono s16 to stdout."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
from collections import deque
from collections.abc import AsyncIterator
from pathlib import Path

from .audio_source import SourceError

_LOGGER = logging.getLogger(__name__)
CHUNK_BYTES = 3200  # 0.1 s
SILENT_TIMEOUT_S = 10.0  # a live microphone never pauses this long: it is gone or stuck
_STOP_TIMEOUT_S = 3.0


class MicSource:
    """Runs the microphone command and reads its output."""

    def __init__(self, command: str, silent_timeout_s: float = SILENT_TIMEOUT_S) -> None:
        self._argv = shlex.split(command)
        if not self._argv:
            raise SourceError("The microphone command is empty")
        self._silent_timeout_s = silent_timeout_s
        self._process: asyncio.subprocess.Process | None = None
        self._stderr: deque[str] = deque(maxlen=5)
        self._stderr_reader: asyncio.Task[None] | None = None
        self._closing = False

    @property
    def name(self) -> str:
        return Path(self._argv[0]).name

    async def start(self) -> None:
        try:
            self._process = await asyncio.create_subprocess_exec(
                *self._argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as err:
            raise SourceError(
                f"Could not start the microphone command {self.name!r}: {err.strerror or err}"
            ) from err
        _LOGGER.info("Microphone command started: %s", shlex.join(self._argv))
        self._stderr_reader = asyncio.create_task(self._read_stderr(), name="mic-stderr")

    async def chunks(self) -> AsyncIterator[bytes]:
        process = self._require_process()
        assert process.stdout is not None
        while True:
            try:
                async with asyncio.timeout(self._silent_timeout_s):
                    data = await process.stdout.read(CHUNK_BYTES)
            except TimeoutError:
                if self._closing:
                    return
                raise SourceError(
                    f"The microphone sent no audio for {self._silent_timeout_s:g} s"
                ) from None
            if not data:
                break
            yield data
        if not self._closing:
            raise SourceError(await self._death_notice(process))

    async def close(self) -> None:
        self._closing = True
        process = self._process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), _STOP_TIMEOUT_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        finally:
            if self._stderr_reader is not None:
                self._stderr_reader.cancel()

    def _require_process(self) -> asyncio.subprocess.Process:
        if self._process is None:
            raise RuntimeError("MicSource.start was not called")
        return self._process

    async def _death_notice(self, process: asyncio.subprocess.Process) -> str:
        code = await process.wait()
        if self._stderr_reader is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stderr_reader, 1)
        notice = f"The microphone stopped: {self.name} exited with code {code}"
        if self._stderr:
            notice += f" ({' / '.join(self._stderr)})"
        return notice

    async def _read_stderr(self) -> None:
        process = self._require_process()
        assert process.stderr is not None
        async for line in process.stderr:
            text = line.decode(errors="replace").strip()
            if text:
                _LOGGER.warning("%s: %s", self.name, text)
                self._stderr.append(text[:200])
