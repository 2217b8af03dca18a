"""Grouped cross-validation: held-out scores, calibration, and tag thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from democlass.taxonomy import FORMS, LABELS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Evaluation", "cross_val_proba", "document_groups", "evaluate"]

AUTHORED_BLOCK = 20
"""Authored rows were written in batches; this many consecutive ids form one group."""


def _frame(labels: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    from democlass.labels import load_labels

    if labels is None or isinstance(labels, (str, Path)):
        return load_labels(labels)
    return labels.reset_index(drop=True)


def document_groups(labels: pd.DataFrame) -> np.ndarray:
    """One group per document, so grouped folds keep a document's units together.

    Rows are grouped by their ``doc``. Authored standalone paragraphs (source
    ``authored``, each its own document) came in batches, each from one
    writer in one sitting, so runs of ``AUTHORED_BLOCK`` consecutive ones
    form a group: near-paraphrases from one sitting never straddle a split.
    """
    column = "doc" if "doc" in labels.columns else "source"
    groups = labels[column].astype(str).to_numpy(dtype=object).copy()
    authored = np.flatnonzero(labels["source"].astype(str).to_numpy() == "authored")
    for rank, row in enumerate(authored):
        groups[row] = f"authored-{rank // AUTHORED_BLOCK}"
    return groups


def model_input(labels: pd.DataFrame) -> pd.DataFrame:
    """What :class:`DemoClassifier` reads from labelled rows: text, and doc where known."""
    return labels[[c for c in ("text", "doc") if c in labels.columns]]


def cross_val_proba(
    labels: pd.DataFrame | str | Path | None = None,
    cv: int = 5,
    groups: str | np.ndarray | None = "source",
    **params: Any,
) -> pd.DataFrame:
    """Held-out class probabilities for every row, from ``cv`` grouped folds.

    Parameters
    ----------
    labels : DataFrame, path or None
        Labelled rows (default: the packaged dataset).
    cv : int
        Number of folds.
    groups : "source", a column name, an array, or None
        ``"source"`` groups rows by document (see :func:`document_groups`);
        None gives plain stratified folds.
    **params
        Parameters of :class:`DemoClassifier`.

    Returns
    -------
    DataFrame
        One column per label (probabilities from the fold that held the row
        out) and a ``fold`` column; indexed like ``labels``.
    """
    import pandas as pd
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    from democlass.estimator import DemoClassifier

    frame = _frame(labels)
    y = frame["label"].to_numpy()
    texts = frame["text"].tolist()
    X = model_input(frame)
    if groups is None:
        splits = StratifiedKFold(cv, shuffle=True, random_state=0).split(texts, y)
    else:
        if isinstance(groups, str):
            g = document_groups(frame) if groups == "source" else frame[groups].to_numpy()
        else:
            g = np.asarray(groups)
        splits = StratifiedGroupKFold(cv, shuffle=True, random_state=0).split(texts, y, g)
    proba = np.full((len(frame), len(LABELS)), np.nan)
    fold = np.full(len(frame), -1)
    for k, (train, test) in enumerate(splits):
        # folds keep documents whole and in order, so context is read as in use
        model = DemoClassifier(**params).fit(X.iloc[train], y[train])
        p = model.predict_proba(X.iloc[test])
        for j, label in enumerate(model.classes_):
            proba[test, LABELS.index(label)] = p[:, j]
        fold[test] = k
    out = pd.DataFrame(np.nan_to_num(proba), columns=list(LABELS), index=frame.index)
    out["fold"] = fold
    return out


def choose_thresholds(proba: pd.DataFrame, labels: pd.DataFrame) -> dict[str, float]:
    """Per form, the probability above which it is listed in ``tags``.

    A row *has* a form when it is the primary label or listed in
    ``secondary``; the threshold maximises F1 of that on held-out folds.
    """
    thresholds = {}
    secondary = labels["secondary"].fillna("").str.split(";")
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    for form in FORMS:
        truth = (labels["label"] == form).to_numpy() | secondary.map(
            lambda xs, f=form: f in [x.strip() for x in xs]
        ).to_numpy()
        p = proba[form].to_numpy()
        best, best_f1 = 0.5, -1.0
        for t in grid:
            hit = p >= t
            tp = np.sum(hit & truth)
            f1 = 2 * tp / max(hit.sum() + truth.sum(), 1)
            if f1 > best_f1 + 1e-12:
                best, best_f1 = float(t), f1
        thresholds[form] = best
    return thresholds


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, bins: int = 15
) -> float:
    """Mean gap between confidence and accuracy over equal-width bins, weighted by size."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(ece)


