"""Bare faster-whisper: the floor a server's overhead is judged against.

Run in a process of its own so that its peak RSS is its own:
``python -m bench.floor --model DIR [options] FILE...`` prints one JSON object on stdout.
The harness starts it with the project's interpreter, the one our server runs on.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from bench.paths import PROJECT_PYTHON, REPO_ROOT
from bench.settings import OURS_TEMPERATURES, DecodeSettings

WARM_UP_SAMPLES = 16_000 * 5
FLOOR_AS_PEER = "faster-whisper, called as the peer does"
FLOOR_AS_OURS = "faster-whisper, called as ours does"


@dataclass(frozen=True, slots=True)
class FloorOptions:
    """How faster-whisper is called: the servers' settings plus the bench's token cap."""

    model: Path
    compute_type: str = "int8"
    cpu_threads: int = 2
    beam_size: int = 1
    language: str | None = "en"  # None: faster-whisper detects it
    max_new_tokens: int | None = None
    temperatures: tuple[float, ...] | None = None  # None: faster-whisper's 0.0, 0.2, ... 1.0
    condition_on_previous_text: bool = True
    vad_filter: bool = False

    @classmethod
    def as_peer_calls_it(cls, model: Path, settings: DecodeSettings) -> FloorOptions:
        """faster-whisper's defaults on the whole file, as wyoming-faster-whisper calls it."""
        return cls(
            model=model,
            compute_type=settings.compute_type,
            cpu_threads=settings.cpu_threads,
            beam_size=settings.beam_size,
            language=settings.language,
        )

    @classmethod
    def as_ours_calls_it(cls, model: Path, settings: DecodeSettings) -> FloorOptions:
        """Our server's decode options, with faster-whisper's own VAD cutting out silence."""
        return replace(
            cls.as_peer_calls_it(model, settings),
            temperatures=OURS_TEMPERATURES,
            vad_filter=True,
        )

    def argv(self) -> list[str]:
        """These options as this module's command line."""
        argv = [
            "--model",
            str(self.model),
            "--compute-type",
            self.compute_type,
            "--cpu-threads",
            str(self.cpu_threads),
            "--beam-size",
            str(self.beam_size),
        ]
        if self.language is not None:
            argv += ["--language", self.language]
        if self.max_new_tokens is not None:
            argv += ["--max-new-tokens", str(self.max_new_tokens)]
        if self.temperatures is not None:
            argv += ["--temperatures", ",".join(map(str, self.temperatures))]
        if not self.condition_on_previous_text:
            argv.append("--no-condition-on-previous-text")
        if self.vad_filter:
            argv.append("--vad-filter")
        return argv


@dataclass(frozen=True, slots=True)
class FileDecode:
    """One file through ``WhisperModel.transcribe`` (decoding the file itself not counted)."""

    path: str
    audio_s: float
    decode_s: float
    text: str
    language: str = ""  # as given, or as faster-whisper detected it


@dataclass(frozen=True, slots=True)
class FloorRun:
    """Everything one floor process measured."""

    load_s: float
    peak_rss_mib: float
    files: list[FileDecode]

    @classmethod
    def from_json(cls, text: str) -> FloorRun:
        data = json.loads(text)
        return cls(
            load_s=data["load_s"],
            peak_rss_mib=data["peak_rss_mib"],
            files=[FileDecode(**row) for row in data["files"]],
        )


def parse_args(argv: Sequence[str] | None = None) -> tuple[FloorOptions, list[Path]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--cpu-threads", type=int, default=2)
    parser.add_argument("--beam-size", type=int, default=1)
    parser.add_argument("--language", help="default: detect")
    parser.add_argument("--max-new-tokens", type=int)
    parser.add_argument("--temperatures", help="comma-separated, e.g. 0,0.2")
    parser.add_argument("--no-condition-on-previous-text", action="store_true")
    parser.add_argument("--vad-filter", action="store_true")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    options = FloorOptions(
        model=args.model,
        compute_type=args.compute_type,
        cpu_threads=args.cpu_threads,
        beam_size=args.beam_size,
        language=args.language,
        max_new_tokens=args.max_new_tokens,
        temperatures=tuple(map(float, args.temperatures.split(","))) if args.temperatures else None,
        condition_on_previous_text=not args.no_condition_on_previous_text,
        vad_filter=args.vad_filter,
    )
    return options, list(args.files)


def run(options: FloorOptions, files: Sequence[Path]) -> FloorRun:
    """Load the model once, warm it up, then transcribe each file and time it."""
    from faster_whisper import WhisperModel  # noqa: PLC0415 - the harness never loads it
    from faster_whisper.audio import decode_audio  # noqa: PLC0415

    audio = [decode_audio(str(path), sampling_rate=16_000) for path in files]
    started = time.monotonic()
    model = WhisperModel(
        str(options.model),
        device="cpu",
        compute_type=options.compute_type,
        cpu_threads=options.cpu_threads,
        local_files_only=True,
    )
    load_s = time.monotonic() - started
    kwargs: dict[str, object] = {
        "beam_size": options.beam_size,
        "language": options.language,
        "vad_filter": options.vad_filter,
        "condition_on_previous_text": options.condition_on_previous_text,
    }
    if options.max_new_tokens is not None:
        kwargs["max_new_tokens"] = options.max_new_tokens
    if options.temperatures is not None:
        kwargs["temperature"] = list(options.temperatures)
    list(model.transcribe(audio[0][:WARM_UP_SAMPLES], **kwargs)[0])
    decodes = []
    for path, samples in zip(files, audio, strict=True):
        started = time.monotonic()
        segments, info = model.transcribe(samples, **kwargs)
        text = " ".join(segment.text.strip() for segment in segments)
        decodes.append(
            FileDecode(
                path=str(path),
                audio_s=len(samples) / 16_000,
                decode_s=time.monotonic() - started,
                text=text,
                language=info.language,
            )
        )
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return FloorRun(load_s=load_s, peak_rss_mib=peak_kib / 1024, files=decodes)


def run_in_subprocess(options: FloorOptions, files: Sequence[Path], timeout_s: float) -> FloorRun:
    """``run`` in a fresh process of the project's interpreter, so its memory is its own."""
    completed = subprocess.run(
        [str(PROJECT_PYTHON), "-m", "bench.floor", *options.argv(), *map(str, files)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=timeout_s,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"bench.floor failed: {completed.stderr[-2000:]}")
    return FloorRun.from_json(completed.stdout)


def main(argv: Sequence[str] | None = None) -> None:
    options, files = parse_args(argv)
    json.dump(asdict(run(options, files)), sys.stdout)


if __name__ == "__main__":
    main()
