"""Statistical process control (analysis.spc): limits worked by hand, each rule on its own, words, the chart.

Series are monthly from April 2023 unless a test says otherwise. The rule
functions take the mean and limits as arguments, so each rule is tested on
exact numbers of its own; the series run through ``xmr`` are built so that
exactly one rule fires, with the arithmetic beside them.
"""

from __future__ import annotations

import base64
import dataclasses
import html as html_module
import math
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from analysis import pages, spc
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
# |100 - 80| = 20 instead of 2: sum 54, first MR-bar 54 / 12 = 4.5. Screening: 20 is above 3.267 x 4.5 =
# 14.7015, so it is left out: MR-bar 34 / 11 = 3.0909; limits 83.3846 -/+ 2.66 x 3.0909 = 83.3846 -/+
# 8.2218: 75.1628 and 91.6064; two-thirds lines 83.3846 -/+ 5.4812: 77.9034 and 88.8658 (the lowest
# other point is 79, the highest 86). Only 100 is beyond either line, the longest run on one side of the
# mean is 3 and there is no trend: rule 1 alone, on the last point. Unscreened (the Excel way): MR-bar
# 4.5, limits 83.3846 -/+ 11.97 = 71.4146 and 95.3546.
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
    assert result.mr_bar == pytest.approx(34 / 11)
    assert flagged(result.screened_out) == [12]
    assert (result.lower, result.upper) == (pytest.approx(75.1628, abs=1e-4), pytest.approx(91.6064, abs=1e-4))
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


def test_words_a_signal_older_than_six_months_is_not_news_but_the_title_does_not_deny_it():
    # Seven above the mean (April to October 2023), then six below: the shift is over before the last six
    # months, so it is not news; but those seven months are marked, so the phrase is "no sign of change
    # since November 2023", never a bare "no sign of change" over marked points. Mean 1056 / 13 = 81.2308,
    # limits 75.0241 and 87.4374 as for SHIFT_UP (the same points in the other order).
    result = spc.xmr(monthly(list(reversed(SHIFT_UP))), polarity="higher_is_better")
    assert flagged(result.shift) == list(range(7))
    phrase, sentence = spc.variation_words(result, unit="percent")
    assert phrase == "no sign of change since November 2023"
    assert sentence == ("Since November 2023 the figures went up and down within the usual range (75.0% to 87.4%) "
                        "around the average of 81.2%, as they do by chance; there is no sign of real change since "
                        "then.")
    assert spc.variation_words(result, unit="percent", recent_months=7).phrase == "improving"


def test_words_a_point_beyond_a_limit():
    phrase, sentence = words(SPIKE, "higher_is_better")
    assert phrase == "improving"
    assert sentence == ("In April 2024 the figure was 100.0%, above the range the figures usually stay within "
                        "(75.2% to 91.6%), a sign of real change rather than chance.")


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
    # Each month: value, mean, lower and upper limit (74.02 and 89.98, shown to one place), signal.
    assert len(parts.rows) == 13
    assert parts.rows[0] == ["April 2023", "80.0%", "82.0%", "74.0%", "90.0%", "none"]
    assert parts.rows[-1] == ["April 2024", "82.0%", "82.0%", "74.0%", "90.0%", "none"]


def test_chart_table_says_which_points_are_signals_by_polarity():
    result = spc.xmr(monthly(SHIFT_UP), polarity="lower_is_better")
    parts = chart_parts(spc_chart(result, title="t", subtitle="s", unit="percent", polarity="lower_is_better"))
    assert [row[5] for row in parts.rows] == ["none"] * 6 + ["concern: run of 7 months above the mean"] * 7
    assert "Signal: a concern. The last 7 months were all above the average of 81.2%" in parts.images[0]["alt"]


