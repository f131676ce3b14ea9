"""Outcome measures (complaints, feedback, survey, Citizens' Panel) and monthly series, worked by hand.

Every expected number below was counted by hand on a real calendar, with the
reasoning in the comments, not by calling numpy, so a wrong rule in the code
shows up as a wrong number here. The rules are docs/data-contract.md, "How figures are counted":

- Day 0 is the day of receipt (the next working day when received on a
  non-working day); within N when done on or before working day N.
- Not yet due: nothing done and working day N after the as-at date -> left out;
  nothing done and working day N on or before it -> counted, outside.
- Complaints: acknowledgement counted from receipt; stage 1 and stage 2
  responses from the acknowledgement (from receipt when none is recorded).

Calendars used (Mo..Su, England and Wales):
  Sep 2022: Fri 16, Mon 19 = State Funeral (bank holiday), Tue 20 ... Fri 23,
            Mon 26 ... Fri 30.
  Oct 2022: Mon 3 ... Fri 7, Mon 10 ... Fri 14, Mon 17 ... Fri 21, Mon 24 ... Fri 28,
            Mon 31 (no bank holidays); Nov 2022: Tue 1, Wed 2.
  Mar 2023: Wed 1, Thu 2, Fri 3, Mon 6 ... Fri 10, Mon 13 ... Fri 17, Mon 20 ... Fri 24,
            Mon 27 ... Fri 31. Apr 2023: Mon 3 ... Thu 6, Fri 7 Good Friday,
            Mon 10 Easter Monday, Tue 11.
  May 2023: Fri 5, Mon 8 = Coronation (bank holiday), Tue 9 ... Fri 12, Mon 15.
  Jun 2023: Thu 1, Fri 2, Mon 5 ... Fri 9, Mon 12 ... Fri 16, Mon 19 ... Fri 23,
            Mon 26 ... Fri 30. Jul 2023: Mon 3, Tue 4, Wed 5.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap

import numpy as np
import pandas as pd
import pytest

from analysis.calendar import WorkingCalendar
from analysis.config import load_config
from analysis.datasets import SCHEMAS, load_all
from analysis.measures import (
    MEASURE_COLUMNS,
    STAT_COLUMNS,
    call_monthly_series,
    call_measures,
    complaint_measures,
    complaint_monthly_series,
    contact_measures,
    contact_monthly_series,
    feedback_measures,
    monthly_mean,
    monthly_rate,
    panel_measures,
    survey_measures,
)
from conftest import SAMPLE

D = dt.date

COMPLAINT_STANDARDS = """
[standards.complaints]
acknowledge_within_working_days = 5
stage1_respond_within_working_days = 10
stage2_respond_within_working_days = 20
"""

BASE_TOML = """
[council]
name = "Test Borough Council"

[calendar]
bank_holidays = "england-and-wales"

[standards.respond_within_working_days]
email = 3
letter = 15

[standards.phone]
answer_within_seconds = 20

[channels]
digital = ["email", "online_form"]

[survey.questions.satisfied]
text = "How satisfied are you?"
scale = ["Very satisfied", "Fairly satisfied", "Neither", "Fairly dissatisfied", "Very dissatisfied", "Don't know"]
positive = ["Very satisfied", "Fairly satisfied"]

[survey.questions.helped]
text = "Did we help?"
scale = ["Yes", "No", "Don't know"]
positive = ["Yes"]
"""


def _config(tmp_path, extra: str = COMPLAINT_STANDARDS, name: str = "council"):
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "council.toml").write_text(textwrap.dedent(BASE_TOML) + textwrap.dedent(extra), encoding="utf-8")
    return load_config(folder)


def _frame(dataset: str, rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """A canonical frame as load_all returns it: every contract column, with the loader's dtypes."""
    given = pd.DataFrame(rows, columns=columns)
    frame = pd.DataFrame(index=range(len(given)))
    for col in SCHEMAS[dataset]:
        values = given[col.name] if col.name in given else pd.Series([None] * len(given))
        if col.kind in ("timestamp", "date"):
            frame[col.name] = pd.to_datetime(values, format="ISO8601").astype("datetime64[ns]")
        elif col.kind == "bool":
            frame[col.name] = values.astype("boolean")
        elif col.kind in ("number", "duration"):
            frame[col.name] = values.astype("float64")
        elif col.category:
            frame[col.name] = values.astype("string").astype("category")
        else:
            frame[col.name] = values.astype("string")
    if dataset == "complaints":
        frame["stage"] = frame["stage"].astype("int64")
    return frame


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    # The contract's columns, then (for rates with a monthly series) the statistics for their tests.
    assert list(frame.columns)[:len(MEASURE_COLUMNS)] == MEASURE_COLUMNS
    assert set(frame.columns[len(MEASURE_COLUMNS):]) <= set(STAT_COLUMNS)
    assert not frame.duplicated(["year", "measure_id", "breakdown"]).any()
    return frame.set_index(["year", "measure_id", "breakdown"])


