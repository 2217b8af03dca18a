"""Tagging on Dask, for corpora beyond one machine (``pip install "democlass[dask]"``).

The model goes into the task graph once, as its own key, so a cluster ships
it to each worker once, not with every partition.

Examples
--------
>>> from distributed import Client                      # doctest: +SKIP
>>> import democlass.dask as dd_tag                     # doctest: +SKIP
>>> client = Client("scheduler-address:8786")           # doctest: +SKIP
>>> paragraphs = dd_tag.read_text_folder("corpus/")     # doctest: +SKIP
>>> tagged = dd_tag.tag(paragraphs, text_column="text") # doctest: +SKIP
>>> tagged.groupby("label").size().compute()            # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    import dask
    import dask.dataframe as dd
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError('democlass.dask needs Dask: pip install "democlass[dask]"') from exc

import pandas as pd

from democlass import api
from democlass.batch import Document, _load, _paragraph_rows

if TYPE_CHECKING:
    from democlass.frozen import FrozenModel

__all__ = ["read_text_folder", "tag"]

PARAGRAPH_COLUMNS = ["source", "paragraph", "start", "end", "text"]


def _tag_partition(
    texts: pd.Series, model: FrozenModel, min_confidence: float | None
) -> pd.DataFrame:
    return api.tag(texts, min_confidence=min_confidence, model=model)


def tag(
    ddf: dd.DataFrame | dd.Series,
    text_column: str | None = None,
    *,
    min_confidence: float | None = None,
    model: Any = None,
) -> dd.DataFrame:
    """Tag a Dask DataFrame (or Series) of texts, partition by partition.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame or Series
        The texts; for a DataFrame, the column named by ``text_column``
        (default ``"text"``).
    text_column : str, optional
    min_confidence : float, optional
        As in :func:`democlass.tag`.
    model : FrozenModel or DemoClassifier, optional
        Defaults to the built-in model.

    Returns
    -------
    dask.dataframe.DataFrame
        The same columns, dtypes and index as :func:`democlass.tag` gives
        for the same texts in pandas; lazy until computed.
    """
    # checked here, when the graph is built, not in a task at compute time
    api._check_confidence(min_confidence)
    if isinstance(ddf, dd.DataFrame):
        column = text_column or "text"
        if column not in ddf.columns:
            raise KeyError(
                f"no column {column!r} in the DataFrame; its columns are "
                f"{', '.join(map(str, ddf.columns))}"
            )
        texts = ddf[column]
    elif isinstance(ddf, dd.Series):
        if text_column is not None:
            raise ValueError("text_column is only for a DataFrame")
        texts = ddf
    else:
        raise TypeError(
            f"expected a dask DataFrame or Series, got {type(ddf).__name__}; "
            "for pandas or lists use democlass.tag"
        )
    frozen = api._resolve(model)
    meta = api.tag(pd.Series(["meta"], dtype=object), model=frozen).iloc[:0]
    # one key in the graph for the model: a cluster sends it to each worker once
    shared = dask.delayed(frozen, pure=True, traverse=False)
    return texts.map_partitions(_tag_partition, shared, min_confidence, meta=meta)


def _read_files(paths: list[str]) -> pd.DataFrame:
    rows = []
    for path in paths:
        doc = Document(path, None)
        text, failure = _load(doc)
        if failure is not None:
            continue  # unreadable files are skipped, as `democlass tag` skips them
        for source, _, n, start, end, para in _paragraph_rows(doc, True, text):
            rows.append((source, n, start, end, para))
    return pd.DataFrame(rows, columns=PARAGRAPH_COLUMNS).astype(
        {"source": object, "paragraph": "int64", "start": "int64", "end": "int64", "text": object}
    )


def read_text_folder(
    folder: str | Path, pattern: str = "**/*", files_per_partition: int = 200
) -> dd.DataFrame:
    """A Dask DataFrame of the paragraphs of every ``.txt`` and ``.md`` file in a folder.

    Files are read in sorted order, ``files_per_partition`` to a partition,
    and split with :func:`democlass.split_paragraphs`. Columns: ``source``,
    ``paragraph``, ``start``, ``end``, ``text``. Files that cannot be read or
    decoded as UTF-8 are skipped.
    """
    if isinstance(files_per_partition, bool) or not isinstance(files_per_partition, int):
        raise TypeError(
            f"files_per_partition must be a whole number, not {type(files_per_partition).__name__}"
        )
    if files_per_partition < 1:
        raise ValueError(f"files_per_partition must be 1 or more, got {files_per_partition}")
    root = Path(folder)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a folder")
    paths = sorted(
        str(p) for p in root.glob(pattern) if p.is_file() and p.suffix.lower() in (".txt", ".md")
    )
    if not paths:
        raise FileNotFoundError(f"no .txt or .md files under {root}")
    chunks = [paths[i : i + files_per_partition] for i in range(0, len(paths), files_per_partition)]
    meta = _read_files([])
    parts = [dask.delayed(_read_files)(chunk) for chunk in chunks]
    return dd.from_delayed(parts, meta=meta, verify_meta=False)