def test_chart_lists_a_month_without_data():
    values = monthly(STEADY[:2] + [np.nan] + STEADY[2:])
    parts = chart_parts(spc_chart(spc.xmr(values, polarity="neutral"), title="t", subtitle="s", unit="percent",
                                  polarity="neutral"))
    assert len(parts.rows) == 14
    assert parts.rows[2] == ["June 2023", "no figure", "82.0%", "74.0%", "90.0%", "no data"]


def test_chart_with_too_few_months():
    result = spc.xmr(monthly([80, 81, 82]), polarity="higher_is_better")
    parts = chart_parts(spc_chart(result, title="t", subtitle="s", unit="percent"))
    alt = parts.images[0]["alt"]
    assert "Signal: too few months to judge." in alt
    assert "process limits" not in alt
    assert [row[2:] for row in parts.rows] == [["not worked out"] * 3 + ["not judged"]] * 3


def test_assurance_cautions_when_the_latest_months_have_shifted():
    # SHIFT_UP: every point inside its limits (75.0241 to 87.4374), a usual range, but the last seven are
    # above the mean (rule 2), so the verdict describes the service before the shift.
    shifted = spc.xmr(monthly(SHIFT_UP), polarity="higher_is_better")
    assert shifted.usual and shifted.shift.iloc[-7:].all()
    words = spc.assurance_words(shifted, 99, unit="percent")
    assert words.phrase == "not expected to meet the target without a change in how the service works"
    assert words.sentence.endswith(
        "The latest months show a lasting shift, though: the limits, worked out from every month since April 2023, "
        "describe the service as it ran before the shift, and should be worked out again once the new level has "
        "settled.")


def test_assurance_gives_no_caution_without_a_recent_shift_or_trend(steady):
    assert "lasting shift" not in spc.assurance_words(steady, 70, unit="percent").sentence


# --- As NHSRplotthedots: screening, rebasing, its own test series ----------------------------------------

# set.seed(123); rnorm(20) in R, as R prints it: the series of NHSRplotthedots' own test of its limits
# (tests/testthat/test-ptd_spc_standard.R), whose snapshot (_snaps/ptd_spc_standard.md) gives the mean and
# limits checked below.
RNORM_20 = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123,
            -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314,
            0.49785048, -1.96661716, 0.70135590, -0.47279141]


def test_limits_of_nhsrplotthedots_own_series():
    # Sum 2.83247607, mean 0.1416238; the 19 moving ranges sum to 22.52145284, MR-bar 1.1853396. The largest,
    # |0.70135590 + 1.96661716| = 2.66797306, is below 3.267 x 1.1853396 = 3.8725, so none is screened out:
    # limits 0.1416238 -/+ 2.66 x 1.1853396 = 0.1416238 -/+ 3.1530034 = -3.0113796 and 3.2946272 (the
    # snapshot: -3.01138 and 3.294627).
    result = spc.xmr(monthly(RNORM_20, start="2020-01"), polarity="neutral")
    assert not result.screened_out.any()
    assert result.mean == pytest.approx(0.1416238, abs=1e-7)
    assert result.lower == pytest.approx(-3.01138, abs=1e-5)
    assert result.upper == pytest.approx(3.294627, abs=1e-6)


