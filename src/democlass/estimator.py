"""DemoClassifier: the scikit-learn estimator behind democlass, for training and research."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from democlass import _texts
from democlass.context import document_index
from democlass.frozen import TOKEN_PATTERN, FrozenModel
from democlass.taxonomy import LABELS, NONE

__all__ = ["DemoClassifier"]


class DemoClassifier(ClassifierMixin, BaseEstimator):
    """TF-IDF over word n-grams followed by multinomial logistic regression,
    reading each unit in its document.

    ``X`` is either texts (each its own document) or a DataFrame with a
    ``text`` column and a ``doc`` column, the rows of each document
    consecutive and in reading order. Each unit is represented by two blocks
    of TF-IDF features over one vocabulary: its own terms, and its
    document's terms (the sum of the document's term counts), the second
    scaled by ``context_weight`` (see :mod:`democlass.context`). A text with
    no term in the fitted vocabulary has no evidence for any form and is
    predicted ``none`` with probability 1.

    Parameters
    ----------
    ngram_max : int, default=2
        Longest word n-gram: 1 for single words, 2 adds word pairs.
    min_df : int or float, default=2
        Ignore terms in fewer documents than this (count, or share if float).
    max_df : float, default=1.0
        Ignore terms in more than this share of documents.
    sublinear_tf : bool, default=True
        Replace a term count ``c`` by ``1 + log(c)``.
    C : float, default=10.0
        Inverse regularisation strength of the logistic regression.
    class_weight : "balanced", dict or None, default="balanced"
        Class weights; "balanced" counters the imbalance of the labels.
    max_iter : int, default=3000
        Iterations of the L-BFGS solver.
    random_state : int or None, default=0
        Seed passed to the solver, for determinism.
    context_weight : float, default=1.0
        Scale of the document block; 0 reads every unit alone.
    alone_weight : float, default=0.2
        Share of the final weights that comes from a second fit in which
        every training unit is its own document (both blocks hold the unit's
        vector). That fit learns the document block as a topic classifier,
        so blending it in carries a document's form further to its units:
        the fit on our written articles alone carries it less far than the
        readers of real articles do (see ``docs/model.md``). 0 uses the
        in-context fit only.

    Attributes
    ----------
    classes_ : ndarray of str
        The labels seen in ``fit``, sorted.
    vectorizer_ : sklearn.feature_extraction.text.CountVectorizer
        Term counts of a unit (its vocabulary is the model's).
    transformer_ : sklearn.feature_extraction.text.TfidfTransformer
        Turns counts of a unit or of a document into TF-IDF vectors.
    classifier_ : sklearn.linear_model.LogisticRegression
        Fitted on both blocks side by side, unit then document, with each
        unit in its document.
    alone_classifier_ : sklearn.linear_model.LogisticRegression or None
        The fit with each unit as its own document (None when
        ``alone_weight`` is 0).
    coef_ : ndarray of shape (n_classes or 1, 2 * n_features)
        The blended weights that predict: unit block, then document block.
    intercept_ : ndarray
        The blended intercepts.

    Examples
    --------
    >>> import democlass
    >>> labels = democlass.load_labels()
    >>> clf = DemoClassifier().fit(labels["text"], labels["label"])
    >>> clf.predict(["The weights are free to download and fine-tune."])[0]
    'development'
    >>> import pandas as pd
    >>> article = pd.DataFrame({"doc": "a", "text": [
    ...     "Who decides on face recognition?",
    ...     "They met on six Saturdays.",
    ...     "It will advise the council before the vote in March."]})
    >>> clf.predict(article)[1]
    'governance'
    """

    def __init__(
        self,
        *,
        ngram_max: int = 2,
        min_df: int | float = 2,
        max_df: float = 1.0,
        sublinear_tf: bool = True,
        C: float = 10.0,
        class_weight: str | dict[str, float] | None = "balanced",
        max_iter: int = 3000,
        random_state: int | None = 0,
        context_weight: float = 1.0,
        alone_weight: float = 0.2,
    ) -> None:
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state
        self.context_weight = context_weight
        self.alone_weight = alone_weight

    def __sklearn_tags__(self):  # noqa: ANN204 - scikit-learn's Tags type
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def fit(self, X: Any, y: Iterable[str]) -> DemoClassifier:
        """Fit the vocabulary, the idf and the linear model on units ``X`` and labels ``y``."""
        texts, docs = _inputs(X)
        labels = np.asarray(list(y), dtype=object)
        if len(labels) != len(texts):
            raise ValueError(f"X has {len(texts)} texts but y has {len(labels)} labels")
        if self.ngram_max not in (1, 2, 3):
            raise ValueError(f"ngram_max must be 1, 2 or 3, got {self.ngram_max!r}")
        if not self.context_weight >= 0:
            raise ValueError(f"context_weight must be 0 or more, got {self.context_weight!r}")
        if not 0 <= self.alone_weight <= 1:
            raise ValueError(f"alone_weight must be between 0 and 1, got {self.alone_weight!r}")
        self.vectorizer_ = CountVectorizer(
            lowercase=True,
            token_pattern=TOKEN_PATTERN,
            ngram_range=(1, self.ngram_max),
            min_df=self.min_df,
            max_df=self.max_df,
            dtype=np.int64,
        )
        counts = self.vectorizer_.fit_transform(texts)
        self.transformer_ = TfidfTransformer(norm="l2", sublinear_tf=self.sublinear_tf).fit(counts)
        self.classifier_ = self._logistic().fit(self._design(counts, docs), labels)
        self.classes_ = self.classifier_.classes_
        self.coef_ = self.classifier_.coef_.copy()
        self.intercept_ = self.classifier_.intercept_.copy()
        self.alone_classifier_ = None
        if self.alone_weight and self.context_weight:
            alone = np.arange(len(texts), dtype=np.int64)
            self.alone_classifier_ = self._logistic().fit(self._design(counts, alone), labels)
            # both fits are linear in the same features, so their blend is one linear model
            share = self.alone_weight
            self.coef_ = (1 - share) * self.coef_ + share * self.alone_classifier_.coef_
            self.intercept_ = (
                1 - share
            ) * self.intercept_ + share * self.alone_classifier_.intercept_
        return self

    def _logistic(self) -> LogisticRegression:
        return LogisticRegression(
            C=self.C,
            class_weight=self.class_weight,
            max_iter=self.max_iter,
            random_state=self.random_state,
        )

    def _design(self, counts: sp.csr_matrix, docs: np.ndarray) -> sp.csr_matrix:
        """The unit block beside the document block (counts summed per document)."""
        unit = self.transformer_.transform(counts)
        if not self.context_weight:
            return unit
        n_docs = int(docs[-1]) + 1 if len(docs) else 0
        member = sp.csr_matrix(
            (np.ones(len(docs), dtype=np.int64), (docs, np.arange(len(docs)))),
            shape=(n_docs, len(docs)),
        )
        whole = self.transformer_.transform(member @ counts)
        return sp.hstack([unit, self.context_weight * whole[docs]], format="csr")

    def decision_function(self, X: Any) -> np.ndarray:
        """Linear scores, shape (n_texts, n_classes), columns as ``classes_``."""
        features, empty = self._features(X)
        scores = np.asarray(features @ self.coef_.T) + self.intercept_
        if scores.shape[1] == 1:  # binary: the softmax of (-s/2, s/2) is the logistic of s
            scores = np.column_stack([-scores[:, 0] / 2, scores[:, 0] / 2])
        none = self._none_column()
        if none is not None and empty.any():
            scores[empty] = -np.inf
            scores[empty, none] = 0.0
        return scores

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_texts, n_classes), columns as ``classes_``."""
        scores = self.decision_function(X)
        scores -= scores.max(axis=1, keepdims=True)  # -inf of empty texts gives 0 after exp
        proba = np.exp(scores)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label of each text."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def freeze(
        self, thresholds: dict[str, float] | None = None, info: dict[str, Any] | None = None
    ) -> FrozenModel:
        """The fitted model as arrays, to predict without scikit-learn or to save.

        Columns are reordered to democlass's label order; the document block's
        weights are stored already scaled by ``context_weight``.
        """
        check_is_fitted(self, "classes_")
        classes = list(self.classes_)
        order = [c for c in LABELS if c in classes] + [c for c in classes if c not in LABELS]
        cols = [classes.index(c) for c in order]
        coef = self.coef_
        intercept = self.intercept_
        if coef.shape[0] == 1:  # binary: the softmax of (-s/2, s/2) is the logistic of s
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        n = len(self.vectorizer_.vocabulary_)
        unit = coef[:, :n]
        whole = self.context_weight * coef[:, n:] if self.context_weight else np.zeros_like(unit)
        vocabulary = [""] * n
        for term, col in self.vectorizer_.vocabulary_.items():
            vocabulary[col] = term
        params = {k: v for k, v in self.get_params().items()}
        return FrozenModel(
            vocabulary=vocabulary,
            idf=self.transformer_.idf_,
            coef=unit[cols].T.copy(),
            coef_doc=whole[cols].T.copy(),
            intercept=intercept[cols].copy(),
            classes=order,
            ngram_max=self.ngram_max,
            sublinear_tf=self.sublinear_tf,
            thresholds=thresholds,
            info={"params": params, **(info or {})},
        )

    def _features(self, X: Any):  # noqa: ANN202 - a scipy sparse matrix and a mask
        check_is_fitted(self, "classes_")
        texts, docs = _inputs(X)
        counts = self.vectorizer_.transform(texts)
        return self._design(counts, docs), np.diff(counts.indptr) == 0

    def _none_column(self) -> int | None:
        classes = list(self.classes_)
        return classes.index(NONE) if NONE in classes else None


def _inputs(X: Any) -> tuple[list[str], np.ndarray]:
    """Texts and the document number of each: from a DataFrame's ``text`` and
    ``doc`` columns, or each text its own document."""
    if _texts.is_pandas(X, "DataFrame"):
        if "text" not in X.columns:
            raise ValueError(
                "a DataFrame passed as X needs a 'text' column (and optionally 'doc'); "
                f"its columns are {', '.join(map(str, X.columns))}"
            )
        texts, _ = _texts.collect(X["text"])
        if "doc" not in X.columns:
            return texts, np.arange(len(texts), dtype=np.int64)
        return texts, document_index(X["doc"].tolist())
    texts, _ = _texts.collect(X)
    return texts, np.arange(len(texts), dtype=np.int64)
