"""The ``democlass`` command: argparse front end over batch, api and evaluate."""

from __future__ import annotations

import argparse
import difflib
import os
import signal
import sys
import warnings
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from types import FrameType
from typing import Any

from democlass import __version__

EPILOG_TAG = """examples:
  democlass tag seeds/                      paragraphs of every .txt/.md file, CSV to stdout
  democlass tag seeds/ -o tags.csv          the same, written safely to tags.csv
  democlass tag seeds/ --level document     one row per document: share of each form
  democlass tag news.csv --text-column body --id-column url -o tags.parquet
  cat article.txt | democlass tag -         tag standard input
"""

EPILOG_REPORT = """examples:
  democlass report seeds/*.txt -o report.html     tag the files and write the report
  democlass report news.csv --text-column body --id-column url -o news.html
  democlass tag seeds/ --text -o tags.csv && democlass report tags.csv -o report.html
"""


class _Parser(argparse.ArgumentParser):
    """argparse, with the closest known option suggested for a mistyped one."""

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = getattr(parsed, "command", None)
            options = self._options_of(command)
            hints = []
            for extra in extras:
                if extra.startswith("-"):
                    close = difflib.get_close_matches(extra.split("=", 1)[0], options, n=1)
                    if close:
                        hints.append(f"{extra}: did you mean {close[0]}?")
            parsers = self._options_parsers(command)
            parsers[-1].error(
                f"unrecognized arguments: {' '.join(extras)}" + ("".join(f"\n  {h}" for h in hints))
            )
        return parsed

    def _options_parsers(self, command: str | None) -> list[argparse.ArgumentParser]:
        parsers: list[argparse.ArgumentParser] = [self]
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and command in action.choices:
                parsers.append(action.choices[command])
        return parsers

    def _options_of(self, command: str | None) -> list[str]:
        parsers = self._options_parsers(command)
        return [o for p in parsers for a in p._actions for o in a.option_strings]


