"""democlass: tag text by the four forms of AI democratisation.

The four forms, after Seger et al. (2023), are the democratisation of AI
``use``, ``development``, ``profits`` and ``governance``; ``none`` marks
text about none of them.

>>> import democlass
>>> democlass.predict("Half of the windfall will fund a dividend for every citizen.")
'profits'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from democlass.api import (
    explain,
    load,
    predict,
    predict_proba,
    save,
    tag,
    tag_documents,
    train,
)
from democlass.evaluate import Evaluation, evaluate
from democlass.frozen import FrozenModel, ModelFormatError
from democlass.labels import LabelsError, load_labels
from democlass.split import Paragraph, split_paragraphs
from democlass.taxonomy import FORMS, LABELS
from democlass.validation import Validation, sample, shares, validate

if TYPE_CHECKING:
    from democlass.estimator import DemoClassifier

__version__ = "0.1.0"

__all__ = [
    "FORMS",
    "LABELS",
    "DemoClassifier",
    "Evaluation",
    "FrozenModel",
    "LabelsError",
    "ModelFormatError",
    "Paragraph",
    "Validation",
    "evaluate",
    "explain",
    "load",
    "load_labels",
    "predict",
    "predict_proba",
    "sample",
    "save",
    "shares",
    "split_paragraphs",
    "tag",
    "tag_documents",
    "train",
    "validate",
]


def __getattr__(name: str) -> Any:
    # scikit-learn takes over a second to import and matplotlib is an extra:
    # load them only when they are asked for
    if name == "DemoClassifier":
        from democlass.estimator import DemoClassifier

        return DemoClassifier
    if name in ("plot", "report"):
        import importlib

        # democlass.report is a module that can be called: democlass.report(tagged, path)
        return importlib.import_module(f"democlass.{name}")
    raise AttributeError(f"module 'democlass' has no attribute {name!r}")
