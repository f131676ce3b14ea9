"""Exports as councils' systems give them: value maps, calls with outcomes and durations, the action plan as
policy officers keep it, what is not data skipped and said, exports without ids.

Every expected figure is worked out by hand beside the data.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from analysis.config import load_config
from analysis.datasets import check_all, load_all, parse_durations, parse_months
from analysis.measures import call_measures

TOML = '[council]\nname = "Test Council"\n'


def _folder(tmp_path, files: dict[str, str], toml: str = ""):
    (tmp_path / "council.toml").write_text(TOML + toml, encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8-sig")
    return load_config(tmp_path)


def _fatal(problems):
    return [p for p in problems if p.fatal]


def _warnings(problems):
    return [p for p in problems if not p.fatal]


# --- value maps ------------------------------------------------------------------------------

CASES = "Case Number,Date/Time Opened,Case Origin,Type\n"


def test_value_maps_obvious_spellings_and_matching_without_capitals_spaces_or_hyphens(tmp_path):
    config = _folder(tmp_path, {"contacts.csv": CASES + (
        "00012345,03/04/2023 09:00,Web,Waste\n"            # mapped: online_form
        "00012346,03/04/2023 09:05, WEB ,Waste\n"           # the same, with capitals and spaces
        "00012347,03/04/2023 09:10,Telephone,Waste\n"      # obvious: phone
        "00012348,03/04/2023 09:15,Walk-in,Waste\n"        # obvious: in_person
        "00012349,03/04/2023 09:20,Face to face,Waste\n"   # obvious: in_person
        "00012350,03/04/2023 09:25,Report It,Waste\n"      # report_it (space for underscore)
        "00012351,03/04/2023 09:30,E-Mail,Waste\n"         # obvious: email
    )}, '''
[datasets.contacts.columns]
"Case Number" = "contact_id"
"Date/Time Opened" = "received_at"
"Case Origin" = "channel"
"Type" = "service"
[datasets.contacts.values.channel]
"Web" = "online_form"
''')
    data = load_all(config)
    assert data.contacts["channel"].astype(str).tolist() == [
        "online_form", "online_form", "phone", "in_person", "in_person", "report_it", "email"]
    # Case numbers keep their leading zeros: they are text.
    assert data.contacts["contact_id"].iloc[0] == "00012345"


def test_each_unknown_value_is_reported_once_with_its_count_rows_and_the_line_to_add(tmp_path):
    rows = ["A{0},03/04/2023 09:00,{1},Waste".format(i, v) for i, v in enumerate(
        ["email", "Fax", "email", "Fax", "Minicom", "Fax"], start=1)]
    config = _folder(tmp_path, {"contacts.csv": "contact_id,received_at,channel,service\n" + "\n".join(rows) + "\n"})
    _, problems = check_all(config)
    fatal = _fatal(problems)
    # 'Fax' on rows 3, 5 and 7 (the file's rows 2-7 hold records 1-6); 'Minicom' on row 6: one problem each,
    # in the order they first appear.
    assert [(p.examples, p.count, p.rows) for p in fatal] == [(("Fax",), 3, (3, 5, 7)), (("Minicom",), 1, (6,))]
    text = str(fatal[0])
    assert "has 'Fax', which is not a channel of the workbook" in text
    assert "[datasets.contacts.values.channel]" in text and '"Fax" = "..."' in text


def test_every_distinct_bad_value_is_listed_not_only_those_in_the_first_rows(tmp_path):
    # 12 distinct unknown ratings; the last two appear only after 200 good rows.
    bad = [f"Odd{i:02d}" for i in range(12)]
    values = bad[:10] + ["good"] * 200 + bad[10:]
    lines = [f"2023-04-03 09:00,email,{v}" for v in values]
    config = _folder(tmp_path, {"feedback.csv": "given_at,channel,rating\n" + "\n".join(lines) + "\n"})
    _, problems = check_all(config)
    fatal = _fatal(problems)
    # One problem for each of the first ten, then one naming the other two with their counts and rows
    # (Odd10 is record 211, the file's row 212; Odd11 row 213).
    assert len(fatal) == 11
    assert [p.examples[0] for p in fatal[:10]] == bad[:10]
    assert "2 more values" in fatal[10].message and "'Odd10' (1 row)" in fatal[10].message
    assert "'Odd11' (1 row)" in fatal[10].message and fatal[10].rows == (212, 213)


def test_a_close_unknown_value_gets_the_exact_line_to_add(tmp_path):
    config = _folder(tmp_path, {"complaints.csv": (
        "complaint_id,stage,received_at,service,outcome\n"
        "K1,Stage 1,03/04/2023,Waste,Partially upheld\n"   # obvious spellings: 1, partly_upheld
        "K2,Stage 2,03/04/2023,Waste,Not Upheld\n"         # not_upheld
        "K3,1,03/04/2023,Waste,Upheldd\n"                  # a typo: the line to add is offered
    )})
    datasets, problems = check_all(config)
    (problem,) = _fatal(problems)
    assert problem.rows == (4,)
    assert '"Upheldd" = "upheld"' in problem.fix and "[datasets.complaints.values.outcome]" in problem.fix


def test_a_value_map_to_a_value_that_does_not_exist_is_pointed_out(tmp_path):
    config = _folder(tmp_path, {"feedback.csv": "given_at,channel,rating\n2023-04-03 09:00,email,Happy\n"},
                     '[datasets.feedback.values.rating]\n"Happy" = "great"\n')
    _, problems = check_all(config)
    assert any("maps 'Happy' to 'great'" in p.message and "good, average, poor" in p.fix for p in _fatal(problems))


def test_booleans_through_a_value_map(tmp_path):
    config = _folder(tmp_path, {"calls.csv": (
        "call_id,offered_at,answered,wait_seconds\n"
        "C1,03/04/2023 09:00,Answered,12\n"
        "C2,03/04/2023 09:01,Lost,40\n"
        "C3,03/04/2023 09:02,Y,5\n")},
        '[datasets.calls.values.answered]\n"Answered" = "yes"\n"Lost" = "no"\n')
    calls = load_all(config).calls
    assert calls["answered"].tolist() == [True, False, True]
    assert calls["outcome"].astype(str).tolist() == ["answered", "abandoned", "answered"]


# --- calls with outcomes and durations --------------------------------------------------------


def test_durations_in_every_form():
    raw = pd.Series(["35", "35.5", "00:00:35", "01:02:03", "02:05", "75:10", dt.time(0, 1, 5),
                     dt.timedelta(hours=25, seconds=1), "", None, "soon"], dtype=object)
    seconds = parse_durations(raw)
    # 01:02:03 = 3600 + 120 + 3; 02:05 (mm:ss) = 125; 75:10 = 75 min 10 s = 4510; an Excel time 00:01:05 = 65;
    # an Excel duration of 25 h 0 min 1 s = 90001.
    assert seconds.iloc[:8].tolist() == [35.0, 35.5, 35.0, 3723.0, 125.0, 4510.0, 65.0, 90001.0]
    assert seconds.iloc[8:].isna().all()


def test_timedelta_columns_from_parquet_are_seconds():
    assert parse_durations(pd.Series(pd.to_timedelta(["00:00:07", "00:01:00"]))).tolist() == [7.0, 60.0]


QUEUE = "Call ID,Start Time,Queue,Disposition,Wait Time\n"
QUEUE_TOML = '''
[standards.phone]
answer_within_seconds = 20
[datasets.calls.columns]
"Call ID" = "call_id"
"Start Time" = "offered_at"
"Queue" = "queue"
"Disposition" = "outcome"
"Wait Time" = "wait_seconds"
[datasets.calls.values.outcome]
"Answered" = "answered"
"Abandoned" = "abandoned"
"Callback Requested" = "callback"
'''


def test_calls_with_callbacks_counted_as_neither_answered_nor_abandoned(tmp_path):
    config = _folder(tmp_path, {"calls.csv": QUEUE + (
        "1001,03/04/2023 09:00:00,Council Tax,Answered,00:00:12\n"          # answered in 12 s: within 20
        "1002,03/04/2023 09:01:00,Council Tax,Answered,00:00:45\n"          # answered in 45 s: outside
        "1003,03/04/2023 09:02:00,Council Tax,Abandoned,01:10\n"            # abandoned after 70 s
        "1004,03/04/2023 09:03:00,Waste,Callback Requested,00:02:00\n"       # callback
        "1005,03/04/2023 09:04:00,Waste,Answered,20\n"                     # answered in 20 s: within
        "Total,,,,00:04:27\n"                                               # the queue report's total row
    )}, QUEUE_TOML)
    datasets, problems = check_all(config)
    assert not _fatal(problems)
    (total,) = _warnings(problems)
    assert "total rows" in total.message and total.rows == (7,)
    rows = call_measures(datasets.calls, config).set_index("measure_id")
    # 5 calls offered: 3 answered, 1 abandoned, 1 callback.
    assert (rows.loc["calls_abandoned", "numerator"], rows.loc["calls_abandoned", "denominator"]) == (1, 5)
    assert rows.loc["calls_abandoned", "value"] == pytest.approx(20.0)
    assert (rows.loc["calls_callback", "numerator"], rows.loc["calls_callback", "denominator"]) == (1, 5)
    # Answered within 20 s: 1001 (12 s) and 1005 (20 s) of the 3 answered.
    assert (rows.loc["calls_answered_within_standard", "numerator"],
            rows.loc["calls_answered_within_standard", "denominator"]) == (2, 3)
    # Average speed of answer: (12 + 45 + 20) / 3 = 25.67 s.
    assert rows.loc["average_speed_of_answer", "value"] == pytest.approx(77 / 3)


def test_without_callbacks_there_is_no_callback_measure(tmp_path):
    config = _folder(tmp_path, {"calls.csv": (
        "call_id,offered_at,answered,wait_seconds\nC1,03/04/2023 09:00,yes,3\nC2,03/04/2023 09:05,no,30\n")})
    rows = call_measures(load_all(config).calls, config)
    assert "calls_callback" not in set(rows["measure_id"])
    assert rows.set_index("measure_id").loc["calls_abandoned", "value"] == pytest.approx(50.0)


def test_calls_need_answered_or_outcome(tmp_path):
    config = _folder(tmp_path, {"calls.csv": "call_id,offered_at,wait_seconds\nC1,03/04/2023 09:00,3\n"})
    _, problems = check_all(config)
    assert "required column 'answered' or 'outcome' not found" in str(_fatal(problems)[0])


def test_calls_in_excel_with_time_cells(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Call ID", "Start Time", "Queue", "Disposition", "Wait Time"])
    sheet.append([2001, dt.datetime(2023, 4, 3, 9, 0), "Waste", "Answered", dt.time(0, 0, 19)])
    sheet.append([2002, dt.datetime(2023, 4, 3, 9, 5), "Waste", "Answered", dt.time(0, 1, 0)])
    for row in (2, 3):
        sheet.cell(row, 5).number_format = "hh:mm:ss"
    book.save(tmp_path / "calls.xlsx")
    config = _folder(tmp_path, {}, QUEUE_TOML)
    calls = load_all(config).calls
    assert calls["wait_seconds"].tolist() == [19.0, 60.0]
    assert calls["call_id"].tolist() == ["2001", "2002"]


# --- the action plan as policy officers keep it -----------------------------------------------

PLAN_TOML = '''
[action_plan]
themes = ["Getting the basics right", "Listening to customers"]
[action_plan.status_labels]
achieved = ["Complete"]
not_achieved = ["Carried forward"]
ongoing = ["In progress", "Not started"]
[datasets.action_plan]
path = "*.xlsx"
sheets = "all"
section_rows = "theme"
[datasets.action_plan.columns]
"Ref" = "action_id"
"Action" = "action"
"Lead" = "owner"
"Target date" = "due"
"RAG / Status" = "status"
[datasets.action_plan.values.theme]
"Theme 1: Getting the basics right" = "Getting the basics right"
"Theme 2: Listening to customers" = "Listening to customers"
'''


def _policy_workbook(path):
    """A sheet per year, named as officers name them, with a title, a header, and theme headings merged across."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = "2023-24"
    sheets = {"2023-24": first, "2024-2025": book.create_sheet("2024-2025"), "Notes": book.create_sheet("Notes")}
    for title in ("2023-24", "2024-2025"):
        ws = sheets[title]
        ws.append([f"Customer Care Strategy action plan {title}"])             # row 1: title
        ws.merge_cells("A1:E1")
        ws.append(["Ref", "Action", "Lead", "Target date", "RAG / Status"])      # row 2: header
        ws.append(["Theme 1: Getting the basics right"])                       # row 3: heading
        ws.merge_cells("A3:E3")
        ws.append([1.1, "Publish the standards", "Head of CS", dt.datetime(2024, 3, 31), "Complete"])  # row 4
        ws.append([1.2, "Train staff", "HR", "March 2025", "Carried forward"])  # row 5: month typed
        ws.append([])                                                           # row 6: blank
        ws.append(["Theme 2: Listening to customers"])                          # row 7: heading
        ws.merge_cells("A7:E7")
        ws.append([2.1, "Mystery shop", "Head of CS", None, "In progress"])     # row 8
    sheets["Notes"].append(["RAG key: green is on track"])
    book.save(path)


