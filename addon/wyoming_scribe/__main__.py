"""``python -m wyoming_scribe``: parse flags, set up logging, serve."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence

from .log_limit import limit_repeats
from .settings import parse_settings


def main(argv: Sequence[str] | None = None) -> None:
    settings = parse_settings(argv)
    # Recordings, transcripts and the API token are private: whatever this process creates is
    # readable by its own user only (files 600, folders 700).
    os.umask(0o077)
    logging.basicConfig(
        level=logging.DEBUG if settings.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    limit_repeats(settings.max_log_lines_per_s)
    # faster-whisper logs every decode at INFO; ours already say what matters.
    whisper_level = logging.DEBUG if settings.debug else logging.WARNING
    logging.getLogger("faster_whisper").setLevel(whisper_level)
    if settings.local_files_only:
        # Belt and braces: huggingface_hub reads this when first imported, below.
        os.environ["HF_HUB_OFFLINE"] = "1"
    from .server import run  # noqa: PLC0415 - after HF_HUB_OFFLINE is set

    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
    # Everything worth keeping is on disk by now. A decode still running on the decode thread
    # is abandoned, not waited for (the interpreter would join that thread on exit).
    logging.shutdown()
    os._exit(0)
