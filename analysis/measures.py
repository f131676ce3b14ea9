"""Outcome measures: pure functions from canonical frames to tidy measure rows.

Every function returns rows with the columns of :data:`MEASURE_COLUMNS`, one
per year, measure and breakdown, and follows the counting rules of the data
contract (section 4). Percentages are 100 x numerator / denominator, summed
before dividing (never an average of averages); a zero denominator gives a
missing value, not 0.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analysis.calendar import (
    StandardOutcome,
    WorkingCalendar,
    financial_year,
    financial_year_start,
    to_days,
    within_standard,
    year_bounds,
    year_label,
)
from analysis.config import Config, Standard

MEASURE_COLUMNS = ["year", "measure_id", "breakdown", "value", "numerator", "denominator", "unit"]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("value", "numerator", "denominator") else "object")
                         for c in MEASURE_COLUMNS})


def _breakdown_label(name: str | None, values: pd.Series | None, length: int) -> pd.Series:
    if name is None:
        return pd.Series([""] * length, dtype="object")
    return (name + "=" + values.astype(str)).astype("object")


def rate_rows(measure_id: str, years: pd.Series, numerator, denominator, breakdowns: dict[str, pd.Series] | None = None,
              unit: str = "percent", scale: float = 100.0, include=None) -> pd.DataFrame:
    """Sum numerator and denominator by year (and each breakdown); value = scale x num / den.

    ``numerator`` and ``denominator`` are per-row weights (usually booleans);
    rows with a missing year, or outside ``include`` (the rows the measure applies
    to, e.g. channels that have a standard), are left out.
    """
    base = pd.DataFrame({
        "year": years.astype("object"),
        "num": np.asarray(numerator, dtype="float64"),
        "den": np.asarray(denominator, dtype="float64"),
    })
    for name, values in (breakdowns or {}).items():
        base[name] = values.astype("object").to_numpy()
    keep = base["year"].notna().to_numpy().copy()
    if include is not None:
        keep &= np.asarray(include, dtype=bool)
    base = base[keep]
    frames = []
    for name in [None, *(breakdowns or {})]:
        keys = ["year"] if name is None else ["year", name]
        part = base if name is None else base[base[name].notna()]
        grouped = part.groupby(keys, sort=True, observed=True)[["num", "den"]].sum().reset_index()
        grouped = grouped[grouped["den"].notna()]
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(grouped["den"] > 0, scale * grouped["num"] / grouped["den"].where(grouped["den"] > 0), np.nan)
        frames.append(pd.DataFrame({
            "year": grouped["year"].to_numpy(),
            "measure_id": measure_id,
            "breakdown": _breakdown_label(name, grouped[name] if name else None, len(grouped)).to_numpy(),
            "value": value,
            "numerator": grouped["num"].to_numpy(),
            "denominator": grouped["den"].to_numpy(),
            "unit": unit,
        }))
    return pd.concat(frames, ignore_index=True) if frames else _empty()


def count_rows(measure_id: str, years: pd.Series, breakdowns: dict[str, pd.Series] | None = None,
               weights=None, unit: str = "count") -> pd.DataFrame:
    """Count rows (or sum ``weights``) by year and each breakdown; no numerator/denominator."""
    ones = np.ones(len(years)) if weights is None else weights
    rows = rate_rows(measure_id, years, ones, np.ones(len(years)), breakdowns, unit=unit)
    rows["value"] = rows["numerator"]
    rows[["numerator", "denominator"]] = np.nan
    return rows


def mean_rows(measure_id: str, years: pd.Series, values, include, unit: str) -> pd.DataFrame:
    """Mean of ``values`` over included rows by year."""
    values = np.asarray(values, dtype="float64")
    include = np.asarray(include, dtype=bool) & ~np.isnan(values)
    rows = rate_rows(measure_id, years, np.where(include, values, 0.0), include, unit=unit, scale=1.0)
    rows[["numerator", "denominator"]] = np.nan
    return rows


# --- action plan ----------------------------------------------------------------------------


def _next_year(label: str) -> str:
    start = int(label[:4]) + 1
    return f"{start}/{(start + 1) % 100:02d}"


def action_plan_measures(action_plan: pd.DataFrame) -> pd.DataFrame:
    """actions_achieved (theme), actions_not_achieved (theme) and actions_carried_forward."""
    if action_plan is None or action_plan.empty:
        return _empty()
    years = action_plan["plan_year"].astype("object")
    achieved = (action_plan["status"] == "achieved").fillna(False).to_numpy()
    not_achieved = (action_plan["status"] == "not_achieved").fillna(False).to_numpy()
    themes = {"theme": action_plan["theme"]}
    rows = [
        rate_rows("actions_achieved", years, achieved, np.ones(len(years)), themes),
        count_rows("actions_not_achieved", years, themes, weights=not_achieved),
    ]
    plan_years = sorted(set(years))
    carried_from_year = action_plan["carried_from"].astype("string").str.slice(0, 7)
    carried = []
    for year in plan_years:
        following = _next_year(year)
        count = float((carried_from_year == year).sum()) if following in plan_years else np.nan
        carried.append({"year": year, "measure_id": "actions_carried_forward", "breakdown": "", "value": count,
                        "numerator": np.nan, "denominator": np.nan, "unit": "count"})
    rows.append(pd.DataFrame(carried, columns=MEASURE_COLUMNS))
    return pd.concat(rows, ignore_index=True)


def actions_not_achieved(action_plan: pd.DataFrame, year: str) -> pd.DataFrame:
    """The year's actions not achieved, each with where (if anywhere) it was carried forward."""
    plan = action_plan[action_plan["plan_year"] == year]
    missed = plan[plan["status"] == "not_achieved"][["action_id", "theme", "action", "progress_note"]].copy()
    successors = action_plan[action_plan["carried_from"].notna()].copy()
    successors["source"] = successors["carried_from"].astype(str)
    successors["carried_to"] = successors["plan_year"] + " action " + successors["action_id"]
    missed["source"] = year + ":" + missed["action_id"].astype(str)
    missed = missed.merge(successors[["source", "carried_to"]], on="source", how="left").drop(columns="source")
    missed["carried_to"] = missed["carried_to"].fillna("not carried forward")
    return missed.reset_index(drop=True)


