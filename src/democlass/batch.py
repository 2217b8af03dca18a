"""Batch tagging: reading files, folders and tables; document summaries; safe output."""

from __future__ import annotations

import glob
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from democlass.split import split_paragraphs
from democlass.taxonomy import FORMS, LABELS, NONE

if TYPE_CHECKING:
    import pandas as pd

    from democlass.frozen import FrozenModel

__all__ = [
    "Document",
    "InputError",
    "document_summary",
    "read_inputs",
    "tag_documents",
    "write_table",
]

DOCUMENT_SUFFIXES = (".txt", ".md")
TABLE_SUFFIXES = (".csv", ".jsonl", ".parquet")
OUTPUT_FORMATS = ("csv", "jsonl", "parquet")


class InputError(ValueError):
    """A usage problem with the inputs as a whole (nothing matched, no such column)."""


@dataclass
class Document:
    """One text to tag: a file, standard input, or one row of a table."""

    source: str
    text: str
    row: Any = None  # the table row's id, for documents from tables


@dataclass
class Failure:
    source: str
    reason: str


@dataclass
class Inputs:
    documents: list[Document] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def _expand(path: str) -> list[Path] | None:
    """Files a command-line argument names: a file, a folder (recursive), a glob."""
    p = Path(path)
    if p.is_dir():
        return sorted(
            (f for f in p.rglob("*") if f.suffix.lower() in DOCUMENT_SUFFIXES and f.is_file()),
            key=lambda f: f.as_posix(),
        )
    if p.exists() or not any(c in path for c in "*?["):
        return [p]
    matches = sorted(glob.glob(path, recursive=True))
    return [Path(m) for m in matches if Path(m).is_file()] or None


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it to UTF-8, for example with iconv"
        ) from None


def read_inputs(
    paths: Sequence[str],
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    stdin: Any = None,
) -> Inputs:
    """Read every input named on the command line.

    Files that cannot be read or decoded are recorded as failures and
    skipped; problems with the request itself raise :class:`InputError`.
    """
    out = Inputs()
    for arg in paths:
        if arg == "-":
            data = (stdin or sys.stdin.buffer).read()
            try:
                out.documents.append(Document("<stdin>", _decode(data)))
            except ValueError as exc:
                out.failures.append(Failure("<stdin>", str(exc)))
            continue
        files = _expand(arg)
        if files is None:
            raise InputError(f"no files match {arg!r}")
        for file in files:
            if file.suffix.lower() in TABLE_SUFFIXES:
                out.documents.extend(_read_table(file, text_column, id_column))
                continue
            try:
                out.documents.append(Document(str(file), _decode(file.read_bytes())))
            except FileNotFoundError:
                out.failures.append(Failure(str(file), "no such file (or it vanished)"))
            except IsADirectoryError:
                out.failures.append(Failure(str(file), "is a directory"))
            except PermissionError:
                out.failures.append(Failure(str(file), "permission denied"))
            except OSError as exc:
                out.failures.append(Failure(str(file), exc.strerror or str(exc)))
            except ValueError as exc:
                out.failures.append(Failure(str(file), str(exc)))
    return out


def _read_table(path: Path, text_column: str | None, id_column: str | None) -> list[Document]:
    import pandas as pd

    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=object, keep_default_na=False, na_values=[""])
        elif suffix == ".jsonl":
            frame = pd.read_json(path, lines=True, dtype=False)
        else:
            frame = pd.read_parquet(path)
    except ImportError as exc:
        raise InputError(f"{path}: reading {suffix} needs pyarrow: pip install pyarrow") from exc
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the table: {exc}") from exc
    column = text_column or "text"
    for name, wanted in (("text", column), ("id", id_column)):
        if wanted is not None and wanted not in frame.columns:
            raise InputError(
                f"{path}: no {name} column {wanted!r}; the columns are "
                f"{', '.join(map(str, frame.columns))}"
                + ("" if text_column else " (choose one with --text-column)")
            )
    ids = frame[id_column] if id_column else pd.Series(range(1, len(frame) + 1))
    docs = []
    for row_id, value in zip(ids, frame[column], strict=True):
        text = value if isinstance(value, str) else ""
        docs.append(Document(str(path), text, row_id))
    return docs


def _paragraph_rows(doc: Document, split: bool) -> list[dict[str, Any]]:
    if split:
        units = [(p.text, p.start, p.end) for p in split_paragraphs(doc.text)]
    else:
        stripped = doc.text.strip()
        units = [(" ".join(stripped.split()), 0, len(doc.text))] if stripped else []
    return [
        {"source": doc.source, "row": doc.row, "paragraph": n, "start": s, "end": e, "text": t}
        for n, (t, s, e) in enumerate(units, start=1)
    ]


