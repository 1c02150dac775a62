"""Accuracy: what each system hears on the shared audio, side by side in one run.

Four doors for the same file: our server over Wyoming (the file streamed as one utterance), our
server's upload (``POST /api/transcriptions``, a meeting from a file), wyoming-faster-whisper
3.8.1 over Wyoming, and bare faster-whisper offline on the whole file (with and without its
VAD; the better of the two is the floor). Same model, beam and threads for all.

Streams go as fast as the socket takes them: the benchmark measures words, not latency. A full
run checks once that real-time pace gives our server the same transcript (``PaceCheck``).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp

from bench.audio import (
    BYTES_PER_SECOND,
    SAMPLE_RATE,
    SAMPLE_WIDTH,
    Clip,
    entries_of_kind,
    load_clips,
    long_files,
    mix_noise,
    silence,
)
from bench.floor import FloorOptions, run_in_subprocess
from bench.meeting_realtime import wait_ready
from bench.models import BASE, TINY_EN, BenchModel
from bench.modes import AccuracyPlan
from bench.scenarios.commands import TAIL_SILENCE_S
from bench.servers import OURS, PEER, RunningServer, free_port, running
from bench.settings import DecodeSettings
from bench.wer import word_error_rate
from bench.wyoming_client import stream_utterance

OURS_WYOMING = "ours-wyoming"
OURS_UPLOAD = "ours-upload"
PEER_WYOMING = "peer"
OFFLINE = "offline"
OFFLINE_VAD = "offline-vad"
SYSTEMS = (OURS_WYOMING, OURS_UPLOAD, PEER_WYOMING, OFFLINE, OFFLINE_VAD)
SNRS_DB = (10.0, 5.0)
SILENCE_S = 60.0
FLEURS_LANGUAGES = ("de", "fr", "es", "pt")
UPLOAD_POLL_S = 0.2


@dataclass(frozen=True, slots=True)
class AccuracyItem:
    """One file as every system gets it."""

    name: str
    reference: str
    language: str  # what is spoken ("" for noise)
    pcm: bytes


@dataclass(frozen=True, slots=True)
class AccuracySet:
    """Files one model hears, told the language (``hint``) or left to detect it (None)."""

    name: str
    model: BenchModel
    hint: str | None
    items: list[AccuracyItem]
    uploads: bool = True  # voice commands do not come as uploads
    words_out: bool = False  # noise: no words should come out, WER means nothing


@dataclass(frozen=True, slots=True)
class AccuracySample:
    """One file through one system."""

    set_name: str
    model: str
    system: str
    name: str
    reference: str
    text: str
    expected_language: str
    language: str  # as the system reported it ("" if it does not say)
    audio_s: float
    seconds: float  # wall time for this file: stream start (or upload) to final text


@dataclass(frozen=True, slots=True)
class PaceCheck:
    """One long file streamed to our server at real-time pace and as fast as possible."""

    name: str
    model: str
    audio_s: float
    realtime_text: str
    fast_text: str
    reference: str

    @property
    def identical(self) -> bool:
        return self.realtime_text == self.fast_text


@dataclass(slots=True)
class AccuracyRun:
    """Everything the accuracy benchmark measured."""

    samples: list[AccuracySample] = field(default_factory=list)
    pace_checks: list[PaceCheck] = field(default_factory=list)
    # "model|system" -> peak RSS (MiB) of that server or offline process over the run.
    peak_rss_mib: dict[str, float] = field(default_factory=dict)
    model_captions: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AccuracyRun:
        return cls(
            samples=[AccuracySample(**row) for row in data["samples"]],
            pace_checks=[PaceCheck(**row) for row in data["pace_checks"]],
            peak_rss_mib=data["peak_rss_mib"],
            model_captions=data["model_captions"],
            settings=data["settings"],
        )


def _first(items: Sequence[Clip], limit: int | None) -> list[Clip]:
    return list(items[:limit])


def _item(clip: Clip, language: str, tail_s: float = 0.0) -> AccuracyItem:
    return AccuracyItem(clip.entry.name, clip.entry.reference, language, clip.pcm + silence(tail_s))


def _noisy(
    items: Sequence[AccuracyItem], noises: Sequence[Clip], snr_db: float
) -> list[AccuracyItem]:
    """Each item with a noise recording under it, the recordings taken in turn."""
    return [
        replace(
            item,
            name=f"{item.name} + {noises[index % len(noises)].entry.name}",
            pcm=mix_noise(item.pcm, noises[index % len(noises)].pcm, snr_db),
        )
        for index, item in enumerate(items)
    ]


def build_sets(plan: AccuracyPlan) -> list[AccuracySet]:
    """The sets of issue 10's benchmark, cut to the plan's size."""
    ha = _first(load_clips(entries_of_kind(["ha_command"])), plan.commands_per_kind)
    short = _first(load_clips(entries_of_kind(["short"])), plan.commands_per_kind)
    commands = [_item(clip, "en", TAIL_SILENCE_S) for clip in ha + short]
    noisy_commands = [
        _item(clip, "en", TAIL_SILENCE_S)
        for clip in _first(ha, plan.noisy_commands_per_kind)
        + _first(short, plan.noisy_commands_per_kind)
    ]
    longs = sorted(load_clips(long_files()), key=lambda clip: clip.duration_s)
    long_items = [_item(clip, "en") for clip in _first(longs, plan.long_files)]
    noisy_long = [_item(clip, "en") for clip in _first(longs, plan.noisy_long_files)]
    noises = load_clips(entries_of_kind(["noise"]))
    fleurs = [
        _item(clip, language)
        for language in FLEURS_LANGUAGES
        for clip in _first(
            load_clips(
                [e for e in entries_of_kind(["multilingual"]) if f"/{language}/" in str(e.path)]
            ),
            plan.fleurs_per_language,
        )
    ]
    cut = None if plan.noise_seconds is None else round(plan.noise_seconds * BYTES_PER_SECOND)
    non_speech = [AccuracyItem(c.entry.name, "", "", c.pcm[:cut]) for c in noises] + [
        AccuracyItem(f"silence {SILENCE_S:g} s", "", "", silence(SILENCE_S))
    ]
    sets = [
        AccuracySet("commands", TINY_EN, "en", commands, uploads=False),
        AccuracySet("long", TINY_EN, "en", long_items),
        AccuracySet("long", BASE, "en", long_items),
    ]
    for snr in SNRS_DB:
        sets += [
            AccuracySet(
                f"commands in noise {snr:g} dB",
                TINY_EN,
                "en",
                _noisy(noisy_commands, noises, snr),
                uploads=False,
            ),
            AccuracySet(
                f"long in noise {snr:g} dB", TINY_EN, "en", _noisy(noisy_long, noises, snr)
            ),
        ]
    sets += [
        AccuracySet("FLEURS", BASE, None, fleurs),
        AccuracySet("noise + silence", TINY_EN, "en", non_speech, words_out=True),
        AccuracySet("noise + silence", BASE, None, non_speech, words_out=True),
    ]
    return [s for s in sets if s.items]


def _write_wav(path: Path, pcm: bytes) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm)
    return path


def _settings(model: BenchModel, beam_size: int, cpu_threads: int) -> DecodeSettings:
    """English-only models are told English; multilingual ones detect unless a file says."""
    language = "en" if model.name.split("-")[1].endswith(".en") else None
    return DecodeSettings(beam_size=beam_size, cpu_threads=cpu_threads, language=language)


type Progress = Callable[[str], None]


class AccuracyBench:
    """Runs the sets through every system, one model at a time."""

    def __init__(
        self, sets: Sequence[AccuracySet], log_dir: Path, progress: Progress, base: DecodeSettings
    ) -> None:
        self.sets = list(sets)
        self.log_dir = log_dir
        self.progress = progress
        self.base = base
        self.run = AccuracyRun()
        self.workdir = Path(tempfile.mkdtemp(prefix="bench-accuracy-"))
        self.wavs: dict[tuple[str, str], Path] = {}

    def _wav(self, item: AccuracyItem, set_name: str) -> Path:
        key = (set_name, item.name)
        if key not in self.wavs:
            self.wavs[key] = _write_wav(self.workdir / f"{len(self.wavs):04d}.wav", item.pcm)
        return self.wavs[key]

    def _record(
        self,
        accuracy_set: AccuracySet,
        system: str,
        item: AccuracyItem,
        text: str,
        language: str,
        seconds: float,
    ) -> None:
        self.run.samples.append(
            AccuracySample(
                set_name=accuracy_set.name,
                model=accuracy_set.model.name,
                system=system,
                name=item.name,
                reference=item.reference,
                text=text,
                expected_language=item.language,
                language=language,
                audio_s=len(item.pcm) / BYTES_PER_SECOND,
                seconds=seconds,
            )
        )

    async def measure(self, pace: float | None, pace_check: bool) -> AccuracyRun:
        models = list(dict.fromkeys(s.model for s in self.sets))
        for model in models:
            sets = [s for s in self.sets if s.model == model]
            settings = _settings(model, self.base.beam_size, self.base.cpu_threads)
            self.run.model_captions[model.name] = model.caption
            self.run.settings[model.name] = " ".join(settings.flags())
            await self._ours(model, sets, settings, pace, pace_check and model == models[0])
            await self._peer(model, sets, settings, pace)
            self._offline(model, sets, settings)
        return self.run

    async def _ours(
        self,
        model: BenchModel,
        sets: Sequence[AccuracySet],
        settings: DecodeSettings,
        pace: float | None,
        pace_check: bool,
    ) -> None:
        http_port = free_port()
        api = ["--http-host", "127.0.0.1", "--http-port", str(http_port)]
        self.progress(f"accuracy: {model.name}: Meeting Scribe (Wyoming and uploads)")
        async with running(OURS, model.path, settings, self.log_dir, extra_args=api) as server:
            for accuracy_set in sets:
                for item in accuracy_set.items:
                    text, language, seconds = await _stream(server, item, accuracy_set.hint, pace)
                    self._record(accuracy_set, OURS_WYOMING, item, text, language, seconds)
                    server.check_alive()
            base_url = f"http://127.0.0.1:{http_port}/api"
            async with aiohttp.ClientSession() as session:
                await asyncio.wait_for(wait_ready(session, base_url), 120)
                token = (server.data_dir / "api_token").read_text().strip()
                session.headers["Authorization"] = f"Bearer {token}"
                for accuracy_set in sets:
                    if not accuracy_set.uploads:
                        continue
                    for item in accuracy_set.items:
                        wav = self._wav(item, accuracy_set.name)
                        text, language, seconds = await _upload(
                            session, base_url, wav, item, accuracy_set.hint
                        )
                        self._record(accuracy_set, OURS_UPLOAD, item, text, language, seconds)
            if pace_check:
                await self._pace_check(server, model, sets, pace)
            self.run.peak_rss_mib[f"{model.name}|{OURS_WYOMING}"] = server.peak_rss_mib()

    async def _pace_check(
        self,
        server: RunningServer,
        model: BenchModel,
        sets: Sequence[AccuracySet],
        pace: float | None,
    ) -> None:
        long_set = next((s for s in sets if s.name == "long"), None)
        if long_set is None or pace == 1.0:
            return
        item = long_set.items[0]
        self.progress(f"accuracy: pace check, {item.name} at real-time pace")
        realtime, _, _ = await _stream(server, item, long_set.hint, 1.0)
        fast = next(
            s.text
            for s in self.run.samples
            if s.set_name == long_set.name
            and s.model == model.name
            and s.system == OURS_WYOMING
            and s.name == item.name
        )
        self.run.pace_checks.append(
            PaceCheck(
                name=item.name,
                model=model.name,
                audio_s=len(item.pcm) / BYTES_PER_SECOND,
                realtime_text=realtime,
                fast_text=fast,
                reference=item.reference,
            )
        )

    async def _peer(
        self,
        model: BenchModel,
        sets: Sequence[AccuracySet],
        settings: DecodeSettings,
        pace: float | None,
    ) -> None:
        self.progress(f"accuracy: {model.name}: wyoming-faster-whisper")
        async with running(PEER, model.path, settings, self.log_dir) as server:
            for accuracy_set in sets:
                for item in accuracy_set.items:
                    text, language, seconds = await _stream(server, item, accuracy_set.hint, pace)
                    self._record(accuracy_set, PEER_WYOMING, item, text, language, seconds)
                    server.check_alive()
            self.run.peak_rss_mib[f"{model.name}|{PEER_WYOMING}"] = server.peak_rss_mib()

    def _offline(
        self, model: BenchModel, sets: Sequence[AccuracySet], settings: DecodeSettings
    ) -> None:
        """Bare faster-whisper on each whole file, one process per language hint and VAD."""
        for system, vad in ((OFFLINE, False), (OFFLINE_VAD, True)):
            self.progress(f"accuracy: {model.name}: faster-whisper offline, VAD {vad}")
            peak = 0.0
            for hint in dict.fromkeys(s.hint for s in sets):
                chosen = [s for s in sets if s.hint == hint]
                files = [(s, item, self._wav(item, s.name)) for s in chosen for item in s.items]
                options = replace(
                    FloorOptions.as_peer_calls_it(model.path, settings),
                    language=hint,
                    vad_filter=vad,
                )
                audio_s = sum(len(item.pcm) for _, item, _ in files) / BYTES_PER_SECOND
                floor = run_in_subprocess(
                    options, [wav for _, _, wav in files], timeout_s=600 + 3 * audio_s
                )
                peak = max(peak, floor.peak_rss_mib)
                for (accuracy_set, item, _), decode in zip(files, floor.files, strict=True):
                    self._record(
                        accuracy_set, system, item, decode.text, decode.language, decode.decode_s
                    )
            self.run.peak_rss_mib[f"{model.name}|{system}"] = peak


async def _stream(
    server: RunningServer, item: AccuracyItem, hint: str | None, pace: float | None
) -> tuple[str, str, float]:
    audio_s = len(item.pcm) / BYTES_PER_SECOND
    timing = await stream_utterance(
        server.host,
        server.port,
        item.pcm,
        pace=pace,
        language=hint,
        timeout_s=max(120.0, 3.0 * audio_s),
    )
    return timing.text, timing.language or "", timing.start_to_transcript_s


async def _upload(
    session: aiohttp.ClientSession,
    base_url: str,
    wav: Path,
    item: AccuracyItem,
    hint: str | None,
) -> tuple[str, str, float]:
    """Upload the file as a meeting, wait until it is done, return its text and language."""
    params = {"title": item.name[:100]}
    if hint is not None:
        params["language"] = hint
    started = time.monotonic()
    async with session.post(
        f"{base_url}/transcriptions",
        params=params,
        data=await asyncio.to_thread(wav.read_bytes),
        headers={"Content-Type": "audio/wav"},
    ) as response:
        if response.status != 202:
            raise RuntimeError(f"upload of {item.name} refused: {await response.text()}")
        meeting_id = (await response.json())["id"]
    deadline = started + max(120.0, 3.0 * len(item.pcm) / BYTES_PER_SECOND)
    while time.monotonic() < deadline:
        async with session.get(f"{base_url}/meetings/{meeting_id}") as response:
            meeting = await response.json()
        if meeting["status"] in ("done", "failed", "interrupted"):
            if meeting["status"] != "done":
                raise RuntimeError(f"upload of {item.name}: {meeting['status']}: {meeting}")
            return (
                str(meeting["text"]),
                str(meeting.get("language") or ""),
                time.monotonic() - started,
            )
        await asyncio.sleep(UPLOAD_POLL_S)
    raise TimeoutError(f"upload of {item.name} not done in time")


async def measure_accuracy(
    plan: AccuracyPlan,
    log_dir: Path,
    progress: Progress,
    base: DecodeSettings,
    pace: float | None = None,
    only: Sequence[str] = (),
) -> AccuracyRun:
    """Every set through every system (streams at ``pace``; None: as fast as they go).

    ``only`` keeps the sets named ``set`` or ``set@model`` (model as in bench/models.py).
    """
    progress("accuracy: decoding and mixing the audio")
    sets = [
        s
        for s in build_sets(plan)
        if not only or s.name in only or f"{s.name}@{s.model.name}" in only
    ]
    return await AccuracyBench(sets, log_dir, progress, base).measure(pace, plan.pace_check)


def corpus_wer(samples: Sequence[AccuracySample]) -> float:
    return word_error_rate([s.reference for s in samples], [s.text for s in samples])
