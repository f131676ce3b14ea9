"""Tables and words for members: numbers formatted for reading, small counts suppressed, text escaped.

Members' pages never show a count from 1 to ``disclosure.minimum_count - 1``
nor a percentage whose base is below it; words stand in for them. Every
string from the data is HTML-escaped here, so a progress note can never
become markup.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from analysis.calendar import year_start
from analysis.measures import MEASURE_NEEDS

MEASURE_NAMES = {
    "actions_achieved": "Actions achieved",
    "actions_not_achieved": "Actions not achieved",
    "actions_carried_forward": "Actions carried forward to the next year",
    "contacts_received": "Contacts received",
    "digital_share": "Contacts made online (digital share)",
    "responses_within_standard": "Responses within the standard",
    "acknowledgements_within_standard": "Acknowledgements within the standard",
    "first_contact_resolution": "Resolved at first contact",
    "calls_answered_within_standard": "Calls answered within the standard",
    "calls_abandoned": "Calls abandoned",
    "calls_callback": "Calls ended in a callback",
    "average_speed_of_answer": "Average time to answer a call",
}
CHANNEL_NAMES = {
    "email": "Email", "letter": "Letter", "online_form": "Online form", "report_it": "Report It",
    "in_person": "In person", "phone": "Phone", "webchat": "Webchat", "social_media": "Social media",
}


class Html(str):
    """A string of HTML that Jupyter displays as HTML (and nbconvert keeps as such)."""

    def _repr_html_(self) -> str:
        return str(self)


def escape(value) -> str:
    return html.escape("" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value))


def is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def is_yes(value) -> bool:
    """True for a true flag of any kind (Python, numpy or pandas boolean); False for false or missing."""
    return not is_missing(value) and bool(value)


def count_words(value, minimum_count: int = 5) -> str:
    """A count as members see it: '1,234'; 'fewer than 5' for 1 to 4; 'none' for 0."""
    if is_missing(value):
        return "not available"
    value = int(round(float(value)))
    if value == 0:
        return "none"
    if 0 < value < minimum_count:
        return f"fewer than {minimum_count}"
    return f"{value:,}"


SECONDARY_WORDS = "not shown"


def counts_words(counts: pd.DataFrame, minimum_count: int = 5, groups=None) -> tuple[pd.DataFrame, str]:
    """A table of counts (rows: categories; columns: years, say) in words, with small counts suppressed,
    and a note for its caption ('' when none is needed).

    Each count from 1 to ``minimum_count - 1`` reads "fewer than 5". Where a
    column (within one group of rows, when ``groups`` labels the rows) has
    exactly one such count, the smallest other count above 0 in it reads "not
    shown" as well, so the small one cannot be found by subtracting the others
    from a total shown elsewhere on the page (secondary suppression).
    """
    values = counts.astype("float64").round()
    small, hide = hidden_counts(values, minimum_count, groups)
    words = values.map(lambda v: count_words(v, minimum_count)).mask(hide, SECONDARY_WORDS)
    note = (f" (\u201c{SECONDARY_WORDS}\u201d: hidden as well, so that a number under {minimum_count} cannot be "
            "worked out from the total)") if hide.to_numpy().any() else ""
    return words, note


def hidden_counts(counts: pd.DataFrame, minimum_count: int = 5, groups=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Which counts of a table members may not see: (small ones, those hidden as well), as in
    :func:`counts_words`, each a True/False frame shaped like ``counts``."""
    values = counts.astype("float64").round()
    small = (values >= 1) & (values < minimum_count)
    hide = pd.DataFrame(False, index=values.index, columns=values.columns)
    labels = pd.Series(0, index=values.index) if groups is None else pd.Series(list(groups), index=values.index)
    for column in values.columns:  # a members' table: a handful of rows and years
        for rows in labels.groupby(labels, sort=False).groups.values():
            column_small = small.loc[rows, column]
            if column_small.sum() != 1:
                continue
            others = values.loc[rows, column][~column_small & (values.loc[rows, column] > 0)]
            if len(others):
                hide.loc[others.idxmin(), column] = True
    return small, hide


def percent_words(value, denominator=None, minimum_count: int = 5, decimals: int = 1) -> str:
    """'87.3%'; 'too few to report' when the base is below the minimum count."""
    if denominator is not None and not is_missing(denominator) and float(denominator) < minimum_count:
        return "too few to report"
    if is_missing(value):
        return "not available"
    return f"{float(value):.{decimals}f}%"


