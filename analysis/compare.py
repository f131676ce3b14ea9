"""Year on year: previous value, change, whether a change in a percentage is significant, targets.

A change is only called significant by a two-sided two-proportion z-test at
the 95% level on the counts behind the two percentages; members' prose must
not call any other change an improvement or a decline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.calendar import next_year
from analysis.measures import MEASURE_COLUMNS

OUTPUT_COLUMNS = MEASURE_COLUMNS + ["target", "target_met", "previous_value", "change", "significant"]
ALPHA = 0.05


def two_proportion_p_value(x1, n1, x2, n2) -> np.ndarray:
    """Two-sided p-value of the pooled two-proportion z-test; NaN where it cannot be computed."""
    x1, n1, x2, n2 = (np.asarray(a, dtype="float64") for a in (x1, n1, x2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (x1 / n1 - x2 / n2) / se
        p = 2 * stats.norm.sf(np.abs(z))
    # Identical proportions with zero spread (0% vs 0%, 100% vs 100%) are no change at all.
    same = (se == 0) & (x1 / np.where(n1 > 0, n1, np.nan) == x2 / np.where(n2 > 0, n2, np.nan))
    p = np.where(same, 1.0, p)
    return np.where((n1 > 0) & (n2 > 0), p, np.nan)


def target_met(value, target, polarity) -> pd.Series:
    """True/False where a target exists and the value is known; missing otherwise.

    Higher is better: met when value >= target. Lower is better: met when value <= target.
    Neutral measures have no 'met'.
    """
    value = pd.Series(value, dtype="float64").reset_index(drop=True)
    target = pd.Series(target, dtype="float64").reset_index(drop=True)
    polarity = pd.Series(polarity, dtype="object").reset_index(drop=True)
    met = pd.Series(pd.NA, index=value.index, dtype="boolean")
    known = value.notna() & target.notna()
    higher = known & (polarity == "higher_is_better")
    lower = known & (polarity == "lower_is_better")
    met[higher] = value[higher] >= target[higher]
    met[lower] = value[lower] <= target[lower]
    return met


def add_comparisons(rows: pd.DataFrame, register: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add target, target_met, previous_value, change and significant to measure rows."""
    rows = rows.reset_index(drop=True).copy()
    key = ["measure_id", "breakdown"]
    previous = rows[["year", *key, "value", "numerator", "denominator"]].copy()
    following = {y: next_year(y) for y in previous["year"].unique()}
    previous["year"] = previous["year"].map(following)
    previous = previous.rename(columns={"value": "previous_value", "numerator": "_prev_num",
                                        "denominator": "_prev_den"})
    merged = rows.merge(previous, on=["year", *key], how="left")
    merged["change"] = merged["value"] - merged["previous_value"]
    is_percent = (merged["unit"] == "percent") & merged["change"].notna()
    p = two_proportion_p_value(merged["numerator"], merged["denominator"], merged["_prev_num"], merged["_prev_den"])
    significant = pd.Series(pd.NA, index=merged.index, dtype="boolean")
    testable = is_percent & ~np.isnan(p)
    significant[testable] = p[testable] < ALPHA
    merged["significant"] = significant

    if register is not None and not register.empty:
        reg = register[["measure_id", "target", "polarity"]]
        merged = merged.merge(reg, on="measure_id", how="left")
    else:
        merged["target"] = np.nan
        merged["polarity"] = np.nan
    merged["target_met"] = target_met(merged["value"], merged["target"], merged["polarity"]).to_numpy()
    return merged[OUTPUT_COLUMNS]


def break_comparisons(rows: pd.DataFrame, breaks: set[tuple[str, str, str]]) -> pd.DataFrame:
    """Blank previous_value, change and significant where the two years are not like for like
    (``breaks`` holds (measure_id, breakdown, year), e.g. a survey question reworded that year)."""
    if not breaks:
        return rows
    keys = pd.Series(list(zip(rows["measure_id"], rows["breakdown"], rows["year"])), index=rows.index)
    broken = keys.isin(breaks)
    rows = rows.copy()
    rows.loc[broken, ["previous_value", "change"]] = np.nan
    rows.loc[broken, "significant"] = pd.NA
    return rows


def to_csv_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """measures.csv as the contract writes it: booleans as true/false, missing as empty."""
    out = rows.copy()
    for column in ("target_met", "significant"):
        out[column] = out[column].map({True: "true", False: "false"}).astype("object")
    return out.sort_values(["year", "measure_id", "breakdown"], kind="stable").reset_index(drop=True)
