"""The array model: a fitted TF-IDF + linear classifier as plain numpy arrays.

Predicting needs only numpy, so the cold path (``import democlass;
democlass.predict([...])``) never imports scikit-learn, scipy or pandas. A
model file is one ``.npz`` archive read with ``allow_pickle=False``: five
arrays and a JSON metadata record, so loading a model can never run code.

The linear model has two blocks of weights over one vocabulary: ``coef`` for
a unit's own TF-IDF vector and ``coef_doc`` for its document's (see
:mod:`democlass.context`).
"""

from __future__ import annotations

import json
import math
import re
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from democlass.context import document_index
from democlass.taxonomy import FORMS, LABELS, NONE

__all__ = ["FORMAT_VERSION", "FrozenModel", "ModelFormatError", "TOKEN_PATTERN"]

FORMAT_VERSION = 2
"""Version 2 added the document block ``coef_doc``; version 1 files still load."""
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_TOKEN = re.compile(TOKEN_PATTERN)
_ARRAYS = ("vocabulary", "idf", "coef", "intercept", "metadata")
_ARRAYS_V2 = (*_ARRAYS, "coef_doc")
# Texts longer than this are tokenised piecewise so that memory stays bounded.
CHUNK_CHARS = 1 << 20
# Texts are scored in batches of about this many characters.
BATCH_CHARS = 1 << 18


class ModelFormatError(ValueError):
    """A model file that is not a democlass array model, or is damaged."""


