"""Load the canonical datasets of a data folder: find -> read -> rename -> parse -> validate.

Each dataset may be CSV, Excel or Parquet, found by its default name or by the
paths and globs in ``council.toml``. Only the contract's columns are ever read
(after the council's renames), so names, email addresses and customers' own
words never enter the workbook. Every problem of every file is collected and
reported together, with the row numbers the user sees in the file; each says
what was expected and how to fix it.

Real-world shapes the reader copes with:

- **Title rows above the header** (CSV and Excel): the header is the first row,
  among the first 50, holding the most of the expected column names (the
  contract's or the council's renamed ones). ``header_row = N`` under
  ``[datasets.NAME]`` says which row it is (1-based, as the spreadsheet shows it).
  Row numbers in messages are always the spreadsheet's own.
- **Blank rows** (every column read is empty) are skipped, never reported as
  empty required values; the rows after them keep their own numbers.
- **Merged cells** in Excel (a theme merged down several rows) give their value
  to every cell of the merged range.
- **Labels** with other capitals or stray spaces: status labels, themes and
  in-person places match council.toml's lists without regard to either and take
  council.toml's spelling; channels also ignore spaces and hyphens.
- **CSV encodings**: UTF-8 (with or without a byte-order mark) is tried on the
  whole file, then Windows-1252; UTF-16 with a byte-order mark is read too.
- **FixMyStreet** ("Report It") dashboard exports: ``format = "fixmystreet"``
  under ``[datasets.contacts]`` reads the contacts files as FixMyStreet exports;
  a ``[datasets.report_it]`` section (``path = "..."``; its format is FixMyStreet)
  or a file named ``report_it.csv|.xlsx|.parquet`` in the data folder adds a
  FixMyStreet export *beside* the council's other contacts. Either way Report ID
  -> contact_id, Confirmed -> received_at, Acknowledged -> acknowledged_at, the
  earlier of Fixed and Closed -> responded_at, Category -> category, Ward ->
  ward, with channel ``report_it`` and service "Report It". Title, Detail, User
  Name, coordinates, Report URL and the rest are never read. contact_id must be
  unique across every contacts file, FixMyStreet's included.

Problems that make the data unusable are fatal (``Problem.fatal``); a few are
warnings that ``workbook check`` shows and the workbook runs on: a file with a
header but no rows (it adds no records), and a response or acknowledgement dated
on a day before the contact (or complaint) was received, which the counting
rules then treat as done on day 0.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import contextvars
import csv
import difflib
import glob as globlib
import hashlib
import pickle
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from analysis.calendar import WorkingCalendar, to_days
from analysis.config import (
    CANONICAL_CHANNELS,
    DATASET_NAMES,
    EXTRA_SOURCES,
    ID_FROM_ROW,
    Config,
    parse_year_label,
    year_label_text,
)
from analysis.errors import DataError
from analysis.measures import CODE_EXTENSION_WORKING_DAYS, complaint_deadlines

SUFFIXES = (".csv", ".xlsx", ".parquet")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
EXAMPLES_SHOWN = 3
ROWS_SHOWN = 5
HEADER_SCAN_ROWS = 50  # the header is looked for in the first rows of a sheet or CSV
COLUMNS_LISTED = 15    # a message lists at most this many of a file's columns
OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "withdrawn", "open")
CALL_OUTCOMES = ("answered", "abandoned", "callback")
RATINGS = ("good", "average", "poor")
UNITS = ("percent", "count", "seconds", "days", "score", "ratio")
POLARITIES = ("higher_is_better", "lower_is_better", "neutral")
DIMENSIONS = ("age_band", "sex", "ward")
OMBUDSMEN = ("lgsco", "housing")
OMBUDSMAN_OUTCOMES = ("upheld", "not_upheld", "not_investigated")


@dataclass(frozen=True)
class Col:
    """One canonical column: its kind decides how it is parsed and what 'expected' says."""

    name: str
    kind: str  # text | timestamp | date | bool | number | year | carried_from | label | choice
    required: bool = False
    choices: tuple[str, ...] = ()
    unique: bool = False
    minimum: float | None = None
    category: bool = False  # low-cardinality text kept as pandas categorical


SCHEMAS: dict[str, tuple[Col, ...]] = {
    "action_plan": (
        Col("plan_year", "year", True),
        Col("action_id", "text", True),
        Col("theme", "text", True),
        Col("action", "text", True),
        Col("status", "label", True),
        Col("owner", "text"),
        Col("due", "date"),
        Col("progress_note", "text"),
        Col("carried_from", "carried_from"),
        Col("measure_id", "text"),    # optional: the outcome measure the action is meant to move
        Col("status_label", "text"),  # the label as the spreadsheet has it ("Carried forward"), kept for the pages
    ),
    "contacts": (
        Col("contact_id", "text", True, unique=True),
        Col("received_at", "timestamp", True),
        Col("channel", "choice", True, choices=CANONICAL_CHANNELS, category=True),
        Col("service", "text", True, category=True),
        Col("category", "text", category=True),
        Col("location", "text", category=True),
        Col("ward", "text", category=True),
        Col("acknowledged_at", "timestamp"),
        Col("responded_at", "timestamp"),
        Col("resolved_first_contact", "bool"),
    ),
    "calls": (
        Col("call_id", "text", True, unique=True),
        Col("offered_at", "timestamp", True),
        Col("answered", "bool"),        # one of answered or outcome is required (REQUIRED_ONE_OF)
        Col("outcome", "choice", choices=CALL_OUTCOMES, category=True),
        Col("wait_seconds", "duration", True, minimum=0),
        Col("queue", "text", category=True),
    ),
    "complaints": (
        Col("complaint_id", "text", True),
        Col("stage", "choice", True, choices=("1", "2")),
        Col("received_at", "timestamp", True),
        Col("service", "text", True, category=True),
        Col("acknowledged_at", "timestamp"),
        Col("responded_at", "timestamp"),
        Col("outcome", "choice", choices=OUTCOMES),
        Col("referred_to_ombudsman", "bool"),
        Col("ward", "text"),
        # The Complaint Handling Code's annual report. The text columns are shown to members only as escaped
        # plain text, never parsed: any text in not_accepted_reason means the complaint was not accepted.
        Col("extended_to", "date"),       # the deadline agreed with the complainant
        Col("category", "text", category=True),
        Col("not_accepted_reason", "text"),
        Col("learning", "text"),          # the service improvement made because of it
    ),
    "feedback": (
        Col("feedback_id", "text", unique=True),  # GovMetric exports have none
        Col("given_at", "timestamp", True),
        Col("channel", "choice", True, choices=CANONICAL_CHANNELS, category=True),
        Col("rating", "choice", True, choices=RATINGS, category=True),
        Col("service", "text", category=True),
    ),
    "survey": (
        Col("survey_id", "text", True),
        Col("survey_year", "year", True),
        Col("respondent_id", "text", True),
        Col("question_id", "text", True, category=True),
        Col("question_text", "text"),  # optional: the wording asked that year, to catch rewording
        Col("answer", "text", True),
        Col("age_band", "text", category=True),
        Col("sex", "text", category=True),
        Col("ward", "text", category=True),
    ),
    "panel": (
        Col("member_id", "text", True, unique=True),
        Col("joined_on", "date", True),
        Col("left_on", "date"),
        Col("age_band", "text"),
        Col("sex", "text"),
        Col("ward", "text"),
    ),
    "panel_invitations": (
        Col("consultation_id", "text", True),
        Col("member_id", "text", True),
        Col("invited_on", "date", True),
        Col("opened_on", "date"),
        Col("completed_on", "date"),
    ),
    "population": (
        Col("dimension", "choice", True, choices=DIMENSIONS),
        Col("category", "text", True),
        Col("count", "number", True, minimum=0),
    ),
    "measures": (
        Col("measure_id", "text", True, unique=True),
        Col("name", "text", True),
        Col("unit", "choice", True, choices=UNITS),
        Col("polarity", "choice", True, choices=POLARITIES),
        Col("target", "number"),
        Col("theme", "text"),
        Col("description", "text"),
    ),
    "manual_measures": (
        Col("measure_id", "text", True),
        Col("year", "year", True),
        Col("value", "number"),
        Col("note", "text"),
    ),
    "ombudsman": (  # one row per decision of an Ombudsman on a complaint about the council
        Col("decision_id", "text", True, unique=True),
        Col("decided_on", "date", True),
        Col("ombudsman", "choice", True, choices=OMBUDSMEN, category=True),
        Col("outcome", "choice", True, choices=OMBUDSMAN_OUTCOMES, category=True),
        Col("service", "text", category=True),
        Col("remedy_complied", "bool"),
        Col("remedy_before_ombudsman", "bool"),
    ),
    # Officers' words on one measure's year, shown to members beside it as escaped plain text. measure_id must be
    # a measure the workbook computes or one of the register's (checked by load_dataset, with the nearest id).
    "commentary": (
        Col("measure_id", "text", True),
        Col("year", "year", True),
        Col("commentary", "text", True),  # why the figure moved
        Col("next_steps", "text"),        # what happens next
        Col("owner", "text"),             # who is responsible: a post rather than a person's name
    ),
}
SKIP_PREFIX = "_skip:"  # an export column read only to leave rows out ([datasets.NAME.skip])
# Columns the loader works out itself, never read from an export.
DERIVED = {"status_label"}
# One of these columns is required: a queue report gives answered (yes/no) or an outcome.
REQUIRED_ONE_OF = {"calls": ("answered", "outcome")}
# Several columns together must be unique.
UNIQUE_TOGETHER = {
    "action_plan": ("plan_year", "action_id"),
    "complaints": ("complaint_id", "stage"),
    "panel_invitations": ("consultation_id", "member_id"),
    "population": ("dimension", "category"),
    "manual_measures": ("measure_id", "year"),
    "commentary": ("measure_id", "year"),  # one commentary per measure and year: two would contradict each other
}
assert set(SCHEMAS) == set(DATASET_NAMES)

EXPECTED = {
    "timestamp": "a date and time such as 2023-04-03 14:05, 03/04/2023 14:05 or an Excel date",
    "date": "a date such as 2023-04-03, 03/04/2023 or an Excel date",
    "bool": "true/false, yes/no, y/n or 1/0",
    "number": "a number",
    "duration": "a wait in seconds (35 or 35.5), or as hh:mm:ss or mm:ss (00:00:35)",
    "year": "a financial year written like 2023/24 or 2023-24",
    "carried_from": "the earlier action as YEAR:ID, e.g. 2022/23:4c (or as '4c (22/23)')",
}
TRUE_WORDS = {"true", "yes", "y", "1", "1.0", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "0.0", "f"}

# Spellings of a set value that need no map in council.toml, as value keys (see value_key).
OBVIOUS_SPELLINGS = {
    "channel": {
        "telephone": "phone", "tel": "phone", "phone_call": "phone", "telephone_call": "phone",
        "face_to_face": "in_person", "f2f": "in_person", "walk_in": "in_person", "in_person_visit": "in_person",
        "e_mail": "email", "post": "letter", "web_chat": "webchat", "live_chat": "webchat",
        "web_form": "online_form", "e_form": "online_form", "eform": "online_form", "fixmystreet": "report_it",
        "social": "social_media",
    },
    "stage": {"stage_1": "1", "stage1": "1", "stage_one": "1", "s1": "1", "1.0": "1",
              "stage_2": "2", "stage2": "2", "stage_two": "2", "s2": "2", "2.0": "2"},
    # The Ombudsmen's own names, as their decision letters and the council's casework systems write them.
    "ombudsman": {"local_government_and_social_care_ombudsman": "lgsco", "local_government_&_social_care_ombudsman":
                  "lgsco", "local_government_ombudsman": "lgsco", "lgo": "lgsco", "housing_ombudsman": "housing",
                  "housing_ombudsman_service": "housing", "hos": "housing"},
    "outcome": {"partially_upheld": "partly_upheld", "part_upheld": "partly_upheld", "upheld_in_part": "partly_upheld",
                "call_back": "callback", "callback_requested": "callback", "call_back_requested": "callback"},
}
BOOLEAN_SPELLINGS = {**{w: "true" for w in TRUE_WORDS}, **{w: "false" for w in FALSE_WORDS}}
DISTINCT_SHOWN = 10  # unknown values each get a problem of their own; the rest are listed in one more


def value_key(text: pd.Series) -> pd.Series:
    """How set values are matched: without regard to capitals, spaces at either end, repeated spaces, or the
    difference between a space, a hyphen and an underscore ('Not Upheld' -> 'not_upheld')."""
    return text.str.casefold().str.strip().str.replace(r"[\s\-_]+", "_", regex=True).str.strip("_")


def _key(value: str) -> str:
    return value_key(pd.Series([value], dtype="string")).iloc[0]


# A FixMyStreet dashboard export ("Report It"): its headers -> the contract's contacts columns.
# Only these are read; Title, Detail, User Name, Latitude, Longitude, Query, Easting,
# Northing, Report URL and the rest never are.
CLOSED = "_closed_at"  # FixMyStreet's Closed: responded_at is the earlier of Fixed and Closed
FIXMYSTREET_COLUMNS = {
    "Report ID": "contact_id",
    "Confirmed": "received_at",
    "Acknowledged": "acknowledged_at",
    "Fixed": "responded_at",
    "Closed": CLOSED,
    "Category": "category",
    "Ward": "ward",
}
FIXMYSTREET_VALUES = {"channel": "report_it", "service": "Report It"}
EXCEL_ERRORS = ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!"]

# Dates that cannot come before another in the same record: (the first, the later ones, how it is counted).
DATE_ORDER = {
    "contacts": ("received_at", ("acknowledged_at", "responded_at"), (
        "correct the dates in the export. Until then the workbook counts these as done on the day the "
        "contact was received (working day 0), so within the standard.")),
    "complaints": ("received_at", ("acknowledged_at", "responded_at"), (
        "correct the dates in the export. Until then the workbook counts these as done on the day the "
        "complaint was received (working day 0), so within the standard.")),
    "panel": ("joined_on", ("left_on",), (
        "correct the dates in the export. Until then these members are never counted as members.")),
}


# --- problems -------------------------------------------------------------------------------


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


# --- finding files --------------------------------------------------------------------------


def _normalise_header(name: object) -> str:
    return re.sub(r"\s+", " ", str(name)).strip().casefold()


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


# --- how a file's columns become the contract's ---------------------------------------------


@dataclass(frozen=True)
class _Layout:
    key: str                      # council.toml section: the dataset, or an extra source
    renames: dict[str, str]       # normalised export header -> contract's name
    identity: bool                # headers already named as in the contract are read as they are
    wanted: frozenset[str]
    constants: dict[str, str]     # columns every record of the file has, e.g. channel = report_it
    format: str | None
    section_rows: str | None = None  # "theme": heading rows give the theme of the rows below
    # [datasets.KEY.skip]: the column read for it (the contract's name, or a private one for an export column
    # the contract does not have) -> (its name in council.toml, the values whose rows are left out)
    skip: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


def _layout(config: Config, ds: str, key: str) -> _Layout:
    spec = config.datasets.get(key)
    data_format = spec.format if spec else (EXTRA_SOURCES[key][1] if key in EXTRA_SOURCES else None)
    wanted = {c.name for c in SCHEMAS[ds]} - DERIVED
    user = {_normalise_header(k): v for k, v in (spec.columns if spec else {}).items()}
    if data_format == "fixmystreet":
        known = {_normalise_header(k): v for k, v in FIXMYSTREET_COLUMNS.items() if v not in user.values()}
        return _Layout(key, known | user, False, frozenset(wanted | {CLOSED}), dict(FIXMYSTREET_VALUES),
                       data_format)
    skip = {}
    for column, values in (spec.skip if spec else {}).items():
        name = _normalise_header(column)
        target = user.get(name) or (name if name in wanted else f"{SKIP_PREFIX}{name}")
        skip[target] = (column, values)
    private = {n for n in skip if n.startswith(SKIP_PREFIX)}
    renames = user | {n[len(SKIP_PREFIX):]: n for n in private}
    return _Layout(key, renames, True, frozenset(wanted | private), {}, None,
                   spec.section_rows if spec else None, skip)


def _column_map(headers, layout: _Layout) -> dict[int, str]:
    """Position of each header the contract wants -> the contract's name; the first wins."""
    mapping: dict[int, str] = {}
    for position, header in enumerate(headers):
        key = _normalise_header(header)
        if not key:
            continue
        target = layout.renames.get(key) or (key if layout.identity and key in layout.wanted else None)
        if target in layout.wanted and target not in mapping.values():
            mapping[position] = target
    return mapping


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _find_header(rows: list, layout: _Layout, header_row: int | None) -> int:
    """Index (0-based) of the header among a file's first rows: the row holding the most of the
    expected column names, the first such; else the first row that is not blank."""
    if header_row is not None:
        return header_row - 1
    best, best_score = None, 0
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = len(_column_map(cells, layout))
        if score > best_score:
            best, best_score = index, score
    if best is not None:
        return best
    return next((i for i, cells in enumerate(rows) if any(_cell_text(c) for c in cells)), 0)


