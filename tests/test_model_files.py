"""Hostile and damaged model files: each is built here, byte by byte, and each must be
refused with ModelFormatError (the command: ``democlass: error: ...``, exit 2), before
it costs much memory, and without running anything."""

from __future__ import annotations

import io
import json
import os
import struct
import tempfile
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import democlass
import democlass.frozen
from democlass import FrozenModel, ModelFormatError
from democlass.cli import main

VOCABULARY = ["open", "weights", "citizens", "vote", "dividend", "free", "open weights"]


def small_model() -> FrozenModel:
    rng = np.random.default_rng(0)
    n = len(VOCABULARY)
    return FrozenModel(
        VOCABULARY,
        1.0 + rng.random(n),
        rng.normal(size=(n, len(democlass.LABELS))),
        rng.normal(size=len(democlass.LABELS)),
        democlass.LABELS,
        2,
        True,
        {"use": 0.4, "development": 0.3, "profits": 0.4, "governance": 0.3},
        {"note": "test"},
    )


def npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(array), allow_pickle=True)
    return buf.getvalue()


def members(model: FrozenModel) -> dict[str, bytes]:
    """The ``.npy`` members of a saved model, by array name."""
    with tempfile.TemporaryDirectory() as tmp:
        data = model.save(Path(tmp) / "m.npz").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name[: -len(".npy")]: zf.read(name) for name in zf.namelist()}


GOOD = members(small_model())


