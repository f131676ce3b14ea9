"""The Complaint Handling Code's annual report: extensions, complaints not accepted, the Ombudsmen's decisions.

Every expected number was counted by hand on the real calendar of England and Wales, with the counting
written beside it, so a wrong rule in the code shows up as a wrong number here. The rules (the project's
data contract, "The Complaint Handling Code"):

- a stage's standard deadline is working day N counted from the acknowledgement (from receipt when none);
- an extension may run at most 10 working days past the standard deadline at stage 1, 20 at stage 2;
- the deadline that applies is ``extended_to`` where set, kept between the standard deadline and the Code's
  limit, otherwise the standard deadline; "not yet due" applies to that deadline.

Calendars used (England and Wales; Mo..Su):
  Apr 2024: Thu 25, Fri 26, Mon 29, Tue 30.
  May 2024: Wed 1, Thu 2, Fri 3, Mon 6 = Early May bank holiday, Tue 7 ... Fri 10, Mon 13 ... Fri 17,
            Mon 20 ... Fri 24, Mon 27 = Spring bank holiday, Tue 28 ... Fri 31.
  Jul 2024: Mon 1, Tue 2 ... Fri 5, Mon 8 ... Fri 12, Mon 15 ... Fri 19, Mon 22 ... Fri 26, Mon 29 ... Wed 31.
  Aug 2024: Thu 1, Fri 2, Mon 5 ... Fri 9, Mon 12 ... Fri 16, Mon 19 ... Fri 23,
            Mon 26 = Summer bank holiday, Tue 27, Wed 28, Thu 29.
  Nov 2024: Mon 4 ... Fri 8, Mon 11 ... Fri 15, Mon 18 ... Fri 22, Sat 23, Sun 24, Mon 25 ... Fri 29;
            Dec 2024: Mon 2 (no bank holiday).
  Mar 2025: Mon 3 ... Fri 7, Mon 10 ... Fri 14, Mon 17 ... Fri 21, Mon 24 ... Fri 28, Mon 31 (no bank holiday).
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
from analysis.datasets import check_all, load_all
from analysis.errors import ConfigError, DataError
from analysis.measures import (
    complaint_code_measures,
    complaint_deadlines,
    complaint_measures,
    ombudsman_measures,
)
from tests.test_outcome_measures import _frame  # a canonical frame with the loader's dtypes

D = dt.date
TOML = """
[council]
name = "Test Borough Council"

[calendar]
bank_holidays = "england-and-wales"

