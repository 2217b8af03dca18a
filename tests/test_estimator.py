"""DemoClassifier follows scikit-learn's conventions for an estimator on raw strings."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import get_tags

from democlass import DemoClassifier

PARAMS = {
    "ngram_max": 1,
    "min_df": 2,
    "max_df": 0.9,
    "sublinear_tf": False,
    "C": 3.0,
    "class_weight": None,
    "max_iter": 500,
    "random_state": 7,
    "context_weight": 0.25,
    "alone_weight": 0.5,
}


@pytest.fixture(scope="module")
def small(labels):
    rows = labels.groupby("label", group_keys=False).head(40)
    return rows["text"].tolist(), rows["label"].to_numpy()


def test_parameters_are_stored_unchanged():
    clf = DemoClassifier(**PARAMS)
    assert clf.get_params() == PARAMS
    assert clone(clf).get_params() == PARAMS


def test_fit_sets_only_trailing_underscore_state(small):
    X, y = small
    clf = DemoClassifier(ngram_max=1)
    before = dict(vars(clf))
    clf.fit(X, y)
    added = set(vars(clf)) - set(before)
    assert added and all(name.endswith("_") for name in added)
    assert {k: vars(clf)[k] for k in before} == before
    assert list(clf.classes_) == sorted(set(y))


def test_unfitted_estimator_raises_not_fitted():
    with pytest.raises(NotFittedError):
        DemoClassifier().predict(["text"])


def test_tags_declare_string_input():
    tags = get_tags(DemoClassifier())
    assert tags.input_tags.string
    assert not tags.input_tags.two_d_array


def test_predict_proba_rows_sum_to_one_and_match_predict(small):
    X, y = small
    clf = DemoClassifier().fit(X, y)
    proba = clf.predict_proba(X[:20] + ["", "!!!"])
    assert proba.shape == (22, len(clf.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (clf.predict(X[:20]) == clf.classes_[proba[:20].argmax(axis=1)]).all()
    none = list(clf.classes_).index("none")
    assert proba[-1, none] == 1.0 and proba[-2, none] == 1.0
    assert clf.decision_function(X[:5]).shape == (5, len(clf.classes_))


def test_deterministic_for_a_random_state(small):
    X, y = small
    a = DemoClassifier(random_state=3).fit(X, y)
    b = DemoClassifier(random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.classifier_.coef_, b.classifier_.coef_)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_works_in_pipeline_grid_search_and_cross_val_score(small):
    X, y = small
    pipe = Pipeline(
        [
            ("strip", FunctionTransformer(lambda xs: [x.strip() for x in xs])),
            ("clf", DemoClassifier()),
        ]
    )
    assert len(pipe.fit(X, y).predict(X[:3])) == 3
    search = GridSearchCV(DemoClassifier(), {"C": [1.0, 10.0]}, cv=3, scoring="f1_macro")
    search.fit(X, y)
    assert search.best_params_["C"] in (1.0, 10.0)
    scores = cross_val_score(DemoClassifier(ngram_max=1), X, y, cv=3, scoring="f1_macro")
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))


def test_pickle_round_trip_predicts_the_same(small):
    X, y = small
    clf = DemoClassifier().fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clf.predict_proba(X), again.predict_proba(X))


def test_binary_problems_freeze_to_the_same_probabilities(small):
    X, y = small
    mask = np.isin(y, ["use", "none"])
    X2 = [x for x, m in zip(X, mask, strict=True) if m]
    clf = DemoClassifier().fit(X2, y[mask])
    frozen = clf.freeze()
    assert frozen.classes == ("use", "none")  # democlass's order, not sorted
    columns = [list(clf.classes_).index(c) for c in frozen.classes]
    np.testing.assert_allclose(
        frozen.predict_proba(X2), clf.predict_proba(X2)[:, columns], atol=1e-12
    )


@pytest.mark.parametrize("bad", [None, float("nan"), 3, b"bytes"])
def test_bad_items_raise_type_error_naming_position(small, bad):
    X, y = small
    with pytest.raises(TypeError, match="position 1"):
        DemoClassifier().fit([X[0], bad, X[2]], y[:3])


def test_mismatched_lengths_are_refused(small):
    X, y = small
    with pytest.raises(ValueError, match="3 texts but y has 2"):
        DemoClassifier().fit(X[:3], y[:2])
