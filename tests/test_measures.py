"""Counting rules with hand-worked numbers: the Riverside council (see conftest) and small cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.compare import add_comparisons, target_met, two_proportion_p_value
from analysis.config import load_config
from analysis.datasets import load_all
from analysis.measures import (
    action_plan_measures,
    actions_not_achieved,
    carry_forward_chains,
    count_rows,
    mean_rows,
    rate_rows,
)
from analysis.workbook import latest_complete_year, prepare
from conftest import RIVERSIDE_EXPECTED


@pytest.fixture(scope="module")
def riverside_workbook(riverside):
    return prepare(riverside)


@pytest.mark.parametrize("key", sorted(RIVERSIDE_EXPECTED), ids=lambda k: "|".join(k))
def test_riverside_figures_follow_the_contract(riverside_workbook, key):
    value, numerator, denominator = RIVERSIDE_EXPECTED[key]
    rows = riverside_workbook.measures.set_index(["year", "measure_id", "breakdown"])
    assert key in rows.index, f"{key} missing from the measures"
    row = rows.loc[key]
    assert math.isclose(row["value"], value, rel_tol=1e-12)
    if numerator is not None:
        assert (row["numerator"], row["denominator"]) == (numerator, denominator)
    else:
        assert pd.isna(row["numerator"]) and pd.isna(row["denominator"])


def test_riverside_year_and_as_at(riverside_workbook):
    # Latest record: R2 closed 10 April 2024, so 2023/24 is the latest complete year;
    # the action plan's 2024/25 does not make 2024/25 complete.
    assert riverside_workbook.year == "2023/24"
    assert riverside_workbook.years == ["2022/23", "2023/24"]
    assert str(riverside_workbook.as_at["contacts"]) == "2024-04-10"


def test_riverside_targets_and_comparisons(riverside_workbook):
    rows = riverside_workbook.measures.set_index(["year", "measure_id", "breakdown"])
    responses = rows.loc[("2023/24", "responses_within_standard", "")]
    assert responses["target"] == 80
    assert responses["target_met"] == False  # noqa: E712 - 55.6% < 80%; a missing value would fail here
    assert math.isclose(responses["previous_value"], 50.0)
    assert math.isclose(responses["change"], 100 * 5 / 9 - 50)
    # 5/9 against 2/4: pooled 7/13, se = sqrt(7/13 * 6/13 * (1/9 + 1/4)) = 0.2998, z = 0.185 -> not significant.
    assert responses["significant"] == False  # noqa: E712
    abandoned = rows.loc[("2023/24", "calls_abandoned", "")]
    assert abandoned["target_met"] == False  # noqa: E712 - 33.3% > 10%, lower is better
    digital = rows.loc[("2023/24", "digital_share", "")]
    assert pd.isna(digital["target"]) and pd.isna(digital["target_met"])  # target to be agreed
    speed = rows.loc[("2023/24", "average_speed_of_answer", "")]
    assert math.isclose(speed["change"], 9.0) and pd.isna(speed["significant"])  # not a percentage


def test_personal_columns_never_loaded(riverside):
    datasets = load_all(load_config(riverside))
    assert "Customer Name" in datasets.loaded["contacts"].ignored_columns
    assert "Officer email" in datasets.loaded["action_plan"].ignored_columns
    for item in datasets.loaded.values():
        for column in item.frame.columns:
            assert "name" not in column.lower() or column == "name"
            assert not item.frame[column].astype(str).str.contains("Example|@example", regex=True).any()


def test_zero_denominator_is_missing_not_zero():
    years = pd.Series(["2023/24", "2023/24", "2024/25"])
    rows = rate_rows("x", years, [1, 0, 0], [1, 1, 0])
    by_year = rows.set_index("year")["value"]
    assert by_year["2023/24"] == 50.0
    assert np.isnan(by_year["2024/25"])


def test_percentages_are_summed_not_averaged():
    # Channel a: 1 of 1; channel b: 1 of 3. The headline is 2 of 4 = 50%, not (100 + 33.3) / 2.
    years = pd.Series(["2023/24"] * 4)
    rows = rate_rows("x", years, [1, 1, 0, 0], [1, 1, 1, 1], {"channel": pd.Series(["a", "b", "b", "b"])})
    headline = rows[rows["breakdown"] == ""].iloc[0]
    assert headline["value"] == 50.0 and (headline["numerator"], headline["denominator"]) == (2, 4)
    assert set(rows["breakdown"]) == {"", "channel=a", "channel=b"}


def test_count_and_mean_rows():
    years = pd.Series(["2023/24", "2023/24", "2023/24", None])
    counts = count_rows("n", years)
    assert counts["value"].tolist() == [3]
    means = mean_rows("m", pd.Series(["2023/24"] * 3), [10, 20, 99], [True, True, False], unit="seconds")
    assert means["value"].tolist() == [15.0]


def test_two_proportion_test_by_hand():
    # 80/100 against 65/100: pooled 0.725, se = sqrt(0.725 * 0.275 * 0.02) = 0.06315, z = 2.375,
    # two-sided p = 0.0175 -> significant at 95%.
    p = two_proportion_p_value([80], [100], [65], [100])
    assert p[0] == pytest.approx(0.0175, abs=0.0005)
    # 52/100 against 50/100: z = 0.283, p = 0.777 -> not significant.
    assert two_proportion_p_value([52], [100], [50], [100])[0] == pytest.approx(0.777, abs=0.001)
    # A zero base cannot be tested; identical 100% against 100% is no change.
    assert np.isnan(two_proportion_p_value([0], [0], [1], [2])[0])
    assert two_proportion_p_value([5], [5], [9], [9])[0] == 1.0


def test_target_met_respects_polarity():
    met = target_met([90, 70, 5, 12, 50, np.nan], [80, 80, 10, 10, 50, 80],
                     ["higher_is_better", "higher_is_better", "lower_is_better", "lower_is_better",
                      "neutral", "higher_is_better"])
    assert met.tolist()[:4] == [True, False, True, False]
    assert pd.isna(met[4]) and pd.isna(met[5])


def test_significance_only_for_percentages():
    rows = pd.DataFrame({
        "year": ["2022/23", "2023/24", "2022/23", "2023/24"],
        "measure_id": ["p", "p", "c", "c"], "breakdown": "",
        "value": [65.0, 80.0, 100, 150], "numerator": [65, 80, np.nan, np.nan],
        "denominator": [100, 100, np.nan, np.nan], "unit": ["percent", "percent", "count", "count"],
    })
    out = add_comparisons(rows).set_index(["measure_id", "year"])
    assert bool(out.loc[("p", "2023/24"), "significant"]) is True
    assert pd.isna(out.loc[("c", "2023/24"), "significant"]) and out.loc[("c", "2023/24"), "change"] == 50
    assert pd.isna(out.loc[("p", "2022/23"), "previous_value"])


def _plan(rows):
    return pd.DataFrame(rows, columns=["plan_year", "action_id", "theme", "action", "status", "carried_from",
                                       "progress_note"])


def test_action_plan_carry_forward_and_chains():
    plan = _plan([
        ("2021/22", "1a", "T1", "A", "achieved", None, None),
        ("2021/22", "2b", "T2", "B", "not_achieved", None, "Delayed"),
        ("2021/22", "3c", "T2", "C", "not_achieved", None, None),
        ("2022/23", "1a", "T2", "B again", "not_achieved", "2021/22:2b", None),
        ("2022/23", "2a", "T1", "D", "withdrawn", None, None),
        ("2023/24", "1a", "T2", "B third time", "ongoing", "2022/23:1a", None),
    ])
    rows = action_plan_measures(plan).set_index(["year", "measure_id", "breakdown"])
    assert rows.loc[("2021/22", "actions_achieved", ""), "value"] == pytest.approx(100 / 3)
    assert rows.loc[("2021/22", "actions_not_achieved", "theme=T2"), "value"] == 2
    assert rows.loc[("2021/22", "actions_carried_forward", ""), "value"] == 1
    assert rows.loc[("2022/23", "actions_carried_forward", ""), "value"] == 1
    assert np.isnan(rows.loc[("2023/24", "actions_carried_forward", ""), "value"])  # no 2024/25 plan yet
    assert rows.loc[("2022/23", "actions_achieved", ""), "value"] == 0.0

    missed = actions_not_achieved(plan, "2021/22").set_index("action_id")
    assert missed.loc["2b", "carried_to"] == "2022/23 action 1a"
    assert missed.loc["3c", "carried_to"] == "not carried forward"

    chains = carry_forward_chains(plan).set_index(["plan_year", "action_id"])
    assert chains.loc[("2023/24", "1a"), "times_carried"] == 2
    assert chains.loc[("2023/24", "1a"), "first_planned"] == "2021/22"
    assert chains.loc[("2022/23", "1a"), "times_carried"] == 1
    assert chains.loc[("2021/22", "1a"), "times_carried"] == 0


def test_latest_complete_year_needs_the_year_end(riverside):
    datasets = load_all(load_config(riverside))
    assert latest_complete_year(datasets) == "2023/24"
    calls = datasets.loaded["calls"].frame
    datasets.loaded["calls"].frame = pd.concat(
        [calls, calls.iloc[[0]].assign(call_id="late", offered_at=pd.Timestamp("2025-03-31 16:59"))])
    assert latest_complete_year(datasets) == "2024/25"  # a record on 31 March completes the year


def test_riverside_facts_for_the_pages(riverside_workbook):
    """Worked out once per run so that no notebook reads every contact.

    Not yet due at 10 April 2024 (the latest timestamp in Riverside's contacts): L1, a letter received
    Thu 28 March 2024 with a 15-working-day standard; Fri 29 March (Good Friday) and Mon 1 April (Easter
    Monday) are not working days, so by 10 April only Tue 2 to Fri 5 and Mon 8 to Wed 10 April have
    passed: 7 of 15. E5 (email, Mon 11 March, 3 days) was due on Thu 14 March and has no response:
    overdue, not "not yet due". Every other 2023/24 contact on a channel with a standard has a response.
    In person: P3 at Library Hub and P4 at Town Hall, neither with a category.
    """
    assert riverside_workbook.facts["not_yet_due"] == 1
    purposes = riverside_workbook.facts["in_person_purposes"]
    assert purposes.to_dict("records") == [
        {"location": "Library Hub", "category": "not recorded", "visits": 1, "share": 100.0},
        {"location": "Town Hall", "category": "not recorded", "visits": 1, "share": 100.0},
    ]
