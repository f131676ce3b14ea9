"""Load the canonical datasets of a data folder: read -> rename -> parse -> validate.

Each dataset may be CSV, Excel or Parquet, found by its default name or by the
paths and globs in ``council.toml``. Only the contract's columns are ever read
(after the council's renames), so names, email addresses and customers' own
words never enter the workbook. Every problem of every file is collected and
reported together, with the row numbers the user sees in the file.
"""

from __future__ import annotations

import glob as globlib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from analysis.config import CANONICAL_CHANNELS, DATASET_NAMES, Config, parse_year_label
from analysis.errors import DataError

SUFFIXES = (".csv", ".xlsx", ".parquet")
EXAMPLES_SHOWN = 3
ROWS_SHOWN = 5
OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "withdrawn", "open")
RATINGS = ("good", "average", "poor")
UNITS = ("percent", "count", "seconds", "days", "score", "ratio")
POLARITIES = ("higher_is_better", "lower_is_better", "neutral")
DIMENSIONS = ("age_band", "sex", "ward")


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
        Col("answered", "bool", True),
        Col("wait_seconds", "number", True, minimum=0),
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
    ),
    "feedback": (
        Col("feedback_id", "text", True, unique=True),
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
}
# Several columns together must be unique.
UNIQUE_TOGETHER = {
    "action_plan": ("plan_year", "action_id"),
    "complaints": ("complaint_id", "stage"),
    "panel_invitations": ("consultation_id", "member_id"),
    "population": ("dimension", "category"),
    "manual_measures": ("measure_id", "year"),
}
assert set(SCHEMAS) == set(DATASET_NAMES)

EXPECTED = {
    "timestamp": "a date and time such as 2023-04-03 14:05, 03/04/2023 14:05 or an Excel date",
    "date": "a date such as 2023-04-03, 03/04/2023 or an Excel date",
    "bool": "true/false, yes/no, y/n or 1/0",
    "number": "a number",
    "year": "a financial year written like 2023/24",
    "carried_from": "the earlier action as YEAR:ID, e.g. 2022/23:4c",
}
TRUE_WORDS = {"true", "yes", "y", "1", "1.0", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "0.0", "f"}


# --- problems -------------------------------------------------------------------------------


@dataclass
class Problem:
    """One thing wrong in one column of one file, with where to look."""

    dataset: str
    file: str
    message: str
    column: str | None = None
    rows: tuple[int, ...] = ()
    count: int = 0
    examples: tuple[str, ...] = ()
    row_word: str = "row"
    fatal: bool = True

    def __str__(self) -> str:
        where = f"{self.file} ({self.dataset})"
        if self.column:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:ROWS_SHOWN])
            more = f" and {self.count - ROWS_SHOWN:,} more" if self.count > ROWS_SHOWN else ""
            plural = "s" if self.count > 1 else ""
            text += f"\n  {self.count:,} {self.row_word}{plural}: {self.row_word}{plural} {shown}{more}"
        if self.examples:
            text += "\n  found: " + ", ".join(repr(e) for e in self.examples[:EXAMPLES_SHOWN])
        return text


@dataclass
class SourceFile:
    path: Path
    first_row: int  # the row number the user sees for the first record
    row_word: str   # "row" in a spreadsheet or CSV, "record" in Parquet

    @property
    def name(self) -> str:
        return self.path.name


def _problem_at(ds: str, source: SourceFile, column: str | None, positions, message: str,
                examples=(), fatal: bool = True) -> Problem:
    positions = np.asarray(positions)
    rows = tuple(int(p) + source.first_row for p in positions[:ROWS_SHOWN])
    examples = tuple(dict.fromkeys(str(e) for e in examples))[:EXAMPLES_SHOWN]
    return Problem(ds, source.name, message, column, rows, len(positions), examples, source.row_word, fatal)


# --- finding and reading files --------------------------------------------------------------


def _normalise_header(name: object) -> str:
    return re.sub(r"\s+", " ", str(name)).strip().casefold()


