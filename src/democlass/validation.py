"""Checking a model against your own hand-coding, choosing what to hand-code,
and corpus shares with their uncertainty.

The content analyst's loop: :func:`sample` picks units to hand-code,
:func:`validate` scores a model on them (agreement with 95% intervals), and
:func:`shares` reports the share of each form in a tagged corpus, raw and
adjusted for the error rates the validation measured.

Only numpy is imported here; pandas loads when a function runs.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from democlass import _texts
from democlass.taxonomy import LABELS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["STRATEGIES", "Validation", "nominal_alpha", "sample", "shares", "validate"]

BOOTSTRAP = 1000
"""Resamples drawn for each 95% interval."""

STRATEGIES = ("stratified", "uncertain", "random")
"""How :func:`sample` chooses units."""

UNCERTAIN_STRATIFIED_SHARE = 0.25
"""Share of an ``uncertain`` sample drawn stratified by predicted label, so no form is left out."""

METRICS = ("accuracy", "macro_f1", "kappa", "alpha")

Table = Any  # a pandas DataFrame or a path to a CSV, JSON Lines or Parquet table


def read_table(table: Table) -> pd.DataFrame:
    """A DataFrame as it is, or a table read from a ``.csv``, ``.jsonl`` or ``.parquet`` file.

    CSV cells are read as text, and an empty cell as missing.
    """
    import pandas as pd

    if _texts.is_pandas(table, "DataFrame"):
        return table
    path = Path(table)
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            return pd.read_json(path, lines=True, dtype=False)
        if suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=object, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the table: {exc}") from exc


def _column(frame: pd.DataFrame, column: str, where: str, what: str) -> None:
    if column not in frame.columns:
        raise KeyError(
            f"{where}: no {what} column {column!r}; its columns are "
            f"{', '.join(map(str, frame.columns))}"
        )


# ---------------------------------------------------------------- agreement


def nominal_alpha(codes: Any) -> float:
    """Krippendorff's alpha for nominal data.

    Parameters
    ----------
    codes : array-like, shape (coders, units)
        Each coder's value for each unit; None or NaN where a coder gave
        none. Units with fewer than two values are not pairable and are
        left out.

    Returns
    -------
    float
        1 for perfect agreement, 0 for agreement at chance, NaN when every
        pairable value is the same (no variation to agree on).

    Examples
    --------
    Krippendorff's (2011) worked example of two observers coding ten units:

    >>> a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    >>> b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    >>> round(nominal_alpha([a, b]), 3)
    0.095
    """
    rows = [list(r) for r in codes]
    units = list(zip(*rows, strict=True)) if rows else []
    values: dict[Any, int] = {}
    coincidence: dict[tuple[int, int], float] = {}
    for unit in units:
        present = [v for v in unit if not _texts.is_missing(v)]
        m = len(present)
        if m < 2:
            continue
        idx = [values.setdefault(v, len(values)) for v in present]
        for i, a in enumerate(idx):
            for j, b in enumerate(idx):
                if i != j:
                    coincidence[a, b] = coincidence.get((a, b), 0.0) + 1.0 / (m - 1)
    o = np.zeros((len(values), len(values)))
    for (a, b), count in coincidence.items():
        o[a, b] = count
    return float(_alpha_from_coincidence(o))


def _alpha_from_coincidence(o: np.ndarray) -> np.ndarray:
    """Nominal alpha from coincidence matrices (..., k, k)."""
    n = o.sum(axis=(-2, -1))
    n_c = o.sum(axis=-1)
    agree = np.trace(o, axis1=-2, axis2=-1)
    expected = n**2 - (n_c**2).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1.0 - (n - 1) * (n - agree) / expected, np.nan)


def _metrics(confusion: np.ndarray) -> dict[str, np.ndarray]:
    """Accuracy, macro-F1, Cohen's kappa and nominal alpha from confusion
    matrices (..., k, k) with true labels in rows."""
    c = confusion.astype(float)
    n = c.sum(axis=(-2, -1))
    tp = np.diagonal(c, axis1=-2, axis2=-1)
    rows, cols = c.sum(axis=-1), c.sum(axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        accuracy = tp.sum(axis=-1) / n
        f1 = np.where(rows + cols > 0, 2 * tp / (rows + cols), 0.0)
        present = rows > 0
        macro_f1 = (f1 * present).sum(axis=-1) / present.sum(axis=-1)
        chance = (rows * cols).sum(axis=-1) / n**2
        kappa = np.where(chance < 1, (accuracy - chance) / (1 - chance), np.nan)
    alpha = _alpha_from_coincidence(c + np.swapaxes(c, -1, -2))
    return {"accuracy": accuracy, "macro_f1": macro_f1, "kappa": kappa, "alpha": alpha}


def _resample(groups: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """How often each group is drawn in each of ``n_boot`` resamples (n_boot, groups)."""
    rng = np.random.default_rng(seed)
    k = len(groups)
    return rng.multinomial(k, np.full(k, 1.0 / k), size=n_boot) if k else np.zeros((n_boot, 0))


def _interval(values: np.ndarray) -> list[float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return [float("nan"), float("nan")]
    low, high = np.percentile(finite, [2.5, 97.5])
    return [float(low), float(high)]


@dataclass
class Validation:
    """How well a model's labels agree with a hand-coded sample.

    Attributes
    ----------
    n : int
        Hand-coded units scored (rows with an empty label are left out).
    accuracy, macro_f1, kappa, alpha : float
        Share of units labelled as coded; unweighted mean F1 over the
        labels the coders used; Cohen's kappa; Krippendorff's alpha
        (nominal), the coders and the model as two coders.
    per_label : DataFrame
        Precision, recall, F1 and support per label.
    confusion : DataFrame
        Counts, hand-coded labels in rows and predicted labels in columns.
    intervals : dict
        For each of the four figures, its bootstrap 95% interval ``[low, high]``.
    predictions : DataFrame
        Per scored unit: ``label`` (hand-coded), ``predicted``, ``confidence``,
        and ``group`` (the unit of resampling) and ``weight`` (sampling weight).
    settings : dict
        How it was computed: model, resampling, resamples, seed, skipped rows.
    """

    n: int
    accuracy: float
    macro_f1: float
    kappa: float
    alpha: float
    per_label: pd.DataFrame
    confusion: pd.DataFrame
    intervals: dict[str, list[float]]
    predictions: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain JSON types, under the keys ``democlass validate --json`` prints."""
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "kappa": self.kappa,
            "alpha": self.alpha,
            "per_label": {
                str(label): {k: (int(v) if k == "support" else float(v)) for k, v in row.items()}
                for label, row in self.per_label.iterrows()
            },
            "confusion": {
                str(t): {str(p): int(v) for p, v in row.items()}
                for t, row in self.confusion.iterrows()
            },
            "intervals": self.intervals,
            "settings": self.settings,
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as one JSON object (NaN written as null)."""
        return json.dumps(_json_safe(self.to_dict()))

    def __str__(self) -> str:
        s = self.settings
        names = {
            "accuracy": "accuracy",
            "macro_f1": "macro-F1",
            "kappa": "Cohen's kappa",
            "alpha": "Krippendorff's alpha (nominal)",
        }
        lines = [
            f"{self.n} hand-coded units scored against {s.get('model')} "
            f"({s.get('reading')}); 95% intervals from {s.get('bootstrap')} resamples of "
            f"{s.get('resampled')} (seed {s.get('seed')})",
        ]
        if s.get("skipped"):
            lines.append(f"({s['skipped']} rows without a label were left out)")
        for key, name in names.items():
            low, high = self.intervals[key]
            lines.append(f"{name:<31} {getattr(self, key):6.3f}   [{low:.3f}, {high:.3f}]")
        return (
            "\n".join(lines)
            + "\n\nper label:\n"
            + self.per_label.round(3).to_string()
            + "\n\nconfusion (rows: hand-coded, columns: predicted):\n"
            + self.confusion.to_string()
        )


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _coded_rows(
    frame: pd.DataFrame, where: str, text_column: str, label_column: str
) -> tuple[pd.DataFrame, int]:
    """The rows with a label, checked: every problem at once, as for training labels."""
    from democlass.labels import LabelsError, _message

    _column(frame, text_column, where, "text")
    _column(frame, label_column, where, "label")
    labels = ["" if _texts.is_missing(v) else str(v).strip() for v in frame[label_column].tolist()]
    keep = np.array([bool(v) for v in labels], dtype=bool)
    problems = []
    for n, (label, text) in enumerate(zip(labels, frame[text_column].tolist(), strict=True), 2):
        if not label:
            continue
        if label not in LABELS:
            problems.append(
                f"row {n}, column {label_column!r}: unknown label; expected one of "
                f"{', '.join(LABELS)} or empty for a unit not coded (value {label!r})"
            )
        if not isinstance(text, str):
            problems.append(f"row {n}, column {text_column!r}: no text (value {text!r})")
    if problems:
        raise LabelsError(_message(where, problems))
    if not keep.any():
        raise LabelsError(
            f"{where}: no row has a label in column {label_column!r}; code some first"
        )
    out = frame.loc[keep].copy()
    out[label_column] = [v for v, k in zip(labels, keep, strict=True) if k]
    return out, int((~keep).sum())


def validate(
    coded: Table,
    model: Any = None,
    *,
    text_column: str = "text",
    label_column: str = "label",
    document_column: str | None = None,
    n_boot: int = BOOTSTRAP,
    seed: int = 0,
) -> Validation:
    """Score a model on your hand-coded units, without retraining.

    Parameters
    ----------
    coded : DataFrame or path
        Hand-coded units: a text column and a label column at least (a file
        from :func:`sample`, coded, has them). Rows with an empty label are
        left out; an unknown label is an error naming its row.
    model : FrozenModel, DemoClassifier or path, optional
        The model to score (default: the built-in one).
    text_column, label_column : str
        Where the texts and the hand-coded labels are.
    document_column : str, optional
        The column naming each unit's document: units are then read in the
        context of the other coded units of their document, and the
        intervals resample documents rather than units.
    n_boot : int, default=1000
        Bootstrap resamples for the 95% intervals.
    seed : int, default=0
        Seed of the resampling: the same seed gives the same intervals.

    Returns
    -------
    Validation

    Examples
    --------
    >>> import pandas as pd
    >>> coded = pd.DataFrame({"text": [
    ...     "Citizens will vote on whether the city may use face recognition.",
    ...     "The model weights are free to download and fine-tune.",
    ...     "Half of the windfall will fund a dividend for every citizen.",
    ...     "The weather was mild for the season."],
    ...     "label": ["governance", "development", "profits", "none"]})
    >>> result = validate(coded)
    >>> result.n, result.accuracy, result.kappa
    (4, 1.0, 1.0)
    >>> sorted(result.to_dict())  # doctest: +NORMALIZE_WHITESPACE
    ['accuracy', 'alpha', 'confusion', 'intervals', 'kappa', 'macro_f1', 'n',
     'per_label', 'settings']
    """
    import pandas as pd

    from democlass import api

    where = str(coded) if not _texts.is_pandas(coded, "DataFrame") else "the coded DataFrame"
    frame, skipped = _coded_rows(read_table(coded), where, text_column, label_column)
    if isinstance(model, (str, Path)):
        model = api.load(model)
    m = api._resolve(model)
    if document_column is not None:
        _column(frame, document_column, where, "document")
        groups = frame[document_column].astype(str).to_numpy(dtype=object)
        # a document's units must be together to be read in context; keep first-seen order
        first = {g: i for i, g in reversed(list(enumerate(groups)))}
        order = np.argsort([first[g] for g in groups], kind="stable")
        units = pd.DataFrame({"text": frame[text_column].to_numpy()[order], "doc": groups[order]})
        tagged = api.tag(units, document_column="doc", model=m)
        predicted = np.empty(len(frame), dtype=object)
        confidence = np.empty(len(frame))
        predicted[order] = tagged["label"].to_numpy()
        confidence[order] = tagged["confidence"].to_numpy()
    else:
        groups = np.arange(len(frame)).astype(str).astype(object)
        tagged = api.tag(frame[text_column].tolist(), model=m)
        predicted = tagged["label"].to_numpy(dtype=object)
        confidence = tagged["confidence"].to_numpy()
    truth = frame[label_column].to_numpy(dtype=object)
    weight = (
        pd.to_numeric(frame["weight"], errors="coerce").to_numpy()
        if "weight" in frame.columns
        else np.ones(len(frame))
    )
    predictions = pd.DataFrame(
        {
            "text": frame[text_column].to_numpy(),
            "label": truth,
            "predicted": predicted,
            "confidence": confidence,
            "group": groups,
            "weight": weight,
        },
        index=frame.index,
    )
    present = [c for c in LABELS if c in set(truth) | set(predicted)]
    k = {label: i for i, label in enumerate(present)}
    codes = np.array([[k[t], k[p]] for t, p in zip(truth, predicted, strict=True)])
    # a confusion matrix per resampling group, so any resample is a weighted sum of them
    names, group_of = np.unique(groups.astype(str), return_inverse=True)
    per_group = np.zeros((len(names), len(present), len(present)))
    np.add.at(per_group, (group_of, codes[:, 0], codes[:, 1]), 1)
    matrix = per_group.sum(axis=0)
    point = {key: float(v) for key, v in _metrics(matrix).items()}
    draws = _resample(names, n_boot, seed)
    boot = _metrics(np.tensordot(draws, per_group, axes=1))
    rows, cols, tp = matrix.sum(axis=1), matrix.sum(axis=0), np.diag(matrix)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_label = pd.DataFrame(
            {
                "precision": np.where(cols > 0, tp / cols, 0.0),
                "recall": np.where(rows > 0, tp / rows, 0.0),
                "f1": np.where(rows + cols > 0, 2 * tp / (rows + cols), 0.0),
                "support": rows.astype(int),
            },
            index=present,
        )
    confusion = pd.DataFrame(
        matrix.astype(int),
        index=pd.Index(present, name="coded"),
        columns=pd.Index(present, name="predicted"),
    )
    return Validation(
        n=len(frame),
        per_label=per_label,
        confusion=confusion,
        intervals={key: _interval(boot[key]) for key in METRICS},
        predictions=predictions,
        settings={
            "model": "the built-in model" if model is None else "the given model",
            "reading": "in the context of their documents"
            if document_column
            else "each unit read alone",
            "resampled": "documents" if document_column else "units",
            "bootstrap": n_boot,
            "seed": seed,
            "skipped": skipped,
        },
        **point,
    )


# ---------------------------------------------------------------- sampling


def _allocate(n: int, sizes: np.ndarray) -> np.ndarray:
    """Split ``n`` draws as evenly as the strata allow (none takes more than it has)."""
    take = np.zeros(len(sizes), dtype=int)
    left = min(n, int(sizes.sum()))
    while left > 0:
        open_ = np.flatnonzero(take < sizes)
        each = max(left // len(open_), 1)
        for i in open_:
            step = min(each, sizes[i] - take[i], left)
            take[i] += step
            left -= step
            if left == 0:
                break
    return take


def _stratified(
    strata: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Rows drawn evenly from each stratum, and each row's sampling weight."""
    names = [s for s in LABELS if s in set(strata)]
    sizes = np.array([(strata == s).sum() for s in names])
    take = _allocate(n, sizes)
    rows, weights = [], []
    for name, size, k in zip(names, sizes, take, strict=True):
        members = np.flatnonzero(strata == name)
        rows.append(rng.choice(members, size=k, replace=False))
        weights.append(np.full(k, size / k if k else np.nan))
    return np.concatenate(rows).astype(int), np.concatenate(weights)


