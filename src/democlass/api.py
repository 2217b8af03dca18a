"""The module-level API: predict, tag and explain with the built-in model (or yours).

Predicting imports numpy only; pandas is imported where a DataFrame is
returned, and scikit-learn only to train.
"""

from __future__ import annotations

import math
import numbers
import operator
import warnings
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from democlass import _texts
from democlass.frozen import FrozenModel
from democlass.taxonomy import FORMS, NONE
from democlass.training import labels_digest as labels_digest
from democlass.training import train

if TYPE_CHECKING:
    import pandas as pd

    from democlass.estimator import DemoClassifier

__all__ = [
    "explain",
    "load",
    "predict",
    "predict_proba",
    "save",
    "tag",
    "tag_documents",
    "train",
]

# Any: a str, any iterable of str, or a pandas Series (pandas is not imported here)
Texts = Any
ModelLike = Union[FrozenModel, "DemoClassifier", None]


def builtin_model_path() -> Path:
    """Where the built-in model file lives inside the installed package."""
    return Path(str(resources.files("democlass") / "_model" / "model.npz"))


@lru_cache(maxsize=1)
def _builtin() -> FrozenModel:
    return FrozenModel.load(builtin_model_path())


def _resolve(model: ModelLike) -> FrozenModel:
    if model is None:
        return _builtin()
    if isinstance(model, FrozenModel):
        return model
    if hasattr(model, "freeze"):
        return model.freeze()
    hint = (
        "; load a model file first with democlass.load(path)"
        if isinstance(model, (str, Path))
        else ""
    )
    raise TypeError(
        f"model must be a FrozenModel, a fitted DemoClassifier or None, not "
        f"{type(model).__name__}{hint}"
    )


def _check_confidence(min_confidence: float | None) -> None:
    """Refuse a min_confidence that is not None or a number from 0 to 1."""
    if min_confidence is None:
        return
    if not isinstance(min_confidence, numbers.Real) or isinstance(min_confidence, bool):
        raise TypeError(
            "min_confidence must be None or a number from 0 to 1, not "
            f"{type(min_confidence).__name__} {min_confidence!r}"
        )
    if not 0.0 <= min_confidence <= 1.0:  # False for NaN too
        raise ValueError(f"min_confidence must be between 0 and 1, got {min_confidence}")


def predict(texts: Texts, *, min_confidence: float | None = None, model: ModelLike = None) -> Any:
    """The label of each text.

    Parameters
    ----------
    texts : str, list of str or pandas.Series
        One text or many.
    min_confidence : float, optional
        Texts whose most probable label has a lower probability are labelled
        ``none`` (abstention); :func:`tag` marks them in ``abstained``.
    model : FrozenModel or DemoClassifier, optional
        Defaults to the built-in model.

    Returns
    -------
    str, ndarray of str, or pandas.Series
        A str for a str; a Series with the same index for a Series; else an array.

    Raises
    ------
    TypeError
        If an item is not a str (None, NaN, a number, bytes), naming its
        position; or if ``texts`` is not one str or a 1-D collection of them
        (a DataFrame: pass its text column; a dict, a set, a 0-d array).

    Examples
    --------
    >>> predict("The model weights are free to download and fine-tune.")
    'development'
    >>> list(predict(["A citizens' jury will decide on face recognition.", ""]))
    ['governance', 'none']
    """
    _check_confidence(min_confidence)
    m = _resolve(model)
    if isinstance(texts, str):
        return str(_labels(m, m.predict_proba([texts]), min_confidence)[0])
    items, _ = _texts.collect(texts)
    labels = _labels(m, m.predict_proba(items), min_confidence)
    if _texts.is_pandas(texts, "Series"):
        import pandas as pd

        return pd.Series(labels, index=texts.index, name="label")
    return labels


def _labels(m: FrozenModel, proba: np.ndarray, min_confidence: float | None) -> np.ndarray:
    labels = (
        np.asarray(m.classes, dtype=object)[proba.argmax(axis=1)]
        if len(proba)
        else (np.empty(0, dtype=object))
    )
    if min_confidence is not None and len(proba):
        labels[proba.max(axis=1) < min_confidence] = NONE
    return labels


