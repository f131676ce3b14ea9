"""The words members read, from the helpers the pages and the ad-hoc notebooks share."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis import present


def test_say_makes_a_paragraph_per_sentence_and_escapes():
    assert str(present.say("One.", "", None, "Two <b>.")) == "<p>One.</p><p>Two &lt;b&gt;.</p>"


@pytest.mark.parametrize(("items", "words"), [
    ([], "none"), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c"),
])
def test_list_words(items, words):
    assert present.list_words(items) == words


def test_number_and_date_words():
    assert [present.number_words(n) for n in (0, 1, 9, 10, 1234)] == ["no", "one", "nine", "10", "1,234"]
    assert present.date_words(dt.date(2024, 6, 5)) == "5 June 2024"
    assert present.date_words(pd.Timestamp("2023-12-25 14:00")) == "25 December 2023"
    assert present.date_words(pd.NaT) == "not recorded"


def test_name_from_id():
    assert present.name_from_id("council-plan-2024") == "Council plan 2024"
    assert present.name_from_id("residents_survey_2024") == "Residents survey 2024"


@pytest.mark.parametrize(("ratio", "words"), [
    (0.16, "under-represented"), (0.79, "under-represented"), (0.8, "broadly representative"),
    (1.25, "broadly representative"), (1.26, "over-represented"), (float("nan"), "not available"),
])
def test_representation_words(ratio, words):
    assert present.representation_words(ratio) == words


def test_group_words_in_a_sentence_and_as_a_heading():
    assert present.group_words("age_band=16-24") == "aged 16 to 24"
    assert present.group_words("age_band=75+") == "aged 75 and over"
    assert present.group_words("age_band=16-24", heading=True) == "Aged 16 to 24"
    assert present.group_words("sex=Male") == "men" and present.group_words("sex=Male", heading=True) == "Male"
    assert present.group_words("ethnic_group=White British") == "ethnic group White British"
    assert present.group_words("ethnic_group=White British", heading=True) == "Ethnic group: White British"
    assert present.groups_words(["sex=Male", "age_band=25-34", "age_band=16-24"]) == \
        "aged 16 to 24 and 25 to 34, and men"
    assert present.groups_words(["sex=Female", "sex=Male"]) == "women and men"
