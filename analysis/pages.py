"""Sections of the yearly pages, each a function of the prepared workbook returning HTML.

The notebooks call these in order between their own words for members, so a
page stays a short, readable notebook and its logic stays testable here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import charts
from analysis.calendar import next_year
from analysis.measures import PANEL_DIMENSIONS, actions_not_achieved, carry_forward_chains
from analysis.present import (
    CHANNEL_NAMES,
    UNDER_REPRESENTED,
    Html,
    by_year_table,
    capital,
    count_words,
    counts_words,
    escape,
    group_words,
    hidden_counts,
    is_yes,
    list_words,
    measure_not_recorded,
    name_from_id,
    not_recorded,
    paragraph,
    percent_words,
    representation_words,
    table,
    value_words,
)


def scorecard(wb) -> Html:
    from analysis.present import scorecard_table

    return scorecard_table(wb)


STATUS_WORDS = {"achieved": "Achieved", "not_achieved": "Not achieved", "ongoing": "Ongoing",
                "withdrawn": "Withdrawn"}


def _missing(what: str) -> Html:
    return paragraph(f"The data folder has no {what}, so this section cannot be shown.")


def _not_shown(wb, dataset: str, column: str | None, consequence: str) -> Html | None:
    """The sentence members read where the exports do not record what a section is counted from
    ('The action plan does not record ..., so <consequence>.'); None when they do."""
    reason = not_recorded(wb, dataset, column)
    return paragraph(f"{reason}, so {consequence}.") if reason else None


# --- action plan ----------------------------------------------------------------------------

NOT_CARRIED = "not carried forward"  # what actions_not_achieved says of an action no later one continues
# A status label that itself says the action moved on ("Carried forward", "Carried over", "Carry fwd",
# "Rolled over"), whichever status council.toml maps it to.
CARRIED_LABEL = r"\bcarr(?:y|ied|ies)\b|\broll(?:ed|s)?\s*(?:over|forward)\b"


def _linked(wb) -> bool:
    """Whether the action plan records, in carried_from, which later action continues each one."""
    return wb.data.recorded("action_plan", "carried_from")


def _next_plan_in_data(wb, plan: pd.DataFrame) -> str | None:
    """The following year's label when its plan is in the data (so where actions went can be known)."""
    following = next_year(wb.year)
    return following if following in set(plan["plan_year"]) else None


def carried_labels(actions: pd.DataFrame) -> pd.Series:
    """Actions whose status label says they were carried forward, counted by label (as most often typed:
    ' carried forward ' and 'Carried forward' are one label), most first; empty when there are none."""
    if "status_label" not in actions:
        return pd.Series(dtype="int64")
    labels = actions["status_label"].astype("string").str.strip()
    labels = labels[labels.str.contains(CARRIED_LABEL, case=False, regex=True, na=False)]
    if labels.empty:
        return pd.Series(dtype="int64")
    key = labels.str.lower().str.split().str.join(" ")
    spelling = labels.groupby(key).agg(lambda typed: typed.value_counts().index[0])  # a label or two
    counts = key.value_counts()
    return pd.Series(counts.to_numpy(), index=spelling.reindex(counts.index).to_numpy())


