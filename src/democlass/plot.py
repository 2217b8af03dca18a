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

__all__ = ["confusion", "explain", "profile", "shares", "top_terms", "trend"]


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def confusion(
    result: Any,
    predicted: Any = None,
    *,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heat map of a confusion matrix: colour by row share, counts and shares written in.

    Parameters
    ----------
    result : Evaluation, Validation, DataFrame or sequence of labels
        What :func:`democlass.evaluate` or :func:`democlass.validate`
        returned, a confusion frame (true labels in rows, predicted in
        columns), or the true labels when ``predicted`` is given.
    predicted : sequence of labels, optional
        Predicted labels, one per true label in ``result``.
    title : str, optional
        Default: says where the figures come from (held-out folds for an
        evaluation, the coded sample for a validation).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    import pandas as pd

    if predicted is not None:
        truth = pd.Series(list(result), name="true")
        guess = pd.Series(list(predicted), name="predicted")
        if len(truth) != len(guess):
            raise ValueError(f"{len(truth)} true labels but {len(guess)} predicted ones")
        seen = set(truth) | set(guess)
        order = [c for c in LABELS if c in seen] + sorted(map(str, seen - set(LABELS)))
        matrix = pd.crosstab(truth, guess).reindex(index=order, columns=order, fill_value=0)
    else:
        matrix = getattr(result, "confusion", result)
    if title is None:
        if hasattr(result, "ece"):
            title = "Confusion matrix on held-out folds (share of each true label)"
        elif hasattr(result, "kappa"):
            title = "Confusion matrix on the hand-coded sample (share of each coded label)"
        else:
            title = "Confusion matrix (share of each true label)"
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
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of row")
    return ax


def _displayable(term: str) -> bool:
    """A term worth showing: not only stop words, no bare number."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = term.split()
    return not all(w in ENGLISH_STOP_WORDS for w in words) and not any(
        w.replace(".", "").replace(",", "").isdigit() for w in words
    )


def top_terms(model: Any = None, n: int = 15, *, hide_stop_words: bool = True) -> Figure:
    """One bar chart per label of its heaviest positive terms.

    Parameters
    ----------
    model : FrozenModel or DemoClassifier, optional
        Defaults to the built-in model.
    n : int, default=15
        Terms per label.
    hide_stop_words : bool, default=True
        Leave out terms made only of English stop words ("the", "so any")
        and terms with a bare number, which carry weight in the model but
        say little to a reader. For display only: the model is unchanged.

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
        ranked = np.argsort(-weights, kind="stable")
        if hide_stop_words:
            ranked = np.array([i for i in ranked[: 50 * n] if _displayable(m.vocabulary[i])])
        best = ranked[:n][::-1]
        ax.barh([m.vocabulary[i] for i in best], weights[best], color=COLORS.get(label, "C0"))
        ax.set_title(label, color=COLORS.get(label, "black"), fontweight="bold")
        ax.set_xlabel("weight")
        ax.tick_params(axis="y", labelsize=8)
    fig.suptitle(
        f"Terms that weigh most towards each label (top {n}"
        + (", stop words and numbers hidden)" if hide_stop_words else ")")
    )
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
        and hatched; every bar ends at 1.0.
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
        left=left,
        color=COLORS[NONE],
        hatch="//",
        edgecolor="white",
        linewidth=1.5,
        label=NONE,
    )
    ax.set_xlim(0, 1.0)
    ax.set_xticks(np.linspace(0, 1, 6))
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


def shares(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Bars of the share of each label with their 95% intervals as error bars.

    Parameters
    ----------
    table : DataFrame
        What :func:`democlass.shares` returned. With adjusted shares, each
        label gets two bars: raw (light) and adjusted (full colour), which
        is the one to report. With a grouping column, one cluster per group.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    known = {"label", "units", "documents", "share", "low", "high"}
    known |= {"adjusted", "adjusted_low", "adjusted_high"}
    by = next((c for c in table.columns if c not in known), None)
    groups = list(dict.fromkeys(table[by])) if by else [None]
    kinds = [("share", "low", "high", 0.45, "raw")]
    if "adjusted" in table.columns:
        kinds.append(("adjusted", "adjusted_low", "adjusted_high", 1.0, "adjusted"))
    slots = len(groups) * len(kinds)
    width = 0.8 / slots
    ax = _axes(ax, (max(6.4, 1.4 * len(LABELS) * slots / 2), 4.2))
    x = np.arange(len(LABELS))
    slot = 0
    for g in groups:
        rows = table if by is None else table[table[by] == g]
        rows = rows.set_index("label").reindex(list(LABELS))
        for value, low, high, alpha, kind in kinds:
            centre = x - 0.4 + width * (slot + 0.5)
            err = np.vstack([rows[value] - rows[low], rows[high] - rows[value]]).clip(min=0)
            ax.bar(
                centre,
                rows[value],
                width=width * 0.95,
                color=[COLORS[c] for c in LABELS],
                alpha=alpha,
                yerr=err,
                capsize=3,
                label=f"{kind}" + (f" ({g})" if by else ""),
            )
            slot += 1
    ax.set_xticks(x, list(LABELS))
    ax.set_ylim(0, 1.0)
    ax.set_ylabel("share of units")
    ax.set_title(
        "Share of each label with 95% intervals"
        + (" (light: raw; full: adjusted for the model's errors)" if len(kinds) > 1 else "")
    )
    return ax


def trend(
    tagged: pd.DataFrame, date_column: str, freq: str = "M", *, ax: Axes | None = None
) -> Axes:
    """Lines of the share of each form per period.

    Parameters
    ----------
    tagged : DataFrame
        Unit-level results with a ``label`` column and a date column.
    date_column : str
        Column with dates (anything :func:`pandas.to_datetime` reads).
    freq : str, default="M"
        Period: "D", "W", "M", "Q" or "Y".
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        One line per form (``none`` left out), share of the period's units.
    """
    import pandas as pd

    if date_column not in tagged.columns:
        raise KeyError(
            f"no column {date_column!r}; the columns are {', '.join(map(str, tagged.columns))}"
        )
    dates = pd.to_datetime(tagged[date_column], errors="coerce")
    known = dates.notna() & tagged["label"].isin(LABELS)
    period = dates[known].dt.to_period(freq)
    counts = pd.crosstab(period, tagged.loc[known, "label"]).reindex(
        columns=list(LABELS), fill_value=0
    )
    counts = counts.reindex(
        pd.period_range(counts.index.min(), counts.index.max(), freq=freq), fill_value=0
    )
    share = counts.div(counts.sum(axis=1).where(lambda t: t > 0), axis=0)
    ax = _axes(ax, (8.0, 4.0))
    when = share.index.to_timestamp()
    for form in FORMS:
        ax.plot(when, share[form], marker="o", color=COLORS[form], label=form)
    ax.set_ylim(0, 1.0)
    ax.set_ylabel("share of units")
    ax.set_title(f"Share of units in each form over time (per {freq})")
    ax.legend(ncols=4, frameon=False, fontsize="small")
    return ax
