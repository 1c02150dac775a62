"""Summaries, decisions and action items from the user's conversation agent (a FAKE one here):
in the .md notes, the finished event and the e-mail; and notes that still go out when it fails."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.meeting_scribe import summarizer
from custom_components.meeting_scribe.const import (
    CONF_CONVERSATION_AGENT,
    CONF_EMAIL_ON_FINISH,
    CONF_EXPORT_FORMATS,
    CONF_NOTES_FOLDER,
    CONF_NOTIFY_SERVICE,
    CONF_VOCABULARY,
    EVENT_MEETING_FINISHED,
)
from custom_components.meeting_scribe.models import Meeting, MeetingStatus
from custom_components.meeting_scribe.summarizer import Summarizer
from tests.assets import AUDIO, MEETING_AUDIO, manifest_entry
from tests.integration.conftest import Folders, Mailbox, act
from tests.integration.fake_agent import (
    Behaviour,
    FakeSummaryAgent,
    async_register_fake_agent,
    transcript_in,
)
from tests.integration.scribe_server import ScribeServer
from tests.integration.test_email import body

SPEECH = AUDIO / "ljspeech/LJ001-0004.flac"  # "produced the block books, which were the ..."
KEY_WORDS = {"block", "books", "predecessors", "printed"}
PARTICIPANTS = ["Ada Lovelace <ada@example.com>", "bob@example.com"]
MAIL = {CONF_EMAIL_ON_FINISH: True, CONF_NOTIFY_SERVICE: "notify.scribe_mail"}


def words(text: str) -> set[str]:
    return {word.strip(".,;:!?\"'").lower() for word in text.split()}


@pytest.fixture
async def agent(hass: HomeAssistant, request: pytest.FixtureRequest) -> FakeSummaryAgent:
    fake = FakeSummaryAgent(getattr(request, "param", Behaviour.SUMMARISE))
    await async_register_fake_agent(hass, fake)
    return fake


@pytest.fixture
def options(folders: Folders, agent: FakeSummaryAgent) -> dict[str, Any]:
    agent_id: str = agent.agent_id
    return {"notes_folder": str(folders.notes), CONF_CONVERSATION_AGENT: agent_id} | MAIL


async def transcribe(hass: HomeAssistant) -> dict[str, Any]:
    data = {"file": str(SPEECH), "title": "Print shop", "participants": PARTICIPANTS}
    return await act(hass, "transcribe_file", data | {"wait": True})


def markdown_of(result: dict[str, Any]) -> str:
    [md] = [Path(p) for p in result["files"] if p.endswith(".md")]
    return md.read_text()


async def async_setup_without_agent(
    hass: HomeAssistant, folders: Folders, scribe: ScribeServer
) -> None:
    """The server set up with the default options: no agent chosen."""
    entry = MockConfigEntry(
        domain="meeting_scribe",
        data=scribe.data,
        options={"notes_folder": str(folders.notes)},
        unique_id=scribe.server_id,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)


async def test_summary_in_notes_event_and_email(
    hass: HomeAssistant,
    smtp_notify: str,
    agent: FakeSummaryAgent,
    entry: MockConfigEntry,
    mailbox: Mailbox,
) -> None:
    finished = async_capture_events(hass, EVENT_MEETING_FINISHED)
    result = await transcribe(hass)

    # The agent was asked once, with this meeting's words, names and language.
    [prompt] = agent.prompts
    assert words(transcript_in(prompt)) >= KEY_WORDS
    assert "Ada Lovelace" in prompt
    assert "(en)" in prompt
    summary = result["summary"]
    assert KEY_WORDS & words(summary["summary"]), summary
    assert summary["action_items"] == [
        {"task": f"Follow up on {' '.join(result['text'].split()[:3])}", "owner": "Ada Lovelace"}
    ]
    assert summary["decisions"] == [" ".join(result["text"].split()[-4:])]
    [event] = finished
    assert event.data["summary"] == summary

    notes = markdown_of(result)
    assert notes.index("## Summary") < notes.index("## Decisions") < notes.index("## Transcript")
    assert summary["summary"] in notes
    assert "## Action items" in notes
    assert f"- Follow up on {' '.join(result['text'].split()[:3])} (Ada Lovelace)" in notes

    [message] = await mailbox.wait_for(1)
    text = body(message)
    assert text.index("Summary") < text.index(summary["summary"]) < text.index("Duration:")
    assert "Action items" in text
    assert "(Ada Lovelace)" in text


@pytest.mark.parametrize(
    ("agent", "reason"),
    [
        (Behaviour.RAISE, "the agent failed: RuntimeError('the model server is down')"),
        (Behaviour.HANG, "the agent did not answer within 0.5 seconds"),
        (Behaviour.ERROR, "the agent answered with an error (unknown)"),
        (Behaviour.EMPTY, "the agent gave an empty answer"),
        (Behaviour.NONSENSE, "the answer is not the JSON object asked for"),
    ],
    indirect=["agent"],
)
async def test_notes_and_mail_without_summary_when_the_agent_fails(
    hass: HomeAssistant,
    smtp_notify: str,
    agent: FakeSummaryAgent,
    entry: MockConfigEntry,
    mailbox: Mailbox,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    reason: str,
) -> None:
    monkeypatch.setattr(summarizer, "REQUEST_TIMEOUT_S", 0.5)
    finished = async_capture_events(hass, EVENT_MEETING_FINISHED)
    with caplog.at_level(logging.WARNING, "custom_components.meeting_scribe"):
        result = await transcribe(hass)
        [message] = await mailbox.wait_for(1)

    assert len(agent.prompts) == 1
    assert result["summary"] is None
    assert finished[0].data["summary"] is None
    assert KEY_WORDS & words(result["text"])
    notes = markdown_of(result)
    assert "## Transcript" in notes
    assert "## Summary" not in notes
    assert "Summary" not in body(message)
    assert result["text"].strip()[:20] in body(message)
    logged = [r.getMessage() for r in caplog.records if "without a summary" in r.getMessage()]
    assert len(logged) == 1, logged
    assert reason in logged[0]
    assert agent.agent_id in logged[0]


async def test_no_agent_chosen_no_summary(
    hass: HomeAssistant,
    agent: FakeSummaryAgent,
    folders: Folders,
    scribe: ScribeServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await async_setup_without_agent(hass, folders, scribe)
    result = await transcribe(hass)
    assert result["summary"] is None
    assert agent.prompts == []
    assert "## Summary" not in markdown_of(result)
    assert "summary" not in caplog.text


async def test_summarize_meeting_on_demand(
    hass: HomeAssistant,
    agent: FakeSummaryAgent,
    entry: MockConfigEntry,
    smtp_notify: str,
    mailbox: Mailbox,
) -> None:
    agent.behaviour = Behaviour.EMPTY
    result = await transcribe(hass)
    assert result["summary"] is None
    await mailbox.wait_for(1)

    agent.behaviour = Behaviour.SUMMARISE
    response = await act(hass, "summarize_meeting", {"meeting_id": result["id"]})
    assert response["id"] == result["id"]
    assert response["agent_id"] == agent.agent_id
    assert KEY_WORDS & words(response["summary"])
    assert response["action_items"][0]["owner"] == "Ada Lovelace"
    assert response["summary"] in markdown_of(result)
    assert "## Transcript" in markdown_of(result)

    # The notes sent again, even after a restart of the integration, carry the summary.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await act(hass, "send_notes", {"meeting_id": result["id"]})
    assert response["summary"] in markdown_of(result)
    messages = await mailbox.wait_for(2)
    assert response["summary"] in body(messages[1])

    agent.behaviour = Behaviour.NONSENSE
    with pytest.raises(HomeAssistantError, match="not the JSON object asked for"):
        await act(hass, "summarize_meeting", {"meeting_id": result["id"]})
    assert response["summary"] in markdown_of(result)  # the failed attempt kept the notes


async def test_summarize_meeting_needs_an_agent(
    hass: HomeAssistant, folders: Folders, scribe: ScribeServer
) -> None:
    await async_setup_without_agent(hass, folders, scribe)
    with pytest.raises(ServiceValidationError) as raised:
        await act(hass, "summarize_meeting", {})
    assert raised.value.translation_key == "no_conversation_agent"


LONG = manifest_entry(MEETING_AUDIO)  # five minutes of speech: several parts at 3,000 characters


async def test_long_transcript_summarised_in_parts(
    hass: HomeAssistant, agent: FakeSummaryAgent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each request fits the limit; every word of the transcript is sent once; the answer is the
    combination of the parts' notes."""
    limit = 3000
    monkeypatch.setattr(summarizer, "MAX_REQUEST_CHARS", limit)
    text = LONG["text"]
    meeting = Meeting(
        id="20261121-093000-3f2a9c",
        title="Weekly sync",
        participants=(),
        language="en",
        source="file",
        status=MeetingStatus.DONE,
        started_at=None,
        ended_at=None,
        duration_s=LONG["duration_s"],
        text=text,
    )
    agent_id: str = agent.agent_id
    summary = await Summarizer(hass, agent_id).async_summarize(meeting)

    assert all(len(prompt) <= limit for prompt in agent.prompts)
    parts = [p for p in agent.prompts if "Transcript, part " in p]
    combines = [p for p in agent.prompts if "Notes of the parts" in p]
    assert len(parts) >= 2
    assert len(combines) >= 1
    assert " ".join(transcript_in(p) for p in parts).split() == text.split()
    assert summary.summary.split() == transcript_in(combines[-1]).split()[:12]
    assert agent.prompts[-1] is combines[-1]


