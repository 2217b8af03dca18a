"""Properties of the command on generated folders of good and hostile files.

Each example builds a folder (good text, empty and whitespace files, binary,
Latin-1, UTF-16, folders named like files, broken links, names that are not
UTF-8) and runs ``democlass tag`` on it with ``--jobs 1`` and ``--jobs 2``.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from democlass.batch import source_name
from democlass.cli import main

SENTENCES = [
    "The model weights are free to download and fine-tune.",
    "Citizens will vote on whether the city may use face recognition.",
    "Half of the profits above the cap fund a dividend for every citizen.",
    "# A heading",
    "- a list item that goes on",
    "the second half of a broken sentence",
]

good_text = st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=8).map(
    lambda lines: "\n".join(lines) + "\n"
)
# (kind, content): what each generated entry is, and whether it can be tagged
entries = st.one_of(
    st.tuples(st.just("good"), good_text.map(lambda t: t.encode())),
    st.tuples(st.just("good"), st.sampled_from([b"", b"  \n\t\n"])),
    st.tuples(st.just("good"), good_text.map(lambda t: t.encode("utf-16"))),
    st.tuples(st.just("bad"), st.just(b"\x89PNG\r\n\x1a\n\x00\x00")),
    st.tuples(st.just("bad"), st.just("Caf\xe9 owners use AI.".encode("latin-1"))),
    st.tuples(st.just("link"), st.just(b"")),
    st.tuples(st.just("folder"), st.just(b"")),
)
names = st.tuples(
    st.sampled_from([b"a", b"b c", b"caf\xe9", b"\xff", b"back\\slash", b"x,y", b'q"t']),
    st.sampled_from([b".txt", b".md", b".TXT"]),
)
folders = st.lists(st.tuples(names, entries), max_size=8, unique_by=lambda e: e[0])


def build(root: Path, spec) -> tuple[int, int]:
    """Write the entries; return how many are files to tag, and how many of those fail."""
    files = failing = 0
    for i, ((stem, suffix), (kind, content)) in enumerate(spec):
        sub = os.path.join(os.fsencode(root), str(i % 2).encode())
        os.makedirs(sub, exist_ok=True)
        path = os.path.join(sub, stem + suffix)
        if kind == "folder":
            os.mkdir(path)
            continue
        files += 1
        if kind == "link":
            os.symlink(os.path.join(sub, b"missing"), path)
            failing += 1
        else:
            Path(os.fsdecode(path)).write_bytes(content)
            failing += kind == "bad"
    return files, failing


def tag(root: Path, out: Path, jobs: str, capsys) -> tuple[int, str]:
    code = main(["tag", str(root), "-o", str(out), "--jobs", jobs, "--text"])
    return code, capsys.readouterr().err


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=folders)
def test_every_input_is_accounted_for_and_jobs_do_not_change_the_output(spec, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "corpus")
        root.mkdir()
        files, failing = build(root, spec)
        one, two = Path(tmp, "one.csv"), Path(tmp, "two.csv")
        code, err = tag(root, one, "1", capsys)
        assert "Traceback" not in err
        if files == 0:
            assert code == 2 and not one.exists()
            return
        assert code == (1 if failing else 0)
        summary = re.search(r"(\d+) documents, (\d+) paragraphs, (\d+) failures", err)
        assert summary is not None
        documents, paragraphs, failures = map(int, summary.groups())
        assert documents + failures == files and failures == failing
        assert err.count("democlass: skipped ") == failing
        frame = pd.read_csv(io.StringIO(one.read_text(encoding="utf-8")))
        assert len(frame) == paragraphs
        for source in set(frame["source"]):
            assert f"skipped {source}:" not in err
        for line in err.splitlines():
            if line.startswith("democlass: skipped "):
                assert line.split(": ")[1].split("skipped ", 1)[1] not in set(frame["source"])
        code_two, err_two = tag(root, two, "2", capsys)
        assert code_two == code and err_two == err
        assert two.read_bytes() == one.read_bytes()
        assert sorted(p.name for p in Path(tmp).iterdir()) == ["corpus", "one.csv", "two.csv"]
        written = {source_name(os.fsdecode(p)) for p in _files(root)}
        assert set(frame["source"]) <= written


def _files(root: Path) -> list[bytes]:
    return [
        os.path.join(d, n) for d, _, ns in os.walk(os.fsencode(root)) for n in ns
    ]
