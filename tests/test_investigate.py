"""The helpers for ad-hoc questions (analysis/investigate.py), each on a frame small enough to work by hand."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis import investigate as inv


@pytest.fixture
def contacts() -> pd.DataFrame:
    """Six contacts; index labels deliberately not 0..5, so nothing may rely on positions matching labels."""
    return pd.DataFrame({
        "contact_id": ["A", "B", "C", "D", "E", "F"],
        "received_at": pd.to_datetime(["2022-09-30 23:59", "2022-10-03 00:00", "2022-10-03 09:00",
                                       "2022-11-15 10:00", "2023-01-02 12:00", "2023-01-31 16:00"]),
        "channel": pd.Categorical(["report_it", "report_it", "email", "in_person", "in_person", "report_it"]),
        "service": ["Waste", "Waste", "Planning", "Revenues", "Waste", "Waste"],
        "category": ["Missed bin", "Fly-tipping", "Planning enquiry", "Benefits post", "Food caddy", "Missed bin"],
        "location": [None, None, None, "Northbrook AIC", "Elmcleeve AIC", None],
        "ward": ["Abbey", "Abbey", "Stanbury", "Northbrook", "Elmcleeve", "Stanbury"],
        "resolved": pd.array([True, False, None, True, True, False], dtype="boolean"),
    }, index=[10, 11, 12, 13, 14, 15])


# --- select ---------------------------------------------------------------------------------


def test_select_by_each_filter(contacts):
    assert list(inv.select(contacts, service="Waste")["contact_id"]) == ["A", "B", "E", "F"]
    assert list(inv.select(contacts, category=["Missed bin", "Food caddy"])["contact_id"]) == ["A", "E", "F"]
    assert list(inv.select(contacts, location="Northbrook AIC")["contact_id"]) == ["D"]
    assert list(inv.select(contacts, ward=("Abbey", "Elmcleeve"))["contact_id"]) == ["A", "B", "E"]
    assert list(inv.select(contacts, channel="report_it")["contact_id"]) == ["A", "B", "F"]  # categorical column
    # every filter at once must all hold
    chosen = inv.select(contacts, channel="report_it", category="Missed bin", ward="Stanbury")
    assert list(chosen["contact_id"]) == ["F"]
    # no filter: every row, index kept
    assert list(inv.select(contacts).index) == [10, 11, 12, 13, 14, 15]
    assert inv.select(contacts, service="Nobody").empty
    # One value that is not a string (a ward or service code) is one value, not a list to iterate.
    coded = contacts.assign(ward=[3, 3, 7, 9, 7, 3])
    assert list(inv.select(coded, ward=7)["contact_id"]) == ["C", "E"]
    assert list(inv.select(coded, ward={9, 3}, channel="in_person")["contact_id"]) == ["D"]


def test_select_start_is_inclusive_and_end_exclusive(contacts):
    # 2022-10-03 00:00 is the first instant of the start day: B is in, A (a minute before midnight) is out.
    chosen = inv.select(contacts, start="2022-10-03", end="2023-01-02 12:00")
    assert list(chosen["contact_id"]) == ["B", "C", "D"]  # E, exactly at the end, is left out
    assert list(inv.select(contacts, end="2022-10-03")["contact_id"]) == ["A"]
    assert list(inv.select(contacts, start=pd.Timestamp("2023-01-02 12:00"))["contact_id"]) == ["E", "F"]
    import datetime as dt

    assert list(inv.select(contacts, start=dt.date(2023, 1, 1), end=dt.date(2023, 2, 1))["contact_id"]) == ["E", "F"]


def test_select_on_another_date_column_and_missing_columns(contacts):
    frame = contacts.rename(columns={"received_at": "logged"})
    with pytest.raises(ValueError, match="no date column"):
        inv.select(frame, start="2022-10-01")
    assert list(inv.select(frame, start="2023-01-01", date_column="logged")["contact_id"]) == ["E", "F"]
    with pytest.raises(ValueError, match="no 'location' column"):
        inv.select(contacts.drop(columns="location"), location="Northbrook AIC")
    invitations = pd.DataFrame({"invited_on": pd.to_datetime(["2024-01-14", "2024-01-15"])})
    assert len(inv.select(invitations, start="2024-01-15")) == 1  # invited_on is found on its own


# --- comparing two rates --------------------------------------------------------------------


def test_compare_rates_significant_by_hand():
    # 50 of 100 against 70 of 100. Pooled p = 120/200 = 0.6;
    # SE = sqrt(0.6 x 0.4 x (1/100 + 1/100)) = sqrt(0.0048) = 0.069282;
    # z = (0.5 - 0.7) / 0.069282 = -2.88675; two-sided p = erfc(2.88675 / sqrt 2) = 0.003892.
    result = inv.compare_rates(50, 100, 70, 100, "2023/24", "2024/25")
    assert result.p_value == pytest.approx(0.003892, abs=1e-6)
    assert result.p_value == pytest.approx(math.erfc(2.886751 / math.sqrt(2)), rel=1e-5)
    assert result.significant
    assert result.rate_a == 50 and result.rate_b == 70 and result.change == pytest.approx(20)
    assert result.words == ("50.0% (50 of 100) in 2023/24, against 70.0% (70 of 100) in 2024/25. The rate in "
                            "2024/25 is higher, and the difference is statistically significant (more than chance "
                            "would explain).")
    assert result.brief == "up 20.0 points, a significant change"
    assert result.verdict("higher_is_better") == "improved: up 20.0 points"
    assert result.verdict("lower_is_better") == "worse: up 20.0 points"
    assert result.verdict("neutral") == "up 20.0 points, a significant change"
    assert result.versus() == "significantly higher than in 2023/24 (50.0%)"
    assert result.versus("higher_is_better") == "significantly better than in 2023/24 (50.0%)"
    assert result.versus("lower_is_better") == "significantly worse than in 2023/24 (50.0%)"
    lower = inv.compare_rates(70, 100, 50, 100, "before", "after")
    assert "The rate in after is lower" in lower.words
    assert lower.verdict("lower_is_better") == "improved: down 20.0 points"
    assert lower.versus() == "significantly lower than in before (70.0%)"


def test_compare_rates_not_significant_by_hand():
    # 50 of 100 against 55 of 100. Pooled p = 0.525; SE = sqrt(0.525 x 0.475 x 0.02) = 0.070622;
    # z = -0.05 / 0.070622 = -0.70799; p = 0.47895: not below 0.05.
    result = inv.compare_rates(50, 100, 55, 100, "2023/24", "2024/25")
    assert result.p_value == pytest.approx(0.47895, abs=1e-5)
    assert not result.significant
    assert result.words.endswith("The difference is not statistically significant: it could be chance, so it is "
                                 "not evidence of a change.")
    assert "higher" not in result.words and "improve" not in result.words
    assert result.brief == "no significant change (up 5.0 points)"
    assert result.verdict("higher_is_better") == "no significant change (up 5.0 points)"  # never "improved"
    assert result.versus("higher_is_better") == "not significantly different from 2023/24 (50.0%)"
    same = inv.compare_rates(10, 20, 10, 20, "a", "b")
    assert same.p_value == pytest.approx(1.0) and same.brief == "no change"
    # 0% against 0%: no spread at all, so no change rather than a division by zero
    assert inv.compare_rates(0, 50, 0, 60, "a", "b").p_value == 1.0


def test_compare_rates_too_few_to_compare_and_suppressed():
    result = inv.compare_rates(2, 4, 3, 100, "April 2022", "May 2022")
    # The labels keep their capitals (a sentence is capitalised by its first letter only).
    # 3.0% beside "fewer than 5 of 100" would give the 3 back: too few to report.
    assert result.words == ("Too few to report (fewer than 5 of fewer than 5) in April 2022, against too few to "
                            "report (fewer than 5 of 100) in May 2022: too few to compare.")
    assert result.too_few and result.brief == "too few to compare"
    assert result.verdict("higher_is_better") == "too few to compare"
    assert result.versus() == "too few to compare with April 2022"
    table = result.table()
    assert list(table.columns) == ["Period", "Of", "Number", "Rate"]
    assert table.to_dict("list") == {"Period": ["April 2022", "May 2022"], "Of": ["fewer than 5", "100"],
                                     "Number": ["fewer than 5", "fewer than 5"],
                                     "Rate": ["too few to report", "too few to report"]}
    empty = inv.compare_rates(0, 0, 5, 10, "a", "b")
    assert math.isnan(empty.p_value) and not empty.significant and "too few to compare" in empty.words
    # A larger minimum count is respected.
    assert inv.compare_rates(50, 100, 70, 100, "a", "b", minimum_count=101).brief == "too few to compare"


def test_compare_periods_on_a_tiny_frame(contacts):
    # Period a: 1 Sep to 3 Oct 2022 (A, a Report It contact, only). Period b: 3 Oct 2022 to 1 Feb 2023 (B to F).
    # Success = Report It: a 1 of 1; b 2 of 5 (B and F).
    result = inv.compare_periods(contacts, (contacts["channel"] == "report_it").to_numpy(),
                                 ("2022-09-01", "2022-10-03"), ("2022-10-03", "2023-02-01"), minimum_count=1)
    assert (result.successes_a, result.total_a, result.successes_b, result.total_b) == (1, 1, 2, 5)
    assert result.label_a == "1 September 2022 to 2 October 2022"
    assert result.label_b == "3 October 2022 to 31 January 2023"
    # Expected counts under the pooled 3/6 are 0.5 in period a, below 5, so Fisher's exact test: with 3 Report Its
    # among 6 contacts, period a's one contact is a Report It with probability C(3,1)C(3,0)/C(6,1) = 3/6 = 0.5
    # and not with 0.5; both are no more likely than what was seen, so the two-sided p is 0.5 + 0.5 = 1.
    # (The plain z-test would have given 0.273322.)
    assert result.p_value == pytest.approx(1.0)
    # A column name as the success, a nullable boolean: a missing value is not a success, and ``include``
    # (here: where it was recorded) leaves C out of the count altogether.
    recorded = contacts["resolved"].notna()
    named = inv.compare_periods(contacts, "resolved", ("2022-09-01", "2022-10-03"), ("2022-10-03", "2023-02-01"),
                                include=recorded, labels=("before", "after"), minimum_count=1)
    assert (named.successes_a, named.total_a, named.successes_b, named.total_b) == (1, 1, 2, 4)  # B, D, E, F
    assert (named.label_a, named.label_b) == ("before", "after")
    without_include = inv.compare_periods(contacts, "resolved", ("2022-09-01", "2022-10-03"),
                                          ("2022-10-03", "2023-02-01"), minimum_count=1)
    assert (without_include.successes_b, without_include.total_b) == (2, 5)
    assert "too few to compare" in inv.compare_periods(contacts, "resolved", ("2022-09-01", "2022-10-03"),
                                                       ("2022-10-03", "2023-02-01")).words  # default minimum 5


def test_compare_measure_reads_the_yearly_measures():
    rows = {
        ("calls_abandoned", "2021/22"): {"unit": "percent", "numerator": 50.0, "denominator": 100.0},
        ("calls_abandoned", "2024/25"): {"unit": "percent", "numerator": 70.0, "denominator": 100.0},
        ("net_satisfaction", "2021/22"): {"unit": "score", "numerator": np.nan, "denominator": np.nan},
        ("net_satisfaction", "2024/25"): {"unit": "score", "numerator": np.nan, "denominator": np.nan},
    }
    workbook = SimpleNamespace(value=lambda measure, year=None, breakdown="": (
        pd.Series(rows[(measure, year)]) if (measure, year) in rows and breakdown == "" else None),
        config=SimpleNamespace(minimum_count=5))
    result = inv.compare_measure(workbook, "calls_abandoned", "2021/22", "2024/25")
    assert (result.label_a, result.label_b, result.successes_b, result.total_b) == ("2021/22", "2024/25", 70, 100)
    assert result.p_value == pytest.approx(0.003892, abs=1e-6)
    assert result.verdict("lower_is_better") == "worse: up 20.0 points"
    assert inv.compare_measure(workbook, "net_satisfaction", "2021/22", "2024/25") is None  # a score: no counts
    assert inv.compare_measure(workbook, "calls_abandoned", "2021/22", "2025/26") is None  # no such year
    assert inv.compare_measure(workbook, "calls_abandoned", "2021/22", "2024/25", "queue=Waste") is None


def test_compare_measure_uses_the_rows_monthly_statistics():
    """As measures.csv tests a change: 50 of 100 against 70 of 100 gives z = -2.88675 by the plain test; with
    each year's months varying (monthly chi-square 20 over 6 months, each year), phi = (20 + 20) / (12 - 2) = 4,
    so z = -2.88675 / sqrt 4 = -1.44338 and p = erfc(1.44338 / sqrt 2) = 0.14891: not significant."""
    rows = {
        "2021/22": {"unit": "percent", "numerator": 50.0, "denominator": 100.0, "monthly_chi2": 20.0, "months": 6.0},
        "2024/25": {"unit": "percent", "numerator": 70.0, "denominator": 100.0, "monthly_chi2": 20.0, "months": 6.0},
    }
    workbook = SimpleNamespace(value=lambda measure, year=None, breakdown="": pd.Series(rows[year]),
                               config=SimpleNamespace(minimum_count=5))
    result = inv.compare_measure(workbook, "calls_abandoned", "2021/22", "2024/25")
    assert result.p_value == pytest.approx(0.14891, abs=1e-5)
    assert not result.significant and result.verdict("lower_is_better") == "no significant change (up 20.0 points)"
    # The action plan is every action, not a sample: no test at all.
    assert inv.compare_measure(workbook, "actions_achieved", "2021/22", "2024/25") is None


def test_compare_periods_allows_for_months_that_swing():
    """Six months a year, 100 contacts a month. 2023: 30, 70, 30, 70, 30, 70 resolved (300 of 600, 50%);
    2024: 40, 80, ... (360 of 600, 60%). The plain test: pooled 0.55, SE = sqrt(0.55 x 0.45 x 2/600) = 0.028723,
    z = 0.1 / 0.028723 = 3.4816, p = 0.0005. But every month is 20 away from its year's rate: chi-square
    (20^2 / 25) x 6 = 96 in 2023 and (20^2 / 24) x 6 = 100 in 2024, so phi = 196 / (12 - 2) = 19.6 and
    z = 3.4816 / sqrt 19.6 = 0.7864, p = 0.4316: months that swing by 40 points explain a 10-point difference."""
    months = np.repeat(pd.date_range("2023-04-01", periods=6, freq="MS").append(
        pd.date_range("2024-04-01", periods=6, freq="MS")), 100)
    per_month = np.tile(np.arange(100), 12)
    resolved_in = np.array([30, 70] * 3 + [40, 80] * 3).repeat(100)
    frame = pd.DataFrame({"received_at": months, "resolved": per_month < resolved_in})
    result = inv.compare_periods(frame, "resolved", ("2023-04-01", "2023-10-01"), ("2024-04-01", "2024-10-01"),
                                 labels=("2023", "2024"))
    assert (result.successes_a, result.total_a, result.successes_b, result.total_b) == (300, 600, 360, 600)
    assert result.p_value == pytest.approx(0.43163, abs=1e-5)
    assert not result.significant
    # The same counts with no months to go by: the plain test, significant.
    assert inv.compare_rates(300, 600, 360, 600, "2023", "2024").p_value == pytest.approx(0.000499, abs=1e-6)


# --- periods and months ---------------------------------------------------------------------


def test_before_and_after_dates():
    periods = inv.before_and_after("2022-10-03")
    assert periods == {"before": (pd.Timestamp("2021-10-03"), pd.Timestamp("2022-10-03")),
                       "after": (pd.Timestamp("2022-10-03"), pd.Timestamp("2023-10-03"))}
    six = inv.before_and_after(pd.Timestamp("2024-08-31"), months=6)
    # 31 August less six months is 29 February 2024 (there is no 31st); plus six is 28 February 2025.
    assert six == {"before": (pd.Timestamp("2024-02-29"), pd.Timestamp("2024-08-31")),
                   "after": (pd.Timestamp("2024-08-31"), pd.Timestamp("2025-02-28"))}
    assert inv.period_label(*periods["before"]) == "3 October 2021 to 2 October 2022"
    assert inv.period_label("2024-04-01", "2025-04-01") == "1 April 2024 to 31 March 2025"


def test_monthly_counts_fills_empty_months(contacts):
    counts = inv.monthly_counts(contacts)
    # A in September, B C in October, D in November, none in December, E F in January.
    assert list(counts.index.astype(str)) == ["2022-09", "2022-10", "2022-11", "2022-12", "2023-01"]
    assert counts["count"].tolist() == [1, 2, 1, 0, 2]
    by_channel = inv.monthly_counts(contacts, by="channel")
    assert list(by_channel.columns) == ["email", "in_person", "report_it"]
    assert by_channel.loc[pd.Period("2022-12", "M")].tolist() == [0, 0, 0]
    assert by_channel["report_it"].tolist() == [1, 1, 0, 0, 1]
    assert by_channel["in_person"].tolist() == [0, 0, 1, 0, 1]


def test_monthly_counts_over_a_given_period(contacts):
    # 1 October 2022 to 1 April 2023: September's A is left out; February and March have nothing but are shown.
    counts = inv.monthly_counts(contacts, start="2022-10-01", end="2023-04-01")
    assert list(counts.index.astype(str)) == ["2022-10", "2022-11", "2022-12", "2023-01", "2023-02", "2023-03"]
    assert counts["count"].tolist() == [2, 1, 0, 2, 0, 0]
    # The end is exclusive: ending on 1 January 2023 stops at December.
    assert list(inv.monthly_counts(contacts, start="2022-12-01", end="2023-01-01").index.astype(str)) == ["2022-12"]
    assert inv.monthly_counts(contacts, start="2022-12-01", end="2023-01-01")["count"].tolist() == [0]
    empty = inv.monthly_counts(contacts.iloc[:0])
    assert empty.empty and list(empty.columns) == ["count"]


# --- rates by group ---------------------------------------------------------------------------


def test_rates_sum_before_dividing():
    year = ["2023/24", "2023/24", "2023/24", "2024/25", "2024/25", None]
    category = ["Missed bin", "Pothole", "Missed bin", "Missed bin", "Pothole", "Pothole"]
    within = [True, False, True, False, True, True]
    due = [True, True, True, True, False, True]  # the Pothole report in 2024/25 is not yet due
    by_year = inv.rates(within, due, {"year": year})
    # 2023/24: 2 of 3 = 66.7%; 2024/25: 1 within but not due does not count, 0 of 1 = 0%; no year: left out.
    assert by_year["year"].tolist() == ["2023/24", "2024/25"]
    assert by_year["numerator"].tolist() == [2, 1] and by_year["denominator"].tolist() == [3, 1]
    both = inv.rates(np.array(within) & np.array(due), due, {"year": year, "category": category})
    assert both["year"].tolist() == ["2023/24", "2023/24", "2024/25", "2024/25"]
    assert both["category"].tolist() == ["Missed bin", "Pothole", "Missed bin", "Pothole"]
    assert both["numerator"].tolist() == [2, 0, 0, 0] and both["denominator"].tolist() == [2, 1, 1, 0]
    assert both["rate"].iloc[:3].tolist() == [100.0, 0.0, 0.0]
    assert math.isnan(both["rate"].iloc[3])  # a zero denominator is missing, not 0
    named = inv.rates([1, 0, 1], [1, 1, 1], pd.Series(["x", "y", "x"], name="place"))
    assert named.columns.tolist() == ["place", "numerator", "denominator", "rate"]
    assert named["rate"].tolist() == [100.0, 0.0]


def test_fold_small_keeps_totals_and_hides_no_count():
    counts = pd.DataFrame({"Northbrook": [35, 29, 6, 4], "Elmcleeve": [13, 16, 0, 5]},
                          index=["Food caddy", "Benefits post", "Council tax", "General enquiry"])
    folded = inv.fold_small(counts, minimum_count=5, label="Other purposes")
    # Only "General enquiry" has a count from 1 to 4 (Northbrook's 4); a 0 is not small. Folded alone, "Other"
    # would read 4 at Northbrook, small itself, so the next smallest, Council tax (6, 0), is folded in too:
    # 6 + 4 = 10 and 0 + 5 = 5.
    assert folded.index.tolist() == ["Food caddy", "Benefits post", "Other purposes"]
    assert folded.loc["Other purposes"].tolist() == [10, 5]
    assert folded.sum().tolist() == counts.sum().tolist() and folded.dtypes.tolist() == counts.dtypes.tolist()
    # With a larger minimum, Council tax (6) is small too: 6 + 4 and 0 + 5, and 5 is below 7, so Benefits post
    # joins them: 29 + 10 = 39 and 16 + 5 = 21.
    assert inv.fold_small(counts, minimum_count=7).loc["Other"].tolist() == [39, 21]
    assert inv.fold_small(counts[:2], minimum_count=5).equals(counts[:2])  # nothing small: unchanged


# --- invited, opened, completed ---------------------------------------------------------------


@pytest.fixture
def invitations() -> pd.DataFrame:
    """Consultation 'plan': 10 invited on 15 and 16 January 2024, 6 opened, 3 completed.
    Consultation 'budget': 4 invited on 5 February 2024, 2 opened, none completed.
    Consultation 'early': 5 invited on 1 December 2023, all opened, all completed."""
    rows = []
    for i in range(10):
        rows.append(("plan", f"M{i}", "2024-01-16" if i else "2024-01-15", "2024-01-17" if i < 6 else None,
                     "2024-01-18" if i < 3 else None))
    for i in range(4):
        rows.append(("budget", f"M{i}", "2024-02-05", "2024-02-06" if i < 2 else None, None))
    for i in range(5):
        rows.append(("early", f"M{i}", "2023-12-01", "2023-12-02", "2023-12-03"))
    frame = pd.DataFrame(rows, columns=["consultation_id", "member_id", "invited_on", "opened_on", "completed_on"])
    for column in ("invited_on", "opened_on", "completed_on"):
        frame[column] = pd.to_datetime(frame[column])
    frame["consultation_id"] = frame["consultation_id"].astype("string")
    return frame


def test_funnel_counts_each_step(invitations):
    rows = inv.funnel(invitations)
    assert rows["consultation_id"].tolist() == ["early", "plan", "budget"]  # in order of first invitation
    assert rows["first_invited"].tolist() == [pd.Timestamp("2023-12-01"), pd.Timestamp("2024-01-15"),
                                              pd.Timestamp("2024-02-05")]
    assert rows[["invited", "opened", "completed"]].values.tolist() == [[5, 5, 5], [10, 6, 3], [4, 2, 0]]
    assert rows["opened_rate"].tolist() == [100.0, 60.0, 50.0]
    assert rows["completed_rate"].tolist() == [100.0, 30.0, 0.0]
    assert rows["completed_of_opened"].tolist() == [100.0, 50.0, 0.0]
    one = inv.funnel(invitations, "plan")
    assert len(one) == 1 and one.loc[0, "opened"] == 6
    assert inv.funnel(invitations, "no-such-consultation").empty


def test_funnel_table_suppresses_counts_of_one_to_four(invitations):
    """Small counts and percentages on small bases are suppressed; consultations are named in words."""
    table = inv.funnel_table(inv.funnel(invitations), minimum_count=5)
    assert table.columns.tolist() == ["Consultation", "First invited", "Invited", "Opened", "Completed",
                                      "Opened, of those invited", "Completed, of those who opened"]
    assert table.to_dict("records") == [
        {"Consultation": "Early", "First invited": "1 December 2023", "Invited": "5", "Opened": "5",
         "Completed": "5", "Opened, of those invited": "100.0%", "Completed, of those who opened": "100.0%"},
        # 3 completed is shown as "fewer than 5"; 50.0% of the 6 who opened would give the 3 back, so it is too
        # few to report.
        {"Consultation": "Plan", "First invited": "15 January 2024", "Invited": "10", "Opened": "6",
         "Completed": "fewer than 5", "Opened, of those invited": "60.0%",
         "Completed, of those who opened": "too few to report"},
        # 4 invited and 2 opened are both below 5; a percentage on those bases is too few to report.
        {"Consultation": "Budget", "First invited": "5 February 2024", "Invited": "fewer than 5",
         "Opened": "fewer than 5", "Completed": "none", "Opened, of those invited": "too few to report",
         "Completed, of those who opened": "too few to report"},
    ]
    # A consultation with no invitation date recorded says so, rather than failing.
    undated = inv.funnel(invitations, "early").assign(first_invited=pd.NaT)
    assert inv.funnel_table(undated).loc[0, "First invited"] == "not recorded"
    # A larger minimum count suppresses more: 10 invited is now "fewer than 11".
    strict = inv.funnel_table(inv.funnel(invitations), minimum_count=11)
    assert strict.loc[1, "Invited"] == "fewer than 11"
    assert strict.loc[1, "Opened, of those invited"] == "too few to report"
