"""Financial years and working days: the clock every customer care standard is measured by.

Working days are Monday to Friday less the bank holidays of the council's
nation (from the ``holidays`` package, so one-off days such as the State
Funeral on 19 September 2022 and the Coronation on 8 May 2023 are included)
and the council's own closure days. All functions take whole arrays: numpy's
business-day functions do the counting in C, never a per-row loop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import holidays
import numpy as np
import pandas as pd

from analysis.config import BANK_HOLIDAY_REGIONS, Config, parse_year_label

_NAT_DAY = np.datetime64("NaT", "D")


# --- financial years ------------------------------------------------------------------------


def year_label(start_year: int) -> str:
    """2023 -> '2023/24'."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def next_year(label: str) -> str:
    """'2023/24' -> '2024/25'."""
    start = year_start(label) + 1
    return year_label(start)


def year_folder(label: str) -> str:
    """'2023/24' -> '2023-24', the name of that year's output folder."""
    return label.replace("/", "-")


def year_start(label: str) -> int:
    """'2023/24' -> 2023; ValueError with a plain message otherwise."""
    start = parse_year_label(label)
    if start is None:
        raise ValueError(f'"{label}" is not a financial year: write it like 2023/24')
    return start


def year_bounds(label: str, start_month: int = 4) -> tuple[dt.date, dt.date]:
    """First and last day of a financial year: '2023/24' -> 1 April 2023, 31 March 2024."""
    start = year_start(label)
    first = dt.date(start, start_month, 1)
    last = dt.date(start + 1, start_month, 1) - dt.timedelta(days=1)
    return first, last


def financial_year_start(timestamps, start_month: int = 4) -> np.ndarray:
    """Start year of the financial year each timestamp falls in (float, NaN for missing)."""
    stamps = pd.DatetimeIndex(pd.to_datetime(timestamps))
    years = stamps.year.to_numpy(dtype="float64")
    before_start = stamps.month.to_numpy() < start_month
    return np.where(before_start, years - 1, years)


def financial_years(timestamps, start_month: int = 4) -> list[str]:
    """The year labels the timestamps fall in, once each, in order (missing ones left out)."""
    starts = financial_year_start(timestamps, start_month)
    return [year_label(int(s)) for s in np.unique(starts[~np.isnan(starts)])]


def in_financial_year(timestamps, label: str, start_month: int = 4) -> np.ndarray:
    """True for each timestamp within the financial year ``label`` (compared as dates, not as labels)."""
    first, last = year_bounds(label, start_month)
    days = to_days(timestamps)
    return (days >= np.datetime64(first, "D")) & (days <= np.datetime64(last, "D"))


def financial_year(timestamps, start_month: int = 4) -> pd.Series:
    """The year label ('2023/24') of each timestamp, as a category (a few labels over millions of records);
    missing stays missing."""
    index = timestamps.index if isinstance(timestamps, pd.Series) else None
    return year_labels(financial_year_start(timestamps, start_month), index)


def year_labels(starts, index=None) -> pd.Series:
    """Financial years' start years (float, NaN for missing) -> their labels ('2023/24'), as a category."""
    starts = np.asarray(starts, dtype="float64")
    known = ~np.isnan(starts)
    firsts = np.unique(starts[known]).astype(int)
    codes = np.full(len(starts), -1, dtype="int64")
    codes[known] = np.searchsorted(firsts, starts[known].astype(int))
    labels = pd.Categorical.from_codes(codes, categories=[year_label(int(f)) for f in firsts])
    return pd.Series(labels, index=index)


# --- working days ---------------------------------------------------------------------------


def to_days(timestamps) -> np.ndarray:
    """Timestamps (any array-like) -> numpy datetime64[D], the calendar day of each."""
    values = pd.to_datetime(pd.Series(timestamps) if not isinstance(timestamps, pd.Series) else timestamps)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        # The UK calendar day, not the UTC one: 00:30 BST on 1 April is 1 April.
        values = values.dt.tz_convert("Europe/London").dt.tz_localize(None)
    return values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