# --- reading one file -----------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _head(path: Path, size: int = 1 << 16) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003, or a workbook saved with a password
PARQUET_MAGIC = b"PAR1"


def _wrong_kind(ds: str, path: Path, head: bytes) -> Problem | None:
    """A file whose content is not what its extension says, in words the user can act on."""
    suffix = path.suffix.lower()
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if suffix in EXCEL_SUFFIXES:
        if head.startswith(ZIP_MAGIC):
            return None
        if head.startswith(OLE_MAGIC):
            return _problem(ds, path.name, (
                "is an old-style Excel 97-2003 workbook, or one protected by a password, not an .xlsx workbook"),
                "open it in Excel, remove any password, and save it as Excel Workbook (.xlsx).")
        if stripped.startswith((b"<!doctype", b"<html", b"<table", b"<?xml")):
            return _problem(ds, path.name, (
                "is a web page (HTML or XML) with an Excel name, as some systems export"),
                "open it in Excel and save it as Excel Workbook (.xlsx) or CSV UTF-8 (.csv).")
        if head.startswith(PARQUET_MAGIC):
            return _problem(ds, path.name, "is a Parquet file with an Excel name",
                            "rename it to .parquet (and change its name in council.toml).")
        return _problem(ds, path.name, (
            "could not be opened as an Excel workbook: it is not an .xlsx file, or it is damaged"),
            "open it in Excel and save it again as Excel Workbook (.xlsx), or export it again.")
    if suffix == ".csv":
        if head.startswith(ZIP_MAGIC):
            return _problem(ds, path.name, "is an Excel workbook (.xlsx) with a .csv name", (
                "rename it to .xlsx (and change its name in council.toml), or open it in Excel and "
                "save it as CSV UTF-8 (.csv)."))
        if head.startswith(OLE_MAGIC):
            return _problem(ds, path.name, "is an old-style Excel 97-2003 workbook with a .csv name",
                            "open it in Excel and save it as CSV UTF-8 (.csv).")
        if head.startswith(PARQUET_MAGIC):
            return _problem(ds, path.name, "is a Parquet file with a .csv name",
                            "rename it to .parquet (and change its name in council.toml).")
        if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return _problem(ds, path.name, "is not a text file, so it cannot be CSV", (
                "check it is the right file, and export it again as CSV UTF-8 (.csv)."))
        return None
    if suffix == ".parquet":
        if head.startswith(PARQUET_MAGIC):
            return None
        if head.startswith(ZIP_MAGIC):
            return _problem(ds, path.name, "is an Excel workbook (.xlsx) with a .parquet name",
                            "rename it to .xlsx (and change its name in council.toml).")
        return _problem(ds, path.name, (
            "could not be read as Parquet: it is not a Parquet file, or it is damaged"),
            "export it again from the source system, or save the data as CSV instead.")
    return None


def _unsupported(ds: str, path: Path, key: str) -> Problem:
    suffix = path.suffix.lower()
    kind = f"a {suffix} file" if suffix else "a file without an extension"
    fixes = {
        ".xls": "open it in Excel and save it as Excel Workbook (.xlsx).",
        ".ods": "open it and save it as Excel Workbook (.xlsx) or CSV UTF-8 (.csv).",
        ".zip": "unzip it and name the file inside in council.toml.",
        ".txt": "if it is comma-separated, rename it to .csv; otherwise save it from Excel as CSV UTF-8 (.csv).",
        ".tsv": "save it from Excel as CSV UTF-8 (.csv).",
    }
    return _problem(ds, path.name, f"is {kind}; the workbook reads .csv, .xlsx and .parquet", fixes.get(suffix, (
        f"save it as CSV UTF-8 (.csv) or Excel Workbook (.xlsx), or point [datasets.{key}] path in "
        "council.toml at the right file.")))


def _empty_file(ds: str, path: Path, key: str, what: str) -> DataError:
    return DataError([_problem(ds, path.name, f"is empty: {what}", (
        "export it again; if the council has no data for it, remove the file "
        f"(and its [datasets.{key}] path in council.toml)."))])


def _read_file(path: Path, dataset: str, config: Config, key: str | None = None,
               ) -> list[tuple[pd.DataFrame, SourceFile, list[str], list[Problem]]]:
    """Read the wanted columns of one file as raw values. For each part read (a CSV or Parquet file is
    one part; a workbook one part per sheet read): the frame (named as in the contract), where it came
    from, the names of the columns left unread, and warnings about rows that are not data (blank rows,
    a report's footer, total rows), which are left out.

    Raises :class:`DataError` for a file that cannot be read at all.
    """
    key = key or dataset
    layout = _layout(config, dataset, key)
    spec = config.datasets.get(key)
    header_row = spec.header_row if spec else None
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", *EXCEL_SUFFIXES):
        raise DataError([_unsupported(dataset, path, key)])
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataError([_problem(dataset, path.name, f"could not be read: {_reason(exc)}",
                                  "check the file is there and that you may open it.")]) from None
    if size == 0:
        raise _empty_file(dataset, path, key, "it is 0 bytes, with no header row and no data")
    wrong = _wrong_kind(dataset, path, _head(path, 512))
    if wrong is not None:
        raise DataError([wrong])
    if suffix == ".csv":
        parts = [_read_csv(path, dataset, layout, header_row)]
    elif suffix == ".parquet":
        parts = [_read_parquet(path, dataset, layout)]
    else:
        parts = _read_excel(path, dataset, layout, spec, header_row)
    results = []
    for frame, source in parts:
        frame, source, skipped = _skip_non_data(dataset, frame, source, layout)
        frame, source, left_out = _skip_configured(dataset, frame, source, layout)
        skipped += left_out
        if spec is not None and spec.id == "row" and dataset in ID_FROM_ROW:
            # No id column in the export: the file and the row the user sees make one.
            where = f"{path.name}:{source.sheet}:" if source.several_sheets else f"{path.name}:"
            frame[ID_FROM_ROW[dataset]] = where + pd.Series(source.rows_of(np.arange(len(frame)))).astype(str)
            source.headers[ID_FROM_ROW[dataset]] = "the file and row (id = \"row\")"
        for column, value in layout.constants.items():
            if column not in frame.columns:
                frame[column] = value
        source.key = key
        source.length = len(frame)
        read = {source.headers.get(c) for c in frame.columns}
        ignored = [h for h in source.all_headers if h and h not in read]
        results.append((frame, source, list(dict.fromkeys(ignored)), skipped))
    return results


def _check_header_row(ds: str, path: Path, key: str, header_row: int | None, rows: int) -> None:
    if header_row is not None and header_row > rows:
        raise DataError([_problem(ds, path.name, (
            f"has {rows} row{'s' if rows != 1 else ''} before the data ends, but council.toml says its header "
            f"is row {header_row}"), f"correct header_row under [datasets.{key}], or remove it to let the "
            "workbook find the header itself.")])


def _read_csv(path: Path, ds: str, layout: _Layout, header_row: int | None) -> tuple[pd.DataFrame, SourceFile]:
    head = _head(path)
    encodings = ("utf-16",) if head.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return _read_csv_as(path, ds, layout, header_row, head, encoding)
        except UnicodeError:
            continue
    raise DataError([_problem(ds, path.name, "could not be read as text: it is neither UTF-8 nor Windows-1252", (
        'open it in Excel and save it as "CSV UTF-8 (Comma delimited)".'))])


