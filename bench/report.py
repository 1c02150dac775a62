"""The markdown report: one table per question, the model named next to each."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

from bench.accuracy_report import accuracy_section
from bench.floor import FLOOR_AS_OURS
from bench.results import RunResults, ServerResults
from bench.scenarios.concurrency import ConcurrencyRound
from bench.stats import ratio, summarize
from bench.table import table
from bench.wer import normalize

OURS = "ours"
PEER = "peer"


def seconds(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.3f} s" if value < 1 else f"{value:.2f} s"


def mib(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0f} MiB"


def times(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.2g}x" if value < 0.1 else f"{value:.2f}x"


def _pair(results: RunResults) -> tuple[ServerResults | None, ServerResults | None]:
    return results.servers.get(OURS), results.servers.get(PEER)


def command_ratios(results: RunResults) -> tuple[float, float]:
    """(median, p90) of our voice-command latency over the peer's."""
    ours, peer = _pair(results)
    if ours is None or peer is None:
        return math.nan, math.nan
    ours_s = summarize([sample.latency_s for sample in ours.commands])
    peer_s = summarize([sample.latency_s for sample in peer.commands])
    return ratio(ours_s.median, peer_s.median), ratio(ours_s.p90, peer_s.p90)


def commands_section(results: RunResults) -> str:
    rows = []
    for server in results.servers.values():
        latencies = summarize([sample.latency_s for sample in server.commands])
        empty = sum(1 for sample in server.commands if not sample.text.strip())
        streamed = sum(1 for sample in server.commands if sample.chunks)
        rows.append(
            [
                server.label,
                str(latencies.n),
                seconds(latencies.median),
                seconds(latencies.p90),
                seconds(latencies.mean),
                seconds(latencies.max),
                str(empty),
                str(streamed),
            ]
        )
    median_ratio, p90_ratio = command_ratios(results)
    return "\n\n".join(
        [
            "## 1. Voice commands: audio-stop → transcript",
            results.model_caption,
            "Each file streamed in 20 ms chunks at real-time pace, then 0.7 s of silence, then "
            "`audio-stop`; one warm-up command first, not counted.",
            table(
                [
                    "server",
                    "commands",
                    "median",
                    "p90",
                    "mean",
                    "max",
                    "empty transcripts",
                    "with transcript-chunks",
                ],
                rows,
            ),
            f"Ratio ours/peer: median **{times(median_ratio)}**, p90 **{times(p90_ratio)}**.",
            transcript_agreement(results),
            "![voice command latency](commands.png)",
        ]
    )


def transcript_agreement(results: RunResults) -> str:
    """How far our transcripts are from the peer's on the same model: a check, not accuracy."""
    ours, peer = _pair(results)
    if ours is None or peer is None or not ours.commands or not peer.commands:
        return ""
    theirs = {sample.name: sample.text for sample in peer.commands}
    pairs = [(theirs[s.name], s.text) for s in ours.commands if s.name in theirs]
    same = sum(1 for peer_text, our_text in pairs if normalize(peer_text) == normalize(our_text))
    return (
        f"Same model, same audio: {same} of {len(pairs)} of our transcripts equal the peer's "
        "after normalisation (the peer's temperature fallback samples at random, so even the "
        "peer does not always agree with itself)."
    )


def meeting_ratios(results: RunResults) -> dict[float, float]:
    """Our end-of-meeting latency over the peer's, per meeting length."""
    ours, peer = _pair(results)
    if ours is None or peer is None:
        return {}
    peer_by_length = {sample.minutes: sample.latency_s for sample in peer.meetings}
    return {
        sample.minutes: ratio(sample.latency_s, peer_by_length.get(sample.minutes, math.nan))
        for sample in ours.meetings
    }


