"""Meeting Scribe's server: streaming Wyoming speech-to-text and meeting transcription."""

__version__ = "0.1.0"
