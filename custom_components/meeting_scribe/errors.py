"""The server's failures as Home Assistant's translated exceptions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import ScribeAuthError, ScribeConnectionError, ScribeError, ScribeRequestError
from .const import DOMAIN

# Error codes of docs/api.md that have their own translation.
KNOWN_CODES = frozenset(
    {
        "bad_request",
        "invalid_audio",
        "not_found",
        "already_recording",
        "not_recording",
        "too_large",
        "unsupported_media_type",
        "model_unavailable",
        "disk_full",
    }
)


def to_home_assistant_error(err: ScribeError) -> HomeAssistantError:
    """A request the user got wrong becomes ServiceValidationError, a failure HomeAssistantError."""
    if isinstance(err, ScribeAuthError):
        return HomeAssistantError(translation_domain=DOMAIN, translation_key="invalid_auth")
    if isinstance(err, ScribeRequestError):
        key = err.code if err.code in KNOWN_CODES else "server_error"
        placeholders = {"code": err.code, "message": err.message}
        cls = ServiceValidationError if err.status < 500 else HomeAssistantError
        return cls(
            translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
        )
    reason = str(err) if isinstance(err, ScribeConnectionError) else repr(err)
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="cannot_connect",
        translation_placeholders={"error": reason},
    )


@contextmanager
def translated_errors() -> Iterator[None]:
    """Raise what the server's failure means to a user of an action."""
    try:
        yield
    except ScribeError as err:
        raise to_home_assistant_error(err) from err