def meetings_section(results: RunResults) -> str:
    by_server = {key: {m.minutes: m for m in s.meetings} for key, s in results.servers.items()}
    lengths = sorted({minutes for samples in by_server.values() for minutes in samples})
    ratios = meeting_ratios(results)
    headers = ["meeting"]
    for server in results.servers.values():
        headers += [
            f"{server.label}: latency",
            f"{server.label}: words",
            f"{server.label}: peak RSS",
        ]
    headers.append("latency ours/peer")
    rows = []
    for minutes in lengths:
        row = [f"{minutes:g} min"]
        for key in results.servers:
            sample = by_server[key].get(minutes)
            row += (
                [seconds(sample.latency_s), str(sample.words), mib(sample.peak_rss_mib)]
                if sample
                else ["-", "-", "-"]
            )
        row.append(times(ratios.get(minutes, math.nan)))
        rows.append(row)
    pace = results.meeting_pace
    pace_text = "real-time pace" if pace == 1 else f"{pace:g}x real time (quick mode)"
    return "\n\n".join(
        [
            "## 2. Meetings: end of audio → final transcript",
            results.model_caption,
            f"The long recordings joined (and looped) to each length, streamed at {pace_text} in "
            "20 ms chunks, `audio-stop` right after the last chunk; a fresh server per length, "
            "so the peak RSS is that meeting's.",
            table(headers, rows),
            "![meeting latency](meetings.png)",
        ]
    )


def throughput_ratios(results: RunResults) -> tuple[float, float]:
    """(ours/peer, ours/floor) real-time factors."""
    ours, peer = _pair(results)
    ours_rtf = ours.throughput.rtf if ours and ours.throughput else math.nan
    peer_rtf = peer.throughput.rtf if peer and peer.throughput else math.nan
    floors = {run.system: run.rtf for run in results.floor}
    return ratio(ours_rtf, peer_rtf), ratio(ours_rtf, floors.get(FLOOR_AS_OURS, math.nan))


def throughput_section(results: RunResults) -> str:
    runs = [
        (server.label, server.throughput)
        for server in results.servers.values()
        if server.throughput is not None
    ]
    runs += [(run.system, run) for run in results.floor]
    rows = []
    for label, run in runs:
        audio = sum(sample.audio_s for sample in run.samples)
        wall = sum(sample.wall_s for sample in run.samples)
        per_file = ", ".join(f"{sample.rtf:.3f}" for sample in run.samples)
        rows.append(
            [
                label,
                f"{audio:.0f} s",
                seconds(wall),
                f"{run.rtf:.3f}",
                per_file,
                mib(run.peak_rss_mib),
            ]
        )
    peer_ratio, floor_ratio = throughput_ratios(results)
    files = ", ".join(sample.name for sample in runs[0][1].samples) if runs else "-"
    return "\n\n".join(
        [
            "## 3. Throughput: long files as fast as possible",
            results.model_caption,
            f"Files: {files}. Servers: each file one utterance, 100 ms chunks sent unpaced, timed "
            "from the first chunk to the transcript. Floor: `WhisperModel.transcribe` on the "
            "decoded file in its own process (after one warm-up decode).",
            table(
                ["system", "audio", "wall time", "RTF (total)", "RTF per file", "peak RSS"], rows
            ),
            f"RTF ratio ours/peer: **{times(peer_ratio)}**; ours over the floor called as ours "
            f"calls it (our overhead): **{times(floor_ratio)}**.",
            "![throughput](throughput.png)",
        ]
    )


def memory_ratios(results: RunResults) -> tuple[float, float]:
    """(meetings, throughput) peak RSS ours/peer; meetings at the longest length."""
    ours, peer = _pair(results)
    if ours is None or peer is None:
        return math.nan, math.nan
    ours_meeting = max((m.peak_rss_mib for m in ours.meetings), default=math.nan)
    peer_meeting = max((m.peak_rss_mib for m in peer.meetings), default=math.nan)
    ours_files = ours.throughput.peak_rss_mib if ours.throughput else math.nan
    peer_files = peer.throughput.peak_rss_mib if peer.throughput else math.nan
    return ratio(ours_meeting, peer_meeting), ratio(ours_files, peer_files)


