"""Survey consistency: which questions can be compared from one wave to the next, and which cannot.

A result is only compared with the year before when the question was asked the
same way both times. Two things break that:

- the council reworded the question and gave it a new ``question_id``, saying
  which one it ``replaces`` in council.toml (the scale lives with the id, so a
  changed scale is also a new id);
- the survey data carries ``question_text`` and it differs between waves for
  the same ``question_id`` (an export that kept the id while the wording moved).
"""

from __future__ import annotations

import pandas as pd

from analysis.config import Config


def wording_by_year(survey: pd.DataFrame) -> pd.DataFrame:
    """question_id, survey_year and the wording asked that year (when the data records it)."""
    if survey is None or survey.empty or survey["question_text"].isna().all():
        return pd.DataFrame(columns=["question_id", "survey_year", "question_text"])
    pairs = survey[["question_id", "survey_year", "question_text"]].astype("object").dropna().drop_duplicates()
    return pairs.sort_values(["question_id", "survey_year"]).reset_index(drop=True)


def reworded_in_data(survey: pd.DataFrame) -> pd.DataFrame:
    """(question_id, survey_year) where the wording differs from the question's previous wave."""
    wording = wording_by_year(survey)
    if wording.empty:
        return pd.DataFrame(columns=["question_id", "survey_year", "previous_text", "question_text"])
    wording = wording.groupby(["question_id", "survey_year"], sort=True)["question_text"].agg(
        lambda texts: " / ".join(sorted(set(texts)))).reset_index()  # over a handful of waves, not answers
    wording["previous_text"] = wording.groupby("question_id")["question_text"].shift()
    changed = wording["previous_text"].notna() & (wording["previous_text"] != wording["question_text"])
    return wording.loc[changed, ["question_id", "survey_year", "previous_text", "question_text"]].reset_index(drop=True)


def question_history(survey: pd.DataFrame | None, config: Config) -> pd.DataFrame:
    """One row per question: its wording, the waves it was asked in, and whether waves compare."""
    asked = (survey.groupby("question_id", observed=True)["survey_year"].agg(lambda y: sorted(set(y)))
             if survey is not None and not survey.empty else pd.Series(dtype=object))
    changed = reworded_in_data(survey)
    replaced_by = {q.replaces: q.question_id for q in config.survey_questions.values() if q.replaces}
    rows = []
    for question_id, question in config.survey_questions.items():
        years = asked.get(question_id, [])
        notes = []
        if question.replaces:
            notes.append(f"rewords an earlier question ({_wording(config, question.replaces)}); "
                         "not compared with it")
        if question_id in replaced_by:
            notes.append(f"replaced by a reworded question ({_wording(config, replaced_by[question_id])}) "
                         f"after {years[-1] if years else 'its last wave'}")
        for year in changed.loc[changed["question_id"] == question_id, "survey_year"]:
            notes.append(f"worded differently in {year} than the wave before; not compared across that change")
        rows.append({
            "question_id": question_id,
            "text": question.text,
            "waves": ", ".join(years) if years else "not asked",
            "comparable": "yes" if not notes else "see note",
            "note": "; ".join(notes) if notes else "asked the same way in every wave",
        })
    return pd.DataFrame(rows, columns=["question_id", "text", "waves", "comparable", "note"])


def _wording(config: Config, question_id: str) -> str:
    """A question as members know it: its wording in quotes, or its id when council.toml has no wording."""
    question = config.survey_questions.get(question_id)
    return f"\u201c{question.text}\u201d" if question is not None and question.text else question_id


def comparison_breaks(survey: pd.DataFrame | None) -> set[tuple[str, str, str]]:
    """(measure_id, breakdown, year) rows whose comparison with the year before must be left out."""
    if survey is None:
        return set()
    changed = reworded_in_data(survey)
    return {("survey_positive", f"question_id={q}", y) for q, y in zip(changed["question_id"], changed["survey_year"])}