def _check(rows: pd.DataFrame, key: tuple, value, numerator=None, denominator=None):
    assert key in rows.index, f"{key} missing"
    row = rows.loc[key]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        assert pd.isna(row["value"]), f"{key}: expected an empty value, got {row['value']}"
    else:
        assert row["value"] == pytest.approx(value, rel=1e-12), key
    if numerator is None:
        assert pd.isna(row["numerator"]) and pd.isna(row["denominator"]), key
    else:
        assert (row["numerator"], row["denominator"]) == (numerator, denominator), key


# --- complaints -----------------------------------------------------------------------------

COMPLAINT_COLUMNS = ["complaint_id", "stage", "received_at", "service", "acknowledged_at", "responded_at", "outcome"]
# All nine rows are in 2022/23. Standards: acknowledge 5, stage 1 respond 10, stage 2 respond 20.
# The as-at date is Fri 31 Mar 2023.
COMPLAINTS = [
    # A1: received Fri 16 Sep 2022 = day 0; Mon 19 State Funeral; Tue 20 = 1, Wed 21 = 2, Thu 22 = 3,
    #     Fri 23 = 4, Mon 26 = 5 -> acknowledged on day 5: within.
    #     Response counted from the acknowledgement Mon 26 Sep = 0: Tue 27 = 1, Wed 28 = 2, Thu 29 = 3,
    #     Fri 30 = 4, Mon 3 Oct = 5, Tue 4 = 6, Wed 5 = 7, Thu 6 = 8, Fri 7 = 9, Mon 10 Oct = 10 -> within.
    #     (Counted from receipt, Mon 10 Oct would be day 15: Mon 3 Oct is day 10 -> outside.)
    ("A1", 1, "2022-09-16 10:00", "Planning", "2022-09-26 09:00", "2022-10-10 16:00", "upheld"),
    # A2: same receipt, acknowledged Tue 27 Sep = day 6 -> outside.
    #     Response from Tue 27 Sep = 0: Wed 28 = 1 ... Mon 10 Oct = 9, Tue 11 = 10, Wed 12 Oct = 11 -> outside.
    ("A2", 1, "2022-09-16 11:00", "Planning", "2022-09-27 09:00", "2022-10-12 09:00", "partly_upheld"),
    # A3: never acknowledged: working day 5 (Mon 26 Sep) is long before the as-at date -> due, outside.
    #     Response counted from receipt: Mon 3 Oct = day 10 -> within.
    ("A3", 1, "2022-09-16 12:00", "Planning", None, "2022-10-03 12:00", "not_upheld"),
    # A4: never acknowledged -> outside; responded Tue 4 Oct = day 11 from receipt -> outside.
    ("A4", 1, "2022-09-16 13:00", "Planning", None, "2022-10-04 12:00", "not_upheld"),
    # B1 (stage 2 of complaint A3): received Mon 3 Oct = 0, acknowledged Tue 4 Oct = 1 -> within.
    #     Response from Tue 4 Oct = 0: Wed 5 = 1, Thu 6 = 2, Fri 7 = 3, Mon 10 = 4 ... Fri 14 = 8,
    #     Mon 17 = 9 ... Fri 21 = 13, Mon 24 = 14 ... Fri 28 = 18, Mon 31 = 19, Tue 1 Nov = 20 -> within 20.
    #     (From receipt Tue 1 Nov would be day 21 -> outside.)
    ("A3", 2, "2022-10-03 09:00", "Planning", "2022-10-04 09:00", "2022-11-01 15:00", "upheld"),
    # B2: stage 2, the same dates but responded Wed 2 Nov = day 21 from the acknowledgement -> outside.
    ("B2", 2, "2022-10-03 10:00", "Housing", "2022-10-04 09:00", "2022-11-02 15:00", "withdrawn"),
    # N1: received Fri 10 Mar 2023 = 0; Mon 13 = 1 ... Fri 17 = 5, acknowledged Mon 20 Mar = 6 -> outside.
    #     No response. Deadline from the acknowledgement Mon 20 = 0: Tue 21 = 1 ... Fri 24 = 4,
    #     Mon 27 = 5 ... Fri 31 = 9, Mon 3 Apr = 10 -> after the as-at date: not yet due, left out.
    #     (From receipt the deadline would be Fri 24 Mar: overdue, outside.)
    ("N1", 1, "2023-03-10 10:00", "Planning", "2023-03-20 10:00", None, "open"),
    # N2: received and acknowledged Wed 1 Mar 2023 (day 0: within). Never answered: Thu 2 = 1, Fri 3 = 2,
    #     Mon 6 = 3 ... Fri 10 = 7, Mon 13 = 8, Tue 14 = 9, Wed 15 Mar = 10, before 31 Mar -> due, outside.
    ("N2", 1, "2023-03-01 10:00", "Planning", "2023-03-01 15:00", None, "open"),
    # N3: received Thu 30 Mar 2023, nothing since. Acknowledgement day 5: Fri 31 = 1, Mon 3 Apr = 2,
    #     Tue 4 = 3, Wed 5 = 4, Thu 6 Apr = 5 -> after the as-at date: not yet due. Response day 10 later
    #     still (Good Friday 7 Apr, Easter Monday 10 Apr) -> not yet due. No outcome recorded.
    ("N3", 1, "2023-03-30 14:00", "Planning", None, None, None),
]
AS_AT = D(2023, 3, 31)


