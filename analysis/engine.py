"""The heavy counting as SQL: contacts and calls reduced, in one pass each, to small tables ("cubes").

A large council has 10 million contacts and 15 million calls a year. Every figure the workbook
gives from them is a sum of a few yes/no facts about each record (received in the year, due,
answered within the standard, digital, resolved at first contact), by year, month and a few
breakdowns. So the records are never held in pandas: one SQL query per dataset decides those
facts for every record, by the contract's rules, and sums them by financial year, month,
channel, service and in-person place. The result has a few thousand rows whatever the size of
the council; :mod:`analysis.measures` turns it into the measure rows and monthly series with the
same functions as for every other dataset.

The records are read where they are: the Parquet files of the store (:class:`Records`), which
DuckDB scans without loading them into memory, or a pandas frame (the tests' hand-made records,
an ad-hoc notebook's subset), which it reads in place.

Working days come from a calendar table (:func:`working_days_frame`): for every day, how many
working days came before it. Working days between two days are the difference of their counts,
and "working day N after receipt" is before the as-at day exactly when the receipt's count plus
N is below the as-at day's count, so the rules of :func:`analysis.calendar.within_standard` need
two joins and arithmetic, not a loop.

The SQL is written to run on other engines too: plain joins, CASE, CAST, EXTRACT and SUM, with
``date_trunc`` the one function beyond the SQL standard (Spark, PostgreSQL and DuckDB all have
it). What is DuckDB's own is kept in :func:`connect`, :func:`scan` (reading Parquet files or a
frame, :func:`scan_numbered` with each record's position) and :func:`_columns` (a table's columns). README's "Speed" section says what running it on
Spark would take.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.calendar import WorkingCalendar
from analysis.config import Config

# The calendar table's span: wider than any date the loader accepts, so every record's days are in it.
CALENDAR_FIRST = np.datetime64("1970-01-01", "D")
CALENDAR_END = np.datetime64("2101-01-01", "D")
STANDARD_YEARS = range(1970, 2101)


@dataclass(frozen=True)
class Records:
    """A dataset's records as Parquet files (the store's), read by SQL without loading them into pandas."""

    name: str
    files: tuple[Path, ...]

    def __len__(self) -> int:
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(f).metadata.num_rows for f in self.files)


Source = pd.DataFrame | Records


# --- what is DuckDB's own -----------------------------------------------------------------------

def connect():
    """A new in-memory DuckDB database. Insertion order is not kept (no query here needs it), which lets
    DuckDB stream large scans in less memory."""
    import duckdb

    con = duckdb.connect(config={"preserve_insertion_order": False})
    return con


def scan(con, source: Source, name: str) -> str:
    """The SQL that reads ``source``: its Parquet files, or a frame registered under ``name``."""
    if isinstance(source, Records):
        files = ", ".join("'" + str(f).replace("'", "''") + "'" for f in source.files)
        return f"read_parquet([{files}], union_by_name = true)"
    con.register(name, _frame_for_sql(source))
    return name


def _columns(con, table: str) -> list[str]:
    """The columns of a table the connection can read."""
    return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {table}").fetchall()]


def columns(source: Source) -> list[str]:
    """The columns of a dataset's records."""
    con = connect()
    try:
        return _columns(con, scan(con, source, "columns_frame"))
    finally:
        con.close()


def scan_numbered(path: Path) -> str:
    """The SQL that reads one Parquet file with each record's position in it (0 for the first), as ``row``."""
    quoted = "'" + str(path).replace("'", "''") + "'"
    return f"(SELECT *, file_row_number AS row FROM read_parquet({quoted}, file_row_number = true))"


