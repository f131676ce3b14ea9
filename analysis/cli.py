"""The ``workbook`` command: run the yearly workbook, check a data folder, ask and publish ad-hoc questions.

A problem the user can fix is printed as a plain message and the command exits
with status 2 (1 for ``check`` finding problems); ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import traceback
import warnings
from pathlib import Path

from analysis.errors import WorkbookError
from analysis.workbook import DEFAULT_DATA, DEFAULT_NOTEBOOKS, DEFAULT_OUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbook", description="The Customer Care Strategy scrutiny workbook.")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks (for developers)")
    # --debug is taken before or after the command (workbook check --data X --debug)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", parents=[common], help="run the yearly workbook and write the members' pages")
    run.add_argument("--data", default=str(DEFAULT_DATA), help="data folder with council.toml (default: the sample)")
    run.add_argument("--year", help="financial year, e.g. 2023/24 (default: the latest complete year in the data)")
    run.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default: outputs/)")
    run.add_argument("--as-at", dest="as_at", help="date the data is 'as at', YYYY-MM-DD (default: from the data)")
    run.add_argument("--notebooks", default=str(DEFAULT_NOTEBOOKS), help=argparse.SUPPRESS)
    run.add_argument("--jobs", type=int, help="notebooks to run at once (default: one per CPU)")

    check = commands.add_parser("check", parents=[common], help="check a data folder, report every problem, write a data-quality page")
    check.add_argument("--data", default=str(DEFAULT_DATA), help="data folder with council.toml (default: the sample)")
    check.add_argument("--year", help="the year to be reported, e.g. 2023/24 (default: the latest complete year)")
    check.add_argument("--out", default=str(DEFAULT_OUT), help="where the data-quality page goes (default: outputs/)")
    ask = commands.add_parser("ask", parents=[common], help="start an ad-hoc investigation of a question raised in committee")
    ask.add_argument("question", help='the question, in quotes: "Is the Report It standard met?"')
    ask.add_argument("--data", default=str(DEFAULT_DATA), help="data folder with council.toml (default: the sample)")
    ask.add_argument("--folder", help=argparse.SUPPRESS)  # where the notebook goes (default notebooks/adhoc)
    # The date the notebook's name starts with (default today): tests give it so that none races midnight.
    ask.add_argument("--today", type=dt.date.fromisoformat, help=argparse.SUPPRESS)

    publish = commands.add_parser("publish", parents=[common], help="run an ad-hoc notebook and write its page for members")
    publish.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="the notebook(s) made by workbook ask")
    publish.add_argument("--data", help="data folder (default: the one the notebook was started with)")
    publish.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default: outputs/)")
    return parser


def _ask(args) -> int:
    from analysis.adhoc import ADHOC_DIR, ask

    path = ask(args.question, args.data, args.folder or ADHOC_DIR, today=args.today)
    print(f"New notebook: {path}")
    print("Open it in JupyterLab (.venv/bin/jupyter lab), answer the question, then: "
          f"workbook publish {path}")
    return 0


def _publish(args) -> int:
    from analysis.adhoc import publish

    pages = publish(args.notebooks, args.data, args.out)
    for page in pages:
        print(f"Page for members: {page}")
    print(f"Question log: {pages[0].parent / 'index.html'}")
    return 0


def _run(args) -> int:
    from analysis.workbook import run

    index = run(args.data, args.year, args.out, args.as_at, args.notebooks, args.jobs)
    packs = sorted(index.parent.glob("*-customer-care-*.pdf"))
    if packs:
        print(f"Committee pack: {packs[0]}")
    print(f"Members' pages: {index}")  # the last line: where to start reading
    return 0


def _check(args) -> int:
    from analysis.config import load_config
    from analysis.datasets import check_all

    config = load_config(args.data)
    for warning in config.warnings:
        print(f"warning: {warning}")
    datasets, problems = check_all(config)
    folder = Path(args.data)
    print(f"Checked {folder} for {config.name}:")
    from analysis.config import DATASET_NAMES

    for name in DATASET_NAMES:
        item = datasets.loaded.get(name)
        failed = any(p.dataset == name for p in problems)
        if item is not None:
            files = ", ".join(p.name for p in item.files)
            ignored = f"; columns not used: {', '.join(item.ignored_columns)}" if item.ignored_columns else ""
            print(f"  {name:<18} {item.rows:>10,} rows from {files}{ignored}")
        elif failed:
            print(f"  {name:<18} has problems (below)")
        else:
            print(f"  {name:<18} not present (pages that need it will say so)")
    fatal = [p for p in problems if p.fatal]
    page = _quality_page(config, datasets, problems, args)
    print(f"Data-quality page: {page}")
    to_look_at = [p for p in problems if not p.fatal]
    if fatal:
        print(f"\n{_plural(len(fatal), 'problem')} to fix:\n", file=sys.stderr)
        for problem in fatal:
            print(f"{problem}\n", file=sys.stderr)
    if to_look_at:
        print(f"\n{_plural(len(to_look_at), 'warning')} to look at (they do not stop a run):\n", file=sys.stderr)
        for problem in to_look_at:
            print(f"{problem}\n", file=sys.stderr)
    if fatal:
        return 1
    print("No problems to fix." if to_look_at else "No problems found.")
    return 0


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _quality_page(config, datasets, problems, args):
    from analysis.quality import write_quality_page
    from analysis.config import year_label_text
    from analysis.workbook import latest_complete_year

    year = year_label_text(args.year) or args.year if args.year else None
    if year is None:
        try:
            year = latest_complete_year(datasets)
        except WorkbookError:
            year = None
    name = Path(config.folder).resolve().name or "data"
    return write_quality_page(config, datasets, problems, year, Path(args.out) / "data-quality" / f"{name}.html")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)
    try:
        return {"run": _run, "check": _check, "ask": _ask, "publish": _publish}[args.command](args)
    except WorkbookError as err:
        for warning in err.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        print(f"\n{err}\n", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Stopped; nothing was published.", file=sys.stderr)
        return 130
    except Exception as err:  # a fault of the workbook itself, not of the data: say so, briefly
        if args.debug:
            raise
        print(f"\nThe workbook stopped on something it did not expect ({type(err).__name__}: {err}).\n"
              "This is a fault in the workbook rather than in your data; nothing was published and any "
              "earlier output is unchanged.\nRun the same command again with --debug and send what it "
              "prints to whoever looks after the workbook.\n", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