def test_screening_an_outlying_moving_range_changes_the_limits():
    # NHSRplotthedots' test sets y[15] (R counts from 1: position 14 here) to 10. Sum 2.83247607 + 10 +
    # 0.55584113 = 13.3883172, mean 0.6694159. The two moving ranges beside it are |10 - 0.11068272| =
    # 9.88931728 and |1.78691314 - 10| = 8.21308686; all 19 sum to 37.61457886, a first MR-bar of 1.9797147.
    # Both are above 3.267 x 1.9797147 = 6.4677 and are screened out: the other 17 sum to 19.51217472, MR-bar
    # 1.1477750, limits 0.6694159 -/+ 3.0530815 = -2.383666 and 3.722497 (the snapshot's r2).
    values = list(RNORM_20)
    values[14] = 10.0
    screened = spc.xmr(monthly(values, start="2020-01"), polarity="neutral")
    assert flagged(screened.screened_out) == [14, 15]
    assert screened.mean == pytest.approx(0.6694159, abs=1e-7)
    assert screened.mr_bar == pytest.approx(19.51217472 / 17)
    assert (screened.lower, screened.upper) == (pytest.approx(-2.383666, abs=1e-6), pytest.approx(3.722497, abs=1e-6))
    # screen_outliers=False, the Making Data Count spreadsheet's way: MR-bar 1.9797147, limits 0.6694159 -/+
    # 5.2660410 = -4.596625 and 5.935457 (the snapshot's r3), wider than the screened ones.
    excel = spc.xmr(monthly(values, start="2020-01"), polarity="neutral", screen_outliers=False)
    assert not excel.screened_out.any()
    assert excel.mr_bar == pytest.approx(37.61457886 / 19)
    assert (excel.lower, excel.upper) == (pytest.approx(-4.596625, abs=1e-6), pytest.approx(5.935457, abs=1e-6))
    assert flagged(excel.beyond_limits) == flagged(screened.beyond_limits) == [14]


def test_the_deviations_vignette_of_nhsrplotthedots():
    # vignettes/deviations.Rmd: 18 points, one of 10. Sum 35, mean 1.9444. Moving ranges 1, 1, 1, 8, 9 and
    # twelve 1s: sum 32, first MR-bar 32 / 17 = 1.8824. 8 and 9 are above 3.267 x 1.8824 = 6.1496: screened,
    # MR-bar 15 / 15 = 1, limits 1.9444 -/+ 2.66 = -0.72 and 4.60 (the vignette: "UPL = 4.6, Mean = 1.94,
    # LPL = -0.72"). Unscreened: 1.9444 -/+ 2.66 x 1.8824 = -3.06 and 6.95 ("as Excel"). Either way the 10
    # alone is a special cause: "four grey common cause points followed by a single blue special cause".
    values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    screened = spc.xmr(monthly(values), polarity="higher_is_better")
    assert (round(screened.lower, 2), round(screened.mean, 2), round(screened.upper, 2)) == (-0.72, 1.94, 4.60)
    excel = spc.xmr(monthly(values), polarity="higher_is_better", screen_outliers=False)
    assert (round(excel.lower, 2), round(excel.mean, 2), round(excel.upper, 2)) == (-3.06, 1.94, 6.95)
    for result in (screened, excel):
        assert flagged(result.signal) == [4]
        assert result.special_cause.iloc[4] == "improvement"


def test_a_moving_range_equal_to_the_screening_line_is_kept():
    # Twelve equal months: every moving range is 0, which is not above 3.267 x 0, so none is screened out and
    # the limits equal the mean (NHSRplotthedots screens out ranges not strictly below the line, all of them
    # here, and gives no limits). No point is off the mean, so no rule fires.
    result = spc.xmr(monthly([5.0] * 12), polarity="higher_is_better")
    assert not result.screened_out.any()
    assert (result.mr_bar, result.lower, result.upper) == (0.0, 5.0, 5.0)
    assert not result.signal.any()


def test_a_tie_at_the_top_of_a_rise_stays_part_of_the_rise():
    # 1..7, 7 again, then 8..13: two rising trends of 7 points (positions 0-6 and 7-13) with a tie between
    # them. NHSRplotthedots labels position 6 "7 Point Trend (Decreasing)" (the step to the next point, which
    # is in a trend too, is 0, and 0 reads as "De"creasing): a concern on a higher-is-better measure. Here it
    # is the top of the first rise: "high", an improvement. Mean 98 / 14 = 7, so positions 6 and 7 are on it.
    values = [1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13]
    points = monthly(values)
    assert list(spc._trend_directions(points, 7)) == [1] * 14
    result = spc.xmr(points, polarity="higher_is_better")
    assert result.trend.all()
    assert result.direction.iloc[6] == "high"
    assert result.special_cause.iloc[6] == "improvement"


