"""The parts of the add-on's Dockerfile a builder reads before it builds: the base image and labels.

Docker's rules, restated for what this Dockerfile uses: an ARG before the first FROM takes its
default unless the builder passes a build argument of that same name (arguments the Dockerfile
does not declare are ignored), and FROM expands ${NAME} from those ARGs.
"""

from __future__ import annotations

import re
import shlex

from tests.addon.addon_files import ADDON

DOCKERFILE = ADDON / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            found.append((keyword.upper(), arguments.strip()))
    return found


def base_image(build_args: dict[str, str]) -> str:
    """The image FROM names when a builder passes BUILD_ARGS."""
    declared: dict[str, str] = {}
    for keyword, arguments in instructions():
        if keyword == "ARG":
            name, _, default = arguments.partition("=")
            declared[name] = build_args.get(name, default)
        elif keyword == "FROM":
            image = arguments.split()[0]
            return re.sub(r"\$\{?(\w+)\}?", lambda match: declared.get(match[1], ""), image)
    raise AssertionError("the Dockerfile has no FROM")


def labels() -> dict[str, str]:
    found: dict[str, str] = {}
    for keyword, arguments in instructions():
        if keyword == "LABEL":
            for pair in shlex.split(arguments):
                key, _, value = pair.partition("=")
                found[key] = value
    return found
