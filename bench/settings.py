"""The decode settings every system in a run shares, and how each calls faster-whisper."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DecodeSettings:
    """What both servers are told, so that only the server differs."""

    beam_size: int = 1
    compute_type: str = "int8"
    cpu_threads: int = 2
    language: str | None = "en"  # None: the server detects it

    def flags(self) -> list[str]:
        """The flags both servers spell the same way."""
        language = [] if self.language is None else ["--language", self.language]
        return [
            "--beam-size",
            str(self.beam_size),
            "--compute-type",
            self.compute_type,
            "--cpu-threads",
            str(self.cpu_threads),
            *language,
        ]


# Our server's defaults (--temperature-fallback 0): greedy only; the text already committed in a
# stream is the next segment's prompt.
OURS_TEMPERATURES = (0.0,)
