"""Names shared by the Meeting Scribe integration's modules."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "meeting_scribe"
LOGGER = logging.getLogger(__package__)

DEFAULT_PORT: Final = 10301
MEDIA_FOLDER_NAME: Final = "meeting_scribe"

CONF_NOTIFY_SERVICE: Final = "notify_service"
CONF_RECIPIENTS: Final = "recipients"
CONF_LANGUAGE: Final = "language"
CONF_EXPORT_FORMATS: Final = "export_formats"
CONF_NOTES_FOLDER: Final = "notes_folder"
CONF_EMAIL_ON_FINISH: Final = "email_on_finish"
CONF_CONVERSATION_AGENT: Final = "conversation_agent"
CONF_VOCABULARY: Final = "vocabulary"

EXPORT_FORMATS: Final = ("txt", "srt", "vtt", "md")

EVENT_MEETING_STARTED: Final = "meeting_scribe_meeting_started"
EVENT_MEETING_FINISHED: Final = "meeting_scribe_meeting_finished"

ISSUE_SERVER_UNREACHABLE: Final = "server_unreachable"
