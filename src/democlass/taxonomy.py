"""The five labels of democlass, in their canonical order.

Everything that needs the label set (validation, the model's columns, plots)
takes it from here, so the order of probability columns is the same everywhere.
"""

from __future__ import annotations

FORMS: tuple[str, ...] = ("use", "development", "profits", "governance")
"""The four forms of AI democratisation (Seger et al., 2023)."""

NONE = "none"
"""The label for text that discusses none of the four forms."""

LABELS: tuple[str, ...] = (*FORMS, NONE)
"""All five labels, forms first, in the order used for probability columns."""

DESCRIPTIONS: dict[str, str] = {
    "use": "making AI usable by more people: who can access and benefit from AI products",
    "development": "widening who can build, modify, study or contribute to AI",
    "profits": "how the value, wealth and income produced by AI is distributed",
    "governance": "who decides about AI: influence over rules, release and use decisions",
    "none": "none of the four forms",
}

# Colour-blind-safe (Okabe-Ito); `none` is grey so that it recedes in plots.
COLORS: dict[str, str] = {
    "use": "#0072B2",
    "development": "#009E73",
    "profits": "#E69F00",
    "governance": "#CC79A7",
    "none": "#999999",
}
