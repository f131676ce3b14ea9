"""The store of files read (analysis.loader.cache) and SQL over it (analysis.engine, Workbook.sql).

Every test here has a store of its own (``store``), so what one test stores no other can find.
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest

from analysis import engine
from analysis.calendar import WorkingCalendar
from analysis.config import load_config
from analysis.loader import cache, load
from analysis.loader.load import check_all, load_all
from analysis.workbook import prepare
from conftest import SAMPLE, write_riverside


@pytest.fixture
def store(tmp_path, monkeypatch):
    folder = tmp_path / "store"
    monkeypatch.setenv("WORKBOOK_CACHE", str(folder))
    return folder


@pytest.fixture
def reads(monkeypatch):
    """The files read, parsed and validated (not taken from the store), by name, in order."""
    seen = []
    original = load._read_parse_validate

    def recorded(path, ds, key, config, folder=None):
        seen.append(path.name)
        return original(path, ds, key, config, folder)

    monkeypatch.setattr(load, "_read_parse_validate", recorded)
    return seen


def _frames(datasets):
    return {name: datasets.get(name) for name in datasets.loaded}


def test_a_second_run_reads_no_file_and_gives_the_same_records(tmp_path, store, reads):
    data = write_riverside(tmp_path / "data")
    first = load_all(load_config(data))
    assert sorted(reads) == sorted(["export_2022.csv", "export_2023.csv", "calls.parquet", "Action Plan.xlsx",
                                    "register.csv", "complaints.csv", "feedback.csv", "survey.csv", "panel.csv",
                                    "panel_invitations.csv", "population.csv", "manual_measures.csv"])
    reads.clear()
    second = load_all(load_config(data))
    assert reads == []
    for name, frame in _frames(first).items():
        pd.testing.assert_frame_equal(frame, second.get(name), check_categorical=True, obj=name)
    assert second.loaded["contacts"].columns_read == first.loaded["contacts"].columns_read
    assert [str(w) for w in second.warnings] == [str(w) for w in first.warnings]
    # The records are in the store as Parquet, one file per part: the two CRM exports are two.
    assert [p.suffix for p in second.loaded["contacts"].parts] == [".parquet", ".parquet"]
    assert all(p.is_relative_to(store) for p in second.loaded["contacts"].parts)


def test_correcting_one_file_reads_only_that_file_again(tmp_path, store, reads):
    data = write_riverside(tmp_path / "data")
    load_all(load_config(data))
    reads.clear()
    complaints = data / "complaints.csv"
    complaints.write_bytes(complaints.read_bytes() + b"\n")  # saved again: new bytes, same records
    load_all(load_config(data))
    assert reads == ["complaints.csv"]
    reads.clear()
    os.utime(data / "feedback.csv", (1_000_000_000, 1_000_000_000))  # a new date, the same bytes: no read
    load_all(load_config(data))
    assert reads == []
    # Only the newest entry of a file is kept.
    entries = [p for p in store.iterdir() for _ in p.iterdir()]
    assert len(entries) == len(list(store.iterdir())) == 12


def test_settings_that_change_how_a_file_is_read_read_it_again(tmp_path, store, reads):
    data = write_riverside(tmp_path / "data")
    load_all(load_config(data))
    toml = data / "council.toml"
    reads.clear()
    # A setting no file is read by (the committee's name, a standard) reads nothing again.
    toml.write_text(toml.read_text() + '\n[committee]\nname = "Overview and Scrutiny Committee"\n')
    load_all(load_config(data))
    assert reads == []
    # A rename under [datasets.contacts] reads the contacts again, and only them.
    text = toml.read_text().replace('"Site" = "location"', '"Site" = "location", "Customer Name" = "ward"')
    assert text != toml.read_text()
    toml.write_text(text)
    load_all(load_config(data))
    assert sorted(reads) == ["export_2022.csv", "export_2023.csv"]


def test_a_broken_file_says_the_same_from_the_store(tmp_path, store, reads):
    data = write_riverside(tmp_path / "data")
    complaints = data / "complaints.csv"
    lines = complaints.read_text().splitlines()
    lines[2] = lines[2].replace("2023", "20x3", 1)  # a date that is no date, on the file's row 3
    complaints.write_text("\n".join(lines) + "\n")
    _, problems = check_all(load_config(data))
    said = [str(p) for p in problems]
    assert any("complaints.csv (complaints)" in text and "row 3" in text for text in said), said
    reads.clear()
    _, again = check_all(load_config(data))
    assert reads == []
    assert [str(p) for p in again] == said
    # A file with problems is read again when council.toml changes at all: its messages may quote its lines.
    (data / "council.toml").write_text((data / "council.toml").read_text() + "\n# a comment\n")
    check_all(load_config(data))
    assert reads == ["complaints.csv"]


def test_without_a_store_the_records_stay_in_memory(tmp_path, store, monkeypatch, reads):
    data = write_riverside(tmp_path / "data")
    stored = load_all(load_config(data))
    monkeypatch.setenv("WORKBOOK_CACHE", "off")
    first = load_all(load_config(data))
    assert first.loaded["contacts"].parts == ()
    assert isinstance(first.records("contacts"), pd.DataFrame)
    load_all(load_config(data))
    assert len(reads) == 36  # every file, each time
    # The same frames, to the dtype and the order of each category's values (the contacts from two files).
    for name, frame in _frames(first).items():
        pd.testing.assert_frame_equal(frame, stored.get(name), check_categorical=True, obj=name)


def test_a_store_that_cannot_be_written_is_no_error(tmp_path, monkeypatch):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    monkeypatch.setenv("WORKBOOK_CACHE", str(in_the_way / "store"))  # no folder can be made under a file
    datasets = load_all(load_config(write_riverside(tmp_path / "data")))
    assert datasets.loaded["contacts"].parts == () and len(datasets.get("contacts")) == 18


def test_a_store_whose_files_were_deleted_reads_the_files_again(tmp_path, store, reads):
    data = write_riverside(tmp_path / "data")
    load_all(load_config(data))
    for parquet in store.rglob("*.parquet"):
        parquet.unlink()
    reads.clear()
    datasets = load_all(load_config(data))
    assert len(reads) == 12 and len(datasets.get("contacts")) == 18


def test_the_figures_are_the_same_from_the_store_as_from_memory(tmp_path, store, monkeypatch):
    data = shutil.copytree(SAMPLE, tmp_path / "sample")
    stored = prepare(data)
    assert isinstance(stored.data.records("contacts"), engine.Records)
    monkeypatch.setenv("WORKBOOK_CACHE", "off")
    in_memory = prepare(data)
    pd.testing.assert_frame_equal(stored.measures, in_memory.measures)
    assert stored.monthly.keys() == in_memory.monthly.keys()
    for measure_id, series in stored.monthly.items():
        pd.testing.assert_frame_equal(series, in_memory.monthly[measure_id])
    assert stored.facts["not_yet_due"] == in_memory.facts["not_yet_due"]
    pd.testing.assert_frame_equal(stored.facts["in_person_purposes"], in_memory.facts["in_person_purposes"])


# --- SQL over the records ------------------------------------------------------------------------

def test_sql_counts_every_record_without_loading_them(tmp_path, store):
    data = write_riverside(tmp_path / "data")
    wb = prepare(data, "2023/24")
    assert "frame" not in wb.data.loaded["contacts"].__dict__  # the run never loaded the contacts
    counts = wb.sql("SELECT channel, COUNT(*) AS contacts FROM contacts "
                    "WHERE received_at >= DATE '2023-04-01' GROUP BY channel ORDER BY contacts DESC, channel")
    assert "frame" not in wb.data.loaded["contacts"].__dict__
    # 14 contacts in 2023/24 (RIVERSIDE_EXPECTED), 5 of them emails; the rest from the hand-made table.
    assert counts["contacts"].sum() == 14
    assert counts.iloc[0].tolist() == ["email", 5]
    frame = wb.data.contacts
    expected = frame[frame["received_at"] >= "2023-04-01"]["channel"].astype(str).value_counts()
    assert dict(zip(counts["channel"], counts["contacts"])) == expected.to_dict()


def test_sql_has_a_working_day_calendar(tmp_path, store):
    wb = prepare(write_riverside(tmp_path / "data"), "2023/24")
    days = wb.sql("SELECT day, before FROM working_days WHERE day IN "
                  "(DATE '2023-12-22', DATE '2023-12-23', DATE '2024-01-02', DATE '2024-01-03') ORDER BY day")
    before = dict(zip(days["day"].dt.date.astype(str), days["before"]))
    # Riverside closes from 27 to 29 December 2023 (council.toml); with Christmas Day, Boxing Day, New Year's
    # Day and the weekends, the next working day after Friday 22 December is Tuesday 2 January: one working
    # day apart. A Saturday counts as the next working day (day 0 rule), so 23 December has 2 January's count.
    assert before["2024-01-02"] - before["2023-12-22"] == 1
    assert before["2023-12-23"] == before["2024-01-02"]
    assert before["2024-01-03"] - before["2024-01-02"] == 1
    assert np.busday_count(np.datetime64("2023-12-22"), np.datetime64("2024-01-02"),
                           busdaycal=wb.calendar.busdaycal) == 1


def test_sql_that_cannot_run_says_why_and_names_the_tables(tmp_path, store):
    wb = prepare(write_riverside(tmp_path / "data"), "2023/24")
    with pytest.raises(engine.QueryError) as caught:
        wb.sql("SELECT customer_name FROM contacts")
    message = str(caught.value)
    assert message.startswith("The SQL could not be run:") and "customer_name" in message
    assert "contacts" in message and "calls" in message and "working_days (day, before)" in message


def test_a_frame_can_be_queried_too():
    frame = pd.DataFrame({"channel": ["email", "phone", "email"], "n": [1, 2, 3]})
    result = engine.query({"contacts": frame}, "SELECT channel, SUM(n) AS n FROM contacts GROUP BY 1 ORDER BY 1")
    assert result.to_dict("list") == {"channel": ["email", "phone"], "n": [4, 2]}


def test_the_calendar_table_agrees_with_numpy_on_every_day_of_a_year():
    calendar = WorkingCalendar.for_council(load_config(SAMPLE))
    table = engine.working_days_frame(calendar).set_index("day")["before"]
    days = np.arange(np.datetime64("2023-04-01"), np.datetime64("2024-05-01"))
    start = np.datetime64("2023-04-01")
    got = table.loc[days.astype("datetime64[ns]")].to_numpy() - table.loc[np.datetime64(start, "ns")]
    assert (got == np.busday_count(start, days, busdaycal=calendar.busdaycal)).all()


def test_the_templates_sql_example_counts_as_the_calendar_does(tmp_path, store):
    """The ad-hoc template's example: contacts of the year by channel and the mean working days to a response,
    checked against the records in pandas and numpy's working-day count."""
    from analysis.adhoc import SQL_EXAMPLE, new_question_notebook

    cell = next(c for c in new_question_notebook("Q?", str(SAMPLE), tmp_path / "q.ipynb").cells
                if c.source == SQL_EXAMPLE)
    assert cell.metadata["tags"] == ["analyst-only"]  # never on the members' page
    wb = prepare(SAMPLE)
    space = {"wb": wb}
    exec(SQL_EXAMPLE.replace("wb.sql(", "result = wb.sql(", 1), space)
    result = space["result"].set_index("channel")
    contacts = wb.data.contacts
    first, last = wb.year_bounds
    year = contacts[(contacts["received_at"].dt.date >= first) & (contacts["received_at"].dt.date <= last)]
    assert result["contacts"].to_dict() == year["channel"].astype(str).value_counts().to_dict()
    answered = year[year["responded_at"].notna()]
    days = wb.calendar.working_days_between(answered["received_at"].to_numpy().astype("datetime64[D]"),
                                            answered["responded_at"].to_numpy().astype("datetime64[D]"))
    expected = pd.Series(days).groupby(answered["channel"].astype(str).to_numpy()).mean()
    pd.testing.assert_series_equal(result["mean_working_days"].sort_index(), expected.sort_index(),
                                   check_names=False)