@pytest.fixture
def complaints():
    return _frame("complaints", COMPLAINTS, COMPLAINT_COLUMNS)


@pytest.fixture
def config(tmp_path):
    return _config(tmp_path)


@pytest.fixture
def calendar(config):
    return WorkingCalendar.for_council(config)


def test_complaints_received_by_stage_and_service(complaints, config, calendar):
    rows = _rows(complaint_measures(complaints, config, calendar, AS_AT))
    _check(rows, ("2022/23", "complaints_received", ""), 9)
    _check(rows, ("2022/23", "complaints_received", "stage=1"), 7)             # A1-A4, N1-N3
    _check(rows, ("2022/23", "complaints_received", "stage=2"), 2)             # A3 stage 2, B2
    _check(rows, ("2022/23", "complaints_received", "service=Planning"), 8)    # all but B2
    _check(rows, ("2022/23", "complaints_received", "service=Housing"), 1)


def test_complaints_acknowledged_within_five_working_days(complaints, config, calendar):
    rows = _rows(complaint_measures(complaints, config, calendar, AS_AT))
    # Due: A1 A2 A3 A4 B1 B2 N1 N2 (N3 not yet due) = 8; within: A1 (day 5), B1, B2 (day 1), N2 (day 0) = 4.
    # Outside: A2 (day 6), A3 and A4 (never acknowledged, overdue), N1 (day 6).
    _check(rows, ("2022/23", "complaints_acknowledged_within_standard", ""), 50.0, 4, 8)
    _check(rows, ("2022/23", "complaints_acknowledged_within_standard", "stage=1"), 100 * 2 / 6, 2, 6)
    _check(rows, ("2022/23", "complaints_acknowledged_within_standard", "stage=2"), 100.0, 2, 2)


def test_complaint_responses_are_counted_from_the_acknowledgement(complaints, config, calendar):
    rows = _rows(complaint_measures(complaints, config, calendar, AS_AT))
    # Due: A1 A2 A3 A4 B1 B2 N2 = 7 (N1 and N3 not yet due); within: A1 (day 10 from acknowledgement),
    # A3 (day 10 from receipt, no acknowledgement), B1 (day 20 from acknowledgement) = 3.
    # Counting from receipt instead would give within A3 only, of 8 due (N1 overdue): a different answer.
    _check(rows, ("2022/23", "complaints_responded_within_standard", ""), 100 * 3 / 7, 3, 7)
    _check(rows, ("2022/23", "complaints_responded_within_standard", "stage=1"), 40.0, 2, 5)  # A1 A3 of A1-A4, N2
    _check(rows, ("2022/23", "complaints_responded_within_standard", "stage=2"), 50.0, 1, 2)  # B1 of B1, B2


def test_complaints_upheld_leaves_out_withdrawn_and_open(complaints, config, calendar):
    rows = _rows(complaint_measures(complaints, config, calendar, AS_AT))
    # Upheld or partly: A1, A2, A3 stage 2 = 3; decided: those and A3, A4 (not upheld) = 5.
    # B2 withdrawn, N1 and N2 open, N3 no outcome: left out.
    _check(rows, ("2022/23", "complaints_upheld", ""), 60.0, 3, 5)
    _check(rows, ("2022/23", "complaints_upheld", "stage=1"), 50.0, 2, 4)
    _check(rows, ("2022/23", "complaints_upheld", "stage=2"), 100.0, 1, 1)


def test_complaints_as_at_defaults_to_the_latest_timestamp(complaints, config, calendar):
    # The latest timestamp is N3's receipt, Thu 30 Mar 2023: every deadline above falls on the same
    # side of 30 Mar as of 31 Mar (N1: Mon 3 Apr, N2: Wed 15 Mar, N3: Thu 6 Apr), so nothing changes.
    explicit = complaint_measures(complaints, config, calendar, AS_AT)
    default = complaint_measures(complaints, config, calendar, None)
    pd.testing.assert_frame_equal(explicit, default)


def test_complaint_zero_denominators_are_missing(config, calendar):
    frame = _frame("complaints", [
        # Z1: received and acknowledged Mon 27 Mar 2023 (day 0: within). No response; day 10:
        #     Tue 28 = 1, Wed 29 = 2, Thu 30 = 3, Fri 31 = 4, Mon 3 Apr = 5 ... Thu 6 = 8, (Good Friday,
        #     Easter Monday), Tue 11 = 9, Wed 12 Apr = 10 -> after 31 Mar: not yet due.
        ("Z1", 1, "2023-03-27 09:00", "Planning", "2023-03-27 10:00", None, "open"),
        # Z2: received and acknowledged Tue 28 Mar, withdrawn, no response: not yet due either.
        ("Z2", 1, "2023-03-28 09:00", "Planning", "2023-03-28 10:00", None, "withdrawn"),
    ], COMPLAINT_COLUMNS)
    rows = _rows(complaint_measures(frame, config, calendar, AS_AT))
    _check(rows, ("2022/23", "complaints_acknowledged_within_standard", ""), 100.0, 2, 2)
    _check(rows, ("2022/23", "complaints_responded_within_standard", ""), np.nan, 0, 0)
    _check(rows, ("2022/23", "complaints_responded_within_standard", "stage=1"), np.nan, 0, 0)
    _check(rows, ("2022/23", "complaints_upheld", ""), np.nan, 0, 0)
    assert ("2022/23", "complaints_upheld", "stage=2") not in rows.index  # no stage 2 complaint at all


