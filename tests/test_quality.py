"""`workbook check` writes a data-quality page for the analyst, and nothing into the data folder."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.config import load_config
from analysis.datasets import check_all
from analysis.quality import dataset_summary, missing_values, records_by_year
from conftest import run_cli, write_riverside


def _listing(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))


def test_quality_tables_by_hand(tmp_path):
    data = write_riverside(tmp_path / "data")
    datasets, problems = check_all(load_config(data))
    assert problems == []
    summary = dataset_summary(datasets, problems).set_index("Dataset")
    assert summary.loc["contacts", "Rows read"] == "18"  # 4 in 2022/23 + 14 in 2023/24
    assert summary.loc["contacts", "Columns not used"] == "Customer Name"
    assert summary.loc["contacts", "Files"] == "export_2022.csv, export_2023.csv"
    missing = missing_values(datasets).set_index(["Dataset", "Column"])
    # 16 of the 18 contacts have no place: only P3 and P4 were visits.
    assert missing.loc[("contacts", "location"), "Empty"] == "16"
    assert missing.loc[("contacts", "location"), "Empty (%)"] == f"{100 * 16 / 18:.1f}%"
    assert missing.loc[("contacts", "received_at"), "Required"] == "yes"
    by_year = records_by_year(datasets, "2023/24", today=dt.date(2024, 1, 1))
    contacts = by_year[by_year["Dataset"] == "contacts"].set_index("Year")
    assert contacts.loc["2022/23", "Records"] == "4" and contacts.loc["2022/23", "Note"].startswith("outside")
    assert contacts.loc["2023/24", "Records"] == "14" and contacts.loc["2023/24", "Note"] == ""
    # As if checked on 1 January 2024: the 13 contacts from then on are in the future.
    assert contacts.loc["in the future", "Records"] == str(
        int((datasets.contacts["received_at"] > pd.Timestamp("2024-01-01")).sum()))


def test_check_writes_the_page_outside_the_data_folder(tmp_path):
    data = write_riverside(tmp_path / "data")
    before = _listing(data)
    result = run_cli("check", "--data", str(data), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    page = tmp_path / "out" / "data-quality" / "data.html"
    assert f"Data-quality page: {page}" in result.stdout
    html = page.read_text()
    assert "Data quality: Riverside Borough Council" in html and "The data can be used." in html
    assert "Customer Name" in html and "Ann Example" not in html  # column names, never people's names
    assert _listing(data) == before  # nothing written into the data folder


def test_check_page_lists_every_problem(tmp_path):
    data = write_riverside(tmp_path / "data")
    calls = pd.read_parquet(data / "telephony" / "calls.parquet")
    calls.loc[0, "Queue Time"] = -5
    calls.to_parquet(data / "telephony" / "calls.parquet", index=False)
    result = run_cli("check", "--data", str(data), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    html = (tmp_path / "out" / "data-quality" / "data.html").read_text()
    assert "1 problem to fix before the workbook can run." in html
    assert "calls.parquet (calls), column &#39;wait_seconds&#39;" in html and "record 1" in html
