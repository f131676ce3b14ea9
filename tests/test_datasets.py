"""Loading datasets: formats, renames, parsing, and problems reported with the rows the user sees."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.config import load_config
from analysis.datasets import check_all, load_all, parse_booleans, parse_dates, parse_timestamps
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
    assert '[datasets.calls] columns = { "Your column" = "call_id" }' in message


def test_negative_wait_and_bad_year_label(tmp_path):
    config = _folder(tmp_path, {
        "calls.csv": "call_id,offered_at,answered,wait_seconds\n1,2023-04-03 09:00,y,-3\n2,2023-04-03 09:01,n,4\n",
        "manual_measures.csv": "measure_id,year,value,note\nx,2023-24,5,\n",
    })
    _, problems = check_all(config)
    text = "\n".join(str(p) for p in problems)
    assert "column 'wait_seconds': expected a number of at least 0" in text and "row 2" in text and "'-3'" in text
    assert "column 'year': expected a financial year written like 2023/24" in text and "'2023-24'" in text


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
