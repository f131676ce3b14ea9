"""Loading datasets: formats, renames, parsing, and problems reported with the rows the user sees."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.config import load_config
from analysis.datasets import SCHEMAS, check_all, load_all, parse_booleans, parse_dates, parse_timestamps
from analysis.errors import DataError

MINIMAL_TOML = '[council]\nname = "Test Council"\n'


def _folder(tmp_path, files: dict[str, str], toml: str = MINIMAL_TOML):
    (tmp_path / "council.toml").write_text(toml, encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return load_config(tmp_path)


def test_timestamps_in_every_accepted_form():
    raw = pd.Series([
        "2023-04-03 14:05", "2023-04-03T14:05:00", "03/04/2023 14:05", "03/04/2023", "2023-04-03",
        "2023-07-01T09:00:00+00:00",  # 09:00 UTC in summer is 10:00 UK time
        "2023-12-01T09:00:00Z",       # winter: UTC is UK time
        "", None, "31/02/2023", "tomorrow",
    ])
    parsed = parse_timestamps(raw)
    assert parsed.iloc[0] == pd.Timestamp("2023-04-03 14:05")
    assert parsed.iloc[1] == pd.Timestamp("2023-04-03 14:05")
    assert parsed.iloc[2] == pd.Timestamp("2023-04-03 14:05")  # day first, as in the UK
    assert parsed.iloc[3] == pd.Timestamp("2023-04-03")
    assert parsed.iloc[4] == pd.Timestamp("2023-04-03")
    assert parsed.iloc[5] == pd.Timestamp("2023-07-01 10:00")
    assert parsed.iloc[6] == pd.Timestamp("2023-12-01 09:00")
    assert parsed.iloc[7:].isna().all()


def test_dates_with_the_month_as_a_word_as_icasework_and_dynamics_write_them():
    parsed = parse_timestamps(pd.Series(["06-Apr-2023", "06-Apr-2023 14:05", "6 April 2023", "06 Apr 2023 09:30"]))
    assert parsed.tolist() == [pd.Timestamp("2023-04-06"), pd.Timestamp("2023-04-06 14:05"),
                               pd.Timestamp("2023-04-06"), pd.Timestamp("2023-04-06 09:30")]


def test_zone_aware_parquet_timestamps_become_uk_local():
    aware = pd.Series(pd.to_datetime(["2023-06-30 23:30"]).tz_localize("UTC"))
    assert parse_timestamps(aware).iloc[0] == pd.Timestamp("2023-07-01 00:30")


def test_dates_drop_the_time():
    assert parse_dates(pd.Series(["03/04/2023 14:05"])).iloc[0] == pd.Timestamp("2023-04-03")


def test_booleans_in_any_case():
    parsed = parse_booleans(pd.Series(["TRUE", "false", "Yes", "no", "Y", "n", "1", "0", "", "maybe"]))
    assert parsed.iloc[:8].tolist() == [True, False, True, False, True, False, True, False]
    assert parsed.iloc[8:].isna().all()


def test_every_problem_of_a_file_reported_together_with_spreadsheet_rows(tmp_path):
    config = _folder(tmp_path, {"contacts.csv": (
        "contact_id,received_at,channel,service,resolved_first_contact\n"
        "A1,2023-04-03 09:00,email,Waste,yes\n"        # row 2: fine
        "A2,31/02/2023,email,Waste,\n"                  # row 3: no such date
        "A3,2023-04-03 10:00,fax,Waste,maybe\n"         # row 4: unknown channel, not a boolean
        "A1,2023-04-04 10:00,email,,\n"                 # row 5: repeated id, service empty
    )})
    with pytest.raises(DataError) as caught:
        load_all(config)
    text = str(caught.value)
    assert "contacts.csv (contacts), column 'received_at'" in text and "row 3" in text and "31/02/2023" in text
    assert "column 'channel'" in text and "'fax'" in text and "row 4" in text
    assert "column 'resolved_first_contact'" in text and "'maybe'" in text
    assert "column 'contact_id'" in text and "rows 2, 5" in text
    assert "column 'service'" in text and "row 5" in text
    # an unreadable date is reported once, as unreadable, not also as empty
    assert text.count("column 'received_at'") == 1
    assert len(caught.value.problems) == 5


def test_missing_required_column_names_it_and_how_to_map_it(tmp_path):
    config = _folder(tmp_path, {"calls.csv": "Call Ref,offered_at,answered,wait_seconds\n1,2023-04-03 09:00,y,3\n"})
    with pytest.raises(DataError) as caught:
        load_all(config)
    message = str(caught.value)
    assert "calls.csv (calls)" in message and "'call_id' not found" in message
    assert "columns in the file: Call Ref, offered_at, answered, wait_seconds" in message
    # the closest column by name, and the line to add under a new [datasets.calls.columns] heading
    assert 'if "Call Ref" holds call_id, add this line to council.toml under a new heading [datasets.calls.columns]' in message
    assert '"Call Ref" = "call_id"' in message


def test_negative_wait_and_bad_year_label(tmp_path):
    config = _folder(tmp_path, {
        "calls.csv": "call_id,offered_at,answered,wait_seconds\n1,2023-04-03 09:00,y,-3\n2,2023-04-03 09:01,n,4\n",
        "manual_measures.csv": "measure_id,year,value,note\nx,2023-25,5,\n",
    })
    _, problems = check_all(config)
    text = "\n".join(str(p) for p in problems)
    assert "column 'wait_seconds': expected a number of at least 0" in text and "row 2" in text and "'-3'" in text
    assert "column 'year': expected a financial year written like 2023/24" in text and "'2023-25'" in text


def test_absent_datasets_are_tolerated(tmp_path):
    config = _folder(tmp_path, {"calls.csv": "call_id,offered_at,answered,wait_seconds\n1,2023-04-03 09:00,y,3\n"})
    datasets = load_all(config)
    assert datasets.contacts is None and datasets.action_plan is None
    assert len(datasets.calls) == 1 and bool(datasets.calls["answered"].iloc[0]) is True


def test_two_files_for_one_dataset_is_an_error(tmp_path):
    config = _folder(tmp_path, {"calls.csv": "call_id\n", "calls.parquet": ""})
    _, problems = check_all(config)
    assert any("more than one file could be this dataset" in str(p) for p in problems)


def test_configured_path_that_matches_nothing(tmp_path):
    config = _folder(tmp_path, {}, MINIMAL_TOML + '[datasets.contacts]\npath = "crm_*.csv"\n')
    _, problems = check_all(config)
    assert len(problems) == 1 and "crm_*.csv" in str(problems[0]) and "nothing in" in str(problems[0])


def test_duplicates_across_files_of_one_dataset(tmp_path):
    toml = MINIMAL_TOML + '[datasets.calls]\npath = "calls_*.csv"\n'
    config = _folder(tmp_path, {
        "calls_1.csv": "call_id,offered_at,answered,wait_seconds\nX1,2023-04-03 09:00,y,3\n",
        "calls_2.csv": "call_id,offered_at,answered,wait_seconds\nX2,2023-04-03 09:00,y,3\nX1,2023-04-04 09:00,n,3\n",
    }, toml)
    _, problems = check_all(config)
    assert len(problems) == 1
    assert problems[0].file == "calls_2.csv" and problems[0].rows == (3,) and "earlier file" in str(problems[0])


def test_windows_1252_csv_is_read(tmp_path):
    (tmp_path / "council.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    (tmp_path / "measures.csv").write_bytes(
        "measure_id,name,unit,polarity,target\nx,Caf\u00e9 visits \u2013 all,count,neutral,\n".encode("cp1252"))
    datasets = load_all(load_config(tmp_path))
    assert datasets.measures["name"].iloc[0] == "Caf\u00e9 visits \u2013 all"


def test_survey_answers_must_be_on_the_scale(tmp_path):
    toml = MINIMAL_TOML + (
        '[survey.questions.q1]\ntext = "Q"\nscale = ["Yes", "No"]\npositive = ["Yes"]\n')
    config = _folder(tmp_path, {"survey.csv": (
        "survey_id,survey_year,respondent_id,question_id,answer\n"
        "s,2023/24,r1,q1,Yes\ns,2023/24,r2,q1,Maybe\ns,2023/24,r3,q2,Yes\n")}, toml)
    _, problems = check_all(config)
    text = "\n".join(str(p) for p in problems)
    assert "'q2' is not described in council.toml" in text
    assert "not on the question's scale" in text and "q1: Maybe" in text


# --- issue 6: every fault a user can cause, and real-world shapes ------------------------------

import numpy as np  # noqa: E402
import openpyxl  # noqa: E402

from analysis.calendar import WorkingCalendar, within_standard  # noqa: E402
from analysis.config import ConfigError  # noqa: E402

CONTACTS_HEADER = "contact_id,received_at,channel,service\n"


def _text(problems) -> str:
    return "\n\n".join(str(p) for p in problems)


def _plan_workbook(path, rows, *, title=True, merges=(), sheet="Plan"):
    """An action plan as councils keep it: a title in A1, a blank row, then the header (row 3)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws["A1"] = "Customer Care Strategy Action Plan 2023/24"
        ws.merge_cells("A1:E1")
        ws.append([])
    for row in rows:
        ws.append(list(row))
    for cells in merges:
        ws.merge_cells(cells)
    book.save(path)


