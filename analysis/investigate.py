"""Helpers for answering a question raised in committee: the usual shapes of an investigation.

Filter records by service, category, location, ward, channel or period; compare a
rate in two periods with a test of significance; look before and after a date
(a parish council taking over an Advice and Information Centre, a new standard);
follow a consultation from invitation to completion; sum a rate by group
(``rates``), test a yearly measure between two years (``compare_measure``) and
fold small categories together so no small count has to be hidden
(``fold_small``). Every helper is a pure function of canonical frames and
returns a DataFrame or a small result whose ``words`` (and ``verdict`` and
``versus``, a few words for a table or a sentence) are safe to put in front of
members: a difference is only called higher, lower, better or worse when the
test says it is more than chance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.compare import ALPHA, UNTESTED_PREFIXES, change_p_value
from analysis.measures import monthly_dispersion
from analysis.present import count_words, date_words, name_from_id, percent_words

DATE_COLUMNS = ("received_at", "offered_at", "given_at", "invited_on", "joined_on")


def _date_column(frame: pd.DataFrame) -> str:
    for column in DATE_COLUMNS:
        if column in frame.columns:
            return column
    raise ValueError(f"no date column to filter on; expected one of {', '.join(DATE_COLUMNS)}")


def _as_timestamp(value) -> pd.Timestamp:
    return pd.Timestamp(value)


def select(frame: pd.DataFrame, *, service=None, category=None, location=None, ward=None, channel=None,
           start=None, end=None, date_column: str | None = None) -> pd.DataFrame:
    """Rows matching every filter given. Each filter takes one value or a list of them; ``start`` is
    inclusive and ``end`` exclusive (dates or timestamps), on the frame's date column."""
    mask = pd.Series(True, index=frame.index)
    for column, wanted in (("service", service), ("category", category), ("location", location),
                           ("ward", ward), ("channel", channel)):
        if wanted is None:
            continue
        if column not in frame.columns:
            raise ValueError(f"this data has no '{column}' column to filter on")
        values = list(wanted) if pd.api.types.is_list_like(wanted) else [wanted]
        mask &= frame[column].astype("object").isin(values).to_numpy()
    if start is not None or end is not None:
        column = date_column or _date_column(frame)
        if start is not None:
            mask &= (frame[column] >= _as_timestamp(start)).to_numpy()
        if end is not None:
            mask &= (frame[column] < _as_timestamp(end)).to_numpy()
    return frame[mask.to_numpy()]


