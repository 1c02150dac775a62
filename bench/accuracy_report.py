"""The accuracy section of the report: WER per set and system, languages, words from noise."""

from __future__ import annotations

import math
from collections.abc import Sequence

import jiwer

from bench.scenarios.accuracy import (
    OFFLINE,
    OFFLINE_VAD,
    OURS_UPLOAD,
    OURS_WYOMING,
    PEER_WYOMING,
    SYSTEMS,
    AccuracyRun,
    AccuracySample,
    corpus_wer,
)
from bench.table import table
from bench.wer import normalize

SYSTEM_LABELS = {
    OURS_WYOMING: "ours, Wyoming",
    OURS_UPLOAD: "ours, upload",
    PEER_WYOMING: "wyoming-faster-whisper",
    OFFLINE: "offline",
    OFFLINE_VAD: "offline + VAD",
}
WORST_FILES = 3
SNIPPETS_PER_FILE = 3
CONTEXT_WORDS = 3


def percent(value: float) -> str:
    return "-" if math.isnan(value) else f"{100 * value:.1f} %"


def _groups(run: AccuracyRun, words_out: bool) -> list[tuple[str, str]]:
    """(set, model) in run order, speech sets or noise sets."""
    seen = dict.fromkeys((s.set_name, s.model) for s in run.samples)
    return [key for key in seen if (not any(s.reference for s in _of(run, *key))) == words_out]


def _of(run: AccuracyRun, set_name: str, model: str, system: str = "") -> list[AccuracySample]:
    return [
        s
        for s in run.samples
        if s.set_name == set_name and s.model == model and (not system or s.system == system)
    ]


def best_offline(samples: Sequence[AccuracySample]) -> tuple[str, float]:
    """The better of offline with and without faster-whisper's VAD: (system, WER)."""
    wers = [
        (system, corpus_wer([s for s in samples if s.system == system]))
        for system in (OFFLINE, OFFLINE_VAD)
    ]
    wers = [(system, wer) for system, wer in wers if not math.isnan(wer)]
    return min(wers, key=lambda pair: pair[1]) if wers else ("", math.nan)


def _points(value: float) -> str:
    return "-" if math.isnan(value) else f"{100 * value:+.1f}"


def wer_table(run: AccuracyRun) -> str:
    rows = []
    for set_name, model in _groups(run, words_out=False):
        samples = _of(run, set_name, model)
        per_system = {
            system: corpus_wer([s for s in samples if s.system == system]) for system in SYSTEMS
        }
        _, floor = best_offline(samples)
        files = len({s.name for s in samples})
        words = sum(len(normalize(s.reference).split()) for s in samples if s.system == OFFLINE)
        rows.append(
            [
                set_name,
                f"`{model}`",
                f"{files} ({words} words)",
                *(percent(per_system[system]) for system in SYSTEMS),
                _points(per_system[OURS_WYOMING] - floor),
                _points(per_system[OURS_UPLOAD] - floor),
            ]
        )
    headers = [
        "set",
        "model",
        "files",
        *(SYSTEM_LABELS[s] for s in SYSTEMS),
        "Wyoming - best offline",
        "upload - best offline",
    ]
    return table(headers, rows)


def speed_table(run: AccuracyRun) -> str:
    """Wall time over audio time per system, and peak memory: from this run's speech sets."""
    rows = []
    for model in dict.fromkeys(s.model for s in run.samples):
        for system in SYSTEMS:
            samples = [
                s for s in run.samples if s.model == model and s.system == system and s.reference
            ]
            audio = sum(s.audio_s for s in samples)
            if not samples or audio == 0:
                continue
            peak = run.peak_rss_mib.get(f"{model}|{system}", math.nan)
            rows.append(
                [
                    f"`{model}`",
                    SYSTEM_LABELS[system],
                    f"{audio / 60:.1f} min",
                    f"{sum(s.seconds for s in samples) / audio:.3f}",
                    "-" if math.isnan(peak) else f"{peak:.0f} MiB",
                ]
            )
    return table(["model", "system", "audio", "time / audio", "peak RSS"], rows)


