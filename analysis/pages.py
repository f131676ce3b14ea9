"""Sections of the yearly pages, each a function of the prepared workbook returning HTML.

The notebooks call these in order between their own words for members, so a
page stays a short, readable notebook and its logic stays testable here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import charts
from analysis import investigate as inv
from analysis.calendar import next_year
from analysis.measures import PANEL_DIMENSIONS, actions_not_achieved, carry_forward_chains
from analysis.present import (
    CHANNEL_NAMES,
    COMPARED_WITH,
    NOT_RECORDED,
    TOO_FEW,
    UNDER_REPRESENTED,
    Html,
    began_words,
    by_year_table,
    capital,
    compared_baseline,
    count_words,
    disclosure,
    escape,
    group_words,
    is_yes,
    list_words,
    measure_not_recorded,
    measure_value_words,
    name_from_id,
    not_recorded,
    number_words,
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
    return paragraph(f"The data for this report has no {what}, so this section cannot be shown.")


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
    """Each chain of actions carried forward two or more times, once: its latest action (up to this year), the
    year the chain was first planned and how many times it has been carried forward. (An earlier link of the
    chain, such as 2023/24 2a carried on as 2024/25 2a, is the same action and is not listed again.)"""
    plan = wb.data.action_plan
    if plan is None:
        return _missing("action plan")
    unlinked = _not_shown(wb, "action_plan", "carried_from",
                          "the actions carried forward more than once cannot be found")
    if unlinked:
        return unlinked
    chains = carry_forward_chains(plan[plan["plan_year"] <= wb.year])
    # An action some later action continues is not its chain's latest: the chain is listed at its latest.
    continued = set(chains["carried_from"].dropna().astype(str))
    latest = ~(chains["plan_year"].astype(str) + ":" + chains["action_id"].astype(str)).isin(continued)
    repeat = chains[latest & (chains["times_carried"] >= 2)]
    if repeat.empty:
        return paragraph("No action has been carried forward more than once.")
    frame = pd.DataFrame({
        "Latest plan year": repeat["plan_year"],
        "Ref": repeat["action_id"],
        "Latest action": repeat["action"],
        "First planned": repeat["first_planned"],
        "Times carried forward": repeat["times_carried"],
        "Status": repeat["status"].map(STATUS_WORDS),
    })
    return table(frame, "Actions carried forward more than once: each shown once, at its latest plan year",
                 numeric=("Times carried forward",))


def _successors(plan: pd.DataFrame) -> pd.Series:
    """For each action a later one continues ('2021/22:2b'), where it went: '2022/23 action 2a: Work with
    parish councils ... (achieved)' with that action's own status (several joined with '; ')."""
    later = plan[plan["carried_from"].notna()]
    if later.empty:
        return pd.Series(dtype="object")
    went = (later["plan_year"].astype(str) + " action " + later["action_id"].astype(str) + ": "
            + later["action"].astype(str) + " (" + later["status"].map(STATUS_WORDS).str.lower() + ")")
    return went.groupby(later["carried_from"].astype(str).to_numpy()).agg("; ".join)


def action_plan_history(wb) -> Html:
    """Every earlier plan year's actions that were not achieved (not achieved, ongoing at the year's end or
    withdrawn) and where each went: the later action that continues it, "not carried forward" where the plan
    records the links and no later action continues it, "not recorded" where the plan has no links, and
    "next plan not in the data" where the following year's plan is missing. One table per plan year, its
    caption giving how many of the year's actions were achieved."""
    plan = wb.data.action_plan
    if plan is None:
        return _missing("action plan")
    years = sorted(y for y in set(plan["plan_year"].astype(str)) if y < wb.year)
    if not years:
        return paragraph(f"The {wb.year} plan is the first in the data, so there is no earlier plan to show.")
    linked = _linked(wb)
    went = _successors(plan) if linked else pd.Series(dtype="object")
    in_data = set(plan["plan_year"].astype(str))
    parts = []
    if not linked:
        parts.append(str(_not_shown(wb, "action_plan", "carried_from", "where each action went reads "
                                                                       f"\u201c{NOT_RECORDED}\u201d")))
    for year in years:
        actions = plan[plan["plan_year"].astype(str) == year]
        total, achieved = len(actions), int((actions["status"] == "achieved").sum())
        missed = actions[actions["status"] != "achieved"]
        done = f"{achieved} of the {total} actions {'was' if achieved == 1 else 'were'} achieved"
        if missed.empty:
            every = "the one action was achieved" if total == 1 else f"all {total} actions were achieved"
            parts.append(str(paragraph(f"{year}: {every}.")))
            continue
        keys = year + ":" + missed["action_id"].astype(str)
        if not linked:
            where = [NOT_RECORDED] * len(missed)
        elif next_year(year) not in in_data:
            where = ["next plan not in the data"] * len(missed)
        else:
            where = keys.map(went).fillna(NOT_CARRIED).tolist()
        frame = pd.DataFrame({
            "Ref": missed["action_id"].astype(str).to_numpy(),
            "Action": missed["action"].to_numpy(),
            "Status at the year's end": missed["status"].map(STATUS_WORDS).to_numpy(),
            "Where it went": where,
        })
        number = len(missed)
        were = "was" if number == 1 else "were"
        parts.append(str(table(frame, f"{year}: {done}; the {number_words(number)} that {were} not, and where "
                                      f"{'it' if number == 1 else 'each'} went")))
    return Html("".join(parts))


# --- officers' commentary, and did the action work? (issue 11) -----------------------------------------
#
# The commentary dataset's words beside a measure on its page (the scorecard has them in a column of its own,
# present.scorecard_frame), and each action that names an outcome measure (the action plan's measure_id) beside
# that measure's figure, in the scorecard's own words, so the run's disclosure record hides on one page what it
# hides on the other.

OUTCOME_BEFORE = "Change on the year before"  # the scorecard's own heading


def _paragraphs(text) -> list[str]:
    """A cell's text as paragraphs, one for each line typed in it (an Excel cell written over several lines)."""
    lines = str(text).replace("\r", "\n").split("\n")
    return [" ".join(line.split()) for line in lines if line.strip()]


def commentary(wb, measure_ids) -> Html:
    """The officers' commentary of the year on each of ``measure_ids`` (an id, or several), for the section of the
    page that shows those measures: their words, the next steps and who is responsible, as plain text (markup in
    it reads as text). Nothing at all where there is none, so a page without commentary reads as before."""
    from analysis.present import COMMENTARY_COLUMN, _given, commentary_rows, measure_name

    ids = [measure_ids] if isinstance(measure_ids, str) else list(measure_ids)
    rows = commentary_rows(wb, ids)
    register = wb.data.get("measures")
    parts = []
    for row in rows.to_dict("records"):  # one row per measure of the section: a handful at most
        name = measure_name(row["measure_id"], register)
        body = [f"<h3>{escape(COMMENTARY_COLUMN)}: {escape(name)}, {escape(wb.year)}</h3>"]
        body += [f"<p>{escape(p)}</p>" for p in _paragraphs(row["commentary"])]
        steps, owner = _given(row["next_steps"]), _given(row["owner"])
        if steps:
            body.append(f"<p><strong>Next steps:</strong> {escape(steps)}</p>")
        if owner:
            body.append(f"<p><strong>Responsible:</strong> {escape(owner)}</p>")
        parts.append(f'<div class="commentary">{"".join(body)}</div>')
    return Html("".join(parts))


def _outcome_line(wb, measure_id: str, since: str | None) -> dict:
    """A measure that is not on the scorecard (actions not achieved, complaints received...) in the scorecard's
    words: its figure this year, its status against a target, and its changes, each hidden as the scorecard
    hides them."""
    from analysis.present import (
        _register_lookup, change_words, figure_hidden, is_missing, measure_name, scorecard_status)

    register = wb.data.get("measures")
    entry = _register_lookup(register).get(measure_id, {})
    name = measure_name(measure_id, register)
    unrecorded = measure_not_recorded(wb, measure_id)
    row = wb.value(measure_id)
    line = {"measure_id": measure_id, "Measure": name, "Status": scorecard_status(
        bool(entry), entry.get("target"), None, False, recorded=False), OUTCOME_BEFORE: "", "since": ""}
    if unrecorded:
        return {**line, "figure": NOT_RECORDED}
    if row is None or is_missing(row["value"]):
        return {**line, "figure": "no data this year"}
    row = row.to_dict()
    minimum, polarity = wb.config.minimum_count, entry.get("polarity")
    hidden = figure_hidden(wb, measure_id, "", wb.year)
    before = "too few to compare" if hidden or figure_hidden(wb, measure_id, "", wb.previous_year) else (
        change_words(row, minimum, polarity, figures=True))
    after = "" if since is None else "too few to compare" if hidden or figure_hidden(wb, measure_id, "", since) \
        else change_words(row, minimum, polarity, "baseline", figures=True)
    return {**line, "figure": measure_value_words(wb, row), OUTCOME_BEFORE: before,
            "since": f"no {since} figure" if after == "no figure for that year" else after,
            "Status": scorecard_status(bool(entry), row.get("target"), row.get("target_met"),
                                       before.startswith("improved"))}


