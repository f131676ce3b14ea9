"""Shared fixtures: a small hand-made council whose every figure was worked out by hand.

"Riverside Borough Council" differs from the sample on purpose: other column
names (mapped in council.toml), contacts split over two CSV files found by a
glob, the action plan in Excel on a named sheet with its own status labels,
calls in Parquet, other standards, other in-person places and its own
Christmas closure. The expected figures are in RIVERSIDE_EXPECTED, each with
the reasoning beside it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import settings

# The property tests draw the same examples on every run (set HYPOTHESIS_PROFILE=explore to draw new ones while
# developing): a clean clone's CI must not pass or fail by the luck of the draw.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# The store of files read (analysis.loader.cache) goes to a folder of this test session's own, never the
# user's ~/.cache; every run through papermill and every `workbook` command started by a test inherits it.
os.environ["WORKBOOK_CACHE"] = __import__("tempfile").mkdtemp(prefix="workbook-test-cache-")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"

RIVERSIDE_TOML = """
[council]
name = "Riverside Borough Council"
year_start_month = 4
sample = false

[calendar]
bank_holidays = "england-and-wales"
closure_days = ["2023-12-27", "2023-12-28", "2023-12-29"]

[standards.respond_within_working_days]
email = 3
letter = 15
report_it = 5

[standards.acknowledge_within_working_days]
report_it = 2

[standards.phone]
answer_within_seconds = 30

[standards.complaints]
acknowledge_within_working_days = 5
stage1_respond_within_working_days = 10
stage2_respond_within_working_days = 20

[survey.questions.overall]
text = "Overall, how satisfied or dissatisfied are you with the way the council runs things?"
scale = ["Very satisfied", "Fairly satisfied", "Neither", "Fairly dissatisfied", "Very dissatisfied", "Don't know"]
positive = ["Very satisfied", "Fairly satisfied"]

[locations]
in_person = ["Town Hall", "Library Hub"]

[action_plan]
themes = ["Access", "Standards"]
[action_plan.status_labels]
achieved = ["Done"]
not_achieved = ["Missed"]
ongoing = ["Rolling"]
withdrawn = ["Dropped"]

[disclosure]
minimum_count = 5

[datasets.action_plan]
path = "plans/Action Plan.xlsx"
sheet = "Plan"
columns = { "Year" = "plan_year", "No" = "action_id", "Theme" = "theme", "Action" = "action", "RAG" = "status", "Continues" = "carried_from", "Progress" = "progress_note" }

[datasets.contacts]
path = "crm/export_*.csv"
columns = { "Case Ref" = "contact_id", "Date Logged" = "received_at", "Contact Method" = "channel", "Department" = "service", "Acknowledged" = "acknowledged_at", "Closed" = "responded_at", "Resolved First Time" = "resolved_first_contact", "Site" = "location" }

[datasets.calls]
path = "telephony/calls.parquet"
columns = { "CallID" = "call_id", "Start" = "offered_at", "Handled" = "answered", "Queue Time" = "wait_seconds" }

