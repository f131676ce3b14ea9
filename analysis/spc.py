"""Statistical process control for monthly measures: XmR limits, the four rules, and words for members.

It tells a real change in a monthly figure from the usual ups and downs, the
way NHS England's "Making Data Count" does and as its R implementation,
NHSRplotthedots 0.2.2 (``ptd_spc``), computes it: one small function per step,
each rule on its own.

The input is a pandas Series of monthly values indexed by a ``pd.PeriodIndex``
of freq "M". A month whose value is NaN has no data: it is dropped before
anything is computed (so the moving range runs from the month before the gap
to the month after it) and listed in ``XmrResult.months_without_data``.

How the numbers are worked out, as in NHSRplotthedots 0.2.2
(``ptd_spc_standard``, ``ptd_calculate_point_type``):

- **Segments.** Each rebase month (``[spc.rebase]`` in council.toml) starts a
  new segment at the first month with data on or after it; a rebase month on
  or before the first month charted, or after the last, starts none. Every
  segment has its own mean, moving ranges and limits, as ``ptd_spc(rebase =)``
  gives them: the moving range does not cross a rebase (the first month of a
  segment has none).
- **Moving ranges** are |x_i - x_(i-1)| within a segment. **Screening**
  (``screen_outliers=True``, the default of NHSRplotthedots and of
  ``[spc] screen_outliers``): MR-bar is first the mean of the segment's moving
  ranges; the moving ranges above 3.267 x that MR-bar are then left out and
  MR-bar is the mean of the rest. One outlying month makes two large moving
  ranges that would otherwise widen the limits (Nelson 1982; Provost & Murray
  2011). ``screen_outliers=False`` keeps every moving range, as the Making Data
  Count Excel tools do.
- **Limits** are the segment's mean -/+ 2.66 x its (screened) MR-bar.
- **The rules run within each segment**, against that segment's mean and
  limits, as NHSRplotthedots groups them (``group_by(f, rebase_group)``): a
  run of seven on one side of the mean, or a trend, never crosses a rebase.
- **Assurance** (target against limits) uses the latest segment's limits, as
  ``ptd_calculate_assurance_type`` uses the last point's.

Choices, and where this differs from NHSRplotthedots 0.2.2:

- **Screening at exactly 3.267 x MR-bar**: a moving range equal to it is kept
  here ("not above"); NHSRplotthedots keeps only those strictly below
  (``mr < 3.267 * amr``). The difference shows only for a series whose moving
  ranges are all equal, e.g. a constant one: NHSRplotthedots screens out every
  moving range and gives no limits; here the limits equal the mean.
- **Months without data** are dropped first (see above); in NHSRplotthedots a
  missing value leaves both moving ranges beside it missing.
- **Percentages**: the limits are never clipped in the numbers here. The chart
  (``analysis.charts.spc_chart``) and the words draw and quote them clipped
  to 0-100%, because a figure cannot go beyond those (``shown_limits``); by
  the same reasoning a count's, a time's or a number of days' lower limit is
  shown as 0 when it comes out below 0.
- **At least 12 months** (``MINIMUM_POINTS``) a segment are needed to judge.
  A segment with fewer has no mean, no limits and no signals, and its months
  are "not judged"; when it is the latest, the words say "too few months to
  judge". NHSRplotthedots draws "trial limits" below 12 points with a warning;
  members are better served by not being shown a judgement that may not last.
  There is no fixing of limits after n points (``fix_after_n_points``).
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
- **A trend's direction at a tie**: here a point takes the direction of the
  trend it belongs to (of the later trend where it belongs to two: the peak of
  a rise then a fall is "falling", as in NHSRplotthedots). NHSRplotthedots
  instead takes the sign of the step to the next point whenever the next
  point is in a trend too; when that step is a tie (the last point of a rise
  equals the first of another trend), the sign is 0 and its label reads
  "7 Point Trend (Decreasing)": the top of a rise becomes a concern on a
  higher-is-better measure. Here it stays part of the rise.
- **Assurance**: the target is compared with the latest segment's process
  limits strictly, as in NHSRplotthedots: a target exactly on a limit "may or
  may not" be met. A neutral measure is not judged against a target, and
  neither is a measure whose latest limits are not a usual range (below).

Words for members (this project's own rules; NHSRplotthedots draws icons):

- **A usual range only where true**: the limits are called the range the
  figures "usually stay" within only where at least ``USUAL_SHARE`` (80%) of
  the months of the latest segment lie within them (on a limit counts as
  within). Otherwise the months show a lasting change rather than one steady
  process: the words say so, name the month from which the limits should be
  worked out again (``suggested_rebase``) and the ``[spc.rebase]`` line that
  would do it, and the target is not judged.
- **The month to rebase from** (``suggested_rebase``): the least squares
  change point of the latest segment, the month that splits its months into
  two parts (each of at least 2 months) whose values lie closest to their own
  part's mean. Where a level changed more than once, the largest change is
  found first; with that line in council.toml, the next run finds the next.
- **The variation** is read from the most recent ``RECENT_MONTHS`` (6) points.
  If any of them is part of a signal, the latest such point decides the words;
  a signal that ended earlier is history, not news, and the words say "no
  sign of change since" the month after it, so that the title never denies the
  points marked on the chart. "no sign of change" alone means no month is
  marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.present import value_words

LIMIT_FACTOR = 2.66
SCREEN_FACTOR = 3.267
MINIMUM_POINTS = 12
SHIFT_LENGTH = 7
TREND_LENGTH = 7
RECENT_MONTHS = 6
USUAL_SHARE = 0.8
POLARITIES = ("higher_is_better", "lower_is_better", "neutral")
TOO_FEW = "too few months to judge"
NOT_JUDGED = "not judged"
NOT_JUDGED_AGAINST_TARGET = "not judged against the target"
REWORK = "limits to be worked out again"
CHANCE = "a sign of real change rather than chance"
SEGMENT_COLUMNS = ("first", "last", "months", "judged", "mean", "mr_bar", "lower", "upper", "inside",
                   "share_inside", "usual")


class Words(NamedTuple):
    """A short phrase for a table cell and a sentence that explains it without jargon."""

    phrase: str
    sentence: str


@dataclass(frozen=True, eq=False)
class XmrResult:
    """An XmR chart's numbers and signals; every Series is aligned to ``points``.

    ``segment`` numbers each point's segment (0, 1, ...: a new one from each
    rebase month); ``means``, ``lowers`` and ``uppers`` give each point its
    segment's mean and limits (NaN in a segment too short to judge);
    ``segments`` has one row per segment (``SEGMENT_COLUMNS``). ``mean``,
    ``mr_bar``, ``lower`` and ``upper`` are the latest segment's: the process
    as it runs now. ``screened_out`` is True for a moving range left out of its
    segment's MR-bar.

    ``direction`` is "high", "low" or "" (no special cause) per point;
    ``special_cause`` is that direction read through ``polarity``:
    "improvement", "concern" or "common cause" ("high", "low" or "common
    cause" for a neutral measure; "not judged" in a segment with too few
    months).
    """

    points: pd.Series
    moving_ranges: pd.Series
    screened_out: pd.Series
    segment: pd.Series
    means: pd.Series
    lowers: pd.Series
    uppers: pd.Series
    segments: pd.DataFrame
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
    screen_outliers: bool = True

    @property
    def signal(self) -> pd.Series:
        """True where a point is part of any rule's signal."""
        return self.beyond_limits | self.shift | self.trend | self.two_of_three

    @property
    def rebased(self) -> bool:
        """True when the limits are worked out afresh at least once within the months charted."""
        return len(self.segments) > 1

    @property
    def start(self) -> pd.Period | None:
        """The first month of the latest segment (None without points)."""
        return self.segments["first"].iloc[-1] if len(self.segments) else None

    @property
    def usual(self) -> bool:
        """True when the latest limits are a usual range: at least 80% of its segment's months lie within them."""
        return bool(self.enough_points and self.segments["usual"].iloc[-1])

    @property
    def note(self) -> str:
        return "" if self.enough_points else _too_few(self).phrase


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


