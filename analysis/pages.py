"""Sections of the yearly pages, each a function of the prepared workbook returning HTML.

The notebooks call these in order between their own words for members, so a
page stays a short, readable notebook and its logic stays testable here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import charts
from analysis.calendar import WorkingCalendar, financial_year
from analysis.measures import actions_not_achieved, carry_forward_chains, contact_outcome
from analysis.present import (
    CHANNEL_NAMES,
    Html,
    by_year_table,
    count_words,
    escape,
    paragraph,
    percent_words,
    table,
    value_words,
)

STATUS_WORDS = {"achieved": "Achieved", "not_achieved": "Not achieved", "ongoing": "Ongoing",
                "withdrawn": "Withdrawn"}


def _missing(what: str) -> Html:
    return paragraph(f"The data folder has no {what}, so this section cannot be shown.")


# --- action plan ----------------------------------------------------------------------------


def action_plan_headline(wb) -> Html:
    plan = wb.data.action_plan
    if plan is None:
        return _missing("action plan")
    this_year = plan[plan["plan_year"] == wb.year]
    if this_year.empty:
        return paragraph(f"The action plan has no actions for {wb.year}.")
    counts = this_year["status"].value_counts()
    achieved, total = int(counts.get("achieved", 0)), len(this_year)
    missed = int(counts.get("not_achieved", 0))
    sentences = [f"{achieved} of the {total} actions in the {wb.year} action plan were achieved "
                 f"({percent_words(100 * achieved / total)})."]
    if missed:
        carried = wb.value("actions_carried_forward")
        carried_count = None if carried is None or pd.isna(carried["value"]) else int(carried["value"])
        sentence = f"{missed} {'was' if missed == 1 else 'were'} not achieved"
        if carried_count is not None:
            sentence += f"; {carried_count} of them {'was' if carried_count == 1 else 'were'} carried forward into the next year's plan"
        sentences.append(sentence + ".")
    others = total - achieved - missed
    if others:
        sentences.append(f"{others} {'is' if others == 1 else 'are'} ongoing or withdrawn.")
    return Html(f'<p class="headline">{escape(" ".join(sentences))}</p>')


def actions_by_theme(wb) -> Html:
    plan = wb.data.action_plan
    if plan is None:
        return _missing("action plan")
    year = plan[plan["plan_year"] == wb.year]
    themes = list(wb.config.themes) or sorted(year["theme"].unique())
    counts = pd.crosstab(year["theme"], year["status"]).reindex(index=themes, fill_value=0)
    frame = pd.DataFrame({
        "Theme": counts.index,
        "Actions": counts.sum(axis=1).to_numpy(),
        **{STATUS_WORDS[s]: counts[s].to_numpy() if s in counts else 0 for s in STATUS_WORDS},
    })
    frame = frame[frame["Actions"] > 0]
    return table(frame, f"Actions in the {wb.year} plan by theme and status",
                 numeric=("Actions", *STATUS_WORDS.values()))


def actions_not_achieved_table(wb) -> Html:
    plan = wb.data.action_plan
    if plan is None:
        return _missing("action plan")
    missed = actions_not_achieved(plan, wb.year)
    if missed.empty:
        return paragraph(f"Every action in the {wb.year} plan was achieved, ongoing or withdrawn.")
    frame = missed.rename(columns={"action_id": "Ref", "theme": "Theme", "action": "Action",
                                   "progress_note": "Progress reported", "carried_to": "Carried forward to"})
    return table(frame.fillna(""), f"Actions not achieved in {wb.year} and where each went")


def completion_rate_chart(wb) -> Html:
    rows = wb.measure("actions_achieved")
    if rows.empty:
        return _missing("action plan")
    rows = rows.assign(year=rows["year"].astype(str))
    latest = rows.iloc[-1]
    title = f"{percent_words(latest['value'])} of actions were achieved in {latest['year']}"
    return charts.line_chart(rows, x="year", y="value", series=None, title=title,
                             subtitle="Actions achieved as a percentage of all actions in each year's plan",
                             unit="percent")


def completion_rate_table(wb) -> Html:
    rows = wb.measure("actions_achieved")
    frame = pd.DataFrame({
        "Plan year": rows["year"],
        "Actions": rows["denominator"].astype(int),
        "Achieved": rows["numerator"].astype(int),
        "Achieved (%)": [percent_words(v) for v in rows["value"]],
        "Carried forward": [count_words(wb.value("actions_carried_forward", y)["value"], 0)
                            if wb.value("actions_carried_forward", y) is not None else "" for y in rows["year"]],
    })
    return table(frame, "Actions achieved in each plan year", numeric=("Actions", "Achieved", "Achieved (%)"))


def carried_more_than_once(wb) -> Html:
    plan = wb.data.action_plan
    if plan is None:
        return _missing("action plan")
    chains = carry_forward_chains(plan[plan["plan_year"] <= wb.year])
    repeat = chains[chains["times_carried"] >= 2]
    if repeat.empty:
        return paragraph("No action has been carried forward more than once.")
    frame = pd.DataFrame({
        "Plan year": repeat["plan_year"],
        "Ref": repeat["action_id"],
        "Action": repeat["action"],
        "First planned": repeat["first_planned"],
        "Times carried forward": repeat["times_carried"],
        "Status": repeat["status"].map(STATUS_WORDS),
    })
    return table(frame, "Actions carried forward more than once", numeric=("Times carried forward",))


# --- customer care standards ----------------------------------------------------------------


def standards_in_words(wb) -> Html:
    """The council's standards as a list members can check the figures against."""
    config = wb.config
    items = []
    for channel, standard in config.respond_within.items():
        name = CHANNEL_NAMES.get(channel, channel)
        now = standard.for_year(int(wb.year[:4]))
        text = f"{name}: a full response within {now} working day{'' if now == 1 else 's'}"
        if standard.changes:
            history = ", ".join(f"{n} from {y}/{(y + 1) % 100:02d}" for y, n in standard.by_year)
            text += f" (the standard changed: {history})"
        items.append(text)
    for channel, standard in config.acknowledge_within.items():
        days = standard.for_year(int(wb.year[:4]))
        items.append(f"{CHANNEL_NAMES.get(channel, channel)}: acknowledged within "
                     f"{days} working day{'' if days == 1 else 's'}")
    if config.phone_answer_within_seconds is not None:
        items.append(f"Phone: calls answered within {config.phone_answer_within_seconds} seconds")
    listing = "".join(f"<li>{escape(i)}.</li>" for i in items)
    return Html(f"<ul>{listing}</ul>")


