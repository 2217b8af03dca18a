"""Cross-validation of training: held-out scores and calibration, with folds grouped by document."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from democlass.taxonomy import LABELS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Evaluation", "cross_val_proba", "document_groups", "evaluate", "fold_count"]

AUTHORED_BLOCK = 20
"""Authored rows were written in batches; this many consecutive ids form one group."""


def _frame(labels: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    from democlass.labels import load_labels

    return load_labels(labels)


def document_groups(labels: pd.DataFrame) -> np.ndarray:
    """One group per document, so grouped folds keep a document's units together.

    Rows are grouped by their ``doc``. A standalone unit (its own document)
    joins the other units of its ``source`` where one is given, so units
    from one article or outlet never straddle a split. Authored standalone
    paragraphs (source ``authored``) came in batches, each from one writer
    in one sitting, so runs of ``AUTHORED_BLOCK`` consecutive ones form a
    group: near-paraphrases from one sitting never straddle a split.

    Parameters
    ----------
    labels : DataFrame
        Rows as :func:`democlass.load_labels` returns them.

    Returns
    -------
    ndarray of object
        One group name per row.
    """
    groups = labels["doc"].astype(str).to_numpy(dtype=object).copy()
    source = labels["source"].astype(str).to_numpy(dtype=object)
    standalone = (groups == labels["id"].astype(str).to_numpy(dtype=object)) & (source != "")
    groups[standalone] = "source:" + source[standalone]
    authored = np.flatnonzero(source == "authored")
    for rank, row in enumerate(authored):
        groups[row] = f"authored-{rank // AUTHORED_BLOCK}"
    return groups


def describe_groups(labels: pd.DataFrame, groups: str | np.ndarray | None) -> str:
    """How folds are grouped, in words, for the header of a report."""
    if groups is None:
        return "not grouped: units of one document may fall on both sides of a split"
    if isinstance(groups, str) and groups != "document":
        return f"grouped by column {groups!r} ({labels[groups].nunique()} groups)"
    if not isinstance(groups, str):
        return f"grouped by the given array ({len(set(np.asarray(groups).tolist()))} groups)"
    g = document_groups(labels)
    batches = {x for x in g if x.startswith("authored-")}
    authored = int((labels["source"] == "authored").sum())
    parts = [f"{len(set(g)) - len(batches)} documents"]
    if batches:
        parts.append(
            f"the {authored} authored standalone paragraphs in {len(batches)} writing "
            f"batches of {AUTHORED_BLOCK}"
        )
    return "grouped by document (" + "; ".join(parts) + ")"


def fold_count(
    labels: pd.DataFrame, cv: int | None = None, groups: str | np.ndarray | None = "document"
) -> int:
    """The number of folds to use: ``cv``, checked, or at most 5 where the data allow.

    Parameters
    ----------
    labels : DataFrame
        Rows as :func:`democlass.load_labels` returns them.
    cv : int, optional
        Folds asked for; None takes ``min(5, groups, rows of the rarest label)``.
    groups : "document", a column name, an array, or None
        As in :func:`cross_val_proba`.

    Returns
    -------
    int

    Raises
    ------
    LabelsError
        If there are fewer than two groups (documents) or two rows of a
        label, or fewer than ``cv`` of either.
    """
    from democlass.labels import LabelsError

    n_groups = len(set(_groups(labels, groups).tolist()))
    counts = labels["label"].value_counts()
    rarest, fewest = str(counts.idxmin()), int(counts.min())
    what = "rows" if groups is None else "documents (groups of rows kept in one fold)"
    allowed = min(n_groups, fewest)
    if cv is None:
        cv = min(5, allowed)
    hint = f" or ask for at most {allowed} folds" if allowed >= 2 else ""
    if n_groups < max(cv, 2):
        raise LabelsError(
            f"too few {what} to cross-validate with {max(cv, 2)} folds: the labels hold "
            f"{n_groups}; add documents{hint}"
        )
    if fewest < max(cv, 2):
        raise LabelsError(
            f"label {rarest!r} has {fewest} row(s); {max(cv, 2)}-fold cross-validation needs "
            f"at least {max(cv, 2)} rows of every label used; label more rows{hint}"
        )
    return cv


def _groups(labels: pd.DataFrame, groups: str | np.ndarray | None) -> np.ndarray:
    if groups is None:
        return np.arange(len(labels))
    if isinstance(groups, str):
        return document_groups(labels) if groups == "document" else labels[groups].to_numpy()
    return np.asarray(groups)


def model_input(labels: pd.DataFrame) -> pd.DataFrame:
    """What :class:`DemoClassifier` reads from labelled rows: text, and doc where known."""
    return labels[[c for c in ("text", "doc") if c in labels.columns]]


def cross_val_proba(
    labels: pd.DataFrame | str | Path | None = None,
    cv: int | None = None,
    groups: str | np.ndarray | None = "document",
    **params: Any,
) -> pd.DataFrame:
    """Held-out class probabilities for every row, from ``cv`` grouped folds.

    Parameters
    ----------
    labels : DataFrame, path or None
        Labelled rows (default: the packaged dataset).
    cv : int, optional
        Number of folds (default: what :func:`fold_count` allows, at most 5).
    groups : "document", a column name, an array, or None, default="document"
        ``"document"`` groups rows by document (see :func:`document_groups`);
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
    cv = fold_count(frame, cv, groups)
    y = frame["label"].to_numpy()
    texts = frame["text"].tolist()
    X = model_input(frame)
    if groups is None:
        splits = StratifiedKFold(cv, shuffle=True, random_state=0).split(texts, y)
    else:
        g = _groups(frame, groups)
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
            f"{self.settings.get('cv')}-fold cross-validation on {len(self.predictions)} rows, "
            f"{self.settings.get('groups')}\n"
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
    cv: int | None = None,
    groups: str | np.ndarray | None = "document",
    *,
    verbose: bool = True,
    **params: Any,
) -> Evaluation:
    """Cross-validate democlass's model on labelled rows and report held-out scores.

    Parameters
    ----------
    labels : DataFrame, path or None
        Labelled rows (default: the packaged dataset).
    cv : int, optional
        Number of folds (default: what the groups and labels allow, at most 5).
    groups : "document", a column name, an array, or None, default="document"
        Keep each document's paragraphs in one fold (see :func:`document_groups`);
        a column name groups by that column; None does not group.
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
    cv = fold_count(frame, cv, groups)
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
            "groups": describe_groups(frame, groups),
            **params,
        },
    )
    if verbose:
        print(result)
    return result