def _read_csv_as(path: Path, ds: str, layout: _Layout, header_row: int | None, head: bytes,
                 encoding: str) -> tuple[pd.DataFrame, SourceFile]:
    complete = len(head) < (1 << 16)
    if encoding == "utf-16":
        sample = head.decode(encoding, errors="ignore")
    else:
        sample = (head if complete else head[: head.rfind(b"\n") + 1]).decode(encoding)
    lines = sample.splitlines()
    if not complete:
        lines = lines[:-1] if len(lines) > 1 else lines
    rows = list(csv.reader(lines[:max(HEADER_SCAN_ROWS, header_row or 0)]))
    if not any(_cell_text(c) for cells in rows for c in cells):
        raise _empty_file(ds, path, layout.key, "it has no header row and no data")
    _check_header_row(ds, path, layout.key, header_row, len(rows))
    index = _find_header(rows, layout, header_row)
    headers = [h.strip() for h in rows[index]] if index < len(rows) else []
    if encoding == "utf-8-sig" and index == 0 and headers:
        headers[0] = headers[0].lstrip("\ufeff")
    mapping = _column_map(headers, layout)
    source = SourceFile(path, index + 2, "row", headers={t: headers[p] for p, t in mapping.items()},
                        all_headers=tuple(headers), header_row=index + 1)
    if not mapping:
        return pd.DataFrame(), source
    positions = sorted(mapping)
    try:
        frame = pd.read_csv(path, skiprows=index, header=0, index_col=False, usecols=positions, dtype=str,
                            keep_default_na=False, na_values=[""], encoding=encoding, skip_blank_lines=False)
    except UnicodeError:
        raise
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError([_problem(ds, path.name, f"could not be read as CSV: {_reason(exc)}", (
            "check that every row has as many commas as the header; a value with a comma or a line "
            "break in it must be in double quotes. Saving it again from Excel as CSV UTF-8 does this."))]) from None
    frame.columns = [mapping[p] for p in positions]
    # Only the wanted columns are read (never a name or a message); a report's footer may have its words
    # in another column, so the last lines of the file are looked at as text to tell what they are.
    source.context = _csv_tail_context(path, encoding, len(frame))
    return frame, source


def _csv_tail_context(path: Path, encoding: str, records: int, lines: int = 40) -> pd.DataFrame | None:
    """The row context (see :func:`_row_context`) of a CSV file's last lines, indexed by record position,
    or None when the tail cannot be lined up with the records (a quoted line break near the end)."""
    if not records:
        return None
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - (1 << 15)))
        tail = handle.read()
    try:
        text = tail.decode(encoding if encoding != "utf-8-sig" or size <= (1 << 15) else "utf-8", errors="strict")
    except UnicodeError:
        return None
    rows = text.splitlines()
    if size > (1 << 15):
        rows = rows[1:]  # the first line may have been cut
    rows = rows[-min(lines, records):]
    if any(row.count('"') % 2 for row in rows):
        return None
    parsed = list(csv.reader(rows))
    if len(parsed) != len(rows):
        return None
    width = max((len(r) for r in parsed), default=0)
    cells = [pd.Series([r[j] if j < len(r) else None for r in parsed], dtype=object) for j in range(width)]
    context = _row_context(cells) if cells else pd.DataFrame(
        {ROW_FIRST: pd.Series([pd.NA] * len(rows), dtype="string"), ROW_ONE_VALUE: True, ROW_BLANK: True})
    context.index = np.arange(records - len(rows), records)
    return context


def _read_parquet(path: Path, ds: str, layout: _Layout) -> tuple[pd.DataFrame, SourceFile]:
    import pyarrow.parquet as pq

    def damaged(exc: Exception) -> DataError:
        return DataError([_problem(ds, path.name, (
            f"could not be read as Parquet: the file is damaged or incomplete ({_reason(exc)})"),
            "export it again from the source system, or save the data as CSV instead.")])

    try:
        headers = [str(h) for h in pq.read_schema(path).names]
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        raise damaged(exc) from None
    mapping = _column_map(headers, layout)
    source = SourceFile(path, 1, "record", headers={t: headers[p] for p, t in mapping.items()},
                        all_headers=tuple(headers))
    if not mapping:
        return pd.DataFrame(), source
    positions = sorted(mapping)
    try:
        frame = pd.read_parquet(path, columns=[headers[p] for p in positions])
    except Exception as exc:
        raise damaged(exc) from None
    frame.columns = [mapping[p] for p in positions]
    return frame, source


def _pick_sheet(names: list[str], sheet, ds: str, path: Path, key: str) -> str:
    listed = ", ".join(f'"{n}"' for n in names)
    if sheet is None:
        return names[0]
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return names[sheet]
        raise DataError([_problem(ds, path.name, (
            f"has no sheet number {sheet} (sheets are counted from 0); its sheets are {listed}"),
            f"set sheet under [datasets.{key}] in council.toml to one of those names, or a number from 0 "
            f"to {len(names) - 1}.")])
    if sheet in names:
        return sheet
    loose = {_normalise_header(n): n for n in names}
    if _normalise_header(sheet) in loose:
        return loose[_normalise_header(sheet)]
    raise DataError([_problem(ds, path.name, f'has no sheet called "{sheet}"; its sheets are {listed}',
                              f"set sheet under [datasets.{key}] in council.toml to one of those names.")])


def _read_excel(path: Path, ds: str, layout: _Layout, spec, header_row: int | None,
                ) -> list[tuple[pd.DataFrame, SourceFile]]:
    """The sheets of a workbook that council.toml names (``sheet``, or ``sheets`` = "all" or a list;
    the first sheet otherwise), each as a frame and its source. With ``sheets = "all"``, a sheet with
    none of the dataset's columns (a key, a notes page) is left out."""
    import openpyxl

    def damaged(exc: Exception) -> DataError:
        return DataError([_problem(ds, path.name, (
            f"could not be opened as an Excel workbook: it is damaged or incomplete ({_reason(exc)})"), (
            "open it in Excel and save it again as Excel Workbook (.xlsx), or export it again. A file still "
            "being copied or downloaded is incomplete too."))])

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # zipfile, XML and openpyxl errors: all mean the same to the user
        raise damaged(exc) from None
    sheets = spec.sheets if spec else None
    try:
        names = tuple(book.sheetnames)
        if sheets == "all":
            titles = list(names)
        elif sheets:
            titles = list(dict.fromkeys(_pick_sheet(list(names), name, ds, path, layout.key) for name in sheets))
        else:
            titles = [_pick_sheet(list(names), spec.sheet if spec else None, ds, path, layout.key)]
        grids = {}
        for title in titles:
            worksheet = book[title]
            worksheet.reset_dimensions()  # a wrong <dimension> must not cut the data short
            grids[title] = _grid(list(worksheet.iter_rows(values_only=True)))
    except DataError:
        raise
    except Exception as exc:
        raise damaged(exc) from None
    finally:
        book.close()
    parts = []
    for title, grid in grids.items():
        frame, source = _sheet_frame(path, ds, layout, title, grid, header_row, names)
        if sheets == "all" and not source.headers:
            continue  # a sheet of notes beside the plan
        source.several_sheets = len(titles) > 1
        parts.append((frame, source))
    if not parts:
        frame, source = _sheet_frame(path, ds, layout, titles[0], grids[titles[0]], header_row, names)
        parts.append((frame, source))
    return parts


def _sheet_frame(path: Path, ds: str, layout: _Layout, title: str, grid: np.ndarray, header_row: int | None,
                 names: tuple[str, ...]) -> tuple[pd.DataFrame, SourceFile]:
    """One sheet's grid -> the wanted columns below its header, with each row's context (see _row_context).

    A financial year as the sheet's name ("2023-24") gives the year column when the sheet has none."""
    for first_col, first_row, last_col, last_row in _merged_ranges(path, title):
        if first_row <= grid.shape[0] and first_col <= grid.shape[1]:
            grid[first_row - 1:last_row, first_col - 1:last_col] = grid[first_row - 1, first_col - 1]
    if not grid.size or not pd.notna(grid).any():
        raise _empty_file(ds, path, layout.key, f'its sheet "{title}" has no header row and no data')
    _check_header_row(ds, path, layout.key, header_row, grid.shape[0])
    index = _find_header(list(grid[:max(HEADER_SCAN_ROWS, header_row or 0)]), layout, header_row)
    headers = [_cell_text(c) for c in grid[index]]
    mapping = _column_map(headers, layout)
    source = SourceFile(path, index + 2, "row", headers={t: headers[p] for p, t in mapping.items()},
                        all_headers=tuple(headers), header_row=index + 1, sheet=title, sheets=names)
    if not mapping:
        return pd.DataFrame(), source
    positions = sorted(mapping)
    body = grid[index + 1:]
    frame = pd.DataFrame(body[:, positions], columns=[mapping[p] for p in positions], dtype=object)
    frame = frame.replace(EXCEL_ERRORS, None)  # #N/A, #REF! ... are empty, as pandas reads them
    year = year_label_text(title)
    for col in SCHEMAS[ds]:
        if col.kind == "year" and col.name not in frame.columns and year is not None:
            frame[col.name] = year
            source.headers[col.name] = f'the sheet\'s name, "{title}"'
    source.context = _row_context([pd.Series(body[:, j], dtype=object).replace(EXCEL_ERRORS, None)
                                   for j in range(body.shape[1])])
    return frame, source


def _grid(rows: list[tuple]) -> np.ndarray:
    """Rows of a sheet (of any lengths) -> a 2-D object array, padded with None."""
    if not rows:
        return np.empty((0, 0), dtype=object)
    columns = list(zip_longest(*rows, fillvalue=None))
    grid = np.empty((len(rows), len(columns)), dtype=object)
    for j, values in enumerate(columns):
        grid[:, j] = values
    return grid


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)"')
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _merged_ranges(path: Path, title: str) -> list[tuple[int, int, int, int]]:
    """(first column, first row, last column, last row) of each merged range of a sheet, 1-based.

    Read from the sheet's XML (openpyxl's read-only mode, used for speed, does not
    keep them); a workbook laid out unusually just gives none.
    """
    from openpyxl.utils.cell import range_boundaries

    try:
        with zipfile.ZipFile(path) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            rid = next(s.get(f"{_REL}id") for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == title)
            target = next(r.get("Target") for r in relations if r.get("Id") == rid)
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            refs: set[bytes] = set()
            tail = b""
            with archive.open(member) as part:
                for block in iter(lambda: part.read(1 << 20), b""):
                    chunk = tail + block
                    refs.update(_MERGE.findall(chunk))
                    tail = chunk[-256:]
    except Exception:  # no merges is always a safe answer
        return []
    ranges = []
    for ref in refs:
        text = ref.decode()
        bounds = range_boundaries(text if ":" in text else f"{text}:{text}")
        if bounds[2] > bounds[0] or bounds[3] > bounds[1]:
            ranges.append(bounds)
    return sorted(ranges)


def _skip_configured(ds: str, frame: pd.DataFrame, source: SourceFile, layout: _Layout,
                     ) -> tuple[pd.DataFrame, SourceFile, list[Problem]]:
    """Leave out the rows ``[datasets.KEY.skip]`` names (a cancelled case, an Ombudsman enquiry listed among
    complaints), matched as set values are, and say how many; the export columns read only for this are
    dropped."""
    problems = []
    keep = np.ones(len(frame), dtype=bool)
    for target, (column, values) in layout.skip.items():
        if target not in frame.columns:
            problems.append(_problem(ds, source.name, (
                f"has no column {column!r}, which council.toml's [datasets.{layout.key}.skip] names: no rows left "
                "out for it"), "check the column's name, or remove the line if this file never has it.",
                fatal=False))
            continue
        text = _as_text(frame[target])
        match = value_key(text).isin([_key(v) for v in values]).fillna(False).to_numpy(dtype=bool)
        if match.any():
            problems.append(_problem_at(ds, source, None, np.flatnonzero(match), (
                f"has rows whose {column!r} is {' or '.join(repr(v) for v in values)}: left out, as council.toml's "
                f"[datasets.{layout.key}.skip] says"), text[match].head(20), fatal=False,
                fix="nothing; they are not records of this dataset."))
        keep &= ~match
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith(SKIP_PREFIX)])
    if keep.all():
        return frame, source, problems
    positions = np.flatnonzero(keep)
    source.row_numbers = source.rows_of(positions)
    return frame.iloc[positions].reset_index(drop=True), source, problems