def _parser() -> argparse.ArgumentParser:
    from democlass.report import MAX_UNITS

    parser = _Parser(
        prog="democlass",
        allow_abbrev=False,
        description="Tag text by the four forms of AI democratisation "
        "(use, development, profits, governance) or none.",
    )
    parser.add_argument("--version", action="version", version=f"democlass {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tag = _command(
        sub,
        "tag",
        help="tag files, folders, globs, tables or stdin",
        epilog=EPILOG_TAG,
        description="Split documents into paragraphs and tag each one.",
    )
    _input_args(tag)
    _output_args(tag)
    tag.add_argument(
        "--level",
        choices=("paragraph", "document"),
        default="paragraph",
        help="one row per paragraph (default) or per document",
    )
    tag.add_argument(
        "--text",
        action="store_true",
        help="include each paragraph's text in the output (its offsets locate it anyway)",
    )
    _tagging_args(tag)

    report = _command(
        sub,
        "report",
        help="write an HTML report to read the tagged documents in a browser",
        epilog=EPILOG_REPORT,
        description="Tag documents (or read a saved paragraph-level output of 'democlass tag "
        "--text') and write one self-contained HTML file: the corpus (documents, units, the "
        "share of each form, a sortable table of documents) and each document with its units "
        "shaded and labelled. Clicking a unit shows the terms for and against its label; the "
        "terms come from the unit's text read alone (as 'democlass explain' reads it), so a "
        "unit labelled in the context of its document may owe its label partly to the "
        "document. The file makes no network request and opens offline. One file holds up to "
        f"{MAX_UNITS:,} units; past that it keeps the first whole documents and says so.",
    )
    _input_args(report, saved=True)
    report.add_argument(
        "-o", "--output", metavar="FILE.html", required=True, help="the report file to write"
    )
    report.add_argument("--title", default="democlass report", help="the report's title")
    _tagging_args(report)

    split = _command(
        sub,
        "split",
        help="split documents into paragraphs with offsets",
        epilog="example:\n  democlass split seeds/004_e312ac082ffe1a44.txt | head",
    )
    split.add_argument("paths", nargs="+", metavar="PATH")
    _output_args(split)

    explain = _command(
        sub,
        "explain",
        help="show the terms behind one text's label",
        epilog='examples:\n  democlass explain "Open weights let anyone fine-tune the model."\n'
        "  democlass explain paragraph.txt",
    )
    explain.add_argument(
        "text", help="the text, a file holding it, or - to read it from standard input"
    )
    explain.add_argument("--top", type=_positive_int, default=10, metavar="N")
    explain.add_argument("--model", metavar="PATH")

    evaluate = _command(
        sub,
        "evaluate",
        help="grouped cross-validation on labelled data",
        epilog="example:\n  democlass evaluate --cv 5",
    )
    evaluate.add_argument("--labels", metavar="CSV", help="labels file (default: packaged)")
    evaluate.add_argument(
        "--cv",
        type=_positive_int,
        metavar="K",
        help="folds (default: 5, or fewer where the documents or labels allow fewer)",
    )
    evaluate.add_argument(
        "--no-groups",
        action="store_true",
        help="plain stratified folds instead of folds grouped by document",
    )

    train = _command(
        sub,
        "train",
        help="train a model and save it",
        epilog="examples:\n  democlass train --labels my-labels.csv -o my-model.npz\n"
        "  democlass train --labels data/labels.csv -o src/democlass/_model/model.npz\n"
        "      (in a checkout: rebuild the built-in model after editing the labels)",
    )
    train.add_argument(
        "--labels",
        metavar="CSV",
        help="labels file: text,label at least; id, source, doc, position, secondary, "
        "note optional (default: packaged)",
    )
    train.add_argument(
        "--with-builtin", action="store_true", help="train on your labels and the built-in ones"
    )
    train.add_argument(
        "--cv",
        type=_positive_int,
        metavar="K",
        help="folds to choose the tags thresholds (default: 5, or as many as the data allow)",
    )
    train.add_argument(
        "-o", "--output", metavar="PATH", required=True, help="where to save the model (.npz)"
    )

    validate = _command(
        sub,
        "validate",
        help="score a model on your hand-coded sample (kappa, alpha, intervals)",
        epilog="examples:\n  democlass validate coded.csv\n"
        "  democlass validate coded.csv --model my-model.npz --json\n"
        "  democlass validate coded.csv --document-column source",
        description="Tag the hand-coded units with the built-in model (or --model) and "
        "report agreement with the coding, each figure with a bootstrap 95% interval.",
    )
    validate.add_argument(
        "coded", metavar="CODED", help="a table with text and label columns (.csv/.jsonl/.parquet)"
    )
    validate.add_argument("--model", metavar="PATH", help="a model saved by democlass")
    validate.add_argument("--json", action="store_true", help="print one JSON object")
    validate.add_argument("--text-column", default="text", metavar="COL")
    validate.add_argument("--label-column", default="label", metavar="COL")
    validate.add_argument(
        "--document-column",
        metavar="COL",
        help="read units in context of their document, and resample documents",
    )
    validate.add_argument("--seed", type=int, default=0, help="seed of the resampling")

    sample = _command(
        sub,
        "sample",
        help="choose units to hand-code, written ready for a spreadsheet",
        epilog="examples:\n  democlass sample seeds/ -n 40 --seed 1 -o to-code.csv\n"
        "  democlass sample tags.csv -n 200 --strategy uncertain -o to-code.csv",
        description="Draw a deterministic sample of paragraphs with their context and "
        "empty label, secondary and note columns for coders.",
    )
    sample.add_argument(
        "paths", nargs="+", metavar="INPUT", help="files, folders, tables, or a tagged output"
    )
    sample.add_argument("-n", type=_positive_int, default=200, help="units to draw (default 200)")
    sample.add_argument(
        "--strategy",
        choices=("stratified", "uncertain", "random"),
        default="stratified",
        help="even draws per predicted label (default), least certain first, or random",
    )
    sample.add_argument("--seed", type=int, default=0, help="the same seed, the same sample")
    sample.add_argument(
        "--show-predictions",
        action="store_true",
        help="add the model's label and confidence (hidden by default, not to anchor coders)",
    )
    sample.add_argument("--model", metavar="PATH")
    sample.add_argument("--text-column", metavar="COL")
    sample.add_argument("--id-column", metavar="COL")
    _output_args(sample)

    shares = _command(
        sub,
        "shares",
        help="share of each form with 95% intervals, raw and adjusted",
        epilog="examples:\n  democlass shares tags.csv\n"
        "  democlass shares tags.csv --validation coded.csv\n"
        "  democlass shares tags.csv --by source --json",
        description="Share of each label in a tagged corpus, with bootstrap 95% intervals "
        "over documents; with --validation, also adjusted for the model's error rates "
        "measured on a hand-coded sample (what to report).",
    )
    shares.add_argument("tagged", metavar="TAGGED", help="output of democlass tag")
    shares.add_argument("--by", metavar="COLUMN", help="shares per value of a column (source...)")
    shares.add_argument("--validation", metavar="CODED", help="a hand-coded sample of the corpus")
    shares.add_argument(
        "--model", metavar="PATH", help="the model that tagged the corpus, to validate"
    )
    shares.add_argument("--document-column", metavar="COL")
    shares.add_argument("--json", action="store_true", help="print JSON records")
    shares.add_argument("--seed", type=int, default=0, help="seed of the resampling")
    return parser


