"""Stage 3 of the loader, columns with a set of values (channels, stages, outcomes, status labels,
themes, places, yes/no): council.toml's ``[datasets.KEY.values.COLUMN]`` maps and the
obvious spellings, matched without regard to capitals, spaces and hyphens.

A value that matches nothing is reported once per distinct value, with its rows and the
exact council.toml line that would map it; one mapped to an empty string ("N/A" = "") is no
value, as a blank cell (council.toml allows it for optional columns only). Used by :mod:`analysis.loader.parse_file`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.config import Config
from analysis.loader.problems import Problem, SourceFile, _problem, _problem_at, _toml_string
from analysis.loader.schema import BOOLEAN_SPELLINGS, DISTINCT_SHOWN, OBVIOUS_SPELLINGS, Col, _key, value_key


@dataclass(frozen=True)
class _ValueSet:
    """The values a column may take: value key -> the value the workbook uses, and how to say it."""

    allowed: dict[str, str]
    what: str                      # "a channel of the contract", for "... is not {what}"
    listed: tuple[str, ...]        # the values to list in a message
    other_fix: str = ""            # another way to fix it, besides a values line


def _value_set(ds: str, col: Col, config: Config) -> _ValueSet | None:
    """The set of values of a column, or None for a column of free text (services, notes, ids)."""
    if col.kind == "bool":
        return _ValueSet(dict(BOOLEAN_SPELLINGS), "yes or no (true/false, yes/no, y/n, 1/0)", ("true", "false"))
    if col.kind == "label":
        allowed = {_key(label): status for label, status in config.status_labels.items()}
        allowed.update({_key(status): status for status in set(config.status_labels.values())})
        return _ValueSet(allowed, f"a status label council.toml knows ({', '.join(sorted(config.status_labels))})",
                         tuple(sorted(set(config.status_labels.values()))), (
                             "or add the label to the list of its status under [action_plan.status_labels] "
                             "in council.toml"))
    if col.kind == "choice":
        allowed = {_key(c): c for c in col.choices}
        for spelling, value in OBVIOUS_SPELLINGS.get(col.name, {}).items():
            if value in col.choices:
                allowed.setdefault(spelling, value)
        words = {"channel": "a channel of the workbook", "stage": "a stage (1 or 2)",
                 "rating": "a rating (good, average or poor)", "outcome": "an outcome the workbook knows",
                 "ombudsman": "an Ombudsman the workbook knows (lgsco or housing)"}
        return _ValueSet(allowed, words.get(col.name, f"one of the values of {col.name}"), col.choices)
    if ds == "action_plan" and col.name == "theme" and config.themes:
        return _ValueSet({_key(t): t for t in config.themes}, "one of the themes in council.toml", config.themes,
                         "or add the theme to themes = [...] under [action_plan] in council.toml")
    if ds == "contacts" and col.name == "location" and config.in_person_locations:
        return _ValueSet({_key(t): t for t in config.in_person_locations},
                         "one of the places in council.toml", config.in_person_locations,
                         "or add the place to in_person = [...] under [locations] in council.toml")
    return None


def _mapped_values(ds: str, col: Col, text: pd.Series, source: SourceFile, config: Config,
                   ) -> tuple[pd.Series, list[Problem]]:
    """Text -> the values the workbook uses, through ``[datasets.KEY.values.COLUMN]`` and the column's set.

    Worked out once per distinct value. A value of a set column that matches nothing is reported once per
    distinct value, with its count, its first rows and the exact council.toml line that would map it."""
    key = source.key or ds
    spec = config.datasets.get(key)
    user = {_key(k): v for k, v in ((spec.values if spec else {}).get(col.name) or {}).items()}
    values = _value_set(ds, col, config)
    if not user and values is None:
        return text, []
    codes, uniques = pd.factorize(text)
    if not len(uniques):
        return text, []
    keys = value_key(pd.Series(uniques, dtype="string")).tolist()
    problems: list[Problem] = []
    result = []
    for unique, k in zip(uniques, keys):
        target = user.get(k, unique)
        if target == "":  # mapped to nothing ("N/A" = ""): no value, as a blank cell (optional columns only)
            target = None
        elif values is not None:
            target = values.allowed.get(_key(target)) if target != unique else values.allowed.get(k)
        result.append(target)
    if values is not None:
        for theirs, ours in ((spec.values if spec else {}).get(col.name) or {}).items():
            if ours != "" and values.allowed.get(_key(ours)) is None:
                problems.append(_problem(ds, source.name, (
                    f"council.toml maps {theirs!r} to {ours!r} under [datasets.{key}.values.{col.name}], "
                    f"which is not {values.what}"), f"map it to one of: {', '.join(values.listed)}."))
    mapped = np.array(result, dtype=object)
    out = pd.Series(np.where(codes >= 0, mapped[np.maximum(codes, 0)], None), index=text.index, dtype="string")
    if values is None:
        return out, problems
    unknown = [i for i, r in enumerate(result) if r is None and user.get(keys[i]) != ""]
    if unknown:
        problems.extend(_unknown_values(ds, col, source, codes, uniques, unknown, values, key))
    return out, problems


def _unknown_values(ds: str, col: Col, source: SourceFile, codes: np.ndarray, uniques, unknown: list[int],
                    values: _ValueSet, key: str) -> list[Problem]:
    """One problem per distinct unknown value (the first DISTINCT_SHOWN, in order of appearance), and one
    listing every other, so no bad value goes unsaid."""
    positions = {i: np.flatnonzero(codes == i) for i in unknown}
    order = sorted(unknown, key=lambda i: positions[i][0])
    section = f"[datasets.{key}.values.{col.name}]"
    problems = []
    for i in order[:DISTINCT_SHOWN]:
        value = str(uniques[i])
        guess = difflib.get_close_matches(_key(value), list(values.allowed), n=1, cutoff=0.6)
        if guess:
            target = values.allowed[guess[0]]
            fix = (f"if it means {target}, add this line under {section} in council.toml (start that heading "
                   f"if it is not there):\n      {_toml_string(value)} = {_toml_string(target)}")
        else:
            fix = (f"add a line under {section} in council.toml (start that heading if it is not there) saying "
                   f"which it is, one of {', '.join(values.listed)}:\n      {_toml_string(value)} = \"...\"")
        if values.other_fix:
            fix += f"\n  {values.other_fix}; or correct it in the export."
        else:
            fix += "\n  or correct it in the export."
        problems.append(_problem_at(ds, source, col.name, positions[i], f"has {value!r}, which is not {values.what}",
                                    (value,), fix=fix))
    rest = order[DISTINCT_SHOWN:]
    if rest:
        listed = ", ".join(f"{str(uniques[i])!r} ({len(positions[i]):,} row{'s' if len(positions[i]) > 1 else ''})"
                           for i in rest)
        every = np.sort(np.concatenate([positions[i] for i in rest]))
        problems.append(_problem_at(ds, source, col.name, every, (
            f"has {len(rest)} more values that are not {values.what}: {listed}"), fix=(
            f"map each under {section} in council.toml as above, or correct them in the export.")))
    return problems