[standards.complaints]
acknowledge_within_working_days = 5
stage1_respond_within_working_days = 10
stage2_respond_within_working_days = 20
"""


def _config(tmp_path, extra: str = ""):
    (tmp_path / "council.toml").write_text(textwrap.dedent(TOML) + textwrap.dedent(extra), encoding="utf-8")
    return load_config(tmp_path)


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
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


# --- extensions -----------------------------------------------------------------------------

COLUMNS = ["complaint_id", "stage", "received_at", "service", "acknowledged_at", "responded_at", "extended_to"]
# Every row is in 2024/25. As at Fri 28 Mar 2025.
AS_AT = D(2025, 3, 28)
COMPLAINTS = [
    # E1-E5: stage 1, received Wed 24 Apr 2024, acknowledged Thu 25 Apr = day 0 of the response.
    #   Standard deadline (day 10): Fri 26 = 1, Mon 29 = 2, Tue 30 = 3, Wed 1 May = 4, Thu 2 = 5, Fri 3 = 6,
    #   (Mon 6 May bank holiday), Tue 7 = 7, Wed 8 = 8, Thu 9 = 9, Fri 10 May = 10.
    #   The Code's limit, 10 working days more: Mon 13 = 11 ... Fri 17 = 15, Mon 20 = 16, Tue 21 = 17,
    #   Wed 22 = 18, Thu 23 = 19, Fri 24 May = 20.
    # E1: extended to Wed 22 May (within the limit), answered on it -> within the extension.
    ("E1", 1, "2024-04-24 10:00", "Planning", "2024-04-25 09:00", "2024-05-22 15:00", "2024-05-22"),
    # E2: the same extension, answered Thu 23 May, one day after it -> outside.
    ("E2", 1, "2024-04-24 10:00", "Planning", "2024-04-25 09:00", "2024-05-23 09:00", "2024-05-22"),
    # E3: extended to Fri 31 May, beyond the limit Fri 24 May -> capped at Fri 24 May; answered Tue 28 May
    #     (after the Spring bank holiday) -> outside.
    ("E3", 1, "2024-04-24 10:00", "Planning", "2024-04-25 09:00", "2024-05-28 12:00", "2024-05-31"),
    # E4: the same extension capped at Fri 24 May, answered on Fri 24 May -> within.
    ("E4", 1, "2024-04-24 10:00", "Planning", "2024-04-25 09:00", "2024-05-24 16:00", "2024-05-31"),
    # E5: "extended" to Wed 8 May, before the standard deadline Fri 10 May: not an extension, the standard
    #     deadline applies; answered Thu 9 May -> within (day 9).
    ("E5", 1, "2024-04-24 10:00", "Planning", "2024-04-25 09:00", "2024-05-09 11:00", "2024-05-08"),
    # U1, U2: stage 1, received and acknowledged Thu 25 Apr, no extension: deadline Fri 10 May as above.
    ("U1", 1, "2024-04-25 09:00", "Housing", "2024-04-25 14:00", "2024-05-10 17:00", None),  # day 10: within
    ("U2", 1, "2024-04-25 09:00", "Housing", "2024-04-25 14:00", "2024-05-13 09:00", None),  # day 11: outside
    # S1-S3: stage 2, received Mon 1 Jul 2024, acknowledged Tue 2 Jul = day 0.
    #   Standard deadline (day 20): Wed 3 = 1, Thu 4 = 2, Fri 5 = 3, Mon 8 = 4 ... Fri 12 = 8, Mon 15 = 9 ...
    #   Fri 19 = 13, Mon 22 = 14 ... Fri 26 = 18, Mon 29 = 19, Tue 30 Jul = 20.
    #   The Code's limit, 20 more: Wed 31 = 21, Thu 1 Aug = 22, Fri 2 = 23, Mon 5 = 24 ... Fri 9 = 28,
    #   Mon 12 = 29 ... Fri 16 = 33, Mon 19 = 34 ... Fri 23 = 38, (Mon 26 Aug bank holiday), Tue 27 = 39,
    #   Wed 28 Aug = 40. (Without the bank holiday the limit would be Tue 27 Aug.)
    # S1: extended to Wed 28 Aug, within the limit only because of the bank holiday; answered on it -> within.
    ("S1", 2, "2024-07-01 10:00", "Planning", "2024-07-02 10:00", "2024-08-28 12:00", "2024-08-28"),
    # S2: extended to Thu 29 Aug, one working day beyond -> capped at Wed 28 Aug; answered Thu 29 -> outside.
    ("S2", 2, "2024-07-01 10:00", "Planning", "2024-07-02 10:00", "2024-08-29 12:00", "2024-08-29"),
    # S3: no extension, answered Tue 30 Jul = day 20 -> within.
    ("S3", 2, "2024-07-01 10:00", "Planning", "2024-07-02 10:00", "2024-07-30 16:00", None),
    # N1-N3: stage 1, received and acknowledged Mon 3 Mar 2025 = day 0, no response yet.
    #   Standard deadline: Tue 4 = 1 ... Fri 7 = 4, Mon 10 = 5 ... Fri 14 = 9, Mon 17 Mar = 10.
    #   The Code's limit: Tue 18 = 11 ... Fri 21 = 14, Mon 24 = 15 ... Fri 28 = 19, Mon 31 Mar = 20.
    # N1: extended to Mon 31 Mar (the limit itself), after the as-at date -> not yet due, left out.
    #     (Against the standard deadline, Mon 17 Mar, it is overdue: due and outside.)
    ("N1", 1, "2025-03-03 09:00", "Waste", "2025-03-03 12:00", None, "2025-03-31"),
    # N2: extended to Fri 28 Mar, the as-at day itself: the day is not over -> not yet due.
    ("N2", 1, "2025-03-03 09:00", "Waste", "2025-03-03 12:00", None, "2025-03-28"),
    # N3: extended to Thu 27 Mar, before the as-at date, no response -> due and outside.
    ("N3", 1, "2025-03-03 09:00", "Waste", "2025-03-03 12:00", None, "2025-03-27"),
]


@pytest.fixture
def config(tmp_path):
    return _config(tmp_path)


@pytest.fixture
def calendar(config):
    return WorkingCalendar.for_council(config)


@pytest.fixture
def complaints():
    return _frame("complaints", COMPLAINTS, COLUMNS)


def _days(*dates: str) -> list:
    return [np.datetime64(d, "D") if d else np.datetime64("NaT", "D") for d in dates]


def test_deadlines_worked_by_hand(complaints, config, calendar):
    deadlines = complaint_deadlines(complaints, config, calendar)
    # E1-E5 and U1, U2 start on Thu 25 Apr 2024; S1-S3 on Tue 2 Jul 2024; N1-N3 on Mon 3 Mar 2025 (see above).
    standard = ["2024-05-10"] * 7 + ["2024-07-30"] * 3 + ["2025-03-17"] * 3
    latest = ["2024-05-24"] * 7 + ["2024-08-28"] * 3 + ["2025-03-31"] * 3
    applies = ["2024-05-22", "2024-05-22", "2024-05-24", "2024-05-24", "2024-05-10", "2024-05-10", "2024-05-10",
               "2024-08-28", "2024-08-28", "2024-07-30", "2025-03-31", "2025-03-28", "2025-03-27"]
    assert list(deadlines.standard) == _days(*standard)
    assert list(deadlines.latest) == _days(*latest)
    assert list(deadlines.applies) == _days(*applies)
    ids = complaints["complaint_id"].to_numpy()
    assert list(ids[deadlines.early]) == ["E5"]
    assert list(ids[deadlines.beyond]) == ["E3", "E4", "S2"]


def test_responded_within_the_extension_by_stage(complaints, config, calendar):
    rows = _rows(complaint_code_measures(complaints, config, calendar, AS_AT))
    # Stage 1: within E1 (on 22 May), E4 (on the capped 24 May), E5 (standard deadline), U1; outside E2 (a day
    # late), E3 (after the cap), U2, N3 (overdue); N1 and N2 not yet due -> 4 / 8.
    _check(rows, ("2024/25", "complaints_responded_within_extension", "stage=1"), 50.0, 4, 8)
    # Stage 2: within S1, S3; outside S2 -> 2 / 3.
    _check(rows, ("2024/25", "complaints_responded_within_extension", "stage=2"), 100 * 2 / 3, 2, 3)
    _check(rows, ("2024/25", "complaints_responded_within_extension", ""), 100 * 6 / 11, 6, 11)
    # Monthly statistics for the test of a change: months with a denominator are Apr 2024 (E1-E5, U1, U2),
    # Jul 2024 (S1-S3) and Mar 2025 (N3; N1, N2 not yet due) -> 3.
    assert rows.loc[("2024/25", "complaints_responded_within_extension", ""), "months"] == 3


def test_responded_within_standard_keeps_its_meaning(complaints, config, calendar):
    rows = _rows(complaint_measures(complaints, config, calendar, AS_AT))
    # Without extensions: stage 1 within only E5 (day 9) and U1 (day 10); E1-E4 and U2 answered after Fri 10 May;
    # N1-N3 unanswered with the standard deadline Mon 17 Mar before the as-at date -> due, outside. 2 / 10.
    _check(rows, ("2024/25", "complaints_responded_within_standard", "stage=1"), 20.0, 2, 10)
    # Stage 2: only S3 by Tue 30 Jul -> 1 / 3.
    _check(rows, ("2024/25", "complaints_responded_within_standard", "stage=2"), 100 / 3, 1, 3)


def test_complaints_extended_by_stage(complaints, config, calendar):
    rows = _rows(complaint_code_measures(complaints, config, calendar, AS_AT))
    # Stage 1: E1-E5 and N1-N3 have extended_to, U1 and U2 do not -> 8 / 10. (E5's is counted: it is recorded,
    # and a warning says it is not an extension.) Stage 2: S1, S2 of S1-S3 -> 2 / 3.
    _check(rows, ("2024/25", "complaints_extended", "stage=1"), 80.0, 8, 10)
    _check(rows, ("2024/25", "complaints_extended", "stage=2"), 100 * 2 / 3, 2, 3)
    _check(rows, ("2024/25", "complaints_extended", ""), 100 * 10 / 13, 10, 13)


def test_with_no_extension_the_two_response_measures_agree(complaints, config, calendar):
    """The deadline counted as a day gives what "within N working days" gives: with extended_to cleared,
    complaints_responded_within_extension is complaints_responded_within_standard, row for row."""
    plain = complaints.assign(extended_to=pd.NaT)
    extension = _rows(complaint_code_measures(plain, config, calendar, AS_AT, recorded={"extended_to"}))
    standard = _rows(complaint_measures(plain, config, calendar, AS_AT))
    ext = extension.xs("complaints_responded_within_extension", level="measure_id")
    std = standard.xs("complaints_responded_within_standard", level="measure_id")
    counted = ["value", "numerator", "denominator"]
    pd.testing.assert_frame_equal(ext[counted], std[counted])
    # And 2 / 10 at stage 1 as worked above; nothing is extended.
    assert ext.loc[("2024/25", "stage=1"), "numerator"] == 2
    assert extension.loc[("2024/25", "complaints_extended", ""), "numerator"] == 0


def test_a_response_on_a_non_working_day_counts_as_the_next_working_day(config, calendar):
    frame = _frame("complaints", [
        # Extended to Fri 22 Nov 2024 (standard deadline from Mon 4 Nov: Mon 18 Nov; limit Mon 2 Dec). Answered
        # Sat 23 Nov, which counts as Mon 25 Nov -> outside.
        ("W1", 1, "2024-11-04 09:00", "Planning", "2024-11-04 10:00", "2024-11-23 10:00", "2024-11-22"),
        # Extended to Sun 24 Nov, read as Mon 25 Nov; answered Sat 23 Nov (Mon 25 Nov) -> within.
        ("W2", 1, "2024-11-04 09:00", "Planning", "2024-11-04 10:00", "2024-11-23 10:00", "2024-11-24"),
    ], COLUMNS)
    rows = _rows(complaint_code_measures(frame, config, calendar, D(2024, 12, 31)))
    _check(rows, ("2024/25", "complaints_responded_within_extension", ""), 50.0, 1, 2)


def test_no_rows_where_the_exports_do_not_record_the_columns(complaints, config, calendar):
    # A council whose exports have neither extended_to nor not_accepted_reason: no rows, not "none extended".
    assert complaint_code_measures(complaints, config, calendar, AS_AT, recorded=set()).empty
    # Recorded by default when the column has any value: extended_to here, not_accepted_reason not.
    measures = set(complaint_code_measures(complaints, config, calendar, AS_AT)["measure_id"])
    assert measures == {"complaints_extended", "complaints_responded_within_extension"}
    # With no response standard in council.toml, the extension has no deadline to count against.
    folder = config.folder / "no-standards"
    folder.mkdir()
    (folder / "council.toml").write_text('[council]\nname = "Test Borough Council"\n', encoding="utf-8")
    no_standards = load_config(folder)
    rows = complaint_code_measures(complaints, no_standards, WorkingCalendar.for_council(no_standards), AS_AT)
    assert set(rows["measure_id"]) == {"complaints_extended"}


def test_complaints_not_accepted(config, calendar):
    frame = _frame("complaints", [
        # 2024/25: two of four not taken into the procedure (any text is a reason; it is never read for words).
        ("A1", 1, "2024-06-03 09:00", "Council Tax", None, None, "Outside the procedure: an appeal to the tribunal"),
        ("A2", 1, "2024-06-04 09:00", "Planning", None, "2024-06-10 09:00", None),
        ("A3", 2, "2024-06-05 09:00", "Planning", None, None, "Made more than 12 months after the matter"),
        ("A4", 1, "2024-09-05 09:00", "Waste", None, "2024-09-10 09:00", None),
        # 2023/24: one complaint, accepted -> 0 of 1 (0%, not missing: the column is recorded).
        ("A5", 1, "2023-06-05 09:00", "Waste", None, "2023-06-10 09:00", None),
    ], ["complaint_id", "stage", "received_at", "service", "acknowledged_at", "responded_at", "not_accepted_reason"])
    rows = _rows(complaint_code_measures(frame, config, calendar, D(2025, 3, 31)))
    _check(rows, ("2024/25", "complaints_not_accepted", ""), 50.0, 2, 4)
    _check(rows, ("2023/24", "complaints_not_accepted", ""), 0.0, 0, 1)
    assert not any(rows.index.get_level_values("breakdown") != "")  # no breakdown in the contract
    assert "complaints_extended" not in set(rows.index.get_level_values("measure_id"))


# --- the Ombudsmen's decisions --------------------------------------------------------------

DECISIONS = [
    # 2022/23: four decisions.
    ("22 001 001", "2022-06-15", "lgsco", "upheld", "Planning", True),
    ("22 001 002", "2022-09-01", "lgsco", "not_upheld", "Planning", None),
    ("22 001 003", "2023-03-31", "lgsco", "not_investigated", "Waste", None),   # the year's last day
    ("HO-202200017", "2022-11-30", "housing", "upheld", "Housing", False),
    # 2023/24: no decision at all.
    # 2024/25: three decisions, all LGSCO.
    ("24 001 001", "2024-04-01", "lgsco", "upheld", "Planning", True),           # the year's first day
    ("24 001 002", "2024-10-10", "lgsco", "upheld", "Council Tax", None),        # compliance not recorded
    ("24 001 003", "2025-01-15", "lgsco", "not_investigated", "Planning", None),
]
DECISION_COLUMNS = ["decision_id", "decided_on", "ombudsman", "outcome", "service", "remedy_complied"]


@pytest.fixture
def decisions():
    return _frame("ombudsman", DECISIONS, DECISION_COLUMNS)


def test_ombudsman_decisions_by_ombudsman_and_outcome(decisions, config):
    rows = _rows(ombudsman_measures(decisions, config))
    _check(rows, ("2022/23", "ombudsman_decisions", ""), 4)
    _check(rows, ("2022/23", "ombudsman_decisions", "ombudsman=lgsco"), 3)
    _check(rows, ("2022/23", "ombudsman_decisions", "ombudsman=housing"), 1)
    _check(rows, ("2022/23", "ombudsman_decisions", "outcome=upheld"), 2)
    _check(rows, ("2022/23", "ombudsman_decisions", "outcome=not_upheld"), 1)
    _check(rows, ("2022/23", "ombudsman_decisions", "outcome=not_investigated"), 1)
    _check(rows, ("2024/25", "ombudsman_decisions", ""), 3)
    # A year with decisions says 0 for what it had none of (seen in another year): no housing decision, none
    # not upheld.
    _check(rows, ("2024/25", "ombudsman_decisions", "ombudsman=housing"), 0)
    _check(rows, ("2024/25", "ombudsman_decisions", "outcome=not_upheld"), 0)
    _check(rows, ("2024/25", "ombudsman_decisions", "outcome=upheld"), 2)


def test_a_year_with_no_ombudsman_decision_has_no_rows(decisions, config):
    rows = ombudsman_measures(decisions, config)
    assert "2023/24" not in set(rows["year"])
    assert set(rows["year"]) == {"2022/23", "2024/25"}


def test_ombudsman_upheld_and_remedies_complied(decisions, config):
    rows = _rows(ombudsman_measures(decisions, config))
    # Upheld of upheld + not upheld (not investigated left out). 2022/23: 22 001 001 and HO-202200017 of
    # those two and 22 001 002 -> 2 / 3; LGSCO 1 / 2; Housing 1 / 1. 2024/25: 2 / 2, all LGSCO.
    _check(rows, ("2022/23", "ombudsman_upheld", ""), 100 * 2 / 3, 2, 3)
    _check(rows, ("2022/23", "ombudsman_upheld", "ombudsman=lgsco"), 50.0, 1, 2)
    _check(rows, ("2022/23", "ombudsman_upheld", "ombudsman=housing"), 100.0, 1, 1)
    _check(rows, ("2024/25", "ombudsman_upheld", ""), 100.0, 2, 2)
    assert ("2024/25", "ombudsman_upheld", "ombudsman=housing") not in rows.index
    # Remedy complied, of the decisions where it is recorded. 2022/23: yes for 22 001 001, no for HO-202200017
    # -> 1 / 2; LGSCO 1 / 1; Housing 0 / 1. 2024/25: 24 001 001 yes, 24 001 002 not recorded -> 1 / 1.
    _check(rows, ("2022/23", "ombudsman_remedy_complied", ""), 50.0, 1, 2)
    _check(rows, ("2022/23", "ombudsman_remedy_complied", "ombudsman=lgsco"), 100.0, 1, 1)
    _check(rows, ("2022/23", "ombudsman_remedy_complied", "ombudsman=housing"), 0.0, 0, 1)
    _check(rows, ("2024/25", "ombudsman_remedy_complied", ""), 100.0, 1, 1)
    # Decisions have a date, so the rates carry monthly statistics: 2022/23's upheld has a denominator in
    # Jun, Sep and Nov 2022 -> 3 months.
    assert rows.loc[("2022/23", "ombudsman_upheld", ""), "months"] == 3


def test_remedy_compliance_not_recorded_gives_no_rows(decisions, config):
    measures = set(ombudsman_measures(decisions, config, recorded=set())["measure_id"])
    assert measures == {"ombudsman_decisions", "ombudsman_upheld"}
    assert ombudsman_measures(decisions.iloc[0:0], config).empty
    assert ombudsman_measures(None, config).empty


# --- loading --------------------------------------------------------------------------------

OMBUDSMAN_CSV = (
    "Reference,Decided,Ombudsman,Decision,Service area,Remedy complied,Remedy offered before\n"
    "22 001 001,15/06/2022,LGSCO,Upheld,Planning,Yes,No\n"                                          # row 2
    "22 001 002,01/09/2022,Local Government and Social Care Ombudsman,Not upheld,Planning,,\n"     # row 3
    "22 001 003,31/03/2023,LGSCO,Closed after initial enquiries,Waste,,\n"                          # row 4
    "HO-202200017,30/11/2022,Housing Ombudsman,Upheld,Housing,No,Yes\n"                             # row 5
    "24 001 003,15/01/2025,local government & social care ombudsman,Not Investigated,Planning,,\n"  # row 6
    "24 001 004,16/01/2025,LGSCO,Closed after initial enquiries,Planning,,\n"                       # row 7
)
OMBUDSMAN_TOML = """
[datasets.ombudsman.columns]
"Reference" = "decision_id"
"Decided" = "decided_on"
"Ombudsman" = "ombudsman"
"Decision" = "outcome"
"Service area" = "service"
"Remedy complied" = "remedy_complied"
"Remedy offered before" = "remedy_before_ombudsman"
"""


def test_ombudsman_outcome_needs_a_values_map_for_its_own_words(tmp_path):
    config = _config(tmp_path, OMBUDSMAN_TOML)
    (tmp_path / "ombudsman.csv").write_text(OMBUDSMAN_CSV, encoding="utf-8")
    _, problems = check_all(config)
    # The names of both Ombudsmen and "Upheld", "Not upheld", "Not Investigated" need no map; the LGSCO's
    # "Closed after initial enquiries" does (is it not investigated? The council says so), reported once with
    # both its rows and the line to add.
    assert len(problems) == 1 and problems[0].fatal
    text = str(problems[0])
    assert "ombudsman.csv (ombudsman), column 'outcome' ('Decision' in the file)" in text
    assert "'Closed after initial enquiries'" in text and "rows 4, 7" in text
    assert "[datasets.ombudsman.values.outcome]" in text
    assert "upheld, not_upheld, not_investigated" in text


def test_ombudsman_loaded_with_obvious_spellings_and_a_values_map(tmp_path):
    config = _config(tmp_path, OMBUDSMAN_TOML + (
        '[datasets.ombudsman.values.outcome]\n"Closed after initial enquiries" = "not_investigated"\n'))
    (tmp_path / "ombudsman.csv").write_text(OMBUDSMAN_CSV, encoding="utf-8")
    frame = load_all(config).ombudsman
    assert frame["ombudsman"].astype(str).tolist() == ["lgsco", "lgsco", "lgsco", "housing", "lgsco", "lgsco"]
    assert frame["outcome"].astype(str).tolist() == [
        "upheld", "not_upheld", "not_investigated", "upheld", "not_investigated", "not_investigated"]
    assert frame["decided_on"].iloc[0] == pd.Timestamp("2022-06-15")
    assert frame["remedy_complied"].tolist()[:4] == [True, pd.NA, pd.NA, False]
    assert frame["remedy_before_ombudsman"].tolist()[3] is True
    assert frame["decision_id"].tolist()[0] == "22 001 001"


def test_ombudsman_faults_are_reported_together(tmp_path):
    config = _config(tmp_path)
    (tmp_path / "ombudsman.csv").write_text(
        "decision_id,decided_on,ombudsman,outcome\n"
        "D1,2024-05-01,Parliamentary Ombudsman,upheld\n"   # row 2: not an Ombudsman of the Code
        "D1,31/02/2025,lgsco,upheld\n"                     # row 3: the same id; no such date
        "D3,2024-06-01,lgsco,\n", encoding="utf-8")        # row 4: outcome is required
    with pytest.raises(DataError) as caught:
        load_all(config)
    text = str(caught.value)
    assert "column 'ombudsman'" in text and "'Parliamentary Ombudsman'" in text and "lgsco or housing" in text
    assert "column 'decision_id'" in text and "rows 2, 3" in text
    assert "column 'decided_on'" in text and "31/02/2025 is a day that does not exist" in text
    assert "column 'outcome'" in text and "is empty where a value is required" in text and "row 4" in text
    assert len(caught.value.problems) == 4


COMPLAINTS_CSV = (
    "Ref,Stage,Received,Service,Acknowledged,Responded,Extended deadline,Category,Reason not accepted,Learning\n"
    # row 2: E1 above, extended within the limit: no warning.
    "E1,Stage 1,24/04/2024 10:00,Planning,25/04/2024 09:00,22/05/2024 15:00,22/05/2024,Delay,,Added a check\n"
    # row 3: E3 above, extended to Fri 31 May, beyond the limit Fri 24 May.
    "E3,Stage 1,24/04/2024 10:00,Planning,25/04/2024 09:00,28/05/2024 12:00,31/05/2024,Delay,,\n"
    # row 4: E5 above, "extended" to Wed 8 May, before the standard deadline Fri 10 May.
    "E5,Stage 1,24/04/2024 10:00,Planning,25/04/2024 09:00,09/05/2024 11:00,08/05/2024,,,\n"
    # row 5: S2 above, stage 2 extended to Thu 29 Aug, a working day beyond Wed 28 Aug.
    "S2,Stage 2,01/07/2024 10:00,Planning,02/07/2024 10:00,29/08/2024 12:00,29/08/2024,,,\n"
    # row 6: not accepted, no extension.
    "X1,Stage 1,03/06/2024 09:00,Council Tax,,,,,\"Outside the procedure: an appeal, not a complaint\",\n"
)
COMPLAINTS_TOML = """
[datasets.complaints.columns]
"Ref" = "complaint_id"
"Received" = "received_at"
"Acknowledged" = "acknowledged_at"
"Responded" = "responded_at"
"Extended deadline" = "extended_to"
"Reason not accepted" = "not_accepted_reason"
"""


def test_extensions_the_code_does_not_allow_are_warnings_with_their_rows(tmp_path):
    config = _config(tmp_path, COMPLAINTS_TOML)
    (tmp_path / "complaints.csv").write_text(COMPLAINTS_CSV, encoding="utf-8")
    datasets, problems = check_all(config)
    assert not any(p.fatal for p in problems) and len(problems) == 2
    early, beyond = problems
    assert str(early).startswith(
        "complaints.csv (complaints), column 'extended_to' ('Extended deadline' in the file): is before the "
        "stage's standard deadline")
    assert early.rows == (4,) and early.examples == ("stage 1: extended to 08/05/2024, standard deadline 10/05/2024",)
    assert "(stage 1: 10, stage 2: 20 working days after the standard deadline)" in beyond.message
    assert beyond.rows == (3, 5)
    assert beyond.examples == ("stage 1: extended to 31/05/2024, latest the Code allows 24/05/2024",
                               "stage 2: extended to 29/08/2024, latest the Code allows 28/08/2024")
    assert all(p.fix for p in problems) and len(datasets.warnings) == 2
    complaints = load_all(config).complaints  # warnings: the data is used
    assert complaints["category"].astype(str).tolist()[:2] == ["Delay", "Delay"]
    assert complaints["learning"].tolist()[0] == "Added a check"
    assert complaints["not_accepted_reason"].tolist()[4] == "Outside the procedure: an appeal, not a complaint"
    # Counted as the Code allows: E1 within (on 22 May), E3 outside (after the cap, 24 May), E5 within (by the
    # standard deadline, 10 May), S2 outside (after the cap, 28 Aug), X1 never answered and long overdue.
    rows = _rows(complaint_code_measures(complaints, config, WorkingCalendar.for_council(config), AS_AT))
    _check(rows, ("2024/25", "complaints_responded_within_extension", ""), 40.0, 2, 5)
    _check(rows, ("2024/25", "complaints_not_accepted", ""), 20.0, 1, 5)


def test_an_unreadable_extended_to_is_reported_with_its_rows(tmp_path):
    config = _config(tmp_path)
    (tmp_path / "complaints.csv").write_text(
        "complaint_id,stage,received_at,service,extended_to\n"
        "K1,1,2024-04-24,Planning,31/02/2025\n"
        "K2,1,2024-04-24,Planning,2024-05-20\n"
        "K3,1,2024-04-24,Planning,next week\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_all(config)
    problem, = caught.value.problems
    assert problem.column == "extended_to" and problem.rows == (2, 4)
    assert "31/02/2025 is a day that does not exist" in str(problem) and "'next week'" in str(problem)


def test_complaints_without_the_new_columns_are_as_before(tmp_path):
    config = _config(tmp_path)
    (tmp_path / "complaints.csv").write_text(
        "complaint_id,stage,received_at,service,acknowledged_at,responded_at\n"
        "K1,1,2024-04-24 10:00,Planning,2024-04-25 09:00,2024-05-22 15:00\n", encoding="utf-8")
    datasets, problems = check_all(config)
    assert problems == []
    assert not datasets.recorded("complaints", "extended_to")
    assert not datasets.recorded("complaints", "not_accepted_reason")
    from analysis.workbook import prepare

    measures = set(prepare(tmp_path, "2024/25", datasets=datasets).measures["measure_id"])
    assert measures == {"complaints_received", "complaints_acknowledged_within_standard",
                        "complaints_responded_within_standard", "complaints_upheld"}


# --- the year's measures, with comparisons --------------------------------------------------


def test_ombudsman_measures_in_the_years_measures_with_comparisons(tmp_path):
    from analysis.workbook import prepare

    _config(tmp_path)
    # Complaints give the data its years, 2022/23 to 2024/25.
    (tmp_path / "complaints.csv").write_text(
        "complaint_id,stage,received_at,service\n"
        "K1,1,2022-05-03 10:00,Planning\nK2,1,2023-05-03 10:00,Planning\nK3,1,2024-05-03 10:00,Planning\n"
        "K4,1,2025-04-01 10:00,Planning\n", encoding="utf-8")
    lines = ["decision_id,decided_on,ombudsman,outcome,service,remedy_complied"]
    lines += [f"{d[0]},{d[1]},{d[2]},{d[3]},{d[4]},{'' if d[5] is None else d[5]}" for d in DECISIONS]
    (tmp_path / "ombudsman.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    workbook = prepare(tmp_path, "2024/25")
    rows = _rows(workbook.measures)
    assert not [k for k in rows.index if k[0] == "2023/24" and k[1].startswith("ombudsman_")]
    latest = rows.loc[("2024/25", "ombudsman_upheld", "")]
    # 2024/25: 2 / 2 = 100%. The year before had no decision: no previous value. Against the baseline, 2022/23
    # (the first year in the data), 2 / 3: Fisher's exact test (expected counts below 5) on [[2, 0], [2, 1]]
    # gives p = 1, so not significant.
    assert latest["value"] == 100.0 and pd.isna(latest["previous_value"])
    assert latest["baseline_year"] == "2022/23" and latest["baseline_value"] == pytest.approx(100 * 2 / 3)
    assert latest["change_since_baseline"] == pytest.approx(100 / 3)
    assert latest["significant_since_baseline"] == False  # noqa: E712 (pandas' boolean, not Python's)
    counts = rows.loc[("2024/25", "ombudsman_decisions", "")]
    assert counts["value"] == 3 and pd.isna(counts["significant_since_baseline"])  # counts are never tested


# --- council.toml ---------------------------------------------------------------------------


def test_self_assessment_url(tmp_path):
    assert _config(tmp_path).complaints_self_assessment_url is None
    given = _config(tmp_path, '[complaints]\nself_assessment_url = "https://www.example.gov.uk/complaints-code"\n')
    assert given.complaints_self_assessment_url == "https://www.example.gov.uk/complaints-code"
    assert not given.warnings
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, '[complaints]\nself_assessment_url = "javascript:alert(1)"\n')
    # TOML's 11 lines (a blank line first, [standards.complaints] ending on line 11), then [complaints] on
    # line 12: the key is on line 13.
    assert "[complaints.self_assessment_url] (line 13) must be a web address starting https://" in str(caught.value)


# --- hand-worked cases the measures above do not cover --------------------------------------


def test_an_extended_complaint_not_yet_due_by_the_data_s_own_as_at_date(tmp_path):
    """Through the loader and prepare, with the as-at date the data itself gives (its latest timestamp)."""
    from analysis.workbook import prepare

    _config(tmp_path)
    (tmp_path / "complaints.csv").write_text(
        "complaint_id,stage,received_at,service,acknowledged_at,responded_at,extended_to\n"
        # Received and acknowledged Mon 3 Mar 2025 = day 0; standard deadline Mon 17 Mar (day 10).
        # K1: extended to Mon 31 Mar (the Code's limit, day 20), not answered. The latest timestamp in the data is
        #     K2's answer on Thu 20 Mar 2025, so as at 20 Mar K1's deadline is still to come: not yet due.
        "K1,1,2025-03-03 09:00,Planning,2025-03-03 12:00,,2025-03-31\n"
        # K2: no extension, answered Thu 20 Mar (day 13): due and outside, with or without extensions.
        "K2,1,2025-03-03 09:00,Planning,2025-03-03 12:00,2025-03-20 16:00,\n", encoding="utf-8")
    rows = _rows(prepare(tmp_path, "2024/25").measures)
    _check(rows, ("2024/25", "complaints_responded_within_extension", ""), 0.0, 0, 1)  # K2 only
    # Without the extension K1's deadline, Mon 17 Mar, is before the as-at date: due and outside -> 0 / 2.
    _check(rows, ("2024/25", "complaints_responded_within_standard", ""), 0.0, 0, 2)
    _check(rows, ("2024/25", "complaints_extended", ""), 50.0, 1, 2)


# --- the page: "Complaints: the Complaint Handling Code's annual report" --------------------

# A small council, every figure counted by hand. 2023/24: six Planning complaints (P1-P6), nothing else.
# 2024/25: twenty stage 1 complaints received Mon 3 Jun 2024 and answered Wed 5 Jun (day 2, within 10):
#   C01-C10 Planning, C11-C20 Waste (10 each, both shown).
#   category: C01-C12 Delay (12); C13-C15 Staff conduct (3); C16 "<b>Rude</b>" (1); C17-C20 none (4). Only Delay
#     has 5 or more; the rest fold into "Other categories": 20 - 12 = 8 (not small, so nothing more folds).
#   extended_to: C01-C03 to Thu 20 Jun (the standard deadline is Mon 17 Jun, the Code's limit Mon 1 Jul): 3 of 20,
#     "fewer than 5", and its percentage (15.0%) hidden: times the 20 complaints shown it gives 3 back.
#   not_accepted_reason: C11-C15 "A request for a service, not a complaint" (5), C16 "Right of appeal" (1): 6
#     of 20 = 30.0%. The reason given once folds into "Other reasons" = 1, small, so the next smallest (the
#     request, 5) folds in too: "Other reasons" 6, and neither reason is named.
#   learning: C01 and C02 the same note (different capitals and spaces, markup in it): listed once, escaped;
#     C11 another note (Waste).
# Ombudsman: no decision in 2023/24; 2024/25, all LGSCO: upheld 6 (remedy complied: 5 yes, 1 no), not upheld 5,
#   not investigated 2. The table shows 6, 5 and 13 in all, which would give the 2 back (13 - 6 - 5): the
#   smallest count beside it, not upheld (5), reads "not shown"; and the upheld share, 6 of 11 = 54.5%, would
#   give it back too (it gives its numerator 6 and complement 5), so it reads "not shown" (its base, 11, is not
#   below the minimum: "too few to report" is only for that). Remedies: 5 of 6 = 83.3% gives back the 1 not
#   complied with, so it reads "not shown" too.
NOTE = "Added a <script>alert('x')</script> check & more"
PAGE_COMPLAINTS = ["complaint_id,stage,received_at,service,acknowledged_at,responded_at,outcome,extended_to,"
                   "category,not_accepted_reason,learning"]
PAGE_COMPLAINTS += [f"P{i},1,2023-06-05 09:00,Planning,2023-06-05 10:00,2023-06-07 10:00,not_upheld,,,,"
                    for i in range(1, 7)]
for _i in range(1, 21):
    _category = ("Delay" if _i <= 12 else "Staff conduct" if _i <= 15 else "<b>Rude</b>" if _i == 16 else "")
    _reason = ("A request for a service, not a complaint" if 11 <= _i <= 15 else "Right of appeal" if _i == 16
               else "")
    _note = {1: NOTE, 2: NOTE.lower().replace(" check", "  check"), 11: "Crews photograph a bin left behind"}
    PAGE_COMPLAINTS.append(
        f"C{_i:02d},1,2024-06-03 09:00,{'Planning' if _i <= 10 else 'Waste'},2024-06-03 10:00,2024-06-05 10:00,"
        f"upheld,{'2024-06-20' if _i <= 3 else ''},{_category},\"{_reason}\",\"{_note.get(_i, '')}\"")
PAGE_OMBUDSMAN = ["decision_id,decided_on,ombudsman,outcome,service,remedy_complied"]
PAGE_OMBUDSMAN += [f"U{i},2024-07-0{i},LGSCO,Upheld,Planning,{'Yes' if i <= 5 else 'No'}" for i in range(1, 7)]
PAGE_OMBUDSMAN += [f"N{i},2024-08-0{i},LGSCO,Not upheld,Planning," for i in range(1, 6)]
PAGE_OMBUDSMAN += [f"X{i},2024-09-0{i},LGSCO,Not investigated,Waste," for i in range(1, 3)]


def _words(fragment) -> str:
    import html
    import re

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", str(fragment)))).strip()


def _page(wb) -> str:
    """Every section of the Code's page, as one text."""
    from analysis import pages

    return " ".join(_words(section(wb)) for section in (
        pages.code_report_headline, pages.code_complaints_by_category, pages.code_timescales_table,
        pages.code_timescales_by_year, pages.code_extensions_note, pages.code_not_accepted,
        pages.ombudsman_decisions_table, pages.ombudsman_upheld_and_remedies, pages.code_learning,
        pages.code_self_assessment))