def test_renamed_column_after_an_upgrade_names_the_toml_line_and_the_closest_column(tmp_path):
    toml = MINIMAL_TOML + ('[datasets.contacts]\npath = "crm.csv"\n'
                           '[datasets.contacts.columns]\n"Case Ref" = "contact_id"\n"Date Logged" = "received_at"\n')
    config = _folder(tmp_path, {"crm.csv": (
        "Case Ref,Date Logged (UTC),channel,service,Customer Name\nA1,2023-04-03 09:00,email,Waste,Ann\n")}, toml)
    _, problems = check_all(config)
    text = _text(problems)
    assert "crm.csv (contacts): required column 'received_at' not found" in text
    assert "columns in the file: Case Ref, Date Logged (UTC), channel, service, Customer Name" in text
    assert 'council.toml line 7 maps "Date Logged" to received_at' in text
    assert 'If it is now "Date Logged (UTC)", change that line to:\n      "Date Logged (UTC)" = "received_at"' in text


def test_renamed_column_with_an_inline_column_map_says_where_to_add_the_line(tmp_path):
    toml = MINIMAL_TOML + '[datasets.calls]\ncolumns = { "Start" = "offered_at" }\n'
    config = _folder(tmp_path, {"calls.csv": "Call Reference,Start,answered,wait_seconds\nX,2023-04-03 09:00,y,3\n"}, toml)
    _, problems = check_all(config)
    text = _text(problems)
    assert "inside columns = { ... } under [datasets.calls] in council.toml (line 4)" in text
    assert '"Call Reference" = "call_id"' in text


