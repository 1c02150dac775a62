"""Asks the conversation agent the user chose to summarise a finished meeting.

A transcript too long for one request is cut into parts at sentence ends; each part is
summarised on its own, then the parts' notes are combined into the meeting's (map, then reduce).
The prompts are the `summary_*_prompt` texts of the integration's translations (docs/summaries.md).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent

from .localized import async_common_strings
from .models import Meeting
from .summary import MeetingSummary, SummaryError

# Characters per request, prompt included: about 2,500 tokens, which fits the context of the
# small local models people run (Ollama's default context is 2,048 to 8,192 tokens).
MAX_REQUEST_CHARS = 10_000
# A local model on a small machine can take minutes for one answer.
REQUEST_TIMEOUT_S = 300.0
# However long the title and the participants make the prompt, a part holds this much of the text.
MIN_PART_CHARS = 1000

_SENTENCE_END = re.compile(r"(?<=[.!?…\u3002\uff01\uff1f])\s+")  # also CJK full stops


def split_text(text: str, limit: int) -> list[str]:
    """The text in parts of at most ``limit`` characters, cut at sentence ends where possible."""
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if current and len(current) + 1 + len(piece) > limit:
            parts.append(current)
            current = ""
        current = f"{current} {piece}" if current else piece
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> Iterator[str]:
    """Sentences, and the words of any sentence longer than the limit, in chunks."""
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        if len(sentence) <= limit:
            yield sentence
            continue
        chunk = ""
        for word in sentence.split(" "):
            if chunk and len(chunk) + 1 + len(word) > limit:
                yield chunk
                chunk = ""
            chunk = f"{chunk} {word}" if chunk else word[:limit]
        if chunk:
            yield chunk


class Summarizer:
    """One agent, the prompts in Home Assistant's language, the meeting to summarise."""

    def __init__(
        self,
        hass: HomeAssistant,
        agent_id: str,
        *,
        max_request_chars: int | None = None,
        timeout_s: float | None = None,
    ) -> None:
        self._hass = hass
        self.agent_id = agent_id
        self._max_chars = max_request_chars or MAX_REQUEST_CHARS
        self._timeout_s = timeout_s or REQUEST_TIMEOUT_S
        self._strings: dict[str, str] = {}

    async def async_summarize(self, meeting: Meeting) -> MeetingSummary:
        """The meeting's summary; SummaryError with the reason when there is none."""
        text = (meeting.text or "").strip()
        if not text:
            raise SummaryError("the meeting has no transcript")
        if conversation.async_get_agent_info(self._hass, self.agent_id) is None:
            raise SummaryError(f"there is no conversation agent {self.agent_id}")
        self._strings = await async_common_strings(self._hass)
        names = ", ".join(p.display_name for p in meeting.participants) or "-"
        fields = {
            "title": meeting.title,
            "participants": names,
            "language": meeting.language or self._hass.config.language,
        }
        whole = self._prompt("summary_prompt", fields, transcript=text)
        if len(whole) <= self._max_chars:
            return await self._async_ask(meeting, whole)
        notes = await self._async_summarize_parts(meeting, text, fields)
        return await self._async_combine(meeting, notes, fields)

    async def _async_summarize_parts(
        self, meeting: Meeting, text: str, fields: dict[str, str]
    ) -> list[MeetingSummary]:
        empty = self._prompt("summary_part_prompt", fields, transcript="", part="999", parts="999")
        parts = split_text(text, max(self._max_chars - len(empty), MIN_PART_CHARS))
        return [
            await self._async_ask(
                meeting,
                self._prompt(
                    "summary_part_prompt",
                    fields,
                    transcript=part,
                    part=str(number),
                    parts=str(len(parts)),
                ),
            )
            for number, part in enumerate(parts, start=1)
        ]

    async def _async_combine(
        self, meeting: Meeting, notes: list[MeetingSummary], fields: dict[str, str]
    ) -> MeetingSummary:
        """Combine the parts' notes, in rounds while they do not fit one request."""
        empty = self._prompt("summary_combine_prompt", fields, notes="")
        limit = max(self._max_chars - len(empty), MIN_PART_CHARS)
        while True:
            texts = [note.as_text(self._strings) for note in notes]
            groups = split_groups(texts, limit)
            if len(groups) == 1:
                notes_text = groups[0]
                prompt = self._prompt("summary_combine_prompt", fields, notes=notes_text)
                return await self._async_ask(meeting, prompt)
            if len(groups) >= len(notes):
                raise SummaryError("the notes of the transcript's parts do not fit one request")
            notes = [
                await self._async_ask(
                    meeting, self._prompt("summary_combine_prompt", fields, notes=group)
                )
                for group in groups
            ]

    def _prompt(self, key: str, fields: dict[str, str], **more: str) -> str:
        return self._strings[key].format(**fields, **more)

    async def _async_ask(self, meeting: Meeting, prompt: str) -> MeetingSummary:
        try:
            async with asyncio.timeout(self._timeout_s):
                result = await conversation.async_converse(
                    self._hass,
                    prompt,
                    None,
                    Context(),
                    language=meeting.language or self._hass.config.language,
                    agent_id=self.agent_id,
                )
        except TimeoutError as err:
            raise SummaryError(
                f"the agent did not answer within {self._timeout_s:g} seconds"
            ) from err
        except Exception as err:  # any agent's failure only means no summary
            raise SummaryError(f"the agent failed: {err!r}") from err
        response = result.response
        speech = str(response.speech.get("plain", {}).get("speech") or "")
        if response.response_type is intent.IntentResponseType.ERROR:
            code = response.error_code.value if response.error_code else "error"
            raise SummaryError(f"the agent answered with an error ({code}): {speech[:200]!r}")
        return MeetingSummary.from_reply(speech)


def split_groups(texts: list[str], limit: int) -> list[str]:
    """The texts joined, a blank line apart, into as few groups of at most ``limit`` as fit."""
    groups: list[str] = []
    for text in texts:
        if groups and len(groups[-1]) + 2 + len(text) <= limit:
            groups[-1] += "\n\n" + text
        else:
            groups.append(text)
    return groups