def test_complaint_standards_missing_from_config(tmp_path, complaints):
    # Only stage 1 has a standard: no acknowledgement measure, and the response measure covers stage 1 only.
    only_stage1 = _config(tmp_path, "[standards.complaints]\nstage1_respond_within_working_days = 10\n", "s1")
    rows = _rows(complaint_measures(complaints, only_stage1, WorkingCalendar.for_council(only_stage1), AS_AT))
    assert "complaints_acknowledged_within_standard" not in set(rows.index.get_level_values("measure_id"))
    _check(rows, ("2022/23", "complaints_responded_within_standard", ""), 40.0, 2, 5)
    assert ("2022/23", "complaints_responded_within_standard", "stage=2") not in rows.index
    # No complaint standards at all: counts and upheld only.
    none = _config(tmp_path, "", "none")
    measures = set(complaint_measures(complaints, none, WorkingCalendar.for_council(none), AS_AT)["measure_id"])
    assert measures == {"complaints_received", "complaints_upheld"}


def test_complaints_none_or_empty(complaints, config, calendar):
    for frame in (None, complaints.iloc[0:0]):
        out = complaint_measures(frame, config, calendar, AS_AT)
        assert out.empty and list(out.columns) == MEASURE_COLUMNS


def test_complaint_monthly_series(complaints, config, calendar):
    series = complaint_monthly_series(complaints, config, calendar, AS_AT, "complaints_responded_within_standard")
    assert isinstance(series.index, pd.PeriodIndex) and series.index.freqstr == "M"
    # Sep 2022: A1 A3 within of A1-A4 -> 2/4. Oct 2022: B1 of B1, B2 -> 1/2.
    # Nov 2022 to Feb 2023: no complaint -> empty value, 0/0. Mar 2023: N2 due and outside (N1, N3 not yet due) -> 0/1.
    assert list(series.index.astype(str)) == ["2022-09", "2022-10", "2022-11", "2022-12", "2023-01", "2023-02",
                                              "2023-03"]
    assert series.loc[pd.Period("2022-09", "M"), "value"] == 50.0
    assert series.loc[pd.Period("2022-10", "M"), ["numerator", "denominator"]].tolist() == [1, 2]
    assert np.isnan(series.loc[pd.Period("2022-12", "M"), "value"])
    assert series.loc[pd.Period("2022-12", "M"), "denominator"] == 0
    assert series.loc[pd.Period("2023-03", "M"), ["value", "numerator", "denominator"]].tolist() == [0.0, 0, 1]
    with pytest.raises(ValueError):
        complaint_monthly_series(complaints, config, calendar, AS_AT, "complaints_received")


# --- feedback -------------------------------------------------------------------------------


def test_net_satisfaction(config):
    rows = [(f"E{i}", "2023-06-01 10:00", "email", "good") for i in range(6)]         # 6 good
    rows += [(f"A{i}", "2023-06-02 10:00", "email", "average") for i in range(3)]     # 3 average
    rows += [("P0", "2024-03-31 23:59", "email", "poor")]                             # 1 poor, still 2023/24
    rows += [("T1", "2023-07-01 10:00", "phone", "good")]
    rows += [(f"T{i}", "2023-07-01 11:00", "phone", "poor") for i in range(2, 5)]     # phone: 1 good, 3 poor
    rows += [("X1", "2024-04-01 00:00", "phone", "poor")]                             # 1 April: 2024/25
    rows += [("Y1", "2022-05-01 10:00", "email", "average")]                          # 2022/23
    feedback = _frame("feedback", rows, ["feedback_id", "given_at", "channel", "rating"])
    out = _rows(feedback_measures(feedback, config))
    assert set(out["unit"]) == {"score"}
    # Email 2023/24: 100 x (6 - 1) / 10 = 50.0. Phone: 100 x (1 - 3) / 4 = -50.0.
    _check(out, ("2023/24", "net_satisfaction", "channel=email"), 50.0)
    _check(out, ("2023/24", "net_satisfaction", "channel=phone"), -50.0)
    # All channels: good 7, poor 4, 14 ratings -> 100 x 3 / 14 (not the mean of 50 and -50).
    _check(out, ("2023/24", "net_satisfaction", ""), 100 * 3 / 14)
    _check(out, ("2024/25", "net_satisfaction", ""), -100.0)
    _check(out, ("2022/23", "net_satisfaction", ""), 0.0)
    assert feedback_measures(None, config).empty


# --- survey ---------------------------------------------------------------------------------


