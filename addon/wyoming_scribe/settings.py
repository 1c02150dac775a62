"""Command-line flags and the settings object every other module reads."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_URI = "tcp://0.0.0.0:10300"
DEFAULT_HTTP_PORT = 10301
DEFAULT_MODEL = "tiny-int8"
SUPERVISOR_INGRESS_ADDRESS = "172.30.32.2"
DEFAULT_MIC_COMMAND = "arecord -q -t raw -r 16000 -c 1 -f S16_LE"


def default_cpu_threads() -> int:
    """The cores this process may run on (a container's CPU limit included)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server was told on its command line."""

    uri: str = DEFAULT_URI
    model: str = DEFAULT_MODEL
    data_dir: Path = Path("data")
    language: str | None = None
    beam_size: int = 1
    compute_type: str = "int8"
    cpu_threads: int = 1
    initial_prompt: str | None = None
    local_files_only: bool = False
    temperature_fallback: int = 0  # greedy only: the same audio always gives the same text
    max_tokens: int | None = None
    max_utterance_s: float = 120.0
    idle_timeout_s: float = 30.0
    max_connections: int = 32
    max_queued_voice_per_connection_s: float = 30.0
    max_queued_voice_s: float = 60.0
    max_upload_s: float = 8 * 3600.0
    max_meeting_s: float = 8 * 3600.0
    max_log_lines_per_s: int = 5
    zeroconf_name: str | None = None
    http_host: str = "0.0.0.0"  # noqa: S104 - a server for the local network
    http_port: int = DEFAULT_HTTP_PORT
    api_token_file: Path | None = None
    ingress_port: int = 0
    ingress_peer: str = SUPERVISOR_INGRESS_ADDRESS
    recordings_dir: Path | None = None
    mic_command: str = DEFAULT_MIC_COMMAND
    max_upload_mb: int = 512
    debug: bool = False

    @property
    def meetings_dir(self) -> Path:
        return self.recordings_dir or self.data_dir / "recordings"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"


_DEFAULT = Settings()  # the flags' defaults are the fields' defaults


def _add_server_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("server")
    group.add_argument("--uri", default=DEFAULT_URI, help="Wyoming address (default: %(default)s)")
    group.add_argument("--data-dir", type=Path, default=_DEFAULT.data_dir, help="models and state")
    group.add_argument(
        "--zeroconf",
        nargs="?",
        const="meeting-scribe",
        dest="zeroconf_name",
        metavar="NAME",
        help="advertise the Wyoming server over mDNS (default name: meeting-scribe)",
    )
    group.add_argument("--debug", action="store_true", help="log at debug level")


def _add_model_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model")
    group.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help="tiny-int8, tiny.en-int8, base-int8, base.en-int8, small-int8, a faster-whisper "
        "name, a Hugging Face repo id or a local directory (default: %(default)s)",
    )
    group.add_argument("--language", help="language code such as en; default: detect")
    group.add_argument(
        "--beam-size",
        type=int,
        default=_DEFAULT.beam_size,
        help="1 is greedy (default: %(default)s)",
    )
    group.add_argument(
        "--compute-type",
        default=_DEFAULT.compute_type,
        help="CTranslate2 compute type: int8, int8_float32, float32, ... (default: %(default)s)",
    )
    group.add_argument(
        "--cpu-threads", type=int, default=0, help="decoder threads (default: cores present)"
    )
    group.add_argument("--initial-prompt", help="text that biases every decode")
    group.add_argument(
        "--local-files-only",
        action="store_true",
        help="never download: load the model from the data dir or a local directory",
    )
    group.add_argument(
        "--temperature-fallback",
        type=int,
        default=_DEFAULT.temperature_fallback,
        metavar="N",
        help="retries at a higher temperature (sampling, so no longer repeatable) when a decode "
        "looks like a loop; each retry can cost as much as the decode itself "
        "(default: %(default)s, greedy only)",
    )
    group.add_argument(
        "--max-tokens",
        type=int,
        default=0,
        metavar="N",
        help="cap on tokens decoded per segment; 0 keeps the model's limit (default: 0)",
    )


# Every bound on what a client can make the server spend: flag, Settings field, type, help.
_LIMITS: tuple[tuple[str, str, type, str], ...] = (
    ("--max-utterance-seconds", "max_utterance_s", float, "longest voice utterance over Wyoming"),
    ("--max-upload-mb", "max_upload_mb", int, "largest upload accepted"),
    ("--idle-timeout-seconds", "idle_timeout_s", float,
     "a Wyoming connection that sends no event (or takes no answer) this long is closed"),
    ("--max-connections", "max_connections", int,
     "Wyoming connections served at once; more are refused"),
    ("--max-queued-voice-seconds-per-connection", "max_queued_voice_per_connection_s", float,
     "voice audio of one connection that may wait to be decoded"),
    ("--max-queued-voice-seconds", "max_queued_voice_s", float,
     "voice audio of all connections that may wait to be decoded; a connection with nothing "
     "waiting still gets one segment in"),
    ("--max-log-lines-per-second", "max_log_lines_per_s", int,
     "log lines per second for one repeated message; the rest are counted"),
)  # fmt: skip
# Lengths of audio, given in hours and kept in seconds.
_HOUR_LIMITS = (
    ("--max-upload-hours", "max_upload_s", "longest audio decoded from one upload"),
    ("--max-meeting-hours", "max_meeting_s", "longest meeting recorded"),
)


