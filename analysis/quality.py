"""The data-quality page `workbook check` writes for the analyst: what was read, what is wrong, what is missing.

For each dataset: the files and rows read, the columns left unread, every problem
(with rows and how to fix it), the missing values in each column, and the records
dated outside the year being reported. It is an analyst's page, not a members' one,
but it shows no record's content beyond the values a problem quotes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from analysis import engine
from analysis.calendar import financial_year, year_label
from analysis.config import DATASET_NAMES, Config
from analysis.datasets import SCHEMAS, Datasets, Problem
from analysis.engine import Records

DATE_OF = {"contacts": "received_at", "calls": "offered_at", "complaints": "received_at", "feedback": "given_at",
           "panel_invitations": "invited_on", "panel": "joined_on", "ombudsman": "decided_on"}
YEAR_OF = {"action_plan": "plan_year", "survey": "survey_year", "manual_measures": "year", "commentary": "year"}


def dataset_summary(datasets: Datasets, problems: list[Problem]) -> pd.DataFrame:
    """One row per dataset: status, files, rows read, problems, columns not used."""
    rows = []
    for name in DATASET_NAMES:
        item = datasets.loaded.get(name)
        found = [p for p in problems if p.dataset == name]
        fatal = sum(p.fatal for p in found)
        if item is not None:
            status = "read, with warnings" if found else "read"
        elif fatal:
            status = "not read: problems to fix"
        else:
            status = "not present"
        rows.append({
            "Dataset": name,
            "Status": status,
            "Files": ", ".join(p.name for p in item.files) if item else ", ".join(sorted({p.file for p in found})),
            "Rows read": f"{item.rows:,}" if item else "",
            "Problems": f"{fatal} to fix, {len(found) - fatal} warnings" if found else "none",
            "Columns not used": ", ".join(item.ignored_columns) if item else "",
        })
    return pd.DataFrame(rows)


def missing_values(datasets: Datasets) -> pd.DataFrame:
    """Empty values in every column of every dataset read (required columns are never empty)."""
    rows = []
    for name, item in datasets.loaded.items():
        missing, length = _empty_counts(datasets.records(name))
        required = {c.name for c in SCHEMAS[name] if c.required}
        for column, count in missing.items():
            rows.append({
                "Dataset": name, "Column": column, "Required": "yes" if column in required else "no",
                "Empty": f"{int(count):,}",
                "Empty (%)": f"{100 * count / length:.1f}%" if length else "",
            })
    return pd.DataFrame(rows, columns=["Dataset", "Column", "Required", "Empty", "Empty (%)"])


def records_by_year(datasets: Datasets, year: str | None, today: dt.date | None = None) -> pd.DataFrame:
    """Records per financial year in every dated dataset, marking those outside ``year`` and any in the future."""
    config = datasets.config
    today = pd.Timestamp(today or dt.date.today())
    rows = []
    for name in DATASET_NAMES:
        records = datasets.records(name)
        if isinstance(records, Records) and name in DATE_OF:
            counts, future = _year_counts(records, DATE_OF[name], config.year_start_month, today)
            if counts.empty:
                continue
            for label, count in counts.items():
                rows.append({"Dataset": name, "Year": label, "Records": f"{int(count):,}",
                             "Note": "" if year is None or label == year else "outside the year being reported"})
            if future:
                rows.append({"Dataset": name, "Year": "in the future", "Records": f"{future:,}",
                             "Note": f"dated after today ({today:%d %B %Y}): check the export"})
            continue
        frame = datasets.get(name)
        if frame is None or frame.empty:
            continue
        if name in DATE_OF:
            dates = frame[DATE_OF[name]]
            years = financial_year(dates, config.year_start_month)
            future = int((dates > today).sum())
        elif name in YEAR_OF:
            years = frame[YEAR_OF[name]].astype("string")
            future = 0
        else:
            continue
        counts = years.value_counts(dropna=False).sort_index()
        for label, count in counts.items():
            label = "no date" if pd.isna(label) else str(label)
            rows.append({"Dataset": name, "Year": label, "Records": f"{int(count):,}",
                         "Note": "" if year is None or label == year else "outside the year being reported"})
        if future:
            rows.append({"Dataset": name, "Year": "in the future", "Records": f"{future:,}",
                         "Note": f"dated after today ({today:%d %B %Y}): check the export"})
    return pd.DataFrame(rows, columns=["Dataset", "Year", "Records", "Note"])


def _empty_counts(records) -> tuple[pd.Series, int]:
    """(empty values in each column, records): by SQL over the store, without loading the records."""
    if not isinstance(records, Records):
        return records.isna().sum(), len(records)
    columns = engine.columns(records)
    counts = engine.query({"records": records}, "SELECT COUNT(*) AS records, " + ", ".join(
        f'COUNT("{c}") AS "{c}"' for c in columns) + " FROM records").iloc[0]
    length = int(counts["records"])
    return pd.Series({c: length - int(counts[c]) for c in columns}), length


def _year_counts(records, column: str, start_month: int, today: pd.Timestamp) -> tuple[pd.Series, int]:
    """(records per financial year, oldest first, then "no date"; records dated after today), by SQL."""
    day = f"CAST({column} AS DATE)"
    counted = engine.query({"records": records}, (
        f"SELECT {engine.year_start_sql(day, start_month)} AS year_start, COUNT(*) AS records, SUM(CASE WHEN {column} > ? THEN 1 ELSE 0 END) AS future "
        "FROM records GROUP BY 1 ORDER BY 1 NULLS LAST"), params=[today.to_pydatetime()])
    labels = [year_label(int(s)) if not pd.isna(s) else "no date" for s in counted["year_start"]]
    return pd.Series(counted["records"].to_numpy(), index=labels), int(counted["future"].fillna(0).sum())


def write_quality_page(config: Config, datasets: Datasets, problems: list[Problem], year: str | None,
                       path: Path) -> Path:
    """Write the analyst's data-quality page (atomically) and return its path."""
    from analysis.present import paragraph, table
    from analysis.publish import _environment, _write_atomic

    def shown(frame: pd.DataFrame, caption: str, numeric=()) -> str:
        return table(frame, caption, numeric=numeric) if not frame.empty else paragraph("No dataset could be read.")

    fatal = [p for p in problems if p.fatal]
    verdict = (f"{len(fatal)} problem{'s' if len(fatal) != 1 else ''} to fix before the workbook can run."
               if fatal else "The data can be used." + (f" {len(problems)} warnings to look at." if problems else ""))
    html = _environment().get_template("quality.html.j2").render(
        council=config.name, folder=str(config.folder), checked=dt.datetime.now().strftime("%d %B %Y at %H:%M"),
        year=year, verdict=verdict, sample=config.sample,
        summary=table(dataset_summary(datasets, problems), "Each dataset: what was read"),
        problems=[{"text": str(p), "fatal": p.fatal} for p in problems],
        missing=shown(missing_values(datasets), "Empty values in each column", numeric=("Empty", "Empty (%)")),
        by_year=shown(records_by_year(datasets, year), "Records in each financial year", numeric=("Records",)),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, html)
    return path

