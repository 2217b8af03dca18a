"""The democlass command, called in-process (like skops' CLI tests) and by subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import democlass
from democlass import batch
from democlass.cli import main

GOOD_TXT = (
    "Citizens will vote on whether the city may use face recognition.\n"
    "The model weights are free to download and fine-tune.\n"
)
GOOD_MD = "# Sharing the windfall\n\nHalf of the profits above the cap fund a dividend for all.\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder with the mess real collections contain."""
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(GOOD_TXT, encoding="utf-8")
    (root / "sub" / "b.md").write_text(GOOD_MD, encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (root / "latin1.txt").write_bytes("Caf\xe9 owners use a free chatbot.".encode("latin-1"))
    (root / "big.txt").write_text(("Open weights let anyone study the model. " * 50 + "\n") * 2600)
    (root / "ignored.csv").write_text("text\nnot read from folders\n")
    return root


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_folder_with_faults_tags_the_good_files_and_reports_the_bad(corpus, capsys):
    code, out, err = run(["tag", str(corpus), "--text"], capsys)
    assert code == 1
    frame = pd.read_csv(io.StringIO(out))
    sources = list(dict.fromkeys(frame["source"]))
    assert sources == [str(corpus / "a.txt"), str(corpus / "big.txt"), str(corpus / "sub" / "b.md")]
    first = frame[frame["source"] == str(corpus / "a.txt")]
    assert first["label"].tolist() == ["governance", "development"]
    assert first["paragraph"].tolist() == [1, 2]
    assert GOOD_TXT[first["start"].iloc[1] : first["end"].iloc[1]] == first["text"].iloc[1]
    assert (frame["source"] == str(corpus / "big.txt")).sum() == 2600
    assert f"skipped {corpus / 'binary.txt'}: binary file" in err
    assert f"skipped {corpus / 'latin1.txt'}: not UTF-8 (byte 0xe9" in err
    assert "empty.txt" not in err  # an empty file is read fine and has no paragraphs
    assert "4 documents, 2604 paragraphs, 2 failures" in err


def test_document_level(corpus, capsys):
    code, out, _ = run(
        ["tag", str(corpus / "a.txt"), str(corpus / "sub"), "--level", "document"], capsys
    )
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert frame["source"].tolist() == [str(corpus / "a.txt"), str(corpus / "sub" / "b.md")]
    a = frame.iloc[0]
    assert a["paragraphs"] == 2
    assert a["share_governance"] == 0.5 and a["share_development"] == 0.5
    assert a["form_share_governance"] == 0.5
    assert frame.iloc[1]["dominant"] == "profits"


def test_output_file_formats_follow_the_extension(corpus, tmp_path, capsys):
    for suffix, reader in (
        ("csv", pd.read_csv),
        ("parquet", pd.read_parquet),
        ("jsonl", lambda p: pd.read_json(p, lines=True)),
    ):
        out = tmp_path / f"tags.{suffix}"
        code, stdout, _ = run(["tag", str(corpus / "a.txt"), "-o", str(out), "--quiet"], capsys)
        assert code == 0 and stdout == ""
        assert reader(out)["label"].tolist() == ["governance", "development"]
    forced = tmp_path / "tags.out"
    run(["tag", str(corpus / "a.txt"), "-o", str(forced), "--format", "jsonl", "-q"], capsys)
    assert json.loads(forced.read_text().splitlines()[0])["label"] == "governance"


def test_tables_are_tagged_row_by_row(tmp_path, capsys):
    table = tmp_path / "news.csv"
    pd.DataFrame(
        {
            "url": ["u1", "u2", "u3"],
            "body": [GOOD_TXT, None, "Profits above the cap fund a dividend for every citizen."],
        }
    ).to_csv(table, index=False)
    code, out, err = run(["tag", str(table), "--text-column", "body", "--id-column", "url"], capsys)
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert frame["row"].tolist() == ["u1", "u1", "u3"]  # the missing cell has no paragraphs
    code, out, _ = run(["tag", str(table), "--text-column", "body", "--no-split", "-q"], capsys)
    assert pd.read_csv(io.StringIO(out))["paragraph"].tolist() == [1, 1]


def test_unknown_text_column_is_a_usage_error_naming_the_columns(tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("url,body\nu,some text\n")
    code, _, err = run(["tag", str(table)], capsys)
    assert code == 2
    assert "no text column 'text'" in err and "url, body" in err and "--text-column" in err


def test_usage_errors_exit_2(tmp_path, capsys):
    assert run(["tag", str(tmp_path / "nothing-*.txt")], capsys)[0] == 2
    with pytest.raises(SystemExit) as exc:
        main(["tag", "--no-such-option", "x"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["tag", "x", "--min-confidence", "3"])
    assert exc.value.code == 2


def test_missing_file_is_a_failure_not_a_crash(tmp_path, capsys):
    code, _, err = run(["tag", str(tmp_path / "gone.txt")], capsys)
    assert code == 1 and "no such file" in err


def test_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GOOD_TXT.encode())))
    code, out, _ = run(["tag", "-", "-q"], capsys)
    assert code == 0
    assert pd.read_csv(io.StringIO(out))["source"].tolist() == ["<stdin>", "<stdin>"]


