"""Stage 4b of the loader, checks across files and datasets: an id repeated in two files of a
dataset, a measure_id that is no measure of the workbook, survey answers off the question's
scale, complaint extensions outside the Complaint Handling Code.

Each Problem names the file and rows of the records it is about (:func:`_problems_in_files`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.calendar import WorkingCalendar, to_days
from analysis.loader.problems import Problem, SourceFile, _problem_at, _toml_string
from analysis.loader.schema import DISTINCT_SHOWN, SCHEMAS, UNIQUE_TOGETHER, _key
from analysis.loader.store import Datasets, LoadedDataset
from analysis.measures import CODE_EXTENSION_WORKING_DAYS, complaint_deadlines


def _duplicates_across_files(ds: str, frames: list[pd.DataFrame], sources: list[SourceFile]) -> list[Problem]:
    keys = [c.name for c in SCHEMAS[ds] if c.unique] or []
    together = UNIQUE_TOGETHER.get(ds)
    problems = []
    for key in ([[k] for k in keys] + ([list(together)] if together else [])):
        having = [(i, f) for i, f in enumerate(frames) if set(key) <= set(f.columns)]  # a missing one is reported
        if len(having) < 2:
            continue
        combined = pd.concat([f[key].assign(_file=i, _row=np.arange(len(f))) for i, f in having], ignore_index=True)
        # A key missing after parsing (empty, or a stage not mapped yet) is reported with its file already: two
        # records would otherwise look alike (C1 + <missing>).
        combined = combined.dropna(subset=key)
        # Repeats within one file are that file's own problem (reported with it); here only a record whose
        # first appearance is in an earlier file.
        first_file = combined.groupby(key, sort=False, dropna=False)["_file"].transform("first")
        repeated = combined[combined.duplicated(key, keep="first") & (combined["_file"] != first_file)]
        for file_index, group in repeated.groupby("_file"):
            source = sources[int(file_index)]
            problems.append(_problem_at(ds, source, " + ".join(key), group["_row"].to_numpy(), (
                "repeats a value already in an earlier file of this dataset; each must be unique"),
                group[key[0]].astype(str).head(20), fix=(
                    "a record in two files would be counted twice: remove it from one of them (do the exports' "
                    "date ranges overlap? Is a Report It case both in the CRM export and in FixMyStreet's?)."),
                header="" if len(key) > 1 else None))
    return problems


def _duplicates_across_stored(ds: str, files: list, sources: list[SourceFile]) -> list[Problem]:
    """:func:`_duplicates_across_files` by SQL over the store's Parquet files: the same problems, without
    loading every file's keys into memory."""
    from analysis.engine import repeats_across_files

    keys = [c.name for c in SCHEMAS[ds] if c.unique] or []
    together = UNIQUE_TOGETHER.get(ds)
    problems = []
    for key in ([[k] for k in keys] + ([list(together)] if together else [])):
        repeated = repeats_across_files(files, key)
        for file_index, group in repeated.groupby("file", sort=True):
            source = sources[int(file_index)]
            problems.append(_problem_at(ds, source, " + ".join(key), group["row"].to_numpy(dtype="int64"), (
                "repeats a value already in an earlier file of this dataset; each must be unique"),
                group["value"].astype(str).head(20), fix=(
                    "a record in two files would be counted twice: remove it from one of them (do the exports' "
                    "date ranges overlap? Is a Report It case both in the CRM export and in FixMyStreet's?)."),
                header="" if len(key) > 1 else None))
    return problems


def _problems_in_files(ds: str, item: LoadedDataset, column: str, mask: np.ndarray, message: str,
                       examples: pd.Series, fix: str) -> list[Problem]:
    """One problem per file for the records of a loaded dataset picked by ``mask``, with each file's rows."""
    positions = np.flatnonzero(mask)
    sources = item.sources or [SourceFile(item.files[0], 2, "row", length=len(item.frame))]
    bounds = np.cumsum([0] + [s.length for s in sources])
    problems = []
    for i, source in enumerate(sources):
        local = positions[(positions >= bounds[i]) & (positions < bounds[i + 1])]
        if len(local):
            problems.append(_problem_at(ds, source, column, local - bounds[i], message,
                                        examples.reindex(local[:20]).dropna(), fix=fix))
    return problems


