"""Batch tagging: reading files, folders and tables; document summaries; safe output."""

from __future__ import annotations

import codecs
import glob
import itertools
import json
import os
import re
import stat
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from democlass.split import iter_paragraphs
from democlass.summary import document_shares
from democlass.taxonomy import LABELS

if TYPE_CHECKING:
    import pandas as pd

    from democlass.frozen import FrozenModel

__all__ = [
    "Document",
    "InputError",
    "OutputError",
    "document_summary",
    "read_inputs",
    "standard_output",
    "source_name",
    "source_path",
    "tag_documents",
    "write_table",
]

DOCUMENT_SUFFIXES = (".txt", ".md")
TABLE_SUFFIXES = (".csv", ".jsonl", ".parquet")
OUTPUT_FORMATS = ("csv", "jsonl", "parquet")


class InputError(ValueError):
    """A usage problem with the inputs as a whole (nothing matched, no such column)."""


class OutputError(Exception):
    """The output could not be written: ``usage`` when the path itself is
    wrong (no such folder, not writable), else a fault while writing (disk full)."""

    def __init__(self, message: str, *, usage: bool) -> None:
        super().__init__(message)
        self.usage = usage


class WorkerLost(OutputError):
    """A worker process died mid-run (killed, perhaps for lack of memory): its
    chunk would never come back, so the run stops instead of waiting for it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, usage=False)


def source_name(path: str) -> str:
    """How a file name is written in the output and in messages.

    A name that is valid UTF-8 and holds no backslash is written unchanged.
    Otherwise each byte that is not UTF-8 is written as ``\\xHH`` and each
    backslash as ``\\\\``, so that every name fits a UTF-8 file and
    :func:`source_path` gives the original back.

    Examples
    --------
    >>> source_name("news/a.txt")
    'news/a.txt'
    >>> import os
    >>> name = source_name(os.fsdecode(b"news/caf\\xe9.txt"))
    >>> name
    'news/caf\\\\xe9.txt'
    >>> os.fsencode(source_path(name))
    b'news/caf\\xe9.txt'
    """
    if "\\" not in path:
        try:
            path.encode("utf-8")
            return path
        except UnicodeEncodeError:
            pass
    return os.fsencode(path).replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace")


_ESCAPE = re.compile(r"(\\\\|\\x[0-9a-f]{2})")


def source_path(name: str) -> str:
    """The file name that :func:`source_name` wrote as ``name``, ready for ``open``."""
    if "\\" not in name:
        return name
    raw = bytearray()
    for i, part in enumerate(_ESCAPE.split(name)):
        if i % 2 == 0:
            raw += part.encode("utf-8")
        else:
            raw += b"\\" if part == "\\\\" else bytes([int(part[2:], 16)])
    return os.fsdecode(bytes(raw))


@dataclass
class Document:
    """One text to tag: a file, standard input, or one row of a table."""

    source: str  # as written in the output (see source_name)
    text: str | None  # None: a file, read where it is tagged (in a worker, maybe)
    row: Any = None  # the table row's id, for documents from tables
    path: str | None = None  # where to read a file, when that differs from source


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


def _expand(arg: str) -> tuple[list[Path], list[Failure]]:
    """Files a command-line argument names (a file, a folder searched
    recursively, a glob), and what could not be searched."""
    p = Path(arg)
    if p.is_dir():
        files, failures = _walk(p)
        if not files and not failures:
            raise InputError(f"no .txt or .md files in the folder {source_name(arg)}")
        return files, failures
    if p.exists() or p.is_symlink() or not any(c in arg for c in "*?["):
        return [p], []  # a missing or odd file is reported when it is read
    files = [Path(m) for m in sorted(glob.glob(arg, recursive=True)) if not Path(m).is_dir()]
    if not files:
        raise InputError(f"no files match {source_name(arg)!r}")
    return files, []


def _walk(folder: Path) -> tuple[list[Path], list[Failure]]:
    """The .txt/.md entries under ``folder`` that are not folders. Links,
    FIFOs and the like are kept, so reading them reports what they are."""
    failures: list[Failure] = []

    def unlistable(exc: OSError) -> None:
        where = source_name(str(exc.filename or folder))
        failures.append(Failure(where, f"cannot list the folder: {_reason(exc)}"))

    files = [
        Path(root, name)
        for root, _, names in os.walk(folder, onerror=unlistable)
        for name in names
        if Path(name).suffix.lower() in DOCUMENT_SUFFIXES
    ]
    return sorted(files, key=lambda f: f.as_posix()), failures


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or str(exc)


_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16: it starts with the UTF-16 LE mark
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _decode(data: bytes) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)  # the codec reads the mark and drops it
            except UnicodeDecodeError as exc:
                raise ValueError(
                    f"starts with a {codec} byte-order mark but is not {codec} "
                    f"(at byte offset {exc.start}); convert it to UTF-8, for example with iconv"
                ) from None
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
        files, failures = _expand(arg)
        out.failures.extend(failures)
        for file in files:
            if file.suffix.lower() in TABLE_SUFFIXES:
                docs, failures = _read_table(file, text_column, id_column)
                out.documents.extend(docs)
                out.failures.extend(failures)
            else:
                out.documents.append(Document(source_name(str(file)), None, path=str(file)))
    return out


def _load(doc: Document) -> tuple[str | None, Failure | None]:
    """The text of a document, reading its file if need be, or why it failed."""
    if doc.text is not None:
        return doc.text, None
    path = doc.path or doc.source
    try:
        return _decode(_read_regular_file(path)), None
    except FileNotFoundError:
        if os.path.islink(path):
            reason = "broken symbolic link (its target does not exist)"
        else:
            reason = "no such file (or it vanished)"
    except IsADirectoryError:
        reason = "is a directory"
    except OSError as exc:
        reason = _reason(exc)
    except ValueError as exc:
        reason = str(exc)
    return None, Failure(doc.source, reason)


_FILE_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def _read_regular_file(path: str) -> bytes:
    # non-blocking, so that opening a FIFO returns at once instead of
    # waiting for a writer; the check below then refuses it
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            kind = _FILE_KINDS.get(stat.S_IFMT(mode), "not a regular file")
            raise ValueError(f"not a regular file but {kind}")
        return fh.read()


def _read_table(
    path: Path, text_column: str | None, id_column: str | None
) -> tuple[list[Document], list[Failure]]:
    """One document per row of a table. A row that cannot be read as the
    header says (wrong number of fields, text that is not a string) is a
    failure naming its line; the table's shape is never guessed."""
    suffix = path.suffix.lower()
    name = source_name(str(path))
    try:
        if suffix == ".csv":
            columns, records = _csv_records(path, name)
        elif suffix == ".jsonl":
            columns, records = _jsonl_records(path, name)
        else:
            columns, records = _parquet_records(path)
    except ImportError as exc:
        raise InputError(f"{name}: reading {suffix} needs pyarrow: pip install pyarrow") from exc
    except (OSError, ValueError) as exc:
        reason = _reason(exc) if isinstance(exc, OSError) else str(exc)
        raise InputError(f"{name}: cannot read the table: {reason}") from exc
    column = text_column or "text"
    for what, wanted in (("text", column), ("id", id_column)):
        if wanted is not None and wanted not in columns:
            raise InputError(
                f"{name}: no {what} column {wanted!r}; the columns are "
                f"{', '.join(map(str, columns))}"
                + ("" if text_column else " (choose one with --text-column)")
            )
    docs: list[Document] = []
    failures: list[Failure] = []
    for number, (where, record) in enumerate(records, start=1):
        if isinstance(record, str):  # the reader's reason this record is unusable
            failures.append(Failure(f"{name} {where}", record))
            continue
        value = record.get(column)
        row_id = record.get(id_column) if id_column else number
        if isinstance(value, str):
            docs.append(Document(name, value, row_id))
        elif column not in record:
            failures.append(Failure(f"{name} {where}", f"no {column!r} field"))
        elif value is None and suffix != ".jsonl":
            docs.append(Document(name, "", row_id))  # an empty cell: no paragraphs
        else:
            shown = "null" if value is None else f"{type(value).__name__} {value!r:.40}"
            failures.append(Failure(f"{name} {where}", f"text is {shown}, expected a string"))
    return docs, failures


