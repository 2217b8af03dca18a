"""Paragraph splitting: throughput of ``split_paragraphs`` on large documents.

Splits documents of 1, 10 and 50 MB in four shapes and prints MB/s for each:

- hard-wrapped: short lines of one endless paragraph, no blank lines;
- blank-line: one-line paragraphs separated by blank lines;
- page-broken: paragraph halves broken by blank lines, each joined to the last;
- pathological: a single line of ``<a <a <a`` (a backtracking tag pattern
  once made this quadratic).

Splitting is linear when MB/s stays about the same across the sizes; the last
column is the slowest size's rate over the fastest's (1.0 is flat).

    python benchmarks/split.py
    python benchmarks/split.py --sizes 1 10
"""

from __future__ import annotations

import argparse
import time

from democlass.split import iter_paragraphs

SHAPES = {
    "hard-wrapped": "the model weights are free to download and\n",
    "blank-line": "The model weights are free to download.\n\n",
    "page-broken": "the model weights are free to download and\n\n",
    "pathological": "<a ",
}


def document(shape: str, megabytes: float) -> str:
    unit = SHAPES[shape]
    return unit * int(megabytes * 1_000_000 / len(unit))


def rate(text: str) -> float:
    """MB/s of splitting ``text``, units consumed one by one as batch tagging does."""
    t = time.perf_counter()
    for _ in iter_paragraphs(text):
        pass
    return len(text) / 1_000_000 / (time.perf_counter() - t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10, 50], help="MB")
    args = parser.parse_args()
    print(f"{'shape':14s}" + "".join(f"{f'{s:g} MB':>10s}" for s in args.sizes) + "  slow/fast")
    for shape in SHAPES:
        rates = [rate(document(shape, size)) for size in args.sizes]
        cells = "".join(f"{r:10.1f}" for r in rates)
        print(f"{shape:14s}{cells}  {min(rates) / max(rates):9.2f}")
    print("(MB/s; one run each, in one process)")


if __name__ == "__main__":
    main()
