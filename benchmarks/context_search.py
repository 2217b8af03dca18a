"""Choose how context enters the model, by cross-validation grouped by document.

    python benchmarks/context_search.py [--quick] [--dev]

Each setting is scored on 5 folds that keep every document whole (the
authored standalone paragraphs in their writing batches), so no document is
on both sides of a split and each held-out unit is read in its own held-out
document, as in use. Columns:

- ``art acc`` / ``art F1`` / ``art share``: accuracy, macro-F1 and share
  error (mean over documents and labels of the absolute share difference) on
  the units of the multi-unit documents (the written articles and the seeds);
- ``para F1``: macro-F1 on the standalone paragraphs;
- ``all F1``: macro-F1 on every row.

``--dev`` adds accuracy on the real articles of ``../shared/dev-articles``
(a model fit on every row), the set that, with the grouped CV, chose the
blend (see ``docs/model.md``). ``data/heldout-articles.csv`` is never read
here: ``benchmarks/articles.py`` reports it for the setting chosen.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold

import democlass
from democlass.estimator import DemoClassifier
from democlass.evaluate import document_groups, model_input
from democlass.taxonomy import LABELS


def fold(X: pd.DataFrame, y: np.ndarray, train: np.ndarray, test: np.ndarray, params: dict):
    model = DemoClassifier(**params).fit(X.iloc[train], y[train])
    return test, model.predict(X.iloc[test])


def share_error(docs: np.ndarray, truth: np.ndarray, predicted: np.ndarray) -> float:
    t = pd.crosstab(docs, truth, normalize="index").reindex(columns=list(LABELS), fill_value=0)
    p = pd.crosstab(docs, predicted, normalize="index")
    p = p.reindex(index=t.index, columns=list(LABELS), fill_value=0)
    return float((t - p).abs().to_numpy().mean())


def dev_accuracy(X: pd.DataFrame, y: np.ndarray, params: dict, dev: pd.DataFrame | None) -> str:
    if dev is None:
        return "-"
    model = DemoClassifier(**params).fit(X, y)
    return f"{np.mean(model.predict(dev[['text', 'doc']]) == dev['label'].to_numpy()):.3f}"


def main(quick: bool, with_dev: bool) -> None:
    dev = None
    if with_dev:
        path = Path(__file__).resolve().parents[2] / "shared" / "dev-articles" / "articles.jsonl"
        dev = pd.read_json(path, lines=True, dtype=False)
    labels = democlass.load_labels()
    X, y = model_input(labels), labels["label"].to_numpy()
    groups = document_groups(labels)
    splits = list(StratifiedGroupKFold(5, shuffle=True, random_state=0).split(X, y, groups))
    multi = labels.groupby("doc")["doc"].transform("size").to_numpy() > 1
    settings = [
        ("alone (context_weight 0, C 100)", {"context_weight": 0.0, "C": 100.0}),
        ("context 0.5, C 10, no blend", {"context_weight": 0.5, "alone_weight": 0.0}),
        ("context 1.0, C 10, no blend", {"context_weight": 1.0, "alone_weight": 0.0}),
        ("context 1.5, C 10, no blend", {"context_weight": 1.5, "alone_weight": 0.0}),
        ("context 1.0, C 100, no blend", {"context_weight": 1.0, "C": 100.0, "alone_weight": 0}),
        ("context 1.0, C 10, blend 0.2 (default)", {}),
        ("context 1.0, C 10, blend 0.35", {"alone_weight": 0.35}),
        ("context 1.0, C 10, blend 0.5", {"alone_weight": 0.5}),
    ]
    if quick:
        settings = settings[:1] + settings[5:6]
    print(
        f"{len(labels)} rows, {multi.sum()} of them in {labels.loc[multi, 'doc'].nunique()} "
        "multi-unit documents; 5 folds grouped by document"
    )
    print(
        f"{'setting':28s} {'art acc':>8s} {'art F1':>7s} {'art share':>9s} {'para F1':>8s} "
        f"{'all F1':>7s} {'dev acc':>8s} {'s':>5s}"
    )
    for name, params in settings:
        t0 = time.perf_counter()
        results = Parallel(n_jobs=2)(delayed(fold)(X, y, tr, te, params) for tr, te in splits)
        predicted = np.empty(len(y), dtype=object)
        for test, p in results:
            predicted[test] = p
        art = multi
        print(
            f"{name:28s} {np.mean(predicted[art] == y[art]):8.3f} "
            f"{f1_score(y[art], predicted[art], average='macro'):7.3f} "
            f"{share_error(labels['doc'].to_numpy()[art], y[art], predicted[art]):9.3f} "
            f"{f1_score(y[~art], predicted[~art], average='macro'):8.3f} "
            f"{f1_score(y, predicted, average='macro'):7.3f} {dev_accuracy(X, y, params, dev):>8s} "
            f"{time.perf_counter() - t0:5.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main("--quick" in sys.argv, "--dev" in sys.argv)
