"""Batch tagging: reading files, folders and tables; document summaries; safe output."""

from __future__ import annotations

import glob
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

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
    text: str | None  # None: a file, read where it is tagged (in a worker, maybe)
    row: Any = None  # the table row's id, for documents from tables


@dataclass
class Failure:
    source: str
    reason: str

    def __str__(self) -> str:
        return f"democlass: skipped {self.source}: {self.reason}"


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
            else:
                out.documents.append(Document(str(file), None))
    return out


def _load(doc: Document) -> tuple[str | None, Failure | None]:
    """The text of a document, reading its file if need be, or why it failed."""
    if doc.text is not None:
        return doc.text, None
    try:
        return _decode(Path(doc.source).read_bytes()), None
    except FileNotFoundError:
        reason = "no such file (or it vanished)"
    except IsADirectoryError:
        reason = "is a directory"
    except PermissionError:
        reason = "permission denied"
    except OSError as exc:
        reason = exc.strerror or str(exc)
    except ValueError as exc:
        reason = str(exc)
    return None, Failure(doc.source, reason)


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


def _paragraph_rows(
    doc: Document, split: bool, text: str | None = None
) -> list[tuple[str, Any, int, int, int, str]]:
    """(source, row, paragraph, start, end, text) of each paragraph of a
    document; ``text``, when given, is the document's text as read by :func:`_load`."""
    text = (text if text is not None else doc.text) or ""
    if split:
        units = [(p.text, p.start, p.end) for p in split_paragraphs(text)]
    else:
        stripped = text.strip()
        units = [(" ".join(stripped.split()), 0, len(text))] if stripped else []
    return [(doc.source, doc.row, n, s, e, t) for n, (t, s, e) in enumerate(units, start=1)]


PLACE_COLUMNS = ["source", "row", "paragraph", "start", "end", "text"]


# The model a forked worker inherits from the process that started it.
_FORKED_MODEL: FrozenModel | None = None


@dataclass
class Chunk:
    """What one chunk of documents gave: its output, and what went wrong."""

    output: Any  # a DataFrame, or its rendered text
    documents: int
    paragraphs: int
    failures: list[Failure]


def _tag_chunk(
    docs: Sequence[Document],
    split: bool,
    min_confidence: float | None,
    model: Any,
    render: Callable[[pd.DataFrame, bool], str] | None,
    first: bool,
    with_text: bool = True,
    context: bool = True,
) -> Chunk:
    """Read, split and tag some documents (runs in worker processes too)."""
    import pandas as pd

    from democlass.api import _resolve, tag

    m = _resolve(model) if model is not None else (_FORKED_MODEL or _resolve(None))
    rows: list[tuple[str, Any, int, int, int, str]] = []
    numbers: list[int] = []  # each paragraph's document, for reading it in context
    failures = []
    for number, doc in enumerate(docs):
        text, failure = _load(doc)
        if failure is not None:
            failures.append(failure)
            continue
        found = _paragraph_rows(doc, split, text)
        rows.extend(found)
        numbers.extend([number] * len(found))
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(PLACE_COLUMNS)
    texts = list(columns[5])
    places = pd.DataFrame(
        {
            "source": pd.Series(columns[0], dtype=object),
            "row": pd.Series(columns[1], dtype=object),
            "paragraph": np.asarray(columns[2], dtype=np.int64),
            "start": np.asarray(columns[3], dtype=np.int64),
            "end": np.asarray(columns[4], dtype=np.int64),
        }
    )
    if with_text:
        places["text"] = pd.Series(texts, dtype=object)
    units = pd.DataFrame({"text": pd.Series(texts, dtype=object), "doc": numbers})
    tagged = tag(
        units,
        text_column="text",
        document_column="doc" if context else None,
        min_confidence=min_confidence,
        model=m,
    )
    frame = pd.concat([places, tagged], axis=1)
    output = render(frame, first) if render is not None else frame
    return Chunk(output, len(docs) - len(failures), len(frame), failures)


