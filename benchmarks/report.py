"""The HTML report at scale: build time, file size and load time in headless Chromium.

Generates a folder of articles drawn from the seed paragraphs (the corpus of
``benchmarks/batch.py``; 1,270 files give about 10,000 units), then measures
in one run:

- build: ``democlass report FOLDER -o report.html`` as a subprocess (start,
  read, tag, explain, write), and ``democlass.report(tagged, path)``
  in-process on rows already tagged (the report's own share);
- size of the file;
- load: the page opened from disk in headless Chromium, as the time from
  navigation to the end of the page's first render with every handler
  attached (``data-ready``, measured by the page), for the corpus view and
  for a document view; and the whole Chromium run, start to exit, beside the
  same run on an empty page (the browser's own start-up).

    python benchmarks/report.py
    python benchmarks/report.py --files 6250 --repeat 1     # about 50,000 units
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import democlass
from democlass.report import browser

ROOT = Path(__file__).resolve().parents[1]


def _make_corpus():
    spec = importlib.util.spec_from_file_location("batch_bench", ROOT / "benchmarks" / "batch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_corpus


def ready_ms(page: Path, fragment: str = "") -> tuple[float, float]:
    """The page's own time to interactive (ms) and the whole Chromium run (s)."""
    t = time.perf_counter()
    dom = browser.dump_dom(page, fragment)
    wall = time.perf_counter() - t
    found = re.search(r'data-ready="(\d+)"', dom)
    if not found:
        raise SystemExit(f"the page did not finish its first render: {dom[:300]}")
    return float(found.group(1)), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1270)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if browser.chromium() is None:
        raise SystemExit("needs chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        folder, page = Path(tmp) / "corpus", Path(tmp) / "report.html"
        folder.mkdir()
        _make_corpus()(folder, args.files)

        t = time.perf_counter()
        cmd = [sys.executable, "-m", "democlass", "report", str(folder), "-o", str(page), "-q"]
        subprocess.run(cmd, check=True)
        command_s = time.perf_counter() - t

        files = sorted(folder.rglob("*.txt"))
        tagged = democlass.tag_documents(
            [f.read_text(encoding="utf-8") for f in files], context=True
        )
        library = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            democlass.report(tagged, Path(tmp) / "again.html")
            library.append(time.perf_counter() - t)

        size_mb = page.stat().st_size / 1e6
        empty = Path(tmp) / "empty.html"
        empty.write_text("<!DOCTYPE html><title>empty</title>", encoding="utf-8")
        corpus = [ready_ms(page) for _ in range(args.repeat)]
        document = [ready_ms(page, f"doc={len(files) // 2}") for _ in range(args.repeat)]
        bare = [wall_s(empty) for _ in range(args.repeat)]

    med = statistics.median
    corpus_ms, corpus_wall = med(c[0] for c in corpus), med(c[1] for c in corpus)
    document_ms = med(d[0] for d in document)
    print(f"report of {len(files):,} documents, {len(tagged):,} units (median of {args.repeat})")
    rows = [
        ("build, command (start, read, tag, explain, write)", command_s, "s"),
        ("build, democlass.report on tagged rows", med(library), "s"),
        ("size", size_mb, "MB"),
        ("load to interactive, corpus view (in page)", corpus_ms / 1000, "s"),
        ("load to interactive, document view (in page)", document_ms / 1000, "s"),
        ("chromium run, corpus view (start to exit)", corpus_wall, "s"),
        ("chromium run, empty page (start to exit)", med(bare), "s"),
    ]
    for name, value, unit in rows:
        print(f"  {name + ':':<52}{value:6.2f} {unit}")


def wall_s(page: Path) -> float:
    """The whole Chromium run on a page, start to exit (s)."""
    t = time.perf_counter()
    browser.dump_dom(page)
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
