"""Faults a new council met with its own exports (a casework system's complaints report, an Ombudsman workbook kept
by hand, an action plan typed by policy officers), each in a small export of the same shape.

1. stages the council has not mapped yet are not also reported as repeated complaint_id + stage;
2. a note typed under an Excel table (or a CSV report) is not data: skipped, with a warning;
3. an outcome measure with no near id still gets the [datasets.action_plan.values.measure_id] line to add;
4. a month typed as a target date gets its own last day as the example of the date in full;
5. "N/A" = "" in a values map means no value, for an optional column (remedy_complied); refused for a required one.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from analysis.config import load_config
from analysis.datasets import check_all, load_all
from analysis.errors import ConfigError

TOML = '[council]\nname = "Harrowfield Borough Council"\n'

COMPLAINTS_TOML = '''
[datasets.complaints]
path = "Complaints Report 2022-2025.csv"
[datasets.complaints.columns]
"Case Reference" = "complaint_id"
"Stage" = "stage"
"Date Received" = "received_at"
"Service Area" = "service"
'''
STAGES_MAPPED = '''
[datasets.complaints.values.stage]
"Stage 1 - Investigation" = "1"
"Stage 2 - Review" = "2"
'''


def _folder(tmp_path, files: dict[str, str], toml: str = ""):
    (tmp_path / "council.toml").write_text(TOML + toml, encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8-sig")
    return load_config(tmp_path)


def _about(problems, words: str):
    return [p for p in problems if words in p.message]


# --- 1. a repeated complaint_id + stage, while the stages are not mapped yet -------------------------------------

COMPLAINTS = (
    "Case Reference,Stage,Date Received,Service Area\n"
    "HBC-CMP-220085,Stage 1 - Investigation,04/04/2022,Waste\n"   # row 2 } one complaint at both stages:
    "HBC-CMP-220085,Stage 2 - Review,02/05/2022,Waste\n"          # row 3 } not a repeat
    "HBC-CMP-220065,Stage 1 - Investigation,05/04/2022,Housing\n"  # row 4 } a real repeat, but of stages not
    "HBC-CMP-220065,Stage 1 - Investigation,05/04/2022,Housing\n"  # row 5 } read yet: said once they are mapped
    "HBC-CMP-220090,1,06/04/2022,Parking\n"                       # row 6 } a real repeat of a stage typed as 1:
    "HBC-CMP-220090,1,06/04/2022,Parking\n"                       # row 7 } said now
)


def test_stages_not_mapped_yet_are_not_called_repeated_and_a_real_repeat_still_is(tmp_path):
    config = _folder(tmp_path, {"Complaints Report 2022-2025.csv": COMPLAINTS}, COMPLAINTS_TOML)
    _, problems = check_all(config)
    # The two stage values are reported (rows 2, 4, 5 and row 3), as before.
    unknown = _about(problems, "which is not a stage (1 or 2)")
    assert sorted(p.rows for p in unknown) == [(2, 4, 5), (3,)]
    # Before the fix, every row with an unread stage was "the same complaint_id + <missing>": rows 2-7 were named.
    repeated = _about(problems, "has the same complaint_id + stage more than once")
    assert len(repeated) == 1 and repeated[0].rows == (6, 7), repeated
    assert repeated[0].examples == ("HBC-CMP-220090 + 1",)

    # With the stages mapped, rows 4 and 5 are read as the same complaint at stage 1: now they are a repeat.
    (tmp_path / "council.toml").write_text(TOML + COMPLAINTS_TOML + STAGES_MAPPED, encoding="utf-8")
    _, problems = check_all(load_config(tmp_path))
    assert [p.rows for p in problems if p.fatal] == [(4, 5, 6, 7)]


# --- 2. a note typed under a table ---------------------------------------------------------------------------------

OMBUDSMAN_TOML = '''
[datasets.ombudsman]
path = "Ombudsman decisions.xlsx"
[datasets.ombudsman.columns]
"Ombudsman Ref" = "decision_id"
"Date of Decision" = "decided_on"
"Ombudsman" = "ombudsman"
"Decision" = "outcome"
"Remedy Complied With" = "remedy_complied"
'''
OMBUDSMAN_HEADER = ["Ombudsman", "Our Ref", "Ombudsman Ref", "Date of Decision", "Decision", "Remedy Complied With",
                    "Officer notes"]
DECISIONS = [
    ["LGSCO", "OMB-001", "22 015 556", dt.datetime(2022, 4, 27), "Not upheld", "N/A", "see case file"],
    ["Housing Ombudsman", "OMB-002", "2479641", dt.datetime(2023, 2, 18), "Upheld", "Yes", None],
    ["LGSCO", "OMB-003", "23 004 112", dt.datetime(2024, 1, 9), "Upheld", "No", "late"],
]


def _ombudsman_book(folder, rows_below=()) -> None:
    """The workbook as officers keep it: a title, a blank row, the header on row 3, the decisions from row 4,
    then whatever is typed below them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Decisions"
    sheet.append(["Harrowfield Borough Council - Ombudsman decisions"])
    sheet.append([])
    sheet.append(OMBUDSMAN_HEADER)
    for row in DECISIONS:
        sheet.append(row)
    for row in rows_below:
        sheet.append(row)
    book.save(folder / "Ombudsman decisions.xlsx")