def carried_labels_sentence(actions: pd.DataFrame) -> str:
    """'3 actions are marked 'Carried forward'; the plan does not record which later action continues each.'
    for a plan with no carried_from ('' when no label says carried forward). Plain text: escape it."""
    labels = carried_labels(actions)
    if labels.empty:
        return ""
    total = int(labels.sum())
    first = int(labels.iloc[0])
    marked = [f"{first} action{'' if first == 1 else 's'} {'is' if first == 1 else 'are'} marked '{labels.index[0]}'"]
    marked += [f"{int(n)} '{label}'" for label, n in labels.iloc[1:].items()]
    return (f"{list_words(marked)}; the plan does not record which later action continues "
            f"{'it' if total == 1 else 'each'}.")


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
    sentences = [f"{achieved} of the {total} actions in the {wb.year} action plan {'was' if achieved == 1 else 'were'} "
                 f"achieved ({percent_words(100 * achieved / total)})."]
    labelled = "" if _linked(wb) else carried_labels_sentence(this_year)
    following = _next_plan_in_data(wb, plan)
    if missed:
        sentence = f"{missed} {'was' if missed == 1 else 'were'} not achieved"
        if _linked(wb) and following:
            went = actions_not_achieved(plan, wb.year)
            carried = int((went["carried_to"] != NOT_CARRIED).sum())
            sentence += (f"; {'none' if carried == 0 else carried} of them {'was' if carried <= 1 else 'were'} "
                         f"carried forward into the {following} plan")
        elif not _linked(wb) and not labelled:
            # Without carried_from nothing says where they went: no "none carried forward".
            sentence += "; the plan does not record whether any was carried forward into a later plan"
        sentences.append(sentence + ".")
    others = total - achieved - missed
    if others:
        sentences.append(f"{others} {'is' if others == 1 else 'are'} ongoing or withdrawn.")
    if labelled:
        sentences.append(labelled)
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
    """Each action not achieved this year, its progress note and, where the data can tell, where it went."""
    plan = wb.data.action_plan
    if plan is None:
        return _missing("action plan")
    missed = actions_not_achieved(plan, wb.year)
    if missed.empty:
        return paragraph(f"Every action in the {wb.year} plan was achieved, ongoing or withdrawn.")
    frame = missed.rename(columns={"action_id": "Ref", "theme": "Theme", "action": "Action",
                                   "progress_note": "Progress reported", "carried_to": "Carried forward to"})
    following = _next_plan_in_data(wb, plan)
    if _linked(wb) and following:
        return table(frame.fillna(""), f"Actions not achieved in {wb.year} and where each went")
    # Without the links, or without next year's plan, "not carried forward" would be a guess.
    note = (_not_shown(wb, "action_plan", "carried_from", "where these actions went is not shown") if not _linked(wb)
            else paragraph(f"The {next_year(wb.year)} plan is not in the data yet, so where these actions went "
                           "is not known."))
    return Html(str(note) + str(table(frame.drop(columns="Carried forward to").fillna(""),
                                      f"Actions not achieved in {wb.year}")))


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


def _carried_forward_words(wb, year: str) -> str:
    """The 'Carried forward' cell of a plan year: a count ('none' only when the links are recorded and the
    next plan is in the data), 'not recorded' without carried_from, 'next plan not in the data' without it."""
    if not _linked(wb):
        return "not recorded"
    row = wb.value("actions_carried_forward", year)
    if row is None or pd.isna(row["value"]):
        return "next plan not in the data"
    return count_words(row["value"], 0)


def completion_rate_table(wb) -> Html:
    rows = wb.measure("actions_achieved")
    if rows.empty:
        return _missing("action plan")
    frame = pd.DataFrame({
        "Plan year": rows["year"],
        "Actions": rows["denominator"].astype(int),
        "Achieved": rows["numerator"].astype(int),
        "Achieved (%)": [percent_words(v) for v in rows["value"]],
        "Carried forward": [_carried_forward_words(wb, y) for y in rows["year"]],
    })
    return table(frame, "Actions achieved in each plan year", numeric=("Actions", "Achieved", "Achieved (%)"))


def carried_more_than_once(wb) -> Html:
    plan = wb.data.action_plan
    if plan is None:
        return _missing("action plan")
    unlinked = _not_shown(wb, "action_plan", "carried_from",
                          "the actions carried forward more than once cannot be found")
    if unlinked:
        return unlinked
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
    waiting = wb.facts.get("not_yet_due")
    as_at = wb.as_at.get("contacts")
    if waiting is None or as_at is None or measure_not_recorded(wb, "responses_within_standard"):
        return Html("")  # without response dates every contact would look "not yet due" or late
    date = pd.Timestamp(as_at).strftime("%d %B %Y").lstrip("0")
    if waiting == 0:
        return paragraph(f"The data runs to {date}; every contact in {wb.year} was due by then.")
    return paragraph(f"The data runs to {date}. {count_words(waiting, wb.config.minimum_count).capitalize()} "
                     f"contacts received in {wb.year} had no response yet but were not yet due, so they are "
                     "left out of the percentages; every contact whose deadline had passed without a response "
                     "counts as outside the standard.")


# Why a channel table of a standard has no rows: no channel in the data has that standard.
NO_STANDARD = {
    "responses_within_standard": "council.toml sets no response standard for the channels in the data, so "
                                 "responses are not measured.",
    "acknowledgements_within_standard": "council.toml sets no acknowledgement standard for the channels in the "
                                        "data, so acknowledgements are not measured.",
}


def channel_table(wb, measure_id: str, caption: str) -> Html:
    """A contacts measure by channel and year; says why instead where there is nothing to show (no contacts,
    no standard, or a column the contacts data does not record)."""
    if not wb.data.recorded("contacts"):
        return _missing("contacts")
    empty = wb.measure(measure_id, "channel").empty
    if empty and measure_id in NO_STANDARD:
        return paragraph(NO_STANDARD[measure_id])
    if empty and measure_id == "first_contact_resolution" and not measure_not_recorded(wb, measure_id):
        return paragraph("No contact in the data has it recorded whether it was resolved at the first contact.")
    return by_year_table(wb, measure_id, "channel", caption, "Channel")