ROW_FIRST, ROW_ONE_VALUE, ROW_BLANK = "_first_cell", "_one_value", "_blank"
# A report's footer, as Salesforce writes it under a report, and total rows of queue reports.
FOOTER_WORDS = re.compile(r"^\s*(?:grand totals?|totals?|copyright|\(c\)|©|confidential|generated by|report generated|"
                          r"run by|filtered by|printed)\b", re.IGNORECASE)
TOTAL_WORDS = re.compile(r"^\s*(?:grand\s+)?totals?\b", re.IGNORECASE)


def _row_context(cells: list[pd.Series]) -> pd.DataFrame:
    """For each row, from its cells left to right: the first filled cell's text, whether every filled
    cell holds that same text (one filled cell, or a heading merged across the row), and whether the row
    is blank. Vectorised over rows; a loop over the few columns only."""
    length = len(cells[0]) if cells else 0
    first = pd.Series(pd.NA, index=range(length), dtype="string")
    texts = []
    for column in cells:
        text = _as_text(column.reset_index(drop=True))
        texts.append(text)
        first = first.fillna(text)
    one_value = np.ones(length, dtype=bool)
    for text in texts:
        one_value &= (text.isna() | (text == first)).fillna(True).to_numpy(dtype=bool)
    return pd.DataFrame({ROW_FIRST: first, ROW_ONE_VALUE: one_value, ROW_BLANK: first.isna().to_numpy()})


def _skip_non_data(ds: str, frame: pd.DataFrame, source: SourceFile, layout: _Layout,
                   ) -> tuple[pd.DataFrame, SourceFile, list[Problem]]:
    """Leave out what is not data, and say so: blank rows, a report's footer after the last record,
    total rows and, for ``section_rows = "theme"``, heading rows (whose text becomes the theme of the rows
    below them). The rows kept keep their own row numbers.

    Only rows without the dataset's required date can be any of these (a heading has none either), so on
    millions of contacts only those few rows are looked at closely."""
    context, source.context = source.context, None
    if frame.empty or not len(frame.columns):
        return frame, source, []
    length = len(frame)
    dated = next((c.name for c in SCHEMAS[ds] if c.required and c.kind in ("timestamp", "date")), None)
    if dated in frame.columns:
        undated = frame[dated].isna().to_numpy()
    else:
        undated = np.ones(length, dtype=bool)
    looked_at = np.flatnonzero(undated)
    if not len(looked_at):
        return frame, source, []
    near = _row_context([frame[c].iloc[looked_at] for c in frame.columns])
    near.index = looked_at
    blank_read = near[ROW_BLANK].to_numpy(dtype=bool)
    if context is not None:  # the whole row, where the reader saw it
        near.loc[near.index.intersection(context.index)] = context
    first = pd.Series(pd.NA, index=range(length), dtype="string")
    first.iloc[looked_at] = near[ROW_FIRST].to_numpy()
    one_value = np.zeros(length, dtype=bool)
    one_value[looked_at] = near[ROW_ONE_VALUE].to_numpy(dtype=bool)
    blank = np.zeros(length, dtype=bool)
    blank[looked_at] = near[ROW_BLANK].to_numpy(dtype=bool) | blank_read
    words = first.str.contains(FOOTER_WORDS, na=False).to_numpy(dtype=bool)
    # The footer: the rows after the last record that hold one value at most, when one of them reads like
    # a footer ("Grand Totals (412 records)", "Copyright ...", "Confidential Information", "Generated By").
    tail = (blank | one_value) & undated
    trailing = length - (np.flatnonzero(~tail)[-1] + 1 if (~tail).any() else 0)
    footer = np.zeros(length, dtype=bool)
    if trailing and words[length - trailing:].any():
        footer[length - trailing:] = True
    total = ~footer & ~blank & undated & first.str.contains(TOTAL_WORDS, na=False).to_numpy(dtype=bool)
    if not dated:
        total &= one_value
    heading = np.zeros(length, dtype=bool)
    if layout.section_rows == "theme":
        # A heading holds words: a row with only a ref (1.2) is an action whose other cells are empty.
        worded = first.str.contains(r"[^\W\d_]", na=False).to_numpy(dtype=bool)
        heading = one_value & worded & ~blank & ~footer & ~total
    kept = ~(blank | footer | total | heading)
    problems = []
    last_kept = np.flatnonzero(kept)[-1] if kept.any() else -1
    inner_blank = blank & ~footer & (np.arange(length) < last_kept)
    for mask, message, fix in (
        (inner_blank, "has blank rows: skipped", "nothing; they are not counted."),
        (footer, "ends with a report footer (totals, copyright or who ran the report), not data: skipped",
         "nothing; these lines are never counted."),
        (total, "has total rows (the first cell reads Total and the date is empty), not data: skipped",
         "nothing; totals are never counted (the workbook counts the records themselves)."),
    ):
        if mask.any():
            shown = first[mask].dropna().head(20)
            problems.append(_problem_at(ds, source, None, np.flatnonzero(mask), message, shown, fatal=False,
                                        fix=fix))
    if heading.any():
        theme = first.where(pd.Series(heading)).ffill()
        if "theme" in frame.columns:
            theme = _as_text(frame["theme"]).reset_index(drop=True).fillna(theme)
        frame = frame.assign(theme=theme.to_numpy())
        source.headers.setdefault("theme", "the heading rows above the actions")
    if kept.all():
        return frame, source, problems
    keep = np.flatnonzero(kept)
    source.row_numbers = source.rows_of(keep)
    return frame.iloc[keep].reset_index(drop=True), source, problems


# --- parsing raw values ---------------------------------------------------------------------


def _as_text(raw: pd.Series) -> pd.Series:
    """Values as text, stripped, with empty text as missing.

    A column with few distinct values (a channel, a service, a place) is worked
    out once per distinct value and spread back to the rows, which saves time and
    memory on millions of contacts.
    """
    def strip(values: pd.Series) -> pd.Series:
        text = values.astype("string").str.strip()
        return text.mask(text == "")

    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return strip(raw)
    return _per_distinct(raw, strip)


FEW_DISTINCT_FROM = 10_000  # rows from which _as_text looks for few distinct values first


def _present(raw: pd.Series) -> pd.Series:
    """True where a cell holds something: typed columns (dates, numbers, booleans from Parquet or
    Excel) are not turned into text just to find out."""
    dtype = raw.dtype
    if (pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
            or (pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype))):
        return raw.notna()
    return _as_text(raw).notna()


_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


def parse_timestamps(raw: pd.Series) -> pd.Series:
    """Values -> naive UK local timestamps (NaT where empty or unreadable).

    Accepts ISO 8601 (with or without a time, with or without an offset, which
    is converted to UK local time), DD/MM/YYYY with an optional time, Excel
    dates read by openpyxl, and Parquet timestamps with or without a zone. A
    year or a month alone ("2023", "2023-04") is not a date.
    """
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        return raw.dt.tz_convert("Europe/London").dt.tz_localize(None).astype("datetime64[ns]")
    if pd.api.types.is_datetime64_dtype(raw.dtype):
        return raw.astype("datetime64[ns]")
    text = _as_text(raw)
    result = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    present = text.notna()
    if not present.any():
        return result
    has_offset = present & text.str.contains(_OFFSET, na=False) & text.str.contains(r"\d[T ]\d", na=False)
    if has_offset.any():
        aware = pd.to_datetime(text[has_offset], format="ISO8601", utc=True, errors="coerce")
        result[has_offset] = aware.dt.tz_convert("Europe/London").dt.tz_localize(None)
    plain = present & ~has_offset
    if plain.any():
        iso = pd.to_datetime(text[plain], format="ISO8601", errors="coerce")
        # ISO 8601 allows a year or a month alone ("2023", "2023-04"), but neither is a date.
        result[plain] = iso.mask(text[plain].str.len() < 10)
    # Day first, as UK systems write it; iCasework and Dynamics also write the month as a word (06-Apr-2023).
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y %H:%M",
                "%d-%b-%Y", "%d %b %Y %H:%M", "%d %b %Y", "%d %B %Y %H:%M", "%d %B %Y"):
        left = plain & result.isna()
        if not left.any():
            break
        result[left] = pd.to_datetime(text[left], format=fmt, errors="coerce")
    return result


def parse_dates(raw: pd.Series) -> pd.Series:
    return parse_timestamps(raw).dt.normalize()


