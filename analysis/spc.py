"""Statistical process control for monthly measures: XmR limits, the four rules, and words for members.

It tells a real change in a monthly figure from the usual ups and downs, the
way NHS England's "Making Data Count" does and its R implementation,
NHSRplotthedots, computes it: one small function per step, each rule on its own.

The input is a pandas Series of monthly values indexed by a ``pd.PeriodIndex``
of freq "M". A month whose value is NaN has no data: it is dropped before
anything is computed (so the moving range runs from the month before the gap
to the month after it) and listed in ``XmrResult.months_without_data``.

Choices, and where they differ from NHSRplotthedots 0.2.2 (``ptd_spc``):

- **Limits** are mean +/- 2.66 x the mean moving range, over every point. No
  moving range is screened out: this is the Making Data Count Excel tools'
  method and ``screen_outliers = FALSE`` in NHSRplotthedots, whose default
  (``TRUE``) drops moving ranges above 3.267 x MR-bar before the limits are
  worked out. There is no rebasing and no fixing of limits after n points.
- **Percentages**: the limits are never clipped in the numbers here. The chart
  (``analysis.charts.spc_chart``) and the words draw and quote them clipped
  to 0-100%, because a figure cannot go beyond those (``shown_limits``); by
  the same reasoning a count's, a time's or a number of days' lower limit is
  shown as 0 when it comes out below 0.
- **At least 12 months** (``MINIMUM_POINTS``) are needed to judge. With fewer,
  the result says "too few months to judge": no mean, no limits, no signals.
  NHSRplotthedots draws "trial limits" below 12 points with a warning; members
  are better served by not being shown a judgement that may not last.
- **Rule 1, beyond a limit**: a point strictly above the upper or strictly below
  the lower process limit. A point exactly on a limit is not beyond it.
- **Rule 2, shift**: ``SHIFT_LENGTH`` (7) or more points in a row on the same
  side of the mean; every point of the run is flagged. A point exactly on the
  mean belongs to neither side, so it ends a run.
- **Rule 3, trend**: ``TREND_LENGTH`` (7) or more points in a row each strictly
  higher than the one before (or each strictly lower); every point of the run
  is flagged, whichever side of the mean it is on. Two equal points in a row
  end a trend. Seven points means six rises.
- **Rule 4, two of three**: two (or three) of three consecutive points beyond
  the line two-thirds of the way from the mean to a process limit (mean +/-
  2/3 x 2.66 x MR-bar), on the same side; the points beyond that line are
  flagged, not the third. This is the classic (Western Electric) rule as the
  issue words it, which differs from NHSRplotthedots in two ways: a point
  beyond the process limit counts as beyond the two-thirds line (it is), and
  the third point may be on either side of the mean. NHSRplotthedots counts
  only points between the two-thirds line and the limit and asks all three
  points to be on the same side of the mean.
- 7 for shifts and trends is Making Data Count's current default, the run
  length NHSRplotthedots 0.2.2 uses for both (``ptd_seven_point_one_side_mean``,
  ``ptd_seven_point_trend``); both are parameters here.
- **Direction of a special cause**: for a point flagged by several rules, the
  first of: beyond a limit (its side of the mean), trend (the trend's
  direction), two of three (its side), shift (its side). This is the order
  NHSRplotthedots 0.2.2 uses. "high"/"low" then become "improvement"/"concern"
  by polarity; a ``neutral`` measure keeps "high"/"low".
- **Assurance**: the target is compared with the process limits strictly, as
  in NHSRplotthedots: a target exactly on a limit "may or may not" be met.
  A neutral measure is not judged against a target.
- **Words**: the variation is read from the most recent ``RECENT_MONTHS`` (6)
  points. If any of them is part of a signal, the latest such point decides
  the words; a signal that ended earlier is history, not news.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.present import value_words

LIMIT_FACTOR = 2.66
MINIMUM_POINTS = 12
SHIFT_LENGTH = 7
TREND_LENGTH = 7
RECENT_MONTHS = 6
POLARITIES = ("higher_is_better", "lower_is_better", "neutral")
TOO_FEW = "too few months to judge"
NOT_JUDGED = "not judged"
CHANCE = "a sign of real change rather than chance"


class Words(NamedTuple):
    """A short phrase for a table cell and a sentence that explains it without jargon."""

    phrase: str
    sentence: str


@dataclass(frozen=True, eq=False)
class XmrResult:
    """An XmR chart's numbers and signals; every Series is aligned to ``points``.

    ``direction`` is "high", "low" or "" (no special cause) per point;
    ``special_cause`` is that direction read through ``polarity``:
    "improvement", "concern" or "common cause" ("high", "low" or "common
    cause" for a neutral measure; "not judged" for every point when there are
    too few months).
    """

    points: pd.Series
    moving_ranges: pd.Series
    mean: float
    mr_bar: float
    lower: float
    upper: float
    beyond_limits: pd.Series
    shift: pd.Series
    trend: pd.Series
    two_of_three: pd.Series
    direction: pd.Series
    special_cause: pd.Series
    polarity: str
    enough_points: bool
    minimum_points: int = MINIMUM_POINTS
    shift_length: int = SHIFT_LENGTH
    trend_length: int = TREND_LENGTH
    months_without_data: tuple = ()

    @property
    def signal(self) -> pd.Series:
        """True where a point is part of any rule's signal."""
        return self.beyond_limits | self.shift | self.trend | self.two_of_three

    @property
    def note(self) -> str:
        return "" if self.enough_points else TOO_FEW