def test_a_note_typed_under_an_excel_table_is_not_data(tmp_path):
    # Rows 4-6 the decisions, row 7 blank, row 8 the note in the first column (Ombudsman, a required column).
    _ombudsman_book(tmp_path, [[], ["Updated by J Okafor, April 2025"]])
    config = _folder(tmp_path, {}, OMBUDSMAN_TOML + '[datasets.ombudsman.values.remedy_complied]\n"N/A" = ""\n')
    datasets, problems = check_all(config)
    # Before the fix: four problems on row 8 (an Ombudsman it does not know; decision_id, decided_on, outcome empty).
    assert not [p for p in problems if p.fatal], problems
    [note] = _about(problems, "note below the records")
    assert note.rows == (8,) and note.examples == ("Updated by J Okafor, April 2025",) and not note.fatal
    assert "has blank rows" not in " ".join(p.message for p in problems)  # row 7 is after the last record now
    assert datasets.ombudsman["decision_id"].tolist() == ["22 015 556", "2479641", "23 004 112"]


def test_a_record_with_only_its_id_below_the_table_is_still_a_record(tmp_path):
    # Row 7: a decision whose reference was typed and nothing else: a record with missing values, not a note.
    _ombudsman_book(tmp_path, [[None, None, "24 019 870"]])
    config = _folder(tmp_path, {}, OMBUDSMAN_TOML + '[datasets.ombudsman.values.remedy_complied]\n"N/A" = ""\n')
    _, problems = check_all(config)
    empty = _about(problems, "is empty where a value is required")
    # decided_on, ombudsman and outcome are empty on row 7 (decision_id holds the reference).
    assert sorted(p.column for p in empty) == ["decided_on", "ombudsman", "outcome"]
    assert all(p.rows == (7,) for p in empty)
    assert not _about(problems, "note below the records")
    # The fix says how to leave out rows that are not records, besides filling them in.
    assert ("fill these cells in, or delete the rows if they are not real records; or, to leave out rows that are "
            "not records, list a value that marks them under [datasets.ombudsman.skip] in council.toml") in empty[0].fix


def test_a_note_in_the_id_column_of_a_csv_report_is_not_data(tmp_path):
    config = _folder(tmp_path, {"Complaints Report 2022-2025.csv": (
        "Case Reference,Stage,Date Received,Service Area\n"
        "HBC-CMP-220085,1,04/04/2022,Waste\n"
        "HBC-CMP-220086,2,02/05/2022,Waste\n"
        ",,,\n"
        "Checked against the casework system by the complaints team,,,\n")}, COMPLAINTS_TOML)  # row 5
    datasets, problems = check_all(config)
    assert not [p for p in problems if p.fatal], problems
    [note] = _about(problems, "note below the records")
    assert note.rows == (5,)
    assert datasets.complaints["complaint_id"].tolist() == ["HBC-CMP-220085", "HBC-CMP-220086"]


