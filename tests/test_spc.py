"""Statistical process control (analysis.spc): limits worked by hand, each rule on its own, words, the chart.

Series are monthly from April 2023 unless a test says otherwise. The rule
functions take the mean and limits as arguments, so each rule is tested on
exact numbers of its own; the series run through ``xmr`` are built so that
exactly one rule fires, with the arithmetic beside them.
"""

from __future__ import annotations

import base64
import math
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from analysis import spc
from analysis.charts import spc_chart


def monthly(values, start="2023-04") -> pd.Series:
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype="float64")


def flagged(flags: pd.Series) -> list[int]:
    """Positions of the True flags, to compare with lists written by hand."""
    return [int(i) for i in np.flatnonzero(flags.to_numpy())]


# Worked by hand, April 2023 to April 2024 (13 months):
#   sum = 80+84+81+83+80+84+82+79+83+86+82+80+82 = 1066, mean = 1066 / 13 = 82
#   moving ranges 4,3,2,3,4,2,3,4,3,4,2,2: sum 36 over 12, MR-bar = 3
#   limits 82 -/+ 2.66 x 3 = 82 -/+ 7.98: lower 74.02, upper 89.98
#   two-thirds lines 82 -/+ 2/3 x 7.98 = 82 -/+ 5.32: 76.68 and 87.32
# Every point is inside 79..86 and no rule fires: three points sit exactly on the mean.
STEADY = [80, 84, 81, 83, 80, 84, 82, 79, 83, 86, 82, 80, 82]

# STEADY with April 2024 at 100: sum 1084, mean 1084 / 13 = 83.3846; the last moving range is
# |100 - 80| = 20 instead of 2, sum 54, MR-bar 54 / 12 = 4.5; limits 83.3846 -/+ 11.97 = 71.4146 and
# 95.3546; two-thirds lines 83.3846 -/+ 7.98 = 75.4046 and 91.3646. Only 100 is beyond either line,
# the longest run on one side of the mean is 3 and there is no trend: rule 1 alone, on the last point.
SPIKE = STEADY[:-1] + [100]

# Six months below, then seven above: sum 3 x (80 + 78) + 4 x 84 + 3 x 82 = 1056, mean 81.2308;
# moving ranges all 2 but 78 -> 84 (6): sum 28, MR-bar 2.3333; limits 81.2308 -/+ 6.2067 = 75.0241
# and 87.4374; two-thirds lines 77.0930 and 85.3685, all points inside 78..84. The first six below the
# mean are one short of a shift; the last seven above are a shift: rule 2 alone.
SHIFT_UP = [80, 78, 80, 78, 80, 78, 84, 82, 84, 82, 84, 82, 84]

# Seven points rising 78 -> 84 at the end (six rises): sum 490 + 567 = 1057, mean 81.3077; moving ranges
# 6,5,6,7,6,1,1,1,1,1,1,1: sum 37, MR-bar 3.0833; limits 81.3077 -/+ 8.2017 = 73.1060 and 89.5094;
# two-thirds lines 75.8399 and 86.7755, all points inside 78..85. The trend crosses the mean (79, 78,
# 79, 80, 81 below it, 82, 83, 84 above), so no seven points are on one side: rule 3 alone.
TREND_UP = [85, 79, 84, 78, 85, 79, 78, 79, 80, 81, 82, 83, 84]

# Twelve quiet months, then 86, 83, 86 (April to June 2024, 15 months): sum 6 x 165 + 255 = 1245,
# mean 1245 / 15 = 83; moving ranges eleven 1s and three 3s: sum 20 over 14, MR-bar 10/7 = 1.4286;
# limits 83 -/+ 2.66 x 10/7 = 83 -/+ 3.8: 79.2 and 86.8; two-thirds lines 83 -/+ 2.5333: 80.4667 and
# 85.5333. Both 86s are beyond 85.5333 (and inside 86.8), two of three on the high side; the 83 between
# them is exactly on the mean, so it is not flagged and makes no shift: rule 4 alone.
TWO_OF_THREE_HIGH = [82, 83] * 6 + [86, 83, 86]


