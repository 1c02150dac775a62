"""The answer to a Wyoming ``describe``: what is really loaded, and that we stream."""

from __future__ import annotations

import faster_whisper
from wyoming.info import AsrModel, AsrProgram, Attribution, Info

from . import __version__
from .engine import Engine, ModelUnavailableError
from .model_source import model_display_name

PROGRAM_NAME = "meeting-scribe"
_PROJECT = Attribution(
    name="Meeting Scribe", url="https://github.com/meeting-scribe/meeting-scribe"
)
_WHISPER = Attribution(name="faster-whisper", url="https://github.com/SYSTRAN/faster-whisper")


async def describe(engine: Engine) -> Info:
    """Info naming the loaded model and its languages (empty while it cannot load)."""
    try:
        transcriber = await engine.transcriber()
    except ModelUnavailableError:
        source, languages, installed = model_display_name(engine.settings.model), [], False
    else:
        source, languages, installed = transcriber.source.display_name, transcriber.languages, True
    model = AsrModel(
        name=source,
        description=f"Whisper {source} ({engine.settings.compute_type})",
        attribution=_WHISPER,
        installed=installed,
        version=faster_whisper.__version__,
        languages=languages,
    )
    program = AsrProgram(
        name=PROGRAM_NAME,
        description="Meeting Scribe: streaming on-device speech-to-text",
        attribution=_PROJECT,
        installed=True,
        version=__version__,
        models=[model],
        supports_transcript_streaming=True,
    )
    return Info(asr=[program])
