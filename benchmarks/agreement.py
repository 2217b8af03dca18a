"""Agreement between two readers of the held-out articles, and the model beside them.

    python benchmarks/agreement.py

``data/heldout-articles-second-reading.csv`` holds a second, blind reading of
22 of the 51 held-out documents (every other file, 332 units) by a reader who
saw neither the first reader's labels nor the training data. Prints the two
readers' agreement (share of units, Cohen's kappa, Krippendorff's alpha) and
the model's accuracy against each reader on the same units, in context.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import democlass

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    first = democlass.load_labels(ROOT / "data" / "heldout-articles.csv")
    second = pd.read_csv(
        ROOT / "data" / "heldout-articles-second-reading.csv", dtype=str, keep_default_na=False
    )
    second["position"] = second["position"].astype(int)
    both = first.merge(second, on=["doc", "position"], suffixes=("", "_second"))
    first_vs_model = democlass.validate(both[["doc", "text", "label"]], document_column="doc")
    second_vs_model = democlass.validate(
        both[["doc", "text"]].assign(label=both["label_second"]), document_column="doc"
    )
    from sklearn.metrics import cohen_kappa_score

    agree = (both["label"] == both["label_second"]).mean()
    kappa = cohen_kappa_score(both["label"], both["label_second"])
    print(f"{len(both)} units of {both['doc'].nunique()} documents read by two readers apart")
    print(f"readers agree on {agree:.3f} of units; Cohen's kappa {kappa:.3f}")
    for name, result in (("first", first_vs_model), ("second", second_vs_model)):
        print(
            f"model in context vs {name} reader: accuracy {result.accuracy:.3f}, "
            f"kappa {result.kappa:.3f}, alpha {result.alpha:.3f}"
        )
    print("\nreaders' confusion (rows: first, columns: second):")
    print(pd.crosstab(both["label"], both["label_second"]).to_string())


if __name__ == "__main__":
    main()
