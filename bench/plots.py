"""PNG plots of a run, one per question, next to the markdown report."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bench.results import RunResults
from bench.stats import summarize

COLOURS = {"ours": "#1f77b4", "peer": "#ff7f0e"}
FLOOR_COLOUR = "#7f7f7f"


def _save(figure: Figure, path: Path, title: str, model: str) -> None:
    figure.suptitle(f"{title}\nmodel: {model}", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def commands(results: RunResults, path: Path) -> None:
    figure, axes = plt.subplots(figsize=(7, 3.2))
    servers = [s for s in results.servers.values() if s.commands]
    data = [[sample.latency_s for sample in s.commands] for s in servers]
    if data:
        axes.boxplot(data, vert=False, tick_labels=[s.label for s in servers], showmeans=True)
        for row, (server, latencies) in enumerate(zip(servers, data, strict=True), start=1):
            axes.scatter(
                latencies, [row] * len(latencies), s=8, alpha=0.5, color=COLOURS.get(server.key)
            )
    axes.set_xlabel("audio-stop → transcript (s)")
    axes.set_xlim(left=0)
    _save(figure, path, "Voice commands", results.model)


def meetings(results: RunResults, path: Path) -> None:
    figure, axes = plt.subplots(figsize=(6, 3.6))
    for server in results.servers.values():
        points = sorted((m.minutes, m.latency_s) for m in server.meetings)
        if points:
            axes.plot(
                *zip(*points, strict=True),
                marker="o",
                label=server.label,
                color=COLOURS.get(server.key),
            )
    axes.set_xlabel("meeting length (min)")
    axes.set_ylabel("end of audio → final transcript (s)")
    axes.set_ylim(bottom=0)
    axes.legend()
    pace = "" if results.meeting_pace == 1 else f", streamed at {results.meeting_pace:g}x"
    _save(figure, path, f"Meetings{pace}", results.model)


def throughput(results: RunResults, path: Path) -> None:
    figure, axes = plt.subplots(figsize=(6, 3.2))
    bars = [
        (s.label, s.throughput.rtf, COLOURS.get(s.key))
        for s in results.servers.values()
        if s.throughput is not None
    ]
    bars += [(run.system, run.rtf, FLOOR_COLOUR) for run in results.floor]
    _bars(axes, bars, "real-time factor (lower is faster)")
    _save(figure, path, "Throughput on the long files", results.model)


def memory(results: RunResults, path: Path) -> None:
    figure, axes = plt.subplots(figsize=(7, 3.4))
    servers = list(results.servers.values())
    width = 0.8 / max(len(servers), 1)
    for index, server in enumerate(servers):
        labels = ["ready"] + [f"meeting {m.minutes:g} min" for m in server.meetings]
        values = [server.ready_rss_mib] + [m.peak_rss_mib for m in server.meetings]
        if server.throughput is not None:
            labels.append("files")
            values.append(server.throughput.peak_rss_mib)
        positions = [x + index * width for x in range(len(values))]
        axes.bar(positions, values, width, label=server.label, color=COLOURS.get(server.key))
        axes.set_xticks([x + width * (len(servers) - 1) / 2 for x in range(len(labels))], labels)
    axes.set_ylabel("peak RSS (MiB)")
    axes.legend()
    _save(figure, path, "Memory", results.model)


def quantization(results: RunResults, path: Path) -> None:
    figure, (speed, peak) = plt.subplots(1, 2, figsize=(9, 3.6))
    models = list(dict.fromkeys(cell.model for cell in results.quantization))
    types = list(dict.fromkeys(cell.compute_type for cell in results.quantization))
    width = 0.8 / max(len(types), 1)
    for index, compute_type in enumerate(types):
        cells = {c.model: c for c in results.quantization if c.compute_type == compute_type}
        positions = [x + index * width for x in range(len(models))]
        speed.bar(positions, [cells[m].rtf if m in cells else 0 for m in models], width)
        peak.bar(
            positions,
            [cells[m].peak_rss_mib if m in cells else 0 for m in models],
            width,
            label=compute_type,
        )
    for axes, label in ((speed, "real-time factor"), (peak, "peak RSS (MiB)")):
        axes.set_xticks(
            [x + width * (len(types) - 1) / 2 for x in range(len(models))],
            [m.replace("-int8", "") for m in models],
            fontsize=7,
        )
        axes.set_ylabel(label)
    peak.legend(fontsize=8)
    untrained = [c.model for c in results.quantization if not c.pretrained]
    note = (
        f"models not pretrained: {', '.join(dict.fromkeys(untrained))}"
        if untrained
        else "pretrained models"
    )
    figure.suptitle(f"Quantization (bare faster-whisper)\n{note}", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def concurrency(results: RunResults, path: Path) -> None:
    figure, axes = plt.subplots(figsize=(6, 3.6))
    for server in results.servers.values():
        counts = sorted({r.clients for r in server.concurrency})
        medians, p90s = [], []
        for clients in counts:
            latencies = [
                s.latency_s for r in server.concurrency if r.clients == clients for s in r.samples
            ]
            summary = summarize(latencies)
            medians.append(summary.median)
            p90s.append(summary.p90)
        colour = COLOURS.get(server.key)
        axes.plot(counts, medians, marker="o", color=colour, label=f"{server.label} median")
        axes.plot(counts, p90s, marker="x", linestyle="--", color=colour, label="p90")
    axes.set_xlabel("simultaneous clients")
    axes.set_ylabel("audio-stop → transcript (s)")
    axes.set_ylim(bottom=0)
    axes.legend(fontsize=8)
    _save(figure, path, "Concurrent voice commands", results.model)


def _bars(axes: Axes, bars: list[tuple[str, float, str | None]], ylabel: str) -> None:
    labels = [label for label, _, _ in bars]
    values = [value for _, value, _ in bars]
    colours = [colour or FLOOR_COLOUR for _, _, colour in bars]
    axes.bar(range(len(bars)), values, color=colours)
    axes.set_xticks(range(len(bars)), labels, fontsize=7)
    for x, value in enumerate(values):
        axes.annotate(f"{value:.3f}", (x, value), ha="center", va="bottom", fontsize=8)
    axes.set_ylabel(ylabel)


def write_all(results: RunResults, directory: Path) -> list[Path]:
    """A plot for each question the run has data for; returns the files written."""
    plots = {
        "commands": commands,
        "meetings": meetings,
        "throughput": throughput,
        "memory": memory,
        "quantization": quantization,
        "concurrency": concurrency,
    }
    written = []
    for name in results.measured() & plots.keys():
        path = directory / f"{name}.png"
        plots[name](results, path)
        written.append(path)
    return written