Record = tuple[str, "dict[str, Any] | str"]  # (where, the row's fields or why it is unusable)


def _csv_records(path: Path, name: str) -> tuple[list[str], list[Record]]:
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        duplicated = sorted({c for c in header if header.count(c) > 1})
        if duplicated:
            raise ValueError(f"column {duplicated[0]!r} appears more than once in the header")
        records: list[Record] = []
        line = reader.line_num
        try:
            for fields in reader:
                where, line = f"line {line + 1}", reader.line_num
                if not fields:
                    continue  # a blank line is not a row
                if len(fields) != len(header):
                    records.append((where, _field_count(fields, header)))
                    continue
                # an empty cell is a missing value, as in pandas
                records.append((where, {c: v or None for c, v in zip(header, fields, strict=True)}))
        except csv.Error as exc:
            raise ValueError(f"line {reader.line_num}: {exc}") from None
    return header, records


def _field_count(fields: list[str], header: list[str]) -> str:
    return (
        f"expected {len(header)} fields ({', '.join(header)}), found {len(fields)}; "
        "a field that holds a comma, quote or line break must be in double quotes"
    )


def _jsonl_records(path: Path, name: str) -> tuple[list[str], list[Record]]:
    columns: dict[str, None] = {}
    records: list[Record] = []
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:
                records.append((f"line {n}", f"not valid JSON ({exc})"))
                continue
            if not isinstance(value, dict):
                records.append((f"line {n}", f"a JSON {type(value).__name__}, expected an object"))
                continue
            columns.update(dict.fromkeys(value))
            records.append((f"line {n}", value))
    return list(columns), records