def _units(inputs: Any, model: Any, text_column: str | None, id_column: str | None) -> Any:
    """Every unit of the inputs in reading order, with its prediction."""
    import pandas as pd

    from democlass import api, batch

    if _texts.is_pandas(inputs, "DataFrame"):
        tables = [inputs] if "p_none" in inputs.columns else None
        if tables is None:
            units = api.tag_documents(
                inputs, text_column=text_column, id_column=id_column, model=model
            )
            return units.rename(columns={"id": "source", "paragraph": "position"})
        paths: list[str] = []
    else:
        paths = [str(inputs)] if isinstance(inputs, (str, Path)) else [str(p) for p in inputs]
        tables = []
    frames = []
    documents = []
    for path in paths:
        p = Path(path)
        if p.suffix.lower() in batch.TABLE_SUFFIXES and p.is_file():
            head = read_table(p)
            if "p_none" in head.columns:  # a tagged output: its predictions are used as they are
                tables.append(head)
                continue
        documents.append(path)
    for table in tables or []:
        frames.append(_tagged_units(table))
    if documents:
        read = batch.read_inputs(documents, text_column=text_column, id_column=id_column)
        failures = list(read.failures)
        for chunk in batch.tag_documents(read.documents, model=model):
            out = chunk.output
            failures.extend(chunk.failures)
            if out["row"].notna().any():
                out["source"] = out["source"] + "[" + out["row"].astype(str) + "]"
            frames.append(out.rename(columns={"paragraph": "position"}))
        for failure in failures:  # unreadable files are left out, as democlass tag does
            warnings.warn(f"skipped {failure.source}: {failure.reason}", UserWarning, stacklevel=3)
    if not frames or not sum(len(f) for f in frames):
        raise batch.InputError("no paragraphs to sample from in the inputs")
    return pd.concat(frames, ignore_index=True)


