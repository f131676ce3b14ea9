"""Honest pages: against the baseline as well as the year before, like for like across channels, and the
action plan's history.

Every council here is made by hand, so each expected sentence can be checked against the rows above it.
Significance is worked out by the rule of analysis/compare.py (section "Honest comparisons" of the data
contract); with no monthly series the dispersion is 1 and, with expected counts of hundreds, the test is the
pooled two-proportion z-test, worked by hand beside each case.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis import pages
from analysis.compare import add_comparisons
from analysis.config import load_config
from analysis.datasets import load_all
from analysis.present import headline_summary, scorecard_frame, standard_changes
from analysis.publish import page_context, write_index
from analysis.workbook import Workbook, prepare

YEARS = ["2021/22", "2022/23", "2023/24", "2024/25"]
SINCE = "Since 2021/22 when the strategy began"

TOML = """
[council]
name = "Ashby Vale District Council"
sample = false

[strategy]
baseline_year = "2021/22"

[standards.respond_within_working_days]
email = { "2021/22" = 10, "2022/23" = 5 }
letter = 10

[standards.phone]
answer_within_seconds = 20

[channels]
digital = ["email"]

[action_plan.status_labels]
achieved = ["Achieved"]
not_achieved = ["Not achieved"]
ongoing = ["In progress"]
withdrawn = ["Withdrawn"]

[disclosure]
minimum_count = 5
"""

REGISTER = """measure_id,name,unit,polarity,target
calls_answered_within_standard,Calls answered within 20 seconds,percent,higher_is_better,80
calls_abandoned,Calls abandoned,percent,lower_is_better,8
digital_share,Contacts made digitally,percent,higher_is_better,
responses_within_standard,Responses within the standards,percent,higher_is_better,90
survey_positive,Positive answers,percent,higher_is_better,
"""


def words(fragment) -> str:
    """What a reader sees: the HTML's text with tags dropped, entities read and spaces squeezed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", str(fragment)))).strip()


def rate(year, measure_id, numerator, denominator, breakdown=""):
    return {"year": year, "measure_id": measure_id, "breakdown": breakdown, "value": 100 * numerator / denominator,
            "numerator": float(numerator), "denominator": float(denominator), "unit": "percent"}


# Calls answered within 20 seconds, of 10,000 answered calls each year: 77.6% when the strategy began, a bad
# 2023/24 (69.5%) and a recovery to 76.1% in 2024/25.
#  - on the year before: pooled (7,610 + 6,950) / 20,000 = 0.728; SE = sqrt(0.728 x 0.272 x 2/10,000) = 0.0062931;
#    z = (0.761 - 0.695) / 0.0062931 = 10.49: significant, better.
#  - on 2021/22: pooled (7,610 + 7,760) / 20,000 = 0.7685; SE = sqrt(0.7685 x 0.2315 x 2/10,000) = 0.0059650;
#    z = (0.761 - 0.776) / 0.0059650 = -2.515, p = erfc(2.515 / sqrt 2) = 0.0119 < 0.05: significant, worse.
# Calls abandoned (lower is better), of 10,000 offered: 7.0%, 9.0%, 11.7%, 7.2%.
#  - on the year before: pooled 0.0945, SE = 0.0041369, z = (0.072 - 0.117) / 0.0041369 = -10.88: better.
#  - on 2021/22: pooled 0.071, SE = 0.0036321, z = 0.002 / 0.0036321 = 0.551, p = 0.582: no significant change.
# Contacts made digitally (target to be agreed): 51.0% in 2021/22, 65.0% in 2024/25.
# Responses within the standards: 2021/22 measured email against 10 working days, 2024/25 against 5: significant
# by the numbers (80.0% -> 90.0% of 10,000), but not like for like, so never better or worse.
ROWS = [
    rate("2021/22", "calls_answered_within_standard", 7760, 10000),
    rate("2022/23", "calls_answered_within_standard", 7830, 10000),
    rate("2023/24", "calls_answered_within_standard", 6950, 10000),
    rate("2024/25", "calls_answered_within_standard", 7610, 10000),
    rate("2021/22", "calls_abandoned", 700, 10000),
    rate("2022/23", "calls_abandoned", 900, 10000),
    rate("2023/24", "calls_abandoned", 1170, 10000),
    rate("2024/25", "calls_abandoned", 720, 10000),
    rate("2021/22", "digital_share", 5100, 10000),
    rate("2023/24", "digital_share", 6000, 10000),
    rate("2024/25", "digital_share", 6500, 10000),
    rate("2021/22", "responses_within_standard", 8000, 10000),
    rate("2023/24", "responses_within_standard", 8900, 10000),
    rate("2024/25", "responses_within_standard", 9000, 10000),
    # A survey question first asked in 2023/24: no 2021/22 figure to set a baseline from.
    rate("2023/24", "survey_positive", 300, 600, "question_id=new_question"),
    rate("2024/25", "survey_positive", 330, 600, "question_id=new_question"),
]


