"""Checking what callers pass as texts, without importing pandas."""

from __future__ import annotations

import math
from typing import Any


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
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"expected a collection of texts, got a single {type(texts).__name__}")
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