def rebase_months(months) -> tuple[pd.Period, ...]:
    """Rebase months ("2024-05" or monthly Periods) as sorted, distinct monthly Periods."""
    return tuple(sorted({pd.Period(month, freq="M") for month in months}))


def segment_numbers(points: pd.Series, rebase=()) -> pd.Series:
    """0, 1, 2, ... per point: a new segment from the first month with data on or after each rebase month.

    A rebase month on or before the first point, or after the last, starts no
    segment; two rebase months with no data between them start one.
    """
    months = points.index
    numbers = np.zeros(len(points), dtype=int)
    for month in rebase_months(rebase):
        if len(points) and months[0] < month <= months[-1]:
            numbers += np.asarray(months >= month, dtype=int)
    # Consecutive numbers, even where two rebase months fell in the same gap.
    numbers = np.unique(numbers, return_inverse=True)[1].reshape(-1) if len(numbers) else numbers
    return pd.Series(numbers, index=points.index, dtype=int)


def _segment_slices(segments: pd.Series) -> list[slice]:
    """The positions of each segment (segments are consecutive runs of points)."""
    numbers = segments.to_numpy()
    if not len(numbers):
        return []
    starts = np.flatnonzero(np.r_[True, numbers[1:] != numbers[:-1]])
    ends = np.r_[starts[1:], len(numbers)]
    return [slice(int(start), int(end)) for start, end in zip(starts, ends)]