def parse_booleans(raw: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean")
    words = _as_text(raw).str.lower()
    result = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    result[words.isin(TRUE_WORDS)] = True
    result[words.isin(FALSE_WORDS)] = False
    return result


def parse_numbers(raw: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("float64")
    text = _as_text(raw).str.replace(",", "", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _per_distinct(text: pd.Series, change) -> pd.Series:
    """``change`` (text -> text) worked out once per distinct value when there are few of them."""
    if len(text) >= FEW_DISTINCT_FROM:
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
        if len(uniques) * 20 <= len(text):
            changed = change(pd.Series(uniques).astype("string"))
            return pd.Series(changed.array.take(codes, allow_fill=True), index=text.index, name=text.name)
    return change(text)


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _date_hints(found: pd.Series) -> str:
    """What is wrong with some unreadable dates, when it can be told: a day that does not exist
    (31/02/2023) or a date written month first (04/13/2023)."""
    text = found.astype(str).str.strip()
    dmy = text.str.extract(r"^(\d{1,2})/(\d{1,2})/(\d{4})")
    iso = text.str.extract(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
    date_part = text.str.extract(r"^(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2})")[0]
    day = pd.to_numeric(dmy[0], errors="coerce").fillna(pd.to_numeric(iso[2], errors="coerce"))
    month = pd.to_numeric(dmy[1], errors="coerce").fillna(pd.to_numeric(iso[1], errors="coerce"))
    year = pd.to_numeric(dmy[2], errors="coerce").fillna(pd.to_numeric(iso[0], errors="coerce"))
    valid_month = month.between(1, 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = pd.Series(_MONTH_DAYS[month.where(valid_month, 0).fillna(0).astype(int)], index=text.index)
    days = days + (leap & (month == 2)).astype(int)
    hints = []
    no_such_day = valid_month & (day > days)
    if no_such_day.any():
        hints.append(f"{date_part[no_such_day].iloc[0]} is a day that does not exist.")
    month_first = (month > 12) & day.between(1, 12) & dmy[0].notna()
    if month_first.any():
        i = text[month_first].index[0]
        hints.append(f"{date_part[i]} looks written month first: write it day first, "
                     f"{int(month[i]):02d}/{int(day[i]):02d}/{int(year[i])}.")
    return " ".join(hints)


def _unreadable_fix(col: Col, found: pd.Series) -> str:
    optional = "" if col.required else ", or clear the cell where it is not known"
    if col.kind in ("timestamp", "date"):
        hints = _date_hints(found)
        return (f"correct these dates in the export{optional}. " + (f"{hints} " if hints else "")
                + "Dates are read day first: 03/04/2023 is 3 April 2023.")
    if col.kind == "bool":
        return f"write true/false, yes/no, y/n or 1/0 in these cells (any capitals){optional}."
    if col.kind == "number":
        return f"write plain numbers, without units, words or symbols{optional}."
    return f"correct these values{optional}."


# --- columns with a set of values -----------------------------------------------------------


@dataclass(frozen=True)
class _ValueSet:
    """The values a column may take: value key -> the value the workbook uses, and how to say it."""

    allowed: dict[str, str]
    what: str                      # "a channel of the contract", for "... is not {what}"
    listed: tuple[str, ...]        # the values to list in a message
    other_fix: str = ""            # another way to fix it, besides a values line


def _value_set(ds: str, col: Col, config: Config) -> _ValueSet | None:
    """The set of values of a column, or None for a column of free text (services, notes, ids)."""
    if col.kind == "bool":
        return _ValueSet(dict(BOOLEAN_SPELLINGS), "yes or no (true/false, yes/no, y/n, 1/0)", ("true", "false"))
    if col.kind == "label":
        allowed = {_key(label): status for label, status in config.status_labels.items()}
        allowed.update({_key(status): status for status in set(config.status_labels.values())})
        return _ValueSet(allowed, f"a status label council.toml knows ({', '.join(sorted(config.status_labels))})",
                         tuple(sorted(set(config.status_labels.values()))), (
                             "or add the label to the list of its status under [action_plan.status_labels] "
                             "in council.toml"))
    if col.kind == "choice":
        allowed = {_key(c): c for c in col.choices}
        for spelling, value in OBVIOUS_SPELLINGS.get(col.name, {}).items():
            if value in col.choices:
                allowed.setdefault(spelling, value)
        words = {"channel": "a channel of the workbook", "stage": "a stage (1 or 2)",
                 "rating": "a rating (good, average or poor)", "outcome": "an outcome the workbook knows",
                 "ombudsman": "an Ombudsman the workbook knows (lgsco or housing)"}
        return _ValueSet(allowed, words.get(col.name, f"one of the values of {col.name}"), col.choices)
    if ds == "action_plan" and col.name == "theme" and config.themes:
        return _ValueSet({_key(t): t for t in config.themes}, "one of the themes in council.toml", config.themes,
                         "or add the theme to themes = [...] under [action_plan] in council.toml")
    if ds == "contacts" and col.name == "location" and config.in_person_locations:
        return _ValueSet({_key(t): t for t in config.in_person_locations},
                         "one of the places in council.toml", config.in_person_locations,
                         "or add the place to in_person = [...] under [locations] in council.toml")
    return None


def _mapped_values(ds: str, col: Col, text: pd.Series, source: SourceFile, config: Config,
                   ) -> tuple[pd.Series, list[Problem]]:
    """Text -> the values the workbook uses, through ``[datasets.KEY.values.COLUMN]`` and the column's set.

    Worked out once per distinct value. A value of a set column that matches nothing is reported once per
    distinct value, with its count, its first rows and the exact council.toml line that would map it."""
    key = source.key or ds
    spec = config.datasets.get(key)
    user = {_key(k): v for k, v in ((spec.values if spec else {}).get(col.name) or {}).items()}
    values = _value_set(ds, col, config)
    if not user and values is None:
        return text, []
    codes, uniques = pd.factorize(text)
    if not len(uniques):
        return text, []
    keys = value_key(pd.Series(uniques, dtype="string")).tolist()
    problems: list[Problem] = []
    result = []
    for unique, k in zip(uniques, keys):
        target = user.get(k, unique)
        if values is not None:
            target = values.allowed.get(_key(target)) if target != unique else values.allowed.get(k)
        result.append(target)
    if values is not None:
        for theirs, ours in ((spec.values if spec else {}).get(col.name) or {}).items():
            if values.allowed.get(_key(ours)) is None:
                problems.append(_problem(ds, source.name, (
                    f"council.toml maps {theirs!r} to {ours!r} under [datasets.{key}.values.{col.name}], "
                    f"which is not {values.what}"), f"map it to one of: {', '.join(values.listed)}."))
    mapped = np.array(result, dtype=object)
    out = pd.Series(np.where(codes >= 0, mapped[np.maximum(codes, 0)], None), index=text.index, dtype="string")
    if values is None:
        return out, problems
    unknown = [i for i, r in enumerate(result) if r is None]
    if unknown:
        problems.extend(_unknown_values(ds, col, source, codes, uniques, unknown, values, key))
    return out, problems


def _unknown_values(ds: str, col: Col, source: SourceFile, codes: np.ndarray, uniques, unknown: list[int],
                    values: _ValueSet, key: str) -> list[Problem]:
    """One problem per distinct unknown value (the first DISTINCT_SHOWN, in order of appearance), and one
    listing every other, so no bad value goes unsaid."""
    positions = {i: np.flatnonzero(codes == i) for i in unknown}
    order = sorted(unknown, key=lambda i: positions[i][0])
    section = f"[datasets.{key}.values.{col.name}]"
    problems = []
    for i in order[:DISTINCT_SHOWN]:
        value = str(uniques[i])
        guess = difflib.get_close_matches(_key(value), list(values.allowed), n=1, cutoff=0.6)
        if guess:
            target = values.allowed[guess[0]]
            fix = (f"if it means {target}, add this line under {section} in council.toml (start that heading "
                   f"if it is not there):\n      {_toml_string(value)} = {_toml_string(target)}")
        else:
            fix = (f"add a line under {section} in council.toml (start that heading if it is not there) saying "
                   f"which it is, one of {', '.join(values.listed)}:\n      {_toml_string(value)} = \"...\"")
        if values.other_fix:
            fix += f"\n  {values.other_fix}; or correct it in the export."
        else:
            fix += "\n  or correct it in the export."
        problems.append(_problem_at(ds, source, col.name, positions[i], f"has {value!r}, which is not {values.what}",
                                    (value,), fix=fix))
    rest = order[DISTINCT_SHOWN:]
    if rest:
        listed = ", ".join(f"{str(uniques[i])!r} ({len(positions[i]):,} row{'s' if len(positions[i]) > 1 else ''})"
                           for i in rest)
        every = np.sort(np.concatenate([positions[i] for i in rest]))
        problems.append(_problem_at(ds, source, col.name, every, (
            f"has {len(rest)} more values that are not {values.what}: {listed}"), fix=(
            f"map each under {section} in council.toml as above, or correct them in the export.")))
    return problems


# --- durations and months -------------------------------------------------------------------

_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$")


def _duration_seconds(value) -> float:
    """One wait -> seconds: a number of seconds, 'hh:mm:ss' or 'mm:ss' text, or an Excel time or duration
    cell (openpyxl gives a time of day or a timedelta). NaN when it is none of these."""
    if value is None or value is pd.NA or value is pd.NaT:
        return np.nan
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    if isinstance(value, dt.datetime):  # an Excel duration past 24 hours, counted from 1900-01-00
        return (value - dt.datetime(1899, 12, 31)).total_seconds()
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().replace(",", "")
    match = _CLOCK.fullmatch(text)
    if match:
        hours, minutes, seconds = match.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    try:
        return float(text) if text else np.nan
    except ValueError:
        return np.nan


def parse_durations(raw: pd.Series) -> pd.Series:
    """Waits -> seconds (float), worked out once per distinct value: there are few distinct waits even in
    millions of calls."""
    if pd.api.types.is_timedelta64_dtype(raw.dtype):
        return raw.dt.total_seconds().astype("float64")
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("float64")
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    seconds = np.array([_duration_seconds(u) for u in uniques] + [np.nan], dtype="float64")
    return pd.Series(seconds[np.where(codes >= 0, codes, len(uniques))], index=raw.index, dtype="float64")


_MONTHS = {m.casefold(): i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_MONTH_TEXT = re.compile(r"^([A-Za-z]{3,9})\.?[\s\-/]*(\d{4}|\d{2})$")


def parse_months(text: pd.Series) -> pd.Series:
    """A month typed as a date, as officers write target dates ('March 2025', 'Mar 2025', 'Mar-25') -> the
    last day of that month; NaT for anything else."""
    parts = text.str.strip().str.extract(_MONTH_TEXT)
    month = parts[0].str.casefold().str[:3].map(_MONTHS)
    full = parts[0].str.casefold()
    names = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
             "november", "december")
    real = full.isin(names) | full.isin(list(_MONTHS)) | full.isin(["sept"])
    year = pd.to_numeric(parts[1], errors="coerce")
    year = year.where(year >= 100, year + 2000)
    ok = month.notna() & real & year.notna()
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if ok.any():
        starts = pd.to_datetime(dict(year=year[ok].astype(int), month=month[ok].astype(int), day=1))
        result[ok] = starts + pd.offsets.MonthEnd(0)
    return result


# --- one file -------------------------------------------------------------------------------


def _parse_file(ds: str, frame: pd.DataFrame, source: SourceFile, config: Config) -> tuple[pd.DataFrame, list[Problem]]:
    """Raw values -> typed columns, with a problem for each column that has values it cannot read."""
    problems: list[Problem] = []
    specs = SCHEMAS[ds]
    missing = [c.name for c in specs if c.required and c.name not in frame.columns]
    either = REQUIRED_ONE_OF.get(ds, ())
    if either and not set(either) & set(frame.columns):
        missing.append(either[0])
    if missing:
        problem = _missing_columns(ds, source, missing, config)
        if either and either[0] in missing:
            problem.message = problem.message.replace(
                f"'{either[0]}'", " or ".join(f"'{c}'" for c in either), 1)
        problems.append(problem)

    parsed = {}
    for col in specs:
        if col.name not in frame.columns:
            continue
        raw = frame[col.name]
        text = None
        if col.kind in ("bool", "choice", "label") and not pd.api.types.is_bool_dtype(raw.dtype):
            text = _as_text(raw)
            mapped, found = _mapped_values(ds, col, text, source, config)
            problems.extend(found)
            if col.kind == "bool":
                values = mapped.map({"true": True, "false": False}).astype("boolean")
            else:
                values = mapped
            if col.kind == "label":
                parsed["status_label"] = text
            # Reported above, once per distinct value: not again as unreadable.
            text = text.where(mapped.notna() | text.isna()) if found else text
        elif col.kind in ("timestamp", "date"):
            values = parse_timestamps(raw) if col.kind == "timestamp" else parse_dates(raw)
            if col.kind == "date":
                values, found, excused = _months_as_dates(ds, col, raw, values, source, config.year_start_month)
                problems.extend(found)
                if excused.any():
                    text = _as_text(raw).mask(excused)
        elif col.kind == "bool":
            values = parse_booleans(raw)
        elif col.kind == "number":
            values = parse_numbers(raw)
        elif col.kind == "duration":
            values = parse_durations(raw)
        elif col.kind == "carried_from":
            text = _as_text(raw)
            # Unreadable ones are kept as typed, and reported by the check of the form.
            values = _per_distinct(text, lambda t: t.map(lambda v: carried_from_text(v) or v, na_action="ignore")
                                   .astype("string"))
        elif col.kind == "year":
            text = _as_text(raw)
            values = _per_distinct(text, lambda t: t.map(year_label_text, na_action="ignore").astype("string"))
        else:
            text = _as_text(raw)
            values, found = _mapped_values(ds, col, text, source, config)
            problems.extend(found)
            if found:
                text = text.where(values.notna() | text.isna())
        if col.kind in EXPECTED:
            present = text.notna() if text is not None else _present(raw)
            unreadable = present & values.isna()
            if unreadable.any():
                found = raw[unreadable].head(20)
                problems.append(_problem_at(ds, source, col.name, np.flatnonzero(unreadable),
                                            f"expected {EXPECTED[col.kind]}", found, fix=_unreadable_fix(col, found)))
        parsed[col.name] = values

    if CLOSED in frame.columns:  # FixMyStreet: responded_at is the earlier of Fixed and Closed
        closed = parse_timestamps(frame[CLOSED])
        unreadable = _present(frame[CLOSED]) & closed.isna()
        if unreadable.any():
            found = frame[CLOSED][unreadable].head(20)
            problems.append(_problem_at(ds, source, "responded_at", np.flatnonzero(unreadable),
                                        f"expected {EXPECTED['timestamp']}", found,
                                        fix=_unreadable_fix(Col("responded_at", "timestamp"), found),
                                        header=source.headers.get(CLOSED)))
        fixed = parsed.get("responded_at")
        parsed["responded_at"] = closed if fixed is None else fixed.mask(fixed.isna() | (closed < fixed), closed)

    if ds == "calls" and ("answered" in parsed or "outcome" in parsed):
        problems.extend(_call_outcomes(parsed, frame, source))
    problems.extend(_dates_out_of_order(ds, parsed, source))
    columns = [c.name for c in specs if c.name in parsed]
    return pd.DataFrame({c: parsed[c] for c in columns}, index=frame.index), problems


def _call_outcomes(parsed: dict, frame: pd.DataFrame, source: SourceFile) -> list[Problem]:
    """A queue report gives answered (yes/no: not answered is abandoned) or an outcome (answered, abandoned,
    callback); fill each from the other, so every call has both. A callback is neither answered nor
    abandoned."""
    answered, outcome = parsed.get("answered"), parsed.get("outcome")
    from_answered = (answered.map({True: "answered", False: "abandoned"}).astype("string")
                     if answered is not None else None)
    outcome = from_answered if outcome is None else (outcome if from_answered is None
                                                     else outcome.fillna(from_answered))
    parsed["outcome"] = outcome
    parsed["answered"] = (outcome == "answered").astype("boolean")
    typed = np.zeros(len(frame), dtype=bool)
    for name in ("answered", "outcome"):
        if name in frame.columns:
            typed |= _present(frame[name]).to_numpy(dtype=bool)
    empty = outcome.isna().to_numpy() & ~typed  # unreadable values are reported already
    if not empty.any():
        return []
    column = "outcome" if "outcome" in frame.columns else "answered"
    return [_problem_at("calls", source, column, np.flatnonzero(empty), "is empty where a value is required", (),
                        fix="fill these cells in (answered, abandoned or callback), or delete the rows if they "
                            "are not real calls.")]


_YEAR_IN_TEXT = re.compile(r"(?<![\d.])(\d{4}|\d{2})\s*[/\-\u2013]\s*(\d{2}|\d{4})(?![\d.])")
_REF_IN_TEXT = re.compile(r"(?<![\w.])([A-Za-z]?\d+(?:\.\d+)*[A-Za-z]?)(?![\w.])")


def carried_from_text(value: str) -> str | None:
    """Where an action came from, as the pages write it ('2023/24:1.3'), from the contract's form in any year
    spelling ('2023-24:1.3') or as officers write it ('1.3 (23/24)', 'Carried from 2023/24 action 2.4',
    '2023/24 - 4c'); None when no single year and ref can be told."""
    text = str(value).strip()
    if ":" in text:
        year, _, ref = text.partition(":")
        label = year_label_text(year.strip())
        return f"{label}:{ref.strip()}" if label and ref.strip() and " " not in ref.strip() else None
    years = _YEAR_IN_TEXT.findall(text)
    if len(years) != 1:
        return None
    start, end = years[0]
    start = f"20{start}" if len(start) == 2 else start
    label = year_label_text(f"{start}/{end}")
    rest = _YEAR_IN_TEXT.sub(" ", text)
    refs = _REF_IN_TEXT.findall(rest)
    return f"{label}:{refs[0]}" if label and len(refs) == 1 else None


_QUARTER_TEXT = re.compile(r"^\s*Q([1-4])\s*[,\-]?\s*(?:of\s+)?(\d{4}\s*[/\-\u2013]\s*(?:\d{2}|\d{4}))\s*$", re.IGNORECASE)
# Optional date columns officers fill by hand: words here mean "no date", said as a warning.
WORDS_AS_NO_DATE = {("action_plan", "due")}


def parse_quarters(text: pd.Series, start_month: int = 4) -> pd.Series:
    """A quarter of a financial year typed as a date ('Q4 2024/25') -> the quarter's last day (31 March 2025
    for a year starting in April); NaT for anything else."""
    parts = text.str.extract(_QUARTER_TEXT)
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    start = parts[1].map(lambda y: parse_year_label(re.sub(r"\s", "", y)) if isinstance(y, str) else None)
    ok = parts[0].notna() & start.notna()
    if ok.any():
        first = pd.to_datetime(dict(year=start[ok].astype(int), month=start_month, day=1))
        ends = [f + pd.DateOffset(months=3 * int(q)) - pd.Timedelta(days=1) for f, q in zip(first, parts[0][ok])]
        result[ok] = ends
    return result


def _months_as_dates(ds: str, col: Col, raw: pd.Series, values: pd.Series, source: SourceFile, start_month: int,
                     ) -> tuple[pd.Series, list[Problem], np.ndarray]:
    """A date column's months and quarters typed as text ('March 2025', 'Q4 2024/25') read as their last day,
    with a warning; and, in the action plan's target dates, words ('Ongoing', 'TBC') read as no date, with a
    warning. Returns the values, the warnings, and where a cell's text was read as no date."""
    excused = np.zeros(len(raw), dtype=bool)
    left = values.isna() & _present(raw)
    if not left.any() or pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return values, [], excused
    typed = _as_text(raw[left])
    loose = parse_months(typed).fillna(parse_quarters(typed, start_month))
    read = loose.notna()
    problems = []
    values = values.copy()
    if read.any():
        values[loose.index[read]] = loose[read]
        positions = np.flatnonzero(left.to_numpy())[read.to_numpy()]
        shown = (typed[read].head(20) + " read as " + loose[read].head(20).dt.strftime("%d/%m/%Y").values)
        problems.append(_problem_at(ds, source, col.name, positions, (
            "has a month or quarter where a date is expected: read as its last day"), shown, fatal=False, fix=(
            "nothing, if the last day is meant; otherwise type the date in full (31/03/2025).")))
    if (ds, col.name) in WORDS_AS_NO_DATE:
        words = ~read & ~typed.str.contains(r"\d", na=False)
        if words.any():
            positions = np.flatnonzero(left.to_numpy())[words.to_numpy()]
            excused[positions] = True
            problems.append(_problem_at(ds, source, col.name, positions, (
                "has words where a date is expected: read as no date"), typed[words].head(20), fatal=False, fix=(
                "nothing, if the action has no date; otherwise type the date (31/03/2025), a month (March 2025) "
                "or a quarter (Q4 2024/25).")))
    return values, problems, excused


def _dates_out_of_order(ds: str, parsed: dict, source: SourceFile) -> list[Problem]:
    """Warnings for a later date on a day before the first one (a response before receipt)."""
    if ds not in DATE_ORDER or DATE_ORDER[ds][0] not in parsed:
        return []
    first, later, fix = DATE_ORDER[ds]
    start = parsed[first].dt.normalize()
    problems = []
    for name in later:
        if name not in parsed:
            continue
        early = (parsed[name].dt.normalize() < start).to_numpy()
        if not early.any():
            continue
        positions = np.flatnonzero(early)
        shown = positions[:20]
        examples = (parsed[name].iloc[shown].dt.strftime("%d/%m/%Y %H:%M") + f", {first} "
                    + parsed[first].iloc[shown].dt.strftime("%d/%m/%Y %H:%M"))
        problems.append(_problem_at(ds, source, name, positions, f"is dated on a day before {first}",
                                    examples, fatal=False, fix=fix))
    return problems


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


_GENERIC_WORDS = {"date", "time", "name", "type", "code", "the", "and", "of"}


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", _normalise_header(name)) if len(w) >= 4} - _GENERIC_WORDS


def _closest(targets: list[str], candidates: list[str]) -> str | None:
    """The candidate header most like any of the target names, if any is close enough: by difflib's
    ratio, or sharing a telling word ("Date Received" for received_at, "Call Reference" for call_id)."""
    best, score = None, 0.0
    target_words = set().union(*(_words(t) for t in targets))
    for candidate in candidates:
        shared = 0.65 if _words(candidate) & target_words else 0.0
        for target in targets:
            ratio = difflib.SequenceMatcher(None, _normalise_header(candidate), _normalise_header(target)).ratio()
            if max(ratio, shared) > score:
                best, score = candidate, max(ratio, shared)
    return best if score >= 0.6 else None


def _missing_columns(ds: str, source: SourceFile, missing: list[str], config: Config) -> Problem:
    """Required columns not found: the columns that are there, the closest match, the line to add."""
    layout = _layout(config, ds, source.key or ds)
    key = layout.key
    spec = config.datasets.get(key)
    configured = dict(spec.columns) if spec else {}
    headers = [h for h in source.all_headers if h]
    unused = [h for h in headers if h not in set(source.headers.values())]
    names = ", ".join(repr(m) for m in missing)
    message = f"required column{'s' if len(missing) > 1 else ''} {names} not found"
    if layout.format == "fixmystreet":
        expected = [k for k, v in FIXMYSTREET_COLUMNS.items() if v in missing]
        message += (f" (the file is read as a FixMyStreet export, whose "
                    f"{', '.join(repr(e) for e in expected)} column{'s' if len(expected) > 1 else ''} "
                    f"give{'s' if len(expected) == 1 else ''} {'them' if len(missing) > 1 else 'it'})")
    if headers:
        listed = ", ".join(headers[:COLUMNS_LISTED]) + (f" and {len(headers) - COLUMNS_LISTED} more"
                                                          if len(headers) > COLUMNS_LISTED else "")
        row = f" (row {source.header_row})" if source.header_row and source.header_row != 1 else ""
        message += f"\n  columns in the file{row}: {listed}"
    else:
        message += "\n  the file has no column names"
    lines = _toml_lines(config)
    place = _toml_place(lines, key)
    fixes, guessed, unplaced = [], set(), []
    separator = next((sep for sep in (";", "\t", "|") if len(headers) == 1 and sep in headers[0]), None)
    for column in ([] if separator else missing):
        old_names = [k for k, v in configured.items() if v == column]
        known = [k for k, v in FIXMYSTREET_COLUMNS.items() if v == column] if layout.format else []
        guess = _closest([column, column.replace("_", " "), *old_names, *known],
                         [h for h in unused if h not in guessed])
        if guess:
            guessed.add(guess)
        line = f'{_toml_string(guess or "Its name")} = "{column}"'
        if old_names:
            number = _toml_line_of(lines, key, old_names[0])
            text = (f'council.toml{f" line {number}" if number else ""} maps "{old_names[0]}" to {column}, but the '
                    f'file has no "{old_names[0]}" column (renamed in a system upgrade?). ')
            text += (f'If it is now "{guess}", change that line to:\n      {line}' if guess else
                     f"Change \"{old_names[0]}\" on that line to the column's new name.")
        elif guess:
            text = f'if "{guess}" holds {column}, add this line {place}:\n      {line}'
        else:
            unplaced.append(column)
            continue
        fixes.append(text)
    if unplaced:
        lines_to_add = "\n      ".join(f'"Its name" = "{c}"' for c in unplaced)
        fixes.append(f"if the file has {', '.join(unplaced)} under other names, add {place}:\n      {lines_to_add}")
    wanted = sorted(c.name for c in SCHEMAS[ds])
    for name, target in configured.items():
        if target not in layout.wanted:
            near = difflib.get_close_matches(target, wanted, n=1)
            fixes.append(f'council.toml maps "{name}" to "{target}", which is not a column of {ds}'
                         + (f' (did you mean "{near[0]}"?)' if near else f" (its columns: {', '.join(wanted)})"))
    if separator:
        fixes.append(f"the file seems to use {separator!r} between columns: save it again as CSV with commas "
                     "(CSV UTF-8 in Excel).")
    elif source.header_row is not None and not source.headers:
        fixes.append(f"if the column names are on a row further down, say which with header_row = N under "
                     f"[datasets.{key}] (N as the spreadsheet numbers it).")
    if len(source.sheets) > 1:
        others = ", ".join(f'"{s}"' for s in source.sheets if s != source.sheet)
        fixes.append(f'this is sheet "{source.sheet}"; if the data is on another sheet ({others}), '
                     f"name it with sheet = \"...\" under [datasets.{key}].")
    return Problem(ds, source.name, message, fix="\n  also: ".join(fixes))


def _schema(ds: str, config: Config, together: bool = True) -> pa.DataFrameSchema:
    columns = {}
    for col in SCHEMAS[ds]:
        checks = []
        if col.choices:
            checks.append(pa.Check.isin(col.choices, error=f"expected one of: {', '.join(col.choices)}"))
        if col.minimum is not None:
            checks.append(pa.Check.ge(col.minimum, error=f"expected a number of at least {col.minimum:g}"))
        if col.kind == "year":
            checks.append(pa.Check(lambda s: s.map(parse_year_label).notna(), element_wise=False,
                                   error="expected " + EXPECTED["year"]))
        if col.kind == "carried_from":
            checks.append(pa.Check.str_matches(r"^\d{4}/\d{2}:\S+$", error="expected " + EXPECTED["carried_from"]))
        if ds == "action_plan" and col.name == "theme" and config.themes:
            checks.append(pa.Check.isin(config.themes, error=(
                f"expected one of the themes in council.toml [action_plan] themes: {', '.join(config.themes)}")))
        if ds in ("contacts",) and col.name == "location" and config.in_person_locations:
            checks.append(pa.Check.isin(config.in_person_locations, error=(
                "expected one of the places in council.toml [locations] in_person: "
                + ", ".join(config.in_person_locations))))
        columns[col.name] = pa.Column(
            None, checks=checks, nullable=not col.required, unique=col.unique, required=False,
            description=col.kind)
    return pa.DataFrameSchema(columns, unique=(list(UNIQUE_TOGETHER.get(ds, ())) or None) if together else None,
                              report_duplicates="all")


def _validate(ds: str, frame: pd.DataFrame, source: SourceFile, config: Config, raw: pd.DataFrame) -> list[Problem]:
    # Columns unique together are checked only when all of them are there (a missing one is reported).
    together = set(UNIQUE_TOGETHER.get(ds, ())) <= set(frame.columns)
    try:
        _schema(ds, config, together).validate(frame, lazy=True)
    except SchemaErrors as err:
        cases = err.failure_cases
        # A value that was there but unreadable is already reported; don't call it empty too.
        empty = cases["check"].astype(str) == "not_nullable"
        drop = []
        for column, group in cases[empty].groupby("column"):
            if column in raw.columns:
                values = _as_text(raw[column]).iloc[group["index"].astype(int).to_numpy()]
                drop.extend(group.index[values.notna().to_numpy()])
        cases = cases.drop(drop)
        return _problems_from_pandera(ds, cases, source, raw, config)
    return []


def _check_fix(ds: str, column: str | None, check: str, config: Config | None) -> str:
    """How to fix what a pandera check found, in a sentence."""
    if check == "not_nullable":
        return "fill these cells in, or delete the rows if they are not real records."
    if check == "multiple_fields_uniqueness" and ds == "action_plan":
        return ("give each action its own ref within its plan year. A ref typed as a number loses its trailing "
                "zero in Excel (1.10 becomes 1.1): format the Ref column as Text and type the refs again.")
    if check == "multiple_fields_uniqueness" and ds == "commentary":
        return ("keep one row for each measure and year: put the officers' words into one of these rows and "
                "delete the other, or correct its measure_id or year if it is about another.")
    if check in ("field_uniqueness", "multiple_fields_uniqueness"):
        return ("delete the repeated rows (an export run twice, or two overlapping date ranges?), or give "
                "each record its own reference.")
    if check.startswith("expected one of the themes"):
        return ("correct the spelling (capitals and spaces do not matter), or add the theme to themes = [...] "
                "under [action_plan] in council.toml.")
    if check.startswith("expected one of the places"):
        return ("correct the spelling (capitals and spaces do not matter), or add the place to in_person = [...] "
                "under [locations] in council.toml.")
    if check.startswith("expected one of:"):
        if column == "channel":
            return ("change these to one of the channels listed; capitals, spaces and hyphens do not matter "
                    "('Online form' is online_form). A channel of your own must be given the nearest of "
                    "these in the export.")
        if column == "stage":
            return "write 1 or 2, the stage of the complaint."
        return "change these to one of the values listed (capitals, spaces and hyphens do not matter)."
    if check.startswith("expected a number of at least"):
        if column == "wait_seconds":
            return "a wait cannot be negative: correct these in the export (or remove test calls)."
        return "a negative number cannot be right here: correct these in the export."
    if check == "expected " + EXPECTED["year"]:
        return "write the year it starts, a slash and the last two digits of the next: 2023/24."
    if check == "expected " + EXPECTED["carried_from"]:
        return ("write the plan year and action_id of the action this one continues, e.g. 2022/23:4c, or "
                "leave the cell empty.")
    return ""


def _problems_from_pandera(ds: str, cases: pd.DataFrame, source: SourceFile, raw: pd.DataFrame,
                           config: Config | None = None) -> list[Problem]:
    problems = []
    cases = cases.copy()
    cases["column"] = cases["column"].astype("string").fillna("")
    together = cases["check"].astype(str) == "multiple_fields_uniqueness"
    cases.loc[together, "column"] = ""  # pandera lists each of the columns: one problem for them all
    for (column, check), group in cases.groupby(["column", "check"], sort=False, dropna=False):
        positions = pd.to_numeric(group["index"], errors="coerce").dropna().astype(int).sort_values().unique()
        check = str(check)
        fix = _check_fix(ds, column or None, check, config)
        if check == "not_nullable":
            message = "is empty where a value is required"
        elif check == "field_uniqueness":
            message = "has the same value more than once; each must be unique"
        elif check == "multiple_fields_uniqueness":
            together = " + ".join(UNIQUE_TOGETHER.get(ds, ()))
            column, message = None, f"has the same {together} more than once; each must be unique"
        else:
            message = check
        if check == "not_nullable":
            examples = ()
        elif column in raw.columns:  # what the user typed, not what it was parsed into
            examples = raw[column].iloc[positions[:20]].map(_show)
        elif check == "multiple_fields_uniqueness":
            examples = _joined(raw, UNIQUE_TOGETHER.get(ds, ()), positions[:20])
        else:
            examples = group["failure_case"].dropna().head(20).map(_show)
        problems.append(_problem_at(ds, source, column or None, positions, message, examples, fix=fix))
    return problems


def _joined(raw: pd.DataFrame, columns, positions) -> pd.Series:
    present = [c for c in columns if c in raw.columns]
    if not present:
        return pd.Series([], dtype=object)
    parts = [raw[c].iloc[positions].map(_show) for c in present]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + " + " + part
    return joined


def _show(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# --- datasets -------------------------------------------------------------------------------


# While set (by :func:`frames_kept_apart`), a pickled LoadedDataset leaves its frame in a file of
# its own in this folder, read back only when something asks for it.
_FRAMES_APART: contextvars.ContextVar[Path | None] = contextvars.ContextVar("frames_apart", default=None)


@contextlib.contextmanager
def frames_kept_apart(folder: Path):
    """Pickle datasets without their frames: each goes to ``folder/<name>.pickle``, loaded on first use.

    A notebook kernel that opens the prepared workbook then holds in memory only
    the datasets its page touches, not every contact and call of the council.
    """
    folder.mkdir(parents=True, exist_ok=True)
    token = _FRAMES_APART.set(folder)
    try:
        yield folder
    finally:
        _FRAMES_APART.reset(token)


@dataclass
class LoadedDataset:
    name: str
    frame: pd.DataFrame
    files: list[Path]
    ignored_columns: list[str]
    sources: list[SourceFile] = field(default_factory=list)  # each file's rows, in the frame's order
    columns_read: frozenset[str] = frozenset()  # the contract's columns some file of the dataset has

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        folder = _FRAMES_APART.get()
        if folder is not None and "frame" in state:
            path = folder / f"{self.name}.pickle"
            if not path.exists():
                with open(path, "wb") as handle:
                    pickle.dump(state["frame"], handle, protocol=pickle.HIGHEST_PROTOCOL)
            del state["frame"]
            state["_frame_file"] = path
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str):
        # Only called for an attribute not set: the frame of a dataset pickled apart, on first use.
        frame_file = self.__dict__.get("_frame_file")
        if name != "frame" or frame_file is None:
            raise AttributeError(name)
        with open(frame_file, "rb") as handle:
            self.__dict__["frame"] = pickle.load(handle)
        return self.__dict__["frame"]


@dataclass
class Datasets:
    """Every canonical dataset of one data folder, validated; ``None`` where a council has none."""

    config: Config
    loaded: dict[str, LoadedDataset] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def get(self, name: str) -> pd.DataFrame | None:
        item = self.loaded.get(name)
        return item.frame if item else None

    def recorded(self, name: str, column: str | None = None) -> bool:
        """Whether the council's exports record a dataset (or one of its columns) at all.

        A column no file has is filled with empty values so that the counting rules
        can run; a page must not read those as "none" (none carried forward, no
        group under-represented): it says the data is not recorded.
        """
        item = self.loaded.get(name)
        if item is None:
            return False
        return column is None or column in item.columns_read

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        if name in DATASET_NAMES:
            return self.get(name)
        raise AttributeError(name)

    def file_digests(self) -> list[tuple[str, str]]:
        """(file, SHA-256) of council.toml (it sets the standards, so the figures) and every file read, for a
        page's provenance footer."""
        toml = self.config.folder / "council.toml"
        digests = [("council.toml", _sha256(toml))] if toml.is_file() else []
        for item in self.loaded.values():
            for path in item.files:
                digests.append((str(path.relative_to(self.config.folder)) if path.is_relative_to(self.config.folder)
                                else str(path), _sha256(path)))
        return digests


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _value_map_warnings(config: Config, ds: str) -> list[Problem]:
    """A [datasets.KEY.values.COLUMN] section that can do nothing (a misspelt column, a date column) must not
    pass silently."""
    problems = []
    kinds = {c.name: c.kind for c in SCHEMAS[ds]}
    for key in [ds] + [extra for extra, (target, _) in EXTRA_SOURCES.items() if target == ds]:
        spec = config.datasets.get(key)
        for column in (spec.values if spec else {}):
            section = f"[datasets.{key}.values.{column}]"
            if column not in kinds:
                near = difflib.get_close_matches(column, list(kinds), n=1)
                problems.append(_problem(ds, "council.toml", (
                    f"{section} names {column!r}, which is not a column of {ds}: it maps nothing"), (
                    f'name the column as the contract does{f" (did you mean {near[0]!r}?)" if near else ""}.'),
                    fatal=False))
            elif kinds[column] in ("timestamp", "date", "number", "duration", "year", "carried_from"):
                problems.append(_problem(ds, "council.toml", (
                    f"{section} maps values of {column!r}, a column of {kinds[column]}s, which are read as such, "
                    "not through a values map: it maps nothing"), (
                    "remove it; see the data contract for the forms of dates, durations, years and carried_from "
                    "the workbook reads."), fatal=False))
    return problems


def load_dataset(config: Config, ds: str, measure_ids: KnownIds | None = None,
                 ) -> tuple[LoadedDataset | None, list[Problem]]:
    """Read, parse and validate one dataset from all its files.

    Returns the dataset (``None`` when absent or when any problem is fatal) and every
    problem found, warnings included. ``measure_ids``: the measures a dataset's measure_id may name
    (``NAMES_A_MEASURE``), checked with its other faults; not checked without it.
    """
    try:
        files, skipped = _dataset_files(config, ds)
    except DataError as err:
        return None, err.problems
    if not files:
        return None, skipped
    frames, problems, ignored, sources = [], list(skipped) + _value_map_warnings(config, ds), [], []
    for path, key in files:
        try:
            parts = _read_file(path, ds, config, key)
        except DataError as err:
            problems.extend(err.problems)
            continue
        for raw, source, left_out, skipped in parts:
            raw = raw.reset_index(drop=True)
            frame, found = _parse_file(ds, raw, source, config)
            found.extend(_validate(ds, frame, source, config, raw))
            if measure_ids is not None and ds in NAMES_A_MEASURE:
                found.extend(_unknown_measure_ids(ds, frame, source, list(measure_ids.ids),
                                                  measure_ids.register_unread))
            if len(frame) == 0 and not any(p.fatal for p in found):
                found.append(_problem(ds, source.name, (
                    f"has a header row but no data rows, so it adds no records to {ds}"), (
                    "nothing, if there were none; otherwise export it again (check the export's dates and "
                    "filters)."), fatal=False))
            problems.extend(skipped + found)
            frames.append(frame)
            sources.append(source)
            ignored.extend(c for c in left_out if c not in ignored)
    if len(frames) > 1:
        problems.extend(_duplicates_across_files(ds, frames, sources))
    if any(p.fatal for p in problems):
        return None, problems
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    columns_read = frozenset(c for f in frames for c in f.columns)
    for col in SCHEMAS[ds]:
        if col.name not in frame.columns:
            frame[col.name] = _empty_column(col, len(frame))
        elif col.category:
            frame[col.name] = frame[col.name].astype("category")
    if ds == "complaints":
        frame["stage"] = frame["stage"].astype("int64")
    frame = frame[[c.name for c in SCHEMAS[ds]]]
    files_read = list(dict.fromkeys(s.path for s in sources))
    return LoadedDataset(ds, frame, files_read, ignored, sources, columns_read), problems


def _empty_column(col: Col, length: int) -> pd.Series:
    if col.kind in ("timestamp", "date"):
        return pd.Series(pd.NaT, index=range(length), dtype="datetime64[ns]")
    if col.kind == "bool":
        return pd.Series(pd.NA, index=range(length), dtype="boolean")
    if col.kind == "number":
        return pd.Series(np.nan, index=range(length), dtype="float64")
    return pd.Series(pd.NA, index=range(length), dtype="string")


def _duplicates_across_files(ds: str, frames: list[pd.DataFrame], sources: list[SourceFile]) -> list[Problem]:
    keys = [c.name for c in SCHEMAS[ds] if c.unique] or []
    together = UNIQUE_TOGETHER.get(ds)
    problems = []
    for key in ([[k] for k in keys] + ([list(together)] if together else [])):
        having = [(i, f) for i, f in enumerate(frames) if set(key) <= set(f.columns)]  # a missing one is reported
        if len(having) < 2:
            continue
        combined = pd.concat([f[key].assign(_file=i, _row=np.arange(len(f))) for i, f in having], ignore_index=True)
        # Repeats within one file are that file's own problem (reported with it); here only a record whose
        # first appearance is in an earlier file.
        first_file = combined.groupby(key, sort=False, dropna=False)["_file"].transform("first")
        repeated = combined[combined.duplicated(key, keep="first") & (combined["_file"] != first_file)]
        for file_index, group in repeated.groupby("_file"):
            source = sources[int(file_index)]
            problems.append(_problem_at(ds, source, " + ".join(key), group["_row"].to_numpy(), (
                "repeats a value already in an earlier file of this dataset; each must be unique"),
                group[key[0]].astype(str).head(20), fix=(
                    "a record in two files would be counted twice: remove it from one of them (do the exports' "
                    "date ranges overlap? Is a Report It case both in the CRM export and in FixMyStreet's?)."),
                header="" if len(key) > 1 else None))
    return problems


def load_all(config: Config, names=DATASET_NAMES) -> Datasets:
    """Load every dataset; raise :class:`DataError` with all problems if any is fatal."""
    datasets, problems = check_all(config, names)
    if any(p.fatal for p in problems):
        raise DataError([p for p in problems if p.fatal], warnings=datasets.warnings)
    return datasets


def check_all(config: Config, names=DATASET_NAMES) -> tuple[Datasets, list[Problem]]:
    """Load what can be loaded and return every problem found, fatal or not.

    Warnings (``Problem.fatal`` false) are also added to ``Datasets.warnings`` as text,
    so a run shows them.
    """
    datasets = Datasets(config, warnings=list(config.warnings))
    problems: list[Problem] = []
    # The register and the manual figures first: the measure ids of the other datasets are checked against them.
    results = {ds: load_dataset(config, ds) for ds in REGISTERS if ds in names}
    read = {ds: results[ds][0].frame for ds in results if results[ds][0] is not None}
    unread = "measures" in results and "measures" not in read and bool(find_files(config, "measures"))
    known = KnownIds(tuple(known_measure_ids(read.get("measures"), read.get("manual_measures"))), unread)
    for ds in names:
        loaded, found = results[ds] if ds in results else load_dataset(config, ds, known)
        problems.extend(found)
        if loaded is not None:
            datasets.loaded[ds] = loaded
    problems.extend(_cross_checks(datasets))
    datasets.warnings.extend(str(p) for p in problems if not p.fatal)
    return datasets, problems


def _problems_in_files(ds: str, item: LoadedDataset, column: str, mask: np.ndarray, message: str,
                       examples: pd.Series, fix: str) -> list[Problem]:
    """One problem per file for the records of a loaded dataset picked by ``mask``, with each file's rows."""
    positions = np.flatnonzero(mask)
    sources = item.sources or [SourceFile(item.files[0], 2, "row", length=len(item.frame))]
    bounds = np.cumsum([0] + [s.length for s in sources])
    problems = []
    for i, source in enumerate(sources):
        local = positions[(positions >= bounds[i]) & (positions < bounds[i + 1])]
        if len(local):
            problems.append(_problem_at(ds, source, column, local - bounds[i], message,
                                        examples.reindex(local[:20]).dropna(), fix=fix))
    return problems


def _extensions_outside_the_code(datasets: Datasets) -> list[Problem]:
    """Warnings, with their rows, for an ``extended_to`` the Complaint Handling Code does not allow: before the
    stage's standard deadline (an extension cannot bring it forward), or later than 10 working days after it at
    stage 1, 20 at stage 2. Each is counted as the nearest deadline the Code allows (measures.complaint_deadlines)."""
    item = datasets.loaded.get("complaints")
    if item is None or not len(item.frame) or not datasets.recorded("complaints", "extended_to"):
        return []
    frame = item.frame
    deadlines = complaint_deadlines(frame, datasets.config, WorkingCalendar.for_council(datasets.config))
    limits = ", ".join(f"stage {s}: {n}" for s, n in CODE_EXTENSION_WORKING_DAYS.items())
    checks = (
        (deadlines.early, deadlines.standard, "standard deadline",
         "is before the stage's standard deadline, so it is not an extension: the standard deadline is counted",
         "correct the date in the export (was it typed wrongly?), or clear it if the deadline was not extended."),
        (deadlines.beyond, deadlines.latest, "latest the Code allows",
         f"is later than the Complaint Handling Code allows ({limits} working days after the standard deadline): "
         "the latest deadline the Code allows is counted",
         "correct the date in the export if it was typed wrongly. Until then the response is counted as within "
         "the extension only if it came by the latest deadline the Code allows."),
    )
    given = to_days(frame["extended_to"])
    problems = []
    for mask, other, other_words, message, fix in checks:
        if not mask.any():
            continue
        shown = np.flatnonzero(mask)[:20 * max(1, len(item.sources))]  # examples enough for each file

        def written(days: np.ndarray) -> np.ndarray:
            return pd.Series(days[shown]).dt.strftime("%d/%m/%Y").to_numpy(dtype=object)

        examples = pd.Series("stage " + frame["stage"].iloc[shown].astype(str).to_numpy(dtype=object)
                             + ": extended to " + written(given) + f", {other_words} " + written(other), index=shown)
        for problem in _problems_in_files("complaints", item, "extended_to", mask, message, examples, fix):
            problem.fatal = False  # a warning: counted as said above, the run goes on
            problems.append(problem)
    return problems


# --- measure ids named by other datasets (officers' commentary, the action plan's outcome measure) ----------

# Every measure the workbook computes from the exports (analysis/measures.py), so that a commentary or an action can
# name one before any figure is worked out. tests/test_commentary.py keeps it in step with what measures.py computes.
COMPUTED_MEASURES = (
    "actions_achieved", "actions_not_achieved", "actions_carried_forward",
    "contacts_received", "digital_share", "responses_within_standard", "acknowledgements_within_standard",
    "first_contact_resolution",
    "calls_answered_within_standard", "calls_abandoned", "calls_callback", "average_speed_of_answer",
    "complaints_received", "complaints_acknowledged_within_standard", "complaints_responded_within_standard",
    "complaints_upheld", "complaints_extended", "complaints_responded_within_extension", "complaints_not_accepted",
    "ombudsman_decisions", "ombudsman_upheld", "ombudsman_remedy_complied",
    "net_satisfaction", "survey_positive",
    "panel_members", "panel_representation", "panel_open_rate", "panel_completion_rate",
)
# The datasets with a measure_id naming a measure of the workbook (the register and the manual figures define them).
NAMES_A_MEASURE = ("commentary", "action_plan")
REGISTERS = ("measures", "manual_measures")


@dataclass(frozen=True)
class KnownIds:
    """The measure ids a dataset's measure_id may name, and whether the register could not be read (so that its
    own ids are not among them)."""

    ids: tuple[str, ...]
    register_unread: bool = False


def known_measure_ids(register: pd.DataFrame | None, manual: pd.DataFrame | None) -> list[str]:
    """The measure ids a commentary or an action may name: those computed here, the register's (``measures``)
    and the manual figures'."""
    known = list(COMPUTED_MEASURES)
    for frame in (register, manual):
        if frame is not None:
            known += [m for m in frame["measure_id"].dropna().astype(str).unique() if m not in known]
    return known


def _unknown_measure_ids(ds: str, frame: pd.DataFrame, source: SourceFile, known: list[str],
                         register_unread: bool) -> list[Problem]:
    """A measure_id in one file of the commentary or the action plan that is no measure of the workbook: one
    problem per distinct id (as for any unknown value), with its rows, the nearest known id and the council.toml
    line that maps it; without a near one, every known id. A blank measure_id in the action plan means none."""
    if "measure_id" not in frame or not len(frame):
        return []
    ids = frame["measure_id"].astype("string")
    unknown = (ids.notna() & ~ids.isin(known)).to_numpy()
    if not unknown.any():
        return []
    values = pd.unique(ids[unknown].astype(str))
    section = f"[datasets.{source.key or ds}.values.measure_id]"
    by_key = {_key(m): m for m in known}
    groups = [[v] for v in values[:DISTINCT_SHOWN]] + ([list(values[DISTINCT_SHOWN:])] if len(values) > DISTINCT_SHOWN
                                                       else [])
    problems = []
    for group in groups:
        positions = np.flatnonzero(ids.isin(group).to_numpy())
        if len(group) > 1:
            message = (f"has {len(group)} more measure ids that are not measures of the workbook: "
                       + ", ".join(repr(v) for v in group))
            fix = f"correct each as above, or map it under {section} in council.toml."
        else:
            value = group[0]
            near = by_key.get(_key(value)) or next(iter(difflib.get_close_matches(value, known, n=1, cutoff=0.6)), None)
            message = f"has {value!r}, which is not a measure the workbook computes nor one in the register of measures"
            if near:
                fix = (f"if it means {near}, correct it in the file, or add this line under {section} in "
                       f"council.toml (start that heading if it is not there):\n      "
                       f"{_toml_string(value)} = {_toml_string(near)}")
            else:
                fix = (f"use one of the workbook's measure ids: {', '.join(known)}; a measure of your own needs a "
                       "row in the register of measures (measures.csv) first.")
        if register_unread:
            fix += "\n  (the register of measures could not be read, so its ids are not known yet: fix it first.)"
        if ds == "action_plan":
            fix += "\n  Leave the cell empty for an action that is not meant to move one measure."
        problems.append(_problem_at(ds, source, "measure_id", positions, message, ids.iloc[positions[:20]], fix=fix))
    return problems


def _cross_checks(datasets: Datasets) -> list[Problem]:
    """Checks that need config or another dataset: survey answers on the question's scale, complaint
    extensions within the Code."""
    problems = _extensions_outside_the_code(datasets)
    item = datasets.loaded.get("survey")
    questions = datasets.config.survey_questions
    if item is not None and len(item.frame):
        survey = item.frame
        question = survey["question_id"].astype(str)
        known_question = question.isin(list(questions)).to_numpy()
        unknown = sorted(set(question[~known_question]))
        if unknown:
            problems.extend(_problems_in_files("survey", item, "question_id", ~known_question, (
                f"question_id {', '.join(repr(q) for q in unknown[:5])} is not described in council.toml"),
                pd.Series(question.to_numpy(), index=np.arange(len(survey))), (
                    f"add [survey.questions.{unknown[0]}] to council.toml with its text, scale and positive "
                    "answers (see data/sample/council.toml), or correct the question_id.")))
        allowed = pd.Series(
            [(q, a) for q, spec in questions.items() for a in spec.scale], dtype=object)
        pairs = pd.MultiIndex.from_arrays([question, survey["answer"].astype(str)])
        off_scale = known_question & ~pairs.isin(list(allowed))
        if off_scale.any():
            where = np.flatnonzero(off_scale)[:20 * max(1, len(item.sources))]
            shown = (question.iloc[where] + ": " + survey["answer"].astype(str).iloc[where])
            problems.extend(_problems_in_files("survey", item, "answer", off_scale, (
                "has answers that are not on the question's scale in council.toml"),
                pd.Series(shown.to_numpy(), index=where), (
                    "correct the answer, or add it to the question's scale = [...] in council.toml "
                    "(answers must match exactly).")))
    return problems
