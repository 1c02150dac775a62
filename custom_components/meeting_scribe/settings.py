"""The options a user set for a server, with the defaults filled in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant

from .const import (
    CONF_CONVERSATION_AGENT,
    CONF_EMAIL_ON_FINISH,
    CONF_EXPORT_FORMATS,
    CONF_LANGUAGE,
    CONF_NOTES_FOLDER,
    CONF_NOTIFY_SERVICE,
    CONF_RECIPIENTS,
    CONF_VOCABULARY,
    EXPORT_FORMATS,
    MEDIA_FOLDER_NAME,
)


def default_notes_folder(hass: HomeAssistant) -> Path:
    """`/media/meeting_scribe` on Home Assistant OS; elsewhere in the first media folder."""
    media = next(iter(hass.config.media_dirs.values()), hass.config.path("media"))
    return Path(media) / MEDIA_FOLDER_NAME


@dataclass(frozen=True, slots=True)
class ScribeSettings:
    """What to do with meetings: where notes go, in which formats, who gets them, which agent
    summarises them and which words the transcript should know."""

    notes_folder: Path
    export_formats: tuple[str, ...]
    language: str | None
    notify_service: str | None
    recipients: tuple[str, ...]
    email_on_finish: bool
    conversation_agent: str | None = None
    vocabulary: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, hass: HomeAssistant, options: Mapping[str, Any]) -> ScribeSettings:
        formats = options.get(CONF_EXPORT_FORMATS) or EXPORT_FORMATS
        folder = options.get(CONF_NOTES_FOLDER)
        return cls(
            notes_folder=Path(folder) if folder else default_notes_folder(hass),
            export_formats=tuple(f for f in EXPORT_FORMATS if f in formats),
            language=options.get(CONF_LANGUAGE) or None,
            notify_service=options.get(CONF_NOTIFY_SERVICE) or None,
            recipients=tuple(options.get(CONF_RECIPIENTS) or ()),
            email_on_finish=bool(options.get(CONF_EMAIL_ON_FINISH, False)),
            conversation_agent=options.get(CONF_CONVERSATION_AGENT) or None,
            vocabulary=tuple(options.get(CONF_VOCABULARY) or ()),
        )