def reflected(values) -> list[float]:
    """The same series upside down (x -> 162 - x): every rule fires on the other side."""
    return [162 - v for v in values]


# --- The numbers --------------------------------------------------------------------------------------


def test_limits_worked_by_hand():
    result = spc.xmr(monthly(STEADY), polarity="higher_is_better")
    assert result.enough_points
    assert result.mean == 82.0
    assert result.mr_bar == pytest.approx(3.0)
    assert result.lower == pytest.approx(74.02)
    assert result.upper == pytest.approx(89.98)
    assert list(result.moving_ranges.iloc[1:]) == [4, 3, 2, 3, 4, 2, 3, 4, 3, 4, 2, 2]
    assert math.isnan(result.moving_ranges.iloc[0])
    assert not result.signal.any()
    assert set(result.special_cause) == {"common cause"}


def test_each_step_on_its_own():
    points = monthly([10, 13, 11, 11])
    assert list(spc.moving_ranges(points).iloc[1:]) == [3, 2, 0]
    assert spc.mean_moving_range(points) == pytest.approx(5 / 3)
    lower, upper = spc.process_limits(50.0, 10.0)
    assert (lower, upper) == (pytest.approx(23.4), pytest.approx(76.6))
    assert spc.two_thirds_lines(0.0, -3.0, 3.0) == (-2.0, 2.0)


def test_percentage_limits_are_not_clipped_in_the_numbers_only_when_shown():
    # 0, 50 alternating: mean 25 (12 points), MR-bar 50, limits 25 -/+ 133 = -108 and 158.
    result = spc.xmr(monthly([0, 50] * 6), polarity="higher_is_better")
    assert result.lower == pytest.approx(-108.0)
    assert result.upper == pytest.approx(158.0)
    assert spc.shown_limits(result, "percent") == (0.0, 100.0)
    assert spc.shown_limits(result, "count") == (0.0, pytest.approx(158.0))
    assert spc.shown_limits(result, "score") == (pytest.approx(-108.0), pytest.approx(158.0))


# --- Rule 1: beyond a process limit -------------------------------------------------------------------


def test_rule_beyond_limits():
    points = monthly([15, 20, 20.5, 10, 9.9, 12])
    assert flagged(spc.beyond_limits(points, lower=10, upper=20)) == [2, 4]


def test_rule_beyond_limits_a_point_exactly_on_a_limit_is_not_beyond_it():
    assert not spc.beyond_limits(monthly([10, 20, 15]), lower=10, upper=20).any()


def test_only_rule_one_fires_on_a_spike():
    result = spc.xmr(monthly(SPIKE), polarity="higher_is_better")
    assert result.mean == pytest.approx(1084 / 13)
    assert result.mr_bar == pytest.approx(4.5)
    assert result.upper == pytest.approx(1084 / 13 + 11.97)
    assert flagged(result.beyond_limits) == [12]
    assert not (result.shift.any() or result.trend.any() or result.two_of_three.any())
    assert result.special_cause.iloc[-1] == "improvement"
    assert (result.special_cause.iloc[:-1] == "common cause").all()


# --- Rule 2: a shift ------------------------------------------------------------------------------------


def test_rule_shift_seven_on_one_side_flags_every_point_of_the_run():
    points = monthly([-1, 1, 2, 1, 3, 1, 1, 2, -1])
    assert flagged(spc.shift(points, mean=0)) == [1, 2, 3, 4, 5, 6, 7]


def test_rule_shift_six_in_a_row_is_one_short():
    assert not spc.shift(monthly([-1, 1, 2, 1, 3, 1, 1, -1]), mean=0).any()