# Two levels: twelve months alternating 80 and 82 from April 2023, then twelve alternating 90 and 93 from
# April 2024.
TWO_LEVELS = [80, 82] * 6 + [90, 93] * 6


def test_a_rebase_gives_each_segment_its_own_mean_moving_ranges_and_limits():
    # From April 2024 the limits are worked out afresh. Before: mean 81, eleven moving ranges of 2, MR-bar 2,
    # limits 81 -/+ 5.32 = 75.68 and 86.32. After: mean 91.5; the jump |90 - 82| = 8 is no moving range (it
    # crosses the rebase), eleven of 3, MR-bar 3, limits 91.5 -/+ 7.98 = 83.52 and 99.48.
    result = spc.xmr(monthly(TWO_LEVELS), polarity="higher_is_better", rebase=["2024-04"])
    assert list(result.segment) == [0] * 12 + [1] * 12
    assert result.rebased and result.start == pd.Period("2024-04", "M")
    assert math.isnan(result.moving_ranges.iloc[12])
    segments = result.segments
    assert list(segments["first"]) == [pd.Period("2023-04", "M"), pd.Period("2024-04", "M")]
    assert list(segments["mean"]) == [81.0, 91.5]
    assert list(segments["mr_bar"]) == [pytest.approx(2.0), pytest.approx(3.0)]
    assert list(segments["lower"]) == [pytest.approx(75.68), pytest.approx(83.52)]
    assert list(segments["upper"]) == [pytest.approx(86.32), pytest.approx(99.48)]
    assert (result.mean, result.lower, result.upper) == (91.5, pytest.approx(83.52), pytest.approx(99.48))
    assert set(result.means.iloc[:12]) == {81.0} and set(result.means.iloc[12:]) == {91.5}
    # The rules run within each segment, as NHSRplotthedots groups them: alternating about each mean, with
    # two-thirds lines at 81 -/+ 3.5467 and 91.5 -/+ 5.32, nothing fires.
    assert not result.signal.any()
    assert list(segments["usual"]) == [True, True]


def test_without_the_rebase_one_set_of_limits_makes_both_levels_a_shift():
    # One segment: mean 2070 / 24 = 86.25; moving ranges eleven 2s, one 8, eleven 3s: sum 63, MR-bar 2.7391
    # (8 is below 3.267 x 2.7391 = 8.9487, so kept); limits 86.25 -/+ 7.2861 = 78.96 and 93.54. Twelve below
    # the mean, then twelve above: rule 2 fires on every month.
    result = spc.xmr(monthly(TWO_LEVELS), polarity="higher_is_better")
    assert not result.rebased
    assert result.mr_bar == pytest.approx(63 / 23)
    assert result.shift.all()


def test_rebase_months_outside_the_chart_start_no_segment_and_one_in_a_gap_starts_at_the_next_month():
    points = spc.monthly_points(monthly([1, 2, np.nan, 4, 5]))  # April to August 2023, no June
    assert list(spc.segment_numbers(points, ["2023-04", "2022-01", "2024-01"])) == [0, 0, 0, 0]
    # June has no data: the new segment starts in July. May and June both in the gap: still one new segment.
    assert list(spc.segment_numbers(points, ["2023-06"])) == [0, 0, 1, 1]
    assert list(spc.segment_numbers(points, ["2023-06", "2023-07", "2023-08"])) == [0, 0, 1, 2]
    assert list(spc.segment_numbers(points, [pd.Period("2023-05", "M"), "2023-06"])) == [0, 1, 2, 2]


def test_a_latest_segment_of_too_few_months_is_not_judged():
    # Rebased in October 2024: six months since, fewer than 12. The months before (18 of them) are judged.
    result = spc.xmr(monthly(TWO_LEVELS), polarity="higher_is_better", rebase=["2024-10"])
    assert not result.enough_points
    assert list(result.segments["judged"]) == [True, False]
    assert set(result.special_cause.iloc[18:]) == {"not judged"}
    assert "not judged" not in set(result.special_cause.iloc[:18])
    phrase, sentence = spc.variation_words(result, unit="percent")
    assert phrase == "too few months since October 2024 to judge"
    assert sentence == ("The limits are worked out afresh from October 2024, and there are figures for only 6 months "
                        "since; at least 12 are needed to tell a real change from the usual ups and downs.")
    assert math.isnan(result.upper)