def moving_ranges(points: pd.Series, segments: pd.Series | None = None) -> pd.Series:
    """|x_i - x_(i-1)|; NaN for the first point, and for the first point of each segment when given."""
    ranges = points.diff().abs()
    if segments is not None and len(ranges):
        ranges[(segments != segments.shift()).to_numpy()] = np.nan
    return ranges


def screened_out(ranges: pd.Series, segments: pd.Series | None = None, screen_outliers: bool = True) -> pd.Series:
    """True for each moving range above 3.267 x its segment's mean moving range (always False unscreened)."""
    if not screen_outliers:
        return pd.Series(False, index=ranges.index)
    groups = segments if segments is not None else pd.Series(0, index=ranges.index)
    first_bar = ranges.groupby(groups.to_numpy()).transform("mean")
    return (ranges > SCREEN_FACTOR * first_bar).fillna(False).astype(bool)


def mean_moving_range(points: pd.Series, screen_outliers: bool = True) -> float:
    """MR-bar of one segment: the mean of the moving ranges not above 3.267 x their mean (NaN below 2 points)."""
    ranges = moving_ranges(points)
    return float(ranges[~screened_out(ranges, screen_outliers=screen_outliers)].mean())


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
    of the trend after it, as in NHSRplotthedots; a point that ends a trend
    keeps its trend's direction even when the next point, equal to it, starts
    another (see the module's notes on ties).
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


def _segment_row(part: pd.Series, ranges: pd.Series, left_out: pd.Series, minimum_points: int) -> dict:
    """One segment's numbers: mean, MR-bar, limits and how many of its months lie within them."""
    judged = len(part) >= minimum_points
    row = {"first": part.index[0], "last": part.index[-1], "months": len(part), "judged": judged}
    if not judged:
        return row | {"mean": np.nan, "mr_bar": np.nan, "lower": np.nan, "upper": np.nan, "inside": 0,
                      "share_inside": np.nan, "usual": False}
    mean = float(part.mean())
    mr_bar = float(ranges[~left_out].mean())
    lower, upper = process_limits(mean, mr_bar)
    inside = int(((part >= lower) & (part <= upper)).sum())
    share = inside / len(part)
    return row | {"mean": mean, "mr_bar": mr_bar, "lower": lower, "upper": upper, "inside": inside,
                  "share_inside": share, "usual": share >= USUAL_SHARE}


def xmr(values: pd.Series, *, polarity: str, minimum_points: int = MINIMUM_POINTS,
        shift_length: int = SHIFT_LENGTH, trend_length: int = TREND_LENGTH, screen_outliers: bool = True,
        rebase=()) -> XmrResult:
    """The XmR chart of a monthly series: limits, each rule's flags and each point's special cause.

    NaN months are dropped first. ``rebase`` months ("2024-05" or Periods)
    start segments with their own mean, moving ranges and limits, and the
    rules run within each segment. A segment with fewer than
    ``minimum_points`` months has NaN mean and limits, no rule flags anything
    in it and its points are "not judged"; ``enough_points`` says whether the
    latest segment has enough.
    """
    check_polarity(polarity)
    _check_run_length(shift_length)
    _check_run_length(trend_length)
    points = monthly_points(values)
    months_without_data = tuple(sorted(values.index[values.isna()]))
    segment = segment_numbers(points, rebase)
    ranges = moving_ranges(points, segment)
    left_out = screened_out(ranges, segment, screen_outliers)
    count = len(points)
    flags = {name: np.zeros(count, dtype=bool) for name in ("beyond_limits", "shift", "trend", "two_of_three")}
    direction = np.full(count, "", dtype=object)
    judged = np.zeros(count, dtype=bool)
    lines = {name: np.full(count, np.nan) for name in ("mean", "lower", "upper")}
    rows = []
    for part_slice in _segment_slices(segment):
        part = points.iloc[part_slice]
        row = _segment_row(part, ranges.iloc[part_slice], left_out.iloc[part_slice], minimum_points)
        rows.append(row)
        if not row["judged"]:
            continue
        judged[part_slice] = True
        for name in lines:
            lines[name][part_slice] = row[name]
        part_flags = {
            "beyond_limits": beyond_limits(part, row["lower"], row["upper"]),
            "shift": shift(part, row["mean"], shift_length),
            "trend": trend(part, trend_length),
            "two_of_three": two_of_three(part, row["mean"], row["lower"], row["upper"]),
        }
        for name, flagged in part_flags.items():
            flags[name][part_slice] = flagged.to_numpy()
        direction[part_slice] = special_cause_directions(part, row["mean"], part_flags, trend_length).to_numpy()
    segments = pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS))
    latest = rows[-1] if rows else {"judged": False, "mean": np.nan, "mr_bar": np.nan, "lower": np.nan,
                                    "upper": np.nan}
    directions = pd.Series(direction, index=points.index, dtype="object")
    special_cause = point_types(directions, polarity).where(judged, NOT_JUDGED)

    def series(array, dtype=None):
        return pd.Series(array, index=points.index, dtype=dtype)

    return XmrResult(
        points=points, moving_ranges=ranges, screened_out=left_out, segment=segment,
        means=series(lines["mean"], "float64"), lowers=series(lines["lower"], "float64"),
        uppers=series(lines["upper"], "float64"), segments=segments,
        mean=float(latest["mean"]), mr_bar=float(latest["mr_bar"]), lower=float(latest["lower"]),
        upper=float(latest["upper"]),
        beyond_limits=series(flags["beyond_limits"]), shift=series(flags["shift"]), trend=series(flags["trend"]),
        two_of_three=series(flags["two_of_three"]), direction=directions, special_cause=special_cause,
        polarity=polarity, enough_points=bool(latest["judged"]), minimum_points=minimum_points,
        shift_length=shift_length, trend_length=trend_length, months_without_data=months_without_data,
        screen_outliers=screen_outliers)


