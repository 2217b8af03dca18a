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
import stat
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from democlass.context import document_index
from democlass.taxonomy import FORMS, LABELS, NONE

__all__ = [
    "FORMAT_VERSION",
    "MAX_MODEL_BYTES",
    "FrozenModel",
    "ModelFormatError",
    "TOKEN_PATTERN",
]

FORMAT_VERSION = 2
"""Version 2 added the document block ``coef_doc``; version 1 files still load."""
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_TOKEN = re.compile(TOKEN_PATTERN)
# The arrays of a model file and what each must hold: "text" is UTF-8 as a
# 1-D uint8 array, "numbers" an array of real integers or floats.
_ARRAYS = {
    "vocabulary": "text",
    "idf": "numbers",
    "coef": "numbers",
    "intercept": "numbers",
    "metadata": "text",
    "coef_doc": "numbers",  # from format version 2: the document block
}
# Largest total uncompressed size of a model file's arrays. The built-in model
# is 5.7 MB (57,223 terms, about 100 bytes each with both blocks); this allows
# over two million terms, and refuses a zip bomb before it is inflated.
MAX_MODEL_BYTES = 256 << 20
# Largest metadata record, and how deeply its JSON may nest.
MAX_METADATA_BYTES = 1 << 20
MAX_METADATA_DEPTH = 32
# Largest zip central directory: numpy writes about 100 bytes per array, and
# zipfile builds an object per entry, so a huge directory is refused unread.
MAX_DIRECTORY_BYTES = 64 << 10
_READ_CHUNK = 1 << 20
# Largest magnitude of an idf, coefficient or intercept: scores stay finite.
MAX_WEIGHT = 1e100
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
        self._context = bool(np.any(self.coef_doc))
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
        return self._context

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
        # vectorised over the vocabulary: loading a model is part of every cold start
        vocabulary = self.vocabulary
        flat = " ".join(vocabulary).split(" ") if vocabulary else []
        words = {word: i for i, word in enumerate(dict.fromkeys(flat))}
        n_words = max(len(words), 1)
        if n_words**self.ngram_max >= 2**62:
            raise ValueError(f"{n_words} words are too many for {self.ngram_max}-grams")
        self._words = _WordIndex(words)
        self._n_words = n_words
        ids = np.fromiter(map(words.__getitem__, flat), dtype=np.int64, count=len(flat))
        lengths = np.fromiter(
            (term.count(" ") + 1 for term in vocabulary), dtype=np.int64, count=len(vocabulary)
        )
        first = np.cumsum(lengths) - lengths  # where each term's words start in ``flat``
        fids = np.arange(len(vocabulary), dtype=np.int64)
        # one spare entry at the end, so that word id -1 (unknown) maps to -1
        self._unigram = np.full(n_words + 1, -1, dtype=np.int64)
        one = lengths == 1
        self._unigram[ids[first[one]]] = fids[one]
        self._ngrams = {}
        for n in range(2, self.ngram_max + 1):
            of_order = lengths == n
            if not of_order.any():
                continue
            code = np.zeros(int(of_order.sum()), dtype=np.int64)
            for k in range(n):
                code = code * n_words + ids[first[of_order] + k]
            self._ngrams[n] = _HashTable(code, fids[of_order])

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
        # terms whose idf is 0 have no weight: a text of only those has norm 0
        return fid, values / norm[0] if norm[0] > 0 else values

    def _scores(self, texts: Sequence[str], documents: Sequence[Any] | None = None) -> np.ndarray:
        """Scores of each text, alone or in its document.

        Alone, a text is its own document, so it is scored with both blocks'
        weights at once. In context, the unit block is scored per unit and
        the document block once per document (its units' counts summed),
        and the two are added. Batches may cut a document; its counts are
        carried to the next batch until its last unit is seen, so memory
        stays bounded by the batch and the vocabulary, never by the document.
        """
        n_texts, n_features = len(texts), len(self.vocabulary)
        if documents is not None and len(documents) != n_texts:
            raise ValueError(f"{n_texts} texts but {len(documents)} document keys")
        doc = document_index(documents) if documents is not None and self._context else None
        weights = self._alone_by_class if doc is None else self._coef_by_class
        scores = np.empty((n_texts, len(self.classes)))
        present = np.empty(n_texts, dtype=bool)
        n_docs = int(doc[-1]) + 1 if doc is not None and n_texts else 0
        by_doc = np.zeros((n_docs, len(self.classes)))
        carry_keys, carry_counts = np.empty(0, np.int64), np.empty(0, np.int64)
        for start, stop in _batches(texts):
            row, fid, count = self._counts(texts[start:stop])
            values, norm = self._weigh(row, fid, count, stop - start)
            scores[start:stop] = _linear(weights, row, fid, values, norm)
            present[start:stop] = norm > 0
            if doc is None:
                continue
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
        if doc is not None:
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
        interrupted save never leaves a half-written model. ``.npz`` is added
        to a name without it.

        Raises
        ------
        IsADirectoryError
            If ``path`` is a folder.
        FileNotFoundError
            If the folder to save in does not exist.
        """
        path = Path(path)
        if path.is_dir():  # "m/" would otherwise become a file "m.npz" beside the folder
            raise IsADirectoryError(
                f"{path} is a folder; give a file name, e.g. {path / 'model.npz'}"
            )
        if path.suffix != ".npz":
            path = (
                path.with_suffix(path.suffix + ".npz") if path.suffix else path.with_suffix(".npz")
            )
        if not path.parent.is_dir():
            raise FileNotFoundError(f"no folder {path.parent} to save {path.name} in")
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
        """Read a model written by :meth:`save`, refusing anything else.

        Raises
        ------
        ModelFormatError
            If the file is missing or unreadable, not a democlass model, or
            damaged: every fault of the file, whatever it is, is this error.
        """
        path = Path(path)
        try:
            arrays = _read_arrays(path, _ARRAYS)
            meta = _parse_metadata(arrays["metadata"]) if "metadata" in arrays else {}
            # version 1 models predate the document block
            wanted = [k for k in _ARRAYS if k != "coef_doc" or meta.get("format_version", 2) > 1]
            missing = [k for k in wanted if k not in arrays]
            if missing:
                raise ModelFormatError(
                    f"not a democlass model: the archive lacks {', '.join(missing)}"
                )
            vocabulary = _text(arrays["vocabulary"], "the vocabulary")
            try:
                return cls(
                    vocabulary.split("\n") if vocabulary else [],
                    arrays["idf"],
                    arrays["coef"],
                    arrays["intercept"],
                    meta["classes"],
                    meta["ngram_max"],
                    meta["sublinear_tf"],
                    meta.get("thresholds"),
                    meta.get("info"),
                    arrays.get("coef_doc"),
                )
            except (ValueError, TypeError) as exc:
                raise ModelFormatError(str(exc)) from exc
        except ModelFormatError as exc:
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
            # beyond this, sums of squares and of weighted terms could overflow to inf
            if np.any(np.abs(getattr(self, name)) > MAX_WEIGHT):
                raise ValueError(f"array {name!r} holds values beyond +/-{MAX_WEIGHT:g}")
        for form, value in self.thresholds.items():
            if not 0.0 <= value <= 1.0 or math.isnan(value):
                raise ValueError(f"threshold for {form!r} is {value}, not in [0, 1]")
        _check_terms(self.vocabulary, self.ngram_max)


# --- reading model files ------------------------------------------------------


def _read_arrays(path: Path, kinds: Mapping[str, str]) -> dict[str, np.ndarray]:
    """The arrays named in ``kinds`` that the ``.npz`` file at ``path`` holds.

    Nothing is inflated before the zip directory has been checked: at most
    MAX_DIRECTORY_BYTES of directory, no encryption, only stored or deflated
    members, and declared sizes within MAX_MODEL_BYTES in all. Each array's
    ``.npy`` header must then match its member's declared size and hold the
    kind of values ``kinds`` names; its data is read in chunks into an array
    of exactly that size, so a member that inflates to more than it declares
    costs no more memory than it declared.
    """
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise ModelFormatError("is a folder, not a model file")
        if not stat.S_ISREG(mode):  # opening a pipe would wait for a writer forever
            raise ModelFormatError("not a regular file (a pipe or a device), so not a model file")
        with open(path, "rb") as fh:
            _check_zip_directory(fh)
            with zipfile.ZipFile(fh) as archive:
                members = _members(archive, kinds)
                return {
                    name: _read_member(archive, info, kinds[name]) for name, info in members.items()
                }
    except ModelFormatError:
        raise
    except FileNotFoundError as exc:
        raise ModelFormatError("no such model file") from exc
    except OSError as exc:
        raise ModelFormatError(f"cannot read the model file: {exc.strerror or exc}") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        raise ModelFormatError(f"damaged model file: {exc}") from exc


def _check_zip_directory(fh: Any) -> None:
    """Refuse a file that is not a zip archive, or whose directory is too
    large to read, from its first bytes and its end-of-directory record."""
    head = fh.read(6)
    if head == b"\x93NUMPY":
        raise ModelFormatError(
            "not a democlass model file: it is a single .npy array, and a model is a "
            ".npz archive written by democlass.save"
        )
    if head[:1] == b"\x80":
        raise ModelFormatError(
            "not a democlass model file: it is a Python pickle, which democlass never loads"
        )
    if head[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise ModelFormatError(
            "not a democlass model file: it is not a .npz archive (models are written by "
            "democlass.save or `democlass train`)"
        )
    size = fh.seek(0, 2)
    tail_size = min(size, 22 + 0xFFFF)  # the record, then a comment of at most 64 KiB
    fh.seek(size - tail_size)
    tail = fh.read(tail_size)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) - end < 22:
        raise ModelFormatError("damaged model file: the zip directory is missing (truncated?)")
    if end >= 20 and tail[end - 20 : end - 16] == b"PK\x06\x07":
        raise ModelFormatError("not a democlass model: a zip64 archive, far larger than a model")
    entries, directory = struct.unpack_from("<HI", tail, end + 10)
    if entries > 64 or directory > MAX_DIRECTORY_BYTES:
        raise ModelFormatError(
            f"not a democlass model: the zip directory lists {entries} entries in "
            f"{directory} bytes; a model has a handful of arrays"
        )
    fh.seek(0)


def _members(archive: zipfile.ZipFile, kinds: Mapping[str, str]) -> dict[str, zipfile.ZipInfo]:
    """The zip entries of the arrays in ``kinds``, after checking what the
    directory says about each one (and the total) before any is read."""
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise ModelFormatError("not a democlass model: the archive repeats an entry name")
    members = {
        info.filename[: -len(".npy")]: info
        for info in infos
        if info.filename.endswith(".npy") and info.filename[: -len(".npy")] in kinds
    }
    total = 0
    for name, info in members.items():
        if info.flag_bits & 0x41:  # bit 0: encrypted; bit 6: strong encryption
            raise ModelFormatError(f"array {name!r} is encrypted; democlass models never are")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ModelFormatError(
                f"array {name!r} uses zip compression method {info.compress_type}; "
                "democlass models are stored or deflated"
            )
        total += info.file_size
    metadata = members.get("metadata")
    if metadata is not None and metadata.file_size > MAX_METADATA_BYTES:
        raise ModelFormatError(
            f"the metadata record declares {metadata.file_size:,} bytes, "
            f"more than the {MAX_METADATA_BYTES:,} a model's metadata may take"
        )
    if total > MAX_MODEL_BYTES:
        raise ModelFormatError(
            f"the arrays declare {total:,} bytes uncompressed, more than the "
            f"{MAX_MODEL_BYTES:,} a democlass model may take (a damaged file or a zip bomb)"
        )
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, kind: str) -> np.ndarray:
    """One ``.npy`` member, checked against its declared size and ``kind``."""
    name = info.filename[: -len(".npy")]
    with archive.open(info) as fp:
        shape, fortran, dtype = _read_npy_header(fp, name)
        _check_dtype(name, dtype, kind, len(shape))
        if any(n < 0 for n in shape):
            raise ModelFormatError(f"array {name!r} declares a negative shape {shape}")
        nbytes = math.prod(shape) * dtype.itemsize
        if fp.tell() + nbytes != info.file_size:
            raise ModelFormatError(
                f"array {name!r} declares shape {shape} ({nbytes:,} bytes of data) but its "
                f"zip entry holds {info.file_size - fp.tell():,} bytes"
            )
        data = bytearray(nbytes)
        view = memoryview(data)
        done = 0
        while done < nbytes:
            chunk = fp.read(min(_READ_CHUNK, nbytes - done))
            if not chunk:
                raise ModelFormatError(f"array {name!r} is truncated")
            view[done : done + len(chunk)] = chunk
            done += len(chunk)
        fp.read()  # reaching the end checks the entry's CRC
    array = np.frombuffer(data, dtype=dtype)
    return array.reshape(shape[::-1]).T if fortran else array.reshape(shape)


def _read_npy_header(fp: Any, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """Shape, Fortran order and dtype from an ``.npy`` header."""
    try:
        with warnings.catch_warnings():
            # numpy warns, then guesses, on a header it cannot parse as written
            warnings.simplefilter("error")
            version = np.lib.format.read_magic(fp)
            if version == (1, 0):
                return np.lib.format.read_array_header_1_0(fp)
            if version == (2, 0):
                return np.lib.format.read_array_header_2_0(fp)
    except (zipfile.BadZipFile, zlib.error):
        raise
    except Exception as exc:  # numpy's parser of this untrusted text raises
        # ValueError, SyntaxError, tokenize.TokenError, warnings and more
        raise ModelFormatError(f"array {name!r} has a damaged .npy header: {exc}") from exc
    raise ModelFormatError(f"array {name!r} has .npy format version {version}")


def _check_dtype(name: str, dtype: np.dtype, kind: str, ndim: int) -> None:
    if kind == "text":
        if dtype != np.uint8 or ndim != 1:
            raise ModelFormatError(
                f"not a democlass model: array {name!r} is {ndim}-D {dtype}, "
                "expected UTF-8 text as 1-D uint8"
            )
    elif dtype.kind not in "iuf" or dtype.hasobject or dtype.fields is not None:
        raise ModelFormatError(
            f"not a democlass model: array {name!r} has dtype {dtype}, expected real numbers"
        )


def _text(array: np.ndarray, what: str) -> str:
    try:
        return array.tobytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFormatError(f"{what} is not UTF-8: {exc}") from exc


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_metadata(array: np.ndarray) -> dict[str, Any]:
    """The metadata record as a dict, each key checked for its type and range."""
    try:
        meta = json.loads(_text(array, "the metadata record"), parse_constant=_no_constants)
    except RecursionError as exc:
        raise ModelFormatError("the metadata record nests too deeply") from exc
    except ValueError as exc:  # JSONDecodeError, and integers of thousands of digits
        raise ModelFormatError(f"the metadata record is not JSON: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("format") != "democlass-model":
        raise ModelFormatError("the metadata does not describe a democlass model")
    if _depth(meta) > MAX_METADATA_DEPTH:
        raise ModelFormatError(
            f"the metadata record nests more than {MAX_METADATA_DEPTH} levels deep"
        )
    version = meta.get("format_version")
    if type(version) is not int or not 1 <= version <= FORMAT_VERSION:
        raise ModelFormatError(
            f"unknown model format version {version!r}; "
            f"this democlass reads versions 1 to {FORMAT_VERSION}"
        )
    for key, want in (("token_pattern", TOKEN_PATTERN), ("lowercase", True), ("norm", "l2")):
        got = meta.get(key)
        if type(got) is not type(want) or got != want:
            raise ModelFormatError(f"unsupported {key} {got!r}")
    for key, (required, valid, expected) in _METADATA.items():
        if key not in meta:
            if required:
                raise ModelFormatError(f"the metadata lacks {key!r}")
            continue
        if not valid(meta[key]):
            shown = json.dumps(meta[key])
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise ModelFormatError(f"metadata {key!r} is {shown}, expected {expected}")
    return meta


def _is_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _is_thresholds(value: Any) -> bool:
    return isinstance(value, dict) and all(
        form in FORMS and _is_number(x) and 0 <= x <= 1 for form, x in value.items()
    )


# key: (required, check, what was expected)
_METADATA: dict[str, tuple[bool, Any, str]] = {
    "classes": (
        True,
        lambda v: isinstance(v, list) and all(isinstance(c, str) for c in v),
        "a list of label names",
    ),
    "ngram_max": (True, lambda v: type(v) is int and 1 <= v <= 3, "the whole number 1, 2 or 3"),
    "sublinear_tf": (True, lambda v: type(v) is bool, "true or false"),
    "thresholds": (
        False,
        lambda v: v is None or _is_thresholds(v),
        f"an object mapping forms ({', '.join(FORMS)}) to numbers from 0 to 1",
    ),
    "info": (False, lambda v: v is None or isinstance(v, dict), "an object"),
}


def _depth(value: Any) -> int:
    """How deeply a parsed JSON value nests (without recursion)."""
    deepest = 0
    todo = [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            todo.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _check_terms(vocabulary: Sequence[str], ngram_max: int) -> None:
    """Refuse terms the tokeniser can never produce: each must be 1 to
    ``ngram_max`` tokens joined by single spaces."""
    term = rf"\w\w+(?: \w\w+){{0,{ngram_max - 1}}}"
    # one pass over all terms in C: checking them one by one costs 10 times more
    if re.fullmatch(rf"(?:{term}(?:\n{term})*)?", "\n".join(vocabulary)):
        return
    pattern = re.compile(term)
    for i, t in enumerate(vocabulary):
        if not isinstance(t, str) or not pattern.fullmatch(t):
            shown = repr(t) if len(repr(t)) <= 60 else repr(t)[:57] + "..."
            raise ValueError(
                f"vocabulary term {i} {shown} is not a term the tokeniser can produce: "
                f"1 to {ngram_max} words of two or more letters, joined by single spaces"
            )


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
        order = np.argsort(keys)  # any order of equal keys: their counts are summed
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
        terms = weights_by_class[:, fid]
        terms *= values
        scores[present] = np.add.reduceat(terms, starts, axis=1).T
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
