"""A meeting's summary, decisions and action items: read from an agent's answer, and written out."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class SummaryError(Exception):
    """No summary: the reason, in words for the log and for an action's error."""


@dataclass(frozen=True, slots=True)
class ActionItem:
    """Something to do after the meeting, and who does it (None when nobody was named)."""

    task: str
    owner: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"task": self.task, "owner": self.owner}


@dataclass(frozen=True, slots=True)
class MeetingSummary:
    """What a conversation agent made of a transcript."""

    summary: str
    decisions: tuple[str, ...] = ()
    action_items: tuple[ActionItem, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON-ready form the finished event and the actions carry."""
        return {
            "summary": self.summary,
            "decisions": list(self.decisions),
            "action_items": [item.as_dict() for item in self.action_items],
        }

    @classmethod
    def from_reply(cls, reply: str) -> MeetingSummary:
        """Read the JSON object the prompt asks for; SummaryError if the answer is not one."""
        data = _json_object(reply)
        summary = data.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            raise SummaryError(f"the answer has no summary: {_excerpt(reply)}")
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MeetingSummary:
        """Read what `as_dict` wrote, or an agent's answer with its keys."""
        summary = data.get("summary")
        return cls(
            summary=summary.strip() if isinstance(summary, str) else "",
            decisions=tuple(_texts(data.get("decisions"))),
            action_items=tuple(_action_items(data.get("action_items"))),
        )

    def as_text(self, strings: dict[str, str]) -> str:
        """Plain text for an e-mail body, under headings in Home Assistant's language."""
        return "\n".join(self._lines(strings, lambda text: text)).rstrip()

    def as_markdown(self, strings: dict[str, str]) -> str:
        """Markdown sections for the notes."""
        return "\n".join(self._lines(strings, lambda text: f"## {text}"))

    def _lines(self, strings: dict[str, str], heading: Callable[[str], str]) -> list[str]:
        lines = [heading(strings["summary_heading"]), "", self.summary, ""]
        if self.decisions:
            lines += [heading(strings["decisions_heading"]), ""]
            lines += [f"- {decision}" for decision in self.decisions] + [""]
        if self.action_items:
            lines += [heading(strings["action_items_heading"]), ""]
            for item in self.action_items:
                owner = item.owner or strings["action_item_no_owner"]
                lines.append("- " + strings["action_item"].format(task=item.task, owner=owner))
            lines.append("")
        return lines


def _json_object(reply: str) -> dict[str, Any]:
    """The first JSON object in the answer, also inside a Markdown code block."""
    text = reply.strip()
    if not text:
        raise SummaryError("the agent gave an empty answer")
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise SummaryError(f"the answer is not the JSON object asked for: {_excerpt(reply)}")
    try:
        data = json.loads(text[start : end + 1])
    except ValueError as err:
        raise SummaryError(f"the answer is not valid JSON ({err}): {_excerpt(reply)}") from err
    if not isinstance(data, dict):
        raise SummaryError(f"the answer is not the JSON object asked for: {_excerpt(reply)}")
    return data


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [text.strip() for text in value if isinstance(text, str) and text.strip()]


def _action_items(value: Any) -> list[ActionItem]:
    if not isinstance(value, list):
        return []
    items = []
    for item in value:
        if isinstance(item, str) and item.strip():
            items.append(ActionItem(item.strip()))
        elif isinstance(item, dict) and isinstance(task := item.get("task"), str) and task.strip():
            owner = item.get("owner")
            owner = owner.strip() if isinstance(owner, str) and owner.strip() else None
            items.append(ActionItem(task.strip(), owner))
    return items


def _excerpt(text: str, limit: int = 120) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return repr(flat if len(flat) <= limit else flat[:limit] + "…")