def _extensions_outside_the_code(datasets: Datasets) -> list[Problem]:
    """Warnings, with their rows, for an ``extended_to`` the Complaint Handling Code does not allow: before the
    stage's standard deadline (an extension cannot bring it forward), or later than 10 working days after it at
    stage 1, 20 at stage 2. Each is counted as the nearest deadline the Code allows (measures.complaint_deadlines)."""
    item = datasets.loaded.get("complaints")
    if item is None or not len(item.frame) or not datasets.recorded("complaints", "extended_to"):
        return []
    frame = item.frame
    deadlines = complaint_deadlines(frame, datasets.config, WorkingCalendar.for_council(datasets.config))
    limits = ", ".join(f"stage {s}: {n}" for s, n in CODE_EXTENSION_WORKING_DAYS.items())
    checks = (
        (deadlines.early, deadlines.standard, "standard deadline",
         "is before the stage's standard deadline, so it is not an extension: the standard deadline is counted",
         "correct the date in the export (was it typed wrongly?), or clear it if the deadline was not extended."),
        (deadlines.beyond, deadlines.latest, "latest the Code allows",
         f"is later than the Complaint Handling Code allows ({limits} working days after the standard deadline): "
         "the latest deadline the Code allows is counted",
         "correct the date in the export if it was typed wrongly. Until then the response is counted as within "
         "the extension only if it came by the latest deadline the Code allows."),
    )
    given = to_days(frame["extended_to"])
    problems = []
    for mask, other, other_words, message, fix in checks:
        if not mask.any():
            continue
        shown = np.flatnonzero(mask)[:20 * max(1, len(item.sources))]  # examples enough for each file

        def written(days: np.ndarray) -> np.ndarray:
            return pd.Series(days[shown]).dt.strftime("%d/%m/%Y").to_numpy(dtype=object)

        examples = pd.Series("stage " + frame["stage"].iloc[shown].astype(str).to_numpy(dtype=object)
                             + ": extended to " + written(given) + f", {other_words} " + written(other), index=shown)
        for problem in _problems_in_files("complaints", item, "extended_to", mask, message, examples, fix):
            problem.fatal = False  # a warning: counted as said above, the run goes on
            problems.append(problem)
    return problems


# Every measure the workbook computes from the exports (analysis/measures.py), so that a commentary or an action can
# name one before any figure is worked out. tests/test_commentary.py keeps it in step with what measures.py computes.
COMPUTED_MEASURES = (
    "actions_achieved", "actions_not_achieved", "actions_carried_forward",
    "contacts_received", "digital_share", "responses_within_standard", "acknowledgements_within_standard",
    "first_contact_resolution",
    "calls_answered_within_standard", "calls_abandoned", "calls_callback", "average_speed_of_answer",
    "complaints_received", "complaints_acknowledged_within_standard", "complaints_responded_within_standard",
    "complaints_upheld", "complaints_extended", "complaints_responded_within_extension", "complaints_not_accepted",
    "ombudsman_decisions", "ombudsman_upheld", "ombudsman_remedy_complied",
    "net_satisfaction", "survey_positive",
    "panel_members", "panel_representation", "panel_open_rate", "panel_completion_rate",
)
# The datasets with a measure_id naming a measure of the workbook (the register and the manual figures define them).
NAMES_A_MEASURE = ("commentary", "action_plan")
REGISTERS = ("measures", "manual_measures")


@dataclass(frozen=True)
class KnownIds:
    """The measure ids a dataset's measure_id may name, and whether the register could not be read (so that its
    own ids are not among them)."""

    ids: tuple[str, ...]
    register_unread: bool = False


def known_measure_ids(register: pd.DataFrame | None, manual: pd.DataFrame | None) -> list[str]:
    """The measure ids a commentary or an action may name: those computed here, the register's (``measures``)
    and the manual figures'."""
    known = list(COMPUTED_MEASURES)
    for frame in (register, manual):
        if frame is not None:
            known += [m for m in frame["measure_id"].dropna().astype(str).unique() if m not in known]
    return known