def _command(sub: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A subcommand whose epilog examples keep their line breaks."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, allow_abbrev=False, formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs
    )
    return parser


def _input_args(p: argparse.ArgumentParser, saved: bool = False) -> None:
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help=".txt/.md files, folders (recursive), globs, .csv/.jsonl/.parquet "
        "tables, or - for standard input"
        + ("; or paragraph-level output saved by 'democlass tag --text'" if saved else ""),
    )


def _tagging_args(p: argparse.ArgumentParser) -> None:
    """How documents are read and tagged: the options of tag and report."""
    p.add_argument(
        "--min-confidence",
        type=_unit_float,
        metavar="X",
        help="label paragraphs below this confidence none (and mark them abstained)",
    )
    p.add_argument(
        "--jobs",
        type=_positive_int,
        default=1,
        metavar="N",
        help="worker processes (default 1); output is identical for any N",
    )
    p.add_argument("--text-column", metavar="COL", help="text column of tables (default: text)")
    p.add_argument("--id-column", metavar="COL", help="id column of tables, carried as 'row'")
    p.add_argument(
        "--no-split",
        action="store_true",
        help="tag each document or table cell whole, not paragraph by paragraph",
    )
    p.add_argument("--model", metavar="PATH", help="a model saved by democlass (default: built-in)")
    p.add_argument(
        "--no-context",
        action="store_true",
        help="label each paragraph alone, not in the context of its document",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")


def _output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: standard output)")
    p.add_argument(
        "--format",
        choices=("csv", "jsonl", "parquet"),
        help="output format (default: from the extension of -o, else csv)",
    )


def _unit_float(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a number; give a probability between 0 and 1, such as 0.6"
        ) from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return x


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a whole number; give 1 or more"
        ) from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number")
    return n


