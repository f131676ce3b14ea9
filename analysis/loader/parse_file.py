"""Stage 3 of the loader, one file's raw frame -> typed columns, with a problem for each column
that has values it cannot read, for required columns that are missing, for calls without
an outcome, and warnings for dates out of order and months typed as dates.

Hands the typed frame on to :mod:`analysis.loader.validate`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.config import Config, year_label_text
from analysis.loader.fixmystreet import CLOSED, responded_at_from_closed
from analysis.loader.parse import (
    _as_text,
    _per_distinct,
    _present,
    _unreadable_fix,
    carried_from_text,
    parse_booleans,
    parse_dates,
    parse_durations,
    parse_months,
    parse_numbers,
    parse_quarters,
    parse_timestamps,
)
from analysis.loader.problems import Problem, SourceFile, _problem_at
from analysis.loader.schema import DATE_ORDER, EXPECTED, REQUIRED_ONE_OF, SCHEMAS, Col
from analysis.loader.validate import _missing_columns
from analysis.loader.value_sets import _mapped_values


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
            # Reported above, once per distinct value, or mapped to no value ("N/A" = ""): not unreadable either way.
            text = text.where(mapped.notna() | text.isna())
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
        problems.extend(responded_at_from_closed(ds, frame, parsed, source))

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


# Optional date columns officers fill by hand: words here mean "no date", said as a warning.
WORDS_AS_NO_DATE = {("action_plan", "due")}


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
        written = loose[read].head(20).dt.strftime("%d/%m/%Y")
        shown = typed[read].head(20) + " read as " + written.values
        # The example is the first one's own last day ('March 2024' -> 31/03/2024), not a date of another year.
        problems.append(_problem_at(ds, source, col.name, positions, (
            "has a month or quarter where a date is expected: read as its last day"), shown, fatal=False, fix=(
            f"nothing, if the last day is meant; otherwise type the date in full ({written.iloc[0]}).")))
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