def _tagged_units(table: pd.DataFrame) -> pd.DataFrame:
    """Units of an already tagged table (``democlass tag`` output), their text
    taken from its ``text`` column or from the source files, split again."""
    from democlass import batch

    table = table.copy()
    if "row" in table.columns and table["row"].notna().any():
        table["source"] = table["source"].astype(str) + "[" + table["row"].astype(str) + "]"
    if "text" not in table.columns:
        from democlass.split import split_paragraphs

        texts = []
        cache: dict[str, list[str]] = {}
        for source, number in zip(table["source"], table["paragraph"], strict=True):
            if source not in cache:
                text, failure = batch._load(batch.Document(str(source), None))
                if failure is not None:
                    raise batch.InputError(
                        f"{failure.source}: {failure.reason}; tag with --text so the "
                        "output carries each paragraph's text"
                    )
                # split as tagging did, so paragraph numbers find the same units
                cache[source] = [p.text for p in split_paragraphs(text or "")]
            texts.append(cache[source][int(number) - 1])
        table["text"] = texts
    for column in ["confidence", *(c for c in table.columns if c.startswith("p_"))]:
        table[column] = table[column].astype(float)
    table["paragraph"] = table["paragraph"].astype(int)
    return table.rename(columns={"paragraph": "position"})


