"""The analyst's commands: sample, validate, train on your labels, shares; and the
messages a new user met, each made clear."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

import democlass
from democlass.cli import main


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def coded_csv(tmp_path_factory):
    """A hand-coded sample with only text,label: 40 held-out rows never trained on."""
    path = tmp_path_factory.mktemp("coded") / "coded.csv"
    dev2 = pd.read_csv(
        Path(__file__).resolve().parents[1] / "data" / "dev2.csv", dtype=str, keep_default_na=False
    )
    dev2.sample(40, random_state=1)[["text", "label"]].to_csv(path, index=False)
    return path


def test_sample_writes_rows_with_context_and_empty_labels(seeds_dir, tmp_path, capsys):
    out = tmp_path / "s.csv"
    argv = ["sample", str(seeds_dir), "-n", "40", "--seed", "1", "-o", str(out)]
    code, _, err = run(argv, capsys)
    assert code == 0 and "40 units to code" in err
    s = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(s) == 40
    assert {"id", "source", "position", "previous", "text", "next"} <= set(s.columns)
    assert (s[["label", "secondary", "note"]] == "").all().all()
    assert "predicted" not in s.columns
    code, out_, _ = run(["sample", str(seeds_dir), "-n", "5", "--show-predictions"], capsys)
    shown = pd.read_csv(io.StringIO(out_))
    assert code == 0 and shown["predicted"].isin(democlass.LABELS).all()


def test_validate_json_has_the_keys_and_scikit_learns_kappa(coded_csv, capsys):
    code, out, _ = run(["validate", str(coded_csv), "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    for key in ("n", "accuracy", "macro_f1", "kappa", "alpha", "per_label", "confusion"):
        assert key in result
    assert set(result["intervals"]) == {"accuracy", "macro_f1", "kappa", "alpha"}
    coded = pd.read_csv(coded_csv)
    predicted = democlass.predict(coded["text"].tolist())
    assert result["n"] == len(coded)
    assert result["kappa"] == pytest.approx(cohen_kappa_score(coded["label"], predicted))
    code, out, _ = run(["validate", str(coded_csv)], capsys)
    assert code == 0 and "Cohen's kappa" in out and "Krippendorff's alpha" in out


def test_validate_names_bad_input_without_a_traceback(coded_csv, tmp_path, capsys):
    code, _, err = run(["validate", str(tmp_path / "absent.csv")], capsys)
    assert code == 2 and "absent.csv" in err and "Traceback" not in err
    code, _, err = run(["validate", str(coded_csv), "--label-column", "code"], capsys)
    assert code == 2 and "no label column 'code'" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nOpen weights.,developmnt\n", encoding="utf-8")
    code, _, err = run(["validate", str(bad)], capsys)
    assert code == 2 and "row 2, column 'label'" in err


def test_train_on_forty_text_label_rows_with_the_builtin_ones(coded_csv, tmp_path, capsys):
    model = tmp_path / "m.npz"
    code, _, err = run(
        ["train", "--labels", str(coded_csv), "--with-builtin", "-o", str(model)], capsys
    )
    assert code == 0, err
    assert "warning" not in err  # with the built-in rows no label is short of rows
    trained = democlass.load(model)
    assert trained.info["n_rows"] == 40 + len(democlass.load_labels())
    code, _, err = run(["train", "--labels", str(coded_csv), "-o", str(model)], capsys)
    assert code == 0 and "democlass: warning: few rows for some labels" in err


def test_train_refuses_too_many_folds_as_a_usage_error(coded_csv, tmp_path, capsys):
    code, _, err = run(
        ["train", "--labels", str(coded_csv), "--cv", "50", "-o", str(tmp_path / "m.npz")], capsys
    )
    assert code == 2 and "with 50 folds" in err and "Traceback" not in err
    assert "ask for at most" in err
    assert not (tmp_path / "m.npz").exists()


def test_shares_prints_raw_and_adjusted_with_intervals(seeds_dir, coded_csv, tmp_path, capsys):
    tags = tmp_path / "tags.csv"
    assert main(["tag", str(seeds_dir), "-o", str(tags), "-q"]) == 0
    code, out, _ = run(["shares", str(tags), "--validation", str(coded_csv)], capsys)
    assert code == 0
    header = out.splitlines()[0].split()
    for column in ("share", "low", "high", "adjusted", "adjusted_low", "adjusted_high"):
        assert column in header
    code, out, _ = run(["shares", str(tags), "--by", "source", "--json"], capsys)
    records = json.loads(out)
    sources = {r["source"] for r in records}
    assert code == 0 and len(records) == 5 * len(sources)


def test_a_mistyped_option_suggests_the_closest(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["tag", "x.txt", "--min-confidnce", "0.5"])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "did you mean --min-confidence?" in err and "usage: democlass tag" in err


@pytest.mark.parametrize("value", ["abc", "1.5"])
def test_min_confidence_says_what_is_allowed(value, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["tag", "x.txt", "--min-confidence", value])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "between 0 and 1" in err and "_unit_float" not in err


def test_explain_reads_an_existing_file(tmp_path, capsys):
    text = "The model weights are free to download and fine-tune."
    path = tmp_path / "paragraph.txt"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(["explain", str(path), "--top", "3"], capsys)
    _, direct, _ = run(["explain", text, "--top", "3"], capsys)
    assert code == 0 and out == direct and "explaining the text of the file" in err
    code, _, err = run(["explain", str(tmp_path / "absent.txt")], capsys)
    assert code == 0 and "there is no file" in err


def test_a_unit_of_thousands_of_words_warns_that_splitting_failed(tmp_path, capsys):
    path = tmp_path / "one-block.txt"
    path.write_text("Open weights let anyone study the model. " * 400, encoding="utf-8")
    code, _, err = run(["tag", str(path), "-o", str(tmp_path / "o.csv")], capsys)
    assert code == 0
    assert "democlass: warning: 1 unit(s) of more than 2,000 words" in err
    assert "splitting probably failed" in err
    short = tmp_path / "short.txt"
    short.write_text("Open weights let anyone study the model.\n", encoding="utf-8")
    _, _, err = run(["tag", str(short), "-o", str(tmp_path / "o.csv")], capsys)
    assert "warning" not in err
