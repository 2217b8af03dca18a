"""Reading a unit in its document: the array path, the API and the command."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import democlass
import democlass.frozen
from democlass.cli import main
from democlass.evaluate import model_input

JURY = [
    "Who decides on face recognition?",
    "They met on six Saturdays.",
    "It will advise the council before the vote in March.",
]


@pytest.fixture(scope="module")
def frozen(fitted):
    return fitted.freeze()


def test_array_path_in_context_equals_sklearn(fitted, frozen, labels):
    # articles and seeds: many documents of many units, read in context
    rows = labels[labels["doc"].map(labels["doc"].value_counts()) > 1].iloc[:3000]
    cols = [list(fitted.classes_).index(c) for c in frozen.classes]
    expected = fitted.predict_proba(model_input(rows))[:, cols]
    got = frozen.predict_proba(rows["text"].tolist(), documents=rows["doc"].tolist())
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_documents_cut_by_batches_score_as_whole(frozen, labels, monkeypatch):
    rows = labels[labels["source"] == "article"].iloc[:400]
    texts, docs = rows["text"].tolist(), rows["doc"].tolist()
    whole = frozen.predict_proba(texts, documents=docs)
    monkeypatch.setattr(democlass.frozen, "BATCH_CHARS", 150)  # a batch every unit or two
    np.testing.assert_allclose(frozen.predict_proba(texts, documents=docs), whole, atol=1e-12)


def test_a_text_alone_is_its_own_document(frozen, labels):
    texts = labels["text"].iloc[:200].tolist()
    np.testing.assert_allclose(
        frozen.predict_proba(texts, documents=list(range(200))),
        frozen.predict_proba(texts),
        atol=1e-12,
    )


def test_the_built_in_model_reads_a_unit_in_its_document():
    frame = pd.DataFrame({"doc": ["a"] * 3, "text": JURY})
    alone = democlass.tag(frame, text_column="text")["label"].tolist()
    in_context = democlass.tag(frame, text_column="text", document_column="doc")
    assert in_context["label"].tolist() == ["governance"] * 3
    assert alone[1] == "none"  # the panel's Saturdays say nothing of a form alone
    assert in_context.index.equals(frame.index)


def test_rows_of_a_document_must_be_together():
    frame = pd.DataFrame({"doc": ["a", "b", "a"], "text": ["x y", "y z", "z w"]})
    with pytest.raises(ValueError, match="rows of document 'a' are not consecutive"):
        democlass.tag(frame, document_column="doc")
    with pytest.raises(KeyError, match="no column 'article'"):
        democlass.tag(frame, document_column="article")


def test_tag_documents_gives_paragraph_rows_with_offsets():
    text = "# Residents to advise on face recognition\n\n" + "\n\n".join(JURY)
    rows = democlass.tag_documents([text, None, ""], level="paragraph")
    assert list(rows.columns[:5]) == ["id", "paragraph", "start", "end", "text"]
    assert rows["id"].tolist() == [0] * 4
    for row in rows.itertuples():
        assert " ".join(text[row.start : row.end].split()) == row.text
    units = pd.DataFrame({"doc": 0, "text": rows["text"]})
    expected = democlass.tag(units, document_column="doc")
    assert rows["label"].tolist() == expected["label"].tolist()
    alone = democlass.tag_documents([text], context=False)
    assert alone["label"].tolist() == democlass.tag(rows["text"].tolist())["label"].tolist()


def test_tag_documents_at_document_level_keeps_every_document_in_order():
    docs = pd.Series(["\n\n".join(JURY), None, "The chip is faster."], index=["x", "y", "z"])
    out = democlass.tag_documents(docs, level="document")
    assert out["id"].tolist() == ["x", "y", "z"]
    assert out["paragraphs"].tolist() == [3, 0, 1]
    assert out.loc[0, "share_governance"] == pytest.approx(1.0)
    assert np.isnan(out.loc[1, "share_none"]) and out.loc[1, "dominant"] is None
    frame = pd.DataFrame({"url": ["u1", "u2"], "body": ["\n\n".join(JURY), "Open weights."]})
    by_id = democlass.tag_documents(frame, text_column="body", id_column="url", level="document")
    assert by_id["id"].tolist() == ["u1", "u2"]
    with pytest.raises(ValueError, match="level must be"):
        democlass.tag_documents(["x"], level="sentence")


def run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_command_reads_context_unless_told_not_to(tmp_path, capsys):
    path = tmp_path / "jury.txt"
    path.write_text("\n\n".join(JURY), encoding="utf-8")
    code, out, _ = run(["tag", str(path), "-q"], capsys)
    in_context = pd.read_csv(io.StringIO(out))
    code2, out2, _ = run(["tag", str(path), "-q", "--no-context"], capsys)
    alone = pd.read_csv(io.StringIO(out2))
    assert code == code2 == 0
    assert in_context["label"].tolist() == ["governance"] * 3
    assert alone["label"].tolist()[1] == "none"
    code, out, _ = run(["tag", str(path), "-q", "--level", "document"], capsys)
    summary = pd.read_csv(io.StringIO(out))
    expected = democlass.tag_documents([path.read_text(encoding="utf-8")], level="document")
    assert summary["share_governance"].tolist() == pytest.approx(
        expected["share_governance"].tolist()
    )


def test_jobs_and_pieces_do_not_change_context(tmp_path, capsys, monkeypatch, labels):
    import democlass.batch

    folder = tmp_path / "docs"
    folder.mkdir()
    articles = labels[labels["source"] == "article"]
    for doc, rows in list(articles.groupby("doc", sort=False))[:30]:
        (folder / f"{doc}.md").write_text("\n\n".join(rows["text"]), encoding="utf-8")
    _, one, _ = run(["tag", str(folder), "-q"], capsys)
    _, two, _ = run(["tag", str(folder), "-q", "--jobs", "2"], capsys)
    assert one == two
    # pieces end between documents, so labels stay the same
    monkeypatch.setattr(democlass.batch, "PIECE_PARAGRAPHS", 30)  # articles have at most 25
    _, pieces, _ = run(["tag", str(folder), "-q"], capsys)
    assert pieces == one
