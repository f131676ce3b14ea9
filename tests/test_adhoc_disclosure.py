"""Small numbers and free text on the ad-hoc pages, beside the yearly pages.

An ad-hoc page shares totals with the yearly pages (a place's visits each year, a place's visits by purpose,
the panel, the consultations), so a count the yearly pages hide (the sample's Northbrook council-tax visits,
hidden so that Northbrook's 2 general enquiries cannot be worked out) must not be shown there either. And a
purpose (category) may be free text a council mapped from a Salesforce "Subject" ("Visit: Amelia Smith re
benefits"): a label with fewer than ``minimum_count`` contacts never reaches a page, yearly or ad hoc.

The slow tests publish the worked examples for real (papermill and nbconvert) and read the pages as HTML.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.present import disclosure
from analysis.workbook import prepare
from conftest import REPO, SAMPLE, run_cli

EXAMPLES = REPO / "notebooks" / "adhoc" / "examples"
AIC = EXAMPLES / "advice-and-information-centres.ipynb"
REPORT_IT = EXAMPLES / "report-it-response-standard.ipynb"
CHANNELS = REPO / "notebooks" / "03-channels-and-access.ipynb"


# --- reading a page as a councillor would -------------------------------------------------------------------


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def read_page(path: Path) -> tuple[list[tuple[list[str], list[list[str]]]], list[str]]:
    """A page's tables (column headers, rows of cells: a row's header cell first) and its sentences (paragraphs,
    captions, chart titles and alt text, split at full stops)."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main") or soup
    tables = []
    for table in main.find_all("table"):
        headers = [_text(th) for th in table.select("thead th")]
        rows = [[_text(cell) for cell in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]
        tables.append((headers, rows))
    alts = [img.get("alt", "") for img in main.find_all("img")]
    for table in main.find_all("table"):
        table.decompose()
    sentences = [s for block in [_text(main), *alts] for s in re.split(r"(?<=[.!?])\s+", block)]
    return tables, sentences


def shown_at(page, labels: list[str], value: float) -> list[str]:
    """Where ``page`` shows the count ``value`` of the thing ``labels`` name (a place and a year, or a place and
    a purpose): a table cell reading exactly the number, in a row or under a column header that between them
    hold every label; or a sentence holding every label and the number."""
    tables, sentences = page
    number = f"{int(value):,}"
    found = []
    for headers, rows in tables:
        for row in rows:
            for j, cell in enumerate(row):
                header = headers[j] if j < len(headers) else ""
                if cell == number and all(label in row or label in header for label in labels):
                    found.append(f"table row {row}")
    pattern = re.compile(rf"(?<![\d,.]){re.escape(number)}(?![\d,]|\.\d)")
    found += [f"sentence {s!r}" for s in sentences if all(label in s for label in labels) and pattern.search(s)]
    return found


def hidden_visits(data: Path) -> dict[tuple, float]:
    """The visits by place (every year) and by place and purpose (this year) that the run's record hides on the
    yearly channels page: {key: count}."""
    plan = disclosure(prepare(data))
    return {key: plan.values[key] for key in plan.small | plan.secondary
            if key[0] == "in_person_visits" or (key[0] == "contacts_received" and key[1].startswith("location="))}


def labels_of(key: tuple) -> list[str]:
    measure, breakdown, year = key
    if measure == "contacts_received":  # ("contacts_received", "location=Northbrook AIC", "2021/22")
        return [breakdown.partition("=")[2], year]
    place, _, purpose = breakdown.partition("|")  # "location=Northbrook AIC|category=Council tax"
    return [place.partition("=")[2], purpose.partition("=")[2]]


def publish(notebook: Path, data: Path, out: Path) -> Path:
    result = run_cli("publish", str(notebook), "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "adhoc" / f"{notebook.stem}.html"


def quiet_winsford(folder: Path) -> Path:
    """The sample with only 3 visits at Winsford AIC in 2021/22 (it had 47): 3 is "fewer than 5" on the yearly
    channels page, and the in-person channel less the other places would give it back, so the record hides
    Northbrook AIC's 52 visits of 2021/22 as well (the smallest place beside it)."""
    shutil.copytree(SAMPLE, folder)
    contacts = pd.read_parquet(folder / "contacts.parquet")
    winsford = ((contacts["channel"] == "in_person") & (contacts["location"] == "Winsford AIC")
                & (contacts["received_at"] >= "2021-04-01") & (contacts["received_at"] < "2022-04-01"))
    contacts.drop(index=contacts.index[winsford.to_numpy()][3:]).to_parquet(folder / "contacts.parquet", index=False)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["sample", "quiet year at Winsford"])
def test_no_count_the_yearly_pages_hide_is_shown_on_the_aic_page(variant, tmp_path):
    """Publish the Advice and Information Centres example and look on its page for each count of visits the
    same data's record hides on the yearly channels page.

    The sample's record hides Northbrook's council-tax visits of 2024/25 (6, "not shown": 78 visits = 37 food
    caddy + 33 benefits post + 6 council tax + 2 general enquiries, and the 2 would come back from the 78 less
    the other three) and the small council-tax counts at Elmcleeve (3) and Winsford (4). With a quiet year at
    Winsford (3 visits in 2021/22) it hides Northbrook's 52 visits of 2021/22 too; the example's chart of
    visits by place and year used to draw them (and its alt text to say "up from 52 in 2021/22")."""
    data = SAMPLE if variant == "sample" else quiet_winsford(tmp_path / "data")
    hidden = hidden_visits(data)
    expected = {("in_person_visits", "location=Northbrook AIC|category=Council tax", "2024/25"): 6,
                ("in_person_visits", "location=Elmcleeve AIC|category=Council tax", "2024/25"): 3,
                ("in_person_visits", "location=Winsford AIC|category=Council tax", "2024/25"): 4}
    if variant != "sample":
        expected |= {("contacts_received", "location=Northbrook AIC", "2021/22"): 52,
                     ("contacts_received", "location=Winsford AIC", "2021/22"): 3}
    assert hidden == expected
    page = read_page(publish(AIC, data, tmp_path / "out"))
    # The page does show the visits by place and purpose (so the search below reads the right tables).
    assert shown_at(page, ["Northbrook AIC", "Food caddy"], 37) and shown_at(page, ["Northbrook AIC", "2022/23"], 63)
    leaks = {f"{key} = {value:.0f}": where for key, value in hidden.items()
             if (where := shown_at(page, labels_of(key), value))}
    assert not leaks, leaks


# --- free text as a purpose -----------------------------------------------------------------------------------

FIRST = ["Amelia", "Oliver", "Isla", "Harry", "Ava", "Jack", "Mia", "George", "Ivy", "Noah", "Lily", "Leo",
         "Grace", "Arthur", "Freya", "Oscar"]
LAST = ["Smith", "Jones", "Patel", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Khan", "Walker", "Wright",
        "Hughes", "Green", "Hall", "Wood", "Clarke"]
STREETS = ["Fen Lane", "Mill Road", "Church Street", "Station Road", "Orchard Close", "Willow Way", "Marsh Drive",
           "Abbey Road"]
PLACES = ["Council Offices", "Northbrook AIC", "Elmcleeve AIC", "Winsford AIC"]
YEARS = [2021, 2022, 2023, 2024]

FENWICK_TOML = """
[council]
name = "Fenwick District Council"
year_start_month = 4
sample = false

[calendar]
bank_holidays = "england-and-wales"

[standards.respond_within_working_days]
email = 5
letter = 10
report_it = 10

[standards.acknowledge_within_working_days]
report_it = 1

[channels]
digital = ["email", "report_it"]

[locations]
in_person = ["Council Offices", "Northbrook AIC", "Elmcleeve AIC", "Winsford AIC"]

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


def person(i: int) -> str:
    """A made-up resident's name and address, different for every i below 128."""
    return f"{FIRST[i % 16]} {LAST[(i // 16 + i) % 16]}", f"{i % 90 + 2} {STREETS[i // 16 % 8]}"


def write_fenwick(folder: Path) -> tuple[Path, list[str]]:
    """Fenwick: four years of contacts whose category is the CRM's free-text subject line. Each year, at each of
    the four places, 8 visits whose subjects are all different ("Visit: Amelia Smith re benefits, 2 Fen Lane"),
    one every 45 days from 10 April, alternately at 10am and 2pm; at the Council Offices 6 more about "Council
    tax" as well; 6 Report It reports of a "Pothole" and 6 with a subject each ("Missed bin - 9 Mill Road,
    reported by Ava Patel"); 10 emails (and one on 31 March 2025, so 2024/25 is complete); and a short
    action plan. The free-text strings, the names and the addresses in them are returned:
    each is on 1 contact, so none may appear on a page. (Northbrook has 8 visits in the 12 months either side of
    3 October 2022, the handover the AIC example is about: 4 from each financial year.)"""
    folder.mkdir(parents=True)
    (folder / "council.toml").write_text(FENWICK_TOML, encoding="utf-8")
    rows, secrets, n = [], [], 0

    def add(when, channel, category, place=""):
        rows.append({"contact_id": f"F{len(rows) + 1:04d}", "received_at": when, "channel": channel,
                     "service": "Customer Services", "category": category, "location": place,
                     "acknowledged_at": when + dt.timedelta(hours=2), "responded_at": when + dt.timedelta(days=3)})

    for year in YEARS:
        start = dt.datetime(year, 4, 10)
        for k, place in enumerate(PLACES):
            for i in range(8):
                name, address = person(n)
                n += 1
                subject = f"Visit: {name} re {['benefits', 'housing', 'a parking permit'][i % 3]}, {address}"
                add(start + dt.timedelta(days=45 * i, hours=10 + 4 * (i % 2), minutes=k), "in_person", subject, place)
                secrets += [subject, name, address]
        for i in range(6):
            add(start + dt.timedelta(days=50 * i + 1, hours=11), "in_person", "Council tax", "Council Offices")
            add(start + dt.timedelta(days=50 * i + 2, hours=9), "report_it", "Pothole")
            name, address = person(n)
            n += 1
            subject = f"Missed bin - {address}, reported by {name}"
            add(start + dt.timedelta(days=50 * i + 3, hours=9), "report_it", subject)
            secrets += [subject, name, address]
        for i in range(10):
            add(start + dt.timedelta(days=30 * i + 4, hours=12), "email", "General enquiry")
    add(dt.datetime(2025, 3, 31, 12), "email", "General enquiry")  # the data runs to the end of 2024/25
    assert n == 4 * (4 * 8 + 6) and len(set(secrets)) == len(secrets)  # 152 residents, none twice
    pd.DataFrame(rows).to_csv(folder / "contacts.csv", index=False)
    pd.DataFrame({"plan_year": ["2022/23", "2024/25"], "action_id": ["1", "1"], "theme": ["Access", "Access"],
                  "action": ["Hand Northbrook AIC to the parish council", "Review the AICs' opening hours"],
                  "status": ["Achieved", "Ongoing"]}).to_csv(folder / "action_plan.csv", index=False)
    return folder, secrets


@pytest.mark.slow
def test_free_text_purposes_never_reach_a_page(tmp_path):
    """The yearly channels page (its notebook through the real run) and the two worked examples that show
    categories, on Fenwick: no subject line, name or address appears in any page's HTML.

    By hand: at each AIC the three commonest purposes of 2024/25 are three subjects of 1 visit each, so the
    yearly table folds all 8 into "Other purposes" (8, the place's visits); at the Council Offices "Council
    tax" (6) is named and the 8 others are "Other purposes" (14 - 6 = 8). The AIC example names no purpose
    (none had 5 visits at every AIC). The Report It example names "Pothole" (6) and folds the 6 subjects into
    "Other kinds of report" (6)."""
    from analysis.workbook import run

    data, secrets = write_fenwick(tmp_path / "data")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(CHANNELS, notebooks / CHANNELS.name)
    index = run(data, "2024/25", tmp_path / "out", notebooks_dir=notebooks, jobs=1, echo=lambda *_: None)
    channels = index.parent / f"{CHANNELS.stem}.html"
    aic, report_it = (publish(nb, data, tmp_path / "out") for nb in (AIC, REPORT_IT))
    pages = sorted((tmp_path / "out").rglob("*.html"))
    assert {channels, aic, report_it} <= set(pages)
    found = {path.name: [s for s in secrets if s in html]
             for path in pages if any(s in (html := path.read_text(encoding="utf-8")) for s in secrets)}
    assert not found, found
    # The tables are there, with the purposes that had 5 or more: the search above read real pages.
    channel_page, aic_page, report_page = (read_page(p) for p in (channels, aic, report_it))
    assert shown_at(channel_page, ["Council Offices", "Council tax"], 6)
    assert shown_at(channel_page, ["Council Offices", "Other purposes"], 8)
    assert shown_at(channel_page, ["Northbrook AIC", "Other purposes"], 8)
    assert shown_at(aic_page, ["Other purposes", "Northbrook AIC"], 8)
    assert any("none is named here" in s for s in aic_page[1])
    assert shown_at(report_page, ["Pothole"], 6) and shown_at(report_page, ["Other kinds of report"], 6)


# --- the rules, by hand ----------------------------------------------------------------------------------------


def test_a_purpose_under_the_minimum_is_folded_and_the_fold_is_never_a_small_number():
    """fold_shown on three places' visits by purpose (minimum 5). A label is shown only where each of its
    counts is 0 or 5 or more, so council tax (3, 6, 4) and general enquiry (2, 2, 0) are folded as rows, the
    Northbrook council tax the record hides (6) with them.

    - Elmcleeve: food 13, benefits 16 named; "Other" is its 34 visits less those, 5 (3 + 2).
    - Northbrook: food 37, benefits 33 named; "Other" is 78 - 70 = 8 (6 + 2): the hidden 6 is not shown on its
      own, and 8 gives neither it nor the 2 back (6 + 2, 5 + 3, 7 + 1 all make 8).
    - Winsford: only its three commonest purposes are given (food 15, benefits 7, council tax 4; 27 visits in
      all, with 1 general enquiry not given): "Other" is 27 - 22 = 5 (4 + 1)."""
    from analysis import investigate as inv

    counts = pd.DataFrame({"Elmcleeve": [13, 16, 3, 2], "Northbrook": [37, 33, 6, 2], "Winsford": [15, 7, 4, 0]},
                          index=["Food caddy", "Benefits post", "Council tax", "General enquiry"], dtype="float64")
    hidden = pd.DataFrame(False, index=counts.index, columns=counts.columns)
    hidden.loc["Council tax", "Northbrook"] = True
    totals = pd.Series({"Elmcleeve": 34.0, "Northbrook": 78.0, "Winsford": 27.0})
    folded, flags = inv.fold_shown(counts, hidden, totals, pd.Series(False, index=totals.index), 5, "Other")
    assert folded.index.tolist() == ["Food caddy", "Benefits post", "Other"]
    assert folded.loc["Other"].tolist() == [5, 8, 5]
    assert flags.loc["Other"].tolist() == [False, False, False]  # council tax's hidden 6 is in "Other" now
    words = inv.shown_words(folded, flags, 5)
    assert words.loc["Other"].tolist() == ["5", "8", "5"]
    # Council tax kept (all three 5 or more), general enquiry (2, 2, 1) folded alone: "Other" would be 2 at
    # Northbrook, shown and small, so the smallest row kept, council tax (5 + 6 + 5 = 16), is folded in as well.
    counts.loc["Council tax"] = [5, 6, 5]
    counts.loc["General enquiry"] = [2, 2, 1]
    totals = counts.sum()
    folded, flags = inv.fold_shown(counts, hidden & False, totals, totals < 0, 5, "Other")
    assert folded.loc["Other"].tolist() == [7, 8, 6] and "Council tax" not in folded.index
    # Every count small: all folded, and "Other" is each place's whole total, worded as the record words it.
    tiny = pd.DataFrame({"Kirkby": [1.0, 1.0, 1.0]}, index=["Visit: A. Smith, 2 Fen Lane", "Visit: B. Jones", "x"])
    folded, flags = inv.fold_shown(tiny, tiny > 9, pd.Series({"Kirkby": 3.0}), pd.Series({"Kirkby": True}), 5, "Other")
    assert folded.index.tolist() == ["Other"] and inv.shown_words(folded, flags, 5).iat[0, 0] == "fewer than 5"


def test_the_yearly_purposes_name_no_small_purpose(tmp_path):
    """The yearly table of purposes on the sample, whose rows add up to each place's visits: Elmcleeve's council
    tax (3) and Winsford's (4) are not named (both were, as "fewer than 5"): each place's "Other purposes" is its
    visits less those named, 34 - 16 - 13 = 5 and 27 - 15 - 7 = 5. Northbrook's council tax (6) is hidden by the
    record (so that its 2 general enquiries cannot be worked out), so it is not named either: "Other purposes" is
    78 - 37 - 33 = 8 (10.3% of 78), which gives neither the 6 nor the 2 back. The Council Offices have no small
    purpose, but their three commonest (106 + 71 + 63 = 240) are not all their 479 visits: "Other purposes" is
    239 (49.9%)."""
    from analysis import pages

    wb = prepare(SAMPLE)
    tables, _ = read_page(_as_page(pages.in_person_purposes(wb), tmp_path))
    rows = tables[0][1]
    assert ["Elmcleeve AIC", "Other purposes", "5", "14.7%"] in rows  # 5 of 34
    assert ["Winsford AIC", "Other purposes", "5", "18.5%"] in rows  # 5 of 27
    assert [r for r in rows if r[0] == "Northbrook AIC"] == [
        ["Northbrook AIC", "Food caddy", "37", "47.4%"], ["Northbrook AIC", "Benefits post", "33", "42.3%"],
        ["Northbrook AIC", "Other purposes", "8", "10.3%"]]
    assert not [r for r in rows if r[1] == "Council tax" and r[0] != "Council Offices"]
    assert [r[1:] for r in rows if r[0] == "Council Offices"] == [
        ["Council tax", "106", "22.1%"], ["General enquiry", "71", "14.8%"], ["Benefits post", "63", "13.2%"],
        ["Other purposes", "239", "49.9%"]]  # 239 of 479
    for place in ("Council Offices", "Elmcleeve AIC", "Northbrook AIC", "Winsford AIC"):
        visits = sum(int(r[2]) for r in rows if r[0] == place)
        assert visits == wb.value("contacts_received", breakdown=f"location={place}")["value"], place
    # Thornby (tests/test_disclosure_sweep.py): the Town Hall's 8 visits are 6 about council tax and 2 about
    # parking, and are hidden on the table of places (Kirkby Library's 3 would come back from the in-person 11);
    # Kirkby Library's 3 are all about housing. Parking and housing are not named: the Town Hall's "Other
    # purposes" is the 2 about parking alone, and Kirkby Library's its whole 3, both "fewer than 5". Council
    # tax's share (6 of the hidden 8) is "not shown", hidden to protect another count, not "too few to report"
    # (6 is not below the minimum).
    from test_disclosure_sweep import write_thornby

    thornby = prepare(write_thornby(tmp_path / "thornby"), "2024/25")
    tables, _ = read_page(_as_page(pages.in_person_purposes(thornby), tmp_path))
    assert tables[0][1] == [["Kirkby Library", "Other purposes", "fewer than 5", "too few to report"],
                            ["Town Hall", "Council tax", "6", "not shown"],
                            ["Town Hall", "Other purposes", "fewer than 5", "too few to report"]]


def _as_page(html, tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    path.write_text(f"<main>{html}</main>", encoding="utf-8")
    return path


def _fake_workbook(rows: list[dict], year: str = "2024/25"):
    """Just what the record reads of a prepared workbook: measures, the year, the settings."""
    measures = pd.DataFrame(rows).reindex(columns=["measure_id", "breakdown", "year", "value", "numerator",
                                                   "denominator"])
    return SimpleNamespace(measures=measures, facts={}, data=SimpleNamespace(recorded=lambda *_: False), year=year,
                           config=SimpleNamespace(digital_channels=[], minimum_count=5))


def _rate(measure, breakdown, year, numerator, denominator):
    return {"measure_id": measure, "breakdown": breakdown, "year": year, "numerator": numerator,
            "denominator": denominator, "value": 100 * numerator / denominator}


def test_earlier_years_shown_on_an_ad_hoc_page_are_planned_with_the_yearly_pages():
    """present.disclosure_with, worked by hand (minimum 5).

    The panel at the end of 2023/24: 20 members, 2 aged 16 to 24, 6 aged 25 to 44, 7 aged 45 to 64 and 5 aged 65
    and over. The yearly pages of 2024/25 show only the 20; an ad-hoc page showing the groups would give the 2
    back from 20 - 6 - 7 - 5, so the smallest group beside it, the 5, is hidden as well.

    Two consultations of 2023/24, c1 (10 invited, 3 opened) and c2 (10 invited, 6 opened); the scorecard shows
    the year's open rate, 9 of 20 = 45.0%. Shown on an ad-hoc page, the 20 invited (10 + 10) times 45.0% would
    give 9 opened, less c2's 6 the 3. The rule would hide the year's invited, but the scorecard's 45.0% stands
    on it and cannot be hidden from there: so c1's and c2's counts are not shown at all."""
    from analysis.present import disclosure_with

    members = [{"measure_id": "panel_members", "breakdown": b, "year": "2023/24", "value": v}
               for b, v in (("", 20), ("age_band=16-24", 2), ("age_band=25-44", 6), ("age_band=45-64", 7),
                            ("age_band=65+", 5))] + [{"measure_id": "panel_members", "breakdown": "", "year": "2024/25",
                                                      "value": 22}]
    groups = [("panel_members", b, "2023/24") for b in ("age_band=16-24", "age_band=25-44", "age_band=45-64",
                                                         "age_band=65+")]
    wb = _fake_workbook(members)
    assert not disclosure(wb).small | disclosure(wb).secondary  # the yearly pages show only the 20 and the 22
    record = disclosure_with(wb, groups)
    assert (record.small, record.secondary) == ({groups[0]}, {groups[3]})
    assert [record.count_words(k) for k in groups] == ["fewer than 5", "6", "7", "not shown"]

    consultations = [_rate("panel_open_rate", "", "2023/24", 9, 20),
                     _rate("panel_open_rate", "consultation_id=c1", "2023/24", 3, 10),
                     _rate("panel_open_rate", "consultation_id=c2", "2023/24", 6, 10),
                     _rate("panel_open_rate", "", "2024/25", 7, 12),
                     _rate("panel_open_rate", "consultation_id=c3", "2024/25", 7, 12)]
    wb = _fake_workbook(consultations)
    keys = [(m, f"consultation_id={c}", "2023/24") for c in ("c1", "c2") for m in ("panel_invited", "panel_opened")]
    record = disclosure_with(wb, keys)
    assert record.secondary == set(keys) and not record.small
    assert not record.rate_hidden(("panel_open_rate", "", "2023/24"))  # the scorecard's 45.0% stays
    assert record.count_words(("panel_invited", "consultation_id=c3", "2024/25")) == "12"


def test_a_percentage_beside_a_small_count_is_not_shown_and_not_compared():
    """3 of 100 (3.0%) beside "fewer than 5 of 100" would say 3: too few to report, and too few to compare (a
    change of 'up 2.0 points' from the other period's 1.0% would give it back). 53 of 152 against 74 of 154
    stays as it was."""
    from analysis import investigate as inv

    small = inv.compare_rates(1, 100, 3, 100, "April", "May")
    assert small.table()["Rate"].tolist() == ["too few to report", "too few to report"]
    assert small.too_few and small.verdict() == "too few to compare" and "3.0%" not in small.words
    assert small.versus() == "too few to compare with April"
    share = inv.compare_rates(53, 152, 74, 154, "before", "after")
    assert share.table()["Rate"].tolist() == ["34.9%", "48.1%"] and not share.too_few


def test_a_table_of_periods_hides_what_its_totals_would_give_back():
    """The visits either side of a handover, with the period's total and "the other AICs" shown: Winsford's 3
    before is small; all 112 less Northbrook 53 less Elmcleeve 56 would give it back, so a count beside it is
    hidden as well, the smallest that alone stops it. Northbrook's 53 would not (the others, 59, less
    Elmcleeve's 56 would still say 3); Elmcleeve's 56 does: then 59 = Elmcleeve + Winsford leaves Elmcleeve
    anywhere from 55 to 58. After the handover nothing is small: every count shown."""
    from analysis import investigate as inv

    counts = pd.DataFrame({"before": [53, 56, 3], "after": [74, 47, 33]},
                          index=["Northbrook AIC", "Elmcleeve AIC", "Winsford AIC"])
    record = inv.table_disclosure(counts, {"others": ["Elmcleeve AIC", "Winsford AIC"]}, 5)
    assert record.small == {("Winsford AIC", "before")}
    assert record.count_words(("Winsford AIC", "before")) == "fewer than 5"
    assert record.count_words(("Elmcleeve AIC", "before")) == "not shown"
    assert record.count_words(("others", "before")) == "59"
    assert record.count_words(("All", "before")) == "112" and record.count_words(("Northbrook AIC", "before")) == "53"
    assert [record.count_words((p, "after")) for p in counts.index] == ["74", "47", "33"]
    assert record.percent_words(("share", "Northbrook AIC", "before"), 100 * 53 / 112, 112) == "47.3%"
    # Visits from 1pm beside a place's visits: 40 of 43 would leave 3 before 1pm, which is small.
    assert inv.part_words(40, 43, 5) == "not shown" and inv.part_words(40, 60, 5) == "40"
    assert inv.part_words(3, 43, 5) == "fewer than 5" and inv.part_words(40, 43, 5, whole_hidden=True) == "40"
