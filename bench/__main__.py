"""``python -m bench [--full]``: measure, print the tables, write bench/results/."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from pathlib import Path

from bench import plots, report
from bench.models import SERVING_MODELS, TINY_EN, user_model
from bench.modes import FULL, QUICK
from bench.paths import MANIFEST, REPO_ROOT, RESULTS_DIR
from bench.peer_venv import ensure_peer_venv
from bench.results import RunResults, load
from bench.run import run
from bench.servers import OURS, PEER, Server

SCENARIOS = ("commands", "concurrency", "meetings", "throughput", "quantization", "accuracy")
LOG_DIR = RESULTS_DIR / "tmp" / "logs"
BENCHMARKS_DOC = REPO_ROOT / "docs" / "benchmarks.md"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="script/bench",
        description="Meeting Scribe side by side with wyoming-faster-whisper 3.8.1 "
        "(quick mode unless --full).",
    )
    parser.add_argument("--full", action="store_true", help="the full run (about an hour)")
    parser.add_argument(
        "--servers",
        default="peer,ours",
        help="comma-separated, from: peer, ours (default: both)",
    )
    parser.add_argument(
        "--only",
        default=",".join(SCENARIOS),
        help=f"comma-separated scenarios (default: all of {', '.join(SCENARIOS)})",
    )
    parser.add_argument(
        "--model",
        choices=sorted(SERVING_MODELS),
        default=TINY_EN.name,
        help="the model both servers run for the latency, meeting, throughput, memory and "
        "concurrency measurements (default: %(default)s; the accuracy and quantization "
        "measurements run both)",
    )
    parser.add_argument(
        "--quant-model",
        type=Path,
        action="append",
        default=[],
        help="another CTranslate2 model directory for the quantization sweep; its WER is "
        "reported as a pretrained model's (repeatable)",
    )
    parser.add_argument(
        "--manifest",
        type=Path,
        default=MANIFEST,
        help="JSON-lines manifest (path, text) for the quantization sweep's WER "
        "(default: the shared assets' commands)",
    )
    parser.add_argument(
        "--accuracy-sets",
        default="",
        help="comma-separated accuracy sets to keep, as SET or SET@MODEL, e.g. "
        "'commands,long@whisper-tiny.en-int8' (default: all)",
    )
    parser.add_argument(
        "--accuracy-pace",
        type=float,
        help="stream the accuracy files at this multiple of real time (default: as fast as "
        "the server takes them; a full run checks once that pace changes nothing)",
    )
    parser.add_argument("--out", type=Path, help="results directory (default: bench/results)")
    parser.add_argument(
        "--render",
        type=Path,
        metavar="DIR",
        help="measure nothing: write the report and plots of DIR/results.json again",
    )
    return parser.parse_args(argv)


def chosen_servers(names: str) -> list[Server]:
    known = {server.key: server for server in (PEER, OURS)}
    servers = []
    for name in filter(None, (part.strip() for part in names.split(","))):
        if name not in known:
            raise SystemExit(f"unknown server {name!r}: choose from {', '.join(known)}")
        if name == "ours" and not (REPO_ROOT / "addon" / "wyoming_scribe" / "__main__.py").exists():
            print("Our server (addon/wyoming_scribe/__main__.py) is not there yet: peer only.")
            continue
        servers.append(known[name])
    return servers


def results_directory(args: argparse.Namespace) -> Path:
    if args.out is not None:
        return Path(args.out)
    if args.full:
        return RESULTS_DIR
    # Quick runs are previews: kept out of git so the committed results stay a full run.
    quick = RESULTS_DIR / "quick"
    quick.mkdir(parents=True, exist_ok=True)
    (quick / ".gitignore").write_text("*\n")
    return quick


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.render is not None:
        publish(load(args.render / "results.json"), args.render)
        return
    mode = FULL if args.full else QUICK
    scenarios = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    servers = chosen_servers(args.servers)
    if PEER in servers:
        ensure_peer_venv(LOG_DIR / "peer-install.log")
    out = results_directory(args)
    out.mkdir(parents=True, exist_ok=True)
    results = asyncio.run(
        run(
            mode,
            servers,
            scenarios,
            LOG_DIR,
            extra_models=[user_model(path) for path in args.quant_model],
            manifest=args.manifest,
            accuracy_sets=[name.strip() for name in args.accuracy_sets.split(",") if name.strip()],
            accuracy_pace=args.accuracy_pace,
            model=SERVING_MODELS[args.model],
        )
    )
    results.save(out / "results.json")
    publish(results, out)


def publish(results: RunResults, out: Path) -> None:
    """The report and plots in ``out``; a run written to bench/results also updates the docs."""
    markdown = report.render(results)
    (out / "results.md").write_text(markdown, encoding="utf-8")
    plots.write_all(results, out)
    if out.resolve() == RESULTS_DIR.resolve():
        report.splice_into(BENCHMARKS_DOC, results, images="../bench/results/")
    print()
    print(markdown)
    where = out.resolve()
    print(f"Wrote {where.relative_to(REPO_ROOT) if where.is_relative_to(REPO_ROOT) else where}/")


if __name__ == "__main__":
    main()