def actions_and_outcomes(wb) -> Html:
    """Each action of the year's plan that names the outcome measure it is meant to move (measure_id), beside
    that measure's figure for the year, its status against its target, and its change on the year before and
    since the strategy began, in the scorecard's words (present.scorecard_frame): "achieved" is read beside the
    outcome. A figure the scorecard hides (too few) is hidden here too."""
    from analysis.present import scorecard_frame

    plan = wb.data.action_plan
    if plan is None:
        return _missing("action plan")
    unlinked = _not_shown(wb, "action_plan", "measure_id", "the actions cannot be shown beside their outcomes")
    if unlinked:
        return unlinked
    actions = plan[(plan["plan_year"] == wb.year) & plan["measure_id"].notna()]
    if actions.empty:
        return paragraph(f"No action in the {wb.year} plan names the outcome measure it is meant to move.")
    since = compared_baseline(wb)
    since_heading = f"Since {began_words(since)}" if since else None
    scorecard = scorecard_frame(wb)
    lines = scorecard.rename(columns={wb.year: "figure", **({since_heading: "since"} if since_heading else {})}) \
        if not scorecard.empty else pd.DataFrame(columns=["measure_id"])
    missing = [m for m in dict.fromkeys(actions["measure_id"].astype(str)) if m not in set(lines["measure_id"])]
    if missing:
        lines = pd.concat([lines, pd.DataFrame([_outcome_line(wb, m, since) for m in missing])], ignore_index=True)
    # One line per action and outcome line (the survey's measure has one line for each question).
    joined = actions[["action_id", "action", "status", "measure_id"]].astype({"measure_id": "string"}).merge(
        lines.astype({"measure_id": "string"}), on="measure_id", how="left", sort=False)
    frame = pd.DataFrame({
        "Ref": joined["action_id"].astype(str).to_numpy(),
        "Action": joined["action"].to_numpy(),
        "Action's status": joined["status"].map(STATUS_WORDS).to_numpy(),
        "Outcome measure": joined["Measure"].to_numpy(),
        wb.year: joined["figure"].to_numpy(),
        "Against its target": joined["Status"].to_numpy(),
        OUTCOME_BEFORE: joined[OUTCOME_BEFORE].to_numpy(),
    })
    if since_heading:
        frame[since_heading] = joined["since"].fillna("").to_numpy()
    in_plan = int((plan["plan_year"] == wb.year).sum())
    named = len(actions)
    # Say how many actions the table is of, so that a member does not read it as the whole plan.
    lead = paragraph(f"{named} of the {in_plan} actions in the {wb.year} plan "
                     f"{'names' if named == 1 else 'name'} the outcome measure {'it is' if named == 1 else 'they are'} "
                     "meant to move; the others name none, so they are not in this table.") if named < in_plan else ""
    return Html(lead + table(frame.fillna(""), f"Actions in the {wb.year} plan beside the outcome each is meant to move",
                             numeric=(wb.year,), stacked=True))


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
    "responses_within_standard": "The council has set no response standard for the channels in the data, so "
                                 "responses are not measured.",
    "acknowledgements_within_standard": "The council has set no acknowledgement standard for the channels in the "
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
            # As the whole run hides them: a percentage times the calls offered beside it gives a count back.
            "Calls offered": disclosure(wb).count_words(("calls", "", year), abandoned["denominator"]),
            "Answered within standard": measure_value_words(wb, within) if within is not None else "no standard",
            "Abandoned": measure_value_words(wb, abandoned),
        }
        if callbacks_counted:
            record["Ended in a callback"] = _callback_words(wb, wb.value("calls_callback", year))
        record["Average speed of answer"] = value_words(speed["value"], "seconds") if speed is not None else ""
        records.append(record)
    if not records:
        return _missing("telephony data")
    offered = "abandoned and callbacks are shares" if callbacks_counted else "abandoned is a share"
    return table(pd.DataFrame(records), "Phone calls by financial year (answered within the standard is a share "
                 f"of the calls answered; {offered} of the calls offered)",
                 numeric=("Calls offered", "Answered within standard", "Abandoned", "Ended in a callback",
                          "Average speed of answer"))


def _callback_count(row) -> float:
    """The callbacks behind a calls_callback row (its numerator; worked back from the percentage if absent)."""
    if not pd.isna(row["numerator"]):
        return float(row["numerator"])
    return round(float(row["value"]) * float(row["denominator"]) / 100)


def _callback_words(wb, row) -> str:
    """A year's callbacks for the phone table: '42 (4.2%)'; 'fewer than 5' or 'not shown' with no percentage,
    which with the calls offered beside it would give the count back; 'not recorded' for a year without it."""
    if row is None or pd.isna(row["value"]):
        return "not recorded"
    plan = disclosure(wb)
    count = plan.count_words(("calls", "outcome=callback", row["year"]), _callback_count(row))
    if plan.rate_hidden(("calls_callback", "", row["year"])) or _callback_count(row) < plan.minimum_count:
        return count
    return f"{count} ({measure_value_words(wb, row)})"


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
    plan = disclosure(wb)
    shown = plan.count_words(("calls", "outcome=callback", wb.year), count)
    calls = f"{shown} call{'' if count == 1 and count >= minimum else 's'}"  # fewer than 5 calls
    # A share of a small or hidden count, with the calls offered shown beside it, would give the count back.
    share = (f" ({measure_value_words(wb, row)} of those offered)"
             if count >= minimum and not plan.rate_hidden(("calls_callback", "", wb.year)) else "")
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
    # A percentage hidden in the table (it would give a small count back) is not drawn either.
    plan = disclosure(wb)
    hidden = [plan.rate_hidden((m, "", y)) for m, y in zip(rows["measure_id"], rows["year"])]
    rows = rows.assign(series=rows["measure_id"].map(names), value=rows["value"].mask(hidden))
    latest = wb.value("calls_answered_within_standard")
    latest = None if latest is None or plan.rate_hidden(("calls_answered_within_standard", "", wb.year)) else latest
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


# Two systems count phone calls differently: the CRM holds the calls staff logged as a contact, the phone system
# every call offered to the lines. A share of one is never a share of the other, so every page says which it uses.
CRM = "the customer contact system (CRM)"


def _calls_offered(wb, year: str | None = None):
    """Calls offered on the phone system in ``year`` (this year by default); None without telephony data."""
    row = wb.value("calls_abandoned", year)
    return None if row is None or pd.isna(row["denominator"]) else float(row["denominator"])


def phone_counts_note(wb) -> Html:
    """Which count of phone calls the CRM's tables use, beside the phone system's ('' without phone contacts):
    'Phone here counts the 5,562 phone contacts staff logged in the CRM in 2024/25. The phone system counted
    28,500 calls offered that year: ...'."""
    logged = wb.value("contacts_received", None, "channel=phone")
    if logged is None:
        return Html("")
    plan = disclosure(wb)  # counts as the whole run hides them
    text = (f"Phone here counts the phone contacts staff logged in the CRM: "
            f"{plan.count_words(('contacts_received', 'channel=phone', wb.year), logged['value'])} in {wb.year}.")
    offered = _calls_offered(wb)
    if offered is not None:
        text += (f" The phone system counted {plan.count_words(('calls', '', wb.year), offered)} calls offered to "
                 "the phone lines that year (on the customer care standards page). They are a different count, of "
                 "every call, so they are not added to the contacts here: the shares in the chart above and the "
                 "counts below are of contacts logged in the CRM only.")
    return paragraph(text)


def channel_mix_table(wb) -> Html:
    rows = _year_rows(wb, "contacts_received", "channel")
    if rows.empty:
        return _missing("contacts")
    # Hidden as the whole run hides them: the groups' totals and the places are on this page too.
    plan = disclosure(wb)
    wide, note = plan.table_words("contacts_received", rows)
    wide.index = pd.Index([CHANNEL_NAMES.get(b.partition("=")[2], b.partition("=")[2]) for b in wide.index],
                          name="label")
    totals = wb.measure("contacts_received").set_index("year")["value"]
    wide.loc["All channels"] = [plan.count_words(("contacts_received", "", y), totals.get(y)) for y in wide.columns]
    return Html(str(phone_counts_note(wb)) + str(table(
        wide.reset_index().rename(columns={"label": "Channel"}),
        f"Contacts logged in the CRM by channel and year{note}", numeric=tuple(wb.years))))


def channel_mix_chart(wb) -> Html:
    rows = _year_rows(wb, "contacts_received", "channel")
    if rows.empty:
        return _missing("contacts")
    totals = rows.groupby("year")["value"].transform("sum")
    # A hidden channel's share, times the year's total in the table below, would give its count back.
    plan = disclosure(wb)
    hidden = [plan.rate_hidden(("share", "contacts_received", b, y)) for b, y in zip(rows["breakdown"], rows["year"])]
    rows = rows.assign(share=(100 * rows["value"] / totals).mask(hidden),
                       channel=rows["label"].map(lambda c: CHANNEL_NAMES.get(c, c)))
    latest = rows[rows["year"] == wb.year].sort_values("value", ascending=False)
    top = latest.iloc[0] if len(latest) and not pd.isna(latest.iloc[0]["share"]) else None
    # "The most used channel" would be a claim about every call too; this is a share of what the CRM logs.
    title = (f"{top['channel']} had the largest share of the contacts logged in the CRM in {wb.year}: "
             f"{percent_words(top['share'])}" if top is not None else "Contacts logged in the CRM by channel")
    subtitle = ("Share of all contacts logged in the CRM on each channel, by financial year (%); one panel per "
                "channel, all on the same scale")
    if "phone" in set(rows["label"]):
        subtitle += ". Phone is the calls staff logged in the CRM, not every call to the phone lines"
    return charts.small_multiples(rows, x="year", y="share", series="channel", title=title,
                                  subtitle=subtitle, unit="percent")


def _against_words(row, against: str, year: str, minimum: int) -> str:
    """How a percentage stands against the year before or the baseline year, in neutral words ('more', 'less'),
    as significance allows: 'significantly more than 60.0% in 2023/24', 'not significantly different from
    60.0% in 2023/24'; '' where there is no figure to compare with or too few to compare."""
    other_key, _, significant_key, _ = COMPARED_WITH[against]
    other, significant = row.get(other_key), row.get(significant_key)
    if other is None or pd.isna(other) or significant is None or pd.isna(significant):
        return ""
    if float(row["denominator"]) < minimum:
        return ""
    then = f"{percent_words(other)} in {year}"
    if not is_yes(significant):
        return f"not significantly different from {then}"
    return f"significantly {'more' if float(row['value']) > float(other) else 'less'} than {then}"