def test_action_plan_workbook_with_a_sheet_per_year_and_theme_headings(tmp_path):
    _policy_workbook(tmp_path / "Action Plan.xlsx")
    (tmp_path / "~$Action Plan.xlsx").write_bytes(b"\x0bA Officer" + b"\x00" * 40)   # Excel's lock file
    config = _folder(tmp_path, {}, PLAN_TOML)
    datasets, problems = check_all(config)
    assert not _fatal(problems), [str(p) for p in _fatal(problems)]
    plan = datasets.action_plan
    # Three actions on each year's sheet; the year from the sheet's name, written as the pages write it.
    assert plan["plan_year"].tolist() == ["2023/24"] * 3 + ["2024/25"] * 3
    # Refs typed as numbers are kept as text.
    assert plan["action_id"].tolist() == ["1.1", "1.2", "2.1"] * 2
    assert plan["theme"].tolist() == ["Getting the basics right"] * 2 + ["Listening to customers"] + (
        ["Getting the basics right"] * 2 + ["Listening to customers"])
    assert plan["status"].tolist() == ["achieved", "not_achieved", "ongoing"] * 2
    assert plan["status_label"].tolist() == ["Complete", "Carried forward", "In progress"] * 2
    # "March 2025" is read as its last day.
    assert plan["due"].iloc[1] == pd.Timestamp("2025-03-31")
    said = {(p.file, p.message.split(":")[0], p.rows) for p in _warnings(problems)}
    assert ("~$Action Plan.xlsx", "is the lock file Excel or LibreOffice leaves beside a workbook that is open "
            "(or was when it closed badly), not data", ()) in said
    for sheet in ("2023-24", "2024-2025"):
        name = f'Action Plan.xlsx, sheet "{sheet}"'
        assert (name, "has blank rows", (6,)) in said
        assert (name, "has a month or quarter where a date is expected", (5,)) in said
    # Nothing called damaged, duplicated or empty.
    text = "\n".join(str(p) for p in problems)
    assert "damaged" not in text and "more than once" not in text and "empty" not in text