def _parquet_records(path: Path) -> tuple[list[str], list[Record]]:
    import pandas as pd

    frame = pd.read_parquet(path)
    columns = [str(c) for c in frame.columns]
    if len(set(columns)) != len(columns):
        raise ValueError("a column name appears more than once")
    frame.columns = columns
    frame = frame.astype(object).where(frame.notna(), None)
    rows = frame.to_dict(orient="records")
    return columns, [(f"row {n}", r) for n, r in enumerate(rows, start=1)]


def _paragraph_rows(
    doc: Document, split: bool, text: str | None = None
) -> list[tuple[str, Any, int, int, int, str]]:
    """(source, row, paragraph, start, end, text) of each paragraph of a
    document; ``text``, when given, is the document's text as read by :func:`_load`."""
    return list(_iter_paragraph_rows(doc, split, text))


def _iter_paragraph_rows(
    doc: Document, split: bool, text: str | None = None
) -> Iterator[tuple[str, Any, int, int, int, str]]:
    text = (text if text is not None else doc.text) or ""
    if split:
        units: Iterable[tuple[str, int, int]] = (
            (p.text, p.start, p.end) for p in iter_paragraphs(text)
        )
    else:
        stripped = text.strip()
        units = [(" ".join(stripped.split()), 0, len(text))] if stripped else []
    for n, (t, s, e) in enumerate(units, start=1):
        yield doc.source, doc.row, n, s, e, t


PLACE_COLUMNS = ["source", "row", "paragraph", "start", "end", "text"]

PIECE_PARAGRAPHS = 20_000
"""Paragraphs tagged and written at a time, so a large file streams through."""

# What forked workers inherit from the process that started them: the loaded
# model and the documents, so that tasks carry neither (nothing is pickled).
_FORKED_MODEL: FrozenModel | None = None
_FORKED_DOCS: Sequence[Document] = ()


@dataclass
class Chunk:
    """What one chunk of documents gave: its output, and what went wrong."""

    output: Any  # a DataFrame, or its rendered text
    documents: int
    paragraphs: int
    failures: list[Failure]
    sizes: list[tuple[str, Any, int]] = field(default_factory=list)
    """(source, row, paragraphs) of each document read, in order."""