# --- 3. an outcome measure with no near id -------------------------------------------------------------------------

PLAN = "plan_year,action_id,theme,action,status,measure_id,due\n"


def test_an_outcome_measure_with_no_near_id_gets_the_line_to_add(tmp_path):
    config = _folder(tmp_path, {"action_plan.csv": PLAN + (
        "2024/25,1,Easy to reach,Answer stage 1 complaints on time,In progress,Stage 1 complaints answered on time,\n"
        "2024/25,2,Easy to reach,Add webchat,Complete,digital_shar,\n")})
    _, problems = check_all(config)
    far = next(p for p in problems if "Stage 1 complaints" in p.message)
    assert far.rows == (2,)
    # Every id is still listed; and now the line to add, with a placeholder for the id meant.
    assert "use one of the workbook's measure ids: actions_achieved," in far.fix
    assert ('add this line under [datasets.action_plan.values.measure_id] in council.toml (start that heading if it '
            'is not there), with that id:\n      "Stage 1 complaints answered on time" = "..."') in far.fix
    # A near one keeps its own line, with the id.
    near = next(p for p in problems if "digital_shar" in p.message)
    assert '"digital_shar" = "digital_share"' in near.fix and '"..."' not in near.fix


# --- 4. a month typed as a target date -----------------------------------------------------------------------------

@pytest.mark.parametrize("typed, example", [
    ("March 2024", "31/03/2024"),     # before the fix: 31/03/2025, whatever was typed
    ("Sept 2023", "30/09/2023"),
    ("Q3 2024/25", "31/12/2024"),     # a quarter of the financial year starting in April: October to December 2024
])
def test_a_month_as_a_date_is_shown_in_full_as_its_own_last_day(tmp_path, typed, example):
    config = _folder(tmp_path, {"action_plan.csv": PLAN + (
        f"2023/24,1,Easy to reach,Review the leaflet,In progress,,{typed}\n"
        "2023/24,2,Easy to reach,Train the staff,In progress,,March 2026\n")})
    _, problems = check_all(config)
    [month] = _about(problems, "has a month or quarter where a date is expected")
    assert month.rows == (2, 3) and month.examples[0] == f"{typed} read as {example}"
    assert month.fix == f"nothing, if the last day is meant; otherwise type the date in full ({example})."


# --- 5. "N/A" = "": no value, in an optional column ------------------------------------------------------------------

OMBUDSMAN_CSV = (
    "Ombudsman Ref,Date of Decision,Ombudsman,Decision,Remedy Complied With\n"
    "22 015 556,27/04/2022,LGSCO,not_upheld,N/A\n"
    "2479641,18/02/2023,Housing Ombudsman,upheld,Yes\n"
    "23 004 112,09/01/2024,LGSCO,upheld,n/a\n"
    "23 004 113,10/01/2024,LGSCO,upheld,No\n"
)
OMBUDSMAN_CSV_TOML = OMBUDSMAN_TOML.replace("Ombudsman decisions.xlsx", "ombudsman.csv")