def _tag_chunk(
    docs: Sequence[Document], split: bool, min_confidence: float | None, model: Any
) -> list[dict[str, Any]]:
    """Paragraph rows of some documents, tagged (runs in worker processes too)."""
    from democlass.api import _resolve

    m = _resolve(model)
    rows = [row for doc in docs for row in _paragraph_rows(doc, split)]
    if not rows:
        return rows
    proba = m.predict_proba([r["text"] for r in rows])
    from democlass.api import _labels, _tags

    labels = _labels(m, proba, min_confidence)
    tags = _tags(m, proba, labels)
    for j, row in enumerate(rows):
        p = proba[j]
        row["label"] = labels[j]
        row["confidence"] = float(p.max())
        row["abstained"] = bool(min_confidence is not None and p.max() < min_confidence)
        for k, label in enumerate(m.classes):
            row[f"p_{label}"] = float(p[k])
        row["tags"] = tags[j]
    return rows


def tag_documents(
    docs: Sequence[Document],
    *,
    split: bool = True,
    min_confidence: float | None = None,
    model: FrozenModel | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = 256,
) -> list[dict[str, Any]]:
    """Tag the paragraphs of many documents, in order, optionally in parallel.

    ``progress(documents_done, paragraphs_done)`` is called after each chunk.
    With ``jobs > 1`` chunks go to worker processes (joblib); the rows are
    the same, in the same order, as with one job.
    """
    chunks = [docs[i : i + chunk_size] for i in range(0, len(docs), chunk_size)]
    rows: list[dict[str, Any]] = []
    if jobs == 1:
        results: Any = (_tag_chunk(c, split, min_confidence, model) for c in chunks)
    else:
        from joblib import Parallel, delayed

        # the model goes to each worker once (joblib memory-maps large arrays)
        results = Parallel(n_jobs=jobs, return_as="generator", batch_size=1)(
            delayed(_tag_chunk)(c, split, min_confidence, model) for c in chunks
        )
    for chunk, chunk_rows in zip(chunks, results, strict=True):
        rows.extend(chunk_rows)
        if progress is not None:
            progress(len(chunk), len(chunk_rows))
    return rows


def paragraph_frame(rows: list[dict[str, Any]], model_classes: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    columns = [
        "source",
        "row",
        "paragraph",
        "start",
        "end",
        "label",
        "confidence",
        "abstained",
        *[f"p_{c}" for c in model_classes],
        "tags",
        "text",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    if frame["row"].isna().all():
        frame = frame.drop(columns="row")
    return frame


def document_summary(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """One row per document: paragraph count, share of each label, share of
    each form among paragraphs that are about a form, and the dominant form.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"source": ["a", "a", "a"], "label": ["use", "none", "use"]})
    >>> row = document_summary(p).iloc[0]
    >>> row["paragraphs"], round(row["share_use"], 3), row["form_share_use"], row["dominant"]
    (3, 0.667, 1.0, 'use')
    """
    import pandas as pd

    keys = ["source", "row"] if "row" in paragraphs.columns else ["source"]
    counts = pd.crosstab([paragraphs[k] for k in keys], paragraphs["label"]).reindex(
        columns=list(LABELS), fill_value=0
    )
    total = counts.sum(axis=1)
    forms = counts[list(FORMS)]
    form_total = forms.sum(axis=1)
    out = pd.DataFrame({"paragraphs": total})
    for label in LABELS:
        out[f"share_{label}"] = counts[label] / total
    for form in FORMS:
        out[f"form_share_{form}"] = (forms[form] / form_total.where(form_total > 0)).fillna(0.0)
    out["dominant"] = forms.idxmax(axis=1).where(form_total > 0, NONE)
    out = out.reset_index()
    out.columns.name = None
    order = {s: i for i, s in enumerate(dict.fromkeys(paragraphs["source"]))}
    return out.sort_values("source", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )


def write_table(frame: pd.DataFrame, out: str | None, fmt: str | None, stdout: Any = None) -> None:
    """Write to ``out`` (atomically: a temporary file renamed into place) or stdout."""
    fmt = fmt or (Path(out).suffix.lstrip(".").lower() if out else "csv")
    if fmt not in OUTPUT_FORMATS:
        raise InputError(
            f"unknown output format {fmt!r}; choose one of {', '.join(OUTPUT_FORMATS)}"
        )
    if out is None:
        if fmt == "parquet":
            raise InputError("parquet cannot go to standard output; give -o FILE.parquet")
        stream = stdout or sys.stdout
        _write(frame, stream, fmt)
        return
    target = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    try:
        fh: Any = (
            os.fdopen(fd, "wb")
            if fmt == "parquet"
            else os.fdopen(fd, "w", encoding="utf-8", newline="")
        )
        with fh:
            _write(frame, fh, fmt)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(frame: pd.DataFrame, stream: Any, fmt: str) -> None:
    if fmt == "csv":
        frame.to_csv(stream, index=False)
    elif fmt == "jsonl":
        frame.to_json(stream, orient="records", lines=True, force_ascii=False)
    else:
        try:
            frame.to_parquet(stream, index=False)
        except ImportError as exc:
            raise InputError("writing parquet needs pyarrow: pip install pyarrow") from exc
