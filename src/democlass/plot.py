"""Pictures of democlass results, with matplotlib (``pip install "democlass[plot]"``).

Every function returns the matplotlib ``Axes`` or ``Figure`` it drew on, so a
notebook shows it and a script can save it. Each form keeps one colour in
every picture (``democlass.taxonomy.COLORS``); ``none`` is grey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

try:
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError('democlass.plot needs matplotlib: pip install "democlass[plot]"') from exc

import numpy as np

from democlass import api
from democlass.taxonomy import COLORS, FORMS, LABELS, NONE

if TYPE_CHECKING:
    import pandas as pd

    from democlass.evaluate import Evaluation

__all__ = ["confusion", "explain", "profile", "top_terms"]


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def confusion(result: Evaluation | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Heat map of a confusion matrix: colour by row share, counts and shares written in.

    Parameters
    ----------
    result : Evaluation or DataFrame
        What :func:`democlass.evaluate` returned, or its ``confusion`` frame
        (true labels in rows, predicted in columns).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    matrix: pd.DataFrame = getattr(result, "confusion", result)
    counts = matrix.to_numpy()
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    ax = _axes(ax, (6.4, 5.2))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            colour = "white" if shares[i, j] > 0.6 else "black"
            ax.text(
                j,
                i,
                f"{counts[i, j]}\n{shares[i, j]:.0%}",
                ha="center",
                va="center",
                color=colour,
                fontsize=9,
            )
    ax.set_xticks(range(counts.shape[1]), list(matrix.columns), rotation=30, ha="right")
    ax.set_yticks(range(counts.shape[0]), list(matrix.index))
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.set_title("Confusion matrix on held-out folds (share of each true label)")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of row")
    return ax


def top_terms(model: Any = None, n: int = 15) -> Figure:
    """One bar chart per label of its heaviest positive terms.

    Parameters
    ----------
    model : FrozenModel or DemoClassifier, optional
        Defaults to the built-in model.
    n : int, default=15
        Terms per label.

    Returns
    -------
    matplotlib Figure
        One Axes per label, in democlass's label order.
    """
    m = api._resolve(model)
    fig, axes = plt.subplots(
        1, len(m.classes), figsize=(3.2 * len(m.classes), 0.3 * n + 1.2), layout="constrained"
    )
    for ax, (k, label) in zip(np.atleast_1d(axes), enumerate(m.classes), strict=True):
        weights = m.coef_alone[:, k]
        best = np.argsort(-weights, kind="stable")[:n][::-1]
        ax.barh([m.vocabulary[i] for i in best], weights[best], color=COLORS.get(label, "C0"))
        ax.set_title(label, color=COLORS.get(label, "black"), fontweight="bold")
        ax.set_xlabel("weight")
        ax.tick_params(axis="y", labelsize=8)
    fig.suptitle(f"Terms that weigh most towards each label (top {n})")
    return fig


def profile(tagged: pd.DataFrame, by: str = "source", *, ax: Axes | None = None) -> Axes:
    """Stacked bars of the share of each form per document (or any grouping).

    Parameters
    ----------
    tagged : DataFrame
        Paragraph-level results with a ``label`` column and the ``by``
        column, such as :func:`democlass.tag` output joined to its sources.
    by : str, default="source"
        Column to group paragraphs by.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        One bar per group, sorted by the share of the largest form; forms are
        stacked in their colours and ``none`` is set apart at the right, grey
        and hatched.
    """
    import pandas as pd

    shares = pd.crosstab(tagged[by], tagged["label"], normalize="index")
    shares = shares.reindex(columns=list(LABELS), fill_value=0.0)
    order = shares[list(FORMS)].max(axis=1).sort_values(kind="stable").index
    shares = shares.loc[order]
    ax = _axes(ax, (9.0, 0.45 * len(shares) + 1.6))
    names = [str(g) if len(str(g)) <= 40 else "…" + str(g)[-39:] for g in shares.index]
    left = np.zeros(len(shares))
    for label in FORMS:
        ax.barh(names, shares[label], left=left, color=COLORS[label], label=label)
        left += shares[label].to_numpy()
    ax.barh(
        names,
        shares[NONE],
        left=left + 0.02,
        color=COLORS[NONE],
        hatch="//",
        edgecolor="white",
        label=NONE,
    )
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("share of paragraphs")
    ax.set_title(f"Share of paragraphs in each form, by {by}")
    ax.legend(
        ncols=5,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1 - 0.6 / (len(shares) + 2)),
        frameon=False,
        fontsize="small",
        columnspacing=1.0,
        handlelength=1.4,
    )
    return ax


def explain(text: str, top: int = 10, *, model: Any = None, ax: Axes | None = None) -> Axes:
    """Diverging bars of the terms for a text's label (right) and for the runner-up (left).

    Returns
    -------
    matplotlib Axes
    """
    terms = api.explain(text, top=top, model=model)
    label, runner = terms.attrs["label"], terms.attrs["runner_up"]
    terms = terms.sort_values("weight", kind="stable")
    ax = _axes(ax, (7.0, 0.35 * max(len(terms), 1) + 1.4))
    colours = [COLORS.get(f, "C0") for f in terms["favours"]]
    ax.barh(terms["term"], terms["weight"], color=colours)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"← towards {runner}        weight        towards {label} →")
    ax.set_title(f"Why '{label}' and not '{runner}'")
    return ax
