"""Exports as the real systems write them (tests/exports/ashdown-vale/), through the command line.

Ashdown Vale Borough Council (fictional) hands the workbook its exports as they come: Salesforce
case reports with Salesforce's footer, Avaya and Genesys queue reports with a total row and waits in
three forms, the policy officer's action-plan workbook with a lock file beside it, a Windows-1252
complaints export and GovMetric downloads without an id. Its council.toml uses the contract's keys
only. The files are written by tests/exports/make_exports.py (see tests/exports/README.md).

Every expected figure here is worked out by this module from the raw files themselves, never
through ``analysis``: the CSV files with the ``csv`` module, the workbooks with openpyxl, working
days with ``numpy.busday_count`` / ``busday_offset`` and the ``holidays`` package, footers and
total rows skipped by this module's own rules, each system's words read by its own tables. The
hand-worked "not yet due" cases are also checked against numbers worked out on paper (the
comments give the working).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import math
import os
import re
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import openpyxl
import pytest

from conftest import REPO, run_cli

EXPORTS = REPO / "tests" / "exports"
DATA = EXPORTS / "ashdown-vale"
AS_AT = dt.date(2025, 4, 24)  # a Thursday; Good Friday 18 and Easter Monday 21 April 2025 are bank holidays
LONDON = ZoneInfo("Europe/London")
SALESFORCE = ["salesforce/Cases 2023-24.csv", "salesforce/Cases 2024-25 to date.csv"]
CALLS = ["telephony/Avaya queue report 2023-24.csv", "telephony/Genesys interactions Apr-Dec 2024.csv",
         "telephony/Genesys interactions Jan-Apr 2025.xlsx"]
COMPLAINTS = "complaints/Complaints export 2023-2025.csv"
GOVMETRIC = ["govmetric/GovMetric 2023-24.csv", "govmetric/GovMetric 2024-25.csv"]
PLAN = "Action Plan.xlsx"
REPORTED_YEARS = ("2023/24", "2024/25")


# --- what each system's words mean (this module's own reading, not council.toml's) ------------


def norm(text) -> str:
    """A value as the contract matches it: no capitals, no spaces at either end or repeated, and a
    hyphen or an underscore the same as a space."""
    return re.sub(r"[\s_-]+", " ", str(text or "")).strip().casefold()


CASE_ORIGIN = {"phone": "phone", "email": "email", "web": "online_form", "walk in": "in_person",
               "face to face": "in_person", "letter": "letter", "chat": "webchat"}
CALL_OUTCOME = {"answered": "answered", "abandoned": "abandoned", "callback": "callback",
                "callback requested": "callback"}
COMPLAINT_OUTCOME = {"upheld": "upheld", "partially upheld": "partly_upheld", "not upheld": "not_upheld",
                     "withdrawn": "withdrawn", "": None}
GOVMETRIC_CHANNEL = {"telephone": "phone", "web": "online_form", "face to face": "in_person", "email": "email"}
GOVMETRIC_RATING = {"good": "good", "average": "average", "poor": "poor",
                    "happy": "good", "neutral": "average", "unhappy": "poor"}
PLAN_STATUS = {"complete": "achieved", "carried forward": "not_achieved", "not started": "not_achieved",
               "in progress": "ongoing", "withdrawn": "withdrawn"}


def year_of(day: dt.date) -> str:
    """The financial year (April to March) of a date: 2024-03-31 -> '2023/24'."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def seconds_of(text: str) -> int:
    """'hh:mm:ss' or 'mm:ss' -> seconds."""
    parts = [int(p) for p in text.split(":")]
    if len(parts) == 3:
        return parts[0] * 3600 + parts[1] * 60 + parts[2]
    assert len(parts) == 2, text
    return parts[0] * 60 + parts[1]


def uk_date(text: str) -> dt.datetime | None:
    """dd/mm/yyyy, with or without hh:mm or hh:mm:ss; empty -> None."""
    text = text.strip()
    if not text:
        return None
    for form in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, form)
        except ValueError:
            continue
    raise AssertionError(f"not a UK date: {text!r}")


def csv_rows(path: Path, encoding: str) -> list[list[str]]:
    """Every line of a CSV file as a list of cells; a blank line is [] (so index + 1 is its row)."""
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


# --- the raw files, read here -------------------------------------------------------------------


def read_salesforce(path: Path) -> tuple[list[dict], list[int]]:
    """The cases of a Salesforce report and the rows of its footer (the blank line and all below it).

    Salesforce writes the records, then a blank line, then the grand total and its notices; the
    records end at the first blank line.
    """
    rows = csv_rows(path, "utf-8-sig")
    header, body = rows[0], rows[1:]
    end = next(i for i, cells in enumerate(body) if not any(c.strip() for c in cells))
    cases = []
    for cells in body[:end]:
        record = dict(zip(header, cells))
        closed = record.get("Date/Time Closed", record.get("Closed Date"))
        cases.append({
            "id": record["Case Number"],
            "received": uk_date(record["Date/Time Opened"]),
            "channel": CASE_ORIGIN[norm(record.get("Case Origin", record.get("Origin")))],
            "service": record["Type"],
            "responded": uk_date(closed),
            "personal": [record["Contact Name"], record["Subject"], record.get("Contact Email", "")],
        })
    return cases, list(range(end + 2, len(rows) + 1))


