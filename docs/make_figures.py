"""Regenerate the pictures the README shows, from the built-in model.

    python docs/make_figures.py

Writes docs/figures/seed_profiles.png, confusion.png and top_terms.png
(needs the plot extra: pip install "democlass[plot]"), and report_corpus.png
and report_document.png, two views of the seeds' HTML report pictured in
headless Chromium (apt-get install chromium). ``--report`` makes only those.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

import democlass  # noqa: E402
from democlass import plot  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "figures"


def seed_paragraphs() -> pd.DataFrame:
    rows = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for p in democlass.split_paragraphs(path.read_text(encoding="utf-8")):
            rows.append(
                {"document": path.stem[:3] + " " + TITLES.get(path.stem[:3], ""), "text": p.text}
            )
    return pd.DataFrame(rows)


TITLES = {
    "000": "AI democratization explainer",
    "001": "encyclopedic entry",
    "002": "cost-democratization blog",
    "003": "open-source long read",
    "004": "Seger et al. (2023)",
}


def report_figures() -> None:
    """The corpus view, and the cost-democratisation blog with a unit selected."""
    from democlass.report import browser

    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    documents = pd.DataFrame(
        {
            "document": [p.stem[:3] + " " + TITLES.get(p.stem[:3], "") for p in seeds],
            "text": [p.read_text(encoding="utf-8") for p in seeds],
        }
    )
    tagged = democlass.tag_documents(documents, id_column="document")
    blog = tagged[tagged["id"].str.startswith("002")]
    # the first unit of a form other than the blog's dominant one; near the top, because
    # headless Chromium pictures a page scrolled far down as blank
    unit = int(blog.loc[blog["label"] == "use", "paragraph"].iloc[0])
    with tempfile.TemporaryDirectory() as tmp:
        page = democlass.report(
            documents, Path(tmp) / "seeds.html", id_column="document", title="Seed documents"
        )
        browser.screenshot(page, OUT / "report_corpus.png", size=(1280, 820))
        browser.screenshot(
            page,
            OUT / "report_document.png",
            fragment=f"doc=3&unit={unit}",
            size=(1280, 900),
        )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    report_figures()
    if "--report" in sys.argv[1:]:
        print(f"wrote report_corpus.png, report_document.png to {OUT}")
        return
    paragraphs = seed_paragraphs()
    tagged = paragraphs.join(democlass.tag(paragraphs, text_column="text"))
    ax = plot.profile(tagged, by="document")
    ax.set_title("Seed documents: share of paragraphs in each form (built-in model)")
    ax.figure.savefig(OUT / "seed_profiles.png", dpi=150)

    result = democlass.evaluate(cv=5, verbose=False)
    ax = plot.confusion(result)
    ax.set_title(f"Confusion matrix, 5-fold grouped CV (macro-F1 {result.macro_f1:.2f})")
    ax.figure.savefig(OUT / "confusion.png", dpi=150)

    plot.top_terms(n=12).savefig(OUT / "top_terms.png", dpi=120)
    print(f"wrote {', '.join(sorted(p.name for p in OUT.glob('*.png')))} to {OUT}")


if __name__ == "__main__":
    main()
