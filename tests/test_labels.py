"""The labelled dataset: coverage of the seeds, minimums, no near-duplicates, validation."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import democlass
from democlass import LabelsError, load_labels

MINIMUMS = {"use": 150, "development": 150, "profits": 150, "governance": 150, "none": 200}


def test_packaged_labels_meet_the_minimums(labels):
    counts = labels["label"].value_counts()
    for label, minimum in MINIMUMS.items():
        assert counts.get(label, 0) >= minimum, f"{label}: {counts.get(label, 0)} < {minimum}"


def test_authored_rows_cover_every_label(labels):
    authored = labels[labels["source"] == "authored"]
    assert set(authored["label"]) == set(democlass.LABELS)


def test_every_seed_unit_appears_exactly_once_in_order(labels, seeds_dir):
    seeds = sorted(seeds_dir.glob("*.txt"))
    assert len(seeds) == 5
    for path in seeds:
        units = democlass.split_paragraphs(path.read_text(encoding="utf-8"))
        rows = labels[labels["source"] == path.stem]
        assert rows["text"].tolist() == [u.text for u in units], path.name
        assert rows["id"].tolist() == [f"{path.stem[:3]}-{i:04d}" for i in range(1, len(units) + 1)]
    seed_rows = labels[labels["source"] != "authored"]
    assert set(seed_rows["source"]) == {p.stem for p in seeds}


def test_no_near_duplicates_anywhere(labels):
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer().fit_transform(labels["text"])
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, 0.0)
    i, j = np.nonzero(np.triu(similarity) >= 0.9)
    authored = (labels["source"] == "authored").to_numpy()
    # a seed document repeating its own heading ("Goals", "Methods") is what the
    # document says; any pair involving an authored row is a duplicate to remove
    pairs = [
        (labels["id"].iloc[a], labels["id"].iloc[b])
        for a, b in zip(i, j, strict=True)
        if authored[a] or authored[b]
    ]
    assert pairs == []
    # the seeds' own repeats are short headings such as "## 4.1 Goals"
    repeats = [labels["text"].iloc[a] for a, b in zip(i, j, strict=True)]
    assert all(len(text) < 60 for text in repeats)


def test_ids_are_stable_and_well_formed(labels):
    assert labels["id"].str.fullmatch(r"(\d{3}-\d{4}|authored-\d{4})").all()
    authored = labels.loc[labels["source"] == "authored", "id"]
    assert (authored.str.startswith("authored-")).all()


def test_labels_available_from_another_directory(tmp_path):
    code = "import democlass; print(len(democlass.load_labels()))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert int(out.stdout) > 1000


# --- validation -----------------------------------------------------------------

HEADER = ["id", "source", "text", "label", "secondary", "note"]
GOOD = ["authored-0001", "authored", "A free app for farmers.", "use", "", ""]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_valid_file_loads_with_every_row(tmp_path):
    second = ["authored-0002", "authored", "Open weights.", "development", "use", "why"]
    frame = load_labels(write(tmp_path / "ok.csv", [GOOD, second]))
    assert frame["id"].tolist() == ["authored-0001", "authored-0002"]
    assert frame.loc[1, "secondary"] == "use"


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        (
            ["authored-0001", "authored", "x", "use", "", ""],
            r"row 3, column 'id'.*duplicate.*row 2",
        ),
        (["authored-0002", "authored", "x", "usage", "", ""], r"row 3, column 'label'.*'usage'"),
        (["authored-0002", "authored", "  ", "use", "", ""], r"row 3, column 'text'.*empty"),
        (
            ["authored-0002", "authored", "x", "use", "use", ""],
            r"row 3, column 'secondary'.*repeats",
        ),
        (
            ["authored-0002", "authored", "x", "use", "profit", ""],
            r"row 3, column 'secondary'.*'profit'",
        ),
        (
            ["authored-0002", "authored", "x", "use", "none", ""],
            r"row 3, column 'secondary'.*'none'",
        ),
        (["", "authored", "x", "use", "", ""], r"row 3, column 'id'.*empty"),
    ],
)
def test_bad_rows_are_named(tmp_path, bad_row, expected):
    path = write(tmp_path / "bad.csv", [GOOD, bad_row])
    with pytest.raises(LabelsError, match=expected):
        load_labels(path)


def test_missing_column_is_named(tmp_path):
    header = ["id", "source", "text", "secondary"]
    path = write(tmp_path / "bad.csv", [["a", "b", "c", ""]], header=header)
    with pytest.raises(LabelsError, match="missing column.*'label'"):
        load_labels(path)


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\na,b,caf\xe9,use,,\n")
    with pytest.raises(LabelsError, match="not UTF-8"):
        load_labels(path)


def test_ragged_csv_is_refused(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(",".join(HEADER) + "\na,b,c\n", encoding="utf-8")
    with pytest.raises(LabelsError, match="row 2 has 3 fields"):
        load_labels(path)


def test_missing_file_is_a_labels_error(tmp_path):
    with pytest.raises(LabelsError, match="cannot read"):
        load_labels(tmp_path / "nope.csv")


def test_validation_runs_on_the_packaged_file_from_any_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert os.getcwd() == str(tmp_path)
    assert len(load_labels()) > 1000
