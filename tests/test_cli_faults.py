"""The command under hostile inputs, bad output paths and signals (issue 11)."""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from democlass.batch import source_name, source_path
from democlass.cli import main

GOOD = "The model weights are free to download and fine-tune.\n"
GOVERNANCE = "Citizens will vote on whether the city may use face recognition.\n"


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def command(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "democlass", *args], capture_output=True, text=True, **kwargs
    )


# --- defect 1: file names that are not UTF-8 --------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "parquet"])
def test_a_file_name_that_is_not_utf8_is_written_escaped_and_round_trips(
    tmp_path, capsys, suffix
):
    folder = tmp_path / "d"
    folder.mkdir()
    odd = os.path.join(os.fsencode(folder), b"caf\xe9 \\ \xff.txt")
    Path(os.fsdecode(odd)).write_text(GOOD)
    (folder / "ok.txt").write_text(GOVERNANCE)
    out = tmp_path / f"out.{suffix}"
    for level in ("paragraph", "document"):
        code, _, err = run(["tag", str(folder), "-o", str(out), "--level", level], capsys)
        assert code == 0, err
        reader = {"csv": pd.read_csv, "parquet": pd.read_parquet}.get(
            suffix, lambda p: pd.read_json(p, lines=True)
        )
        sources = reader(out)["source"].tolist()
        assert len(sources) == 2 and str(folder / "ok.txt") in sources
        escaped = next(s for s in sources if s != str(folder / "ok.txt"))
        assert escaped.endswith("caf\\xe9 \\\\ \\xff.txt")
        assert os.fsencode(source_path(escaped)) == odd  # the documented way back


def test_an_odd_name_in_a_failure_message_is_escaped_too(tmp_path, capsys):
    bad = Path(os.fsdecode(os.fsencode(tmp_path) + b"/\xff.txt"))
    bad.write_bytes(b"\x00\x01binary")
    code, _, err = run(["tag", str(bad)], capsys)
    assert code == 1 and f"skipped {source_name(str(bad))}: binary file" in err
    assert "\\xff.txt" in err


# --- defect 3: SIGTERM ---------------------------------------------------------------


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/status").exists() and "zombie" not in Path(
        f"/proc/{pid}/status"
    ).read_text()


def descendants(pid: int) -> list[int]:
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            out.append(int(status.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc to find the workers")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_leaves_no_output_no_temp_file_no_worker_and_exits_143(tmp_path, jobs):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(400):
        (folder / f"{i:03d}.txt").write_text((GOOD + GOVERNANCE) * 60)
    out = tmp_path / "out.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "democlass", "tag", str(folder), "-o", str(out), "--jobs", jobs],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.csv.*.part")) and time.monotonic() < deadline:
        time.sleep(0.02)  # wait until the output is being written
    assert list(tmp_path.glob(".out.csv.*.part")), "the run never started writing"
    workers = descendants(proc.pid)
    while jobs == "2" and not workers and time.monotonic() < deadline:
        time.sleep(0.02)  # and, with --jobs 2, until the workers have started
        workers = descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert "Traceback" not in err and "Error" not in err
    assert "terminated; no output was written" in err
    assert not out.exists() and list(tmp_path.glob(".out.csv*")) == []
    if jobs == "2":
        assert workers, "the workers were not found"
    time.sleep(0.5)
    assert [w for w in workers if process_alive(w)] == []


# --- defect 5: CSV rows with the wrong number of fields -------------------------------


def test_a_csv_row_with_an_unquoted_comma_is_a_reported_failure(tmp_path, capsys):
    table = tmp_path / "c.csv"
    table.write_text(
        "id,text\n"
        "1,Open weights, so anyone can fine-tune the model\n"
        f'2,"{GOOD.strip()}"\n'
        "3\n"
    )
    code, out, err = run(["tag", str(table), "--id-column", "id", "--text"], capsys)
    assert code == 1
    frame = pd.read_csv(io.StringIO(out))
    assert frame["row"].tolist() == [2]  # never a made-up id or half a text
    assert f"skipped {table} line 2: expected 2 fields (id, text), found 3" in err
    assert f"skipped {table} line 4: expected 2 fields (id, text), found 1" in err
    assert "1 documents, 1 paragraphs, 2 failures" in err


