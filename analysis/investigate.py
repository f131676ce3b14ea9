"""Helpers for answering a question raised in committee: the usual shapes of an investigation.

Filter records by service, category, location, ward, channel or period; compare a
rate in two periods with a test of significance; look before and after a date
(a parish council taking over an Advice and Information Centre, a new standard);
follow a consultation from invitation to completion; sum a rate by group
(``rates``), test a yearly measure between two years (``compare_measure``) and
fold small categories together so no small count has to be hidden
(``fold_small``, and ``fold_shown`` where the run's record hides some of them).
Counts an ad-hoc page shares with the yearly pages are worded by the run's
record (``visits_by_purpose``, ``panel_groups``, ``funnel_words``); counts only
the page has by a record of their own (``table_disclosure``,
``local_disclosure``). Every helper is a pure function of canonical frames and
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

from analysis.calendar import financial_year
from analysis.compare import ALPHA, UNTESTED_PREFIXES, change_p_value
from analysis.measures import monthly_dispersion
from analysis.present import (
    SECONDARY_WORDS,
    TOO_FEW,
    Disclosure,
    Line,
    Rate,
    count_words,
    date_words,
    name_from_id,
    percent_words,
    plan_suppression,
)

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

    def _rate_words(self, side: str) -> str:
        """A period's rate as shown beside its counts: "too few to report" where either count is from 1 to
        minimum_count - 1 (3.0% beside "fewer than 5 of 100" would say 3)."""
        successes, total = (self.successes_a, self.total_a) if side == "a" else (self.successes_b, self.total_b)
        return share_words(100 * successes / total if total else np.nan, successes, total, self.minimum_count)

    @property
    def words(self) -> str:
        """The comparison in plain words, never calling a chance difference a change."""
        a, b = self._rate_words("a"), self._rate_words("b")
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
        """Too few to compare: a base below the minimum count, or a count from 1 to minimum_count - 1 (its rate
        is not shown, and a change from the other period's rate would give it back)."""
        small = [0 < n < self.minimum_count for n in (self.successes_a, self.successes_b)]
        return min(self.total_a, self.total_b) < self.minimum_count or any(small)

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
        then = f"{self.label_a} ({self._rate_words('a')})"
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
            "Rate": [self._rate_words("a"), self._rate_words("b")],
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


# --- small numbers on an ad-hoc page ---------------------------------------------------------------------
#
# An ad-hoc page shares totals with the yearly pages (a place's visits, the panel's size, a consultation's
# invited), so the counts the yearly pages hold come from the run's record, ``present.disclosure(wb)``, or,
# where the page shows more of the record than they do, ``present.disclosure_with(wb, keys)``. Counts only the
# page has (12 months either side of a handover) get a record of their own, ``local_disclosure``. Either way
# a count is worded by its record: ``record.count_words(key)``, ``record.percent_words(key, ...)``.


def local_disclosure(values: dict, lines=(), rates: dict | None = None, published=None,
                     minimum_count: int = 5) -> Disclosure:
    """A record of what members may not see for counts that only this page shows, planned as the yearly pages'
    record is (``present.plan_suppression``): small counts, and as well whatever a total less its parts or a
    percentage times its base would give back.

    ``values`` {key: count}; ``lines`` (total, parts) pairs of keys a reader can subtract along; ``rates``
    {key: (numerator, denominator)} for each percentage shown beside its base; ``published`` the keys shown
    (all of ``values`` when None; a key not shown still counts in the lines, and is kept from being worked
    out when small)."""
    values = {key: float(value) for key, value in values.items()}
    rates = {key: Rate(n, d, 100 * values[n] / values[d] if values[d] else np.nan)
             for key, (n, d) in (rates or {}).items()}
    lines = [Line(total, tuple(parts)) for total, parts in lines]
    published = set(values) if published is None else set(published)
    small, secondary = plan_suppression(values, published, lines, rates, minimum_count)
    return Disclosure(minimum_count, values, rates, small, secondary)


def record_sum(record: Disclosure, keys) -> float | None:
    """The sum of some counts of a record, or None when one of them is hidden (the sum less the others would
    give it back). A key the record does not hold counts as 0 (no such visits)."""
    keys = list(keys)
    if any(record.hidden(k) for k in keys):
        return None
    return float(sum(record.values.get(k, 0.0) for k in keys))


def fold_shown(counts: pd.DataFrame, hidden: pd.DataFrame, totals: pd.Series, total_hidden: pd.Series,
               minimum_count: int = 5, label: str = "Other") -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`fold_small` for a table whose counts (categories as rows, groups such as places as columns) a record
    may hide: (the folded counts, which of them read "not shown").

    A category's label is shown only when each of its counts is 0 or at least ``minimum_count``: a council may
    map free text (a Salesforce "Subject") to the category, and a label with one or two contacts could name a
    resident. The other rows are folded into ``label``, which holds each column's ``totals`` less the rows kept
    (so ``counts`` may be only some of a column's categories: the three commonest at each place). ``hidden``
    marks the counts the record hides as well (each at least the minimum); ``total_hidden`` the totals it hides.
    ``label``'s count is hidden where the total or a row kept in its column is (it would give either back),
    except where it is the whole total (nothing kept), which reads as the record words the total. While a
    ``label`` count that would be shown is from 1 to ``minimum_count - 1``, the next smallest row is folded in.
    A table with no small count is returned as it is, with no ``label`` row.
    """
    counts = counts.fillna(0)
    small = ((counts > 0) & (counts < minimum_count)).any(axis=1)
    order = counts.sum(axis=1).sort_values(kind="stable").index  # a handful of categories
    while True:
        kept = counts[~small]
        other = totals - kept.sum()
        if kept.empty:
            other_hidden = total_hidden & (totals >= minimum_count)  # a small total reads "fewer than 5"
        else:
            other_hidden = total_hidden | hidden[~small].any()
        shown_small = (other > 0) & (other < minimum_count) & ~other_hidden
        if kept.empty or not shown_small.any():
            break
        small[next(row for row in order if not small[row])] = True
    folded, flags = kept, hidden[~small]
    if small.any() and (other > 0).any():
        folded = pd.concat([kept, other.to_frame(label).T.astype(counts.dtypes.to_dict())])
        flags = pd.concat([flags, other_hidden.to_frame(label).T.astype(bool)])
    return folded, flags.astype(bool)


def not_shown_note(words: pd.DataFrame, minimum_count: int = 5) -> str:
    """The caption's note for a table in words: '' unless some cell reads "not shown"."""
    if not (words.astype("object") == SECONDARY_WORDS).to_numpy().any():
        return ""
    return (f" (\u201c{SECONDARY_WORDS}\u201d: hidden as well, so that a number under {minimum_count} cannot be "
            "worked out from a total shown here or on the yearly pages)")


def shown_words(counts: pd.DataFrame, hidden: pd.DataFrame, minimum_count: int = 5) -> pd.DataFrame:
    """Counts in words as :func:`fold_shown` leaves them: "not shown" where hidden, otherwise "fewer than 5",
    "none" or the number."""
    words = counts.map(lambda v: count_words(v, minimum_count))
    return words.mask(hidden.reindex_like(counts).fillna(False).astype(bool), SECONDARY_WORDS)


def table_disclosure(counts: pd.DataFrame, groups: dict | None = None, minimum_count: int = 5) -> Disclosure:
    """A record (:func:`local_disclosure`) for a table of counts only this page shows, shown with each column's
    total and each row's share of it: cell (row, column), total ("All", column). ``groups`` names sums of some
    rows that the page shows too ({"the other AICs": ["Elmcleeve AIC", "Winsford AIC"]}: key (name, column)).
    A count, total or share the record hides reads "fewer than 5", "not shown" or "too few to report"."""
    values, lines, rates = {}, [], {}
    for column in counts.columns:
        cells = [(row, column) for row in counts.index]
        values.update({cell: counts.at[cell] for cell in cells})
        values[("All", column)] = float(counts[column].sum())
        lines.append((("All", column), cells))
        for name, rows in (groups or {}).items():
            values[(name, column)] = float(counts.loc[list(rows), column].sum())
            lines.append(((name, column), [(row, column) for row in rows]))
            rest = [(row, column) for row in counts.index if row not in rows]
            lines.append((("All", column), [(name, column), *rest]))
        rates.update({("share", *cell): (cell, ("All", column)) for cell in cells})
    return local_disclosure(values, lines, rates, minimum_count=minimum_count)


def part_words(part, whole, minimum_count: int = 5, whole_hidden: bool = False) -> str:
    """A part of a count shown beside it (visits from 1pm, of a place's visits): "fewer than 5" when small, and
    "not shown" when the rest (the whole less the part) would be from 1 to ``minimum_count - 1``, unless the
    whole is hidden itself."""
    if not whole_hidden and 0 < whole - part < minimum_count and part >= minimum_count:
        return SECONDARY_WORDS
    return count_words(part, minimum_count)


def visits_by_purpose(wb, places, label: str = "Other purposes") -> tuple[pd.DataFrame, pd.DataFrame, Disclosure]:
    """This year's in-person visits at ``places`` by purpose (rows, commonest first) and place (columns), with
    "All" (their sum) as the last column, as an ad-hoc page may show them beside the yearly pages: (counts,
    which read "not shown", the record used).

    The counts are the yearly pages' own (``wb.facts``), worded by the run's record with the purposes no
    yearly page shows planned in (``present.disclosure_with``); a purpose is named only where it had at least
    the minimum count at every one of the places, the rest folded into ``label`` (:func:`fold_shown`)."""
    from analysis.present import disclosure_with

    facts = wb.facts.get("in_person_purposes")
    facts = facts[facts["location"].isin(list(places))]
    counts = (facts.pivot_table(index="category", columns="location", values="visits", aggfunc="sum", fill_value=0)
              .reindex(columns=list(places), fill_value=0).astype("float64"))
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    key = lambda purpose, place: ("in_person_visits", f"location={place}|category={purpose}", wb.year)  # noqa: E731
    totals_keys = {place: ("contacts_received", f"location={place}", wb.year) for place in places}
    record = disclosure_with(wb, [key(c, p) for c in counts.index for p in places if counts.at[c, p] > 0])
    hidden = pd.DataFrame({p: [record.hidden(key(c, p)) for c in counts.index] for p in places}, index=counts.index)
    totals = pd.Series({p: record.values.get(totals_keys[p], counts[p].sum()) for p in places})
    total_hidden = pd.Series({p: record.hidden(totals_keys[p]) for p in places})
    folded, flags = fold_shown(counts, hidden, totals, total_hidden, wb.config.minimum_count, label)
    folded["All"] = folded.sum(axis=1)
    flags["All"] = flags.any(axis=1)  # a sum with a hidden part would give it back
    return folded, flags, record


def panel_record_keys(wb) -> list[tuple]:
    """The record's keys of the panel's members by group in every year (the yearly pages show this year's
    only), to pass to ``present.disclosure_with`` when a page shows earlier years' groups."""
    rows = wb.measure("panel_members", None)
    return [("panel_members", b, y) for b, y in zip(rows["breakdown"], rows["year"]) if b]


def panel_groups(wb, record: Disclosure, year: str) -> pd.DataFrame:
    """The Citizens' Panel at the end of ``year`` by age band and by sex, as an ad-hoc page may show it beside
    the yearly pages (``record``: ``present.disclosure_with(wb, panel_record_keys(wb))``). One row per group
    (index: breakdown): ``value`` members; ``members`` in words; ``share`` of the members with that recorded
    (%), ``residents`` the group's share of residents aged 16 and over (%), ``ratio`` the yearly
    representation; ``shown`` whether the share and ratio may be shown.

    A share is shown only where it gives nothing away: the group's count is shown, and either every member has
    that recorded (the share is of the panel, whose size is on the yearly pages) or no group of it is hidden
    (then the members it is of are the groups' sum). Otherwise a share would give back how many it is of, and
    that less the groups shown a hidden one."""
    members = wb.measure("panel_members", None)
    members = members[members["year"] == year]
    total = members.loc[members["breakdown"] == "", "value"].sum()
    rows = members[members["breakdown"] != ""].set_index("breakdown")[["value"]].copy()
    rows["dimension"] = rows.index.to_series().str.partition("=")[0]
    rows["members"] = [record.count_words(("panel_members", b, year), v) for b, v in rows["value"].items()]
    hidden = pd.Series([record.hidden(("panel_members", b, year)) for b in rows.index], index=rows.index)
    recorded = rows.groupby("dimension")["value"].transform("sum")
    rows["share"] = 100 * rows["value"] / recorded.where(recorded > 0)
    population = wb.data.population
    if population is not None:
        population = population.assign(breakdown=population["dimension"].astype("object") + "="
                                       + population["category"].astype("object"))
        residents = population.groupby("breakdown")["count"].sum()
        by_dimension = population.groupby("dimension")["count"].sum()
        rows["residents"] = (100 * rows.index.map(residents).to_numpy(dtype="float64")
                             / rows["dimension"].map(by_dimension).to_numpy(dtype="float64"))
    else:
        rows["residents"] = np.nan
    ratios = wb.measure("panel_representation", None)
    rows["ratio"] = rows.index.map(ratios[ratios["year"] == year].set_index("breakdown")["value"])
    whole = (recorded == total) | ~hidden.groupby(rows["dimension"]).transform("any")
    rows["shown"] = ~hidden & (rows["value"] >= record.minimum_count) & whole
    return rows


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


def funnel(invitations: pd.DataFrame, consultation_id: str | None = None, minimum_count: int = 5,
           year_start_month: int | None = None) -> pd.DataFrame:
    """Invited -> opened -> completed, per consultation (or one), with each step as a share of invited. With
    ``year_start_month``, each consultation's financial year too (``year``: the year of its first invitation,
    as the yearly measures count it), for :func:`funnel_table` with the run's record."""
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
    if year_start_month is not None:
        grouped["year"] = financial_year(grouped["first_invited"], year_start_month).to_numpy()
    return grouped.reset_index(drop=True)


FUNNEL_STEPS = {"invited": ("panel_invited", "invited"), "opened": ("panel_opened", "opened"),
                "completed": ("panel_completed", "completed")}


def funnel_record_keys(funnel_rows: pd.DataFrame) -> list[tuple]:
    """The record's keys of the funnel's counts (each consultation's invited, opened and completed in its year),
    to pass to ``present.disclosure_with`` when a page shows consultations of earlier years."""
    return [(measure, f"consultation_id={c}", y) for c, y in zip(funnel_rows["consultation_id"], funnel_rows["year"])
            for measure, _ in FUNNEL_STEPS.values()]


def funnel_words(funnel_rows: pd.DataFrame, record: Disclosure) -> pd.DataFrame:
    """The funnel's counts and percentages in words as ``record`` (the run's record, with
    ``present.disclosure_with`` where earlier years are shown) allows: a count the yearly pages hide is hidden
    here too, and a percentage is "too few to report" where either of its counts is hidden. Columns: invited,
    opened, completed, opened_rate, completed_rate, completed_of_opened (``funnel_rows`` needs ``year``)."""
    cells = [f"consultation_id={c}" for c in funnel_rows["consultation_id"]]
    words = {step: [record.count_words((measure, cell, y), v) for cell, y, v in
                    zip(cells, funnel_rows["year"], funnel_rows[column])]
             for step, (measure, column) in FUNNEL_STEPS.items()}
    for column, rate, part, base in (("opened_rate", "panel_open_rate", "opened", "invited"),
                                     ("completed_rate", "panel_completion_rate", "completed", "invited"),
                                     ("completed_of_opened", "panel_completed_of_opened", "completed", "opened")):
        hidden = [record.rate_hidden((rate, cell, y)) or record.hidden((FUNNEL_STEPS[part][0], cell, y))
                  for cell, y in zip(cells, funnel_rows["year"])]
        words[column] = [TOO_FEW if h else share_words(v, k, n, record.minimum_count) for h, v, k, n in
                         zip(hidden, funnel_rows[column], funnel_rows[part], funnel_rows[base])]
    return pd.DataFrame(words, index=funnel_rows.index)


def funnel_table(funnel_rows: pd.DataFrame, minimum_count: int = 5, record: Disclosure | None = None) -> pd.DataFrame:
    """The funnel as members see it: counts and rates in words, small numbers suppressed; with ``record``, as
    the run's record words them (:func:`funnel_words`), so that no count the yearly pages hide comes back."""
    if record is not None:
        words = funnel_words(funnel_rows, record)
        return pd.DataFrame({
            "Consultation": [name_from_id(c) for c in funnel_rows["consultation_id"]],
            "First invited": [date_words(d) for d in funnel_rows["first_invited"]],
            "Invited": words["invited"], "Opened": words["opened"], "Completed": words["completed"],
            "Opened, of those invited": words["opened_rate"],
            "Completed, of those who opened": words["completed_of_opened"],
        })
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


def share_words(rate, numerator, denominator, minimum_count: int = 5) -> str:
    """A percentage shown beside its base: "too few to report" where the base or the count it is of is from 1
    to ``minimum_count - 1``, since with the base it would give that count back."""
    if 0 < numerator < minimum_count:
        return TOO_FEW
    return percent_words(rate, denominator, minimum_count)


_share_words = share_words


def period_label(start, end) -> str:
    """(1 Oct 2021, 1 Oct 2022) -> '1 October 2021 to 30 September 2022'."""
    return f"{date_words(start)} to {date_words(pd.Timestamp(end) - dt.timedelta(days=1))}"
