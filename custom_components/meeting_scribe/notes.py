"""Meeting notes on disk: the server's exports, written to the notes folder."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.util import slugify

from .api import ScribeClient
from .media import media_source_id
from .models import Meeting


def notes_stem(meeting: Meeting) -> str:
    """File name without extension: the id first, so files sort by start time."""
    title = slugify(meeting.title) if meeting.title else ""
    return f"{meeting.id}_{title}" if title else meeting.id


def notes_paths(folder: Path, meeting: Meeting, formats: Iterable[str]) -> list[Path]:
    stem = notes_stem(meeting)
    return [folder / f"{stem}.{fmt}" for fmt in formats]


def notes_link(hass: HomeAssistant, files: list[Path]) -> str | None:
    """Media browser address of the notes (the Markdown file if there is one)."""
    if not files:
        return None
    return media_source_id(hass, min(files, key=lambda path: path.suffix != ".md"))


async def async_write_notes(
    hass: HomeAssistant,
    client: ScribeClient,
    meeting: Meeting,
    folder: Path,
    formats: Iterable[str],
    *,
    summary: str | None = None,
) -> list[Path]:
    """Download each export of the meeting and write it to the folder; returns the paths.

    A summary (Markdown sections) goes into the `.md` notes, above the transcript."""
    exports = {
        path: await client.transcript(meeting.id, path.suffix[1:])
        for path in notes_paths(folder, meeting, formats)
    }
    for path, content in exports.items():
        if summary and path.suffix == ".md":
            exports[path] = with_summary(content, summary)
    await hass.async_add_executor_job(_write_files, folder, exports)
    return list(exports)


def with_summary(markdown: bytes, summary: str) -> bytes:
    """The Markdown notes with the summary's sections before the first section (the transcript)."""
    text = markdown.decode()
    at = text.find("\n## ")
    if at < 0:
        return (text.rstrip("\n") + "\n\n" + summary.rstrip("\n") + "\n").encode()
    return (text[: at + 1] + summary.rstrip("\n") + "\n\n" + text[at + 1 :]).encode()


async def async_existing_notes(
    hass: HomeAssistant, folder: Path, meeting: Meeting, formats: Iterable[str]
) -> list[Path]:
    """The meeting's notes already in the folder."""
    paths = notes_paths(folder, meeting, formats)
    return await hass.async_add_executor_job(lambda: [p for p in paths if p.is_file()])


def _write_files(folder: Path, exports: dict[Path, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for path, content in exports.items():
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(content)
        partial.replace(path)
