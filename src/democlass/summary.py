"""Per-document shares of each label: what ``--level document`` prints."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from democlass.taxonomy import FORMS, LABELS, NONE

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SHARE_COLUMNS", "document_shares"]

SHARE_COLUMNS: list[str] = [
    "paragraphs",
    *(f"share_{label}" for label in LABELS),
    *(f"form_share_{form}" for form in FORMS),
    "dominant",
]
"""The columns of a document summary, after the document's own id columns."""


def document_shares(labels: np.ndarray, documents: np.ndarray, n_documents: int) -> pd.DataFrame:
    """Paragraph count, share of each label, share of each form among the
    paragraphs about a form, and the dominant form, for documents numbered
    ``0 .. n_documents - 1``.

    Parameters
    ----------
    labels : array of str
        The label of each paragraph (missing labels are not counted).
    documents : array of int
        The document number of each paragraph.
    n_documents : int
        How many documents there are; a document with no paragraph gets a row
        with 0 paragraphs and missing shares, so results join back by position.

    Returns
    -------
    pandas.DataFrame
        One row per document, in document order, columns :data:`SHARE_COLUMNS`.

    Examples
    --------
    >>> import numpy as np
    >>> out = document_shares(np.array(["use", "none", "use"]), np.array([0, 0, 0]), 2)
    >>> out[["paragraphs", "share_use", "form_share_use", "dominant"]]
       paragraphs  share_use  form_share_use dominant
    0           3   0.666667             1.0      use
    1           0        NaN             NaN     None
    """
    import pandas as pd

    labels = np.asarray(labels, dtype=object)
    documents = np.asarray(documents, dtype=np.int64)
    known = np.isin(labels, LABELS)
    counts = np.zeros((n_documents, len(LABELS)), dtype=np.int64)
    codes = np.array([LABELS.index(x) for x in labels[known]], dtype=np.int64)
    np.add.at(counts, (documents[known], codes), 1)
    total = counts.sum(axis=1)
    forms = counts[:, : len(FORMS)]
    form_total = forms.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = counts / np.where(total > 0, total, np.nan)[:, None]
        form_shares = np.where(
            form_total[:, None] > 0, forms / np.maximum(form_total, 1)[:, None], 0.0
        )
    form_shares[total == 0] = np.nan
    dominant = np.asarray(FORMS, dtype=object)[forms.argmax(axis=1)]
    dominant[form_total == 0] = NONE
    out = pd.DataFrame({"paragraphs": total})
    for j, label in enumerate(LABELS):
        out[f"share_{label}"] = shares[:, j]
    for j, form in enumerate(FORMS):
        out[f"form_share_{form}"] = form_shares[:, j]
    out["dominant"] = pd.Series(dominant, dtype=object).where(total > 0, None)
    return out
