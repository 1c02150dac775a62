"""What script/check-aarch64 runs: the add-on's native code paths, once each.

aarch64_probe.py sdot
    Executes one Armv8.2 instruction; an emulated Cortex-A72 must refuse it.
aarch64_probe.py pipeline MODEL AUDIO COMPUTE_TYPE...
    Decodes AUDIO (PyAV), finds speech (Silero VAD on ONNX Runtime) and transcribes it with
    MODEL (CTranslate2) at each compute type.
aarch64_probe.py client PORT AUDIO
    A Wyoming client, run natively, that has the server on PORT transcribe AUDIO.
"""

from __future__ import annotations

import asyncio
import ctypes
import mmap
import re
import sys
import time
import wave
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wyoming.client import AsyncClient
    from wyoming.event import Event

_SDOT_V0_V1_V2 = 0x4E829420  # sdot v0.4s, v1.16b, v2.16b: the dot product extension, Armv8.2
_RET = 0xD65F03C0


def run_sdot() -> None:
    """Execute an instruction a Cortex-A72 does not have; a faithful emulator raises SIGILL."""
    code = _SDOT_V0_V1_V2.to_bytes(4, "little") + _RET.to_bytes(4, "little")
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(code)
    address = ctypes.addressof(ctypes.c_char.from_buffer(page))
    ctypes.CFUNCTYPE(None)(address)()
    print("sdot executed: this CPU has the dot product extension")


def run_pipeline(model: str, audio_file: str, compute_types: list[str]) -> None:
    started = time.monotonic()

    def step(message: str) -> None:
        print(f"         {message} (after {time.monotonic() - started:.0f} s)", flush=True)

    import av  # noqa: PLC0415 - imports are steps: each loads native code
    import ctranslate2  # noqa: PLC0415
    import numpy  # noqa: PLC0415
    import onnxruntime  # noqa: PLC0415

    step(
        f"imported numpy {numpy.__version__}, av {av.__version__}, "
        f"onnxruntime {onnxruntime.__version__}, ctranslate2 {ctranslate2.__version__}"
    )
    from faster_whisper import WhisperModel, decode_audio  # noqa: PLC0415
    from faster_whisper.vad import VadOptions, get_speech_timestamps  # noqa: PLC0415

    audio = decode_audio(audio_file)
    step(f"PyAV decoded {len(audio) / 16000:.2f} s of audio")
    speech = get_speech_timestamps(audio, VadOptions())
    if not speech:
        raise SystemExit("Silero VAD found no speech in a file of speech")
    step(f"Silero VAD found speech at {[(s['start'], s['end']) for s in speech]}")
    for compute_type in compute_types:
        whisper = WhisperModel(model, device="cpu", compute_type=compute_type, cpu_threads=2)
        segments, _ = whisper.transcribe(audio, language="en", beam_size=1, vad_filter=False)
        text = "".join(segment.text for segment in segments).strip()
        _check_words(text, audio_file, compute_type)
        step(f"{compute_type}: transcribed {text!r}")


async def _transcribe_over_wyoming(port: int, audio_file: str) -> str:
    from wyoming.asr import Transcribe, Transcript  # noqa: PLC0415
    from wyoming.audio import AudioChunk, AudioStart, AudioStop  # noqa: PLC0415
    from wyoming.client import AsyncTcpClient  # noqa: PLC0415
    from wyoming.info import Describe, Info  # noqa: PLC0415

    with wave.open(audio_file, "rb") as wav:
        rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
        frames = wav.readframes(wav.getnframes())
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Describe().event())
        while not Info.is_type((event := await _next_event(client)).type):
            pass
        await client.write_event(Transcribe(language="en").event())
        await client.write_event(AudioStart(rate, width, channels).event())
        step = rate * width * channels // 10
        for offset in range(0, len(frames), step):
            chunk = AudioChunk(rate, width, channels, frames[offset : offset + step])
            await client.write_event(chunk.event())
        await client.write_event(AudioStop().event())
        while not Transcript.is_type((event := await _next_event(client)).type):
            pass
        return Transcript.from_event(event).text


async def _next_event(client: AsyncClient) -> Event:
    event = await client.read_event()
    if event is None:
        raise SystemExit("the server closed the connection")
    if event.type == "error":
        raise SystemExit(f"the server answered with an error: {event.data}")
    return event


def run_client(port: int, audio_file: str) -> None:
    text = asyncio.run(asyncio.wait_for(_transcribe_over_wyoming(port, audio_file), 900))
    _check_words(text, audio_file, "the server")
    print(f"the server transcribed {text!r}")


def _check_words(text: str, audio_file: str, who: str) -> None:
    """A command's words are its file name (what_time_is_it.wav): each must be heard."""
    expected = Path(audio_file).stem.split("_")
    heard = re.findall(r"[a-z0-9']+", text.lower())
    missing = [word for word in expected if word not in heard]
    if missing:
        raise SystemExit(f"{who}: transcribed {text!r}, which misses {missing}")


def main(argv: list[str]) -> None:
    match argv:
        case ["sdot"]:
            run_sdot()
        case ["pipeline", model, audio_file, *compute_types] if compute_types:
            run_pipeline(model, audio_file, compute_types)
        case ["client", port, audio_file]:
            run_client(int(port), audio_file)
        case _:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