def sample(
    inputs: Any,
    n: int = 200,
    *,
    strategy: str = "stratified",
    seed: int = 0,
    show_predictions: bool = False,
    model: Any = None,
    text_column: str | None = None,
    id_column: str | None = None,
) -> pd.DataFrame:
    """Choose units to hand-code: a deterministic sample, ready for a spreadsheet.

    Parameters
    ----------
    inputs : path, list of paths or DataFrame
        Files, folders and tables as ``democlass tag`` reads them, an output
        of ``democlass tag`` (its predictions are used; its text comes from
        its ``text`` column or from the source files, split again), or a DataFrame of
        documents (``text_column``, ``id_column``) or of tagged units.
    n : int, default=200
        Units to draw (all of them if there are fewer).
    strategy : {"stratified", "uncertain", "random"}, default="stratified"
        ``stratified``: as evenly as possible from each predicted label, so
        rare forms are coded too; ``uncertain``: the units the model is least
        sure of (smallest margin between its two most probable labels), plus
        a quarter drawn stratified so no form is left out; ``random``: a
        simple random sample.
    seed : int, default=0
        The same inputs and seed give the same sample.
    show_predictions : bool, default=False
        Add the model's ``predicted`` label and ``confidence``. Off by
        default so coders are not anchored by the model.
    model : FrozenModel, DemoClassifier or path, optional
        The model that predicts (default: the built-in one).
    text_column, id_column : str, optional
        For tables of documents, as in ``democlass tag``.

    Returns
    -------
    DataFrame
        In reading order: ``id``, ``source``, ``position`` (paragraph number
        in its document), ``previous``, ``text`` and ``next`` (the unit and
        its neighbours, for context), empty ``label``, ``secondary`` and
        ``note`` columns for the coders, and ``weight``: how many units of
        the corpus each sampled unit stands for (empty for the uncertain
        part of an ``uncertain`` sample, which is not a probability sample).

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"text": [
    ...     "Open weights let anyone fine-tune the model.\\n\\nThe weather was mild.",
    ...     "Citizens will vote on face recognition."]})
    >>> s = sample(docs, n=2, seed=1)
    >>> list(s.columns)
    ['id', 'source', 'position', 'previous', 'text', 'next', 'label', 'secondary', 'note', 'weight']
    >>> len(s), set(s["label"])
    (2, {''})
    """
    import pandas as pd

    from democlass import api

    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive whole number, not {n!r}")
    if isinstance(model, (str, Path)):
        model = api.load(model)
    units = _units(inputs, api._resolve(model), text_column, id_column).reset_index(drop=True)
    units["source"] = units["source"].astype(str)
    same = units["source"].to_numpy()
    texts = units["text"].fillna("").astype(str).to_numpy(dtype=object)
    previous = np.where(np.r_[False, same[1:] == same[:-1]], np.r_[[""], texts[:-1]], "")
    following = np.where(np.r_[same[:-1] == same[1:], False], np.r_[texts[1:], [""]], "")
    rng = np.random.default_rng(seed)
    predicted = units["label"].astype(str).to_numpy()
    total = len(units)
    if strategy == "random":
        rows = rng.choice(total, size=min(n, total), replace=False)
        weight = np.full(len(rows), total / max(len(rows), 1))
    elif strategy == "stratified":
        rows, weight = _stratified(predicted, n, rng)
    else:
        proba = np.sort(units[[f"p_{c}" for c in LABELS]].to_numpy(dtype=float), axis=1)
        margin = proba[:, -1] - proba[:, -2]
        spread = min(total, n, max(int(round(n * UNCERTAIN_STRATIFIED_SHARE)), 1))
        # ties in margin are broken at random, reproducibly
        ranked = np.lexsort((rng.random(total), margin))
        unsure = ranked[: min(n, total) - spread]
        rest = np.setdiff1d(np.arange(total), unsure)
        extra, _ = _stratified(predicted[rest], spread, rng)
        rows = np.concatenate([unsure, rest[extra]])
        weight = np.full(len(rows), np.nan)
    order = np.argsort(rows, kind="stable")
    rows, weight = np.asarray(rows)[order], weight[order]
    picked = units.iloc[rows]
    out = pd.DataFrame(
        {
            "id": (picked["source"] + "#" + picked["position"].astype(str)).to_numpy(),
            "source": picked["source"].to_numpy(),
            "position": picked["position"].astype(int).to_numpy(),
            "previous": previous[rows],
            "text": texts[rows],
            "next": following[rows],
            "label": "",
            "secondary": "",
            "note": "",
            "weight": weight,
        }
    )
    if show_predictions:
        out["predicted"] = picked["label"].to_numpy()
        out["confidence"] = picked["confidence"].astype(float).to_numpy()
    return out