def test_na_mapped_to_nothing_is_no_value_in_an_optional_column(tmp_path):
    config = _folder(tmp_path, {"ombudsman.csv": OMBUDSMAN_CSV}, OMBUDSMAN_CSV_TOML)
    _, problems = check_all(config)
    # Without a map, 'N/A' (row 2) and 'n/a' (row 4) are not yes or no: one problem for each as typed.
    fatal = [p for p in problems if p.fatal]
    assert [(p.column, p.rows) for p in fatal] == [("remedy_complied", (2,)), ("remedy_complied", (4,))]

    config = _folder(tmp_path, {}, OMBUDSMAN_CSV_TOML + '[datasets.ombudsman.values.remedy_complied]\n"N/A" = ""\n')
    datasets, problems = check_all(config)
    assert not problems, problems
    # One line maps both (capitals do not matter). Every decision is kept (skip would have dropped two of them);
    # their remedies are not recorded.
    assert datasets.ombudsman["remedy_complied"].astype(object).fillna("none").tolist() == ["none", True, "none", False]


def test_na_mapped_to_nothing_in_an_optional_text_column_is_blank(tmp_path):
    config = _folder(tmp_path, {"action_plan.csv": PLAN + (
        "2024/25,1,Easy to reach,Answer complaints on time,In progress,None,\n"
        "2024/25,2,Easy to reach,Add webchat,Complete,digital_share,\n")},
        '[datasets.action_plan.values.measure_id]\n"None" = ""\n')
    datasets, problems = check_all(config)
    assert not problems, problems
    assert datasets.action_plan["measure_id"].isna().tolist() == [True, False]


def test_a_required_column_mapped_to_nothing_is_refused_with_the_skip_advice(tmp_path):
    with pytest.raises(ConfigError) as info:
        _folder(tmp_path, {"ombudsman.csv": OMBUDSMAN_CSV},
                OMBUDSMAN_CSV_TOML + '[datasets.ombudsman.values.outcome]\n"N/A" = ""\n')
    text = str(info.value)
    assert '"N/A" maps to nothing, but outcome is required, so every record must have one.' in text
    assert '[datasets.ombudsman.skip] instead, e.g. "outcome" = ["N/A"]' in text


def test_an_optional_column_of_an_extra_source_may_map_to_nothing_too(tmp_path):
    # report_it is a FixMyStreet export added to contacts: its category is optional there.
    config = _folder(tmp_path, {}, '[datasets.report_it]\npath = "report_it.csv"\n'
                                   '[datasets.report_it.values.category]\n"-" = ""\n')
    assert config.datasets["report_it"].values == {"category": {"-": ""}}
    with pytest.raises(ConfigError, match="contact_id is required"):
        _folder(tmp_path, {}, '[datasets.report_it]\npath = "report_it.csv"\n'
                              '[datasets.report_it.values.contact_id]\n"-" = ""\n')


def test_stages_not_mapped_yet_are_not_called_repeated_across_files_either(tmp_path):
    # Two years' reports: HBC-CMP-220085 is at stage 1 in the first and at stage 2 in the second.
    config = _folder(tmp_path, {
        "Complaints Report 2022-23.csv": ("Case Reference,Stage,Date Received,Service Area\n"
                                          "HBC-CMP-220085,Stage 1 - Investigation,04/04/2022,Waste\n"),
        "Complaints Report 2023-24.csv": ("Case Reference,Stage,Date Received,Service Area\n"
                                          "HBC-CMP-220085,Stage 2 - Review,02/05/2023,Waste\n"
                                          "HBC-CMP-220090,1,06/04/2023,Parking\n")},
        COMPLAINTS_TOML.replace("Complaints Report 2022-2025.csv", "Complaints Report *.csv"))
    _, problems = check_all(config)
    # Only the two stage values: before, row 2 of the second file "repeats a value already in an earlier file".
    assert sorted(p.message for p in problems) == [
        "has 'Stage 1 - Investigation', which is not a stage (1 or 2)",
        "has 'Stage 2 - Review', which is not a stage (1 or 2)"]
    # Mapped, the two are one complaint at two stages: no problem at all.
    (tmp_path / "council.toml").write_text(TOML + COMPLAINTS_TOML.replace(
        "Complaints Report 2022-2025.csv", "Complaints Report *.csv") + STAGES_MAPPED, encoding="utf-8")
    assert check_all(load_config(tmp_path))[1] == []