def _call(call_id, start: dt.datetime, outcome: str, wait: int) -> dict:
    return {"id": str(call_id), "offered": start, "outcome": CALL_OUTCOME[norm(outcome)], "wait": wait}


def read_calls_csv(path: Path) -> tuple[list[dict], list[int]]:
    """The calls of an Avaya or Genesys CSV report, and the rows of its total rows (first cell
    'Total', no start time). Genesys writes times in UTC with a Z: they are turned into UK time."""
    rows = csv_rows(path, "utf-8")
    header = rows[0]
    start_at = header.index("Start Time" if "Start Time" in header else "Conversation Start")
    outcome_at = header.index("Disposition" if "Disposition" in header else "Outcome")
    wait_at = header.index("Wait Time" if "Wait Time" in header else "Queue Wait")
    calls, totals = [], []
    for row_number, cells in enumerate(rows[1:], start=2):
        if norm(cells[0]) == "total" and not cells[start_at].strip():
            totals.append(row_number)
            continue
        start = cells[start_at]
        if start.endswith("Z"):
            offered = dt.datetime.fromisoformat(start).astimezone(LONDON).replace(tzinfo=None)
        else:
            offered = uk_date(start)
        calls.append(_call(cells[0], offered, cells[outcome_at], seconds_of(cells[wait_at])))
    return calls, totals


def read_calls_xlsx(path: Path) -> tuple[list[dict], list[int]]:
    """The calls of the Genesys Excel download (waits are Excel time cells), and its total rows."""
    sheet = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    start_at, outcome_at, wait_at = (header.index(h) for h in ("Conversation Start", "Outcome", "Queue Wait"))
    calls, totals = [], []
    for row_number, cells in enumerate(rows[1:], start=2):
        if norm(cells[0]) == "total" and cells[start_at] is None:
            totals.append(row_number)
            continue
        wait = cells[wait_at]
        assert isinstance(wait, dt.time), (row_number, wait)
        calls.append(_call(cells[0], cells[start_at], cells[outcome_at],
                           wait.hour * 3600 + wait.minute * 60 + wait.second))
    return calls, totals


def read_complaints(path: Path) -> list[dict]:
    """One row per complaint per stage; the export is Windows-1252 with dates dd/mm/yyyy."""
    rows = csv_rows(path, "cp1252")
    header = rows[0]
    complaints = []
    for cells in rows[1:]:
        record = dict(zip(header, cells))
        complaints.append({
            "id": record["Case Reference"], "stage": int(re.fullmatch(r"Stage (\d)", record["Stage"]).group(1)),
            "received": uk_date(record["Date Received"]), "acknowledged": uk_date(record["Date Acknowledged"]),
            "responded": uk_date(record["Date of Response"]), "outcome": COMPLAINT_OUTCOME[norm(record["Outcome"])],
            "personal": [record["Complainant"], record["Summary"]],
        })
    return complaints


def read_govmetric(path: Path) -> list[dict]:
    rows = csv_rows(path, "utf-8")
    header = rows[0]
    return [{"given": uk_date(r["Date"]), "channel": GOVMETRIC_CHANNEL[norm(r["Channel"])],
             "rating": GOVMETRIC_RATING[norm(r["Rating"])]} for r in (dict(zip(header, c)) for c in rows[1:])]


def read_plan(path: Path) -> tuple[list[dict], dict[str, list[int]], dict[str, list[int]]]:
    """Every action of every sheet, with the sheet's rows whose target date is a month typed as
    text, and its blank rows (below the header).

    A sheet is a plan year ("2023-24" is 2023/24); the header is the row starting "Ref"; a row
    with one filled cell is a theme heading ("Theme 1: Getting the basics right") for the rows below.
    """
    book = openpyxl.load_workbook(path, data_only=True)
    actions, month_rows, blank_rows = [], {}, {}
    for sheet in book.worksheets:
        year = sheet.title.replace("-", "/")
        rows = list(sheet.iter_rows(values_only=True))
        header_at = next(i for i, cells in enumerate(rows) if cells[0] == "Ref")
        header = list(rows[header_at])
        theme = None
        month_rows[sheet.title], blank_rows[sheet.title] = [], []
        for row_number, cells in enumerate(rows[header_at + 1:], start=header_at + 2):
            filled = [c for c in cells if c is not None and str(c).strip()]
            if not filled:
                blank_rows[sheet.title].append(row_number)
                continue
            if len(filled) == 1:
                theme = re.sub(r"^Theme \d+\s*[:-]\s*", "", str(filled[0]).strip())
                continue
            record = dict(zip(header, cells))
            if isinstance(record["Target Date"], str):
                month_rows[sheet.title].append(row_number)
            actions.append({"year": year, "ref": record["Ref"], "theme": theme,
                            "status": PLAN_STATUS[norm(record["Status"])]})
    return actions, month_rows, blank_rows


def council() -> dict:
    return tomllib.loads((DATA / "council.toml").read_text(encoding="utf-8"))


