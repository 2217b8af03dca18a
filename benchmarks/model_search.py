"""The search behind DemoClassifier's defaults: grouped CV macro-F1, calibration, speed.

Every setting is scored by 5-fold cross-validation grouped by document on
``data/labels.csv`` (held-out folds only). The dev set, written apart from the
training data, is scored only for the finalists as a check, not to choose.

    python benchmarks/model_search.py            # the full table (about 5 minutes)
    python benchmarks/model_search.py --quick    # a few rows
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC

import democlass
from democlass.evaluate import document_groups, expected_calibration_error

ROOT = Path(__file__).resolve().parents[1]


def grouped_scores(make, labels, cv=5):
    texts = labels["text"].tolist()
    y = labels["label"].to_numpy()
    groups = document_groups(labels)
    proba = np.zeros((len(y), len(democlass.LABELS)))
    pred = np.empty(len(y), dtype=object)
    fit_time = 0.0
    for train, test in StratifiedGroupKFold(cv, shuffle=True, random_state=0).split(
        texts, y, groups
    ):
        model = make()
        t = time.perf_counter()
        model.fit([texts[i] for i in train], y[train])
        fit_time += time.perf_counter() - t
        test_texts = [texts[i] for i in test]
        pred[test] = model.predict(test_texts)
        if hasattr(model, "predict_proba"):
            p = model.predict_proba(test_texts)
            for j, c in enumerate(model.classes_):
                proba[test, democlass.LABELS.index(c)] = p[:, j]
    macro = f1_score(y, pred, average="macro")
    ece = expected_calibration_error(proba.max(axis=1), pred == y) if proba.any() else float("nan")
    return macro, ece, fit_time / cv


def rate(make, labels, n=20_000):
    model = make().fit(labels["text"].tolist(), labels["label"])
    texts = (labels["text"].tolist() * (n // len(labels) + 1))[:n]
    predict = model.freeze().predict_proba if hasattr(model, "freeze") else model.predict
    t = time.perf_counter()
    predict(texts)
    return n / (time.perf_counter() - t), model


def tfidf_lr(**vec):
    return lambda: make_pipeline(
        TfidfVectorizer(sublinear_tf=True, **vec),
        LogisticRegression(C=10, class_weight="balanced", max_iter=3000),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    labels = democlass.load_labels()
    dev = democlass.load_labels(ROOT / "data" / "dev.csv")

    D = democlass.DemoClassifier
    def words(**params):
        return lambda: D(**{"ngram_max": 2, "min_df": 2, "C": 100.0, **params})

    candidates = {
        "words 1-2, min_df 2, C 100 (default)": words(),
        "words 1, min_df 2, C 100": words(ngram_max=1),
        "words 1-3, min_df 2, C 100": words(ngram_max=3),
        "words 1-2, min_df 1, C 100": words(min_df=1),
        "words 1-2, min_df 3, C 100": words(min_df=3),
        "words 1-2, min_df 2, C 10": words(C=10.0),
        "words 1-2, min_df 2, C 30": words(C=30.0),
        "words 1-2, min_df 2, C 300": words(C=300.0),
        "words 1-2, raw tf": words(sublinear_tf=False),
        "words 1-2, no class weights": words(class_weight=None),
        "chars 2-5 (wb), LR": tfidf_lr(analyzer="char_wb", ngram_range=(2, 5), min_df=2),
        "words 1-2 + chars 2-5, LR": lambda: make_pipeline(
            make_union(
                TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)),
                TfidfVectorizer(
                    sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=2
                ),
            ),
            LogisticRegression(C=10, class_weight="balanced", max_iter=3000),
        ),
        "words 1-2, linear SVM (calibrated)": lambda: make_pipeline(
            TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)),
            CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced"), cv=3),
        ),
        "words 1-2, SGD modified huber": lambda: make_pipeline(
            TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)),
            SGDClassifier(loss="modified_huber", class_weight="balanced", random_state=0),
        ),
        "words 1-2, complement NB": lambda: make_pipeline(
            TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)), ComplementNB(alpha=0.3)
        ),
    }
    if args.quick:
        candidates = dict(list(candidates.items())[:3])
    print(f"{len(labels)} labelled rows, 5-fold CV grouped by document; dev set {len(dev)} rows\n")
    print(
        f"{'setting':38s} {'CV macro-F1':>11s} {'ECE':>6s} {'fit s':>6s} "
        f"{'pred/s':>8s} {'dev F1':>7s}"
    )
    for name, make in candidates.items():
        macro, ece, fit = grouped_scores(make, labels)
        per_s, model = rate(make, labels)
        dev_f1 = f1_score(dev["label"], model.predict(dev["text"].tolist()), average="macro")
        print(
            f"{name:38s} {macro:11.3f} {ece:6.3f} {fit:6.1f} {per_s:8.0f} {dev_f1:7.3f}", flush=True
        )


if __name__ == "__main__":
    main()
