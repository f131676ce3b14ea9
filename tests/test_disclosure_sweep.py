"""Small numbers across every page of a year: no count from 1 to 4 of people or contacts is shown, and none
can be worked out from what the pages show (a total less its parts, across pages, or a percentage times the
base shown with it).

Thornby District Council is made for this: a few dozen contacts over two years with channels, places and
purposes of 1 to 4, a small Citizens' Panel, two small consultations, a handful of calls and complaints. The
whole workbook runs on it for real (``workbook run``: papermill and nbconvert), every page of the year is
parsed, and an attacker that knows how the figures hang together (written here, apart from the workbook's own
disclosure code) tries to work each small count out from what it reads.

Counts of actions are exempt: actions are not people.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.present import Line, Rate, disclosure, plan_suppression
from analysis.workbook import prepare
from conftest import run_cli

MINIMUM = 5
YEAR, BEFORE = "2024/25", "2023/24"
INF = math.inf

TOML = """
[council]
name = "Thornby District Council"
year_start_month = 4
sample = false

[calendar]
bank_holidays = "england-and-wales"

[standards.respond_within_working_days]
email = 5
letter = 10
online_form = 5
report_it = 5

[standards.phone]
answer_within_seconds = 20

[standards.complaints]
acknowledge_within_working_days = 5
stage1_respond_within_working_days = 10
stage2_respond_within_working_days = 20

[channels]
digital = ["email", "online_form", "report_it"]

[locations]
in_person = ["Town Hall", "Kirkby Library"]

[action_plan]
themes = ["Access"]
[action_plan.status_labels]
achieved = ["Achieved"]
not_achieved = ["Not achieved"]
ongoing = ["Ongoing"]
withdrawn = ["Withdrawn"]