def _add_limit_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("limits")
    for flag, field, kind, text in _LIMITS:
        default = getattr(_DEFAULT, field)
        help_text = f"{text} (default: %(default)s)"
        group.add_argument(
            flag, type=kind, default=default, dest=field, metavar="N", help=help_text
        )
    for flag, field, text in _HOUR_LIMITS:
        default = getattr(_DEFAULT, field) / 3600
        help_text = f"{text}, in hours; past it the rest is not recorded (default: %(default)s)"
        group.add_argument(
            flag, type=float, default=default, dest=field, metavar="HOURS", help=help_text
        )


def _add_meeting_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("meetings and HTTP API")
    group.add_argument("--http-host", default=_DEFAULT.http_host, help="HTTP API address")
    group.add_argument(
        "--http-port",
        type=int,
        default=DEFAULT_HTTP_PORT,
        help="HTTP API port; 0 turns the API off (default: %(default)s)",
    )
    group.add_argument(
        "--api-token-file",
        type=Path,
        help="file holding the API bearer token (default: generated in the data dir)",
    )
    group.add_argument(
        "--ingress-port",
        type=int,
        default=_DEFAULT.ingress_port,
        help="port of the page and API for Home Assistant's ingress, without token; "
        "0 turns it off (default: %(default)s)",
    )
    group.add_argument(
        "--ingress-peer",
        default=_DEFAULT.ingress_peer,
        metavar="ADDRESS",
        help="the only client address the ingress port answers (default: %(default)s, "
        "the Supervisor's ingress proxy)",
    )
    group.add_argument(
        "--recordings-dir", type=Path, help="meetings (default: DATA_DIR/recordings)"
    )
    group.add_argument(
        "--mic-command",
        default=DEFAULT_MIC_COMMAND,
        help="program writing raw 16 kHz mono s16 audio to stdout (default: %(default)s)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wyoming_scribe",
        description="Meeting Scribe: streaming Wyoming speech-to-text and meeting transcription.",
    )
    _add_server_flags(parser)
    _add_model_flags(parser)
    _add_limit_flags(parser)
    _add_meeting_flags(parser)
    return parser


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.beam_size < 1:
        parser.error("--beam-size must be at least 1")
    if args.cpu_threads < 0 or args.temperature_fallback < 0 or args.max_tokens < 0:
        parser.error("--cpu-threads, --temperature-fallback and --max-tokens cannot be negative")
    for flag, port in (("--http-port", args.http_port), ("--ingress-port", args.ingress_port)):
        if not 0 <= port <= 65535:
            parser.error(f"{flag} must be between 0 and 65535")
    if args.ingress_port and args.ingress_port == args.http_port:
        parser.error("--ingress-port must differ from --http-port")
    fields = [limit[1] for limit in _LIMITS] + [limit[1] for limit in _HOUR_LIMITS]
    bounds = [getattr(args, field) for field in fields]
    if min(bounds) <= 0:
        parser.error("the limits (--max-*, --idle-timeout-seconds) must be positive")


def parse_settings(argv: Sequence[str] | None = None) -> Settings:
    parser = build_parser()
    args = parser.parse_args(argv)
    _check(parser, args)
    language = args.language if args.language not in (None, "", "auto") else None
    return Settings(
        uri=args.uri,
        model=args.model,
        data_dir=args.data_dir,
        language=language,
        beam_size=args.beam_size,
        compute_type=args.compute_type,
        cpu_threads=args.cpu_threads or default_cpu_threads(),
        initial_prompt=args.initial_prompt or None,
        local_files_only=args.local_files_only,
        temperature_fallback=args.temperature_fallback,
        max_tokens=args.max_tokens or None,
        max_utterance_s=args.max_utterance_s,
        zeroconf_name=args.zeroconf_name,
        http_host=args.http_host,
        http_port=args.http_port,
        api_token_file=args.api_token_file,
        ingress_port=args.ingress_port,
        ingress_peer=args.ingress_peer,
        recordings_dir=args.recordings_dir,
        mic_command=args.mic_command,
        max_upload_mb=args.max_upload_mb,
        max_upload_s=args.max_upload_s * 3600,
        max_meeting_s=args.max_meeting_s * 3600,
        idle_timeout_s=args.idle_timeout_s,
        max_connections=args.max_connections,
        max_queued_voice_per_connection_s=args.max_queued_voice_per_connection_s,
        max_queued_voice_s=args.max_queued_voice_s,
        max_log_lines_per_s=args.max_log_lines_per_s,
        debug=args.debug,
    )