def busdaycal() -> np.busdaycalendar:
    """Monday to Friday less England's bank holidays (the Coronation included) and the closure days."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(2022, 2027))
    closures = {dt.date.fromisoformat(d) for d in council()["calendar"]["closure_days"]}
    return np.busdaycalendar(weekmask="1111100", holidays=sorted(set(bank) | closures))


def against_standard(received, done, n, as_at: dt.date, cal) -> tuple[np.ndarray, np.ndarray]:
    """(due, within) per item: the contract's day 0, within N and "not yet due" rules.

    Done: within when busday_count(received, done) <= N. Not done: due (and late) only when
    working day N, counted from receipt (rolled forward off a non-working day), is before the
    as-at day; due on the as-at day or later, it is left out.
    """
    received = np.array([d.date() for d in received], dtype="datetime64[D]")
    done = np.array([d.date() if d else np.datetime64("NaT") for d in done], dtype="datetime64[D]")
    n = np.asarray(n, dtype="int64")
    is_done = ~np.isnat(done)
    taken = np.full(len(received), 10**6)
    taken[is_done] = np.busday_count(received[is_done], done[is_done], busdaycal=cal)
    deadline = np.busday_offset(received, n, roll="forward", busdaycal=cal)
    due = is_done | (deadline < np.datetime64(as_at, "D"))
    return due, is_done & (taken <= n)


def as_at_of(*columns) -> dt.date:
    """The data's own "as at": the day of the latest date in any of a dataset's date columns."""
    return max(d.date() for column in columns for d in column if d)


# --- the figures, worked out here -----------------------------------------------------------------


class Expected(dict):
    """(year, measure_id, breakdown) -> (value, numerator, denominator); None where not a ratio."""

    def rate(self, year, measure, breakdown, numerator, denominator, scale=100.0):
        value = scale * numerator / denominator if denominator else None
        self[(year, measure, breakdown)] = (value, numerator, denominator)

    def value(self, year, measure, breakdown, value):
        self[(year, measure, breakdown)] = (value, None, None)


def all_contacts() -> list[dict]:
    return [case for name in SALESFORCE for case in read_salesforce(DATA / name)[0]]


def all_calls() -> list[dict]:
    calls = []
    for name in CALLS:
        reader = read_calls_xlsx if name.endswith(".xlsx") else read_calls_csv
        calls += reader(DATA / name)[0]
    return calls


def all_feedback() -> list[dict]:
    return [row for name in GOVMETRIC for row in read_govmetric(DATA / name)]


def contact_figures(expected: Expected, as_at: dt.date | None) -> None:
    """contacts_received (all, by channel) and responses_within_standard (all, by channel with a standard)."""
    contacts = all_contacts()
    as_at = as_at or as_at_of([c["received"] for c in contacts], [c["responded"] for c in contacts])
    standards = council()["standards"]["respond_within_working_days"]
    by_year = defaultdict(list)
    for case in contacts:
        by_year[year_of(case["received"].date())].append(case)
    for year, cases in by_year.items():
        expected.value(year, "contacts_received", "", len(cases))
        for channel, count in Counter(c["channel"] for c in cases).items():
            expected.value(year, "contacts_received", f"channel={channel}", count)
        measured = [c for c in cases if c["channel"] in standards]
        due, within = against_standard([c["received"] for c in measured], [c["responded"] for c in measured],
                                       [standards[c["channel"]] for c in measured], as_at, busdaycal())
        expected.rate(year, "responses_within_standard", "", int(within.sum()), int(due.sum()))
        channels = np.array([c["channel"] for c in measured])
        for channel in sorted(set(channels)):
            mine = channels == channel
            expected.rate(year, "responses_within_standard", f"channel={channel}",
                          int(within[mine].sum()), int(due[mine].sum()))


def call_figures(expected: Expected) -> None:
    """Abandoned and callbacks of all offered; answered within 20 seconds and mean wait of those answered."""
    limit = council()["standards"]["phone"]["answer_within_seconds"]
    by_year = defaultdict(list)
    for call in all_calls():
        by_year[year_of(call["offered"].date())].append(call)
    for year, calls in by_year.items():
        answered = [c["wait"] for c in calls if c["outcome"] == "answered"]
        outcomes = Counter(c["outcome"] for c in calls)
        expected.rate(year, "calls_abandoned", "", outcomes["abandoned"], len(calls))
        expected.rate(year, "calls_callback", "", outcomes["callback"], len(calls))
        expected.rate(year, "calls_answered_within_standard", "", sum(w <= limit for w in answered), len(answered))
        expected.value(year, "average_speed_of_answer", "", sum(answered) / len(answered))


def complaint_figures(expected: Expected, as_at: dt.date | None) -> None:
    """complaints_received, acknowledged and responded within standard, and upheld: all and by stage.

    Acknowledgement counted from receipt; the response from the acknowledgement (from receipt
    when none is recorded). Upheld = upheld + partly upheld, of those with one of the three decisions.
    """
    complaints = read_complaints(DATA / COMPLAINTS)
    as_at = as_at or as_at_of(*([c[k] for c in complaints] for k in ("received", "acknowledged", "responded")))
    codes = council()["standards"]["complaints"]
    ack_n = codes["acknowledge_within_working_days"]
    stage_n = {1: codes["stage1_respond_within_working_days"], 2: codes["stage2_respond_within_working_days"]}
    cal = busdaycal()
    by_year = defaultdict(list)
    for complaint in complaints:
        by_year[year_of(complaint["received"].date())].append(complaint)
    for year, rows in by_year.items():
        stages = np.array([c["stage"] for c in rows])
        ack_due, ack_within = against_standard([c["received"] for c in rows], [c["acknowledged"] for c in rows],
                                               [ack_n] * len(rows), as_at, cal)
        starts = [c["acknowledged"] or c["received"] for c in rows]
        resp_due, resp_within = against_standard(starts, [c["responded"] for c in rows],
                                                 [stage_n[c["stage"]] for c in rows], as_at, cal)
        outcomes = np.array([c["outcome"] or "" for c in rows])
        upheld = np.isin(outcomes, ["upheld", "partly_upheld"])
        decided = np.isin(outcomes, ["upheld", "partly_upheld", "not_upheld"])
        for breakdown, mine in [("", np.ones(len(rows), dtype=bool))] + [
                (f"stage={s}", stages == s) for s in sorted(set(stages))]:
            expected.value(year, "complaints_received", breakdown, int(mine.sum()))
            expected.rate(year, "complaints_acknowledged_within_standard", breakdown,
                          int(ack_within[mine].sum()), int(ack_due[mine].sum()))
            expected.rate(year, "complaints_responded_within_standard", breakdown,
                          int(resp_within[mine].sum()), int(resp_due[mine].sum()))
            expected.rate(year, "complaints_upheld", breakdown, int(upheld[mine].sum()), int(decided[mine].sum()))


def feedback_figures(expected: Expected) -> None:
    """net_satisfaction = 100 x (good - poor) / all ratings, all and by channel."""
    by_year = defaultdict(list)
    for row in all_feedback():
        by_year[year_of(row["given"].date())].append(row)
    for year, rows in by_year.items():
        for breakdown, mine in [("", rows)] + [(f"channel={ch}", [r for r in rows if r["channel"] == ch])
                                               for ch in sorted({r["channel"] for r in rows})]:
            ratings = Counter(r["rating"] for r in mine)
            expected.value(year, "net_satisfaction", breakdown, 100 * (ratings["good"] - ratings["poor"]) / len(mine))


def plan_figures(expected: Expected) -> None:
    """actions_achieved = achieved / every action of the plan year (withdrawn ones included), all and by theme."""
    actions, _, _ = read_plan(DATA / PLAN)
    by_year = defaultdict(list)
    for action in actions:
        by_year[action["year"]].append(action)
    for year, rows in by_year.items():
        for breakdown, mine in [("", rows)] + [(f"theme={t}", [a for a in rows if a["theme"] == t])
                                               for t in sorted({a["theme"] for a in rows})]:
            expected.rate(year, "actions_achieved", breakdown, sum(a["status"] == "achieved" for a in mine), len(mine))


def expected_figures(as_at: dt.date | None = None) -> Expected:
    """Every figure this module checks, from the raw files; ``as_at`` None: each dataset's own date."""
    expected = Expected()
    contact_figures(expected, as_at)
    call_figures(expected)
    complaint_figures(expected, as_at)
    feedback_figures(expected)
    plan_figures(expected)
    return expected


