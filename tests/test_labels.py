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
    seed_rows = labels[~labels["source"].isin(["authored", "article"])]
    assert set(seed_rows["source"]) == {p.stem for p in seeds}


def test_no_near_duplicates_anywhere(labels):
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer().fit_transform(labels["text"])
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, 0.0)
    i, j = np.nonzero(np.triu(similarity) >= 0.9)
    authored = (labels["source"] == "authored").to_numpy()
    docs = labels["doc"].to_numpy()
    texts = labels["text"].to_numpy()
    # two authored paragraphs alike are a duplicate to remove, however short
    assert [(a, b) for a, b in zip(i, j, strict=True) if authored[a] and authored[b]] == []
    # documents repeat structure ("## Abstract", "Read more", a byline and the
    # author's bio) and link to each other ("Read more: <another article's
    # headline>"): a short unit, a repeat within one document, or a headline
    # quoted in a link is what the documents say; any other long unit repeated
    # in another document is a duplicate
    headline = np.array([t.startswith("#") for t in texts])
    pairs = [
        (labels["id"].iloc[a], labels["id"].iloc[b])
        for a, b in zip(i, j, strict=True)
        if docs[a] != docs[b]
        and max(len(texts[a]), len(texts[b])) >= 60
        and not (headline[a] or headline[b])
    ]
    assert pairs == []


def test_ids_are_stable_and_well_formed(labels):
    assert labels["id"].str.fullmatch(r"(\d{3}-\d{4}|authored-\d{4}|art-[a-z]-?\d{3}-\d{2})").all()
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


def test_every_written_article_appears_unit_by_unit_in_order(labels):
    """Each article in data/articles/ is split again and compared with its rows."""
    folder = Path(__file__).resolve().parents[1] / "data" / "articles"
    files = sorted(folder.glob("*.md"))
    articles = labels[labels["source"] == "article"]
    assert len(files) == articles["doc"].nunique() >= 200
    assert len(articles) >= 2500
    for path in files:
        rows = articles[articles["doc"] == path.stem]
        units = democlass.split_paragraphs(path.read_text(encoding="utf-8"))
        assert rows["text"].tolist() == [u.text for u in units], path.name
        assert rows["position"].tolist() == list(range(1, len(units) + 1))
    registers = dict(csv.reader((folder / "registers.csv").open(encoding="utf-8")))
    assert set(articles["doc"]) <= set(registers)
    assert len({registers[d] for d in articles["doc"].unique()}) >= 12


def test_held_out_articles_are_apart_from_the_training_data(labels):
    heldout = load_labels(Path(__file__).resolve().parents[1] / "data" / "heldout-articles.csv")
    assert heldout["doc"].nunique() >= 40 and len(heldout) >= 500
    assert not set(heldout["doc"]) & set(labels["doc"])
    assert not set(heldout["text"].str.lower()) & set(labels["text"].str.lower()) - {
        t
        for t in heldout["text"].str.lower()
        if len(t) < 60  # furniture may repeat
    }


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("a", "1"), ("a", "3")], "row 3, column 'position': expected 2"),
        ([("a", "1"), ("b", "1"), ("a", "2")], "row 4, column 'doc': document 'a' continues"),
        ([("a", "2")], "row 2, column 'position': expected 1"),
        ([("a", "x")], "row 2, column 'position': expected 1"),
        ([(" ", "1")], "row 2, column 'doc': empty document id"),
    ],
)
def test_documents_must_be_whole_and_in_order(tmp_path, rows, expected):
    path = tmp_path / "docs.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "source", "doc", "position", "text", "label", "secondary", "note"])
        for n, (doc, position) in enumerate(rows):
            writer.writerow([f"r{n}", "s", doc, position, "Some text.", "none", "", ""])
    with pytest.raises(LabelsError, match=expected.replace("(", r"\(")):
        load_labels(path)


def test_a_file_without_documents_makes_each_row_its_own(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text(
        "id,source,text,label,secondary,note\nr1,s,One.,none,,\nr2,s,Two.,use,,\n",
        encoding="utf-8",
    )
    frame = load_labels(path)
    assert frame["doc"].tolist() == ["r1", "r2"] and frame["position"].tolist() == [1, 1]
