"""Stage 3 of the loader, parsing single values: text, timestamps and dates, booleans, numbers,
waits, months and quarters typed as dates, and carried-from references.

Pure functions from a raw Series to a typed one, missing where a value cannot be read;
the public ``parse_*`` are tested on their own. Worked out once per distinct value where
there are few, so millions of rows cost little. Used by :mod:`analysis.loader.parse_file`.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from analysis.config import parse_year_label, year_label_text
from analysis.loader.schema import FALSE_WORDS, TRUE_WORDS, Col


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