def _tag_pieces(
    docs: Sequence[Document],
    split: bool,
    min_confidence: float | None,
    model: Any,
    render: Callable[[pd.DataFrame, bool], str] | None,
    first: bool,
    with_text: bool = True,
    context: bool = True,
) -> Iterator[Chunk]:
    """Read, split and tag some documents, yielding a chunk whenever about
    :data:`PIECE_PARAGRAPHS` paragraphs are ready, so memory stays bounded
    however long one document is.

    With ``context``, pieces end between documents, so each paragraph is read
    with its whole document, except in a document longer than
    ``PIECE_PARAGRAPHS`` paragraphs, which is read in windows of that many.
    """
    m = _resolve_model(model)
    rows: list[tuple[str, Any, int, int, int, str]] = []
    numbers: list[int] = []  # each paragraph's document (or window), for context
    failures: list[Failure] = []
    sizes: list[tuple[str, Any, int]] = []

    def piece() -> Chunk:
        return _tagged(
            rows, numbers, failures, sizes, min_confidence, m, render, first, with_text, context
        )

    for number, doc in enumerate(docs):
        text, failure = _load(doc)
        if failure is not None:
            failures.append(failure)
            continue
        count = in_piece = 0
        for row in _iter_paragraph_rows(doc, split, text):
            rows.append(row)
            numbers.append(number)
            count += 1
            in_piece += 1
            if len(rows) >= PIECE_PARAGRAPHS and (not context or in_piece >= PIECE_PARAGRAPHS):
                yield piece()
                rows, numbers, failures, sizes, first, in_piece = [], [], [], [], False, 0
        del text  # the document's text is not needed while the next one is read
        sizes.append((doc.source, doc.row, count))
        if len(rows) >= PIECE_PARAGRAPHS:
            yield piece()
            rows, numbers, failures, sizes, first = [], [], [], [], False
    if rows or failures or sizes or first:
        yield piece()


def _resolve_model(model: Any) -> FrozenModel:
    from democlass.api import _resolve

    return _resolve(model) if model is not None else (_FORKED_MODEL or _resolve(None))


def _tagged(
    rows: list[tuple[str, Any, int, int, int, str]],
    numbers: list[int],
    failures: list[Failure],
    sizes: list[tuple[str, Any, int]],
    min_confidence: float | None,
    model: FrozenModel,
    render: Callable[[pd.DataFrame, bool], str] | None,
    first: bool,
    with_text: bool,
    context: bool,
) -> Chunk:
    import pandas as pd

    from democlass.api import tag

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
        model=model,
    )
    frame = pd.concat([places, tagged], axis=1)
    output = render(frame, first) if render is not None else frame
    return Chunk(output, len(sizes), len(frame), failures, sizes)


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
    """Read, split and tag some documents as one chunk."""
    pieces = list(
        _tag_pieces(docs, split, min_confidence, model, render, first, with_text, context)
    )
    if len(pieces) == 1:
        return pieces[0]
    if render is not None:
        output: Any = "".join(p.output for p in pieces)
    else:
        import pandas as pd

        output = pd.concat([p.output for p in pieces], ignore_index=True)
    return Chunk(
        output,
        sum(p.documents for p in pieces),
        sum(p.paragraphs for p in pieces),
        [f for p in pieces for f in p.failures],
        [s for p in pieces for s in p.sizes],
    )


def _tag_forked(start: int, stop: int, *args: Any) -> Chunk:
    """:func:`_tag_chunk` in a worker, on documents it inherited when forked."""
    return _tag_chunk(_FORKED_DOCS[start:stop], *args)


def _quiet_worker() -> None:
    import signal

    # the parent handles Ctrl-C and stops the workers itself; a worker it
    # terminates dies at once, without a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)


_STOPPING = {2, 15}  # SIGINT and SIGTERM, without importing signal at import time