def digital_share_sentence(wb) -> Html:
    """The digital share with its base stated (contacts logged in the CRM; calls to the phone lines are counted
    apart) and how it stands against the year before and the year the strategy began."""
    row = wb.value("digital_share")
    if row is None:
        return _missing("contacts")
    minimum = wb.config.minimum_count
    channels = ", ".join(CHANNEL_NAMES.get(c, c) for c in wb.config.digital_channels)
    plan = disclosure(wb)  # a share of a hidden count, times the contacts shown beside it, would give it back
    text = (f"In {wb.year}, {measure_value_words(wb, row)} of the "
            f"{plan.count_words(('contacts_received', '', wb.year), row['denominator'])} contacts logged in {CRM} "
            f"came through digital channels ({channels}).")
    offered = _calls_offered(wb)
    if offered is not None:
        text += (f" Calls to the phone lines are counted separately, on the phone system "
                 f"({plan.count_words(('calls', '', wb.year), offered)} calls offered); only the phone calls staff "
                 "logged in the CRM "
                 "are in this share.")
    # The other year's share is left out where the run hides it (with that year's contacts it gives a count).
    previous, baseline = wb.previous_year, compared_baseline(wb)
    compared = [words for words in (
        _against_words(row, "previous", previous, minimum)
        if previous and not plan.rate_hidden(("digital_share", "", previous)) else "",
        _against_words(row, "baseline", began_words(baseline), minimum)
        if baseline and not plan.rate_hidden(("digital_share", "", baseline)) else "") if words]
    if compared:
        text += f" That is {' and '.join(compared)}."
    return paragraph(text)


def _non_digital_channels(wb) -> list[str]:
    """The channels in the contacts data that are not digital: phone, letter and in person first."""
    rows = wb.measure("contacts_received", "channel")
    channels = set(rows["breakdown"].str.partition("=")[2]) - set(wb.config.digital_channels)
    first = [c for c in ("phone", "letter", "in_person") if c in channels]
    return first + sorted(channels - set(first))


def _by_year(wb, measure_id: str, breakdown: str, unit: str) -> dict[str, str]:
    """A measure's figure each year in words, as the run's disclosure record allows (small numbers, and those
    that would give a small one back, suppressed)."""
    rows = wb.measure(measure_id, None)
    rows = rows[rows["breakdown"] == breakdown]
    return {r["year"]: measure_value_words(wb, {**r, "unit": unit}) for r in rows.to_dict("records")}


def _standard_changes_in_data(wb, channels: list[str]) -> list[str]:
    """The response standards of ``channels`` that changed within the years in the data, in words: ['the
    email standard changed from 10 to 5 working days in 2022/23']."""
    changed = []
    for channel in channels:
        standard = wb.config.respond_within[channel]
        for before, after in zip(wb.years, wb.years[1:]):
            old, new = standard.for_year(int(before[:4])), standard.for_year(int(after[:4]))
            if old != new:
                shown = CHANNEL_NAMES.get(channel, channel)
                changed.append(f"the {shown if shown == 'Report It' else shown.lower()} standard changed from "
                               f"{old} to {new} working days in {after}")
    return changed


def _channel_measure(wb, channel: str) -> tuple[str, dict[str, str]]:
    """A non-digital channel's own measure: (what it is, its figure each year). Phone: calls answered within the
    standard, from the phone system; a channel with a response standard (letter): responses within it; in
    person, or a channel with no standard: the contacts logged in the CRM."""
    if channel == "phone":
        seconds = wb.config.phone_answer_within_seconds
        if not wb.data.recorded("calls"):
            return "Calls answered in time: the data for this report has no phone system figures", {}
        if seconds is None:
            return "Calls answered in time: the council has set no phone standard", {}
        return (f"Calls answered within {seconds} seconds, of calls answered (phone system)",
                _by_year(wb, "calls_answered_within_standard", "", "percent"))
    standard = wb.config.respond_within.get(channel)
    if standard is not None:
        unrecorded = measure_not_recorded(wb, "responses_within_standard")
        days = standard.for_year(int(wb.year[:4]))
        what = f"Full responses within {days} working day{'' if days == 1 else 's'}, of those due (CRM)"
        changed = _standard_changes_in_data(wb, [channel])
        if changed:
            what += f"; each year against its own standard ({list_words(changed)})"
        if unrecorded:
            return f"{what}: {NOT_RECORDED}", {}
        return what, _by_year(wb, "responses_within_standard", f"channel={channel}", "percent")
    what = "Visits logged in the CRM" if channel == "in_person" else "Contacts logged in the CRM (no standard)"
    return what, _by_year(wb, "contacts_received", f"channel={channel}", "count")


def digital_and_non_digital(wb) -> Html:
    """Whether residents who do not go online are served as well, like for like: the digital channels by the
    one measure they all share (responses within each channel's standard), each non-digital channel by its own
    (phone: calls answered within the standard, from the phone system; letter: responses within the standard;
    in person: visits), never one "non-digital" figure that is in fact one channel's. Then how many contacts
    each group logged in the CRM, beside the calls offered on the phone system: two counts, never added."""
    received = wb.measure("contacts_received", "channel_group")
    if received.empty:
        return _missing("contacts")
    minimum = wb.config.minimum_count
    years = list(wb.years)
    records = []
    digital = [CHANNEL_NAMES.get(c, c) for c in wb.config.digital_channels if c in wb.config.respond_within]
    if digital:
        what = "Full responses within each channel's own standard, of those due (CRM)"
        changed = _standard_changes_in_data(wb, [c for c in wb.config.digital_channels
                                                 if c in wb.config.respond_within])
        if changed:
            what += f"; each year against its own standards ({list_words(changed)})"
        shown = ({} if measure_not_recorded(wb, "responses_within_standard")
                 else _by_year(wb, "responses_within_standard", "channel_group=digital", "percent"))
        records.append({"Channel": f"Digital ({', '.join(digital)})", "Measured by": what,
                        **{y: shown.get(y, NOT_RECORDED if not shown else "no figure") for y in years}})
    for channel in _non_digital_channels(wb):
        what, shown = _channel_measure(wb, channel)
        records.append({"Channel": CHANNEL_NAMES.get(channel, channel), "Measured by": what,
                        **{y: shown.get(y, "no figure") for y in years}})
    intro = paragraph("There is no one figure for non-digital contacts: a phone call, a letter and a visit are each "
                      "measured in their own way, so each channel is shown with its own measure, beside the one "
                      "measure every digital channel shares.")
    served = table(pd.DataFrame(records), "How each channel was served, year by year, each by its own measure",
                   numeric=tuple(years))
    shown = received.assign(group=received["breakdown"].str.partition("=")[2],
                            shown=[measure_value_words(wb, r) for r in received.to_dict("records")])
    counts = shown.pivot(index="year", columns="group", values="shown")
    frame = pd.DataFrame({"Year": counts.index})
    for group, heading in (("digital", "Digital contacts logged in the CRM"),
                           ("non-digital", "Non-digital contacts logged in the CRM")):
        frame[heading] = counts[group].fillna("none").to_numpy() if group in counts else "none"
    if wb.data.recorded("calls"):
        frame["Calls offered on the phone system"] = [
            disclosure(wb).count_words(("calls", "", y), _calls_offered(wb, y))
            if _calls_offered(wb, y) is not None else "no figure"
            for y in counts.index]
    volumes = table(frame, "Contacts logged in the CRM, digital and not, and calls offered on the phone system: "
                    "two different counts, never added together", numeric=tuple(frame.columns[1:]))
    logged = wb.value("contacts_received", None, "channel=phone")
    offered = _calls_offered(wb)
    note = ""
    if logged is not None and offered is not None:
        plan = disclosure(wb)
        phone_key, calls_key = ("contacts_received", "channel=phone", wb.year), ("calls", "", wb.year)
        note = (f"The CRM's non-digital contacts include {plan.count_words(phone_key, logged['value'])} phone calls "
                f"staff logged in it in {wb.year}; the phone system counted "
                f"{plan.count_words(calls_key, offered)} calls offered.")
        # Said only where both counts are shown and show it: of a hidden count it would narrow the count down.
        shown = not any(plan.hidden(k) for k in (phone_key, calls_key)) and float(logged["value"]) >= minimum
        if shown and float(logged["value"]) < offered / 2:
            note += " Most calls are not logged in the CRM, so the CRM's counts understate phone contact."
    return Html(str(intro) + str(served) + str(paragraph(note) if note else "") + str(volumes))


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
    # Hidden as the whole run hides them: the in-person channel and each place's purposes are shown too.
    wide, note = disclosure(wb).table_words("contacts_received", rows)
    wide.index = [b.partition("=")[2] for b in wide.index]
    wide.index.name = "label"
    order = [p for p in wb.config.in_person_locations if p in wide.index] + \
        [p for p in wide.index if p not in wb.config.in_person_locations]
    return table(wide.loc[order].reset_index().rename(columns={"label": "Place"}),
                 f"{capital(name)}: visits by place and year{note}", numeric=tuple(wb.years))


def in_person_purposes(wb) -> Html:
    """What people came in for, at each place, this year (small counts suppressed). Says nothing where the
    places are not recorded: :func:`in_person_by_location`, just before it, says so.

    A purpose is named only where it had at least ``minimum_count`` visits at the place: a council may map a
    free-text column (a Salesforce "Subject" such as "Visit: A. Smith re benefits") to the category, and a
    label with one or two visits could name the visitor. The rest of the place's visits read as "Other
    purposes" (:func:`_purposes_at`)."""
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
    # A place's visits less its purposes shown, or a purpose's share of a hidden place total, would give a
    # hidden count back: the run's record hides what the table of places and this one would give away.
    plan = disclosure(wb)
    parts = [_purposes_at(wb, plan, place, visits) for place, visits in counts.groupby("location", sort=False)]
    frame = pd.concat([p for p, _ in parts], ignore_index=True)
    # "Other purposes" is hidden only where the place's visits are: the note says why.
    note = plan.note([k for _, ks in parts for k in ks])
    folded = ("" if not (frame["Purpose"] == OTHER_PURPOSES).any() else
              f". A purpose is named only where it had {plan.minimum_count} or more visits at the place; "
              f"\u201c{OTHER_PURPOSES}\u201d counts the rest of the place's visits together, so that each "
              "place's rows add up to its visits")
    return table(frame, f"The three most common purposes of visits at each of the {name}, {wb.year}{folded}{note}",
                 numeric=("Visits", "Share of the place's visits"))


