"""Each measure's status on the scorecard, by the one rule README documents (present.scorecard_status): met, not
met, improving but not met, to be agreed, no target, not judged; always in words, the colour only a class
beside them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.present import STATUS_CLASSES, scorecard_frame, scorecard_status, table
from test_scorecard import _card_workbook


@pytest.mark.parametrize("in_register, target, target_met, improved, recorded, status", [
    # Not in the register: no target, whatever else is known.
    (False, np.nan, pd.NA, False, True, "no target"),
    (False, np.nan, pd.NA, True, False, "no target"),
    # In the register with an empty target: to be agreed, even when the figure is not recorded.
    (True, np.nan, pd.NA, True, True, "to be agreed"),
    (True, None, pd.NA, False, False, "to be agreed"),
    # A target and target_met empty (no figure this year, or a neutral measure): not judged.
    (True, 80.0, pd.NA, False, True, "not judged"),
    # A target, but the figure is counted from a column the exports do not have: not judged, even though
    # measures.csv's target_met (counted from the empty column) would say False.
    (True, 80.0, False, False, False, "not judged"),
    # 84.6% against 80%: met; met is met whether or not it improved.
    (True, 80.0, True, False, True, "met"),
    (True, 80.0, np.True_, True, True, "met"),
    # 76.1% against 80%, up 6.6 points, significant: improving but not met.
    (True, 80.0, False, True, True, "improving but not met"),
    # 94.0% against 100%, up 13 points but a reported figure (not tested), or a change not significant: not met.
    (True, 100.0, np.False_, False, True, "not met"),
])
def test_the_status_rule(in_register, target, target_met, improved, recorded, status):
    assert scorecard_status(in_register, target, target_met, improved, recorded) == status


def test_every_status_has_a_colour_class_of_its_own():
    assert STATUS_CLASSES == {"met": "status-met", "improving but not met": "status-improving-but-not-met",
                              "not met": "status-not-met", "to be agreed": "status-to-be-agreed",
                              "no target": "status-no-target", "not judged": "status-not-judged"}
    style = (Path(analysis.__file__).parent / "templates" / "members" / "members.css").read_text(encoding="utf-8")
    assert all(f".{name}" in style for name in STATUS_CLASSES.values())


REGISTER = ("measure_id,name,unit,polarity,target\n"
            "calls_answered_within_standard,Calls answered within 20 seconds,percent,higher_is_better,80\n"
            "calls_abandoned,Calls abandoned,percent,lower_is_better,8\n"
            "contacts_received,Contacts logged in the CRM,count,neutral,20000\n"
            "responses_within_standard,Responses within standard,percent,higher_is_better,90\n")


def _calls(value, change, significant, **more):
    """A year's calls answered within 20 seconds: `value`% of 1,000 answered calls, against a target of 80%."""
    return {"year": "2024/25", "measure_id": "calls_answered_within_standard", "value": value,
            "numerator": value * 10, "denominator": 1000, "unit": "percent", "target": 80.0,
            "target_met": value >= 80, "previous_value": value - change, "change": change,
            "significant": significant, **more}


def test_the_scorecard_applies_the_rule_to_its_own_verdicts(tmp_path):
    wb = _card_workbook(tmp_path, [
        # 76.1% against 80%, up 6.6 points from 69.5%, significant: improving but not met.
        _calls(76.1, 6.6, True),
        # 9.0% abandoned against 8% (lower is better: not met), down 0.5 points, not significant: not met.
        {"year": "2024/25", "measure_id": "calls_abandoned", "value": 9.0, "numerator": 90, "denominator": 1000,
         "unit": "percent", "target": 8.0, "target_met": False, "previous_value": 9.5, "change": -0.5,
         "significant": False},
        # 20,600 contacts against a "target" of 20,000 on a neutral measure: no better direction, not judged.
        {"year": "2024/25", "measure_id": "contacts_received", "value": 20600, "unit": "count", "target": 20000.0,
         "target_met": pd.NA, "previous_value": 20200, "change": 400},
        # Not in the register at all: no target.
        {"year": "2024/25", "measure_id": "average_speed_of_answer", "value": 29, "unit": "seconds",
         "previous_value": 44, "change": -15},
    ], {"measures.csv": REGISTER})
    card = scorecard_frame(wb).set_index("measure_id")
    assert card.loc["calls_answered_within_standard", "Change on the year before"] == (
        "improved: up 6.6 points from 69.5%")
    assert card["Status"].to_dict() == {
        "calls_answered_within_standard": "improving but not met", "calls_abandoned": "not met",
        "average_speed_of_answer": "no target", "contacts_received": "not judged",
        "responses_within_standard": "not judged"}  # in the register, no figure this year
    assert "Met" not in card.columns


# Contacts that record their responses, so that responses within standard is a figure, not "not recorded".
CONTACTS = ("contact_id,received_at,channel,service,responded_at\n"
            "E1,2024-05-01 09:00,email,Waste,2024-05-02 09:00\n")


def test_a_change_that_is_not_like_for_like_is_not_an_improvement(tmp_path):
    """Responses within standard up 5.0 points, significant, but the email standard went from 10 to 5 working
    days in 2024/25: the scorecard says "not like for like", so 85.0% against 90% is simply not met."""
    wb = _card_workbook(tmp_path, [
        {"year": "2024/25", "measure_id": "responses_within_standard", "value": 85.0, "numerator": 850,
         "denominator": 1000, "unit": "percent", "target": 90.0, "target_met": False, "previous_value": 80.0,
         "change": 5.0, "significant": True},
    ], {"measures.csv": REGISTER, "contacts.csv": CONTACTS},
        '[standards.respond_within_working_days]\nemail = { "2023/24" = 10, "2024/25" = 5 }\n')
    line = scorecard_frame(wb).set_index("measure_id").loc["responses_within_standard"]
    assert line["Change on the year before"].startswith("not like for like")
    assert line["Status"] == "not met"


def test_an_improving_target_is_listed_among_those_not_met(tmp_path):
    from analysis.present import headline_summary

    wb = _card_workbook(tmp_path, [_calls(76.1, 6.6, True)], {"measures.csv": REGISTER})
    lists = dict(headline_summary(wb))
    assert lists["Targets not met (1):"] == [
        "Calls answered within 20 seconds: 76.1%, target 80.0% (improving but not met)"]


def test_a_status_cell_has_its_words_and_a_class_and_a_stacked_table_labels_its_cells():
    frame = pd.DataFrame({"Measure": ["Calls <abandoned>"], "Status": ["improving but not met"]})
    assert str(table(frame, "Card", status=("Status",), stacked=True)) == (
        '<div class="table-scroll" tabindex="0" role="region" aria-label="Card">'
        '<table class="members-table stacked"><caption>Card</caption>'
        '<thead><tr><th scope="col">Measure</th><th scope="col">Status</th></tr></thead>'
        '<tbody><tr><td data-label="Measure">Calls &lt;abandoned&gt;</td>'
        '<td class="status status-improving-but-not-met" data-label="Status">improving but not met</td></tr>'
        "</tbody></table></div>")
    # Without the options, a table is as it always was: no labels, no classes.
    assert "data-label" not in table(frame, "Card") and "status-" not in table(frame, "Card")
