"""Meeting notes by e-mail, through a notify service such as Home Assistant's `smtp` platform."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .localized import async_common_strings
from .models import Meeting
from .summary import MeetingSummary

NOTIFY_DOMAIN = "notify"
# Keep very long transcripts out of the body; the attachments have all of it.
MAX_BODY_TRANSCRIPT = 20_000


def notify_service_name(hass: HomeAssistant, service: str | None) -> str:
    """`notify.smtp` or `smtp` → `smtp`, once it is known to exist."""
    name = (service or "").strip().removeprefix(f"{NOTIFY_DOMAIN}.")
    if not name:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_notify_service")
    if not hass.services.has_service(NOTIFY_DOMAIN, name):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_notify_service",
            translation_placeholders={"service": f"{NOTIFY_DOMAIN}.{name}"},
        )
    return name


def recipients_for(meeting: Meeting, extra: Iterable[str]) -> list[str]:
    """The participants' addresses and the extra ones, each once, in order."""
    seen: set[str] = set()
    result: list[str] = []
    for address in [*meeting.emails, *extra]:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


async def async_send_notes(
    hass: HomeAssistant,
    service: str | None,
    recipients: list[str],
    meeting: Meeting,
    files: list[Path],
    *,
    summary: MeetingSummary | None = None,
) -> None:
    """E-mail the meeting's notes to the recipients with the files attached."""
    name = notify_service_name(hass, service)
    if not recipients:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_recipients")
    title, message = await async_compose(hass, meeting, files, summary)
    data = {
        "title": title,
        "message": message,
        "target": recipients,
        "data": {"images": [str(path) for path in files]},
    }
    try:
        await hass.services.async_call(NOTIFY_DOMAIN, name, data, blocking=True)
    except ServiceValidationError:
        raise
    except (HomeAssistantError, OSError) as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="email_failed",
            translation_placeholders={"service": f"{NOTIFY_DOMAIN}.{name}", "error": str(err)},
        ) from err


async def async_compose(
    hass: HomeAssistant, meeting: Meeting, files: list[Path], summary: MeetingSummary | None = None
) -> tuple[str, str]:
    """Subject and plain-text body, in Home Assistant's language; the summary on top."""
    strings = await async_common_strings(hass)
    started = dt_util.as_local(meeting.started_at) if meeting.started_at else None
    lines = [
        strings["email_heading"].format(
            title=meeting.title, date=started.strftime("%Y-%m-%d %H:%M") if started else "?"
        ),
        "",
    ]
    if summary:
        lines += [summary.as_text(strings), ""]
    lines += [
        strings["email_duration"].format(duration=format_duration(meeting.duration_s)),
    ]
    if meeting.participants:
        names = ", ".join(p.display_name for p in meeting.participants)
        lines.append(strings["email_participants"].format(participants=names))
    if meeting.error:
        lines += ["", strings["email_interrupted"].format(error=meeting.error)]
    lines += ["", _transcript_body(meeting.transcript, strings)]
    if files:
        lines += ["", strings["email_attachments"].format(files=", ".join(p.name for p in files))]
    lines += ["", "-- ", strings["email_footer"]]
    return strings["email_subject"].format(title=meeting.title), "\n".join(lines)


def _transcript_body(text: str | None, strings: dict[str, str]) -> str:
    text = (text or "").strip()
    if not text:
        return strings["email_no_speech"]
    if len(text) > MAX_BODY_TRANSCRIPT:
        return text[:MAX_BODY_TRANSCRIPT].rsplit(" ", 1)[0] + " […]\n" + strings["email_truncated"]
    return text


def format_duration(seconds: float | None) -> str:
    """1:05:12, or 4:03 under an hour."""
    total = round(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
