"""Turn a document into paragraph units with offsets into the original text.

One function, :func:`split_paragraphs`, serves both the labelled dataset and
batch tagging, so a paragraph means the same thing in training and in use.

The rules, in brief:

* A line break is ``\\n``, ``\\r\\n`` or ``\\r``. A unit's text is its source
  with every run of whitespace folded to one space; Markdown markers (``#``,
  ``-``, ``1.``) stay in the text, so a heading or list item is still
  recognisable when the units are split again.
* Headings, list items and footnotes are units of their own.
* Lines of plain text are units of their own (one paragraph per line), except
  that lines are joined when a line ends in a Markdown hard break (two spaces
  or a backslash), when the document is hard-wrapped (most lines of its
  multi-line blocks end mid-sentence and none is longer than 120 characters),
  and when a unit ends mid-sentence and the next plain unit begins with a
  lower-case letter: that last rule joins a paragraph broken by a blank line
  or a page break, skipping any footnotes that stand between the two halves.
* Lines with no letter or digit (rules such as ``---``, ``* * *``) and bare
  page numbers are page furniture and are dropped.
* YAML front matter (a first line ``---`` up to the next ``---`` or ``...``)
  yields its prose values (four or more words, not a URL); keys, ids, dates
  and other short values are dropped.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Paragraph", "iter_paragraphs", "split_paragraphs"]

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_HEADING = re.compile(r"#{1,6}(?:\s|$)")
_ITEM = re.compile(r"(?:[-*+\u2022]|\d{1,3}[.)])\s")
_FOOTNOTE = re.compile(r"<sup>[^<]*</sup>|\[\^[^\]]+\]:")
_TAG = re.compile(r"<[^>]*>")
_PAGE_NUMBER = re.compile(r"(?i)(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?")
_YAML_KEY = re.compile(r"(\s*)(?:-\s+)?([\w.-]+|\"[^\"]*\"|'[^']*'):(?:\s+|$)")
_YAML_BLOCK = re.compile(r"[>|][+-]?\d?")
_URL = re.compile(r"\w+://|www\.")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_PAIRS = (("\u201c", "\u201d"), ("\u2018", "\u2019"), ("(", ")"), ("[", "]"))
_TERMINAL = frozenset(".!?:;\"'\u201d\u2019)]}\u00bb\u2026>*_`|")


@dataclass(frozen=True)
class Paragraph:
    """One unit of a document.

    Attributes
    ----------
    text : str
        The unit's text, whitespace folded to single spaces.
    start, end : int
        Character offsets of the unit's first and last piece in the original
        document: ``original[start:end]`` covers the whole unit.
    spans : tuple of (int, int)
        The pieces the unit was joined from, in order. Usually one piece; a
        paragraph broken by a page break has two, with the footnotes between
        them left out. ``text`` is the pieces' text joined by single spaces.
    kind : str
        ``"heading"``, ``"item"``, ``"footnote"``, ``"text"`` or ``"meta"``
        (a prose value from YAML front matter).
    """

    text: str
    start: int
    end: int
    spans: tuple[tuple[int, int], ...]
    kind: str


def split_paragraphs(text: str) -> list[Paragraph]:
    """Split a document into paragraph units.

    Parameters
    ----------
    text : str
        The whole document, as read from a file or a table cell.

    Returns
    -------
    list of Paragraph
        Non-empty units in document order, with their offsets.

    See Also
    --------
    iter_paragraphs : the same units one at a time, for documents too large
        to hold all their units at once.

    Examples
    --------
    >>> doc = "# Open models\\n\\nMeta released the weights.\\nAnyone can fine-tune them."
    >>> [p.text for p in split_paragraphs(doc)]
    ['# Open models', 'Meta released the weights.', 'Anyone can fine-tune them.']
    >>> p = split_paragraphs("Intro line\\n\\n---\\n\\nbroken across a page.")[0]
    >>> p.text, p.spans
    ('Intro line broken across a page.', ((0, 10), (17, 38)))
    """
    return list(iter_paragraphs(text))


def iter_paragraphs(text: str) -> Iterator[Paragraph]:
    """Yield the units of :func:`split_paragraphs` one at a time.

    Time is linear in the length of ``text``, and memory beyond the text
    itself stays small: each line is read, classified and released in turn,
    so a large file's units can be tagged as they come.

    Parameters
    ----------
    text : str
        The whole document.

    Yields
    ------
    Paragraph
        Non-empty units in document order, with their offsets.

    Examples
    --------
    >>> [p.kind for p in iter_paragraphs("# Title\\n\\n- an item\\nplain text")]
    ['heading', 'item', 'text']
    """
    if not isinstance(text, str):
        raise TypeError(f"split_paragraphs expects str, got {type(text).__name__}")
    return _paragraphs(text)


def _paragraphs(text: str) -> Iterator[Paragraph]:
    body = 0
    front = _front_matter(text)
    units: Iterator[_Unit] = _body_units(text, 0)
    if front is not None:
        yaml_lines, body = front
        units = itertools.chain(_yaml_values(text, yaml_lines), _body_units(text, body))
    for u in _join_broken(units):
        yield Paragraph(u.text, u.spans[0][0], u.spans[-1][1], tuple(u.spans), u.kind)


# --- internals -------------------------------------------------------------


@dataclass
class _Unit:
    spans: list[tuple[int, int]]
    text: str
    kind: str
    body: int = -1  # for a list item: where its content starts, after the marker
    grown: bool = False  # lines were added: fold the text from the whole span


def _is_blank_char(c: str) -> bool:
    return c.isspace() or c == "\ufeff"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past whitespace and byte-order marks at both edges."""
    while start < end and _is_blank_char(text[start]):
        start += 1
    while end > start and _is_blank_char(text[end - 1]):
        end -= 1
    return start, end


