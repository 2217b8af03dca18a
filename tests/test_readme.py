"""The README's quick start and CI run the same test command."""

from __future__ import annotations

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
