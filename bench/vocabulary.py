"""The team's own words: names and terms written right with and without the meeting's vocabulary.

Ten sentences full of names and product words are spoken by espeak-ng; the real server's
transcriber (the same decode path and hotwords a meeting uses) writes each twice, without and
with the vocabulary. Reports, for each run, how many of the names and terms came out exactly
(normalised, as whole words) and the word error rate.

    .venv/bin/python -m bench.vocabulary [--model DIR] [--temperature-fallback N] [--json FILE]

Deterministic: greedy decoding, no temperature fallback (``--temperature-fallback 0``, as the
server's default); a higher value retries looping decodes warmer, as the server's flag does.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from faster_whisper import decode_audio
from wyoming_scribe.settings import Settings
from wyoming_scribe.transcriber import DecodeOptions, Transcriber
from wyoming_scribe.vocabulary import hotwords

from bench.paths import MODELS_DIR
from bench.wer import normalize, word_error_rate

PARTICIPANTS = ["Siobhan Nguyen", "Aoife Brennan", "Joaquin Oyelaran", "Tadhg Kowalczyk"]
GLOSSARY = ["Zyxel", "Kubernetes", "Grafana", "OKR", "Nextcloud", "Zigbee"]
TITLE = "Zyxel firmware roadmap"


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    terms: tuple[str, ...]  # the names and words of the vocabulary it says


SENTENCES = [
    Sentence("Siobhan Nguyen from Zyxel will send the quarterly report on Friday.",
             ("Siobhan Nguyen", "Zyxel")),
    Sentence("Aoife Brennan moved the dashboards to Grafana last week.",
             ("Aoife Brennan", "Grafana")),
    Sentence("Joaquin Oyelaran asked whether the Kubernetes cluster is ready.",
             ("Joaquin Oyelaran", "Kubernetes")),
    Sentence("Tadhg Kowalczyk owns the Zigbee pairing problem.", ("Tadhg Kowalczyk", "Zigbee")),
    Sentence("The OKR for this quarter is a stable Nextcloud backup.", ("OKR", "Nextcloud")),
    Sentence("Siobhan will call Zyxel support about the firmware.", ("Siobhan", "Zyxel")),
    Sentence("Aoife and Tadhg will review the Grafana alerts together.",
             ("Aoife", "Tadhg", "Grafana")),
    Sentence("Joaquin thinks Nextcloud needs more disk space.", ("Joaquin", "Nextcloud")),
    Sentence("The Zigbee coordinator reboots every night, said Kowalczyk.",
             ("Zigbee", "Kowalczyk")),
    Sentence("Nguyen and Oyelaran will present the Kubernetes plan.",
             ("Nguyen", "Oyelaran", "Kubernetes")),
]  # fmt: skip


def speak(text: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True, capture_output=True)
    return path


def terms_right(sentence: Sentence, transcript: str) -> int:
    """How many of the sentence's names and terms the transcript spells exactly."""
    heard = f" {normalize(transcript)} "
    return sum(f" {normalize(term)} " in heard for term in sentence.terms)


@dataclass(frozen=True, slots=True)
class Run:
    terms_right: int
    wer: float
    transcripts: list[str]


def run(model: Path, temperature_fallback: int = 0) -> dict[str, Run]:
    """Each sentence decoded without and with the vocabulary."""
    settings = Settings(model=str(model), cpu_threads=2, temperature_fallback=temperature_fallback)
    transcriber = Transcriber(settings)
    options = {
        "without": DecodeOptions(language="en"),
        "with": DecodeOptions(language="en", hotwords=hotwords(PARTICIPANTS, GLOSSARY, TITLE)),
    }
    transcripts: dict[str, list[str]] = {name: [] for name in options}
    with tempfile.TemporaryDirectory() as folder:
        for number, sentence in enumerate(SENTENCES):
            audio = decode_audio(str(speak(sentence.text, Path(folder) / f"{number}.wav")))
            for name, decode_options in options.items():
                decoded = transcriber.transcribe(audio, decode_options)
                transcripts[name].append(" ".join(s.text.strip() for s in decoded.segments))
    references = [sentence.text for sentence in SENTENCES]
    return {
        name: Run(
            terms_right=sum(terms_right(s, t) for s, t in zip(SENTENCES, texts, strict=True)),
            wer=round(word_error_rate(references, texts), 3),
            transcripts=texts,
        )
        for name, texts in transcripts.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODELS_DIR / "whisper-tiny.en-int8")
    parser.add_argument(
        "--temperature-fallback",
        type=int,
        default=0,
        help="retries at a higher temperature, as the server's flag (default 0: deterministic)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    runs = run(args.model, args.temperature_fallback)
    terms = sum(len(sentence.terms) for sentence in SENTENCES)
    print(f"{args.model.name}: {terms} names and terms in {len(SENTENCES)} sentences")
    print(f"vocabulary: {hotwords(PARTICIPANTS, GLOSSARY, TITLE)}")
    for name, result in runs.items():
        print(f"{name:>7} vocabulary: {result.terms_right}/{terms} right, WER {result.wer:.1%}")
    for number, sentence in enumerate(SENTENCES):
        print(f"\n  said:    {sentence.text}")
        for name, result in runs.items():
            print(f"  {name + ':':<8} {result.transcripts[number]}")
    if args.json:
        data = {"model": args.model.name, "terms": terms} | {
            name: asdict(result) for name, result in runs.items()
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    main()