def tag_documents(
    docs: Sequence[Document],
    *,
    split: bool = True,
    min_confidence: float | None = None,
    model: FrozenModel | None = None,
    jobs: int = 1,
    render: Callable[[pd.DataFrame, bool], str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = 250,
    with_text: bool = True,
    context: bool = True,
) -> Iterator[Chunk]:
    """Read, split and tag many documents, chunk by chunk, in order.

    Each chunk's output is a DataFrame with one row per paragraph (where it
    is: ``source``, ``row``, ``paragraph``, ``start``, ``end``, ``text``; then
    the columns of :func:`democlass.tag`), or ``render(frame, first)`` of it.
    With ``context`` each paragraph is labelled in the context of its
    document (a document never spans two chunks).
    With ``jobs > 1`` chunks go to forked worker processes (joblib's
    multiprocessing backend), which inherit the loaded model, so it is never
    pickled or sent; the chunks and their order are the same for any number
    of jobs.
    """
    chunks = [docs[i : i + chunk_size] for i in range(0, len(docs), chunk_size)] or [[]]
    # forked workers inherit the loaded model (below), so their tasks carry none
    carried = model if jobs == 1 else None
    args = [
        (c, split, min_confidence, carried, render, i == 0, with_text, context)
        for i, c in enumerate(chunks)
    ]
    if jobs == 1:
        for a in args:
            yield _report(_tag_chunk(*a), progress)
        return
    from joblib import Parallel, delayed

    from democlass.api import _resolve

    global _FORKED_MODEL
    _FORKED_MODEL = _resolve(model)
    group = 10 * jobs  # chunks handed out per round: results stream, order is kept
    try:
        with Parallel(n_jobs=jobs, backend="multiprocessing", batch_size=1) as parallel:
            for start in range(0, len(args), group):
                tasks = (delayed(_tag_chunk)(*a) for a in args[start : start + group])
                for result in parallel(tasks):
                    yield _report(result, progress)
    finally:
        _FORKED_MODEL = None


def _report(chunk: Chunk, progress: Callable[[int, int], None] | None) -> Chunk:
    if progress is not None:
        progress(chunk.documents + len(chunk.failures), chunk.paragraphs)
    return chunk


FLOAT_DECIMALS = 6
"""Floats in CSV and JSON Lines output are rounded to this many decimals (Parquet keeps all)."""


def output_columns(frame: pd.DataFrame, *, text: bool, rows: bool) -> pd.DataFrame:
    """The paragraph-level output columns: ``row`` only when tables were
    read, the paragraph text only when asked for (offsets locate it)."""
    drop = ([] if text else ["text"]) + ([] if rows else ["row"])
    return frame.drop(columns=[c for c in drop if c in frame.columns])


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    # six decimals is ample for a probability, and formatting fewer digits is faster
    return frame.round(FLOAT_DECIMALS)


def render_csv(frame: pd.DataFrame, first: bool, *, text: bool, rows: bool) -> str:
    return _rounded(output_columns(frame, text=text, rows=rows)).to_csv(index=False, header=first)


def render_jsonl(frame: pd.DataFrame, first: bool, *, text: bool, rows: bool) -> str:
    if frame.empty:
        return ""
    out = _rounded(output_columns(frame, text=text, rows=rows)).to_json(
        orient="records", lines=True, force_ascii=False
    )
    return out if out.endswith("\n") else out + "\n"


def document_summary(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """One row per document: paragraph count, share of each label, share of
    each form among paragraphs that are about a form, and the dominant form.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"source": ["a", "a", "a"], "label": ["use", "none", "use"]})
    >>> document_summary(p)[["source", "paragraphs", "share_use", "form_share_use", "dominant"]]
      source  paragraphs  share_use  form_share_use dominant
    0      a           3   0.666667             1.0      use
    """
    import pandas as pd

    tables = "row" in paragraphs.columns and paragraphs["row"].notna().any()
    keys = ["source", "row"] if tables else ["source"]
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


@contextmanager
def atomic_output(out: str | Path, binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write ``out`` through: a temporary file in the same folder,
    renamed into place only when the block finishes without error, so an
    interrupted run never leaves a truncated or half-overwritten file."""
    target = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        fh: Any = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        )
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def output_format(out: str | None, fmt: str | None) -> str:
    fmt = fmt or (Path(out).suffix.lstrip(".").lower() if out else "csv")
    if fmt not in OUTPUT_FORMATS:
        raise InputError(
            f"unknown output format {fmt!r}; choose one of {', '.join(OUTPUT_FORMATS)}"
        )
    if out is None and fmt == "parquet":
        raise InputError("parquet cannot go to standard output; give -o FILE.parquet")
    return fmt


def write_table(frame: pd.DataFrame, out: str | None, fmt: str | None, stdout: Any = None) -> None:
    """Write to ``out`` (atomically) or to standard output."""
    fmt = output_format(out, fmt)
    if out is None:
        _write(frame, stdout or sys.stdout, fmt)
        return
    with atomic_output(out, binary=fmt == "parquet") as fh:
        _write(frame, fh, fmt)


def _write(frame: pd.DataFrame, stream: Any, fmt: str) -> None:
    if fmt == "csv":
        _rounded(frame).to_csv(stream, index=False)
    elif fmt == "jsonl":
        _rounded(frame).to_json(stream, orient="records", lines=True, force_ascii=False)
    else:
        try:
            frame.to_parquet(stream, index=False)
        except ImportError as exc:
            raise InputError("writing parquet needs pyarrow: pip install pyarrow") from exc