[disclosure]
minimum_count = 5
"""

# Contacts: (year, channel, place, purpose) -> how many. 2024/25: 47 contacts, 24 digital (12 + 9 + 3) and
# 23 not (10 + 2 + 11); the 11 visits are 8 at the Town Hall (6 council tax, 2 parking) and 3 at Kirkby
# Library (3 housing). 2023/24: 39 contacts, 16 digital (10 + 6), 23 not (12 + 4 + 7), every visit at the
# Town Hall about council tax.
CONTACTS = {
    (YEAR, "email", None, None): 12, (YEAR, "online_form", None, None): 9, (YEAR, "report_it", None, None): 3,
    (YEAR, "phone", None, None): 10, (YEAR, "letter", None, None): 2,
    (YEAR, "in_person", "Town Hall", "Council tax"): 6, (YEAR, "in_person", "Town Hall", "Parking"): 2,
    (YEAR, "in_person", "Kirkby Library", "Housing"): 3,
    (BEFORE, "email", None, None): 10, (BEFORE, "online_form", None, None): 6, (BEFORE, "phone", None, None): 12,
    (BEFORE, "letter", None, None): 4, (BEFORE, "in_person", "Town Hall", "Council tax"): 7,
}
# Calls: (year, outcome, wait in seconds) -> how many. 2024/25: 20 offered; 15 answered, 12 of them within 20
# seconds; 3 abandoned; 2 called back. 2023/24: 12 offered; 10 answered, 4 within 20 seconds; 2 abandoned.
CALLS = {
    (YEAR, "answered", 10): 12, (YEAR, "answered", 60): 3, (YEAR, "abandoned", 30): 3, (YEAR, "callback", 40): 2,
    (BEFORE, "answered", 10): 4, (BEFORE, "answered", 60): 6, (BEFORE, "abandoned", 30): 2,
}
# Complaints (stage rows): 2024/25 Waste 3 at stage 1 and 1 at stage 2, Housing 5 and 1: 10 in all, 8 at stage 1
# and 2 at stage 2. 2023/24: 5 about Waste at stage 1.
COMPLAINTS = {(YEAR, "Waste"): (3, 1), (YEAR, "Housing"): (5, 1), (BEFORE, "Waste"): (5, 0)}
# The panel on 31 March 2025: 22 members (20 since 2022, P21 and P22 from June 2024). Age: 2 aged 16-24,
# 6 aged 25-44, 8 aged 45-64, 6 aged 65+; sex: 12 women, 10 men.
PANEL_AGES = ["16-24"] * 2 + ["25-44"] * 6 + ["45-64"] * 7 + ["65+"] * 5 + ["45-64", "65+"]
PANEL_SEXES = ["Female"] * 12 + ["Male"] * 10
# Consultations of 2024/25: budget-2025 invited P01-P13, 6 opened, 2 completed; parks-2024 invited P14-P21,
# 3 opened, none completed.
CONSULTATIONS = {"budget-2025": ("2024-09-02", range(1, 14), 6, 2), "parks-2024": ("2024-06-10", range(14, 22), 3, 0)}


def write_thornby(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "council.toml").write_text(TOML, encoding="utf-8")
    rows = []
    for (year, channel, place, purpose), n in CONTACTS.items():
        start = dt.datetime(int(year[:4]), 4, 8, 9)
        for i in range(n):
            received = start + dt.timedelta(days=7 * (len(rows) % 40), hours=i % 5)
            rows.append({"contact_id": f"C{len(rows) + 1:03d}", "received_at": received, "channel": channel,
                         "service": "Revenues", "category": purpose or "General", "location": place or "",
                         "responded_at": received + dt.timedelta(days=1)})
    pd.DataFrame(rows).to_csv(folder / "contacts.csv", index=False)
    calls = []
    for (year, outcome, wait), n in CALLS.items():
        for _ in range(n):
            calls.append({"call_id": f"K{len(calls) + 1:03d}", "offered_at": dt.datetime(int(year[:4]), 6, 3, 9)
                          + dt.timedelta(days=len(calls)), "outcome": outcome, "wait_seconds": wait})
    pd.DataFrame(calls).to_csv(folder / "calls.csv", index=False)
    complaints = []
    for (year, service), (first, second) in COMPLAINTS.items():
        for i in range(first):
            received = dt.datetime(int(year[:4]), 5, 6, 10) + dt.timedelta(days=14 * len(complaints))
            ident = f"{service[0]}{year[2:4]}{i + 1}"
            complaints.append({"complaint_id": ident, "stage": 1, "received_at": received, "service": service,
                               "acknowledged_at": received + dt.timedelta(days=1),
                               "responded_at": received + dt.timedelta(days=7), "outcome": "not_upheld"})
            if i < second:
                complaints.append({"complaint_id": ident, "stage": 2, "received_at": received + dt.timedelta(days=21),
                                   "service": service, "acknowledged_at": received + dt.timedelta(days=22),
                                   "responded_at": received + dt.timedelta(days=35), "outcome": "not_upheld"})
    pd.DataFrame(complaints).to_csv(folder / "complaints.csv", index=False)
    pd.DataFrame({"member_id": [f"P{i:02d}" for i in range(1, 23)],
                  "joined_on": ["2022-01-10"] * 20 + ["2024-06-01"] * 2, "left_on": [""] * 22,
                  "age_band": PANEL_AGES, "sex": PANEL_SEXES}).to_csv(folder / "panel.csv", index=False)
    invitations = []
    for consultation, (sent, members, opened, completed) in CONSULTATIONS.items():
        day = pd.Timestamp(sent)
        for k, m in enumerate(members):
            invitations.append({"consultation_id": consultation, "member_id": f"P{m:02d}", "invited_on": day.date(),
                                "opened_on": (day + pd.Timedelta(days=1)).date() if k < opened else "",
                                "completed_on": (day + pd.Timedelta(days=2)).date() if k < completed else ""})
    pd.DataFrame(invitations).to_csv(folder / "panel_invitations.csv", index=False)
    pd.DataFrame({"dimension": ["age_band"] * 4 + ["sex"] * 2,
                  "category": ["16-24", "25-44", "45-64", "65+", "Female", "Male"],
                  "count": [1000, 3000, 3000, 2000, 4600, 4400]}).to_csv(folder / "population.csv", index=False)
    pd.DataFrame({"plan_year": [BEFORE, YEAR, YEAR], "action_id": ["1", "1", "2"], "theme": ["Access"] * 3,
                  "action": ["Open a library desk", "Review opening hours", "Publish standards"],
                  "status": ["Achieved", "Achieved", "Not achieved"]}).to_csv(folder / "action_plan.csv", index=False)
    return folder


# --- the truth, worked out by hand from the data above ------------------------------------------------------


def truth() -> dict[str, int]:
    """Every count of people or contacts behind the pages, by a name the relations below use."""
    cells: dict[str, int] = {}
    for year in (BEFORE, YEAR):
        mine = {k: n for k, n in CONTACTS.items() if k[0] == year}
        cells[f"contacts {year}"] = sum(mine.values())
        for channel in ("email", "online_form", "report_it", "phone", "letter", "in_person"):
            cells[f"contacts {year} {channel}"] = sum(n for k, n in mine.items() if k[1] == channel)
        cells[f"contacts {year} digital"] = sum(cells[f"contacts {year} {c}"] for c in ("email", "online_form", "report_it"))
        cells[f"contacts {year} non-digital"] = sum(cells[f"contacts {year} {c}"] for c in ("phone", "letter", "in_person"))
        for place in ("Town Hall", "Kirkby Library"):
            cells[f"visits {year} {place}"] = sum(n for k, n in mine.items() if k[2] == place)
        calls = {k: n for k, n in CALLS.items() if k[0] == year}
        cells[f"calls {year}"] = sum(calls.values())
        for outcome in ("answered", "abandoned", "callback"):
            cells[f"calls {year} {outcome}"] = sum(n for k, n in calls.items() if k[1] == outcome)
        cells[f"calls {year} within"] = sum(n for k, n in calls.items() if k[1] == "answered" and k[2] <= 20)
        stages = [v for k, v in COMPLAINTS.items() if k[0] == year]
        cells[f"complaints {year} stage 1"] = sum(s[0] for s in stages)
        cells[f"complaints {year} stage 2"] = sum(s[1] for s in stages)
        cells[f"complaints {year}"] = cells[f"complaints {year} stage 1"] + cells[f"complaints {year} stage 2"]
        for service in ("Waste", "Housing"):
            cells[f"complaints {year} {service}"] = sum(COMPLAINTS.get((year, service), (0, 0)))
    for (year, channel, place, purpose), n in CONTACTS.items():
        if year == YEAR and place:
            cells[f"visits {YEAR} {place} {purpose}"] = n
    cells[f"panel {YEAR}"], cells[f"panel {BEFORE}"] = 22, 20
    for band in ("16-24", "25-44", "45-64", "65+"):
        cells[f"panel {YEAR} {band}"] = PANEL_AGES.count(band)
    cells[f"panel {YEAR} Female"], cells[f"panel {YEAR} Male"] = 12, 10
    for name, (_, members, opened, completed) in CONSULTATIONS.items():
        cells[f"{name} invited"], cells[f"{name} opened"], cells[f"{name} completed"] = len(members), opened, completed
    for step in ("invited", "opened", "completed"):
        cells[f"consultations {step}"] = sum(cells[f"{c} {step}"] for c in CONSULTATIONS)
    return cells


def test_the_truth_is_as_the_comments_say():
    cells = truth()
    assert (cells[f"contacts {YEAR}"], cells[f"contacts {YEAR} digital"], cells[f"contacts {YEAR} non-digital"]) == (47, 24, 23)
    assert (cells[f"contacts {BEFORE}"], cells[f"contacts {BEFORE} digital"]) == (39, 16)
    assert (cells[f"visits {YEAR} Town Hall"], cells[f"visits {YEAR} Kirkby Library"]) == (8, 3)
    assert (cells[f"calls {YEAR}"], cells[f"calls {YEAR} answered"], cells[f"calls {YEAR} within"]) == (20, 15, 12)
    assert (cells[f"complaints {YEAR}"], cells[f"complaints {YEAR} stage 2"], cells[f"complaints {YEAR} Waste"]) == (10, 2, 4)
    assert cells[f"panel {YEAR} 16-24"] == 2 and cells[f"panel {YEAR} 45-64"] == 8
    assert (cells["consultations invited"], cells["consultations opened"], cells["consultations completed"]) == (21, 9, 2)


def lines() -> list[tuple[str, list[str]]]:
    """(total, parts): what a reader can subtract along."""
    out = []
    for year in (BEFORE, YEAR):
        c = f"contacts {year}"
        out += [(c, [f"{c} {ch}" for ch in ("email", "online_form", "report_it", "phone", "letter", "in_person")]),
                (c, [f"{c} digital", f"{c} non-digital"]),
                (f"{c} digital", [f"{c} {ch}" for ch in ("email", "online_form", "report_it")]),
                (f"{c} non-digital", [f"{c} {ch}" for ch in ("phone", "letter", "in_person")]),
                (f"{c} in_person", [f"visits {year} Town Hall", f"visits {year} Kirkby Library"]),
                (f"calls {year}", [f"calls {year} answered", f"calls {year} abandoned", f"calls {year} callback"]),
                (f"complaints {year}", [f"complaints {year} stage 1", f"complaints {year} stage 2"]),
                (f"complaints {year}", [f"complaints {year} Waste", f"complaints {year} Housing"])]
    out += [(f"visits {YEAR} Town Hall", [f"visits {YEAR} Town Hall Council tax", f"visits {YEAR} Town Hall Parking"]),
            (f"visits {YEAR} Kirkby Library", [f"visits {YEAR} Kirkby Library Housing"]),
            (f"panel {YEAR}", [f"panel {YEAR} {b}" for b in ("16-24", "25-44", "45-64", "65+")]),
            (f"panel {YEAR}", [f"panel {YEAR} Female", f"panel {YEAR} Male"])]
    out += [(f"consultations {step}", [f"{c} {step}" for c in CONSULTATIONS]) for step in ("invited", "opened", "completed")]
    return out


# --- where each figure is shown --------------------------------------------------------------------------
#
# A place is ("table", page, caption or header words, {column: row value}, column) or ("text", page, regex):
# the regex's first group is the figure.

CHANNEL_ROWS = {"email": "Email", "online_form": "Online form", "report_it": "Report It", "phone": "Phone",
                "letter": "Letter", "in_person": "In person"}
CHANNELS_PAGE, STANDARDS_PAGE, COMPLAINTS_PAGE, PANEL_PAGE, SCORECARD = (
    "03-channels-and-access", "02-customer-care-standards", "04-complaints", "05-satisfaction-and-panel",
    "00-scorecard")
VOLUMES = "digital and not"  # the digital and non-digital contacts table


def count_places() -> dict[str, list[tuple]]:
    places: dict[str, list[tuple]] = {}
    for year in (BEFORE, YEAR):
        c = f"contacts {year}"
        for channel, row in CHANNEL_ROWS.items():
            places[f"{c} {channel}"] = [("table", CHANNELS_PAGE, "by channel and year", {"Channel": row}, year)]
        places[f"{c} in_person"].append(("table", CHANNELS_PAGE, "each by its own measure", {"Channel": "In person"}, year))
        places[c] = [("table", CHANNELS_PAGE, "by channel and year", {"Channel": "All channels"}, year)]
        places[f"{c} digital"] = [("table", CHANNELS_PAGE, VOLUMES, {"Year": year}, "Digital contacts logged in the CRM")]
        places[f"{c} non-digital"] = [("table", CHANNELS_PAGE, VOLUMES, {"Year": year},
                                       "Non-digital contacts logged in the CRM")]
        for place in ("Town Hall", "Kirkby Library"):
            places[f"visits {year} {place}"] = [("table", CHANNELS_PAGE, "visits by place and year", {"Place": place}, year)]
        places[f"calls {year}"] = [("table", STANDARDS_PAGE, "Phone calls by financial year", {"Year": year}, "Calls offered"),
                                   ("table", CHANNELS_PAGE, VOLUMES, {"Year": year}, "Calls offered on the phone system")]
        places[f"calls {year} callback"] = [("table", STANDARDS_PAGE, "Phone calls by financial year", {"Year": year},
                                             "Ended in a callback")]
        for stage in (1, 2):
            places[f"complaints {year} stage {stage}"] = [("table", COMPLAINTS_PAGE, "received by stage", {"Stage": f"Stage {stage}"}, year)]
        for service in ("Waste", "Housing"):
            places[f"complaints {year} {service}"] = [("table", COMPLAINTS_PAGE, "by service and year", {"Service": service}, year)]
    places[f"contacts {YEAR}"].append(("table", SCORECARD, "Scorecard", {"Measure": "Contacts logged in the CRM"}, YEAR))
    places[f"contacts {YEAR}"].append(("text", CHANNELS_PAGE, r"of the ([\w ,]+?) contacts logged in"))
    places[f"contacts {YEAR} phone"].append(("text", CHANNELS_PAGE, r"logged in the CRM: ([\w ,]+?) in 2024/25"))
    places[f"calls {YEAR}"].append(("text", CHANNELS_PAGE, r"The phone system counted ([\w ,]+?) calls offered"))
    places[f"calls {YEAR} callback"].append(("text", STANDARDS_PAGE, r"([\w ,]+?) calls? (?:\([^)]*\) )?ended in a callback"))
    places[f"complaints {YEAR}"] = [("text", COMPLAINTS_PAGE, r"The council received ([\w ,]+?) formal complaints")]
    for (year, _, place, purpose), n in CONTACTS.items():
        if year == YEAR and place:  # a purpose under the minimum is counted in "Other purposes", never named
            shown_as = purpose if n >= MINIMUM else "Other purposes"
            places[f"visits {YEAR} {place} {purpose}"] = [("table", CHANNELS_PAGE, "purposes",
                                                         {"Place": place, "Purpose": shown_as}, "Visits")]
    places[f"panel {YEAR}"] = [("table", SCORECARD, "Scorecard", {"Measure": "Panel members"}, YEAR)]
    for group, row in (("16-24", "Aged 16 to 24"), ("25-44", "Aged 25 to 44"), ("45-64", "Aged 45 to 64"),
                       ("65+", "Aged 65 and over"), ("Female", "Female"), ("Male", "Male")):
        places[f"panel {YEAR} {group}"] = [("table", PANEL_PAGE, "Who is on the Citizens' Panel", {"Group": row},
                                            "Panel members")]
    for name in CONSULTATIONS:
        row = {"Consultation": name.replace("-", " ").capitalize()}
        for step in ("invited", "opened", "completed"):
            places[f"{name} {step}"] = [("table", PANEL_PAGE, "consultations in", row, step.capitalize())]
    return places


def rate_places() -> dict[str, tuple[str, str, list[tuple]]]:
    """Percentages shown: name -> (numerator, denominator, places)."""
    rates: dict[str, tuple[str, str, list[tuple]]] = {}
    chart = "channel share year"  # the channel mix chart's numbers: columns channel, year, share
    for year in (BEFORE, YEAR):
        c = f"contacts {year}"
        for channel, row in CHANNEL_ROWS.items():
            rates[f"share {year} {channel}"] = (f"{c} {channel}", c, [("table", CHANNELS_PAGE, chart,
                                                                      {"channel": row, "year": year}, "share")])
        rates[f"digital share {year}"] = (f"{c} digital", c, [])
        rates[f"abandoned {year}"] = (f"calls {year} abandoned", f"calls {year}", [
            ("table", STANDARDS_PAGE, "Phone calls by financial year", {"Year": year}, "Abandoned"),
            ("table", STANDARDS_PAGE, "series year value", {"series": "Abandoned", "year": year}, "value")])
        rates[f"callback {year}"] = (f"calls {year} callback", f"calls {year}", [
            ("table", STANDARDS_PAGE, "Phone calls by financial year", {"Year": year}, "Ended in a callback")])
        rates[f"within {year}"] = (f"calls {year} within", f"calls {year} answered", [
            ("table", STANDARDS_PAGE, "Phone calls by financial year", {"Year": year}, "Answered within standard"),
            ("table", STANDARDS_PAGE, "series year value", {"series": "Answered within standard", "year": year}, "value"),
            ("table", CHANNELS_PAGE, "each by its own measure", {"Channel": "Phone"}, year)])
    rates[f"digital share {YEAR}"][2].extend([("text", CHANNELS_PAGE, r"In 2024/25, ([\w .%]+?) of the "),
                                              ("table", SCORECARD, "Scorecard", {"Measure": "Contacts logged in the CRM made online (digital share)"}, YEAR)])
    rates[f"abandoned {YEAR}"][2].append(("table", SCORECARD, "Scorecard", {"Measure": "Calls abandoned"}, YEAR))
    rates[f"callback {YEAR}"][2].extend([("table", SCORECARD, "Scorecard", {"Measure": "Calls ended in a callback"}, YEAR),
                                         ("text", STANDARDS_PAGE, r"\(([\d.]+%) of those offered\)")])
    rates[f"within {YEAR}"][2].append(("table", SCORECARD, "Scorecard", {"Measure": "Calls answered within the standard"}, YEAR))
    for (year, _, place, purpose), n in CONTACTS.items():
        if year == YEAR and place:
            shown_as = purpose if n >= MINIMUM else "Other purposes"
            rates[f"share {place} {purpose}"] = (f"visits {YEAR} {place} {purpose}", f"visits {YEAR} {place}", [
                ("table", CHANNELS_PAGE, "purposes", {"Place": place, "Purpose": shown_as},
                 "Share of the place's visits")])
    for name in CONSULTATIONS:
        row = {"Consultation": name.replace("-", " ").capitalize()}
        rates[f"{name} opened of invited"] = (f"{name} opened", f"{name} invited",
                                              [("table", PANEL_PAGE, "consultations in", row, "Opened (% of invited)")])
        rates[f"{name} completed of invited"] = (f"{name} completed", f"{name} invited",
                                                 [("table", PANEL_PAGE, "consultations in", row, "Completed (% of invited)")])
        rates[f"{name} completed of opened"] = (f"{name} completed", f"{name} opened", [
            ("table", PANEL_PAGE, "consultations in", row, "Completed (% of those who opened)")])
    rates["open rate"] = ("consultations opened", "consultations invited",
                          [("table", SCORECARD, "Scorecard", {"Measure": "Panel open rate"}, YEAR)])
    rates["completion rate"] = ("consultations completed", "consultations invited",
                                [("table", SCORECARD, "Scorecard", {"Measure": "Panel completion rate"}, YEAR)])
    return rates


# --- reading the pages -------------------------------------------------------------------------------------


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


class Pages:
    """Every table (caption, headers, rows) and the text of every page of the year."""

    def __init__(self, folder: Path):
        self.tables: dict[str, list[tuple[str, list[str], list[list[str]]]]] = {}
        self.text: dict[str, str] = {}
        self.alts: dict[str, list[str]] = {}
        for path in sorted(folder.glob("*.html")):
            soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            main = soup.find("main") or soup
            tables = []
            for table in main.find_all("table"):
                caption = _text(table.caption) if table.caption else ""
                headers = [_text(th) for th in table.select("thead th")]
                rows = [[_text(td) for td in tr.find_all("td")] for tr in table.select("tbody tr")]
                tables.append((caption, headers, rows))
                table.decompose()  # what is left is the pages' sentences
            self.tables[path.stem] = tables
            self.alts[path.stem] = [img.get("alt", "") for img in main.find_all("img")]
            self.text[path.stem] = _text(main)

    def read(self, place: tuple) -> list[str]:
        """What the page shows at ``place`` (one entry per match; none where it does not show it)."""
        if place[0] == "text":
            _, page, pattern = place
            return [m.group(1) for m in re.finditer(pattern, self.text.get(page, ""))]
        _, page, words, row_wanted, column = place
        found = []
        for caption, headers, rows in self.tables.get(page, []):
            if words not in caption and set(words.split()) != set(headers):
                continue
            if column not in headers:
                continue
            for row in rows:
                cells = dict(zip(headers, row))
                if all(cells.get(k) == v for k, v in row_wanted.items()):
                    found.append(cells[column])
        return found


def count_bounds(text: str) -> tuple[float, float] | None:
    """What a count cell tells a reader: exact, 1 to 4, 5 or more, or nothing."""
    text = text.strip().lower()
    head = re.match(r"([\d,]+)(?:\s|$|\()", text + " ")
    if head:
        n = int(head.group(1).replace(",", ""))
        return n, n
    if text in ("none", "no"):
        return 0, 0
    if text.startswith(f"fewer than {MINIMUM}"):
        return 1, MINIMUM - 1
    if text == "not shown":
        return MINIMUM, INF
    return None


def percent(text: str) -> float | None:
    found = re.search(r"(-?[\d.]+)%", text)
    return float(found.group(1)) if found else None


# --- the attacker ----------------------------------------------------------------------------------------


def work_out(pages: Pages) -> tuple[dict[str, tuple[float, float]], list[str]]:
    """Everything a reader of the pages can know of each count (its bounds), from what is shown, the lines
    and the percentages; and how each small count came to be known."""
    cells = truth()
    bounds = {name: (0.0, INF) for name in cells}
    how: dict[str, str] = {}
    for name, places in count_places().items():
        for place in places:
            for shown in pages.read(place):
                seen = count_bounds(shown)
                if seen is None:
                    continue
                lo, hi = max(bounds[name][0], seen[0]), min(bounds[name][1], seen[1])
                bounds[name] = (lo, hi)
                if lo == hi:
                    how.setdefault(name, f"shown as {shown!r} at {place}")
    rates = {}
    for name, (num, den, places) in rate_places().items():
        shown = [(p, place) for place in places for p in map(percent, pages.read(place)) if p is not None]
        if shown:
            rates[name] = (num, den, shown[0][0], shown[0][1])
    relations = lines()
    for _ in range(50):
        before = dict(bounds)
        for name, (num, den, p, where) in rates.items():
            lo, hi = bounds[den]
            if lo == hi and lo > 0:  # the percentage of a known base: which whole numbers round to it?
                fits = [n for n in range(int(lo) + 1) if abs(100 * n / lo - p) <= 0.05 + 1e-9
                        and bounds[num][0] <= n <= bounds[num][1]]
                if len(fits) == 1 and bounds[num][0] != bounds[num][1]:
                    bounds[num] = (fits[0], fits[0])
                    how.setdefault(num, f"{p}% ({name}, at {where}) of {den} = {lo:.0f}")
            lo, hi = bounds[num]
            if lo == hi and lo > 0 and p > 0 and bounds[den][0] != bounds[den][1]:
                top = min(bounds[den][1], 100 * lo / max(p - 0.05, 1e-9))
                fits = [d for d in range(max(int(lo), int(bounds[den][0])), int(top) + 1)
                        if abs(100 * lo / d - p) <= 0.05 + 1e-9]
                if len(fits) == 1:
                    bounds[den] = (fits[0], fits[0])
                    how.setdefault(den, f"{num} = {lo:.0f} is {p}% ({name}, at {where})")
        for total, parts in relations:  # total - sum(parts) = 0, each cell's bounds from the others'
            members = [(total, -1)] + [(p, 1) for p in parts]
            for cell, a in members:
                others = [(c, b) for c, b in members if c != cell]
                least = sum(b * (bounds[c][0] if b > 0 else bounds[c][1]) for c, b in others)
                most = sum(b * (bounds[c][1] if b > 0 else bounds[c][0]) for c, b in others)
                lo, hi = (-most, -least) if a > 0 else (least, most)
                new = (max(bounds[cell][0], lo), min(bounds[cell][1], hi))
                if new != bounds[cell]:
                    bounds[cell] = new
                    if new[0] == new[1]:
                        how.setdefault(cell, f"from {total} = {' + '.join(parts)}")
        if bounds == before:
            break
    # Lines together fix a cell no single one does (a + b and b + c and a + c known): linear algebra.
    unknown = sorted(c for c in cells if bounds[c][0] != bounds[c][1])
    index = {c: i for i, c in enumerate(unknown)}
    rows = []
    for total, parts in relations:
        row = np.zeros(len(unknown))
        for cell, a in [(total, -1)] + [(p, 1) for p in parts]:
            if cell in index:
                row[index[cell]] += a
        if row.any():
            rows.append(row)
    if rows:
        _, singular, vt = np.linalg.svd(np.array(rows))
        free = vt[int((singular > 1e-9).sum()):]
        for cell, i in index.items():
            if free.shape[0] == 0 or np.abs(free[:, i]).max() < 1e-9:
                bounds[cell] = (cells[cell], cells[cell])
                how.setdefault(cell, "from the lines together")
    return bounds, [f"{c} = {cells[c]}: {how[c]}" for c in sorted(how) if 1 <= cells[c] < MINIMUM]


# --- the run and the checks -------------------------------------------------------------------------------


# --- the run's record, by hand ------------------------------------------------------------------------


def test_a_second_count_is_hidden_in_the_smallest_total_around_the_small_one():
    """Digital 24 = email 12 + online form 9 + Report It 3, and all 47 = digital 24 + the rest 23: Report It (3)
    is small, and the digital total less email and online form would give it back; the smallest count beside it
    in that total, online form's 9, is hidden as well. The 47 and 23 give nothing more away."""
    values = {"all": 47, "digital": 24, "email": 12, "form": 9, "report": 3, "rest": 23}
    lines = [Line("all", ("digital", "rest")), Line("digital", ("email", "form", "report"))]
    small, secondary = plan_suppression(values, set(values), lines, {}, 5)
    assert (small, secondary) == ({"report"}, {"form"})