def predict_proba(texts: Texts, *, model: ModelLike = None) -> pd.DataFrame | pd.Series:
    """Probability of each label for each text.

    Returns
    -------
    pandas.DataFrame or pandas.Series
        One column per label, rows indexed like ``texts`` (a Series for a str).

    Examples
    --------
    >>> p = predict_proba(["Profits above the cap go to a citizens' dividend."])
    >>> list(p.columns)
    ['use', 'development', 'profits', 'governance', 'none']
    >>> p.idxmax(axis=1).iloc[0]
    'profits'
    """
    import pandas as pd

    m = _resolve(model)
    if isinstance(texts, str):
        return pd.Series(m.predict_proba([texts])[0], index=list(m.classes), name="probability")
    items, _ = _texts.collect(texts)
    index = texts.index if _texts.is_pandas(texts, "Series") else None
    return pd.DataFrame(m.predict_proba(items), columns=list(m.classes), index=index)


def tag(
    texts: Texts | pd.DataFrame,
    text_column: str | None = None,
    *,
    document_column: str | None = None,
    min_confidence: float | None = None,
    model: ModelLike = None,
) -> pd.DataFrame | pd.Series:
    """Tag texts: label, confidence, a probability per label, and every form present.

    Parameters
    ----------
    texts : str, list of str, pandas.Series or pandas.DataFrame
        The texts; for a DataFrame, the column named by ``text_column``
        (default: a column called ``text``, or the only string column).
    text_column : str, optional
        Column of a DataFrame that holds the texts.
    document_column : str, optional
        Column of a DataFrame naming each row's document. The rows of a
        document must be consecutive and in reading order; each is then
        labelled in the context of its document, as an analyst reads it
        (codebook rule 15). Without it, each text is read alone.
    min_confidence : float, optional
        Below this probability the label becomes ``none`` and ``abstained``
        is True.
    model : FrozenModel or DemoClassifier, optional
        Defaults to the built-in model.

    Returns
    -------
    pandas.DataFrame or pandas.Series
        Indexed like the input (a Series for a str), with columns ``label``,
        ``confidence``, ``abstained``, ``p_<label>`` for each label, and
        ``tags``: the forms whose probability reaches the model's threshold
        for that form, plus the label if it is a form, most probable first,
        joined by ``;``. A missing text (None or NaN in a Series or frame)
        gives a row of missing values rather than an error. The dtypes never
        depend on the rows: ``label`` and ``tags`` are object, ``abstained``
        is pandas' nullable ``boolean``, the rest float64.

    Raises
    ------
    TypeError
        As :func:`predict` does for what is not text.
    ValueError
        If a DataFrame's text column is ambiguous (not named, or named twice).

    Examples
    --------
    >>> out = tag(["Citizens will vote on whether the city may use face recognition.",
    ...            "The model weights are free to download and fine-tune."])
    >>> list(out["label"])
    ['governance', 'development']
    >>> list(out.columns)[:3]
    ['label', 'confidence', 'abstained']

    In context, a unit that says nothing about a form alone takes its
    document's form:

    >>> import pandas as pd
    >>> article = pd.DataFrame({"doc": "a", "text": [
    ...     "Who decides on face recognition?",
    ...     "They met on six Saturdays.",
    ...     "It will advise the council before the vote in March."]})
    >>> list(tag(article)["label"])
    ['governance', 'none', 'governance']
    >>> list(tag(article, document_column="doc")["label"])
    ['governance', 'governance', 'governance']
    """
    import pandas as pd

    _check_confidence(min_confidence)
    m = _resolve(model)
    if isinstance(texts, str):
        return tag([texts], min_confidence=min_confidence, model=m).iloc[0].rename(None)
    documents = None
    if _texts.is_pandas(texts, "DataFrame"):
        if document_column is not None:
            if document_column not in texts.columns:
                raise KeyError(
                    f"no column {document_column!r} in the DataFrame; its columns are "
                    f"{', '.join(map(str, texts.columns))}"
                )
            documents = texts[document_column].tolist()
        texts = texts[_text_column(texts, text_column)]
    elif text_column is not None or document_column is not None:
        raise ValueError("text_column and document_column are only for a DataFrame")
    is_series = _texts.is_pandas(texts, "Series")
    items, missing = _texts.collect(texts, allow_missing=is_series)
    _warn_if_long(items)
    proba = m.predict_proba(items, documents)
    labels = _labels(m, proba, min_confidence)
    tags = np.empty(len(items), dtype=object)
    tags[:] = _tags(m, proba, labels)
    confidence = proba.max(axis=1) if len(proba) else np.empty(0)
    abstained = (
        confidence < min_confidence if min_confidence is not None else np.zeros(len(items), bool)
    )
    # by position: index labels may repeat, and a missing row must not blank its twins
    absent = np.zeros(len(items), dtype=bool)
    absent[missing] = True
    labels[absent] = None
    tags[absent] = None
    proba[absent] = np.nan
    confidence[absent] = np.nan
    index = texts.index if is_series else pd.RangeIndex(len(items))
    # fixed dtypes, whatever the rows: empty, complete or with missing texts
    columns: dict[str, Any] = {
        "label": pd.Series(labels, index=index, dtype=object),
        "confidence": pd.Series(confidence, index=index, dtype=np.float64),
        "abstained": pd.Series(pd.arrays.BooleanArray(abstained, absent), index=index),
    }
    for j, label in enumerate(m.classes):
        columns[f"p_{label}"] = pd.Series(proba[:, j], index=index, dtype=np.float64)
    columns["tags"] = pd.Series(tags, index=index, dtype=object)
    return pd.DataFrame(columns)