@pytest.fixture
def code_council(tmp_path):
    from analysis.workbook import prepare

    _config(tmp_path, '[disclosure]\nminimum_count = 5\n[complaints]\n'
                      'self_assessment_url = "https://www.example.gov.uk/complaints-code?a=1&b=2"\n')
    (tmp_path / "complaints.csv").write_text("\n".join(PAGE_COMPLAINTS) + "\n", encoding="utf-8")
    (tmp_path / "ombudsman.csv").write_text("\n".join(PAGE_OMBUDSMAN) + "\n", encoding="utf-8")
    return prepare(tmp_path, "2024/25")


def test_the_page_shows_the_figures_as_counted(code_council):
    text = _page(code_council)
    assert "In 2024/25 the council received 20 formal complaints" in text
    # All 20 answered on day 2, within 10 working days, with or without extensions.
    assert "100.0% of those due an answer had it within the Code's timescales, and 100.0% within the timescales" \
        in text
    assert "6 complaints were not accepted into the complaints procedure" in text
    assert "In 2024/25, 6 complaints were not accepted into the complaints procedure (30.0% of the complaints " \
           "received)" in text
    assert "What the complaint was about Complaints Delay 12 Other categories 8" in text
    assert "Reason Complaints Other reasons 6" in text and "A request for a service" not in text
    assert "The Ombudsmen made 13 decisions on complaints about the council." in text
    # Remedies: 5 complied of the 6 recorded = 83.3%, but with the 6 upheld shown it gives back the 1 not complied
    # with (6 - 5): a percentage gives its numerator and its complement, so it is not shown.
    assert "Remedies complied with, of those whose outcome is recorded no decisions not shown" in text
    assert "83.3%" not in text
    # The earlier year had no decision: no rows in measures.csv, "none" and "no decisions" on the page.
    assert "Decision 2023/24 2024/25 Upheld (all by the Local Government and Social Care Ombudsman) none 6" in text
    # 6 of 11 upheld: hidden to protect the 2 not investigated (see below), on a base of 11, so "not shown".
    assert "Upheld, of the decisions investigated no decisions not shown" in text