def test_survey_positive_counts_dont_know_in_the_base(config):
    rows = [
        # 2023/24 "satisfied": 1 very + 2 fairly satisfied of 6 answers (2 Don't know) -> 50.0
        # (75.0 if Don't know were left out).
        ("s23", "2023/24", "R1", "satisfied", "Very satisfied"),
        ("s23", "2023/24", "R2", "satisfied", "Fairly satisfied"),
        ("s23", "2023/24", "R3", "satisfied", "Fairly satisfied"),
        ("s23", "2023/24", "R4", "satisfied", "Neither"),
        ("s23", "2023/24", "R5", "satisfied", "Don't know"),
        ("s23", "2023/24", "R6", "satisfied", "Don't know"),
        # "helped": Yes of Yes, No, Don't know -> 1/3.
        ("s23", "2023/24", "R1", "helped", "Yes"),
        ("s23", "2023/24", "R2", "helped", "No"),
        ("s23", "2023/24", "R3", "helped", "Don't know"),
        # 2024/25: one answer, not positive -> 0.0 (a value, not missing).
        ("s24", "2024/25", "R9", "satisfied", "Very dissatisfied"),
    ]
    survey = _frame("survey", rows, ["survey_id", "survey_year", "respondent_id", "question_id", "answer"])
    out = _rows(survey_measures(survey, config))
    _check(out, ("2023/24", "survey_positive", "question_id=satisfied"), 50.0, 3, 6)
    _check(out, ("2023/24", "survey_positive", "question_id=helped"), 100 / 3, 1, 3)
    _check(out, ("2024/25", "survey_positive", "question_id=satisfied"), 0.0, 0, 1)
    assert "" not in set(out.index.get_level_values("breakdown"))  # no headline over different questions
    assert len(out) == 3
    assert survey_measures(survey.iloc[0:0], config).empty


# --- Citizens' Panel ------------------------------------------------------------------------

PANEL_COLUMNS = ["member_id", "joined_on", "left_on", "age_band", "sex"]
# Year ends: 2022/23 ends Fri 31 Mar 2023, 2023/24 ends Sun 31 Mar 2024.
# Active on the last day: joined on or before it, and not left or left after it. A member who
# joined ON the last day counts; one who left ON the last day is not active at the end of it.
PANEL = [
    ("M1", "2020-01-01", None, "25-34", "Female"),          # both years
    ("M2", "2023-03-31", None, "35-44", "Male"),            # joined on the last day of 2022/23: both years
    ("M3", "2023-04-01", None, "35-44", "Female"),          # 2023/24 only
    ("M4", "2020-05-05", "2023-03-31", "25-34", "Male"),    # left on the last day of 2022/23: neither
    ("M5", "2020-05-05", "2023-04-01", "65+", "Female"),    # left the day after: 2022/23 only
    ("M6", "2021-01-10", "2024-02-10", None, "Female"),     # 2022/23 only; no age band
    ("M7", "2022-06-01", None, "25-34", None),              # both years; no sex
    ("M8", "2024-04-01", None, "35-44", "Male"),            # joined after both year ends: neither
    ("M9", "2019-06-01", None, "65+", "Male"),              # both years
]
# Active: 2022/23 M1 M2 M5 M6 M7 M9 = 6; 2023/24 M1 M2 M3 M7 M9 = 5.
POPULATION = [("age_band", "16-24", 1000), ("age_band", "25-34", 2000), ("age_band", "35-44", 3000),
              ("age_band", "65+", 4000), ("sex", "Female", 5100), ("sex", "Male", 4900)]
YEARS = ["2022/23", "2023/24"]


@pytest.fixture
def panel():
    return _frame("panel", PANEL, PANEL_COLUMNS)


@pytest.fixture
def population():
    return _frame("population", POPULATION, ["dimension", "category", "count"])


def test_panel_members_active_at_year_end(panel, config):
    out = _rows(panel_measures(panel, None, None, config, YEARS))
    _check(out, ("2022/23", "panel_members", ""), 6)
    _check(out, ("2023/24", "panel_members", ""), 5)
    # 2022/23 age bands (M6 has none): 25-34 M1 M7 = 2, 35-44 M2 = 1, 65+ M5 M9 = 2.
    _check(out, ("2022/23", "panel_members", "age_band=25-34"), 2)
    _check(out, ("2022/23", "panel_members", "age_band=35-44"), 1)
    _check(out, ("2022/23", "panel_members", "age_band=65+"), 2)
    # 2023/24: 35-44 M2 M3 = 2, 65+ M9 = 1; sex (M7 has none): Female M1 M3 = 2, Male M2 M9 = 2.
    _check(out, ("2023/24", "panel_members", "age_band=35-44"), 2)
    _check(out, ("2023/24", "panel_members", "age_band=65+"), 1)
    _check(out, ("2023/24", "panel_members", "sex=Female"), 2)
    _check(out, ("2022/23", "panel_members", "sex=Female"), 3)   # M1 M5 M6
    assert "panel_representation" not in set(out.index.get_level_values("measure_id"))  # no population
    # 2018/19 ends Sun 31 Mar 2019, before anyone joined (M9 joined 1 Jun 2019): 0, not missing.
    early = _rows(panel_measures(panel, None, None, config, ["2018/19"]))
    _check(early, ("2018/19", "panel_members", ""), 0)
    _check(early, ("2018/19", "panel_members", "sex=Male"), 0)


