"""Stage 4 of the loader, validating one file and wording what is wrong.

Missing required columns (with the file's own columns, the closest header and the
council.toml line to add); the pandera schema of each dataset (empty required values,
values outside a set, repeated keys) and its failure cases turned into Problems with the
rows the user sees and a fix in a sentence. Hands Problems to :mod:`analysis.loader.load`.
"""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from analysis.config import Config, parse_year_label
from analysis.loader.fixmystreet import FIXMYSTREET_COLUMNS
from analysis.loader.layout import _layout
from analysis.loader.parse import _as_text
from analysis.loader.problems import (
    Problem,
    SourceFile,
    _problem_at,
    _toml_line_of,
    _toml_lines,
    _toml_place,
    _toml_string,
)
from analysis.loader.schema import COLUMNS_LISTED, EXPECTED, SCHEMAS, UNIQUE_TOGETHER, _normalise_header


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


def _schema(ds: str, config: Config, together: bool = True, unique: bool = True) -> pa.DataFrameSchema:
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
            None, checks=checks, nullable=not col.required, unique=col.unique and unique, required=False,
            description=col.kind)
    return pa.DataFrameSchema(columns, unique=(list(UNIQUE_TOGETHER.get(ds, ())) or None) if together and unique
                              else None,
                              report_duplicates="all")


def _validate(ds: str, frame: pd.DataFrame, source: SourceFile, config: Config, raw: pd.DataFrame,
              unique: bool = True) -> list[Problem]:
    """Every value checked against the contract. ``unique`` false: a chunk of a large file, whose repeated keys
    are looked for over the whole file once it is stored (:func:`repeats_in_file`)."""
    # Columns unique together are checked only when all of them are there (a missing one is reported).
    together = set(UNIQUE_TOGETHER.get(ds, ())) <= set(frame.columns)
    try:
        _schema(ds, config, together, unique).validate(frame, lazy=True)
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
        cases = _real_repeats(ds, cases, frame, raw)
        return _problems_from_pandera(ds, cases, source, raw, config)
    return []


def _real_repeats(ds: str, cases: pd.DataFrame, frame: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """Pandera's failure cases without the repeats that are not real: a key value that was typed but could not
    be read ('Stage 1 - Investigation' before council.toml maps it) is already reported as such, and is missing
    in the frame, so two different records would look like the same complaint_id + <missing>. Each uniqueness
    check is worked out again over the rows whose key columns have no such value problem; the others are
    checked once their values are fixed."""
    checks = cases["check"].astype(str)
    keys = []
    if (checks == "multiple_fields_uniqueness").any():
        keys.append(("multiple_fields_uniqueness", list(UNIQUE_TOGETHER.get(ds, ()))))
    single = checks == "field_uniqueness"
    keys += [("field_uniqueness", [c]) for c in cases.loc[single, "column"].dropna().astype(str).unique()]
    position = pd.to_numeric(cases["index"], errors="coerce")
    known = (position.notna() & position.between(0, len(frame) - 1)).to_numpy(dtype=bool)
    drop = np.zeros(len(cases), dtype=bool)
    for check, columns in keys:
        if not columns or not set(columns) <= set(frame.columns):
            continue
        unread = np.zeros(len(frame), dtype=bool)
        for name in columns:
            if name in raw.columns:
                unread |= (frame[name].isna() & _as_text(raw[name]).notna()).to_numpy(dtype=bool)
        if not unread.any():
            continue
        repeated = np.zeros(len(frame), dtype=bool)
        repeated[~unread] = frame.loc[~unread, columns].duplicated(keep=False).to_numpy(dtype=bool)
        mine = (checks == check).to_numpy(dtype=bool)
        if check == "field_uniqueness":
            mine &= (cases["column"].astype(str) == columns[0]).to_numpy(dtype=bool)
        real = np.ones(len(cases), dtype=bool)
        real[known] = repeated[position[known].astype(int).to_numpy()]
        drop |= mine & ~real
    return cases[~drop]


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
        if check == "not_nullable":  # a row that is not a record (a note, a cancelled case) may be left out
            fix = (fix[:-1] + f"; or, to leave out rows that are not records, list a value that marks them under "
                   f'[datasets.{source.key or ds}.skip] in council.toml, e.g. "Status" = ["Cancelled"].')
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


def unique_keys(ds: str, columns) -> list[list[str]]:
    """The keys each record of ``ds`` must not share with another (one column, or columns together), of those
    ``columns`` has in full."""
    keys = [[c.name] for c in SCHEMAS[ds] if c.unique and c.name in columns]
    together = list(UNIQUE_TOGETHER.get(ds, ()))
    return keys + ([together] if together and set(together) <= set(columns) else [])


def repeats_in_file(ds: str, source: SourceFile, key: list[str], positions: np.ndarray, values: pd.Series,
                    config: Config | None = None) -> list[Problem]:
    """The problem pandera's uniqueness check gives, for a large file checked a chunk at a time: the positions
    (in the whole file) of every record whose ``key`` another record of the file has, and their values."""
    if not len(positions):
        return []
    check = "field_uniqueness" if len(key) == 1 else "multiple_fields_uniqueness"
    if len(key) == 1:
        message = "has the same value more than once; each must be unique"
    else:
        message = f"has the same {' + '.join(key)} more than once; each must be unique"
    return [_problem_at(ds, source, key[0] if len(key) == 1 else None, positions, message,
                        values.head(20).map(_show), fix=_check_fix(ds, key[0] if len(key) == 1 else None, check,
                                                                   config))]