# --- The steps -------------------------------------------------------------------------------------------


def check_polarity(polarity: str) -> str:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}; got {polarity!r}")
    return polarity


def monthly_points(values: pd.Series) -> pd.Series:
    """The months that have a value, in order, as floats; NaN months are dropped."""
    if not isinstance(values.index, pd.PeriodIndex) or values.index.freqstr != "M":
        raise ValueError("SPC needs a Series indexed by month (a pd.PeriodIndex with freq 'M'); "
                         f"got an index of type {type(values.index).__name__}")
    if values.index.has_duplicates:
        repeated = sorted({str(p) for p in values.index[values.index.duplicated()]})
        raise ValueError(f"each month may appear once; repeated: {', '.join(repeated)}")
    return values.astype("float64").sort_index().dropna()


def moving_ranges(points: pd.Series) -> pd.Series:
    """|x_i - x_(i-1)|; NaN for the first point, which has no point before it."""
    return points.diff().abs()


def mean_moving_range(points: pd.Series) -> float:
    """MR-bar: the mean of the moving ranges (NaN with fewer than two points)."""
    return float(moving_ranges(points).mean())


def process_limits(mean: float, mr_bar: float, factor: float = LIMIT_FACTOR) -> tuple[float, float]:
    """(lower, upper) = mean -/+ 2.66 x MR-bar; never clipped."""
    return mean - factor * mr_bar, mean + factor * mr_bar


def _long_runs(keys: np.ndarray, length: int) -> list[tuple[int, int, int]]:
    """(first, last, key) of every run of at least ``length`` equal non-zero keys; ``last`` inclusive."""
    runs, start = [], 0
    for index in range(1, len(keys) + 1):
        if index == len(keys) or keys[index] != keys[start]:
            if keys[start] != 0 and index - start >= length:
                runs.append((start, index - 1, int(keys[start])))
            start = index
    return runs


def _check_run_length(length: int) -> None:
    if length < 2:
        raise ValueError(f"a run must be at least 2 points long; got {length}")


def beyond_limits(points: pd.Series, lower: float, upper: float) -> pd.Series:
    """Rule 1: True where a point is strictly above ``upper`` or strictly below ``lower``."""
    return (points > upper) | (points < lower)


def shift_runs(points: pd.Series, mean: float, length: int = SHIFT_LENGTH) -> list[tuple[int, int, int]]:
    """(first, last, +1 above / -1 below) of each run of ``length`` or more points on one side of the mean."""
    _check_run_length(length)
    return _long_runs(np.sign(points.to_numpy() - mean), length)


def shift(points: pd.Series, mean: float, length: int = SHIFT_LENGTH) -> pd.Series:
    """Rule 2: True for every point of a run of ``length`` or more on the same side of the mean.

    A point exactly on the mean is on neither side and ends the run.
    """
    flags = np.zeros(len(points), dtype=bool)
    for first, last, _ in shift_runs(points, mean, length):
        flags[first:last + 1] = True
    return pd.Series(flags, index=points.index)


def trend_runs(points: pd.Series, length: int = TREND_LENGTH) -> list[tuple[int, int, int]]:
    """(first, last, +1 rising / -1 falling) of each run of ``length`` or more points, each beyond the one before."""
    _check_run_length(length)
    steps = np.sign(np.diff(points.to_numpy()))
    # A run of n points is n - 1 steps in the same direction; step i joins point i to point i + 1.
    return [(first, last + 1, key) for first, last, key in _long_runs(steps, length - 1)]