def test_two_small_counts_that_fill_their_total_hide_the_total():
    """8 = 4 + 4: both are "fewer than 5", so each is 1 to 4, and only 4 + 4 makes 8. The total is hidden."""
    values = {"total": 8, "a": 4, "b": 4}
    assert plan_suppression(values, set(values), [Line("total", ("a", "b"))], {}, 5) == ({"a", "b"}, {"total"})
    # 7 = 3 + 4 leaves each from 3 to 4: nothing more to hide.
    values = {"total": 7, "a": 3, "b": 4}
    assert plan_suppression(values, set(values), [Line("total", ("a", "b"))], {}, 5) == ({"a", "b"}, set())


def test_a_percentage_beside_its_base_is_hidden_with_the_count_it_is_of():
    """A consultation: 13 invited, 6 opened, 2 completed. 2 is small, so both percentages of it are hidden
    (15.4% of 13 and 33.3% of 6 are both 2); 46.2% opened (6 of 13) gives nothing away and stays."""
    values = {"invited": 13, "opened": 6, "completed": 2}
    rates = {"opened %": Rate("opened", "invited", 100 * 6 / 13), "completed %": Rate("completed", "invited", 100 * 2 / 13),
             "completed of opened %": Rate("completed", "opened", 100 * 2 / 6)}
    small, secondary = plan_suppression(values, set(values), [], rates, 5)
    assert (small, secondary) == ({"completed"}, set())