LONG_UNIT_WORDS = 2000
"""A unit longer than this many words is almost surely a document that was not split."""


def _warn_if_long(items: list[str]) -> None:
    # len() first: counting words is needed only for the rare very long text
    words = [len(t.split()) for t in items if len(t) > LONG_UNIT_WORDS * 2]
    long = [w for w in words if w > LONG_UNIT_WORDS]
    if long:
        warnings.warn(
            f"{len(long)} unit(s) of more than {LONG_UNIT_WORDS:,} words (the longest "
            f"{max(long):,}): paragraph splitting probably failed; democlass labels "
            "paragraphs, so separate them with blank lines (or one per line) and tag again",
            UserWarning,
            stacklevel=3,
        )


def _text_column(frame: pd.DataFrame, text_column: str | None) -> str:
    columns = [str(c) for c in frame.columns]
    if text_column is not None:
        if text_column not in frame.columns:
            raise KeyError(
                f"no column {text_column!r} in the DataFrame; its columns are {', '.join(columns)}"
            )
        chosen = text_column
    elif "text" in frame.columns:
        chosen = "text"
    else:
        strings = [
            c
            for c, dtype in zip(frame.columns, frame.dtypes, strict=True)
            if str(dtype) in ("object", "str")
        ]
        if len(strings) != 1:
            raise ValueError(
                f"pass text_column= to say which column holds the texts; columns: "
                f"{', '.join(columns)}"
            )
        chosen = strings[0]
    repeats = int((frame.columns == chosen).sum())
    if repeats > 1:
        raise ValueError(
            f"the DataFrame has {repeats} columns named {chosen!r}; rename them so that "
            "one holds the texts"
        )
    return chosen


def _tags(m: FrozenModel, proba: np.ndarray, labels: np.ndarray) -> list[str]:
    """Per row, the forms at or above their threshold plus the label if it
    is a form, most probable first, joined by ";"."""
    forms = [j for j, c in enumerate(m.classes) if c in FORMS]
    names = np.asarray([m.classes[j] for j in forms], dtype=object)
    if not len(proba) or not forms:
        return [""] * len(proba)
    scores = proba[:, forms]
    cut = np.array([m.thresholds[n] for n in names])
    present = (scores >= cut) | (names[None, :] == np.asarray(labels, dtype=object)[:, None])
    count = present.sum(axis=1)
    out = np.full(len(proba), "", dtype=object)
    one = count == 1  # the common case, without a Python loop
    out[one] = names[present[one].argmax(axis=1)]
    for i in np.flatnonzero(count > 1):
        cols = np.flatnonzero(present[i])
        order = cols[np.argsort(-scores[i, cols], kind="stable")]  # ties keep form order
        out[i] = ";".join(names[order])
    return out.tolist()