# --- Words for members ----------------------------------------------------------------------------------


def month_words(month: pd.Period) -> str:
    """'March 2025'."""
    return month.strftime("%B %Y")


NON_NEGATIVE_UNITS = ("percent", "count", "seconds", "days")


def clip_to_unit(lower: float, upper: float, unit: str) -> tuple[float, float]:
    """Limits as members see them: a percentage's clipped to 0-100, a count's, time's or days' lower one at 0."""
    if unit in NON_NEGATIVE_UNITS:
        lower = max(lower, 0.0) if not pd.isna(lower) else lower
    if unit == "percent":
        upper = min(upper, 100.0) if not pd.isna(upper) else upper
    return lower, upper


def shown_limits(result: XmrResult, unit: str) -> tuple[float, float]:
    """The latest limits as members see them (chart and words): a percentage's clipped to 0-100, a count's at 0.

    A figure cannot go beyond those bounds, so a limit past one says no more
    than the bound itself. The result's own numbers are never clipped.
    """
    return clip_to_unit(result.lower, result.upper, unit)


def _segment_of(result: XmrResult, position: int) -> slice:
    return next(part for part in _segment_slices(result.segment) if part.start <= position < part.stop)


def _too_few(result: XmrResult) -> Words:
    if result.rebased:
        latest = result.segments.iloc[-1]
        count, since = int(latest["months"]), month_words(latest["first"])
        months = "month" if count == 1 else "months"
        return Words(f"too few months since {since} to judge",
                     f"The limits are worked out afresh from {since}, and there are figures for only {count} "
                     f"{months} since; at least {result.minimum_points} are needed to tell a real change from the "
                     "usual ups and downs.")
    count = len(result.points)
    months = "month" if count == 1 else "months"
    return Words(TOO_FEW, f"There are figures for only {count} {months}; at least {result.minimum_points} are "
                          "needed to tell a real change from the usual ups and downs.")