def find_files(config: Config, dataset: str) -> list[Path]:
    """The files that make up a dataset (empty when the council does not have it)."""
    source = config.datasets.get(dataset)
    folder = config.folder
    if source and source.path:
        found: list[Path] = []
        for pattern in source.path:
            full = pattern if Path(pattern).is_absolute() else str(folder / pattern)
            matches = sorted(Path(p) for p in globlib.glob(full))
            if not matches:
                raise DataError([Problem(dataset, pattern, (
                    f"council.toml names this file for {dataset} ([datasets.{dataset}] path), "
                    f"but nothing in {folder} matches it. Check the name, or remove the line if "
                    "the council does not have this data."))])
            found.extend(matches)
        return list(dict.fromkeys(found))
    candidates = [folder / f"{dataset}{suffix}" for suffix in SUFFIXES]
    present = [p for p in candidates if p.is_file()]
    if len(present) > 1:
        raise DataError([Problem(dataset, ", ".join(p.name for p in present), (
            "more than one file could be this dataset; keep one, or name it in council.toml "
            f"under [datasets.{dataset}] path = \"...\""))])
    return present


def _column_map(headers, dataset: str, config: Config) -> dict[object, str]:
    """Export header -> canonical column, for the headers the contract wants; others are ignored."""
    canonical = {c.name for c in SCHEMAS[dataset]}
    source = config.datasets.get(dataset)
    renames = {_normalise_header(k): v for k, v in (source.columns if source else {}).items()}
    mapping: dict[object, str] = {}
    for header in headers:
        key = _normalise_header(header)
        target = renames.get(key) or (key if key in canonical else None)
        if target in canonical and target not in mapping.values():
            mapping[header] = target
    return mapping


def _read_file(path: Path, dataset: str, config: Config) -> tuple[pd.DataFrame, SourceFile, list[str]]:
    """Read the wanted columns of one file as raw values; return the frame, where it came from,
    and the names of the columns left unread."""
    suffix = path.suffix.lower()
    source = config.datasets.get(dataset)
    try:
        if suffix == ".csv":
            headers = _csv_headers(path)
            mapping = _column_map(headers, dataset, config)
            frame = pd.read_csv(path, usecols=list(mapping), dtype=str, keep_default_na=False,
                                na_values=[""], encoding=_csv_encoding(path))
            located = SourceFile(path, 2, "row")
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            headers = pq.read_schema(path).names
            mapping = _column_map(headers, dataset, config)
            frame = pd.read_parquet(path, columns=list(mapping))
            located = SourceFile(path, 1, "record")
        elif suffix in (".xlsx", ".xlsm"):
            sheet = source.sheet if source and source.sheet is not None else 0
            headers = pd.read_excel(path, sheet_name=sheet, nrows=0, engine="openpyxl").columns
            mapping = _column_map(headers, dataset, config)
            frame = pd.read_excel(path, sheet_name=sheet, usecols=lambda h: h in mapping,
                                  dtype=object, engine="openpyxl")
            located = SourceFile(path, 2, "row")
        else:
            raise DataError([Problem(dataset, path.name, (
                f"is a {suffix or 'file without an extension'}; the workbook reads .csv, .xlsx and .parquet"))])
    except DataError:
        raise
    except (ValueError, OSError, KeyError, ImportError, pd.errors.ParserError) as exc:
        raise DataError([Problem(dataset, path.name, f"could not be read: {exc}")]) from None
    ignored = [str(h) for h in headers if h not in mapping]
    return frame.rename(columns=mapping), located, ignored


