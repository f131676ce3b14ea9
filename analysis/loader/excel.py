"""Stage 2 of the loader, reading a workbook (.xlsx): sheets, header rows, merged cells.

The sheets council.toml names (``sheet``, ``sheets = "all"`` or a list; the first otherwise),
each as a grid of cells with merged ranges filled in, cut below its header to the wanted
columns. A financial year as a sheet's name gives the year column. Hands each sheet's raw
frame and :class:`SourceFile` back to :func:`analysis.loader.read._read_file`.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from itertools import zip_longest
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from analysis.config import year_label_text
from analysis.errors import DataError
from analysis.loader.layout import (
    _Layout,
    _cell_text,
    _check_header_row,
    _column_map,
    _empty_file,
    _find_header,
    _reason,
)
from analysis.loader.problems import SourceFile, _problem
from analysis.loader.rows import _row_context
from analysis.loader.schema import EXCEL_ERRORS, HEADER_SCAN_ROWS, SCHEMAS, _normalise_header


def _pick_sheet(names: list[str], sheet, ds: str, path: Path, key: str) -> str:
    listed = ", ".join(f'"{n}"' for n in names)
    if sheet is None:
        return names[0]
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return names[sheet]
        raise DataError([_problem(ds, path.name, (
            f"has no sheet number {sheet} (sheets are counted from 0); its sheets are {listed}"),
            f"set sheet under [datasets.{key}] in council.toml to one of those names, or a number from 0 "
            f"to {len(names) - 1}.")])
    if sheet in names:
        return sheet
    loose = {_normalise_header(n): n for n in names}
    if _normalise_header(sheet) in loose:
        return loose[_normalise_header(sheet)]
    raise DataError([_problem(ds, path.name, f'has no sheet called "{sheet}"; its sheets are {listed}',
                              f"set sheet under [datasets.{key}] in council.toml to one of those names.")])


def _read_excel(path: Path, ds: str, layout: _Layout, spec, header_row: int | None,
                ) -> list[tuple[pd.DataFrame, SourceFile]]:
    """The sheets of a workbook that council.toml names (``sheet``, or ``sheets`` = "all" or a list;
    the first sheet otherwise), each as a frame and its source. With ``sheets = "all"``, a sheet with
    none of the dataset's columns (a key, a notes page) is left out."""
    import openpyxl

    def damaged(exc: Exception) -> DataError:
        return DataError([_problem(ds, path.name, (
            f"could not be opened as an Excel workbook: it is damaged or incomplete ({_reason(exc)})"), (
            "open it in Excel and save it again as Excel Workbook (.xlsx), or export it again. A file still "
            "being copied or downloaded is incomplete too."))])

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # zipfile, XML and openpyxl errors: all mean the same to the user
        raise damaged(exc) from None
    sheets = spec.sheets if spec else None
    try:
        names = tuple(book.sheetnames)
        if sheets == "all":
            titles = list(names)
        elif sheets:
            titles = list(dict.fromkeys(_pick_sheet(list(names), name, ds, path, layout.key) for name in sheets))
        else:
            titles = [_pick_sheet(list(names), spec.sheet if spec else None, ds, path, layout.key)]
        grids = {}
        for title in titles:
            worksheet = book[title]
            worksheet.reset_dimensions()  # a wrong <dimension> must not cut the data short
            grids[title] = _grid(list(worksheet.iter_rows(values_only=True)))
    except DataError:
        raise
    except Exception as exc:
        raise damaged(exc) from None
    finally:
        book.close()
    parts = []
    for title, grid in grids.items():
        frame, source = _sheet_frame(path, ds, layout, title, grid, header_row, names)
        if sheets == "all" and not source.headers:
            continue  # a sheet of notes beside the plan
        source.several_sheets = len(titles) > 1
        parts.append((frame, source))
    if not parts:
        frame, source = _sheet_frame(path, ds, layout, titles[0], grids[titles[0]], header_row, names)
        parts.append((frame, source))
    return parts


def _sheet_frame(path: Path, ds: str, layout: _Layout, title: str, grid: np.ndarray, header_row: int | None,
                 names: tuple[str, ...]) -> tuple[pd.DataFrame, SourceFile]:
    """One sheet's grid -> the wanted columns below its header, with each row's context (see _row_context).

    A financial year as the sheet's name ("2023-24") gives the year column when the sheet has none."""
    for first_col, first_row, last_col, last_row in _merged_ranges(path, title):
        if first_row <= grid.shape[0] and first_col <= grid.shape[1]:
            grid[first_row - 1:last_row, first_col - 1:last_col] = grid[first_row - 1, first_col - 1]
    if not grid.size or not pd.notna(grid).any():
        raise _empty_file(ds, path, layout.key, f'its sheet "{title}" has no header row and no data')
    _check_header_row(ds, path, layout.key, header_row, grid.shape[0])
    index = _find_header(list(grid[:max(HEADER_SCAN_ROWS, header_row or 0)]), layout, header_row)
    headers = [_cell_text(c) for c in grid[index]]
    mapping = _column_map(headers, layout)
    source = SourceFile(path, index + 2, "row", headers={t: headers[p] for p, t in mapping.items()},
                        all_headers=tuple(headers), header_row=index + 1, sheet=title, sheets=names)
    if not mapping:
        return pd.DataFrame(), source
    positions = sorted(mapping)
    body = grid[index + 1:]
    frame = pd.DataFrame(body[:, positions], columns=[mapping[p] for p in positions], dtype=object)
    frame = frame.replace(EXCEL_ERRORS, None)  # #N/A, #REF! ... are empty, as pandas reads them
    year = year_label_text(title)
    for col in SCHEMAS[ds]:
        if col.kind == "year" and col.name not in frame.columns and year is not None:
            frame[col.name] = year
            source.headers[col.name] = f'the sheet\'s name, "{title}"'
    source.context = _row_context([pd.Series(body[:, j], dtype=object).replace(EXCEL_ERRORS, None)
                                   for j in range(body.shape[1])])
    return frame, source


def _grid(rows: list[tuple]) -> np.ndarray:
    """Rows of a sheet (of any lengths) -> a 2-D object array, padded with None."""
    if not rows:
        return np.empty((0, 0), dtype=object)
    columns = list(zip_longest(*rows, fillvalue=None))
    grid = np.empty((len(rows), len(columns)), dtype=object)
    for j, values in enumerate(columns):
        grid[:, j] = values
    return grid


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)"')
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _merged_ranges(path: Path, title: str) -> list[tuple[int, int, int, int]]:
    """(first column, first row, last column, last row) of each merged range of a sheet, 1-based.

    Read from the sheet's XML (openpyxl's read-only mode, used for speed, does not
    keep them); a workbook laid out unusually just gives none.
    """
    from openpyxl.utils.cell import range_boundaries

    try:
        with zipfile.ZipFile(path) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            rid = next(s.get(f"{_REL}id") for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == title)
            target = next(r.get("Target") for r in relations if r.get("Id") == rid)
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            refs: set[bytes] = set()
            tail = b""
            with archive.open(member) as part:
                for block in iter(lambda: part.read(1 << 20), b""):
                    chunk = tail + block
                    refs.update(_MERGE.findall(chunk))
                    tail = chunk[-256:]
    except Exception:  # no merges is always a safe answer
        return []
    ranges = []
    for ref in refs:
        text = ref.decode()
        bounds = range_boundaries(text if ":" in text else f"{text}:{text}")
        if bounds[2] > bounds[0] or bounds[3] > bounds[1]:
            ranges.append(bounds)
    return sorted(ranges)
