"""Tests of analysis.calendar: financial years, working days and the "within N" rules.

Every expected date below was worked out by hand from a real calendar (the
comments show the counting), not by calling numpy, so a wrong rule in the code
shows up as a wrong date here. docs/data-contract.md ("How figures are counted") is the rule book:

- Working days: Monday to Friday less the bank holidays of England and Wales
  (including 19 Sep 2022 and 8 May 2023) and the configured closure days.
- Within N: the day of receipt is day 0 (the next working day when received on a
  non-working day); within when done on or before working day N.
- Not yet due: no response and working day N after the as-at date -> left out
  of the denominator; no response and working day N on or before it -> counted,
  outside the standard.

Calendars used (Mo..Su):
  Sep 2022: Fri 16, Sat 17, Sun 18, Mon 19 = State Funeral, Tue 20 ... Fri 23,
            Mon 26 ... Fri 30, Mon 3 Oct, Tue 4 Oct.
  Dec 2022: Fri 23, Sat 24, Sun 25 Christmas, Mon 26 Boxing Day, Tue 27 Christmas
            (substitute), Wed 28, Thu 29, Fri 30, Sat 31, Sun 1 Jan New Year,
            Mon 2 Jan New Year (substitute), Tue 3 Jan.
  Jan 2023: Wed 11, Thu 12, Fri 13, Sat 14, Sun 15, Mon 16 ... Fri 20, Sat 21,
            Mon 23 ... Fri 27 (no bank holidays after 2 Jan).
  May 2023: Mon 1 Early May, Fri 5, Sat 6, Sun 7, Mon 8 = Coronation, Tue 9 ...
            Fri 12, Mon 15 ... Fri 19, Mon 22, Tue 23, Wed 24.
  Dec 2024: Tue 24, Wed 25 Christmas, Thu 26 Boxing Day, Fri 27 (council closure
            in the contract's example), Sat 28, Sun 29, Mon 30, Tue 31,
            Wed 1 Jan 2025 New Year, Thu 2, Fri 3, Mon 6, Tue 7, Wed 8.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import calendar as wc
from analysis.config import load_config

D = dt.date


# --- configs, written as council.toml files and loaded through the real path -----------------


def _config(folder, calendar_table: str = "", extra: str = ""):
    text = textwrap.dedent(
        """\
        [council]
        name = "Test Borough Council"
        """
    ) + textwrap.dedent(calendar_table) + textwrap.dedent(extra)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "council.toml").write_text(text, encoding="utf-8")
    return load_config(folder)


@pytest.fixture(scope="module")
def eng_config(tmp_path_factory):
    # The contract's example calendar: England and Wales, closed on Fri 27 Dec 2024.
    return _config(tmp_path_factory.mktemp("eng"), """\
        [calendar]
        bank_holidays = "england-and-wales"
        closure_days = ["2024-12-27"]
        """)


@pytest.fixture(scope="module")
def eng(eng_config):
    return wc.WorkingCalendar.for_council(eng_config)


@pytest.fixture(scope="module")
def closed_xmas_2022(tmp_path_factory):
    # A council closed on the three days between the Christmas and New Year bank
    # holidays of 2022 (given as a TOML date literal and as quoted text).
    config = _config(tmp_path_factory.mktemp("closed"), """\
        [calendar]
        closure_days = [2022-12-28, "2022-12-29", "2022-12-30"]
        """)
    return wc.WorkingCalendar.for_council(config)


@pytest.fixture(scope="module")
def scot(tmp_path_factory):
    config = _config(tmp_path_factory.mktemp("scot"), """\
        [calendar]
        bank_holidays = "scotland"
        """)
    return wc.WorkingCalendar.for_council(config)


@pytest.fixture(scope="module")
def nir(tmp_path_factory):
    config = _config(tmp_path_factory.mktemp("nir"), """\
        [calendar]
        bank_holidays = "northern-ireland"
        """)
    return wc.WorkingCalendar.for_council(config)


def days(*values):
    return np.array(values, dtype="datetime64[D]")


def single(cal, received, done, n, as_at):
    """(due, within, working days taken) for one item."""
    out = wc.within_standard(cal, [received], [done], n, as_at)
    return bool(out.due[0]), bool(out.within[0]), out.working_days[0]


# --- financial years ------------------------------------------------------------------------


@pytest.mark.parametrize("start, label", [(2023, "2023/24"), (1999, "1999/00"), (2009, "2009/10"), (2022, "2022/23")])
def test_year_label(start, label):
    assert wc.year_label(start) == label


def test_year_folder():
    assert wc.year_folder("2023/24") == "2023-24"
    assert wc.year_folder("1999/00") == "1999-00"


@pytest.mark.parametrize("label, start", [
    ("2023/24", 2023), ("1999/00", 1999), ("2009/10", 2009),
    ("2023-24", 2023), ("2023/2024", 2023), ("2023-2024", 2023),   # as councils also write them
])
def test_year_start_accepts_good_labels(label, start):
    assert wc.year_start(label) == start


@pytest.mark.parametrize("label", [
    "2023/25",     # the years do not follow one another
    "2023/23",
    "1999/01",
    "2023-25",
    "2023/2025",
    "23/24",
    "2023/24 ",
    " 2023/24",
    "2023",
    "",
    "abcd/ef",
])
def test_year_start_rejects_bad_labels(label):
    with pytest.raises(ValueError) as info:
        wc.year_start(label)
    message = str(info.value)
    assert f'"{label}"' in message and "2023/24" in message


def test_year_start_rejects_label_with_trailing_newline():
    with pytest.raises(ValueError):
        wc.year_start("2023/24\n")


@pytest.mark.parametrize("label, start_month, first, last", [
    ("2023/24", 4, D(2023, 4, 1), D(2024, 3, 31)),
    ("2022/23", 4, D(2022, 4, 1), D(2023, 3, 31)),
    ("1999/00", 4, D(1999, 4, 1), D(2000, 3, 31)),
    ("2023/24", 7, D(2023, 7, 1), D(2024, 6, 30)),   # July to June
    ("2023/24", 1, D(2023, 1, 1), D(2023, 12, 31)),  # calendar year
    ("2023/24", 3, D(2023, 3, 1), D(2024, 2, 29)),   # 2024 is a leap year
    ("2022/23", 3, D(2022, 3, 1), D(2023, 2, 28)),
])
def test_year_bounds(label, start_month, first, last):
    assert wc.year_bounds(label, start_month) == (first, last)


def test_year_bounds_default_is_april():
    assert wc.year_bounds("2023/24") == (D(2023, 4, 1), D(2024, 3, 31))


def test_year_bounds_rejects_bad_label():
    with pytest.raises(ValueError):
        wc.year_bounds("2023/25")


def test_financial_year_31_march_vs_1_april():
    stamps = pd.Series(
        ["2023-03-31 23:59:59", "2023-04-01 00:00:00", "2024-03-31", "2024-04-01 08:00", None, "2022-12-31"],
        index=[10, 11, 12, 13, 14, 15],
    )
    labels = wc.financial_year(pd.to_datetime(stamps, format="ISO8601"))
    assert list(labels.index) == [10, 11, 12, 13, 14, 15]
    assert labels.iloc[:4].tolist() == ["2022/23", "2023/24", "2023/24", "2024/25"]
    assert pd.isna(labels.iloc[4])
    assert labels.iloc[5] == "2022/23"
    assert str(labels.dtype) == "category"  # a few labels over millions of records


def test_financial_year_start_month_july():
    stamps = pd.to_datetime(pd.Series(["2023-06-30 23:00", "2023-07-01", "2024-03-31", "2024-04-01", "2024-07-01"]),
                            format="ISO8601")
    assert wc.financial_year(stamps, start_month=7).tolist() == ["2022/23", "2023/24", "2023/24", "2023/24", "2024/25"]
    starts = wc.financial_year_start(stamps, start_month=7)
    np.testing.assert_array_equal(starts, [2022.0, 2023.0, 2023.0, 2023.0, 2024.0])


def test_financial_year_start_missing_is_nan():
    starts = wc.financial_year_start(pd.to_datetime(pd.Series(["2023-03-31", None])))
    assert starts[0] == 2022.0 and np.isnan(starts[1])


def test_financial_year_of_a_plain_list():
    labels = wc.financial_year(pd.to_datetime(["2023-03-31", "2023-04-01"]))
    assert labels.tolist() == ["2022/23", "2023/24"]


# --- working days: the calendar itself ------------------------------------------------------


def test_for_council_includes_one_off_bank_holidays_and_closure_days(eng):
    non_working = set(eng.non_working_days)
    assert D(2022, 9, 19) in non_working   # State Funeral of Queen Elizabeth II
    assert D(2023, 5, 8) in non_working    # Coronation of King Charles III
    assert D(2022, 12, 27) in non_working  # Christmas Day (substitute, 25th was a Sunday)
    assert D(2023, 1, 2) in non_working    # New Year's Day (substitute, 1st was a Sunday)
    assert D(2024, 12, 27) in non_working  # closure_days in council.toml
    assert D(2024, 1, 2) not in non_working  # a Scottish holiday only
    assert D(2022, 9, 20) not in non_working
    assert list(eng.non_working_days) == sorted(eng.non_working_days)


def test_is_working_day(eng):
    checked = days("2022-09-16", "2022-09-17", "2022-09-18", "2022-09-19", "2022-09-20",
                   "2023-05-08", "2022-12-27", "2023-01-02", "2023-01-03", "2024-12-27", "NaT")
    np.testing.assert_array_equal(
        eng.is_working_day(checked),
        [True, False, False, False, True, False, False, False, True, False, False],
    )


def test_closure_days_only_where_configured(eng, closed_xmas_2022):
    # 28-30 Dec 2022 are working days in England and Wales unless the council closes.
    np.testing.assert_array_equal(eng.is_working_day(days("2022-12-28", "2022-12-29", "2022-12-30")), [True] * 3)
    np.testing.assert_array_equal(
        closed_xmas_2022.is_working_day(days("2022-12-28", "2022-12-29", "2022-12-30", "2024-12-27")),
        [False, False, False, True],  # and this council did not close on 27 Dec 2024
    )


def test_scotland_differs_from_england(eng, scot):
    # Tue 2 Jan 2024 is a bank holiday in Scotland only; Tue 3 Jan 2023 is the
    # Scottish substitute for 2 January (England's substitute was Mon 2 Jan 2023).
    assert D(2024, 1, 2) in set(scot.non_working_days)
    assert D(2023, 1, 3) in set(scot.non_working_days)
    np.testing.assert_array_equal(eng.is_working_day(days("2024-01-02", "2023-01-03")), [True, True])
    np.testing.assert_array_equal(scot.is_working_day(days("2024-01-02", "2023-01-03")), [False, False])
    # Received Fri 29 Dec 2023, one working day to reply.
    # England: Mon 1 Jan 2024 holiday, so day 1 = Tue 2 Jan.
    # Scotland: Mon 1 and Tue 2 Jan holidays, so day 1 = Wed 3 Jan.
    assert eng.add_working_days(days("2023-12-29"), 1)[0] == np.datetime64("2024-01-02")
    assert scot.add_working_days(days("2023-12-29"), 1)[0] == np.datetime64("2024-01-03")
    # Working days counted from Fri 29 Dec 2023 (day 0) up to, not including, Wed 3 Jan:
    # England counts Fri 29 and Tue 2 -> 2; Scotland counts Fri 29 only -> 1.
    np.testing.assert_array_equal(eng.working_days_between(days("2023-12-29"), days("2024-01-03")), [2.0])
    np.testing.assert_array_equal(scot.working_days_between(days("2023-12-29"), days("2024-01-03")), [1.0])


def test_northern_ireland_has_its_own_days(eng, nir):
    # Fri 17 Mar 2023 St Patrick's Day, Wed 12 Jul 2023 Battle of the Boyne.
    np.testing.assert_array_equal(nir.is_working_day(days("2023-03-17", "2023-07-12")), [False, False])
    np.testing.assert_array_equal(eng.is_working_day(days("2023-03-17", "2023-07-12")), [True, True])


def test_working_days_between_over_the_state_funeral(eng):
    # From Fri 16 Sep 2022 (day 0) to Tue 20 Sep: Sat, Sun and Mon 19 are not
    # working days, so Tue 20 is working day 1.
    np.testing.assert_array_equal(
        eng.working_days_between(days("2022-09-16", "2022-09-16", "2022-09-19"),
                                 days("2022-09-20", "2022-09-19", "2022-09-20")),
        # Fri 16 -> Tue 20: day 1. Fri 16 -> Mon 19 (a holiday, after day 0): 1.
        # Mon 19 -> Tue 20: received on the holiday, so Tue 20 is day 0.
        [1.0, 1.0, 0.0],
    )


def test_missing_dates_give_nan_and_nat(eng):
    between = eng.working_days_between(days("2023-01-11", "NaT", "2023-01-11"), days("NaT", "2023-01-18", "2023-01-18"))
    assert np.isnan(between[0]) and np.isnan(between[1]) and between[2] == 5.0
    added = eng.add_working_days(days("2023-01-11", "NaT", "2023-01-11"), np.array([np.nan, 5, 5]))
    assert np.isnat(added[0]) and np.isnat(added[1]) and added[2] == np.datetime64("2023-01-18")


# --- within N working days: hand-worked deadlines -------------------------------------------

# (received, n, working day N, the next working day after it) -- worked by hand.
ENG_CASES = [
    # Received Sat 14 Jan 2023 -> day 0 Mon 16; day 5 Mon 23; next Tue 24.
    pytest.param("2023-01-14", 5, "2023-01-23", "2023-01-24", id="saturday-n5"),
    # Received Sun 15 Jan 2023 -> day 0 Mon 16; same as Saturday.
    pytest.param("2023-01-15", 5, "2023-01-23", "2023-01-24", id="sunday-n5"),
    # Received Sat 14 Jan 2023, N = 0 -> due on Mon 16 itself; Tue 17 is late.
    pytest.param("2023-01-14", 0, "2023-01-16", "2023-01-17", id="saturday-n0"),
    # Received Wed 11 Jan 2023, N = 0: same working day; Thu 12 is late.
    pytest.param("2023-01-11", 0, "2023-01-11", "2023-01-12", id="weekday-n0"),
    # Wed 11 Jan = day 0; Thu 12 = 1, Fri 13 = 2, Mon 16 = 3, Tue 17 = 4, Wed 18 = 5.
    pytest.param("2023-01-11", 5, "2023-01-18", "2023-01-19", id="weekday-n5"),
    # ... Thu 19 = 6, Fri 20 = 7, Mon 23 = 8, Tue 24 = 9, Wed 25 = 10.
    pytest.param("2023-01-11", 10, "2023-01-25", "2023-01-26", id="weekday-n10"),
    # Received Mon 19 Sep 2022 (State Funeral) -> day 0 Tue 20; Wed 21 = 1, Thu 22 = 2,
    # Fri 23 = 3, Mon 26 = 4, Tue 27 = 5.
    pytest.param("2022-09-19", 5, "2022-09-27", "2022-09-28", id="state-funeral-n5"),
    # ... Wed 28 = 6, Thu 29 = 7, Fri 30 = 8, Mon 3 Oct = 9, Tue 4 Oct = 10.
    pytest.param("2022-09-19", 10, "2022-10-04", "2022-10-05", id="state-funeral-n10"),
    # Received Fri 16 Sep 2022 = day 0; Mon 19 is the State Funeral; Tue 20 = 1,
    # Wed 21 = 2, Thu 22 = 3, Fri 23 = 4, Mon 26 = 5 (it would be Fri 23 without the funeral).
    pytest.param("2022-09-16", 5, "2022-09-26", "2022-09-27", id="friday-before-funeral-n5"),
    # ... Tue 27 = 6, Wed 28 = 7, Thu 29 = 8, Fri 30 = 9, Mon 3 Oct = 10.
    pytest.param("2022-09-16", 10, "2022-10-03", "2022-10-04", id="friday-before-funeral-n10"),
    # Received Mon 8 May 2023 (Coronation) -> day 0 Tue 9; Wed 10 = 1, Thu 11 = 2,
    # Fri 12 = 3, Mon 15 = 4, Tue 16 = 5.
    pytest.param("2023-05-08", 5, "2023-05-16", "2023-05-17", id="coronation-n5"),
    # ... Wed 17 = 6, Thu 18 = 7, Fri 19 = 8, Mon 22 = 9, Tue 23 = 10.
    pytest.param("2023-05-08", 10, "2023-05-23", "2023-05-24", id="coronation-n10"),
    # Received Fri 5 May 2023 = day 0; Mon 8 is the Coronation; Tue 9 = 1, Wed 10 = 2,
    # Thu 11 = 3, Fri 12 = 4, Mon 15 = 5.
    pytest.param("2023-05-05", 5, "2023-05-15", "2023-05-16", id="friday-before-coronation-n5"),
    # ... Tue 16 = 6, Wed 17 = 7, Thu 18 = 8, Fri 19 = 9, Mon 22 = 10.
    pytest.param("2023-05-05", 10, "2023-05-22", "2023-05-23", id="friday-before-coronation-n10"),
    # Received Fri 23 Dec 2022 = day 0; Mon 26 and Tue 27 (substitute) closed;
    # Wed 28 = 1, Thu 29 = 2, Fri 30 = 3, Mon 2 Jan (substitute) closed, Tue 3 = 4, Wed 4 = 5.
    pytest.param("2022-12-23", 5, "2023-01-04", "2023-01-05", id="friday-before-christmas-2022-n5"),
    # Received Sun 25 Dec 2022 (Christmas) -> day 0 Wed 28; Thu 29 = 1, Fri 30 = 2,
    # Tue 3 Jan = 3, Wed 4 = 4, Thu 5 = 5.
    pytest.param("2022-12-25", 5, "2023-01-05", "2023-01-06", id="christmas-day-2022-n5"),
    # Received Tue 27 Dec 2022 (substitute Christmas holiday) -> day 0 Wed 28: as above.
    pytest.param("2022-12-27", 5, "2023-01-05", "2023-01-06", id="substitute-27-dec-2022-n5"),
    # Received Sat 31 Dec 2022 -> Sun 1 and Mon 2 Jan (substitute) closed -> day 0 Tue 3 Jan;
    # Wed 4 = 1, Thu 5 = 2, Fri 6 = 3, Mon 9 = 4, Tue 10 = 5.
    pytest.param("2022-12-31", 5, "2023-01-10", "2023-01-11", id="new-years-eve-2022-n5"),
    # Received Mon 2 Jan 2023 (substitute New Year) -> day 0 Tue 3 Jan; N = 0 -> Tue 3.
    pytest.param("2023-01-02", 0, "2023-01-03", "2023-01-04", id="substitute-2-jan-2023-n0"),
    # Received Tue 24 Dec 2024 = day 0; Wed 25, Thu 26 bank holidays, Fri 27 closure day,
    # weekend; Mon 30 = 1, Tue 31 = 2, Wed 1 Jan closed, Thu 2 = 3, Fri 3 = 4, Mon 6 = 5.
    pytest.param("2024-12-24", 5, "2025-01-06", "2025-01-07", id="christmas-eve-2024-with-closure-n5"),
    # Received Fri 27 Dec 2024 (closure day) -> day 0 Mon 30; Tue 31 = 1, Thu 2 = 2,
    # Fri 3 = 3, Mon 6 = 4, Tue 7 = 5.
    pytest.param("2024-12-27", 5, "2025-01-07", "2025-01-08", id="closure-day-2024-n5"),
    # Received Thu 26 Dec 2024 (Boxing Day) -> Fri 27 closed too -> day 0 Mon 30; day 1 Tue 31;
    # next working day Thu 2 Jan (Wed 1 Jan closed).
    pytest.param("2024-12-26", 1, "2024-12-31", "2025-01-02", id="boxing-day-2024-n1"),
]

# With 28-30 Dec 2022 configured as closure days as well.
CLOSED_XMAS_2022_CASES = [
    # Received Fri 23 Dec 2022 = day 0; 26, 27 bank holidays; 28, 29, 30 closure days;
    # 2 Jan substitute; Tue 3 = 1, Wed 4 = 2, Thu 5 = 3, Fri 6 = 4, Mon 9 = 5.
    pytest.param("2022-12-23", 5, "2023-01-09", "2023-01-10", id="friday-before-closure-n5"),
    # Received Thu 29 Dec 2022 (closure day) -> day 0 Tue 3 Jan; Wed 4 = 1, Thu 5 = 2,
    # Fri 6 = 3, Mon 9 = 4, Tue 10 = 5.
    pytest.param("2022-12-29", 5, "2023-01-10", "2023-01-11", id="inside-closure-n5"),
    # Received Wed 28 Dec 2022 (closure day), N = 0 -> Tue 3 Jan.
    pytest.param("2022-12-28", 0, "2023-01-03", "2023-01-04", id="inside-closure-n0"),
]


def _check_case(cal, received, n, day_n, next_day):
    received_day = np.datetime64(received, "D")
    # working day N is where the code puts the deadline
    assert cal.add_working_days(np.array([received_day]), n)[0] == np.datetime64(day_n)
    # a response on working day N is within, on the next working day it is not
    out = wc.within_standard(cal, [received, received], [day_n, next_day], n, as_at=dt.date(2030, 1, 1))
    np.testing.assert_array_equal(out.due, [True, True])
    np.testing.assert_array_equal(out.within, [True, False])
    np.testing.assert_array_equal(out.working_days, [float(n), float(n + 1)])


@pytest.mark.parametrize("received, n, day_n, next_day", ENG_CASES)
def test_within_n_working_days_england_and_wales(eng, received, n, day_n, next_day):
    _check_case(eng, received, n, day_n, next_day)


@pytest.mark.parametrize("received, n, day_n, next_day", CLOSED_XMAS_2022_CASES)
def test_within_n_working_days_christmas_closure(closed_xmas_2022, received, n, day_n, next_day):
    _check_case(closed_xmas_2022, received, n, day_n, next_day)


def test_closure_changes_the_answer(eng, closed_xmas_2022):
    # Received Fri 23 Dec 2022, answered Wed 4 Jan 2023, standard 5 working days.
    # Without the closure Wed 4 Jan is day 5 (within); with 28-30 Dec closed it is day 2.
    assert single(eng, "2022-12-23", "2023-01-04", 5, dt.date(2023, 2, 1)) == (True, True, 5.0)
    assert single(closed_xmas_2022, "2022-12-23", "2023-01-04", 5, dt.date(2023, 2, 1)) == (True, True, 2.0)
    # Answered Mon 9 Jan: day 8 without the closure (outside), day 5 with it (within).
    assert single(eng, "2022-12-23", "2023-01-09", 5, dt.date(2023, 2, 1)) == (True, False, 8.0)
    assert single(closed_xmas_2022, "2022-12-23", "2023-01-09", 5, dt.date(2023, 2, 1)) == (True, True, 5.0)


def test_same_day_and_weekend_responses(eng):
    as_at = dt.date(2023, 2, 1)
    # Received Sat 14 Jan, answered Sun 15 Jan: both before day 0 (Mon 16): 0 working days.
    assert single(eng, "2023-01-14", "2023-01-15", 0, as_at) == (True, True, 0.0)
    # Received Sat 14 Jan, answered Mon 16 (day 0): within N = 0.
    assert single(eng, "2023-01-14", "2023-01-16", 0, as_at) == (True, True, 0.0)
    # Received Wed 11 Jan 09:00, answered 17:30 the same day: within N = 0.
    assert single(eng, "2023-01-11 09:00", "2023-01-11 17:30", 0, as_at) == (True, True, 0.0)


def test_response_on_a_non_working_day_after_day_n_is_late(eng):
    # Received Wed 11 Jan 2023; day 7 = Fri 20 Jan, day 8 = Mon 23 Jan.
    # Answered Sat 21 Jan: after working day 7, so outside N = 7 but within N = 8.
    as_at = dt.date(2023, 2, 1)
    assert single(eng, "2023-01-11", "2023-01-21", 7, as_at) == (True, False, 8.0)
    assert single(eng, "2023-01-11", "2023-01-21", 8, as_at) == (True, True, 8.0)


def test_time_of_day_is_ignored(eng):
    # Received Wed 11 Jan 2023 at 23:59, answered Wed 18 Jan at 00:01 = working day 5.
    assert single(eng, "2023-01-11 23:59", "2023-01-18 00:01", 5, dt.date(2023, 2, 1)) == (True, True, 5.0)


# --- not yet due ----------------------------------------------------------------------------


@pytest.mark.parametrize("as_at, due", [
    # Received Wed 11 Jan 2023, N = 5 -> working day 5 = Wed 18 Jan; no response.
    (dt.date(2023, 1, 17), False),  # deadline after the as-at date: left out of the denominator
    (dt.date(2023, 1, 18), False),  # deadline on the as-at date: that day is not over, so not yet due
    (dt.date(2023, 1, 19), True),   # deadline before the as-at date: counted, outside
    (dt.date(2023, 3, 31), True),
])
def test_not_yet_due(eng, as_at, due):
    out = wc.within_standard(eng, ["2023-01-11"], [None], 5, as_at)
    assert bool(out.due[0]) is due
    assert bool(out.not_yet_due[0]) is (not due)
    assert not out.within[0]
    assert np.isnan(out.working_days[0])


def test_not_yet_due_counts_working_days_not_calendar_days(eng):
    # Received Fri 16 Sep 2022, N = 5: working day 5 is Mon 26 Sep because of the State
    # Funeral. On Fri 23 Sep (which would be day 5 without the funeral) it is not yet due; on
    # Mon 26 Sep, its deadline, it is still not yet due (the day is not over); on Tue 27 it is late.
    assert single(eng, "2022-09-16", None, 5, dt.date(2022, 9, 23))[:2] == (False, False)
    assert single(eng, "2022-09-16", None, 5, dt.date(2022, 9, 26))[:2] == (False, False)
    assert single(eng, "2022-09-16", None, 5, dt.date(2022, 9, 27))[:2] == (True, False)


def test_not_yet_due_with_as_at_on_a_weekend(eng):
    # Received Wed 11 Jan 2023. N = 2 -> Fri 13 Jan, before Sat 14: due.
    # N = 3 -> Mon 16 Jan, after Sun 15: not yet due.
    assert single(eng, "2023-01-11", None, 2, dt.date(2023, 1, 14))[:2] == (True, False)
    assert single(eng, "2023-01-11", None, 3, dt.date(2023, 1, 15))[:2] == (False, False)


@pytest.mark.parametrize("as_at", [
    dt.date(2023, 1, 18), np.datetime64("2023-01-18"), pd.Timestamp("2023-01-18 16:30"),
    dt.datetime(2023, 1, 18, 9, 0), "2023-01-18",
])
def test_as_at_accepts_dates_and_timestamps(eng, as_at):
    # Deadline Wed 18 Jan (see above) = the as-at day, whatever the time: not yet due (the day is not over);
    # N = 4 gives Tue 17 Jan, the day before: late.
    assert single(eng, "2023-01-11", None, 5, as_at)[:2] == (False, False)
    assert single(eng, "2023-01-11", None, 4, as_at)[:2] == (True, False)


def test_answered_items_are_counted_even_before_their_deadline(eng):
    # Received Wed 11 Jan, answered Mon 16 Jan (day 3); as at Tue 17 the deadline
    # (Wed 18) is still to come, but the item is done and counts, within.
    assert single(eng, "2023-01-11", "2023-01-16", 5, dt.date(2023, 1, 17)) == (True, True, 3.0)


# --- items that are not counted -------------------------------------------------------------


def test_never_answered_is_never_within(eng):
    # The contract: no response and deadline passed -> counted, outside; deadline to
    # come -> not counted at all. Either way, never within.
    out = wc.within_standard(eng, ["2022-01-10", "2023-01-11"], [None, None], 5, dt.date(2023, 1, 12))
    np.testing.assert_array_equal(out.due, [True, False])
    np.testing.assert_array_equal(out.within, [False, False])


def test_missing_received_date_is_not_counted(eng):
    out = wc.within_standard(eng, [None, pd.NaT], ["2023-01-12", None], 5, dt.date(2023, 3, 1))
    np.testing.assert_array_equal(out.due, [False, False])
    np.testing.assert_array_equal(out.within, [False, False])
    assert np.isnan(out.working_days).all()


def test_missing_standard_is_not_counted(eng):
    # A channel with no standard: answered quickly, answered never, overdue -- all left out.
    out = wc.within_standard(eng, ["2023-01-11", "2023-01-11"], ["2023-01-11", None], np.nan, dt.date(2023, 3, 1))
    np.testing.assert_array_equal(out.due, [False, False])
    np.testing.assert_array_equal(out.within, [False, False])


# --- per-row standards and vectorisation ----------------------------------------------------


def test_per_row_standard(eng):
    # All received Wed 11 Jan 2023 and answered Wed 18 Jan = working day 5.
    n = np.array([4, 5, 10, np.nan, 0])
    out = wc.within_standard(eng, ["2023-01-11"] * 5, ["2023-01-18"] * 5, n, dt.date(2023, 3, 1))
    np.testing.assert_array_equal(out.due, [True, True, True, False, True])
    np.testing.assert_array_equal(out.within, [False, True, True, False, False])


def test_per_row_standard_from_config(tmp_path):
    # n built the way a notebook would: each row's channel -> its standard for the year.
    config = _config(tmp_path, extra="""\
        [standards.respond_within_working_days]
        email = { "2021/22" = 10, "2022/23" = 5 }
        letter = 10
        """)
    cal = wc.WorkingCalendar.for_council(config)
    rows = pd.DataFrame({
        "channel": ["email", "letter", "phone", "email"],
        # Wed 11 Jan 2023 -> Thu 19 Jan is working day 6 (see ENG_CASES weekday-n5).
        "received_at": pd.to_datetime(["2023-01-11"] * 4),
        "responded_at": pd.to_datetime(["2023-01-19", "2023-01-19", "2023-01-19", "2023-01-18"]),
    })
    year = 2022  # 2022/23
    standards = {ch: s.for_year(year) for ch, s in config.respond_within.items()}
    n = rows["channel"].map(standards).astype("float64")
    out = wc.within_standard(cal, rows["received_at"], rows["responded_at"], n, dt.date(2023, 3, 1))
    # email N = 5 in 2022/23: day 6 late, day 5 within; letter N = 10: within; phone: no standard.
    np.testing.assert_array_equal(out.due, [True, True, False, True])
    np.testing.assert_array_equal(out.within, [False, True, False, True])


def test_nullable_integer_standard(eng):
    # A standard column read as pandas' nullable Int64 with a gap.
    n = pd.array([5, pd.NA], dtype="Int64")
    out = wc.within_standard(eng, ["2023-01-11"] * 2, ["2023-01-18"] * 2, n, dt.date(2023, 3, 1))
    np.testing.assert_array_equal(out.due, [True, False])
    np.testing.assert_array_equal(out.within, [True, False])


# One as-at date for the whole array: Thu 19 Jan 2023.
AS_AT = dt.date(2023, 1, 19)
MIXED = [
    # (received, done, n, due, within) -- reasoning on each line
    ("2023-01-11 16:45", "2023-01-18 09:00", 5, True, True),     # Wed 18 = day 5
    ("2023-01-11", "2023-01-19", 5, True, False),                # Thu 19 = day 6
    ("2023-01-11", None, 5, True, False),                        # deadline Wed 18 < as-at: overdue
    ("2023-01-11", None, 10, False, False),                      # deadline Wed 25 > as-at: not yet due
    ("2023-01-13", None, 4, False, False),                       # Fri 13 + 4 = Thu 19 = as-at: not yet due
    ("2023-01-13", None, 3, True, False),                        # Fri 13 + 3 = Wed 18 < as-at: overdue
    ("2023-01-14", "2023-01-16", 0, True, True),                 # Sat -> day 0 Mon 16
    ("2023-01-15", "2023-01-17", 0, True, False),                # Sun -> day 0 Mon 16; Tue 17 = day 1
    (None, "2023-01-16", 5, False, False),                       # no received date
    ("2023-01-11", "2023-01-16", np.nan, False, False),          # no standard
    ("2022-09-16", "2022-09-26", 5, True, True),                 # funeral: Mon 26 Sep = day 5
    ("2022-09-16", "2022-09-27", 5, True, False),                # Tue 27 Sep = day 6
    ("2022-12-23", "2023-01-04", 5, True, True),                 # Christmas: Wed 4 Jan = day 5
    ("2022-12-27", "2023-01-06", 5, True, False),                # day 0 Wed 28 Dec; Fri 6 Jan = day 6
    ("2023-01-02", "2023-01-03", 0, True, True),                 # substitute day -> day 0 Tue 3
    ("2023-01-12", None, np.nan, False, False),                  # no standard, no answer
    ("2023-01-17", None, 0, True, False),                        # day 0 Tue 17 < as-at: overdue
    ("2023-01-19", None, 0, False, False),                       # day 0 = as-at: not yet due
    ("2023-01-19", None, 1, False, False),                       # day 1 Fri 20 > as-at
]


def _stamp(value):
    return pd.NaT if value is None else pd.Timestamp(value)


def test_vectorised_equals_one_by_one(eng):
    received = [_stamp(c[0]) for c in MIXED]
    done = [_stamp(c[1]) for c in MIXED]
    n = np.array([c[2] for c in MIXED], dtype="float64")
    expected_due = [c[3] for c in MIXED]
    expected_within = [c[4] for c in MIXED]

    out = wc.within_standard(eng, received, done, n, AS_AT)
    np.testing.assert_array_equal(out.due, expected_due)
    np.testing.assert_array_equal(out.within, expected_within)

    singles = [single(eng, _stamp(r), _stamp(d), k, AS_AT) for r, d, k, _, _ in MIXED]
    assert [s[0] for s in singles] == list(out.due)
    assert [s[1] for s in singles] == list(out.within)
    np.testing.assert_array_equal([s[2] for s in singles], out.working_days)


def test_vectorised_accepts_series_with_any_index(eng):
    index = [100 + i for i in range(len(MIXED))][::-1]
    received = pd.to_datetime(pd.Series([c[0] for c in MIXED], index=index), format="ISO8601")
    done = pd.to_datetime(pd.Series([c[1] for c in MIXED], index=index), format="ISO8601")
    n = pd.Series([c[2] for c in MIXED], index=index, dtype="float64")
    out = wc.within_standard(eng, received, done, n, AS_AT)
    np.testing.assert_array_equal(out.due, [c[3] for c in MIXED])
    np.testing.assert_array_equal(out.within, [c[4] for c in MIXED])


# --- time zones -----------------------------------------------------------------------------


def test_to_days_keeps_uk_local_day_of_aware_timestamps():
    stamps = pd.Series(pd.to_datetime(["2023-04-01 00:30"]).tz_localize("Europe/London"))
    assert wc.financial_year(stamps).tolist() == ["2023/24"]
    assert wc.to_days(stamps)[0] == np.datetime64("2023-04-01")


def test_to_days_of_naive_local_timestamps():
    stamps = pd.Series(pd.to_datetime(["2023-04-01 00:30", "2023-03-31 23:59", None]))
    out = wc.to_days(stamps)
    assert out.dtype == np.dtype("datetime64[D]")
    assert out[0] == np.datetime64("2023-04-01") and out[1] == np.datetime64("2023-03-31") and np.isnat(out[2])


# --- property -------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(received=st.dates(min_value=D(2000, 1, 1), max_value=D(2039, 11, 30)), n=st.integers(0, 20))
def test_property_response_on_day_n_is_within_and_one_later_is_not(eng, received, n):
    start = np.array([received], dtype="datetime64[D]")
    day_n = eng.add_working_days(start, n)
    one_later = eng.add_working_days(day_n, 1)
    assert eng.is_working_day(day_n)[0] and eng.is_working_day(one_later)[0]
    assert one_later[0] > day_n[0] >= start[0]
    out = wc.within_standard(eng, [start[0], start[0]], [day_n[0], one_later[0]], n, D(2041, 1, 1))
    np.testing.assert_array_equal(out.due, [True, True])
    np.testing.assert_array_equal(out.within, [True, False])
    np.testing.assert_array_equal(out.working_days, [n, n + 1])


def test_financial_years_and_the_year_mask():
    # 31 March 2023 23:59 is the last minute of 2022/23; 1 April 2023 00:00 the first of 2023/24.
    stamps = pd.Series(pd.to_datetime(["2023-03-31 23:59", "2023-04-01 00:00", None, "2025-01-15 12:00",
                                       "2023-04-01 08:00"]))
    assert wc.financial_years(stamps) == ["2022/23", "2023/24", "2024/25"]
    assert wc.in_financial_year(stamps, "2023/24").tolist() == [False, True, False, False, True]
    assert wc.in_financial_year(stamps, "2022/23").tolist() == [True, False, False, False, False]
    # A council whose year starts in January: 2023/24 is then 1 January 2023 to 31 December 2023.
    assert wc.in_financial_year(stamps, "2023/24", start_month=1).tolist() == [True, True, False, False, True]
