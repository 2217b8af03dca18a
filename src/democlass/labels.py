"""The labelled paragraph dataset: where it lives, its schema, and validation."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from democlass import _texts
from democlass.taxonomy import FORMS, LABELS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "REQUIRED", "LabelsError", "labels_path", "load_labels"]

COLUMNS: tuple[str, ...] = ("id", "source", "text", "label", "secondary", "note")
"""The columns of a loaded labels table, in their canonical order."""

REQUIRED: tuple[str, ...] = ("text", "label")
"""The columns a labels file or DataFrame must have; the others are optional."""

DOCUMENT_COLUMNS: tuple[str, ...] = ("doc", "position")
"""Where each unit stands: its document and its place in reading order (from 1).

Optional; without ``doc`` every row is a document of its own, and without
``position`` the rows of a document are taken in the order given."""

MAX_LISTED = 30
"""At most this many problems are spelled out in one error; the rest are counted."""


class LabelsError(ValueError):
    """Labels that cannot be used as they are.

    The message names the file (or "the labels DataFrame"), and for each
    problem the row (counted as a spreadsheet does: the header is row 1,
    the first record row 2; a DataFrame's rows are counted as in its CSV),
    the column and the bad value. Every problem is reported at once.
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


def load_labels(labels: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Load and validate labelled units from a CSV file or a DataFrame.

    Parameters
    ----------
    labels : str, Path or pandas.DataFrame, optional
        A CSV file (UTF-8) or a DataFrame with at least the columns ``text``
        and ``label``; optionally ``id``, ``source``, ``secondary``,
        ``note``, and ``doc`` and ``position``: the document each unit
        belongs to and its place in it (1, 2, 3... in reading order, the
        rows of a document together). Defaults to the dataset shipped with
        democlass.

    Returns
    -------
    pandas.DataFrame
        One row per labelled unit with the columns ``id, source, text,
        label, secondary, note, doc, position``, every one as strings
        except ``position`` (int), then any extra columns. A missing ``id``
        becomes ``row-N`` (N its row number), a missing ``source``,
        ``secondary`` or ``note`` is empty; without ``doc`` each row is its
        own document (``doc`` is its id), and without ``position`` the rows
        of a document are numbered in the order given.

    Raises
    ------
    LabelsError
        Listing every problem at once: a file that is not UTF-8 CSV, a
        missing ``text`` or ``label`` column, an empty text or one that is
        not text, an unknown label, an empty or duplicate id, a ``secondary`` that names an
        unknown form or repeats the primary, an empty ``doc``, a
        ``position`` that is not the next one in its document, or a
        document whose rows are not together.

    Examples
    --------
    >>> labels = load_labels()
    >>> sorted(labels["label"].unique())
    ['development', 'governance', 'none', 'profits', 'use']
    >>> import pandas as pd
    >>> mine = pd.DataFrame({"text": ["A free app for farmers.", "Open weights."],
    ...                      "label": ["use", "development"]})
    >>> load_labels(mine)[["id", "label", "doc", "position"]]
          id        label    doc  position
    0  row-2          use  row-2         1
    1  row-3  development  row-3         1
    >>> load_labels(mine.assign(label=["use", "usage"]))
    Traceback (most recent call last):
    ...
    democlass.labels.LabelsError: the labels DataFrame: row 3, column 'label': unknown label; ...
    """
    if labels is not None and _texts.is_pandas(labels, "DataFrame"):
        return _checked(labels, "the labels DataFrame")
    path = Path(labels) if labels is not None else labels_path()
    return _checked(_read_csv(path), str(path))


def _read_csv(path: Path) -> pd.DataFrame:
    import pandas as pd

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
        raise LabelsError(f"{path}: the file is empty; expected a header with at least text,label")
    header, records = rows[0], rows[1:]
    ragged = [
        f"row {n} has {len(record)} fields but the header has {len(header)}"
        for n, record in enumerate(records, start=2)
        if len(record) != len(header)
    ]
    if ragged:
        raise LabelsError(_message(str(path), ragged))
    return pd.DataFrame(records, columns=header, dtype=str)


def _message(where: str, problems: list[str]) -> str:
    if len(problems) == 1:
        return f"{where}: {problems[0]}"
    # by row, then in the order found
    problems = sorted(problems, key=lambda p: int(p.split(",")[0].split()[1]))
    listed = problems[:MAX_LISTED]
    more = len(problems) - len(listed)
    return (
        f"{where}: {len(problems)} problems\n  "
        + "\n  ".join(listed)
        + (f"\n  ... and {more} more" if more else "")
    )


def _cells(frame: pd.DataFrame, column: str, problems: list[str], *, text: bool) -> list[str]:
    """A column as str; a missing cell is ""; a non-text cell in a text column is a problem."""
    out = []
    for n, value in enumerate(frame[column].tolist(), start=2):
        if isinstance(value, str):
            out.append(value)
        elif _texts.is_missing(value):
            out.append("")
        elif text:
            problems.append(
                f"row {n}, column {column!r}: not text ({type(value).__name__}) (value {value!r})"
            )
            out.append(str(value))
        else:  # a number used as an id, a document name or a position
            out.append(str(value))
    return out


def _checked(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Validate labelled rows, fill the optional columns, and report every problem at once."""
    import pandas as pd

    columns = [str(c) for c in frame.columns]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise LabelsError(
            f"{where}: missing column(s) {', '.join(map(repr, missing))}; the columns are "
            f"{', '.join(map(repr, columns)) or 'none'} (text and label are required; id, "
            "source, secondary, note, doc and position are optional)"
        )
    frame = frame.set_axis(columns, axis=1).reset_index(drop=True)
    problems: list[str] = []
    cells = {
        c: _cells(frame, c, problems, text=c in ("text", "secondary", "note"))
        for c in (*COLUMNS, *DOCUMENT_COLUMNS)
        if c in columns
    }
    n_rows = len(frame)
    if "id" not in cells:
        cells["id"] = [f"row-{n}" for n in range(2, n_rows + 2)]
    for c in ("source", "secondary", "note"):
        cells.setdefault(c, [""] * n_rows)
    problems.extend(_row_problems(cells))
    out = pd.DataFrame({c: pd.Series(cells[c], dtype=object) for c in COLUMNS})
    docs, positions = _documents(cells, problems)
    if problems:
        raise LabelsError(_message(where, problems))
    out["doc"] = pd.Series(docs, dtype=object)
    out["position"] = positions
    extra = [c for c in columns if c not in out.columns]
    return pd.concat([out, frame[extra]], axis=1) if extra else out


def _row_problems(cells: dict[str, list[str]]) -> list[str]:
    problems = []

    def fail(n: int, column: str, value: Any, why: str) -> None:
        problems.append(f"row {n}, column {column!r}: {why} (value {value!r})")

    seen: dict[str, int] = {}
    rows = zip(cells["id"], cells["text"], cells["label"], cells["secondary"], strict=True)
    for n, (rid, text, label, secondary) in enumerate(rows, start=2):
        if not rid.strip():
            fail(n, "id", rid, "empty id")
        elif rid in seen:
            fail(n, "id", rid, f"duplicate id, first used in row {seen[rid]}")
        else:
            seen[rid] = n
        if not text.strip():
            fail(n, "text", text, "empty text")
        if label not in LABELS:
            fail(n, "label", label, f"unknown label; expected one of {', '.join(LABELS)}")
        forms = [f.strip() for f in secondary.split(";")] if secondary.strip() else []
        for form in forms:
            if form not in FORMS:
                fail(
                    n,
                    "secondary",
                    secondary,
                    f"unknown form {form!r}; expected forms from {', '.join(FORMS)}",
                )
            elif form == label:
                fail(n, "secondary", secondary, f"repeats the primary label {label!r}")
        if len(set(forms)) != len(forms):
            fail(n, "secondary", secondary, "names a form twice")
    return problems


def _documents(cells: dict[str, list[str]], problems: list[str]) -> tuple[list[str], list[int]]:
    """Each row's document and position, checking that a document's rows are
    together and numbered 1, 2, 3... (or numbering them when no position is given)."""
    docs = cells.get("doc", cells["id"])
    given = cells.get("position")
    finished: dict[str, int] = {}
    previous: str | None = None
    expected = 1
    positions = []
    for n, doc in enumerate(docs, start=2):
        if "doc" in cells and not doc.strip():
            problems.append(f"row {n}, column 'doc': empty document id (value {doc!r})")
        if doc != previous:
            if doc in finished:
                problems.append(
                    f"row {n}, column 'doc': document {doc!r} continues after other "
                    f"documents (its rows end at row {finished[doc]}); keep a document's rows "
                    "together, in reading order"
                )
            if previous is not None:
                finished[previous] = n - 1
            previous, expected = doc, 1
        if given is not None:
            position = given[n - 2]
            if not position.strip().isdigit() or int(position) != expected:
                problems.append(
                    f"row {n}, column 'position': expected {expected}, the next "
                    f"position in document {doc!r} (value {position!r})"
                )
        positions.append(expected)
        expected += 1
    return docs, positions