@pytest.fixture(scope="module")
def card_workbook(tmp_path_factory) -> Workbook:
    """A workbook over the hand-made rows above, compared as measures.csv compares them."""
    folder = tmp_path_factory.mktemp("baseline")
    (folder / "council.toml").write_text(TOML, encoding="utf-8")
    (folder / "measures.csv").write_text(REGISTER, encoding="utf-8")
    # Contacts with response dates, so the responses measure is recorded (its figures are the rows above).
    (folder / "contacts.csv").write_text("contact_id,received_at,channel,service,responded_at\n"
                                         "E1,2024-05-07 09:00,email,Waste,2024-05-08 09:00\n", encoding="utf-8")
    config = load_config(folder)
    data = load_all(config)
    measures = add_comparisons(pd.DataFrame(ROWS), data.get("measures"), config.baseline_year)
    return Workbook(config, data, "2024/25", YEARS, {}, measures)


def test_the_hand_worked_significance_is_what_the_rows_carry(card_workbook):
    rows = card_workbook.measures.set_index(["year", "measure_id", "breakdown"])
    calls = rows.loc[("2024/25", "calls_answered_within_standard", "")]
    assert calls["significant"] == True and calls["significant_since_baseline"] == True  # noqa: E712
    assert calls["baseline_value"] == pytest.approx(77.6) and calls["change_since_baseline"] == pytest.approx(-1.5)
    abandoned = rows.loc[("2024/25", "calls_abandoned", "")]
    assert abandoned["significant"] == True and abandoned["significant_since_baseline"] == False  # noqa: E712


def test_better_than_last_year_but_worse_than_the_baseline_says_both(card_workbook):
    card = scorecard_frame(card_workbook).set_index("measure_id")
    calls = card.loc["calls_answered_within_standard"]
    assert calls["2024/25"] == "76.1%"
    assert calls["Change on the year before"] == "improved: up 6.6 points from 69.5%"
    assert calls[SINCE] == "worse: down 1.5 points from 77.6%"
    # Better than the year before, and no different from where the strategy began: never "worse".
    abandoned = card.loc["calls_abandoned"]
    assert abandoned["Change on the year before"] == "improved: down 4.5 points from 11.7%"
    assert abandoned[SINCE] == "no significant change (up 0.2 points from 7.0%)"
    summary = dict(headline_summary(card_workbook))
    assert summary["Significantly better than the year before (4):"] == [
        # 90.0% on 89.0% of 10,000: pooled 0.895, SE = sqrt(0.895 x 0.105 x 2/10,000) = 0.0043353, z = 2.31,
        # p = 0.021: better; since 2021/22 the email standard changed, so that comparison is not made.
        "Responses within the standards: 90.0% in 2024/25, better than 89.0% in 2023/24; not compared with "
        "2021/22, as the email standard changed from 10 to 5 working days",
        "Calls answered within 20 seconds: 76.1% in 2024/25, better than 69.5% in 2023/24 but still worse than "
        "77.6% in 2021/22 when the strategy began",
        "Calls abandoned: 7.2% in 2024/25, better than 11.7% in 2023/24; no significant change from 7.0% in "
        "2021/22 when the strategy began",
        # 65.0% on 60.0% (pooled 0.625, z = 0.05 / 0.0068465 = 7.30) and on 51.0% (z = 20.0): better on both.
        "Contacts made digitally: 65.0% in 2024/25, better than 60.0% in 2023/24 and than 51.0% in 2021/22 when "
        "the strategy began",
    ]


