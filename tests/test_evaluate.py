"""Evaluation reports held-out scores only, with grouped folds."""

from __future__ import annotations

import numpy as np
import pandas as pd

import democlass
from democlass.evaluate import cross_val_proba, document_groups, expected_calibration_error


def test_scores_come_from_held_out_folds():
    # every text is a unique nonsense word with a random label: a model that had
    # seen the row would recall its label, a held-out one can only guess
    rng = np.random.default_rng(0)
    n = 250
    frame = pd.DataFrame(
        {
            "id": [f"authored-{i:04d}" for i in range(n)],
            "source": [f"doc{i % 50}" for i in range(n)],
            "text": [f"zz{i}word{i * 7919}" for i in range(n)],
            "label": rng.choice(list(democlass.LABELS), n),
            "secondary": "",
            "note": "",
        }
    )
    params = {"ngram_max": 1, "min_df": 1}
    result = democlass.evaluate(frame, cv=5, verbose=False, **params)
    assert result.accuracy < 0.35
    trained_on_all = democlass.DemoClassifier(**params).fit(frame["text"].tolist(), frame["label"])
    assert (trained_on_all.predict(frame["text"].tolist()) == frame["label"]).mean() > 0.95


def test_groups_keep_a_document_in_one_fold(labels):
    proba = cross_val_proba(labels, cv=3, ngram_max=1)
    folds = pd.Series(proba["fold"].to_numpy()).groupby(document_groups(labels)).nunique()
    assert (folds == 1).all()
    np.testing.assert_allclose(proba[list(democlass.LABELS)].sum(axis=1), 1.0)


def test_authored_rows_are_grouped_in_blocks(labels):
    groups = document_groups(labels)
    authored = groups[(labels["source"] == "authored").to_numpy()]
    assert len(set(authored)) == -(-len(authored) // 20)


def test_report_is_consistent(labels, capsys):
    result = democlass.evaluate(labels, cv=3, ngram_max=1)
    printed = capsys.readouterr().out
    assert "macro-F1" in printed and "confusion" in printed
    assert result.confusion.to_numpy().sum() == len(labels)
    assert np.isclose(result.macro_f1, result.per_label["f1"].mean())
    assert 0.0 <= result.ece <= 1.0
    assert (
        result.predictions["predicted"] == result.predictions[list(democlass.LABELS)].idxmax(axis=1)
    ).all()


def test_expected_calibration_error():
    confidence = np.array([0.9] * 10 + [0.6] * 10)
    correct = np.array([1] * 9 + [0] + [1] * 6 + [0] * 4, dtype=bool)
    assert np.isclose(expected_calibration_error(confidence, correct), 0.0)
    assert np.isclose(expected_calibration_error(np.full(4, 1.0), np.zeros(4, bool)), 1.0)