def test_the_data_quality_page_counts_the_same_from_the_store(tmp_path, store, monkeypatch):
    """Empty values per column and records per year: by SQL over the store, as from the frames in memory."""
    from analysis import quality

    data = write_riverside(tmp_path / "data")
    stored, _ = check_all(load_config(data))
    assert isinstance(stored.records("calls"), engine.Records)
    monkeypatch.setenv("WORKBOOK_CACHE", "off")
    in_memory, _ = check_all(load_config(data))
    today = pd.Timestamp("2024-01-01").date()  # some records are "in the future" from here
    for made in (quality.missing_values, lambda d: quality.records_by_year(d, "2023/24", today)):
        pd.testing.assert_frame_equal(made(stored), made(in_memory))
    by_year = quality.records_by_year(stored, "2023/24", today)
    contacts = by_year[by_year["Dataset"] == "contacts"].set_index("Year")["Records"].to_dict()
    # 4 contacts in 2022/23 and 14 in 2023/24 (RIVERSIDE_EXPECTED); those after 1 January 2024 are "in the future".
    assert (contacts["2022/23"], contacts["2023/24"]) == ("4", "14") and "in the future" in contacts


def test_a_record_in_two_files_is_found_over_the_store_as_in_memory(tmp_path, store, monkeypatch):
    """The cross-file check of case references runs as SQL over the store; its message is the same, rows and
    all, as the check over the frames in memory."""
    data = write_riverside(tmp_path / "data")
    earlier = (data / "crm" / "export_2022.csv").read_text().splitlines()
    later = data / "crm" / "export_2023.csv"
    lines = later.read_text().splitlines()
    # The second and fourth records of 2022's export appear again as rows 3 and 6 of 2023's.
    lines[2:2] = [earlier[2]]
    lines[5:5] = [earlier[4]]
    later.write_text("\n".join(lines) + "\n")
    _, stored = check_all(load_config(data))
    said = [str(p) for p in stored if "earlier file" in str(p)]
    assert len(said) == 1 and "export_2023.csv (contacts), column 'contact_id'" in said[0]
    assert "2 rows: rows 3, 6" in said[0]
    monkeypatch.setenv("WORKBOOK_CACHE", "off")
    _, in_memory = check_all(load_config(data))
    assert [str(p) for p in in_memory if "earlier file" in str(p)] == said