def test_the_index_lists_what_is_worse_than_the_baseline(card_workbook, tmp_path):
    summary = dict(headline_summary(card_workbook))
    assert summary["Significantly worse than in 2021/22 when the strategy began (1):"] == [
        "Calls answered within 20 seconds: 76.1% in 2024/25, worse than 77.6% in 2021/22 when the strategy began, "
        "though better than 69.5% in 2023/24"]
    assert summary["Significantly better than in 2021/22 when the strategy began (1):"] == [
        "Contacts made digitally: 65.0% in 2024/25, better than 51.0% in 2021/22 when the strategy began and than "
        "60.0% in 2023/24"]
    # The email standard was 10 working days in 2021/22 and 5 in 2024/25: 80.0% -> 90.0% is not like for like.
    assert summary["Not compared with 2021/22, because a standard changed since then (1):"] == [
        "Responses within the standards: the email standard changed from 10 to 5 working days"]
    card = scorecard_frame(card_workbook).set_index("measure_id")
    assert card.loc["responses_within_standard", SINCE] == (
        "not like for like: the email standard changed from 10 to 5 working days")
    assert card.loc["responses_within_standard", "Change on the year before"] == "improved: up 1.0 points from 89.0%"
    # The entry page as members read it.
    index = tmp_path / "index.html"
    write_index(card_workbook, [], index, page_context(card_workbook, []))
    text = words(index.read_text(encoding="utf-8"))
    assert ("Significantly worse than in 2021/22 when the strategy began (1): Calls answered within 20 seconds: "
            "76.1% in 2024/25, worse than 77.6% in 2021/22 when the strategy began, though better than 69.5% in "
            "2023/24") in text
    assert "Each measure against its target, the year before and the year the strategy began." in text


def test_nothing_worse_than_the_baseline_is_said_plainly(card_workbook):
    better = card_workbook.measures.copy()
    better.loc[better["measure_id"] == "calls_answered_within_standard", "significant_since_baseline"] = False
    wb = Workbook(card_workbook.config, card_workbook.data, "2024/25", YEARS, {}, better)
    sentences = [sentence for sentence, _ in headline_summary(wb)]
    assert "No measure that can be tested is significantly worse than in 2021/22 when the strategy began." in sentences
    assert not any(s.startswith("Significantly worse than in 2021/22") for s in sentences)


def test_a_target_to_be_agreed_shows_the_baseline_figure(card_workbook):
    card = scorecard_frame(card_workbook).set_index("measure_id")
    assert card.loc["digital_share", "Target"] == "to be agreed (baseline 51.0% in 2021/22; 65.0% in 2024/25)"
    assert card.loc["digital_share", "Status"] == "to be agreed"
    # 330 of 600 = 55.0% in 2024/25; the question was not asked in 2021/22.
    survey = card.loc["survey_positive"]
    assert survey["Target"] == "to be agreed (no 2021/22 figure to set a baseline from; 55.0% in 2024/25)"
    assert survey[SINCE] == "no 2021/22 figure"


def test_the_year_after_the_baseline_has_no_second_column(card_workbook):
    """In 2022/23 the year before is the baseline year: one comparison, named as both."""
    rows = card_workbook.measures[card_workbook.measures["year"] <= "2022/23"]
    wb = Workbook(card_workbook.config, card_workbook.data, "2022/23", YEARS[:2], {}, rows)
    card = scorecard_frame(wb)
    assert not any(c.startswith("Since ") for c in card.columns)
    # 78.3% of 10,000 on 77.6%: pooled 0.7795, SE = 0.0058628, z = 1.19: no significant change.
    line = card.set_index("measure_id").loc["calls_answered_within_standard"]
    assert line["Change on the year before"] == "no significant change (up 0.7 points from 77.6%)"
    # 9.0% on 7.0%: pooled 0.08, SE = 0.0038367, z = 5.21: worse, and 2021/22 is the year the strategy began.
    assert dict(headline_summary(wb))[
        "Significantly worse than 2021/22, the year before and the year the strategy began (1):"] == [
        "Calls abandoned: 9.0% in 2022/23, worse than 7.0% in 2021/22"]


def test_standard_changes_since_the_baseline_follow_the_breakdown(card_workbook):
    config = card_workbook.config
    change = ["the email standard changed from 10 to 5 working days"]
    assert standard_changes(config, "responses_within_standard", "", "2024/25", since="2021/22") == change
    assert standard_changes(config, "responses_within_standard", "", "2024/25") == []  # 2023/24 had 5 too
    assert standard_changes(config, "responses_within_standard", "channel=letter", "2024/25", since="2021/22") == []
    assert standard_changes(config, "responses_within_standard", "channel_group=digital", "2024/25",
                            since="2021/22") == change
    assert standard_changes(config, "responses_within_standard", "channel_group=non-digital", "2024/25",
                            since="2021/22") == []
    assert standard_changes(config, "responses_within_standard", "", "2024/25", since="2022/23") == []
    assert standard_changes(config, "calls_abandoned", "", "2024/25", since="2021/22") == []