def trend(points: pd.Series, length: int = TREND_LENGTH) -> pd.Series:
    """Rule 3: True for every point of a run of ``length`` or more points each higher (or lower) than the last.

    Equal neighbours end a run; the mean plays no part.
    """
    flags = np.zeros(len(points), dtype=bool)
    for first, last, _ in trend_runs(points, length):
        flags[first:last + 1] = True
    return pd.Series(flags, index=points.index)


def two_thirds_lines(mean: float, lower: float, upper: float) -> tuple[float, float]:
    """(low, high) lines two-thirds of the way from the mean to each process limit."""
    return mean - 2 / 3 * (mean - lower), mean + 2 / 3 * (upper - mean)


def two_of_three(points: pd.Series, mean: float, lower: float, upper: float) -> pd.Series:
    """Rule 4: True for the points beyond a two-thirds line when 2 or 3 of 3 consecutive points are, on one side.

    "Beyond" is strict, and a point beyond the process limit is beyond the
    two-thirds line too. The third point of the group may be anywhere.
    """
    low_line, high_line = two_thirds_lines(mean, lower, upper)
    values = points.to_numpy()
    flags = np.zeros(len(values), dtype=bool)
    for beyond in (values > high_line, values < low_line):
        for start in range(max(len(values) - 2, 1)):
            window = beyond[start:start + 3]
            if window.sum() >= 2:
                flags[start:start + 3] |= window
    return pd.Series(flags, index=points.index)


def _trend_directions(points: pd.Series, length: int) -> np.ndarray:
    """+1/-1 for points in a rising/falling trend, 0 elsewhere.

    A point where a rising trend turns into a falling one takes the direction
    of the trend after it, as in NHSRplotthedots.
    """
    directions = np.zeros(len(points), dtype=int)
    for first, last, key in trend_runs(points, length):
        directions[first:last + 1] = key
    # Runs are in order, so a later run overwrites the turning point it shares with the run before.
    return directions


def special_cause_directions(points: pd.Series, mean: float, flags: dict[str, pd.Series],
                             trend_length: int = TREND_LENGTH) -> pd.Series:
    """"high", "low" or "" per point: beyond a limit, then trend, then two of three, then shift decide."""
    side = np.sign(points.to_numpy() - mean)
    trend_direction = _trend_directions(points, trend_length)
    chosen = np.select(
        [flags["beyond_limits"].to_numpy(), flags["trend"].to_numpy(),
         flags["two_of_three"].to_numpy(), flags["shift"].to_numpy()],
        [side, trend_direction, side, side], default=0)
    return pd.Series(np.select([chosen > 0, chosen < 0], ["high", "low"], default=""),
                     index=points.index, dtype="object")


def point_types(directions: pd.Series, polarity: str) -> pd.Series:
    """Directions read through polarity: improvement / concern / common cause, or high / low for neutral."""
    check_polarity(polarity)
    if polarity == "neutral":
        words = {"high": "high", "low": "low"}
    elif polarity == "higher_is_better":
        words = {"high": "improvement", "low": "concern"}
    else:
        words = {"high": "concern", "low": "improvement"}
    return directions.map(lambda d: words.get(d, "common cause")).astype("object")


def xmr(values: pd.Series, *, polarity: str, minimum_points: int = MINIMUM_POINTS,
        shift_length: int = SHIFT_LENGTH, trend_length: int = TREND_LENGTH) -> XmrResult:
    """The XmR chart of a monthly series: limits, each rule's flags and each point's special cause.

    NaN months are dropped first. With fewer than ``minimum_points`` months
    left, mean, MR-bar and limits are NaN, no rule flags anything and every
    point is "not judged".
    """
    check_polarity(polarity)
    _check_run_length(shift_length)
    _check_run_length(trend_length)
    points = monthly_points(values)
    months_without_data = tuple(sorted(values.index[values.isna()]))
    ranges = moving_ranges(points)
    no_flags = pd.Series(False, index=points.index)
    if len(points) < minimum_points:
        nan = float("nan")
        return XmrResult(points, ranges, nan, nan, nan, nan, no_flags, no_flags, no_flags, no_flags,
                         pd.Series("", index=points.index, dtype="object"),
                         pd.Series(NOT_JUDGED, index=points.index, dtype="object"),
                         polarity, False, minimum_points, shift_length, trend_length, months_without_data)
    mean = float(points.mean())
    mr_bar = mean_moving_range(points)
    lower, upper = process_limits(mean, mr_bar)
    flags = {
        "beyond_limits": beyond_limits(points, lower, upper),
        "shift": shift(points, mean, shift_length),
        "trend": trend(points, trend_length),
        "two_of_three": two_of_three(points, mean, lower, upper),
    }
    directions = special_cause_directions(points, mean, flags, trend_length)
    return XmrResult(points, ranges, mean, mr_bar, lower, upper, flags["beyond_limits"], flags["shift"],
                     flags["trend"], flags["two_of_three"], directions, point_types(directions, polarity),
                     polarity, True, minimum_points, shift_length, trend_length, months_without_data)