@dataclass(frozen=True)
class Comparison:
    """A rate in two periods, and whether the difference is more than chance."""

    label_a: str
    label_b: str
    successes_a: int
    total_a: int
    successes_b: int
    total_b: int
    p_value: float
    minimum_count: int = 5

    @property
    def rate_a(self) -> float:
        return 100 * self.successes_a / self.total_a if self.total_a else np.nan

    @property
    def rate_b(self) -> float:
        return 100 * self.successes_b / self.total_b if self.total_b else np.nan

    @property
    def significant(self) -> bool:
        return bool(not np.isnan(self.p_value) and self.p_value < ALPHA)

    @property
    def words(self) -> str:
        """The comparison in plain words, never calling a chance difference a change."""
        a = percent_words(self.rate_a, self.total_a, self.minimum_count)
        b = percent_words(self.rate_b, self.total_b, self.minimum_count)
        counts = (f"{a} ({count_words(self.successes_a, self.minimum_count)} of "
                  f"{count_words(self.total_a, self.minimum_count)}) in {self.label_a}, against {b} "
                  f"({count_words(self.successes_b, self.minimum_count)} of "
                  f"{count_words(self.total_b, self.minimum_count)}) in {self.label_b}")
        if self.too_few:
            return f"{counts[0].upper() + counts[1:]}: too few to compare."
        if self.significant:
            direction = "higher" if self.rate_b > self.rate_a else "lower"
            return (f"{counts[0].upper() + counts[1:]}. The rate in {self.label_b} is {direction}, and the "
                    "difference is statistically significant (more than chance would explain).")
        return (f"{counts[0].upper() + counts[1:]}. The difference is not statistically significant: it could "
                "be chance, so it is not evidence of a change.")

    @property
    def too_few(self) -> bool:
        return min(self.total_a, self.total_b) < self.minimum_count

    @property
    def change(self) -> float:
        """Percentage points from ``a`` to ``b`` (NaN when either rate is missing)."""
        return self.rate_b - self.rate_a

    @property
    def brief(self) -> str:
        """The comparison in a few words for a table cell: 'up 6.2 points, a significant change',
        'no significant change (up 1.3 points)', 'too few to compare'."""
        return self.verdict()

    def verdict(self, polarity: str | None = None) -> str:
        """A few words for a table cell, as the yearly pages word a change. With ``polarity``
        ('higher_is_better' or 'lower_is_better') a significant change is 'improved: up 6.2 points' or
        'worse: ...'; a change that is not significant is never called either."""
        if self.too_few or np.isnan(self.change):
            return "too few to compare"
        size = f"{'up' if self.change > 0 else 'down'} {abs(self.change):.1f} points"
        if not self.significant:
            return f"no significant change ({size})" if abs(self.change) >= 0.05 else "no change"
        better = {"higher_is_better": self.change > 0, "lower_is_better": self.change < 0}.get(polarity or "")
        if better is None:
            return f"{size}, a significant change"
        return f"{'improved' if better else 'worse'}: {size}"

    def versus(self, polarity: str | None = None) -> str:
        """How ``b`` stands against ``a``, to end a sentence about ``b``: 'significantly better than in
        2023/24 (84.9%)', 'not significantly different from 2023/24 (84.9%)', 'too few to compare with 2023/24'."""
        if self.too_few or np.isnan(self.change):
            return f"too few to compare with {self.label_a}"
        then = f"{self.label_a} ({percent_words(self.rate_a, self.total_a, self.minimum_count)})"
        if not self.significant:
            return f"not significantly different from {then}"
        better = {"higher_is_better": self.change > 0, "lower_is_better": self.change < 0}.get(polarity or "")
        word = ("higher" if self.change > 0 else "lower") if better is None else ("better" if better else "worse")
        return f"significantly {word} than in {then}"

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({
            "Period": [self.label_a, self.label_b],
            "Of": [count_words(self.total_a, self.minimum_count), count_words(self.total_b, self.minimum_count)],
            "Number": [count_words(self.successes_a, self.minimum_count),
                       count_words(self.successes_b, self.minimum_count)],
            "Rate": [percent_words(self.rate_a, self.total_a, self.minimum_count),
                     percent_words(self.rate_b, self.total_b, self.minimum_count)],
        })


def compare_rates(successes_a, total_a, successes_b, total_b, label_a: str, label_b: str,
                  minimum_count: int = 5, *, monthly_chi2_a=np.nan, months_a=np.nan, monthly_chi2_b=np.nan,
                  months_b=np.nan) -> Comparison:
    """Two rates compared two-sided at 95% by the yearly pages' rule (``compare.change_p_value``): Fisher's
    exact test where an expected count is below 5; otherwise the two-proportion z-test, its z divided by the
    square root of how much the months vary (from each period's monthly chi-square and number of months,
    where given; with none, or fewer than 6 months in all, the plain z-test)."""
    p = float(change_p_value([successes_a], [total_a], [successes_b], [total_b], monthly_chi2_a, months_a,
                             monthly_chi2_b, months_b)[0])
    return Comparison(label_a, label_b, int(successes_a), int(total_a), int(successes_b), int(total_b), p,
                      minimum_count)


def compare_periods(frame: pd.DataFrame, success, period_a: tuple, period_b: tuple, *, include=None,
                    labels: tuple[str, str] | None = None, date_column: str | None = None,
                    minimum_count: int = 5) -> Comparison:
    """The share of rows that are a ``success`` (a boolean array or column name) in two periods.

    Each period is (start, end), start inclusive and end exclusive; ``include``
    limits the rows counted (for example, only those due a response).
    """
    column = date_column or _date_column(frame)
    hit = _flags(frame[success] if isinstance(success, str) else success)
    counted = np.ones(len(frame), dtype=bool) if include is None else _flags(include)
    stamps = frame[column]
    months = stamps.dt.to_period("M").to_numpy()
    parts = []
    for start, end in (period_a, period_b):
        in_period = ((stamps >= _as_timestamp(start)) & (stamps < _as_timestamp(end))).to_numpy() & counted
        parts.append((int((hit & in_period).sum()), int(in_period.sum()), _spread(hit, in_period, months)))
    labels = labels or tuple(f"{date_words(s)} to {date_words(pd.Timestamp(e) - pd.Timedelta(days=1))}" for s, e in
                             (period_a, period_b))
    (x_a, n_a, (chi2_a, m_a)), (x_b, n_b, (chi2_b, m_b)) = parts
    return compare_rates(x_a, n_a, x_b, n_b, labels[0], labels[1], minimum_count, monthly_chi2_a=chi2_a,
                         months_a=m_a, monthly_chi2_b=chi2_b, months_b=m_b)


