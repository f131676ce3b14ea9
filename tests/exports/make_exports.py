"""Write tests/exports/ashdown-vale/: a fictional council's exports, shaped as the real systems write them.

Ashdown Vale Borough Council, its officers, residents and every figure here are fictional. The
files imitate what the council's systems produce when an analyst presses "export", not the data
contract: a Salesforce case report with its footer, telephony queue reports with a total row and
durations in three forms, the policy officer's action-plan workbook (a sheet per year, theme
headings merged across the row, refs typed as numbers, target dates typed as months) with the lock
files Excel and LibreOffice leave beside it, a complaints system export in Windows-1252, and two
GovMetric downloads without an id column. ``council.toml`` describes them with the contract's keys
only. ``tests/test_real_exports.py`` reads these raw files itself and checks the workbook's figures.

The output is deterministic (a fixed seed; workbook properties and zip entries carry fixed dates),
so the files are committed; run this again after changing it:

    .venv/bin/python tests/exports/make_exports.py              # rewrites tests/exports/ashdown-vale/
    .venv/bin/python tests/exports/make_exports.py --out DIR    # writes the same files into DIR

Hand-worked cases (the "not yet due" rule, bank holidays, closures, year boundaries) are placed
by hand, listed in HAND_CONTACTS, HAND_COMPLAINTS and EDGE_CONTACTS below, and tagged in their
free-text column (Subject, Summary) with their label, e.g. "[H1 ...]", so they can be found in the
exports. The workbook never reads those columns.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import re
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import openpyxl
from openpyxl.styles import Alignment, Font

# Only the sample's way of writing a workbook byte for byte the same is shared; nothing that reads or counts.
from analysis.sample import fixed_xlsx

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "ashdown-vale"
SEED = 20250424
COUNCIL = "Ashdown Vale Borough Council"
FIXED_WORKBOOK_TIME = dt.datetime(2025, 4, 24, 8, 0, 0)

# The offices close between Christmas and New Year on the days that are not bank holidays.
CLOSURE_DAYS = ["2023-12-27", "2023-12-28", "2023-12-29", "2024-12-27", "2024-12-30", "2024-12-31"]
YEARS = (2023, 2024)  # financial years 2023/24 and 2024/25; a few hand-made rows in April 2025 (2025/26)

# The last day anything was done in each export: the 2023/24 Salesforce report was run on
# 8 April 2024, so cases still open then are open in that file; the 2024/25 report was run on
# 24 April 2025 at 08:05, before anything was done that day. The complaints export was run on
# 18 April 2025. Generated work after these days is left undone (the hand-made cases decide
# the data's "as at" dates: 23 April 2025 for contacts, 17 April 2025 for complaints).
CONTACTS_2023_CUTOFF = dt.date(2024, 4, 8)
CONTACTS_2024_CUTOFF = dt.date(2025, 4, 17)
COMPLAINTS_CUTOFF = dt.date(2025, 4, 17)


def _non_working_days() -> np.ndarray:
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(2022, 2027))
    days = sorted(set(bank) | {dt.date.fromisoformat(d) for d in CLOSURE_DAYS})
    return np.array(days, dtype="datetime64[D]")


CALENDAR = np.busdaycalendar(weekmask="1111100", holidays=_non_working_days())


def is_working_day(day: dt.date) -> bool:
    return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=CALENDAR))


def add_working_days(day: dt.date, n: int) -> dt.date:
    """Working day n after ``day`` (day 0; a non-working day rolls forward to the next working day)."""
    return np.busday_offset(np.datetime64(day, "D"), n, roll="forward", busdaycal=CALENDAR).astype(dt.date)


def year_days(start_year: int) -> list[dt.date]:
    first = dt.date(start_year, 4, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(start_year + 1, 4, 1) - first).days)]


# --- people and words (all invented) ----------------------------------------------------------

FIRST = ["Olivia", "Amelia", "Isla", "Zoë", "Siobhán", "Priya", "Aisha", "Grace", "Freya", "Niamh",
         "Oliver", "George", "Arthur", "Noah", "Muhammad", "Leo", "Rhys", "Tomasz", "Kwame", "Dylan"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Patel", "O'Connor", "Nowak", "Khan",
        "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Okafor", "Green", "Hall", "Clarke"]
STREETS = ["Mill Lane", "Church Road", "Station Approach", "Ashdown Rise", "Vale View", "The Crescent",
           "Orchard Close", "High Street", "Beacon Way", "Forest Row"]
STAFF = ["jmorgan", "kpatel", "sreid", "abaker", "lcollins", "dfraser"]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


# --- Salesforce case reports (contacts) -------------------------------------------------------

# Case Origin as Salesforce shows it, with the share of cases; the 2024/25 export writes two of
# them differently ("Walk In", "Face to Face"), which the values map still matches.
ORIGINS = [("Phone", 30), ("Email", 22), ("Web", 24), ("Walk-in", 8), ("Face to face", 4), ("Letter", 6),
           ("Chat", 6)]
ORIGIN_2024 = {"Walk-in": "Walk In", "Face to face": "Face to Face"}
# Working days taken to close, by origin (index = working days); the rest of the weight is "still open".
CLOSE_DAYS = {
    "Email": [10, 20, 20, 15, 12, 8, 6, 4, 3, 2],
    "Web": [15, 20, 20, 15, 10, 7, 5, 4, 2, 2],
    "Letter": [2, 5, 8, 10, 10, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
    "Chat": [70, 20, 7, 3],
}
ON_THE_SPOT = {"Phone", "Walk-in", "Face to face"}
SERVICES = {
    "Waste and Recycling": ["Missed bin", "Bulky waste", "Garden waste", "Food caddy"],
    "Council Tax": ["Payment", "Direct debit", "Single person discount", "Moving home"],
    "Housing Benefit": ["New claim", "Change of circumstances", "Overpayment"],
    "Planning": ["Application enquiry", "Enforcement"],
    "Parking": ["Permit", "Penalty charge notice"],
    "Environmental Health": ["Noise", "Fly-tipping", "Food hygiene"],
    "Housing": ["Homelessness", "Housing register"],
}
SERVICE_WEIGHTS = [30, 22, 12, 8, 10, 10, 8]
SUBJECTS = {
    "Missed bin": ["Bin not emptied, {street}", 'Missed bin again - "third time this month"', "Grey bin missed"],
    "Bulky waste": ["Book a bulky waste collection", "Sofa collection, {street}"],
    "Garden waste": ["Garden waste renewal £52 query", "Brown bin not collected"],
    "Food caddy": ["New food caddy please", "Caddy lid broken"],
}


def _subject(rng: random.Random, reason: str) -> str:
    choices = SUBJECTS.get(reason, [f"{reason} – enquiry", f"{reason}, {{street}}", f"Query about {reason.lower()}"])
    return rng.choice(choices).format(street=rng.choice(STREETS))


def _opened_at(rng: random.Random, day: dt.date, working: bool) -> dt.datetime:
    if working:
        minute = rng.randint(8 * 60, 18 * 60 - 1)
    else:
        minute = rng.randint(7 * 60, 23 * 60 - 1)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60))


def _closed_at(rng: random.Random, opened: dt.datetime, day: dt.date) -> dt.datetime:
    if day == opened.date():
        room = max(1, min(240, (20 * 60) - (opened.hour * 60 + opened.minute)))
        return opened + dt.timedelta(minutes=rng.randint(1, room))
    minute = rng.randint(8 * 60 + 30, 17 * 60 + 30)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60))


def generated_cases(rng: random.Random, start_year: int, n: int, cutoff: dt.date) -> list[dict]:
    """n cases opened in the financial year starting in April ``start_year``."""
    days = year_days(start_year)
    working = [d for d in days if is_working_day(d)]
    other = [d for d in days if not is_working_day(d)]
    origins, weights = zip(*ORIGINS)
    cases = []
    for _ in range(n):
        origin = rng.choices(origins, weights)[0]
        # Email and web forms arrive at weekends and on bank holidays too; the rest on working days.
        off_day = origin in ("Email", "Web") and rng.random() < 0.15
        day = rng.choice(other if off_day else working)
        opened = _opened_at(rng, day, not off_day)
        service = rng.choices(list(SERVICES), SERVICE_WEIGHTS)[0]
        reason = rng.choice(SERVICES[service])
        if origin in ON_THE_SPOT:
            closed = _closed_at(rng, opened, day)
        else:
            taken = CLOSE_DAYS[origin]
            # about 3 in 100 are still open when the report is run (overdue by the data's date)
            k = None if rng.random() < 0.03 else rng.choices(range(len(taken)), taken)[0]
            closed = None if k is None else _closed_at(rng, opened, add_working_days(day, k))
            if closed is not None and closed.date() > cutoff:
                closed = None
        cases.append({"opened": opened, "origin": origin, "service": service, "reason": reason,
                      "closed": closed, "subject": _subject(rng, reason), "name": person(rng)})
    return cases


def hand_case(label: str, origin: str, opened: str, closed: str | None, service: str = "Council Tax",
              reason: str = "Payment", note: str = "") -> dict:
    return {"opened": dt.datetime.fromisoformat(opened), "origin": origin, "service": service, "reason": reason,
            "closed": dt.datetime.fromisoformat(closed) if closed else None,
            "subject": f"Council tax query [{label}: {note}]", "name": "Hand Worked", "label": label}


# Edge cases inside 2023/24 and 2024/25 (worked by hand; the standards are email 5, letter 10,
# web form 5 and chat 1 working days; day 0 is the day of receipt, or the next working day).
EDGE_CONTACTS = [
    # E1: Friday before Christmas 2023; 25, 26 Dec and 1 Jan are bank holidays and 27-29 Dec closure
    # days, so closing on Tuesday 2 January took 1 working day: within 5.
    ("E1", "Email", "2023-12-22 16:40", "2024-01-02 10:15", "within: 1 working day over Christmas"),
    # E2: letter on Thursday 21 December 2023 closed Tuesday 9 January 2024: working days counted
    # from 21 Dec: 21, 22 Dec, 2, 3, 4, 5, 8 Jan = 7: within 10.
    ("E2", "Letter", "2023-12-21 11:00", "2024-01-09 15:00", "within: 7 working days over Christmas"),
    # E3: email on Saturday 6 May 2023; Monday 8 May 2023 was the Coronation bank holiday, so day 0
    # is Tuesday 9 May and closing on Tuesday 16 May took 5 working days (9, 10, 11, 12, 15): within.
    # A calendar without the Coronation would count 6 and call it late.
    ("E3", "Email", "2023-05-06 10:30", "2023-05-16 12:00", "within: 5 working days, Coronation"),
    # E4: web form on Sunday 31 March 2024, the last day of 2023/24 (Good Friday 29 March and
    # Easter Monday 1 April are bank holidays): day 0 is Tuesday 2 April, closed Thursday 4 April
    # after 2 working days. It belongs to 2023/24.
    ("E4", "Web", "2024-03-31 22:15", "2024-04-04 09:30", "within: 2 working days, Easter; year 2023/24"),
    # E5: email on Monday 1 April 2024 (Easter Monday): day 0 Tuesday 2 April; closed Wednesday
    # 10 April: 2, 3, 4, 5, 8, 9 April = 6 working days: outside 5. Year 2024/25.
    ("E5", "Email", "2024-04-01 09:05", "2024-04-10 16:00", "outside: 6 working days; year 2024/25"),
    # E6: email on Monday 23 December 2024 closed Thursday 2 January 2025: the working days counted
    # are 23 and 24 December (25, 26 Dec and 1 Jan are bank holidays, 27, 30, 31 Dec closure days) = 2: within.
    ("E6", "Email", "2024-12-23 09:45", "2025-01-02 11:20", "within: 2 working days over Christmas"),
]

# The "not yet due" cases, all in April 2025 (2025/26), worked by hand for --as-at 2025-04-24
# (a Thursday). Good Friday is 18 April 2025 and Easter Monday 21 April 2025. A case with no
# response whose deadline (working day N) falls ON the as-at day is not yet due and left out;
# one whose deadline was the day before is overdue: in the denominator, not within.
#                                     deadline        with --as-at 2025-04-24
HAND_CONTACTS = [
    # email, standard 5
    ("H1", "Email", "2025-04-15 10:00", None, "no reply; due Thu 24 Apr = as-at: not yet due"),
    ("H2", "Email", "2025-04-14 11:30", None, "no reply; due Wed 23 Apr: overdue"),
    ("H3", "Email", "2025-04-12 09:20", None, "Saturday, day 0 Mon 14; due Wed 23 Apr: overdue"),
    ("H4", "Email", "2025-04-14 08:50", "2025-04-23 14:10", "replied after 5 working days: within"),
    ("H5", "Email", "2025-04-10 13:00", "2025-04-23 16:30", "replied after 7 working days: outside"),
    # letter, standard 10
    ("H6", "Letter", "2025-04-08 10:30", None, "no reply; due Thu 24 Apr = as-at: not yet due"),
    ("H7", "Letter", "2025-04-07 09:15", None, "no reply; due Wed 23 Apr: overdue"),
    # web form, standard 5
    ("H8", "Web", "2025-04-18 14:00", None, "Good Friday, day 0 Tue 22; due Tue 29 Apr: not yet due"),
    ("H9", "Web", "2025-04-16 12:40", "2025-04-17 09:00", "replied after 1 working day: within"),
    # chat, standard 1
    ("H10", "Chat", "2025-04-23 15:40", None, "no reply; due Thu 24 Apr = as-at: not yet due"),
    ("H11", "Chat", "2025-04-22 10:05", None, "no reply; due Wed 23 Apr: overdue"),
    ("H12", "Chat", "2025-04-17 16:20", "2025-04-22 09:10", "1 working day over Easter: within"),
    # no standard for phone and walk-in: counted as received, never in a response rate
    ("H13", "Phone", "2025-04-22 09:30", "2025-04-22 09:41", "phone: no response standard"),
    ("H14", "Walk-in", "2025-04-23 11:00", "2025-04-23 11:20", "walk-in: no response standard"),
]
# Expected 2025/26 responses_within_standard with --as-at 2025-04-24 (within / due):
#   email 1 / 4 (H4 within; H2, H3 overdue; H5 late; H1 left out)
#   letter 0 / 1 (H7 overdue; H6 left out)
#   online_form 1 / 1 (H9; H8 left out)
#   webchat 1 / 2 (H12 within; H11 overdue; H10 left out)
#   all channels 3 / 8
# The data's own "as at" for contacts is 23 April 2025 (H10 received, H4 and H5 answered that day).

SF_COLUMNS_2023 = ["Case Number", "Date/Time Opened", "Case Origin", "Type", "Case Reason", "Status",
                   "Subject", "Contact Name", "Date/Time Closed", "Case Owner"]
# The 2024/25 report was rebuilt: "Case Origin" became "Origin", the closed time became a date,
# the columns were reordered and the contact's email was added.
SF_COLUMNS_2024 = ["Case Number", "Subject", "Contact Name", "Contact Email", "Origin", "Type",
                   "Case Reason", "Date/Time Opened", "Closed Date", "Status", "Case Owner"]


def _sf_time(value: dt.datetime | None) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


def _sf_date(value: dt.datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def salesforce_report(cases: list[dict], first_number: int, columns: list[str], generated: str,
                      rng: random.Random) -> tuple[str, int]:
    """The report as Salesforce writes it: every value quoted, then its footer. Returns (text, next number)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(columns)
    number = first_number
    for case in sorted(cases, key=lambda c: c["opened"]):
        number += rng.randint(1, 3)
        origin = case["origin"]
        if "Origin" in columns:
            origin = ORIGIN_2024.get(origin, origin)
        closed = case["closed"]
        status = "Closed" if closed else rng.choice(["New", "Working", "Escalated"])
        name = case["name"]
        values = {
            "Case Number": f"{number:08d}", "Date/Time Opened": _sf_time(case["opened"]), "Case Origin": origin,
            "Origin": origin, "Type": case["service"], "Case Reason": case["reason"], "Status": status,
            "Subject": case["subject"], "Contact Name": name,
            "Contact Email": re.sub(r"[^a-z.]", "", name.lower().replace(" ", ".")) + "@example.com",
            "Date/Time Closed": _sf_time(closed), "Closed Date": _sf_date(closed),
            "Case Owner": rng.choice(["Customer Services Queue", "Jo Morgan", "Kiran Patel", "Sam Reid"]),
        }
        writer.writerow([values[c] for c in columns])
    records = len(cases)
    # Salesforce's footer under a report: a blank line, the grand total, a blank line, then the notices.
    buffer.write("\n")
    buffer.write(f'"Grand Totals ({records} records)"\n')
    buffer.write("\n")
    buffer.write('"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."\n')
    buffer.write('"Confidential Information - Do Not Distribute"\n')
    buffer.write(f'"Generated By:  A Analyst  {generated}"\n')
    buffer.write(f'"{COUNCIL}"\n')
    return buffer.getvalue(), number


