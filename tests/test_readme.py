"""The README: its quick start and CI run the same test command, its Python examples
run, and its printed command output is what the commands print."""

from __future__ import annotations

import doctest
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(
        r"^(?!#)(\S.*)$", quick_start.split("```bash", 1)[1].split("```", 1)[0], re.MULTILINE
    )
    assert len(commands) == 2, commands
    test_command = commands[1]
    assert "pytest" in test_command
    assert f"readme_test_command='{test_command}'" in ci
    assert 'bash -c "$readme_test_command"' in ci


def test_quick_start_tags_the_seeds():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install . && democlass tag seeds/*.txt" in readme


def test_readme_python_examples_run_as_doctests():
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=flags)
    assert result.attempted >= 3
    assert result.failed == 0


def test_readme_printed_output_is_what_the_commands_print(capsys):
    spec = importlib.util.spec_from_file_location(
        "update_readme", ROOT / "docs" / "update_readme.py"
    )
    update = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(update)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(update.BLOCK.findall(readme)) >= 5  # quick start, sample, validate, shares, evaluate
    code = update.main(["--check"])
    assert code == 0, capsys.readouterr().out
