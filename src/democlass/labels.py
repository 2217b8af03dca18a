"""The labelled paragraph dataset: where it lives, its schema, and validation."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from democlass.taxonomy import FORMS, LABELS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "LabelsError", "labels_path", "load_labels"]

COLUMNS: tuple[str, ...] = ("id", "source", "text", "label", "secondary", "note")
"""The columns every labels file must have, in their canonical order."""

DOCUMENT_COLUMNS: tuple[str, ...] = ("doc", "position")
"""Where each unit stands: its document and its place in reading order (from 1).

Optional in a file; without them every row is a document of its own."""


class LabelsError(ValueError):
    """A labels file that cannot be used as it is.

    The message names the file, the row (counted as a spreadsheet does: the
    header is row 1, the first record row 2), the column and the bad value.
    """


def labels_path() -> Path:
    """Path of the packaged ``labels.csv``.

    Wheels carry it inside the package; a source checkout keeps it at
    ``data/labels.csv`` at the top of the repository.
    """
    packaged = resources.files("democlass") / "data" / "labels.csv"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "data" / "labels.csv"


def load_labels(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate a labels file.

    Parameters
    ----------
    path : str or Path, optional
        A CSV file with the columns ``id, source, text, label, secondary,
        note`` (UTF-8), and optionally ``doc, position``: the document each
        unit belongs to and its place in it (1, 2, 3... in reading order,
        the rows of a document together). Defaults to the dataset shipped
        with democlass.

    Returns
    -------
    pandas.DataFrame
        One row per labelled unit, every column as strings (``secondary`` and
        ``note`` may be empty) except ``position`` (int). ``doc`` and
        ``position`` are always present: without them in the file, each row
        is its own document (``doc`` is its id, ``position`` 1). Extra
        columns are kept.

    Raises
    ------
    LabelsError
        If the file is not UTF-8 CSV, lacks a column, or a row has an empty
        id, source or text, a duplicate id, an unknown label, a
        ``secondary`` that names an unknown form or repeats the primary, an
        empty ``doc``, a ``position`` that is not the next one in its
        document, or a document whose rows are not together.

    Examples
    --------
    >>> labels = load_labels()
    >>> sorted(labels["label"].unique())
    ['development', 'governance', 'none', 'profits', 'use']
    """
    import pandas as pd

    path = Path(path) if path is not None else labels_path()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LabelsError(f"{path}: cannot read the labels file ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LabelsError(
            f"{path}: not UTF-8 (byte {exc.start} is {raw[exc.start : exc.start + 1]!r}); "
            "save the file as UTF-8 CSV"
        ) from exc
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise LabelsError(f"{path}: not valid CSV ({exc})") from exc
    if not rows:
        raise LabelsError(f"{path}: the file is empty; expected a header {','.join(COLUMNS)}")
    header, records = rows[0], rows[1:]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise LabelsError(
            f"{path}: missing column(s) {', '.join(map(repr, missing))}; "
            f"the header has {', '.join(map(repr, header))}"
        )
    for n, record in enumerate(records, start=2):
        if len(record) != len(header):
            raise LabelsError(
                f"{path}: row {n} has {len(record)} fields but the header has {len(header)}"
            )
    frame = pd.DataFrame(records, columns=header, dtype=str)
    _validate(frame, path)
    return _with_documents(frame, path)


def _with_documents(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Check ``doc`` and ``position``, or make every row its own document."""
    present = [c for c in DOCUMENT_COLUMNS if c in frame.columns]
    if not present:
        frame["doc"] = frame["id"]
        frame["position"] = 1
        return frame
    if len(present) == 1:
        other = next(c for c in DOCUMENT_COLUMNS if c not in present)
        raise LabelsError(f"{path}: column {present[0]!r} needs column {other!r} beside it")
    finished: dict[str, int] = {}
    previous, expected = None, 1
    positions = []
    for n, (doc, position) in enumerate(zip(frame["doc"], frame["position"], strict=True), 2):
        if not doc.strip():
            raise LabelsError(f"{path}: row {n}, column 'doc': empty document id (value {doc!r})")
        if doc != previous:
            if doc in finished:
                raise LabelsError(
                    f"{path}: row {n}, column 'doc': document {doc!r} continues after other "
                    f"documents (its rows end at row {finished[doc]}); keep a document's rows "
                    "together, in reading order"
                )
            if previous is not None:
                finished[previous] = n - 1
            previous, expected = doc, 1
        if not position.strip().isdigit() or int(position) != expected:
            raise LabelsError(
                f"{path}: row {n}, column 'position': expected {expected}, the next "
                f"position in document {doc!r} (value {position!r})"
            )
        positions.append(expected)
        expected += 1
    frame["position"] = positions
    return frame


def _validate(frame: pd.DataFrame, path: Path) -> None:
    def fail(n: int, column: str, value: str, why: str) -> LabelsError:
        return LabelsError(f"{path}: row {n}, column {column!r}: {why} (value {value!r})")

    seen: dict[str, int] = {}
    for n, row in enumerate(frame.itertuples(index=False), start=2):
        rid, source, text, label, secondary = (
            row.id,
            row.source,
            row.text,
            row.label,
            row.secondary,
        )
        if not rid.strip():
            raise fail(n, "id", rid, "empty id")
        if rid in seen:
            raise fail(n, "id", rid, f"duplicate id, first used in row {seen[rid]}")
        seen[rid] = n
        if not source.strip():
            raise fail(n, "source", source, "empty source")
        if not text.strip():
            raise fail(n, "text", text, "empty text")
        if label not in LABELS:
            raise fail(n, "label", label, f"unknown label; expected one of {', '.join(LABELS)}")
        forms = [f.strip() for f in secondary.split(";")] if secondary.strip() else []
        for form in forms:
            if form not in FORMS:
                raise fail(
                    n,
                    "secondary",
                    secondary,
                    f"unknown form {form!r}; expected forms from {', '.join(FORMS)}",
                )
            if form == label:
                raise fail(n, "secondary", secondary, f"repeats the primary label {label!r}")
        if len(set(forms)) != len(forms):
            raise fail(n, "secondary", secondary, "names a form twice")