# --- like for like: the channels ---------------------------------------------------------------

# 2024/25, received on Tuesday 7 May 2024 (day 0). Letters, standard 10 working days: L1-L4 answered on 9 May
# (day 2, within), L5 on 31 May (day 17: 28 May.. past day 10, 21 May): 4 of 5 = 80.0%. Emails, standard 5
# (from 2022/23): E1-E5 all answered on 8 May (day 1): 5 of 5 = 100.0%. Phone contacts logged in the CRM:
# P1-P6 (6). Visits: V1-V5 (5). 21 contacts in the CRM, 5 digital: 23.8%.
CONTACTS = "contact_id,received_at,channel,service,responded_at\n" + "".join(
    [f"L{i},2024-05-07 09:00,letter,Waste,2024-05-09 10:00\n" for i in range(1, 5)]
    + ["L5,2024-05-07 09:00,letter,Waste,2024-05-31 10:00\n"]
    + [f"E{i},2024-05-07 09:00,email,Waste,2024-05-08 10:00\n" for i in range(1, 6)]
    + [f"P{i},2024-05-07 09:00,phone,Waste,\n" for i in range(1, 7)]
    + [f"V{i},2024-05-07 09:00,in_person,Waste,\n" for i in range(1, 6)])
# 20 calls offered on the phone system: C1-C12 answered within 20 seconds, C13-C16 answered after 40 seconds,
# C17-C20 abandoned. Answered within 20 seconds: 12 of the 16 answered = 75.0%.
CALLS = "call_id,offered_at,answered,wait_seconds\n" + "".join(
    [f"C{i},2024-05-07 10:00,true,10\n" for i in range(1, 13)]
    + [f"C{i},2024-05-07 10:00,true,40\n" for i in range(13, 17)]
    + [f"C{i},2024-05-07 10:00,false,30\n" for i in range(17, 21)])


@pytest.fixture(scope="module")
def channels(tmp_path_factory) -> Workbook:
    folder = tmp_path_factory.mktemp("channels")
    (folder / "council.toml").write_text(TOML, encoding="utf-8")
    (folder / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    (folder / "calls.csv").write_text(CALLS, encoding="utf-8")
    return prepare(folder, year="2024/25", as_at="2025-04-30")


def test_the_non_digital_question_is_answered_channel_by_channel(channels):
    text = words(pages.digital_and_non_digital(channels))
    assert text.startswith("There is no one figure for non-digital contacts:")
    assert ("Digital (Email) Full responses within each channel's own standard, of those due (CRM) 100.0%") in text
    assert "Phone Calls answered within 20 seconds, of calls answered (phone system) 75.0%" in text
    assert "Letter Full responses within 10 working days, of those due (CRM) 80.0%" in text
    assert "In person Visits logged in the CRM 5" in text
    # No row claims one "non-digital" response rate: the letters' 80.0% appears once, on the letters' row.
    served = text.split("The CRM's non-digital contacts")[0]
    assert "Non-digital" not in served and served.count("80.0%") == 1
    # The volumes: 5 digital and 16 non-digital contacts in the CRM, beside 20 calls offered, never added.
    assert ("The CRM's non-digital contacts include 6 phone calls staff logged in it in 2024/25; the phone "
            "system counted 20 calls offered. Most calls are not logged in the CRM") in text  # 6 < 20 / 2
    assert "2024/25 5 16 20" in text


def test_the_channel_mix_states_which_count_each_uses(channels):
    mix = words(pages.channel_mix_table(channels))
    assert mix.startswith("Phone here counts the phone contacts staff logged in the CRM: 6 in 2024/25. The phone "
                          "system counted 20 calls offered to the phone lines that year")
    assert "Contacts logged in the CRM by channel and year" in mix
    # 5 emails of the 21 contacts logged in the CRM = 23.8%.
    share = words(pages.digital_share_sentence(channels))
    assert share.startswith("In 2024/25, 23.8% of the 21 contacts logged in the customer contact system (CRM) came "
                            "through digital channels (Email). Calls to the phone lines are counted separately, on "
                            "the phone system (20 calls offered); only the phone calls staff logged in the CRM are "
                            "in this share.")
    # 6 phone contacts of 21 = 28.6%, the largest share: said of the CRM, not of every call.
    chart = words(pages.channel_mix_chart(channels))
    assert "Phone had the largest share of the contacts logged in the CRM in 2024/25: 28.6%" in chart
    assert "most used" not in chart


# --- the action plan's history ------------------------------------------------------------------

# 2021/22: 1 achieved, 2 not achieved (continued by 2022/23 action 1, achieved), 3 ongoing (continued by
# nothing). 2022/23: its one action achieved. 2023/24, the year run: 1 not achieved.
PLAN = """plan_year,action_id,theme,action,status,carried_from
2021/22,1,Access,Open a hub,Achieved,
2021/22,2,Access,Review the AICs,Not achieved,
2021/22,3,Standards,Report quarterly,In progress,
2022/23,1,Access,Work with parish councils,Achieved,2021/22:2
2023/24,1,Standards,Train staff,Not achieved,
"""


def _plan_workbook(folder: Path, plan: str) -> Workbook:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "council.toml").write_text(TOML, encoding="utf-8")
    (folder / "action_plan.csv").write_text(plan, encoding="utf-8")
    return prepare(folder, year="2023/24")


