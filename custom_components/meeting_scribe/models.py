"""The add-on's JSON objects as typed values (docs/api.md: Meeting, Health, event streams)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses
from enum import StrEnum
from typing import Any

_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


class MeetingStatus(StrEnum):
    """Where a meeting is in its life."""

    RECORDING = "recording"
    FINALIZING = "finalizing"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


ACTIVE_STATUSES = frozenset({MeetingStatus.RECORDING, MeetingStatus.FINALIZING})
# A meeting in these states has a transcript worth keeping (interrupted keeps what it heard).
TRANSCRIBED_STATUSES = frozenset({MeetingStatus.DONE, MeetingStatus.INTERRUPTED})


class InvalidParticipantError(ValueError):
    """Text that names no e-mail address."""

    def __init__(self, text: str) -> None:
        super().__init__(f"Not an e-mail address: {text!r}")
        self.text = text


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone at the meeting; the e-mail address is where the notes go."""

    name: str
    email: str

    @classmethod
    def from_json(cls, data: Any) -> Participant:
        if isinstance(data, str):
            return parse_participants([data])[0]
        return cls(name=str(data.get("name") or ""), email=str(data.get("email") or ""))

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email}

    @property
    def display_name(self) -> str:
        return self.name or self.email


def parse_participants(texts: list[str]) -> list[Participant]:
    """Read "ada@example.com" or "Ada Lovelace <ada@example.com>" (several per text allowed)."""
    participants: list[Participant] = []
    for text in texts:
        if not text.strip():
            continue
        pairs = getaddresses([text])
        if not pairs or any(not _EMAIL.match(email) for _, email in pairs):
            raise InvalidParticipantError(text)
        participants.extend(Participant(name=name.strip(), email=email) for name, email in pairs)
    return participants


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of speech and its words; times are seconds from the start of the recording."""

    start: float
    end: float
    text: str
    speaker: str | None = None  # "Speaker 2": the label the server gave the voice

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Segment:
        speaker = data.get("speaker")
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            text=str(data["text"]),
            speaker=str(speaker) if speaker else None,
        )


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting, or its summary when `text` and `segments` are None."""

    id: str
    title: str
    participants: tuple[Participant, ...]
    language: str | None
    source: str
    status: MeetingStatus
    started_at: datetime | None
    ended_at: datetime | None
    duration_s: float | None
    text: str | None = None
    segments: tuple[Segment, ...] | None = None
    error: str | None = None
    recovered: bool = False
    speakers: Mapping[str, str] = field(default_factory=dict)  # label → the name it shows as

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Meeting:
        segments = data.get("segments")
        duration = data.get("duration_s")
        return cls(
            id=str(data["id"]),
            title=str(data.get("title") or ""),
            participants=tuple(Participant.from_json(p) for p in data.get("participants") or ()),
            language=data.get("language"),
            source=str(data.get("source") or "mic"),
            status=MeetingStatus(data["status"]),
            started_at=_time(data.get("started_at")),
            ended_at=_time(data.get("ended_at")),
            duration_s=float(duration) if duration is not None else None,
            text=data.get("text"),
            segments=None if segments is None else tuple(Segment.from_json(s) for s in segments),
            error=data.get("error"),
            recovered=bool(data.get("recovered")),
            speakers={str(k): str(v) for k, v in (data.get("speakers") or {}).items()},
        )

    def as_summary(self) -> dict[str, Any]:
        """The summary as JSON-ready values (what events and action responses carry)."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "source": self.source,
            "language": self.language,
            "participants": [p.as_json() for p in self.participants],
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "duration_s": self.duration_s,
            "error": self.error,
            "speakers": dict(self.speakers),
        }

    @property
    def transcript(self) -> str | None:
        """The text, a paragraph per speaker turn ("Ada: …") when the server told speakers apart."""
        if not self.segments or not any(s.speaker for s in self.segments):
            return self.text
        turns: list[tuple[str, list[str]]] = []
        for segment in self.segments:
            name = self.speakers.get(segment.speaker or "") or segment.speaker or ""
            if not turns or turns[-1][0] != name:
                turns.append((name, []))
            turns[-1][1].append(segment.text)
        return "\n\n".join(f"{name}: {' '.join(texts)}" for name, texts in turns)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def has_transcript(self) -> bool:
        return self.status in TRANSCRIBED_STATUSES

    @property
    def emails(self) -> list[str]:
        return [p.email for p in self.participants if p.email]


@dataclass(frozen=True, slots=True)
class Health:
    """What `GET /api/health` and the stream's `hello` event say about the server."""

    status: str
    version: str | None
    model: str | None
    compute_type: str | None
    languages: tuple[str, ...]
    queue_depth: int
    recording: str | None
    error: str | None
    server_id: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Health:
        return cls(
            status=str(data.get("status") or "error"),
            version=data.get("version"),
            model=data.get("model"),
            compute_type=data.get("compute_type"),
            languages=tuple(data.get("languages") or ()),
            queue_depth=int(data.get("queue_depth") or 0),
            recording=data.get("recording"),
            error=data.get("error"),
            server_id=data.get("server_id"),
        )


@dataclass(frozen=True, slots=True)
class HelloEvent:
    """First event of the server stream: the server's health."""

    health: Health


@dataclass(frozen=True, slots=True)
class MeetingEvent:
    """A meeting's status changed; carries its summary."""

    meeting: Meeting


@dataclass(frozen=True, slots=True)
class SegmentEvent:
    """A meeting committed a new segment."""

    meeting_id: str
    segment: Segment


type ServerEvent = HelloEvent | MeetingEvent | SegmentEvent


def server_event(name: str, data: dict[str, Any]) -> ServerEvent | None:
    """Turn one Server-Sent Event into a typed event; None for kinds this client does not know."""
    if name == "hello":
        return HelloEvent(Health.from_json(data))
    if name in ("meeting", "status"):
        return MeetingEvent(Meeting.from_json(data))
    if name == "segment":
        return SegmentEvent(str(data["meeting_id"]), Segment.from_json(data))
    return None
