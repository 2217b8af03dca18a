"""Shared fixtures: the repository's seeds and a model fitted on the packaged labels."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return ROOT / "seeds"


@pytest.fixture(scope="session")
def labels():
    import democlass

    return democlass.load_labels()


@pytest.fixture(scope="session")
def fitted(labels):
    """The estimator with default parameters, fitted on every labelled row in its document."""
    import democlass
    from democlass.evaluate import model_input

    return democlass.DemoClassifier().fit(model_input(labels), labels["label"])
