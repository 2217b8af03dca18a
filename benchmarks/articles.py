"""Accuracy on whole articles read in order, in context and paragraph by paragraph.

    python benchmarks/articles.py

Scores three models on the sets that were never trained on:

- ``data/heldout-articles.csv``: whole documents written apart by separate
  writers, in other proportions of registers; it chose nothing;
- ``../shared/dev-articles/articles.jsonl`` (when the checkout sits beside
  it): runs of units from real articles by outside authors, rewritten and
  labelled in context by two readers; it chose nothing either;
- ``data/dev2.csv``: isolated paragraphs (each its own document).

The models: the per-paragraph model democlass shipped before it read context
(``benchmarks/baseline-model.npz``), the built-in model reading each unit
alone (``--no-context``), and the built-in model in context (the default).
"Share error" is the mean, over documents and the five labels, of the
absolute difference between the share of a document's units a label has by
hand and by the model: what an analyst reporting per-document shares sees.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, recall_score

import democlass

ROOT = Path(__file__).resolve().parents[1]
DEV_ARTICLES = ROOT.parent / "shared" / "dev-articles" / "articles.jsonl"


def sets() -> dict[str, pd.DataFrame]:
    out = {"held-out articles": democlass.load_labels(ROOT / "data" / "heldout-articles.csv")}
    if DEV_ARTICLES.exists():
        rows = [json.loads(line) for line in DEV_ARTICLES.read_text(encoding="utf-8").splitlines()]
        out["real articles (dev)"] = pd.DataFrame(rows)
    out["dev2 paragraphs"] = democlass.load_labels(ROOT / "data" / "dev2.csv")
    return out


def share_error(frame: pd.DataFrame, predicted: np.ndarray) -> float:
    labels = list(democlass.LABELS)
    truth = pd.crosstab(frame["doc"], frame["label"], normalize="index")
    guess = pd.crosstab(frame["doc"].to_numpy(), predicted, normalize="index")
    truth = truth.reindex(columns=labels, fill_value=0.0)
    guess = guess.reindex(index=truth.index, columns=labels, fill_value=0.0)
    return float((truth - guess).abs().to_numpy().mean())


def score(frame: pd.DataFrame, model: democlass.FrozenModel, context: bool) -> dict[str, float]:
    tagged = democlass.tag(
        frame[["text", "doc"]], document_column="doc" if context else None, model=model
    )
    predicted = tagged["label"].to_numpy(dtype=object)
    truth = frame["label"].to_numpy(dtype=object)
    recall = recall_score(truth, predicted, labels=list(democlass.FORMS), average=None)
    return {
        "units": len(frame),
        "accuracy": float(np.mean(predicted == truth)),
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
        "share_error": share_error(frame, predicted),
        **{f"recall_{f}": float(r) for f, r in zip(democlass.FORMS, recall, strict=True)},
    }


def main() -> None:
    baseline = democlass.load(ROOT / "benchmarks" / "baseline-model.npz")
    builtin = democlass.api._builtin()
    models = [
        ("per-paragraph model of v0.1 (baseline)", baseline, False),
        ("built-in model, each unit alone (--no-context)", builtin, False),
        ("built-in model, in context (default)", builtin, True),
    ]
    rows = []
    for name, frame in sets().items():
        for label, model, context in models:
            rows.append({"set": name, "model": label, **score(frame, model, context)})
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