def tag_documents(
    documents: Any,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    level: str = "paragraph",
    context: bool = True,
    min_confidence: float | None = None,
    model: ModelLike = None,
) -> pd.DataFrame:
    """Split whole documents into paragraphs and tag each in its document.

    The Python face of ``democlass tag FILES --level paragraph|document``.

    Parameters
    ----------
    documents : str, list of str, pandas.Series or pandas.DataFrame
        Whole documents; for a DataFrame, the column named by
        ``text_column`` (default: ``text``, or the only string column). A
        missing or empty document gives no paragraph rows, and a document
        row with 0 paragraphs at ``level="document"``.
    text_column : str, optional
        Column of a DataFrame that holds the documents.
    id_column : str, optional
        Column of a DataFrame that identifies each document (default: the
        index of a Series or DataFrame, else the position in the list).
    level : {"paragraph", "document"}, default="paragraph"
        One row per paragraph, or one row per document with the share of
        each label.
    context : bool, default=True
        Label each paragraph in the context of its document; False reads
        each paragraph alone.
    min_confidence : float, optional
        As in :func:`tag`.
    model : FrozenModel or DemoClassifier, optional
        Defaults to the built-in model.

    Returns
    -------
    pandas.DataFrame
        At paragraph level: ``id``, ``paragraph`` (1, 2, ... in each
        document), ``start`` and ``end`` (character offsets into the
        document), ``text``, then the columns of :func:`tag`. At document
        level: ``id``, ``paragraphs``, ``share_<label>`` for each label,
        ``form_share_<form>`` (shares among the paragraphs about a form)
        and ``dominant``, one row per document in input order.

    Examples
    --------
    >>> doc = ("Who decides on face recognition?\\n\\n"
    ...        "A panel of 40 residents drawn by lot met on six Saturdays.\\n\\n"
    ...        "It will advise the council before the vote in March.")
    >>> rows = tag_documents([doc])
    >>> rows[["id", "paragraph", "start", "end", "label"]]
      id  paragraph  start  end       label
    0  0          1      0   32  governance
    1  0          2     34   92  governance
    2  0          3     94  146  governance
    >>> tag_documents([doc, ""], level="document")[["id", "paragraphs", "dominant"]]
       id  paragraphs    dominant
    0   0           3  governance
    1   1           0        None
    """
    import pandas as pd

    from democlass.split import split_paragraphs
    from democlass.summary import document_shares

    if level not in ("paragraph", "document"):
        raise ValueError(f"level must be 'paragraph' or 'document', not {level!r}")
    m = _resolve(model)
    texts, ids = _documents(documents, text_column, id_column)
    rows: list[tuple[int, int, int, int, str]] = []
    for number, text in enumerate(texts):
        for k, p in enumerate(split_paragraphs(text) if isinstance(text, str) else [], start=1):
            rows.append((number, k, p.start, p.end, p.text))
    number_, paragraph, start, end, unit = (
        [list(c) for c in zip(*rows, strict=True)] if rows else [[], [], [], [], []]
    )
    places = pd.DataFrame(
        {
            "id": pd.Series([ids[n] for n in number_], dtype=object),
            "paragraph": np.asarray(paragraph, dtype=np.int64),
            "start": np.asarray(start, dtype=np.int64),
            "end": np.asarray(end, dtype=np.int64),
            "text": pd.Series(unit, dtype=object),
        }
    )
    units = pd.DataFrame({"text": places["text"], "doc": np.asarray(number_, dtype=np.int64)})
    tagged = tag(
        units,
        text_column="text",
        document_column="doc" if context else None,
        min_confidence=min_confidence,
        model=m,
    )
    if level == "paragraph":
        return pd.concat([places, tagged], axis=1)
    summary = document_shares(tagged["label"].to_numpy(), units["doc"].to_numpy(), len(texts))
    summary.insert(0, "id", pd.Series(ids, dtype=object))
    return summary


def _documents(
    documents: Any, text_column: str | None, id_column: str | None
) -> tuple[list[Any], list[Any]]:
    """The documents' texts (str, or anything else for a missing one) and ids."""
    if isinstance(documents, str):
        documents = [documents]
    if _texts.is_pandas(documents, "DataFrame"):
        frame = documents
        column = _text_column(frame, text_column)
        if id_column is not None and id_column not in frame.columns:
            raise KeyError(
                f"no column {id_column!r} in the DataFrame; its columns are "
                f"{', '.join(map(str, frame.columns))}"
            )
        ids = frame[id_column].tolist() if id_column is not None else list(frame.index)
        return frame[column].tolist(), ids
    if text_column is not None or id_column is not None:
        raise ValueError("text_column and id_column are only for a DataFrame")
    if _texts.is_pandas(documents, "Series"):
        return documents.tolist(), list(documents.index)
    if isinstance(documents, bytes) or not hasattr(documents, "__iter__"):
        raise TypeError(
            "documents must be a str, a list of str, a pandas Series or a DataFrame, "
            f"not {type(documents).__name__}"
        )
    texts = list(documents)
    for pos, text in enumerate(texts):
        if not (isinstance(text, str) or _texts.is_missing(text)):
            raise TypeError(
                f"document at position {pos} is {type(text).__name__}, expected str (or None "
                "for a missing document)"
            )
    return texts, list(range(len(texts)))