def test_jobs_give_the_same_rows_in_the_same_order(corpus, capsys):
    _, one, _ = run(["tag", str(corpus), "-q"], capsys)
    docs = batch.read_inputs([str(corpus)]).documents
    chunks = batch.tag_documents(docs, jobs=2, chunk_size=1)
    two = pd.concat([c.output for c in chunks], ignore_index=True)
    assert one == batch.render_csv(two, True, text=False, rows=False)
    _, cli_two, _ = run(["tag", str(corpus), "-q", "--jobs", "2"], capsys)
    assert cli_two == one


def interrupt_after_first_chunk(monkeypatch, exc):
    """Tag one document per chunk and fail while rendering the second chunk,
    after the first chunk has been written."""
    tag_documents, render_csv = batch.tag_documents, batch.render_csv
    calls = []

    def render(frame, first, **kwargs):
        calls.append(first)
        if len(calls) == 2:
            raise exc
        return render_csv(frame, first, **kwargs)

    monkeypatch.setattr(batch, "render_csv", render)
    monkeypatch.setattr(
        batch, "tag_documents", lambda docs, **kw: tag_documents(docs, **{**kw, "chunk_size": 1})
    )
    return calls


def test_an_interrupted_write_leaves_no_file(corpus, tmp_path, monkeypatch, capsys):
    target = tmp_path / "out.csv"
    calls = interrupt_after_first_chunk(monkeypatch, KeyboardInterrupt())
    code, _, err = run(["tag", str(corpus), "-o", str(target)], capsys)
    assert len(calls) == 2
    assert code == 130 and "no output was written" in err
    assert not target.exists()
    assert list(tmp_path.glob(".out.csv.*")) == []


def test_an_interrupted_write_keeps_the_old_file(corpus, tmp_path, monkeypatch, capsys):
    target = tmp_path / "out.csv"
    target.write_text("previous results\n")
    interrupt_after_first_chunk(monkeypatch, OSError(28, "No space left on device"))
    code, _, err = run(["tag", str(corpus), "-o", str(target)], capsys)
    assert code == 1  # the run failed midway, which is not a usage error
    assert "Traceback" not in err
    assert f"cannot write {target}: No space left on device; the previous file is unchanged" in err
    assert target.read_text() == "previous results\n"
    assert list(tmp_path.glob(".out.csv.*")) == []


def test_a_failed_parquet_write_leaves_no_file(corpus, tmp_path, monkeypatch, capsys):
    target = tmp_path / "out.parquet"

    def explode(frame, stream, fmt):
        stream.write(b"PAR1 partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(batch, "_write", explode)
    code, _, err = run(["tag", str(corpus / "a.txt"), "-o", str(target)], capsys)
    assert code == 1 and "No space left on device; nothing was written" in err
    assert not target.exists() and list(tmp_path.glob(".out.parquet.*")) == []


def test_split_explain_and_version(corpus, capsys):
    code, out, _ = run(["tag", str(corpus / "a.txt"), "-q"], capsys)
    assert "text" not in pd.read_csv(io.StringIO(out)).columns
    code, out, _ = run(["split", str(corpus / "sub" / "b.md")], capsys)
    assert code == 0
    assert pd.read_csv(io.StringIO(out))["text"].tolist() == [
        "# Sharing the windfall",
        "Half of the profits above the cap fund a dividend for all.",
    ]
    code, out, _ = run(
        ["explain", "Open weights let anyone fine-tune the model.", "--top", "3"], capsys
    )
    assert code == 0 and out.startswith("label: development")
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"democlass {democlass.__version__}"


def test_train_and_use_a_model_file(tmp_path, capsys):
    labels = democlass.load_labels()
    # rows picked from many documents: each is kept as a document of its own
    small = labels.groupby("label", group_keys=False).head(30).drop(columns=["doc", "position"])
    path = tmp_path / "small.csv"
    small.to_csv(path, index=False)
    code, _, err = run(["train", "--labels", str(path), "-o", str(tmp_path / "m.npz")], capsys)
    assert code == 0 and "saved a model" in err
    code, out, _ = run(["tag", str(path), "--model", str(tmp_path / "m.npz"), "-q"], capsys)
    assert code == 0 and len(pd.read_csv(io.StringIO(out))) >= len(small)
    (tmp_path / "bad.npz").write_bytes(b"not a model")
    code, _, err = run(["tag", str(path), "--model", str(tmp_path / "bad.npz")], capsys)
    assert code == 2 and "not a democlass model" in err


def test_console_script_and_module_run_as_subprocesses(corpus):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    for cmd in (["democlass"], [sys.executable, "-m", "democlass"]):
        done = subprocess.run(
            [*cmd, "tag", str(corpus / "a.txt"), "--level", "document"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert "share_governance" in done.stdout.splitlines()[0]
        assert "1 documents, 2 paragraphs, 0 failures" in done.stderr


def test_progress_bar_only_on_a_terminal_and_not_when_quiet(corpus, tmp_path, capsys, monkeypatch):
    out = str(tmp_path / "o.csv")
    _, _, err = run(["tag", str(corpus), "-o", out], capsys)
    assert "doc/s" not in err and "| " not in err  # stderr is not a terminal here

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    _, _, err = run(["tag", str(corpus), "-o", out], capsys)
    assert "100%" in err and "6/6" in err and "paragraphs=2604" in err
    _, _, err = run(["tag", str(corpus), "-o", out, "--quiet"], capsys)
    assert err.count("skipped") == 2 and "100%" not in err