def test_rule_shift_a_point_exactly_on_the_mean_breaks_the_run():
    # Eight points above the mean but one exactly on it: runs of 3 and 4, no shift.
    assert not spc.shift(monthly([1, 2, 1, 0, 1, 2, 1, 2]), mean=0).any()


def test_rule_shift_below_the_mean_and_a_longer_run():
    points = monthly([-1] * 9 + [1])
    assert flagged(spc.shift(points, mean=0)) == list(range(9))


def test_rule_shift_length_is_a_parameter():
    points = monthly([1, 1, 1, 1, 1, 1, -1])
    assert not spc.shift(points, mean=0).any()
    assert flagged(spc.shift(points, mean=0, length=6)) == [0, 1, 2, 3, 4, 5]


def test_only_rule_two_fires_on_a_shift():
    result = spc.xmr(monthly(SHIFT_UP), polarity="higher_is_better")
    assert result.mean == pytest.approx(1056 / 13)
    assert result.mr_bar == pytest.approx(28 / 12)
    assert flagged(result.shift) == list(range(6, 13))
    assert not (result.beyond_limits.any() or result.trend.any() or result.two_of_three.any())


# --- Rule 3: a trend ------------------------------------------------------------------------------------


def test_rule_trend_seven_rising_flags_every_point_of_the_run():
    points = monthly([5, 1, 2, 3, 4, 5, 6, 7, 3])
    assert flagged(spc.trend(points)) == [1, 2, 3, 4, 5, 6, 7]


def test_rule_trend_seven_falling():
    assert flagged(spc.trend(monthly([9, 8, 7, 6, 5, 4, 3]))) == list(range(7))


def test_rule_trend_six_in_a_row_is_one_short():
    assert not spc.trend(monthly([5, 1, 2, 3, 4, 5, 6, 2])).any()


def test_rule_trend_two_equal_points_break_it():
    # 1..3 then 3..7: runs of 3 and 5 points, not 8.
    assert not spc.trend(monthly([1, 2, 3, 3, 4, 5, 6, 7])).any()


def test_rule_trend_a_rise_then_a_fall_are_two_trends_sharing_the_peak():
    points = monthly([1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1])
    assert flagged(spc.trend(points)) == list(range(13))
    directions = spc._trend_directions(points, 7)
    assert list(directions) == [1] * 6 + [-1] * 7  # the peak takes the direction of the trend after it


def test_rule_trend_length_is_a_parameter():
    points = monthly([1, 2, 3, 4, 5, 0])
    assert not spc.trend(points).any()
    assert flagged(spc.trend(points, length=5)) == [0, 1, 2, 3, 4]


def test_only_rule_three_fires_on_a_trend_across_the_mean():
    result = spc.xmr(monthly(TREND_UP), polarity="higher_is_better")
    assert result.mean == pytest.approx(1057 / 13)
    assert result.mr_bar == pytest.approx(37 / 12)
    assert flagged(result.trend) == list(range(6, 13))
    assert not (result.beyond_limits.any() or result.shift.any() or result.two_of_three.any())
    # Below the mean, but rising: an improvement all the same.
    assert result.points.iloc[6] < result.mean
    assert set(result.special_cause.iloc[6:]) == {"improvement"}


# --- Rule 4: two of three beyond two-thirds of the way to a limit ----------------------------------------
# Mean 0, limits -3 and 3: the two-thirds lines are exactly -2 and 2.


def test_rule_two_of_three_flags_only_the_points_beyond_the_line():
    points = monthly([0, 2.5, 1, 2.5, 0, 0])
    assert flagged(spc.two_of_three(points, mean=0, lower=-3, upper=3)) == [1, 3]


def test_rule_two_of_three_low_side_and_three_of_three():
    points = monthly([0, -2.1, -2.2, -2.3, 0])
    assert flagged(spc.two_of_three(points, mean=0, lower=-3, upper=3)) == [1, 2, 3]


