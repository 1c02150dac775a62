"""A meeting's transcript as txt, srt, vtt, md and json, each valid for its format."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from .meeting import Meeting, Status
from .transcriber import TextSegment

PARAGRAPH_PAUSE_S = 2.0  # a pause this long starts a new paragraph
PARAGRAPH_MAX_S = 60.0
CUE_MAX_CHARS = 84  # two subtitle lines
CUE_LINE_CHARS = 42
MIN_CUE_S = 0.2


@dataclass(frozen=True, slots=True)
class Export:
    media_type: str
    render: Callable[[Meeting, list[TextSegment]], str]


def timestamp(seconds: float, separator: str = ".") -> str:
    """``HH:MM:SS,mmm`` (SRT) or ``HH:MM:SS.mmm`` (WebVTT)."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def clock(seconds: float) -> str:
    """``HH:MM:SS`` for a place in the recording."""
    return timestamp(seconds)[:8]


def duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True, slots=True)
class Paragraph:
    start: float
    speaker: str | None  # the name the speaker shows as
    text: str


def paragraphs(meeting: Meeting, segments: list[TextSegment]) -> list[Paragraph]:
    """Segments joined into paragraphs, a new one at each change of speaker or long pause."""
    result: list[tuple[float, str | None, list[str]]] = []
    last_end = float("-inf")
    for segment in segments:
        speaker = speaker_name(meeting, segment)
        paused = segment.start - last_end >= PARAGRAPH_PAUSE_S
        turn = not result or speaker != result[-1][1]
        if turn or paused or segment.end - result[-1][0] > PARAGRAPH_MAX_S:
            result.append((segment.start, speaker, []))
        result[-1][2].append(segment.text)
        last_end = segment.end
    return [Paragraph(start, speaker, " ".join(texts)) for start, speaker, texts in result]


def speaker_name(meeting: Meeting, segment: TextSegment) -> str | None:
    """The name a segment's speaker was given, else its label ("Speaker 2"); None if unknown."""
    if segment.speaker is None:
        return None
    return meeting.speakers.get(segment.speaker) or segment.speaker


@dataclass(frozen=True, slots=True)
class Cue:
    start: float
    end: float
    text: str
    speaker: str | None = None


def cues(segments: list[TextSegment], meeting: Meeting | None = None) -> list[Cue]:
    """Subtitle cues in order and not overlapping, at most two lines each.

    A long segment is split at word boundaries; its time is shared by the parts in proportion to
    their length.
    """
    result: list[Cue] = []
    previous_end = 0.0
    for segment in segments:
        text = " ".join(segment.text.split())
        if not text:
            continue
        parts = textwrap.wrap(text, CUE_MAX_CHARS, break_long_words=False) or [text]
        speaker = speaker_name(meeting, segment) if meeting else None
        start = max(segment.start, previous_end)
        span = max(segment.end - start, 0.0)
        total = sum(len(part) for part in parts)
        for part in parts:
            end = start + max(span * len(part) / total, MIN_CUE_S)
            lines = "\n".join(textwrap.wrap(part, CUE_LINE_CHARS, break_long_words=False))
            result.append(Cue(start, end, lines, speaker))
            start = end
        previous_end = start
    return result


def render_srt(meeting: Meeting, segments: list[TextSegment]) -> str:
    blocks = [
        f"{number}\n{timestamp(cue.start, ',')} --> {timestamp(cue.end, ',')}\n"
        f"{_said_by(cue.speaker, cue.text)}\n"
        for number, cue in enumerate(cues(segments, meeting), start=1)
    ]
    return "\n".join(blocks)


def render_vtt(meeting: Meeting, segments: list[TextSegment]) -> str:
    header = f"WEBVTT - {_one_line(meeting.title)}\n"
    blocks = [
        f"{timestamp(cue.start)} --> {timestamp(cue.end)}\n{_voice(cue.speaker)}"
        f"{_vtt_escape(cue.text)}\n"
        for cue in cues(segments, meeting)
    ]
    return "\n".join([header, *blocks])


def render_txt(meeting: Meeting, segments: list[TextSegment]) -> str:
    lines = [meeting.title, _when(meeting)]
    if meeting.participants:
        lines.append("Participants: " + ", ".join(str(p) for p in meeting.participants))
    if note := _status_note(meeting):
        lines.append(note)
    lines.append("")
    lines += [
        f"[{clock(p.start)}] {_said_by(p.speaker, p.text)}\n" for p in paragraphs(meeting, segments)
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_md(meeting: Meeting, segments: list[TextSegment]) -> str:
    lines = [f"# {_md(meeting.title)}", ""]
    lines.append(f"- **Date:** {_local_time(meeting)}")
    if meeting.participants:
        names = ", ".join(_md_participant(p.name, p.email) for p in meeting.participants)
        lines.append(f"- **Participants:** {names}")
    lines.append(f"- **Duration:** {duration(meeting.duration_s)}")
    if note := _status_note(meeting):
        lines.append(f"- **Note:** {_md(note)}")
    lines += ["", "## Transcript", ""]
    body = [
        f"**[{clock(p.start)}]** {f'**{_md(p.speaker)}:** ' if p.speaker else ''}{_md(p.text)}\n"
        for p in paragraphs(meeting, segments)
    ]
    lines += body or ["_No speech was transcribed._\n"]
    return "\n".join(lines)


def render_json(meeting: Meeting, segments: list[TextSegment]) -> str:
    return json.dumps(meeting.to_json(segments), ensure_ascii=False, indent=2) + "\n"


EXPORTS = {
    "txt": Export("text/plain", render_txt),
    "srt": Export("application/x-subrip", render_srt),
    "vtt": Export("text/vtt", render_vtt),
    "md": Export("text/markdown", render_md),
    "json": Export("application/json", render_json),
}


def _local_time(meeting: Meeting) -> str:
    return meeting.started_at.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def _when(meeting: Meeting) -> str:
    return f"{_local_time(meeting)}, {duration(meeting.duration_s)}"


def _status_note(meeting: Meeting) -> str | None:
    notes = []
    if meeting.status in (Status.RECORDING, Status.FINALIZING):
        notes.append(f"Transcript in progress ({meeting.status}).")
    elif meeting.status is not Status.DONE:
        notes.append(f"The meeting was {meeting.status}: {(meeting.error or '').rstrip('.')}.")
    if meeting.recovered:
        notes.append("Recovered after the server stopped unexpectedly.")
    return " ".join(notes) or None


def _said_by(speaker: str | None, text: str) -> str:
    return f"{speaker}: {text}" if speaker else text


def _voice(speaker: str | None) -> str:
    """A WebVTT voice tag; its annotation may hold no '>' and no line break."""
    return f"<v {_vtt_escape(_one_line(speaker))}>" if speaker else ""


def _one_line(text: str) -> str:
    return " ".join(text.replace("-->", "->").split())


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_participant(name: str | None, email: str | None) -> str:
    if name and email:
        return f"{_md(name)} ({_md(email)})"
    return _md(name or email or "")