def _spread(hit: np.ndarray, in_period: np.ndarray, months: np.ndarray) -> tuple[float, float]:
    """How much a period's months vary about its own rate: (monthly chi-square, months with a row), as the
    yearly measures work it out (``measures.monthly_dispersion``), for the test of a change."""
    if not in_period.any():
        return np.nan, np.nan
    by_month = pd.DataFrame({"period": 0, "month": months[in_period], "num": hit[in_period].astype("float64"),
                             "den": 1.0}).groupby(["period", "month"], sort=True)[["num", "den"]].sum().reset_index()
    spread = monthly_dispersion(by_month, ["period"])
    return float(spread["monthly_chi2"].iloc[0]), float(spread["months"].iloc[0])


def _flags(values) -> np.ndarray:
    """True/False per row from booleans, nullable booleans or 0/1; missing is False."""
    series = pd.Series(values)
    known = series.notna().to_numpy()
    flags = np.zeros(len(series), dtype=bool)
    flags[known] = series[known].astype(bool).to_numpy()
    return flags


def before_and_after(date, *, months: int = 12) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """The ``months`` before ``date`` and the ``months`` from it: the two (start, end) periods."""
    date = pd.Timestamp(date)
    return {"before": (date - pd.DateOffset(months=months), date),
            "after": (date, date + pd.DateOffset(months=months))}


def monthly_counts(frame: pd.DataFrame, by: str | None = None, date_column: str | None = None, *,
                   start=None, end=None) -> pd.DataFrame:
    """Rows per calendar month (and per ``by``), every month in the range present (0 where none).

    The range runs from the first to the last month with a row; ``start`` and
    ``end`` (end exclusive, as in :func:`select`) widen it to the months they
    cover, so a quiet month at either end of a period still shows as 0. Rows
    outside them are not counted.
    """
    column = date_column or _date_column(frame)
    if start is not None or end is not None:
        frame = select(frame, start=start, end=end, date_column=column)
    months = frame[column].dt.to_period("M")
    if by is None:
        table = months.value_counts().sort_index().rename("count").to_frame()
    else:
        table = pd.crosstab(months, frame[by].astype("object"))
    known = list(table.index)
    if start is not None:
        known.append(pd.Timestamp(start).to_period("M"))
    if end is not None:
        known.append((pd.Timestamp(end) - pd.Timedelta(nanoseconds=1)).to_period("M"))
    full = pd.period_range(min(known), max(known), freq="M") if known else pd.PeriodIndex([], freq="M")
    return table.reindex(full, fill_value=0)


def rates(numerator, denominator, by) -> pd.DataFrame:
    """Numerator and denominator summed per group, and the rate (100 x numerator / denominator).

    ``numerator`` and ``denominator`` are per-row weights (usually booleans, such
    as a :class:`~analysis.calendar.StandardOutcome`'s ``within`` and ``due``);
    ``by`` is one array (or Series) of group labels, or a dict of them
    ({"year": ..., "category": ...}). Sums come before dividing; a zero
    denominator gives a missing rate, not 0. Rows with a missing label are left out.
    """
    groups = dict(by) if isinstance(by, dict) else {getattr(by, "name", None) or "group": by}
    base = pd.DataFrame({name: pd.Series(values).astype("object").to_numpy() for name, values in groups.items()})
    base["numerator"] = np.asarray(numerator, dtype="float64")
    base["denominator"] = np.asarray(denominator, dtype="float64")
    summed = base.groupby(list(groups), sort=True, dropna=True)[["numerator", "denominator"]].sum().reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        summed["rate"] = np.where(summed["denominator"] > 0,
                                  100 * summed["numerator"] / summed["denominator"].where(summed["denominator"] > 0),
                                  np.nan)
    return summed


def fold_small(counts: pd.DataFrame, minimum_count: int = 5, label: str = "Other") -> pd.DataFrame:
    """Counts (categories as rows) with every row that has a count from 1 to ``minimum_count - 1`` folded into
    one row, ``label``, at the end.

    Members are never shown a count from 1 to 4; folding the small rows together,
    rather than hiding each one, keeps the table adding up to its totals without
    letting a hidden count be worked out by subtraction. A table with no small
    count is returned unchanged. The folded row is never small itself (unless
    every row is folded into it): a place's visits are on the yearly pages, and
    those less the rows shown would give it back; so while it would be small,
    the next smallest row (by its total) is folded in as well.
    """
    small = ((counts > 0) & (counts < minimum_count)).any(axis=1)
    if not small.any():
        return counts
    for row in counts.sum(axis=1).sort_values(kind="stable").index:  # a handful of categories
        folded = counts[small].sum()
        if not ((folded > 0) & (folded < minimum_count)).any():
            break
        small[row] = True
    kept = counts[~small]
    folded = counts[small].sum().to_frame(label).T
    return pd.concat([kept, folded.astype(counts.dtypes.to_dict())])