def test_panel_representation(panel, population, config):
    out = _rows(panel_measures(panel, population, None, config, YEARS))
    # Population shares: age 16-24 0.1, 25-34 0.2, 35-44 0.3, 65+ 0.4; sex Female 0.51, Male 0.49.
    # 2022/23 panel, age recorded for 5 active members: 25-34 2/5, 35-44 1/5, 65+ 2/5, 16-24 0.
    _check(out, ("2022/23", "panel_representation", "age_band=25-34"), (2 / 5) / 0.2)   # 2.0
    _check(out, ("2022/23", "panel_representation", "age_band=35-44"), (1 / 5) / 0.3)   # 0.667
    _check(out, ("2022/23", "panel_representation", "age_band=65+"), (2 / 5) / 0.4)     # 1.0
    _check(out, ("2022/23", "panel_representation", "age_band=16-24"), 0.0)             # nobody on the panel
    # 2022/23 sex recorded for 5 (not M7): Female 3/5, Male 2/5.
    _check(out, ("2022/23", "panel_representation", "sex=Female"), (3 / 5) / 0.51)      # 1.176
    _check(out, ("2022/23", "panel_representation", "sex=Male"), (2 / 5) / 0.49)        # 0.816
    # 2023/24 age recorded for 5: 25-34 2/5, 35-44 2/5, 65+ 1/5; sex recorded for 4: 2/4 each.
    _check(out, ("2023/24", "panel_representation", "age_band=35-44"), (2 / 5) / 0.3)   # 1.333
    _check(out, ("2023/24", "panel_representation", "age_band=65+"), (1 / 5) / 0.4)     # 0.5
    _check(out, ("2023/24", "panel_representation", "sex=Male"), (2 / 4) / 0.49)        # 1.020
    assert set(out.xs("panel_representation", level="measure_id")["unit"]) == {"ratio"}
    assert ("2023/24", "panel_representation", "") not in out.index


def test_panel_representation_with_partial_population(panel, population, config):
    # Population for age bands 25-34 (2000) and 35-44 (3000) only, none for sex: shares 2000/5000 = 0.4
    # and 3000/5000 = 0.6. The panel share keeps every active member with an age band (5 in 2022/23).
    partial = population[population["category"].isin(["25-34", "35-44"])]
    out = _rows(panel_measures(panel, partial, None, config, YEARS))
    _check(out, ("2022/23", "panel_representation", "age_band=25-34"), (2 / 5) / 0.4)   # 1.0
    _check(out, ("2022/23", "panel_representation", "age_band=35-44"), (1 / 5) / 0.6)   # 0.333
    _check(out, ("2022/23", "panel_representation", "age_band=65+"), np.nan)           # not in the population
    assert not any(b.startswith("sex=") for b in out.xs("panel_representation", level="measure_id").index
                   .get_level_values("breakdown"))


INVITATION_COLUMNS = ["consultation_id", "member_id", "invited_on", "opened_on", "completed_on"]


def test_panel_open_and_completion_rates(config):
    rows = []
    # c1: 10 invited Mon 27 Mar 2023, 2 more Mon 3 Apr 2023: the consultation belongs to 2022/23, the
    # year of its first invitation, with all 12. Opened 6, completed 3.
    for i in range(12):
        invited = "2023-03-27" if i < 10 else "2023-04-03"
        opened = "2023-04-05" if i < 6 else None
        completed = "2023-04-06" if i < 3 else None
        rows.append(("c1", f"M{i}", invited, opened, completed))
    # c2 (2023/24): 4 invited, 3 opened and completed. c3 (2023/24): 2 invited, none opened.
    rows += [("c2", f"M{i}", "2023-05-01", "2023-05-02" if i < 3 else None, "2023-05-03" if i < 3 else None)
             for i in range(4)]
    rows += [("c3", f"M{i}", "2023-09-01", None, None) for i in range(2)]
    invitations = _frame("panel_invitations", rows, INVITATION_COLUMNS)
    out = _rows(panel_measures(None, None, invitations, config, YEARS))
    _check(out, ("2022/23", "panel_open_rate", ""), 50.0, 6, 12)
    _check(out, ("2022/23", "panel_completion_rate", "consultation_id=c1"), 25.0, 3, 12)
    _check(out, ("2023/24", "panel_open_rate", "consultation_id=c2"), 75.0, 3, 4)
    _check(out, ("2023/24", "panel_open_rate", "consultation_id=c3"), 0.0, 0, 2)
    # 2023/24 pooled: opened 3 of 6 invited (c2 + c3) = 50.0, not the mean of 75 and 0 (37.5).
    _check(out, ("2023/24", "panel_open_rate", ""), 50.0, 3, 6)
    _check(out, ("2023/24", "panel_completion_rate", ""), 50.0, 3, 6)
    # Only the years asked for.
    assert set(panel_measures(None, None, invitations, config, ["2023/24"])["year"]) == {"2023/24"}
    empty = panel_measures(None, None, None, config, YEARS)
    assert empty.empty and list(empty.columns) == MEASURE_COLUMNS