def value_words(value, unit: str, denominator=None, minimum_count: int = 5) -> str:
    if unit == "percent":
        return percent_words(value, denominator, minimum_count)
    if unit == "count":
        return count_words(value, minimum_count)
    if is_missing(value):
        return "not available"
    if unit == "seconds":
        return f"{float(value):.0f} seconds"
    if unit == "days":
        return f"{float(value):.1f} days"
    return f"{float(value):.1f}"


def change_words(row, minimum_count: int = 5, polarity: str | None = None) -> str:
    """The year-on-year change in plain words, careful about significance.

    Only a percentage whose change passed the significance test is called
    "improved" or "worse" (and only when the measure has a direction); any other
    change is described by its size alone, or as "no significant change".
    """
    change = row.get("change")
    if is_missing(change):
        return "no earlier figure"
    unit = row.get("unit")
    change = float(change)
    if unit == "percent":
        base = row.get("denominator")
        if not is_missing(base) and float(base) < minimum_count:
            return "too few to compare"
        size = f"{'up' if change > 0 else 'down'} {abs(change):.1f} points"
        if is_missing(row.get("significant")) and is_missing(row.get("numerator")):
            return f"{size} (a reported figure, so not tested for significance)"
        if is_yes(row.get("significant")):
            better = (change > 0) if polarity == "higher_is_better" else (change < 0) if polarity == "lower_is_better" else None
            verdict = "significant change" if better is None else ("improved" if better else "worse")
            return f"{verdict}: {size}" if better is not None else f"{size}, a significant change"
        return f"no significant change ({size})" if abs(change) >= 0.05 else "no change"
    if unit == "count":
        if abs(change) < 0.5:
            return "no change"
        return f"{'up' if change > 0 else 'down'} {count_words(abs(change), minimum_count)}"
    if abs(change) < 0.05:
        return "no change"
    return f"{'up' if change > 0 else 'down'} {value_words(abs(change), unit)}"


