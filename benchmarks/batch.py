"""Batch tagging: the ``democlass tag`` command on a folder of articles.

Generates N article files (default 10,000) of about 8 paragraphs each, drawn
from the paragraphs of the seed documents, then times in one run:

- the library: ``split_paragraphs`` on every file and ``democlass.tag`` on
  all the paragraphs, in-process (the rate the command should approach);
- the command: ``democlass tag FOLDER -o out.csv`` with ``--jobs 1`` and
  ``--jobs 2``, as subprocesses, with their peak memory.

    python benchmarks/batch.py
    python benchmarks/batch.py --files 2000 --repeat 1
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import democlass

ROOT = Path(__file__).resolve().parents[1]


def make_corpus(folder: Path, n_files: int, seed: int = 0) -> None:
    paragraphs = [
        p.text
        for path in sorted((ROOT / "seeds").glob("*.txt"))
        for p in democlass.split_paragraphs(path.read_text(encoding="utf-8"))
        if p.kind == "text"
    ]
    rng = random.Random(seed)
    for i in range(n_files):
        body = "\n\n".join(rng.choice(paragraphs) for _ in range(rng.randint(6, 10)))
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"article-{i:05d}.txt").write_text(body + "\n", encoding="utf-8")


def library_rate(folder: Path) -> tuple[float, int, int]:
    t = time.perf_counter()
    files = sorted(folder.rglob("*.txt"))
    texts = [
        p.text for f in files for p in democlass.split_paragraphs(f.read_text(encoding="utf-8"))
    ]
    democlass.tag(texts)
    return time.perf_counter() - t, len(files), len(texts)


def command(folder: Path, out: Path, jobs: int) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "democlass",
            "tag",
            str(folder),
            "-o",
            str(out),
            "--quiet",
            "--jobs",
            str(jobs),
        ],
        check=True,
    )
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs of each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        make_corpus(folder, args.files)
        democlass.predict(["warm up"])
        lib_s, one_s, two_s = float("inf"), float("inf"), float("inf")
        for _ in range(args.repeat):  # interleaved, so load on the machine hits all alike
            lib, n_files, n_par = library_rate(folder)
            one, one_mb = command(folder, Path(tmp) / "one.csv", 1)
            two, two_mb = command(folder, Path(tmp) / "two.csv", 2)
            lib_s, one_s, two_s = min(lib_s, lib), min(one_s, one), min(two_s, two)
        same = (Path(tmp) / "one.csv").read_bytes() == (Path(tmp) / "two.csv").read_bytes()
    print(f"{n_files} files, {n_par} paragraphs, best of {args.repeat} interleaved runs\n")
    print(f"{'run':28s} {'files/s':>9s} {'paragraphs/s':>13s} {'peak MB':>8s}")
    print(f"{'library (split + tag)':28s} {n_files / lib_s:9,.0f} {n_par / lib_s:13,.0f} {'':>8s}")
    print(
        f"{'democlass tag --jobs 1':28s} {n_files / one_s:9,.0f} {n_par / one_s:13,.0f} "
        f"{one_mb:8.0f}"
    )
    print(
        f"{'democlass tag --jobs 2':28s} {n_files / two_s:9,.0f} {n_par / two_s:13,.0f} "
        f"{two_mb:8.0f}"
    )
    print(
        f"\ncommand --jobs 1 / library: {lib_s / one_s:.2f}   "
        f"--jobs 2 / --jobs 1: {one_s / two_s:.2f}   identical output: {same}"
    )
    print(
        "(the command's time includes starting Python, reading files and writing the CSV; "
        "peak MB is the largest child process so far)"
    )


if __name__ == "__main__":
    main()
