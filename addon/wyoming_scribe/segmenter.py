"""Cuts a live 16 kHz stream into speech segments while it arrives.

A segment opens when the VAD hears speech, closes after a pause of ``min_silence_s``, and is cut
at its longest inner pause when it would outgrow ``max_segment_s`` (Whisper sees 30 s at a time).
Silence between segments is dropped, so silence and noise never reach the decoder. Each segment
keeps ``lead_s`` of audio before the speech onset (never reaching back into the segment before)
and ``pad_s`` after its end.

With ``speculate_s`` set, a pause that long already yields the segment as *tentative* (not
final): decoding can start while the segmenter waits to be sure the speaker has stopped. If the
pause ends the segment, the final segment has exactly the same audio, so the tentative decode
stands; if speech resumes, the caller drops it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .audio_format import TARGET_RATE, Samples
from .vad import WINDOW, StreamingVad


@dataclass(frozen=True, slots=True)
class SegmenterConfig:
    min_silence_s: float
    max_segment_s: float
    threshold: float = 0.5
    min_speech_s: float = 0.25
    pad_s: float = 0.25  # audio kept after the speech
    lead_s: float = 0.25  # audio kept before the speech: Whisper hears the onset in context
    min_pause_s: float = 0.1
    speculate_s: float | None = None  # at least pad_s, less than min_silence_s

    def samples(self, seconds: float) -> int:
        return int(seconds * TARGET_RATE)


# Voice commands: close quickly so the last segment is decoding before the client stops sending.
# A second of lead: the first word of a short command is heard in context.
VOICE = SegmenterConfig(min_silence_s=0.6, max_segment_s=15.0, speculate_s=0.25, lead_s=1.0)
# Meetings: pack speech into long segments (one encoder pass covers 30 s, whatever the length).
MEETING = SegmenterConfig(min_silence_s=1.2, max_segment_s=28.0)


@dataclass(frozen=True, slots=True)
class SpeechSegment:
    start: int  # first sample, counted from the start of the stream
    audio: Samples
    final: bool = True

    @property
    def start_s(self) -> float:
        return self.start / TARGET_RATE

    @property
    def end_s(self) -> float:
        return (self.start + self.audio.size) / TARGET_RATE


class _AudioBuffer:
    """The recent audio of a stream as a list of chunks (no copy per chunk)."""

    def __init__(self) -> None:
        self.start = 0
        self.end = 0
        self._chunks: list[Samples] = []

    def append(self, audio: Samples) -> None:
        self._chunks.append(audio)
        self.end += audio.size

    def slice(self, begin: int, end: int) -> Samples:
        whole = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        self._chunks = [whole]
        return whole[begin - self.start : end - self.start]

    def drop_before(self, sample: int) -> None:
        while self._chunks and self.start + self._chunks[0].size <= sample:
            self.start += self._chunks.pop(0).size


@dataclass(slots=True)
class _OpenSegment:
    start: int  # where the segment's audio begins (speech onset less the padding)
    onset: int  # where speech was first heard
    silence_start: int | None = None
    pauses: list[tuple[int, int]] = field(default_factory=list)
    speculated: bool = False


class SpeechSegmenter:
    """Feed audio in any chunk size; get back the segments that closed."""

    def __init__(self, config: SegmenterConfig) -> None:
        self.config = config
        self._vad = StreamingVad()
        self._buffer = _AudioBuffer()
        self._windows_seen = 0
        self._open: _OpenSegment | None = None
        self._closed_end = 0  # where the last segment ended: a lead never reaches back over it
        self._neg_threshold = max(config.threshold - 0.15, 0.01)

    def feed(self, audio: Samples) -> list[SpeechSegment]:
        self._buffer.append(audio)
        closed: list[SpeechSegment] = []
        for probability in self._vad.process(audio):
            position = self._windows_seen * WINDOW
            self._windows_seen += 1
            segment = self._step(position, float(probability))
            if segment is not None:
                closed.append(segment)
        return closed

    def flush(self) -> list[SpeechSegment]:
        """End of stream: the open segment, if it holds enough speech."""
        current, self._open = self._open, None
        if current is None:
            return []
        end = self._buffer.end
        if current.silence_start is not None:
            end = min(end, current.silence_start + self.config.samples(self.config.pad_s))
        segment = self._close(current, end)
        return [segment] if segment else []

    def _step(self, position: int, probability: float) -> SpeechSegment | None:
        config = self.config
        window_end = position + WINDOW
        current = self._open
        if current is None:
            if probability >= config.threshold:
                lead_start = position - config.samples(config.lead_s)
                start = max(self._buffer.start, self._closed_end, lead_start)
                self._open = _OpenSegment(start=start, onset=position)
            else:
                self._buffer.drop_before(window_end - config.samples(config.lead_s))
            return None

        if probability >= config.threshold:
            if current.silence_start is not None:
                if position - current.silence_start >= config.samples(config.min_pause_s):
                    current.pauses.append((current.silence_start, position))
                current.silence_start = None
                current.speculated = False
        elif probability < self._neg_threshold and current.silence_start is None:
            current.silence_start = position

        if (
            current.silence_start is not None
            and window_end - current.silence_start >= config.samples(config.min_silence_s)
        ):
            self._open = None
            end = current.silence_start + config.samples(config.pad_s)
            segment = self._close(current, end)
            self._closed_end = end
            self._buffer.drop_before(window_end - config.samples(config.lead_s))
            return segment

        if window_end - current.start >= config.samples(config.max_segment_s):
            return self._cut_long(current, window_end)
        return self._speculate(current, window_end)

    def _speculate(self, current: _OpenSegment, window_end: int) -> SpeechSegment | None:
        speculate_s = self.config.speculate_s
        if speculate_s is None or current.speculated or current.silence_start is None:
            return None
        if window_end - current.silence_start < self.config.samples(speculate_s):
            return None
        current.speculated = True
        end = current.silence_start + self.config.samples(self.config.pad_s)
        segment = self._close(current, end)
        return None if segment is None else replace(segment, final=False)

    def _cut_long(self, current: _OpenSegment, window_end: int) -> SpeechSegment | None:
        """Split an overlong segment at its longest pause, or right here if it has none."""
        if current.pauses:
            begin, end = max(current.pauses, key=lambda pause: pause[1] - pause[0])
            cut, onset = (begin + end) // 2, end
        else:
            cut = onset = window_end
        segment = self._close(current, cut)
        self._open = _OpenSegment(
            start=cut,
            onset=onset,
            silence_start=current.silence_start,
            pauses=[p for p in current.pauses if p[0] > cut],
        )
        self._buffer.drop_before(cut)
        return segment

    def _close(self, current: _OpenSegment, end: int) -> SpeechSegment | None:
        end = min(end, self._buffer.end)
        speech_end = min(end, current.silence_start or end)
        if speech_end - current.onset < self.config.samples(self.config.min_speech_s):
            return None
        return SpeechSegment(current.start, self._buffer.slice(current.start, end).copy())