def carry_forward_chains(action_plan: pd.DataFrame) -> pd.DataFrame:
    """Every action with how many times it has been carried forward (0 for a new action).

    Follows ``carried_from`` links back one plan year at a time; the loop is over
    links in a chain (a handful), never over actions.
    """
    plan = action_plan[["plan_year", "action_id", "theme", "action", "status", "carried_from"]].copy()
    plan["key"] = plan["plan_year"].astype(str) + ":" + plan["action_id"].astype(str)
    parent = dict(zip(plan["key"], plan["carried_from"].astype("object")))
    plan["times_carried"] = 0
    plan["first_planned"] = plan["plan_year"].astype(str)
    current = plan["carried_from"].astype("object")
    for _ in range(len(set(plan["plan_year"]))):
        has_link = current.notna()
        if not has_link.any():
            break
        plan.loc[has_link, "times_carried"] += 1
        plan.loc[has_link, "first_planned"] = current[has_link].astype(str).str.slice(0, 7)
        current = current.map(lambda key: parent.get(key) if isinstance(key, str) else None)
    return plan.drop(columns="key")


# --- contacts -------------------------------------------------------------------------------


def standard_per_row(standards: dict[str, Standard], channels: pd.Series, year_starts: np.ndarray) -> np.ndarray:
    """The N of each contact's channel standard in the year it was received (NaN: no standard)."""
    n = np.full(len(channels), np.nan)
    channel_values = channels.astype("object").to_numpy()
    for channel, standard in standards.items():
        is_channel = channel_values == channel
        if not is_channel.any():
            continue
        for year in np.unique(year_starts[is_channel & ~np.isnan(year_starts)]):
            n[is_channel & (year_starts == year)] = standard.for_year(int(year))
    return n