MEASURES = ["contacts_received", "responses_within_standard", "calls_abandoned", "calls_callback",
            "calls_answered_within_standard", "average_speed_of_answer", "complaints_received",
            "complaints_acknowledged_within_standard", "complaints_responded_within_standard", "complaints_upheld",
            "net_satisfaction", "actions_achieved"]
# Measures whose breakdown rows are counts of records: a row the raw files do not give (a footer
# counted as a channel, a total row as a stage) is a fault, so the breakdowns must be exactly these.
EXACT_BREAKDOWNS = {"contacts_received": "channel=", "complaints_received": "stage=", "net_satisfaction": "channel=",
                    "actions_achieved": "theme="}


# --- the hand-worked cases (see HAND_CONTACTS and HAND_COMPLAINTS in make_exports.py) ---------------

# 2025/26, --as-at 2025-04-24 (Thursday). Due ON the as-at day with no response: left out. Due the
# day before (Wednesday 23 April): overdue, in the denominator and not within.
#   email (5 working days), rows tagged H1-H5 in "Cases 2024-25 to date.csv":
#     H1 Tue 15 Apr, no reply: 16, 17, 22, 23, 24 -> due Thu 24 = as-at: left out
#     H2 Mon 14 Apr, no reply: 15, 16, 17, 22, 23 -> due Wed 23: overdue
#     H3 Sat 12 Apr (day 0 Mon 14), no reply: due Wed 23: overdue
#     H4 Mon 14 -> replied Wed 23: busday_count = 14, 15, 16, 17, 22 = 5: within
#     H5 Thu 10 -> replied Wed 23: 10, 11, 14, 15, 16, 17, 22 = 7: outside
#     => 1 within of 4 due
#   letter (10): H6 Tue 8 Apr, no reply, due Thu 24: left out; H7 Mon 7 Apr, due Wed 23: overdue => 0 of 1
#   web form (5): H8 Good Friday 18 Apr (day 0 Tue 22), due Tue 29: left out; H9 Wed 16 -> Thu 17: within => 1 of 1
#   chat (1): H10 Wed 23, due Thu 24: left out; H11 Tue 22, due Wed 23: overdue;
#             H12 Thu 17 -> Tue 22 (Easter between): busday_count = 1: within => 1 of 2
#   all channels: 3 within of 8 due
HAND_RESPONSES_2025 = {"": (3, 8), "channel=email": (1, 4), "channel=letter": (0, 1),
                       "channel=online_form": (1, 1), "channel=webchat": (1, 2)}
