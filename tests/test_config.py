"""Tests of analysis.config.load_config against the data contract (docs/data-contract.md, "council.toml keys").

Every council.toml here is written into a temporary folder and read through
the real path. Line numbers in the expected messages are counted by hand from
the text of each file (line 1 is the first line of the string).
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap

import pytest

from analysis.config import DEFAULT_DIGITAL, Standard, load_config
from analysis.errors import ConfigError, WorkbookError


def write(folder, text: str, *, encoding: str = "utf-8"):
    (folder / "council.toml").write_text(textwrap.dedent(text), encoding=encoding)
    return folder


def load(folder, text: str):
    return load_config(write(folder, text))


def config_error(folder, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(folder, text)
    return info.value


# The contract's example (section 2), complete, with no comments on table headers.
FULL = """\
[council]
name = "Example Borough Council"
year_start_month = 4
sample = true

[calendar]
bank_holidays = "england-and-wales"
closure_days = ["2024-12-27"]

[standards.respond_within_working_days]
email = 5
letter = 10
online_form = 5
report_it = 10

[standards.acknowledge_within_working_days]
report_it = 1

[standards.phone]
answer_within_seconds = 20

[standards.complaints]
acknowledge_within_working_days = 5
stage1_respond_within_working_days = 10
stage2_respond_within_working_days = 20

[channels]
digital = ["email", "online_form", "report_it", "webchat", "social_media"]

[locations]
in_person = ["Council Offices", "Northbrook AIC", "Elmcleeve AIC", "Winsford AIC"]

[action_plan]
themes = ["Digital", "Access", "Complaints", "Staff", "Feedback", "Standards"]
[action_plan.status_labels]
achieved = ["Achieved", "Complete", "Completed"]
not_achieved = ["Not achieved", "Not complete"]
ongoing = ["Ongoing", "In progress"]
withdrawn = ["Withdrawn"]

[survey.questions.overall_satisfaction]
text = "Overall, how satisfied or dissatisfied are you with the way the council runs things?"
scale = ["Very satisfied", "Fairly satisfied", "Neither satisfied nor dissatisfied",
         "Fairly dissatisfied", "Very dissatisfied", "Don't know"]
positive = ["Very satisfied", "Fairly satisfied"]

[disclosure]
minimum_count = 5