def test_rule_two_of_three_on_opposite_sides_is_not_a_signal():
    assert not spc.two_of_three(monthly([0, 2.5, -2.5, 0]), mean=0, lower=-3, upper=3).any()


def test_rule_two_of_three_needs_them_within_three_points():
    assert not spc.two_of_three(monthly([2.5, 0, 0, 2.5]), mean=0, lower=-3, upper=3).any()


def test_rule_two_of_three_a_point_exactly_on_the_line_is_not_beyond_it():
    assert not spc.two_of_three(monthly([2.0, 2.5, 0]), mean=0, lower=-3, upper=3).any()


def test_rule_two_of_three_one_beyond_the_limit_counts_and_the_third_point_may_be_anywhere():
    # Documented difference from NHSRplotthedots, which would flag neither group.
    points = monthly([3.5, 2.5, 0, 0, 2.5, -1, 2.5])
    assert flagged(spc.two_of_three(points, mean=0, lower=-3, upper=3)) == [0, 1, 4, 6]


def test_only_rule_four_fires_on_two_of_three_near_the_upper_limit():
    result = spc.xmr(monthly(TWO_OF_THREE_HIGH), polarity="higher_is_better")
    assert result.mean == pytest.approx(83.0)
    assert result.mr_bar == pytest.approx(10 / 7)
    assert (result.lower, result.upper) == (pytest.approx(79.2), pytest.approx(86.8))
    assert flagged(result.two_of_three) == [12, 14]
    assert not (result.beyond_limits.any() or result.shift.any() or result.trend.any())
    assert list(result.special_cause.iloc[12:]) == ["improvement", "common cause", "improvement"]


# --- Direction and polarity ----------------------------------------------------------------------------


@pytest.mark.parametrize(("values", "polarity", "expected"), [
    (SHIFT_UP, "higher_is_better", "improvement"),
    (SHIFT_UP, "lower_is_better", "concern"),
    (SHIFT_UP, "neutral", "high"),
    (reflected(SHIFT_UP), "higher_is_better", "concern"),
    (reflected(SHIFT_UP), "lower_is_better", "improvement"),
    (reflected(SHIFT_UP), "neutral", "low"),
    (reflected(TREND_UP), "lower_is_better", "improvement"),
    (reflected(TREND_UP), "neutral", "low"),
])
def test_special_cause_follows_polarity(values, polarity, expected):
    result = spc.xmr(monthly(values), polarity=polarity)
    assert set(result.special_cause.iloc[6:]) == {expected}
    assert set(result.special_cause.iloc[:6]) == {"common cause"}


def test_direction_order_beyond_a_limit_then_trend_then_shift():
    # Two points below the mean of 5, rising (a trend of 2 when trend_length=2) and a "shift" below.
    points = monthly([1, 2])
    no = pd.Series([False, False], index=points.index)
    yes = pd.Series([True, True], index=points.index)
    trend_and_shift = {"beyond_limits": no, "trend": yes, "two_of_three": no, "shift": yes}
    assert list(spc.special_cause_directions(points, 5.0, trend_and_shift, trend_length=2)) == ["high", "high"]
    first_beyond = dict(trend_and_shift, beyond_limits=pd.Series([True, False], index=points.index))
    assert list(spc.special_cause_directions(points, 5.0, first_beyond, trend_length=2)) == ["low", "high"]


def test_an_unknown_polarity_is_refused():
    with pytest.raises(ValueError, match="higher_is_better"):
        spc.xmr(monthly(STEADY), polarity="higher")


# --- Too few points and months without data -------------------------------------------------------------


def test_twelve_months_are_enough():
    assert spc.xmr(monthly(STEADY[:12]), polarity="higher_is_better").enough_points