def _csv_encoding(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        # A cut multi-byte character at the end of the sample is still UTF-8.
        return "utf-8-sig" if exc.start >= len(head) - 3 else "cp1252"


def _csv_headers(path: Path) -> list[str]:
    try:
        return list(pd.read_csv(path, nrows=0, encoding=_csv_encoding(path)).columns)
    except pd.errors.EmptyDataError:
        return []


# --- parsing raw values ---------------------------------------------------------------------


def _as_text(raw: pd.Series) -> pd.Series:
    text = raw.astype("string").str.strip()
    return text.mask(text == "")


_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


def parse_timestamps(raw: pd.Series) -> pd.Series:
    """Values -> naive UK local timestamps (NaT where empty or unreadable).

    Accepts ISO 8601 (with or without a time, with or without an offset, which
    is converted to UK local time), DD/MM/YYYY with an optional time, Excel
    dates read by openpyxl, and Parquet timestamps with or without a zone.
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
        result[plain] = pd.to_datetime(text[plain], format="ISO8601", errors="coerce")
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
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


def _choice_key(text: pd.Series) -> pd.Series:
    """'Online form' / 'ONLINE-FORM ' -> 'online_form', so exports' spellings still match."""
    return text.str.lower().str.replace(r"[\s\-]+", "_", regex=True)


# --- one file -------------------------------------------------------------------------------


def _parse_file(ds: str, frame: pd.DataFrame, source: SourceFile, config: Config) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    specs = SCHEMAS[ds]
    missing = [c.name for c in specs if c.required and c.name not in frame.columns]
    if missing:
        hint = (f'If your export calls it something else, map it in council.toml: [datasets.{ds}] '
                f'columns = {{ "Your column" = "{missing[0]}" }}')
        problems.append(Problem(ds, source.name, (
            f"required column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
            f"not found. {hint}")))
        return frame, problems

    parsed = {}
    for col in specs:
        if col.name not in frame.columns:
            continue
        raw = frame[col.name]
        if col.kind in ("timestamp", "date"):
            values = parse_timestamps(raw) if col.kind == "timestamp" else parse_dates(raw)
        elif col.kind == "bool":
            values = parse_booleans(raw)
        elif col.kind == "number":
            values = parse_numbers(raw)
        elif col.kind == "choice":
            text = _as_text(raw)
            values = _choice_key(text).where(text.notna()) if ds != "complaints" else text.str.removesuffix(".0")
        elif col.kind == "label":
            text = _as_text(raw)
            values = text.str.lower().map(config.status_labels).astype("string")
            unknown = text.notna() & values.isna()
            if unknown.any():
                labels = sorted(set(config.status_labels))
                problems.append(_problem_at(ds, source, col.name, np.flatnonzero(unknown), (
                    f"has status labels that council.toml does not map. Known labels: {', '.join(labels)}. "
                    "Add the label under [action_plan.status_labels]"), text[unknown].head(20)))
        else:
            values = _as_text(raw)
        if col.kind in EXPECTED:
            unreadable = raw.notna() & _as_text(raw).notna() & values.isna()
            if unreadable.any():
                problems.append(_problem_at(ds, source, col.name, np.flatnonzero(unreadable),
                                            f"expected {EXPECTED[col.kind]}", raw[unreadable].head(20)))
        parsed[col.name] = values
    return pd.DataFrame(parsed, index=frame.index), problems


def _schema(ds: str, config: Config) -> pa.DataFrameSchema:
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
                "expected one of the themes in council.toml [action_plan] themes")))
        if ds in ("contacts",) and col.name == "location" and config.in_person_locations:
            checks.append(pa.Check.isin(config.in_person_locations, error=(
                "expected one of the places in council.toml [locations] in_person")))
        columns[col.name] = pa.Column(
            None, checks=checks, nullable=not col.required, unique=col.unique, required=False,
            description=col.kind)
    return pa.DataFrameSchema(columns, unique=list(UNIQUE_TOGETHER.get(ds, ())) or None,
                              report_duplicates="all")


def _validate(ds: str, frame: pd.DataFrame, source: SourceFile, config: Config, raw: pd.DataFrame) -> list[Problem]:
    try:
        _schema(ds, config).validate(frame, lazy=True)
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
        return _problems_from_pandera(ds, cases, source, raw)
    return []


def _problems_from_pandera(ds: str, cases: pd.DataFrame, source: SourceFile, raw: pd.DataFrame) -> list[Problem]:
    problems = []
    cases = cases.copy()
    cases["column"] = cases["column"].astype("string").fillna("")
    for (column, check), group in cases.groupby(["column", "check"], sort=False, dropna=False):
        positions = pd.to_numeric(group["index"], errors="coerce").dropna().astype(int).sort_values().unique()
        check = str(check)
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
        else:
            examples = group["failure_case"].dropna().head(20).map(_show)
        problems.append(_problem_at(ds, source, column or None, positions, message, examples))
    return problems


