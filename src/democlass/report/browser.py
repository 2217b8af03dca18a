"""Open a report in headless Chromium: the page after its scripts ran, or a picture of it.

Used by the tests, the benchmark and ``docs/make_figures.py`` (not by the
report itself). Chromium runs isolated: a fresh profile in a temporary
folder (removed afterwards) and no background networking, updates or sync.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["ChromiumError", "chromium", "dump_dom", "screenshot"]

FLAGS = (
    "--headless",
    "--no-sandbox",  # Chromium's sandbox refuses to run as root, as in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
)


class ChromiumError(RuntimeError):
    """Chromium is missing, failed or took too long."""


def chromium() -> str | None:
    """The Chromium executable (``$CHROMIUM``, else ``chromium`` or
    ``chromium-browser`` on the PATH), or None."""
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if name and (found := shutil.which(name)):
            return found
    return None


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    exe = chromium()
    if exe is None:
        raise ChromiumError("chromium is not installed (Debian: apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="democlass-chromium-")
    try:
        done = subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ChromiumError(f"chromium took more than {timeout} s") from exc
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if done.returncode != 0:
        raise ChromiumError(f"chromium exited with {done.returncode}: {done.stderr[-2000:]}")
    return done


def _url(page: str | Path, fragment: str) -> str:
    return Path(page).resolve().as_uri() + (f"#{fragment}" if fragment else "")


def dump_dom(
    page: str | Path, fragment: str = "", *, budget_ms: int = 0, timeout: float = 60.0
) -> str:
    """The page's DOM, serialised after its scripts ran (``--dump-dom``).

    Parameters
    ----------
    page : str or Path
        An HTML file.
    fragment : str, optional
        Added to the file's URL after ``#`` (a report reads its view from it).
    budget_ms : int, optional
        Let the page's timers run for this long (virtual time) before the dump.
    """
    budget = [f"--virtual-time-budget={budget_ms}"] if budget_ms else []
    return _run([*budget, "--dump-dom", _url(page, fragment)], timeout).stdout


def screenshot(
    page: str | Path,
    out: str | Path,
    *,
    fragment: str = "",
    size: tuple[int, int] = (1280, 900),
    timeout: float = 60.0,
) -> Path:
    """A PNG of the page at ``size`` (width, height in CSS pixels)."""
    out = Path(out).resolve()
    _run(
        [f"--screenshot={out}", f"--window-size={size[0]},{size[1]}", _url(page, fragment)],
        timeout,
    )
    return out