def test_a_mapping_to_a_name_the_contract_does_not_have_is_pointed_out(tmp_path):
    toml = MINIMAL_TOML + '[datasets.calls.columns]\n"Start" = "ofered_at"\n'
    config = _folder(tmp_path, {"calls.csv": "call_id,Start,answered,wait_seconds\nX,2023-04-03 09:00,y,3\n"}, toml)
    _, problems = check_all(config)
    assert 'council.toml maps "Start" to "ofered_at", which is not a column of calls (did you mean "offered_at"?)' \
        in _text(problems)


def test_other_faults_of_a_file_are_reported_beside_a_missing_column(tmp_path):
    config = _folder(tmp_path, {"calls.csv": "call_id,offered_at,wait_seconds\nX,31/02/2023,-1\nX,2023-04-03,2\n"})
    _, problems = check_all(config)
    text = _text(problems)
    assert "'answered' or 'outcome' not found" in text
    assert "column 'offered_at'" in text and "31/02/2023 is a day that does not exist" in text
    assert "column 'wait_seconds'" in text and "column 'call_id'" in text


def test_dates_that_do_not_exist_or_are_month_first_say_so(tmp_path):
    config = _folder(tmp_path, {"contacts.csv": CONTACTS_HEADER + (
        "A1,29/02/2023,email,Waste\nA2,04/13/2023 10:00,email,Waste\nA3,2023-02-30,email,Waste\nA4,2023,email,Waste\n"
        "A5,29/02/2024,email,Waste\n")})
    _, problems = check_all(config)
    assert len(problems) == 1
    text = str(problems[0])
    assert "4 rows: rows 2, 3, 4, 5" in text
    assert "29/02/2023 is a day that does not exist" in text
    assert "04/13/2023 looks written month first: write it day first, 13/04/2023" in text


def test_year_or_month_alone_is_not_a_date():
    parsed = parse_timestamps(pd.Series(["2023", "2023-04", "20230403", "2023-04-03"]))
    assert parsed.iloc[:3].isna().all() and parsed.iloc[3] == pd.Timestamp("2023-04-03")


def test_blank_csv_lines_are_skipped_and_later_rows_keep_their_numbers(tmp_path):
    config = _folder(tmp_path, {"contacts.csv": CONTACTS_HEADER + (
        "A1,2023-04-03 09:00,email,Waste\n\n,,,\nA2,2023-04-03 09:00,fax,Waste\n\n")})
    _, problems = check_all(config)
    fatal = [p for p in problems if p.fatal]
    assert len(fatal) == 1 and fatal[0].column == "channel" and fatal[0].rows == (5,)
    # Rows 3 and 4 are blank (an empty line, then only commas): skipped and said; the empty last line
    # after the data is nothing to say.
    (blank,) = [p for p in problems if not p.fatal]
    assert "blank rows: skipped" in blank.message and blank.rows == (3, 4)


def test_csv_title_rows_above_the_header_are_found_and_rows_numbered_as_seen(tmp_path):
    config = _folder(tmp_path, {"contacts.csv": (
        "Contacts export,,,\nRun on 01/04/2024,,,\n" + CONTACTS_HEADER
        + "A1,2023-04-03 09:00,email,Waste\nA2,2023-04-03 09:00,fax,Waste\n")})
    datasets, problems = check_all(config)
    assert len(problems) == 1 and problems[0].rows == (5,)