def not_yet_due_note(wb) -> Html:
    """How many contacts were left out because their deadline had not passed at the data's date."""
    contacts = wb.data.contacts
    as_at = wb.as_at.get("contacts")
    if contacts is None or as_at is None:
        return Html("")
    in_year = (financial_year(contacts["received_at"], wb.config.year_start_month) == wb.year).to_numpy()
    subset = contacts[in_year]
    outcome = contact_outcome(subset, wb.config, WorkingCalendar.for_council(wb.config), as_at)
    has_standard = subset["channel"].isin(list(wb.config.respond_within)).to_numpy()
    waiting = int((outcome.not_yet_due & has_standard).sum())
    date = pd.Timestamp(as_at).strftime("%d %B %Y").lstrip("0")
    if waiting == 0:
        return paragraph(f"The data runs to {date}; every contact in {wb.year} was due by then.")
    return paragraph(f"The data runs to {date}. {count_words(waiting, wb.config.minimum_count).capitalize()} "
                     f"contacts received in {wb.year} had no response yet but were not yet due, so they are "
                     "left out of the percentages; every contact whose deadline had passed without a response "
                     "counts as outside the standard.")


def channel_table(wb, measure_id: str, caption: str) -> Html:
    return by_year_table(wb, measure_id, "channel", caption, "Channel")


def responses_chart(wb) -> Html:
    rows = wb.measure("responses_within_standard", "channel")
    if rows.empty:
        return _missing("contacts with a response standard")
    rows = rows.assign(channel=rows["breakdown"].str.split("=").str[1].map(lambda c: CHANNEL_NAMES.get(c, c)))
    rows = rows[rows["denominator"] >= wb.config.minimum_count]
    latest = wb.value("responses_within_standard")
    title = (f"{percent_words(latest['value'])} of contacts had a full response within the standard in {wb.year}"
             if latest is not None else "Responses within the standard")
    return charts.line_chart(rows, x="year", y="value", series="channel", title=title,
                             subtitle="Percentage of contacts due a response that had one within the channel's "
                                      "standard, by channel and financial year", unit="percent")


def phone_table(wb) -> Html:
    records = []
    for year in wb.years:
        within = wb.value("calls_answered_within_standard", year)
        abandoned = wb.value("calls_abandoned", year)
        speed = wb.value("average_speed_of_answer", year)
        if abandoned is None:
            continue
        records.append({
            "Year": year,
            "Calls offered": count_words(abandoned["denominator"], wb.config.minimum_count),
            "Answered within standard": value_words(within["value"], "percent", within["denominator"])
            if within is not None else "no standard",
            "Abandoned": value_words(abandoned["value"], "percent", abandoned["denominator"]),
            "Average speed of answer": value_words(speed["value"], "seconds") if speed is not None else "",
        })
    if not records:
        return _missing("telephony data")
    return table(pd.DataFrame(records), "Phone calls by financial year",
                 numeric=("Calls offered", "Answered within standard", "Abandoned", "Average speed of answer"))


def phone_chart(wb) -> Html:
    rows = pd.concat([wb.measure("calls_answered_within_standard"), wb.measure("calls_abandoned")])
    if rows.empty:
        return _missing("telephony data")
    names = {"calls_answered_within_standard": "Answered within standard", "calls_abandoned": "Abandoned"}
    rows = rows.assign(series=rows["measure_id"].map(names))
    latest = wb.value("calls_answered_within_standard")
    seconds = wb.config.phone_answer_within_seconds
    title = (f"{percent_words(latest['value'])} of answered calls were answered within {seconds} seconds "
             f"in {wb.year}" if latest is not None else "Phone calls")
    target = wb.value("calls_answered_within_standard")
    return charts.line_chart(rows, x="year", y="value", series="series", title=title,
                             subtitle="Percentage of answered calls answered within the standard, and of calls "
                                      "offered that were abandoned, by financial year", unit="percent",
                             target=None if target is None else target["target"])