def test_the_page_suppresses_small_counts_and_what_would_give_them_back(code_council):
    text = _page(code_council)
    # complaints_extended counts every extended_to set (an early one too, which is not an extension): the words
    # say "a new deadline agreed", never "extended", so the page does not contradict its own rule.
    assert ("Fewer than 5 complaints had a new deadline agreed with the complainant; where that date was before the "
            "usual deadline, the usual deadline was counted.") in text
    assert "had their deadline extended" not in text
    # Stage 1 and all stages: 3 extended reads "fewer than 5", without its share (15.0% of the 20 shown).
    assert "Stage 1 20 100.0% 100.0% fewer than 5 100.0%" in text
    assert "15.0%" not in text
    # The Ombudsmen's decisions: not investigated 2 is small; not upheld (5) is hidden as well, and so is the
    # upheld share (54.5%), either of which with the 13 and the 6 would give the 2 back.
    assert "Not upheld none not shown" in text and "Not investigated none fewer than 5" in text
    assert "All decisions none 13" in text
    assert "54.5%" not in text
    assert "Staff conduct" not in text  # 3 complaints: folded, never named
    assert "Rude" not in text


def test_learning_is_shown_once_as_plain_text_and_categories_never_as_markup(code_council):
    from analysis import pages

    html = str(pages.code_learning(code_council))
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; check &amp; more" in html
    text = _words(html)
    assert text.count("alert('x')") == 1  # C01 and C02 wrote the same note: one improvement
    assert "Planning Added a <script>alert('x')</script> check & more" in text
    assert "Waste Crews photograph a bin left behind" in text
    assert "<b>" not in str(pages.code_complaints_by_category(code_council))
    # The self-assessment's address is given as a link, escaped.
    link = str(pages.code_self_assessment(code_council))
    assert 'href="https://www.example.gov.uk/complaints-code?a=1&amp;b=2"' in link