def memory_section(results: RunResults) -> str:
    rows = []
    for server in results.servers.values():
        meeting_peaks = ", ".join(
            f"{m.minutes:g} min: {mib(m.peak_rss_mib)}" for m in server.meetings
        )
        files_peak = server.throughput.peak_rss_mib if server.throughput else math.nan
        rows.append(
            [
                server.label,
                seconds(server.startup_s),
                mib(server.ready_rss_mib),
                meeting_peaks or "-",
                mib(files_peak),
            ]
        )
    meeting_ratio, files_ratio = memory_ratios(results)
    return "\n\n".join(
        [
            "## 4. Memory: peak RSS of the server process tree",
            results.model_caption,
            "Sampled every 50 ms over the process and its children, and the kernel's VmHWM of "
            "the main process; model loading included (each server is started fresh).",
            table(
                ["server", "start-up", "RSS when ready", "peak, meetings (§2)", "peak, files (§3)"],
                rows,
            ),
            f"Peak RSS ratio ours/peer: meetings (longest) **{times(meeting_ratio)}**, "
            f"files **{times(files_ratio)}**.",
            "![memory](memory.png)",
        ]
    )


def quantization_section(results: RunResults) -> str:
    rows = []
    for cell in results.quantization:
        if cell.wer is None:
            wer = "n/a (random weights)"
        elif cell.pretrained:
            wer = f"{cell.wer:.1%}"
        else:
            wer = f"{cell.wer:.1%} (not pretrained: not an accuracy figure)"
        cap = f"{cell.token_cap}" if cell.token_cap is not None else "none (stops by itself)"
        rows.append(
            [
                cell.model,
                cell.compute_type,
                seconds(cell.load_s),
                f"{cell.rtf:.3f}",
                seconds(cell.decode_s / cell.files),
                mib(cell.peak_rss_mib),
                cap,
                wer,
            ]
        )
    files = results.quantization[0].files if results.quantization else 0
    return "\n\n".join(
        [
            "## 5. Quantization: compute types through bare faster-whisper",
            *results.quant_captions,
            f"{files} command files from the manifest, one fresh process per cell (so peak RSS "
            "is that compute type's), decoded as our server decodes (greedy, no temperature "
            "fallback). A random-weight decoder added "
            "with `--quant-model` never stops by itself: it is capped at "
            f"{results.token_cap} new tokens per 30 s window, greedy only. WER is scored with "
            "jiwer after normalisation (lower case, numbers as words, no punctuation), and only "
            "means something for a pretrained model.",
            table(
                [
                    "model",
                    "compute type",
                    "load",
                    "RTF",
                    "per file",
                    "peak RSS",
                    "token cap",
                    "WER",
                ],
                rows,
            ),
            "![quantization](quantization.png)",
        ]
    )


def _concurrency_latencies(rounds: Sequence[ConcurrencyRound], clients: int) -> list[float]:
    return [
        sample.latency_s
        for round_ in rounds
        if round_.clients == clients
        for sample in round_.samples
    ]


def concurrency_section(results: RunResults) -> str:
    counts = sorted({r.clients for s in results.servers.values() for r in s.concurrency})
    headers = ["clients"]
    for server in results.servers.values():
        headers += [f"{server.label}: median", f"{server.label}: p90", f"{server.label}: max"]
    headers.append("median ours/peer")
    rows = []
    for clients in counts:
        row = [str(clients)]
        medians = {}
        for key, server in results.servers.items():
            summary = summarize(_concurrency_latencies(server.concurrency, clients))
            medians[key] = summary.median
            row += [seconds(summary.median), seconds(summary.p90), seconds(summary.max)]
        row.append(times(ratio(medians.get(OURS, math.nan), medians.get(PEER, math.nan))))
        rows.append(row)
    return "\n\n".join(
        [
            "## 6. Concurrency: commands from several satellites at once",
            results.model_caption,
            "N clients start streaming N different commands at the same moment (real-time "
            "pace, 0.7 s of silence, `audio-stop`); latency is each client's audio-stop → "
            "transcript, over all rounds.",
            table(headers, rows),
            "![concurrency](concurrency.png)",
        ]
    )


def setup_section(results: RunResults) -> str:
    env = results.environment
    settings = results.settings
    rows = [
        ["machine", f"{env.cpu}, {env.cores} cores, {env.memory_gib:g} GiB RAM, {env.os}"],
        ["Python", env.python],
        ["Meeting Scribe", f"{env.ours_version} (commit {env.ours_commit})"],
        ["peer", f"wyoming-faster-whisper {env.peer_version} (PyPI)"],
        [
            "faster-whisper / CTranslate2, ours",
            f"{env.faster_whisper_ours} / {env.ctranslate2_ours}",
        ],
        [
            "faster-whisper / CTranslate2, peer",
            f"{env.faster_whisper_peer} / {env.ctranslate2_peer}",
        ],
        [
            "both servers",
            f"`--beam-size {settings.beam_size} --compute-type {settings.compute_type} "
            f"--cpu-threads {settings.cpu_threads} --language {settings.language}`, the same "
            "local model directory, one server running at a time",
        ],
    ]
    rows += [[f"{s.label} command", f"`{s.command_line}`"] for s in results.servers.values()]
    return "\n\n".join(["## Setup", table(["", ""], rows)])


