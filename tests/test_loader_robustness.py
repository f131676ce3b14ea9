"""Property-based tests of the loader and the working-day rules (hypothesis).

- Every accepted way of writing a timestamp reads back as the same UK local time.
- Booleans in any capitals and with stray spaces.
- The same data written as CSV, Parquet and Excel loads as the same frame.
- Garbage in a date column is always a Problem naming that column and its row, never an exception.
- ``within_standard`` agrees with a slow day-by-day count over a random calendar, leaves
  out what is not yet due, and is monotonic in N.
"""

from __future__ import annotations

import dataclasses

import datetime as dt
import re
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import openpyxl
import pandas as pd
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from analysis.calendar import WorkingCalendar, within_standard
from analysis.config import CANONICAL_CHANNELS, load_config
from analysis.datasets import (
    EXCEL_ERRORS,
    FALSE_WORDS,
    FEW_DISTINCT_FROM,
    TRUE_WORDS,
    SCHEMAS,
    SourceFile,
    _as_text,
    _mapped_values,
    check_all,
    load_all,
    parse_booleans,
    parse_timestamps,
    value_key,
)

LONDON = ZoneInfo("Europe/London")
SAMPLE_FOLDER = Path(__file__).resolve().parents[1] / "data" / "sample"
MINIMAL_TOML = '[council]\nname = "Test Council"\n'
FILE_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A minute-resolution naive UK local time (Excel stores times as fractions of a day: minutes survive).
local_times = st.datetimes(min_value=dt.datetime(1995, 1, 1), max_value=dt.datetime(2040, 12, 31)).map(
    lambda t: t.replace(second=0, microsecond=0))

NAIVE_FORMATS = {
    "%Y-%m-%d %H:%M": False, "%Y-%m-%dT%H:%M": False, "%Y-%m-%d %H:%M:%S": False, "%Y-%m-%dT%H:%M:%S": False,
    "%d/%m/%Y %H:%M": False, "%d/%m/%Y %H:%M:%S": False, "%d/%m/%Y": True, "%Y-%m-%d": True,
}


# --- timestamps, written every accepted way -------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(stamp=st.datetimes(min_value=dt.datetime(1995, 1, 1), max_value=dt.datetime(2040, 12, 31)),
       fmt=st.sampled_from(sorted(NAIVE_FORMATS)))
def test_naive_timestamps_round_trip_in_every_accepted_format(stamp, fmt):
    stamp = stamp.replace(microsecond=0)
    text = stamp.strftime(fmt)
    expected = pd.Timestamp(stamp.date()) if NAIVE_FORMATS[fmt] else pd.Timestamp(
        stamp if "%S" in fmt else stamp.replace(second=0))
    assert parse_timestamps(pd.Series([text])).iloc[0] == expected


@settings(max_examples=300, deadline=None)
@given(utc=st.datetimes(min_value=dt.datetime(1995, 1, 1), max_value=dt.datetime(2040, 12, 31)),
       offset_minutes=st.sampled_from([0, 60, -60, 330, -300, 120, 600]),
       style=st.sampled_from(["+HH:MM", "+HHMM", "Z", "space"]))
def test_timestamps_with_an_offset_become_uk_local_time(utc, offset_minutes, style):
    utc = utc.replace(microsecond=0, tzinfo=dt.timezone.utc)
    if style == "Z":
        offset_minutes = 0
    written = utc.astimezone(dt.timezone(dt.timedelta(minutes=offset_minutes)))
    text = written.strftime("%Y-%m-%dT%H:%M:%S")
    sign, minutes = ("+" if offset_minutes >= 0 else "-"), abs(offset_minutes)
    if style == "Z":
        text += "Z"
    elif style == "+HHMM":
        text += f"{sign}{minutes // 60:02d}{minutes % 60:02d}"
    else:
        text += f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
        if style == "space":
            text = text.replace("T", " ")
    expected = pd.Timestamp(utc.astimezone(LONDON).replace(tzinfo=None))
    assert parse_timestamps(pd.Series([text])).iloc[0] == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(local_times, st.sampled_from(sorted(NAIVE_FORMATS))), min_size=1, max_size=30))
def test_a_column_of_mixed_formats_reads_each_value_as_written(pairs):
    texts = [t.strftime(f) for t, f in pairs]
    expected = [pd.Timestamp(t.date()) if NAIVE_FORMATS[f] else pd.Timestamp(t) for t, f in pairs]
    assert parse_timestamps(pd.Series(texts)).tolist() == expected