def responses_chart(wb) -> Html:
    """Responses within the standard by channel, one small chart each. Says nothing where the contacts data
    does not record responses: the table after it (:func:`channel_table`) says so, once."""
    if measure_not_recorded(wb, "responses_within_standard"):
        return Html("")
    rows = wb.measure("responses_within_standard", "channel")
    if rows.empty:
        return _missing("contacts with a response standard")
    rows = rows.assign(channel=rows["breakdown"].str.split("=").str[1].map(lambda c: CHANNEL_NAMES.get(c, c)))
    rows = rows[rows["denominator"] >= wb.config.minimum_count]
    if rows.empty:  # a percentage on fewer than minimum_count contacts is never shown, nor charted
        return paragraph("Too few contacts were due a response on any channel to chart; the table below gives "
                         "what can be shown.")
    latest = wb.value("responses_within_standard")
    title = (f"{percent_words(latest['value'])} of contacts had a full response within the standard in {wb.year}"
             if latest is not None else "Responses within the standard")
    return charts.small_multiples(rows, x="year", y="value", series="channel", title=title,
                                  subtitle="Percentage of contacts due a response that had one within the channel's "
                                           "standard, by channel and financial year; one panel per channel, all on "
                                           "the same scale", unit="percent", columns=3)


def phone_table(wb) -> Html:
    minimum = wb.config.minimum_count
    callbacks_counted = not wb.measure("calls_callback").empty  # only where the export records callbacks
    records = []
    for year in wb.years:
        within = wb.value("calls_answered_within_standard", year)
        abandoned = wb.value("calls_abandoned", year)
        speed = wb.value("average_speed_of_answer", year)
        if abandoned is None:
            continue
        record = {
            "Year": year,
            "Calls offered": count_words(abandoned["denominator"], minimum),
            "Answered within standard": value_words(within["value"], "percent", within["denominator"], minimum)
            if within is not None else "no standard",
            "Abandoned": value_words(abandoned["value"], "percent", abandoned["denominator"], minimum),
        }
        if callbacks_counted:
            record["Ended in a callback"] = _callback_words(wb.value("calls_callback", year), minimum)
        record["Average speed of answer"] = value_words(speed["value"], "seconds") if speed is not None else ""
        records.append(record)
    if not records:
        return _missing("telephony data")
    return table(pd.DataFrame(records), "Phone calls by financial year",
                 numeric=("Calls offered", "Answered within standard", "Abandoned", "Ended in a callback",
                          "Average speed of answer"))


def _callback_count(row) -> float:
    """The callbacks behind a calls_callback row (its numerator; worked back from the percentage if absent)."""
    if not pd.isna(row["numerator"]):
        return float(row["numerator"])
    return round(float(row["value"]) * float(row["denominator"]) / 100)


def _callback_words(row, minimum: int) -> str:
    """A year's callbacks for the phone table: '42 (4.2%)'; 'fewer than 5' with no percentage, which with
    the calls offered beside it would give the count back; 'not recorded' for a year without the figure."""
    if row is None or pd.isna(row["value"]):
        return "not recorded"
    count = _callback_count(row)
    if count < minimum:
        return count_words(count, minimum)
    return f"{count_words(count, minimum)} ({percent_words(row['value'], row['denominator'], minimum)})"


def phone_callbacks_note(wb) -> Html:
    """How the year's callbacks were counted, where the export records them (nothing otherwise):
    '42 calls (4.2% of those offered) ended in a callback in 2024/25: they are counted neither as answered
    nor as abandoned, so the abandoned rate is of all calls offered and the answered-within-20-seconds rate
    is of answered calls.'"""
    row = wb.value("calls_callback")
    if row is None or pd.isna(row["value"]):
        return Html("")
    minimum = wb.config.minimum_count
    count = _callback_count(row)
    if count == 0:
        return paragraph(f"None of the calls offered in {wb.year} ended in a callback.")
    calls = f"{count_words(count, minimum)} call{'' if count == 1 and count >= minimum else 's'}"  # fewer than 5 calls
    # A share of a small count, with the calls offered shown beside it, would give the count back.
    share = f" ({percent_words(row['value'], row['denominator'], minimum)} of those offered)" if count >= minimum else ""
    seconds = wb.config.phone_answer_within_seconds
    rates = "the abandoned rate is of all calls offered"
    if seconds is not None:
        rates += f" and the answered-within-{seconds}-seconds rate is of answered calls"
    return paragraph(f"{capital(calls)}{share} ended in a callback in {wb.year}: they are counted neither as "
                     f"answered nor as abandoned, so {rates}.")


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


