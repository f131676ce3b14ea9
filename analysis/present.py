"""Tables and words for members: numbers formatted for reading, small counts suppressed, text escaped.

Members' pages never show a count from 1 to ``disclosure.minimum_count - 1``
nor a percentage whose base is below it; words stand in for them. Every
string from the data is HTML-escaped here, so a progress note can never
become markup.
"""

from __future__ import annotations

import html
import math

import pandas as pd

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


def change_words(row, minimum_count: int = 5) -> str:
    """The year-on-year change in plain words, careful about significance.

    A percentage change is only called up or down in earnest when the test says
    it is significant; otherwise the words say there is no clear change.
    """
    change = row.get("change")
    if is_missing(change):
        return "no earlier figure"
    unit = row.get("unit")
    if unit == "percent":
        for base in (row.get("denominator"),):
            if not is_missing(base) and float(base) < minimum_count:
                return "too few to compare"
        points = abs(float(change))
        direction = "up" if change > 0 else "down"
        if row.get("significant") is True:
            return f"{direction} {points:.1f} points, a significant change"
        return f"no significant change ({direction} {points:.1f} points)" if points >= 0.05 else "no change"
    if unit == "count":
        if abs(change) < 0.5:
            return "no change"
        return f"{'up' if change > 0 else 'down'} {count_words(abs(change), minimum_count)}"
    if abs(float(change)) < 0.05:
        return "no change"
    return f"{'up' if change > 0 else 'down'} {value_words(abs(float(change)), unit)}"


def target_words(row) -> str:
    target = row.get("target")
    if is_missing(target):
        return "no target"
    met = row.get("target_met")
    shown = value_words(target, row.get("unit", ""))
    if met is True:
        return f"target {shown}: met"
    if met is False:
        return f"target {shown}: not met"
    return f"target {shown}"


def table(frame: pd.DataFrame, caption: str, numeric: tuple[str, ...] = ()) -> Html:
    """An accessible HTML table: caption, header cells with scope, every cell escaped."""
    number = ' class="number"'
    head = "".join(f'<th scope="col"{number if c in numeric else ""}>{escape(c)}</th>' for c in frame.columns)
    body = []
    for record in frame.itertuples(index=False):
        cells = "".join(f'<td{number if c in numeric else ""}>{escape(v)}</td>'
                        for c, v in zip(frame.columns, record))
        body.append(f"<tr>{cells}</tr>")
    return Html(f'<div class="table-scroll"><table class="members-table"><caption>{escape(caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def paragraph(text: str) -> Html:
    return Html(f"<p>{escape(text)}</p>")


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


def headline_summary(workbook) -> list[str]:
    """The sentences the year's index page opens with."""
    sentences = []
    achieved = workbook.value("actions_achieved")
    if achieved is not None and not is_missing(achieved["denominator"]):
        sentences.append(f"{int(achieved['numerator'])} of the {int(achieved['denominator'])} actions in the "
                         f"{workbook.year} action plan were achieved.")
    met, missed = [], []
    for measure_id in ("responses_within_standard", "acknowledgements_within_standard",
                       "calls_answered_within_standard", "calls_abandoned", "average_speed_of_answer"):
        row = workbook.value(measure_id)
        if row is None or is_missing(row["target_met"]):
            continue
        (met if row["target_met"] else missed).append(measure_name(measure_id, workbook.data.get("measures")).lower())
    if met:
        sentences.append("Targets met: " + "; ".join(met) + ".")
    if missed:
        sentences.append("Targets not met: " + "; ".join(missed) + ".")
    return sentences


KEY_MEASURES = (
    "actions_achieved", "responses_within_standard", "acknowledgements_within_standard",
    "first_contact_resolution", "calls_answered_within_standard", "calls_abandoned", "average_speed_of_answer",
    "digital_share",
)


def key_measures_table(workbook) -> Html:
    minimum = workbook.config.minimum_count
    records = []
    register = workbook.data.get("measures")
    for measure_id in KEY_MEASURES:
        row = workbook.value(measure_id)
        if row is None:
            continue
        row = row.to_dict()
        records.append({
            "Measure": measure_name(measure_id, register),
            workbook.year: value_words(row["value"], row["unit"], row["denominator"], minimum),
            "Previous year": value_words(row["previous_value"], row["unit"], None, minimum),
            "Change": change_words(row, minimum),
            "Target": target_words(row),
        })
    if not records:
        return paragraph("No measures could be computed from this data.")
    return table(pd.DataFrame(records), f"Key measures, {workbook.year}, with the year before",
                 numeric=(workbook.year, "Previous year"))