# --- Words for members ----------------------------------------------------------------------------------


def month_words(month: pd.Period) -> str:
    """'March 2025'."""
    return month.strftime("%B %Y")


NON_NEGATIVE_UNITS = ("percent", "count", "seconds", "days")


def shown_limits(result: XmrResult, unit: str) -> tuple[float, float]:
    """The limits as members see them (chart and words): a percentage's clipped to 0-100, a count's at 0.

    A figure cannot go beyond those bounds, so a limit past one says no more
    than the bound itself. The result's own numbers are never clipped.
    """
    lower, upper = result.lower, result.upper
    if unit in NON_NEGATIVE_UNITS:
        lower = max(lower, 0.0)
    if unit == "percent":
        upper = min(upper, 100.0)
    return lower, upper


def _too_few(result: XmrResult) -> Words:
    count = len(result.points)
    months = "month" if count == 1 else "months"
    return Words(TOO_FEW, f"There are figures for only {count} {months}; at least {result.minimum_points} are "
                          "needed to tell a real change from the usual ups and downs.")


def signal_reasons(result: XmrResult) -> pd.Series:
    """Why each point is a signal, in plain words ("" for none), by the same order as its direction."""
    reasons = pd.Series("", index=result.points.index, dtype="object")
    if not result.enough_points:
        return reasons
    side = np.sign(result.points.to_numpy() - result.mean)
    trend_direction = _trend_directions(result.points, result.trend_length)
    for position in range(len(result.points)):
        above = side[position] > 0
        if result.beyond_limits.iloc[position]:
            reasons.iloc[position] = "above the usual range" if above else "below the usual range"
        elif result.trend.iloc[position]:
            reasons.iloc[position] = ("part of a run of rises" if trend_direction[position] > 0
                                      else "part of a run of falls")
        elif result.two_of_three.iloc[position]:
            reasons.iloc[position] = ("near the top of the usual range twice in three months" if above
                                      else "near the bottom of the usual range twice in three months")
        elif result.shift.iloc[position]:
            reasons.iloc[position] = ("part of a run above the average" if above
                                      else "part of a run below the average")
    return reasons


def _explain(result: XmrResult, position: int, unit: str) -> str:
    """A sentence on the signal that ``position`` is part of, by the rule that decided its direction."""
    points, months = result.points, result.points.index
    month, value = months[position], points.iloc[position]
    last_position = len(points) - 1
    low, high = shown_limits(result, unit)
    mean = value_words(result.mean, unit)
    above = value > result.mean
    if result.beyond_limits.iloc[position]:
        return (f"In {month_words(month)} the figure was {value_words(value, unit)}, "
                f"{'above' if above else 'below'} the range the figures usually stay within "
                f"({value_words(low, unit)} to {value_words(high, unit)}), {CHANCE}.")
    if result.trend.iloc[position]:
        first, last, key = next(run for run in reversed(trend_runs(points, result.trend_length))
                                if run[0] <= position <= run[1])
        return (f"The figure {'rose' if key > 0 else 'fell'} month after month for {last - first + 1} months, "
                f"from {value_words(points.iloc[first], unit)} in {month_words(months[first])} to "
                f"{value_words(points.iloc[last], unit)} in {month_words(months[last])}, {CHANCE}.")
    if result.two_of_three.iloc[position]:
        low_line, high_line = two_thirds_lines(result.mean, result.lower, result.upper)
        start = max(position - 2, 0)
        window = points.iloc[start:position + 1]
        count = int((window > high_line).sum() if above else (window < low_line).sum())
        line = value_words(high_line if above else low_line, unit)
        where = "top" if above else "bottom"
        return (f"In {count} of the {len(window)} months to {month_words(month)} the figure was "
                f"{'above' if above else 'below'} {line}, close to the {where} of its usual range, {CHANCE}.")
    first, last, key = next(run for run in shift_runs(points, result.mean, result.shift_length)
                            if run[0] <= position <= run[1])
    side = "above" if key > 0 else "below"
    count = last - first + 1
    if last == last_position:
        return f"The last {count} months were all {side} the average of {mean}, {CHANCE}."
    return (f"The {count} months from {month_words(months[first])} to {month_words(months[last])} were all "
            f"{side} the average of {mean}, {CHANCE}.")


