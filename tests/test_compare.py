"""Significance and the baseline year, each rule with numbers worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.compare import (
    add_comparisons,
    change_p_value,
    dispersion,
    net_score_p_value,
    smallest_expected_count,
    to_csv_frame,
)
from analysis.measures import monthly_dispersion, rate_rows

# Two years of six months, 1,000 calls a month. Year 1 answers 700, 800, 700, 800, 700, 800 (4,500 of 6,000,
# 75%); year 2 answers 720, 820, ... (4,620 of 6,000, 77%).
YEAR_1 = [700, 800] * 3
YEAR_2 = [720, 820] * 3


def test_monthly_dispersion_by_hand():
    by_month = pd.DataFrame({"year": ["a"] * 6 + ["b"] * 6, "num": YEAR_1 + YEAR_2, "den": [1000.0] * 12})
    spread = monthly_dispersion(by_month, ["year"]).set_index("year")
    # Year a: rate 0.75, so each month expects 750 with variance 1000 x 0.75 x 0.25 = 187.5; every month is 50
    # off, 2500 / 187.5 = 13.3333, six months: 80. Year b: 770 expected, variance 177.1; 2500 / 177.1 x 6 = 84.698.
    assert spread.loc["a", "monthly_chi2"] == pytest.approx(80.0)
    assert spread.loc["b", "monthly_chi2"] == pytest.approx(84.6979, abs=1e-4)
    assert spread["months"].tolist() == [6, 6]


def test_an_overdispersed_series_is_not_called_significant():
    # The plain z-test: pooled 9,120 / 12,000 = 0.76; SE = sqrt(0.76 x 0.24 x 2/6000) = 0.0077974;
    # z = 0.02 / 0.0077974 = 2.565, p = 0.0103: "significant".
    plain = change_p_value(4620, 6000, 4500, 6000)
    assert plain[()] == pytest.approx(0.010319, abs=1e-6)
    # The months vary far more than chance: X^2 = 80 + 84.698 = 164.698 over M = 12 months,
    # phi = 164.698 / (12 - 2) = 16.470; z / sqrt(phi) = 2.565 / 4.0583 = 0.632, p = 0.527: not significant.
    assert dispersion(80.0, 6, 84.6979, 6)[()] == pytest.approx(16.46979, abs=1e-4)
    adjusted = change_p_value(4620, 6000, 4500, 6000, 84.6979, 6, 80.0, 6)
    assert adjusted[()] == pytest.approx(0.52737, abs=1e-4)


def test_dispersion_is_never_below_one_and_needs_six_months():
    # Months steadier than chance (X^2 = 2 over 12 months) do not make a change more significant: phi = 1.
    assert dispersion(1.0, 6, 1.0, 6)[()] == 1.0
    # Fewer than six months in the two years, or no monthly series: phi = 1.
    assert dispersion(500.0, 2, 500.0, 3)[()] == 1.0
    assert dispersion(np.nan, np.nan, np.nan, np.nan)[()] == 1.0


def test_fisher_where_an_expected_count_is_below_five():
    # 5 of 5 against 0 of 5: pooled 0.5, expected counts 2.5, below 5, so Fisher's exact test. Of the
    # C(10, 5) = 252 ways to place the 5 successes, only "all in the first" and "all in the second" are as
    # extreme as what was seen: p = 2 / 252 = 0.00794.
    assert smallest_expected_count(5, 5, 0, 5)[()] == 2.5
    assert change_p_value(5, 5, 0, 5)[()] == pytest.approx(2 / 252)
    # 3 of 5 against 2 of 5: every table is at least as likely as some other; p = 1.
    assert change_p_value(3, 5, 2, 5)[()] == pytest.approx(1.0)


def test_no_base_no_test():
    assert np.isnan(change_p_value(0, 0, 5, 10)[()])


def test_net_satisfaction_with_its_own_variance():
    # Year 1: 100 ratings, 60 good, 20 poor: score 40, v = 0.6 + 0.2 - 0.4^2 = 0.64. Year 2: 50 good, 30 poor:
    # score 20, v = 0.5 + 0.3 - 0.2^2 = 0.76. z = 0.2 / sqrt(0.0064 + 0.0076) = 1.6903, p = 0.0910.
    assert net_score_p_value(0.6, 0.2, 100, 0.5, 0.3, 100)[()] == pytest.approx(0.090969, abs=1e-5)


def _three_years(measure_id="calls_answered_within_standard", unit="percent"):
    return pd.DataFrame({
        "year": ["2021/22", "2022/23", "2023/24"],
        "measure_id": measure_id,
        "breakdown": "",
        "value": [80.0, 70.0, 75.0],
        "numerator": [8000.0, 7000.0, 7500.0],
        "denominator": [10000.0] * 3,
        "unit": unit,
    })


def test_better_than_last_year_and_worse_than_the_baseline():
    rows = add_comparisons(_three_years()).set_index("year")
    latest = rows.loc["2023/24"]
    # 75% against 70% the year before: +5 points on 10,000 each (z = 0.05 / sqrt(0.725 x 0.275 x 2/10000)
    # = 7.9): significant. Against the baseline, 80% in 2021/22: -5 points, significant too.
    assert latest["previous_value"] == 70.0 and latest["change"] == 5.0 and bool(latest["significant"])
    assert latest["baseline_year"] == "2021/22" and latest["baseline_value"] == 80.0
    assert latest["change_since_baseline"] == -5.0 and bool(latest["significant_since_baseline"])
    # The baseline year is not tested against itself.
    assert rows.loc["2021/22", "change_since_baseline"] == 0 and pd.isna(rows.loc["2021/22", "significant_since_baseline"])


def test_the_baseline_year_from_the_strategy():
    rows = add_comparisons(_three_years(), baseline_year="2022/23").set_index("year")
    assert rows.loc["2023/24", "baseline_value"] == 70.0 and rows.loc["2021/22", "change_since_baseline"] == 10.0


def test_actions_are_never_tested():
    # The plan is every action, not a sample: 10 of 13 against 5 of 13 is a change, never "significant".
    rows = _three_years("actions_achieved")
    rows[["numerator", "denominator"]] = [[10, 13], [5, 13], [12, 13]]
    out = add_comparisons(rows)
    assert out["significant"].isna().all() and out["significant_since_baseline"].isna().all()
    assert out["change"].tolist()[1:] == [-10.0, 5.0]  # the change itself is still given


def test_measures_csv_has_the_contracts_columns_only():
    out = to_csv_frame(add_comparisons(_three_years()))
    assert list(out.columns) == [
        "year", "measure_id", "breakdown", "value", "numerator", "denominator", "unit", "target", "target_met",
        "previous_value", "change", "significant", "baseline_year", "baseline_value", "change_since_baseline",
        "significant_since_baseline"]
    assert out["significant_since_baseline"].fillna("").tolist() == ["", "true", "true"]


def test_rate_rows_carry_each_years_monthly_dispersion():
    # Year 2023/24: April 7 of 10, May 9 of 10: 16 of 20, rate 0.8. Expected 8 each month, variance
    # 10 x 0.8 x 0.2 = 1.6; (7 - 8)^2 / 1.6 + (9 - 8)^2 / 1.6 = 1.25.
    months = pd.Series(pd.to_datetime(["2023-04-05"] * 10 + ["2023-05-05"] * 10))
    success = np.array([1] * 7 + [0] * 3 + [1] * 9 + [0])
    rows = rate_rows("x", pd.Series(["2023/24"] * 20), success, np.ones(20), months=months)
    assert rows["monthly_chi2"].iloc[0] == pytest.approx(1.25) and rows["months"].iloc[0] == 2


def test_no_test_is_made_across_a_change_of_standard():
    """The sample's email standard went from 10 to 5 working days in 2022/23 (council.toml). measures.csv keeps the
    change but leaves the test empty where the figures count against different standards: 2022/23 on the year before
    (the headline, the email channel, the digital group), and every later year against 2021/22; the letter channel,
    whose standard never changed, is still tested."""
    from analysis.workbook import prepare

    m = prepare().measures
    rows = m[m["measure_id"] == "responses_within_standard"].set_index(["year", "breakdown"])
    for key in (("2022/23", ""), ("2022/23", "channel=email"), ("2022/23", "channel_group=digital")):
        assert pd.isna(rows.loc[key, "significant"]), key
        assert not pd.isna(rows.loc[key, "change"]), key  # the figures are still given
    for key in (("2024/25", ""), ("2024/25", "channel=email"), ("2023/24", "channel_group=digital")):
        assert pd.isna(rows.loc[key, "significant_since_baseline"]), key
    assert not pd.isna(rows.loc[("2024/25", "channel=letter"), "significant_since_baseline"])
    assert not pd.isna(rows.loc[("2024/25", ""), "significant"])  # 2023/24 to 2024/25: the same standards