def _show(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# --- datasets -------------------------------------------------------------------------------


@dataclass
class LoadedDataset:
    name: str
    frame: pd.DataFrame
    files: list[Path]
    ignored_columns: list[str]


@dataclass
class Datasets:
    """Every canonical dataset of one data folder, validated; ``None`` where a council has none."""

    config: Config
    loaded: dict[str, LoadedDataset] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def get(self, name: str) -> pd.DataFrame | None:
        item = self.loaded.get(name)
        return item.frame if item else None

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        if name in DATASET_NAMES:
            return self.get(name)
        raise AttributeError(name)

    def file_digests(self) -> list[tuple[str, str]]:
        """(file, SHA-256) of every file read, for a page's provenance footer."""
        digests = []
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


def load_dataset(config: Config, ds: str) -> tuple[LoadedDataset | None, list[Problem]]:
    """Read, parse and validate one dataset from all its files."""
    try:
        files = find_files(config, ds)
    except DataError as err:
        return None, err.problems
    if not files:
        return None, []
    frames, problems, ignored, sources = [], [], [], []
    for path in files:
        try:
            raw, source, left_out = _read_file(path, ds, config)
        except DataError as err:
            problems.extend(err.problems)
            continue
        if raw.empty and len(raw.columns) == 0:
            problems.append(Problem(ds, path.name, "is empty: it has no header row and no data"))
            continue
        frame, found = _parse_file(ds, raw.reset_index(drop=True), source, config)
        problems.extend(found)
        if not any(p.column is None for p in found):
            problems.extend(_validate(ds, frame, source, config, raw))
        frames.append(frame)
        sources.append(source)
        ignored.extend(c for c in left_out if c not in ignored)
    if problems:
        return None, problems
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(frames) > 1:
        problems.extend(_duplicates_across_files(ds, frames, sources))
        if problems:
            return None, problems
    for col in SCHEMAS[ds]:
        if col.name not in frame.columns:
            frame[col.name] = _empty_column(col, len(frame))
        elif col.category:
            frame[col.name] = frame[col.name].astype("category")
    if ds == "complaints":
        frame["stage"] = frame["stage"].astype("int64")
    frame = frame[[c.name for c in SCHEMAS[ds]]]
    return LoadedDataset(ds, frame, files, ignored), []


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
        combined = pd.concat([f[key].assign(_file=i, _row=np.arange(len(f))) for i, f in enumerate(frames)],
                             ignore_index=True)
        repeated = combined[combined.duplicated(key, keep="first")]
        for file_index, group in repeated.groupby("_file"):
            source = sources[int(file_index)]
            problems.append(_problem_at(ds, source, " + ".join(key), group["_row"].to_numpy(), (
                "repeats a value already in an earlier file of this dataset; each must be unique"),
                group[key[0]].astype(str).head(20)))
    return problems


def load_all(config: Config, names=DATASET_NAMES) -> Datasets:
    """Load every dataset; raise :class:`DataError` with all problems if any is fatal."""
    datasets, problems = check_all(config, names)
    if any(p.fatal for p in problems):
        raise DataError([p for p in problems if p.fatal], warnings=datasets.warnings)
    return datasets


def check_all(config: Config, names=DATASET_NAMES) -> tuple[Datasets, list[Problem]]:
    """Load what can be loaded and return every problem found, fatal or not."""
    datasets = Datasets(config, warnings=list(config.warnings))
    problems: list[Problem] = []
    for ds in names:
        loaded, found = load_dataset(config, ds)
        problems.extend(found)
        if loaded is not None:
            datasets.loaded[ds] = loaded
    problems.extend(_cross_checks(datasets))
    return datasets, problems


def _cross_checks(datasets: Datasets) -> list[Problem]:
    """Checks that need config or another dataset: survey answers on the question's scale."""
    problems = []
    survey = datasets.get("survey")
    questions = datasets.config.survey_questions
    if survey is not None:
        file = ", ".join(p.name for p in datasets.loaded["survey"].files)
        unknown = sorted(set(survey["question_id"].astype(str)) - set(questions))
        if unknown:
            problems.append(Problem("survey", file, (
                f"question_id {', '.join(repr(q) for q in unknown[:5])} is not described in council.toml. "
                f'Add [survey.questions.{unknown[0]}] with its text, scale and positive answers'), "question_id"))
        allowed = pd.Series(
            [(q, a) for q, spec in questions.items() for a in spec.scale], dtype=object)
        pairs = pd.MultiIndex.from_arrays([survey["question_id"].astype(str), survey["answer"].astype(str)])
        known_question = survey["question_id"].astype(str).isin(list(questions)).to_numpy()
        off_scale = known_question & ~pairs.isin(list(allowed))
        if off_scale.any():
            bad = survey.loc[off_scale]
            examples = (bad["question_id"].astype(str) + ": " + bad["answer"].astype(str)).head(20)
            problems.append(Problem("survey", file, (
                "has answers that are not on the question's scale in council.toml"), "answer",
                tuple(int(i) + 2 for i in np.flatnonzero(off_scale)[:ROWS_SHOWN]), int(off_scale.sum()),
                tuple(dict.fromkeys(examples))[:EXAMPLES_SHOWN]))
    return problems