# --- booleans -------------------------------------------------------------------------------------


def _any_case(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda upper: "".join(c.upper() if u else c.lower() for c, u in zip(word, upper)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(sorted(TRUE_WORDS | FALSE_WORDS)).flatmap(
    lambda w: st.tuples(st.just(w), _any_case(w), st.sampled_from(["", " ", "  "]), st.sampled_from(["", " "]))),
    min_size=1, max_size=20))
def test_booleans_in_any_case_with_stray_spaces(items):
    raw = pd.Series([f"{before}{cased}{after}" for _, cased, before, after in items])
    assert parse_booleans(raw).tolist() == [word in TRUE_WORDS for word, *_ in items]


@settings(max_examples=200, deadline=None)
@given(themes=st.lists(st.text(alphabet="abcdefghij ", min_size=1, max_size=12).map(str.strip).filter(bool),
                       min_size=1, max_size=5, unique_by=lambda t: " ".join(t.split()).casefold()),
       data=st.data())
def test_themes_match_without_regard_to_capitals_or_spaces(themes, data):
    chosen = data.draw(st.lists(st.sampled_from(themes), min_size=1, max_size=10))
    typed = [data.draw(_any_case(t)).replace(" ", data.draw(st.sampled_from([" ", "  "]))) + " " for t in chosen]
    config = dataclasses.replace(load_config(SAMPLE_FOLDER), themes=tuple(themes))
    theme = next(c for c in SCHEMAS["action_plan"] if c.name == "theme")
    source = SourceFile(Path("Action Plan.xlsx"), 2, "row", key="action_plan")
    mapped, problems = _mapped_values("action_plan", theme, pd.Series(typed, dtype="string").str.strip(), source,
                                      config)
    assert mapped.tolist() == chosen and not problems


# --- one frame, three formats ---------------------------------------------------------------------

TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 ,.'&-()\u00e9\u2013\u2019", min_size=1,
               max_size=20).map(str.strip).filter(lambda t: t != "" and not t[0] in "-'")

contact_rows = st.lists(st.tuples(
    local_times,                                           # received_at
    st.sampled_from(CANONICAL_CHANNELS),                   # channel
    TEXT,                                                  # service
    st.one_of(st.none(), TEXT),                            # category
    st.one_of(st.none(), local_times),                     # responded_at
    st.one_of(st.none(), st.booleans()),                   # resolved_first_contact
), min_size=1, max_size=15)


def _contacts_frame(rows) -> pd.DataFrame:
    return pd.DataFrame({
        "contact_id": [f"C{i}" for i in range(len(rows))],
        "received_at": [r[0] for r in rows],
        "channel": [r[1] for r in rows],
        "service": [r[2] for r in rows],
        "category": [r[3] for r in rows],
        "responded_at": [r[4] for r in rows],
        "resolved_first_contact": [r[5] for r in rows],
    })


def _write(frame: pd.DataFrame, folder: Path, suffix: str) -> None:
    path = folder / f"contacts{suffix}"
    if suffix == ".csv":
        text = frame.copy()
        for column in ("received_at", "responded_at"):
            text[column] = text[column].map(lambda t: "" if t is None or pd.isna(t) else t.strftime("%d/%m/%Y %H:%M"))
        text["resolved_first_contact"] = text["resolved_first_contact"].map({True: "Yes", False: "no", None: ""})
        text.to_csv(path, index=False)
    elif suffix == ".parquet":
        typed = frame.copy()
        for column in ("received_at", "responded_at"):
            typed[column] = pd.to_datetime(typed[column])
        typed["resolved_first_contact"] = typed["resolved_first_contact"].astype("boolean")
        typed.to_parquet(path, index=False)
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["Contacts export"])  # a title row above the header, as exports often have
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in row])
        book.save(path)


@FILE_SETTINGS
@given(rows=contact_rows)
def test_csv_parquet_and_excel_give_the_same_frame(rows):
    frame = _contacts_frame(rows)
    loaded = {}
    for suffix in (".csv", ".parquet", ".xlsx"):
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            (folder / "council.toml").write_text(MINIMAL_TOML, encoding="utf-8")
            _write(frame, folder, suffix)
            loaded[suffix] = load_all(load_config(folder)).contacts
    pd.testing.assert_frame_equal(loaded[".csv"], loaded[".parquet"])
    pd.testing.assert_frame_equal(loaded[".csv"], loaded[".xlsx"])
    csv = loaded[".csv"]
    assert csv["received_at"].tolist() == [pd.Timestamp(r[0]) for r in rows]
    assert csv["service"].astype(str).tolist() == [r[2] for r in rows]


