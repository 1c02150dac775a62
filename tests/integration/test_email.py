"""Meeting notes by e-mail through Home Assistant's `smtp` notify platform to an SMTP server."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.meeting_scribe.const import (
    CONF_EMAIL_ON_FINISH,
    CONF_NOTIFY_SERVICE,
    CONF_RECIPIENTS,
    DOMAIN,
    EVENT_MEETING_FINISHED,
)
from tests.hearing import assert_has_words
from tests.integration.conftest import (
    Folders,
    Mailbox,
    act,
    assert_command_heard,
    assert_meeting_heard,
    record_meeting,
    transcribe_command,
)
from tests.integration.scribe_server import ScribeServer

PARTICIPANTS = ["Ada Lovelace <ada@example.com>", "bob@example.com"]
BLUEPRINT = "meeting_scribe/email_meeting_notes.yaml"


def attachments(message: EmailMessage) -> dict[str, str]:
    return {
        part.get_filename() or "": part.get_content().decode()
        if isinstance(part.get_content(), bytes)
        else part.get_content()
        for part in message.iter_attachments()
    }


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    content: str = part.get_content()
    return content


def assert_notes_email(message: EmailMessage, result: dict[str, Any], recipients: set[str]) -> None:
    """What a participant sees: subject, the people, a readable body, the four files."""
    assert message["Subject"] == "Meeting notes: Weekly sync"
    assert {a.strip() for a in message["To"].split(",")} == recipients
    text = body(message)
    assert 'Notes of "Weekly sync"' in text
    assert "Participants: Ada Lovelace, bob@example.com" in text
    assert result["text"].strip()[:20] in text
    assert_has_words(text, *result["text"].split())  # all the words, in a readable body
    files = attachments(message)
    assert sorted(files) == sorted(Path(p).name for p in result["files"])
    for path in result["files"]:
        assert files[Path(path).name] == Path(path).read_text()


@pytest.fixture
def options(folders: Folders, request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"notes_folder": str(folders.notes)} | getattr(request, "param", {})


@pytest.mark.parametrize(
    "options",
    [{CONF_EMAIL_ON_FINISH: True, CONF_NOTIFY_SERVICE: "notify.scribe_mail"}],
    indirect=True,
)
async def test_notes_emailed_when_the_meeting_ends(
    hass: HomeAssistant, smtp_notify: str, entry: MockConfigEntry, mailbox: Mailbox
) -> None:
    result = await record_meeting(hass, participants=PARTICIPANTS)
    [message] = await mailbox.wait_for(1)
    assert_notes_email(message, result, {"ada@example.com", "bob@example.com"})
    assert_meeting_heard(result)
    assert set(mailbox.envelopes[0].rcpt_tos) == {"ada@example.com", "bob@example.com"}


@pytest.mark.parametrize(
    "options",
    [
        {
            CONF_EMAIL_ON_FINISH: True,
            CONF_NOTIFY_SERVICE: "notify.scribe_mail",
            CONF_RECIPIENTS: ["boss@example.com", "ADA@example.com"],
        }
    ],
    indirect=True,
)
async def test_default_recipients_get_the_notes_too(
    hass: HomeAssistant, smtp_notify: str, entry: MockConfigEntry, mailbox: Mailbox
) -> None:
    result = await transcribe_command(hass, participants=PARTICIPANTS)
    [message] = await mailbox.wait_for(1)
    recipients = {a.strip() for a in message["To"].split(",")}
    assert recipients == {"ada@example.com", "bob@example.com", "boss@example.com"}
    assert_command_heard(result)
    assert_has_words(body(message), "what", "time", "is", "it")


async def test_blueprint_emails_the_notes(
    hass: HomeAssistant, smtp_notify: str, entry: MockConfigEntry, mailbox: Mailbox
) -> None:
    """The shipped blueprint, installed on setup, sends the same e-mail."""
    automation = {
        "use_blueprint": {"path": BLUEPRINT, "input": {"notify_service": smtp_notify}},
        "alias": "Email meeting notes",
    }
    assert await async_setup_component(hass, "automation", {"automation": [automation]})
    await hass.async_block_till_done()

    result = await record_meeting(hass, participants=PARTICIPANTS)
    [message] = await mailbox.wait_for(1)
    assert_notes_email(message, result, {"ada@example.com", "bob@example.com"})
    assert_meeting_heard(result)


async def test_send_notes_again_to_someone_else(
    hass: HomeAssistant, smtp_notify: str, entry: MockConfigEntry, mailbox: Mailbox
) -> None:
    result = await transcribe_command(hass, participants=PARTICIPANTS)
    assert mailbox.messages == []  # e-mail on finish is off by default

    response = await act(
        hass,
        "send_notes",
        {"notify_service": smtp_notify, "recipients": ["Carol <carol@example.com>"]},
    )
    assert response == {
        "id": result["id"],
        "title": "Weekly sync",
        "recipients": ["carol@example.com"],
        "files": result["files"],
    }
    [message] = await mailbox.wait_for(1)
    assert message["To"] == "carol@example.com"
    assert_has_words(body(message), "what", "time", "is", "it")


SEND_NOTES_PROBLEMS: list[tuple[dict[str, Any], str]] = [
    ({}, "no_notify_service"),
    ({"notify_service": "notify.nowhere"}, "unknown_notify_service"),
    ({"notify_service": "notify.scribe_mail", "recipients": ["nobody"]}, "invalid_participant"),
    ({"notify_service": "notify.scribe_mail", "meeting_id": "nope"}, "not_found"),
]


async def test_send_notes_explains_bad_input(
    hass: HomeAssistant, smtp_notify: str, entry: MockConfigEntry, mailbox: Mailbox
) -> None:
    await transcribe_command(hass, participants=PARTICIPANTS)
    for data, error in SEND_NOTES_PROBLEMS:
        with pytest.raises(ServiceValidationError) as caught:
            await hass.services.async_call(DOMAIN, "send_notes", data, blocking=True)
        assert caught.value.translation_key == error, data
    assert mailbox.messages == []


async def test_send_notes_before_any_meeting(
    hass: HomeAssistant, smtp_notify: str, empty_server: ScribeServer, entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN, "send_notes", {"notify_service": smtp_notify}, blocking=True
        )
    assert caught.value.translation_key == "no_meeting"
    assert str(caught.value) == "There is no finished meeting yet"


async def test_finished_event_carries_the_meeting(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    finished = async_capture_events(hass, EVENT_MEETING_FINISHED)
    result = await record_meeting(hass, participants=PARTICIPANTS)
    [event] = finished
    assert event.data == {"config_entry_id": entry.entry_id, **result}
    assert event.data["participants"] == [
        {"name": "Ada Lovelace", "email": "ada@example.com"},
        {"name": "", "email": "bob@example.com"},
    ]