def _run_containing(runs: list[tuple[int, int, int]], offset: int) -> tuple[int, int, int]:
    """The latest run that ``offset`` is part of (a turning point belongs to the later trend)."""
    return next(run for run in reversed(runs) if run[0] <= offset <= run[1])


def _two_of_three_count(values: np.ndarray, offset: int, beyond: np.ndarray) -> int:
    """The most points beyond the line in any three in a row that include ``offset``."""
    return max(int(beyond[start:start + 3].sum()) for start in range(max(offset - 2, 0), offset + 1))


def signal_reasons(result: XmrResult) -> pd.Series:
    """Why each point is a signal, in plain words ("" for none), by the same order as its direction.

    "above the upper limit", "run of 9 months above the mean", "run of 7 months
    each higher than the last", "2 of 3 months close to the upper limit".
    """
    reasons = pd.Series("", index=result.points.index, dtype="object")
    for part_slice in _segment_slices(result.segment):
        if not result.segments["judged"].iloc[int(result.segment.iloc[part_slice.start])]:
            continue
        part = result.points.iloc[part_slice]
        mean, lower, upper = (float(result.means.iloc[part_slice.start]), float(result.lowers.iloc[part_slice.start]),
                              float(result.uppers.iloc[part_slice.start]))
        values = part.to_numpy()
        low_line, high_line = two_thirds_lines(mean, lower, upper)
        shifts, trends = shift_runs(part, mean, result.shift_length), trend_runs(part, result.trend_length)
        trend_direction = _trend_directions(part, result.trend_length)
        for offset in range(len(part)):
            position = part_slice.start + offset
            above = values[offset] > mean
            if result.beyond_limits.iloc[position]:
                reason = "above the upper limit" if above else "below the lower limit"
            elif result.trend.iloc[position]:
                first, last, _ = _run_containing(trends, offset)
                higher = "higher" if trend_direction[offset] > 0 else "lower"
                reason = f"run of {last - first + 1} months each {higher} than the last"
            elif result.two_of_three.iloc[position]:
                beyond = values > high_line if above else values < low_line
                reason = (f"{_two_of_three_count(values, offset, beyond)} of 3 months close to the "
                          f"{'upper' if above else 'lower'} limit")
            elif result.shift.iloc[position]:
                first, last, _ = _run_containing(shifts, offset)
                reason = f"run of {last - first + 1} months {'above' if above else 'below'} the mean"
            else:
                continue
            reasons.iloc[position] = reason
    return reasons


def _range_words(result: XmrResult, unit: str) -> str:
    """"the usual range (A to B)" where the latest limits are one, else "the limits (A to B)"."""
    low, high = shown_limits(result, unit)
    what = "the usual range" if result.usual else "the limits"
    return f"{what} ({value_words(low, unit)} to {value_words(high, unit)})"