def test_too_few_months_to_judge_gives_no_signals():
    # Eleven months with a spike that would be beyond any limit.
    result = spc.xmr(monthly(STEADY[:10] + [500]), polarity="higher_is_better")
    assert not result.enough_points
    assert result.note == "too few months to judge"
    assert math.isnan(result.mean) and math.isnan(result.upper) and math.isnan(result.lower)
    assert not result.signal.any()
    assert set(result.special_cause) == {"not judged"}
    assert spc.variation_words(result).phrase == "too few months to judge"
    assert "only 11 months" in spc.variation_words(result).sentence


def test_the_minimum_is_a_parameter():
    assert spc.xmr(monthly(STEADY[:8]), polarity="neutral", minimum_points=8).enough_points


def test_months_without_data_are_dropped_before_computing():
    values = monthly(STEADY[:2] + [np.nan] + STEADY[2:])  # June 2023 has no data
    result = spc.xmr(values, polarity="higher_is_better")
    assert len(result.points) == 13
    assert pd.Period("2023-06", "M") not in result.points.index
    assert result.months_without_data == (pd.Period("2023-06", "M"),)
    # The moving range runs over the gap, |81 - 84| = 3, so the numbers are STEADY's.
    assert result.mean == 82.0
    assert result.mr_bar == pytest.approx(3.0)


def test_months_without_data_do_not_count_towards_the_minimum():
    values = monthly(STEADY[:11] + [np.nan, np.nan])
    result = spc.xmr(values, polarity="higher_is_better")
    assert not result.enough_points
    assert len(result.points) == 11


def test_the_series_must_be_indexed_by_month():
    by_day = pd.Series(STEADY, index=pd.date_range("2023-04-01", periods=13, freq="D"))
    with pytest.raises(ValueError, match="PeriodIndex"):
        spc.xmr(by_day, polarity="neutral")
    repeated = pd.Series([1.0, 2.0], index=pd.PeriodIndex(["2023-04", "2023-04"], freq="M"))
    with pytest.raises(ValueError, match="2023-04"):
        spc.xmr(repeated, polarity="neutral")


# --- Words: variation -----------------------------------------------------------------------------------


def words(values, polarity, reading=None):
    return spc.variation_words(spc.xmr(monthly(values), polarity=polarity), reading, unit="percent")


def test_words_no_sign_of_change():
    phrase, sentence = words(STEADY, "higher_is_better")
    assert phrase == "no sign of change"
    assert sentence == ("The figures for the last 6 months went up and down within the usual range (74.0% to 90.0%) "
                        "around the average of 82.0%, as they do by chance; there is no sign of real change.")


def test_words_a_shift_at_the_end():
    phrase, sentence = words(SHIFT_UP, "higher_is_better")
    assert phrase == "improving"
    assert sentence == ("The last 7 months were all above the average of 81.2%, "
                        "a sign of real change rather than chance.")
    assert words(SHIFT_UP, "lower_is_better").phrase == "a concern"


def test_words_neutral_measures_are_higher_or_lower_than_usual():
    assert words(SHIFT_UP, "neutral").phrase == "higher than usual"
    phrase, sentence = words(reflected(SHIFT_UP), "neutral")
    assert phrase == "lower than usual"
    assert sentence.startswith("The last 7 months were all below the average of 80.8%")


def test_words_polarity_can_be_given_when_reading():
    assert words(SHIFT_UP, "higher_is_better", "lower_is_better").phrase == "a concern"


def test_words_a_shift_that_ended_within_the_last_six_months():
    # SHIFT_UP then 78: sum 1134, mean 81.0; the run of seven above ends in April 2024, May 2024 is below.
    phrase, sentence = words(SHIFT_UP + [78], "higher_is_better")
    assert phrase == "improving"
    assert sentence == ("The 7 months from October 2023 to April 2024 were all above the average of 81.0%, "
                        "a sign of real change rather than chance.")


def test_words_a_signal_older_than_six_months_is_not_news():
    # Seven above the mean, then six below: the shift is over before the last six months.
    result = spc.xmr(monthly(list(reversed(SHIFT_UP))), polarity="higher_is_better")
    assert flagged(result.shift) == list(range(7))
    assert spc.variation_words(result, unit="percent").phrase == "no sign of change"
    assert spc.variation_words(result, unit="percent", recent_months=7).phrase == "improving"


