"""``democlass explain`` from the command line: its arguments, standard input,
and texts the model knows nothing about."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from democlass.cli import main


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("text", ["", "   ", "zzqx qqzx"])
def test_a_text_with_no_known_term_prints_no_infinite_margin(text, capsys):
    code, out, err = run(["explain", text], capsys)
    assert code == 0 and err == ""
    assert out.startswith("label: none") and "vocabulary" in out
    assert "inf" not in out and "nan" not in out and "runner-up" not in out


def test_a_known_text_prints_label_runner_up_and_terms(capsys):
    code, out, _ = run(
        ["explain", "Open weights let anyone fine-tune the model.", "--top", "2"], capsys
    )
    first, *rows = out.splitlines()
    assert code == 0 and first.startswith("label: development   runner-up: ")
    assert rows[0].split() == ["term", "weight", "favours"] and 1 <= len(rows) - 1 <= 4


@pytest.mark.parametrize("top", ["-1", "0", "2.5", "many"])
def test_a_bad_top_is_a_usage_error(top, capsys):
    with pytest.raises(SystemExit) as info:
        main(["explain", "Open weights.", "--top", top])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --top: {top!r} is not a" in err or f"argument --top: {top} is not a" in err


def test_standard_input_is_read_as_utf8(monkeypatch, capsys):
    data = "Open weights – anyone may fine-tune the model.".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(["explain", "-"], capsys)
    assert code == 0 and out.startswith("label: development")


def test_standard_input_that_is_not_utf8_is_a_failure_without_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "democlass", "explain", "-"],
        input=b"caf\xe9 \x81 not utf-8",  # no byte-order mark, so no UTF-16 either
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.decode().startswith("democlass: skipped <stdin>: ")
    assert b"Traceback" not in proc.stderr