def test_the_action_plan_history_lists_each_years_actions_not_achieved_and_where_they_went(tmp_path):
    text = words(pages.action_plan_history(_plan_workbook(tmp_path / "linked", PLAN)))
    assert text == (
        "2021/22: 1 of the 3 actions was achieved; the two that were not, and where each went "
        "Ref Action Status at the year's end Where it went "
        "2 Review the AICs Not achieved 2022/23 action 1: Work with parish councils (achieved) "
        "3 Report quarterly Ongoing not carried forward "
        "2022/23: the one action was achieved.")


def test_without_carried_from_the_history_says_not_recorded(tmp_path):
    plan = "\n".join(line.rsplit(",", 1)[0] for line in PLAN.strip().splitlines()) + "\n"
    text = words(pages.action_plan_history(_plan_workbook(tmp_path / "unlinked", plan)))
    assert text.startswith("The action plan does not record which later action continues each action, so where "
                           "each action went reads \u201cnot recorded\u201d.")
    assert "2 Review the AICs Not achieved not recorded 3 Report quarterly Ongoing not recorded" in text
    assert "not carried forward" not in text and "2022/23 action" not in text


def test_an_action_carried_forward_more_than_once_is_listed_once_at_its_latest(tmp_path):
    """By hand: 2021/22 action 2 went on as 2022/23 action 1 and then as 2023/24 action 1, so 2023/24's is
    carried forward twice and 2022/23's once; 2023/24 action 2 is new. One chain carried more than once, so one
    row: the latest action (2023/24 1), first planned in 2021/22, carried forward 2 times. 2022/23 action 1 is
    the same chain's earlier link and must not make a second row (it was carried once anyway), nor must a chain
    listed at an earlier link when it was carried twice by then (see the 2024/25 run below)."""
    plan = """plan_year,action_id,theme,action,status,carried_from
2021/22,2,Access,Review the AICs,Not achieved,
2022/23,1,Access,Work with parish councils,Not achieved,2021/22:2
2023/24,1,Access,Agree parish access,Not achieved,2022/23:1
2023/24,2,Standards,Train staff,Achieved,
2024/25,1,Access,Agree the last parish access,Achieved,2023/24:1
"""
    text = words(pages.carried_more_than_once(_plan_workbook(tmp_path / "chain", plan)))
    assert text == ("Actions carried forward more than once: each shown once, at its latest plan year "
                    "Latest plan year Ref Latest action First planned Times carried forward Status "
                    "2023/24 1 Agree parish access 2021/22 2 Not achieved")
    # Run for 2024/25, the chain has one more link: still one row, now 2024/25 action 1 carried 3 times (2023/24
    # action 1, carried twice, is not listed again).
    folder = tmp_path / "chain"
    later = prepare(folder, year="2024/25")
    text = words(pages.carried_more_than_once(later))
    assert text.endswith("2024/25 1 Agree the last parish access 2021/22 3 Achieved")
    assert "2023/24 1" not in text


def test_the_first_plan_has_no_history(tmp_path):
    wb = _plan_workbook(tmp_path / "first", "plan_year,action_id,theme,action,status\n"
                                            "2023/24,1,Access,Open a hub,Achieved\n")
    assert words(pages.action_plan_history(wb)) == (
        "The 2023/24 plan is the first in the data, so there is no earlier plan to show.")