def test_words_a_point_beyond_a_limit():
    phrase, sentence = words(SPIKE, "higher_is_better")
    assert phrase == "improving"
    assert sentence == ("In April 2024 the figure was 100.0%, above the range the figures usually stay within "
                        "(71.4% to 95.4%), a sign of real change rather than chance.")


def test_words_a_trend():
    phrase, sentence = words(TREND_UP, "higher_is_better")
    assert phrase == "improving"
    assert sentence == ("The figure rose month after month for 7 months, from 78.0% in October 2023 to 84.0% in "
                        "April 2024, a sign of real change rather than chance.")
    assert words(reflected(TREND_UP), "higher_is_better").phrase == "a concern"


def test_words_two_of_three():
    phrase, sentence = words(TWO_OF_THREE_HIGH, "higher_is_better")
    assert phrase == "improving"
    assert sentence == ("In 2 of the 3 months to June 2024 the figure was above 85.5%, close to the top of its "
                        "usual range, a sign of real change rather than chance.")


def test_words_the_latest_signal_decides():
    # 81, 83 alternating with 92 in February 2024 and 72 in June 2024 (15 months): sum 1231, mean 82.0667;
    # moving ranges 1 x 2 nine times, 9, 9, 2, 2, 11: sum 51, MR-bar 3.6429; limits 72.3767 and 91.7567.
    values = [81, 83] * 5 + [92, 83, 81, 83, 72]
    result = spc.xmr(monthly(values), polarity="higher_is_better")
    assert flagged(result.beyond_limits) == [10, 14]
    assert result.special_cause.iloc[10] == "improvement"
    assert spc.variation_words(result, unit="percent").phrase == "a concern"


# --- Words: assurance -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def steady():
    return spc.xmr(monthly(STEADY), polarity="higher_is_better")  # limits 74.02 and 89.98


@pytest.mark.parametrize(("target", "polarity", "expected"), [
    (70, "higher_is_better", "expected to meet the target every month"),
    (95, "higher_is_better", "not expected to meet the target without a change in how the service works"),
    (80, "higher_is_better", "may or may not meet the target in any month (it is inside the normal range of "
                             "variation)"),
    (95, "lower_is_better", "expected to meet the target every month"),
    (70, "lower_is_better", "not expected to meet the target without a change in how the service works"),
    (80, "lower_is_better", "may or may not meet the target in any month (it is inside the normal range of "
                            "variation)"),
    (None, "higher_is_better", "no target"),
    (float("nan"), "lower_is_better", "no target"),
    (80, "neutral", "not judged"),
])
def test_assurance(steady, target, polarity, expected):
    assert spc.assurance_words(steady, target, polarity, unit="percent").phrase == expected


def test_assurance_a_target_exactly_on_a_limit_may_or_may_not_be_met(steady):
    for target in (steady.lower, steady.upper):
        for polarity in ("higher_is_better", "lower_is_better"):
            assert spc.assurance_words(steady, target, polarity).phrase.startswith("may or may not")


def test_assurance_sentence(steady):
    assert spc.assurance_words(steady, 70, unit="percent").sentence == (
        "The figures usually stay between 74.0% and 90.0%, all above the target of 70.0%, "
        "so the target can be expected to be met every month.")


def test_assurance_with_too_few_months():
    result = spc.xmr(monthly(STEADY[:5]), polarity="higher_is_better")
    assert spc.assurance_words(result, 70).phrase == "too few months to judge"
    assert spc.assurance_words(result, None).phrase == "no target"


# --- The chart ------------------------------------------------------------------------------------------