def _start_pool(jobs: int) -> Any:
    """A pool of forked workers. Ctrl-C and SIGTERM wait while it starts:
    arriving midway they would leave workers running that nothing stops."""
    import multiprocessing
    import signal

    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        return multiprocessing.get_context("fork").Pool(jobs, initializer=_quiet_worker)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


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
) -> Generator[Chunk, None, None]:
    """Read, split and tag many documents, chunk by chunk, in order.

    Each chunk's output is a DataFrame with one row per paragraph (where it
    is: ``source``, ``row``, ``paragraph``, ``start``, ``end``, ``text``; then
    the columns of :func:`democlass.tag`), or ``render(frame, first)`` of it.
    With ``context`` each paragraph is labelled in the context of its
    document (see :func:`_tag_pieces`).
    With ``jobs > 1`` chunks go to forked worker processes, which inherit the
    loaded model and the documents (files and table rows alike), so neither
    is pickled or sent; a few chunks per worker are in flight at a time and
    results come back in order, so the output is the same for any number of
    jobs. Closing the iterator early stops the workers.
    """
    spans = [(i, min(i + chunk_size, len(docs))) for i in range(0, len(docs), chunk_size)]
    spans = spans or [(0, 0)]
    if jobs == 1:
        for n, (start, stop) in enumerate(spans):
            for piece in _tag_pieces(
                docs[start:stop], split, min_confidence, model, render, n == 0, with_text, context
            ):
                yield _report(piece, progress)
        return
    from democlass.api import _resolve

    global _FORKED_MODEL, _FORKED_DOCS
    _FORKED_MODEL, _FORKED_DOCS = _resolve(model), docs
    try:
        with _start_pool(jobs) as pool:
            tasks = (
                (start, stop, split, min_confidence, None, render, n == 0, with_text, context)
                for n, (start, stop) in enumerate(spans)
            )
            waiting = deque(
                pool.apply_async(_tag_forked, t) for t in itertools.islice(tasks, 4 * jobs)
            )
            workers = {w.pid for w in pool._pool}
            while waiting:
                result = _wait(pool, waiting.popleft(), workers)
                for t in itertools.islice(tasks, 1):
                    waiting.append(pool.apply_async(_tag_forked, t))
                yield _report(result, progress)
    finally:
        _FORKED_MODEL, _FORKED_DOCS = None, ()


def _wait(pool: Any, pending: Any, workers: set[int]) -> Chunk:
    """The chunk a task gives. A pool replaces a worker that dies but loses its
    task, so waiting alone could last for ever: a changed set of workers
    means one died, and the run stops."""
    import multiprocessing

    while True:
        try:
            return pending.get(timeout=0.25)
        except multiprocessing.TimeoutError:
            if {w.pid for w in pool._pool} != workers:
                raise WorkerLost(
                    "a worker process died (killed, perhaps for lack of memory); try fewer --jobs"
                ) from None


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


def document_summary(
    paragraphs: pd.DataFrame, documents: Sequence[tuple[str, Any, int]] | None = None
) -> pd.DataFrame:
    """One row per document: paragraph count, share of each label, share of
    each form among paragraphs that are about a form, and the dominant form.

    Parameters
    ----------
    paragraphs : DataFrame
        One row per paragraph, documents one after another: ``source``,
        ``label``, and ``row`` for documents from tables.
    documents : sequence of (source, row, paragraphs), optional
        Every document in order with its number of paragraphs, as in
        ``Chunk.sizes``: documents with no paragraphs get a row too (0
        paragraphs, shares and dominant empty), and documents that share a source and
        row stay apart. Without it, a document is a run of paragraphs with
        the same source and row that starts again where ``paragraph`` is 1.

    Returns
    -------
    DataFrame
        One row per document, in input order.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"source": ["a", "a", "a"], "label": ["use", "none", "use"]})
    >>> document_summary(p)[["source", "paragraphs", "share_use", "form_share_use", "dominant"]]
      source  paragraphs  share_use  form_share_use dominant
    0      a           3   0.666667             1.0      use
    """
    import pandas as pd

    has_rows = "row" in paragraphs.columns
    if documents is None:
        documents = _runs(paragraphs)
    sizes = np.array([n for _, _, n in documents], dtype=np.int64)
    if sizes.sum() != len(paragraphs):
        raise ValueError(f"documents hold {sizes.sum()} paragraphs, the frame {len(paragraphs)}")
    labels = paragraphs["label"].to_numpy(dtype=object)
    if not np.isin(labels, LABELS).all():
        raise ValueError("a label is not one of " + ", ".join(LABELS))
    numbers = np.repeat(np.arange(len(sizes)), sizes)
    out = pd.DataFrame({"source": pd.Series([d[0] for d in documents], dtype=object)})
    if has_rows and any(d[1] is not None for d in documents):
        out["row"] = pd.Series([d[1] for d in documents], dtype=object)
    return pd.concat([out, document_shares(labels, numbers, len(sizes))], axis=1)


