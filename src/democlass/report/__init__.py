"""Read tagged documents in a browser: one self-contained HTML file.

``democlass.report(tagged_or_documents, "report.html")`` and ``democlass
report INPUTS -o report.html`` write a page with a corpus view (documents,
units, the share of each form, a sortable and searchable table of
documents) and a document view (each unit shaded in its form's colour with
its label, confidence and secondary tags written beside it, and, on click,
the terms for and against its label). The page opens from disk, offline: it
makes no network request.
"""

from __future__ import annotations

import sys
import types
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from democlass.report.payload import Corpus, corpus_from_rows, payload, read_saved
from democlass.report.render import render

if TYPE_CHECKING:
    import pandas as pd

    from democlass.api import ModelLike

__all__ = ["MAX_UNITS", "corpus_shares", "read_saved", "report", "write"]

MAX_UNITS = 25_000
"""Most units one report file holds (about 15 MB; it opens in under a second):
beyond it the report keeps the first whole documents and says so, since a
bigger page is slow to open and to send."""

LOW_CONFIDENCE = 0.6
"""Units whose label has a lower probability are marked "low confidence"."""


def report(
    data: Any,
    path: str | Path,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    context: bool = True,
    min_confidence: float | None = None,
    model: ModelLike = None,
    title: str = "democlass report",
    top: int = 6,
    max_units: int = MAX_UNITS,
) -> Path:
    """Write a report of tagged documents to one HTML file.

    Parameters
    ----------
    data : DataFrame, str, list of str or pandas.Series
        Either tagged paragraph rows (a DataFrame with a ``label`` column,
        such as :func:`democlass.tag_documents` output, or ``democlass tag
        --text`` output read back), grouped into documents by ``id_column``,
        else ``id``, else ``source`` (and ``row``); or whole documents, which
        are tagged first with :func:`democlass.tag_documents`.
    path : str or Path
        The HTML file to write (atomically: an interrupted run leaves no file).
    text_column, id_column : str, optional
        As in :func:`democlass.tag_documents`; ``id_column`` also names the
        document column of tagged rows.
    context, min_confidence : optional
        How documents are tagged, as in :func:`democlass.tag_documents`.
    model : FrozenModel or DemoClassifier, optional
        The model that tags documents and explains units (default: built-in).
    title : str, default="democlass report"
    top : int, default=6
        How many terms to show for and against each unit's label.
    max_units : int, default=MAX_UNITS
        Most units in the file; past it, only the first whole documents are
        included and the report says how many and why.

    Returns
    -------
    Path
        The file written.

    Notes
    -----
    The terms shown for a unit come from the unit's own text read alone
    (as :func:`democlass.explain` reads it), weighed for the unit's label
    against its runner-up; a unit labelled in context may owe its label
    partly to its document, whose part is not itemised.
    """
    from democlass import _texts
    from democlass.api import tag_documents

    if _texts.is_pandas(data, "DataFrame") and "label" in data.columns:
        rows = data
        key = id_column or next((c for c in ("id", "source") if c in rows.columns), None)
        if key is None:
            raise ValueError(
                "tagged rows need a column naming each row's document: pass id_column= "
                f"(columns: {', '.join(map(str, rows.columns))})"
            )
        keys = document_keys(rows, key)
        tagged_here = None
    else:
        rows = tag_documents(
            data,
            text_column=text_column,
            id_column=id_column,
            context=context,
            min_confidence=min_confidence,
            model=model,
        )
        keys = rows["id"].tolist()
        tagged_here = context
    written, note = write(
        corpus_from_rows(rows, keys),
        path,
        model=model,
        min_confidence=min_confidence,
        context=tagged_here,
        title=title,
        top=top,
        max_units=max_units,
    )
    if note:
        warnings.warn(note, stacklevel=2)
    return written


def document_keys(rows: pd.DataFrame, column: str = "source") -> list[str]:
    """Each row's document name: ``column``, with the table row where
    documents came from table rows (``source`` and ``row``)."""
    names = rows[column].astype(str).tolist()
    if column == "source" and "row" in rows.columns:
        return [
            name if _missing(row) else f"{name} [{row}]"
            for name, row in zip(names, rows["row"], strict=True)
        ]
    return names


def _missing(value: Any) -> bool:
    from democlass._texts import is_missing

    return is_missing(value) or value == ""