def contacts_files(rng: random.Random) -> dict[str, bytes]:
    first = generated_cases(rng, 2023, 330, CONTACTS_2023_CUTOFF)
    first += [hand_case(label, origin, opened, closed, note=note)
              for label, origin, opened, closed, note in EDGE_CONTACTS[:4]]
    second = generated_cases(rng, 2024, 345, CONTACTS_2024_CUTOFF)
    second += [hand_case(label, origin, opened, closed, note=note)
               for label, origin, opened, closed, note in EDGE_CONTACTS[4:] + HAND_CONTACTS]
    text_2023, number = salesforce_report(first, 12000, SF_COLUMNS_2023, "08/04/2024 09:14", rng)
    text_2024, _ = salesforce_report(second, number + 40, SF_COLUMNS_2024, "24/04/2025 08:05", rng)
    # UTF-8 with a byte-order mark, as Salesforce writes it for Excel.
    return {"salesforce/Cases 2023-24.csv": text_2023.encode("utf-8-sig"),
            "salesforce/Cases 2024-25 to date.csv": text_2024.encode("utf-8-sig")}


# --- telephony (calls) -------------------------------------------------------------------------

QUEUES = [("Council Tax", 30), ("Benefits", 15), ("Waste", 25), ("Housing", 10), ("Switchboard", 20)]


