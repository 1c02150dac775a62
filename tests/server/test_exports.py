"""Exports stay valid for their format whatever the decoder's timestamps and the users' text."""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime

from wyoming_scribe.exports import (
    cues,
    render_json,
    render_md,
    render_srt,
    render_txt,
    render_vtt,
    timestamp,
)
from wyoming_scribe.meeting import Meeting, Participant, Source, Status
from wyoming_scribe.transcriber import TextSegment


def meeting(**changes: object) -> Meeting:
    base = Meeting(
        id="20261121-093000-3f2a9c",
        title="Weekly sync",
        participants=[Participant("Ada", "ada@example.com")],
        language="en",
        source=Source.MIC,
        status=Status.DONE,
        started_at=datetime(2026, 11, 21, 9, 30, tzinfo=UTC),
        duration_s=3725.0,
    )
    for name, value in changes.items():
        setattr(base, name, value)
    return base


def test_timestamps_in_both_subtitle_styles() -> None:
    assert timestamp(3725.4567, ",") == "01:02:05,457"
    assert timestamp(0.0) == "00:00:00.000"
    assert timestamp(-0.2) == "00:00:00.000"


def test_overlapping_and_backwards_segments_become_ordered_cues() -> None:
    segments = [
        TextSegment(1.0, 4.0, "first"),
        TextSegment(3.5, 5.0, "overlaps the first"),
        TextSegment(4.0, 4.0, "no length at all"),
        TextSegment(6.0, 7.0, "x " + "y" * 90),  # a sliver of text in its own cue
    ]
    result = cues(segments)
    assert [c.text for c in result][:3] == ["first", "overlaps the first", "no length at all"]
    assert result[3].text == "x"
    for cue, following in itertools.pairwise(result):
        assert round(cue.start, 3) < round(cue.end, 3) <= round(following.start, 3)
    assert result[-1].start < result[-1].end


def test_a_long_segment_is_split_into_two_line_cues_sharing_its_time() -> None:
    text = " ".join(f"word{n}" for n in range(60))
    result = cues([TextSegment(10.0, 40.0, text)])
    assert len(result) > 1
    assert result[0].start == 10.0
    assert abs(result[-1].end - 40.0) < 1e-9
    assert all(len(c.text.split("\n")) <= 2 for c in result)
    assert " ".join(c.text.replace("\n", " ") for c in result) == text


def test_srt_numbers_from_one_with_comma_milliseconds() -> None:
    srt = render_srt(meeting(), [TextSegment(0.5, 2.0, "Hello."), TextSegment(3.0, 4.25, "Bye.")])
    assert srt == (
        "1\n00:00:00,500 --> 00:00:02,000\nHello.\n\n2\n00:00:03,000 --> 00:00:04,250\nBye.\n"
    )


def test_vtt_escapes_markup_and_keeps_arrows_out_of_the_header() -> None:
    vtt = render_vtt(meeting(title="A --> B"), [TextSegment(0.0, 1.0, "x < y & <b>bold</b> -> z")])
    header, cue = vtt.split("\n\n")[:2]
    assert header == "WEBVTT - A -> B"
    assert cue == "00:00:00.000 --> 00:00:01.000\nx &lt; y &amp; &lt;b&gt;bold&lt;/b&gt; -&gt; z\n"


def test_markdown_escapes_what_people_typed() -> None:
    md = render_md(
        meeting(title="# *Launch* [plan]", participants=[Participant("a_b", None)]),
        [TextSegment(0.0, 1.0, "use *stars* and <tags>")],
    )
    assert md.startswith("# \\# \\*Launch\\* \\[plan\\]\n")
    assert "- **Participants:** a\\_b" in md
    assert "- **Duration:** 1:02:05" in md
    assert "**[00:00:00]** use \\*stars\\* and \\<tags\\>" in md


def test_paragraphs_break_at_long_pauses() -> None:
    segments = [
        TextSegment(0.0, 2.0, "One."),
        TextSegment(2.5, 4.0, "Two."),
        TextSegment(9.0, 10.0, "Three."),
    ]
    txt = render_txt(meeting(), segments)
    assert re.findall(r"^\[(\S+)\] (.*)$", txt, re.MULTILINE) == [
        ("00:00:00", "One. Two."),
        ("00:00:09", "Three."),
    ]


def test_an_unfinished_or_interrupted_meeting_says_so() -> None:
    interrupted = meeting(status=Status.INTERRUPTED, error="The disk is full.", recovered=True)
    txt = render_txt(interrupted, [])
    assert "The meeting was interrupted: The disk is full." in txt
    assert "Recovered after the server stopped unexpectedly." in txt
    assert "_No speech was transcribed._" in render_md(interrupted, [])
    assert render_srt(interrupted, []) == ""
    assert render_vtt(interrupted, []).startswith("WEBVTT")


def test_every_export_shows_who_speaks_by_the_name_they_were_given() -> None:
    segments = [
        TextSegment(0.0, 2.0, "Shall we start?", "Speaker 1"),
        TextSegment(2.3, 4.0, "Yes, the budget first.", "Speaker 2"),
        TextSegment(4.2, 6.0, "It is tight.", "Speaker 2"),
        TextSegment(6.5, 8.0, "Agreed.", "Speaker 1"),
    ]
    named = meeting(speakers={"Speaker 1": "Speaker 1", "Speaker 2": "Ada <CFO>"})
    txt = render_txt(named, segments)
    assert re.findall(r"^\[\S+\] (.*)$", txt, re.MULTILINE) == [
        "Speaker 1: Shall we start?",
        "Ada <CFO>: Yes, the budget first. It is tight.",
        "Speaker 1: Agreed.",
    ]
    md = render_md(named, segments)
    assert "**[00:00:02]** **Ada \\<CFO\\>:** Yes, the budget first. It is tight." in md
    assert "**[00:00:06]** **Speaker 1:** Agreed." in md
    vtt = render_vtt(named, segments)
    assert "<v Speaker 1>Shall we start?" in vtt
    assert "<v Ada &lt;CFO&gt;>It is tight." in vtt
    srt = render_srt(named, segments)
    assert "\nAda <CFO>: Yes, the budget first.\n" in srt
    assert [c.speaker for c in cues(segments, named)] == [
        "Speaker 1",
        "Ada <CFO>",
        "Ada <CFO>",
        "Speaker 1",
    ]
    data = json.loads(render_json(named, segments))
    assert [s["speaker"] for s in data["segments"]] == [s.speaker for s in segments]
    assert data["speakers"] == {"Speaker 1": "Speaker 1", "Speaker 2": "Ada <CFO>"}


def test_segments_without_speakers_export_as_before() -> None:
    txt = render_txt(meeting(), [TextSegment(0.0, 1.0, "Alone.")])
    assert re.findall(r"^\[\S+\] (.*)$", txt, re.MULTILINE) == ["Alone."]
    assert "<v " not in render_vtt(meeting(), [TextSegment(0.0, 1.0, "Alone.")])
