"""Validating a model on hand-coding, choosing what to code, and shares with intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score

import democlass
from democlass import LabelsError, Validation
from democlass.validation import nominal_alpha

ROWS = {
    "governance": "Citizens will vote on whether the city may use face recognition.",
    "development": "The model weights are free to download and fine-tune.",
    "profits": "Half of the windfall will fund a dividend for every citizen.",
    "use": "A free chatbot now answers farmers' questions in Swahili on cheap phones.",
    "none": "The weather was mild for the season and the harvest came early.",
}


@pytest.fixture(scope="module")
def coded():
    """Held-out rows (never trained on), with their hand-coded labels."""
    dev2 = pd.read_csv(
        Path(__file__).resolve().parents[1] / "data" / "dev2.csv", dtype=str, keep_default_na=False
    )
    return dev2.sample(120, random_state=0).reset_index(drop=True)


def test_kappa_equals_scikit_learn_and_alpha_equals_krippendorff(coded):
    krippendorff = pytest.importorskip("krippendorff")
    result = democlass.validate(coded)
    p = result.predictions
    assert result.n == len(coded)
    assert result.kappa == pytest.approx(cohen_kappa_score(p["label"], p["predicted"]), abs=1e-12)
    assert result.accuracy == pytest.approx((p["label"] == p["predicted"]).mean())
    assert result.macro_f1 == pytest.approx(f1_score(p["label"], p["predicted"], average="macro"))
    index = {label: i for i, label in enumerate(democlass.LABELS)}
    data = [[index[x] for x in p["label"]], [index[x] for x in p["predicted"]]]
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert result.alpha == pytest.approx(expected, abs=1e-12)
    assert nominal_alpha([p["label"], p["predicted"]]) == pytest.approx(expected, abs=1e-12)
    assert result.confusion.to_numpy().sum() == len(coded)
    assert (result.per_label["support"] == p["label"].value_counts()[result.per_label.index]).all()


def test_alpha_matches_krippendorffs_published_examples():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability": two observers,
    # binary data, alpha = 0.095; four observers, nominal data with missing values, 0.743
    assert nominal_alpha([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]) == (
        pytest.approx(0.095, abs=5e-4)
    )
    x = None
    four = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, x, x, x],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, x, 3],
        [x, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, x],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, x],
    ]
    assert nominal_alpha(four) == pytest.approx(0.743, abs=5e-4)
    assert np.isnan(nominal_alpha([[1, 1], [1, 1]]))  # nothing varies: undefined


def test_intervals_are_reproducible_with_a_seed_and_bracket_the_estimate(coded):
    a = democlass.validate(coded, seed=3)
    b = democlass.validate(coded, seed=3)
    c = democlass.validate(coded, seed=4)
    assert a.intervals == b.intervals
    assert a.intervals != c.intervals
    for key in ("accuracy", "macro_f1", "kappa", "alpha"):
        low, high = a.intervals[key]
        assert low < getattr(a, key) < high


def test_resampling_documents_widens_intervals_when_errors_cluster():
    # every error sits in one document: units look independent, documents do not
    texts, labels, docs = [], [], []
    for d in range(10):
        for _ in range(8):
            texts.append(ROWS["development"])
            labels.append("governance" if d == 0 else "development")
            docs.append(f"d{d}")
        texts.append(ROWS["none"])
        labels.append("none")
        docs.append(f"d{d}")
    frame = pd.DataFrame({"text": texts, "label": labels, "doc": docs})
    by_unit = democlass.validate(frame)
    by_doc = democlass.validate(frame, document_column="doc")
    assert by_doc.settings["resampled"] == "documents"
    width = {r: np.diff(v.intervals["accuracy"])[0] for r, v in (("u", by_unit), ("d", by_doc))}
    assert width["d"] > width["u"]


def test_document_column_reads_units_in_their_documents_context():
    frame = pd.DataFrame(
        {
            "doc": ["a", "b", "a"],
            "text": [
                "Residents drawn by lot will advise the council on face recognition.",
                ROWS["profits"],
                "They met on six Saturdays.",
            ],
            "label": ["governance", "profits", "governance"],
        }
    )
    result = democlass.validate(frame, document_column="doc")
    expected = democlass.tag(frame.iloc[[0, 2, 1]], document_column="doc")["label"]
    assert result.predictions["predicted"].tolist() == expected.loc[[0, 1, 2]].tolist()


def test_bad_codes_are_all_named_and_empty_codes_skipped():
    frame = pd.DataFrame(
        {"text": list(ROWS.values()), "label": ["governance", "gov", "", "usage", "none"]}
    )
    with pytest.raises(LabelsError) as exc:
        democlass.validate(frame)
    assert "row 3, column 'label'" in str(exc.value) and "row 5, column 'label'" in str(exc.value)
    fixed = frame.assign(label=["governance", "development", "", "use", "none"])
    result = democlass.validate(fixed)
    assert result.n == 4 and result.settings["skipped"] == 1
    with pytest.raises(KeyError, match="no label column 'code'"):
        democlass.validate(fixed, label_column="code")


def test_json_keys(coded):
    d = democlass.validate(coded.iloc[:30]).to_dict()
    for key in ("n", "accuracy", "macro_f1", "kappa", "alpha", "per_label", "confusion"):
        assert key in d
    assert set(d["intervals"]) == {"accuracy", "macro_f1", "kappa", "alpha"}


# ------------------------------------------------------------------ sample


@pytest.fixture(scope="module")
def seeds(seeds_dir):
    return sorted(str(p) for p in seeds_dir.glob("*.txt"))


def test_sample_is_deterministic_with_context_and_empty_codes(seeds):
    a = democlass.sample(seeds, n=40, seed=1)
    b = democlass.sample(seeds, n=40, seed=1)
    c = democlass.sample(seeds, n=40, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert a["id"].tolist() != c["id"].tolist()
    assert len(a) == 40 and a["id"].is_unique
    assert (a[["label", "secondary", "note"]] == "").all().all()
    assert "predicted" not in a.columns
    units = democlass.tag_documents([Path(p).read_text(encoding="utf-8") for p in seeds])
    for row in a.itertuples():
        doc = units[units["id"] == seeds.index(row.source)]
        texts = doc["text"].tolist()
        at = row.position - 1
        assert texts[at] == row.text
        assert row.previous == (texts[at - 1] if at > 0 else "")
        assert row.next == (texts[at + 1] if at + 1 < len(texts) else "")


def test_stratified_sample_draws_evenly_by_predicted_label(seeds):
    s = democlass.sample(seeds, n=40, seed=0, show_predictions=True)
    counts = s["predicted"].value_counts()
    everything = democlass.sample(seeds, n=10_000, seed=0, show_predictions=True)
    available = everything["predicted"].value_counts()
    # each label gets an even share, or all it has when it has fewer
    even = counts[available[counts.index] > counts]
    assert even.max() - even.min() <= 1
    assert (counts[available[counts.index] == counts] <= even.max()).all()
    # weights: the units of the corpus each sampled unit stands for
    totals = (s.groupby("predicted")["weight"].sum()).round(6)
    assert (totals == available[totals.index].astype(float)).all()


def test_uncertain_sample_takes_the_smallest_margins_and_every_form(seeds):
    s = democlass.sample(seeds, n=40, seed=0, strategy="uncertain", show_predictions=True)
    everything = democlass.sample(seeds, n=10_000, seed=0, show_predictions=True)
    units = democlass.tag(
        everything.assign(doc=everything["source"]), document_column="doc"
    )  # the same units, in the same context
    p = np.sort(units[[f"p_{c}" for c in democlass.LABELS]].to_numpy(), axis=1)
    margin = pd.Series(p[:, -1] - p[:, -2], index=everything["id"])
    chosen = margin[s["id"]]
    cutoff = np.sort(margin.to_numpy())[29]  # 30 of the 40 are the least certain
    assert (chosen <= cutoff + 1e-12).sum() >= 30
    assert set(s["predicted"]) == set(everything["predicted"])


def test_sample_from_a_tagged_output_uses_its_predictions(seeds, tmp_path):
    from democlass.cli import main

    out = tmp_path / "tags.csv"
    assert main(["tag", *seeds, "-o", str(out), "-q"]) == 0  # no text column: read by offsets
    from_tags = democlass.sample([str(out)], n=25, seed=5, show_predictions=True)
    from_files = democlass.sample(seeds, n=25, seed=5, show_predictions=True)
    pd.testing.assert_frame_equal(
        from_tags.drop(columns="confidence"), from_files.drop(columns="confidence")
    )


def test_sample_refuses_bad_arguments(seeds):
    with pytest.raises(ValueError, match="strategy must be one of"):
        democlass.sample(seeds, n=5, strategy="margin")
    with pytest.raises(ValueError, match="positive whole number"):
        democlass.sample(seeds, n=0)


# ------------------------------------------------------------------ shares


def test_shares_sum_to_one_with_intervals_over_documents():
    tagged = pd.DataFrame(
        {
            "source": ["a"] * 4 + ["b"] * 4 + ["c"] * 2,
            "label": ["use"] * 4 + ["none"] * 3 + ["use"] + ["governance"] * 2,
        }
    )
    out = democlass.shares(tagged)
    assert out["share"].sum() == pytest.approx(1.0)
    assert out.set_index("label").loc["use", "share"] == pytest.approx(0.5)
    assert (out["low"] <= out["share"] + 1e-12).all()
    assert (out["share"] <= out["high"] + 1e-12).all()
    assert (out["documents"] == 3).all()
    per_source = democlass.shares(tagged, by="source")
    assert per_source.groupby("source")["share"].sum().round(12).eq(1).all()
    again = democlass.shares(tagged, seed=7)
    pd.testing.assert_frame_equal(democlass.shares(tagged, seed=7), again)


def test_adjusted_shares_undo_the_measured_errors():
    # the model reads half of the true 'use' units as 'none' and never errs otherwise;
    # a corpus with 40% use / 60% none is then tagged 20% use / 80% none
    tagged = pd.DataFrame(
        {"source": [f"d{i // 5}" for i in range(100)], "label": ["use"] * 20 + ["none"] * 80}
    )
    predictions = pd.DataFrame(
        {
            "label": ["use"] * 10 + ["none"] * 10,
            "predicted": ["use"] * 5 + ["none"] * 5 + ["none"] * 10,
            "group": [str(i) for i in range(20)],
            "weight": 1.0,
        }
    )
    validation = Validation(
        n=20, accuracy=0.75, macro_f1=0, kappa=0, alpha=0, per_label=pd.DataFrame(),
        confusion=pd.DataFrame(), intervals={}, predictions=predictions,
    )  # fmt: skip
    out = democlass.shares(tagged, validation=validation).set_index("label")
    assert out.loc["use", "share"] == pytest.approx(0.2)
    assert out.loc["use", "adjusted"] == pytest.approx(0.4)
    assert out.loc["none", "adjusted"] == pytest.approx(0.6)
    assert out["adjusted"].sum() == pytest.approx(1.0)
    assert (out["adjusted"] >= 0).all()
    assert out.loc["use", "adjusted_high"] > out.loc["use", "high"]  # errors add uncertainty


def test_sampling_weights_count_a_coded_unit_for_the_units_it_stands_for():
    tagged = pd.DataFrame({"id": range(10), "label": ["use"] * 3 + ["none"] * 7})

    def validation(labels, predicted, weight):
        predictions = pd.DataFrame(
            {"label": labels, "predicted": predicted, "weight": weight,
             "group": [str(i) for i in range(len(labels))]}
        )  # fmt: skip
        return Validation(
            n=len(labels), accuracy=0, macro_f1=0, kappa=0, alpha=0, per_label=pd.DataFrame(),
            confusion=pd.DataFrame(), intervals={}, predictions=predictions,
        )  # fmt: skip

    weighted = validation(["use", "use", "none"], ["use", "none", "none"], [1.0, 3.0, 1.0])
    repeated = validation(["use"] + ["use"] * 3 + ["none"], ["use"] + ["none"] * 3 + ["none"], 1.0)
    a = democlass.shares(tagged, validation=weighted)["adjusted"]
    b = democlass.shares(tagged, validation=repeated)["adjusted"]
    np.testing.assert_allclose(a, b)
    partly = validation(["use", "use", "none"], ["use", "none", "none"], [1.0, np.nan, 1.0])
    with pytest.warns(UserWarning, match="no sampling weight"):
        democlass.shares(tagged, validation=partly)


def test_shares_validates_a_coded_sample_itself(coded, seeds):
    tagged = democlass.tag_documents([Path(p).read_text(encoding="utf-8") for p in seeds])
    direct = democlass.shares(tagged, validation=democlass.validate(coded))
    pd.testing.assert_frame_equal(democlass.shares(tagged, validation=coded), direct)
    assert {"adjusted", "adjusted_low", "adjusted_high"} <= set(direct.columns)


def test_sample_from_a_table_of_documents_names_each_row(tmp_path):
    table = tmp_path / "articles.csv"
    pd.DataFrame(
        {"url": ["u1", "u2"], "body": [f"{ROWS['use']}\n\n{ROWS['none']}", ROWS["governance"]]}
    ).to_csv(table, index=False)
    s = democlass.sample([str(table)], n=3, text_column="body", id_column="url")
    assert s["source"].tolist() == [f"{table}[u1]", f"{table}[u1]", f"{table}[u2]"]
    assert s["position"].tolist() == [1, 2, 1]
    assert s["next"].tolist() == [ROWS["none"], "", ""]