# Complaints received in April 2025, all stage 1 (rows tagged C1-C6 in the complaints export):
#   acknowledged within 5 working days of receipt: C1, C2, C3 acknowledged the next working day
#   (within); C6 Mon 14, none, due Wed 23: overdue; C5 Tue 15, none, due Thu 24 = as-at: left out;
#   C4 Thu 17, none, due Mon 28: left out => 3 within of 4 due
#   answered within 10 working days of the acknowledgement (of receipt when none): C3 ack Wed 2,
#   answered Tue 15 = 9 days: within; C2 ack Mon 7, due Wed 23: overdue; C1 ack Tue 8, due Thu 24 =
#   as-at: left out; C4, C5, C6 due 30 April or later: left out => 1 within of 2 due
HAND_COMPLAINTS_2025 = {"complaints_received": (None, 6),
                        "complaints_acknowledged_within_standard": (3, 4),
                        "complaints_responded_within_standard": (1, 2)}


# --- reading what the workbook wrote ----------------------------------------------------------------


def read_measures(path: Path) -> dict[tuple[str, str, str], dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {(r["year"], r["measure_id"], r["breakdown"]): r for r in csv.DictReader(handle)}


def number(text: str) -> float | None:
    return None if text in ("", None) else float(text)


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under a folder (hidden ones too) -> its SHA-256; folders as 'dir'."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            found[str(Path(root, name).relative_to(folder))] = "dir"
        for name in files:
            path = Path(root, name)
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def warning_blocks(stderr: str) -> list[str]:
    return [b.strip("\n") for b in stderr.split("\n\n") if "(a warning" in b]


def listed_rows(block: str) -> list[int]:
    """The row numbers a message lists ('3 rows: rows 7, 12, 17'), without the 'and N more'."""
    match = re.search(r"^\s+[\d,]+ rows?: rows? ([\d, ]+)", block, re.M)
    return [int(n) for n in match.group(1).replace(" ", "").split(",") if n] if match else []


def block_for(blocks: list[str], file: str, *words: str) -> list[str]:
    return [b for b in blocks if b.startswith(file) and all(w in b for w in words)]


# --- the exports are shaped like the systems' own, not like the contract ----------------------------


def test_the_generator_gives_the_committed_files_byte_for_byte(tmp_path):
    subprocess.run([sys.executable, str(EXPORTS / "make_exports.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    assert fingerprint(tmp_path) == fingerprint(DATA), "run tests/exports/make_exports.py and commit what it writes"


def test_the_exports_look_like_the_systems_not_the_contract():
    """Guards the data against drifting towards the contract, which would make the tests below say nothing."""
    first, second = (DATA / name for name in SALESFORCE)
    for path in (first, second):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
        lines = raw.decode("utf-8-sig").split("\n")
        assert all(line.startswith('"') for line in lines if line)  # Salesforce quotes every value
        cases, footer = read_salesforce(path)
        assert all(re.fullmatch(r"000\d{5}", c["id"]) for c in cases)  # Case Number with leading zeros
        text = [cells[0] if cells else "" for cells in csv_rows(path, "utf-8-sig")[footer[0] - 1:]]
        assert text[:5] == ["", f"Grand Totals ({len(cases)} records)", "",
                            "Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved.",
                            "Confidential Information - Do Not Distribute"]
        assert text[5].startswith("Generated By:  A Analyst  ") and text[6] == "Ashdown Vale Borough Council"
        assert not any("\n" in cell for cells in csv_rows(path, "utf-8-sig") for cell in cells)  # rows = lines
    header_1, header_2 = (csv_rows(p, "utf-8-sig")[0] for p in (first, second))
    assert "Case Origin" in header_1 and "Origin" not in header_1 and "Origin" in header_2
    assert "Date/Time Closed" in header_1 and "Closed Date" in header_2
    assert {"Walk-in", "Face to face"} <= {r[2] for r in csv_rows(first, "utf-8-sig")[1:] if len(r) > 2}
    assert {"Walk In", "Face to Face"} <= {r[4] for r in csv_rows(second, "utf-8-sig")[1:] if len(r) > 4}

    avaya, genesys, excel = (DATA / name for name in CALLS)
    assert re.fullmatch(r"\d\d:\d\d:\d\d", csv_rows(avaya, "utf-8")[1][4])
    first_call = csv_rows(genesys, "utf-8")[1]
    assert re.fullmatch(r"\d\d:\d\d", first_call[4]) and first_call[1].endswith("Z")
    for path in (avaya, genesys):
        assert csv_rows(path, "utf-8")[-1][:2] == ["Total", ""]
    sheet = openpyxl.load_workbook(excel).worksheets[0]
    assert isinstance(sheet.cell(row=2, column=5).value, dt.time)
    last = sheet.max_row
    assert sheet.cell(row=last, column=1).value == "Total" and sheet.cell(row=last, column=2).value is None
    assert {c["outcome"] for c in all_calls()} == {"answered", "abandoned", "callback"}

    raw = (DATA / COMPLAINTS).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    for word in ("Stage 1", "Stage 2", "Partially upheld", "Not Upheld", "Upheld", "Withdrawn", "£", ",Y,", ",N,"):
        assert word in text

    for name in GOVMETRIC:
        header = csv_rows(DATA / name, "utf-8")[0]
        assert not any("id" in norm(h).split() for h in header)  # no id column
    assert {r["channel"] for r in all_feedback()} == {"phone", "online_form", "in_person", "email"}

    book = openpyxl.load_workbook(DATA / PLAN)
    assert book.sheetnames == ["2023-24", "2024-25"]
    for sheet in book.worksheets:
        assert not any("year" in norm(c.value) for c in sheet[2])  # no plan year column
        assert any(r.min_col == 1 and r.max_col == 6 and r.min_row == r.max_row > 2 for r in sheet.merged_cells.ranges)
        assert all(isinstance(sheet.cell(row=r, column=1).value, float) for r in range(3, sheet.max_row + 1)
                   if sheet.cell(row=r, column=2).value)  # refs typed as numbers
    for lock in ("~$Action Plan.xlsx", ".~lock.Action Plan.xlsx#"):
        assert 0 < (DATA / lock).stat().st_size < 200
    keys = {"path", "columns", "values", "sheets", "section_rows", "id"}
    assert all(set(section) <= keys for section in council()["datasets"].values())  # the contract's keys only


def test_the_independent_count_gives_the_hand_worked_figures():
    """This module's own counting, on the raw files, agrees with the cases worked on paper."""
    expected = expected_figures(AS_AT)
    for breakdown, (within, due) in HAND_RESPONSES_2025.items():
        assert expected[("2025/26", "responses_within_standard", breakdown)][1:] == (within, due), breakdown
    assert expected[("2025/26", "complaints_received", "stage=1")][0] == 6
    assert ("2025/26", "complaints_received", "stage=2") not in expected
    for measure, (within, due) in HAND_COMPLAINTS_2025.items():
        if within is not None:
            assert expected[("2025/26", measure, "stage=1")][1:] == (within, due), measure
    # C8: a stage 2 response due Tuesday 22 April 2025. The complaints' own date is 17 April
    # (C4's receipt, the latest date in that export), so by default it is not yet due; on 24 April it is.
    default = expected_figures(None)
    by_default = default[("2024/25", "complaints_responded_within_standard", "stage=2")]
    on_the_day = expected[("2024/25", "complaints_responded_within_standard", "stage=2")]
    assert on_the_day[1] == by_default[1] and on_the_day[2] == by_default[2] + 1
    # B1: the Genesys call at 23:20 UTC on 31 March 2024 is 00:20 on 1 April in UK time: 2024/25.
    genesys, _ = read_calls_csv(DATA / CALLS[1])
    assert genesys[0]["offered"] == dt.datetime(2024, 4, 1, 0, 20, 41)
    assert year_of(genesys[0]["offered"].date()) == "2024/25"
    # action plan, worked from the sheets: 7 of 11 (2023/24) and 7 of 10 (2024/25) complete
    assert default[("2023/24", "actions_achieved", "")][1:] == (7, 11)
    assert default[("2024/25", "actions_achieved", "")][1:] == (7, 10)
    assert default[("2023/24", "actions_achieved", "theme=Accessible to everyone")][1:] == (1, 2)


# --- workbook check ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def check(tmp_path_factory):
    out = tmp_path_factory.mktemp("ashdown-check")
    return run_cli("check", "--data", str(DATA), "--out", str(out)), out


def test_check_finds_nothing_to_fix(check):
    result, _ = check
    assert result.returncode == 0, result.stderr
    assert "No problems to fix." in result.stdout
    assert "to fix:\n\n" not in result.stderr  # the heading "N problems to fix:" above fatal problems
    assert "Traceback" not in result.stderr + result.stdout
    assert "warning:" not in result.stdout  # council.toml uses only keys the workbook knows


def test_check_counts_the_records_and_nothing_else(check):
    """The rows each dataset read are the records counted here: no footer, total row, heading or lock file."""
    result, _ = check
    actions, _, _ = read_plan(DATA / PLAN)
    counts = {"contacts": len(all_contacts()), "calls": len(all_calls()),
              "complaints": len(read_complaints(DATA / COMPLAINTS)), "feedback": len(all_feedback()),
              "action_plan": len(actions)}
    for dataset, count in counts.items():
        match = re.search(rf"^\s+{dataset}\s+([\d,]+) rows from (.*)$", result.stdout, re.M)
        assert match, f"{dataset} not read:\n{result.stdout}"
        assert int(match.group(1).replace(",", "")) == count, (dataset, match.group(0))
        assert "~$" not in match.group(2) and ".~lock" not in match.group(2)


def _expected_warnings() -> list[tuple[str, str, tuple[str, ...], list[int], str]]:
    """(label, file, words the warning has, rows it must list, how the rows are matched)."""
    wanted = []
    for name in SALESFORCE:
        cases, footer = read_salesforce(DATA / name)
        # the footer's rows: the blank line, "Grand Totals" on the next row, then the notices
        wanted.append((f"footer {name}", Path(name).name, (), [footer[1]], "footer"))
    for name in CALLS:
        reader = read_calls_xlsx if name.endswith(".xlsx") else read_calls_csv
        _, totals = reader(DATA / name)
        wanted.append((f"total row {name}", Path(name).name, (), totals, "exactly"))
    wanted.append(("Excel lock file", "~$Action Plan.xlsx", (), [], "exactly"))
    _, month_rows, blank_rows = read_plan(DATA / PLAN)
    for sheet, rows in month_rows.items():
        wanted.append((f"month-typed target dates {sheet}", PLAN, ("'due'", sheet), rows, "exactly"))
    for sheet, rows in blank_rows.items():
        if rows:
            wanted.append((f"blank rows {sheet}", PLAN, (sheet, "blank"), rows, "exactly"))
    return wanted


WARNINGS = _expected_warnings()


@pytest.mark.parametrize("label, file, words, rows, match", WARNINGS, ids=[w[0] for w in WARNINGS])
def test_check_says_what_it_skipped_with_its_rows(check, label, file, words, rows, match):
    result, _ = check
    blocks = [b for b in block_for(warning_blocks(result.stderr), file, *words)
              if not (file == PLAN and b.startswith("~$"))]
    assert blocks, f"no warning for {label} ({file}) in:\n{result.stderr}"
    if match == "exactly":
        assert any(listed_rows(b) == rows for b in blocks), (label, rows, blocks)
    else:  # a footer: its rows start after the last record and include the "Grand Totals" row
        assert any(rows[0] in listed_rows(b) and min(listed_rows(b)) >= rows[0] - 1 for b in blocks), (label, blocks)


def test_check_warns_about_nothing_else(check):
    """Every warning is one of those expected: no value left unmapped, no date misread, no response before receipt."""
    result, _ = check
    expected = WARNINGS
    unexplained = []
    for block in warning_blocks(result.stderr):
        known = any(block.startswith(file) and all(w in block for w in words) and not
                    (file == PLAN and block.startswith("~$")) for _, file, words, _, _ in expected)
        if not known:
            unexplained.append(block)
    assert not unexplained, "\n\n".join(unexplained)


def test_the_libreoffice_lock_file_is_never_read_as_data(check):
    """Python's glob leaves out names starting with a dot, so path = "*.xlsx" does not match
    LibreOffice's lock file; if a glob ever matches it, it must be a skipped lock file, not a workbook."""
    result, _ = check
    for block in result.stderr.split("\n\n"):
        if ".~lock.Action Plan.xlsx#" in block:
            assert "(a warning" in block and "lock" in block


def test_check_writes_no_personal_data(check):
    _, out = check
    _assert_no_personal_data(out)


# --- workbook run -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """workbook run on the exports as they are: the latest complete year (2024/25), each dataset's own as-at."""
    out = tmp_path_factory.mktemp("ashdown-run")
    before = fingerprint(DATA)
    result = run_cli("run", "--data", str(DATA), "--out", str(out))
    return out, result, before, fingerprint(DATA)


@pytest.fixture(scope="module")
def as_at_run(tmp_path_factory):
    """workbook run for 2025/26 with --as-at 2025-04-24, for the hand-worked "not yet due" cases."""
    out = tmp_path_factory.mktemp("ashdown-as-at")
    before = fingerprint(DATA)
    result = run_cli("run", "--data", str(DATA), "--year", "2025/26", "--as-at", AS_AT.isoformat(), "--out", str(out))
    return out, result, before, fingerprint(DATA)


@pytest.mark.slow
def test_run_succeeds_for_the_latest_complete_year(default_run):
    out, result, _, _ = default_run
    assert result.returncode == 0, result.stderr
    assert f"Members' pages: {out / '2024-25' / 'index.html'}" in result.stdout
    assert (out / "2024-25" / "measures.csv").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("measure", MEASURES)
def test_run_figures_agree_with_the_raw_files(default_run, measure):
    out, result, _, _ = default_run
    assert result.returncode == 0, result.stderr
    _compare(read_measures(out / "2024-25" / "measures.csv"), expected_figures(None), measure, REPORTED_YEARS)


@pytest.mark.slow
@pytest.mark.parametrize("measure", MEASURES)
def test_as_at_run_figures_agree_with_the_raw_files(as_at_run, measure):
    out, result, _, _ = as_at_run
    assert result.returncode == 0, result.stderr
    _compare(read_measures(out / "2025-26" / "measures.csv"), expected_figures(AS_AT), measure,
             REPORTED_YEARS + ("2025/26",))


@pytest.mark.slow
def test_not_yet_due_as_the_contract_says(as_at_run, default_run):
    """Due ON the as-at day with no response: left out. Due the day before: overdue."""
    out, result, _, _ = as_at_run
    assert result.returncode == 0, result.stderr
    rows = read_measures(out / "2025-26" / "measures.csv")
    for breakdown, (within, due) in HAND_RESPONSES_2025.items():
        row = rows[("2025/26", "responses_within_standard", breakdown)]
        assert (number(row["numerator"]), number(row["denominator"])) == (within, due), breakdown
    assert number(rows[("2025/26", "complaints_received", "stage=1")]["value"]) == 6
    for measure in ("complaints_acknowledged_within_standard", "complaints_responded_within_standard"):
        within, due = HAND_COMPLAINTS_2025[measure]
        row = rows[("2025/26", measure, "stage=1")]
        assert (number(row["numerator"]), number(row["denominator"])) == (within, due), measure
    # C8 (2024/25, stage 2, response due Tue 22 April 2025): left out by the complaints' own date
    # (17 April) in the default run, overdue with --as-at 2025-04-24.
    default_out, default_result, _, _ = default_run
    assert default_result.returncode == 0, default_result.stderr
    key = ("2024/25", "complaints_responded_within_standard", "stage=2")
    by_default = read_measures(default_out / "2024-25" / "measures.csv")[key]
    on_the_day = rows[key]
    assert number(on_the_day["numerator"]) == number(by_default["numerator"])
    assert number(on_the_day["denominator"]) == number(by_default["denominator"]) + 1


@pytest.mark.slow
def test_no_carried_forward_figure_from_a_plan_that_does_not_record_it(default_run):
    """The workbook has no 'carried from' column: measures.csv must not say 0 were carried forward."""
    out, result, _, _ = default_run
    assert result.returncode == 0, result.stderr
    rows = read_measures(out / "2024-25" / "measures.csv")
    carried = [r for key, r in rows.items() if key[1] == "actions_carried_forward"]
    assert all(r["value"] == "" for r in carried), carried


@pytest.mark.slow
@pytest.mark.parametrize("run", ["default_run", "as_at_run"])
def test_the_data_folder_is_unchanged_byte_for_byte(request, run):
    _, result, before, after = request.getfixturevalue(run)
    assert result.returncode == 0, result.stderr
    assert after == before


@pytest.mark.slow
def test_no_personal_data_in_any_output(default_run):
    out, result, _, _ = default_run
    assert result.returncode == 0, result.stderr
    _assert_no_personal_data(out)


# --- helpers for the checks above ---------------------------------------------------------------------


def _compare(actual: dict, expected: Expected, measure: str, years) -> None:
    """Every expected figure of the measure is in measures.csv with the same counts and value."""
    wrong = []
    for (year, measure_id, breakdown), (value, numerator, denominator) in sorted(expected.items()):
        if measure_id != measure or year not in years:
            continue
        row = actual.get((year, measure_id, breakdown))
        if row is None:
            wrong.append(f"{year} {breakdown or '(all)'}: missing")
            continue
        got = number(row["value"])
        if numerator is not None:
            counts = (number(row["numerator"]), number(row["denominator"]))
            if counts != (numerator, denominator):
                wrong.append(f"{year} {breakdown or '(all)'}: {counts[0]} / {counts[1]}, "
                             f"expected {numerator} / {denominator}")
                continue
        if value is None:
            if got is not None:
                wrong.append(f"{year} {breakdown or '(all)'}: {got}, expected empty (nothing due)")
        elif got is None or not math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-9):
            wrong.append(f"{year} {breakdown or '(all)'}: {got}, expected {value}")
    prefix = EXACT_BREAKDOWNS.get(measure)
    if prefix:
        for year in years:
            have = {k[2] for k in actual if k[0] == year and k[1] == measure and k[2].startswith(prefix)}
            want = {k[2] for k in expected if k[0] == year and k[1] == measure and k[2].startswith(prefix)}
            if have != want:
                wrong.append(f"{year}: breakdowns {sorted(have - want)} not in the raw files, "
                             f"{sorted(want - have)} missing")
    assert not wrong, f"{measure}:\n  " + "\n  ".join(wrong)


def _personal_values() -> set[str]:
    values = set()
    for case in all_contacts():
        values.update(v for v in case["personal"] if v)
    for complaint in read_complaints(DATA / COMPLAINTS):
        values.update(v for v in complaint["personal"] if v)
    for name in CALLS[:2]:
        rows = csv_rows(DATA / name, "utf-8")
        header = rows[0]
        column = header.index("Caller Number" if "Caller Number" in header else "ANI")
        values.update(r[column] for r in rows[1:] if r[column])
    return values


def _assert_no_personal_data(out: Path) -> None:
    """No contact's or complainant's name, email, subject, summary or phone number in any file written."""
    personal = _personal_values()
    assert len(personal) > 500  # the check below means something
    leaks = []
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".csv", ".ipynb", ".json", ".txt"):
            text = path.read_text(encoding="utf-8", errors="replace")
            text = text + "\n" + html.unescape(text)
            leaks += [(path.name, v) for v in personal if v in text]
    assert not leaks, leaks[:10]