class _Terminated(BaseException):
    """SIGTERM arrived; raised so that cleanup runs as for Ctrl-C."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut cleanup short
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    0: all went well; 1: some inputs failed, or writing the output failed
    midway (disk full); 2: a usage error (bad option, nothing matched, an
    output path that cannot be written); 130 and 143: interrupted by
    SIGINT or SIGTERM, with no output file written and no worker left.
    """
    args = _parser().parse_args(argv)
    from democlass.batch import InputError, OutputError
    from democlass.labels import LabelsError

    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave signals alone
        previous = None
    incomplete = (
        "no output was written" if getattr(args, "output", None) else "the output is incomplete"
    )
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return int(_COMMANDS[args.command](args))
    except (InputError, LabelsError) as exc:
        print(f"democlass: error: {exc}", file=sys.stderr)
        return 2
    except OutputError as exc:
        print(f"democlass: error: {exc}", file=sys.stderr)
        return 2 if exc.usage else 1
    except KeyboardInterrupt:
        print(f"democlass: interrupted; {incomplete}", file=sys.stderr)
        return 130
    except _Terminated:
        print(f"democlass: terminated; {incomplete}", file=sys.stderr)
        return 143
    except BrokenPipeError:
        # the reader went away (`democlass tag ... | head`): stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps exit from flushing to the pipe
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _show_warning(message: Any, *args: Any, **kwargs: Any) -> None:
    print(f"democlass: warning: {message}", file=sys.stderr)


def _model(args: argparse.Namespace) -> Any:
    if not getattr(args, "model", None):
        return None
    from democlass.api import load
    from democlass.batch import InputError
    from democlass.frozen import ModelFormatError

    try:
        return load(args.model)
    except ModelFormatError as exc:
        raise InputError(str(exc)) from exc


def _cmd_tag(args: argparse.Namespace) -> int:
    from functools import partial

    import pandas as pd

    from democlass import batch
    from democlass.api import _resolve

    fmt = batch.output_format(args.output, args.format)
    batch.check_output(args.output)
    model = _resolve(_model(args))
    inputs = batch.read_inputs(args.paths, text_column=args.text_column, id_column=args.id_column)
    rows = any(doc.row is not None for doc in inputs.documents)
    render = None
    if args.level == "paragraph" and fmt in ("csv", "jsonl"):
        # formatting is the slow part of writing, so workers do it chunk by chunk
        renderer = batch.render_csv if fmt == "csv" else batch.render_jsonl
        render = partial(renderer, text=args.text, rows=rows)

    failures = list(inputs.failures)
    for failure in failures:
        print(failure, file=sys.stderr)
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(inputs.documents), unit="doc", file=sys.stderr)
    counts = {"documents": 0, "paragraphs": 0}

    def progress(docs: int, paras: int) -> None:
        if bar is not None:  # postfix first: update() redraws the line
            bar.set_postfix(paragraphs=counts["paragraphs"] + paras, refresh=False)
            bar.update(docs)

    chunks = batch.tag_documents(
        inputs.documents,
        split=not args.no_split,
        min_confidence=args.min_confidence,
        model=model,
        jobs=args.jobs,
        render=render,
        progress=progress,
        with_text=args.text,
        context=not args.no_context,
    )

    def each_chunk() -> Any:
        for chunk in chunks:
            for failure in chunk.failures:
                (bar.write if bar is not None else print)(str(failure), file=sys.stderr)
            failures.extend(chunk.failures)
            counts["documents"] += chunk.documents
            counts["paragraphs"] += chunk.paragraphs
            yield chunk

    try:
        with closing(chunks):  # stops any workers at once if writing fails or is interrupted
            if render is not None:
                out = batch.atomic_output(args.output) if args.output else batch.standard_output()
                with out as fh:
                    fh.writelines(chunk.output for chunk in each_chunk())
            else:
                parts, sizes = [], []
                # a summary needs only the labels, so large inputs keep little
                keep = ["source", "row", "label"] if args.level == "document" else slice(None)
                for chunk in each_chunk():
                    parts.append(chunk.output[keep])
                    sizes.extend(chunk.sizes)
                frame = pd.concat(parts, ignore_index=True)
                if args.level == "document":
                    frame = batch.document_summary(frame, sizes)
                else:
                    frame = batch.output_columns(frame, text=args.text, rows=rows)
                batch.write_table(frame, args.output, fmt)
    finally:
        if bar is not None:
            bar.close()
    if not args.quiet:
        print(
            f"democlass: {counts['documents']} documents, {counts['paragraphs']} paragraphs, "
            f"{len(failures)} failures",
            file=sys.stderr,
        )
    return 1 if failures else 0