# --- channels and access --------------------------------------------------------------------


def _year_rows(wb, measure_id: str, breakdown: str) -> pd.DataFrame:
    rows = wb.measure(measure_id, breakdown)
    return rows.assign(label=rows["breakdown"].str.partition("=")[2])


def channel_mix_table(wb) -> Html:
    rows = _year_rows(wb, "contacts_received", "channel")
    if rows.empty:
        return _missing("contacts")
    minimum = wb.config.minimum_count
    rows = rows.assign(label=rows["label"].map(lambda c: CHANNEL_NAMES.get(c, c)))
    wide, note = counts_words(rows.pivot(index="label", columns="year", values="value").fillna(0), minimum)
    totals = wb.measure("contacts_received").set_index("year")["value"]
    wide.loc["All channels"] = [count_words(totals.get(y), minimum) for y in wide.columns]
    return table(wide.reset_index().rename(columns={"label": "Channel"}),
                 f"Contacts received by channel and year{note}", numeric=tuple(wb.years))


def channel_mix_chart(wb) -> Html:
    rows = _year_rows(wb, "contacts_received", "channel")
    if rows.empty:
        return _missing("contacts")
    totals = rows.groupby("year")["value"].transform("sum")
    rows = rows.assign(share=100 * rows["value"] / totals, channel=rows["label"].map(lambda c: CHANNEL_NAMES.get(c, c)))
    latest = rows[rows["year"] == wb.year].sort_values("share", ascending=False)
    top = latest.iloc[0] if len(latest) else None
    title = (f"{top['channel']} was the most used channel in {wb.year}, with {percent_words(top['share'])} of contacts"
             if top is not None else "Contacts by channel")
    return charts.small_multiples(rows, x="year", y="share", series="channel", title=title,
                                  subtitle="Share of all contacts received on each channel, by financial year (%); "
                                           "one panel per channel, all on the same scale",
                                  unit="percent")


def digital_share_sentence(wb) -> Html:
    row = wb.value("digital_share")
    if row is None:
        return _missing("contacts")
    first = wb.value("digital_share", wb.years[0])
    text = (f"In {wb.year}, {percent_words(row['value'])} of contacts came through digital channels "
            f"({', '.join(CHANNEL_NAMES.get(c, c) for c in wb.config.digital_channels)}).")
    if first is not None and wb.years[0] != wb.year:
        text += f" In {wb.years[0]} it was {percent_words(first['value'])}."
    if is_yes(row.get("significant")):
        text += " The change on the year before is statistically significant."
    elif not pd.isna(row.get("change")):
        text += " The change on the year before is not statistically significant."
    return paragraph(text)


def digital_and_non_digital(wb) -> Html:
    """Volumes and how each group is served: contacts and responses within standard, digital or not."""
    responses_recorded = not measure_not_recorded(wb, "responses_within_standard")
    rows = []
    for group in ("digital", "non-digital"):
        received = wb.measure("contacts_received", "channel_group")
        received = received[received["breakdown"] == f"channel_group={group}"]
        served = wb.measure("responses_within_standard", "channel_group")
        served = served[served["breakdown"] == f"channel_group={group}"].set_index("year")
        for record in received.to_dict("records"):
            year = record["year"]
            within = served.loc[year] if year in served.index else None
            rows.append({
                "Year": year, "Channels": group.capitalize(),
                "Contacts": count_words(record["value"], wb.config.minimum_count),
                "Responses within standard": "not recorded" if not responses_recorded else value_words(
                    within["value"], "percent", within["denominator"], wb.config.minimum_count)
                if within is not None else "no standard",
            })
    if not rows:
        return _missing("contacts")
    frame = pd.DataFrame(rows).sort_values(["Year", "Channels"])
    return table(frame, "Digital and non-digital contacts: how many, and how quickly they were answered",
                 numeric=("Contacts", "Responses within standard"))


def in_person_intro(wb) -> Html:
    """What the in-person section shows, in the council's own word for its places (``[locations] name``)."""
    return paragraph(f"Visits to the {wb.config.locations_name}, year by year, and what people came in for "
                     "this year.")


def in_person_by_location(wb) -> Html:
    """In-person visits at each place, year by year (small counts suppressed)."""
    name = wb.config.locations_name
    unrecorded = _not_shown(wb, "contacts", "location", f"visits to the {name} are not shown place by place")
    if unrecorded:
        return unrecorded
    rows = _year_rows(wb, "contacts_received", "location")
    if rows.empty:
        return paragraph(f"The contacts data records no visit to any of the {name}.")
    wide, note = counts_words(rows.pivot(index="label", columns="year", values="value").fillna(0),
                              wb.config.minimum_count)
    order = [p for p in wb.config.in_person_locations if p in wide.index] + \
        [p for p in wide.index if p not in wb.config.in_person_locations]
    return table(wide.loc[order].reset_index().rename(columns={"label": "Place"}),
                 f"{capital(name)}: visits by place and year{note}", numeric=tuple(wb.years))