def _fold(piece: str) -> str:
    if len(piece) < 10_000:
        return " ".join(piece.split())
    # the same result (``\\s`` is str.isspace) without a string per word,
    # whose cost per word grows with the piece when a piece has millions
    return _SPACES.sub(" ", piece).strip()


def _lines(text: str, pos: int = 0) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each line from ``pos`` on, without its line break."""
    for m in _LINE.finditer(text, pos):
        if m.start() == m.end():
            continue
        end = m.end()
        while end > m.start() and text[end - 1] in "\r\n":
            end -= 1
        yield m.start(), end


def _classify(folded: str) -> str:
    """Kind of a unit judged from its folded text alone.

    Judging from the text alone (not from where it stood) is what makes
    splitting the joined units again give the same units.
    """
    if not folded:
        return "blank"
    # only text up to the last ">" can hold a tag; leaving the rest out of
    # the pattern keeps a long run of "<" from costing quadratic time
    cut = folded.rfind(">") + 1
    bare = (_TAG.sub("", folded[:cut]) + folded[cut:]).strip()
    if not any(c.isalnum() for c in bare) or _PAGE_NUMBER.fullmatch(bare):
        return "furniture"
    if _HEADING.match(folded):
        return "heading"
    if _ITEM.match(folded):
        return "item"
    if _FOOTNOTE.match(folded):
        return "footnote"
    return "text"


def _ends_mid_sentence(text: str) -> bool:
    return text[-1] not in _TERMINAL


def _front_matter(text: str) -> tuple[list[tuple[int, int]], int] | None:
    """The lines of YAML front matter and where the body begins after its
    closing fence, or None if the document has no (closed) front matter."""
    lines = _lines(text)
    first = next(lines, None)
    if first is None or text[first[0] : first[1]].lstrip("\ufeff").rstrip() != "---":
        return None
    inside: list[tuple[int, int]] = []
    for start, end in lines:
        if text[start:end].rstrip() in ("---", "..."):
            return inside, end
        inside.append((start, end))
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _yaml_values(text: str, lines: list[tuple[int, int]]) -> Iterator[_Unit]:
    """Prose values of front matter; keys, ids, dates, URLs and short values go."""
    i = 0
    while i < len(lines):
        ls, le = lines[i]
        line = text[ls:le]
        i += 1
        m = _YAML_KEY.match(line)
        if m:
            vs = ls + m.end()
        elif line.lstrip().startswith("- "):
            vs = ls + line.index("- ") + 2
        else:
            continue
        ve = le
        if _YAML_BLOCK.fullmatch(text[vs:le].strip()):
            # a block scalar: its value is every following line indented deeper
            vs = ve = -1
            while i < len(lines):
                cs, ce = lines[i]
                cline = text[cs:ce]
                if cline.strip() and _indent(cline) <= _indent(line):
                    break
                if cline.strip():
                    vs = cs if vs < 0 else vs
                    ve = ce
                i += 1
            if vs < 0:
                continue
        start, end = _trim(text, vs, ve)
        if end - start >= 2 and text[start] in "\"'" and text[end - 1] == text[start]:
            start, end = _trim(text, start + 1, end - 1)
        folded = _fold(text[start:end])
        if _URL.match(folded) or len(_WORD.findall(folded)) < 4 or " " not in folded:
            continue
        kind = _classify(folded)
        if kind != "furniture":
            yield _Unit([(start, end)], folded, "meta" if kind == "text" else kind)


@dataclass
class _Line:
    raw: str
    start: int  # first and last non-blank character of the line
    end: int
    folded: str
    kind: str


def _read_lines(text: str, pos: int) -> Iterator[_Line]:
    for ls, le in _lines(text, pos):
        start, end = _trim(text, ls, le)
        folded = _fold(text[start:end])
        yield _Line(text[ls:le], start, end, folded, _classify(folded))


def _hard_wrapped(lines: Iterator[_Line]) -> bool:
    """True when the body looks hard-wrapped: lines that end mid-sentence
    are followed by more of the same paragraph on the next line."""
    pairs = mid = 0
    longest = 0
    prev: str | None = None
    for line in lines:
        if line.kind == "text":
            longest = max(longest, len(line.folded))
            if prev is not None:
                pairs += 1
                mid += _ends_mid_sentence(prev)
            prev = line.folded
        else:
            prev = None
    return pairs >= 2 and mid * 2 >= pairs and longest <= 120


def _body_units(text: str, pos: int) -> Iterator[_Unit]:
    """Units of the body from offset ``pos`` on, each yielded once no later
    line can extend it. The lines are read twice (once to judge the layout)
    rather than held, so memory does not grow with the document."""
    wrapped = _hard_wrapped(_read_lines(text, pos))
    pending: _Unit | None = None  # the last unit, not yet yielded
    open_unit: _Unit | None = None  # a unit the next line may continue
    open_hard_break = False
    for line in _read_lines(text, pos):
        kind, start, end = line.kind, line.start, line.end
        if kind in ("blank", "furniture"):
            open_unit = None
            continue
        if (
            open_unit is not None
            and kind == "text"
            and (
                open_hard_break
                or (open_unit.kind == "text" and wrapped)
                or (open_unit.kind in ("item", "footnote") and _indent(line.raw) > 0)
            )
        ):
            # the text is folded once, when the unit is complete: folding the
            # growing span at every line made long paragraphs quadratic
            open_unit.spans[-1] = (open_unit.spans[-1][0], end)
            open_unit.grown = True
        else:
            if pending is not None:
                yield _finished(text, pending)
            open_unit = pending = _Unit([(start, end)], line.folded, kind)
            if kind == "item":
                marker = _ITEM.match(text, start)
                open_unit.body = _trim(text, marker.end() if marker else start, end)[0]
        if open_unit.kind == "heading":
            open_unit = None
        open_hard_break = line.raw.endswith(("  ", "\t", "\\"))
    if pending is not None:
        yield _finished(text, pending)


def _finished(text: str, unit: _Unit) -> _Unit:
    """The unit with its text folded from its whole span, if lines were added."""
    if unit.grown:
        start, end = unit.spans[-1]
        unit.text = _fold(text[start:end])
    return unit


class _Joined:
    """A unit growing by the halves of a broken paragraph. It keeps its pieces
    and a running balance of quotes and brackets, so each join costs the
    size of the new piece, not of everything joined so far."""

    def __init__(self, unit: _Unit) -> None:
        self.unit = unit
        self.pieces = [unit.text]
        self.balance = [unit.text.count(a) - unit.text.count(b) for a, b in _PAIRS]

    @property
    def unclosed(self) -> bool:
        return any(n > 0 for n in self.balance)

    @property
    def last(self) -> str:
        return self.pieces[-1]

    def add(self, nxt: _Unit) -> None:
        self.unit.spans.extend(nxt.spans)
        self.pieces.append(nxt.text)
        for k, (a, b) in enumerate(_PAIRS):
            self.balance[k] += nxt.text.count(a) - nxt.text.count(b)

    def done(self) -> _Unit:
        self.unit.text = " ".join(self.pieces)
        return self.unit


def _join_broken(units: Iterator[_Unit]) -> Iterator[_Unit]:
    """Join the halves of paragraphs and list items broken by a page or column
    break: a plain unit that ends mid-sentence takes the next plain unit when
    that one reads as its continuation (footnotes between them are skipped,
    and follow the joined unit); a list item with an unclosed quote or
    bracket takes the next item when no footnote stands between them."""
    nxt: _Unit | None = next(units, None)
    while nxt is not None:
        unit, nxt = nxt, None
        if unit.kind not in ("text", "meta", "item"):
            yield unit
            nxt = next(units, None)
            continue
        joined = _Joined(unit)
        held: list[_Unit] = []  # footnotes passed over while looking ahead
        for candidate in units:
            if candidate.kind == "footnote":
                held.append(candidate)
                continue
            if unit.kind == "item":
                if candidate.kind != "item" or held or not _item_continues(joined, candidate):
                    nxt = candidate
                    break
                # the second half's marker is debris of the break: leave it out
                (_, e), *rest = candidate.spans
                candidate.spans = [(candidate.body, e), *rest]
                candidate.text = _ITEM.sub("", candidate.text, count=1)
            elif candidate.kind not in ("text", "meta") or not _text_continues(
                joined, candidate.text
            ):
                nxt = candidate
                break
            joined.add(candidate)
        yield joined.done()
        yield from held


def _text_continues(prev: _Joined, nxt: str) -> bool:
    """Whether ``nxt`` reads as the rest of a sentence that ``prev`` broke off."""
    if not _ends_mid_sentence(prev.last):
        return False
    if nxt[0].islower():
        return True
    # a comma or an unclosed quote or bracket leaves the sentence open
    return nxt[0].isalpha() and (prev.last[-1] == "," or prev.unclosed)


def _item_continues(prev: _Joined, nxt: _Unit) -> bool:
    """Whether list item ``nxt`` is the rest of item ``prev`` (a reference
    entry broken across a page turns into two items)."""
    body = _ITEM.sub("", nxt.text, count=1)
    return bool(body) and _ends_mid_sentence(prev.last) and body[0].isalnum() and prev.unclosed
