"""The README's two commands, followed literally.

The first command (install, then ``rulelang eval``) is run as written in a fresh copy of
the repository: a new virtual environment, a real (non-editable) install, and the
example that ships inside the wheel.  The second (install the test extras, run pytest)
is what ``.ci/run`` does; running it here would run this test again, so the test checks
that CI runs exactly those steps.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from support.paths import ROOT

_IGNORE = shutil.ignore_patterns(".git", ".venv", "venv", "__pycache__", ".pytest_cache",
                                 ".hypothesis", ".ruff_cache", "build", "dist", "*.egg-info")


def readme_commands() -> list[str]:
    """The command lines of the README's first ``sh`` block."""
    text = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"```(?:sh|bash|console)\n(.*?)```", text, re.DOTALL)
    assert block, "the README starts with a shell block holding the two commands"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def _steps(line: str) -> list[str]:
    return [" ".join(step.split()) for step in line.split("&&")]


def test_the_readme_has_an_install_and_eval_command_and_an_install_and_test_command():
    commands = readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("rulelang eval")
    assert commands[1].endswith("pytest")


def test_the_readme_test_command_is_what_ci_runs():
    ci = [" ".join(line.replace("--quiet ", "").split())
          for line in (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    position = 0
    for step in _steps(readme_commands()[1]):
        assert step in ci[position:], f"CI does not run the README step {step!r}"
        position = ci.index(step, position) + 1


def test_the_readme_install_and_eval_command_works_as_written(tmp_path):
    repo = tmp_path / "rulelang"
    shutil.copytree(ROOT, repo, ignore=_IGNORE)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(NO_COLOR="1", COLUMNS="100")
    result = subprocess.run(["bash", "-c", readme_commands()[0]], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    samples = (ROOT / "corpus" / "example" / "samples.jsonl").read_text("utf-8")
    count = sum(1 for line in samples.splitlines() if line.strip())
    assert result.stdout.strip().splitlines()[-1].startswith(f"{count} samples: ")
    # The example ships inside the wheel: it runs from any directory, without the checkout.
    installed = repo / ".venv" / "bin" / "rulelang"
    shutil.rmtree(repo / "corpus")
    again = subprocess.run([str(installed), "eval", "--format", "json"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    assert len(again.stdout.splitlines()) == count