def in_person_purposes(wb) -> Html:
    """What people came in for, at each place, this year (small counts suppressed). Says nothing where the
    places are not recorded: :func:`in_person_by_location`, just before it, says so."""
    name = wb.config.locations_name
    counts = wb.facts.get("in_person_purposes")
    if counts is None:
        return _missing("contacts")
    if not wb.data.recorded("contacts", "location"):
        return Html("")
    unrecorded = _not_shown(wb, "contacts", "category", f"what people came to the {name} for is not shown")
    if unrecorded:
        return unrecorded
    if counts.empty:
        return paragraph(f"The contacts data records no visit to any of the {name} in {wb.year}.")
    top = counts.groupby("location", sort=False).head(3)
    minimum = wb.config.minimum_count
    frame = pd.DataFrame({
        "Place": top["location"], "Purpose": top["category"],
        "Visits": [count_words(v, minimum) for v in top["visits"]],
        "Share of the place's visits": [percent_words(p) if v >= minimum else "too few to report"
                                        for p, v in zip(top["share"], top["visits"])],
    })
    return table(frame, f"The three most common purposes of visits at each of the {name}, {wb.year}",
                 numeric=("Visits", "Share of the place's visits"))


# --- complaints -------------------------------------------------------------------------


def _stage_table(wb, measure_id: str, caption: str) -> Html:
    unrecorded = measure_not_recorded(wb, measure_id)
    if unrecorded:
        return paragraph(f"{unrecorded}, so this is not shown.")
    rows = wb.measure(measure_id, "stage")
    if rows.empty and wb.data.recorded("complaints"):
        return paragraph("council.toml sets no timescale for this, so it is not measured.")
    if rows.empty:
        return _missing("complaints")
    rows = rows.assign(label="Stage " + rows["breakdown"].str.partition("=")[2])
    minimum = wb.config.minimum_count
    rows = rows.assign(shown=[value_words(v, u, d, minimum)
                              for v, u, d in zip(rows["value"], rows["unit"], rows["denominator"])])
    wide = rows.pivot(index="label", columns="year", values="shown").fillna("none")
    return table(wide.reset_index().rename(columns={"label": "Stage"}), caption, numeric=tuple(wb.years))


def complaints_headline(wb) -> Html:
    received = wb.value("complaints_received")
    if received is None:
        return _missing("complaints")
    minimum = wb.config.minimum_count
    parts = [f"The council received {count_words(received['value'], minimum)} formal complaints in {wb.year}, "
             "counting stage 1 and stage 2 separately."]
    # A figure counted from a column the export does not have is left out here; its section says why.
    responded = wb.value("complaints_responded_within_standard")
    if responded is not None and not measure_not_recorded(wb, "complaints_responded_within_standard"):
        parts.append(f"{percent_words(responded['value'], responded['denominator'], minimum)} of those due a "
                     "response had one within the Complaint Handling Code's timescales.")
    upheld = wb.value("complaints_upheld")
    if upheld is not None and not measure_not_recorded(wb, "complaints_upheld"):
        parts.append(f"Of the complaints decided, {percent_words(upheld['value'], upheld['denominator'], minimum)} "
                     "were upheld in full or in part.")
    return Html(f'<p class="headline">{escape(" ".join(parts))}</p>')


def complaints_by_stage(wb) -> Html:
    return _stage_table(wb, "complaints_received", "Complaints received by stage and year")


def complaints_acknowledged(wb) -> Html:
    return _stage_table(wb, "complaints_acknowledged_within_standard",
                        "Complaints acknowledged within the Code's timescale, by stage and year")


def complaints_responded(wb) -> Html:
    answered = _stage_table(wb, "complaints_responded_within_standard",
                            "Complaints answered within the Code's timescales, by stage and year")
    if measure_not_recorded(wb, "complaints_responded_within_standard") or wb.data.recorded(
            "complaints", "acknowledged_at"):
        return answered
    # The Code times an answer from the acknowledgement; without acknowledgement dates it runs from receipt.
    return Html(str(paragraph(f"{not_recorded(wb, 'complaints', 'acknowledged_at')}, so each answer is timed "
                              "from the day the complaint was received.")) + str(answered))


