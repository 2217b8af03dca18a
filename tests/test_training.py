"""Training on your own labels: text,label is enough, problems are named before fitting."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

import democlass
from democlass import LabelsError
from democlass.estimator import DemoClassifier
from democlass.training import DEFAULT_THRESHOLD


@pytest.fixture(scope="module")
def mine(labels):
    """40 labelled rows, text and label only: eight of each label, from many documents."""
    rows = labels[labels["source"] == "authored"].groupby("label", group_keys=False).head(8)
    return rows[["text", "label"]].reset_index(drop=True)


def _problems(exc: pytest.ExceptionInfo) -> str:
    return str(exc.value).split(":", 1)[1]  # without the name of the file or DataFrame


def test_a_frame_and_its_csv_give_the_same_problems_all_at_once(tmp_path, monkeypatch):
    bad = pd.DataFrame(
        {
            "text": ["A free app for farmers.", "", None, "Open weights."],
            "label": ["use", "use", "none", "developmnt"],
            "secondary": ["", "use", "", "profit"],
        }
    )
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)

    def no_fitting(*args, **kwargs):
        raise AssertionError("fitted before the labels were checked")

    monkeypatch.setattr(DemoClassifier, "fit", no_fitting)
    with pytest.raises(LabelsError) as from_frame:
        democlass.train(bad)
    with pytest.raises(LabelsError) as from_csv:
        democlass.train(path)
    assert _problems(from_frame) == _problems(from_csv)
    assert str(from_csv.value).startswith(str(path))
    found = re.findall(r"row (\d+), column '(\w+)'", str(from_csv.value))
    assert found == [
        ("3", "text"),
        ("3", "secondary"),
        ("4", "text"),
        ("5", "label"),
        ("5", "secondary"),
    ]


def test_a_missing_column_is_named_not_a_key_error():
    with pytest.raises(LabelsError, match=r"missing column\(s\) 'label'.*text and label"):
        democlass.train(pd.DataFrame({"text": ["a"], "code": ["use"]}))


def test_too_few_documents_or_rows_of_a_label_are_clear_errors(mine):
    with pytest.raises(LabelsError, match="too few documents.*holds? 1"):
        democlass.train(mine.assign(doc="one", position=range(1, len(mine) + 1)))
    with pytest.raises(LabelsError, match="label 'profits' has 1 row"):
        one = mine[mine["label"] == "profits"].iloc[:1]
        democlass.train(pd.concat([mine[mine["label"] != "profits"], one]))
    with pytest.raises(LabelsError, match="ask for at most 8 folds"):
        democlass.train(mine, cv=9)


def test_small_labels_warn_and_keep_default_thresholds(mine):
    with pytest.warns(UserWarning, match=r"few rows for some labels \(use 8, development 8"):
        model = democlass.train(mine, ngram_max=1)
    # no row carries a secondary label, so no threshold was learned from noise
    assert model.thresholds == dict.fromkeys(democlass.FORMS, DEFAULT_THRESHOLD)
    assert model.info["threshold_cv"] == 5 and model.info["n_rows"] == 40


def test_cv_defaults_to_what_the_groups_allow(mine):
    three_docs = mine.assign(doc=[f"d{i % 3}" for i in range(len(mine))]).sort_values(
        "doc", kind="stable"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = democlass.train(three_docs, ngram_max=1)
    assert model.info["threshold_cv"] == 3


def test_with_builtin_adds_the_packaged_rows(mine, labels):
    from democlass.training import training_rows

    both = training_rows(mine, with_builtin=True)
    assert len(both) == len(mine) + len(labels)
    assert both["id"].is_unique
    assert both["text"].tolist()[: len(mine)] == mine["text"].tolist()


def test_evaluate_header_says_how_folds_were_grouped(labels, capsys):
    from democlass.evaluate import document_groups

    groups = document_groups(labels)
    documents = len({g for g in groups if not g.startswith("authored-")})
    batches = len({g for g in groups if g.startswith("authored-")})
    democlass.evaluate(labels, cv=2, ngram_max=1, min_df=5)
    head = capsys.readouterr().out.splitlines()[0]
    authored = int((labels["source"] == "authored").sum())
    assert head == (
        f"2-fold cross-validation on {len(labels)} rows, grouped by document ({documents} "
        f"documents; the {authored} authored standalone paragraphs in {batches} writing "
        "batches of 20)"
    )
    democlass.evaluate(labels.iloc[:400], cv=2, groups=None, ngram_max=1)
    assert "not grouped" in capsys.readouterr().out.splitlines()[0]