def _cmd_split(args: argparse.Namespace) -> int:
    import pandas as pd

    from democlass import batch

    batch.output_format(args.output, args.format)
    batch.check_output(args.output)
    inputs = batch.read_inputs(args.paths)
    for failure in inputs.failures:
        print(failure, file=sys.stderr)
    rows: list[tuple[str, Any, int, int, int, str]] = []
    for doc in inputs.documents:
        text, failed = batch._load(doc)
        if failed is not None:
            inputs.failures.append(failed)
            print(failed, file=sys.stderr)
            continue
        rows.extend(batch._paragraph_rows(doc, True, text))
    frame = pd.DataFrame(rows, columns=batch.PLACE_COLUMNS)
    batch.write_table(frame.drop(columns="row"), args.output, args.format)
    return 1 if inputs.failures else 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from democlass.api import explain
    from democlass.batch import Failure, _decode

    model = _model(args)
    text = args.text
    if text == "-":
        try:
            text = _decode(sys.stdin.buffer.read())
        except ValueError as exc:
            print(Failure("<stdin>", str(exc)), file=sys.stderr)
            return 1
    elif "\n" not in text and len(text) < 4096 and Path(text).is_file():
        from democlass.batch import Document, _load

        text, failure = _load(Document(args.text, None))
        if failure is not None:
            print(f"democlass: error: {failure.source}: {failure.reason}", file=sys.stderr)
            return 2
        print(f"democlass: explaining the text of the file {args.text}", file=sys.stderr)
    elif Path(text).suffix.lower() in (".txt", ".md") and " " not in text.strip():
        print(
            f"democlass: warning: there is no file {text!r}; explaining it as text (to explain "
            "a file, give its path; to read standard input, give -)",
            file=sys.stderr,
        )
    frame = explain(text, top=args.top, model=model)
    a = frame.attrs
    if a["runner_up"] is None:
        print(f"label: {a['label']}   (no term of the text is in the model's vocabulary)")
        return 0
    print(f"label: {a['label']}   runner-up: {a['runner_up']}   margin: {a['margin']:.3f}")
    print(frame.to_string(index=False) if len(frame) else "(no terms)")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from democlass.evaluate import evaluate

    evaluate(args.labels, cv=args.cv, groups=None if args.no_groups else "document")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from democlass import batch
    from democlass.api import save
    from democlass.training import train

    batch.check_output(args.output)
    model = train(args.labels, with_builtin=args.with_builtin, cv=args.cv)
    written = save(model, args.output)
    print(
        f"democlass: saved a model of {len(model.vocabulary)} terms to {written}", file=sys.stderr
    )
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    import pandas as pd

    from democlass import batch, report
    from democlass.api import _resolve
    from democlass.report.payload import corpus_from_rows

    model = _resolve(_model(args))
    saved = [report.read_saved(p) for p in args.paths]
    failures: list[Any] = []
    if any(s is not None for s in saved):
        if not all(s is not None for s in saved):
            raise batch.InputError(
                "give either saved outputs of 'democlass tag --text' or documents to tag, not both"
            )
        frame = pd.concat(saved, ignore_index=True)
        if "text" not in frame.columns:
            raise batch.InputError(
                "the saved output has no paragraph text: save it with 'democlass tag ... --text'"
            )
        context = None
    else:
        inputs = batch.read_inputs(
            args.paths, text_column=args.text_column, id_column=args.id_column
        )
        failures.extend(inputs.failures)
        for failure in inputs.failures:
            print(failure, file=sys.stderr)
        frames = []
        for chunk in batch.tag_documents(
            inputs.documents,
            split=not args.no_split,
            min_confidence=args.min_confidence,
            model=model,
            jobs=args.jobs,
            context=not args.no_context,
        ):
            for failure in chunk.failures:
                print(failure, file=sys.stderr)
            failures.extend(chunk.failures)
            frames.append(chunk.output)
        frame = pd.concat(frames, ignore_index=True)
        context = not args.no_context
    corpus = corpus_from_rows(frame, report.document_keys(frame))
    try:
        path, note = report.write(
            corpus,
            args.output,
            model=model,
            min_confidence=args.min_confidence,
            context=context,
            title=args.title,
        )
    except ValueError as exc:
        raise batch.InputError(str(exc)) from exc
    if note:
        print(f"democlass: {note}", file=sys.stderr)
    if not args.quiet:
        print(
            f"democlass: wrote {path}: {len(corpus.names)} documents, {len(corpus.rows)} "
            f"paragraphs, {len(failures)} failures",
            file=sys.stderr,
        )
    return 1 if failures else 0