# --- garbage in a date column ---------------------------------------------------------------------

garbage = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1,
                  max_size=30)
_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
_TIME_FORMATS = ["", " %H", "T%H", " %H:%M", "T%H:%M", " %H:%M:%S", "T%H:%M:%S", " %H:%M:%S.%f", "T%H:%M:%S.%f"]


def _reference_accepts(text: str) -> bool:
    """The contract's date forms, checked with strptime one value at a time (slow, independent)."""
    text = text.strip()
    for date in _DATE_FORMATS:
        for time in _TIME_FORMATS:
            for zone in ("", "%z") if date.startswith("%Y") and time else ("",):
                try:
                    dt.datetime.strptime(text.replace("Z", "+0000") if zone else text, date + time + zone)
                    return True
                except ValueError:
                    pass
    return False


@FILE_SETTINGS
@given(junk=garbage, row=st.integers(0, 3), fmt=st.sampled_from([".csv", ".xlsx"]))
@example(junk="2023", row=0, fmt=".csv")
@example(junk="31/02/2023", row=1, fmt=".csv")
@example(junk="2023-04", row=2, fmt=".xlsx")
@example(junk="\n", row=0, fmt=".csv")
@example(junk='"', row=3, fmt=".csv")
def test_garbage_in_a_date_column_is_a_problem_naming_it_never_an_exception(junk, row, fmt):
    assume(not _reference_accepts(junk))
    assume(not junk.startswith("="))  # a formula in Excel
    # Excel's error values (#N/A, #REF!, ...) in a workbook are read as empty cells, as pandas reads them: the
    # message is then "is empty where a value is required", which is right for them.
    assume(not (fmt == ".xlsx" and junk in EXCEL_ERRORS))
    try:
        openpyxl.cell.cell.Cell(openpyxl.Workbook().active, value=junk)
    except openpyxl.utils.exceptions.IllegalCharacterError:
        assume(False)
    values = ["2023-04-03 09:00"] * 4
    values[row] = junk
    frame = pd.DataFrame({"contact_id": [f"C{i}" for i in range(4)], "received_at": values,
                          "channel": "email", "service": "Waste"})
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "council.toml").write_text(MINIMAL_TOML, encoding="utf-8")
        if fmt == ".csv":
            frame.to_csv(folder / "contacts.csv", index=False)
        else:
            book = openpyxl.Workbook()
            book.active.append(list(frame.columns))
            for values_row in frame.itertuples(index=False):
                book.active.append(list(values_row))
            book.save(folder / "contacts.xlsx")
        _, problems = check_all(load_config(folder))
    about = [p for p in problems if p.column == "received_at"]
    assert about, [str(p) for p in problems]
    assert all(p.fatal and p.dataset == "contacts" for p in about)
    assert any(row + 2 in p.rows for p in about)  # row 2 is the first under the header
    text = "\n".join(str(p) for p in about)
    assert "contacts" + fmt in text and "Traceback" not in text
    if junk.strip():
        assert "expected a date and time" in text and "to fix:" in text


# --- working days: within_standard against a slow day-by-day count ---------------------------------

DAY0 = dt.date(2023, 1, 2)
SPAN = 120  # days of calendar the random inputs live in


def _slow_outcome(received: dt.date, done: dt.date | None, n: int, as_at: dt.date, closed: set[dt.date]):
    """The contract's rules, one day at a time: (due, within)."""
    def working(day):
        return day.weekday() < 5 and day not in closed

    day = received
    while not working(day):  # received on a non-working day: counts from the next working day
        day += dt.timedelta(days=1)
    counted = 0
    while counted < n:  # working day n
        day += dt.timedelta(days=1)
        if working(day):
            counted += 1
    deadline = day
    if done is not None:
        return True, done <= deadline
    return deadline < as_at, False  # due that day: the as-at day is not over, not yet due


days = st.integers(0, SPAN - 30).map(lambda k: DAY0 + dt.timedelta(days=k))
items = st.lists(st.tuples(days, st.one_of(st.none(), st.integers(-3, 40)), st.integers(0, 15)), min_size=1,
                 max_size=40)