[datasets.measures]
path = "register.csv"
"""

# Contacts 2023/24. Email standard 3, letter 15, Report It 5 (acknowledge 2). The data's
# as-at date is the latest timestamp: R2's response on 10 April 2024.
CONTACTS_2023 = [
    # ref, logged, method, department, acknowledged, closed, resolved first time, site, customer (personal)
    # E1: Fri 5 May 2023 = day 0; Mon 8 May Coronation; Tue 9 = 1, Wed 10 = 2, Thu 11 = 3 -> within 3.
    ("E1", "05/05/2023 10:00", "Email", "Waste", "", "11/05/2023 16:00", "", "", "Ann Example"),
    # E2: Sat 6 May -> day 0 is Tue 9 May (Mon 8 Coronation); Wed 10 = 1, Thu 11 = 2, Fri 12 = 3 -> within.
    ("E2", "2023-05-06 09:30", "email", "Waste", "", "2023-05-12 09:00", "", "", "Bob Example"),
    # E3: Wed 27 Dec 2023 (closure); 28, 29 closure; Mon 1 Jan bank holiday -> day 0 Tue 2 Jan;
    #     Wed 3 = 1, Thu 4 = 2 -> within.
    ("E3", "2023-12-27T09:00:00", "Email", "Housing", "", "2024-01-04 12:00", "", "", "Cy Example"),
    # E4: Mon 4 Mar 2024 = 0; Tue 1, Wed 2, Thu 3, Fri 8 Mar = 4 -> outside 3.
    ("E4", "04/03/2024 08:00", "Email", "Housing", "", "08/03/2024 08:00", "", "", "Di Example"),
    # E5: Mon 11 Mar 2024, never answered; day 3 = Thu 14 Mar, before the as-at date -> due, outside.
    ("E5", "11/03/2024 11:00", "Email", "Housing", "", "", "", "", "Ed Example"),
    # L1: Thu 28 Mar 2024, no response; Good Friday 29 Mar, Easter Monday 1 Apr; day 15 = Mon 22 Apr,
    #     after the as-at date (10 Apr) -> not yet due, left out.
    ("L1", "28/03/2024 10:00", "Letter", "Planning", "", "", "", "", "Flo Example"),
    # L2: Tue 2 Jan 2024 = 0; working days Jan 3..23 -> Tue 23 Jan = 15 -> within 15.
    ("L2", "02/01/2024 10:00", "Letter", "Planning", "", "23/01/2024 10:00", "", "", "Gus Example"),
    # L3: same day, answered Wed 24 Jan = 16 -> outside (working day N + 1).
    ("L3", "02/01/2024 11:00", "Letter", "Planning", "", "24/01/2024 10:00", "", "", "Hal Example"),
    # R1: Sun 7 Jan 2024 22:00 -> day 0 Mon 8; acknowledged the same Sunday night = 0 -> within 2;
    #     closed Fri 12 Jan = 4 -> within 5.
    ("R1", "07/01/2024 22:00", "Report It", "Highways", "07/01/2024 22:01", "12/01/2024 15:00", "", "", "Ivy Example"),
    # R2: Fri 22 Mar 2024 = 0; acknowledged Wed 27 Mar = 3 -> outside 2; closed Wed 10 Apr:
    #     Mon 25 = 1, Tue 26 = 2, Wed 27 = 3, Thu 28 = 4, (Good Friday, Easter Monday), Tue 2 Apr = 5 ... Wed 10 = 11 -> outside.
    ("R2", "22/03/2024 10:00", "report-it", "Highways", "27/03/2024 09:00", "10/04/2024 09:00", "", "", "Jo Example"),
    # Phone and in person: first-contact resolution recorded for P1 (yes), P2 (no), P3 (yes); P4 not recorded.
    ("P1", "04/03/2024 09:00", "Phone", "Revenues", "", "", "Yes", "", "Kit Example"),
    ("P2", "04/03/2024 09:05", "Phone", "Revenues", "", "", "No", "", "Lee Example"),
    ("P3", "05/03/2024 10:00", "In person", "Revenues", "", "", "Y", "Library Hub", "Mo Example"),
    ("P4", "05/03/2024 11:00", "In person", "Waste", "", "", "", "Town Hall", "Ned Example"),
]
# Contacts 2022/23: the previous year.
CONTACTS_2022 = [
    # E6: Mon 19 Sep 2022 (State Funeral) -> day 0 Tue 20; Wed 21 = 1, Thu 22 = 2 -> within 3.
    ("E6", "2022-09-19 11:00", "Email", "Waste", "", "2022-09-22 10:00", "", "", "Oz Example"),
    # E7: Fri 16 Sep 2022 = 0; Mon 19 holiday; Tue 20 = 1, Wed 21 = 2, Thu 22 = 3 -> within.
    ("E7", "2022-09-16 15:00", "Email", "Waste", "", "2022-09-22 10:00", "", "", "Pip Example"),
    # E8: Thu 1 Dec 2022 = 0; Fri 2 = 1, Mon 5 = 2, Tue 6 = 3, Wed 7 = 4 -> outside.
    ("E8", "2022-12-01 10:00", "Email", "Housing", "", "2022-12-07 10:00", "", "", "Quin Example"),
    # E9: Tue 28 Mar 2023, never answered; day 3 = Fri 31 Mar 2023 -> due, outside.
    ("E9", "2023-03-28 10:00", "Email", "Housing", "", "", "", "", "Rae Example"),
]
CALLS = [
    # 2023/24: answered within 30 s: C1 (10), C2 (30) of 4 answered -> 50%; abandoned 2 of 6 -> 33.33%;
    # average speed of answer (10 + 30 + 31 + 45) / 4 = 29.0 s.
    ("C1", "2023-06-01 09:00", "Yes", 10), ("C2", "2023-06-01 09:10", "Yes", 30),
    ("C3", "2023-06-01 09:20", "Yes", 31), ("C4", "2023-06-01 09:30", "Yes", 45),
    ("C5", "2023-06-01 09:40", "No", 60), ("C6", "2023-06-01 09:50", "No", 5),
    # 2022/23: C7 answered in 20 s, C8 abandoned -> within 100%, abandoned 50%, ASA 20 s.
    ("C7", "2022-06-01 09:00", "Yes", 20), ("C8", "2022-06-01 09:10", "No", 100),
]
# Free text from a spreadsheet must reach members as text, never as markup.
ESCAPE_ME = "Waiting for <b>budget</b> & \"sign-off\" <script>alert('x')</script>"
PLAN = [
    # Year, No, Theme, Action, RAG, Continues, Officer email (personal: must be dropped)
    ("2022/23", "1", "Access", "Open a library hub desk", "Done", None, "a@example.invalid"),
    ("2022/23", "2", "Access", "Review opening hours", "Missed", None, "b@example.invalid"),
    ("2022/23", "3", "Standards", "Publish response standards", "missed ", None, "c@example.invalid"),
    ("2022/23", "4", "Standards", "Train staff", "Rolling", None, "d@example.invalid"),
    ("2023/24", "1", "Access", "Add a webchat service", "Done", None, "e@example.invalid"),
    ("2023/24", "2", "Access", "Review opening hours", "Missed", "2022/23:2", "f@example.invalid",
     ESCAPE_ME),
    ("2023/24", "3", "Standards", "Publish response standards", "DONE", "2022/23:3", "g@example.invalid"),
    ("2023/24", "4", "Standards", "Mystery shopping", "Dropped", None, "h@example.invalid"),
    ("2023/24", "5", "Standards", "Report It acknowledgements", "Done", None, "i@example.invalid"),
    ("2024/25", "1", "Access", "Review opening hours", "Rolling", "2023/24:2", "j@example.invalid"),
]
REGISTER = """measure_id,name,unit,polarity,target,theme,description
responses_within_standard,Responses within standard,percent,higher_is_better,80,Standards,
calls_abandoned,Calls abandoned,percent,lower_is_better,10,Access,
digital_share,Digital share,percent,higher_is_better,,Access,Target to be agreed
complaints_responded_within_standard,Complaints answered on time,percent,higher_is_better,95,Standards,
net_satisfaction,Net satisfaction,score,higher_is_better,20,Standards,
staff_trained,Staff trained,percent,higher_is_better,85,Staff,Reported by HR
"""
# The complaints standards are 5 / 10 / 20 working days; the stage answers are timed from the
# acknowledgement. The complaints' as-at date is their latest timestamp: K4's acknowledgement, 27 March 2024.
COMPLAINTS = """complaint_id,stage,received_at,service,acknowledged_at,responded_at,outcome,referred_to_ombudsman
K1,1,2023-09-04 10:00,Waste,2023-09-11 09:00,2023-09-25 09:00,upheld,no
K2,1,2023-09-04 11:00,Waste,2023-09-12 09:00,2023-09-26 09:00,not_upheld,no
K3,1,2024-03-01 10:00,Housing,,2024-03-18 09:00,partly_upheld,no
K1,2,2023-10-02 10:00,Waste,2023-10-02 15:00,2023-10-31 09:00,not_upheld,yes
K4,1,2024-03-26 10:00,Housing,2024-03-27 09:00,,open,
K5,1,2023-01-16 10:00,Planning,2023-01-16 12:00,2023-01-30 09:00,upheld,no
"""
# K1 s1: Mon 4 Sep = 0 ... Mon 11 Sep = 5 -> acknowledged within 5; answered Mon 25 Sep = day 10 from the
#        acknowledgement (Mon 11 = 0) -> within 10.
# K2 s1: acknowledged Tue 12 Sep = day 6 -> outside; answered Tue 26 Sep = day 10 from the acknowledgement
#        -> within (day 16 from receipt: counting from receipt would wrongly make it late).
# K3 s1: never acknowledged; day 5 = Fri 8 Mar, before the as-at date -> acknowledgement outside. Answer timed
#        from receipt (Fri 1 Mar = 0): Mon 18 Mar = 11 -> outside 10.
# K1 s2: acknowledged the same day (0) -> within; answer from Mon 2 Oct: Mon 30 Oct = 20, Tue 31 Oct = 21 -> outside 20.
# K4 s1: acknowledged Wed 27 Mar = day 1 -> within; no answer: from Wed 27 Mar (0), Good Friday and Easter Monday
#        skipped, day 10 = Fri 12 Apr, after the as-at date (27 Mar) -> not yet due; open, so not decided.
# K5 s1 (2022/23): acknowledged same day; answered Mon 30 Jan = day 10 from Mon 16 Jan -> within; upheld.
FEEDBACK = ("feedback_id,given_at,channel,rating\n"
            + "".join(f"F{i},2023-07-03 10:00,phone,{r}\n" for i, r in enumerate(["good"] * 6 + ["average"] * 3 + ["poor"]))
            + "".join(f"G{i},2023-07-03 10:00,email,{r}\n" for i, r in enumerate(["good"] + ["poor"] * 3))
            + "".join(f"H{i},2022-07-04 10:00,phone,{r}\n" for i, r in enumerate(["good", "good", "poor", "poor"])))
SURVEY = ("survey_id,survey_year,respondent_id,question_id,answer\n"
          + "".join(f"s24,2023/24,r{i},overall,{a}\n" for i, a in enumerate(
              ["Very satisfied", "Very satisfied", "Fairly satisfied", "Don't know", "Very dissatisfied",
               "Very dissatisfied"]))
          + "".join(f"s23,2022/23,r{i},overall,{a}\n" for i, a in enumerate(
              ["Fairly satisfied", "Neither", "Fairly dissatisfied", "Don't know"])))
PANEL = """member_id,joined_on,left_on,age_band,sex
M1,2020-01-01,,16-24,Female
M2,2022-06-01,,65-74,Male
M3,2020-05-01,2024-03-31,65-74,Female
M4,31/03/2024,,75+,Female
M5,2021-01-01,2023-01-01,35-44,Male
"""
INVITATIONS = """consultation_id,member_id,invited_on,opened_on,completed_on
c1,M1,2023-06-01,2023-06-02,2023-06-03
c1,M2,2023-06-01,2023-06-05,
c1,M3,2023-06-01,,
"""
POPULATION = """dimension,category,count
age_band,16-24,100
age_band,35-44,200
age_band,65-74,100
age_band,75+,100
sex,Female,250
sex,Male,250
"""
MANUAL = """measure_id,year,value,note
staff_trained,2022/23,80,HR return
staff_trained,2023/24,90,HR return
"""

# (year, measure_id, breakdown) -> (value, numerator, denominator); None where not a rate.
RIVERSIDE_EXPECTED = {
    ("2023/24", "responses_within_standard", ""): (100 * 5 / 9, 5, 9),       # E1 E2 E3 L2 R1 of 9 due
    ("2023/24", "responses_within_standard", "channel=email"): (60.0, 3, 5),
    ("2023/24", "responses_within_standard", "channel=letter"): (50.0, 1, 2),  # L1 not yet due
    ("2023/24", "responses_within_standard", "channel=report_it"): (50.0, 1, 2),
    ("2022/23", "responses_within_standard", "channel=email"): (50.0, 2, 4),
    ("2023/24", "acknowledgements_within_standard", "channel=report_it"): (50.0, 1, 2),
    ("2023/24", "first_contact_resolution", ""): (100 * 2 / 3, 2, 3),
    ("2023/24", "first_contact_resolution", "channel=phone"): (50.0, 1, 2),
    ("2023/24", "first_contact_resolution", "channel=in_person"): (100.0, 1, 1),
    ("2023/24", "contacts_received", ""): (14, None, None),
    ("2023/24", "contacts_received", "channel=email"): (5, None, None),
    ("2023/24", "contacts_received", "location=Library Hub"): (1, None, None),
    ("2022/23", "contacts_received", ""): (4, None, None),
    ("2023/24", "digital_share", ""): (50.0, 7, 14),
    ("2022/23", "digital_share", ""): (100.0, 4, 4),
    ("2023/24", "calls_answered_within_standard", ""): (50.0, 2, 4),
    ("2023/24", "calls_abandoned", ""): (100 * 2 / 6, 2, 6),
    ("2023/24", "average_speed_of_answer", ""): (29.0, None, None),
    ("2022/23", "calls_answered_within_standard", ""): (100.0, 1, 1),
    ("2022/23", "calls_abandoned", ""): (50.0, 1, 2),
    ("2022/23", "average_speed_of_answer", ""): (20.0, None, None),
    ("2022/23", "actions_achieved", ""): (25.0, 1, 4),
    ("2023/24", "actions_achieved", ""): (60.0, 3, 5),
    ("2023/24", "actions_achieved", "theme=Access"): (50.0, 1, 2),
    ("2023/24", "actions_achieved", "theme=Standards"): (100 * 2 / 3, 2, 3),
    ("2022/23", "actions_not_achieved", ""): (2, None, None),
    ("2023/24", "actions_not_achieved", ""): (1, None, None),
    ("2022/23", "actions_carried_forward", ""): (2, None, None),  # 2023/24 actions 2 and 3
    ("2023/24", "actions_carried_forward", ""): (1, None, None),  # 2024/25 action 1
    # Complaints (see COMPLAINTS): 2023/24 has K1 s1, K2, K3, K1 s2, K4.
    ("2023/24", "complaints_received", ""): (5, None, None),
    ("2023/24", "complaints_received", "stage=1"): (4, None, None),
    ("2023/24", "complaints_received", "stage=2"): (1, None, None),
    ("2023/24", "complaints_acknowledged_within_standard", ""): (60.0, 3, 5),  # K1, K1 s2, K4
    ("2023/24", "complaints_acknowledged_within_standard", "stage=1"): (50.0, 2, 4),
    ("2023/24", "complaints_responded_within_standard", ""): (50.0, 2, 4),  # K1, K2 of 4 due (K4 not yet due)
    ("2023/24", "complaints_responded_within_standard", "stage=1"): (100 * 2 / 3, 2, 3),
    ("2023/24", "complaints_responded_within_standard", "stage=2"): (0.0, 0, 1),
    ("2023/24", "complaints_upheld", ""): (50.0, 2, 4),  # K1 upheld + K3 partly, of 4 decided (K4 open)
    ("2022/23", "complaints_responded_within_standard", ""): (100.0, 1, 1),
    # GovMetric: 2023/24 phone 6 good, 3 average, 1 poor; email 1 good, 3 poor; 2022/23 phone 2 good, 2 poor.
    ("2023/24", "net_satisfaction", ""): (100 * (7 - 4) / 14, None, None),
    ("2023/24", "net_satisfaction", "channel=phone"): (50.0, None, None),
    ("2023/24", "net_satisfaction", "channel=email"): (-50.0, None, None),
    ("2022/23", "net_satisfaction", ""): (0.0, None, None),
    # Survey: 3 positive of 6 answers ("Don't know" counts in the base); 2022/23 1 of 4.
    ("2023/24", "survey_positive", "question_id=overall"): (50.0, 3, 6),
    ("2022/23", "survey_positive", "question_id=overall"): (25.0, 1, 4),
    # Panel on 31 March 2024: M1, M2 and M4 (joined that day); M3 left that day; M5 left in 2023.
    ("2023/24", "panel_members", ""): (3, None, None),
    ("2023/24", "panel_members", "sex=Female"): (2, None, None),
    ("2022/23", "panel_members", ""): (3, None, None),  # M1, M2, M3 on 31 March 2023
    # Representation: 16-24 is 1/3 of the panel and 100/500 of residents -> (1/3) / 0.2 = 1.667.
    ("2023/24", "panel_representation", "age_band=16-24"): (5 / 3, None, None),
    ("2023/24", "panel_representation", "age_band=35-44"): (0.0, None, None),
    ("2023/24", "panel_representation", "sex=Male"): ((1 / 3) / 0.5, None, None),
    # Consultation c1: 3 invited, 2 opened, 1 completed.
    ("2023/24", "panel_open_rate", "consultation_id=c1"): (100 * 2 / 3, 2, 3),
    ("2023/24", "panel_completion_rate", "consultation_id=c1"): (100 / 3, 1, 3),
    ("2023/24", "staff_trained", ""): (90.0, None, None),
}
# (year, measure_id, breakdown) -> (previous_value, change, significant, target, target_met) as the CSV has them;
# None is an empty cell.
RIVERSIDE_COMPARISONS = {
    # 5/9 against 2/4: pooled 7/13, so 2/4's expected "no" count is 4 x 6/13 = 1.85, below 5: Fisher's exact test,
    # and every table with 7 of 13 successes is at least as likely as another -> p = 1, not significant.
    ("2023/24", "responses_within_standard", ""): (50.0, 100 * 5 / 9 - 50, "false", 80, "false"),
    ("2023/24", "calls_abandoned", ""): (50.0, 100 / 3 - 50, "false", 10, "false"),  # lower is better
    ("2023/24", "digital_share", ""): (100.0, -50.0, "false", None, None),  # target to be agreed
    # 3/5 against 1/1: expected counts under 5, Fisher's exact test: p = 1 -> not significant.
    ("2023/24", "complaints_acknowledged_within_standard", ""): (100.0, -40.0, "false", None, None),
    ("2023/24", "complaints_responded_within_standard", ""): (100.0, -50.0, "false", 95, "false"),
    # A score, tested with its own variance: 2023/24 has 14 ratings, good 7/14, poor 4/14, v = 0.5 + 0.2857 -
    # 0.2143^2 = 0.7398; 2022/23 has 4, good 2/4, poor 2/4, v = 1. z = 0.2143 / sqrt(0.7398/14 + 1/4) = 0.389,
    # p = 0.70 -> not significant.
    ("2023/24", "net_satisfaction", ""): (0.0, 100 * 3 / 14, "false", 20, "true"),
    ("2023/24", "survey_positive", "question_id=overall"): (25.0, 25.0, "false", None, None),
    ("2023/24", "staff_trained", ""): (80.0, 10.0, None, 85, "true"),  # reported: no counts, no test
    ("2023/24", "actions_achieved", ""): (25.0, 35.0, None, None, None),  # the whole plan: never tested
    ("2023/24", "average_speed_of_answer", ""): (20.0, 9.0, None, None, None),
}


def write_riverside(folder: Path) -> Path:
    """Write the Riverside data folder; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "council.toml").write_text(RIVERSIDE_TOML, encoding="utf-8")
    header = ["Case Ref", "Date Logged", "Contact Method", "Department", "Acknowledged", "Closed",
              "Resolved First Time", "Site", "Customer Name"]
    (folder / "crm").mkdir(exist_ok=True)
    pd.DataFrame(CONTACTS_2022, columns=header).to_csv(folder / "crm" / "export_2022.csv", index=False)
    pd.DataFrame(CONTACTS_2023, columns=header).to_csv(folder / "crm" / "export_2023.csv", index=False)
    (folder / "telephony").mkdir(exist_ok=True)
    calls = pd.DataFrame(CALLS, columns=["CallID", "Start", "Handled", "Queue Time"])
    calls["Start"] = pd.to_datetime(calls["Start"])
    calls.to_parquet(folder / "telephony" / "calls.parquet", index=False)
    (folder / "plans").mkdir(exist_ok=True)
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "This sheet is not the plan."
    sheet = book.create_sheet("Plan")
    sheet.append(["Year", "No", "Theme", "Action", "RAG", "Continues", "Officer email", "Progress"])
    for row in PLAN:
        sheet.append(list(row))
    book.save(folder / "plans" / "Action Plan.xlsx")
    (folder / "register.csv").write_text(REGISTER, encoding="utf-8")
    for name, text in (("complaints.csv", COMPLAINTS), ("feedback.csv", FEEDBACK), ("survey.csv", SURVEY),
                       ("panel.csv", PANEL), ("panel_invitations.csv", INVITATIONS), ("population.csv", POPULATION),
                       ("manual_measures.csv", MANUAL)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The bundled sample through `workbook run`, once per test session: (year folder, stdout)."""
    out = tmp_path_factory.mktemp("sample-out")
    result = run_cli("run", "--out", str(out))
    assert result.returncode == 0, result.stderr
    folders = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(folders) == 1
    return folders[0], result


@pytest.fixture(scope="session")
def examples_run(tmp_path_factory):
    """The worked examples of ad-hoc questions through `workbook publish`, once per session: the adhoc folder."""
    out = tmp_path_factory.mktemp("examples-out")
    examples = sorted((REPO / "notebooks" / "adhoc" / "examples").glob("*.ipynb"))
    assert len(examples) == 4
    result = run_cli("publish", *map(str, examples), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "adhoc"


@pytest.fixture(scope="session")
def riverside_run(tmp_path_factory):
    """Riverside through `workbook run --year 2023/24`, once per test session: (data, out, result)."""
    data = write_riverside(tmp_path_factory.mktemp("riverside-run") / "data")
    out = data.parent / "out"
    result = run_cli("run", "--data", str(data), "--year", "2023/24", "--out", str(out))
    return data, out, result


@pytest.fixture(scope="session")
def riverside(tmp_path_factory) -> Path:
    return write_riverside(tmp_path_factory.mktemp("riverside"))


def workbook_command() -> list[str]:
    """The installed console script if there is one, else the module (same code)."""
    script = Path(sys.executable).parent / "workbook"
    return [str(script)] if script.exists() else [sys.executable, "-m", "analysis.cli"]


def run_cli(*args: str, cwd: Path = REPO, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([*workbook_command(), *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=timeout)


@pytest.fixture
def copy_of(tmp_path):
    """Copy a data folder into tmp_path so a test may break it."""
    def _copy(source: Path, name: str = "data") -> Path:
        target = tmp_path / name
        shutil.copytree(source, target)
        return target
    return _copy