def complaints_upheld_table(wb) -> Html:
    return _stage_table(wb, "complaints_upheld", "Complaints upheld in full or in part, by stage and year")


def complaints_by_service(wb) -> Html:
    rows = wb.measure("complaints_received", "service")
    if rows.empty:
        return _missing("complaints")
    rows = rows.assign(label=rows["breakdown"].str.partition("=")[2])
    wide, note = counts_words(rows.pivot(index="label", columns="year", values="value").fillna(0),
                              wb.config.minimum_count)
    return table(wide.reset_index().rename(columns={"label": "Service"}),
                 f"Complaints received by service and year{note}", numeric=tuple(wb.years))


def complaint_standards_in_words(wb) -> Html:
    c = wb.config
    items = []
    if c.complaint_acknowledge_within is not None:
        items.append(f"acknowledge a complaint within {c.complaint_acknowledge_within} working days of receiving it")
    if c.complaint_stage1_within is not None:
        items.append(f"answer at stage 1 within {c.complaint_stage1_within} working days of the acknowledgement")
    if c.complaint_stage2_within is not None:
        items.append(f"answer at stage 2 within {c.complaint_stage2_within} working days of the acknowledgement")
    if not items:
        return paragraph("council.toml sets no complaint standards, so complaints are counted but not timed.")
    return Html("<ul>" + "".join(f"<li>{escape(i.capitalize())}.</li>" for i in items) + "</ul>")


# --- satisfaction and the Citizens' Panel ----------------------------------------------------


def net_satisfaction_table(wb) -> Html:
    rows = wb.measure("net_satisfaction", "channel")
    if rows.empty:
        return _missing("GovMetric feedback")
    rows = rows.assign(label=rows["breakdown"].str.partition("=")[2].map(lambda c: CHANNEL_NAMES.get(c, c)),
                       shown=[f"{v:+.0f}" if not pd.isna(v) else "not available" for v in rows["value"]])
    wide = rows.pivot(index="label", columns="year", values="shown").fillna("not available")
    return table(wide.reset_index().rename(columns={"label": "Channel"}),
                 "Net satisfaction by channel and year (good minus poor ratings per 100; from -100 to +100)",
                 numeric=tuple(wb.years))


def net_satisfaction_chart(wb) -> Html:
    rows = wb.measure("net_satisfaction")
    if rows.empty:
        return _missing("GovMetric feedback")
    latest = wb.value("net_satisfaction")
    title = f"Net satisfaction was {latest['value']:+.0f} in {wb.year}" if latest is not None else "Net satisfaction"
    return charts.line_chart(rows, x="year", y="value", series=None, title=title,
                             subtitle="Good minus poor ratings per 100 ratings, all channels, by financial year",
                             unit="score")


def survey_results_table(wb) -> Html:
    rows = wb.measure("survey_positive", "question_id")
    if rows.empty:
        return _missing("survey")
    questions = wb.config.survey_questions
    minimum = wb.config.minimum_count
    rows = rows.assign(label=rows["breakdown"].str.partition("=")[2].map(
        lambda q: questions[q].text if q in questions else q),
        shown=[percent_words(v, d, minimum) for v, d in zip(rows["value"], rows["denominator"])])
    wide = rows.pivot(index="label", columns="year", values="shown").fillna("not asked")
    return table(wide.reset_index().rename(columns={"label": "Question"}),
                 "Residents' survey: positive answers to each question by year", numeric=tuple(wb.years))


SAME_EVERY_WAVE = "asked the same way in every wave"  # question_history's note when nothing says otherwise


def survey_consistency(wb) -> Html:
    from analysis.survey import question_history

    if wb.data.survey is None:
        return _missing("residents' survey")
    history = question_history(wb.data.survey, wb.config)
    if history.empty:
        return _missing("survey questions")
    history.loc[history["waves"] == "not asked", "note"] = "not asked"
    # Without the wording each wave was asked in, only council.toml can say a question was reworded.
    unrecorded = _not_shown(wb, "survey", "question_text",
                            "only the rewordings that council.toml records are known")
    if unrecorded:
        history.loc[history["note"] == SAME_EVERY_WAVE, "note"] = "no rewording recorded in council.toml"
    frame = history.rename(columns={"text": "Question", "waves": "Asked in", "note": "Can the years be compared?"})
    shown = table(frame[["Question", "Asked in", "Can the years be compared?"]],
                  "How each survey question was asked over the years")
    return Html(str(unrecorded or "") + str(shown))


PANEL_DIMENSION_WORDS = {"age_band": "age", "sex": "sex"}