def test_header_row_in_council_toml(tmp_path):
    # Row 1 holds a label that is also a column name, so the header must be given.
    toml = MINIMAL_TOML + "[datasets.contacts]\nheader_row = 3\n"
    config = _folder(tmp_path, {"contacts.csv": (
        "service\nWaste\n" + CONTACTS_HEADER + "A1,2023-04-03 09:00,email,Waste\nA2,2023-04-03,web,Waste\n")}, toml)
    assert config.datasets["contacts"].header_row == 3
    _, problems = check_all(config)
    assert [(p.column, p.rows) for p in problems] == [("channel", (5,))]


def test_header_row_past_the_end_of_the_file(tmp_path):
    config = _folder(tmp_path, {"contacts.csv": CONTACTS_HEADER},
                     MINIMAL_TOML + "[datasets.contacts]\nheader_row = 9\n")
    _, problems = check_all(config)
    assert "council.toml says its header is row 9" in _text(problems)


def test_excel_action_plan_with_title_rows_merged_themes_blank_rows_and_loose_labels(tmp_path):
    toml = MINIMAL_TOML + (
        '[action_plan]\nthemes = ["Customer care standards", "Accessible services"]\n'
        '[datasets.action_plan]\npath = "Action Plan.xlsx"\n'
        '[datasets.action_plan.columns]\n"Plan Year" = "plan_year"\n"Ref" = "action_id"\n')
    (tmp_path / "council.toml").write_text(toml, encoding="utf-8")
    _plan_workbook(tmp_path / "Action Plan.xlsx", [
        ["Theme ", "PLAN YEAR", "Ref", "Action", "Status"],                       # row 3
        ["customer CARE  standards ", "2023/24", "1a", "Publish standards", "Achieved "],  # row 4
        [None, "2023/24", "1b", "Train staff", "in PROGRESS"],                   # row 5 (merged theme)
        [None, "2023/24", "1c", "Mystery shop", "Started"],                      # row 6: unknown label
        [],                                                                      # row 7: blank
        ["Accessible Services", "2023/24", "2a", None, "complete"],              # row 8: no action
    ], merges=["A4:A6"])
    config = load_config(tmp_path)
    _, problems = check_all(config)
    assert [(p.column, p.rows) for p in problems if p.fatal] == [("status", (6,)), ("action", (8,))]
    assert [(p.message, p.rows) for p in problems if not p.fatal] == [("has blank rows: skipped", (7,))]
    assert "'Started'" in _text(problems) and "[action_plan.status_labels]" in _text(problems)

    book = openpyxl.load_workbook(tmp_path / "Action Plan.xlsx")
    book.active["E6"], book.active["D8"] = "ongoing", "Easy read"
    book.save(tmp_path / "Action Plan.xlsx")
    plan = load_all(config).action_plan
    assert plan["theme"].tolist() == ["Customer care standards"] * 3 + ["Accessible services"]
    assert plan["status"].tolist() == ["achieved", "ongoing", "ongoing", "achieved"]
    assert plan["action_id"].tolist() == ["1a", "1b", "1c", "2a"]


def test_excel_header_row_given_in_council_toml(tmp_path):
    toml = MINIMAL_TOML + "[datasets.action_plan]\nheader_row = 3\n"
    (tmp_path / "council.toml").write_text(toml, encoding="utf-8")
    _plan_workbook(tmp_path / "action_plan.xlsx", [
        ["plan_year", "action_id", "theme", "action", "status"],
        ["2023/24", "1", "T", "A", "Achieved"], ["2023/24", "2", "T", "B", "Unknown"]])
    _, problems = check_all(load_config(tmp_path))
    assert [(p.column, p.rows) for p in problems] == [("status", (5,))]


def test_excel_sheet_that_is_not_there_lists_the_sheets(tmp_path):
    (tmp_path / "council.toml").write_text(MINIMAL_TOML + '[datasets.action_plan]\nsheet = "2023-24"\n')
    _plan_workbook(tmp_path / "action_plan.xlsx", [["plan_year"]], sheet="Plan 2023-24")
    _, problems = check_all(load_config(tmp_path))
    assert 'has no sheet called "2023-24"; its sheets are "Plan 2023-24"' in _text(problems)


def test_themes_match_without_regard_to_capitals_or_spaces_and_others_are_reported(tmp_path):
    toml = MINIMAL_TOML + '[action_plan]\nthemes = ["Accessible services"]\n'
    config = _folder(tmp_path, {"action_plan.csv": (
        "plan_year,action_id,theme,action,status\n2023/24,1, accessible  SERVICES,A,Achieved\n"
        "2023/24,2,Access,B,Achieved\n")}, toml)
    _, problems = check_all(config)
    assert len(problems) == 1 and problems[0].rows == (3,) and "themes = [...]" in problems[0].fix


