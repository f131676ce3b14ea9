"""Stage 1 of the loader, finding files: which files make up a dataset.

From ``[datasets.NAME] path`` (paths and globs) or the default ``NAME.csv|.xlsx|.parquet``,
plus any extra source that feeds the dataset (FixMyStreet's ``report_it``). Lock files left
beside an open workbook are skipped with a warning. Hands on ``(file, council.toml section)``
pairs to :mod:`analysis.loader.read`.
"""

from __future__ import annotations

import glob as globlib
from pathlib import Path

from analysis.config import EXTRA_SOURCES, Config
from analysis.errors import DataError
from analysis.loader.problems import Problem, _problem
from analysis.loader.schema import SUFFIXES


def _source_files(config: Config, key: str, dataset: str) -> tuple[list[Path], list[Problem]]:
    """The files named by [datasets.KEY] path, or else the one file called KEY.csv|.xlsx|.parquet."""
    source = config.datasets.get(key)
    folder = config.folder
    if source and source.path:
        found: list[Path] = []
        problems = []
        for pattern in source.path:
            full = pattern if Path(pattern).is_absolute() else str(folder / pattern)
            matched = sorted(Path(p) for p in globlib.glob(full) if Path(p).is_file())
            matches = [p for p in matched if not is_lock_file(p)]
            for lock in (p for p in matched if is_lock_file(p)):
                problems.append(_problem(dataset, lock.name, (
                    "is the lock file Excel or LibreOffice leaves beside a workbook that is open (or was when it "
                    "closed badly), not data: skipped"), (
                    "nothing; close the workbook before the run to make it go away, or delete the file."),
                    fatal=False))
            if not matches and not matched:
                problems.append(_problem(dataset, pattern, (
                    f"council.toml names this file for {dataset} ([datasets.{key}] path), "
                    f"but nothing in {folder} matches it"), (
                    "check the file name (capitals, spaces and the extension count) and where it is, or "
                    "remove the line if the council does not have this data.")))
            found.extend(matches)
        return list(dict.fromkeys(found)), problems
    candidates = [folder / f"{key}{suffix}" for suffix in SUFFIXES]
    present = [p for p in candidates if p.is_file()]
    if len(present) > 1:
        return [], [_problem(dataset, ", ".join(p.name for p in present),
                             "more than one file could be this dataset", (
                                 "keep one, or name the one to read in council.toml under "
                                 f"[datasets.{key}] path = \"...\""))]
    return present, []


def is_lock_file(path: Path) -> bool:
    """Excel's ``~$Book.xlsx`` and LibreOffice's ``.~lock.Book.xlsx#``: left beside an open workbook, never data."""
    return path.name.startswith(("~$", ".~lock."))


def _dataset_files(config: Config, dataset: str) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """(file, council.toml section) of every file of a dataset, and warnings (lock files skipped);
    DataError listing every path problem."""
    files, problems = _source_files(config, dataset, dataset)
    pairs = [(p, dataset) for p in files]
    for extra, (target, _) in EXTRA_SOURCES.items():
        if target != dataset:
            continue
        extra_files, extra_problems = _source_files(config, extra, dataset)
        problems.extend(extra_problems)
        # A file matched by both sections is read once, as the extra source says.
        pairs = [(p, k) for p, k in pairs if p not in extra_files] + [(p, extra) for p in extra_files]
    if any(p.fatal for p in problems):
        raise DataError(problems)
    return pairs, problems


def find_files(config: Config, dataset: str) -> list[Path]:
    """The files that make up a dataset (empty when the council does not have it)."""
    return [path for path, _ in _dataset_files(config, dataset)[0]]