# --- A usual range only where true ------------------------------------------------------------------------

# Fifteen months about 51 from April 2023, then seven at 60 (to January 2025): 22 months, sum 1185, mean
# 53.8636. Moving ranges: thirteen 2s, |51 - 52| = 1, |60 - 51| = 9 and six 0s: sum 36, first MR-bar 36 / 21
# = 1.7143. 9 is above 3.267 x 1.7143 = 5.6006: screened out, MR-bar 27 / 20 = 1.35, limits 53.8636 -/+
# 3.591 = 50.2726 and 57.4546. Within them: the seven 52s and the 51, 8 of 22 (36%): the 50s are below, the
# 60s above. Not a usual range.
LEFT_BEHIND = [50.0, 52.0] * 7 + [51.0] + [60.0] * 7


def test_limits_that_most_months_lie_outside_are_not_called_usual():
    result = spc.xmr(monthly(LEFT_BEHIND), polarity="higher_is_better")
    assert result.mr_bar == pytest.approx(1.35)
    assert (result.lower, result.upper) == (pytest.approx(50.2726, abs=1e-4), pytest.approx(57.4546, abs=1e-4))
    latest = result.segments.iloc[-1]
    assert (latest["inside"], latest["months"]) == (8, 22)
    assert not result.usual
    phrase, sentence = spc.variation_words(result, unit="percent")
    assert phrase == "improving; limits to be worked out again"
    assert sentence == ("In January 2025 the figure was 60.0%, above the upper limit of 57.5%, "
                        "a sign of real change rather than chance.")
    assurance = spc.assurance_words(result, 55, unit="percent")
    assert assurance.phrase == "not judged against the target"
    assert "usually" not in sentence + assurance.sentence
    # The least squares change point: splitting before July 2024 leaves 50, 52, ... 51 (mean 51, squares 14)
    # and seven 60s (squares 0), total 14; before June 2024 it would leave [51, 60 x 7], squares 70.9 on
    # their own. So July 2024, and the line names it.
    assert spc.suggested_rebase(result) == pd.Period("2024-07", "M")
    assert spc.lasting_change_words(result, "calls_answered_within_standard", unit="percent") == (
        "Only 8 of the 22 months from April 2023 to January 2025 lie within the limits worked out from them "
        "(50.3% to 57.5%), fewer than 8 in 10: the months show a lasting change rather than one steady process, "
        "so these limits are not a usual range and should be worked out again from the change, in July 2024. "
        'To do so, put the line calls_answered_within_standard = ["2024-07"] under [spc.rebase] in council.toml.')
    # Months already under [spc.rebase] stay in the line named (in order).
    assert 'm = ["2022-04", "2024-07"]' in spc.lasting_change_words(result, "m", ("2022-04",), unit="percent")
    alt = chart_parts(spc_chart(result, title="t", subtitle="s", unit="percent", target=55)).images[0]["alt"]
    assert "usually stay" not in alt
    assert "the process limits are 50.3% (lower) and 57.5% (upper)" in alt


def test_with_the_line_added_the_new_level_is_too_new_to_judge():
    result = spc.xmr(monthly(LEFT_BEHIND), polarity="higher_is_better", rebase=["2024-07"])
    assert spc.variation_words(result).phrase == "too few months since July 2024 to judge"
    assert spc.lasting_change_words(result, "m") == ""