@dataclass(frozen=True)
class WorkingCalendar:
    """Monday to Friday less the given non-working dates."""

    non_working_days: tuple[dt.date, ...]

    @classmethod
    def for_council(cls, config: Config, first_year: int = 2000, last_year: int = 2040) -> WorkingCalendar:
        region = BANK_HOLIDAY_REGIONS[config.bank_holidays]
        bank = holidays.country_holidays("GB", subdiv=region, years=range(first_year, last_year + 1))
        return cls(tuple(sorted(set(bank) | set(config.closure_days))))

    @property
    def busdaycal(self) -> np.busdaycalendar:
        return _busdaycal(self.non_working_days)

    def is_working_day(self, days) -> np.ndarray:
        days = np.asarray(days, dtype="datetime64[D]")
        ok = ~np.isnat(days)
        result = np.zeros(days.shape, dtype=bool)
        result[ok] = np.is_busday(days[ok], busdaycal=self.busdaycal)
        return result

    def working_days_between(self, start_days, end_days) -> np.ndarray:
        """Working days from start (day 0) to end; float with NaN where either is missing.

        A start on a non-working day counts from the next working day, so an
        email on Saturday answered on Monday took 0 working days.
        """
        start = np.asarray(start_days, dtype="datetime64[D]")
        end = np.asarray(end_days, dtype="datetime64[D]")
        ok = ~(np.isnat(start) | np.isnat(end))
        result = np.full(start.shape, np.nan)
        result[ok] = np.busday_count(start[ok], end[ok], busdaycal=self.busdaycal)
        return result

    def add_working_days(self, start_days, n) -> np.ndarray:
        """Working day n counted from start (day 0, rolled forward off a non-working day)."""
        start = np.asarray(start_days, dtype="datetime64[D]")
        n = np.broadcast_to(np.asarray(n, dtype="float64"), start.shape)
        ok = ~np.isnat(start) & ~np.isnan(n)
        result = np.full(start.shape, _NAT_DAY)
        result[ok] = np.busday_offset(start[ok], n[ok].astype("int64"), roll="forward", busdaycal=self.busdaycal)
        return result


_CAL_CACHE: dict[tuple[dt.date, ...], np.busdaycalendar] = {}


def _busdaycal(non_working_days: tuple[dt.date, ...]) -> np.busdaycalendar:
    if non_working_days not in _CAL_CACHE:
        _CAL_CACHE[non_working_days] = np.busdaycalendar(
            weekmask="1111100", holidays=np.array(non_working_days, dtype="datetime64[D]"))
    return _CAL_CACHE[non_working_days]


@dataclass(frozen=True)
class StandardOutcome:
    """Per item: counted in the denominator (``due``) and, of those, done ``within`` standard."""

    due: np.ndarray
    within: np.ndarray
    working_days: np.ndarray  # working days taken, NaN if not done

    @property
    def not_yet_due(self) -> np.ndarray:
        return ~self.due


def within_standard(calendar: WorkingCalendar, received, done, n, as_at: dt.date | np.datetime64) -> StandardOutcome:
    """Apply the contract's "within N working days" and "not yet due" rules.

    - Day 0 is the day of receipt (the next working day if received on a non-working day).
    - Done on or before working day N: within standard.
    - Not done and working day N falls on or after ``as_at``: not yet due, left out of the denominator
      (the as-at day is not over, so an item due that day may still be answered in time).
    - Not done and working day N is before ``as_at``: due, and outside the standard.
    - No standard for the item (n missing): left out.
    """
    received_days = to_days(received)
    done_days = to_days(done)
    n = np.broadcast_to(np.asarray(n, dtype="float64"), received_days.shape)
    as_at_day = np.datetime64(as_at, "D")

    has_standard = ~np.isnan(n) & ~np.isnat(received_days)
    taken = calendar.working_days_between(received_days, done_days)
    is_done = ~np.isnan(taken)
    deadline = calendar.add_working_days(received_days, n)
    overdue = ~is_done & has_standard & (deadline < as_at_day)

    due = has_standard & (is_done | overdue)
    with np.errstate(invalid="ignore"):
        within = due & is_done & (taken <= n)
    return StandardOutcome(due=due, within=within, working_days=taken)