def test_a_header_one_field_short_is_not_read_as_an_index(tmp_path, capsys):
    table = tmp_path / "c.csv"
    table.write_text("text\nx1,Open weights let anyone study the model.\n")
    code, out, err = run(["tag", str(table), "-q"], capsys)
    assert code == 1 and "line 2: expected 1 fields (text), found 2" in err
    assert out.count("\n") == 1 and out.startswith("source,")  # the header alone


def test_jsonl_text_that_is_not_a_string_is_a_failure(tmp_path, capsys):
    table = tmp_path / "t.jsonl"
    rows = [{"text": GOOD}, {"text": 5}, {"text": ["a", "b"]}, {"text": None}, {"id": 1}]
    table.write_text("\n".join(json.dumps(r) for r in rows) + "\n{not json\n")
    code, out, err = run(["tag", str(table), "-q"], capsys)
    assert code == 1
    assert len(pd.read_csv(io.StringIO(out))) == 1
    for line, what in [
        (2, "text is int 5"),
        (3, "text is list"),
        (4, "text is null"),
        (5, "no 'text' field"),
        (6, "not valid JSON"),
    ]:
        assert f"skipped {table} line {line}: {what}" in err


# --- defect 6: --level document on tables -----------------------------------------------


def test_document_level_tables_keep_every_row_in_input_order(tmp_path, capsys):
    table = tmp_path / "t.csv"
    pd.DataFrame(
        {
            "id": ["b", "", "a", "a", "", "c"],
            "text": [GOOD, GOVERNANCE, GOOD, GOVERNANCE + GOVERNANCE, GOOD, ""],
        }
    ).to_csv(table, index=False)
    code, out, _ = run(["tag", str(table), "--id-column", "id", "--level", "document"], capsys)
    assert code == 0
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert frame["row"].tolist() == ["b", "", "a", "a", "", "c"]
    assert frame["paragraphs"].tolist() == [1, 1, 1, 2, 1, 0]
    # the empty cell stays, with 0 paragraphs and empty shares, so results join back by id
    assert frame["dominant"].tolist() == [
        "development", "governance", "development", "governance", "development", "",
    ]  # fmt: skip
    assert frame.loc[5, "share_none"] == "" and float(frame.loc[3, "share_governance"]) == 1


# --- defect 7: file modes ------------------------------------------------------------------


def test_output_respects_the_umask_and_keeps_an_existing_mode(tmp_path, capsys):
    doc = tmp_path / "a.txt"
    doc.write_text(GOOD)
    old = os.umask(0o027)
    try:
        for fmt in ("csv", "parquet"):
            new = tmp_path / f"new.{fmt}"
            assert run(["tag", str(doc), "-o", str(new), "-q"], capsys)[0] == 0
            assert stat.S_IMODE(new.stat().st_mode) == 0o640
        kept = tmp_path / "kept.csv"
        kept.write_text("old\n")
        kept.chmod(0o604)
        assert run(["tag", str(doc), "-o", str(kept), "-q"], capsys)[0] == 0
        assert stat.S_IMODE(kept.stat().st_mode) == 0o604 and "label" in kept.read_text()
    finally:
        os.umask(old)


# --- defect 10: output-path faults ----------------------------------------------------------


def test_output_paths_that_cannot_be_written_are_one_line_and_exit_2(tmp_path, capsys):
    doc = tmp_path / "a.txt"
    doc.write_text(GOOD)
    (tmp_path / "file").write_text("")
    (tmp_path / "folder.csv").mkdir()
    cases = {
        tmp_path / "missing" / "o.csv": "no such folder",
        tmp_path / "file" / "o.csv": "is not a folder",
        tmp_path / "folder.csv": "it is a folder",
    }
    for target, reason in cases.items():
        for cmd in (["tag", str(doc)], ["split", str(doc)], ["tag", str(doc), "--jobs", "2"]):
            code, out, err = run([*cmd, "-o", str(target)], capsys)
            assert code == 2 and out == ""
            assert err.startswith(f"democlass: error: cannot write {target}: ") and reason in err
            assert err.count("\n") == 1
    code, _, err = run(["train", "-o", str(tmp_path / "missing" / "m.npz")], capsys)
    assert code == 2 and err.count("\n") == 1 and "no such folder" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_that_is_not_writable_is_a_usage_error(tmp_path, capsys):
    doc = tmp_path / "a.txt"
    doc.write_text(GOOD)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, _, err = run(["tag", str(doc), "-o", str(locked / "o.csv")], capsys)
    assert code == 2 and "permission denied" in err


