"""The GitHub workflows: actionlint-clean, pinned, and each doing the job the README says.

They cannot run here; actionlint checks them (syntax, expressions, the inputs of popular actions,
shellcheck on every run: script) and these tests check they fit this repository.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sysconfig
import tomllib
from pathlib import Path
from typing import Any

import yaml

from tests.addon.addon_files import ADDON, config
from tests.assets import REPO

WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = Path(sysconfig.get_path("scripts")) / "actionlint"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>\S+)(?:\s+#\s*(?P<version>\S.*))?$")


def workflow_files() -> list[Path]:
    files = sorted([*WORKFLOWS.glob("*.yaml"), *WORKFLOWS.glob("*.yml")])
    assert files, "no workflows: the checks below would check nothing"
    return files


def workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    # YAML 1.1 reads the key `on` as true.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def step_using(data: dict[str, Any], action: str) -> dict[str, Any]:
    found = [step for step in steps(data) if step.get("uses", "").split("@")[0] == action]
    assert len(found) == 1, f"{action} is used {len(found)} times"
    return found[0]


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT.exists(), f"{ACTIONLINT} is missing: run script/setup"
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing: run script/setup"
    return subprocess.run(
        [str(ACTIONLINT), "-no-color", "-shellcheck", shellcheck, *map(str, paths)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_actionlint_is_clean_on_every_workflow() -> None:
    done = actionlint(*workflow_files())
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_here_finds_what_is_wrong_in_a_workflow(tmp_path: Path) -> None:
    # So that a clean result above means something: a job needing a job that does not exist,
    # and a run: script shellcheck warns about.
    broken = tmp_path / ".github" / "workflows" / "broken.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\n"
        "jobs:\n"
        "  test:\n"
        "    needs: build\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: cd $HOME/x && ls\n"
    )
    done = actionlint(broken)
    assert done.returncode == 1
    assert 'job "test" needs job "build" which does not exist' in done.stdout
    assert "SC2086" in done.stdout


def test_every_action_is_pinned_to_a_commit_with_its_version_beside_it() -> None:
    for path in workflow_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            match = USES.match(line)
            if match is None or match["action"].startswith("./"):
                continue
            assert PINNED.match(match["action"]), f"{path.name}: {line.strip()}"
            assert match["version"], f"{path.name}: say which version {match['action']} is"


def test_the_test_workflow_runs_the_readme_test_command_on_the_projects_python() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "```bash\nscript/test\n```" in readme
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").rstrip().endswith("script/test")
    tests = workflow("test.yaml")
    assert {"push", "pull_request"} <= set(tests["on"])
    assert [step["run"] for step in steps(tests) if "run" in step] == [".ci/run"]
    python = step_using(tests, "actions/setup-python")["with"]["python-version"]
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == f">={python}"


def test_validate_runs_hassfest_hacs_and_the_addon_linter() -> None:
    validate = workflow("validate.yaml")
    assert {"push", "pull_request", "schedule"} <= set(validate["on"])
    step_using(validate, "home-assistant/actions/hassfest")
    assert step_using(validate, "hacs/action")["with"] == {"category": "integration"}
    linted = step_using(validate, "frenck/action-addon-linter")["with"]["path"]
    assert (REPO / linted).resolve() == ADDON
    assert (REPO / linted / "config.yaml").is_file()


def test_a_release_tag_publishes_the_image_config_yaml_names() -> None:
    build = workflow("build.yaml")
    assert build["on"]["push"] == {"tags": ["v*"]}
    owner = config()["url"].removeprefix("https://github.com/").split("/")[0]
    assert config()["image"] == f"ghcr.io/{owner}/{{arch}}-{build['env']['IMAGE_NAME']}"
    # The owner the builder's registry prefix defaults to: the repository's on GitHub.
    matrix = step_using(build, "home-assistant/builder/actions/prepare-multi-arch-matrix")
    assert "registry-prefix" not in matrix["with"]
    assert matrix["with"]["image-name"] == "${{ env.IMAGE_NAME }}"
    # Every arch of config.yaml, which the builder's matrix can build (on native runners).
    assert matrix["with"]["architectures"] == "${{ steps.addon.outputs.architectures }}"
    assert set(config()["arch"]) <= {"amd64", "aarch64"}
    image = step_using(build, "home-assistant/builder/actions/build-image")["with"]
    assert (REPO / image["context"] / "Dockerfile").resolve() == ADDON / "Dockerfile"
    # The Supervisor pulls <image>:<version of config.yaml>.
    assert image["version"] == "${{ needs.init.outputs.version }}"
    assert image["image-tags"].split() == ["${{", "needs.init.outputs.version", "}}", "latest"]
    assert image["push"] == "${{ needs.init.outputs.publish }}"