def _unknown_measure_ids(ds: str, frame: pd.DataFrame, source: SourceFile, known: list[str],
                         register_unread: bool) -> list[Problem]:
    """A measure_id in one file of the commentary or the action plan that is no measure of the workbook: one
    problem per distinct id (as for any unknown value), with its rows, the nearest known id and the council.toml
    line that maps it; without a near one, every known id. A blank measure_id in the action plan means none."""
    if "measure_id" not in frame or not len(frame):
        return []
    ids = frame["measure_id"].astype("string")
    unknown = (ids.notna() & ~ids.isin(known)).to_numpy()
    if not unknown.any():
        return []
    values = pd.unique(ids[unknown].astype(str))
    section = f"[datasets.{source.key or ds}.values.measure_id]"
    by_key = {_key(m): m for m in known}
    groups = [[v] for v in values[:DISTINCT_SHOWN]] + ([list(values[DISTINCT_SHOWN:])] if len(values) > DISTINCT_SHOWN
                                                       else [])
    problems = []
    for group in groups:
        positions = np.flatnonzero(ids.isin(group).to_numpy())
        if len(group) > 1:
            message = (f"has {len(group)} more measure ids that are not measures of the workbook: "
                       + ", ".join(repr(v) for v in group))
            fix = f"correct each as above, or map it under {section} in council.toml."
        else:
            value = group[0]
            near = by_key.get(_key(value)) or next(iter(difflib.get_close_matches(value, known, n=1, cutoff=0.6)), None)
            message = f"has {value!r}, which is not a measure the workbook computes nor one in the register of measures"
            if near:
                fix = (f"if it means {near}, correct it in the file, or add this line under {section} in "
                       f"council.toml (start that heading if it is not there):\n      "
                       f"{_toml_string(value)} = {_toml_string(near)}")
            else:
                # No near id to offer: the line to add all the same, for the user to put the right id in.
                fix = (f"use one of the workbook's measure ids: {', '.join(known)}; a measure of your own needs a "
                       "row in the register of measures (measures.csv) first.\n  If it means one of them, correct "
                       f"it in the file, or add this line under {section} in council.toml (start that heading if "
                       f"it is not there), with that id:\n      {_toml_string(value)} = \"...\"")
        if register_unread:
            fix += "\n  (the register of measures could not be read, so its ids are not known yet: fix it first.)"
        if ds == "action_plan":
            fix += "\n  Leave the cell empty for an action that is not meant to move one measure."
        problems.append(_problem_at(ds, source, "measure_id", positions, message, ids.iloc[positions[:20]], fix=fix))
    return problems


def _cross_checks(datasets: Datasets) -> list[Problem]:
    """Checks that need config or another dataset: survey answers on the question's scale, complaint
    extensions within the Code."""
    problems = _extensions_outside_the_code(datasets)
    item = datasets.loaded.get("survey")
    questions = datasets.config.survey_questions
    if item is not None and len(item.frame):
        survey = item.frame
        question = survey["question_id"].astype(str)
        known_question = question.isin(list(questions)).to_numpy()
        unknown = sorted(set(question[~known_question]))
        if unknown:
            problems.extend(_problems_in_files("survey", item, "question_id", ~known_question, (
                f"question_id {', '.join(repr(q) for q in unknown[:5])} is not described in council.toml"),
                pd.Series(question.to_numpy(), index=np.arange(len(survey))), (
                    f"add [survey.questions.{unknown[0]}] to council.toml with its text, scale and positive "
                    "answers (see data/sample/council.toml), or correct the question_id.")))
        allowed = pd.Series(
            [(q, a) for q, spec in questions.items() for a in spec.scale], dtype=object)
        pairs = pd.MultiIndex.from_arrays([question, survey["answer"].astype(str)])
        off_scale = known_question & ~pairs.isin(list(allowed))
        if off_scale.any():
            where = np.flatnonzero(off_scale)[:20 * max(1, len(item.sources))]
            shown = (question.iloc[where] + ": " + survey["answer"].astype(str).iloc[where])
            problems.extend(_problems_in_files("survey", item, "answer", off_scale, (
                "has answers that are not on the question's scale in council.toml"),
                pd.Series(shown.to_numpy(), index=where), (
                    "correct the answer, or add it to the question's scale = [...] in council.toml "
                    "(answers must match exactly).")))
    return problems