def test_eight_in_ten_months_within_the_limits_is_a_usual_range():
    # Ten months (minimum_points=10): 14, 16, then 4, 6 four times. Mean 70 / 10 = 7; moving ranges 2, 12 and
    # seven 2s: sum 28, first MR-bar 3.1111; 12 is above 3.267 x 3.1111 = 10.164, screened out: MR-bar 2,
    # limits 7 -/+ 5.32 = 1.68 and 12.32. The 4s and 6s are within, 14 and 16 beyond: 8 of 10, exactly 80%.
    result = spc.xmr(monthly([14, 16] + [4, 6] * 4), polarity="higher_is_better", minimum_points=10)
    assert (result.lower, result.upper) == (pytest.approx(1.68), pytest.approx(12.32))
    assert result.segments["share_inside"].iloc[-1] == pytest.approx(0.8)
    assert result.usual
    assert spc.lasting_change_words(result, "m") == ""


def test_change_point_by_hand():
    # [1, 1, 1, 5, 5, 5]: split before position 3 leaves two parts with no spread at all.
    assert spc.change_point(pd.Series([1.0, 1, 1, 5, 5, 5])) == 3
    assert spc.change_point(pd.Series([1.0, 2, 3])) is None  # too few for two parts of 2


# --- The title never denies the marked points; the words sit under the chart ---------------------------------


@pytest.mark.parametrize("values", [STEADY, SPIKE, SHIFT_UP, TREND_UP, TWO_OF_THREE_HIGH, LEFT_BEHIND, TWO_LEVELS,
                                    list(reversed(SHIFT_UP)), reflected(TREND_UP), SHIFT_UP + [78]])
@pytest.mark.parametrize("polarity", ["higher_is_better", "lower_is_better", "neutral"])
def test_a_title_of_no_sign_of_change_is_never_over_marked_points(values, polarity):
    result = spc.xmr(monthly(values), polarity=polarity)
    phrase = spc.variation_words(result).phrase
    is_marked = spc.marked(result)
    if phrase.startswith("no sign of change since "):
        since = pd.Period(pd.Timestamp(phrase.removeprefix("no sign of change since ").split(";")[0]), "M")
        assert is_marked.any() and not is_marked[result.points.index >= since].any()
    elif phrase.startswith("no sign of change"):
        assert not is_marked.any()
    else:
        assert is_marked.iloc[-6:].any()


def test_the_numbers_table_says_each_signal_in_words():
    def signals(values):
        result = spc.xmr(monthly(values), polarity="higher_is_better")
        return [row[5] for row in chart_parts(spc_chart(result, title="t", subtitle="s", unit="percent")).rows]

    assert signals(SPIKE)[-1] == "improvement: above the upper limit"
    assert signals(TREND_UP)[6:] == ["improvement: run of 7 months each higher than the last"] * 7
    assert signals(TWO_OF_THREE_HIGH)[12:] == ["improvement: 2 of 3 months close to the upper limit", "none",
                                               "improvement: 2 of 3 months close to the upper limit"]
    assert signals(reflected(SHIFT_UP))[6:] == ["concern: run of 7 months below the mean"] * 7


def test_each_segment_has_its_own_mean_and_limits_in_the_numbers_table():
    result = spc.xmr(monthly(TWO_LEVELS), polarity="higher_is_better", rebase=["2024-04"])
    parts = chart_parts(spc_chart(result, title="t", subtitle="s", unit="percent"))
    assert parts.rows[11] == ["March 2024", "82.0%", "81.0%", "75.7%", "86.3%", "none"]
    assert parts.rows[12] == ["April 2024", "90.0%", "91.5%", "83.5%", "99.5%", "none"]
    assert ("Since April 2024, the mean is 91.5%; the process limits, between which the figures usually stay, are "
            "83.5% (lower) and 99.5% (upper).") in parts.images[0]["alt"]


def test_the_words_sit_directly_under_the_chart_before_its_numbers(steady):
    html = str(spc_chart(steady, title="t", subtitle="s", unit="percent", words="What the chart shows."))
    image, words, numbers = html.index("<img"), html.index("What the chart shows."), html.index("<details>")
    assert image < words < numbers
    assert html.count("<figure") == 1 and html.index("</details>") < html.index("</figure>")


