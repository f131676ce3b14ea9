"""Write the corpus's binary files (Excel workbooks, a damaged Parquet file) and its FixMyStreet case.

The files are small and kept in the repository, so that ``workbook check --data
tests/broken/NAME`` can be tried by hand; run this script again to remake them
after changing it:

    .venv/bin/python tests/broken/make_files.py
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import openpyxl
import pandas as pd

HERE = Path(__file__).resolve().parent
TOML = '[council]\nname = "Broken Borough Council"\n'


def _workbook(rows, merges=(), title="Plan") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


PLAN = [
    ["Customer Care Strategy Action Plan 2023/24"],                                       # row 1, merged A1:F1
    [],                                                                                    # row 2
    ["Theme", "Plan year", "Ref", "Action", "Status ", "Target date"],                     # row 3: the header
    ["Customer care standards", "2023/24", "1a", "Publish the standards", "Achieved", "30/06/2023"],
    [None, "2023/24", "1b", "Train every front-line officer", "in progress", "31/02/2024"],  # row 5: no such day
    [None, "2023/24", "1c", None, "Achieved", None],                                       # row 6: no action
    [],                                                                                    # row 7: blank
    ["Accessible services ", "2023/24", "2a", "Easy-read leaflets", "On hold", None],      # row 8: unknown label
]


def write(folder_name: str, files: dict[str, bytes | str], toml: str = "") -> None:
    folder = HERE / folder_name
    folder.mkdir(exist_ok=True)
    (folder / "council.toml").write_text(TOML + toml, encoding="utf-8")
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def main() -> None:
    rng = random.Random(6)
    good = _workbook([["plan_year", "action_id", "theme", "action", "status"],
                      ["2023/24", "1", "Standards", "Publish standards", "Achieved"]])

    write("corrupt-xlsx-random-bytes", {"action_plan.xlsx": bytes(rng.randrange(256) for _ in range(600))})
    write("corrupt-xlsx-truncated", {"action_plan.xlsx": good[: len(good) // 2]})
    write("xls-named-xlsx", {"action_plan.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)})

    calls = pd.DataFrame({"call_id": ["K1", "K2"], "offered_at": pd.to_datetime(["2023-04-03 09:00"] * 2),
                          "answered": [True, False], "wait_seconds": [12.0, 40.0]})
    buffer = io.BytesIO()
    calls.to_parquet(buffer, index=False)
    write("corrupt-parquet", {"calls.parquet": buffer.getvalue()[:-40]})  # the footer cut off

    write("excel-title-rows", {"Action Plan 2023-24.xlsx": _workbook(PLAN, merges=["A1:F1", "A4:A6"])}, (
        '\n[action_plan]\nthemes = ["Customer care standards", "Accessible services"]\n\n'
        '[datasets.action_plan]\npath = "Action Plan 2023-24.xlsx"\n\n'
        '[datasets.action_plan.columns]\n"Plan year" = "plan_year"\n"Ref" = "action_id"\n"Target date" = "due"\n'))

    write("wrong-sheet", {"action_plan.xlsx": _workbook([["plan_year"]], title="Plan 2023-24")},
          '\n[datasets.action_plan]\nsheet = "Plan 2023/24"\n')

    fms_header = ("Report ID,Title,Detail,User Name,Category,Created,Confirmed,Acknowledged,Fixed,Closed,Status,"
                  "Latitude,Longitude,Query,Ward,Easting,Northing,Report URL,Device Type,Site Used,Reported As\n")
    fms_rows = [
        "81234,Pothole,Deep hole by the school,Ann Person,Potholes,2023-04-03T08:00:00,2023-04-03T08:05:00,"
        "2023-04-04T09:00:00,2023-04-12T10:00:00,2023-04-07T10:00:00,closed,51.5,-0.1,SW1A 1AA,Abbey,530000,"
        "180000,https://example.invalid/report/81234,website,fixmystreet,",
        "81235,Fly-tip,Mattress,Bob Person,Fly-tipping,2023-04-05T08:00:00,2023-04-05T08:05:00,,,"
        "last Tuesday,closed,51.5,-0.1,,Castle,530000,180000,https://example.invalid/report/81235,app,fixmystreet,",
        "81236,Light out,Dark road,(anonymous),Street lighting,2023-04-05T09:00:00,2023-04-05T09:05:00,,,,"
        "confirmed,51.5,-0.1,,Abbey,530000,180000,https://example.invalid/report/81236,app,fixmystreet,",
    ]
    write("fixmystreet-beside-crm", {
        "crm/contacts.csv": ("contact_id,received_at,channel,service\n81236,2023-04-05 09:10,report_it,Highways\n"
                             "E1,2023-04-05 10:00,email,Waste\n"),
        "fixmystreet/export.csv": fms_header + "\n".join(fms_rows) + "\n",
    }, '\n[datasets.contacts]\npath = "crm/*.csv"\n\n[datasets.report_it]\npath = "fixmystreet/*.csv"\n')


if __name__ == "__main__":
    main()
