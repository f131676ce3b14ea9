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


def test_counts_words_hide_a_second_count_when_one_small_count_could_be_worked_out():
    counts = pd.DataFrame({"2023/24": [120, 3, 40, 0], "2024/25": [130, 2, 4, 50], "2025/26": [10, 20, 30, 40]},
                          index=["Phone", "Letter", "Webchat", "Email"])
    words, note = present.counts_words(counts, minimum_count=5)
    # 2023/24: Letter (3) is the only small count, so the smallest other count above 0, Webchat's 40, is hidden
    # too (Email's 0 is not a count above 0). 2024/25: two small counts (2 and 4) cannot be told apart from
    # their sum, so nothing more is hidden. 2025/26: nothing small, nothing hidden.
    assert words.to_dict("list") == {
        "2023/24": ["120", "fewer than 5", "not shown", "none"],
        "2024/25": ["130", "fewer than 5", "fewer than 5", "50"],
        "2025/26": ["10", "20", "30", "40"],
    }
    assert note == " (\u201cnot shown\u201d: hidden as well, so that a number under 5 cannot be worked out from the total)"
    _, none_needed = present.counts_words(counts[["2024/25", "2025/26"]], minimum_count=5)
    assert none_needed == ""


def test_counts_words_within_groups_of_rows():
    # The panel by age band and by sex: each group adds up to the whole panel on its own.
    counts = pd.DataFrame({"members": [3, 60, 80, 70, 73]},
                          index=["age_band=16-24", "age_band=25-44", "age_band=45+", "sex=Female", "sex=Male"])
    words, _ = present.counts_words(counts, 5, groups=["age", "age", "age", "sex", "sex"])
    assert words["members"].tolist() == ["fewer than 5", "not shown", "80", "70", "73"]