def test_the_page_says_not_recorded_without_the_code_s_columns(tmp_path):
    from analysis import pages
    from analysis.workbook import prepare

    _config(tmp_path)
    (tmp_path / "complaints.csv").write_text(
        "complaint_id,stage,received_at,service,acknowledged_at,responded_at,outcome\n"
        + "".join(f"K{i},1,2024-06-03 09:00,Planning,2024-06-03 10:00,2024-06-05 10:00,upheld\n" for i in range(6)),
        encoding="utf-8")
    wb = prepare(tmp_path, "2024/25")
    text = _page(wb)
    assert "The complaints data does not record what each complaint was about, so complaints are not shown by " \
           "category." in text
    assert "The complaints data does not record the extensions agreed with complainants, so extensions are not " \
           "shown." in text
    assert "New deadline agreed (% of complaints received) Answered within the timescale or the extension agreed " \
           "Stage 1 6 100.0% 100.0% not recorded not recorded" in text
    assert "The complaints data does not record which complaints were not accepted into the procedure" in text
    assert "The complaints data does not record the service improvements made because of complaints" in text
    assert "The data for this report has no Ombudsman decisions, so their decisions are not shown." in text
    assert "No web address was given for the council's self-assessment" in text
    # Nothing claims "none extended" or "every complaint accepted" from a column the export does not have.
    assert "new deadline agreed with" not in text and "Every complaint" not in text
    assert str(pages.ombudsman_upheld_and_remedies(wb)) == ""