# ---------------------------------------------------------------- shares


def _documents_of(frame: pd.DataFrame, document_column: str | None) -> np.ndarray:
    if document_column is not None:
        _column(frame, document_column, "the tagged table", "document")
        return frame[document_column].astype(str).to_numpy(dtype=object)
    if "source" in frame.columns:
        keys = frame["source"].astype(str)
        if "row" in frame.columns and frame["row"].notna().any():
            keys = keys + "[" + frame["row"].astype(str) + "]"
        return keys.to_numpy(dtype=object)
    if "id" in frame.columns:
        return frame["id"].astype(str).to_numpy(dtype=object)
    return np.arange(len(frame)).astype(str).astype(object)


def _error_rates(validation: Validation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per validation group, weighted counts of (coded, predicted) pairs; and group names."""
    p = validation.predictions
    index = {label: i for i, label in enumerate(LABELS)}
    names, group_of = np.unique(p["group"].astype(str).to_numpy(), return_inverse=True)
    weight = p["weight"].to_numpy(dtype=float)
    unweighted = ~(np.isfinite(weight) & (weight > 0))
    if unweighted.any() and not unweighted.all():
        warnings.warn(
            f"{int(unweighted.sum())} of {len(weight)} validation rows have no sampling weight "
            "(the uncertain part of an 'uncertain' sample?); they count once each, and error "
            "rates from units chosen for being hard overstate the errors: for adjusted shares, "
            "code a stratified or random sample",
            UserWarning,
            stacklevel=3,
        )
    weight = np.where(unweighted, 1.0, weight)
    counts = np.zeros((len(names), len(LABELS), len(LABELS)))
    true = np.array([index[x] for x in p["label"]], dtype=np.intp)
    pred = np.array([index[x] for x in p["predicted"]], dtype=np.intp)
    np.add.at(counts, (group_of, true, pred), weight)
    return counts, names, counts.sum(axis=0)


def _adjust(observed: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Adjusted classify-and-count: the true shares ``p`` that explain the
    predicted shares ``q`` through the error rates ``M[true, predicted]``
    (``q = M.T @ p``), solved by least squares, clipped to [0, 1] and
    renormalised. Works on stacks (..., k) and (..., k, k)."""
    rows = counts.sum(axis=-1, keepdims=True)
    identity = np.broadcast_to(np.eye(counts.shape[-1]), counts.shape)
    # a label the coders never used: its error rates are unknown, so take it as read
    rates = np.where(rows > 0, counts / np.where(rows > 0, rows, 1), identity)
    p = np.einsum("...ij,...j->...i", np.linalg.pinv(np.swapaxes(rates, -1, -2)), observed)
    p = np.clip(p, 0.0, 1.0)
    total = p.sum(axis=-1, keepdims=True)
    return np.where(total > 0, p / np.where(total > 0, total, 1), observed)


def shares(
    tagged: Table,
    by: str | None = None,
    validation: Validation | Table | None = None,
    *,
    document_column: str | None = None,
    model: Any = None,
    n_boot: int = BOOTSTRAP,
    seed: int = 0,
) -> pd.DataFrame:
    """The share of each label in a tagged corpus, with bootstrap 95% intervals.

    Parameters
    ----------
    tagged : DataFrame or path
        Unit-level results with a ``label`` column, such as the output of
        ``democlass tag`` or :func:`democlass.tag_documents`.
    by : str, optional
        A column to report shares for each of its values (``source``: per
        document; a date, an outlet...). Default: the whole corpus.
    validation : Validation, DataFrame or path, optional
        What :func:`validate` returned, or a hand-coded sample to validate
        ``model`` on. With it, adjusted shares are reported too: the raw
        counts corrected by the error rates measured on the sample
        (adjusted classify-and-count), clipped to [0, 1] and renormalised.
        This assumes the model errs on the corpus as on the sample, so the
        sample should come from the corpus (``democlass sample``).
    document_column : str, optional
        The column naming each unit's document (default: ``source``, with
        ``row`` for tables, else ``id``, else each unit alone). Intervals
        resample documents, since units of one document are not independent;
        within a group of one document they resample its units.
    model : FrozenModel, DemoClassifier or path, optional
        The model validated when ``validation`` is a coded sample; it should
        be the one that tagged the corpus (default: the built-in one).
    n_boot : int, default=1000
        Bootstrap resamples per interval.
    seed : int, default=0
        The same seed gives the same intervals.

    Returns
    -------
    DataFrame
        One row per group and label: ``by`` (when given), ``label``,
        ``units``, ``documents``, ``share``, ``low``, ``high``, and with a
        validation ``adjusted``, ``adjusted_low``, ``adjusted_high``. The
        adjusted intervals resample the validation sample too.

    Examples
    --------
    >>> import pandas as pd
    >>> tagged = pd.DataFrame({"id": [0, 0, 1, 1], "label": ["use", "none", "use", "use"]})
    >>> out = shares(tagged)
    >>> out[["label", "units", "share"]].head(2)
             label  units  share
    0          use      4   0.75
    1  development      4   0.00
    """
    import pandas as pd

    frame = read_table(tagged)
    where = str(tagged) if not _texts.is_pandas(tagged, "DataFrame") else "the tagged table"
    _column(frame, "label", where, "label")
    if by is not None:
        _column(frame, by, where, "grouping")
    keep = frame["label"].isin(LABELS).to_numpy()
    frame = frame.loc[keep]
    docs = _documents_of(frame, document_column)
    label_index = frame["label"].map({c: i for i, c in enumerate(LABELS)}).to_numpy(dtype=int)
    if validation is not None and not isinstance(validation, Validation):
        validation = validate(validation, model)
    if validation is not None:
        v_counts, v_names, _ = _error_rates(validation)
        v_draws = _resample(v_names, n_boot, seed + 1)
        v_boot = np.tensordot(v_draws, v_counts, axes=1)
        v_point = v_counts.sum(axis=0)
    keys = frame[by].astype(str).to_numpy() if by is not None else np.zeros(len(frame), str)
    records = []
    for key in dict.fromkeys(keys):
        inside = keys == key
        group_docs = docs[inside]
        # one document: its units are what varies
        alone = np.unique(group_docs).size < 2
        unit_of = (
            np.arange(inside.sum()) if alone else np.unique(group_docs, return_inverse=True)[1]
        )
        per = np.zeros((unit_of.max() + 1 if len(unit_of) else 0, len(LABELS)))
        np.add.at(per, (unit_of, label_index[inside]), 1)
        total = per.sum()
        observed = per.sum(axis=0) / total
        draws = np.tensordot(_resample(per, n_boot, seed), per, axes=1)
        boot = draws / draws.sum(axis=1, keepdims=True)
        row: dict[str, Any] = {"by": key} if by is not None else {}
        out = {
            "share": observed,
            "low": np.percentile(boot, 2.5, axis=0),
            "high": np.percentile(boot, 97.5, axis=0),
        }
        if validation is not None:
            adjusted_boot = _adjust(boot, v_boot)
            out["adjusted"] = _adjust(observed, v_point)
            out["adjusted_low"] = np.percentile(adjusted_boot, 2.5, axis=0)
            out["adjusted_high"] = np.percentile(adjusted_boot, 97.5, axis=0)
        for j, label in enumerate(LABELS):
            records.append(
                {
                    **row,
                    "label": label,
                    "units": int(total),
                    "documents": int(np.unique(group_docs).size),
                    **{name: float(values[j]) for name, values in out.items()},
                }
            )
    result = pd.DataFrame.from_records(records)
    if by is not None:
        result = result.rename(columns={"by": by})
    result.attrs["resampled"] = "documents"
    return result
