"""Checking what callers pass as texts, without importing pandas."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Set
from typing import Any

EXPECTED = "a str, or a list, tuple, 1-D numpy array or pandas Series of str"


def is_pandas(obj: Any, kind: str) -> bool:
    """True if ``obj`` is a pandas object of class ``kind``; never imports pandas."""
    cls = type(obj)
    return cls.__module__.startswith("pandas") and cls.__name__ == kind


def is_missing(value: Any) -> bool:
    """None, NaN, pandas.NA or NaT."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def collect(texts: Any, *, allow_missing: bool = False) -> tuple[list[str], list[int]]:
    """The texts as a list of str, and the positions of missing ones.

    Missing entries (None, NaN) are replaced by "" and reported when
    ``allow_missing``; otherwise, like any entry that is not a str, they raise
    ``TypeError`` naming the position (and the index label of a Series).
    """
    _check_collection(texts)
    labels = list(texts.index) if is_pandas(texts, "Series") else None
    values = list(texts.tolist() if hasattr(texts, "tolist") else texts)
    out: list[str] = []
    missing: list[int] = []
    for pos, value in enumerate(values):
        if isinstance(value, str):
            out.append(value)
        elif allow_missing and is_missing(value):
            out.append("")
            missing.append(pos)
        else:
            where = f"position {pos}" + (f" (index {labels[pos]!r})" if labels is not None else "")
            shown = repr(value)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise TypeError(f"text at {where} is {type(value).__name__} {shown}, expected str")
    return out, missing


def _check_collection(texts: Any) -> None:
    """Refuse what is not a 1-D collection of texts, or would be read wrongly as one."""
    name = type(texts).__name__
    if isinstance(texts, str):
        raise TypeError(f"expected a collection of texts, got a single {name}")
    if isinstance(texts, (bytes, bytearray)):
        raise TypeError(f"expected {EXPECTED}, got {name}: decode it first, e.g. data.decode()")
    if is_pandas(texts, "DataFrame"):
        raise TypeError(
            f"expected {EXPECTED}, got a DataFrame: pass its text column, e.g. frame['text'] "
            "(tag also takes the frame itself, with text_column=)"
        )
    if isinstance(texts, Mapping):
        raise TypeError(
            f"expected {EXPECTED}, got a {name}, whose keys would be read as the texts: "
            "pass list(d.values()), or pandas.Series(d) to keep the keys as the index"
        )
    if isinstance(texts, Set):
        raise TypeError(
            f"expected {EXPECTED}, got a {name}, which has no order to match results "
            "to texts: pass a list"
        )
    ndim = getattr(texts, "ndim", 1)
    if ndim == 0:
        raise TypeError(
            f"expected {EXPECTED}, got a 0-d array: for one text pass str(a.item()), "
            "for many a 1-D array"
        )
    if ndim != 1:
        raise TypeError(f"expected {EXPECTED}, got a {ndim}-D array: pass a 1-D array or a list")
    if not isinstance(texts, Iterable):
        shown = repr(texts)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise TypeError(f"expected {EXPECTED}, got {name} {shown}")
