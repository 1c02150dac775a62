"""A meeting: who, when, where its audio came from, where it stands; and its JSON forms."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parseaddr
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from .transcriber import TextSegment
from .vocabulary import VocabularyError, parse_vocabulary

MEETING_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
MAX_TITLE = 200
MAX_PARTICIPANTS = 100
MAX_SPEAKER_NAME = 100


class MeetingRequestError(ValueError):
    """A client asked for a meeting in a way that cannot be honoured."""


class Status(StrEnum):
    RECORDING = "recording"
    FINALIZING = "finalizing"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"

    @property
    def is_final(self) -> bool:
        return self in (Status.DONE, Status.FAILED, Status.INTERRUPTED)


class Source(StrEnum):
    MIC = "mic"
    FILE = "file"


@dataclass(frozen=True, slots=True)
class Participant:
    name: str | None
    email: str | None

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "email": self.email}

    def __str__(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or ""


@dataclass(slots=True)
class Meeting:
    """Everything about a meeting but its segments, which live in the store."""

    id: str
    title: str
    participants: list[Participant]
    language: str | None
    source: Source
    status: Status
    started_at: datetime
    ended_at: datetime | None = None
    duration_s: float = 0.0
    error: str | None = None
    recovered: bool = False
    vocabulary: list[str] = field(default_factory=list)
    # Every speaker label of the transcript and the name it shows as (the label, until renamed).
    speakers: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The meeting as lists and event streams show it (no segments, no text)."""
        return {
            "id": self.id,
            "title": self.title,
            "participants": [p.to_json() for p in self.participants],
            "language": self.language,
            "source": str(self.source),
            "status": str(self.status),
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "ended_at": self.ended_at.isoformat(timespec="seconds") if self.ended_at else None,
            "duration_s": round(self.duration_s, 2),
            "error": self.error,
            "recovered": self.recovered,
            "vocabulary": self.vocabulary,
            "speakers": dict(self.speakers),
        }

    def to_json(self, segments: list[TextSegment]) -> dict[str, Any]:
        """The whole meeting, as ``GET /meetings/{id}`` answers."""
        return {
            **self.summary(),
            "segments": [segment_json(s) for s in segments],
            "text": " ".join(s.text for s in segments),
        }

    @classmethod
    def from_summary(cls, data: dict[str, Any]) -> Meeting:
        """Read back what ``summary`` wrote (the store's ``meeting.json``)."""
        ended_at = data.get("ended_at")
        return cls(
            id=data["id"],
            title=data["title"],
            participants=[Participant(p.get("name"), p.get("email")) for p in data["participants"]],
            language=data.get("language"),
            source=Source(data["source"]),
            status=Status(data["status"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            ended_at=datetime.fromisoformat(ended_at) if ended_at else None,
            duration_s=float(data.get("duration_s") or 0.0),
            error=data.get("error"),
            recovered=bool(data.get("recovered")),
            vocabulary=list(data.get("vocabulary") or []),
            speakers={str(k): str(v) for k, v in (data.get("speakers") or {}).items()},
        )


def segment_json(segment: TextSegment) -> dict[str, Any]:
    return {
        "start": segment.start,
        "end": segment.end,
        "text": segment.text,
        "speaker": segment.speaker,
    }


def segment_from_json(data: dict[str, Any]) -> TextSegment:
    speaker = data.get("speaker")
    return TextSegment(
        float(data["start"]),
        float(data["end"]),
        str(data["text"]),
        str(speaker) if speaker is not None else None,
    )


def renamed_speakers(speakers: dict[str, str], names: Any) -> dict[str, str]:
    """``speakers`` with the names a client gave (``{"Speaker 2": "Ada"}``; an empty name or null
    gives the label back)."""
    if not isinstance(names, dict) or not names:
        raise MeetingRequestError('speakers must be an object such as {"Speaker 2": "Ada"}')
    renamed = dict(speakers)
    for label, name in names.items():
        if label not in speakers:
            known = ", ".join(speakers) or "none yet"
            raise MeetingRequestError(f"No speaker {label!r} in this meeting (speakers: {known})")
        if name is not None and not isinstance(name, str):
            raise MeetingRequestError(f"the name of {label!r} must be a string")
        cleaned = " ".join((name or "").split())
        if len(cleaned) > MAX_SPEAKER_NAME:
            raise MeetingRequestError(
                f"a speaker name is longer than {MAX_SPEAKER_NAME} characters"
            )
        renamed[label] = cleaned or label
    return renamed


def new_meeting_id(now: datetime) -> str:
    """Sortable by start time and unguessable enough to be unique: ``20261121-093000-3f2a9c``."""
    return f"{now.astimezone(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class MeetingRequest:
    """What a client asked for when it started a meeting or uploaded a file."""

    title: str | None = None
    participants: list[Participant] = field(default_factory=list)
    language: str | None = None
    vocabulary: list[str] = field(default_factory=list)

    @classmethod
    def from_fields(
        cls, title: Any, participants: Any, language: Any, vocabulary: Any = None
    ) -> MeetingRequest:
        """Check and clean the fields a client sent (JSON body, form fields or query)."""
        try:
            terms = parse_vocabulary(vocabulary)
        except VocabularyError as err:
            raise MeetingRequestError(str(err)) from err
        return cls(
            title=_title(title),
            participants=parse_participants(participants),
            language=_language(language),
            vocabulary=terms,
        )


def _title(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MeetingRequestError("title must be a string")
    title = _one_line(value)
    if len(title) > MAX_TITLE:
        raise MeetingRequestError(f"title is longer than {MAX_TITLE} characters")
    return title or None


def title_from_filename(filename: str) -> str | None:
    """An upload's file name as a title, by the title rules: one line, at most MAX_TITLE."""
    title = _one_line(PurePath(filename.replace("\\", "/")).stem)
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    return title or None


def _one_line(text: str) -> str:
    """Whitespace and control characters (newlines, tabs, NUL...) collapsed to single spaces."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def _language(value: Any) -> str | None:
    if value is None or value in ("", "auto"):
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[a-z]{2,3}(_[a-z]+)?", value):
        raise MeetingRequestError(f"language must be a code such as 'en', not {value!r}")
    return value


def parse_participants(value: Any) -> list[Participant]:
    """``[{"name", "email"}]``, ``"ada@example.com"`` or ``"Ada Lovelace <ada@example.com>"``."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise MeetingRequestError("participants must be a list")
    if len(value) > MAX_PARTICIPANTS:
        raise MeetingRequestError(f"more than {MAX_PARTICIPANTS} participants")
    return [_participant(item) for item in value]


def _participant(item: Any) -> Participant:
    if isinstance(item, str):
        name, email = parseaddr(item)
        if not email or "@" not in email:
            name, email = item, ""
    elif isinstance(item, dict):
        name, email = item.get("name") or "", item.get("email") or ""
    else:
        raise MeetingRequestError(f"a participant must be an object or a string, not {item!r}")
    if not isinstance(name, str) or not isinstance(email, str):
        raise MeetingRequestError(f"participant name and email must be strings: {item!r}")
    name, email = " ".join(name.split()), email.strip()
    if email and not re.fullmatch(r"[^@\s<>,]+@[^@\s<>,]+", email):
        raise MeetingRequestError(f"{email!r} is not an email address")
    if not name and not email:
        raise MeetingRequestError(f"a participant needs a name or an email address: {item!r}")
    return Participant(name or None, email or None)
