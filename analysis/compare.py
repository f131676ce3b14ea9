"""Comparisons: previous value and change, against the baseline year, significance, targets.

A change in a percentage is tested two-sided at the 95% level, and members' prose
never calls any other change an improvement or a decline:

- where an expected count of the 2x2 table is below 5, by Fisher's exact test;
- otherwise by the pooled two-proportion z-test with its z divided by the square
  root of the dispersion of the measure's monthly counts in the two years
  (quasi-binomial): months vary more than chance alone allows, and a plain
  z-test on 30,000 calls calls a 0.8-point change significant when the months say
  it is not;
- net satisfaction, a score, with its own variance;
- never the action plan's measures: the plan is every action, not a sample.

The same rule serves measures.csv, the pages and ad-hoc notebooks (``investigate``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.calendar import next_year
from analysis.measures import MEASURE_COLUMNS, STAT_COLUMNS

OUTPUT_COLUMNS = MEASURE_COLUMNS + [
    "target", "target_met", "previous_value", "change", "significant",
    "baseline_year", "baseline_value", "change_since_baseline", "significant_since_baseline",
]
ALPHA = 0.05
SMALLEST_EXPECTED = 5    # below this expected count, Fisher's exact test
FEWEST_MONTHS = 6        # with fewer months in the two years, no dispersion is estimated
UNTESTED_PREFIXES = ("actions_",)  # counts of the whole plan, not a sample


def _arrays(*values):
    return (np.asarray(v, dtype="float64") for v in values)


def smallest_expected_count(x1, n1, x2, n2) -> np.ndarray:
    """The smallest expected count of each 2x2 table (yes and no, in each year) under the pooled rate."""
    x1, n1, x2, n2 = _arrays(x1, n1, x2, n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
    return np.fmin.reduce([pooled * n1, pooled * n2, (1 - pooled) * n1, (1 - pooled) * n2])


def dispersion(chi2_1, months_1, chi2_2, months_2) -> np.ndarray:
    """phi = max(1, X^2 / (M - 2)) from the two years' monthly chi-squares and months; 1 where M < 6 or there is
    no monthly series."""
    chi2_1, months_1, chi2_2, months_2 = _arrays(chi2_1, months_1, chi2_2, months_2)
    chi2 = chi2_1 + chi2_2
    months = months_1 + months_2
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.maximum(1.0, chi2 / (months - 2))
    return np.where(np.isfinite(phi) & (months >= FEWEST_MONTHS), phi, 1.0)


def change_p_value(x1, n1, x2, n2, chi2_1=np.nan, months_1=np.nan, chi2_2=np.nan, months_2=np.nan) -> np.ndarray:
    """Two-sided p-value of a change between two percentages x1/n1 and x2/n2, by the rule above; NaN where
    either base is zero or missing."""
    from scipy import stats  # here, not at the top: a notebook kernel that only reads the measures never needs it

    x1, n1, x2, n2 = _arrays(x1, n1, x2, n2)
    shape = np.broadcast(x1, n1, x2, n2).shape
    x1, n1, x2, n2 = (np.broadcast_to(a, shape) for a in (x1, n1, x2, n2))
    valid = (n1 > 0) & (n2 > 0) & ~np.isnan(x1) & ~np.isnan(x2)
    phi = np.broadcast_to(dispersion(chi2_1, months_1, chi2_2, months_2), shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2) * phi)
        z = (x1 / n1 - x2 / n2) / se
        p = 2 * stats.norm.sf(np.abs(z))
    p = np.where(se == 0, 1.0, p)  # 0% against 0%, 100% against 100%: no change at all
    small = valid & (smallest_expected_count(x1, n1, x2, n2) < SMALLEST_EXPECTED)
    for i in np.flatnonzero(small):  # a few rows of measures, never records
        table = [[round(x1.flat[i]), round(n1.flat[i] - x1.flat[i])], [round(x2.flat[i]), round(n2.flat[i] - x2.flat[i])]]
        p.flat[i] = stats.fisher_exact(table, alternative="two-sided").pvalue
    return np.where(valid, p, np.nan)


def two_proportion_p_value(x1, n1, x2, n2) -> np.ndarray:
    """A change between two percentages with no monthly series: Fisher's exact test for small counts,
    otherwise the plain two-proportion z-test (the dispersion is 1)."""
    return change_p_value(x1, n1, x2, n2)


def net_score_p_value(good_1, poor_1, n1, good_2, poor_2, n2) -> np.ndarray:
    """Two-sided p-value of a change in net satisfaction (good share - poor share), with the score's own
    variance: z = difference / sqrt(v1/n1 + v2/n2), v = g + p - (g - p)^2 with g and p the shares."""
    from scipy import stats

    good_1, poor_1, n1, good_2, poor_2, n2 = _arrays(good_1, poor_1, n1, good_2, poor_2, n2)
    v1 = good_1 + poor_1 - (good_1 - poor_1) ** 2
    v2 = good_2 + poor_2 - (good_2 - poor_2) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(v1 / n1 + v2 / n2)
        z = ((good_1 - poor_1) - (good_2 - poor_2)) / se
        p = 2 * stats.norm.sf(np.abs(z))
    p = np.where(se == 0, 1.0, p)
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


def _with_stats(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.reset_index(drop=True).copy()
    for column in STAT_COLUMNS:
        if column not in rows.columns:
            rows[column] = np.nan
    return rows


def compare_years(rows: pd.DataFrame, other_year: pd.Series) -> pd.DataFrame:
    """For each row, the same measure and breakdown in ``other_year`` (a year label per row): its value,
    the change (value - other) and whether the change is significant (true/false, or missing where the
    measure is not tested or the other year has no value)."""
    rows = _with_stats(rows)
    key = ["measure_id", "breakdown"]
    other = rows[["year", *key, "value", "numerator", "denominator", *STAT_COLUMNS]].add_prefix("other_")
    other = other.rename(columns={f"other_{k}": k for k in key})
    merged = rows.assign(other_year=other_year.to_numpy()).merge(other, on=["other_year", *key], how="left")
    change = merged["value"] - merged["other_value"]
    percent = (merged["unit"] == "percent") & ~merged["measure_id"].str.startswith(UNTESTED_PREFIXES)
    p = np.full(len(merged), np.nan)
    if percent.any():
        m = merged[percent]
        p[percent.to_numpy()] = change_p_value(m["numerator"], m["denominator"], m["other_numerator"],
                                               m["other_denominator"], m["monthly_chi2"], m["months"],
                                               m["other_monthly_chi2"], m["other_months"])
    score = merged["good_share"].notna() & merged["other_good_share"].notna()
    if score.any():
        m = merged[score]
        p[score.to_numpy()] = net_score_p_value(m["good_share"], m["poor_share"], m["ratings"],
                                                m["other_good_share"], m["other_poor_share"], m["other_ratings"])
    significant = pd.Series(pd.NA, index=merged.index, dtype="boolean")
    testable = change.notna().to_numpy() & ~np.isnan(p)
    significant[testable] = p[testable] < ALPHA
    return pd.DataFrame({"other_value": merged["other_value"], "change": change, "significant": significant})


def add_comparisons(rows: pd.DataFrame, register: pd.DataFrame | None = None,
                    baseline_year: str | None = None) -> pd.DataFrame:
    """Add target, target_met, the comparison with the year before (previous_value, change, significant) and
    with the baseline year (baseline_year, baseline_value, change_since_baseline, significant_since_baseline).

    ``baseline_year`` defaults to the first year in the rows."""
    rows = _with_stats(rows)
    years = rows["year"].astype(str)
    before = compare_years(rows, years.map({y: _previous(y) for y in years.unique()}))
    rows["previous_value"] = before["other_value"].to_numpy()
    rows["change"] = before["change"].to_numpy()
    rows["significant"] = before["significant"].to_numpy()
    baseline = baseline_year or (min(years) if len(years) else None)
    since = compare_years(rows, pd.Series([baseline] * len(rows)))
    rows["baseline_year"] = baseline
    rows["baseline_value"] = since["other_value"].to_numpy()
    rows["change_since_baseline"] = since["change"].to_numpy()
    same_year = (years == baseline).to_numpy()
    significant = since["significant"].copy()
    significant[same_year] = pd.NA  # a year is not tested against itself
    rows["significant_since_baseline"] = significant.to_numpy()

    if register is not None and not register.empty:
        reg = register[["measure_id", "target", "polarity"]]
        rows = rows.merge(reg, on="measure_id", how="left")
    else:
        rows["target"] = np.nan
        rows["polarity"] = np.nan
    rows["target_met"] = target_met(rows["value"], rows["target"], rows["polarity"]).to_numpy()
    return rows[OUTPUT_COLUMNS + STAT_COLUMNS]  # the statistics stay for ad-hoc tests; measures.csv leaves them out


def _previous(year: str) -> str | None:
    """The year before a label: next_year run backwards."""
    start = int(year[:4]) - 1
    label = f"{start}/{(start + 1) % 100:02d}"
    return label if next_year(label) == year else None


def break_comparisons(rows: pd.DataFrame, breaks: set[tuple[str, str, str]]) -> pd.DataFrame:
    """Blank the comparisons where two years are not like for like. ``breaks`` holds (measure_id, breakdown,
    year) where the year differs from the one before (a survey question reworded that year): no comparison
    with the year before, and none with a baseline year before the break."""
    if not breaks:
        return rows
    rows = rows.copy()
    keys = pd.Series(list(zip(rows["measure_id"], rows["breakdown"], rows["year"])), index=rows.index)
    broken = keys.isin(breaks)
    rows.loc[broken, ["previous_value", "change"]] = np.nan
    rows.loc[broken, "significant"] = pd.NA
    since = pd.Series(False, index=rows.index)
    for measure_id, breakdown, year in breaks:
        since |= ((rows["measure_id"] == measure_id) & (rows["breakdown"] == breakdown)
                  & (rows["year"] >= year) & (rows["baseline_year"] < year))
    rows.loc[since, ["baseline_value", "change_since_baseline"]] = np.nan
    rows.loc[since, "significant_since_baseline"] = pd.NA
    return rows


def to_csv_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """measures.csv as the contract writes it: booleans as true/false, missing as empty."""
    out = rows[[c for c in OUTPUT_COLUMNS if c in rows.columns]].copy()
    for column in ("target_met", "significant", "significant_since_baseline"):
        if column in out.columns:
            out[column] = out[column].map({True: "true", False: "false"}).astype("object")
    return out.sort_values(["year", "measure_id", "breakdown"], kind="stable").reset_index(drop=True)
