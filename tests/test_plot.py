"""Each plotting helper draws what it says, with the Agg backend."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

import democlass  # noqa: E402
from democlass import plot  # noqa: E402
from democlass.taxonomy import COLORS  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_confusion_draws_a_labelled_heat_map(labels):
    # a sample of rows from many documents: each row stands alone
    sample = labels.sample(400, random_state=0).drop(columns=["doc", "position"])
    result = democlass.evaluate(sample, cv=3, verbose=False)
    ax = plot.confusion(result)
    n = len(result.confusion)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(result.confusion.index)
    assert len(ax.texts) == n * n
    first = ax.texts[0].get_text().split("\n")
    assert int(first[0]) == result.confusion.iloc[0, 0]
    assert "held-out" in ax.get_title()


def test_top_terms_has_one_panel_per_label_with_n_bars():
    fig = plot.top_terms(n=7)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == list(democlass.LABELS)
    for ax, label in zip(axes, democlass.LABELS, strict=True):
        assert len(bars(ax)) == 7
        assert matplotlib.colors.to_hex(bars(ax)[0].get_facecolor()) == COLORS[label].lower()
    assert "top 7" in fig._suptitle.get_text()


def test_profile_stacks_forms_and_sets_none_apart():
    import pandas as pd

    tagged = pd.DataFrame(
        {
            "source": ["a", "a", "a", "b", "b"],
            "label": ["use", "use", "none", "governance", "profits"],
        }
    )
    ax = plot.profile(tagged)
    assert len(bars(ax)) == 2 * len(democlass.LABELS)  # each group: four forms and none
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a"]  # sorted by top share
    widths = sorted(b.get_width() for b in bars(ax))
    assert widths[-1] == pytest.approx(2 / 3)  # two of a's three paragraphs are use
    hatched = [b for b in bars(ax) if b.get_hatch()]
    assert len(hatched) == 2
    assert {matplotlib.colors.to_hex(b.get_facecolor()) for b in hatched} == {COLORS["none"]}
    a_none = max(hatched, key=lambda b: b.get_width())
    assert a_none.get_width() == pytest.approx(1 / 3)
    assert a_none.get_x() == pytest.approx(2 / 3 + 0.02)  # after the forms, with a gap
    assert ax.get_title() == "Share of paragraphs in each form, by source"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(democlass.LABELS)


def test_explain_diverges_around_zero():
    text = "Open weights let any lab fine-tune the model, but the EU AI Act decides who may."
    ax = plot.explain(text, top=4)
    terms = democlass.explain(text, top=4)
    assert len(bars(ax)) == len(terms)
    widths = sorted(b.get_width() for b in bars(ax))
    assert widths == pytest.approx(sorted(terms["weight"]))
    assert terms.attrs["label"] in ax.get_title() and terms.attrs["runner_up"] in ax.get_title()


def test_importing_democlass_does_not_import_matplotlib():
    code = "import sys, democlass; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_plot_is_reachable_from_the_package():
    assert democlass.plot is plot
