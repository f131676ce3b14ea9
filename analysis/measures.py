"""Outcome measures: pure functions from canonical frames to tidy measure rows.

Every function returns rows with the columns of :data:`MEASURE_COLUMNS`, one
per year, measure and breakdown, and follows the counting rules of the data
contract (docs/data-contract.md, "How figures are counted"). Percentages are 100 x numerator / denominator, summed
before dividing (never an average of averages); a zero denominator gives a
missing value, not 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.calendar import (
    StandardOutcome,
    WorkingCalendar,
    financial_year,
    financial_year_start,
    financial_years,
    in_financial_year,
    next_year,
    to_days,
    within_standard,
    year_bounds,
    year_label,
    year_labels,
)
from analysis import engine
from analysis.config import Config, Standard
from analysis.engine import Records, Source

MEASURE_COLUMNS = ["year", "measure_id", "breakdown", "value", "numerator", "denominator", "unit"]
# Carried beside a rate for its tests of significance, never written to measures.csv: the Pearson chi-square
# of its monthly counts about the year's own rate and the number of months with a denominator (for the
# dispersion of the year on year test), and for net satisfaction the shares of good and poor ratings.
STAT_COLUMNS = ["monthly_chi2", "months", "good_share", "poor_share", "ratings"]
# The optional column each measure is counted from. Without it the counting rules would read "none" (every
# response late, nothing carried forward), so the measure is left empty: the data does not say.
MEASURE_NEEDS = {
    "actions_carried_forward": ("action_plan", "carried_from"),
    "responses_within_standard": ("contacts", "responded_at"),
    "acknowledgements_within_standard": ("contacts", "acknowledged_at"),
    "first_contact_resolution": ("contacts", "resolved_first_contact"),
    "complaints_acknowledged_within_standard": ("complaints", "acknowledged_at"),
    "complaints_responded_within_standard": ("complaints", "responded_at"),
    "complaints_responded_within_extension": ("complaints", "responded_at"),
    "complaints_upheld": ("complaints", "outcome"),
    "panel_open_rate": ("panel_invitations", "opened_on"),
    "panel_completion_rate": ("panel_invitations", "completed_on"),
    "ombudsman_remedy_complied": ("ombudsman", "remedy_complied"),
}


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("value", "numerator", "denominator") else "object")
                         for c in MEASURE_COLUMNS})


def _breakdown_label(name: str | None, values: pd.Series | None, length: int) -> pd.Series:
    if name is None:
        return pd.Series([""] * length, dtype="object")
    return (name + "=" + values.astype(str)).astype("object")


def rate_rows(measure_id: str, years: pd.Series, numerator, denominator, breakdowns: dict[str, pd.Series] | None = None,
              unit: str = "percent", scale: float = 100.0, include=None, months=None) -> pd.DataFrame:
    """Sum numerator and denominator by year (and each breakdown); value = scale x num / den.

    ``numerator`` and ``denominator`` are per-row weights (usually booleans);
    rows with a missing year, or outside ``include`` (the rows the measure applies
    to, e.g. channels that have a standard), are left out. With ``months`` (the
    month of each row), each row also carries how much its months vary about the
    year's rate (:func:`monthly_dispersion`), for the test of a change.
    """
    # Keys as categories: grouping millions of contacts by text keys is several times slower.
    base = pd.DataFrame({
        "year": _categories(years),
        "num": np.asarray(numerator, dtype="float64"),
        "den": np.asarray(denominator, dtype="float64"),
    })
    for name, values in (breakdowns or {}).items():
        base[name] = _categories(values)
    if months is not None:
        base["month"] = to_days(months).astype("datetime64[M]")
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
        frame = pd.DataFrame({
            "year": grouped["year"].to_numpy(),
            "measure_id": measure_id,
            "breakdown": _breakdown_label(name, grouped[name] if name else None, len(grouped)).to_numpy(),
            "value": value,
            "numerator": grouped["num"].to_numpy(),
            "denominator": grouped["den"].to_numpy(),
            "unit": unit,
        })
        if months is not None:
            by_month = part.groupby([*keys, "month"], sort=True, observed=True)[["num", "den"]].sum().reset_index()
            spread = monthly_dispersion(by_month, keys)
            spread = grouped[keys].merge(spread, on=keys, how="left")
            frame["monthly_chi2"] = spread["monthly_chi2"].to_numpy()
            frame["months"] = spread["months"].to_numpy()
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else _empty()


def _categories(values: pd.Series) -> pd.Categorical:
    """Values as a Categorical, reusing a category column's codes (no text hashed again)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.array.remove_unused_categories()
    return pd.Categorical(np.asarray(values.astype("object")))