def test_the_scorecard_shows_the_code_s_rates_that_give_no_count_back(code_council):
    from analysis.present import scorecard_frame

    shown = list(scorecard_frame(code_council)["measure_id"])
    # After the complaints' own measures, in SCORECARD_ORDER.
    assert shown[shown.index("complaints_upheld") + 1] == "complaints_responded_within_extension"
    # A count by outcome, and four percentages of counts a page shows (3 extended of the 20 complaints shown
    # would read 15.0% there; 5 of 6 remedies complied with, 83.3%, gives back the 1 not complied with, which the
    # Code's page hides): on the Code's page only, by its own record.
    assert not {"ombudsman_decisions", "complaints_extended", "complaints_not_accepted", "ombudsman_upheld",
                "ombudsman_remedy_complied"} & set(shown)


# --- the Ombudsmen's figures: a percentage gives back its numerator and its complement ------------------------
#
# Each council below has the same six complaints as test_the_page_says_not_recorded_without_the_code_s_columns
# (so that the page has complaints) and decisions made in 2024/25 only, written (ombudsman, outcome, remedy).

def _ombudsman_council(tmp_path, decisions):
    from analysis.workbook import prepare

    _config(tmp_path, "[disclosure]\nminimum_count = 5\n")
    (tmp_path / "complaints.csv").write_text(
        "complaint_id,stage,received_at,service,acknowledged_at,responded_at,outcome\n"
        + "".join(f"K{i},1,2024-06-03 09:00,Planning,2024-06-03 10:00,2024-06-05 10:00,upheld\n" for i in range(6)),
        encoding="utf-8")
    rows = ["decision_id,decided_on,ombudsman,outcome,service,remedy_complied"]
    for i, (ombudsman, outcome, remedy) in enumerate(decisions):
        rows.append(f"D{i:03d},2024-07-{1 + i % 28:02d},{ombudsman},{outcome},Planning,{remedy}")
    (tmp_path / "ombudsman.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return prepare(tmp_path, "2024/25")


def _rates_row(wb, label: str) -> str:
    """The 2024/25 cell of one row of the upheld and remedies table ('' when there is no such row)."""
    from analysis import pages

    import re

    text = _words(pages.ombudsman_upheld_and_remedies(wb))
    # The label, then (one year only: 2024/25) its cell, up to the change column.
    found = re.search(re.escape(label) + r" (not shown|too few to report|[0-9.]+%|none recorded|none investigated)",
                      text)
    return found.group(1) if found else ""


LG, HO = "LGSCO", "Housing Ombudsman"
UPHELD_OF = "Upheld, of the decisions investigated"
REMEDIES_OF = "Remedies complied with, of those whose outcome is recorded"


def test_an_ombudsman_s_upheld_share_does_not_give_back_the_other_s_small_count(tmp_path):
    # The review's fault (a), 2022/23 of the sample: LGSCO 9 upheld, 5 not upheld, 2 not investigated (16);
    # Housing Ombudsman 2 upheld, 1 not upheld, 1 not investigated (4); all: 11 upheld, 6 not upheld, 3 not
    # investigated, 20 decisions. Of the fractions k/n with n below 20 only 9/14 reads 64.3%, so showing the LGSCO's
    # share gives its 5 not upheld, and with "not upheld: 6" the Housing Ombudsman's 1. Now a share gives its
    # numerator and complement: the LGSCO's 9 and 5 are cells of the page's record, beside "not upheld 6" and the
    # Housing Ombudsman's 1 (small, and hidden by its own share: 2 of 3 on a base of 3, "too few to report").
    # 6 - 5 = 1 gives it back, so one of the LGSCO's counts is hidden and its share reads "not shown" (its base,
    # 14, is not small).
    wb = _ombudsman_council(tmp_path, [(LG, "Upheld", "Yes")] * 9 + [(LG, "Not upheld", "")] * 5
                            + [(LG, "Not investigated", "")] * 2 + [(HO, "Upheld", "Yes")] * 2
                            + [(HO, "Not upheld", "")] + [(HO, "Not investigated", "")])
    from analysis import pages

    text = _words(pages.ombudsman_decisions_table(wb)) + " " + _words(pages.ombudsman_upheld_and_remedies(wb))
    assert "64.3%" not in text
    assert _rates_row(wb, f"{UPHELD_OF}: Local Government and Social Care Ombudsman") == "not shown"
    assert _rates_row(wb, f"{UPHELD_OF}: Housing Ombudsman") == "too few to report"
    code = pages.code_disclosure(wb)
    # Whatever is shown, the Housing Ombudsman's 1 not upheld cannot be pinned: some count of the line
    # 6 = LGSCO's 5 + Housing's 1 other than the 1 is hidden.
    assert code.hidden(("ombudsman_upheld_no", "ombudsman=housing", "2024/25"))
    assert any(code.hidden(k) for k in (("ombudsman_upheld_no", "ombudsman=lgsco", "2024/25"),
                                        ("ombudsman_decisions", "outcome=not_upheld", "2024/25")))


def test_remedies_in_all_and_by_ombudsman_do_not_give_back_the_other_s(tmp_path):
    # The review's fault (b), 2023/24 of the sample: LGSCO 5 upheld, remedies 4 complied with and 1 not; Housing
    # Ombudsman 3 upheld, 2 complied with and 1 not; all: 8 upheld, 6 of 8 = 75.0% complied with. 75.0% of at most
    # 8 is 3 of 4 or 6 of 8, and 80.0% (the LGSCO's) of at most 8 is 4 of 5, more than 3: so 6 of 8, and the Housing
    # Ombudsman's remedies are 2 of 3. Now: 75.0% gives 6 and 2 (2 small: hidden, base 8 -> "not shown"); 80.0%
    # gives 4 and 1 (hidden, base 5 -> "not shown"); 2 of 3 is on a base of 3 ("too few to report").
    wb = _ombudsman_council(tmp_path, [(LG, "Upheld", "Yes")] * 4 + [(LG, "Upheld", "No")]
                            + [(LG, "Not upheld", "")] * 5 + [(HO, "Upheld", "Yes")] * 2 + [(HO, "Upheld", "No")]
                            + [(HO, "Not upheld", "")] * 5)
    from analysis import pages

    text = _words(pages.ombudsman_upheld_and_remedies(wb))
    assert "75.0%" not in text and "80.0%" not in text and "66.7%" not in text
    assert _rates_row(wb, REMEDIES_OF) == "not shown"
    assert _rates_row(wb, f"{REMEDIES_OF}: Local Government and Social Care Ombudsman") == "not shown"
    assert _rates_row(wb, f"{REMEDIES_OF}: Housing Ombudsman") == "too few to report"
    assert "a percentage that would give back a number under 5" in text  # the caption says what "not shown" is


def test_a_percentage_whose_complement_is_small_is_not_shown(tmp_path):
    # The review's fault (c), 2024/25 of the sample: 7 upheld (shown), remedies 4 complied with of 7 = 57.1%, which
    # gives back the 3 not complied with. One Ombudsman, so no row by Ombudsman. Not upheld 5, not investigated 0,
    # 12 decisions: the upheld share, 7 of 12 = 58.3%, gives 7 and 5, both shown, so it is shown.
    wb = _ombudsman_council(tmp_path, [(LG, "Upheld", "Yes")] * 4 + [(LG, "Upheld", "No")] * 3
                            + [(LG, "Not upheld", "")] * 5)
    assert _rates_row(wb, REMEDIES_OF) == "not shown"
    assert _rates_row(wb, UPHELD_OF) == "58.3%"
    from analysis import pages

    assert "57.1%" not in _words(pages.ombudsman_upheld_and_remedies(wb))
    # The headline gives the share upheld; nothing else on the page gives the remedies.
    assert "of those they investigated, 58.3% were upheld" in _words(pages.code_report_headline(wb))


def test_a_percentage_with_nothing_on_the_other_side_is_shown(tmp_path):
    # 0 is not a small count: 9 of 9 remedies complied with (complement 0) reads 100.0%, and 9 of 14 upheld
    # (complement 5) reads 64.3%, one Ombudsman, nothing small anywhere (9, 5, 0 not investigated, 14).
    wb = _ombudsman_council(tmp_path, [(LG, "Upheld", "Yes")] * 9 + [(LG, "Not upheld", "")] * 5)
    assert _rates_row(wb, REMEDIES_OF) == "100.0%"
    assert _rates_row(wb, UPHELD_OF) == "64.3%"


def test_the_scorecard_never_shows_the_remedies_the_code_s_page_hides(tmp_path):
    # (c)'s council: the Code's page hides 57.1%; the scorecard does not list the remedies at all.
    from analysis.present import scorecard_frame

    wb = _ombudsman_council(tmp_path, [(LG, "Upheld", "Yes")] * 4 + [(LG, "Upheld", "No")] * 3
                            + [(LG, "Not upheld", "")] * 5)
    frame = scorecard_frame(wb)
    assert "ombudsman_remedy_complied" not in set(frame["measure_id"])
    assert not frame.astype(str).apply(lambda c: c.str.contains("57.1%")).to_numpy().any()


def test_the_not_accepted_caption_says_why_a_reason_of_5_was_folded(code_council):
    # code_council: "A request for a service" 5, "Right of appeal" 1, 6 not accepted (shown). "Other reasons" alone
    # would be 1, which 6 - 5 gives back, so the request (5, the least common with 5 or more) is counted in it too:
    # the caption must not say only "a reason is named where it was given for 5 or more".
    from analysis import pages

    text = _words(pages.code_not_accepted(code_council))
    assert "Other reasons 6" in text and "A request for a service" not in text
    assert ("The least common reason with 5 or more is counted in \u201cOther reasons\u201d too, so that no number "
            "under 5 can be worked out by taking the reasons named from the total") in text
    # Categories: Delay 12 named, the rest (3 + 1 + 4 = 8) folded; no category of 5 or more folded, so no such words.
    category = _words(pages.code_complaints_by_category(code_council))
    assert "Other categories 8" in category and "least common" not in category


def test_the_code_page_s_wide_tables_are_cards_on_a_phone(code_council):
    # The by-stage, by-year and Ombudsman tables have 5 to 6 columns: stacked (present.table), each cell labelled.
    from analysis import pages

    for section in (pages.code_timescales_table, pages.code_timescales_by_year, pages.ombudsman_decisions_table,
                    pages.ombudsman_upheld_and_remedies):
        html = str(section(code_council))
        assert 'class="members-table stacked"' in html, section.__name__
        assert 'data-label="2024/25"' in html or 'data-label="Complaints received"' in html, section.__name__
