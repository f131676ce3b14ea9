"""No claim without data: where the council's exports do not record what a page section is counted from,
the section says so and claims nothing from it; the council's own word for its places; callbacks.

Each council here is small and made by hand (as Riverside in conftest.py), so every sentence expected
below can be checked by reading the rows above it. The page functions are called directly; one notebook
is run end to end through papermill and exported with the members' template (marked slow).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis import pages
from analysis.config import load_config
from analysis.datasets import Datasets
from analysis.present import scorecard_frame
from analysis.workbook import Workbook, prepare

BASE_TOML = """
[council]
name = "Ashby Vale District Council"
year_start_month = 4
sample = false

[calendar]
bank_holidays = "england-and-wales"

[standards.respond_within_working_days]
email = 5

[standards.phone]
answer_within_seconds = 20

[action_plan]
themes = ["Access", "Standards"]
[action_plan.status_labels]
achieved = ["Achieved"]
not_achieved = ["Not achieved", "Carried forward"]
ongoing = ["In progress", "Carried over"]
withdrawn = ["Withdrawn"]

[disclosure]
minimum_count = 5
"""

# One 2023/24 action, for councils whose test is about something else: the plan year makes 2023/24 a year
# with data, so prepare(..., year="2023/24") accepts it.
ONE_ACTION = "plan_year,action_id,theme,action,status\n2023/24,1,Access,Open a hub,Achieved\n"


def council(folder: Path, files: dict[str, str], toml: str = "") -> Path:
    """A data folder: BASE_TOML (plus ``toml``) and each file's text."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "council.toml").write_text(BASE_TOML + toml, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def words(fragment) -> str:
    """What a reader sees: the HTML's text with tags dropped, entities read and spaces squeezed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", str(fragment)))).strip()


def action_plan_page(wb) -> str:
    """Every section of the action plan page, as one text."""
    return " ".join(words(section(wb)) for section in (
        pages.action_plan_headline, pages.actions_by_theme, pages.actions_not_achieved_table,
        pages.completion_rate_table, pages.carried_more_than_once))


# --- the action plan: carried_from ---------------------------------------------------------------

# No Continues / carried_from column at all. 2023/24: action 1 achieved; 2 not achieved; 3 and 4 typed
# "Carried forward" (once in lower case with a stray space: the same label), which council.toml maps to
# not_achieved; 5 "Carried over", mapped to ongoing. 2024/25 is in the data, so it is not the missing next
# plan that stops the page saying where actions went: it is the missing column.
UNLINKED_PLAN = """plan_year,action_id,theme,action,status
2023/24,1,Access,Open a hub,Achieved
2023/24,2,Access,Review opening hours,Not achieved
2023/24,3,Standards,Publish standards,Carried forward
2023/24,4,Standards,Train staff,carried forward\x20
2023/24,5,Standards,Mystery shopping,Carried over
2024/25,1,Access,Review opening hours again,In progress
"""


@pytest.fixture(scope="module")
def unlinked(tmp_path_factory):
    return prepare(council(tmp_path_factory.mktemp("unlinked"), {"action_plan.csv": UNLINKED_PLAN}),
                   year="2023/24")


def test_the_loader_says_carried_from_is_not_recorded(unlinked):
    assert unlinked.data.recorded("action_plan")
    assert not unlinked.data.recorded("action_plan", "carried_from")


def test_without_carried_from_the_headline_counts_the_labels_and_says_what_is_not_recorded(unlinked):
    # 1 of 5 achieved = 20.0%; not achieved: 2, 3 and 4 (3 and 4 are "Carried forward", mapped to
    # not_achieved); ongoing: 5. Labels that say carried forward: "Carried forward" twice (3, "carried
    # forward " is the same label, shown as most often typed) and "Carried over" once (5).
    assert words(pages.action_plan_headline(unlinked)) == (
        "1 of the 5 actions in the 2023/24 action plan was achieved (20.0%). 3 were not achieved. "
        "1 is ongoing or withdrawn. 2 actions are marked 'Carried forward' and 1 'Carried over'; "
        "the plan does not record which later action continues each.")


def test_the_label_is_escaped(tmp_path):
    plan = ("plan_year,action_id,theme,action,status\n"
            "2023/24,1,Access,Open a hub,Carried <b>forward</b>\n")
    toml = BASE_TOML.replace('"Carried forward"]', '"Carried forward", "Carried <b>forward</b>"]')
    folder = council(tmp_path, {"action_plan.csv": plan})
    (folder / "council.toml").write_text(toml, encoding="utf-8")
    headline = str(pages.action_plan_headline(prepare(folder, year="2023/24")))
    assert "<b>" not in headline and "Carried &lt;b&gt;forward&lt;/b&gt;" in headline
    # one action: "continues it", not "each"
    assert words(headline).endswith("1 action is marked 'Carried <b>forward</b>'; the plan does not record "
                                    "which later action continues it.")


def test_without_carried_from_no_section_says_none_were_carried_forward(unlinked):
    text = action_plan_page(unlinked)
    for claim in ("none carried forward", "0 carried forward", "not carried forward", "none of them",
                  "No action has been carried forward"):
        assert claim.lower() not in text.lower(), claim
    missed = words(pages.actions_not_achieved_table(unlinked))
    assert missed.startswith("The action plan does not record which later action continues each action, so "
                             "where these actions went is not shown.")
    assert "Carried forward to" not in missed
    # The completion table's column: not recorded for both plan years (it would read "none" and "none").
    completion = words(pages.completion_rate_table(unlinked))
    assert "2023/24 5 1 20.0% not recorded" in completion and "none" not in completion
    assert words(pages.carried_more_than_once(unlinked)) == (
        "The action plan does not record which later action continues each action, so the actions carried "
        "forward more than once cannot be found.")


def test_a_headline_without_carried_from_or_carry_labels_does_not_guess(tmp_path):
    plan = ("plan_year,action_id,theme,action,status\n"
            "2023/24,1,Access,Open a hub,Achieved\n2023/24,2,Access,Review opening hours,Not achieved\n")
    wb = prepare(council(tmp_path, {"action_plan.csv": plan}), year="2023/24")
    assert words(pages.action_plan_headline(wb)) == (
        "1 of the 2 actions in the 2023/24 action plan was achieved (50.0%). 1 was not achieved; the plan does "
        "not record whether any was carried forward into a later plan.")


# carried_from recorded: 2023/24's action 1 continues 2022/23's action 1. 2023/24: 1 achieved, 2 and 3 not
# achieved, and no 2024/25 action continues either of them, so now the page may say none was carried forward.
# 2024/25: 1 new and achieved, 2 not achieved; there is no 2025/26 plan.
LINKED_PLAN = """plan_year,action_id,theme,action,status,carried_from
2022/23,1,Access,Open a hub desk,Not achieved,
2023/24,1,Access,Open a hub,Achieved,2022/23:1
2023/24,2,Access,Review opening hours,Not achieved,
2023/24,3,Standards,Publish standards,Not achieved,
2024/25,1,Access,Add webchat,Achieved,
2024/25,2,Standards,Train staff,Not achieved,
"""


@pytest.fixture(scope="module")
def linked_folder(tmp_path_factory):
    return council(tmp_path_factory.mktemp("linked"), {"action_plan.csv": LINKED_PLAN})


def test_with_carried_from_and_none_carried_it_says_none_were(linked_folder):
    wb = prepare(linked_folder, year="2023/24")
    assert wb.data.recorded("action_plan", "carried_from")
    # 1 of 3 achieved = 33.3%; 2 and 3 not achieved, and no 2024/25 action continues either.
    assert words(pages.action_plan_headline(wb)) == (
        "1 of the 3 actions in the 2023/24 action plan was achieved (33.3%). 2 were not achieved; none of them "
        "was carried forward into the 2024/25 plan.")
    missed = words(pages.actions_not_achieved_table(wb))
    assert missed.count("not carried forward") == 2 and "does not record" not in missed
    # 2022/23: 0 of 1 achieved, 1 carried forward (2023/24 action 1); 2023/24: none carried (the 2024/25 plan
    # is in the data).
    completion = words(pages.completion_rate_table(wb))
    assert "2022/23 1 0 0.0% 1" in completion and "2023/24 3 1 33.3% none" in completion
    # 2023/24 action 1 has been carried forward once, not more.
    assert words(pages.carried_more_than_once(wb)) == "No action has been carried forward more than once."


def test_a_carried_from_column_with_every_cell_empty_is_recorded(tmp_path):
    plan = ("plan_year,action_id,theme,action,status,carried_from\n"
            "2023/24,1,Access,Open a hub,Not achieved,\n2024/25,1,Access,Add webchat,Achieved,\n")
    wb = prepare(council(tmp_path, {"action_plan.csv": plan}), year="2023/24")
    assert wb.data.recorded("action_plan", "carried_from")
    assert words(pages.action_plan_headline(wb)).endswith(
        "1 was not achieved; none of them was carried forward into the 2024/25 plan.")


def test_without_the_next_years_plan_it_does_not_say_where_actions_went(linked_folder):
    wb = prepare(linked_folder, year="2024/25")
    # 1 of 2 achieved; action 2 not achieved, and 2025/26's plan is not in the data yet.
    assert words(pages.action_plan_headline(wb)) == (
        "1 of the 2 actions in the 2024/25 action plan was achieved (50.0%). 1 was not achieved.")
    missed = words(pages.actions_not_achieved_table(wb))
    assert missed.startswith("The 2025/26 plan is not in the data yet, so where these actions went is not known.")
    assert "not carried forward" not in missed
    assert "2024/25 2 1 50.0% next plan not in the data" in words(pages.completion_rate_table(wb))


# --- the Citizens' Panel ------------------------------------------------------------------------------

POPULATION = "dimension,category,count\nage_band,16-24,100\nage_band,65-74,100\nsex,Female,100\nsex,Male,100\n"


def test_without_a_panel_there_is_no_representation_claim(tmp_path):
    wb = prepare(council(tmp_path, {"action_plan.csv": ONE_ACTION, "population.csv": POPULATION}), year="2023/24")
    assert not wb.data.recorded("panel")
    sentence = words(pages.panel_under_represented_sentence(wb))
    assert sentence == ("The data for this report has no Citizens' Panel membership, so it cannot be said whether any group "
                        "of residents is under-represented on the panel.")
    assert "no group" not in sentence.lower()
    # The table under that sentence adds nothing: saying it twice is noise.
    assert words(pages.panel_representation_table(wb)) == ""


def test_without_population_figures_there_is_no_representation_claim(tmp_path):
    panel = "member_id,joined_on,age_band,sex\nM1,2020-01-01,16-24,Female\n"
    wb = prepare(council(tmp_path, {"action_plan.csv": ONE_ACTION, "panel.csv": panel}), year="2023/24")
    assert words(pages.panel_under_represented_sentence(wb)) == (
        "The data for this report has no population figures, so it cannot be said whether any group of residents is "
        "under-represented on the panel.")


def test_a_panel_without_ages_or_sex_is_not_called_representative(tmp_path):
    panel = "member_id,joined_on\nM1,2020-01-01\nM2,2021-06-01\n"
    wb = prepare(council(tmp_path, {"action_plan.csv": ONE_ACTION, "panel.csv": panel,
                                    "population.csv": POPULATION}), year="2023/24")
    assert words(pages.panel_under_represented_sentence(wb)) == (
        "The Citizens' Panel data does not record members' ages, so the panel is not compared with residents by "
        "age. The Citizens' Panel data does not record members' sex, so the panel is not compared with residents "
        "by sex.")


def test_none_under_represented_is_said_only_of_what_was_compared(tmp_path):
    # Two members on 31 March 2024, one aged 16-24 and one 65-74; residents 100 and 100: each group is half
    # the panel and half the residents, a representation of 1.00. Sex is not in the panel export.
    panel = "member_id,joined_on,age_band\nM1,2020-01-01,16-24\nM2,2021-06-01,65-74\n"
    wb = prepare(council(tmp_path, {"action_plan.csv": ONE_ACTION, "panel.csv": panel,
                                    "population.csv": POPULATION}), year="2023/24")
    assert words(pages.panel_under_represented_sentence(wb)) == (
        "By age, no group of residents is markedly under-represented on the panel (none below 0.8). The "
        "Citizens' Panel data does not record members' sex, so the panel is not compared with residents by sex.")
    table = words(pages.panel_representation_table(wb))
    assert "Aged 16 to 24" in table and "Female" not in table and "Male" not in table


# --- contacts: location, the council's word for its places, first-contact resolution, responses ----------

PLACES_TOML = """
[locations]
in_person = ["Town Hall", "Riverside Hub"]
name = "Customer Service Points"
"""
# 2023/24: six visits to the Town Hall (council tax x4, parking x2), five to the Riverside Hub (all council
# tax), and two emails; the emails were answered within 5 working days (Tue 2 May -> Wed 3 May, day 1).
VISITS = (["T%d,2023-05-0%d 10:00,in_person,Revenues,Council tax,Town Hall" % (i, i + 1) for i in range(1, 5)]
          + ["T%d,2023-06-0%d 10:00,in_person,Parking,Parking permit,Town Hall" % (i, i) for i in (5, 6)]
          + ["R%d,2023-07-0%d 10:00,in_person,Revenues,Council tax,Riverside Hub" % (i, i + 2) for i in range(1, 6)])
CONTACTS_WITH_PLACES = ("contact_id,received_at,channel,service,category,location,responded_at\n"
                        + "".join(f"{v},\n" for v in VISITS)
                        + "E1,2023-05-02 09:00,email,Waste,,,2023-05-03 09:00\n"
                        + "E2,2023-05-02 09:30,email,Waste,,,2023-05-03 09:00\n")
# The same contacts from an export with only the required columns: no category, location, responded_at,
# acknowledged_at or resolved_first_contact.
CONTACTS_BARE = "contact_id,received_at,channel,service\n" + "".join(
    ",".join(line.split(",")[:4]) + "\n" for line in CONTACTS_WITH_PLACES.splitlines()[1:])


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    return prepare(council(tmp_path_factory.mktemp("places"), {"contacts.csv": CONTACTS_WITH_PLACES}, PLACES_TOML),
                   year="2023/24")


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    return prepare(council(tmp_path_factory.mktemp("bare"), {"contacts.csv": CONTACTS_BARE}, PLACES_TOML),
                   year="2023/24")


def test_the_councils_word_for_its_places_is_used(places):
    assert places.config.locations_name == "Customer Service Points"
    assert words(pages.in_person_intro(places)) == (
        "Visits to the Customer Service Points, year by year, and what people came in for this year.")
    by_place = words(pages.in_person_by_location(places))
    # Town Hall 6 and Riverside Hub 5 visits: both at least 5, so both shown.
    assert by_place.startswith("Customer Service Points: visits by place and year")
    assert "Town Hall 6" in by_place and "Riverside Hub 5" in by_place
    purposes = words(pages.in_person_purposes(places))
    assert purposes.startswith("The three most common purposes of visits at each of the Customer Service Points, "
                               "2023/24")
    # Riverside Hub: council tax 5 of 5 = 100.0%; Town Hall: council tax 4 (fewer than 5), parking 2.
    assert "Riverside Hub Council tax 5 100.0%" in purposes
    for hard_coded in ("Advice and Information", "in-person places", "In-person places"):
        assert hard_coded not in by_place + purposes + words(pages.in_person_intro(places))


def test_the_default_word_starts_a_caption_with_a_capital(tmp_path):
    toml = '\n[locations]\nin_person = ["Town Hall", "Riverside Hub"]\n'
    wb = prepare(council(tmp_path, {"contacts.csv": CONTACTS_WITH_PLACES}, toml), year="2023/24")
    assert wb.config.locations_name == "in-person places"
    assert words(pages.in_person_by_location(wb)).startswith("In-person places: visits by place and year")
    assert words(pages.in_person_intro(wb)).startswith("Visits to the in-person places, year by year")


def test_without_location_visits_by_place_are_not_recorded(bare):
    assert not bare.data.recorded("contacts", "location")
    assert words(pages.in_person_by_location(bare)) == (
        "The contacts data does not record where each in-person visit was made, so visits to the Customer "
        "Service Points are not shown place by place.")
    assert str(pages.in_person_purposes(bare)) == ""  # the section above has said it once


def test_without_a_category_the_purposes_of_visits_are_not_recorded(tmp_path):
    contacts = "\n".join(",".join(c for j, c in enumerate(line.split(",")) if j != 4)
                         for line in CONTACTS_WITH_PLACES.splitlines()) + "\n"
    wb = prepare(council(tmp_path, {"contacts.csv": contacts}, PLACES_TOML), year="2023/24")
    assert words(pages.in_person_purposes(wb)) == (
        "The contacts data does not record what each contact was about, so what people came to the Customer "
        "Service Points for is not shown.")


def test_without_resolved_first_contact_it_is_not_recorded(bare):
    assert words(pages.channel_table(bare, "first_contact_resolution", "Resolved at first contact")) == (
        "The contacts data does not record whether a contact was resolved at the first contact, so this is not "
        "shown.")
    # No acknowledgement standard in council.toml: that is the reason given, not the missing column.
    assert words(pages.channel_table(bare, "acknowledgements_within_standard", "Acknowledgements")) == (
        "The council has set no acknowledgement standard for the channels in the data, so acknowledgements are not "
        "measured.")


def test_without_response_dates_no_response_rate_is_claimed(bare, places):
    # Counted from an empty column, both emails would be "outside the standard": 0.0%. measures.csv leaves it
    # empty instead: the data does not say.
    assert pd.isna(bare.value("responses_within_standard")["value"])
    reason = "The contacts data does not record when each contact had its full response"
    assert words(pages.channel_table(bare, "responses_within_standard", "Responses")) == (
        f"{reason}, so this is not shown.")
    assert str(pages.responses_chart(bare)) == ""  # the table just after it says so, once
    assert str(pages.not_yet_due_note(bare)) == ""
    assert words(pages.monthly_chart(bare, "responses_within_standard", "Responses within the standard")) == (
        f"{reason}, so there is no monthly chart of responses within the standard.")
    assert "0.0%" not in words(pages.digital_and_non_digital(bare))
    line = scorecard_frame(bare).set_index("measure_id").loc["responses_within_standard"]
    # The folder has no measures register, so the measure has no target: its status is "no target".
    assert (line["2023/24"], line["Status"], line["Change on the year before"]) == ("not recorded", "no target", "")
    # With the dates: E1 and E2, received Tue 2 May, answered Wed 3 May (working day 1 of 5): 2 of 2.
    assert places.value("responses_within_standard")["value"] == 100
    assert "not recorded" not in words(pages.channel_table(places, "responses_within_standard", "Responses"))


# --- callbacks ------------------------------------------------------------------------------------

def _phone_workbook(tmp_path, callbacks: int | None) -> Workbook:
    """A workbook holding only phone measure rows, made by hand. 2024/25: 1,000 calls offered, 80 abandoned
    (8.0%), ``callbacks`` ended in a callback (None: the export does not record callbacks), and the rest
    answered, 700 of them within 20 seconds."""
    config = load_config(council(tmp_path, {}))
    answered = 1000 - 80 - (callbacks or 0)
    rows = [("calls_abandoned", 8.0, 80, 1000, "percent"),
            ("calls_answered_within_standard", 100 * 700 / answered, 700, answered, "percent"),
            ("average_speed_of_answer", 24.0, None, None, "seconds")]
    if callbacks is not None:
        rows.append(("calls_callback", 100 * callbacks / 1000, callbacks, 1000, "percent"))
    measures = pd.DataFrame([{"year": "2024/25", "measure_id": m, "breakdown": "", "value": v, "numerator": n,
                              "denominator": d, "unit": u} for m, v, n, d, u in rows])
    return Workbook(config, Datasets(config), "2024/25", ["2024/25"], {}, measures)


def test_callbacks_are_said_to_be_neither_answered_nor_abandoned(tmp_path):
    # 42 callbacks of 1,000 calls offered = 4.2%; answered 1,000 - 80 - 42 = 878.
    wb = _phone_workbook(tmp_path, 42)
    assert words(pages.phone_callbacks_note(wb)) == (
        "42 calls (4.2% of those offered) ended in a callback in 2024/25: they are counted neither as answered "
        "nor as abandoned, so the abandoned rate is of all calls offered and the answered-within-20-seconds rate "
        "is of answered calls.")
    # 700 of 878 answered within 20 seconds = 79.7%.
    assert "2024/25 1,000 79.7% 8.0% 42 (4.2%) 24 seconds" in words(pages.phone_table(wb))


def test_a_few_callbacks_are_not_shown_nor_their_share(tmp_path):
    # 3 of 1,000 is 0.3%: with 1,000 offered shown beside it, the share would give the 3 back.
    wb = _phone_workbook(tmp_path, 3)
    note = words(pages.phone_callbacks_note(wb))
    assert note.startswith("Fewer than 5 calls ended in a callback in 2024/25: they are counted neither")
    assert "0.3" not in note and "0.3" not in words(pages.phone_table(wb))


def test_without_callbacks_nothing_is_said_of_them(tmp_path):
    wb = _phone_workbook(tmp_path, None)
    assert str(pages.phone_callbacks_note(wb)) == ""
    assert "callback" not in words(pages.phone_table(wb)).lower()


def test_callbacks_counted_from_a_calls_export(tmp_path):
    """From the records: 13 calls offered on 1 June 2023, 6 answered (waits 10, 15, 20, 25, 30 and 40 seconds:
    3 within 20), 2 abandoned and 5 callbacks. Callbacks 5 / 13 = 38.5%; abandoned 2 / 13 = 15.4%;
    answered within 20 seconds 3 / 6 = 50.0%."""
    outcomes = [("answered", w) for w in (10, 15, 20, 25, 30, 40)] + [("abandoned", 50)] * 2 + [("callback", 60)] * 5
    calls = "call_id,offered_at,outcome,wait_seconds\n" + "".join(
        f"C{i},2023-06-01 09:{i:02d},{o},{w}\n" for i, (o, w) in enumerate(outcomes))
    wb = prepare(council(tmp_path, {"calls.csv": calls}), year="2023/24")
    assert words(pages.phone_callbacks_note(wb)) == (
        "5 calls (38.5% of those offered) ended in a callback in 2023/24: they are counted neither as answered nor "
        "as abandoned, so the abandoned rate is of all calls offered and the answered-within-20-seconds rate is of "
        "answered calls.")
    # 2 abandoned of the 13 offered: 15.4% beside the 13 would give the 2 back, so it is too few to report.
    assert "2023/24 13 50.0% too few to report 5 (38.5%)" in words(pages.phone_table(wb))


# --- end to end ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_action_plan_page_without_carried_from_end_to_end(tmp_path, monkeypatch):
    """The real notebook through papermill and the members' template, on the plan with no carried_from."""
    from analysis.publish import page_context
    from analysis.workbook import REPO_DIR, execute_and_export, kernel_name

    folder = council(tmp_path / "data", {"action_plan.csv": UNLINKED_PLAN})
    monkeypatch.setenv("PYTHONPATH", str(REPO_DIR))  # the kernel imports this checkout of the package
    wb = prepare(folder, year="2023/24")
    notebook = REPO_DIR / "notebooks" / "01-action-plan.ipynb"
    page = {**page_context(wb, [{"stem": notebook.stem, "title": "Progress on the action plan",
                                  "href": f"{notebook.stem}.html"}]), "current": notebook.stem}
    executed, out = tmp_path / notebook.name, tmp_path / f"{notebook.stem}.html"
    _, failure = execute_and_export(str(notebook), str(executed), str(out),
                                    {"data_dir": str(folder), "year": "2023/24", "as_at": "", "output_dir": "",
                                     "prepared": ""}, kernel_name(), page)
    assert failure is None, failure
    text = words(re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", out.read_text(encoding="utf-8"), flags=re.S))
    assert ("2 actions are marked 'Carried forward' and 1 'Carried over'; the plan does not record which later "
            "action continues each.") in text
    assert "so where these actions went is not shown" in text
    for claim in ("none carried forward", "0 carried forward", "not carried forward", "none of them"):
        assert claim not in text.lower(), claim


# --- complaints and panel invitations -----------------------------------------------------------------

# Two stage 1 complaints in 2023/24 with no acknowledged_at and no outcome column. The standards are 5 days
# to acknowledge and 10 to answer; K1 (Mon 4 Sep, answered Mon 11 Sep: day 5) and K2 (Mon 4 Sep, answered
# Tue 26 Sep: day 16) are timed from receipt, as there is no acknowledgement to time them from.
COMPLAINTS_TOML = """
[standards.complaints]
acknowledge_within_working_days = 5
stage1_respond_within_working_days = 10
stage2_respond_within_working_days = 20
"""
COMPLAINTS = ("complaint_id,stage,received_at,service,responded_at\n"
              "K1,1,2023-09-04 10:00,Waste,2023-09-11 09:00\nK2,1,2023-09-04 11:00,Waste,2023-09-26 09:00\n")


def test_complaints_without_acknowledgements_or_outcomes(tmp_path):
    wb = prepare(council(tmp_path, {"complaints.csv": COMPLAINTS}, COMPLAINTS_TOML), year="2023/24")
    # No "upheld" sentence (every complaint would be undecided) and none about acknowledgements.
    assert words(pages.complaints_headline(wb)).startswith(
        "The council received fewer than 5 formal complaints in 2023/24")
    assert "upheld" not in words(pages.complaints_headline(wb))
    assert words(pages.complaints_upheld_table(wb)) == (
        "The complaints data does not record whether each complaint was upheld, so this is not shown.")
    assert words(pages.complaints_acknowledged(wb)) == (
        "The complaints data does not record when each complaint was acknowledged, so this is not shown.")
    assert words(pages.complaints_responded(wb)).startswith(
        "The complaints data does not record when each complaint was acknowledged, so each answer is timed from "
        "the day the complaint was received.")


def test_invitations_without_opened_dates_are_not_called_unopened(tmp_path):
    # Ten invited to c1 on 1 June 2023, six completed; no opened_on column, so "opened: none" would be false.
    invitations = "consultation_id,member_id,invited_on,completed_on\n" + "".join(
        f"c1,M{i},2023-06-01,{'2023-06-03' if i < 6 else ''}\n" for i in range(10))
    panel = "member_id,joined_on\n" + "".join(f"M{i},2020-01-01\n" for i in range(10))
    wb = prepare(council(tmp_path, {"action_plan.csv": ONE_ACTION, "panel.csv": panel,
                                    "panel_invitations.csv": invitations}), year="2023/24")
    funnel = words(pages.consultation_funnel(wb))
    assert funnel.startswith("The Citizens' Panel invitation data does not record who opened an invitation, so "
                             "how many opened each invitation is not shown.")
    # C1: invited 10, opened not recorded, completed 6, 6 of 10 = 60.0% of invited; of those who opened: not
    # recorded either.
    assert "C1 10 not recorded 6 not recorded 60.0% not recorded" in funnel