def _runs(paragraphs: pd.DataFrame) -> list[tuple[str, Any, int]]:
    """(source, row, paragraphs) of each run of paragraphs of one document."""
    n = len(paragraphs)
    if n == 0:
        return []
    source = paragraphs["source"].to_numpy(dtype=object)
    row = paragraphs["row"].to_numpy(dtype=object) if "row" in paragraphs else np.full(n, None)
    new = np.ones(n, dtype=bool)
    new[1:] = (source[1:] != source[:-1]) | ~_same(row[1:], row[:-1])
    if "paragraph" in paragraphs:
        new |= paragraphs["paragraph"].to_numpy() == 1
    starts = np.flatnonzero(new)
    lengths = np.diff(np.append(starts, n))
    return [(source[i], row[i], int(k)) for i, k in zip(starts, lengths, strict=True)]


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise equality where two missing ids count as the same."""
    from democlass._texts import is_missing

    return np.array(
        [x == y or (is_missing(x) and is_missing(y)) for x, y in zip(a, b, strict=True)],
        dtype=bool,
    )


@contextmanager
def atomic_output(out: str | Path, binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write ``out`` through: a temporary file in the same folder,
    renamed into place only when the block finishes without error, so an
    interrupted run never leaves a truncated or half-overwritten file.

    The file gets the mode of the file it replaces, or for a new file the
    usual mode under the umask. A path that cannot be written (no such
    folder, not writable, a folder) raises :class:`OutputError` with
    ``usage`` set; a fault while writing (disk full) raises it without, and
    leaves any previous file as it was.
    """
    target = Path(out)
    name = source_name(str(out))
    check_output(out)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {name}: {_reason(exc)}", usage=True) from None
    try:
        os.fchmod(fd, _mode_for(target))
        fh: Any = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        )
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        kept = "the previous file is unchanged" if target.exists() else "nothing was written"
        raise OutputError(f"cannot write {name}: {_reason(exc)}; {kept}", usage=False) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def standard_output() -> Iterator[IO[Any]]:
    """Standard output to write through: a write error becomes
    :class:`OutputError` (a reader that went away stays ``BrokenPipeError``)."""
    check_output(None)
    try:
        yield sys.stdout
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write to standard output: {_reason(exc)}", usage=False) from None


def check_output(out: str | Path | None) -> None:
    """Raise :class:`OutputError` (``usage``) if ``out`` (None: standard
    output) cannot be written; called before any work is done."""
    if out is None:
        if sys.stdout is None or getattr(sys.stdout, "closed", False):
            raise OutputError("standard output is closed; give -o FILE", usage=True)
        return
    target = Path(out)
    name = source_name(str(out))
    parent = target.parent
    if target.is_dir():
        reason = "it is a folder"
    elif not parent.exists():
        reason = f"no such folder {source_name(str(parent))}"
    elif not parent.is_dir():
        reason = f"{source_name(str(parent))} is not a folder"
    elif not os.access(parent, os.W_OK | os.X_OK):
        reason = f"permission denied in the folder {source_name(str(parent))}"
    else:
        return
    raise OutputError(f"cannot write {name}: {reason}", usage=True)


def _mode_for(target: Path) -> int:
    """An existing file's permissions, or those a new file gets under the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


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
    if stdout is not None:
        _write(frame, stdout, fmt)
        return
    if out is None:
        with standard_output() as fh:
            _write(frame, fh, fmt)
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
