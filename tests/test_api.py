"""The module-level API on the built-in model: shapes in and out, bad input, properties."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import democlass

GOV = "Citizens will vote on whether the city may use face recognition."
DEV = "The model weights are free to download and fine-tune."


def test_the_quick_start_example():
    out = democlass.tag([GOV, DEV])
    assert out["label"].tolist() == ["governance", "development"]
    assert list(out.columns) == [
        "label",
        "confidence",
        "abstained",
        "p_use",
        "p_development",
        "p_profits",
        "p_governance",
        "p_none",
        "tags",
    ]
    assert out.index.tolist() == [0, 1]


def test_codebook_examples_are_tagged_as_the_codebook_says():
    examples = {
        "A farmer with a basic smartphone can now ask a crop-disease question in her own "
        "language and get an answer for free.": "use",
        "The lab published the weights and training code, so any university can retrain "
        "the model on its own data.": "development",
        "Half of the windfall above the cap would go to a global fund paying a dividend to "
        "every citizen.": "profits",
        "A citizens' assembly of 150 randomly selected residents will recommend whether face "
        "recognition may be used by the city.": "governance",
        "The new chip doubles the throughput of transformer inference.": "none",
    }
    assert list(democlass.predict(list(examples))) == list(examples.values())


def test_one_string_in_one_result_out():
    assert democlass.predict(DEV) == "development"
    proba = democlass.predict_proba(DEV)
    assert isinstance(proba, pd.Series) and list(proba.index) == list(democlass.LABELS)
    row = democlass.tag(DEV)
    assert isinstance(row, pd.Series) and row["label"] == "development"


def test_series_in_keeps_the_index():
    texts = pd.Series([GOV, DEV], index=["a", "b"])
    assert democlass.predict(texts).to_dict() == {"a": "governance", "b": "development"}
    assert democlass.predict_proba(texts).index.tolist() == ["a", "b"]
    assert democlass.tag(texts).index.tolist() == ["a", "b"]


def test_frame_in_uses_the_text_column_and_keeps_the_index():
    frame = pd.DataFrame({"outlet": ["x", "y"], "body": [GOV, DEV]}, index=[10, 20])
    out = democlass.tag(frame, text_column="body")
    assert out.index.tolist() == [10, 20]
    assert out["label"].tolist() == ["governance", "development"]
    with pytest.raises(KeyError, match="no column 'text'.*outlet, body"):
        democlass.tag(frame, text_column="text")
    with pytest.raises(ValueError, match="text_column"):
        democlass.tag(frame)


def test_missing_text_in_a_series_gives_a_missing_row():
    out = democlass.tag(pd.Series([DEV, None, float("nan")], index=[5, 6, 7]))
    assert out.loc[5, "label"] == "development"
    assert out.loc[[6, 7], "label"].isna().all()
    assert out.loc[[6, 7], "p_use"].isna().all()
    assert out.loc[[6, 7], "tags"].isna().all()


@pytest.mark.parametrize("bad", [None, float("nan"), 42, b"bytes"])
def test_bad_items_in_predict_raise_type_error_naming_position(bad):
    with pytest.raises(TypeError, match="position 1"):
        democlass.predict([DEV, bad])


def test_bad_item_in_a_series_names_its_index():
    with pytest.raises(TypeError, match="position 1 \\(index 'q'\\)"):
        democlass.predict(pd.Series([DEV, 3], index=["p", "q"]))


def test_empty_and_whitespace_texts_are_none():
    assert list(democlass.predict(["", "   \n\t", "!!"])) == ["none", "none", "none"]


def test_min_confidence_abstains_to_none_and_marks_it():
    texts = [GOV, DEV, "Open data portals list bus timetables.", "It is a good idea, I think."]
    plain = democlass.tag(texts)
    cut = float(plain["confidence"].median())
    strict = democlass.tag(texts, min_confidence=cut)
    below = plain["confidence"] < cut
    assert below.any() and not below.all()
    assert strict["abstained"].tolist() == below.tolist()
    assert (strict.loc[below, "label"] == "none").all()
    assert strict.loc[~below, "label"].tolist() == plain.loc[~below, "label"].tolist()
    assert list(democlass.predict(texts, min_confidence=cut)) == strict["label"].tolist()
    assert list(democlass.predict([GOV], min_confidence=0.0)) == ["governance"]
    with pytest.raises(ValueError, match="between 0 and 1"):
        democlass.predict([GOV], min_confidence=1.5)


def test_tags_list_the_label_first_and_respect_thresholds():
    out = democlass.tag([GOV, DEV])
    model = democlass.api._builtin()
    for _, row in out.iterrows():
        tags = row["tags"].split(";")
        assert tags[0] == row["label"]
        for form in democlass.FORMS:
            if form != row["label"]:
                assert (form in tags) == (row[f"p_{form}"] >= model.thresholds[form])


def test_explain_is_exact_for_the_linear_model():
    text = "Open weights let any lab fine-tune the model, and compute grants help universities."
    model = democlass.api._builtin()
    everything = democlass.explain(text, top=10_000)
    scores = model.decision_function([text])[0]
    label, runner = everything.attrs["label"], everything.attrs["runner_up"]
    margin = scores[model.classes.index(label)] - scores[model.classes.index(runner)]
    assert label == democlass.predict(text)
    assert math.isclose(
        everything["weight"].sum() + everything.attrs["intercept"],
        margin,
        rel_tol=1e-9,
        abs_tol=1e-9,
    )
    top = democlass.explain(text, top=3)
    assert len(top) <= 6
    assert (top.loc[top["weight"] > 0, "favours"] == label).all()
    assert (top.loc[top["weight"] < 0, "favours"] == runner).all()


def test_cold_prediction_imports_neither_sklearn_nor_pandas():
    code = (
        "import sys, democlass; democlass.predict(['x y z']); "
        "print(sorted(m for m in ('sklearn', 'pandas', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_ten_megabyte_text_is_tagged():
    text = ("Open weights let researchers study the model. " * 220_000)[:10_000_000]
    out = democlass.tag([text])
    assert out.loc[0, "label"] == "development"


# --- properties ---------------------------------------------------------------

texts = st.lists(st.text(max_size=120), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(texts)
def test_probabilities_are_in_range_and_sum_to_one(batch):
    proba = democlass.predict_proba(batch).to_numpy()
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(texts)
def test_batch_results_equal_one_by_one_results(batch):
    together = democlass.predict_proba(batch).to_numpy()
    alone = np.vstack([democlass.predict_proba([t]).to_numpy() for t in batch])
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(texts, st.randoms(use_true_random=False))
def test_reordering_a_batch_reorders_the_results(batch, rnd):
    order = list(range(len(batch)))
    rnd.shuffle(order)
    before = democlass.tag(batch)
    after = democlass.tag([batch[i] for i in order])
    pd.testing.assert_frame_equal(after, before.iloc[order].reset_index(drop=True), atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(texts, st.lists(st.integers(-1000, 1000), min_size=12, max_size=12, unique=True))
def test_tag_of_a_frame_keeps_its_index(batch, index):
    frame = pd.DataFrame({"text": batch}, index=index[: len(batch)])
    out = democlass.tag(frame)
    assert out.index.tolist() == frame.index.tolist()
    assert out["label"].isin(democlass.LABELS).all()


# --- robustness: what is refused, and what is decided by position -------------


def test_missing_rows_are_decided_by_position_not_index_label():
    out = democlass.tag(pd.Series([DEV, None], index=[7, 7]))
    assert out["label"].tolist() == ["development", None]
    assert not out["abstained"].iloc[0]
    assert pd.isna(out["abstained"].iloc[1]) and np.isnan(out["p_use"].iloc[1])
    assert out.index.tolist() == [7, 7]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.just(float("nan")), st.text(max_size=60)), max_size=10),
    st.data(),
)
def test_missing_texts_blank_exactly_their_own_rows(items, data):
    """With any index, repeated labels included, the rows of present texts equal
    tag() of those texts alone, and the rows of missing texts are all missing."""
    index = data.draw(st.lists(st.integers(0, 3), min_size=len(items), max_size=len(items)))
    out = democlass.tag(pd.Series(items, index=index, dtype=object))
    present = [i for i, t in enumerate(items) if isinstance(t, str)]
    absent = [i for i, t in enumerate(items) if not isinstance(t, str)]
    alone = democlass.tag([items[i] for i in present])
    got = out.iloc[present].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, alone, rtol=0, atol=1e-12)
    assert out.iloc[absent].isna().all().all()


def test_dtypes_do_not_depend_on_the_rows():
    empty = democlass.tag([])
    full = democlass.tag([DEV, GOV])
    holed = democlass.tag(pd.Series([DEV, None]))
    for frame in (empty, holed):
        pd.testing.assert_series_equal(frame.dtypes, full.dtypes)
    assert full["tags"].dtype == object and full["label"].dtype == object
    assert str(full["abstained"].dtype) == "boolean"


def test_predict_refuses_a_dataframe_and_says_to_pass_a_column():
    frame = pd.DataFrame({"text": [DEV, GOV, DEV], "outlet": ["a", "b", "c"]})
    for fn in (democlass.predict, democlass.predict_proba):
        with pytest.raises(TypeError, match=r"got a DataFrame: pass its text column"):
            fn(frame)
    assert list(democlass.predict(frame["text"])) == ["development", "governance", "development"]


def test_tag_refuses_a_frame_whose_text_column_name_repeats():
    frame = pd.DataFrame([[DEV, GOV]], columns=["text", "text"])
    with pytest.raises(ValueError, match="2 columns named 'text'"):
        democlass.tag(frame)
    frame.columns = ["body", "body"]
    with pytest.raises(ValueError, match="2 columns named 'body'"):
        democlass.tag(frame, text_column="body")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (42, "got int 42"),
        (None, "got NoneType None"),
        (np.array(DEV), "0-d array: for one text pass str"),
        (np.array([[DEV]]), "2-D array"),
        ({"a": DEV}, "keys would be read as the texts"),
        ({DEV}, "no order"),
        (b"Open weights", "decode it first"),
    ],
)
def test_what_is_not_texts_is_refused_naming_what_to_pass(bad, message):
    for fn in (democlass.predict, democlass.predict_proba, democlass.tag):
        with pytest.raises(TypeError, match=message) as info:
            fn(bad)
        assert "expected a str, or a list" in str(info.value)


def test_a_numpy_str_is_one_text():
    assert democlass.predict(np.str_(DEV)) == "development"


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ("0.6", TypeError, "None or a number from 0 to 1, not str '0.6'"),
        (True, TypeError, "not bool"),
        (float("nan"), ValueError, "between 0 and 1, got nan"),
        (-0.1, ValueError, "between 0 and 1"),
    ],
)
def test_min_confidence_says_what_type_and_range_are_allowed(bad, error, message):
    for fn in (democlass.predict, democlass.tag):
        with pytest.raises(error, match=message):
            fn([DEV], min_confidence=bad)


@pytest.mark.parametrize(
    ("top", "error", "message"),
    [(-1, ValueError, "0 or more, got -1"), (2.5, TypeError, "whole number, not float 2.5")],
)
def test_explain_refuses_a_bad_top(top, error, message):
    with pytest.raises(error, match=message):
        democlass.explain(DEV, top=top)


def test_explain_top_accepts_numpy_integers_and_zero():
    assert len(democlass.explain(DEV, top=np.int64(1))) <= 2
    assert len(democlass.explain(DEV, top=0)) == 0


@pytest.mark.parametrize("text", ["", "   ", "!!! ??", "zzqx qqzx"])
def test_explain_of_a_text_with_no_known_term_has_no_runner_up(text):
    out = democlass.explain(text)
    assert len(out) == 0 and list(out.columns) == ["term", "weight", "favours"]
    assert out.attrs["label"] == "none" == democlass.predict(text)
    assert out.attrs["runner_up"] is None
    assert math.isnan(out.attrs["margin"]) and math.isnan(out.attrs["intercept"])