def contact_outcome(contacts: pd.DataFrame, config: Config, calendar: WorkingCalendar, as_at: dt.date,
                    kind: str = "respond", year_starts: np.ndarray | None = None) -> StandardOutcome:
    """Each contact against its channel's response ('respond') or acknowledgement standard."""
    standards = config.respond_within if kind == "respond" else config.acknowledge_within
    done = "responded_at" if kind == "respond" else "acknowledged_at"
    if year_starts is None:
        year_starts = financial_year_start(contacts["received_at"], config.year_start_month)
    n = standard_per_row(standards, contacts["channel"], year_starts)
    return within_standard(calendar, contacts["received_at"], contacts[done], n, as_at)


def as_at_date(frame: pd.DataFrame, columns: list[str]) -> dt.date | None:
    """The data's 'as at' date: the latest timestamp in any of these columns."""
    latest = max((frame[c].max() for c in columns if c in frame and frame[c].notna().any()), default=None)
    return None if latest is None or pd.isna(latest) else pd.Timestamp(latest).date()


def contact_measures(contacts: pd.DataFrame, config: Config, calendar: WorkingCalendar,
                     as_at: dt.date | None = None) -> pd.DataFrame:
    """contacts_received, digital_share, responses and acknowledgements within standard, first-contact resolution."""
    if contacts is None or contacts.empty:
        return _empty()
    as_at = as_at or as_at_date(contacts, ["received_at", "acknowledged_at", "responded_at"])
    years = financial_year(contacts["received_at"], config.year_start_month)
    year_starts = financial_year_start(contacts["received_at"], config.year_start_month)
    channel = contacts["channel"]
    rows = [
        count_rows("contacts_received", years, {
            "channel": channel, "location": contacts["location"], "service": contacts["service"]}),
        rate_rows("digital_share", years, channel.isin(config.digital_channels).to_numpy(), np.ones(len(years))),
    ]
    for measure_id, kind in (("responses_within_standard", "respond"),
                             ("acknowledgements_within_standard", "acknowledge")):
        outcome = contact_outcome(contacts, config, calendar, as_at, kind, year_starts)
        has_standard = channel.isin(list(config.respond_within if kind == "respond" else config.acknowledge_within))
        if has_standard.any():
            rows.append(rate_rows(measure_id, years, outcome.within, outcome.due, {"channel": channel},
                                  include=has_standard.to_numpy()))
    recorded = contacts["resolved_first_contact"].notna().to_numpy()
    if recorded.any():
        resolved = contacts["resolved_first_contact"].fillna(False).to_numpy(dtype=bool)
        recorded_channels = channel.isin(channel[recorded].unique()).to_numpy()
        rows.append(rate_rows("first_contact_resolution", years, resolved, recorded, {"channel": channel},
                              include=recorded_channels))
    return pd.concat(rows, ignore_index=True)


# --- calls ----------------------------------------------------------------------------------


def call_measures(calls: pd.DataFrame, config: Config) -> pd.DataFrame:
    """calls_answered_within_standard, calls_abandoned and average_speed_of_answer."""
    if calls is None or calls.empty:
        return _empty()
    years = financial_year(calls["offered_at"], config.year_start_month)
    answered = calls["answered"].fillna(False).to_numpy(dtype=bool)
    wait = calls["wait_seconds"].to_numpy(dtype="float64")
    rows = [
        rate_rows("calls_abandoned", years, ~answered, np.ones(len(years))),
        mean_rows("average_speed_of_answer", years, wait, answered, unit="seconds"),
    ]
    if config.phone_answer_within_seconds is not None:
        quick = answered & (wait <= config.phone_answer_within_seconds)
        rows.insert(0, rate_rows("calls_answered_within_standard", years, quick, answered))
    return pd.concat(rows, ignore_index=True)


# --- register and manual measures -----------------------------------------------------------


def manual_measure_rows(manual: pd.DataFrame | None, register: pd.DataFrame | None) -> pd.DataFrame:
    """Values reported by services, as measure rows (unit from the register)."""
    if manual is None or manual.empty:
        return _empty()
    units = dict(zip(register["measure_id"], register["unit"])) if register is not None else {}
    return pd.DataFrame({
        "year": manual["year"].astype("object"),
        "measure_id": manual["measure_id"].astype("object"),
        "breakdown": "",
        "value": manual["value"].astype("float64"),
        "numerator": np.nan,
        "denominator": np.nan,
        "unit": manual["measure_id"].map(units).fillna("count").astype("object"),
    })
