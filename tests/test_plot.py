"""Each plotting helper draws what it says, with the Agg backend."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import numpy as np
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
    assert a_none.get_x() == pytest.approx(2 / 3)  # right after the forms
    assert a_none.get_x() + a_none.get_width() == pytest.approx(1.0)
    assert ax.get_xlim() == (0.0, 1.0)
    assert "1.0" in [t.get_text() for t in ax.get_xticklabels()]
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


def test_confusion_takes_any_labels_and_predictions_and_a_title():
    truth = ["use", "use", "none", "governance"]
    guess = ["use", "none", "none", "governance"]
    ax = plot.confusion(truth, guess, title="Coders against the model")
    assert ax.get_title() == "Coders against the model"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["use", "governance", "none"]
    counts = [int(t.get_text().split("\n")[0]) for t in ax.texts]
    assert counts == [1, 0, 1, 0, 1, 0, 0, 0, 1]
    with pytest.raises(ValueError, match="4 true labels but 3"):
        plot.confusion(truth, guess[:3])


def test_top_terms_hides_stop_words_and_numbers_by_default():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    def shown(fig):
        return [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]

    hidden = shown(plot.top_terms(n=30))
    everything = shown(plot.top_terms(n=30, hide_stop_words=False))
    assert not [t for t in hidden if all(w in ENGLISH_STOP_WORDS for w in t.split())]
    assert not [t for t in hidden if any(w.isdigit() for w in t.split())]
    assert [t for t in everything if all(w in ENGLISH_STOP_WORDS for w in t.split())]


def test_shares_draws_raw_and_adjusted_bars_with_error_bars():
    import pandas as pd

    table = pd.DataFrame(
        {
            "label": list(democlass.LABELS),
            "share": [0.1, 0.2, 0.1, 0.1, 0.5],
            "low": [0.05, 0.1, 0.0, 0.05, 0.4],
            "high": [0.2, 0.3, 0.2, 0.15, 0.6],
            "adjusted": [0.15, 0.2, 0.1, 0.1, 0.45],
            "adjusted_low": [0.05, 0.1, 0.0, 0.0, 0.3],
            "adjusted_high": [0.3, 0.35, 0.2, 0.2, 0.6],
        }
    )
    ax = plot.shares(table)
    heights = [b.get_height() for b in bars(ax)]
    assert heights == pytest.approx([*table["share"], *table["adjusted"]])
    from matplotlib.container import BarContainer

    drawn = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(drawn) == 2 and all(c.errorbar is not None for c in drawn)
    segments = drawn[1].errorbar.lines[2][0].get_segments()
    np.testing.assert_allclose([seg[0][1] for seg in segments], table["adjusted_low"])
    np.testing.assert_allclose([seg[1][1] for seg in segments], table["adjusted_high"])


def test_trend_draws_a_line_per_form_over_periods():
    import pandas as pd

    tagged = pd.DataFrame(
        {
            "date": ["2024-01-05", "2024-01-20", "2024-03-02", "2024-03-09"],
            "label": ["use", "none", "governance", "governance"],
        }
    )
    ax = plot.trend(tagged, "date", freq="M")
    assert [line.get_label() for line in ax.lines] == list(democlass.FORMS)
    use = ax.lines[0].get_ydata()
    assert len(use) == 3  # January, an empty February, March
    assert use[0] == pytest.approx(0.5) and use[2] == pytest.approx(0.0)
    assert np.isnan(use[1])
