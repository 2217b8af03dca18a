"""Rewrite the command output printed in README.md by running the commands.

Each printed block is marked with the command that prints it::

    <!-- output: democlass validate notebooks/coded-sample.csv -->
    ```text
    $ democlass validate notebooks/coded-sample.csv
    ...what the command printed...
    ```

The comment is hidden when the README is rendered, so the block starts with
the command, as typed at a prompt.
The commands run in order, in one scratch folder that sees the repository's
``seeds/``, ``data/`` and ``notebooks/`` (so files a command writes never land
in the checkout), with standard error shown after standard output as a
terminal would. After a change of model, data or output format, run

    python docs/update_readme.py

and commit the README. ``--check`` rewrites nothing and exits 1 if a block
differs from what its command prints now; the test suite runs it, so the
README cannot drift from the code.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHARED = ("seeds", "data", "notebooks")
BLOCK = re.compile(
    r"(<!-- output: (?P<command>.+?) -->\n```[a-z]*\n)(?P<body>.*?)(^```)", re.S | re.M
)


def _run(command: str, cwd: Path) -> str:
    # the interpreter's own scripts folder first, so "democlass" is this installation
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env["PYTHONIOENCODING"] = "utf-8"
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command!r} exited {done.returncode}:\n{done.stderr}")
    return done.stdout + done.stderr


def render(text: str) -> str:
    """The README with every marked block replaced by what its command prints now."""
    with tempfile.TemporaryDirectory() as scratch:
        for name in SHARED:
            os.symlink(ROOT / name, Path(scratch) / name)

        def replace(match: re.Match[str]) -> str:
            out = _run(match["command"], Path(scratch))
            return (
                match.group(1)
                + f"$ {match['command']}\n"
                + out.rstrip("\n")
                + "\n"
                + match.group(4)
            )

        return BLOCK.sub(replace, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report drift (exit 1)")
    args = parser.parse_args(argv)
    old = README.read_text(encoding="utf-8")
    new = render(old)
    if new == old:
        print("README.md: every printed block matches its command")
        return 0
    if args.check:
        sys.stdout.writelines(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                "README.md (committed)",
                "README.md (commands now)",
            )
        )
        print("README.md: printed output drifted; run python docs/update_readme.py")
        return 1
    README.write_text(new, encoding="utf-8")
    print("README.md: printed blocks rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