def test_a_small_count_no_page_shows_is_not_given_back_by_its_percentage():
    """20 calls offered, 3 abandoned: no page shows the 3, but 15.0% beside the 20 would; so the record hides
    the 3 (and with it the percentage), not the 20. 12 of the 15 answered within the standard (80.0%) stays:
    with the abandoned calls hidden, the 15 answered cannot be worked out."""
    values = {"offered": 20, "answered": 15, "abandoned": 3, "callback": 2, "within": 12}
    lines = [Line("offered", ("answered", "abandoned", "callback"))]
    rates = {"abandoned %": Rate("abandoned", "offered", 15.0), "within %": Rate("within", "answered", 80.0)}
    small, secondary = plan_suppression(values, {"offered", "callback"}, lines, rates, 5)
    assert (small, secondary) == ({"callback"}, {"abandoned"})


def test_thornby_record_hides_what_the_pages_would_give_away(tmp_path):
    """Thornby (above), worked through by hand:
    - contacts 2024/25: Report It 3 and letters 2 are small; online form 9 is the smallest count beside Report
      It in the digital total, phone 10 the smallest beside letters in the non-digital one. 2023/24: letters 4;
      in person 7 would not do (it is the Town Hall's 7, shown), so phone 12;
    - Kirkby Library's 3 visits: the in-person channel (11) less the Town Hall would give them, so the Town
      Hall's 8 is hidden, and with it its purposes' shares (6 is 75.0% of 8);
    - complaints: stage 2's 2 hides stage 1's 8; Waste's 4 hides Housing's 6;
    - the panel: 2 aged 16 to 24 hide the 6 aged 25 to 44;
    - calls: 3 and 2 abandoned are hidden with their percentages;
    - consultations: budget-2025's 2 completed and parks-2024's 3 opened would come back from the year's
      open and completion rates on the scorecard times the 21 invited, so the year's invited (which no page
      shows as a count) is hidden, and with it both of the year's rates."""
    wb = prepare(write_thornby(tmp_path / "data"), YEAR)
    plan = disclosure(wb)
    y, b = YEAR, BEFORE
    assert plan.secondary == {
        ("contacts_received", "channel=online_form", y), ("contacts_received", "channel=phone", y),
        ("contacts_received", "channel=phone", b), ("contacts_received", "location=Town Hall", y),
        ("complaints_received", "stage=1", y), ("complaints_received", "service=Housing", y),
        ("panel_members", "age_band=25-44", y), ("calls", "outcome=abandoned", y), ("calls", "outcome=abandoned", b),
        ("panel_invited", "", y)}
    assert plan.rate_hidden(("share", "in_person_visits", "location=Town Hall|category=Council tax", y))
    assert plan.rate_hidden(("panel_open_rate", "", y)) and plan.rate_hidden(("panel_completion_rate", "", y))
    assert plan.rate_hidden(("panel_completed_of_opened", "consultation_id=budget-2025", y))
    assert not plan.rate_hidden(("panel_open_rate", "consultation_id=budget-2025", y))  # 6 of 13
    assert plan.count_words(("contacts_received", "channel=phone", y)) == "not shown"
    assert plan.count_words(("contacts_received", "channel=letter", y)) == "fewer than 5"
    assert plan.count_words(("contacts_received", "channel=email", y)) == "12"