class FrozenModel:
    """A fitted model as arrays: vocabulary, idf, coefficients, intercepts.

    Built by :meth:`DemoClassifier.freeze`, :func:`democlass.train` or
    :meth:`FrozenModel.load`; applied with numpy alone.

    Parameters
    ----------
    vocabulary : sequence of str
        The n-gram of each feature column.
    idf : ndarray of shape (n_features,)
        Inverse document frequencies.
    coef : ndarray of shape (n_features, n_classes)
        Linear weights of a unit's own TF-IDF vector, one column per class.
    intercept : ndarray of shape (n_classes,)
    classes : sequence of str
        Labels of the columns of ``coef``.
    ngram_max : int
        Longest word n-gram (1 for words, 2 for words and word pairs).
    sublinear_tf : bool
        Whether term counts ``c`` were replaced by ``1 + log(c)``.
    thresholds : dict of str to float, optional
        Probability a form needs to be listed in ``tags``; 0.5 where missing.
    info : dict, optional
        Free-form provenance (training data hash, parameters, version).
    coef_doc : ndarray of shape (n_features, n_classes), optional
        Linear weights of the unit's document's TF-IDF vector (zeros, and so
        no context, where missing). A text scored without a document is its
        own document, so it is scored with ``coef + coef_doc``.
    """

    def __init__(
        self,
        vocabulary: Sequence[str],
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: Sequence[str],
        ngram_max: int,
        sublinear_tf: bool,
        thresholds: dict[str, float] | None = None,
        info: dict[str, Any] | None = None,
        coef_doc: np.ndarray | None = None,
    ) -> None:
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.coef_doc = (
            np.zeros_like(self.coef) if coef_doc is None else np.asarray(coef_doc, np.float64)
        )
        self.classes = tuple(classes)
        self.ngram_max = int(ngram_max)
        self.sublinear_tf = bool(sublinear_tf)
        self.thresholds = {f: float((thresholds or {}).get(f, 0.5)) for f in FORMS}
        self.info = dict(info or {})
        self._check()
        self._build_tables()
        # one contiguous row per class: gathering from it is a fast 1-D take
        self._coef_by_class = np.ascontiguousarray(self.coef.T)
        self._doc_by_class = np.ascontiguousarray(self.coef_doc.T)
        # a text alone is its own document: both blocks see the same vector
        self._alone_by_class = self._coef_by_class + self._doc_by_class
        self._none = self.classes.index(NONE) if NONE in self.classes else None

    def __repr__(self) -> str:
        return (
            f"FrozenModel(n_features={len(self.vocabulary)}, classes={list(self.classes)}, "
            f"ngram_max={self.ngram_max})"
        )

    # --- applying --------------------------------------------------------

    @property
    def coef_alone(self) -> np.ndarray:
        """Weights of a text read alone, shape (n_features, n_classes).

        A text without a document is its own document, so both blocks see its
        vector: these weights are ``coef + coef_doc``.
        """
        return self._alone_by_class.T

    @property
    def uses_context(self) -> bool:
        """Whether the document block has any weight (version 1 models have none)."""
        return bool(np.any(self.coef_doc))

    def predict_proba(
        self, texts: Sequence[str], documents: Sequence[Any] | None = None
    ) -> np.ndarray:
        """Class probabilities, shape (n_texts, n_classes), columns as ``classes``.

        Parameters
        ----------
        texts : sequence of str
            The units to score.
        documents : sequence, optional
            The document of each text (any hashable key). A document's rows
            must be consecutive and in reading order; each unit is then
            scored in the context of its document. Without it, each text is
            its own document.

        A text with no term in the vocabulary (empty, whitespace, symbols)
        has no evidence for any form and gets probability 1 for ``none``.
        """
        return _softmax(self._scores(texts, documents))

    def decision_function(
        self, texts: Sequence[str], documents: Sequence[Any] | None = None
    ) -> np.ndarray:
        """Linear scores before the softmax, shape (n_texts, n_classes)."""
        return self._scores(texts, documents)

    def predict(self, texts: Sequence[str], documents: Sequence[Any] | None = None) -> np.ndarray:
        """The most probable label of each text."""
        proba = self.predict_proba(texts, documents)
        return np.asarray(self.classes, dtype=object)[proba.argmax(axis=1)]

    def _build_tables(self) -> None:
        """Index n-gram features by integer codes of their words.

        Each word gets an id; an n-gram's code is its word ids in base
        ``n_words``. Looking n-grams up then takes one dictionary lookup per
        word in Python and vectorised numpy for the rest, which is what keeps
        prediction near the speed of bare tokenisation.
        """
        words: dict[str, int] = {}
        grams = [term.split(" ") for term in self.vocabulary]
        for gram in grams:
            for word in gram:
                words.setdefault(word, len(words))
        n_words = max(len(words), 1)
        if n_words**self.ngram_max >= 2**62:
            raise ValueError(f"{n_words} words are too many for {self.ngram_max}-grams")
        self._words = _WordIndex(words)
        self._n_words = n_words
        # one spare entry at the end, so that word id -1 (unknown) maps to -1
        self._unigram = np.full(n_words + 1, -1, dtype=np.int64)
        by_order: dict[int, tuple[list[int], list[int]]] = {}
        for fid, gram in enumerate(grams):
            if len(gram) == 1:
                self._unigram[words[gram[0]]] = fid
                continue
            code = 0
            for word in gram:
                code = code * n_words + words[word]
            codes, fids = by_order.setdefault(len(gram), ([], []))
            codes.append(code)
            fids.append(fid)
        self._ngrams = {
            n: _HashTable(np.asarray(codes, np.int64), np.asarray(fids, np.int64))
            for n, (codes, fids) in by_order.items()
        }

    def _word_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Word ids of all texts, concatenated (-1 for unknown words), and the
        text each one belongs to."""
        lookup = self._words.__getitem__
        findall = _TOKEN.findall
        ids: list[int] = []
        extend = ids.extend
        ends: list[int] = []
        for text in texts:
            if len(text) <= CHUNK_CHARS:
                extend(map(lookup, findall(text.lower())))
            else:  # in pieces, to bound the memory a huge text takes
                for piece in _pieces(text):
                    extend(map(lookup, findall(piece.lower())))
            ends.append(len(ids))
        bounds = np.asarray([0, *ends], dtype=np.int64)
        counts = bounds[1:] - bounds[:-1]
        words = np.fromiter(ids, dtype=np.int64, count=len(ids))
        return words, np.repeat(np.arange(len(texts), dtype=np.int64), counts)

    def _counts(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Term counts as (text, feature id, count) triples, sorted by text then feature."""
        n_features = len(self.vocabulary)
        words, docs = self._word_ids(texts)
        known = words >= 0
        fids = self._unigram[words]
        keep = fids >= 0
        keys = [docs[keep] * n_features + fids[keep]]
        for n, table in self._ngrams.items():
            m = len(words) - n + 1
            if m <= 0:
                continue
            # n consecutive known words of the same text
            ok = known[:m] & (docs[n - 1 :] == docs[:m])
            code = words[:m].copy()
            for k in range(1, n):
                ok &= known[k : m + k]
                code *= self._n_words
                code += words[k : m + k]
            found = table.get(code[ok])
            hit = found >= 0
            keys.append(docs[:m][ok][hit] * n_features + found[hit])
        return _count_keys(np.concatenate(keys), n_features)

    def _weigh(
        self, row: np.ndarray, fid: np.ndarray, count: np.ndarray, n_rows: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Tf-idf values of counts and each row's l2 norm: ``value / norm[row]``
        is scikit-learn's tf-idf."""
        tf = count.astype(np.float64)
        if self.sublinear_tf:
            np.log(tf, out=tf)
            tf += 1.0
        values = tf * self.idf[fid]
        norm = np.sqrt(np.bincount(row, weights=values * values, minlength=n_rows))
        return values, norm

    def _tfidf(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Sparse tf-idf rows as (text, feature id, value) triples, sorted by
        text, and each text's l2 norm."""
        row, fid, count = self._counts(texts)
        values, norm = self._weigh(row, fid, count, len(texts))
        return row, fid, values, norm

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Feature ids of one text and their l2-normalised tf-idf values."""
        _, fid, values, norm = self._tfidf([text])
        return fid, values / norm[0] if len(fid) else values

    def _scores(self, texts: Sequence[str], documents: Sequence[Any] | None = None) -> np.ndarray:
        n_texts, n_classes = len(texts), len(self.classes)
        if documents is not None and len(documents) != n_texts:
            raise ValueError(f"{n_texts} texts but {len(documents)} document keys")
        if documents is not None and self.uses_context:
            return self._context_scores(texts, document_index(documents))
        scores = np.empty((n_texts, n_classes))
        present = np.empty(n_texts, dtype=bool)
        for start, stop in _batches(texts):
            row, fid, count = self._counts(texts[start:stop])
            values, norm = self._weigh(row, fid, count, stop - start)
            scores[start:stop] = _linear(self._alone_by_class, row, fid, values, norm)
            present[start:stop] = norm > 0
        return self._finish(scores, present)

    def _context_scores(self, texts: Sequence[str], doc: np.ndarray) -> np.ndarray:
        """Scores of units in their documents: the unit block per unit, the
        document block once per document (its units' counts summed), added up.

        Batches may cut a document; its counts are carried to the next batch
        until its last unit is seen, so memory stays bounded by the batch and
        the vocabulary, never by the document.
        """
        n_texts, n_features = len(texts), len(self.vocabulary)
        scores = np.empty((n_texts, len(self.classes)))
        present = np.empty(n_texts, dtype=bool)
        by_doc = np.zeros((int(doc[-1]) + 1 if n_texts else 0, len(self.classes)))
        carry_keys, carry_counts = np.empty(0, np.int64), np.empty(0, np.int64)
        for start, stop in _batches(texts):
            row, fid, count = self._counts(texts[start:stop])
            values, norm = self._weigh(row, fid, count, stop - start)
            scores[start:stop] = _linear(self._coef_by_class, row, fid, values, norm)
            present[start:stop] = norm > 0
            # the batch's counts summed by document, with what the last batch left open
            d_doc, d_fid, d_count = _count_keys(
                np.concatenate([carry_keys, doc[start + row] * n_features + fid]),
                n_features,
                np.concatenate([carry_counts, count]),
            )
            still_open = stop < n_texts and doc[stop] == doc[stop - 1]
            held = d_doc == doc[stop - 1] if still_open else np.zeros(len(d_doc), dtype=bool)
            carry_keys = d_doc[held] * n_features + d_fid[held]
            carry_counts = d_count[held]
            d_doc, d_fid, d_count = d_doc[~held], d_fid[~held], d_count[~held]
            if len(d_doc):
                low = int(d_doc[0])  # documents are numbered in order, so a slice holds them
                local = d_doc - low
                d_values, d_norm = self._weigh(local, d_fid, d_count, int(local[-1]) + 1)
                part = _linear(self._doc_by_class, local, d_fid, d_values, d_norm)
                by_doc[low : low + len(part)] += part
        scores += by_doc[doc]
        return self._finish(scores, present)

    def _finish(self, scores: np.ndarray, present: np.ndarray) -> np.ndarray:
        """Add intercepts; a unit with no known term is ``none`` with certainty."""
        scores += self.intercept
        if self._none is not None:
            scores[~present] = -np.inf
            scores[~present, self._none] = 0.0
        return scores

    # --- saving and loading ----------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """The JSON record stored beside the arrays."""
        return {
            "format": "democlass-model",
            "format_version": FORMAT_VERSION,
            "classes": list(self.classes),
            "ngram_max": self.ngram_max,
            "sublinear_tf": self.sublinear_tf,
            "token_pattern": TOKEN_PATTERN,
            "lowercase": True,
            "norm": "l2",
            "thresholds": self.thresholds,
            "info": self.info,
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as one ``.npz`` file (arrays and JSON, no pickles).

        The file is written beside its target and renamed into place, so an
        interrupted save never leaves a half-written model.
        """
        path = Path(path)
        if path.suffix != ".npz":
            path = (
                path.with_suffix(path.suffix + ".npz") if path.suffix else path.with_suffix(".npz")
            )
        blob = "\n".join(self.vocabulary).encode("utf-8")
        meta = json.dumps(self.metadata(), sort_keys=True, indent=1).encode("utf-8")
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            with open(tmp, "wb") as fh:
                np.savez_compressed(
                    fh,
                    vocabulary=np.frombuffer(blob, dtype=np.uint8),
                    idf=self.idf,
                    coef=self.coef,
                    coef_doc=self.coef_doc,
                    intercept=self.intercept,
                    metadata=np.frombuffer(meta, dtype=np.uint8),
                )
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        return path

    @classmethod
    def load(cls, path: str | Path) -> FrozenModel:
        """Read a model written by :meth:`save`, refusing anything else."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as archive:
                names = _ARRAYS_V2 if "coef_doc" in archive.files else _ARRAYS
                missing = [k for k in _ARRAYS if k not in archive.files]
                if missing:
                    raise ModelFormatError(
                        f"{path}: not a democlass model: the archive lacks {', '.join(missing)}"
                    )
                arrays = {k: archive[k] for k in names}
        except ModelFormatError:
            raise
        except FileNotFoundError as exc:
            raise ModelFormatError(f"{path}: no such model file") from exc
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
            raise ModelFormatError(
                f"{path}: not a democlass model (.npz of plain arrays): {exc}"
            ) from exc
        try:
            meta = json.loads(arrays["metadata"].tobytes().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelFormatError(f"{path}: the metadata record is not JSON: {exc}") from exc
        if not isinstance(meta, dict) or meta.get("format") != "democlass-model":
            raise ModelFormatError(f"{path}: the metadata does not describe a democlass model")
        version = meta.get("format_version")
        if version not in (1, FORMAT_VERSION) or isinstance(version, bool):
            raise ModelFormatError(
                f"{path}: unknown model format version {version!r}; "
                f"this democlass reads versions 1 to {FORMAT_VERSION}"
            )
        if version == FORMAT_VERSION and "coef_doc" not in arrays:
            raise ModelFormatError(f"{path}: not a democlass model: the archive lacks coef_doc")
        for key, want in (("token_pattern", TOKEN_PATTERN), ("lowercase", True), ("norm", "l2")):
            if meta.get(key) != want:
                raise ModelFormatError(f"{path}: unsupported {key} {meta.get(key)!r}")
        try:
            vocabulary = arrays["vocabulary"].tobytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ModelFormatError(f"{path}: the vocabulary is not UTF-8: {exc}") from exc
        try:
            return cls(
                vocabulary.split("\n") if vocabulary else [],
                arrays["idf"],
                arrays["coef"],
                arrays["intercept"],
                meta.get("classes", []),
                meta.get("ngram_max", 0),
                meta.get("sublinear_tf", True),
                meta.get("thresholds"),
                meta.get("info"),
                arrays.get("coef_doc"),
            )
        except (ValueError, TypeError) as exc:
            raise ModelFormatError(f"{path}: {exc}") from exc

    def _check(self) -> None:
        n = len(self.vocabulary)
        unknown = [c for c in self.classes if c not in LABELS]
        if unknown or len(set(self.classes)) != len(self.classes) or len(self.classes) < 2:
            raise ValueError(f"label set {list(self.classes)} is not a set of democlass labels")
        if self.ngram_max not in (1, 2, 3):
            raise ValueError(f"ngram_max must be 1, 2 or 3, got {self.ngram_max}")
        if len(set(self.vocabulary)) != n:
            raise ValueError("the vocabulary repeats a term")
        shapes = {
            "idf": (self.idf.shape, (n,)),
            "coef": (self.coef.shape, (n, len(self.classes))),
            "coef_doc": (self.coef_doc.shape, (n, len(self.classes))),
            "intercept": (self.intercept.shape, (len(self.classes),)),
        }
        for name, (got, want) in shapes.items():
            if got != want:
                raise ValueError(f"array {name!r} has shape {got}, expected {want}")
        for name in ("idf", "coef", "coef_doc", "intercept"):
            if not np.all(np.isfinite(getattr(self, name))):
                raise ValueError(f"array {name!r} holds values that are not finite")
        for form, value in self.thresholds.items():
            if not 0.0 <= value <= 1.0 or math.isnan(value):
                raise ValueError(f"threshold for {form!r} is {value}, not in [0, 1]")


class _WordIndex(dict):
    """Word to id; -1 for a word not in the vocabulary."""

    __slots__ = ()

    def __missing__(self, word: str) -> int:
        return -1


class _HashTable:
    """Open-addressing hash table from int64 keys to int64 values, probed
    with numpy for a whole batch of keys at once."""

    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        bits = max(int(4 * len(keys)).bit_length(), 4)  # at most a quarter full
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._keys = np.full(1 << bits, -1, dtype=np.int64)
        self._values = np.full(1 << bits, -1, dtype=np.int64)
        slot = self._home(keys)
        todo = np.arange(len(keys))
        while len(todo):
            # of the keys that want the same free slot, the first one takes it
            free = self._keys[slot[todo]] == -1
            wanted, first = np.unique(slot[todo[free]], return_index=True)
            taken = todo[free][first]
            self._keys[wanted] = keys[taken]
            self._values[wanted] = values[taken]
            placed = np.zeros(len(keys), dtype=bool)
            placed[taken] = True
            todo = todo[~placed[todo]]
            slot[todo] = (slot[todo] + 1) & self._mask

    def _home(self, keys: np.ndarray) -> np.ndarray:
        hashed = keys.astype(np.uint64) * self._MULTIPLIER
        return (hashed >> self._shift).astype(np.int64)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, or -1 where a key is absent."""
        out = np.full(len(keys), -1, dtype=np.int64)
        slot = self._home(keys)
        todo = np.arange(len(keys))
        while len(todo):
            stored = self._keys[slot[todo]]
            match = stored == keys[todo]
            out[todo[match]] = self._values[slot[todo[match]]]
            todo = todo[~match & (stored != -1)]
            slot[todo] = (slot[todo] + 1) & self._mask
        return out


def _count_keys(
    keys: np.ndarray, n_features: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum occurrences of ``row * n_features + feature`` keys: (row, feature,
    count) triples sorted by row then feature. ``weights`` are the counts each
    key brings (1 each when None)."""
    if weights is None:
        keys = np.sort(keys)
    else:
        order = np.argsort(keys, kind="stable")
        keys, weights = keys[order], weights[order]
    first = np.empty(len(keys), dtype=bool)
    first[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    if weights is None:
        count = np.diff(starts, append=len(keys)).astype(np.int64)
    else:
        count = np.add.reduceat(weights, starts) if len(starts) else weights[:0]
    keys = keys[starts]
    row = keys // n_features if n_features else keys
    return row, keys - row * n_features, count


def _linear(
    weights_by_class: np.ndarray,
    row: np.ndarray,
    fid: np.ndarray,
    values: np.ndarray,
    norm: np.ndarray,
) -> np.ndarray:
    """Scores (without intercept) of l2-normalised sparse rows; 0 for empty rows."""
    scores = np.zeros((len(norm), len(weights_by_class)))
    present = norm > 0
    if present.any():
        # rows come sorted, so each row's terms are one run
        starts = np.searchsorted(row, np.flatnonzero(present))
        for k, weights in enumerate(weights_by_class):
            scores[present, k] = np.add.reduceat(weights[fid] * values, starts)
        scores[present] /= norm[present, None]
    return scores


def _batches(texts: Sequence[str]) -> Iterator[tuple[int, int]]:
    """Ranges of ``texts`` holding about BATCH_CHARS characters each: working
    set per batch stays small (bounded memory, arrays that fit in cache)."""
    start, size = 0, 0
    for i, text in enumerate(texts):
        size += len(text) if isinstance(text, str) else 0
        if size >= BATCH_CHARS:
            yield start, i + 1
            start, size = i + 1, 0
    if start < len(texts) or not texts:
        yield start, len(texts)


def _pieces(text: str) -> Iterator[str]:
    """``text`` in pieces of about CHUNK_CHARS, cut only before whitespace,
    so that no token is split and lower-casing sees every word whole."""
    start = 0
    while start < len(text):
        end = min(start + CHUNK_CHARS, len(text))
        while end < len(text) and not text[end].isspace():
            end += 1
        yield text[start:end]
        start = end


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted
