"""A repeated failure writes at most N log lines a second; the rest are counted, not written.

A client that fails the same way thousands of times a second (or a full file-descriptor table
making every ``accept`` fail) must not fill the disk with the same traceback. Lines are the
same failure when they differ only in numbers (ports, counts, sizes).
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass

_NUMBERS = re.compile(r"\d+")
_MAX_TRACKED = 1024  # distinct messages remembered; the oldest is forgotten first


@dataclass(slots=True)
class _Window:
    start: float
    written: int = 0
    skipped: int = 0


class RepeatLimit(logging.Filter):
    """Lets through ``per_second`` lines of each message a second; says how many it skipped."""

    def __init__(self, per_second: int) -> None:
        super().__init__()
        self.per_second = per_second
        self._windows: OrderedDict[tuple[object, ...], _Window] = OrderedDict()

    def filter(self, record: logging.LogRecord) -> bool:
        exc_type = record.exc_info[0] if record.exc_info else None
        key = (record.name, record.levelno, _NUMBERS.sub("#", record.getMessage()), exc_type)
        now = time.monotonic()
        window = self._windows.get(key)
        if window is None or now - window.start >= 1.0:
            skipped = window.skipped if window else 0
            window = self._windows[key] = _Window(now)
            if skipped:
                record.msg = f"{record.getMessage()} ({skipped} more like this were not logged)"
                record.args = ()
        self._windows.move_to_end(key)
        while len(self._windows) > _MAX_TRACKED:
            self._windows.popitem(last=False)
        if window.written >= self.per_second:
            window.skipped += 1
            return False
        window.written += 1
        return True


def limit_repeats(per_second: int) -> None:
    """Apply the limit to every handler of the root logger."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(RepeatLimit(per_second))
