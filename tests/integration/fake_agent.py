"""A FAKE conversation agent standing in for a language model (none can run here).

It "summarises" from the words it is sent, so a test can tell that a summary came from this
meeting's transcript: the summary repeats the transcript's first words, the decision its last
words, and the action item goes to the first participant the prompt names. Other behaviours
fail the way real agents do: raise, hang, answer with an error, an empty or an unparseable text.
"""

from __future__ import annotations

import asyncio
import json
from enum import StrEnum
from typing import Literal

from homeassistant.components import conversation
from homeassistant.components.conversation.models import (
    AbstractConversationAgent,
    ConversationInput,
    ConversationResult,
)
from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

SUMMARY_WORDS = 12


class Behaviour(StrEnum):
    SUMMARISE = "summarise"
    RAISE = "raise"
    HANG = "hang"
    ERROR = "error"
    EMPTY = "empty"
    NONSENSE = "nonsense"


def transcript_in(prompt: str) -> str:
    """What follows the prompt's last "…:" line: the transcript, or the parts' notes."""
    return prompt.rsplit(":\n", 1)[1]


def first_participant(prompt: str) -> str | None:
    names = prompt.split("participants: ", 1)[1].split(". ", 1)[0]
    return None if names == "-" else names.split(", ")[0]


class FakeSummaryAgent(AbstractConversationAgent):
    """A FAKE agent: no language model, only words copied from the prompt."""

    def __init__(self, behaviour: Behaviour = Behaviour.SUMMARISE) -> None:
        self.behaviour = behaviour
        self.prompts: list[str] = []
        self.agent_id = ""  # set when registered

    @property
    def supported_languages(self) -> Literal["*"]:
        return MATCH_ALL

    async def async_process(self, user_input: ConversationInput) -> ConversationResult:
        self.prompts.append(user_input.text)
        response = intent.IntentResponse(language=user_input.language)
        match self.behaviour:
            case Behaviour.RAISE:
                raise RuntimeError("the model server is down")
            case Behaviour.HANG:
                await asyncio.sleep(3600)
            case Behaviour.ERROR:
                response.async_set_error(
                    intent.IntentResponseErrorCode.UNKNOWN, "Sorry, I had a problem with Ollama"
                )
            case Behaviour.EMPTY:
                response.async_set_speech("")
            case Behaviour.NONSENSE:
                response.async_set_speech("Sure! Here is a nice poem about meetings.")
            case Behaviour.SUMMARISE:
                response.async_set_speech(self._summary(user_input.text))
        return ConversationResult(response=response)

    def _summary(self, prompt: str) -> str:
        words = transcript_in(prompt).split()
        owner = first_participant(prompt)
        answer = {
            "summary": " ".join(words[:SUMMARY_WORDS]),
            "decisions": [" ".join(words[-4:])],
            "action_items": [{"task": f"Follow up on {' '.join(words[:3])}", "owner": owner}],
        }
        return "```json\n" + json.dumps(answer) + "\n```"


async def async_register_fake_agent(hass: HomeAssistant, agent: FakeSummaryAgent) -> str:
    """Register the agent as a conversation agent of its own config entry; its agent id."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    entry = MockConfigEntry(domain="fake_llm", title="FAKE language model")
    entry.add_to_hass(hass)
    conversation.async_set_agent(hass, entry, agent)
    agent.agent_id = entry.entry_id
    return agent.agent_id
