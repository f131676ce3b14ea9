"""Survey questions are only compared across waves when they were asked the same way."""

from __future__ import annotations

import pandas as pd

from analysis.compare import add_comparisons, break_comparisons
from analysis.config import load_config
from analysis.survey import comparison_breaks, question_history, reworded_in_data

TOML = """[council]
name = "Test"
[survey.questions.q_old]
text = "How easy is it to contact us?"
scale = ["Easy", "Hard"]
positive = ["Easy"]
[survey.questions.q_new]
text = "How easy was it to get what you needed?"
scale = ["Easy", "Hard"]
positive = ["Easy"]
replaces = "q_old"
[survey.questions.q_same]
text = "Were staff helpful?"
scale = ["Yes", "No"]
positive = ["Yes"]
"""


def _survey(rows):
    return pd.DataFrame(rows, columns=["survey_year", "question_id", "question_text", "answer"])


def test_reworded_question_with_a_new_id_is_never_compared(tmp_path):
    (tmp_path / "council.toml").write_text(TOML)
    config = load_config(tmp_path)
    assert config.survey_questions["q_new"].replaces == "q_old"
    survey = _survey([
        ("2022/23", "q_old", "How easy is it to contact us?", "Easy"),
        ("2023/24", "q_new", "How easy was it to get what you needed?", "Easy"),
        ("2022/23", "q_same", "Were staff helpful?", "Yes"),
        ("2023/24", "q_same", "Were staff helpful?", "No"),
    ])
    history = question_history(survey, config).set_index("question_id")
    assert history.loc["q_same", "comparable"] == "yes"
    assert "rewords an earlier question (\u201cHow easy is it to contact us?\u201d)" in history.loc["q_new", "note"]
    assert ("replaced by a reworded question (\u201cHow easy was it to get what you needed?\u201d) after 2022/23"
            in history.loc["q_old", "note"])
    assert comparison_breaks(survey) == set()  # the ids differ, so nothing is compared anyway


def test_same_id_with_new_wording_breaks_the_comparison(tmp_path):
    (tmp_path / "council.toml").write_text(TOML)
    config = load_config(tmp_path)
    survey = _survey([
        ("2022/23", "q_same", "Were staff helpful?", "Yes"),
        ("2023/24", "q_same", "Were our staff helpful and polite?", "Yes"),
        ("2024/25", "q_same", "Were our staff helpful and polite?", "No"),
    ])
    changed = reworded_in_data(survey)
    assert changed[["question_id", "survey_year"]].values.tolist() == [["q_same", "2023/24"]]
    assert comparison_breaks(survey) == {("survey_positive", "question_id=q_same", "2023/24")}
    history = question_history(survey, config).set_index("question_id")
    assert "worded differently in 2023/24" in history.loc["q_same", "note"]

    rows = pd.DataFrame({
        "year": ["2022/23", "2023/24", "2024/25"], "measure_id": "survey_positive",
        "breakdown": "question_id=q_same", "value": [100.0, 100.0, 0.0], "numerator": [1, 1, 0],
        "denominator": [1, 1, 1], "unit": "percent"})
    compared = break_comparisons(add_comparisons(rows), comparison_breaks(survey)).set_index("year")
    assert pd.isna(compared.loc["2023/24", "previous_value"]) and pd.isna(compared.loc["2023/24", "change"])
    assert compared.loc["2024/25", "previous_value"] == 100.0  # same wording in 2023/24 and 2024/25


def test_without_question_text_nothing_is_flagged():
    survey = _survey([("2022/23", "q", None, "Yes"), ("2023/24", "q", None, "No")])
    assert reworded_in_data(survey).empty and comparison_breaks(survey) == set()