# --- The sample council and its pages ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    from analysis.workbook import prepare

    return prepare()


def page_words(fragment) -> str:
    """What a reader sees: the HTML's text with tags dropped, entities read and spaces squeezed."""
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", str(fragment)))).strip()


def test_the_sample_works_the_limits_out_afresh_where_its_levels_change(sample):
    # analysis/sample.py answers 78%, 79%, 70% and 77% of calls within 20 seconds in 2021/22 to 2024/25
    # (CALLS_WITHIN_20): its council.toml rebases in April 2023 and April 2024, and every segment is then a
    # usual range.
    result = sample.spc("calls_answered_within_standard")
    assert list(result.segments["first"]) == [pd.Period(m, "M") for m in ("2021-04", "2023-04", "2024-04")]
    assert result.segments["usual"].all() and result.screen_outliers
    # [spc] screen_outliers = false: every moving range counts.
    excel = dataclasses.replace(sample, config=dataclasses.replace(sample.config, spc_screen_outliers=False))
    unscreened = excel.spc("calls_answered_within_standard")
    assert not unscreened.screen_outliers and not unscreened.screened_out.any()
    latest = unscreened.moving_ranges[unscreened.segment == 2]
    assert unscreened.mr_bar == pytest.approx(latest.mean())


def test_without_its_rebase_the_sample_page_says_the_limits_need_working_out_again(sample):
    # One set of limits over 2021/22 to 2024/25: the 2023/24 months (about 70%) lie below them and most of
    # the rest above, so the page names the line to add; the largest change in the generator is April 2023.
    bare = dataclasses.replace(sample, config=dataclasses.replace(sample.config, spc_rebase={}))
    chart = pages.monthly_chart(bare, "calls_answered_within_standard", "Calls answered within the standard")
    text = page_words(chart)
    assert 'put the line calls_answered_within_standard = ["2023-04"] under [spc.rebase] in council.toml' in text
    assert "the months show a lasting change" in text
    assert "usually stay" not in text and "within the usual range" not in text
    alt = chart_parts(chart).images[0]["alt"]
    assert alt.startswith("Chart: Calls answered within the standard: ")
    assert "limits to be worked out again" in alt.split(". ")[0]
    # With April 2023 added, the next line keeps it and adds April 2024.
    once = dataclasses.replace(sample, config=dataclasses.replace(
        sample.config, spc_rebase={"calls_answered_within_standard": ("2023-04",)}))
    text = page_words(pages.monthly_chart(once, "calls_answered_within_standard", "Calls answered"))
    assert 'calls_answered_within_standard = ["2023-04", "2024-04"]' in text


@pytest.mark.parametrize(("measure_id", "subject"), [
    ("responses_within_standard", "Responses within the standard"),
    ("calls_answered_within_standard", "Calls answered within the standard"),
    ("calls_abandoned", "Calls abandoned"),
    ("complaints_responded_within_standard", "Complaints answered on time"),
    ("digital_share", "Contacts logged in the CRM made digitally"),
])
def test_every_sample_chart_has_its_words_under_it_and_a_title_true_to_its_points(sample, measure_id, subject):
    chart = str(pages.monthly_chart(sample, measure_id, subject))
    assert chart.startswith("<figure") and chart.index("<img") < chart.index("chart-words") < chart.index("<details>")
    result = sample.spc(measure_id)
    phrase = spc.variation_words(result).phrase
    assert chart_parts(chart).images[0]["alt"].startswith(f"Chart: {subject}: {phrase}.")
    if phrase == "no sign of change":
        assert not spc.marked(result).any()
    # The sample is honest out of the box: every stretch is usual, or too short to judge (the responses' last
    # stretch once March 2025, not yet final, is left out).
    assert (result.segments["usual"] | (result.segments["months"] < spc.MINIMUM_POINTS)).all()
    if result.rebased:
        assert "worked out afresh from" in page_words(chart)