def monthly_dispersion(by_month: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group: the Pearson chi-square of its monthly counts about the group's own yearly rate,
    sum over months of (x - n p)^2 / (n p (1 - p)), and the number of months with a denominator.

    Months vary more than chance alone allows (a bad winter, a new system); the test of a change in
    a percentage divides its z by the square root of the dispersion these give (quasi-binomial)."""
    with_den = by_month[by_month["den"] > 0]
    totals = with_den.groupby(keys, sort=False, observed=True)[["num", "den"]].transform("sum")
    rate = totals["num"] / totals["den"]
    expected_spread = with_den["den"] * rate * (1 - rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(expected_spread > 0, (with_den["num"] - with_den["den"] * rate) ** 2 / expected_spread, 0.0)
    out = with_den[keys].assign(monthly_chi2=term, months=1.0)
    return out.groupby(keys, sort=False, observed=True)[["monthly_chi2", "months"]].sum().reset_index()


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
        following = next_year(year)
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
    codes, uniques = pd.factorize(channels)  # compare small integer codes, not millions of strings
    position = {str(value): index for index, value in enumerate(uniques)}
    for channel, standard in standards.items():
        if channel not in position:
            continue
        is_channel = codes == position[channel]
        if not is_channel.any():
            continue
        for year in np.unique(year_starts[is_channel & ~np.isnan(year_starts)]):
            n[is_channel & (year_starts == year)] = standard.for_year(int(year))
    return n


def contact_outcome(contacts: pd.DataFrame, config: Config, calendar: WorkingCalendar, as_at: dt.date,
                    kind: str = "respond", year_starts: np.ndarray | None = None) -> StandardOutcome:
    """Each contact against its channel's response ('respond') or acknowledgement standard, record by record
    (for an ad-hoc look at a few thousand; the yearly figures count the same way in SQL, :func:`contact_cube`)."""
    standards = config.respond_within if kind == "respond" else config.acknowledge_within
    done = "responded_at" if kind == "respond" else "acknowledged_at"
    if year_starts is None:
        year_starts = financial_year_start(contacts["received_at"], config.year_start_month)
    n = standard_per_row(standards, contacts["channel"], year_starts)
    return within_standard(calendar, contacts["received_at"], contacts[done], n, as_at)


CONTACT_DATES = ["received_at", "acknowledged_at", "responded_at"]


def as_at_date(frame: Source, columns: list[str]) -> dt.date | None:
    """The data's 'as at' date: the latest timestamp in any of these columns."""
    if isinstance(frame, Records):
        return engine.latest(frame, columns)
    latest = max((frame[c].max() for c in columns if c in frame and frame[c].notna().any()), default=None)
    return None if latest is None or pd.isna(latest) else pd.Timestamp(latest).date()


def _no_records(records: Source | None) -> bool:
    return records is None or len(records) == 0


def contact_cube(contacts: Source, config: Config, calendar: WorkingCalendar,
                 as_at: dt.date | None = None) -> pd.DataFrame:
    """The contacts reduced by SQL to counts by year, month, channel, service and in-person place
    (:func:`analysis.engine.contact_cube`); every contacts figure is worked out from it. ``as_at`` defaults to
    the latest timestamp in the contacts."""
    as_at = as_at or as_at_date(contacts, CONTACT_DATES)
    return engine.contact_cube(contacts, config, calendar, as_at)


def _cube_years(cube: pd.DataFrame) -> pd.Series:
    """The financial year label of each cube row, as a category (missing where the record had no date)."""
    return year_labels(cube["year_start"])


def _contacts_counted(contacts: Source | None, cube: pd.DataFrame | None, config: Config,
                      calendar: WorkingCalendar, as_at: dt.date | None) -> pd.DataFrame | None:
    """The contacts' cube: the one given, or worked out now; None when there are no contacts or no rows."""
    if cube is None:
        if _no_records(contacts):
            return None
        cube = contact_cube(contacts, config, calendar, as_at)
    return None if cube.empty else cube


def _calls_counted(calls: Source | None, cube: tuple[pd.DataFrame, bool] | None,
                   config: Config) -> tuple[pd.DataFrame, bool] | None:
    """The calls' cube and whether callbacks are recorded: as given, or worked out now; None without rows."""
    if cube is None:
        if _no_records(calls):
            return None
        cube = call_cube(calls, config)
    return None if cube[0].empty else cube


def _channel_group(cube: pd.DataFrame, config: Config) -> pd.Series:
    # An extension of the contract: digital and non-digital channels as a breakdown of their own.
    return pd.Series(np.where(cube["channel"].isin(config.digital_channels), "digital", "non-digital"))


def _not_yet_due(cube: pd.DataFrame, kind: str) -> np.ndarray:
    """Contacts on a channel with the standard that are not yet due (no reply, deadline not passed)."""
    return (cube["contacts"] - cube[f"{kind}_due"]).to_numpy()


CONTACT_KINDS = {"responses_within_standard": ("respond", "responses"),
                 "acknowledgements_within_standard": ("acknowledge", "acknowledgements")}


def contact_measures(contacts: Source | None, config: Config, calendar: WorkingCalendar,
                     as_at: dt.date | None = None, cube: pd.DataFrame | None = None) -> pd.DataFrame:
    """contacts_received, digital_share, responses and acknowledgements within standard, first-contact resolution.

    ``cube``: :func:`contact_cube` of the contacts, when already worked out."""
    cube = _contacts_counted(contacts, cube, config, calendar, as_at)
    if cube is None:
        return _empty()
    years = _cube_years(cube)
    channel = cube["channel"]
    channel_group = _channel_group(cube, config)
    month = cube["month"]
    rows = [
        count_rows("contacts_received", years, {
            "channel": channel, "channel_group": channel_group, "location": cube["location"],
            "service": cube["service"]}, weights=cube["contacts"].to_numpy()),
        rate_rows("digital_share", years, cube["contacts"].where(channel.isin(config.digital_channels), 0.0),
                  cube["contacts"], months=month),
    ]
    for measure_id, (kind, counted) in CONTACT_KINDS.items():
        has_standard = channel.isin(list(config.respond_within if kind == "respond" else config.acknowledge_within))
        if has_standard.any():
            rows.append(rate_rows(measure_id, years, cube[f"{counted}_within"], cube[f"{counted}_due"],
                                  {"channel": channel, "channel_group": channel_group},
                                  include=has_standard.to_numpy(), months=month))
    recorded = cube["resolution_recorded"].to_numpy()
    if recorded.sum() > 0:
        recorded_channels = channel.isin(channel[recorded > 0].unique()).to_numpy()
        rows.append(rate_rows("first_contact_resolution", years, cube["resolved"], recorded, {"channel": channel},
                              include=recorded_channels, months=month))
    return pd.concat(rows, ignore_index=True)


# --- calls ----------------------------------------------------------------------------------


def call_outcomes(calls: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(answered, abandoned, callback) per call offered, record by record. A callback (the caller chose to be
    called back) is neither answered nor abandoned; callback is None when the data records no callbacks at all.
    The yearly figures count the same way in SQL (:func:`call_cube`)."""
    if "outcome" in calls.columns and calls["outcome"].notna().any():
        outcome = calls["outcome"]  # a category: compared without turning millions of calls into text
        answered = (outcome == "answered").to_numpy(dtype=bool, na_value=False)
        abandoned = (outcome == "abandoned").to_numpy(dtype=bool, na_value=False)
        callback = (outcome == "callback").to_numpy(dtype=bool, na_value=False)
        return answered, abandoned, callback if callback.any() else None
    answered = calls["answered"].fillna(False).to_numpy(dtype=bool)
    return answered, ~answered, None


def call_cube(calls: Source, config: Config) -> tuple[pd.DataFrame, bool]:
    """The calls reduced by SQL to counts by year and month (:func:`analysis.engine.call_cube`):
    (cube, whether the data records callbacks)."""
    return engine.call_cube(calls, config)


def call_measures(calls: Source | None, config: Config, cube: tuple[pd.DataFrame, bool] | None = None) -> pd.DataFrame:
    """calls_answered_within_standard, calls_abandoned (abandoned / offered), calls_callback (callbacks /
    offered, where the data records callbacks) and average_speed_of_answer.

    ``cube``: :func:`call_cube` of the calls, when already worked out."""
    counted = _calls_counted(calls, cube, config)
    if counted is None:
        return _empty()
    cube, callbacks = counted
    years = _cube_years(cube)
    offered = cube["offered"]
    month = cube["month"]
    speed = rate_rows("average_speed_of_answer", years, cube["wait_total"], cube["waits"], unit="seconds", scale=1.0)
    speed[["numerator", "denominator"]] = np.nan
    rows = [rate_rows("calls_abandoned", years, cube["abandoned"], offered, months=month), speed]
    if callbacks:
        rows.insert(1, rate_rows("calls_callback", years, cube["callback"], offered, months=month))
    if config.phone_answer_within_seconds is not None:
        rows.insert(0, rate_rows("calls_answered_within_standard", years, cube["answered_within"], cube["answered"],
                                 months=month))
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


# --- complaints -----------------------------------------------------------------------------

COMPLAINT_DATE_COLUMNS = ["received_at", "acknowledged_at", "responded_at"]
COMPLAINT_RATE_MEASURES = ("complaints_acknowledged_within_standard", "complaints_responded_within_standard",
                           "complaints_upheld")


def _complaint_stage(complaints: pd.DataFrame) -> pd.Series:
    """Stage as a nullable integer, so breakdown labels read ``stage=1`` whatever the input dtype."""
    return pd.to_numeric(complaints["stage"], errors="coerce").astype("Int64")


def complaint_response_start(complaints: pd.DataFrame) -> pd.Series:
    """When the response clock starts: the acknowledgement, or receipt when none is recorded.

    An acknowledgement recorded before receipt (a data error) is ignored and the
    clock starts at receipt.
    """
    received = complaints["received_at"]
    acknowledged = complaints["acknowledged_at"]
    use_ack = (acknowledged.notna() & (acknowledged >= received)).fillna(False)
    return acknowledged.where(use_ack, received)


def complaint_rate_parts(complaints: pd.DataFrame, config: Config, calendar: WorkingCalendar,
                         as_at: dt.date | None = None) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per complaint row, the numerator and denominator weights of each complaint rate measure.

    Returns ``{measure_id: (numerator, denominator, applies)}``: boolean arrays
    with one entry per row; ``applies`` marks the rows the measure is about (for
    the response measure, the stages that have a standard). A measure whose
    standard is missing from ``council.toml`` is absent.

    - acknowledged: within ``complaint_acknowledge_within`` working days of receipt;
    - responded: within the stage's standard, counted from the acknowledgement
      (from receipt when none is recorded); a row whose stage has no standard is
      in neither numerator nor denominator;
    - both use :func:`analysis.calendar.within_standard` (day 0, not yet due, overdue);
    - upheld: upheld or partly_upheld, of upheld, partly_upheld and not_upheld.
    """
    as_at = as_at or as_at_date(complaints, COMPLAINT_DATE_COLUMNS)
    parts: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    received = complaints["received_at"]
    everything = np.ones(len(complaints), dtype=bool)
    if config.complaint_acknowledge_within is not None:
        ack = within_standard(calendar, received, complaints["acknowledged_at"],
                              float(config.complaint_acknowledge_within), as_at)
        parts["complaints_acknowledged_within_standard"] = (ack.within, ack.due, everything)
    stage = _complaint_stage(complaints).to_numpy(dtype="float64", na_value=np.nan)
    n = np.full(len(complaints), np.nan)
    for number, standard in ((1, config.complaint_stage1_within), (2, config.complaint_stage2_within)):
        if standard is not None:
            n[stage == number] = standard
    if config.complaint_stage1_within is not None or config.complaint_stage2_within is not None:
        response = within_standard(calendar, complaint_response_start(complaints), complaints["responded_at"], n, as_at)
        parts["complaints_responded_within_standard"] = (response.within, response.due, ~np.isnan(n))
    outcome = complaints["outcome"].astype("object")
    upheld = outcome.isin(["upheld", "partly_upheld"]).to_numpy(dtype=bool)
    decided = outcome.isin(["upheld", "partly_upheld", "not_upheld"]).to_numpy(dtype=bool)
    parts["complaints_upheld"] = (upheld, decided, everything)
    return parts


def complaint_measures(complaints: pd.DataFrame | None, config: Config, calendar: WorkingCalendar,
                       as_at: dt.date | None = None) -> pd.DataFrame:
    """complaints_received (stage, service), and acknowledged / responded within standard and upheld (stage).

    A complaint row (one per complaint per stage) belongs to the financial year
    of its ``received_at``. Acknowledgement is counted from receipt; the stage 1
    and stage 2 responses from the acknowledgement date (from receipt when none
    is recorded), as in the Complaint Handling Code, with the contract's "not
    yet due" rule applied to the deadline counted from that same start.
    ``as_at`` defaults to the latest timestamp in the complaints. A standard
    missing from ``council.toml`` means its measure is not produced; the
    response measure is produced when either stage has a standard (the headline
    then pools only the stages that have one). Upheld is (upheld + partly_upheld)
    / (upheld + partly_upheld + not_upheld): withdrawn and open complaints, and
    those with no outcome, are left out.
    """
    if complaints is None or complaints.empty:
        return _empty()
    years = financial_year(complaints["received_at"], config.year_start_month)
    stage = {"stage": _complaint_stage(complaints)}
    rows = [count_rows("complaints_received", years, {**stage, "service": complaints["service"]})]
    for measure_id, (numerator, denominator, applies) in complaint_rate_parts(
            complaints, config, calendar, as_at).items():
        rows.append(rate_rows(measure_id, years, numerator, denominator, stage, include=applies,
                              months=complaints["received_at"]))
    return pd.concat(rows, ignore_index=True)


# --- the Complaint Handling Code's annual report --------------------------------------------

# How far the Code lets a council extend a stage's deadline, by agreement with the complainant and with
# reasons: working days after the standard deadline, by stage.
CODE_EXTENSION_WORKING_DAYS = {1: 10, 2: 20}
# The optional columns the Code's complaint measures are counted from. A council whose exports lack one gets
# no rows for its measures (not "none extended"): the data does not say.
COMPLAINT_CODE_NEEDS = {
    "complaints_extended": "extended_to",
    "complaints_responded_within_extension": "extended_to",
    "complaints_not_accepted": "not_accepted_reason",
}
OMBUDSMAN_BREAKDOWNS = ("ombudsman", "outcome")


@dataclass(frozen=True)
class ComplaintDeadlines:
    """Per complaint row, as calendar days (datetime64[D]; NaT where the row's stage has no standard).

    - ``standard``: working day N of the stage's standard, counted from the acknowledgement (from receipt when
      none), as :func:`complaint_rate_parts` counts it;
    - ``latest``: the latest deadline the Code allows an extension to, 10 (stage 1) or 20 (stage 2) working
      days after ``standard``;
    - ``extended``: ``extended_to``, a non-working day read as the next working day (NaT where none is set);
    - ``applies``: the deadline counted: ``extended`` kept between ``standard`` and ``latest`` (an extension
      never brings the deadline forward, nor takes it past what the Code allows), else ``standard``.
    """

    standard: np.ndarray
    latest: np.ndarray
    extended: np.ndarray
    applies: np.ndarray

    @property
    def has_standard(self) -> np.ndarray:
        return ~np.isnat(self.standard)

    @property
    def early(self) -> np.ndarray:
        """An ``extended_to`` before the standard deadline: not an extension (counted as the standard one)."""
        return self.has_standard & ~np.isnat(self.extended) & (self.extended < self.standard)

    @property
    def beyond(self) -> np.ndarray:
        """An ``extended_to`` later than the Code allows (counted as the latest it allows)."""
        return self.has_standard & ~np.isnat(self.extended) & (self.extended > self.latest)


def _roll_to_working_day(calendar: WorkingCalendar, days: np.ndarray) -> np.ndarray:
    """Each day, or the next working day when it is not one (NaT stays NaT): a response on a Saturday counts as
    on Monday, as in "within N working days"; a deadline agreed for a Sunday is met by Monday."""
    return calendar.add_working_days(days, np.where(np.isnat(days), np.nan, 0.0))


def complaint_deadlines(complaints: pd.DataFrame, config: Config, calendar: WorkingCalendar) -> ComplaintDeadlines:
    """Each complaint row's standard deadline, the latest extension the Code allows, and the deadline that
    applies (see :class:`ComplaintDeadlines`). Vectorised: numpy's business-day functions, no loop over rows."""
    stage = _complaint_stage(complaints).to_numpy(dtype="float64", na_value=np.nan)
    n = np.full(len(complaints), np.nan)
    extra = np.full(len(complaints), np.nan)
    for number, standard in ((1, config.complaint_stage1_within), (2, config.complaint_stage2_within)):
        if standard is not None:
            n[stage == number] = standard
            extra[stage == number] = standard + CODE_EXTENSION_WORKING_DAYS[number]
    start = to_days(complaint_response_start(complaints))
    standard = calendar.add_working_days(start, n)
    latest = calendar.add_working_days(start, extra)
    given = (to_days(complaints["extended_to"]) if "extended_to" in complaints
             else np.full(len(complaints), np.datetime64("NaT", "D")))
    extended = np.where(np.isnat(standard), np.datetime64("NaT", "D"), _roll_to_working_day(calendar, given))
    kept = np.minimum(np.maximum(extended, standard), latest)  # NaT where extended is NaT
    applies = np.where(np.isnat(extended), standard, kept)
    return ComplaintDeadlines(standard, latest, extended, applies)


def within_deadline(calendar: WorkingCalendar, done, deadline: np.ndarray, as_at: dt.date) -> StandardOutcome:
    """The contract's "within" and "not yet due" rules against a deadline given as a day, not as N.

    Done on or before the deadline (a non-working day counting as the next working day) is within; not done
    and the deadline on or after ``as_at`` is not yet due (left out); not done and the deadline before it is
    due and outside. Rows with no deadline (NaT) are left out. For a deadline that is working day N this
    gives what :func:`analysis.calendar.within_standard` gives."""
    done_days = _roll_to_working_day(calendar, to_days(done))
    has_deadline = ~np.isnat(deadline)
    is_done = ~np.isnat(done_days)
    overdue = ~is_done & has_deadline & (deadline < np.datetime64(as_at, "D"))
    due = has_deadline & (is_done | overdue)
    within = due & is_done & (done_days <= deadline)
    return StandardOutcome(due=due, within=within, working_days=np.full(len(deadline), np.nan))


def _columns_recorded(frame: pd.DataFrame, columns, recorded: Collection[str] | None) -> set[str]:
    """The optional columns the exports have: ``recorded`` when given (the loader knows which columns a file
    had), otherwise those with any value in ``frame``."""
    if recorded is not None:
        return set(recorded) & set(columns)
    return {c for c in columns if c in frame and frame[c].notna().any()}


def complaint_code_measures(complaints: pd.DataFrame | None, config: Config, calendar: WorkingCalendar,
                            as_at: dt.date | None = None, recorded: Collection[str] | None = None) -> pd.DataFrame:
    """complaints_extended (stage), complaints_responded_within_extension (stage) and complaints_not_accepted.

    - extended: complaint rows with ``extended_to`` / complaint rows received;
    - responded within the extension: responded on or before the deadline that applies
      (:func:`complaint_deadlines`: ``extended_to`` where set, kept within what the Code allows, otherwise the
      standard deadline) / due, with "not yet due" applied to that deadline; only stages with a standard, and
      only when ``[standards.complaints]`` gives one;
    - not accepted: complaint rows with a ``not_accepted_reason`` / complaint rows received (any text is a
      reason: the column is never read for its words).

    A measure whose column the exports do not record (``recorded``, the columns some file has; by default
    those with a value) gives no rows. ``complaints_responded_within_standard`` is unchanged by extensions.
    """
    if complaints is None or complaints.empty:
        return _empty()
    have = _columns_recorded(complaints, set(COMPLAINT_CODE_NEEDS.values()), recorded)
    years = financial_year(complaints["received_at"], config.year_start_month)
    stage = {"stage": _complaint_stage(complaints)}
    received = complaints["received_at"]
    everyone = np.ones(len(complaints))
    rows = []
    if "extended_to" in have:
        extended = complaints["extended_to"].notna().to_numpy()
        rows.append(rate_rows("complaints_extended", years, extended, everyone, stage, months=received))
        if config.complaint_stage1_within is not None or config.complaint_stage2_within is not None:
            deadlines = complaint_deadlines(complaints, config, calendar)
            as_at = as_at or as_at_date(complaints, COMPLAINT_DATE_COLUMNS)
            outcome = within_deadline(calendar, complaints["responded_at"], deadlines.applies, as_at)
            rows.append(rate_rows("complaints_responded_within_extension", years, outcome.within, outcome.due,
                                  stage, include=deadlines.has_standard, months=received))
    if "not_accepted_reason" in have:
        not_accepted = complaints["not_accepted_reason"].notna().to_numpy()
        rows.append(rate_rows("complaints_not_accepted", years, not_accepted, everyone, months=received))
    return pd.concat(rows, ignore_index=True) if rows else _empty()


def _counts_with_zeros(rows: pd.DataFrame) -> pd.DataFrame:
    """Count rows with a 0 for every breakdown value seen in any year, in each year that has a record: a year
    with decisions but none upheld says 0 upheld; a year with no decision at all still has no rows."""
    if rows.empty:
        return rows
    years = sorted(rows.loc[rows["breakdown"] == "", "year"].unique())
    labels = list(dict.fromkeys(rows["breakdown"]))
    full = pd.MultiIndex.from_product([years, labels], names=["year", "breakdown"])
    filled = rows.set_index(["year", "breakdown"]).reindex(full).reset_index()
    filled["measure_id"] = rows["measure_id"].iloc[0]
    filled["unit"] = "count"
    filled["value"] = filled["value"].fillna(0.0)
    return filled[MEASURE_COLUMNS]


def ombudsman_measures(ombudsman: pd.DataFrame | None, config: Config,
                       recorded: Collection[str] | None = None) -> pd.DataFrame:
    """ombudsman_decisions (ombudsman, outcome), ombudsman_upheld (ombudsman), ombudsman_remedy_complied
    (ombudsman), by the financial year of ``decided_on``.

    - decisions: a count. In a year with any decision, every Ombudsman and outcome seen in any year has a row
      (0 when none); a year with no decision has no rows at all, not zeros.
    - upheld: upheld / (upheld + not_upheld); decisions not investigated are left out.
    - remedy complied: ``remedy_complied`` true / decisions where it is recorded; no rows when the exports do
      not record it (``recorded``: the columns some file has; by default those with a value).
    """
    if ombudsman is None or ombudsman.empty:
        return _empty()
    decided_on = ombudsman["decided_on"]
    years = financial_year(decided_on, config.year_start_month)
    which = {"ombudsman": ombudsman["ombudsman"]}
    outcome = ombudsman["outcome"].astype("object")
    upheld = (outcome == "upheld").to_numpy(dtype=bool)
    decided = outcome.isin(["upheld", "not_upheld"]).to_numpy(dtype=bool)
    rows = [
        _counts_with_zeros(count_rows("ombudsman_decisions", years, {**which, "outcome": ombudsman["outcome"]})),
        rate_rows("ombudsman_upheld", years, upheld, decided, which, months=decided_on),
    ]
    if "remedy_complied" in _columns_recorded(ombudsman, {"remedy_complied"}, recorded):
        known = ombudsman["remedy_complied"].notna().to_numpy()
        complied = ombudsman["remedy_complied"].fillna(False).to_numpy(dtype=bool)
        rows.append(rate_rows("ombudsman_remedy_complied", years, complied, known, which, include=known,
                              months=decided_on))
    rows = [r for r in rows if not r.empty]
    return pd.concat(rows, ignore_index=True) if rows else _empty()


# --- feedback and survey --------------------------------------------------------------------


def feedback_measures(feedback: Source | None, config: Config) -> pd.DataFrame:
    """net_satisfaction by financial year of ``given_at``: headline and by channel.

    100 x (good - poor) / all ratings, a score from -100 to 100 (unit ``score``);
    numerator and denominator are left empty because the score is not a
    percentage. Rows with no rating are left out. Counted by SQL (:func:`analysis.engine.feedback_cube`).
    """
    if _no_records(feedback):
        return _empty()
    cube = engine.feedback_cube(feedback, config)
    if cube.empty:
        return _empty()
    years = _cube_years(cube)
    good, poor, rated = cube["good"].to_numpy(), cube["poor"].to_numpy(), cube["ratings"].to_numpy()
    include = rated > 0
    channel = {"channel": cube["channel"]}
    rows = rate_rows("net_satisfaction", years, good - poor, rated, channel, unit="score", include=include)
    # The shares of good and poor ratings, for the test of a change in the score (its own variance).
    rows["good_share"] = rate_rows("good", years, good, rated, channel, include=include, scale=1.0)["value"].to_numpy()
    rows["poor_share"] = rate_rows("poor", years, poor, rated, channel, include=include, scale=1.0)["value"].to_numpy()
    rows["ratings"] = rows["denominator"]
    rows[["numerator", "denominator"]] = np.nan
    return rows


def record_years(records: Source, column: str, start_month: int) -> list[str]:
    """The financial years (labels, in order) that ``column`` of the records has dates in."""
    if isinstance(records, Records):
        return [year_label(s) for s in engine.year_starts(records, column, start_month)]
    return financial_years(records[column], start_month)


def survey_measures(survey: pd.DataFrame | None, config: Config) -> pd.DataFrame:
    """survey_positive by ``survey_year``, one row per question (breakdown ``question_id=...``).

    Answers in the question's ``positive`` list (``[survey.questions.ID]`` in
    council.toml) as a percentage of every answer to that question, "Don't know"
    and the like included. Respondents are counted unweighted. There is no
    headline row: a percentage pooled over different questions (different
    scales, different positives) means nothing. Questions not in council.toml
    are left out (the loader reports them).
    """
    if survey is None or survey.empty:
        return _empty()
    question = survey["question_id"].astype("object")
    answer = survey["answer"].astype("object")
    known = (question.isin(list(config.survey_questions)) & answer.notna()).to_numpy()
    positive_pairs = [(qid, a) for qid, spec in config.survey_questions.items() for a in spec.positive]
    if positive_pairs:
        pairs = pd.MultiIndex.from_arrays([question.fillna("").to_numpy(), answer.fillna("").to_numpy()])
        positive = pairs.isin(positive_pairs) & known
    else:
        positive = np.zeros(len(survey), dtype=bool)
    rows = rate_rows("survey_positive", survey["survey_year"], positive, known, {"question_id": question},
                     include=known)
    return rows[rows["breakdown"] != ""].reset_index(drop=True)


# --- Citizens' Panel ------------------------------------------------------------------------

PANEL_DIMENSIONS = ("age_band", "sex")


def _panel_years(panel: pd.DataFrame | None, invitations: pd.DataFrame | None, config: Config) -> list[str]:
    """Every financial year from the earliest to the latest date in the panel and its invitations."""
    dates = []
    for frame, columns in ((panel, ["joined_on", "left_on"]),
                           (invitations, ["invited_on", "opened_on", "completed_on"])):
        if frame is not None and not frame.empty:
            dates += [frame[c] for c in columns if c in frame]
    if not dates:
        return []
    starts = financial_year_start(pd.concat(dates, ignore_index=True).dropna(), config.year_start_month)
    if len(starts) == 0:
        return []
    return [year_label(y) for y in range(int(starts.min()), int(starts.max()) + 1)]


def panel_active(panel: pd.DataFrame, years: list[str], start_month: int = 4) -> np.ndarray:
    """Boolean matrix (members x years): active on the last day of each financial year.

    Active means ``joined_on`` on or before that day and ``left_on`` empty or after
    it: a member who joined on the last day counts; one who left on it does not.
    """
    ends = np.array([np.datetime64(year_bounds(y, start_month)[1], "D") for y in years], dtype="datetime64[D]")
    joined = to_days(panel["joined_on"])[:, None]
    left = to_days(panel["left_on"])[:, None]
    return (joined <= ends[None, :]) & (np.isnat(left) | (left > ends[None, :]))


def panel_measures(panel: pd.DataFrame | None, population: pd.DataFrame | None,
                   invitations: pd.DataFrame | None, config: Config, years: list[str] | None) -> pd.DataFrame:
    """panel_members, panel_representation, panel_open_rate and panel_completion_rate.

    - ``panel_members`` (headline, ``age_band``, ``sex``): members active on the
      last day of each year in ``years`` (see :func:`panel_active`). Every year in
      ``years`` has a headline row (0 when nobody was active); a category recorded
      for any member has a row in every year (0 when none of them was active).
    - ``panel_representation`` (``age_band=...``, ``sex=...``; no headline): the
      category's share of the active members whose dimension is recorded, divided
      by its share of the ``population`` rows of that dimension (unit ``ratio``;
      1 is representative). A population category with no active member gives 0;
      a panel category missing from the population, or a year with no active
      member recorded, gives an empty value. A dimension without population rows
      (or ``population`` None) gives no rows.
    - ``panel_open_rate`` / ``panel_completion_rate`` (headline and
      ``consultation_id``): invitations with ``opened_on`` / ``completed_on``
      recorded, of all invitations; a consultation belongs to the financial year
      of its earliest ``invited_on``.

    Only the years in ``years`` are returned (``None``: every year from the
    earliest to the latest date in the panel and invitations).
    """
    if years is None:
        years = _panel_years(panel, invitations, config)
    years = list(years)
    rows = []
    if panel is not None and not panel.empty and years:
        active = panel_active(panel, years, config.year_start_month)
        counts = {dim: _active_counts(panel[dim], active, years) for dim in PANEL_DIMENSIONS if dim in panel}
        rows.append(_count_matrix_rows("panel_members", pd.DataFrame({"": active.sum(axis=0)}, index=years),
                                       None, "count"))
        rows += [_count_matrix_rows("panel_members", table, dim, "count") for dim, table in counts.items()]
        if population is not None and not population.empty:
            rows += [_representation_rows(dim, table, population) for dim, table in counts.items()]
    if invitations is not None and not invitations.empty:
        first_invited = invitations.groupby("consultation_id", sort=False, observed=True)["invited_on"].transform("min")
        consultation_years = financial_year(first_invited, config.year_start_month)
        consultation_years = consultation_years.where(consultation_years.isin(years))
        invited = np.ones(len(invitations))
        consultation = {"consultation_id": invitations["consultation_id"]}
        rows.append(rate_rows("panel_open_rate", consultation_years, invitations["opened_on"].notna().to_numpy(),
                              invited, consultation))
        rows.append(rate_rows("panel_completion_rate", consultation_years,
                              invitations["completed_on"].notna().to_numpy(), invited, consultation))
    rows = [r for r in rows if not r.empty]
    return pd.concat(rows, ignore_index=True) if rows else _empty()


def _active_counts(values: pd.Series, active: np.ndarray, years: list[str]) -> pd.DataFrame:
    """Years x categories: active members in each category (members with no category left out)."""
    codes, categories = pd.factorize(values.astype("object"), sort=True)
    recorded = codes >= 0
    k = len(categories)
    # One bincount over (year, category) pairs of the members x years matrix: no loop over members.
    cells = (np.arange(len(years))[None, :] * k + codes[:, None])[recorded]
    weights = active[recorded].astype("float64")
    matrix = np.bincount(cells.ravel(), weights=weights.ravel(), minlength=len(years) * k).reshape(len(years), k)
    return pd.DataFrame(matrix, index=pd.Index(years, name="year"),
                        columns=pd.Index([str(c) for c in categories], name="category"))


def _count_matrix_rows(measure_id: str, table: pd.DataFrame, dim: str | None, unit: str) -> pd.DataFrame:
    """Measure rows from a years x categories table (``dim`` None: the single column is the headline)."""
    long = table.stack(future_stack=True).rename("value").reset_index()
    long.columns = ["year", "category", "value"]
    breakdown = "" if dim is None else (dim + "=" + long["category"].astype(str)).astype("object").to_numpy()
    return pd.DataFrame({
        "year": long["year"].astype("object").to_numpy(),
        "measure_id": measure_id,
        "breakdown": breakdown,
        "value": long["value"].to_numpy(dtype="float64"),
        "numerator": np.nan,
        "denominator": np.nan,
        "unit": unit,
    })


def _representation_rows(dim: str, counts: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """panel_representation rows of one dimension from its years x categories active counts."""
    pop = population[(population["dimension"].astype("object") == dim).to_numpy()]
    if pop.empty:
        return _empty()
    pop_counts = pop.groupby(pop["category"].astype(str).to_numpy(), sort=True)["count"].sum().astype("float64")
    pop_total = pop_counts.sum()
    pop_share = pop_counts / pop_total if pop_total > 0 else pop_counts * np.nan
    categories = sorted(set(pop_counts.index) | set(counts.columns))
    counts = counts.reindex(columns=categories, fill_value=0.0)
    totals = counts.sum(axis=1)
    panel_share = counts.div(totals.where(totals > 0), axis=0)
    pop_share = pop_share.reindex(categories)
    ratio = panel_share.div(pop_share.where(pop_share > 0), axis=1)
    ratio.columns.name = "category"
    return _count_matrix_rows("panel_representation", ratio, dim, "ratio")


# --- monthly series for SPC charts ----------------------------------------------------------

MONTHLY_COLUMNS = ["numerator", "denominator", "value"]


def _empty_monthly() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in MONTHLY_COLUMNS},
                        index=pd.PeriodIndex([], freq="M", name="month"))


def monthly_rate(timestamps, numerator, denominator, include=None, scale: float = 100.0) -> pd.DataFrame:
    """Sum numerator and denominator by calendar month of ``timestamps``; value = scale x num / den.

    The shape of every monthly function here: a frame indexed by a monthly
    ``PeriodIndex`` named ``month``, with float columns ``numerator``,
    ``denominator`` and ``value``. Every month from the first to the last with a
    row is present; a month with no rows (or a zero denominator) has value NaN.
    Rows with no timestamp, or outside ``include``, are left out.
    """
    months = to_days(timestamps).astype("datetime64[M]")
    num = np.broadcast_to(np.asarray(numerator, dtype="float64"), months.shape)
    den = np.broadcast_to(np.asarray(denominator, dtype="float64"), months.shape)
    keep = ~np.isnat(months) & ~np.isnan(den)
    if include is not None:
        keep &= np.asarray(include, dtype=bool)
    if not keep.any():
        return _empty_monthly()
    months = months[keep]
    sums = pd.DataFrame({"numerator": num[keep], "denominator": den[keep]}).groupby(months).sum()
    every_month = np.arange(months.min(), months.max() + np.timedelta64(1, "M"), dtype="datetime64[M]")
    sums = sums.reindex(every_month, fill_value=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(sums["denominator"] > 0, scale * sums["numerator"] / sums["denominator"], np.nan)
    index = pd.DatetimeIndex(every_month.astype("datetime64[ns]")).to_period("M").rename("month")
    return pd.DataFrame({"numerator": sums["numerator"].to_numpy(), "denominator": sums["denominator"].to_numpy(),
                         "value": value}, index=index)


def monthly_mean(timestamps, values, include=None) -> pd.DataFrame:
    """Mean of ``values`` by calendar month (``numerator`` = their sum, ``denominator`` = how many).

    Same shape as :func:`monthly_rate`; missing values are left out.
    """
    values = np.asarray(values, dtype="float64")
    keep = ~np.isnan(values)
    if include is not None:
        keep &= np.asarray(include, dtype=bool)
    return monthly_rate(timestamps, np.where(keep, values, 0.0), keep.astype("float64"), include=keep, scale=1.0)


CONTACT_MONTHLY = ("responses_within_standard", "acknowledgements_within_standard", "digital_share",
                   "first_contact_resolution")
CALL_MONTHLY = ("calls_answered_within_standard", "calls_abandoned", "calls_callback", "average_speed_of_answer")


def _unknown_measure(measure_id: str, known: tuple[str, ...]) -> ValueError:
    return ValueError(f'No monthly series for "{measure_id}": use one of {", ".join(known)}')


def contact_monthly_series(contacts: Source | None, config: Config, calendar: WorkingCalendar,
                           as_at: dt.date | None, measure_id: str, cube: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monthly series of a contacts measure, all channels pooled, by month of ``received_at``.

    ``measure_id`` is one of :data:`CONTACT_MONTHLY`; responses and
    acknowledgements pool every channel that has a standard, with the same
    "not yet due" rule as the yearly figure (``as_at`` defaults to the latest
    timestamp in the contacts). Shape as :func:`monthly_rate`. ``cube``: :func:`contact_cube` of the
    contacts, when already worked out.
    """
    if measure_id not in CONTACT_MONTHLY:
        raise _unknown_measure(measure_id, CONTACT_MONTHLY)
    cube = _contacts_counted(contacts, cube, config, calendar, as_at)
    if cube is None:
        return _empty_monthly()
    month = cube["month"]
    channel = cube["channel"]
    if measure_id in CONTACT_KINDS:
        kind, counted = CONTACT_KINDS[measure_id]
        standards = config.respond_within if kind == "respond" else config.acknowledge_within
        applies = channel.isin(list(standards)).to_numpy()
        series = monthly_rate(month, cube[f"{counted}_within"], cube[f"{counted}_due"], include=applies)
        return _with_not_yet_due(series, month, _not_yet_due(cube, counted), applies)
    if measure_id == "digital_share":
        return monthly_rate(month, cube["contacts"].where(channel.isin(config.digital_channels), 0.0),
                            cube["contacts"])
    recorded = cube["resolution_recorded"].to_numpy()
    return monthly_rate(month, cube["resolved"], recorded, include=recorded > 0)


def call_monthly_series(calls: Source | None, config: Config, measure_id: str,
                        cube: tuple[pd.DataFrame, bool] | None = None) -> pd.DataFrame:
    """Monthly series of a calls measure (:data:`CALL_MONTHLY`) by month of ``offered_at``.

    ``average_speed_of_answer`` is a mean in seconds (numerator: total wait of
    answered calls; denominator: answered calls). With no phone standard in
    council.toml, ``calls_answered_within_standard`` is empty. Shape as
    :func:`monthly_rate`. ``cube``: :func:`call_cube` of the calls, when already worked out.
    """
    if measure_id not in CALL_MONTHLY:
        raise _unknown_measure(measure_id, CALL_MONTHLY)
    counted = _calls_counted(calls, cube, config)
    if counted is None:
        return _empty_monthly()
    cube, callbacks = counted
    month = cube["month"]
    if measure_id == "calls_abandoned":
        return monthly_rate(month, cube["abandoned"], cube["offered"])
    if measure_id == "calls_callback":
        return monthly_rate(month, cube["callback"], cube["offered"]) if callbacks else _empty_monthly()
    if measure_id == "average_speed_of_answer":
        waits = cube["waits"].to_numpy()
        return monthly_rate(month, cube["wait_total"], waits, include=waits > 0, scale=1.0)
    if config.phone_answer_within_seconds is None:
        return _empty_monthly()
    return monthly_rate(month, cube["answered_within"], cube["answered"])


def complaint_monthly_series(complaints: pd.DataFrame | None, config: Config, calendar: WorkingCalendar,
                             as_at: dt.date | None, measure_id: str) -> pd.DataFrame:
    """Monthly series of a complaint rate measure (:data:`COMPLAINT_RATE_MEASURES`), stages pooled.

    By month of ``received_at``, counted as in :func:`complaint_measures`; empty
    when the measure's standard is missing from council.toml. Shape as
    :func:`monthly_rate`.
    """
    if measure_id not in COMPLAINT_RATE_MEASURES:
        raise _unknown_measure(measure_id, COMPLAINT_RATE_MEASURES)
    if complaints is None or complaints.empty:
        return _empty_monthly()
    parts = complaint_rate_parts(complaints, config, calendar, as_at)
    if measure_id not in parts:
        return _empty_monthly()
    numerator, denominator, applies = parts[measure_id]
    series = monthly_rate(complaints["received_at"], numerator, denominator, include=applies)
    if measure_id == "complaints_upheld":
        return series
    waiting = np.asarray(applies, dtype=bool) & ~np.asarray(denominator, dtype=bool)
    return _with_not_yet_due(series, complaints["received_at"], waiting, applies)


def _with_not_yet_due(series: pd.DataFrame, timestamps, not_yet_due, include) -> pd.DataFrame:
    """Add each month's count of items not yet due (left out of its percentage): a month with some is not
    final, since they may yet be answered late."""
    if series.empty:
        return series
    counts = monthly_rate(timestamps, np.asarray(not_yet_due, dtype="float64"), 1.0, include=include)["numerator"]
    return series.assign(not_yet_due=counts.reindex(series.index, fill_value=0.0).to_numpy())


# --- facts the yearly pages state, worked out once per run ----------------------------------


def not_yet_due_count(contacts: Source | None, config: Config, calendar: WorkingCalendar,
                      as_at: dt.date | None, year: str, cube: pd.DataFrame | None = None) -> int | None:
    """Contacts received in ``year`` on a channel with a response standard, with no response yet and
    not yet due at ``as_at``: left out of the percentages. None without contacts or an as-at date."""
    if contacts is None or as_at is None:
        return None
    cube = _contacts_counted(contacts, cube, config, calendar, as_at)
    if cube is None:
        return 0
    in_year = (_cube_years(cube) == year).to_numpy()
    has_standard = cube["channel"].isin(list(config.respond_within)).to_numpy()
    return int(_not_yet_due(cube, "responses")[in_year & has_standard].sum())


def in_person_location(contacts: pd.DataFrame) -> pd.Series:
    """The place of each in-person visit; missing for contacts on other channels, whose location a CRM may
    fill with the office that logged them (a phone case at the council offices is not a visit)."""
    return contacts["location"].where(contacts["channel"].astype("object") == "in_person")


def in_person_purposes(contacts: Source | None, config: Config, year: str,
                       cube: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """In-person visits in ``year`` per place and purpose (category; "not recorded" where empty):
    location, category, visits, share (% of the place's visits), most visits first within each place."""
    if contacts is None:
        return None
    cube = _contacts_counted(contacts, cube, config, WorkingCalendar.for_council(config), None)
    if cube is None:  # no visits: the table's columns, no rows
        cube = pd.DataFrame(columns=engine.CONTACT_CUBE_KEYS + engine.CONTACT_CUBE_SUMS)
    visits = cube[(_cube_years(cube) == year).to_numpy() & cube["location"].notna().to_numpy()]
    visits = visits.assign(category=visits["in_person_category"].astype("object").fillna("not recorded"))
    counts = visits.groupby(["location", "category"])["contacts"].sum().rename("visits").reset_index()
    counts["visits"] = counts["visits"].astype("int64")
    counts = counts.sort_values(["location", "visits"], ascending=[True, False])
    counts["share"] = 100 * counts["visits"] / counts.groupby("location")["visits"].transform("sum")
    return counts.reset_index(drop=True)