def _explain(result: XmrResult, position: int, unit: str) -> str:
    """A sentence on the signal that ``position`` is part of, by the rule that decided its direction."""
    part_slice = _segment_of(result, position)
    points = result.points.iloc[part_slice]
    months, offset = points.index, position - part_slice.start
    mean_value = float(result.means.iloc[position])
    month, value = months[offset], points.iloc[offset]
    low, high = clip_to_unit(result.lowers.iloc[position], result.uppers.iloc[position], unit)
    mean = value_words(mean_value, unit)
    above = value > mean_value
    usual = bool(result.segments["usual"].iloc[int(result.segment.iloc[position])])
    if result.beyond_limits.iloc[position]:
        if usual:
            where = (f"{'above' if above else 'below'} the range the figures usually stay within "
                     f"({value_words(low, unit)} to {value_words(high, unit)})")
        else:
            where = (f"{'above the upper' if above else 'below the lower'} limit of "
                     f"{value_words(high if above else low, unit)}")
        return f"In {month_words(month)} the figure was {value_words(value, unit)}, {where}, {CHANCE}."
    if result.trend.iloc[position]:
        first, last, key = _run_containing(trend_runs(points, result.trend_length), offset)
        return (f"The figure {'rose' if key > 0 else 'fell'} month after month for {last - first + 1} months, "
                f"from {value_words(points.iloc[first], unit)} in {month_words(months[first])} to "
                f"{value_words(points.iloc[last], unit)} in {month_words(months[last])}, {CHANCE}.")
    if result.two_of_three.iloc[position]:
        low_line, high_line = two_thirds_lines(mean_value, result.lowers.iloc[position], result.uppers.iloc[position])
        window = points.iloc[max(offset - 2, 0):offset + 1]
        count = int((window > high_line).sum() if above else (window < low_line).sum())
        line = value_words(high_line if above else low_line, unit)
        where = (f"{'top' if above else 'bottom'} of its usual range" if usual
                 else f"{'upper' if above else 'lower'} limit")
        return (f"In {count} of the {len(window)} months to {month_words(month)} the figure was "
                f"{'above' if above else 'below'} {line}, close to the {where}, {CHANCE}.")
    first, last, key = _run_containing(shift_runs(points, mean_value, result.shift_length), offset)
    side = "above" if key > 0 else "below"
    count = last - first + 1
    if part_slice.start + last == len(result.points) - 1:
        return f"The last {count} months were all {side} the average of {mean}, {CHANCE}."
    return (f"The {count} months from {month_words(months[first])} to {month_words(months[last])} were all "
            f"{side} the average of {mean}, {CHANCE}.")


def marked(result: XmrResult, polarity: str | None = None) -> pd.Series:
    """True where the chart marks a point: a special cause in a segment that is judged."""
    return point_types(result.direction, check_polarity(polarity or result.polarity)) != "common cause"


def variation_words(result: XmrResult, polarity: str | None = None, *, unit: str = "number",
                    recent_months: int = RECENT_MONTHS) -> Words:
    """What the latest months say: "improving", "a concern" or "no sign of change" (or "no sign of change since
    <month>" where an earlier month was marked: the months since then show no pattern).

    For a neutral measure: "higher than usual", "lower than usual" or "no sign
    of change". Only the last ``recent_months`` points are read; the latest of
    them that is part of a signal decides. Without a signal among them, the
    phrase is "no sign of change" when no month at all is marked and "no sign
    of change since <month>" (the month after the latest marked one) when one
    is, so that the title never denies a marked point. Where the latest limits
    are not a usual range, "; limits to be worked out again" follows.
    ``polarity`` defaults to the one the result was computed with; ``unit``
    formats the numbers as members see them.
    """
    polarity = check_polarity(polarity or result.polarity)
    if recent_months < 1:
        raise ValueError(f"recent_months must be at least 1; got {recent_months}")
    if not result.enough_points:
        return _too_few(result)
    types = point_types(result.direction, polarity)
    is_marked = (types != "common cause").to_numpy()
    count = len(types)
    recent = range(max(count - recent_months, 0), count)
    signalling = [position for position in recent if is_marked[position]]
    rework = "" if result.usual else f"; {REWORK}"
    if not signalling:
        average = value_words(result.mean, unit)
        if not is_marked.any():
            return Words("no sign of change" + rework,
                         f"The figures for the last {len(recent)} months went up and down within "
                         f"{_range_words(result, unit)} around the average of {average}, as they do by chance; "
                         "there is no sign of real change.")
        since = max(result.points.index[int(np.flatnonzero(is_marked)[-1]) + 1], result.start)
        return Words(f"no sign of change since {month_words(since)}" + rework,
                     f"Since {month_words(since)} the figures went up and down within {_range_words(result, unit)} "
                     f"around the average of {average}, as they do by chance; there is no sign of real change "
                     "since then.")
    position = signalling[-1]
    phrase = {"improvement": "improving", "concern": "a concern",
              "high": "higher than usual", "low": "lower than usual"}[types.iloc[position]]
    return Words(phrase + rework, _explain(result, position, unit))