# --- monthly series -------------------------------------------------------------------------


def test_monthly_rate_and_mean_sum_before_dividing():
    stamps = pd.Series(pd.to_datetime(["2024-01-03", "2024-01-20", "2024-01-31 23:59", "2024-03-01",
                                       "2024-03-15", None], format="ISO8601"))
    numerator = [1, 0, 1, 1, 1, 1]
    include = [True, True, True, True, False, True]
    out = monthly_rate(stamps, numerator, 1.0, include=include)
    assert isinstance(out.index, pd.PeriodIndex) and out.index.name == "month"
    assert list(out.columns) == ["numerator", "denominator", "value"]
    # January: 1 + 0 + 1 of 3 -> 66.7; February: no rows -> 0/0, empty; March: the 15th is excluded -> 1/1.
    assert out.loc[pd.Period("2024-01", "M")].tolist() == [2, 3, pytest.approx(200 / 3)]
    feb = out.loc[pd.Period("2024-02", "M")]
    assert (feb["numerator"], feb["denominator"]) == (0, 0) and np.isnan(feb["value"])
    assert out.loc[pd.Period("2024-03", "M"), "value"] == 100.0
    assert len(out) == 3  # the row without a timestamp is left out
    # Mean: January (10 + 20) / 2 = 15 (the missing value is left out); March 40.
    mean = monthly_mean(stamps, [10, 20, np.nan, 40, 99, 5], include=include)
    assert mean.loc[pd.Period("2024-01", "M")].tolist() == [30, 2, 15]
    assert mean.loc[pd.Period("2024-03", "M"), "value"] == 40
    assert monthly_rate(stamps, numerator, 1.0, include=[False] * 6).empty


def test_contact_monthly_series(config):
    contacts = _frame("contacts", [
        # E1: Fri 5 May 2023 = 0; Mon 8 Coronation; Tue 9 = 1, Wed 10 = 2, Thu 11 = 3 -> within 3.
        ("E1", "2023-05-05 10:00", "email", "Waste", "2023-05-11 10:00"),
        # E2: Tue 9 May = 0; Wed 10 = 1, Thu 11 = 2, Fri 12 = 3, Mon 15 = 4 -> outside.
        ("E2", "2023-05-09 10:00", "email", "Waste", "2023-05-15 10:00"),
        # P1: phone has no response standard: not in the responses series.
        ("P1", "2023-05-10 10:00", "phone", "Waste", None),
        # L1: Thu 1 Jun = 0; Fri 2 = 1, Mon 5 ... Fri 9 = 6, Mon 12 ... Fri 16 = 11,
        #     Mon 19 ... Thu 22 = 15 -> within 15.
        ("L1", "2023-06-01 10:00", "letter", "Housing", "2023-06-22 10:00"),
        # E3: Fri 30 Jun = 0, never answered; Mon 3 Jul = 1, Tue 4 = 2, Wed 5 Jul = 3 -> after the
        #     as-at date Tue 4 Jul: not yet due.
        ("E3", "2023-06-30 10:00", "email", "Housing", None),
    ], ["contact_id", "received_at", "channel", "service", "responded_at"])
    calendar = WorkingCalendar.for_council(config)
    series = contact_monthly_series(contacts, config, calendar, D(2023, 7, 4), "responses_within_standard")
    # numerator, denominator, value, and how many are not yet due (left out, so the month is not final)
    assert series.loc[pd.Period("2023-05", "M")].tolist() == [1, 2, 50.0, 0]     # E1 of E1, E2
    assert series.loc[pd.Period("2023-06", "M")].tolist() == [1, 1, 100.0, 1]    # L1; E3 not yet due
    digital = contact_monthly_series(contacts, config, calendar, None, "digital_share")
    assert digital.loc[pd.Period("2023-05", "M")].tolist() == [2, 3, pytest.approx(200 / 3)]  # E1 E2 of E1 E2 P1
    assert digital.loc[pd.Period("2023-06", "M")].tolist() == [1, 2, 50.0]   # E3 of L1 E3
    with pytest.raises(ValueError):
        contact_monthly_series(contacts, config, calendar, None, "contacts_received")


def test_call_monthly_series(config):
    calls = _frame("calls", [
        ("C1", "2024-01-10 09:00", True, 10), ("C2", "2024-01-11 09:00", True, 30),
        ("C3", "2024-01-12 09:00", False, 50), ("C4", "2024-03-01 09:00", True, 5),
    ], ["call_id", "offered_at", "answered", "wait_seconds"])
    # Standard 20 s. January: C1 within of C1, C2 answered -> 50; February none; March C4 -> 100.
    within = call_monthly_series(calls, config, "calls_answered_within_standard")
    assert within["value"].tolist()[0] == 50.0 and np.isnan(within["value"].tolist()[1])
    assert within["value"].tolist()[2] == 100.0
    abandoned = call_monthly_series(calls, config, "calls_abandoned")
    assert abandoned.loc[pd.Period("2024-01", "M")].tolist() == [1, 3, pytest.approx(100 / 3)]
    speed = call_monthly_series(calls, config, "average_speed_of_answer")
    assert speed.loc[pd.Period("2024-01", "M"), "value"] == 20.0              # (10 + 30) / 2; C3 abandoned
    assert speed.loc[pd.Period("2024-03", "M"), "value"] == 5.0