OTHER_PURPOSES = "Other purposes"


def _purposes_at(wb, plan, place: str, visits: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """One place's rows of :func:`in_person_purposes`, which add up to the place's visits: its three commonest
    purposes (the facts list every purpose, commonest first) that had at least ``minimum_count`` visits and that
    the run's record shows, then "Other purposes", the rest of the place's visits (the purposes not named and
    the less common ones together); and the record's keys behind the cells (for the caption's note).

    A purpose the record hides (the sample's Northbrook council tax, 6, hidden so that its 2 general enquiries
    cannot be worked out) is counted in "Other purposes" rather than named as "not shown". "Other purposes" is
    never a small number shown: while it would be, the least common purpose named is counted in it as well."""
    minimum = plan.minimum_count
    keys = {c: ("in_person_visits", f"location={place}|category={c}", wb.year) for c in visits["category"]}
    place_key = ("contacts_received", f"location={place}", wb.year)
    total = float(plan.values.get(place_key, visits["visits"].sum()))
    total_hidden = plan.hidden(place_key)
    count = dict(zip(visits["category"], visits["visits"].astype("float64")))
    top = list(visits["category"].head(3))
    named = [c for c in top if count[c] >= minimum and not plan.hidden(keys[c])]
    while named and 0 < total - sum(count[c] for c in named) < minimum and not total_hidden:
        named.pop()  # the least common named: "Other purposes" would give a small number away
    other = total - sum(count[c] for c in named)
    rest = [c for c in count if c not in named]
    shown_keys = [keys[c] for c in named] + [place_key]
    if not named:
        other_words = plan.count_words(place_key, total)  # the place's whole visits, as the record words them
    elif len(rest) == 1 and rest[0] in top:
        other_words = plan.count_words(keys[rest[0]])  # one purpose the record words (a hidden total aside)
        shown_keys.append(keys[rest[0]])
    elif total_hidden:
        other_words = inv.SECONDARY_WORDS  # the place's hidden visits less those named would give them back
    else:
        other_words = count_words(other, minimum)
    rows = [(c, count_words(count[c], minimum), _purpose_share(plan, ("share", *keys[c]), count[c], total))
            for c in named]
    if other > 0:
        rows.append((OTHER_PURPOSES, other_words, _other_share(other_words, other, total, minimum)))
    frame = pd.DataFrame(rows, columns=["Purpose", "Visits", "Share of the place's visits"])
    frame.insert(0, "Place", place)
    return frame, shown_keys


def _purpose_share(plan, key, visits: float, total: float) -> str:
    """A named purpose's share of its place's visits: "not shown" where the record hides it to protect another
    count (the place's visits are "not shown"), "too few to report" only where a side is below the minimum."""
    if plan.rate_hidden(key):
        rate = plan.rates[key]
        small = rate.numerator in plan.small or rate.denominator in plan.small
        return TOO_FEW if small else inv.SECONDARY_WORDS
    return plan.percent_words(key, 100 * visits / total if total else np.nan, visits)


def _other_share(words: str, other: float, total: float, minimum: int) -> str:
    """"Other purposes"' share of the place's visits, following its count: "not shown" beside "not shown",
    "too few to report" beside "fewer than 5", otherwise the percentage."""
    if words == inv.SECONDARY_WORDS:
        return inv.SECONDARY_WORDS
    return inv.share_words(100 * other / total if total else np.nan, other, total, minimum)


# --- complaints -------------------------------------------------------------------------


def _stage_table(wb, measure_id: str, caption: str) -> Html:
    unrecorded = measure_not_recorded(wb, measure_id)
    if unrecorded:
        return paragraph(f"{unrecorded}, so this is not shown.")
    rows = wb.measure(measure_id, "stage")
    if rows.empty and wb.data.recorded("complaints"):
        return paragraph("The council has set no timescale for this, so it is not measured.")
    if rows.empty:
        return _missing("complaints")
    rows = rows.assign(label="Stage " + rows["breakdown"].str.partition("=")[2])
    # Counts as the whole run hides them (the year's total is in the headline, the services below).
    rows = rows.assign(shown=[measure_value_words(wb, r) for r in rows.to_dict("records")])
    wide = rows.pivot(index="label", columns="year", values="shown").fillna("none")
    note = disclosure(wb).note(zip(rows["measure_id"], rows["breakdown"], rows["year"]))
    return table(wide.reset_index().rename(columns={"label": "Stage"}), f"{caption}{note}", numeric=tuple(wb.years))


def complaints_headline(wb) -> Html:
    received = wb.value("complaints_received")
    if received is None:
        return _missing("complaints")
    minimum = wb.config.minimum_count
    parts = [f"The council received {measure_value_words(wb, received)} formal complaints in {wb.year}, "
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
    # Hidden as the whole run hides them: the stages and the year's total are shown too.
    wide, note = disclosure(wb).table_words("complaints_received", rows)
    wide.index = [b.partition("=")[2] for b in wide.index]
    wide.index.name = "label"
    # Stacked: four years of seven services are too wide for a phone.
    return table(wide.reset_index().rename(columns={"label": "Service"}),
                 f"Complaints received by service and year{note}", numeric=tuple(wb.years), stacked=True)


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
        return paragraph("The council has set no complaint timescales, so complaints are counted but not timed.")
    return Html("<ul>" + "".join(f"<li>{escape(i.capitalize())}.</li>" for i in items) + "</ul>")


# --- satisfaction and the Citizens' Panel ----------------------------------------------------


def net_satisfaction_table(wb) -> Html:
    rows = wb.measure("net_satisfaction", "channel")
    if rows.empty:
        return _missing("GovMetric feedback")
    rows = rows.assign(label=rows["breakdown"].str.partition("=")[2].map(lambda c: CHANNEL_NAMES.get(c, c)),
                       # One decimal, as the scorecard and the chart write net satisfaction (52.4, not +52).
                       shown=[value_words(v, "score") for v in rows["value"]])
    wide = rows.pivot(index="label", columns="year", values="shown").fillna("not available")
    return table(wide.reset_index().rename(columns={"label": "Channel"}),
                 "Net satisfaction by channel and year (good minus poor ratings per 100; from -100 to +100)",
                 numeric=tuple(wb.years))


def net_satisfaction_chart(wb) -> Html:
    rows = wb.measure("net_satisfaction")
    if rows.empty:
        return _missing("GovMetric feedback")
    latest = wb.value("net_satisfaction")
    # The figure as the scorecard writes it (one decimal, no sign), so the two pages never differ.
    title = (f"Net satisfaction was {value_words(latest['value'], 'score')} in {wb.year}" if latest is not None
             else "Net satisfaction")
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
        return Html("")  # the results table just above says there is no survey, once
    history = question_history(wb.data.survey, wb.config)
    if history.empty:
        return _missing("survey questions")
    history.loc[history["waves"] == "not asked", "note"] = "not asked"
    # Without the wording each wave was asked in, only council.toml can say a question was reworded.
    unrecorded = _not_shown(wb, "survey", "question_text",
                            "only the rewordings the council has recorded are known")
    if unrecorded:
        history.loc[history["note"] == SAME_EVERY_WAVE, "note"] = "no rewording recorded"
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
    if _panel_missing(wb):
        return Html("")  # the sentence just above says what is missing, once
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
    # As the whole run hides them: the panel's size is on the scorecard, each group here.
    plan = disclosure(wb)
    members = wb.measure("panel_members", None)
    members = members[members["year"] == wb.year].set_index("breakdown")["value"]
    keys = {b: ("panel_members", b, wb.year) for b in breakdowns}
    hidden = {b: plan.hidden(k) or plan.rate_hidden(("panel_representation", b, wb.year)) for b, k in keys.items()}
    words = {b: plan.count_words(k, members.get(b, 0)) for b, k in keys.items()}
    return hidden, words, plan.note(keys.values())


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
    # Without opened_on or completed_on every invitation would read "not opened" or "not completed".
    opens = wb.data.recorded("panel_invitations", "opened_on")
    completes = wb.data.recorded("panel_invitations", "completed_on")
    # A percentage beside its base is hidden where either side is: 50.0% of 6 who opened would say 3 completed.
    plan = disclosure(wb)
    records = []
    for row in opened.to_dict("records"):
        key = (row["year"], row["breakdown"])
        done = completed.loc[key] if completes and key in completed.index else None
        cell = (row["breakdown"], row["year"])
        records.append({
            "Consultation": name_from_id(row["breakdown"].partition("=")[2]),
            "Invited": plan.count_words(("panel_invited", *cell), row["denominator"]),
            "Opened": plan.count_words(("panel_opened", *cell), row["numerator"]) if opens else "not recorded",
            "Completed": plan.count_words(("panel_completed", *cell), done["numerator"])
            if done is not None else "not recorded",
            "Opened (% of invited)": plan.percent_words(("panel_open_rate", *cell), row["value"], row["denominator"])
            if opens else "not recorded",
            "Completed (% of invited)": plan.percent_words(("panel_completion_rate", *cell), done["value"],
                                                           done["denominator"])
            if done is not None else "not recorded",
            # "Of the 79 who opened it, how many completed it?"
            "Completed (% of those who opened)": plan.percent_words(
                ("panel_completed_of_opened", *cell),
                100 * done["numerator"] / row["numerator"] if row["numerator"] else np.nan, row["numerator"])
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
    """An XmR chart of one measure month by month, its words directly under it, then its numbers.

    The title is the variation's phrase, which never denies a point the chart
    marks (``analysis.spc.variation_words``); the words add, where the latest
    limits are not a usual range, that the months show a lasting change and
    the ``[spc.rebase]`` line that would work the limits out again.
    """
    from analysis.present import measure_name
    from analysis.spc import assurance_words, lasting_change_words, month_words, variation_words

    unrecorded = measure_not_recorded(wb, measure_id)
    if unrecorded:
        return paragraph(f"{unrecorded}, so there is no monthly chart of {subject[:1].lower()}{subject[1:]}.")
    if wb.thin_months(measure_id):
        return paragraph(f"Some months have fewer than {wb.config.minimum_count} to count, too few to show "
                         f"{subject[:1].lower()}{subject[1:]} month by month or to judge a monthly pattern: the "
                         "yearly figures above are the ones to use.")
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
    lines = "the normal range of variation" if result.usual else "the process limits"
    subtitle = (f"{MONTHLY_SUBTITLES.get(measure_id, measure_name(measure_id, register))}, each month, {period}; "
                f"with the average and {lines}")
    if since is not None:
        subtitle += f". The chart starts in {month_words(since)}, when {change}"
    if result.rebased:
        afresh = list_words(f"from {month_words(month)}" for month in result.segments["first"].iloc[1:])
        subtitle += (f". The average and limits are worked out afresh {afresh}, where the council records a "
                     "change in how the service works")
    subtitle += "."
    rebase = wb.config.spc_rebase.get(measure_id, ())
    provisional = wb.provisional_months(measure_id)
    left_out = ""
    if provisional:
        waiting = sum(count for _, count in provisional)
        months = list_words(month_words(month) for month, _ in provisional)
        left_out = (f"{months} {'is' if len(provisional) == 1 else 'are'} left out of the chart: "
                    f"{count_words(waiting, wb.config.minimum_count)} of the items received then "
                    f"{'was' if waiting == 1 else 'were'} not yet due when the data was taken, so the figure is not "
                    "final (they may still be answered late).")
    words = " ".join(dict.fromkeys(text for text in (  # each sentence once, though two parts may say the same
        variation.sentence,
        lasting_change_words(result, measure_id, rebase, unit=unit),
        assurance_words(result, target, unit=unit).sentence if target is not None and result.polarity != "neutral"
        else "",
        left_out,
    ) if text))
    return charts.spc_chart(result, title=title, subtitle=subtitle, unit=unit, target=target,
                            polarity=result.polarity, words=words)


# --- the Complaint Handling Code's annual report (notebooks/06-complaint-handling-code.ipynb) ----------------
#
# The annual complaints performance and service improvement report the Ombudsmen's Complaint Handling Code asks
# for, from the complaints' Code columns (extended_to, category, not_accepted_reason, learning) and the
# ombudsman dataset. Small numbers: the complaints received are the run's own counts (``disclosure(wb)``); the
# counts only this page shows (complaints extended, not accepted, the Ombudsmen's decisions) and the percentages
# of them get a record of their own (``code_disclosure``), planned with the run's complaints as a reader sees them,
# so a percentage of a base shown elsewhere never gives a small count back (2 extended of 50 received is 4.0%).
# The Ombudsmen's percentages stand on a few decisions, where a percentage can be only one fraction: each is in the
# record as its numerator and its complement (base less numerator), both counts like any other, so it is shown
# only while both are 0 or at least the minimum count and neither gives back a count hidden elsewhere on the page.
# Words: "too few to report" for a count or base below the minimum, "not shown" for a figure hidden to protect one.

CODE_COLUMN_WORDS = {  # "The complaints data does not record <what>"
    "extended_to": "the extensions agreed with complainants",
    "category": "what each complaint was about",
    "not_accepted_reason": "which complaints were not accepted into the procedure",
    "learning": "the service improvements made because of complaints",
    "remedy_complied": "whether the council complied with each remedy the Ombudsmen asked for",
}
OMBUDSMAN_NAMES = {"lgsco": "Local Government and Social Care Ombudsman", "housing": "Housing Ombudsman"}
OMBUDSMAN_OUTCOME_WORDS = {"upheld": "Upheld", "not_upheld": "Not upheld", "not_investigated": "Not investigated"}
# The direction of each of the Code's percentages where the register of measures gives none: a change is called
# better or worse only when it is significant and the measure has a direction.
CODE_POLARITY = {"complaints_responded_within_extension": "higher_is_better",
                 "ombudsman_remedy_complied": "higher_is_better"}
OTHER_CATEGORIES = "Other categories"
# complaints_extended counts the complaints with a new deadline recorded, some of them dated before the usual
# deadline (not an extension): the column says what is counted, so the page never contradicts its own rule.
NEW_DEADLINE = "New deadline agreed (% of complaints received)"
OTHER_REASONS = "Other reasons"
NO_CATEGORY = "No category recorded"


def _code_not_recorded(wb, dataset: str, column: str | None = None) -> str:
    """Why a figure of the Code's report cannot be given, as a sentence without its full stop ('' when the
    exports record it): 'The data for this report has no Ombudsman decisions', 'The complaints data does not record
    the extensions agreed with complainants'."""
    if not wb.data.recorded(dataset):
        return "The data for this report has no " + ("Ombudsman decisions" if dataset == "ombudsman" else "complaints")
    if column is None or wb.data.recorded(dataset, column):
        return ""
    subject = "The Ombudsman decisions data" if dataset == "ombudsman" else "The complaints data"
    return f"{subject} does not record {CODE_COLUMN_WORDS.get(column, column.replace('_', ' '))}"


def _code_polarity(wb, measure_id: str) -> str | None:
    register = wb.data.get("measures")
    if register is not None and measure_id in set(register["measure_id"]):
        return wb.polarity(measure_id)
    return CODE_POLARITY.get(measure_id)


from dataclasses import dataclass  # noqa: E402 - for this section's record only

from analysis.present import SECONDARY_WORDS as SECONDARY  # noqa: E402 - "not shown": hidden to protect a count
from analysis.present import change_words, figure_hidden, is_missing  # noqa: E402

@dataclass(frozen=True)
class CodeRecord:
    """What the Code's page may not show: ``record`` plans the page's own counts (planned as the run plans its
    own, ``present.plan_suppression``) beside the run's complaints received; ``withheld`` the percentages hidden
    because their base is one the run hides ("not shown" on the complaints page); ``parts`` the Ombudsmen's
    percentages, each as the two counts it gives back (numerator, and base less numerator), which are cells of
    ``record`` like any count shown: a percentage of a small base can be only one fraction (64.3% below 20
    decisions is 9 of 14), so the page shows it only while both counts may be shown."""

    record: object
    withheld: frozenset
    parts: dict | None = None

    def count_words(self, key, value=None) -> str:
        return self.record.count_words(key, value)

    def hidden(self, key) -> bool:
        return self.record.hidden(key)

    def rate_hidden(self, key) -> bool:
        return (key in self.withheld or self.record.rate_hidden(key)
                or any(self.record.hidden(c) for c in (self.parts or {}).get(key, ())))

    def percent_words(self, key, value, denominator=None) -> str:
        """A percentage in words: "too few to report" on a base below the minimum count (the glossary's "a
        percentage of fewer than 5"), "not shown" where it is hidden because it would give a count back (a
        numerator or base less numerator from 1 to 4, or a count hidden to protect another)."""
        minimum = self.record.minimum_count
        if denominator is not None and not is_missing(denominator) and 0 < float(denominator) < minimum:
            return TOO_FEW
        if self.rate_hidden(key):
            return SECONDARY
        return percent_words(value, denominator, minimum)


def _values(rows: pd.DataFrame, column: str = "value") -> dict:
    return {(m, b, y): float(v) for m, b, y, v in zip(rows["measure_id"], rows["breakdown"], rows["year"],
                                                      rows[column]) if not pd.isna(v)}


def _ombudsman_cells(wb, values: dict, lines: list, unpublished: set) -> dict:
    """The Ombudsmen's cells of the Code page's record, each year (see :func:`code_disclosure`); returns the
    percentages shown as {key: (numerator cell, complement cell)}.

    Shown as counts: the decisions in all, by Ombudsman (only where there is more than one) and by outcome. Each
    percentage shown (upheld of the decisions investigated, remedies complied with of those recorded; in all,
    and by Ombudsman where there is more than one) publishes its numerator and its complement. Lines: all
    decisions = the sum by Ombudsman = the sum by outcome; an Ombudsman's decisions = its upheld + not upheld +
    not investigated (the last no page shows); each outcome's decisions = the sum of the Ombudsmen's; remedies
    complied with (and not) in all = the sum of the Ombudsmen's."""
    measures = wb.measures
    several = len(_ombudsmen(wb)) > 1
    values.update(_values(measures[measures["measure_id"] == "ombudsman_decisions"]))
    parts: dict = {}
    for measure_id, yes, no in (("ombudsman_upheld", "ombudsman_upheld_yes", "ombudsman_upheld_no"),
                                ("ombudsman_remedy_complied", "ombudsman_complied", "ombudsman_not_complied")):
        rows = measures[measures["measure_id"] == measure_id]
        for breakdown, year, count, base in zip(rows["breakdown"], rows["year"], rows["numerator"],
                                                rows["denominator"]):
            if pd.isna(count) or pd.isna(base):
                continue
            if measure_id == "ombudsman_upheld" and not breakdown:  # the decisions table's own counts
                numerator = ("ombudsman_decisions", "outcome=upheld", year)
                complement = ("ombudsman_decisions", "outcome=not_upheld", year)
            else:
                numerator, complement = (yes, breakdown, year), (no, breakdown, year)
                values[numerator], values[complement] = float(count), float(base) - float(count)
                if breakdown and not several:
                    unpublished.update({numerator, complement})
            parts[(measure_id, breakdown, year)] = (numerator, complement)
    for year in wb.years:
        def cells(measure_id, prefix):
            return sorted(k for k in values if k[0] == measure_id and k[2] == year and k[1].startswith(prefix))

        total = ("ombudsman_decisions", "", year)
        if total not in values:
            continue
        by_ombudsman = cells("ombudsman_decisions", "ombudsman=")
        if not several:
            unpublished.update(by_ombudsman)
        lines.append((total, by_ombudsman))
        lines.append((total, cells("ombudsman_decisions", "outcome=")))
        outcome_parts: dict = {"upheld": [], "not_upheld": [], "not_investigated": []}
        for which in by_ombudsman:
            yes, no = (("ombudsman_upheld_yes", which[1], year), ("ombudsman_upheld_no", which[1], year))
            for key in (yes, no):  # an Ombudsman with no decision investigated: 0 upheld, 0 not upheld
                if key not in values:
                    values[key] = 0.0
                    unpublished.add(key)
            rest = ("ombudsman_not_investigated", which[1], year)
            values[rest] = values[which] - values[yes] - values[no]
            unpublished.add(rest)
            lines.append((which, [yes, no, rest]))
            outcome_parts["upheld"].append(yes)
            outcome_parts["not_upheld"].append(no)
            outcome_parts["not_investigated"].append(rest)
        for outcome, members in outcome_parts.items():
            key = ("ombudsman_decisions", f"outcome={outcome}", year)
            if key in values and members:
                lines.append((key, members))
        for measure_id in ("ombudsman_complied", "ombudsman_not_complied"):
            if (measure_id, "", year) in values and cells(measure_id, "ombudsman="):
                lines.append(((measure_id, "", year), cells(measure_id, "ombudsman=")))
    return parts


def code_disclosure(wb) -> CodeRecord:
    """The Code page's record of small numbers (see :class:`CodeRecord`), worked out once per workbook.

    Cells, each year: the complaints received in all and by stage as the run shows them (a count the run hides
    is left out, and so is every percentage of it); complaints extended, in all and by stage, the sum of the
    stages (shown as counts, and as a percentage of the complaints received); complaints not accepted (a count,
    and a percentage of those received); and the Ombudsmen's decisions and percentages (:func:`_ombudsman_cells`),
    planned together in the same record, so that nothing hidden in one table can be worked back from another."""
    cached = getattr(wb, "_code_disclosure", None)
    if cached is not None:
        return cached
    from analysis.investigate import local_disclosure

    run = disclosure(wb)
    measures = wb.measures
    values, lines, rates, unpublished, withheld = {}, [], {}, set(), set()

    def rate(key, numerator, denominator):
        """A percentage shown; withheld where its base is a count the run hides."""
        if denominator[0] == "complaints_received" and (denominator not in values):
            withheld.add(key)
        elif numerator in values and denominator in values:
            rates[key] = (numerator, denominator)

    def sum_line(total, parts, rest_name):
        parts = [p for p in parts if p in values]
        if total not in values or not parts:
            return
        rest = values[total] - sum(values[p] for p in parts)
        if rest > 0:
            values[(total[0], f"{total[1] or 'all'}:{rest_name}", total[2])] = rest
            unpublished.add((total[0], f"{total[1] or 'all'}:{rest_name}", total[2]))
            parts = [*parts, (total[0], f"{total[1] or 'all'}:{rest_name}", total[2])]
        lines.append((total, parts))

    received = measures[(measures["measure_id"] == "complaints_received")
                        & ((measures["breakdown"] == "") | measures["breakdown"].str.startswith("stage="))]
    for key, value in _values(received).items():
        if not run.hidden(key) or key in run.small:  # a small count reads "fewer than 5" on both pages
            values[key] = value
    extended = measures[measures["measure_id"] == "complaints_extended"]
    for (_, breakdown, year), count in _values(extended, "numerator").items():
        key = ("complaints_extended", breakdown, year)
        values[key] = count
        rate(("complaints_extended_rate", breakdown, year), key, ("complaints_received", breakdown, year))
    not_accepted = measures[measures["measure_id"] == "complaints_not_accepted"]
    for (_, breakdown, year), count in _values(not_accepted, "numerator").items():
        key = ("complaints_not_accepted", breakdown, year)
        values[key] = count
        rate(("complaints_not_accepted_rate", breakdown, year), key, ("complaints_received", breakdown, year))
    for year in wb.years:
        sum_line(("complaints_extended", "", year), sorted(
            k for k in values if k[0] == "complaints_extended" and k[2] == year and k[1].startswith("stage=")),
            "other stages")
    parts = _ombudsman_cells(wb, values, lines, unpublished)
    published = set(values) - unpublished
    record = local_disclosure(values, lines, rates, published, wb.config.minimum_count)
    wb._code_disclosure = CodeRecord(record, frozenset(withheld), parts)
    return wb._code_disclosure


def _code_rate_words(wb, code: CodeRecord, measure_id: str, breakdown: str, year: str, record_key=None) -> str:
    """One of the Code's percentages in a year, in words as the page's record allows (:meth:`CodeRecord.percent_words`:
    ``record_key`` for the percentages of complaints received, the Ombudsmen's by their own key), else
    :func:`measure_value_words`."""
    row = wb.value(measure_id, year, breakdown)
    if row is None:
        return "no figure"
    key = record_key or (measure_id, breakdown, year)
    if record_key is not None or key in code.record.rates or key in code.parts:
        return code.percent_words(key, row["value"], row["denominator"])
    return measure_value_words(wb, row)


def _code_change_words(wb, code: CodeRecord, measure_id: str, breakdown: str = "", record_id: str | None = None
                       ) -> str:
    """This year's change on the year before of one of the Code's percentages, careful about significance (only a
    significant change is better or worse); 'too few to compare' where either year's figure is hidden."""
    row = wb.value(measure_id, None, breakdown)
    previous = wb.previous_year
    if row is None:
        return "no figure"
    hidden = any(code.rate_hidden((record_id or measure_id, breakdown, y)) or figure_hidden(wb, measure_id, breakdown, y)
                 for y in (wb.year, previous) if y)
    if hidden:
        return "too few to compare"
    before = wb.value(measure_id, previous, breakdown) if previous else None
    words_row = {**row.to_dict(), "previous_denominator": None if before is None else before["denominator"]}
    # change_words says "too few to compare" where either year's base is below the minimum count.
    return change_words(words_row, wb.config.minimum_count, _code_polarity(wb, measure_id), figures=True)


def code_report_headline(wb) -> Html:
    """The year in a few sentences a councillor could quote: complaints received, answered within the Code's
    timescales without and with extensions, upheld, not accepted, and the Ombudsmen's decisions. A figure whose
    column the exports do not record is left out here; its section says why."""
    received = wb.value("complaints_received")
    if received is None:
        return _missing("complaints")
    code = code_disclosure(wb)
    minimum = wb.config.minimum_count
    year = wb.year
    parts = [f"In {year} the council received {measure_value_words(wb, received)} formal complaints, counting "
             "stage 1 and stage 2 separately."]
    responded = wb.value("complaints_responded_within_standard")
    within = wb.value("complaints_responded_within_extension")
    if responded is not None and not measure_not_recorded(wb, "complaints_responded_within_standard"):
        on_time = percent_words(responded['value'], responded['denominator'], minimum)
        with_extension = percent_words(within['value'], within['denominator'], minimum) if within is not None else ""
        if on_time == TOO_FEW:  # a sentence never starts "too few to report of those ..."
            parts.append("Too few complaints were due an answer to say how many had it within the Code's timescales.")
        else:
            sentence = f"{on_time} of those due an answer had it within the Code's timescales"
            if with_extension and with_extension != TOO_FEW:
                sentence += (f", and {with_extension} within the timescales or an extension agreed with the "
                             "complainant")
            parts.append(sentence + ".")
    extended = wb.value("complaints_extended")
    if extended is not None:
        # complaints_extended counts every complaint with a new deadline recorded (extended_to), including one
        # dated before the usual deadline, which is not an extension: the words say what is counted.
        key = ("complaints_extended", "", year)
        count = code.count_words(key, extended["numerator"])
        parts.append("No complaint had a new deadline agreed with the complainant." if count == "none" else
                     f"{capital(count)} complaints had a new deadline agreed with the complainant; where that date "
                     "was before the usual deadline, the usual deadline was counted.")
    upheld = wb.value("complaints_upheld")
    if upheld is not None and not measure_not_recorded(wb, "complaints_upheld"):
        share = percent_words(upheld['value'], upheld['denominator'], minimum)
        parts.append("Too few complaints were decided to say how many were upheld." if share == TOO_FEW else
                     f"Of the complaints decided, {share} were upheld in full or in part.")
    refused = wb.value("complaints_not_accepted")
    if refused is not None:
        key = ("complaints_not_accepted", "", year)
        count = code.count_words(key, refused["numerator"])
        parts.append("Every complaint was accepted into the complaints procedure." if count == "none" else
                     f"{capital(count)} complaints were not accepted into the complaints procedure.")
    decisions = wb.value("ombudsman_decisions")
    if decisions is not None:
        count = code.count_words(("ombudsman_decisions", "", year), decisions["value"])
        sentence = f"The Ombudsmen made {count} decisions on complaints about the council"
        share = _code_rate_words(wb, code, "ombudsman_upheld", "", year)
        if share.endswith("%"):  # left out where too few (the table below says so)
            sentence += f"; of those they investigated, {share} were upheld"
        parts.append(sentence + ".")
    elif wb.data.recorded("ombudsman"):
        parts.append(f"The data records no decision of an Ombudsman on a complaint about the council in {year}.")
    return Html(f'<p class="headline">{escape(" ".join(parts))}</p>')


def code_extension_rule(wb) -> Html:
    """How an extension is counted, in the council's own timescales."""
    c = wb.config
    if c.complaint_stage1_within is None and c.complaint_stage2_within is None:
        return paragraph("The council has set no timescale for answering complaints, so answers are not timed and "
                         "extensions are not counted against one.")
    return paragraph("The Code lets the council extend a deadline once, with the complainant told why: by up to "
                     "10 working days at stage 1 and up to 20 at stage 2. An extension dated later than that is "
                     "counted only as far as the Code allows, and a new deadline dated before the usual deadline is "
                     "not an extension: the usual deadline is counted.")


def _stage_words(breakdown: str) -> str:
    return f"Stage {breakdown.partition('=')[2]}" if breakdown else "All stages"


def code_timescales_table(wb) -> Html:
    """This year by stage: complaints received, acknowledged in time, answered within the Code's timescales,
    extended, and answered within the timescales or the extension agreed."""
    if wb.value("complaints_received") is None:
        return _missing("complaints")
    code = code_disclosure(wb)
    run = disclosure(wb)
    year = wb.year
    c = wb.config
    stages = [b for b in wb.measure("complaints_received", "stage").query("year == @year")["breakdown"]]
    unextended = _code_not_recorded(wb, "complaints", "extended_to")
    records = []
    for breakdown in [*sorted(stages), ""]:
        received = wb.value("complaints_received", year, breakdown)
        extended = wb.value("complaints_extended", year, breakdown)
        ack, std, ext = (wb.value(m, year, breakdown) for m in (
            "complaints_acknowledged_within_standard", "complaints_responded_within_standard",
            "complaints_responded_within_extension"))
        if unextended:
            extended_words = within_words = NOT_RECORDED
        else:
            key = ("complaints_extended", breakdown, year)
            count = code.count_words(key, extended["numerator"]) if extended is not None else "none"
            share = (code.percent_words(("complaints_extended_rate", breakdown, year), extended["value"],
                                        extended["denominator"]) if extended is not None else "")
            # A share only beside a count shown: "fewer than 5" or "not shown" says the share is hidden too.
            extended_words = f"{count} ({share})" if share.endswith("%") and count != "none" else count
            within_words = measure_value_words(wb, ext) if ext is not None else "no timescale set"
        records.append({
            "Stage": _stage_words(breakdown),
            "Complaints received": run.count_words(("complaints_received", breakdown, year), received["value"])
            if received is not None else "none",
            (f"Acknowledged within {c.complaint_acknowledge_within} working days"
             if c.complaint_acknowledge_within is not None else "Acknowledged in time"): (
                NOT_RECORDED if measure_not_recorded(wb, "complaints_acknowledged_within_standard")
                else measure_value_words(wb, ack) if ack is not None else "no timescale set")
            if c.complaint_acknowledge_within is not None else "no timescale set",
            "Answered within the Code's timescale": (
                NOT_RECORDED if measure_not_recorded(wb, "complaints_responded_within_standard")
                else measure_value_words(wb, std) if std is not None else "no timescale set"),
            NEW_DEADLINE: extended_words,
            "Answered within the timescale or the extension agreed": (
                NOT_RECORDED if measure_not_recorded(wb, "complaints_responded_within_extension") else within_words),
        })
    frame = pd.DataFrame(records)
    note = run.note([("complaints_received", b, year) for b in [*stages, ""]]) or _code_note(
        frame, wb.config.minimum_count)
    shown = table(frame, f"Complaints in {year} by stage: answered within the Code's timescales, without and with "
                         f"extensions{note}", numeric=tuple(frame.columns[1:]), stacked=True)
    return Html((str(paragraph(f"{unextended}, so extensions are not shown.")) if unextended else "") + str(shown))


def code_timescales_by_year(wb) -> Html:
    """The Code's timescale figures, all stages, year by year, with the change on the year before."""
    if wb.value("complaints_received") is None:
        return _missing("complaints")
    if _code_not_recorded(wb, "complaints", "extended_to"):
        return Html("")  # the table above says extensions are not recorded, once
    code = code_disclosure(wb)
    years = list(wb.years)
    lines = (
        ("Answered within the Code's timescales", "complaints_responded_within_standard", None),
        ("Answered within the timescales or the extension agreed", "complaints_responded_within_extension", None),
        (NEW_DEADLINE, "complaints_extended", "complaints_extended_rate"),
    )
    records = []
    for label, measure_id, record_id in lines:
        if measure_not_recorded(wb, measure_id):
            records.append({"Figure": label, **{y: NOT_RECORDED for y in years}, "Change on the year before": ""})
            continue
        if wb.measure(measure_id).empty:
            continue
        shown = {y: _code_rate_words(wb, code, measure_id, "", y, (record_id, "", y) if record_id else None)
                 for y in years}
        records.append({"Figure": label, **shown,
                        "Change on the year before": _code_change_words(wb, code, measure_id, "", record_id)})
    if not records:
        return Html("")
    frame = pd.DataFrame(records)
    return table(frame, "Complaints answered within the Code's timescales, all stages, year by year"
                 + _code_note(frame, wb.config.minimum_count), numeric=tuple(years), stacked=True)


def _year_complaints(wb) -> pd.DataFrame:
    """This year's complaint rows (the year of received_at)."""
    from analysis.calendar import financial_year

    complaints = wb.data.complaints
    years = financial_year(complaints["received_at"], wb.config.year_start_month)
    return complaints[(years == wb.year).to_numpy()]


def code_extensions_note(wb) -> Html:
    """The extensions of this year the Code does not allow, as the data-quality warnings list them: how many
    were dated later than the Code allows, and how many before the usual deadline ('' when none)."""
    if not wb.data.recorded("complaints") or _code_not_recorded(wb, "complaints", "extended_to"):
        return Html("")
    from analysis.measures import complaint_deadlines

    complaints = _year_complaints(wb)
    if complaints.empty:
        return Html("")
    deadlines = complaint_deadlines(complaints, wb.config, wb.calendar)
    minimum = wb.config.minimum_count
    beyond, early = int(deadlines.beyond.sum()), int(deadlines.early.sum())
    # Counts from 1 to minimum_count - 1 read "fewer than 5": every count shown is plural.
    parts = []
    if beyond:
        parts.append(f"{count_words(beyond, minimum)} extensions were dated later than the Code allows, and are "
                     "counted only to the latest date it allows")
    if early:
        parts.append(f"{count_words(early, minimum)} {'were' if parts else 'extensions were'} dated before the usual "
                     "deadline, which is counted instead")
    if not parts:
        return Html("")
    return paragraph(f"In {wb.year}, {'; '.join(parts)}. These dates may be typing errors in the complaints records.")


def _folded(counts: pd.Series, total: float, total_hidden: bool, minimum: int, label: str) -> pd.DataFrame:
    """Counts of a free-text column (rows, commonest first) with every label given fewer than ``minimum`` times
    folded into ``label`` (``investigate.fold_shown``): a label typed for one or two complaints could name the
    complainant, and "label" is never a small number the total less the labels named would give back. Returns
    the rows with their count in words."""
    frame = pd.DataFrame({"n": counts.astype("float64")})
    hidden = pd.DataFrame({"n": False}, index=frame.index)
    folded, flags = inv.fold_shown(frame, hidden, pd.Series({"n": float(total)}), pd.Series({"n": total_hidden}),
                                   minimum, label)
    words = inv.shown_words(folded, flags, minimum)["n"]
    return pd.DataFrame({"label": folded.index, "count": words.to_numpy(), "n": folded["n"].to_numpy()})


def _folded_caption(counts: pd.Series, rows: pd.DataFrame, minimum: int, what: str, of: str, label: str,
                    verb: str = "had") -> str:
    """The caption's note for a table :func:`_folded` made ('' when nothing was folded), true to what was folded:
    a label with ``minimum`` or more folded in as well (so that ``label`` is not a number under ``minimum`` the
    total less the labels named would give back) is said to be, with how many were."""
    if not (rows["label"] == label).any():
        return ""
    named = set(rows["label"])
    large = int(((counts >= minimum) & ~counts.index.isin(named)).sum())
    whats = {"category": "categories"}.get(what, what + "s")
    note = (f". A {what} is named only where it {verb} {minimum} or more {of}: \u201c{label}\u201d counts the "
            "rest together")
    if large:
        which = (f"The least common {what} with {minimum} or more is" if large == 1 else
                 f"The {number_words(large)} least common {whats} with {minimum} or more are")
        note += (f". {which} counted in \u201c{label}\u201d too, so that no number under {minimum} can be worked "
                 f"out by taking the {whats} named from the total")
    return note


def code_complaints_by_category(wb) -> Html:
    """This year's complaints by what they were about (category), a category named only where it had at least
    ``minimum_count`` complaints, the rest counted together: the column is free text."""
    if not wb.data.recorded("complaints"):
        return _missing("complaints")
    unrecorded = _code_not_recorded(wb, "complaints", "category")
    if unrecorded:
        return paragraph(f"{unrecorded}, so complaints are not shown by category.")
    complaints = _year_complaints(wb)
    if complaints.empty:
        return paragraph(f"No complaint was received in {wb.year}.")
    run = disclosure(wb)
    key = ("complaints_received", "", wb.year)
    total = run.values.get(key, float(len(complaints)))
    labels = complaints["category"].astype("string").str.strip().replace("", pd.NA).fillna(NO_CATEGORY)
    counts = labels.value_counts(sort=True)
    minimum = wb.config.minimum_count
    rows = _folded(counts, total, run.hidden(key), minimum, OTHER_CATEGORIES)
    frame = pd.DataFrame({"What the complaint was about": rows["label"], "Complaints": rows["count"]})
    caption = f"Complaints received in {wb.year} by what they were about" + _folded_caption(
        counts, rows, minimum, "category", "complaints", OTHER_CATEGORIES)
    return table(frame, caption, numeric=("Complaints",))


def code_not_accepted(wb) -> Html:
    """Complaints not accepted into the procedure this year, as a count and a share of those received, with the
    change on the year before, then why (a reason named only where it was given for at least ``minimum_count``
    complaints, the rest counted together: the column is free text)."""
    if not wb.data.recorded("complaints"):
        return _missing("complaints")
    unrecorded = _code_not_recorded(wb, "complaints", "not_accepted_reason")
    if unrecorded:
        return paragraph(f"{unrecorded}, so the complaints not accepted, and why, are not shown.")
    row = wb.value("complaints_not_accepted")
    if row is None:
        return paragraph(f"No complaint was received in {wb.year}.")
    code = code_disclosure(wb)
    year = wb.year
    key = ("complaints_not_accepted", "", year)
    count = code.count_words(key, row["numerator"])
    if count == "none":
        return paragraph(f"Every complaint received in {year} was accepted into the complaints procedure.")
    share = code.percent_words(("complaints_not_accepted_rate", "", year), row["value"], row["denominator"])
    change = _code_change_words(wb, code, "complaints_not_accepted", "", "complaints_not_accepted_rate")
    sentence = f"In {year}, {count} complaints were not accepted into the complaints procedure"
    # The share only where shown: "(not shown of the complaints received)" is not a sentence.
    sentence += f" ({share} of the complaints received)." if share.endswith("%") else "."
    if wb.previous_year and change not in ("no figure", "no earlier figure"):
        sentence += f" Change on {wb.previous_year}: {change}."
    reasons = _year_complaints(wb)["not_accepted_reason"].astype("string").str.strip().replace("", pd.NA).dropna()
    minimum = wb.config.minimum_count
    rows = _folded(reasons.value_counts(sort=True), float(row["numerator"]), code.hidden(key), minimum, OTHER_REASONS)
    caption = f"Why complaints were not accepted into the procedure, {year}" + _folded_caption(
        reasons.value_counts(sort=True), rows, minimum, "reason", "complaints", OTHER_REASONS, "was given for")
    frame = pd.DataFrame({"Reason": rows["label"], "Complaints": rows["count"]})
    return Html(str(paragraph(sentence)) + str(table(frame, caption, numeric=("Complaints",))))


def code_learning(wb) -> Html:
    """The service improvements made because of this year's complaints, as the services recorded them
    (``learning``): each once, by service, shown as plain text. No count of complaints is given beside a note,
    and the service is named only where the run shows its count of complaints (a service with "fewer than 5"
    complaints and three notes would narrow that count down): the others are listed under "Other services"."""
    if not wb.data.recorded("complaints"):
        return _missing("complaints")
    unrecorded = _code_not_recorded(wb, "complaints", "learning")
    if unrecorded:
        return paragraph(f"{unrecorded}, so the improvements made are not listed.")
    run = disclosure(wb)
    year = wb.year
    total_key = ("complaints_received", "", year)
    if run.hidden(total_key):
        return paragraph(f"Too few complaints were received in {year} to list the improvements made without "
                         "narrowing down how many there were.")
    complaints = _year_complaints(wb)
    notes = complaints["learning"].astype("string").str.split().str.join(" ")
    kept = complaints.assign(note=notes)[notes.notna() & (notes != "")]
    if kept.empty:
        return paragraph(f"No service improvement is recorded against the complaints received in {year}.")
    services = kept["service"].astype(str)
    named = services.map(lambda s: not run.hidden(("complaints_received", f"service={s}", year)))
    kept = kept.assign(shown_service=services.where(named.to_numpy(), "Other services"),
                       same=kept["note"].str.casefold())
    # Each improvement once per service, as first typed (a note recorded against many complaints is one change).
    kept = kept.assign(last=kept["shown_service"] == "Other services").drop_duplicates(
        ["shown_service", "same"]).sort_values(["last", "shown_service", "same"])
    frame = pd.DataFrame({"Service": kept["shown_service"].to_numpy(), "What was changed": kept["note"].to_numpy()})
    return Html(str(paragraph("As the services recorded them against the complaints they came from, each "
                              "improvement listed once.")) + str(
        table(frame, f"Service improvements made because of complaints received in {year}")))


def _ombudsman_label(breakdown: str) -> str:
    which = breakdown.partition("=")[2]
    return OMBUDSMAN_NAMES.get(which, which)


def _ombudsmen(wb) -> list[str]:
    rows = wb.measure("ombudsman_decisions", "ombudsman")
    order = {"ombudsman=lgsco": 0, "ombudsman=housing": 1}
    return sorted(dict.fromkeys(rows["breakdown"]), key=lambda b: (order.get(b, 2), b))


def ombudsman_decisions_table(wb) -> Html:
    """The Ombudsmen's decisions on complaints about the council by outcome, and by Ombudsman where there is
    more than one, year by year (a year with no decision recorded reads "none")."""
    unrecorded = _code_not_recorded(wb, "ombudsman")
    if unrecorded:
        return paragraph(f"{unrecorded}, so their decisions are not shown.")
    rows = wb.measure("ombudsman_decisions", None)
    years = list(wb.years)
    if rows.empty:
        return paragraph("The data records no decision of an Ombudsman in any year.")
    code = code_disclosure(wb)
    present_years = set(rows["year"])
    outcomes = [b for b in (f"outcome={o}" for o in OMBUDSMAN_OUTCOME_WORDS) if b in set(rows["breakdown"])]
    ombudsmen = _ombudsmen(wb)
    lines = [(OMBUDSMAN_OUTCOME_WORDS[b.partition("=")[2]], b) for b in outcomes]
    if len(ombudsmen) > 1:
        lines += [(f"All decisions of the {_ombudsman_label(b)}", b) for b in ombudsmen]
    elif ombudsmen:
        lines = [(f"{label} (all by the {_ombudsman_label(ombudsmen[0])})" if i == 0 else label, b)
                 for i, (label, b) in enumerate(lines)]
    lines.append(("All decisions", ""))
    values = {(b, y): v for b, y, v in zip(rows["breakdown"], rows["year"], rows["value"])}
    records = [{"Decision": label, **{y: code.count_words(("ombudsman_decisions", b, y), values.get((b, y), 0))
                                      if y in present_years else "none" for y in years}} for label, b in lines]
    note = code.record.note([("ombudsman_decisions", b, y) for _, b in lines for y in years])
    return table(pd.DataFrame(records), f"The Ombudsmen's decisions on complaints about the council, by outcome and "
                 f"year{note}", numeric=tuple(years), stacked=True)


def ombudsman_upheld_and_remedies(wb) -> Html:
    """Of the decisions the Ombudsmen investigated, the share upheld; of the remedies whose outcome is recorded,
    the share the council complied with; each in all and by Ombudsman, year by year, with the change on the year
    before (a year with no decision reads "no decisions")."""
    if _code_not_recorded(wb, "ombudsman"):
        return Html("")  # the decisions table says the data folder has none, once
    if wb.measure("ombudsman_decisions").empty:
        return Html("")
    code = code_disclosure(wb)
    years = list(wb.years)
    present_years = set(wb.measure("ombudsman_decisions")["year"])
    ombudsmen = _ombudsmen(wb)
    by_ombudsman = ombudsmen if len(ombudsmen) > 1 else []
    remedies = not _code_not_recorded(wb, "ombudsman", "remedy_complied")
    records = []
    for measure_id, label in (("ombudsman_upheld", "Upheld, of the decisions investigated"),
                              ("ombudsman_remedy_complied", "Remedies complied with, of those whose outcome is "
                                                            "recorded")):
        for breakdown in ["", *by_ombudsman]:
            name = label if not breakdown else f"{label}: {_ombudsman_label(breakdown)}"
            if measure_id == "ombudsman_remedy_complied" and not remedies:
                records.append({"Figure": name, **{y: NOT_RECORDED for y in years}, "Change on the year before": ""})
                continue
            shown = {y: ("no decisions" if y not in present_years else
                         "none investigated" if measure_id == "ombudsman_upheld" and wb.value(measure_id, y,
                                                                                               breakdown) is None
                         else "none recorded" if wb.value(measure_id, y, breakdown) is None
                         else _code_rate_words(wb, code, measure_id, breakdown, y)) for y in years}
            change = (_code_change_words(wb, code, measure_id, breakdown) if wb.previous_year in present_years
                      and wb.year in present_years else "no earlier figure" if wb.year in present_years else "")
            records.append({"Figure": name, **shown, "Change on the year before": change})
    parts = []
    if not remedies:
        parts.append(str(paragraph(f"{_code_not_recorded(wb, 'ombudsman', 'remedy_complied')}, so compliance with "
                                   "remedies is not shown.")))
    frame = pd.DataFrame(records)
    parts.append(str(table(frame, "Decisions upheld by the Ombudsmen, and remedies the council complied with, by "
                                  "year" + _rates_note(frame, wb.config.minimum_count),
                           numeric=tuple(years), stacked=True)))
    return Html("".join(parts))


def _code_note(frame: pd.DataFrame, minimum: int) -> str:
    """The caption's note for a table of the Code's page in words: '' unless a cell reads "not shown"."""
    if not (frame.astype("object") == SECONDARY).to_numpy().any():
        return ""
    return (f" (\u201c{SECONDARY}\u201d: hidden as well, so that a number under {minimum} cannot be worked out "
            "from the figures shown here or on another page)")


def _rates_note(frame: pd.DataFrame, minimum: int) -> str:
    """The caption's note for a table of the Ombudsmen's percentages: '' unless one reads "not shown"."""
    if not (frame.astype("object") == SECONDARY).to_numpy().any():
        return ""
    return (f" (\u201c{SECONDARY}\u201d: a percentage that would give back a number under {minimum}, with the "
            "counts shown on this page)")


def code_self_assessment(wb) -> Html:
    """A link to the council's self-assessment against the Code (``[complaints] self_assessment_url``), or a plain
    sentence that none was given."""
    url = wb.config.complaints_self_assessment_url
    if not url:
        return paragraph("No web address was given for the council's self-assessment against the Complaint "
                         "Handling Code, so it is not linked here.")
    # The link stands alone in its paragraph: the pages' style does not underline a link inside a sentence,
    # and a link told from the text around it by colour alone fails WCAG (axe: link-in-text-block).
    return Html(f'<p>The council has published its own assessment of how it meets the Complaint Handling Code:</p>'
                f'<p><a href="{escape(url)}">The council\'s self-assessment against the Complaint Handling Code, at '
                f'{escape(url)}</a></p>')