def language_table(run: AccuracyRun) -> str:
    rows = []
    for set_name, model in _groups(run, words_out=False):
        samples = _of(run, set_name, model)
        languages = sorted({s.expected_language for s in samples} - {"en"})
        for language in languages:
            cell: list[str] = []
            for system in SYSTEMS:
                mine = [
                    s for s in samples if s.system == system and s.expected_language == language
                ]
                right = sum(1 for s in mine if s.language == language)
                said = any(s.language for s in mine)
                cell.append(
                    f"{percent(corpus_wer(mine))}"
                    + (f", {right}/{len(mine)} right" if said else ", language not reported")
                )
            rows.append([set_name, f"`{model}`", language, *cell])
    if not rows:
        return ""
    headers = ["set", "model", "language", *(SYSTEM_LABELS[s] for s in SYSTEMS)]
    return "\n\n".join(
        [
            "### Languages: WER and detected language, no language given",
            table(headers, rows),
        ]
    )


def words_out_table(run: AccuracyRun) -> str:
    rows = []
    for set_name, model in _groups(run, words_out=True):
        samples = _of(run, set_name, model)
        for name in dict.fromkeys(s.name for s in samples):
            counts = []
            for system in SYSTEMS:
                texts = [s.text for s in samples if s.system == system and s.name == name]
                counts.append(str(len(normalize(texts[0]).split())) if texts else "-")
            rows.append([f"`{model}`", name, *counts])
    if not rows:
        return ""
    examples = [
        f"- `{s.model}`, {SYSTEM_LABELS[s.system]}, {s.name}: “{s.text.strip()[:160]}”"
        for s in run.samples
        if not s.reference and normalize(s.text)
    ]
    return "\n\n".join(
        [
            "### Words out of noise and silence (must be 0)",
            table(["model", "file", *(SYSTEM_LABELS[s] for s in SYSTEMS)], rows),
            *(["What came out:", "\n".join(examples[:12])] if examples else []),
        ]
    )


def error_snippets(reference: str, hypothesis: str) -> list[str]:
    """Where the two differ, a few words either side: ``ref words`` → ``hyp words``."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        return [f"“{hyp[:120]}”"] if hyp else []
    if not hyp:
        return ["(nothing)"]
    output = jiwer.process_words(ref, hyp)
    ref_words, hyp_words = output.references[0], output.hypotheses[0]
    # Runs of chunks that are not "equal" (a substitution next to an insertion...) make one span.
    spans: list[list[int]] = []
    previous_equal = True
    for chunk in output.alignments[0]:
        if chunk.type == "equal":
            previous_equal = True
            continue
        if previous_equal:
            spans.append(
                [chunk.ref_start_idx, chunk.ref_end_idx, chunk.hyp_start_idx, chunk.hyp_end_idx]
            )
        else:
            spans[-1][1], spans[-1][3] = chunk.ref_end_idx, chunk.hyp_end_idx
        previous_equal = False
    snippets = []
    for ref_start, ref_end, hyp_start, hyp_end in spans:
        r0, r1 = max(0, ref_start - CONTEXT_WORDS), ref_end + CONTEXT_WORDS
        h0, h1 = max(0, hyp_start - CONTEXT_WORDS), hyp_end + CONTEXT_WORDS
        snippets.append(f"“{' '.join(ref_words[r0:r1])}” → “{' '.join(hyp_words[h0:h1])}”")
    return snippets


def _file_errors(sample: AccuracySample) -> tuple[float, int]:
    return text_errors(sample.reference, sample.text)


def text_errors(reference: str, text: str) -> tuple[float, int]:
    """One file's (WER, number of word errors) after normalising; WER NaN without reference."""
    ref, hyp = normalize(reference), normalize(text)
    if not ref:
        return math.nan, 0
    output = jiwer.process_words(ref, hyp)
    errors = output.substitutions + output.deletions + output.insertions
    return errors / len(ref.split()), errors