# --- the bundled sample ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    config = load_config(SAMPLE)
    return config, load_all(config)


def test_outcome_measures_on_the_sample(sample):
    config, data = sample
    calendar = WorkingCalendar.for_council(config)
    years = ["2021/22", "2022/23", "2023/24", "2024/25"]
    start, end = pd.Timestamp("2023-04-01"), pd.Timestamp("2024-04-01")

    complaints = data.get("complaints")
    rows = _rows(complaint_measures(complaints, config, calendar, None))
    in_year = complaints[(complaints["received_at"] >= start) & (complaints["received_at"] < end)]
    _check(rows, ("2023/24", "complaints_received", ""), len(in_year))
    _check(rows, ("2023/24", "complaints_received", "stage=2"), int((in_year["stage"] == 2).sum()))
    stage2 = in_year[in_year["stage"] == 2]["outcome"]
    upheld = int(stage2.isin(["upheld", "partly_upheld"]).sum())
    decided = int(stage2.isin(["upheld", "partly_upheld", "not_upheld"]).sum())
    _check(rows, ("2023/24", "complaints_upheld", "stage=2"), 100 * upheld / decided, upheld, decided)

    feedback = data.get("feedback")
    phone = feedback[(feedback["given_at"] >= start) & (feedback["given_at"] < end) & (feedback["channel"] == "phone")]
    net = 100 * ((phone["rating"] == "good").sum() - (phone["rating"] == "poor").sum()) / len(phone)
    _check(_rows(feedback_measures(feedback, config)), ("2023/24", "net_satisfaction", "channel=phone"), net)

    survey = data.get("survey")
    answers = survey[(survey["survey_year"] == "2023/24") & (survey["question_id"] == "overall_satisfaction")]["answer"]
    positive = int(answers.isin(config.survey_questions["overall_satisfaction"].positive).sum())
    _check(_rows(survey_measures(survey, config)), ("2023/24", "survey_positive",
           "question_id=overall_satisfaction"), 100 * positive / len(answers), positive, len(answers))

    panel, invitations = data.get("panel"), data.get("panel_invitations")
    out = _rows(panel_measures(panel, data.get("population"), invitations, config, years))
    last = pd.Timestamp("2024-03-31")
    active = panel[(panel["joined_on"] <= last) & (panel["left_on"].isna() | (panel["left_on"] > last))]
    _check(out, ("2023/24", "panel_members", ""), len(active))
    population = data.get("population").set_index(["dimension", "category"])["count"]
    sexes = population.loc["sex"]
    recorded = active["sex"].notna().sum()
    ratio = ((active["sex"] == "Female").sum() / recorded) / (sexes["Female"] / sexes.sum())
    _check(out, ("2023/24", "panel_representation", "sex=Female"), ratio)
    # council-plan-2024: 859 invited on 15 Jan 2024 (2023/24), 79 opened.
    plan = invitations[invitations["consultation_id"] == "council-plan-2024"]
    assert (plan["opened_on"].notna().sum(), len(plan)) == (79, 859)
    _check(out, ("2023/24", "panel_open_rate", "consultation_id=council-plan-2024"), 100 * 79 / 859, 79, 859)
    completed = int(plan["completed_on"].notna().sum())
    _check(out, ("2023/24", "panel_completion_rate", "consultation_id=council-plan-2024"),
           100 * completed / 859, completed, 859)

    # Monthly series add up to the yearly figures (numerators and denominators are summed).
    contacts = data.get("contacts")
    yearly = _rows(contact_measures(contacts, config, calendar, None))
    monthly = contact_monthly_series(contacts, config, calendar, None, "responses_within_standard")
    months = monthly[(monthly.index >= pd.Period("2023-04", "M")) & (monthly.index <= pd.Period("2024-03", "M"))]
    headline = yearly.loc[("2023/24", "responses_within_standard", "")]
    assert len(months) == 12
    assert (months["numerator"].sum(), months["denominator"].sum()) == (headline["numerator"], headline["denominator"])
    calls_yearly = _rows(call_measures(data.get("calls"), config)).loc[("2023/24", "calls_abandoned", "")]
    calls_monthly = call_monthly_series(data.get("calls"), config, "calls_abandoned")
    calls_months = calls_monthly[(calls_monthly.index >= pd.Period("2023-04", "M"))
                                 & (calls_monthly.index <= pd.Period("2024-03", "M"))]
    assert calls_months["numerator"].sum() == calls_yearly["numerator"]
    assert calls_months["denominator"].sum() == calls_yearly["denominator"]