def change_point(values: pd.Series, shortest: int = 2) -> int | None:
    """The position that best splits ``values`` in two: the least squares single change point.

    The first position of the second part, chosen so that the total of the
    squared differences of each part's values from that part's own mean is
    least, each part at least ``shortest`` values long; None when the values
    are too few to split. Ties go to the earlier position.
    """
    x = values.to_numpy(dtype="float64")
    count = len(x)
    if count < 2 * shortest:
        return None
    # Sum of squares about the mean of x[:k] is sum(x^2) - (sum x)^2 / k: cumulative sums give every k at once.
    sums, squares = np.cumsum(x), np.cumsum(x * x)
    k = np.arange(shortest, count - shortest + 1)
    left = squares[k - 1] - sums[k - 1] ** 2 / k
    right = (squares[-1] - squares[k - 1]) - (sums[-1] - sums[k - 1]) ** 2 / (count - k)
    return int(k[np.argmin(left + right)])


def suggested_rebase(result: XmrResult) -> pd.Period | None:
    """The month from which the latest limits should be worked out again, or None.

    The least squares change point of the latest segment (``change_point``):
    the month that splits its months into two parts, each of at least 2
    months, whose values lie closest to their own part's mean. A level that
    changed once is found at the change; where it changed more than once, at
    the largest change first, and the next suggestion, once that line is in
    council.toml, finds the next. None with too few months.
    """
    if not result.enough_points:
        return None
    part_slice = _segment_of(result, len(result.points) - 1)
    points = result.points.iloc[part_slice]
    position = change_point(points)
    return None if position is None else points.index[position]


def rebase_line(measure_id: str, months) -> str:
    """The council.toml line under [spc.rebase]: 'calls_answered_within_standard = ["2023-04", "2024-05"]'."""
    return f"{measure_id} = [{', '.join(f'{chr(34)}{month}{chr(34)}' for month in rebase_months(months))}]"


def lasting_change_words(result: XmrResult, measure_id: str, rebase=(), *, unit: str = "number") -> str:
    """"" where the latest limits are a usual range; otherwise why they are not, and the line that would fix it.

    ``rebase`` is the measure's months already under [spc.rebase]; the line
    named keeps them and adds ``suggested_rebase``'s month.
    """
    if not result.enough_points or result.usual:
        return ""
    latest = result.segments.iloc[-1]
    low, high = shown_limits(result, unit)
    months = (f"since {month_words(latest['first'])}" if result.rebased
              else f"from {month_words(latest['first'])} to {month_words(latest['last'])}")
    text = (f"Only {int(latest['inside'])} of the {int(latest['months'])} months {months} lie within the limits "
            f"worked out from them ({value_words(low, unit)} to {value_words(high, unit)}), fewer than 8 in 10: "
            "the months show a lasting change rather than one steady process, so these limits are not a usual "
            "range and should be worked out again from the change")
    month = suggested_rebase(result)
    if month is None:
        months = "".join(f'"{month}", ' for month in rebase_months(rebase))
        return (text + ". To do so, put the month the change began under [spc.rebase] in council.toml, as "
                f'{measure_id} = [{months}"YYYY-MM"].')
    return (text + f", in {month_words(month)}. To do so, put the line {rebase_line(measure_id, (*rebase, month))} "
            "under [spc.rebase] in council.toml.")


def assurance_words(result: XmrResult, target: float | None, polarity: str | None = None, *,
                    unit: str = "number") -> Words:
    """Whether the process, as it runs now, can be expected to meet ``target``.

    Both latest limits on the good side of the target: "expected to meet the
    target every month"; both on the bad side: "not expected to meet the
    target without a change in how the service works"; otherwise (a target on
    a limit included) "may or may not meet the target in any month (it is
    inside the normal range of variation)". A missing target gives "no
    target"; latest limits that are not a usual range give "not judged against
    the target".
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
    if not result.usual:
        return Words(NOT_JUDGED_AGAINST_TARGET,
                     f"Until the limits are worked out again, whether the target of {shown_target} can be expected "
                     "to be met is not judged: limits that most months lie outside say nothing about that.")
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

    The limits describe every month of the latest segment; after a run of
    months on one side of the mean or a run rising or falling (rules 2 and 3),
    Making Data Count works the limits out again from the months since the
    change, once it has lasted. Until then the verdict describes the service as
    it ran before.
    """
    recent = slice(max(len(result.points) - recent_months, 0), None)
    if not (result.shift.iloc[recent].any() or result.trend.iloc[recent].any()):
        return ""
    return (f" The latest months show a lasting shift, though: the limits, worked out from every month since "
            f"{month_words(result.start)}, describe the service as it ran before the shift, and should "
            "be worked out again once the new level has settled.")