def _wait(rng: random.Random, outcome: str) -> int:
    if outcome == "Answered":
        # a few exactly at the 20-second standard (within) and just over it
        pick = rng.random()
        if pick < 0.05:
            return 20
        if pick < 0.08:
            return 21
        return min(900, int(rng.expovariate(1 / 45)))
    if outcome == "Abandoned":
        return min(1200, 3 + int(rng.expovariate(1 / 110)))
    return min(1200, 45 + int(rng.expovariate(1 / 90)))  # the caller took the callback option


def generated_calls(rng: random.Random, days: list[dt.date], n: int, outcomes: list[tuple[str, float]]) -> list[dict]:
    working = [d for d in days if is_working_day(d)]
    names, weights = zip(*outcomes)
    queues, queue_weights = zip(*QUEUES)
    calls = []
    for _ in range(n):
        day = rng.choice(working)
        second = rng.randint(int(8.5 * 3600), 17 * 3600 - 1)
        outcome = rng.choices(names, weights)[0]
        wait = _wait(rng, outcome)
        talk = rng.randint(40, 900) if outcome == "Answered" else 0
        calls.append({"start": dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=second),
                      "queue": rng.choices(queues, queue_weights)[0], "outcome": outcome, "wait": wait,
                      "talk": talk, "agent": rng.choice(STAFF) if outcome == "Answered" else "",
                      "caller": f"07700 900{rng.randint(0, 999):03d}"})
    return sorted(calls, key=lambda c: c["start"])


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _ms(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def avaya_report(calls: list[dict], rng: random.Random) -> bytes:
    """Avaya queue report: local times dd/mm/yyyy hh:mm:ss, waits hh:mm:ss, a total row at the end."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Call ID", "Start Time", "Queue", "Disposition", "Wait Time", "Talk Time", "Agent",
                     "Caller Number"])
    call_id = 4_100_000
    for call in calls:
        call_id += rng.randint(1, 40)
        writer.writerow([str(call_id), call["start"].strftime("%d/%m/%Y %H:%M:%S"), call["queue"], call["outcome"],
                         _hms(call["wait"]), _hms(call["talk"]), call["agent"], call["caller"]])
    writer.writerow(["Total", "", "", "", _hms(sum(c["wait"] for c in calls)), _hms(sum(c["talk"] for c in calls)),
                     "", ""])
    return buffer.getvalue().encode("utf-8")


GENESYS_COLUMNS = ["Conversation ID", "Conversation Start", "Queue", "Outcome", "Queue Wait", "Handle Time",
                   "Agent", "ANI"]
GENESYS_OUTCOME = {"Answered": "Answered", "Abandoned": "Abandoned", "Callback": "Callback Requested"}
LONDON = ZoneInfo("Europe/London")


def _utc(local: dt.datetime) -> dt.datetime:
    """UK local time -> UTC, as Genesys Cloud writes its times."""
    return local.replace(tzinfo=LONDON).astimezone(dt.timezone.utc)


def genesys_csv(calls: list[dict], rng: random.Random) -> bytes:
    """Genesys Cloud interactions export: ISO times in UTC ("Z"), waits mm:ss, a total row at the end."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(GENESYS_COLUMNS)
    for call in calls:
        start = _utc(call["start"]).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        writer.writerow([str(uuid.UUID(int=rng.getrandbits(128), version=4)), start, call["queue"],
                         GENESYS_OUTCOME[call["outcome"]], _ms(call["wait"]), _ms(call["talk"]), call["agent"],
                         "tel:+44" + call["caller"].replace(" ", "")[1:]])
    writer.writerow(["Total", "", "", "", _ms(sum(c["wait"] for c in calls)), _ms(sum(c["talk"] for c in calls)),
                     "", ""])
    return buffer.getvalue().encode("utf-8")


def genesys_xlsx(calls: list[dict], rng: random.Random) -> bytes:
    """The same export saved as Excel: times as date cells, waits as Excel time cells, a total row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Interactions"
    sheet.append(GENESYS_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for call in calls:
        sheet.append([str(uuid.UUID(int=rng.getrandbits(128), version=4)), call["start"], call["queue"],
                      GENESYS_OUTCOME[call["outcome"]], _time_cell(call["wait"]), _time_cell(call["talk"]),
                      call["agent"] or None, "tel:+44" + call["caller"].replace(" ", "")[1:]])
        row = sheet.max_row
        sheet.cell(row=row, column=2).number_format = "dd/mm/yyyy hh:mm:ss"
        sheet.cell(row=row, column=5).number_format = "h:mm:ss"
        sheet.cell(row=row, column=6).number_format = "h:mm:ss"
    sheet.append(["Total", None, None, None, dt.timedelta(seconds=sum(c["wait"] for c in calls)),
                  dt.timedelta(seconds=sum(c["talk"] for c in calls)), None, None])
    for column in (5, 6):
        sheet.cell(row=sheet.max_row, column=column).number_format = "[h]:mm:ss"
        sheet.cell(row=sheet.max_row, column=column).font = Font(bold=True)
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    for letter, width in zip("ABCDEFGH", (38, 20, 14, 20, 11, 11, 10, 18)):
        sheet.column_dimensions[letter].width = width
    return _fixed_xlsx(book)


def _time_cell(seconds: int) -> dt.time:
    return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def calls_files(rng: random.Random) -> dict[str, bytes]:
    avaya = generated_calls(rng, year_days(2023), 360, [("Answered", 80), ("Abandoned", 13), ("Callback", 7)])
    days_2024 = year_days(2024)
    spring = [d for d in days_2024 if d < dt.date(2025, 1, 1)]
    winter = [d for d in days_2024 if d >= dt.date(2025, 1, 1)]
    genesys = generated_calls(rng, spring, 280, [("Answered", 84), ("Abandoned", 9), ("Callback", 7)])
    # B1: an out-of-hours call at 00:20 BST on Monday 1 April 2024, which Genesys writes in UTC as
    # 23:20 on 31 March: it belongs to 2024/25 (read as UTC it would wrongly fall in 2023/24).
    genesys.insert(0, {"start": dt.datetime(2024, 4, 1, 0, 20, 41), "queue": "Out of Hours", "outcome": "Answered",
                       "wait": 35, "talk": 310, "agent": "oohdesk", "caller": "07700 900555"})
    april = [dt.date(2025, 4, d) for d in range(1, 24)]
    excel = generated_calls(rng, winter, 125, [("Answered", 84), ("Abandoned", 9), ("Callback", 7)])
    excel += generated_calls(rng, april, 12, [("Answered", 84), ("Abandoned", 9), ("Callback", 7)])
    return {"telephony/Avaya queue report 2023-24.csv": avaya_report(avaya, rng),
            "telephony/Genesys interactions Apr-Dec 2024.csv": genesys_csv(genesys, rng),
            "telephony/Genesys interactions Jan-Apr 2025.xlsx": genesys_xlsx(excel, rng)}


# --- complaints system ----------------------------------------------------------------------------

COMPLAINT_COLUMNS = ["Case Reference", "Stage", "Date Received", "Date Acknowledged", "Date of Response",
                     "Service Area", "Outcome", "Referred to LGSCO", "Complainant", "Summary", "Case Officer"]
OUTCOMES = [("Upheld", 25), ("Partially upheld", 20), ("Not Upheld", 48), ("Withdrawn", 7)]
COMPLAINT_SERVICES = ["Waste and Recycling", "Council Tax", "Housing", "Planning", "Parking", "Customer Services"]
SUMMARIES = ["Unhappy with the response to a missed bin report", "Charged £{amount} in error",
             "Officer’s attitude on the phone", "Delay in deciding a planning application",
             "Penalty charge notice issued in error", "Repairs not done after 3 months"]


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def generated_complaints(rng: random.Random) -> list[dict]:
    rows = []
    serial = 0
    for start_year in YEARS:
        working = [d for d in year_days(start_year) if is_working_day(d)]
        for _ in range(58):
            serial += 1
            received = rng.choice(working)
            rows.extend(_complaint_stages(rng, f"AVBC-C-{start_year % 100:02d}-{serial:04d}", received))
    return rows


def _complaint_stages(rng: random.Random, reference: str, received: dt.date) -> list[dict]:
    stages = []
    stage = 1
    while stage <= 2:
        ack_days = rng.choices(range(9), [30, 25, 15, 10, 8, 5, 3, 2, 2])[0]
        ack = None if rng.random() < 0.06 else add_working_days(received, ack_days)
        start = ack or received
        limit = 10 if stage == 1 else 20
        response = add_working_days(start, rng.randint(3, limit + 6))
        if ack and ack > COMPLAINTS_CUTOFF:
            ack = None
        if response > COMPLAINTS_CUTOFF:
            response = None
        outcome = rng.choices(*zip(*OUTCOMES))[0] if response else ""
        referred = "Y" if stage == 2 and outcome in ("Not Upheld", "Partially upheld") and rng.random() < 0.4 else "N"
        stages.append({"reference": reference, "stage": stage, "received": received, "acknowledged": ack,
                       "responded": response, "service": rng.choice(COMPLAINT_SERVICES), "outcome": outcome,
                       "referred": referred,
                       "summary": rng.choice(SUMMARIES).format(amount=rng.randint(20, 400))})
        if response is None or outcome in ("Upheld", "Withdrawn") or rng.random() > 0.22:
            break
        received = add_working_days(response, rng.randint(5, 25))
        if received > dt.date(2025, 3, 31):  # no generated complaint is received in 2025/26
            break
        stage += 1
    if len(stages) == 2:
        stages[1]["service"] = stages[0]["service"]
    return stages


# Hand-worked complaints (standards: acknowledge within 5 working days of receipt; respond within
# 10 (stage 1) or 20 (stage 2) working days of the acknowledgement, or of receipt when none is
# recorded). With --as-at 2025-04-24:
HAND_COMPLAINTS = [
    # C1 received Mon 7 Apr, acknowledged Tue 8 Apr (1 day: within 5); no response; due 10 working
    # days after 8 Apr = Thu 24 Apr = the as-at day: not yet due.
    ("C1", 1, "2025-04-07", "2025-04-08", None, "response due on the as-at day: not yet due"),
    # C2 received Fri 4 Apr, acknowledged Mon 7 Apr (1 day); response due Wed 23 Apr: overdue.
    ("C2", 1, "2025-04-04", "2025-04-07", None, "response due the day before: overdue"),
    # C3 received Tue 1 Apr, acknowledged Wed 2 Apr, answered Tue 15 Apr: 9 working days: within.
    ("C3", 1, "2025-04-01", "2025-04-02", "2025-04-15", "answered in 9 working days: within"),
    # C4 received Thu 17 Apr, not acknowledged: acknowledgement due Mon 28 Apr and response due
    # Tue 6 May (5 May is a bank holiday): neither due.
    ("C4", 1, "2025-04-17", None, None, "nothing due yet"),
    # C5 received Tue 15 Apr, not acknowledged: acknowledgement due Thu 24 Apr = as-at: not yet
    # due; response due Thu 1 May: not yet due.
    ("C5", 1, "2025-04-15", None, None, "acknowledgement due on the as-at day: not yet due"),
    # C6 received Mon 14 Apr, not acknowledged: acknowledgement due Wed 23 Apr: overdue; response
    # due Wed 30 Apr: not yet due.
    ("C6", 1, "2025-04-14", None, None, "acknowledgement due the day before: overdue"),
    # C8 (2024/25) stage 2 received Thu 20 Mar 2025, acknowledged Fri 21 Mar, no response: due 20
    # working days after 21 Mar, skipping Good Friday and Easter Monday = Tue 22 Apr 2025. By the
    # complaints data's own date (17 Apr, the latest date in the complaints export) it is not yet
    # due; with --as-at 2025-04-24 it is overdue. (By the contacts' date, 23 Apr, it would be overdue:
    # each dataset has its own "as at".)
    ("C8", 2, "2025-03-20", "2025-03-21", None, "stage 2 response due Tue 22 Apr"),
]
# Expected 2025/26 with --as-at 2025-04-24 (all stage 1):
#   complaints_received 6; acknowledged within 3 / due 4 (C1, C2, C3 within; C6 overdue; C4, C5 left out);
#   responded within 1 / due 2 (C3 within; C2 overdue; C1, C4, C5, C6 left out).


def complaints_file(rng: random.Random) -> bytes:
    rows = generated_complaints(rng)
    for label, stage, received, ack, responded, note in HAND_COMPLAINTS:
        reference = f"AVBC-C-{label}"
        if stage == 2:  # its stage 1, answered in time
            rows.append({"reference": reference, "stage": 1, "received": dt.date(2025, 2, 10),
                         "acknowledged": dt.date(2025, 2, 11), "responded": dt.date(2025, 2, 24),
                         "service": "Housing", "outcome": "Not Upheld", "referred": "N",
                         "summary": f"Repairs complaint [{label} stage 1]"})
        rows.append({"reference": reference, "stage": stage, "received": dt.date.fromisoformat(received),
                     "acknowledged": dt.date.fromisoformat(ack) if ack else None,
                     "responded": dt.date.fromisoformat(responded) if responded else None,
                     "service": "Housing", "outcome": "Not Upheld" if responded else "", "referred": "N",
                     "summary": f"Repairs complaint [{label}: {note}]"})
    rows.sort(key=lambda r: (r["received"], r["reference"], r["stage"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COMPLAINT_COLUMNS)
    for row in rows:
        writer.writerow([row["reference"], f"Stage {row['stage']}", _date(row["received"]), _date(row["acknowledged"]),
                         _date(row["responded"]), row["service"], row["outcome"], row["referred"], person(rng),
                         row["summary"], rng.choice(["Complaints Team", "L Collins", "D Fraser"])])
    # The complaints system writes Windows-1252 ("Excel CSV"): the £ and the curly apostrophe are one byte each.
    return buffer.getvalue().encode("cp1252")


# --- GovMetric (feedback) -------------------------------------------------------------------------

GOVMETRIC_CHANNELS = [("Telephone", 40), ("Web", 35), ("Face to Face", 15), ("Email", 10)]
RATING_WEIGHTS = {"Telephone": (60, 25, 15), "Web": (45, 25, 30), "Face to Face": (75, 18, 7), "Email": (50, 25, 25)}
# The 2024/25 download writes the words of GovMetric's faces instead of good / average / poor.
RATING_WORDS = {2023: ("Good", "Average", "Poor"), 2024: ("Happy", "Neutral", "Unhappy")}
COMMENTS = ["", "", "", "Quick and helpful", "Took ages to get through", "Website kept logging me out",
            "Spoke to Priya, very helpful", "Still waiting for a reply", "Form was easy"]


def govmetric_file(rng: random.Random, start_year: int, n: int, extra_days: list[dt.date] = ()) -> bytes:
    days = year_days(start_year)
    working = [d for d in days if is_working_day(d)]
    channels, weights = zip(*GOVMETRIC_CHANNELS)
    rows = []
    for index in range(n + len(extra_days)):
        channel = rng.choices(channels, weights)[0]
        if index >= n:
            day = extra_days[index - n]
        else:
            day = rng.choice(days if channel in ("Web", "Email") else working)
        minute = rng.randint(8 * 60, 21 * 60) if channel in ("Web", "Email") else rng.randint(9 * 60, 17 * 60 - 1)
        given = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
        rating = rng.choices(RATING_WORDS[start_year], RATING_WEIGHTS[channel])[0]
        rows.append((given, channel, rng.choice(list(SERVICES)), rating, rng.choice(COMMENTS)))
    rows.sort()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Date", "Channel", "Service", "Rating", "Comments"])
    for given, channel, service, rating, comment in rows:
        writer.writerow([given.strftime("%d/%m/%Y %H:%M"), channel, service, rating, comment])
    return buffer.getvalue().encode("utf-8")


def feedback_files(rng: random.Random) -> dict[str, bytes]:
    april = [dt.date(2025, 4, d) for d in (1, 3, 9, 15, 22)]
    return {"govmetric/GovMetric 2023-24.csv": govmetric_file(rng, 2023, 210),
            "govmetric/GovMetric 2024-25.csv": govmetric_file(rng, 2024, 220, april)}


# --- the action plan workbook ---------------------------------------------------------------------

# (ref typed as a number, action, lead officer, target date (a date, or the month as typed), status, update)
PLAN_2023 = [
    ("Theme 1: Getting the basics right", [
        (1.1, "Publish the customer care standards on the website and at every reception", "Customer Services Manager",
         dt.date(2023, 6, 30), "Complete", "Published 28 June 2023."),
        (1.2, "Introduce a single corporate telephone number", "Head of Customer Services", "March 2024",
         "Carried forward", "Procurement of the new phone system slipped; carried into 2024-25."),
        (1.3, "Train every front-line officer in the standards", "HR Business Partner", dt.date(2023, 12, 31),
         "Complete", "212 of 212 officers trained."),
    ]),
    ("Theme 2: Digital by choice", [
        (2.1, "Launch online forms for missed bins and bulky waste", "Digital Lead", dt.date(2023, 9, 30),
         "Complete", "Live since September."),
        (2.2, "Add webchat to the council tax pages", "Digital Lead", "March 2024", "Carried forward",
         "Supplier delay; carried into 2024-25."),
        (2.3, "Offer help to get online at the Civic Centre", "Customer Services Manager", dt.date(2024, 1, 31),
         "Complete", "Weekly drop-in sessions."),
    ]),
    ("Theme 3: Listening and learning", [
        (3.1, "Report the learning from complaints to the management team every quarter", "Complaints Officer",
         dt.date(2023, 7, 31), "Complete", ""),
        (3.2, "Introduce GovMetric at the Civic Centre reception", "Customer Insight Officer", dt.date(2023, 10, 31),
         "Complete", ""),
        (3.3, "Run a residents' panel on customer access", "Customer Insight Officer", dt.date(2024, 3, 31),
         "Withdrawn", "Replaced by the county-wide residents' survey."),
    ]),
    ("Theme 4: Accessible to everyone", [
        (4.1, "Audit the website against WCAG 2.2", "Digital Lead", dt.date(2024, 2, 29), "In progress",
         "Audit half done."),
        (4.2, "Provide a hearing loop at every reception", "Facilities Manager", dt.date(2023, 11, 30), "Complete", ""),
    ]),
]
# 2023/24: 11 actions, 7 complete: 63.6%. Themes: 2 of 3, 2 of 3, 2 of 3, 1 of 2.
# Target dates typed as months: rows 5 and 10 of sheet 2023-24 (see the row layout in plan_sheet).

PLAN_2024 = [
    ("Theme 1 - Getting the basics right", [
        (1.1, "Introduce a single corporate telephone number (carried forward from 2023-24)",
         "Head of Customer Services", "Mar-25", "Complete", "Live from 3 February 2025."),
        (1.2, "Review the customer care standards with residents", "Customer Services Manager", dt.date(2024, 10, 31),
         "Complete", ""),
        (1.3, "Mystery shopping of every reception twice a year", "Customer Services Manager", "March 2025",
         "In progress", "First round done in November."),
    ]),
    ("Theme 2 - Digital by choice", [
        (2.1, "Add webchat to the council tax pages (carried forward from 2023-24)", "Digital Lead",
         dt.date(2024, 9, 30), "Complete", ""),
        (2.2, "Move garden waste renewals online", "Digital Lead", "Dec 2024", "Complete", ""),
        (2.3, "Text message reminders for bin collections", "Digital Lead", dt.date(2025, 3, 31), "Not started",
         "No budget this year."),
    ]),
    ("Theme 3 - Listening and learning", [
        (3.1, 'Publish a "you said, we did" page every quarter', "Customer Insight Officer", dt.date(2024, 6, 30),
         "Complete", ""),
        (3.2, "Complaint handling training for every service", "Complaints Officer", dt.date(2025, 1, 31),
         "Carried forward", "Half the services trained; the rest in 2025-26."),
    ]),
    ("Theme 4 - Accessible to everyone", [
        (4.1, "Finish the WCAG 2.2 audit of the website", "Digital Lead", dt.date(2024, 7, 31), "Complete", ""),
        (4.2, "Easy-read versions of the ten most used forms", "Digital Lead", dt.date(2025, 3, 31), "Complete", ""),
    ]),
]
# 2024/25: 10 actions, 7 complete: 70%. Themes: 2 of 3, 2 of 3, 1 of 2, 2 of 2.
# Target dates typed as months: rows 4, 6 and 9 of sheet 2024-25.

PLAN_HEADERS = {
    "2023-24": ["Ref", "Action", "Lead Officer", "Target Date", "Status", "Progress Update"],
    "2024-25": ["Ref", "Action", "Lead Officer", "Target Date", "Status", "Update (Q4)"],
}


def plan_sheet(book: openpyxl.Workbook, name: str, themes, blank_between: bool) -> None:
    """Row 1 the title (merged), row 2 the header, then each theme's heading (merged across the row)
    above its actions; the 2023-24 officer left a blank row between themes."""
    sheet = book.create_sheet(name)
    sheet.append([f"{COUNCIL} – Customer Care Strategy Action Plan {name}"])
    sheet.merge_cells("A1:F1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(PLAN_HEADERS[name])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for index, (heading, actions) in enumerate(themes):
        if blank_between and index:
            sheet.append([])
        sheet.append([heading])
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
        sheet.cell(row=row, column=1).font = Font(bold=True)
        for ref, action, lead, target, status, update in actions:
            sheet.append([ref, action, lead, target, status, update or None])
            row = sheet.max_row
            sheet.cell(row=row, column=1).number_format = "0.0"
            if isinstance(target, dt.date):
                sheet.cell(row=row, column=4).number_format = "dd/mm/yyyy"
            sheet.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (6, 60, 28, 14, 16, 50)):
        sheet.column_dimensions[letter].width = width


def action_plan_files() -> dict[str, bytes]:
    book = openpyxl.Workbook()
    book.remove(book.active)
    plan_sheet(book, "2023-24", PLAN_2023, blank_between=True)
    plan_sheet(book, "2024-25", PLAN_2024, blank_between=False)
    book.properties.creator = "Policy Officer"
    # Excel's owner file: the user's name, padded, as Excel writes it beside an open workbook (162 bytes).
    user = "A Analyst"
    owner = bytes([len(user)]) + user.encode("ascii").ljust(53, b" ") + bytes([len(user), 0])
    owner = (owner + user.encode("utf-16-le")).ljust(162, b"\x20")
    # LibreOffice's lock file: name, user, machine, when, profile, as one line.
    lock = "A Analyst,analyst,AVBC-LT-0412,24.04.2025 08:02,file:///C:/Users/analyst/AppData/Roaming/LibreOffice/4;"
    return {"Action Plan.xlsx": _fixed_xlsx(book), "~$Action Plan.xlsx": owner,
            ".~lock.Action Plan.xlsx#": lock.encode("utf-8")}


def _fixed_xlsx(book: openpyxl.Workbook) -> bytes:
    """The workbook's bytes with fixed dates, so that generating again gives the same file."""
    return fixed_xlsx(book, FIXED_WORKBOOK_TIME)


# --- council.toml and the measures register -------------------------------------------------------

COUNCIL_TOML = '''\
# council.toml for Ashdown Vale Borough Council (fictional): the exports in this folder are
# described as they come from each system, with the data contract's keys only.
# Written by tests/exports/make_exports.py; see tests/exports/README.md.

[council]
name = "Ashdown Vale Borough Council"
year_start_month = 4
sample = true                      # fictional: every page carries the sample-data banner

[calendar]
bank_holidays = "england-and-wales"
closure_days = ["2023-12-27", "2023-12-28", "2023-12-29", "2024-12-27", "2024-12-30", "2024-12-31"]

[standards.respond_within_working_days]
email = 5
letter = 10
online_form = 5
webchat = 1

[standards.phone]
answer_within_seconds = 20

[standards.complaints]
acknowledge_within_working_days = 5
stage1_respond_within_working_days = 10
stage2_respond_within_working_days = 20

[channels]
digital = ["email", "online_form", "webchat"]

[action_plan]
themes = ["Getting the basics right", "Digital by choice", "Listening and learning", "Accessible to everyone"]

[action_plan.status_labels]
achieved = ["Complete"]
not_achieved = ["Carried forward", "Not started"]
ongoing = ["In progress"]
withdrawn = ["Withdrawn"]

[disclosure]
minimum_count = 5

# Salesforce case reports: one per year, with Salesforce's footer under each.
[datasets.contacts]
path = "salesforce/*.csv"

[datasets.contacts.columns]
"Case Number" = "contact_id"
"Date/Time Opened" = "received_at"
"Case Origin" = "channel"          # the 2023/24 report
"Origin" = "channel"               # the same column in the 2024/25 report
"Type" = "service"
"Case Reason" = "category"
"Date/Time Closed" = "responded_at"   # the 2023/24 report
"Closed Date" = "responded_at"        # the 2024/25 report

[datasets.contacts.values.channel]
"Web" = "online_form"
"Walk-in" = "in_person"            # also matches "Walk In" in the 2024/25 report
"Face to face" = "in_person"
"Chat" = "webchat"

# Telephony: Avaya for 2023/24, Genesys Cloud from April 2024 (a CSV, then an Excel download).
[datasets.calls]
path = ["telephony/*.csv", "telephony/*.xlsx"]

[datasets.calls.columns]
"Call ID" = "call_id"
"Conversation ID" = "call_id"
"Start Time" = "offered_at"
"Conversation Start" = "offered_at"
"Queue" = "queue"
"Disposition" = "outcome"
"Outcome" = "outcome"
"Wait Time" = "wait_seconds"
"Queue Wait" = "wait_seconds"

[datasets.calls.values.outcome]
"Answered" = "answered"
"Abandoned" = "abandoned"
"Callback" = "callback"
"Callback Requested" = "callback"

# The complaints system's export (one row per complaint per stage).
[datasets.complaints]
path = "complaints/*.csv"

[datasets.complaints.columns]
"Case Reference" = "complaint_id"
"Date Received" = "received_at"
"Date Acknowledged" = "acknowledged_at"
"Date of Response" = "responded_at"
"Service Area" = "service"
"Referred to LGSCO" = "referred_to_ombudsman"

# GovMetric downloads: no id column.
[datasets.feedback]
path = "govmetric/*.csv"
id = "row"

[datasets.feedback.columns]
"Date" = "given_at"

[datasets.feedback.values.channel]
"Telephone" = "phone"
"Web" = "online_form"
"Face to Face" = "in_person"

[datasets.feedback.values.rating]
"Happy" = "good"
"Neutral" = "average"
"Unhappy" = "poor"

# The policy officer's workbook: a sheet per year, theme headings above their actions.
[datasets.action_plan]
path = "*.xlsx"
sheets = "all"
section_rows = "theme"

[datasets.action_plan.columns]
"Ref" = "action_id"
"Action" = "action"
"Lead Officer" = "owner"
"Target Date" = "due"
"Status" = "status"
"Progress Update" = "progress_note"   # the 2023-24 sheet
"Update (Q4)" = "progress_note"       # the 2024-25 sheet

[datasets.action_plan.values.theme]
"Theme 1: Getting the basics right" = "Getting the basics right"
"Theme 2: Digital by choice" = "Digital by choice"
"Theme 3: Listening and learning" = "Listening and learning"
"Theme 4: Accessible to everyone" = "Accessible to everyone"
"Theme 1 - Getting the basics right" = "Getting the basics right"
"Theme 2 - Digital by choice" = "Digital by choice"
"Theme 3 - Listening and learning" = "Listening and learning"
"Theme 4 - Accessible to everyone" = "Accessible to everyone"
'''

REGISTER = [
    ("actions_achieved", "Action plan actions achieved", "percent", "higher_is_better", "80", "",
     "Complete actions as a share of all actions in the year's plan."),
    ("actions_not_achieved", "Action plan actions not achieved", "count", "lower_is_better", "", "", ""),
    ("contacts_received", "Customer contacts received", "count", "neutral", "", "", "Cases logged in Salesforce."),
    ("digital_share", "Contacts made digitally", "percent", "higher_is_better", "", "Digital by choice", ""),
    ("responses_within_standard", "Responses within the Customer Care Standards", "percent", "higher_is_better",
     "90", "Getting the basics right", ""),
    ("calls_answered_within_standard", "Calls answered within 20 seconds", "percent", "higher_is_better", "75",
     "Getting the basics right", ""),
    ("calls_abandoned", "Calls abandoned", "percent", "lower_is_better", "10", "Getting the basics right", ""),
    ("calls_callback", "Callers who chose a callback", "percent", "neutral", "", "", ""),
    ("average_speed_of_answer", "Average speed of answer", "seconds", "lower_is_better", "60", "", ""),
    ("complaints_received", "Formal complaints received", "count", "neutral", "", "Listening and learning", ""),
    ("complaints_acknowledged_within_standard", "Complaints acknowledged within 5 working days", "percent",
     "higher_is_better", "95", "Listening and learning", ""),
    ("complaints_responded_within_standard", "Complaints answered within the Code's timescales", "percent",
     "higher_is_better", "95", "Listening and learning", ""),
    ("complaints_upheld", "Complaints upheld or partly upheld", "percent", "neutral", "", "", ""),
    ("net_satisfaction", "Net satisfaction (GovMetric)", "score", "higher_is_better", "", "Listening and learning", ""),
]


def register_file() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["measure_id", "name", "unit", "polarity", "target", "theme", "description"])
    writer.writerows(REGISTER)
    return buffer.getvalue().encode("utf-8")


# --- all together -------------------------------------------------------------------------------


def all_files() -> dict[str, bytes]:
    """Every file of the data folder: relative path -> bytes. One seed, drawn from in a fixed order."""
    rng = random.Random(SEED)
    files = {"council.toml": COUNCIL_TOML.encode("utf-8"), "measures.csv": register_file()}
    files.update(contacts_files(rng))
    files.update(calls_files(rng))
    files["complaints/Complaints export 2023-2025.csv"] = complaints_file(rng)
    files.update(feedback_files(rng))
    files.update(action_plan_files())
    return files


def write(out: Path) -> list[Path]:
    written = []
    for name, data in all_files().items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write (default: %(default)s)")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(path)


if __name__ == "__main__":
    main()
