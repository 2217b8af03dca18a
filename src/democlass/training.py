"""Training, in one place: labels in (yours, the built-in ones, or both), fit,
choose the ``tags`` thresholds, record provenance, freeze.

Only numpy is imported here; pandas and scikit-learn load when a model is
trained.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from democlass.taxonomy import FORMS, LABELS

if TYPE_CHECKING:
    import pandas as pd

    from democlass.frozen import FrozenModel

__all__ = ["FEW_ROWS", "MIN_SECONDARY", "choose_thresholds", "labels_digest", "train"]

FEW_ROWS = 30
"""Below this many rows of a label, training warns that the model will be unreliable."""

MIN_SECONDARY = 10
"""A form's ``tags`` threshold is learned only when at least this many rows carry
it as a secondary label; otherwise it stays at the default."""

DEFAULT_THRESHOLD = 0.5
"""The ``tags`` threshold of a form too few rows mark as secondary."""

BUILTIN_PREFIX = "builtin:"
"""Prefixed to the ids and documents of the built-in rows added to yours."""


def labels_digest(labels: pd.DataFrame) -> str:
    """SHA-256 of the columns that training reads, so a model can name its data.

    Parameters
    ----------
    labels : DataFrame
        Rows as :func:`democlass.load_labels` returns them.

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    h = hashlib.sha256()
    for row in labels[["id", "text", "label", "secondary"]].itertuples(index=False):
        h.update("\x1f".join(row).encode("utf-8") + b"\x1e")
    return h.hexdigest()


def training_rows(
    labels: pd.DataFrame | str | Path | None = None, *, with_builtin: bool = False
) -> pd.DataFrame:
    """The labelled rows a model is trained on: yours, the built-in ones, or both.

    Parameters
    ----------
    labels : DataFrame, path or None
        Your labelled rows (``text`` and ``label`` at least; see
        :func:`democlass.load_labels`), or None for the built-in ones.
    with_builtin : bool, default=False
        Add the built-in rows after yours; their ids and documents are
        prefixed ``builtin:`` so they never collide with yours.

    Returns
    -------
    DataFrame
        Validated rows; every problem with yours raises one ``LabelsError``.
    """
    import pandas as pd

    from democlass.labels import load_labels

    frame = load_labels(labels)
    if with_builtin and labels is not None:
        builtin = load_labels()
        for column in ("id", "doc"):
            builtin[column] = BUILTIN_PREFIX + builtin[column]
        frame = pd.concat([frame, builtin], ignore_index=True, join="inner")
    return frame


def choose_thresholds(proba: pd.DataFrame, labels: pd.DataFrame) -> dict[str, float]:
    """Per form, the probability above which it is listed in ``tags``.

    A row *has* a form when it is the primary label or listed in
    ``secondary``; the threshold maximises F1 of that on held-out folds.
    A form that fewer than ``MIN_SECONDARY`` rows carry as secondary keeps
    ``DEFAULT_THRESHOLD``: without secondary examples the choice would only
    fit noise, and a low threshold lists forms a text is not about.

    Parameters
    ----------
    proba : DataFrame
        Held-out probabilities, a column per label (see
        :func:`democlass.evaluate.cross_val_proba`).
    labels : DataFrame
        The labelled rows, with ``label`` and ``secondary``.

    Returns
    -------
    dict of str to float
    """
    thresholds = {}
    secondary = labels["secondary"].fillna("").str.split(";")
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    for form in FORMS:
        marked = secondary.map(lambda xs, f=form: f in [x.strip() for x in xs]).to_numpy()
        if marked.sum() < MIN_SECONDARY:
            thresholds[form] = DEFAULT_THRESHOLD
            continue
        truth = (labels["label"] == form).to_numpy() | marked
        p = proba[form].to_numpy()
        best, best_f1 = DEFAULT_THRESHOLD, -1.0
        for t in grid:
            hit = p >= t
            tp = np.sum(hit & truth)
            f1 = 2 * tp / max(hit.sum() + truth.sum(), 1)
            if f1 > best_f1 + 1e-12:
                best, best_f1 = float(t), f1
        thresholds[form] = best
    return thresholds


def _warn_if_few(frame: pd.DataFrame) -> None:
    counts = frame["label"].value_counts().reindex(LABELS).dropna().astype(int)
    few = counts[counts < FEW_ROWS]
    if len(few):
        listed = ", ".join(f"{label} {n}" for label, n in few.items())
        warnings.warn(
            f"few rows for some labels ({listed}; about {FEW_ROWS} or more each give a "
            "usable model): expect unreliable labels, or add the built-in rows "
            "(with_builtin=True, --with-builtin)",
            UserWarning,
            stacklevel=3,
        )


def train(
    labels: pd.DataFrame | str | Path | None = None,
    *,
    with_builtin: bool = False,
    cv: int | None = None,
    **params: Any,
) -> FrozenModel:
    """Train a model on labelled rows, with ``tags`` thresholds chosen on held-out folds.

    Parameters
    ----------
    labels : DataFrame, path or None
        Labelled rows: ``text`` and ``label`` are enough; ``id``, ``source``,
        ``doc``, ``position``, ``secondary`` and ``note`` are optional (see
        :func:`democlass.load_labels`). Default: the packaged dataset, which
        rebuilds the built-in model exactly.
    with_builtin : bool, default=False
        Train on your rows and the built-in ones together.
    cv : int, optional
        Folds used to choose the ``tags`` thresholds, grouped by document
        (default: at most 5, as many as the documents and the rarest label
        allow).
    **params
        Parameters of :class:`DemoClassifier`.

    Returns
    -------
    FrozenModel
        Ready for :func:`predict`, :func:`tag` and :func:`save`.

    Raises
    ------
    LabelsError
        Before any fitting: every problem with the rows at once, or too few
        documents or rows of a label to cross-validate.

    Warns
    -----
    UserWarning
        When a label has fewer than about 30 rows.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> import democlass
    >>> mine = pd.DataFrame({
    ...     "text": ["A free app for farmers.", "Open weights for all.",
    ...              "A cheap phone plan with a chatbot.", "Weights anyone can download.",
    ...              "Free translation for shopkeepers.", "Fine-tune the open model."],
    ...     "label": ["use", "development"] * 3})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     model = train(mine, ngram_max=1, min_df=1)
    >>> str(caught[0].message).split(":")[0]
    'few rows for some labels (use 3, development 3; about 30 or more each give a usable model)'
    >>> model.info["threshold_cv"]  # three rows of each label allow three folds
    3
    >>> democlass.predict("Download the open weights.", model=model)
    'development'
    """
    from democlass import __version__
    from democlass.estimator import DemoClassifier
    from democlass.evaluate import cross_val_proba, fold_count, model_input

    frame = training_rows(labels, with_builtin=with_builtin)
    folds = fold_count(frame, cv)
    _warn_if_few(frame)
    thresholds = choose_thresholds(cross_val_proba(frame, cv=folds, **params), frame)
    estimator = DemoClassifier(**params).fit(model_input(frame), frame["label"])
    info = {
        "democlass_version": __version__,
        "labels_sha256": labels_digest(frame),
        "n_rows": len(frame),
        "threshold_cv": folds,
        "with_builtin": bool(with_builtin and labels is not None),
    }
    return estimator.freeze(thresholds=thresholds, info=info)