def worst_examples(run: AccuracyRun, systems: Sequence[str] = (OURS_WYOMING, OURS_UPLOAD)) -> str:
    """Per set and model, the files our server got most wrong, with where it went wrong."""
    lines: list[str] = []
    for set_name, model in _groups(run, words_out=False):
        for system in systems:
            samples = _of(run, set_name, model, system)
            ranked = sorted(samples, key=_rank_key, reverse=True)[:WORST_FILES]
            ranked = [s for s in ranked if _file_errors(s)[1] > 0]
            if not ranked:
                continue
            lines.append(f"- **{set_name}, `{model}`, {SYSTEM_LABELS[system]}**")
            for sample in ranked:
                wer, _ = _file_errors(sample)
                snippets = error_snippets(sample.reference, sample.text)
                lines.append(f"  - {sample.name} (WER {percent(wer)}):")
                lines += [f"    {snippet}" for snippet in snippets[:SNIPPETS_PER_FILE]]
    if not lines:
        return ""
    return "\n\n".join(
        [
            "### Worst examples (reference → what we returned, normalised)",
            "\n".join(lines),
        ]
    )


def _rank_key(sample: AccuracySample) -> tuple[float, int]:
    wer, errors = _file_errors(sample)
    return (-1.0 if math.isnan(wer) else wer, errors)


def pace_note(run: AccuracyRun) -> str:
    if not run.pace_checks:
        return (
            "Streams went as fast as the server took them; this run did not check real-time "
            "pace against that (a full run does)."
        )
    lines = []
    for check in run.pace_checks:
        same = "the same transcript" if check.identical else "a different transcript"
        lines.append(
            f"{check.name} ({check.audio_s / 60:.1f} min, `{check.model}`) streamed to our server "
            f"at real-time pace and as fast as it goes gave {same}: WER "
            f"{percent(text_errors(check.reference, check.realtime_text)[0])} at real time, "
            f"{percent(text_errors(check.reference, check.fast_text)[0])} fast."
        )
    return "Streams went as fast as the server took them. " + " ".join(lines)


def accuracy_section(run: AccuracyRun) -> str:
    captions = "\n".join(f"- {caption}" for caption in run.model_captions.values())
    flags = "; ".join(f"`{model}`: `{flags}`" for model, flags in run.settings.items())
    parts: list[str] = [
        "## Accuracy: word error rate, side by side",
        f"Models:\n\n{captions}",
        "Each file through every door, one model at a time: our server over Wyoming (the file "
        "streamed as one utterance, 20 ms chunks), our server's upload (`POST "
        "/api/transcriptions`, a meeting from a file), wyoming-faster-whisper 3.8.1 over "
        "Wyoming, and bare faster-whisper offline on the whole file with its defaults, without "
        f"and with its VAD. Server flags: {flags}. WER with jiwer over the set (corpus WER), after "
        "one normaliser for both sides (`bench/wer.py`: lower case, no punctuation, numbers as "
        "words). Noisy sets: the shared noise recordings (dishes, cat, pink, white, in turn) "
        "looped under the speech at the stated SNR (speech level over noise RMS), mixed by the "
        "bench itself. Voice commands get 0.7 s of silence after the speech, as from a "
        "satellite; they are not uploaded.",
        pace_note(run),
        wer_table(run),
        language_table(run),
        words_out_table(run),
        "### Time and memory in this run",
        "Wall time per file over its audio length (streams sent as fast as the server takes "
        "them, so this is ours and the peer's real-time factor) and each server's or offline "
        "process's peak RSS over all its files.",
        speed_table(run),
        worst_examples(run),
    ]
    return "\n\n".join(part for part in parts if part)