[datasets.contacts]
path = "crm_export_*.csv"
columns = { "Case Ref" = "contact_id", "Date Logged" = "received_at" }
"""


# --- good files -----------------------------------------------------------------------------


def test_full_example_loads_with_right_values(tmp_path):
    config = load(tmp_path, FULL)
    assert config.folder == tmp_path
    assert config.name == "Example Borough Council"
    assert config.year_start_month == 4
    assert config.sample is True
    assert config.bank_holidays == "england-and-wales"
    assert config.closure_days == (dt.date(2024, 12, 27),)
    assert {ch: s.for_year(2023) for ch, s in config.respond_within.items()} == {
        "email": 5, "letter": 10, "online_form": 5, "report_it": 10}
    assert {ch: s.for_year(2023) for ch, s in config.acknowledge_within.items()} == {"report_it": 1}
    assert config.phone_answer_within_seconds == 20
    assert config.complaint_acknowledge_within == 5
    assert config.complaint_stage1_within == 10
    assert config.complaint_stage2_within == 20
    assert config.digital_channels == ("email", "online_form", "report_it", "webchat", "social_media")
    assert config.in_person_locations == ("Council Offices", "Northbrook AIC", "Elmcleeve AIC", "Winsford AIC")
    assert config.themes == ("Digital", "Access", "Complaints", "Staff", "Feedback", "Standards")
    assert config.status_labels == {
        "achieved": "achieved", "complete": "achieved", "completed": "achieved",
        "not achieved": "not_achieved", "not complete": "not_achieved",
        "ongoing": "ongoing", "in progress": "ongoing",
        "withdrawn": "withdrawn",
    }
    question = config.survey_questions["overall_satisfaction"]
    assert question.question_id == "overall_satisfaction"
    assert question.text.startswith("Overall, how satisfied")
    assert question.scale[0] == "Very satisfied" and question.scale[-1] == "Don't know" and len(question.scale) == 6
    assert question.positive == ("Very satisfied", "Fairly satisfied")
    assert config.minimum_count == 5
    assert config.datasets["contacts"].path == ("crm_export_*.csv",)
    assert config.datasets["contacts"].columns == {"Case Ref": "contact_id", "Date Logged": "received_at"}
    assert config.datasets["contacts"].sheet is None
    assert config.warnings == ()


def test_defaults_when_keys_are_absent(tmp_path):
    config = load(tmp_path, """\
        [council]
        name = "Minimal Council"
        """)
    assert config.name == "Minimal Council"
    assert config.year_start_month == 4
    assert config.sample is False
    assert config.bank_holidays == "england-and-wales"
    assert config.closure_days == ()
    assert config.respond_within == {} and config.acknowledge_within == {}
    assert config.phone_answer_within_seconds is None
    assert config.complaint_acknowledge_within is None
    assert config.complaint_stage1_within is None
    assert config.complaint_stage2_within is None
    assert config.digital_channels == tuple(DEFAULT_DIGITAL)
    assert config.in_person_locations == () and config.themes == ()
    assert config.status_labels["completed"] == "achieved"
    assert config.status_labels["in progress"] == "ongoing"
    assert config.status_labels["not complete"] == "not_achieved"
    assert config.status_labels["withdrawn"] == "withdrawn"
    assert config.survey_questions == {} and config.datasets == {}
    assert config.minimum_count == 5
    assert config.warnings == ()


def test_other_values_than_the_defaults(tmp_path):
    config = load(tmp_path, """\
        [council]
        name = "Northern Council"
        year_start_month = 7
        sample = false

        [calendar]
        bank_holidays = "scotland"
        closure_days = [2023-12-29, "2022-12-28"]

        [disclosure]
        minimum_count = 10

        [datasets.calls]
        path = ["calls_2022.xlsx", "calls_2023.xlsx"]
        sheet = "Calls"
        """)
    assert config.year_start_month == 7
    assert config.sample is False
    assert config.bank_holidays == "scotland"
    # a TOML date and a quoted date both work; kept in date order
    assert config.closure_days == (dt.date(2022, 12, 28), dt.date(2023, 12, 29))
    assert config.minimum_count == 10
    assert config.datasets["calls"].path == ("calls_2022.xlsx", "calls_2023.xlsx")
    assert config.datasets["calls"].sheet == "Calls"


def test_status_labels_are_mapped_case_insensitively(tmp_path):
    config = load(tmp_path, """\
        [council]
        name = "X"

        [action_plan.status_labels]
        achieved = ["DONE", " Delivered "]
        ongoing = ["In Progress", "on track"]
        """)
    labels = config.status_labels
    assert labels["done"] == "achieved"
    assert labels["delivered"] == "achieved"
    assert labels["in progress"] == "ongoing"
    assert labels["on track"] == "ongoing"
    # statuses not given keep their default labels; a given status replaces its defaults
    assert labels["not achieved"] == "not_achieved"
    assert labels["withdrawn"] == "withdrawn"
    assert "completed" not in labels
    assert all(key == key.strip().lower() for key in labels)


def test_the_same_label_under_two_statuses_is_an_error(tmp_path):
    error = config_error(tmp_path, """\
        [council]
        name = "X"

        [action_plan.status_labels]
        achieved = ["Done"]
        ongoing = ["DONE"]
        """)
    assert "action_plan.status_labels.ongoing" in str(error)
    assert "(line 6)" in str(error)
    assert "achieved" in str(error)


def test_standard_given_by_year(tmp_path):
    config = load(tmp_path, """\
        [council]
        name = "X"

        [standards.respond_within_working_days]
        email = { "2022/23" = 5, "2021/22" = 10 }
        letter = 10
        """)
    email = config.respond_within["email"]
    assert email.by_year == ((2021, 10), (2022, 5))
    assert email.for_year(2021) == 10  # 2021/22
    assert email.for_year(2022) == 5   # 2022/23
    assert email.for_year(2024) == 5   # still 5 later on
    assert email.for_year(2019) == 10  # before the first year given, the earliest applies
    assert email.changes is True
    letter = config.respond_within["letter"]
    assert letter.for_year(2000) == 10 and letter.for_year(2030) == 10
    assert letter.changes is False


def test_standard_for_year_unit():
    standard = Standard(((2020, 10), (2022, 5), (2024, 3)))
    assert [standard.for_year(y) for y in (2019, 2020, 2021, 2022, 2023, 2024, 2025)] == [10, 10, 10, 5, 5, 3, 3]
    assert Standard(()).for_year(2023) is None


def test_byte_order_mark_is_accepted(tmp_path):
    # Windows editors often save with a BOM.
    config = load_config(write(tmp_path, '[council]\nname = "BOM Council"\n', encoding="utf-8-sig"))
    assert config.name == "BOM Council"


# --- errors naming the key and its line -----------------------------------------------------


@pytest.mark.parametrize("text, key, line", [
    pytest.param("""\
        [council]
        name = "X"
        year_start_month = "April"
        """, "council.year_start_month", 3, id="year_start_month-text"),
    pytest.param("""\
        [council]
        name = "X"
        year_start_month = 13
        """, "council.year_start_month", 3, id="year_start_month-13"),
    pytest.param("""\
        [council]
        name = "X"
        sample = "yes"
        """, "council.sample", 3, id="sample-text"),
    pytest.param("""\
        [council]
        name = "X"

        [disclosure]
        minimum_count = 0
        """, "disclosure.minimum_count", 5, id="minimum_count-0"),
    pytest.param("""\
        [council]
        name = "X"

        [standards.respond_within_working_days]
        letter = 10
        email = "five"
        """, "standards.respond_within_working_days.email", 6, id="standard-text"),
    pytest.param("""\
        [council]
        name = "X"

        [standards.respond_within_working_days]
        email = -1
        """, "standards.respond_within_working_days.email", 5, id="standard-negative"),
    pytest.param("""\
        [council]
        name = "X"

        [standards.acknowledge_within_working_days]
        report_it = { "2022/24" = 1 }
        """, "standards.acknowledge_within_working_days.report_it", 5, id="standard-bad-year"),
    pytest.param("""\
        [council]
        name = "X"

        [standards.respond_within_working_days]
        email = { "2021/22" = 10, "2022/23" = "five" }
        """, "standards.respond_within_working_days.email", 5, id="standard-by-year-text"),
    pytest.param("""\
        [council]
        name = "X"

        [calendar]
        bank_holidays = "england-and-wales"
        closure_days = ["2024-12-27", "2024-13-01"]
        """, "calendar.closure_days", 6, id="closure-month-13"),
    pytest.param("""\
        [council]
        name = "X"

        [calendar]
        closure_days = ["27/12/2024"]
        """, "calendar.closure_days", 5, id="closure-day-first"),
    pytest.param("""\
        [council]
        name = "X"

        [calendar]
        closure_days = "2024-12-27"
        """, "calendar.closure_days", 5, id="closure-not-a-list"),
    pytest.param("""\
        [council]
        name = "X"

        [calendar]
        bank_holidays = "wales"
        """, "calendar.bank_holidays", 5, id="bank-holidays-unknown"),
    pytest.param("""\
        [council]
        name = 42
        """, "council.name", 2, id="name-number"),
    pytest.param("""\
        [council]
        name = "X"

        [channels]
        digital = ["email", "fax"]
        """, "channels.digital", 5, id="digital-unknown-channel"),
    pytest.param("""\
        [council]
        name = "X"

        [standards.phone]
        answer_within_seconds = "20"
        """, "standards.phone.answer_within_seconds", 5, id="phone-text"),
])
def test_wrong_value_names_key_and_line(tmp_path, text, key, line):
    error = config_error(tmp_path, text)
    message = str(error)
    assert f"[{key}] (line {line})" in message
    assert message.startswith("council.toml: ")
    assert len(message.splitlines()) == 1  # exactly this one problem
    assert type(error) is ConfigError and isinstance(error, WorkbookError)


def test_wrong_value_message_says_what_was_found(tmp_path):
    message = str(config_error(tmp_path, """\
        [council]
        name = "X"
        year_start_month = "April"
        """))
    assert "'April'" in message and "whole number" in message


def test_missing_name_is_an_error(tmp_path):
    message = str(config_error(tmp_path, """\
        [council]
        sample = true
        """))
    assert "[council.name]" in message
    assert "missing" in message


def test_missing_name_points_at_its_table(tmp_path):
    message = str(config_error(tmp_path, """\
        [calendar]
        bank_holidays = "england-and-wales"

        [council]
        sample = true
        """))
    assert "[council.name] (line 4)" in message


def test_missing_council_section_is_an_error(tmp_path):
    message = str(config_error(tmp_path, """\
        [calendar]
        bank_holidays = "england-and-wales"
        """))
    assert "[council]" in message and "missing" in message


def test_council_must_be_a_table(tmp_path):
    message = str(config_error(tmp_path, """\
        council = "Example"
        """))
    assert "[council] (line 1)" in message and "table" in message


def test_line_number_found_under_a_commented_table_header(tmp_path):
    message = str(config_error(tmp_path, """\
        [council]   # who we are
        name = "X"
        year_start_month = "April"

        [standards.respond_within_working_days]   # full response due by working day N
        email = "five"
        """))
    assert "[council.year_start_month] (line 3)" in message
    assert "[standards.respond_within_working_days.email] (line 6)" in message


def test_wrong_complaints_standard_is_an_error(tmp_path):
    error = config_error(tmp_path, """\
        [council]
        name = "X"

        [standards.complaints]
        acknowledge_within_working_days = 5
        stage1_respond_within_working_days = "ten"
        """)
    assert "[standards.complaints.stage1_respond_within_working_days] (line 6)" in str(error)


def test_several_problems_are_reported_together(tmp_path):
    error = config_error(tmp_path, """\
        [council]
        year_start_month = "April"
        sample = "yes"
        motto = "Serving you"

        [calendar]
        closure_days = ["2024-12-32"]

        [standards.respond_within_working_days]
        email = "five"

        [disclosure]
        minimum_count = 0
        """)
    lines = str(error).splitlines()
    assert len(lines) == 6
    expected = [
        "[council.name]",
        "[council.year_start_month] (line 2)",
        "[council.sample] (line 3)",
        "[calendar.closure_days] (line 7)",
        "[standards.respond_within_working_days.email] (line 10)",
        "[disclosure.minimum_count] (line 13)",
    ]
    for fragment in expected:
        assert sum(fragment in line for line in lines) == 1, fragment
    # the warning about the unknown key travels with the error
    assert any("[council.motto] (line 4)" in w for w in error.warnings)


# --- unknown keys warn but load -------------------------------------------------------------


def test_unknown_keys_and_sections_warn_but_load(tmp_path):
    config = load(tmp_path, """\
        [council]
        name = "X"
        motto = "Serving you"

        [extras]
        colour = "blue"

        [standards.respond_within_working_days]
        email = 5
        fax = 3

        [action_plan.status_labels]
        acheived = ["Done"]
        """)
    assert config.name == "X"
    assert set(config.respond_within) == {"email"}          # fax ignored
    assert "done" not in config.status_labels                 # the misspelt status is not used
    warnings = "\n".join(config.warnings)
    assert len(config.warnings) == 4
    assert "[council.motto] (line 3)" in warnings
    assert "[extras] (line 5)" in warnings
    assert "[standards.respond_within_working_days.fax] (line 10)" in warnings
    assert "[action_plan.status_labels.acheived] (line 13)" in warnings


def test_unknown_calendar_key_warns(tmp_path):
    config = load(tmp_path, """\
        [council]
        name = "X"

        [calendar]
        bank_holiday = "scotland"
        """)
    assert config.bank_holidays == "england-and-wales"  # the misspelt key is not used
    assert len(config.warnings) == 1
    assert "[calendar.bank_holiday] (line 5)" in config.warnings[0]
    assert "ignored" in config.warnings[0]


def test_unknown_dataset_and_survey_keys_warn(tmp_path):
    config = load(tmp_path, """\
        [council]
        name = "X"

        [datasets.contactz]
        path = "x.csv"

        [datasets.calls]
        path = "calls.csv"
        delimiter = ";"
        """)
    warnings = "\n".join(config.warnings)
    assert "[datasets.contactz] (line 4)" in warnings
    assert "[datasets.calls.delimiter] (line 9)" in warnings
    assert set(config.datasets) == {"calls"}


# --- missing or unreadable file -------------------------------------------------------------


def test_missing_council_toml(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert type(info.value) is ConfigError
    assert "council.toml is missing" in str(info.value)
    assert str(tmp_path) in str(info.value)


def test_missing_folder(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nowhere")
    assert type(info.value) is ConfigError
    assert "does not exist" in str(info.value)


@pytest.mark.parametrize("text", [
    '[council\nname = "X"\n',                 # unclosed bracket
    '[council]\nname = "X\n',                 # unclosed quote
    '[council]\nname = X\n',                  # text without quotes
    '[council]\nname = "X"\nname = "Y"\n',    # the same key twice
])
def test_invalid_toml_is_a_plain_config_error(tmp_path, text):
    (tmp_path / "council.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    error = info.value
    assert type(error) is ConfigError
    assert re.match(r"council\.toml is not valid TOML: .*line \d+", str(error))
    # no chained TOMLDecodeError for the command line to print
    assert error.__cause__ is None and error.__suppress_context__