closures = st.sets(st.integers(0, SPAN + 60).map(lambda k: DAY0 + dt.timedelta(days=k)), max_size=25)


def _arrays(cases):
    received = np.array([r for r, _, _ in cases], dtype="datetime64[D]")
    done = np.array([np.datetime64("NaT") if d is None else np.datetime64(r + dt.timedelta(days=d), "D")
                     for r, d, _ in cases], dtype="datetime64[D]")
    return received, done, np.array([n for *_, n in cases], dtype="float64")


@settings(max_examples=300, deadline=None)
@given(cases=items, closed=closures, as_at_offset=st.integers(0, SPAN))
def test_within_standard_agrees_with_a_day_by_day_count(cases, closed, as_at_offset):
    as_at = DAY0 + dt.timedelta(days=as_at_offset)
    received, done, n = _arrays(cases)
    # Times of day never matter: the rules count calendar days.
    received_at = pd.Series(received.astype("datetime64[ns]")) + pd.Timedelta(hours=17, minutes=59)
    outcome = within_standard(WorkingCalendar(tuple(sorted(closed))), received_at, done, n, as_at)
    for i, (r, d, k) in enumerate(cases):
        done_day = None if d is None else r + dt.timedelta(days=d)
        due, within = _slow_outcome(r, done_day, k, as_at, closed)
        assert (bool(outcome.due[i]), bool(outcome.within[i])) == (due, within), (r, done_day, k, as_at)


@settings(max_examples=300, deadline=None)
@given(cases=items, closed=closures, as_at_offset=st.integers(0, SPAN))
def test_not_yet_due_items_are_left_out_and_overdue_ones_count_against(cases, closed, as_at_offset):
    as_at = DAY0 + dt.timedelta(days=as_at_offset)
    calendar = WorkingCalendar(tuple(sorted(closed)))
    received, done, n = _arrays(cases)
    outcome = within_standard(calendar, received, done, n, as_at)
    deadline = calendar.add_working_days(received, n)
    open_items = np.isnat(done)
    np.testing.assert_array_equal(outcome.not_yet_due[open_items], deadline[open_items] >= np.datetime64(as_at))
    assert not outcome.within[open_items].any()              # nothing open is ever within
    assert outcome.due[~open_items].all()                     # everything done is counted


@settings(max_examples=300, deadline=None)
@given(cases=items, closed=closures, as_at_offset=st.integers(0, SPAN))
def test_a_longer_standard_never_makes_an_item_worse(cases, closed, as_at_offset):
    as_at = DAY0 + dt.timedelta(days=as_at_offset)
    calendar = WorkingCalendar(tuple(sorted(closed)))
    received, done, n = _arrays(cases)
    shorter = within_standard(calendar, received, done, n, as_at)
    longer = within_standard(calendar, received, done, n + 1, as_at)
    assert (longer.within >= shorter.within).all()            # within N -> within N + 1
    assert (longer.due <= shorter.due).all()                  # not yet due at N -> not yet due at N + 1
    assert (longer.working_days[~np.isnan(longer.working_days)]
            == shorter.working_days[~np.isnan(shorter.working_days)]).all()  # the days taken do not depend on N


# --- large columns: text worked out once per distinct value ----------------------------------

messy_labels = st.lists(st.one_of(st.none(), st.text(alphabet=" \tOnlie-_Fr", max_size=7)), min_size=1, max_size=8)


@given(values=messy_labels)
@settings(max_examples=40, deadline=None)
def test_a_long_column_reads_as_its_rows_would_one_by_one(values):
    """From FEW_DISTINCT_FROM rows up, text is stripped and keyed once per distinct value and spread back;
    every row must read exactly as it would on its own."""
    rows = (values * (FEW_DISTINCT_FROM // len(values) + 2))[:FEW_DISTINCT_FROM + 7]
    column = pd.Series(rows, dtype=object)
    text = _as_text(column)
    stripped = [None if v is None or not v.strip() else v.strip() for v in rows]
    assert [None if pd.isna(v) else v for v in text] == stripped
    keys = value_key(text)
    expected = [None if v is None else re.sub(r"[\s\-_]+", "_", v.casefold()).strip("_") for v in stripped]
    assert [None if pd.isna(v) else v for v in keys] == expected
    assert text.index.equals(column.index) and len(keys) == len(rows)
