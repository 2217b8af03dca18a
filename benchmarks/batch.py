"""Batch tagging: the ``democlass tag`` command on a folder of articles.

Generates N article files (default 10,000) of about 8 paragraphs each, drawn
from the paragraphs of the seed documents, then times in one run:

- the library: ``split_paragraphs`` on every file and ``democlass.tag`` on
  all the paragraphs, in-process (the rate the command should approach);
- the command: ``democlass tag FOLDER -o out.csv`` with ``--jobs 1`` and
  ``--jobs 2``, as subprocesses, with their peak memory;
- the command on one table of ``--rows`` rows (default 200,000), ``--jobs 1``
  and ``--jobs 2``: tables are split among workers like folders;
- the command on one large file of 10 and 50 MB: peak memory over the
  file's size (paragraphs stream through, so the ratio falls as files grow).

    python benchmarks/batch.py
    python benchmarks/batch.py --files 2000 --rows 50000 --repeat 1
"""

from __future__ import annotations

import argparse
import csv
import random
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
    """Seconds and peak MB of ``democlass tag`` run in a fresh interpreter
    (its own child, so the peak is this run's alone)."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(time.perf_counter() - t, peak / 1024)\n"
    )
    args = [sys.executable, "-m", "democlass", "tag", str(folder), "-o", str(out), "--quiet"]
    done = subprocess.run(
        [sys.executable, "-c", code, *args, "--jobs", str(jobs)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, peak = map(float, done.stdout.split())
    return seconds, peak


def make_table(path: Path, rows: int, seed: int = 0) -> None:
    paragraphs = [
        p.text
        for f in sorted((ROOT / "seeds").glob("*.txt"))
        for p in democlass.split_paragraphs(f.read_text(encoding="utf-8"))
        if p.kind == "text"
    ]
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        for i in range(rows):
            writer.writerow([f"r{i}", rng.choice(paragraphs)])


def make_large_file(path: Path, megabytes: int) -> None:
    paragraph = "The model weights are free to download and fine-tune by anyone.\n\n"
    path.write_text(paragraph * (megabytes * 1_000_000 // len(paragraph)), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs of each")
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the table")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50], help="MB, large file")
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
        table = Path(tmp) / "table.csv"
        make_table(table, args.rows)
        t_one = t_two = float("inf")
        for _ in range(args.repeat):
            a, a_mb = command(table, Path(tmp) / "t1.csv", 1)
            b, b_mb = command(table, Path(tmp) / "t2.csv", 2)
            t_one, t_two = min(t_one, a), min(t_two, b)
        t_same = (Path(tmp) / "t1.csv").read_bytes() == (Path(tmp) / "t2.csv").read_bytes()
        large = []
        for size in args.sizes:
            big = Path(tmp) / f"large-{size}.txt"
            make_large_file(big, size)
            seconds, peak = command(big, Path(tmp) / "large.csv", 1)
            large.append((size, seconds, peak))
            big.unlink()
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
        "peak MB is the command's own)"
    )
    print(f"\none table of {args.rows:,} rows")
    print(f"{'democlass tag --jobs 1':28s} {args.rows / t_one:9,.0f} rows/s  peak {a_mb:5.0f} MB")
    print(f"{'democlass tag --jobs 2':28s} {args.rows / t_two:9,.0f} rows/s  peak {b_mb:5.0f} MB")
    print(f"--jobs 2 / --jobs 1: {t_one / t_two:.2f}   identical output: {t_same}")
    print("\none large file (one-line paragraphs)")
    for size, seconds, peak in large:
        print(
            f"{size:3d} MB: {seconds:6.1f} s  {size / seconds:5.2f} MB/s  peak {peak:5.0f} MB  "
            f"peak / size {peak / size:5.1f}"
        )


if __name__ == "__main__":
    main()