def _table_errors(run: Any) -> int:
    """Run ``run()``, turning a missing file or column into a usage error."""
    from democlass.batch import InputError

    try:
        return int(run())
    except FileNotFoundError as exc:
        raise InputError(str(exc)) from exc
    except KeyError as exc:
        raise InputError(str(exc.args[0])) from exc
    except ValueError as exc:
        from democlass.labels import LabelsError

        if isinstance(exc, LabelsError):
            raise
        raise InputError(str(exc)) from exc


def _cmd_validate(args: argparse.Namespace) -> int:
    from democlass.validation import validate

    def run() -> int:
        result = validate(
            args.coded,
            _model(args),
            text_column=args.text_column,
            label_column=args.label_column,
            document_column=args.document_column,
            seed=args.seed,
        )
        print(result.to_json() if args.json else result)
        return 0

    return _table_errors(run)


def _cmd_sample(args: argparse.Namespace) -> int:
    from democlass import batch
    from democlass.validation import sample

    fmt = batch.output_format(args.output, args.format)

    def run() -> int:
        chosen = sample(
            args.paths,
            args.n,
            strategy=args.strategy,
            seed=args.seed,
            show_predictions=args.show_predictions,
            model=_model(args),
            text_column=args.text_column,
            id_column=args.id_column,
        )
        batch.write_table(chosen, args.output, fmt)
        print(
            f"democlass: {len(chosen)} units to code ({args.strategy}, seed {args.seed})"
            + (f" written to {args.output}" if args.output else ""),
            file=sys.stderr,
        )
        return 0

    return _table_errors(run)


def _cmd_shares(args: argparse.Namespace) -> int:
    from democlass.validation import shares

    def run() -> int:
        table = shares(
            args.tagged,
            by=args.by,
            validation=args.validation,
            document_column=args.document_column,
            model=_model(args),
            seed=args.seed,
        )
        if args.json:
            print(table.to_json(orient="records"))
            return 0
        columns = ["share", "low", "high"]
        if "adjusted" in table.columns:
            columns += ["adjusted", "adjusted_low", "adjusted_high"]
        shown = table.copy()
        shown[columns] = shown[columns].round(3)
        index = [c for c in (args.by, "label") if c]
        print(shown.set_index(index).to_string())
        print(
            "\nshares of units with bootstrap 95% intervals over documents"
            + (
                "; adjusted: corrected for the error rates measured on the validation sample "
                "(report these)"
                if "adjusted" in table.columns
                else "; give --validation CODED for shares adjusted for the model's errors"
            )
        )
        return 0

    return _table_errors(run)


_COMMANDS = {
    "tag": _cmd_tag,
    "report": _cmd_report,
    "split": _cmd_split,
    "explain": _cmd_explain,
    "evaluate": _cmd_evaluate,
    "train": _cmd_train,
    "validate": _cmd_validate,
    "sample": _cmd_sample,
    "shares": _cmd_shares,
}