def _panel_compared(wb) -> tuple[pd.DataFrame, list[str], list[str]]:
    """This year's representation rows of the dimensions the panel data records; those dimensions that have
    a ratio this year (the panel can be compared with residents by them); and a sentence for each dimension
    the panel data does not record."""
    rows = wb.measure("panel_representation", None)
    rows = rows[rows["year"] == wb.year]
    dimensions = rows["breakdown"].str.partition("=")[0]
    recorded = [d for d in PANEL_DIMENSIONS if wb.data.recorded("panel", d)]
    rows = rows[dimensions.isin(recorded)]
    compared = [d for d in recorded if rows.loc[dimensions[rows.index] == d, "value"].notna().any()]
    notes = [f"{not_recorded(wb, 'panel', d)}, so the panel is not compared with residents by "
             f"{PANEL_DIMENSION_WORDS.get(d, d)}." for d in PANEL_DIMENSIONS if d not in recorded]
    return rows, compared, notes


def _panel_missing(wb) -> str:
    """Why the panel cannot be compared with residents at all ('' when it can be)."""
    return not_recorded(wb, "panel") or not_recorded(wb, "population")


def panel_representation_table(wb) -> Html:
    missing = _panel_missing(wb)
    if missing:
        return paragraph(f"{missing}, so the panel cannot be compared with residents.")
    rows, compared, _ = _panel_compared(wb)
    if rows.empty:
        return paragraph(f"There are no figures to compare the panel with residents at the end of {wb.year}.")
    hidden, shown, note = _panel_counts_hidden(wb, rows["breakdown"])
    records = []
    for record in rows.to_dict("records"):
        ratio = record["value"]
        records.append({"Group": group_words(record["breakdown"], heading=True),
                        "Panel members": shown[record["breakdown"]],
                        "Representation (1 = in line with residents)": "too few to report" if hidden[record["breakdown"]]
                        else f"{ratio:.2f}" if not pd.isna(ratio) else "not available",
                        "Reading": representation_words(ratio)})
    return table(pd.DataFrame(records), f"Who is on the Citizens' Panel at the end of {wb.year}, against residents "
                 f"aged 16 and over{note}", numeric=("Panel members", "Representation (1 = in line with residents)"))


def _panel_counts_hidden(wb, breakdowns) -> tuple[dict, dict, str]:
    """Which groups' member counts members may not see this year (small, or hidden so a small one cannot be
    worked out), as {breakdown: bool}; the counts in words; and the note for the table's caption. The ratio
    of a hidden group would give its count away (ratio x share of residents x panel size)."""
    members = wb.measure("panel_members", None)
    members = members[members["year"] == wb.year].set_index("breakdown")["value"]
    counts = members.reindex(list(breakdowns)).fillna(0).to_frame("members")
    groups = [b.partition("=")[0] for b in counts.index]
    words, note = counts_words(counts, wb.config.minimum_count, groups)
    small, also = hidden_counts(counts, wb.config.minimum_count, groups)
    return (small | also)["members"].to_dict(), words["members"].to_dict(), note


def panel_under_represented_sentence(wb) -> Html:
    """The groups of residents under-represented on the panel; "none" only for the dimensions (age, sex)
    the panel was actually compared by, and never without panel and population figures."""
    missing = _panel_missing(wb)
    if missing:
        return paragraph(f"{missing}, so it cannot be said whether any group of residents is under-represented "
                         "on the panel.")
    rows, compared, notes = _panel_compared(wb)
    if not compared:
        return paragraph(" ".join(notes) if notes else (
            f"The panel cannot be compared with residents at the end of {wb.year}, so it cannot be said whether "
            "any group is under-represented on it."))
    under = rows[rows["value"] < UNDER_REPRESENTED].sort_values("value")
    if under.empty:
        words = (f"By {list_words(PANEL_DIMENSION_WORDS.get(d, d) for d in compared)}, no group of residents is "
                 f"markedly under-represented on the panel (none below {UNDER_REPRESENTED}).")
    else:
        hidden, _, _ = _panel_counts_hidden(wb, under["breakdown"])
        # A group's ratio is given only where its count is shown (see panel_representation_table).
        groups = [group_words(b) if hidden[b] else f"{group_words(b)} ({v:.2f})"
                  for b, v in zip(under["breakdown"], under["value"])]
        words = ("Under-represented on the panel (fewer than 8 members for every 10 the population would "
                 f"suggest): {list_words(groups)}.")
    return paragraph(" ".join([words, *notes]))