@dataclass
class Evaluation:
    """Cross-validated results, computed on held-out folds only.

    Attributes
    ----------
    macro_f1 : float
        Unweighted mean of the per-label F1 scores.
    accuracy : float
    ece : float
        Expected calibration error of ``confidence`` (15 bins).
    per_label : DataFrame
        Precision, recall, F1 and support per label.
    confusion : DataFrame
        Counts, true labels in rows and predicted labels in columns.
    predictions : DataFrame
        Per row: true label, predicted label, confidence, fold, probabilities.
    """

    macro_f1: float
    accuracy: float
    ece: float
    per_label: pd.DataFrame
    confusion: pd.DataFrame
    predictions: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        head = (
            f"{self.settings.get('cv')}-fold grouped cross-validation on "
            f"{len(self.predictions)} rows (groups={self.settings.get('groups')!r})\n"
            f"macro-F1 {self.macro_f1:.3f}   accuracy {self.accuracy:.3f}   "
            f"calibration error (ECE) {self.ece:.3f}\n"
        )
        return (
            head
            + "\nper label:\n"
            + self.per_label.round(3).to_string()
            + "\n\nconfusion (rows: true, columns: predicted):\n"
            + self.confusion.to_string()
        )


def evaluate(
    labels: pd.DataFrame | str | Path | None = None,
    cv: int = 5,
    groups: str | np.ndarray | None = "source",
    *,
    verbose: bool = True,
    **params: Any,
) -> Evaluation:
    """Cross-validate democlass's model on labelled rows and report held-out scores.

    Parameters
    ----------
    labels : DataFrame, path or None
        Labelled rows (default: the packaged dataset).
    cv : int, default=5
        Number of folds.
    groups : "source", a column name, an array, or None, default="source"
        Keep each document's paragraphs in one fold (see :func:`document_groups`).
    verbose : bool, default=True
        Print the report.
    **params
        Parameters of :class:`DemoClassifier`.

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> result = evaluate(cv=3, verbose=False)  # doctest: +SKIP
    >>> round(result.macro_f1, 2)  # doctest: +SKIP
    0.8
    """
    import pandas as pd
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    frame = _frame(labels)
    proba = cross_val_proba(frame, cv=cv, groups=groups, **params)
    p = proba[list(LABELS)].to_numpy()
    predicted = np.asarray(LABELS, dtype=object)[p.argmax(axis=1)]
    truth = frame["label"].to_numpy()
    present = [c for c in LABELS if c in set(truth) | set(predicted)]
    prec, rec, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=present, zero_division=0
    )
    per_label = pd.DataFrame(
        {"precision": prec, "recall": rec, "f1": f1, "support": support}, index=present
    )
    confusion = pd.DataFrame(
        confusion_matrix(truth, predicted, labels=present),
        index=pd.Index(present, name="true"),
        columns=pd.Index(present, name="predicted"),
    )
    confidence = p.max(axis=1)
    correct = predicted == truth
    predictions = pd.DataFrame(
        {
            "id": frame.get("id", frame.index),
            "label": truth,
            "predicted": predicted,
            "confidence": confidence,
            "fold": proba["fold"],
        },
        index=frame.index,
    ).join(proba[list(LABELS)])
    result = Evaluation(
        macro_f1=float(f1[[present.index(c) for c in present if c in set(truth)]].mean()),
        accuracy=float(correct.mean()),
        ece=expected_calibration_error(confidence, correct),
        per_label=per_label,
        confusion=confusion,
        predictions=predictions,
        settings={
            "cv": cv,
            "groups": groups if isinstance(groups, str) or groups is None else "custom",
            **params,
        },
    )
    if verbose:
        print(result)
    return result
