"""The loader's words for what is wrong: :class:`Problem` (one thing wrong in one column of one file)
and :class:`SourceFile` (one file read, and how its records map back to the rows the user sees).

Every stage hands its findings on as Problems; ``str(problem)`` is what ``workbook check``
prints: file, column, the rows as the spreadsheet numbers them, examples, and the fix,
often the exact council.toml line (``_toml_*`` find where it goes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import Config
from analysis.loader.schema import EXAMPLES_SHOWN, ROWS_SHOWN, _normalise_header


@dataclass
class Problem:
    """One thing wrong in one column of one file, with where to look and how to fix it.

    ``column`` is the contract's name; ``header`` the column's own name in the file
    when it differs. ``fatal=False`` is a warning: shown by ``workbook check``, but
    the data is still used.
    """

    dataset: str
    file: str
    message: str
    column: str | None = None
    rows: tuple[int, ...] = ()
    count: int = 0
    examples: tuple[str, ...] = ()
    row_word: str = "row"
    fatal: bool = True
    fix: str = ""
    header: str | None = None

    def __str__(self) -> str:
        where = f"{self.file} ({self.dataset})"
        if self.column:
            where += f", column '{self.column}'"
            if self.header and _normalise_header(self.header) != self.column:
                where += f" ('{self.header}' in the file)"
        text = f"{where}: {self.message}"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:ROWS_SHOWN])
            more = f" and {self.count - ROWS_SHOWN:,} more" if self.count > ROWS_SHOWN else ""
            plural = "s" if self.count > 1 else ""
            text += f"\n  {self.count:,} {self.row_word}{plural}: {self.row_word}{plural} {shown}{more}"
        if self.examples:
            more = ", ..." if len(self.examples) > EXAMPLES_SHOWN else ""
            text += "\n  found: " + ", ".join(repr(e) for e in self.examples[:EXAMPLES_SHOWN]) + more
        if self.fix:
            text += f"\n  to fix: {self.fix}"
        if not self.fatal:
            text += "\n  (a warning: the workbook still runs)"
        return text


@dataclass
class SourceFile:
    """One file read, and how its records map back to the rows the user sees."""

    path: Path
    first_row: int  # the row number the user sees for the first record
    row_word: str   # "row" in a spreadsheet or CSV, "record" in Parquet
    row_numbers: np.ndarray | None = None  # the user's row of each record, when not consecutive
    headers: dict[str, str] = field(default_factory=dict)  # contract's name -> the file's own header
    all_headers: tuple[str, ...] = ()  # every header of the file, read or not
    header_row: int | None = None      # the row holding the headers (1-based), CSV and Excel
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    key: str = ""      # the council.toml section it came from: the dataset, or an extra source (report_it)
    length: int = 0    # records read
    several_sheets: bool = False  # one of several sheets read from the workbook: messages name the sheet
    # Each row's first filled cell, across every column of the row (not only those read), for the rows the
    # reader could see whole: every row of a sheet, the last lines of a CSV file. Dropped once used.
    context: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return f'{self.path.name}, sheet "{self.sheet}"' if self.several_sheets else self.path.name

    def rows_of(self, positions) -> np.ndarray:
        """Row numbers the user sees for record positions (0-based) in this file."""
        positions = np.asarray(positions, dtype="int64")
        if self.row_numbers is not None:
            return self.row_numbers[positions]
        return positions + self.first_row


def _problem_at(ds: str, source: SourceFile, column: str | None, positions, message: str,
                examples=(), fatal: bool = True, fix: str = "", header: str | None = None) -> Problem:
    positions = np.asarray(positions, dtype="int64")
    rows = tuple(int(r) for r in source.rows_of(positions[:ROWS_SHOWN]))
    examples = tuple(dict.fromkeys(str(e) for e in examples))[:EXAMPLES_SHOWN + 1]  # one more: "..." is said
    header = header or (source.headers.get(column) if column else None)
    return Problem(ds, source.name, message, column, rows, len(positions), examples, source.row_word, fatal,
                   fix, header)


def _problem(ds: str, file: str, message: str, fix: str = "", fatal: bool = True) -> Problem:
    return Problem(ds, file, message, fatal=fatal, fix=fix)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_lines(config: Config) -> list[str]:
    try:
        return (config.folder / "council.toml").read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _toml_place(lines: list[str], key: str) -> str:
    """Where a column rename goes in this council.toml, in words."""
    section = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.split("]", 1)[0].strip("[ ")
            if section == f"datasets.{key}.columns":
                return f"under [datasets.{key}.columns] in council.toml (line {number})"
        elif section == f"datasets.{key}" and re.match(r"columns\s*=", stripped):
            return f"inside columns = {{ ... }} under [datasets.{key}] in council.toml (line {number})"
    return f"to council.toml under a new heading [datasets.{key}.columns]"


def _toml_line_of(lines: list[str], key: str, name: str) -> int | None:
    """The line of council.toml's [datasets.KEY] sections that names an export column."""
    section = None
    quoted = (_toml_string(name), f"'{name}'")
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.split("]", 1)[0].strip("[ ")
        elif section in (f"datasets.{key}", f"datasets.{key}.columns") and any(q in line for q in quoted):
            return number
    return None