async def test_options_choose_the_agent_and_the_words(
    hass: HomeAssistant, agent: FakeSummaryAgent, folders: Folders, scribe: ScribeServer
) -> None:
    await async_setup_without_agent(hass, folders, scribe)
    [entry] = hass.config_entries.async_entries("meeting_scribe")
    result = await hass.config_entries.options.async_init(entry.entry_id)
    schema = result["data_schema"]
    assert schema is not None
    assert {str(key) for key in schema.schema} >= {CONF_CONVERSATION_AGENT, CONF_VOCABULARY}
    options = {
        CONF_NOTES_FOLDER: str(folders.notes),
        CONF_EXPORT_FORMATS: ["md"],
        CONF_CONVERSATION_AGENT: agent.agent_id,
        CONF_VOCABULARY: ["Zyxel"],
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], options)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    # The words of the options and of the action reach the server's decode; the summary follows.
    speech = folders.media / "siobhan.wav"
    sentence = "Siobhan Nguyen from Zyxel will send the quarterly report on Friday."
    subprocess.run(["espeak-ng", "-w", str(speech), sentence], check=True)
    data = {"file": str(speech), "vocabulary": ["Siobhan Nguyen"], "wait": True}
    result_data = await act(hass, "transcribe_file", data)
    meeting = scribe.request("GET", f"/meetings/{result_data['id']}")
    assert meeting["vocabulary"] == ["Zyxel", "Siobhan Nguyen"]
    assert "Siobhan Nguyen" in result_data["text"]
    assert result_data["summary"]["summary"].startswith("Siobhan Nguyen")