def variation_words(result: XmrResult, polarity: str | None = None, *, unit: str = "number",
                    recent_months: int = RECENT_MONTHS) -> Words:
    """What the latest months say: "improving", "a concern" or "no sign of change".

    For a neutral measure: "higher than usual", "lower than usual" or "no sign
    of change". Only the last ``recent_months`` points are read; the latest of
    them that is part of a signal decides. ``polarity`` defaults to the one the
    result was computed with; ``unit`` formats the numbers as members see them.
    """
    polarity = check_polarity(polarity or result.polarity)
    if recent_months < 1:
        raise ValueError(f"recent_months must be at least 1; got {recent_months}")
    if not result.enough_points:
        return _too_few(result)
    types = point_types(result.direction, polarity)
    recent = range(max(len(types) - recent_months, 0), len(types))
    signalling = [position for position in recent if types.iloc[position] != "common cause"]
    if not signalling:
        low, high = shown_limits(result, unit)
        count = len(recent)
        return Words("no sign of change",
                     f"The figures for the last {count} months went up and down within the usual range "
                     f"({value_words(low, unit)} to {value_words(high, unit)}) around the average of "
                     f"{value_words(result.mean, unit)}, as they do by chance; there is no sign of real change.")
    position = signalling[-1]
    phrase = {"improvement": "improving", "concern": "a concern",
              "high": "higher than usual", "low": "lower than usual"}[types.iloc[position]]
    return Words(phrase, _explain(result, position, unit))


def assurance_words(result: XmrResult, target: float | None, polarity: str | None = None, *,
                    unit: str = "number") -> Words:
    """Whether the process, as it runs now, can be expected to meet ``target``.

    Both limits on the good side of the target: "expected to meet the target
    every month"; both on the bad side: "not expected to meet the target
    without a change in how the service works"; otherwise (a target on a limit
    included) "may or may not meet the target in any month (it is inside the
    normal range of variation)". A missing target gives "no target".
    """
    polarity = check_polarity(polarity or result.polarity)
    if target is None or pd.isna(target):
        return Words("no target", "No target has been set for this measure.")
    target = float(target)
    shown_target = value_words(target, unit)
    if polarity == "neutral":
        return Words(NOT_JUDGED, f"Neither a higher nor a lower figure is better for this measure, so it is "
                                 f"not judged against the target of {shown_target}.")
    if not result.enough_points:
        return _too_few(result)
    low, high = shown_limits(result, unit)
    normal_range = f"between {value_words(low, unit)} and {value_words(high, unit)}"
    higher_is_better = polarity == "higher_is_better"
    caveat = _changed_lately(result)
    if result.lower > target or result.upper < target:
        good = (result.lower > target) == higher_is_better
        side = "above" if result.lower > target else "below"
        if good:
            return Words("expected to meet the target every month",
                         f"The figures usually stay {normal_range}, all {side} the target of {shown_target}, "
                         f"so the target can be expected to be met every month.{caveat}")
        return Words("not expected to meet the target without a change in how the service works",
                     f"The figures usually stay {normal_range}, all {side} the target of {shown_target}, so the "
                     f"target will not be met unless something changes in how the service works.{caveat}")
    return Words("may or may not meet the target in any month (it is inside the normal range of variation)",
                 f"The target of {shown_target} is within the range the figures usually stay in ({normal_range}), "
                 f"so some months will meet it and some will not, by chance alone.{caveat}")


def _changed_lately(result: XmrResult, recent_months: int = RECENT_MONTHS) -> str:
    """A caution for the assurance sentence when the latest months show a sustained change.

    The limits describe every month charted; after a run of months on one side
    of the mean or a run rising or falling (rules 2 and 3), Making Data Count
    works the limits out again from the months since the change, once it has
    lasted. Until then the verdict describes the service as it ran before.
    """
    recent = slice(max(len(result.points) - recent_months, 0), None)
    if not (result.shift.iloc[recent].any() or result.trend.iloc[recent].any()):
        return ""
    return (f" The latest months show a lasting shift, though: the limits, worked out from every month since "
            f"{month_words(result.points.index[0])}, describe the service as it ran before the shift, and should "
            "be worked out again once the new level has settled.")
