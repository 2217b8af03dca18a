"""The data a report shows: tagged units grouped into documents, as plain JSON.

The payload is columnar (one list per field, one entry per unit) because a
report of tens of thousands of units is mostly this data, and lists of
numbers are smaller and faster for the browser to parse than one object per
unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from democlass.taxonomy import COLORS, DESCRIPTIONS, FORMS, LABELS

if TYPE_CHECKING:
    import pandas as pd

    from democlass.frozen import FrozenModel

__all__ = ["SAVED_COLUMNS", "Corpus", "corpus_from_rows", "payload", "read_saved"]

SAVED_COLUMNS = ("paragraph", "start", "end", "label")
"""Columns that mark a table as paragraph-level output of ``democlass tag``."""

PROBABILITIES = [f"p_{label}" for label in LABELS]
# How many units a texts batch of explanations covers: bounds the memory of
# the sparse tf-idf triples for very large reports.
_EXPLAIN_BATCH = 5000


@dataclass
class Corpus:
    """Tagged units in reading order, each with the name of its document."""

    rows: pd.DataFrame  # text, label, confidence, abstained, tags, p_<label>
    names: list[str]  # one per document, in order of first appearance
    document: np.ndarray  # each row's document number (0, 1, ...), non-decreasing


def corpus_from_rows(rows: pd.DataFrame, keys: list[Any]) -> Corpus:
    """Group tagged rows into documents by ``keys`` (one per row).

    Documents keep the order in which they first appear and each document's
    units keep their order (by ``paragraph`` where there is such a column).
    Rows without a text or a label (a missing input cell) are left out.

    Raises
    ------
    ValueError
        If a column a report needs is missing, naming the columns there are.
    """
    import pandas as pd

    needed = ["text", "label", "confidence", *PROBABILITIES]
    missing = [c for c in needed if c not in rows.columns]
    if missing:
        raise ValueError(
            f"tagged rows need the columns {', '.join(missing)}; they have "
            f"{', '.join(map(str, rows.columns))}"
            + (
                " (save paragraph output with the text: democlass tag ... --text)"
                if missing == ["text"]
                else ""
            )
        )
    frame = rows.reset_index(drop=True)
    keep = (
        frame["text"].map(lambda t: isinstance(t, str)).to_numpy()
        & frame["label"].isin(LABELS).to_numpy()
    )
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object), sort=False)
    order_within = (
        pd.to_numeric(frame["paragraph"], errors="coerce").fillna(0).to_numpy()
        if "paragraph" in frame.columns
        else np.arange(len(frame))
    )
    order = np.lexsort((order_within, codes))
    order = order[keep[order]]
    out = pd.DataFrame(
        {
            "text": frame["text"].to_numpy(dtype=object)[order],
            "label": frame["label"].to_numpy(dtype=object)[order],
            "confidence": pd.to_numeric(frame["confidence"]).to_numpy(float)[order],
            "abstained": _flags(frame, "abstained")[order],
            "tags": (
                frame["tags"].fillna("").astype(str).to_numpy(dtype=object)[order]
                if "tags" in frame.columns
                else frame["label"].to_numpy(dtype=object)[order]
            ),
        }
    )
    for column in PROBABILITIES:
        out[column] = pd.to_numeric(frame[column]).to_numpy(float)[order]
    # renumber the documents that still have units, in order
    used, document = np.unique(codes[order], return_inverse=True)
    return Corpus(out, [str(uniques[i]) for i in used], document.astype(np.int64))


def _flags(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    values = frame[column]
    if values.dtype == object:  # read back from CSV or JSON as text
        values = values.map(lambda v: str(v).strip().lower() in ("true", "1"))
    return values.fillna(False).to_numpy(dtype=bool)


def read_saved(path: str | Path) -> pd.DataFrame | None:
    """The rows of a table saved by ``democlass tag`` at paragraph level, or
    None if ``path`` is not such a table (documents to tag instead)."""
    import pandas as pd

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".parquet") or not p.is_file():
        return None
    whole = None
    try:  # the header (or first line) is enough to tell
        if suffix == ".csv":
            columns = pd.read_csv(p, nrows=0).columns
        elif suffix == ".jsonl":
            columns = pd.read_json(p, lines=True, nrows=1).columns
        else:
            whole = pd.read_parquet(p)
            columns = whole.columns
    except (OSError, ValueError, ImportError):
        return None  # reading it as documents will say what is wrong
    if not set(SAVED_COLUMNS) <= set(columns):
        return None
    if suffix == ".csv":
        return pd.read_csv(p, keep_default_na=False, na_values=[""], dtype={"text": object})
    if suffix == ".jsonl":
        return pd.read_json(p, lines=True, dtype=False)
    return whole


def explanations(
    model: FrozenModel, texts: list[str], proba: np.ndarray, top: int
) -> list[list[Any]]:
    """Per unit: its most probable label, the runner-up, and the terms of the
    unit's own text (read alone) that weigh most for each.

    Each weight is, as in :func:`democlass.explain`, a term's tf-idf value
    times the difference of its coefficients (text read alone) for the two
    labels; positive weights favour the first label. Here the two labels
    are the unit's most probable ones as tagged (in its document, where
    tagged in context), so the terms answer "why this label", while the
    document's share of the score is not itemised.

    Returns
    -------
    list
        ``[label index, runner-up index, [[term, weight], ...]]`` per unit,
        indexes into :data:`democlass.LABELS`; up to ``top`` terms each side,
        by weight from most positive to most negative (the order of
        :func:`democlass.explain`), rounded to 3 decimals.
    """
    classes = list(model.classes)
    to_label = np.array([LABELS.index(c) for c in classes], dtype=np.int64)
    alone = model.coef_alone
    ranked = np.argsort(-proba, axis=1, kind="stable")
    out: list[list[Any]] = []
    for start in range(0, len(texts), _EXPLAIN_BATCH):
        batch = texts[start : start + _EXPLAIN_BATCH]
        first = ranked[start : start + len(batch), 0]
        second = ranked[start : start + len(batch), 1]
        row, fid, values, norm = model._tfidf(batch)
        values = values / np.where(norm > 0, norm, 1.0)[row]
        weight = values * (alone[fid, first[row]] - alone[fid, second[row]])
        order = np.lexsort((-weight, row))
        bounds = np.searchsorted(row[order], np.arange(len(batch) + 1))
        for i in range(len(batch)):
            seg = order[bounds[i] : bounds[i + 1]]
            towards = seg[:top][weight[seg[:top]] > 0]
            tail = seg[::-1][:top]
            away = tail[weight[tail] < 0][::-1]  # weights descending, as explain lists them
            terms = [
                [model.vocabulary[fid[k]], round(float(weight[k]), 3)]
                for k in np.concatenate([towards, away])
            ]
            out.append([int(to_label[first[i]]), int(to_label[second[i]]), terms])
    return out


def payload(
    corpus: Corpus,
    *,
    model: FrozenModel,
    top: int,
    low_confidence: float,
    min_confidence: float | None,
    context: bool | None,
    title: str,
    note: str | None,
    shares: dict[str, Any],
) -> dict[str, Any]:
    """The JSON object the report's script reads."""
    from democlass import __version__
    from democlass.summary import document_shares

    rows = corpus.rows
    proba_labels = rows[PROBABILITIES].to_numpy(float)
    # the model's class order may differ from LABELS: explanations need its order
    proba_model = rows[[f"p_{c}" for c in model.classes]].to_numpy(float)
    label_code = np.array([LABELS.index(x) for x in rows["label"]], dtype=np.int64)
    n_docs = len(corpus.names)
    counts = np.zeros((n_docs, len(LABELS)), dtype=np.int64)
    np.add.at(counts, (corpus.document, label_code), 1)
    abstained = np.bincount(
        corpus.document, weights=rows["abstained"].to_numpy(float), minlength=n_docs
    )
    low = np.bincount(
        corpus.document,
        weights=(rows["confidence"].to_numpy(float) < low_confidence).astype(float),
        minlength=n_docs,
    )
    summary = document_shares(rows["label"].to_numpy(dtype=object), corpus.document, n_docs)
    first = np.searchsorted(corpus.document, np.arange(n_docs))
    docs = [
        {
            "name": name,
            "first": int(first[d]),
            "n": int(counts[d].sum()),
            "counts": counts[d].tolist(),
            "abstained": int(abstained[d]),
            "low": int(low[d]),
            "dominant": LABELS.index(summary["dominant"].iloc[d]),
        }
        for d, name in enumerate(corpus.names)
    ]
    return {
        "title": title,
        "version": __version__,
        "labels": list(LABELS),
        "forms": list(FORMS),
        "colors": [COLORS[label] for label in LABELS],
        "descriptions": [DESCRIPTIONS[label] for label in LABELS],
        "context": context,
        "minConfidence": min_confidence,
        "lowConfidence": low_confidence,
        "note": note,
        "shares": shares,
        "docs": docs,
        "units": {
            "doc": corpus.document.tolist(),
            "text": rows["text"].tolist(),
            "label": label_code.tolist(),
            "conf": np.round(rows["confidence"].to_numpy(float), 3).tolist(),
            "abstained": rows["abstained"].astype(int).tolist(),
            "tags": [
                [LABELS.index(t) for t in str(tags).split(";") if t in LABELS]
                for tags in rows["tags"]
            ],
            "p": np.round(proba_labels, 3).tolist(),
            "why": explanations(model, rows["text"].tolist(), proba_model, top),
        },
    }