def _frame_for_sql(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as SQL reads it: timestamps with a time zone as the UK's local time (the calendar day is the UK
    day, as :func:`analysis.calendar.to_days` has it). The loader's own frames have none."""
    aware = [c for c in frame.columns if isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
    if not aware:
        return frame
    frame = frame.copy()
    for column in aware:
        frame[column] = frame[column].dt.tz_convert("Europe/London").dt.tz_localize(None)
    return frame


# --- the tables every query joins ----------------------------------------------------------------

def working_days_frame(calendar: WorkingCalendar) -> pd.DataFrame:
    """Every day from 1970 to 2100 with ``before``: how many working days come before it (Monday to Friday
    less the council's non-working days). A day on a weekend or holiday has the count of the next working
    day, so counting from it counts from that day, as the contract's "day 0" rule says."""
    days = np.arange(CALENDAR_FIRST, CALENDAR_END, dtype="datetime64[D]")
    working = np.is_busday(days, busdaycal=calendar.busdaycal)
    before = np.cumsum(working) - working
    return pd.DataFrame({"day": days.astype("datetime64[ns]"), "before": before.astype("int64")})


def standards_frame(config: Config) -> pd.DataFrame:
    """kind ('respond' or 'acknowledge'), channel, year_start, n: each channel's standard in each financial year."""
    rows = [(kind, channel, year, standard.for_year(year))
            for kind, standards in (("respond", config.respond_within), ("acknowledge", config.acknowledge_within))
            for channel, standard in standards.items() for year in STANDARD_YEARS]
    frame = pd.DataFrame(rows, columns=["kind", "channel", "year_start", "n"])
    return frame.dropna(subset=["n"]).astype({"year_start": "int64", "n": "int64"})


def year_start_sql(column: str, start_month: int) -> str:
    """SQL for the start year of the financial year a date falls in."""
    return (f"(EXTRACT(YEAR FROM {column}) - CASE WHEN EXTRACT(MONTH FROM {column}) < {int(start_month)} "
            "THEN 1 ELSE 0 END)")


def _as_at_before(con, as_at: dt.date | None) -> int:
    """The as-at day's count of working days before it (None: no as-at date, so nothing is yet overdue)."""
    if as_at is None:
        return -1
    day = np.datetime64(as_at, "D")
    return int(con.execute("SELECT before FROM working_days WHERE day = ?", [pd.Timestamp(day)]).fetchone()[0])


def _prepared(calendar: WorkingCalendar, config: Config):
    con = connect()
    con.register("working_days", working_days_frame(calendar))
    con.register("standards", standards_frame(config))
    return con


# --- contacts --------------------------------------------------------------------------------------

CONTACT_CUBE_KEYS = ["year_start", "month", "channel", "service", "location", "in_person_category"]
CONTACT_CUBE_SUMS = ["contacts", "responses_due", "responses_within", "acknowledgements_due",
                     "acknowledgements_within", "resolution_recorded", "resolved"]

CONTACT_CUBE_SQL = """
WITH records AS (
    SELECT CAST(received_at AS DATE) AS received,
           CAST(acknowledged_at AS DATE) AS acknowledged,
           CAST(responded_at AS DATE) AS responded,
           CAST(channel AS VARCHAR) AS channel,
           CAST(service AS VARCHAR) AS service,
           CASE WHEN CAST(channel AS VARCHAR) = 'in_person' THEN CAST(location AS VARCHAR) END AS location,
           CASE WHEN CAST(channel AS VARCHAR) = 'in_person' THEN CAST(category AS VARCHAR) END AS in_person_category,
           resolved_first_contact AS resolved
    FROM {contacts}
),
dated AS (
    SELECT records.*, {year_start} AS year_start FROM records
),
counted AS (
    SELECT dated.*,
           respond.n AS respond_n, acknowledge.n AS acknowledge_n,
           at_receipt.before AS received_before,
           at_response.before AS responded_before,
           at_acknowledgement.before AS acknowledged_before
    FROM dated
    LEFT JOIN standards AS respond
           ON respond.kind = 'respond' AND respond.channel = dated.channel AND respond.year_start = dated.year_start
    LEFT JOIN standards AS acknowledge
           ON acknowledge.kind = 'acknowledge' AND acknowledge.channel = dated.channel
          AND acknowledge.year_start = dated.year_start
    LEFT JOIN working_days AS at_receipt ON at_receipt.day = dated.received
    LEFT JOIN working_days AS at_response ON at_response.day = dated.responded
    LEFT JOIN working_days AS at_acknowledgement ON at_acknowledgement.day = dated.acknowledged
),
judged AS (
    -- Due: done, or not done with working day N before the as-at day. Within: done by working day N.
    SELECT year_start, date_trunc('month', received) AS month, channel, service, location, in_person_category,
           CASE WHEN respond_n IS NOT NULL AND received IS NOT NULL
                 AND (responded IS NOT NULL OR received_before + respond_n < {as_at_before}) THEN 1 ELSE 0 END
               AS response_due,
           CASE WHEN respond_n IS NOT NULL AND responded IS NOT NULL
                 AND responded_before - received_before <= respond_n THEN 1 ELSE 0 END AS response_within,
           CASE WHEN acknowledge_n IS NOT NULL AND received IS NOT NULL
                 AND (acknowledged IS NOT NULL OR received_before + acknowledge_n < {as_at_before}) THEN 1 ELSE 0 END
               AS acknowledgement_due,
           CASE WHEN acknowledge_n IS NOT NULL AND acknowledged IS NOT NULL
                 AND acknowledged_before - received_before <= acknowledge_n THEN 1 ELSE 0 END
               AS acknowledgement_within,
           CASE WHEN resolved IS NOT NULL THEN 1 ELSE 0 END AS resolution_recorded,
           CASE WHEN resolved THEN 1 ELSE 0 END AS resolved_now
    FROM counted
)
SELECT year_start, month, channel, service, location, in_person_category,
       COUNT(*) AS contacts,
       SUM(response_due) AS responses_due, SUM(response_within) AS responses_within,
       SUM(acknowledgement_due) AS acknowledgements_due, SUM(acknowledgement_within) AS acknowledgements_within,
       SUM(resolution_recorded) AS resolution_recorded, SUM(resolved_now) AS resolved
FROM judged
GROUP BY year_start, month, channel, service, location, in_person_category
"""


def contact_cube(contacts: Source, config: Config, calendar: WorkingCalendar, as_at: dt.date | None) -> pd.DataFrame:
    """The contacts summed by :data:`CONTACT_CUBE_KEYS`, with the counts of :data:`CONTACT_CUBE_SUMS`.

    ``year_start`` is the start year of the financial year of receipt (NaN: no date), ``month`` its first day;
    ``location`` and ``in_person_category`` are given for in-person visits only. Responses and
    acknowledgements follow :func:`analysis.calendar.within_standard` exactly, against each channel's
    standard in the year of receipt, with ``as_at`` the day up to which the data is complete.
    """
    con = _prepared(calendar, config)
    try:
        sql = CONTACT_CUBE_SQL.format(contacts=scan(con, contacts, "contacts_frame"),
                                      year_start=year_start_sql("received", config.year_start_month),
                                      as_at_before=_as_at_before(con, as_at))
        cube = con.execute(sql).df()
    finally:
        con.close()
    return _typed_cube(cube, CONTACT_CUBE_SUMS)


# --- calls -----------------------------------------------------------------------------------------

CALL_CUBE_SUMS = ["offered", "answered", "abandoned", "callback", "answered_within", "wait_total", "waits"]

CALL_CUBE_SQL = """
WITH records AS (
    SELECT CAST(offered_at AS DATE) AS offered_on, {answered} AS answered, {abandoned} AS abandoned,
           {callback} AS callback, CAST(wait_seconds AS DOUBLE) AS wait
    FROM {calls}
)
SELECT {year_start} AS year_start, date_trunc('month', offered_on) AS month,
       COUNT(*) AS offered,
       SUM(CASE WHEN answered THEN 1 ELSE 0 END) AS answered,
       SUM(CASE WHEN abandoned THEN 1 ELSE 0 END) AS abandoned,
       SUM(CASE WHEN callback THEN 1 ELSE 0 END) AS callback,
       SUM(CASE WHEN answered AND wait <= {within} THEN 1 ELSE 0 END) AS answered_within,
       SUM(CASE WHEN answered AND wait IS NOT NULL THEN wait ELSE 0 END) AS wait_total,
       SUM(CASE WHEN answered AND wait IS NOT NULL THEN 1 ELSE 0 END) AS waits
FROM records
GROUP BY 1, 2
"""


def call_cube(calls: Source, config: Config) -> tuple[pd.DataFrame, bool]:
    """The calls summed by financial year and month: (cube, whether the data records callbacks).

    As :func:`analysis.measures.call_outcomes`: with an ``outcome`` column that has any value, answered,
    abandoned and callback are its values; otherwise abandoned is every call not answered. ``waits`` counts
    the answered calls with a wait, ``wait_total`` their seconds. ``answered_within`` counts answered calls
    picked up within the phone standard (none without one).
    """
    con = connect()
    try:
        table = scan(con, calls, "calls_frame")
        outcome_given = "outcome" in _columns(con, table) and con.execute(
            f"SELECT COUNT(outcome) FROM {table}").fetchone()[0] > 0
        if outcome_given:
            outcome = "CAST(outcome AS VARCHAR)"
            flags = {"answered": f"COALESCE({outcome} = 'answered', FALSE)",
                     "abandoned": f"COALESCE({outcome} = 'abandoned', FALSE)",
                     "callback": f"COALESCE({outcome} = 'callback', FALSE)"}
        else:
            flags = {"answered": "COALESCE(answered, FALSE)", "abandoned": "NOT COALESCE(answered, FALSE)",
                     "callback": "FALSE"}
        within = config.phone_answer_within_seconds
        sql = CALL_CUBE_SQL.format(calls=table, year_start=year_start_sql("offered_on", config.year_start_month),
                                   within=-1 if within is None else float(within), **flags)
        cube = con.execute(sql).df()
    finally:
        con.close()
    cube = _typed_cube(cube, CALL_CUBE_SUMS)
    return cube, bool(outcome_given and cube["callback"].sum() > 0)


def _typed_cube(cube: pd.DataFrame, sums: list[str]) -> pd.DataFrame:
    cube = cube.astype({c: "float64" for c in sums + ["year_start"]})
    cube["month"] = pd.to_datetime(cube["month"])
    for column in cube.columns:
        if cube[column].dtype == object:
            cube[column] = cube[column].astype("object").where(cube[column].notna(), None)
    return cube.sort_values([c for c in cube.columns if c not in sums], na_position="last",
                            ignore_index=True)


# --- a dataset's span ----------------------------------------------------------------------------

def latest(source: Source, columns: list[str]) -> dt.date | None:
    """The latest timestamp in any of ``columns`` (the data's 'as at' date), as a date; None if there is none."""
    con = connect()
    try:
        table = scan(con, source, "span_frame")
        present = [c for c in columns if c in _columns(con, table)]
        if not present:
            return None
        found = con.execute("SELECT " + ", ".join(f"MAX({c})" for c in present) + f" FROM {table}").fetchone()
    finally:
        con.close()
    found = [pd.Timestamp(v) for v in found if v is not None and not pd.isna(v)]
    return max(found).date() if found else None


def year_starts(source: Source, column: str, start_month: int) -> list[int]:
    """The start years of the financial years ``column`` has dates in, in order."""
    con = connect()
    try:
        table = scan(con, source, "span_frame")
        day = f"CAST({column} AS DATE)"
        rows = con.execute(f"SELECT DISTINCT {year_start_sql(day, start_month)} FROM {table} "
                           f"WHERE {column} IS NOT NULL ORDER BY 1").fetchall()
    finally:
        con.close()
    return [int(r[0]) for r in rows]


# --- ad-hoc questions ------------------------------------------------------------------------------

class QueryError(ValueError):
    """SQL that could not be run, in words an analyst can act on."""


def query(sources: dict[str, Source], sql: str, calendar: WorkingCalendar | None = None,
          params: list | dict | None = None) -> pd.DataFrame:
    """Run ``sql`` over the datasets in ``sources`` (each a table named as the dataset) and return its result.

    The records stay where they are (the store's Parquet files are scanned, a frame is read in place): only
    the result comes back into pandas, so a query over every contact of four years needs the memory of its
    answer, not of the contacts. With ``calendar``, the table ``working_days`` (day, before) counts working days
    as the counting rules do: ``b.before - a.before`` working days from day ``a`` to day ``b``.
    """
    import duckdb

    con = connect()
    try:
        for name, source in sources.items():
            if source is None:
                continue
            if isinstance(source, Records):
                con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM {scan(con, source, name)}')
            else:
                scan(con, source, name)
        if calendar is not None:
            con.register("working_days", working_days_frame(calendar))
        try:
            return con.execute(sql, params).df() if params is not None else con.execute(sql).df()
        except duckdb.Error as exc:
            tables = ", ".join(sorted(n for n, s in sources.items() if s is not None))
            raise QueryError(f"The SQL could not be run: {str(exc).strip()}\n  The tables are: {tables}"
                             + (", working_days (day, before)" if calendar is not None else "")
                             + ". Each has the columns of the data contract.") from None
    finally:
        con.close()


# --- feedback --------------------------------------------------------------------------------------

FEEDBACK_CUBE_SQL = """
SELECT {year_start} AS year_start, channel, COUNT(rating) AS ratings,
       SUM(CASE WHEN rating = 'good' THEN 1 ELSE 0 END) AS good,
       SUM(CASE WHEN rating = 'poor' THEN 1 ELSE 0 END) AS poor
FROM (SELECT CAST(given_at AS DATE) AS given_on, CAST(channel AS VARCHAR) AS channel,
             CAST(rating AS VARCHAR) AS rating FROM {feedback}) AS records
GROUP BY 1, 2
"""


def feedback_cube(feedback: Source, config: Config) -> pd.DataFrame:
    """Feedback summed by financial year and channel: ratings given, good ones and poor ones."""
    con = connect()
    try:
        sql = FEEDBACK_CUBE_SQL.format(feedback=scan(con, feedback, "feedback_frame"),
                                       year_start=year_start_sql("given_on", config.year_start_month))
        cube = con.execute(sql).df()
    finally:
        con.close()
    cube = cube.astype({c: "float64" for c in ("year_start", "ratings", "good", "poor")})
    cube["channel"] = cube["channel"].astype("object").where(cube["channel"].notna(), None)
    return cube.sort_values(["year_start", "channel"], na_position="last", ignore_index=True)


# --- checks across files ---------------------------------------------------------------------------

def repeats_across_files(files: list[Path], key: list[str]) -> pd.DataFrame:
    """Records whose ``key`` (every column of it filled) appeared in an earlier file of the list: file (its
    index in ``files``), row (the record's position in that file) and the key's first column as text, in
    file and row order. Repeats within one file are not given (they are that file's own problem)."""
    con = connect()
    try:
        columns = ", ".join(f'"{c}"' for c in key)
        filled = " AND ".join(f'"{c}" IS NOT NULL' for c in key)
        parts = " UNION ALL ".join(f"SELECT {columns}, {i} AS file, row FROM {scan_numbered(path)}"
                                   for i, path in enumerate(files))
        sql = (f"SELECT file, row, CAST(\"{key[0]}\" AS VARCHAR) AS value FROM ("
               f"SELECT *, MIN(file) OVER (PARTITION BY {columns}) AS first_file FROM ({parts}) AS every_file "
               f"WHERE {filled}) AS keyed WHERE file > first_file ORDER BY file, row")
        return con.execute(sql).df()
    finally:
        con.close()


def repeats_in_file(path: Path, key: list[str]) -> pd.DataFrame:
    """Records of one Parquet file whose ``key`` (every column of it filled) another record of the same file
    has: row (the record's position in the file) and the key's values as text (joined by " + "), in row order."""
    con = connect()
    try:
        columns = ", ".join(f'"{c}"' for c in key)
        filled = " AND ".join(f'"{c}" IS NOT NULL' for c in key)
        value = " || ' + ' || ".join(f'CAST(numbered."{c}" AS VARCHAR)' for c in key)
        sql = (f"WITH numbered AS (SELECT {columns}, row FROM {scan_numbered(path)} AS records WHERE {filled}), "
               f"repeated AS (SELECT {columns} FROM numbered GROUP BY {columns} HAVING COUNT(*) > 1) "
               f"SELECT numbered.row AS row, {value} AS value FROM numbered JOIN repeated USING ({columns}) "
               "ORDER BY numbered.row")
        return con.execute(sql).df()
    finally:
        con.close()