def test_closed_or_full_standard_output(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(GOOD)
    shell = f'"{sys.executable}" -m democlass tag "{doc}" >&-'
    closed = subprocess.run(shell, shell=True, stderr=subprocess.PIPE, text=True)
    assert closed.returncode == 2
    assert closed.stderr == "democlass: error: standard output is closed; give -o FILE\n"
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [sys.executable, "-m", "democlass", "tag", str(doc), "-q"],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
            )
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "cannot write to standard output: No space left on device" in done.stderr


# --- smaller input faults -------------------------------------------------------------------


def test_utf16_with_a_byte_order_mark_is_read(tmp_path, capsys):
    for codec in ("utf-16", "utf-16-be", "utf-32"):
        path = tmp_path / f"{codec}.txt"
        bom = {"utf-16-be": b"\xfe\xff"}.get(codec, b"")
        path.write_bytes(bom + GOVERNANCE.encode(codec))
        code, out, err = run(["tag", str(path), "-q"], capsys)
        assert code == 0, err
        assert pd.read_csv(io.StringIO(out))["label"].tolist() == ["governance"]
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\xff\xfe" + b"a\x00" * 3 + b"\x00\xd8")  # a lone surrogate
    code, _, err = run(["tag", str(broken)], capsys)
    assert code == 1 and "UTF-16 byte-order mark but is not UTF-16" in err


def test_nothing_to_tag_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "x.txt").mkdir()
    (tmp_path / "only-other").mkdir()
    (tmp_path / "only-other" / "notes.pdf").write_bytes(b"%PDF")
    for arg in ("empty", "x.txt", "only-other"):
        code, out, err = run(["tag", str(tmp_path / arg)], capsys)
        assert code == 2 and out == "" and "no .txt or .md files in the folder" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_and_broken_links_in_a_folder_are_reported_and_never_block(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD)
    os.mkfifo(folder / "pipe.txt")
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    (folder / "loop.md").symlink_to(folder / "loop.md")
    done = command("tag", str(folder), timeout=60)  # a FIFO read would wait for ever
    assert done.returncode == 1
    assert f"skipped {folder / 'pipe.txt'}: not a regular file but a named pipe (FIFO)" in (
        done.stderr
    )
    assert f"skipped {folder / 'dangling.txt'}: broken symbolic link" in done.stderr
    assert f"skipped {folder / 'loop.md'}: Too many levels of symbolic links" in done.stderr
    assert "1 documents, 1 paragraphs, 3 failures" in done.stderr
    explicit = command("tag", str(folder / "pipe.txt"), timeout=60)
    assert explicit.returncode == 1 and "named pipe" in explicit.stderr


def _dies(*args):
    os._exit(9)  # as if killed: the pool replaces the worker and loses its task


def test_a_worker_that_dies_stops_the_run_instead_of_hanging(tmp_path, capsys, monkeypatch):
    import democlass.batch

    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(3):
        (folder / f"{n:02d}.txt").write_text("Open weights let anyone fine-tune.\n", "utf-8")
    real = democlass.batch._tag_forked
    # forked workers inherit the patched module
    monkeypatch.setattr(democlass.batch, "_tag_forked", _dies)
    out = tmp_path / "out.csv"
    code = main(["tag", str(folder), "--jobs", "2", "-o", str(out), "-q"])
    err = capsys.readouterr().err
    monkeypatch.setattr(democlass.batch, "_tag_forked", real)
    assert code == 1
    assert "a worker process died" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [folder]  # no output, no temporary file