def test_a_sheet_named_without_a_year_and_no_plan_year_column_says_so(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Plan"
    ws.append(["Ref", "Theme", "Action", "RAG / Status"])
    ws.append(["1a", "Getting the basics right", "Publish", "Complete"])
    book.save(tmp_path / "plan.xlsx")
    config = _folder(tmp_path, {}, PLAN_TOML.replace('sheets = "all"\nsection_rows = "theme"\n', ""))
    _, problems = check_all(config)
    assert "required column 'plan_year' not found" in "\n".join(str(p) for p in _fatal(problems))


def test_year_labels_and_carried_from_in_every_spelling(tmp_path):
    config = _folder(tmp_path, {"action_plan.csv": (
        "plan_year,action_id,theme,action,status,carried_from\n"
        "2023-2024,1,Getting the basics right,A,Achieved,\n"
        "2024-25,2,Getting the basics right,B,Achieved,2023-24:1\n"
        "2024/2025,3,Getting the basics right,C,Achieved,2023/2024 : 1\n")})
    plan = load_all(config).action_plan
    assert plan["plan_year"].tolist() == ["2023/24", "2024/25", "2024/25"]
    assert plan["carried_from"].tolist()[1:] == ["2023/24:1", "2023/24:1"]


def test_months_typed_as_dates():
    text = pd.Series(["March 2025", "Mar 2025", "Mar-25", "sept 2024", "Feb 2024", "Marchy 2025", "2025"])
    months = parse_months(text)
    assert months.iloc[:5].tolist() == [pd.Timestamp("2025-03-31")] * 3 + [pd.Timestamp("2024-09-30"),
                                                                           pd.Timestamp("2024-02-29")]
    assert months.iloc[5:].isna().all()


# --- what is not data ---------------------------------------------------------------------------

SALESFORCE = (
    '"Case Number","Date/Time Opened","Case Origin","Type","Contact Name"\n'
    '"00001001","03/04/2023 09:00","Email","Waste","Ann Smith"\n'
    '"00001002","03/04/2023 10:00","Phone","Waste","Bob Jones"\n'
    '"00001003","04/04/2023 11:00","Web","Housing","Cat Brown"\n'
    '\n'
    '"Grand Totals (3 records)"\n'
    '\n'
    '"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."\n'
    '"Confidential Information - Do Not Distribute"\n'
    '"Generated By:  A Analyst  05/05/2025 09:14"\n'
    '"Test Council"\n'
)
SALESFORCE_TOML = '''
[datasets.contacts]
path = "report*.csv"
[datasets.contacts.columns]
"Case Number" = "contact_id"
"Date/Time Opened" = "received_at"
"Case Origin" = "channel"
"Type" = "service"
[datasets.contacts.values.channel]
"Web" = "online_form"
'''


def test_a_salesforce_footer_is_skipped_and_said_never_counted(tmp_path):
    config = _folder(tmp_path, {"report1.csv": SALESFORCE}, SALESFORCE_TOML)
    datasets, problems = check_all(config)
    assert not _fatal(problems)
    assert datasets.contacts["contact_id"].tolist() == ["00001001", "00001002", "00001003"]
    (footer,) = _warnings(problems)
    # The blank line after the last record (row 5) to the council's name (row 11).
    assert "report footer" in footer.message and footer.rows == (5, 6, 7, 8, 9) and footer.count == 7
    assert "Grand Totals (3 records)" in footer.examples[0]
    assert "Contact Name" in datasets.loaded["contacts"].ignored_columns  # never read


def test_two_salesforce_exports_with_footers_are_not_called_duplicates(tmp_path):
    second = SALESFORCE.replace("0000100", "0000200").replace('"Case Origin"', '"Origin"')
    config = _folder(tmp_path, {"report1.csv": SALESFORCE, "report2.csv": second},
                     SALESFORCE_TOML.replace('"Case Origin" = "channel"', '"Case Origin" = "channel"\n"Origin" = "channel"'))
    datasets, problems = check_all(config)
    assert not _fatal(problems), [str(p) for p in _fatal(problems)]
    assert len(datasets.contacts) == 6 and len(_warnings(problems)) == 2


def test_govmetric_without_an_id(tmp_path):
    config = _folder(tmp_path, {"govmetric.csv": (
        "Date,Channel,Rating,Service\n"
        "03/04/2023 09:00,Telephone,Good,Waste\n"
        "03/04/2023 09:00,Telephone,Good,Waste\n"      # the same again: a second rating, not a duplicate
        "03/04/2023 09:05,Face to Face,Poor,Housing\n")}, '''
[datasets.feedback]
path = "govmetric.csv"
id = "row"
[datasets.feedback.columns]
"Date" = "given_at"
"Channel" = "channel"
"Rating" = "rating"
"Service" = "service"
''')
    datasets, problems = check_all(config)
    assert not problems
    assert datasets.feedback["feedback_id"].tolist() == ["govmetric.csv:2", "govmetric.csv:3", "govmetric.csv:4"]
    assert datasets.feedback["channel"].astype(str).tolist() == ["phone", "phone", "in_person"]


def test_feedback_id_is_optional(tmp_path):
    config = _folder(tmp_path, {"feedback.csv": "given_at,channel,rating\n2023-04-03 09:00,email,good\n"})
    assert len(load_all(config).feedback) == 1


def test_id_from_row_only_where_records_stand_alone(tmp_path):
    from analysis.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        _folder(tmp_path, {}, '[datasets.panel]\nid = "row"\n')
    assert "datasets.panel.id" in str(info.value) and "contacts, calls, feedback" in str(info.value)


# --- what a new user met (tried on exports the tests were not written against) ----------------


def test_rows_that_are_not_records_are_left_out_as_council_toml_says(tmp_path):
    config = _folder(tmp_path, {"complaints.csv": (
        "Case Ref,Stage,Date Received,Service,Status\n"
        "K1,Stage 1 - Informal,03/04/2023,Waste,Closed\n"
        "K2,LGSCO Enquiry,04/04/2023,Waste,Closed\n"          # an Ombudsman enquiry, not a stage of the procedure
        "K3,Stage 2 - Formal Review,05/04/2023,Waste,Cancelled\n"   # cancelled: not a complaint
        "K4,Stage 2 - Formal Review,06/04/2023,Waste,Closed\n")}, '''
[datasets.complaints.columns]
"Case Ref" = "complaint_id"
"Stage" = "stage"
"Date Received" = "received_at"
"Service" = "service"
[datasets.complaints.values.stage]
"Stage 1 - Informal" = "1"
"Stage 2 - Formal Review" = "2"
[datasets.complaints.skip]
"Stage" = ["LGSCO Enquiry"]
"Status" = ["cancelled"]
''')
    datasets, problems = check_all(config)
    assert not _fatal(problems)
    assert datasets.complaints["complaint_id"].tolist() == ["K1", "K4"]
    said = {p.rows: p.message for p in _warnings(problems)}
    assert "'Stage' is 'LGSCO Enquiry'" in said[(3,)] and "'Status' is 'cancelled'" in said[(4,)]
    # The Status column was read only to leave rows out: it is not kept.
    assert "Status" not in datasets.complaints.columns


def test_an_empty_value_in_a_map_points_at_skip(tmp_path):
    from analysis.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        _folder(tmp_path, {}, '[datasets.complaints.values.stage]\n"LGSCO Enquiry" = ""\n')
    assert '[datasets.complaints.skip] instead, e.g. "stage" = ["LGSCO Enquiry"]' in str(info.value)


def test_a_values_section_that_maps_nothing_is_said(tmp_path):
    config = _folder(tmp_path, {"contacts.csv": "contact_id,received_at,channel,service\nA1,2023-04-03,email,W\n"},
                     '[datasets.contacts.values.chanel]\n"Web" = "online_form"\n'
                     '[datasets.contacts.values.received_at]\n"Yesterday" = "2023-04-02"\n')
    _, problems = check_all(config)
    messages = [p.message for p in _warnings(problems)]
    assert any("names 'chanel', which is not a column of contacts" in m for m in messages)
    assert any("maps values of 'received_at', a column of timestamps" in m for m in messages)
    assert "did you mean 'channel'?" in "\n".join(p.fix for p in _warnings(problems))


def test_carried_from_as_officers_write_it(tmp_path):
    config = _folder(tmp_path, {"action_plan.csv": (
        "plan_year,action_id,theme,action,status,carried_from\n"
        "2023/24,1.3,Getting the basics right,A,Not achieved,\n"
        "2023/24,2.4,Getting the basics right,B,Not achieved,\n"
        "2024/25,1,Getting the basics right,C,Achieved,1.3 (23/24)\n"
        "2024/25,2,Getting the basics right,D,Achieved,Carried from 2023/24 action 2.4\n")})
    plan = load_all(config).action_plan
    assert plan["carried_from"].tolist()[2:] == ["2023/24:1.3", "2023/24:2.4"]


def test_target_dates_as_quarters_and_words(tmp_path):
    config = _folder(tmp_path, {"action_plan.csv": (
        "plan_year,action_id,theme,action,status,due\n"
        "2024/25,1,T,A,Achieved,Q4 2024/25\n"      # the quarter's last day: 31 March 2025
        "2024/25,2,T,B,Achieved,Q2 2024-25\n"      # 30 September 2024
        "2024/25,3,T,C,Achieved,Ongoing\n"         # no date, said
        "2024/25,4,T,D,Achieved,TBC\n"
        "2024/25,5,T,E,Achieved,31/02/2025\n")})   # a day that does not exist: still a problem to fix
    datasets, problems = check_all(config)
    (fatal,) = _fatal(problems)
    assert fatal.rows == (6,) and "31/02/2025 is a day that does not exist" in fatal.fix
    said = {p.message: p.rows for p in _warnings(problems)}
    assert said["has a month or quarter where a date is expected: read as its last day"] == (2, 3)
    assert said["has words where a date is expected: read as no date"] == (4, 5)
    config = _folder(tmp_path, {"action_plan.csv": (
        "plan_year,action_id,theme,action,status,due\n2024/25,1,T,A,Achieved,Q4 2024/25\n"
        "2024/25,2,T,B,Achieved,Q2 2024-25\n2024/25,3,T,C,Achieved,Ongoing\n")})
    plan = load_all(config).action_plan
    assert plan["due"].tolist()[:2] == [pd.Timestamp("2025-03-31"), pd.Timestamp("2024-09-30")]
    assert pd.isna(plan["due"].iloc[2])


def test_a_place_on_a_phone_case_is_not_a_visit(tmp_path):
    from analysis.measures import contact_measures, in_person_purposes
    from analysis.calendar import WorkingCalendar

    config = _folder(tmp_path, {"contacts.csv": (
        "contact_id,received_at,channel,service,location\n"
        "A1,2023-04-03 09:00,in_person,Waste,Town Hall\n"
        "A2,2023-04-03 09:00,phone,Waste,Town Hall\n"       # logged at the Town Hall's desk: a call, not a visit
        "A3,2023-04-03 09:00,in_person,Waste,Town Hall\n")})
    contacts = load_all(config).contacts
    rows = contact_measures(contacts, config, WorkingCalendar.for_council(config)).set_index(["measure_id", "breakdown"])
    assert rows.loc[("contacts_received", "location=Town Hall"), "value"] == 2
    assert in_person_purposes(contacts, config, "2023/24")["visits"].sum() == 2


def test_a_ref_repeated_in_one_sheet_is_not_called_a_repeat_of_another_file(tmp_path):
    config = _folder(tmp_path, {"action_plan.csv": (
        "plan_year,action_id,theme,action,status\n2023/24,1.1,T,A,Achieved\n2023/24,1.1,T,B,Achieved\n")})
    _, problems = check_all(config)
    (problem,) = _fatal(problems)
    assert "more than once" in problem.message and "1.10 becomes 1.1" in problem.fix
    assert "earlier file" not in str(problem)


def test_a_row_with_only_a_ref_is_not_a_theme_heading(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "2023-24"
    ws.append(["Ref", "Action", "Lead", "Target date", "RAG / Status"])
    ws.append(["Theme 1: Getting the basics right"])
    ws.merge_cells("A2:E2")
    ws.append([1.1, "Publish the standards", "Head of CS", None, "Complete"])
    ws.append([1.2])                                  # an action whose other cells are still to be filled in
    book.save(tmp_path / "plan.xlsx")
    config = _folder(tmp_path, {}, PLAN_TOML)
    _, problems = check_all(config)
    (problem,) = [p for p in _fatal(problems) if p.column == "action"]
    assert problem.rows == (4,) and "empty where a value is required" in problem.message
    assert not [p for p in _fatal(problems) if p.column == "theme"]
