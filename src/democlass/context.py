"""How a unit's document enters its label: the document block of features.

In a real article a form is carried by many units that read as ``none`` on
their own (a headline, an example, a quotation, a list item); only their
document says which form they serve (codebook rule 15). The model therefore
scores each unit on two blocks of TF-IDF features over one vocabulary: the
unit's own terms, and the terms of its whole document (the sum of its units'
term counts, weighted and normalised like a unit). Both blocks are linear, so
the document's part of the score is computed once per document and added to
each of its units.

A text given without a document is its own document: both blocks then hold
the same vector, which is what the model saw for isolated training rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["document_index"]


def document_index(documents: Sequence[Any]) -> np.ndarray:
    """Number each row's document 0, 1, 2... in order of first appearance.

    Rows of one document must be consecutive (in reading order): a key that
    comes back after another document began is an error, since its units
    would otherwise be read as two documents.

    Parameters
    ----------
    documents : sequence
        One hashable key per row (a document id, a file name).

    Returns
    -------
    ndarray of int64
        The document number of each row.

    Raises
    ------
    ValueError
        If a document's rows are not consecutive, naming the key and rows.

    Examples
    --------
    >>> document_index(["a", "a", "b", "c", "c"]).tolist()
    [0, 0, 1, 2, 2]
    """
    keys = list(documents)
    out = np.empty(len(keys), dtype=np.int64)
    seen: dict[Any, int] = {}
    current = -1
    for i, key in enumerate(keys):
        if i == 0 or key != keys[i - 1]:
            if key in seen:
                raise ValueError(
                    f"the rows of document {key!r} are not consecutive: it has rows up to "
                    f"position {seen[key]} and again at position {i}; sort the rows by "
                    "document, keeping each document's units in reading order"
                )
            current += 1
        seen[key] = i
        out[i] = current
    return out
