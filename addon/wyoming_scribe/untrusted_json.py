"""JSON from a client, parsed so that no body can make the parser itself fail unexpectedly.

``json.loads`` raises more than ``JSONDecodeError``: a deeply nested array raises
``RecursionError``, an integer of thousands of digits ``ValueError``. Every door parses client
JSON here and gets one error to answer with. Strings holding a lone UTF-16 surrogate (``"\\ud800"``
is valid JSON but not text) are repaired to U+FFFD, so nothing downstream fails to encode them.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class UntrustedJsonError(ValueError):
    """The bytes are not JSON this server can take; the message says why."""


def parse_json(raw: bytes | str) -> Any:
    """The value in ``raw``; raises UntrustedJsonError for anything that is not usable JSON."""
    encoded = raw.encode(errors="surrogatepass") if isinstance(raw, str) else raw
    try:
        value = json.loads(raw)
        return _repair_surrogates(value) if _SURROGATE_ESCAPE.search(encoded) else value
    except RecursionError:
        raise UntrustedJsonError("it is nested too deeply") from None
    except UnicodeDecodeError as err:
        raise UntrustedJsonError(f"it is not UTF-8 text: {err}") from None
    except json.JSONDecodeError as err:
        raise UntrustedJsonError(str(err)) from None
    except ValueError:  # an integer of thousands of digits
        raise UntrustedJsonError("a number in it has too many digits") from None


def _repair_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys included) replaced by U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_repair_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_repair_surrogates(k): _repair_surrogates(v) for k, v in value.items()}
    return value