def consultation_funnel(wb) -> Html:
    invitations = wb.data.panel_invitations
    if invitations is None:
        return _missing("panel invitations")
    opened = wb.measure("panel_open_rate", "consultation_id")
    completed = wb.measure("panel_completion_rate", "consultation_id").set_index(["year", "breakdown"])
    opened = opened[opened["year"] == wb.year]
    if opened.empty:
        return paragraph(f"No Citizens' Panel consultation started in {wb.year}.")
    minimum = wb.config.minimum_count
    # Without opened_on or completed_on every invitation would read "not opened" or "not completed".
    opens = wb.data.recorded("panel_invitations", "opened_on")
    completes = wb.data.recorded("panel_invitations", "completed_on")
    records = []
    for row in opened.to_dict("records"):
        key = (row["year"], row["breakdown"])
        done = completed.loc[key] if completes and key in completed.index else None
        records.append({
            "Consultation": name_from_id(row["breakdown"].partition("=")[2]),
            "Invited": count_words(row["denominator"], minimum),
            "Opened": count_words(row["numerator"], minimum) if opens else "not recorded",
            "Completed": count_words(done["numerator"], minimum) if done is not None else "not recorded",
            "Opened (% of invited)": percent_words(row["value"], row["denominator"], minimum)
            if opens else "not recorded",
            "Completed (% of invited)": percent_words(done["value"], done["denominator"], minimum)
            if done is not None else "not recorded",
            # "Of the 79 who opened it, how many completed it?"
            "Completed (% of those who opened)": percent_words(
                100 * done["numerator"] / row["numerator"] if row["numerator"] else np.nan, row["numerator"], minimum)
            if done is not None and opens else "not recorded",
        })
    notes = [f"{not_recorded(wb, 'panel_invitations', c)}, so {what} is not shown." for c, what, known in (
        ("opened_on", "how many opened each invitation", opens),
        ("completed_on", "how many completed each consultation", completes)) if not known]
    return Html(("" if not notes else str(paragraph(" ".join(notes)))) + str(table(
        pd.DataFrame(records), f"Citizens' Panel consultations in {wb.year}: invited, opened, completed",
        numeric=("Invited", "Opened", "Completed", "Opened (% of invited)", "Completed (% of invited)",
                 "Completed (% of those who opened)"))))


# --- month by month (statistical process control) ----------------------------------------------

MONTHLY_SUBTITLES = {
    "responses_within_standard": "Percentage of contacts due a response that had one within the channel's standard",
    "acknowledgements_within_standard": "Percentage of contacts acknowledged within the standard",
    "first_contact_resolution": "Percentage of contacts resolved at the first contact, where recorded",
    "digital_share": "Percentage of contacts made through digital channels",
    "calls_answered_within_standard": "Percentage of answered calls answered within the standard",
    "calls_abandoned": "Percentage of calls offered that were abandoned",
    "average_speed_of_answer": "Average wait of answered calls, in seconds",
    "complaints_acknowledged_within_standard": "Percentage of complaints acknowledged within the Code's timescale",
    "complaints_responded_within_standard": "Percentage of complaints answered within the Code's timescales",
    "complaints_upheld": "Percentage of decided complaints upheld in full or in part",
}


def monthly_chart(wb, measure_id: str, subject: str) -> Html:
    """An XmR chart of one measure month by month, with what it shows in words."""
    from analysis.present import measure_name
    from analysis.spc import assurance_words, month_words, variation_words

    unrecorded = measure_not_recorded(wb, measure_id)
    if unrecorded:
        return paragraph(f"{unrecorded}, so there is no monthly chart of {subject[:1].lower()}{subject[1:]}.")
    result = wb.spc(measure_id)
    if result is None:
        return paragraph(f"There are no monthly figures for {subject.lower()}.")
    unit = "seconds" if measure_id == "average_speed_of_answer" else "percent"
    register = wb.data.get("measures")
    target = None
    if register is not None and measure_id in set(register["measure_id"]):
        target = register.loc[register["measure_id"] == measure_id, "target"].iloc[0]
        target = None if pd.isna(target) else float(target)
    variation = variation_words(result, unit=unit)
    months = result.points.index
    period = f"{month_words(months[0])} to {month_words(months[-1])}"
    title = f"{subject}: {variation.phrase}"
    since, change = wb.process_start(measure_id)
    subtitle = (f"{MONTHLY_SUBTITLES.get(measure_id, measure_name(measure_id, register))}, each month, {period}; "
                "with the average and the normal range of variation")
    if since is not None:
        subtitle += f". The chart starts in {month_words(since)}, when {change}."
    chart = charts.spc_chart(result, title=title, subtitle=subtitle, unit=unit, target=target,
                             polarity=result.polarity)
    words = variation.sentence
    if target is not None and result.polarity != "neutral":
        words += " " + assurance_words(result, target, unit=unit).sentence
    return Html(str(paragraph(words)) + str(chart))