def write(
    corpus: Corpus,
    path: str | Path,
    *,
    model: ModelLike = None,
    min_confidence: float | None = None,
    context: bool | None = None,
    title: str = "democlass report",
    top: int = 6,
    max_units: int = MAX_UNITS,
) -> tuple[Path, str | None]:
    """Write the report of a corpus; returns the path and, if the corpus
    was cut to ``max_units``, the note saying so (also shown in the page)."""
    from democlass.api import _resolve
    from democlass.batch import atomic_output

    target = Path(path)
    if target.is_dir() or str(path).endswith(("/", "\\")):
        raise ValueError(
            f"{path} is a folder: give the report's file name, for example {target / 'report.html'}"
        )
    if not target.parent.is_dir():
        raise ValueError(f"cannot write {path}: the folder {target.parent} does not exist")
    corpus, note = _cut(corpus, max_units)
    data = payload(
        corpus,
        model=_resolve(model),
        top=top,
        low_confidence=LOW_CONFIDENCE,
        min_confidence=min_confidence,
        context=context,
        title=title,
        note=note,
        shares=corpus_shares(corpus),
    )
    with atomic_output(target) as fh:
        fh.write(render(data))
    return target, note


def _cut(corpus: Corpus, max_units: int) -> tuple[Corpus, str | None]:
    """The first whole documents that fit in ``max_units`` units."""
    import numpy as np

    n_units, n_docs = len(corpus.rows), len(corpus.names)
    if n_units <= max_units:
        return corpus, None
    # whole documents only; always at least the first, however long
    ends = np.searchsorted(corpus.document, np.arange(n_docs), side="right")
    keep_docs = max(1, int(np.searchsorted(ends, max_units, side="right")))
    keep_units = int(ends[keep_docs - 1])
    note = (
        f"This report shows the first {keep_docs:,} of {n_docs:,} documents "
        f"({keep_units:,} of {n_units:,} units): one report file holds up to "
        f"{max_units:,} units so that it opens quickly. Report the other documents "
        "in further files (select them by folder or glob)."
    )
    cut = Corpus(
        corpus.rows.iloc[:keep_units].reset_index(drop=True),
        corpus.names[:keep_docs],
        corpus.document[:keep_units],
    )
    return cut, note


def corpus_shares(corpus: Corpus) -> dict[str, Any]:
    """Units per label across the corpus, with 95% intervals where
    ``democlass.validate.shares`` (bootstrap over documents) is available.

    This is the seam to the validation module: without it, or if its
    answer cannot be read as one share and interval per label, the report
    shows counts and plain shares.
    """
    import numpy as np

    from democlass.taxonomy import LABELS

    labels = corpus.rows["label"].to_numpy(dtype=object)
    counts = [int(np.sum(labels == label)) for label in LABELS]
    out: dict[str, Any] = {"counts": counts, "intervals": None}
    try:
        from democlass.validate import shares  # type: ignore[attr-defined]
    except ImportError:
        return out
    import pandas as pd

    tagged = pd.DataFrame({"source": np.asarray(corpus.names, dtype=object)[corpus.document]})
    tagged["label"] = labels
    try:
        out["intervals"] = _intervals(shares(tagged))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        warnings.warn(f"shares without intervals: democlass.shares gave {exc}", stacklevel=2)
    return out


def _intervals(result: Any) -> list[list[float]]:
    """[low, high] per label from a frame with one row per label (in a
    ``label`` or ``form`` column, or the index) and interval columns."""
    from democlass.taxonomy import LABELS

    frame = result.reset_index()

    def column(*names: str) -> str:
        for name in names:
            if name in frame.columns:
                return name
        raise KeyError(f"none of the columns {', '.join(names)}")

    by = frame.set_index(column("label", "form", "index"))
    low, high = column("low", "lower", "ci_low"), column("high", "upper", "ci_high")
    return [
        [round(float(by.at[label, low]), 4), round(float(by.at[label, high]), 4)]
        if label in by.index
        else [0.0, 0.0]
        for label in LABELS
    ]


class _CallableModule(types.ModuleType):
    """Importing ``democlass.report`` binds the package's ``report``
    attribute to this module, so the module itself is what
    ``democlass.report(...)`` calls."""

    def __call__(self, *args: Any, **kwargs: Any) -> Path:
        return report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