def test_windows_1252_character_after_the_first_64_kb_is_read(tmp_path):
    (tmp_path / "council.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    rows = "".join(f"C{i},2023-04-03 09:00,email,Waste\n" for i in range(3000))  # about 100 KB of ASCII
    (tmp_path / "contacts.csv").write_bytes((CONTACTS_HEADER + rows + "C-last,2023-04-03 09:00,email,Caf\u00e9 \u2013 Hub\n")
                                            .encode("cp1252"))
    contacts = load_all(load_config(tmp_path)).contacts
    assert len(contacts) == 3001 and contacts["service"].iloc[-1] == "Caf\u00e9 \u2013 Hub"


def test_utf8_with_a_byte_order_mark_and_utf16_are_read(tmp_path):
    (tmp_path / "council.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    text = CONTACTS_HEADER + "A1,2023-04-03 09:00,email,Caf\u00e9\n"
    (tmp_path / "contacts.csv").write_bytes(text.encode("utf-8-sig"))
    assert load_all(load_config(tmp_path)).contacts["service"].iloc[0] == "Caf\u00e9"
    (tmp_path / "contacts.csv").write_bytes(text.encode("utf-16"))
    assert load_all(load_config(tmp_path)).contacts["contact_id"].iloc[0] == "A1"


def test_empty_file_is_a_problem_and_a_header_without_rows_a_warning(tmp_path):
    config = _folder(tmp_path, {"contacts.csv": "", "calls.csv": "call_id,offered_at,answered,wait_seconds\n"})
    datasets, problems = check_all(config)
    empty = [p for p in problems if p.dataset == "contacts"]
    assert len(empty) == 1 and empty[0].fatal and "is empty: it is 0 bytes" in str(empty[0])
    header_only = [p for p in problems if p.dataset == "calls"]
    assert len(header_only) == 1 and not header_only[0].fatal and "no data rows" in str(header_only[0])
    assert len(datasets.calls) == 0 and list(datasets.calls.columns) == [c.name for c in SCHEMAS["calls"]]
    assert any("no data rows" in w for w in datasets.warnings)


@pytest.mark.parametrize(("name", "content", "fragment"), [
    ("action_plan.xlsx", b"\x00\x01 random bytes, not a workbook", "could not be opened as an Excel workbook"),
    ("action_plan.xlsx", b"PK\x03\x04 a zip cut short", "could not be opened as an Excel workbook: it is damaged"),
    ("action_plan.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old-style Excel 97-2003"),
    ("action_plan.xlsx", b"<html><table><tr><td>1</td></tr></table></html>", "is a web page"),
    ("calls.parquet", b"PAR1 cut short", "could not be read as Parquet"),
    ("calls.parquet", b"call_id,offered_at\n", "could not be read as Parquet"),
    ("contacts.csv", b"PK\x03\x04 an xlsx", "is an Excel workbook (.xlsx) with a .csv name"),
    ("contacts.csv", b"\x00\x00\x00binary", "is not a text file"),
])
def test_damaged_or_mislabelled_files_say_what_they_are_and_how_to_fix_it(tmp_path, name, content, fragment):
    (tmp_path / "council.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    _, problems = check_all(load_config(tmp_path))
    assert len(problems) == 1 and problems[0].fatal and problems[0].file == name
    assert fragment in str(problems[0]) and problems[0].fix


def test_a_file_that_is_not_csv_excel_or_parquet(tmp_path):
    toml = MINIMAL_TOML + '[datasets.contacts]\npath = "contacts.xls"\n'
    config = _folder(tmp_path, {"contacts.xls": "whatever"}, toml)
    _, problems = check_all(config)
    assert "is a .xls file; the workbook reads .csv, .xlsx and .parquet" in str(problems[0])
    assert "save it as Excel Workbook (.xlsx)" in str(problems[0])


def test_a_response_before_receipt_is_a_warning_and_counts_as_day_0(tmp_path):
    config = _folder(tmp_path, {"contacts.csv": (
        "contact_id,received_at,channel,service,acknowledged_at,responded_at\n"
        "A1,2023-04-05 09:00,email,Waste,2023-04-05 08:00,2023-04-03 10:00\n"   # same day is fine; responded earlier
        "A2,2023-04-05 09:00,email,Waste,,2023-04-06 10:00\n")})
    datasets = load_all(config)  # a warning never stops the workbook
    _, problems = check_all(config)
    assert len(problems) == 1 and not problems[0].fatal
    assert problems[0].column == "responded_at" and problems[0].rows == (2,)
    assert "is dated on a day before received_at" in str(problems[0]) and "working day 0" in str(problems[0])
    assert any("dated on a day before received_at" in w for w in datasets.warnings)
    contacts = datasets.contacts
    outcome = within_standard(WorkingCalendar(()), contacts["received_at"], contacts["responded_at"], 0,
                              np.datetime64("2023-04-30"))
    assert outcome.within.tolist() == [True, False]


FMS_HEADER = ("Report ID,Title,Detail,User Name,Category,Created,Confirmed,Acknowledged,Fixed,Closed,Status,"
              "Latitude,Longitude,Query,Ward,Easting,Northing,Report URL,Device Type,Site Used,Reported As\n")
FMS_ROWS = (
    '9001,Pothole,"Deep, by ""the"" school",Ann Person,Potholes,2023-04-03T08:00:00,2023-04-03T08:05:00,'
    "2023-04-04T09:00:00,2023-04-12T10:00:00,2023-04-07T10:00:00,closed,51.5,-0.1,SW1A 1AA,Abbey,530000,180000,"
    "https://example.invalid/report/9001,website,fixmystreet,\n"
    "9002,Fly-tip,Mattress,Bob Person,Fly-tipping,2023-04-05T08:00:00,2023-04-05T08:05:00,,2023-04-06T10:00:00,,"
    "fixed,51.5,-0.1,,Castle,530000,180000,https://example.invalid/report/9002,app,fixmystreet,\n"
    "9003,Light out,Dark,(anonymous),Street lighting,2023-04-05T09:00:00,2023-04-05T09:05:00,,,,confirmed,"
    "51.5,-0.1,,Abbey,530000,180000,https://example.invalid/report/9003,app,fixmystreet,\n")
FMS_PERSONAL = {"Title", "Detail", "User Name", "Latitude", "Longitude", "Query", "Easting", "Northing", "Report URL"}


def test_fixmystreet_export_beside_the_crm_contacts(tmp_path):
    toml = MINIMAL_TOML + '[datasets.report_it]\npath = "fms/*.csv"\n'
    (tmp_path / "fms").mkdir()
    config = _folder(tmp_path, {"contacts.csv": CONTACTS_HEADER + "A1,2023-04-03 09:00,email,Waste\n",
                                "fms/export.csv": FMS_HEADER + FMS_ROWS}, toml)
    assert config.warnings == ()
    item = load_all(config).loaded["contacts"]
    frame = item.frame
    assert [p.name for p in item.files] == ["contacts.csv", "export.csv"]
    assert frame["contact_id"].tolist() == ["A1", "9001", "9002", "9003"]
    fms = frame.iloc[1:]
    assert set(fms["channel"]) == {"report_it"} and set(fms["service"]) == {"Report It"}
    assert fms["received_at"].tolist()[0] == pd.Timestamp("2023-04-03 08:05")  # Confirmed, not Created
    assert fms["acknowledged_at"].tolist()[0] == pd.Timestamp("2023-04-04 09:00")
    # responded_at is the earlier of Fixed and Closed; empty when neither
    assert fms["responded_at"].tolist()[:2] == [pd.Timestamp("2023-04-07 10:00"), pd.Timestamp("2023-04-06 10:00")]
    assert pd.isna(fms["responded_at"].iloc[2])
    assert fms["category"].astype(str).tolist() == ["Potholes", "Fly-tipping", "Street lighting"]
    assert fms["ward"].astype(str).tolist() == ["Abbey", "Castle", "Abbey"]
    # personal data is never read: only the contract's columns are in the frame, the rest listed as unused
    assert list(frame.columns) == [c.name for c in SCHEMAS["contacts"]]
    assert FMS_PERSONAL <= set(item.ignored_columns)
    assert not frame.astype(str).apply(lambda c: c.str.contains("Person|example.invalid|SW1A")).any().any()


def test_fixmystreet_file_named_report_it_is_found_without_configuration(tmp_path):
    config = _folder(tmp_path, {"report_it.csv": FMS_HEADER + FMS_ROWS})
    assert len(load_all(config).contacts) == 3


def test_fixmystreet_as_the_contacts_dataset_with_one_line(tmp_path):
    config = _folder(tmp_path, {"contacts.csv": FMS_HEADER + FMS_ROWS},
                     MINIMAL_TOML + '[datasets.contacts]\nformat = "fixmystreet"\n')
    contacts = load_all(config).contacts
    assert contacts["contact_id"].tolist() == ["9001", "9002", "9003"] and set(contacts["channel"]) == {"report_it"}


def test_fixmystreet_faults_name_its_own_columns(tmp_path):
    rows = FMS_ROWS.replace("2023-04-07T10:00:00,closed", "yesterday,closed").replace(
        "2023-04-05T09:05:00,,,,confirmed", ",,,,confirmed")
    config = _folder(tmp_path, {"contacts.csv": CONTACTS_HEADER + "9002,2023-04-03 09:00,email,Waste\n",
                                "report_it.csv": FMS_HEADER + rows})
    _, problems = check_all(config)
    text = _text(problems)
    assert "report_it.csv (contacts), column 'responded_at' ('Closed' in the file)" in text and "'yesterday'" in text
    assert "column 'received_at' ('Confirmed' in the file): is empty where a value is required" in text
    assert "column 'contact_id' ('Report ID' in the file): repeats a value already in an earlier file" in text
    assert "Is a Report It case both in the CRM export and in FixMyStreet's?" in text


def test_fixmystreet_export_without_its_columns(tmp_path):
    config = _folder(tmp_path, {"report_it.csv": "Report ID,Title,Created\n1,Pothole,2023-04-03T08:00:00\n"})
    _, problems = check_all(config)
    text = _text(problems)
    assert "required column 'received_at' not found (the file is read as a FixMyStreet export" in text
    assert "'Confirmed' column gives it" in text


@pytest.mark.parametrize(("section", "message"), [
    ("[datasets.contacts]\nheader_row = 0\n", "[datasets.contacts.header_row] (line 4) must be the number of the row"),
    ('[datasets.contacts]\nheader_row = "3"\n', "[datasets.contacts.header_row] (line 4)"),
    ('[datasets.contacts]\nformat = "fms"\n', "[datasets.contacts.format] (line 4) must be one of 'fixmystreet'"),
    ('[datasets.calls]\nformat = "fixmystreet"\n', '"fixmystreet" is a layout of contacts'),
])
def test_council_toml_dataset_keys_are_checked(tmp_path, section, message):
    (tmp_path / "council.toml").write_text(MINIMAL_TOML + section, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert message in str(caught.value)


def test_report_it_section_is_known_to_council_toml(tmp_path):
    (tmp_path / "council.toml").write_text(MINIMAL_TOML + '[datasets.report_it]\npath = "fms.csv"\n')
    config = load_config(tmp_path)
    assert config.warnings == () and config.datasets["report_it"].format == "fixmystreet"


def test_survey_problems_name_each_files_own_rows(tmp_path):
    toml = MINIMAL_TOML + ('[survey.questions.q1]\ntext = "Q"\nscale = ["Yes", "No"]\npositive = ["Yes"]\n'
                           '[datasets.survey]\npath = ["s1.csv", "s2.xlsx"]\n')
    config = _folder(tmp_path, {"s1.csv": "survey_id,survey_year,respondent_id,question_id,answer\ns,2023/24,r1,q1,Yes\n"},
                     toml)
    book = openpyxl.Workbook()
    book.active.append(["Residents' survey 2024"])
    book.active.append(["survey_id", "survey_year", "respondent_id", "question_id", "answer"])
    book.active.append(["s", "2024/25", "r1", "q1", "Maybe"])
    book.save(tmp_path / "s2.xlsx")
    _, problems = check_all(config)
    assert len(problems) == 1 and problems[0].file == "s2.xlsx" and problems[0].rows == (3,)
    assert "q1: Maybe" in str(problems[0])


# --- the corpus of broken data folders (tests/broken/, see its README) ----------------------------

from pathlib import Path  # noqa: E402

from conftest import run_cli  # noqa: E402

BROKEN = Path(__file__).resolve().parent / "broken"
CORPUS = sorted(p.name for p in BROKEN.iterdir() if (p / "expected.txt").is_file())
# Every fault of issue 6 has its folder; a folder removed by mistake fails here.
FAULTS = {
    "renamed-column", "date-does-not-exist", "date-month-first", "duplicate-case-reference", "empty-file",
    "header-only", "corrupt-xlsx-random-bytes", "corrupt-xlsx-truncated", "xls-named-xlsx", "corrupt-parquet",
    "negative-wait", "response-before-receipt", "unknown-status-label", "unknown-channel", "unknown-theme",
    "not-csv-excel-parquet", "path-matches-nothing", "many-faults-one-file", "semicolon-csv", "bad-year-label",
    "excel-title-rows", "wrong-sheet", "fixmystreet-beside-crm",
    # The Complaint Handling Code's inputs (issue 13): the two warnings on extended_to, an Ombudsman's own words.
    "extension-before-the-deadline", "extension-beyond-the-code", "ombudsman-outcome-in-its-own-words",
    # The committee pack (issue 11): officers' commentary and the action plan's outcome measure, every fault together.
    "commentary-faults",
    # A new council's own exports: stages not mapped yet are not also called repeated (tests/test_new_user_exports.py).
    "stages-not-mapped-yet",
}


def _expected(folder: Path) -> tuple[set[str], list[str]]:
    marks, fragments = set(), []
    for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@"):
            marks.add(line.strip())
        else:
            fragments.append(line)
    assert ("@fatal" in marks) != ("@warning" in marks), f"{folder.name}: say @fatal or @warning"
    return marks, fragments


def test_broken_corpus_covers_every_fault_and_stays_small():
    assert set(CORPUS) == FAULTS
    size = sum(p.stat().st_size for p in BROKEN.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert size < 200_000


@pytest.mark.parametrize("name", CORPUS)
def test_broken_corpus(name, tmp_path):
    folder = BROKEN / name
    marks, fragments = _expected(folder)
    _, problems = check_all(load_config(folder))
    text = _text(problems)
    assert problems and "Traceback" not in text
    missing = [f for f in fragments if f not in text]
    assert not missing, f"not in the report:\n{missing}\n\nreport:\n{text}"
    assert any(p.fatal for p in problems) == ("@fatal" in marks)
    assert all(p.fix for p in problems), "every problem says how to fix it"
    if "@cli" in marks:
        result = run_cli("check", "--data", str(folder), "--out", str(tmp_path / "out"))
        output = result.stdout + result.stderr
        assert "Traceback" not in output
        assert result.returncode == (1 if "@fatal" in marks else 0), output
        missing = [f for f in fragments if f not in output]
        assert not missing, f"not in the output of workbook check:\n{missing}\n\noutput:\n{output}"


def test_complaint_outcomes_match_loosely_and_a_repeated_pair_is_reported_once(tmp_path):
    config = _folder(tmp_path, {"complaints.csv": (
        "complaint_id,stage,received_at,service,outcome\nK1,1,2023-04-03,Waste,Partly Upheld\n"
        "K2,1.0,2023-04-03,Waste,not-upheld\nK2,1,2023-04-04,Waste,open\n")})
    _, problems = check_all(config)
    assert len(problems) == 1 and problems[0].rows == (3, 4) and "complaint_id + stage" in str(problems[0])
    (tmp_path / "complaints.csv").write_text(
        "complaint_id,stage,received_at,service,outcome\nK1,1,2023-04-03,Waste,Partly Upheld\n"
        "K2,1.0,2023-04-03,Waste,not-upheld\n")
    complaints = load_all(load_config(tmp_path)).complaints
    assert complaints["outcome"].tolist() == ["partly_upheld", "not_upheld"] and complaints["stage"].tolist() == [1, 1]


def test_prepared_workbook_reads_a_dataset_only_when_a_page_uses_it(tmp_path):
    """Notebook kernels open the run's prepared workbook: the measures come at once, each dataset's
    records only when asked for, so a page that never looks at calls never holds them in memory. The
    records are in the store of files read, so the prepared workbook holds only where they are; the runner
    itself never loaded the contacts or the calls (their figures are counted by SQL over the store)."""
    from conftest import write_riverside

    from analysis.workbook import open_workbook, prepare, remove_prepared, save_prepared

    workbook = prepare(write_riverside(tmp_path / "data"))
    assert not {"contacts", "calls", "feedback"} & {n for n, i in workbook.data.loaded.items() if "frame" in i.__dict__}
    path = save_prepared(workbook, tmp_path / "build" / "prepared.pickle")
    assert not (tmp_path / "build" / "prepared-frames" / "contacts.pickle").exists()
    assert path.stat().st_size < 200_000
    opened = open_workbook(prepared=str(path))
    pd.testing.assert_frame_equal(opened.measures, workbook.measures)
    assert not any("frame" in item.__dict__ for item in opened.data.loaded.values())
    pd.testing.assert_frame_equal(opened.data.contacts, workbook.data.contacts)
    assert {name for name, item in opened.data.loaded.items() if "frame" in item.__dict__} == {"contacts"}
    remove_prepared(path)
    assert list((tmp_path / "build").iterdir()) == []


def test_without_a_store_the_prepared_workbook_keeps_each_dataset_apart(tmp_path, monkeypatch):
    """With the store turned off, each dataset's records are pickled to a file of their own beside the
    prepared workbook and read only when asked for."""
    from conftest import write_riverside

    from analysis.workbook import open_workbook, prepare, remove_prepared, save_prepared

    monkeypatch.setenv("WORKBOOK_CACHE", "off")
    workbook = prepare(write_riverside(tmp_path / "data"))
    path = save_prepared(workbook, tmp_path / "build" / "prepared.pickle")
    frames = tmp_path / "build" / "prepared-frames"
    assert (frames / "contacts.pickle").is_file() and (frames / "calls.pickle").is_file()
    opened = open_workbook(prepared=str(path))
    assert not any("frame" in item.__dict__ for item in opened.data.loaded.values())
    pd.testing.assert_frame_equal(opened.data.contacts, workbook.data.contacts)
    assert {name for name, item in opened.data.loaded.items() if "frame" in item.__dict__} == {"contacts"}
    assert "frame" in workbook.data.loaded["calls"].__dict__  # saving never takes the frames from the runner
    remove_prepared(path)
    assert list((tmp_path / "build").iterdir()) == []