# --- the whole workbook, for real --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def thornby_pages(tmp_path_factory) -> Pages:
    data = write_thornby(tmp_path_factory.mktemp("thornby") / "data")
    out = data.parent / "out"
    result = run_cli("run", "--data", str(data), "--year", YEAR, "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return Pages(out / "2024-25")


# The numbers tables of charts, known by their columns.
CHART_TABLES = ("channel share year", "series year value")
# Tables of actions (not people) may show any count.
EXEMPT_CAPTIONS = ("action", "Action", "plan year")


@pytest.mark.slow
def test_every_figure_is_found_where_the_attacker_looks(thornby_pages):
    """The places below are where the pages show each figure: a page that moves one must move this test
    with it, or the attacker would read nothing there and find nothing. A chart leaves out a line it cannot
    show (every year of it hidden), so of its numbers only the table itself must be there."""
    places = [(name, place) for name, ps in count_places().items() for place in ps]
    places += [(name, place) for name, (_, _, ps) in rate_places().items() for place in ps]
    charts = {place[1:3] for _, place in places if place[0] == "table" and place[2] in CHART_TABLES}
    missing = [f"{name}: {place}" for name, place in places
               if place[0] == "table" and place[2] not in CHART_TABLES and not thornby_pages.read(place)]
    missing += [f"chart numbers {words!r} on {page}" for page, words in sorted(charts)
                if not any(set(words.split()) == set(headers) for _, headers, _ in thornby_pages.tables[page])]
    assert not missing, "\n".join(missing)


@pytest.mark.slow
def test_shown_counts_are_the_true_ones(thornby_pages):
    """Each count the attacker reads is the one in the data (so the places are read right)."""
    cells = truth()
    wrong = []
    for name, places in count_places().items():
        for place in places:
            for shown in thornby_pages.read(place):
                seen = count_bounds(shown)
                if seen is not None and not seen[0] <= cells[name] <= seen[1]:
                    wrong.append(f"{name} = {cells[name]} but {place} shows {shown!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.slow
def test_no_small_count_of_people_or_contacts_is_shown(thornby_pages):
    shown = []
    for page, tables in thornby_pages.tables.items():
        for caption, headers, rows in tables:
            if any(word in caption for word in EXEMPT_CAPTIONS):
                continue
            for row in rows:
                for header, cell in zip(headers, row):
                    if re.fullmatch(rf"[1-{MINIMUM - 1}]", cell):
                        shown.append(f"{page}: {caption!r}, {header}: {row}")
    people = r"(?:contacts?|visits?|calls?|complaints?|members?|people|residents|callbacks?)"
    for page, text in thornby_pages.text.items():
        for m in re.finditer(rf"\b([1-{MINIMUM - 1}]) {people}\b", text):
            shown.append(f"{page}: ...{text[max(0, m.start() - 60):m.end() + 20]}...")
    assert not shown, "\n".join(shown)


@pytest.mark.slow
def test_no_small_count_can_be_worked_out_from_the_pages(thornby_pages):
    """Across pages: totals less their parts, percentages times their bases, and the lines together."""
    _, derived = work_out(thornby_pages)
    assert not derived, "\n".join(derived)