def compare_measure(workbook, measure_id: str, year_a: str, year_b: str, breakdown: str = "") -> Comparison | None:
    """A percentage measure of the yearly workbook in two years, tested as measures.csv and the yearly pages
    test it: with each year's monthly statistics (``monthly_chi2``, ``months``) where the rows have them, so
    an ad-hoc page never calls significant what the scorecard does not.

    None when the measure has no counts behind it in either year (a score, a
    count, a value reported by a service), or is the action plan's (every
    action, not a sample: no test applies), so its change cannot be tested.
    """
    if measure_id.startswith(UNTESTED_PREFIXES):
        return None
    rows = []
    for year in (year_a, year_b):
        row = workbook.value(measure_id, year, breakdown)
        if row is None or row["unit"] != "percent" or pd.isna(row["numerator"]) or pd.isna(row["denominator"]):
            return None
        rows.append(row)
    stats = {f"{name}_{side}": row.get(column, np.nan) for side, row in zip("ab", rows)
             for name, column in (("monthly_chi2", "monthly_chi2"), ("months", "months"))}
    return compare_rates(rows[0]["numerator"], rows[0]["denominator"], rows[1]["numerator"], rows[1]["denominator"],
                         year_a, year_b, workbook.config.minimum_count, **stats)


def funnel(invitations: pd.DataFrame, consultation_id: str | None = None, minimum_count: int = 5) -> pd.DataFrame:
    """Invited -> opened -> completed, per consultation (or one), with each step as a share of invited."""
    if consultation_id is not None:
        invitations = invitations[invitations["consultation_id"].astype("object") == consultation_id]
    grouped = invitations.groupby(invitations["consultation_id"].astype("object"), sort=False).agg(
        first_invited=("invited_on", "min"), invited=("member_id", "size"),
        opened=("opened_on", "count"), completed=("completed_on", "count")).reset_index()
    grouped = grouped.sort_values("first_invited")
    with np.errstate(divide="ignore", invalid="ignore"):
        grouped["opened_rate"] = 100 * grouped["opened"] / grouped["invited"]
        grouped["completed_rate"] = 100 * grouped["completed"] / grouped["invited"]
        grouped["completed_of_opened"] = 100 * grouped["completed"] / grouped["opened"]
    return grouped.reset_index(drop=True)


def funnel_table(funnel_rows: pd.DataFrame, minimum_count: int = 5) -> pd.DataFrame:
    """The funnel as members see it: counts and rates in words, small numbers suppressed."""
    return pd.DataFrame({
        "Consultation": [name_from_id(c) for c in funnel_rows["consultation_id"]],
        "First invited": [date_words(d) for d in funnel_rows["first_invited"]],
        "Invited": [count_words(v, minimum_count) for v in funnel_rows["invited"]],
        "Opened": [count_words(v, minimum_count) for v in funnel_rows["opened"]],
        "Completed": [count_words(v, minimum_count) for v in funnel_rows["completed"]],
        # A percentage of a count from 1 to 4, beside its base, would give the count back (50.0% of 6 is 3).
        "Opened, of those invited": [_share_words(r, n, i, minimum_count) for r, n, i in
                                     zip(funnel_rows["opened_rate"], funnel_rows["opened"], funnel_rows["invited"])],
        "Completed, of those who opened": [_share_words(r, n, o, minimum_count) for r, n, o in
                                           zip(funnel_rows["completed_of_opened"], funnel_rows["completed"],
                                               funnel_rows["opened"])],
    })


def _share_words(rate, numerator, denominator, minimum_count: int) -> str:
    """A percentage shown beside its base: "too few to report" where the base or the count it is of is from 1
    to ``minimum_count - 1``, since with the base it would give that count back."""
    if 0 < numerator < minimum_count:
        return "too few to report"
    return percent_words(rate, denominator, minimum_count)


def period_label(start, end) -> str:
    """(1 Oct 2021, 1 Oct 2022) -> '1 October 2021 to 30 September 2022'."""
    return f"{date_words(start)} to {date_words(pd.Timestamp(end) - dt.timedelta(days=1))}"