class _ChartParts(HTMLParser):
    """The img tags' attributes and the text of each body row of the table."""

    def __init__(self):
        super().__init__()
        self.images, self.rows, self._row, self._in_body = [], [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._row.append("")

    def handle_endtag(self, tag):
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data):
        if self._row is not None and self._row:
            self._row[-1] += data


def chart_parts(html: str) -> _ChartParts:
    parts = _ChartParts()
    parts.feed(html)
    return parts


def test_chart_alt_text_and_one_table_row_per_month(steady):
    html = spc_chart(steady, title="Calls answered on time held steady", subtitle="Calls answered within "
                     "20 seconds, % of calls, by month", unit="percent", target=70)
    parts = chart_parts(html)
    assert len(parts.images) == 1
    image = parts.images[0]
    assert base64.b64decode(image["src"].removeprefix("data:image/png;base64,"))[:8] == b"\x89PNG\r\n\x1a\n"
    assert image["alt"] == (
        "Chart: Calls answered on time held steady. Calls answered within 20 seconds, % of calls, by month. "
        "Monthly figures from April 2023 to April 2024; the latest, for April 2024, is 82.0%. "
        "The mean is 82.0%; the process limits, between which the figures usually stay, are 74.0% (lower) and "
        "90.0% (upper). Signal: no sign of change. The figures for the last 6 months went up and down within "
        "the usual range (74.0% to 90.0%) around the average of 82.0%, as they do by chance; there is no sign "
        "of real change. Target 70.0%: expected to meet the target every month.")
    assert len(parts.rows) == 13
    assert parts.rows[0] == ["April 2023", "80.0%", "no"]
    assert parts.rows[-1] == ["April 2024", "82.0%", "no"]


def test_chart_table_says_which_points_are_signals_by_polarity():
    result = spc.xmr(monthly(SHIFT_UP), polarity="lower_is_better")
    parts = chart_parts(spc_chart(result, title="t", subtitle="s", unit="percent", polarity="lower_is_better"))
    assert [row[2] for row in parts.rows] == ["no"] * 6 + ["concern: part of a run above the average"] * 7
    assert "Signal: a concern. The last 7 months were all above the average of 81.2%" in parts.images[0]["alt"]


def test_chart_lists_a_month_without_data():
    values = monthly(STEADY[:2] + [np.nan] + STEADY[2:])
    parts = chart_parts(spc_chart(spc.xmr(values, polarity="neutral"), title="t", subtitle="s", unit="percent",
                                  polarity="neutral"))
    assert len(parts.rows) == 14
    assert parts.rows[2] == ["June 2023", "no figure", "no data"]


def test_chart_with_too_few_months():
    result = spc.xmr(monthly([80, 81, 82]), polarity="higher_is_better")
    parts = chart_parts(spc_chart(result, title="t", subtitle="s", unit="percent"))
    alt = parts.images[0]["alt"]
    assert "Signal: too few months to judge." in alt
    assert "process limits" not in alt
    assert [row[2] for row in parts.rows] == ["not judged"] * 3


def test_assurance_cautions_when_the_latest_months_have_shifted():
    # 15 months around 51 from April 2023, then 7 at 60: the mean of all 22 is 1185 / 22 = 53.9, so
    # rule 2 (7 in a row above the mean) fires on the last seven and the limits describe the old process.
    values = [50.0, 52.0] * 7 + [51.0] + [60.0] * 7
    shifted = spc.xmr(monthly(values), polarity="higher_is_better")
    assert shifted.shift.iloc[-7:].all()
    words = spc.assurance_words(shifted, 99, unit="percent")
    assert words.phrase == "not expected to meet the target without a change in how the service works"
    assert words.sentence.endswith(
        "The latest months show a lasting shift, though: the limits, worked out from every month since April 2023, "
        "describe the service as it ran before the shift, and should be worked out again once the new level has "
        "settled.")


def test_assurance_gives_no_caution_without_a_recent_shift_or_trend(steady):
    assert "lasting shift" not in spc.assurance_words(steady, 70, unit="percent").sentence