def archive(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are written on purpose
        with zipfile.ZipFile(buf, "w", compression=method) as zf:
            for name, data in parts.items():
                zf.writestr(name if name.endswith(".npy") else name + ".npy", data)
    return buf.getvalue()


def with_arrays(**changes: np.ndarray | bytes | None) -> bytes:
    parts = dict(GOOD)
    for name, value in changes.items():
        if value is None:
            parts.pop(name)
        else:
            parts[name] = value if isinstance(value, bytes) else npy(value)
    return archive(parts)


def metadata(**updates) -> np.ndarray:
    meta = json.loads(np.lib.format.read_array(io.BytesIO(GOOD["metadata"])).tobytes())
    meta.update(updates)
    return text_array(json.dumps(meta))


def raw_metadata(**raw: str) -> np.ndarray:
    """Metadata with some values written as raw JSON text (e.g. 1e999)."""
    meta = json.loads(np.lib.format.read_array(io.BytesIO(GOOD["metadata"])).tobytes())
    for key in raw:
        meta[key] = f"@@{key}@@"
    text = json.dumps(meta)
    for key, value in raw.items():
        text = text.replace(f'"@@{key}@@"', value)
    return text_array(text)


def text_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def vocabulary(terms: list[str]) -> np.ndarray:
    return text_array("\n".join(terms))


def central_entries(data: bytes):
    """(offset of the central directory entry, offset of the local header, name)
    for each entry of a zip archive."""
    end = data.rfind(b"PK\x05\x06")
    count, _, start = struct.unpack_from("<HII", data, end + 10)
    pos = start
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        (local,) = struct.unpack_from("<I", data, pos + 42)
        yield pos, local, data[pos + 46 : pos + 46 + name_len].decode()
        pos += 46 + name_len + extra_len + comment_len


def patch_entry(data: bytes, name: str, *, flag=None, method=None, size=None) -> bytes:
    """Change what the zip headers say about one entry: flags, compression
    method (both headers) or uncompressed size (the central directory)."""
    out = bytearray(data)
    for central, local, entry in central_entries(data):
        if entry != name + ".npy":
            continue
        if flag is not None:
            struct.pack_into("<H", out, central + 8, flag)
            struct.pack_into("<H", out, local + 6, flag)
        if method is not None:
            struct.pack_into("<H", out, central + 10, method)
            struct.pack_into("<H", out, local + 8, method)
        if size is not None:
            struct.pack_into("<I", out, central + 24, size)
    return bytes(out)


def break_deflate(data: bytes, name: str) -> bytes:
    out = bytearray(data)
    for _, local, entry in central_entries(data):
        if entry == name + ".npy":
            name_len, extra_len = struct.unpack_from("<HH", data, local + 26)
            start = local + 30 + name_len + extra_len
            out[start : start + 40] = b"\xff" * 40  # no valid deflate block starts like this
    return bytes(out)


def header_only(shape: tuple[int, ...], dtype: str = "<f8") -> bytes:
    """An .npy header declaring an array of ``shape`` followed by no data."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": shape}
    )
    return buf.getvalue()


def plain_npy() -> bytes:
    return npy(np.arange(10.0))


TIB = 1 << 40

HOSTILE = {
    # the container
    "empty file": (lambda: b"", "not a .npz archive"),
    "a CSV file": (lambda: b"id,text\n1,Open weights.\n", "not a democlass model file"),
    "a plain .npy": (plain_npy, "single .npy array"),
    "encrypted entry": (
        lambda: patch_entry(with_arrays(), "coef", flag=0x1),
        "'coef' is encrypted",
    ),
    "unknown compression": (
        lambda: patch_entry(with_arrays(), "idf", method=99),
        "compression method 99",
    ),
    "bzip2 compression": (
        lambda: archive(GOOD, method=zipfile.ZIP_BZIP2),
        "compression method 12",
    ),
    "broken deflate": (lambda: break_deflate(with_arrays(), "coef"), "damaged model file"),
    "truncated archive": (lambda: with_arrays()[:-30], "damaged model file"),
    "repeated entry": (
        lambda: archive({**GOOD, "idf.npy": GOOD["idf"], "idf": GOOD["idf"]}),
        "repeats an entry name",
    ),
    "too many entries": (
        lambda: archive({**GOOD, **{f"extra{i}": b"" for i in range(100)}}),
        f"lists {len(GOOD) + 100} entries",
    ),
    "4 GiB declared in the directory": (
        lambda: patch_entry(with_arrays(), "coef", size=0xFFFF_FFF0),
        "bytes uncompressed, more than",
    ),
    "7 TiB declared in the array header": (
        lambda: with_arrays(coef=header_only((7 * TIB // 8 // 5, 5))),
        "declares shape",
    ),
    "array header smaller than its entry": (
        lambda: with_arrays(idf=header_only((3,)) + b"\0" * 800),
        "declares shape",
    ),
    # array contents
    "complex idf": (lambda: with_arrays(idf=np.ones(7, complex)), "dtype complex128"),
    "datetime coef": (
        lambda: with_arrays(coef=np.zeros((7, 5), "datetime64[s]")),
        "dtype datetime64",
    ),
    "object intercept": (
        lambda: with_arrays(intercept=np.array([None] * 5, dtype=object)),
        "dtype object",
    ),
    "structured idf": (lambda: with_arrays(idf=np.zeros(7, "f8,f8")), "expected real numbers"),
    "boolean coef": (lambda: with_arrays(coef=np.ones((7, 5), bool)), "dtype bool"),
    "vocabulary as floats": (lambda: with_arrays(vocabulary=np.ones(3)), "expected UTF-8 text"),
    "huge weights": (lambda: with_arrays(coef=np.full((7, 5), 1e300)), "beyond"),
    "missing array": (lambda: with_arrays(intercept=None), "lacks intercept"),
    # terms
    "20-word term": (
        lambda: with_arrays(vocabulary=vocabulary([*VOCABULARY[:-1], " ".join(["open"] * 20)])),
        "term 6",
    ),
    "empty term": (lambda: with_arrays(vocabulary=vocabulary([*VOCABULARY[:-1], ""])), "term 6"),
    "vocabulary not UTF-8": (
        lambda: with_arrays(vocabulary=np.frombuffer(b"\xff\xfe" * 7, np.uint8)),
        "not UTF-8",
    ),
    # metadata
    "thresholds as a list": (
        lambda: with_arrays(metadata=metadata(thresholds=[0.5, 0.5, 0.5, 0.5])),
        "'thresholds'",
    ),
    "threshold as a string": (
        lambda: with_arrays(metadata=metadata(thresholds={"use": "0.5"})),
        "'thresholds'",
    ),
    "threshold for an unknown form": (
        lambda: with_arrays(metadata=metadata(thresholds={"spam": 0.5})),
        "'thresholds'",
    ),
    "ngram_max 1e999": (
        lambda: with_arrays(metadata=raw_metadata(ngram_max="1e999")),
        "'ngram_max'",
    ),
    "ngram_max 2.9": (lambda: with_arrays(metadata=metadata(ngram_max=2.9)), "'ngram_max'"),
    "ngram_max true": (lambda: with_arrays(metadata=metadata(ngram_max=True)), "'ngram_max'"),
    "ngram_max 4": (lambda: with_arrays(metadata=metadata(ngram_max=4)), "'ngram_max'"),
    "ngram_max of 5000 digits": (
        lambda: with_arrays(metadata=raw_metadata(ngram_max="9" * 5000)),
        "not JSON",
    ),
    "NaN threshold": (
        lambda: with_arrays(metadata=raw_metadata(thresholds='{"use": NaN}')),
        "not JSON",
    ),
    'sublinear_tf "false"': (
        lambda: with_arrays(metadata=metadata(sublinear_tf="false")),
        "'sublinear_tf'",
    ),
    "lowercase 1": (lambda: with_arrays(metadata=metadata(lowercase=1)), "unsupported lowercase"),
    "classes as a string": (
        lambda: with_arrays(metadata=metadata(classes="use")),
        "'classes'",
    ),
    "format version true": (
        lambda: with_arrays(metadata=metadata(format_version=True)),
        "format version True",
    ),
    "ngram_max null": (
        lambda: with_arrays(metadata=metadata(ngram_max=None)),
        "'ngram_max'",
    ),
    "deeply nested JSON": (
        lambda: with_arrays(metadata=raw_metadata(info="[" * 100_000 + "]" * 100_000)),
        "nests too deeply",
    ),
    "JSON nested 40 levels": (
        lambda: with_arrays(metadata=raw_metadata(info='{"a":' + "[" * 40 + "]" * 40 + "}")),
        "more than 32 levels",
    ),
    "metadata of 2 MiB": (
        lambda: with_arrays(metadata=metadata(info={"pad": "x" * (2 << 20)})),
        "metadata record declares",
    ),
    "metadata not an object": (lambda: with_arrays(metadata=text_array("[1]")), "does not"),
}


def test_the_small_model_itself_loads(tmp_path):
    path = tmp_path / "good.npz"
    path.write_bytes(with_arrays())
    model = democlass.load(path)
    assert model.vocabulary == VOCABULARY and model.ngram_max == 2
    assert democlass.predict(["open weights"], model=model)[0] in democlass.LABELS


@pytest.mark.parametrize("case", list(HOSTILE))
def test_each_hostile_model_file_is_a_model_format_error(tmp_path, case):
    build, message = HOSTILE[case]
    path = tmp_path / "bad.npz"
    path.write_bytes(build())
    with pytest.raises(ModelFormatError, match=message) as info:
        democlass.load(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "case", ["a plain .npy", "encrypted entry", "broken deflate", "ngram_max 1e999", "a CSV file"]
)
def test_the_command_reports_a_bad_model_in_one_line_and_exits_2(tmp_path, capsys, case):
    build, _ = HOSTILE[case]
    model = tmp_path / "bad.npz"
    model.write_bytes(build())
    text = tmp_path / "a.txt"
    text.write_text("Open weights.\n", encoding="utf-8")
    for argv in (
        ["tag", str(text), "--model", str(model)],
        ["explain", "x", "--model", str(model)],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"democlass: error: {model}: ") and err.count("\n") == 1
        assert "Traceback" not in err


def test_a_csv_is_named_as_not_a_model(tmp_path):
    path = tmp_path / "articles.csv"
    path.write_text("id,text\n1,Open weights.\n", encoding="utf-8")
    with pytest.raises(ModelFormatError, match="articles.csv: not a democlass model file"):
        democlass.load(path)


def test_a_folder_is_not_a_model(tmp_path):
    with pytest.raises(ModelFormatError, match="is a folder"):
        democlass.load(tmp_path)


def test_sublinear_false_is_read_as_false(tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(with_arrays(metadata=metadata(sublinear_tf=False)))
    assert democlass.load(path).sublinear_tf is False


def test_fortran_ordered_and_big_endian_arrays_read_as_written(tmp_path):
    model = small_model()
    path = tmp_path / "m.npz"
    path.write_bytes(
        with_arrays(coef=np.asfortranarray(model.coef), idf=model.idf.astype(">f8")),
    )
    again = democlass.load(path)
    np.testing.assert_array_equal(again.coef, model.coef)
    np.testing.assert_array_equal(again.idf, model.idf)


def test_arrays_the_model_does_not_know_are_never_read(tmp_path):
    path = tmp_path / "m.npz"
    # a huge unknown array: declared, never inflated, so it costs nothing
    path.write_bytes(with_arrays(extra=header_only((TIB,))))
    assert democlass.load(path).vocabulary == VOCABULARY


def write_bomb(path: Path, payload_bytes: int, declared_bytes: int | None = None) -> None:
    """A model whose coef inflates to ``payload_bytes`` of zeros. With
    ``declared_bytes``, its header and zip directory claim only that much."""
    rows = (declared_bytes if declared_bytes is not None else payload_bytes) // 8 // 5
    header = header_only((rows, 5))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in GOOD.items():
            if name != "coef":
                zf.writestr(name + ".npy", data)
        with zf.open("coef.npy", "w", force_zip64=True) as fh:
            fh.write(header)
            zeros = bytes(1 << 20)
            for _ in range(payload_bytes // len(zeros)):
                fh.write(zeros)
    if declared_bytes is not None:
        path.write_bytes(patch_entry(path.read_bytes(), "coef", size=len(header) + rows * 40))


def peak_bytes_while_loading(path: Path) -> tuple[int, str]:
    tracemalloc.start()
    try:
        with pytest.raises(ModelFormatError) as info:
            democlass.load(path)
        return tracemalloc.get_traced_memory()[1], str(info.value)
    finally:
        tracemalloc.stop()


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    monkeypatch.setattr(democlass.frozen, "MAX_MODEL_BYTES", 4 << 20)
    path = tmp_path / "bomb.npz"
    write_bomb(path, 64 << 20)
    assert path.stat().st_size < 1 << 20
    peak, message = peak_bytes_while_loading(path)
    assert "more than the 4,194,304" in message
    assert peak < 1 << 20


def test_a_bomb_that_understates_its_size_costs_no_more_than_it_states(tmp_path):
    path = tmp_path / "bomb.npz"
    write_bomb(path, 64 << 20, declared_bytes=1 << 20)
    peak, message = peak_bytes_while_loading(path)
    assert "CRC" in message
    assert peak < 4 << 20


# --- properties: whatever the bytes, load gives a usable model or ModelFormatError ---


def loads_or_refuses(path: Path) -> None:
    try:
        model = democlass.load(path)
    except ModelFormatError as exc:
        assert str(path) in str(exc)
        return
    proba = model.predict_proba(["open weights for citizens", "", "vote vote vote"])
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
GOOD_FILE = with_arrays()
STORED_FILE = archive(GOOD, method=zipfile.ZIP_STORED)


@FAST
@given(st.binary(max_size=3000))
def test_random_bytes_are_refused(tmp_path, data):
    path = tmp_path / "r.npz"
    path.write_bytes(data)
    loads_or_refuses(path)


@FAST
@given(
    st.sampled_from([GOOD_FILE, STORED_FILE]),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(0, 10**6),
)
def test_mutated_model_files_load_or_are_refused(tmp_path, base, changes, cut):
    data = bytearray(base)
    for pos, value in changes:
        data[pos % len(data)] = value
    path = tmp_path / "m.npz"
    path.write_bytes(bytes(data[: max(cut % (len(data) + 200), 0)]))
    loads_or_refuses(path)


@FAST
@given(
    st.sampled_from(sorted(GOOD)),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6),
)
def test_mutated_arrays_in_a_sound_archive_load_or_are_refused(tmp_path, name, changes):
    member = bytearray(GOOD[name])
    for pos, value in changes:
        member[pos % len(member)] = value  # headers, dtypes, shapes and data alike
    path = tmp_path / "m.npz"
    path.write_bytes(archive({**GOOD, name: bytes(member)}))
    loads_or_refuses(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@FAST
@given(
    st.dictionaries(
        st.sampled_from(
            ["classes", "ngram_max", "sublinear_tf", "thresholds", "info", "format_version"]
        ),
        json_values,
        min_size=1,
    )
)
def test_any_metadata_values_load_or_are_refused(tmp_path, updates):
    path = tmp_path / "m.npz"
    path.write_bytes(with_arrays(metadata=metadata(**updates)))
    loads_or_refuses(path)


# --- the same class of fault around loading and saving --------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    with pytest.raises(ModelFormatError, match="not a regular file"):
        democlass.load(fifo)


def test_saving_to_a_folder_is_refused_and_writes_nothing_beside_it(tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="give a file name"):
        democlass.save(small_model(), folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models"]
    assert list(folder.iterdir()) == []


def test_saving_into_a_missing_folder_names_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"no folder {tmp_path / 'absent'}"):
        democlass.save(small_model(), tmp_path / "absent" / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_a_model_path_given_as_model_says_to_load_it(tmp_path):
    with pytest.raises(TypeError, match=r"democlass.load\(path\)"):
        democlass.predict(["Open weights."], model=str(tmp_path / "m.npz"))