def table(frame: pd.DataFrame, caption: str, numeric: tuple[str, ...] = ()) -> Html:
    """An accessible HTML table: caption, header cells with scope, every cell escaped."""
    number = ' class="number"'
    head = "".join(f'<th scope="col"{number if c in numeric else ""}>{escape(c)}</th>' for c in frame.columns)
    body = []
    for record in frame.itertuples(index=False):
        cells = "".join(f'<td{number if c in numeric else ""}>{escape(v)}</td>'
                        for c, v in zip(frame.columns, record))
        body.append(f"<tr>{cells}</tr>")
    # A wide table scrolls on a phone: the region takes keyboard focus so it can be scrolled without a mouse.
    return Html(f'<div class="table-scroll" tabindex="0" role="region" aria-label="{escape(caption)}">'
                f'<table class="members-table"><caption>{escape(caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def paragraph(text: str) -> Html:
    return Html(f"<p>{escape(text)}</p>")


def capital(text: str) -> str:
    """The first letter in capitals, the rest as written: 'in-person places' -> 'In-person places' at the start
    of a sentence or heading ('Advice and Information Centres' stays as the council writes it)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def say(*sentences) -> Html:
    """Paragraphs for members, one per sentence (or group of sentences) given; empty ones are left out."""
    return Html("".join(str(paragraph(s)) for s in sentences if s))


NUMBER_WORDS = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
                8: "eight", 9: "nine"}


def number_words(n: int) -> str:
    """Small whole numbers in words, as in prose ("two of the four"); 10 and over in figures."""
    return NUMBER_WORDS.get(int(n), f"{int(n):,}")


def list_words(items, empty: str = "none") -> str:
    """['a', 'b', 'c'] -> 'a, b and c'; ``empty`` when there are none."""
    items = [str(i) for i in items]
    if not items:
        return empty
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def date_words(value) -> str:
    """A date as members read it: '5 June 2024' ('not recorded' when missing)."""
    if value is None or pd.isna(value):
        return "not recorded"
    return pd.Timestamp(value).strftime("%d %B %Y").lstrip("0")


def name_from_id(identifier) -> str:
    """An identifier from a system as words: 'council-plan-2024' -> 'Council plan 2024'."""
    return str(identifier).replace("-", " ").replace("_", " ").strip().capitalize()


# How representation (share of the panel / share of residents) is read: below UNDER, under-represented.
UNDER_REPRESENTED, OVER_REPRESENTED = 0.8, 1.25


def representation_words(ratio) -> str:
    if ratio is None or pd.isna(ratio):
        return "not available"
    if ratio < UNDER_REPRESENTED:
        return "under-represented"
    return "over-represented" if ratio > OVER_REPRESENTED else "broadly representative"


def group_words(breakdown: str, heading: bool = False) -> str:
    """A group of residents as members say it. In a sentence: 'age_band=16-24' -> 'aged 16 to 24',
    'age_band=75+' -> 'aged 75 and over', 'sex=Male' -> 'men'; as a table heading ('heading=True'):
    'Aged 16 to 24', 'Male'; another dimension: 'ethnic group White British' / 'Ethnic group: White British'."""
    dimension, _, category = breakdown.partition("=")
    if dimension == "age_band":
        ages = f"{category[:-1]} and over" if category.endswith("+") else category.replace("-", " to ")
        return f"{'Aged' if heading else 'aged'} {ages}"
    if dimension == "sex":
        return category if heading else {"Male": "men", "Female": "women"}.get(category, category.lower())
    words = dimension.replace("_", " ")
    return f"{words[:1].upper()}{words[1:]}: {category}" if heading else f"{words} {category}"


def groups_words(breakdowns) -> str:
    """['age_band=16-24', 'age_band=25-34', 'sex=Male'] -> 'aged 16 to 24 and 25 to 34, and men'."""
    ordered = sorted(breakdowns)
    ages = [group_words(b).removeprefix("aged ") for b in ordered if b.startswith("age_band=")]
    rest = [group_words(b) for b in ordered if not b.startswith("age_band=")]
    parts = ([f"aged {list_words(ages)}"] if ages else []) + rest
    if len(parts) > 1 and ages:
        return f"{', '.join(parts[:-1])}, and {parts[-1]}"
    return list_words(parts)


# --- what the council's exports do not record ----------------------------------------------------
#
# A column no export has is filled with empty values so that the counting rules can run, and
# counted it reads as "none": every response late, nothing carried forward, nobody opened an
# invitation. The pages ask the loader (``workbook.data.recorded``) and say it is not recorded instead.

DATASET_WORDS = {
    "action_plan": "action plan", "contacts": "contacts", "calls": "telephony data", "complaints": "complaints",
    "feedback": "GovMetric feedback", "survey": "residents' survey", "panel": "Citizens' Panel membership",
    "panel_invitations": "Citizens' Panel invitations", "population": "population figures",
    "measures": "register of measures", "manual_measures": "figures reported by services",
}
# Each optional column as the sentence "<the dataset> does not record <what>" says it.
RECORDED_SUBJECT = {
    "action_plan": "The action plan", "contacts": "The contacts data", "calls": "The telephony data",
    "complaints": "The complaints data", "survey": "The survey data", "panel": "The Citizens' Panel data",
    "panel_invitations": "The Citizens' Panel invitation data",
}
COLUMN_WORDS = {
    ("action_plan", "carried_from"): "which later action continues each action",
    ("contacts", "responded_at"): "when each contact had its full response",
    ("contacts", "acknowledged_at"): "when each contact was acknowledged",
    ("contacts", "resolved_first_contact"): "whether a contact was resolved at the first contact",
    ("contacts", "location"): "where each in-person visit was made",
    ("contacts", "category"): "what each contact was about",
    ("complaints", "acknowledged_at"): "when each complaint was acknowledged",
    ("complaints", "responded_at"): "when each complaint was answered",
    ("complaints", "outcome"): "whether each complaint was upheld",
    ("panel", "age_band"): "members' ages",
    ("panel", "sex"): "members' sex",
    ("panel_invitations", "opened_on"): "who opened an invitation",
    ("panel_invitations", "completed_on"): "who completed a consultation",
    ("survey", "question_text"): "the wording of each question as it was asked each year",
}
NOT_RECORDED = "not recorded"


def not_recorded(workbook, dataset: str, column: str | None = None) -> str:
    """Why a figure cannot be given, as a sentence without its full stop ('' when the exports record it):
    'The data folder has no complaints', 'The action plan does not record which later action continues
    each action'."""
    if not workbook.data.recorded(dataset):
        return f"The data folder has no {DATASET_WORDS.get(dataset, dataset.replace('_', ' '))}"
    if column is None or workbook.data.recorded(dataset, column):
        return ""
    subject = RECORDED_SUBJECT.get(dataset, f"The {DATASET_WORDS.get(dataset, dataset)} data")
    return f"{subject} does not record {COLUMN_WORDS.get((dataset, column), column.replace('_', ' '))}"


def measure_not_recorded(workbook, measure_id: str) -> str:
    """'' when the exports record what the measure is counted from; otherwise :func:`not_recorded`'s words."""
    need = MEASURE_NEEDS.get(measure_id)
    return not_recorded(workbook, *need) if need else ""


def measure_name(measure_id: str, register: pd.DataFrame | None = None) -> str:
    if register is not None and measure_id in set(register["measure_id"]):
        return str(register.loc[register["measure_id"] == measure_id, "name"].iloc[0])
    return MEASURE_NAMES.get(measure_id, measure_id.replace("_", " ").capitalize())


def breakdown_value(breakdown: str) -> str:
    """'channel=online_form' -> 'Online form'."""
    name, _, value = breakdown.partition("=")
    return CHANNEL_NAMES.get(value, value) if name == "channel" else value


def by_year_table(workbook, measure_id: str, breakdown: str, caption: str, label: str) -> Html:
    """One measure by a breakdown (rows) and year (columns), formatted and suppressed."""
    missing = measure_not_recorded(workbook, measure_id)
    if missing:
        return paragraph(f"{missing}, so this is not shown.")
    rows = workbook.measure(measure_id, breakdown)
    minimum = workbook.config.minimum_count
    if rows.empty:
        return paragraph("There is no data for this.")
    rows = rows.assign(
        shown=[value_words(v, u, d, minimum) for v, u, d in zip(rows["value"], rows["unit"], rows["denominator"])],
        label=rows["breakdown"].map(breakdown_value) if breakdown else "All",
    )
    wide = rows.pivot(index="label", columns="year", values="shown").fillna("not available")
    wide = wide.reset_index().rename(columns={"label": label})
    return table(wide, caption, numeric=tuple(workbook.years))


def headline_summary(workbook) -> list[tuple[str, list[str]]]:
    """What the year's index page opens with: (sentence, measures it lists), for actions achieved,
    targets met and missed, and changes on the year before that are statistically significant."""
    summary: list[tuple[str, list[str]]] = []
    achieved = workbook.value("actions_achieved")
    if achieved is not None and not is_missing(achieved["denominator"]):
        done = int(achieved["numerator"])
        summary.append((f"{done} of the {int(achieved['denominator'])} actions in the {workbook.year} action plan "
                        f"{'was' if done == 1 else 'were'} achieved.", []))
    card = scorecard_frame(workbook)
    if card.empty:
        return summary
    change = card["Change on the year before"]
    for sentence, chosen in (
        ("Targets met ({n}):", card["Met"] == "met"),
        ("Targets not met ({n}):", card["Met"] == "not met"),
        ("Significantly better than the year before ({n}):", change.str.startswith("improved")),
        ("Significantly worse than the year before ({n}):", change.str.startswith("worse")),
    ):
        names = card.loc[chosen, "Measure"].tolist()
        if names:
            summary.append((sentence.format(n=len(names)), names))
    return summary


# --- the scorecard --------------------------------------------------------------------------

SCORECARD_ORDER = (
    "actions_achieved", "responses_within_standard", "acknowledgements_within_standard", "first_contact_resolution",
    "calls_answered_within_standard", "calls_abandoned", "calls_callback", "average_speed_of_answer",
    "complaints_acknowledged_within_standard", "complaints_responded_within_standard", "complaints_upheld",
    "net_satisfaction", "survey_positive", "digital_share", "contacts_received", "panel_members",
    "panel_open_rate", "panel_completion_rate",
)
# Measures that are described elsewhere and do not fit one line of a scorecard.
NOT_ON_SCORECARD = {"actions_not_achieved", "actions_carried_forward", "panel_representation", "complaints_received"}


def _register_lookup(register: pd.DataFrame | None) -> dict[str, dict]:
    if register is None or register.empty:
        return {}
    return {r["measure_id"]: r for r in register.to_dict("records")}


def scorecard_frame(workbook, signals: dict[str, str] | None = None) -> pd.DataFrame:
    """Each measure of the year on one line: value, target (or 'to be agreed' with its baseline),
    met or not, change on the year before (significance-aware) and the monthly signal."""
    register = _register_lookup(workbook.data.get("measures"))
    minimum = workbook.config.minimum_count
    signals = signals if signals is not None else getattr(workbook, "signals", {}) or {}
    year_rows = workbook.measures[workbook.measures["year"] == workbook.year]
    present_ids = list(dict.fromkeys(year_rows["measure_id"]))
    ordered = [m for m in SCORECARD_ORDER if m in present_ids or m in register]
    ordered = list(dict.fromkeys(ordered + list(register) + present_ids))
    questions = workbook.config.survey_questions
    records = []
    for measure_id in ordered:
        if measure_id in NOT_ON_SCORECARD:
            continue
        entry = register.get(measure_id, {})
        polarity = entry.get("polarity")
        rows = year_rows[year_rows["measure_id"] == measure_id]
        headline = rows[rows["breakdown"] == ""]
        if headline.empty and measure_id == "survey_positive":
            lines = [(r, f"{measure_name(measure_id, workbook.data.get('measures'))}: "
                         f"{_question_label(r['breakdown'], questions)}") for r in rows.to_dict("records")]
        elif headline.empty:
            lines = [({"value": np.nan, "unit": entry.get("unit", ""), "denominator": np.nan, "change": np.nan,
                       "target": entry.get("target", np.nan), "target_met": pd.NA, "breakdown": ""},
                      measure_name(measure_id, workbook.data.get("measures")))]
        else:
            lines = [(headline.iloc[0].to_dict(), measure_name(measure_id, workbook.data.get("measures")))]
        # Counted from a column the exports do not have, the figure would read "none" (every response late):
        # the line says "not recorded", is judged against no target and compared with no year.
        unrecorded = bool(measure_not_recorded(workbook, measure_id))
        for row, name in lines:
            in_register = bool(entry)
            known = not unrecorded and not is_missing(row["value"])
            value = value_words(row["value"], row["unit"], row.get("denominator"), minimum)
            if is_missing(row.get("target")):
                target = (f"to be agreed (baseline {value}, {workbook.year})" if in_register and known
                          else "to be agreed" if in_register else "no target")
                met = "to be agreed" if in_register else ""
            else:
                target = (f"{float(row['target']):,.0f}" if row["unit"] == "count"
                          else value_words(row["target"], row["unit"]))
                met = {True: "met", False: "not met"}.get(None if is_missing(row.get("target_met"))
                                                          else bool(row["target_met"]), "")
            records.append({
                "measure_id": measure_id,
                "breakdown": row.get("breakdown", ""),
                "Measure": name,
                workbook.year: NOT_RECORDED if unrecorded else value if known else "no data this year",
                "Target": target,
                "Met": "" if unrecorded and met != "to be agreed" else met,
                "Change on the year before": "" if unrecorded else (
                    standard_change_words(workbook.config, measure_id, row.get("breakdown", ""), workbook.year)
                    or change_words(row, minimum, polarity)),
                "Monthly pattern": "" if unrecorded else signals.get(measure_id, ""),
            })
    return pd.DataFrame(records)


STANDARD_MEASURES = {"responses_within_standard": "respond", "acknowledgements_within_standard": "acknowledge"}


def standard_change_words(config, measure_id: str, breakdown: str, year: str) -> str:
    """'' when the year before measured this figure against the same standards; otherwise why the two years
    are not like for like, e.g. 'not like for like: the email standard changed from 10 to 5 working days'."""
    changes = standard_changes(config, measure_id, breakdown, year)
    return f"not like for like: {list_words(changes)}" if changes else ""


def standard_changes(config, measure_id: str, breakdown: str, year: str) -> list[str]:
    """Each standard this figure counts against that changed from the year before ``year``, in words:
    ['the email standard changed from 10 to 5 working days']."""
    kind = STANDARD_MEASURES.get(measure_id)
    if kind is None:
        return []
    standards = config.respond_within if kind == "respond" else config.acknowledge_within
    channel = breakdown.partition("=")[2] if breakdown.startswith("channel=") else None
    start = year_start(year)
    changed = []
    for name, standard in standards.items():
        if channel is not None and name != channel:
            continue
        before, now = standard.for_year(start - 1), standard.for_year(start)
        if before != now:
            shown = CHANNEL_NAMES.get(name, name)
            changed.append(f"the {shown if shown == 'Report It' else shown.lower()} standard changed from {before} "
                           f"to {now} working days")
    return changed


def _question_label(breakdown: str, questions) -> str:
    question_id = breakdown.partition("=")[2]
    question = questions.get(question_id)
    return question.text if question else question_id


def scorecard_table(workbook, signals: dict[str, str] | None = None) -> Html:
    frame = scorecard_frame(workbook, signals)
    if frame.empty:
        return paragraph("No measures could be computed from this data.")
    shown = frame.drop(columns=["measure_id", "breakdown"])
    if not shown["Monthly pattern"].astype(bool).any():
        shown = shown.drop(columns="Monthly pattern")
    return table(shown, f"Scorecard, {workbook.year}: every measure against its target and the year before",
                 numeric=(workbook.year,))
