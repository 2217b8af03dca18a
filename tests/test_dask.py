"""democlass.dask gives the same rows as democlass.tag, on a real two-worker cluster."""

from __future__ import annotations

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import democlass  # noqa: E402
import democlass.dask as dtag  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_tag_on_a_cluster_equals_pandas(client, labels):
    frame = labels[["id", "text"]].iloc[:600].set_index("id")
    expected = democlass.tag(frame, text_column="text")
    ddf = dd.from_pandas(frame, npartitions=6)
    tagged = dtag.tag(ddf, text_column="text")
    assert list(tagged.columns) == list(expected.columns)
    got = tagged.compute()
    # dask turns str columns and indexes into its own string dtype; values must match
    pd.testing.assert_frame_equal(
        got, expected, check_dtype=False, check_index_type=False, rtol=0, atol=1e-12
    )


def test_the_model_is_one_key_in_the_graph(labels):
    ddf = dd.from_pandas(labels[["text"]].iloc[:100], npartitions=4)
    graph = dict(dtag.tag(ddf).__dask_graph__())
    models = [
        k
        for k, v in graph.items()
        if isinstance(v, democlass.FrozenModel)
        or type(getattr(v, "value", None)).__name__ == "FrozenModel"
    ]
    assert len(models) == 1


def test_read_text_folder_then_tag(client, tmp_path, seeds_dir):
    for path in seeds_dir.glob("*.txt"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe not utf-8 \xe9")
    paragraphs = dtag.read_text_folder(tmp_path, files_per_partition=2)
    assert paragraphs.npartitions == 3
    local = paragraphs.compute().reset_index(drop=True)
    for path in sorted(seeds_dir.glob("*.txt")):
        rows = local[local["source"] == str(tmp_path / path.name)]
        units = democlass.split_paragraphs(path.read_text(encoding="utf-8"))
        assert rows["text"].tolist() == [u.text for u in units]
    tagged = dtag.tag(paragraphs).compute().reset_index(drop=True)
    assert tagged["label"].tolist() == list(democlass.predict(local["text"].tolist()))


def test_unknown_column_names_the_columns(labels):
    ddf = dd.from_pandas(labels[["id", "text"]].iloc[:10], npartitions=1)
    with pytest.raises(KeyError, match="no column 'body'.*id, text"):
        dtag.tag(ddf, text_column="body")


def test_missing_rows_keep_the_dtypes_dask_was_promised():
    texts = pd.Series(["Open weights for all.", None, "Citizens vote.", "Free tier."], dtype=object)
    tagged = dtag.tag(dd.from_pandas(texts, npartitions=2))
    for part in range(tagged.npartitions):  # one partition has a missing row, one does not
        pd.testing.assert_series_equal(tagged.partitions[part].compute().dtypes, tagged.dtypes)
    assert str(tagged.dtypes["abstained"]) == "boolean"


@pytest.mark.parametrize("bad", [1.5, "0.6", float("nan")])
def test_a_bad_min_confidence_fails_when_called_not_when_computed(labels, bad):
    ddf = dd.from_pandas(labels[["text"]].iloc[:10], npartitions=1)
    with pytest.raises((ValueError, TypeError), match="min_confidence"):
        dtag.tag(ddf, min_confidence=bad)


def test_text_column_with_a_series_is_refused(labels):
    series = dd.from_pandas(labels["text"].iloc[:10], npartitions=1)
    with pytest.raises(ValueError, match="only for a DataFrame"):
        dtag.tag(series, text_column="body")
    with pytest.raises(TypeError, match="use democlass.tag"):
        dtag.tag(labels[["text"]])


@pytest.mark.parametrize(("bad", "error"), [(0, ValueError), (2.5, TypeError)])
def test_a_bad_partition_size_is_refused_when_called(tmp_path, bad, error):
    (tmp_path / "a.txt").write_text("Open weights.\n", encoding="utf-8")
    with pytest.raises(error, match="files_per_partition"):
        dtag.read_text_folder(tmp_path, files_per_partition=bad)
