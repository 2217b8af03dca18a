"""The array model: same probabilities as scikit-learn, a file format that runs no code,
and a shipped model that is a fresh build of the packaged labels."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import democlass
import democlass.frozen
from democlass import FrozenModel, ModelFormatError


@pytest.fixture(scope="module")
def frozen(fitted):
    return fitted.freeze()


def sklearn_columns(fitted, frozen):
    return [list(fitted.classes_).index(c) for c in frozen.classes]


def test_array_path_equals_sklearn_on_every_labelled_row(fitted, frozen, labels):
    texts = labels["text"].tolist()
    expected = fitted.predict_proba(texts)[:, sklearn_columns(fitted, frozen)]
    np.testing.assert_allclose(frozen.predict_proba(texts), expected, rtol=0, atol=1e-9)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=8))
def test_array_path_equals_sklearn_on_generated_text(fitted, frozen, texts):
    expected = fitted.predict_proba(texts)[:, sklearn_columns(fitted, frozen)]
    np.testing.assert_allclose(frozen.predict_proba(texts), expected, rtol=0, atol=1e-9)


def test_array_path_equals_sklearn_on_text_mixed_from_labels(fitted, frozen, labels):
    rng = np.random.default_rng(0)
    words = " ".join(labels["text"].sample(200, random_state=0)).split()
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 120))) for _ in range(300)]
    expected = fitted.predict_proba(texts)[:, sklearn_columns(fitted, frozen)]
    np.testing.assert_allclose(frozen.predict_proba(texts), expected, rtol=0, atol=1e-9)


def test_long_texts_in_pieces_score_as_whole(frozen, labels, monkeypatch):
    text = " ".join(labels["text"].iloc[:50])
    whole = frozen.predict_proba([text])
    monkeypatch.setattr(democlass.frozen, "CHUNK_CHARS", 97)
    np.testing.assert_allclose(frozen.predict_proba([text]), whole, rtol=0, atol=1e-12)


def test_save_and_load_round_trip(frozen, labels, tmp_path):
    path = democlass.save(frozen, tmp_path / "model")
    assert path.suffix == ".npz" and path.exists()
    again = democlass.load(path)
    texts = labels["text"].iloc[:100].tolist()
    np.testing.assert_array_equal(again.predict_proba(texts), frozen.predict_proba(texts))
    assert again.thresholds == frozen.thresholds
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary left


def test_save_accepts_a_fitted_estimator(fitted, tmp_path):
    path = democlass.save(fitted, tmp_path / "est.npz")
    assert democlass.load(path).classes == democlass.LABELS


def test_a_pickle_is_refused(fitted, tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps(fitted))
    with pytest.raises(ModelFormatError, match="not a democlass model"):
        democlass.load(path)


def rewrite(src, dst, **changes):
    with np.load(src, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    for key, value in changes.items():
        if value is None:
            arrays.pop(key)
        else:
            arrays[key] = value
    np.savez(dst, **arrays)
    return dst


def meta_array(path, **updates):
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(archive["metadata"].tobytes())
    meta.update(updates)
    return np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: {"coef": None}, "lacks coef"),
        (lambda p: {"metadata": np.frombuffer(b"{not json", dtype=np.uint8)}, "not JSON"),
        (
            lambda p: {"metadata": meta_array(p, format_version=99)},
            "unknown model format version 99",
        ),
        (lambda p: {"metadata": meta_array(p, classes=["use", "spam"])}, "label set"),
        (lambda p: {"idf": np.ones(3)}, "'idf' has shape"),
        (lambda p: {"intercept": np.array([np.nan] * 5)}, "not finite"),
    ],
)
def test_damaged_or_foreign_files_are_refused(frozen, tmp_path, change, message):
    good = frozen.save(tmp_path / "good.npz")
    bad = rewrite(good, tmp_path / "bad.npz", **change(good))
    with pytest.raises(ModelFormatError, match=message):
        democlass.load(bad)


def test_an_object_array_is_refused_without_running_it(frozen, tmp_path):
    good = frozen.save(tmp_path / "good.npz")
    bad = rewrite(good, tmp_path / "bad.npz", idf=np.array([object()], dtype=object))
    with pytest.raises(ModelFormatError, match="not a democlass model"):
        democlass.load(bad)


def test_truncated_archive_is_refused(frozen, tmp_path):
    good = frozen.save(tmp_path / "good.npz").read_bytes()
    bad = tmp_path / "bad.npz"
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(ModelFormatError):
        democlass.load(bad)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ModelFormatError, match="no such model file"):
        democlass.load(tmp_path / "absent.npz")


def test_shipped_model_is_a_fresh_build_of_the_packaged_labels(labels):
    from democlass.api import _builtin, labels_digest

    shipped = _builtin()
    assert shipped.info["labels_sha256"] == labels_digest(labels), (
        "data/labels.csv changed; rebuild the model: "
        "democlass train --labels data/labels.csv -o src/democlass/_model/model.npz"
    )
    fresh = democlass.train()
    assert fresh.vocabulary == shipped.vocabulary
    assert fresh.classes == shipped.classes
    assert fresh.thresholds == shipped.thresholds
    for name in ("idf", "coef", "intercept"):
        np.testing.assert_allclose(
            getattr(fresh, name), getattr(shipped, name), rtol=1e-7, atol=1e-9
        )


def test_frozen_model_validates_its_arrays():
    with pytest.raises(ValueError, match="shape"):
        FrozenModel(["a", "b"], np.ones(2), np.ones((3, 5)), np.zeros(5), democlass.LABELS, 1, True)