def explain(text: str, top: int = 10, *, model: ModelLike = None) -> pd.DataFrame:
    """The terms that moved a text towards its label and away from the runner-up.

    For a linear model this is exact: each term's weight is its tf-idf value
    times the difference of its coefficients for the label and the runner-up,
    and the weights plus the intercept difference add up to the margin
    between the two scores.

    Parameters
    ----------
    text : str
    top : int, default=10
        How many terms to show on each side (0 or more).
    model : FrozenModel or DemoClassifier, optional

    Returns
    -------
    pandas.DataFrame
        Columns ``term``, ``weight`` (positive: towards the label) and
        ``favours``; ``attrs`` holds ``label``, ``runner_up``, ``margin`` and
        ``intercept``. A text with no term in the vocabulary (empty, say) is
        ``none`` by rule rather than by weights: the frame is empty,
        ``runner_up`` is None and ``margin`` and ``intercept`` are NaN.

    Raises
    ------
    TypeError
        If ``text`` is not a str or ``top`` not a whole number.
    ValueError
        If ``top`` is negative.

    Examples
    --------
    >>> e = explain("Open weights let any lab fine-tune the model.")
    >>> e.attrs["label"]
    'development'
    >>> bool(e["weight"].iloc[0] > 0)
    True
    """
    import pandas as pd

    if not isinstance(text, str):
        raise TypeError(f"explain takes one str, not {type(text).__name__}")
    if isinstance(top, bool) or not isinstance(top, numbers.Integral):
        raise TypeError(f"top must be a whole number, not {type(top).__name__} {top!r}")
    top = operator.index(top)
    if top < 0:
        raise ValueError(f"top must be 0 or more, got {top}")
    m = _resolve(model)
    scores = m.decision_function([text])[0]
    order = np.argsort(-scores, kind="stable")
    first, second = int(order[0]), int(order[1])
    label = m.classes[first]
    runner: str | None = m.classes[second]
    if np.isfinite(scores[second]):
        ids, values = m.features(text)
        alone = m.coef_alone
        weight = values * (alone[ids, first] - alone[ids, second])
        rank = np.argsort(-weight, kind="stable")
        pick = np.concatenate(
            [
                rank[:top][weight[rank[:top]] > 0],
                rank[::-1][:top][weight[rank[::-1][:top]] < 0][::-1],
            ]
        )
        margin = float(scores[first] - scores[second])
        intercept = float(m.intercept[first] - m.intercept[second])
    else:  # no known term: none by rule, not by weights, so there is no runner-up
        ids = pick = np.empty(0, dtype=np.int64)
        weight = np.empty(0)
        runner, margin, intercept = None, math.nan, math.nan
    frame = pd.DataFrame(
        {
            "term": pd.Series([m.vocabulary[i] for i in ids[pick]], dtype=object),
            "weight": weight[pick],
            "favours": pd.Series([label if w > 0 else runner for w in weight[pick]], dtype=object),
        }
    )
    frame.attrs.update(label=label, runner_up=runner, margin=margin, intercept=intercept)
    return frame


def save(model: FrozenModel | DemoClassifier, path: str | Path) -> Path:
    """Save a model as a ``.npz`` of plain arrays and JSON metadata (no pickles).

    Returns the path written (``.npz`` is added if missing).
    """
    return _resolve(model).save(path)


def load(path: str | Path) -> FrozenModel:
    """Load a model saved by :func:`save`.

    Only democlass's array format is read, with ``allow_pickle=False``, so a
    model file can never run code. Anything else (a pickle, a joblib dump, a
    damaged archive, an unknown format version) raises ``ModelFormatError``.
    """
    return FrozenModel.load(path)
