"""Files in Home Assistant's media folders, by path or by media-source id."""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant

MEDIA_SOURCE_PREFIX = "media-source://"
LOCAL_MEDIA_PREFIX = f"{MEDIA_SOURCE_PREFIX}media_source/"


class UnsupportedMediaSourceError(ValueError):
    """A media-source id that does not name a file in a local media folder."""


def media_source_id(hass: HomeAssistant, path: Path) -> str | None:
    """`media-source://media_source/local/x.md` for a file in a media folder, else None."""
    for source_dir_id, media_dir in hass.config.media_dirs.items():
        if path.is_relative_to(media_dir):
            return f"{LOCAL_MEDIA_PREFIX}{source_dir_id}/{path.relative_to(media_dir).as_posix()}"
    return None


def media_source_path(hass: HomeAssistant, media_id: str) -> Path:
    """The file a local media-source id names; it may not exist."""
    source_dir_id, _, location = media_id.removeprefix(LOCAL_MEDIA_PREFIX).partition("/")
    media_dir = hass.config.media_dirs.get(source_dir_id)
    if not media_id.startswith(LOCAL_MEDIA_PREFIX) or media_dir is None or not location:
        raise UnsupportedMediaSourceError(media_id)
    path = Path(media_dir, location)
    if ".." in Path(location).parts:
        raise UnsupportedMediaSourceError(media_id)
    return path
