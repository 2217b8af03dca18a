"""Throughput of the built-in model against bare regex tokenisation of the same text.

For N paragraphs (default 100,000, cycled from data/labels.csv and the dev
sets): paragraphs/s and MB/s of ``predict`` and ``tag`` (each paragraph
alone), of ``tag`` in context (``document_column``, the paragraphs taken as
documents of 14 units, the mean length of the written articles), the same for bare
tokenisation (``re.findall(r"(?u)\\b\\w\\w+\\b", text.lower())``), their ratio,
peak memory of each step (each runs in a fresh child process), and the
cold-start time of ``python -c "import democlass; democlass.predict([...])"``.

    python benchmarks/throughput.py
    python benchmarks/throughput.py --n 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LOAD = r"""
import pandas as pd
texts = []
for name in ("labels.csv", "dev.csv", "dev2.csv"):
    try:
        frame = pd.read_csv(f"{root}/data/{name}", dtype=str, keep_default_na=False)
        texts += frame["text"].tolist()
    except FileNotFoundError:
        pass
texts = (texts * (n // len(texts) + 1))[:n]
units = pd.DataFrame({"text": texts, "doc": [i // 14 for i in range(n)]})
"""

# Timing: all steps in one process, interleaved, best of `repeat` each, so that
# load from other processes on the machine hits every step alike.
TIMING = (
    LOAD
    + r"""
import json, re, time
import democlass
democlass.predict(["warm up: load the model"])
def tokenise():
    for t in texts:  # results dropped: keeping 100,000 token lists would slow it with GC
        re.findall(r"(?u)\b\w\w+\b", t.lower())


steps = {
    "tokenise": tokenise,
    "predict": lambda: democlass.predict(texts),
    "tag": lambda: democlass.tag(texts),
    "in context": lambda: democlass.tag(units, document_column="doc"),
}
best = {k: float("inf") for k in steps}
for _ in range(repeat):
    for name, step in steps.items():
        t = time.perf_counter()
        step()
        best[name] = min(best[name], time.perf_counter() - t)
mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
print(json.dumps({"seconds": best, "mb": mb}))
"""
)

# Peak memory: each step alone in a fresh process.
MEMORY = (
    LOAD
    + r"""
import re, resource
import democlass
if step == "tokenise":
    for t in texts:
        re.findall(r"(?u)\b\w\w+\b", t.lower())
elif step == "predict":
    democlass.predict(texts)
elif step == "tag":
    democlass.tag(texts)
elif step == "in context":
    democlass.tag(units, document_column="doc")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
)


def child(code: str, n: int, repeat: int = 1, step: str = "") -> str:
    prelude = f"root, n, repeat, step = {str(ROOT)!r}, {n}, {repeat}, {step!r}\n"
    out = subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, check=True
    )
    return out.stdout


def cold_start(runs: int = 5) -> tuple[float, float]:
    code = "import democlass; democlass.predict(['Open weights let anyone fine-tune the model.'])"
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t)
    bare = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - t)
    return statistics.median(times), statistics.median(bare)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="paragraphs (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()

    timing = json.loads(child(TIMING, args.n, args.repeat))
    seconds, mb = timing["seconds"], timing["mb"]
    peak = {step: float(child(MEMORY, args.n, step=step)) for step in seconds}
    print(
        f"{args.n} paragraphs, {mb:.1f} MB of text; best of {args.repeat} interleaved runs; "
        "peak memory of each step alone in a fresh process (includes the text)\n"
    )
    print(f"{'step':10s} {'paragraphs/s':>13s} {'MB/s':>7s} {'peak MB':>8s} {'vs tokenise':>12s}")
    base = args.n / seconds["tokenise"]
    for step, secs in seconds.items():
        rate = args.n / secs
        print(f"{step:10s} {rate:13,.0f} {mb / secs:7.2f} {peak[step]:8.0f} {rate / base:12.2f}")
    cold, bare = cold_start()
    print(
        f"\ncold start to first prediction: {cold:.3f} s (median of 5; bare interpreter "
        f"{bare:.3f} s)"
    )


if __name__ == "__main__":
    main()