def summary_section(results: RunResults) -> str:
    median_ratio, p90_ratio = command_ratios(results)
    meetings = meeting_ratios(results)
    peer_rtf, floor_rtf = throughput_ratios(results)
    meeting_mem, files_mem = memory_ratios(results)
    rows = [
        ["1. voice command latency", f"median {times(median_ratio)}, p90 {times(p90_ratio)}"],
        [
            "2. end-of-meeting latency",
            ", ".join(f"{m:g} min {times(r)}" for m, r in sorted(meetings.items())) or "-",
        ],
        [
            "3. throughput (RTF)",
            f"{times(peer_rtf)} (ours over bare faster-whisper called alike: {times(floor_rtf)})",
        ],
        ["4. peak RSS", f"meetings {times(meeting_mem)}, files {times(files_mem)}"],
    ]
    return "\n\n".join(
        [
            "## Summary: ours / peer (below 1x is better for us)",
            table(["measure", "ratio"], rows),
        ]
    )


BUSY = 0.15


def background_section(results: RunResults) -> str:
    rows = [
        [label, f"{share:.0%}" + (" (disturbed)" if share >= BUSY else "")]
        for label, share in results.background_load.items()
    ]
    return "\n\n".join(
        [
            "## Background load",
            "Share of all CPUs used by processes other than the bench and the servers it "
            "started, during each measurement (each waits for the machine to be quiet first). "
            f"From {BUSY:.0%} on, that measurement's times are inflated.",
            table(["measurement", "other processes"], rows),
        ]
    )


def render(results: RunResults) -> str:
    """The whole report, as bench/results/results.md (plots next to it)."""
    header = (
        f"# Benchmark results ({results.mode} mode)\n\n"
        f"Run {results.started_at}, took {results.duration_s / 60:.1f} min. "
        "Generated by `script/bench`; do not edit by hand."
    )
    return "\n\n".join([header, *_body(results)]) + "\n"


def _body(results: RunResults) -> list[str]:
    sections = {
        "commands": commands_section,
        "meetings": meetings_section,
        "throughput": throughput_section,
        "memory": memory_section,
        "quantization": quantization_section,
        "concurrency": concurrency_section,
        "accuracy": lambda results: accuracy_section(results.accuracy) if results.accuracy else "",
        "background": background_section,
    }
    measured = results.measured()
    parts = [summary_section(results), setup_section(results)]
    parts += [section(results) for name, section in sections.items() if name in measured]
    if results.notes:
        parts.append("## Notes\n\n" + "\n".join(f"- {note}" for note in results.notes))
    return parts


RESULTS_START = "<!-- results:start -->"
RESULTS_END = "<!-- results:end -->"


def splice_into(document: Path, results: RunResults, images: str) -> None:
    """Replace what lies between the results markers of ``document`` with this run's report.

    Headings go one level down and plots are linked from ``images`` (relative to the document).
    """
    text = document.read_text(encoding="utf-8")
    before, start, rest = text.partition(RESULTS_START)
    _, end, after = rest.partition(RESULTS_END)
    if not start or not end:
        raise ValueError(f"{document} has no {RESULTS_START} ... {RESULTS_END} markers")
    body = "\n\n".join(_body(results))
    body = re.sub(r"^(#+) ", r"#\1 ", body, flags=re.MULTILINE)
    body = re.sub(r"\]\(([\w-]+\.png)\)", rf"]({images}\1)", body)
    stamp = (
        f"Latest run, {results.mode} mode: {results.started_at}, took "
        f"{results.duration_s / 60:.0f} min."
    )
    document.write_text(
        f"{before}{RESULTS_START}\n\n{stamp}\n\n{body}\n\n{RESULTS_END}{after}", encoding="utf-8"
    )
