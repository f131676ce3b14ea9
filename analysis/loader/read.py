"""Stage 2 of the loader, reading one file: CSV and Parquet here, workbooks in :mod:`analysis.loader.excel`.

:func:`_read_file` checks the file is what its extension says, reads only the contract's
columns as raw values (CSV: UTF-8, then Windows-1252, or UTF-16 with a byte-order mark),
then leaves out the rows that are not data (:mod:`analysis.loader.rows`). Hands on, for
each part read, the raw frame named as in the contract, its :class:`SourceFile`, the
columns left unread, and warnings; a file that cannot be read at all raises DataError.
"""

from __future__ import annotations

import codecs
import collections
import copy
import csv
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import ID_FROM_ROW, Config
from analysis.errors import DataError
from analysis.loader.excel import _read_excel
from analysis.loader.layout import (
    _Layout,
    _cell_text,
    _check_header_row,
    _column_map,
    _empty_file,
    _find_header,
    _head,
    _layout,
    _reason,
)
from analysis.loader.problems import Problem, SourceFile, _problem
from analysis.loader.rows import ROW_BLANK, ROW_FIRST, ROW_ONE_VALUE, _row_context, _skip_configured, _skip_non_data
from analysis.loader.schema import EXCEL_SUFFIXES, HEADER_SCAN_ROWS


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003, or a workbook saved with a password
PARQUET_MAGIC = b"PAR1"


def _wrong_kind(ds: str, path: Path, head: bytes) -> Problem | None:
    """A file whose content is not what its extension says, in words the user can act on."""
    suffix = path.suffix.lower()
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if suffix in EXCEL_SUFFIXES:
        if head.startswith(ZIP_MAGIC):
            return None
        if head.startswith(OLE_MAGIC):
            return _problem(ds, path.name, (
                "is an old-style Excel 97-2003 workbook, or one protected by a password, not an .xlsx workbook"),
                "open it in Excel, remove any password, and save it as Excel Workbook (.xlsx).")
        if stripped.startswith((b"<!doctype", b"<html", b"<table", b"<?xml")):
            return _problem(ds, path.name, (
                "is a web page (HTML or XML) with an Excel name, as some systems export"),
                "open it in Excel and save it as Excel Workbook (.xlsx) or CSV UTF-8 (.csv).")
        if head.startswith(PARQUET_MAGIC):
            return _problem(ds, path.name, "is a Parquet file with an Excel name",
                            "rename it to .parquet (and change its name in council.toml).")
        return _problem(ds, path.name, (
            "could not be opened as an Excel workbook: it is not an .xlsx file, or it is damaged"),
            "open it in Excel and save it again as Excel Workbook (.xlsx), or export it again.")
    if suffix == ".csv":
        if head.startswith(ZIP_MAGIC):
            return _problem(ds, path.name, "is an Excel workbook (.xlsx) with a .csv name", (
                "rename it to .xlsx (and change its name in council.toml), or open it in Excel and "
                "save it as CSV UTF-8 (.csv)."))
        if head.startswith(OLE_MAGIC):
            return _problem(ds, path.name, "is an old-style Excel 97-2003 workbook with a .csv name",
                            "open it in Excel and save it as CSV UTF-8 (.csv).")
        if head.startswith(PARQUET_MAGIC):
            return _problem(ds, path.name, "is a Parquet file with a .csv name",
                            "rename it to .parquet (and change its name in council.toml).")
        if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return _problem(ds, path.name, "is not a text file, so it cannot be CSV", (
                "check it is the right file, and export it again as CSV UTF-8 (.csv)."))
        return None
    if suffix == ".parquet":
        if head.startswith(PARQUET_MAGIC):
            return None
        if head.startswith(ZIP_MAGIC):
            return _problem(ds, path.name, "is an Excel workbook (.xlsx) with a .parquet name",
                            "rename it to .xlsx (and change its name in council.toml).")
        return _problem(ds, path.name, (
            "could not be read as Parquet: it is not a Parquet file, or it is damaged"),
            "export it again from the source system, or save the data as CSV instead.")
    return None


def _unsupported(ds: str, path: Path, key: str) -> Problem:
    suffix = path.suffix.lower()
    kind = f"a {suffix} file" if suffix else "a file without an extension"
    fixes = {
        ".xls": "open it in Excel and save it as Excel Workbook (.xlsx).",
        ".ods": "open it and save it as Excel Workbook (.xlsx) or CSV UTF-8 (.csv).",
        ".zip": "unzip it and name the file inside in council.toml.",
        ".txt": "if it is comma-separated, rename it to .csv; otherwise save it from Excel as CSV UTF-8 (.csv).",
        ".tsv": "save it from Excel as CSV UTF-8 (.csv).",
    }
    return _problem(ds, path.name, f"is {kind}; the workbook reads .csv, .xlsx and .parquet", fixes.get(suffix, (
        f"save it as CSV UTF-8 (.csv) or Excel Workbook (.xlsx), or point [datasets.{key}] path in "
        "council.toml at the right file.")))


CHUNK_ENV = "WORKBOOK_CHUNK_ROWS"
CHUNK_ROWS = 500_000  # records read, parsed and validated at a time from a large CSV or Parquet file


def chunk_rows() -> int:
    """How many records of a CSV or Parquet file are read at a time (``WORKBOOK_CHUNK_ROWS``, default 500,000):
    a larger file is read, parsed, validated and stored a chunk at a time, so memory does not grow with it."""
    text = os.environ.get(CHUNK_ENV, "").strip().replace(",", "").replace("_", "")
    return max(int(text), 1) if text.isdigit() else CHUNK_ROWS


@dataclass
class Chunk:
    """Records of one part of a file, read: the whole part, or one chunk of a large CSV or Parquet file."""

    frame: pd.DataFrame          # raw values, named as in the contract
    source: SourceFile           # where they came from; a chunk's rows are numbered as in the whole file
    left_out: list[str]          # the file's columns left unread
    skipped: list[Problem]       # warnings about rows that are not data, left out
    part: int = 0                # the part of the file (a workbook's sheet) it belongs to
    whole: bool = True           # the whole part, not one of several chunks
    final: bool = True           # the part's last chunk


def _read_file(path: Path, dataset: str, config: Config, key: str | None = None,
               ) -> list[tuple[pd.DataFrame, SourceFile, list[str], list[Problem]]]:
    """Read the wanted columns of one file as raw values. For each part read (a CSV or Parquet file is
    one part; a workbook one part per sheet read): the frame (named as in the contract), where it came
    from, the names of the columns left unread, and warnings about rows that are not data (blank rows,
    a report's footer, total rows), which are left out.

    Raises :class:`DataError` for a file that cannot be read at all.
    """
    return [(c.frame, c.source, c.left_out, c.skipped) for c in _read_chunks(path, dataset, config, key, None)]


def _read_chunks(path: Path, dataset: str, config: Config, key: str | None = None,
                 size: int | None = None) -> Iterator[Chunk]:
    """:func:`_read_file` a chunk at a time: a CSV or Parquet file of more than ``size`` records (None: no
    limit) comes as chunks of ``size`` records, numbered as in the whole file, the last marked ``final``;
    any other part comes whole. Raises :class:`DataError` for a file that cannot be read at all."""
    key = key or dataset
    layout = _layout(config, dataset, key)
    spec = config.datasets.get(key)
    header_row = spec.header_row if spec else None
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", *EXCEL_SUFFIXES):
        raise DataError([_unsupported(dataset, path, key)])
    try:
        length = path.stat().st_size
    except OSError as exc:
        raise DataError([_problem(dataset, path.name, f"could not be read: {_reason(exc)}",
                                  "check the file is there and that you may open it.")]) from None
    if length == 0:
        raise _empty_file(dataset, path, key, "it is 0 bytes, with no header row and no data")
    wrong = _wrong_kind(dataset, path, _head(path, 512))
    if wrong is not None:
        raise DataError([wrong])
    if suffix == ".csv":
        pieces = _read_csv(path, dataset, layout, header_row, size)
    elif suffix == ".parquet":
        pieces = _read_parquet(path, dataset, layout, size)
    else:
        pieces = ((frame, source, 0, part, True, True) for part, (frame, source)
                  in enumerate(_read_excel(path, dataset, layout, spec, header_row)))
    for frame, source, offset, part, whole, final in pieces:
        yield _finish(frame, source, dataset, layout, spec, key, part, whole, final)


def _finish(frame: pd.DataFrame, source: SourceFile, dataset: str, layout: _Layout, spec, key: str, part: int,
            whole: bool, final: bool) -> Chunk:
    """The rows that are not data left out of what was read, the id made from the row where the export has
    none, and the constants council.toml gives."""
    frame, source, skipped = _skip_non_data(dataset, frame, source, layout, final)
    frame, source, left_out = _skip_configured(dataset, frame, source, layout)
    skipped += left_out
    if spec is not None and spec.id == "row" and dataset in ID_FROM_ROW:
        # No id column in the export: the file and the row the user sees make one.
        where = f"{source.path.name}:{source.sheet}:" if source.several_sheets else f"{source.path.name}:"
        frame[ID_FROM_ROW[dataset]] = where + pd.Series(source.rows_of(np.arange(len(frame)))).astype(str)
        source.headers[ID_FROM_ROW[dataset]] = "the file and row (id = \"row\")"
    for column, value in layout.constants.items():
        if column not in frame.columns:
            frame[column] = value
    source.key = key
    source.length = len(frame)
    read = {source.headers.get(c) for c in frame.columns}
    ignored = [h for h in source.all_headers if h and h not in read]
    return Chunk(frame, source, list(dict.fromkeys(ignored)), skipped, part, whole, final)


def _chunk_source(source: SourceFile, offset: int) -> SourceFile:
    """The source of a chunk that starts ``offset`` records into the file: its rows numbered as in the file."""
    chunk = copy.copy(source)
    chunk.first_row = source.first_row + offset
    chunk.row_numbers, chunk.context = None, None
    return chunk


TAIL_ROWS = 1000  # the last chunk holds at least this many rows, so a report's footer is never split


def _with_final(frames: Iterator[pd.DataFrame]) -> Iterator[tuple[pd.DataFrame, int, bool]]:
    """Each frame with the number of rows before it and whether it is the last. The frames are read ahead until
    TAIL_ROWS rows follow the one handed on, and the last ones are joined: the rows at the end of the file (a
    footer, a note under the records) all come in the last chunk, which alone is read as the end of the file."""
    offset, held = 0, collections.deque()
    for frame in frames:
        held.append(frame)
        while len(held) > 1 and sum(len(f) for f in list(held)[1:]) >= TAIL_ROWS:
            first = held.popleft()
            yield first, offset, False
            offset += len(first)
    if held:
        last = held[0] if len(held) == 1 else pd.concat(list(held), ignore_index=True)
        yield last, offset, True


def _read_csv(path: Path, ds: str, layout: _Layout, header_row: int | None, size: int | None = None):
    """The records of a CSV file as (frame, source, offset, part, whole, final): the whole file, or chunks of
    ``size`` records. UTF-8 first, then Windows-1252; UTF-16 when it starts with a byte-order mark."""
    head = _head(path)
    encodings = ("utf-16",) if head.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        pieces = _read_csv_as(path, ds, layout, header_row, head, encoding, size)
        try:
            first = next(pieces)  # the header, and the first chunk: a file in another encoding fails here
        except UnicodeError:
            continue
        return itertools.chain([first], pieces)
    raise DataError([_problem(ds, path.name, "could not be read as text: it is neither UTF-8 nor Windows-1252", (
        'open it in Excel and save it as "CSV UTF-8 (Comma delimited)".'))])


def _read_csv_as(path: Path, ds: str, layout: _Layout, header_row: int | None, head: bytes,
                 encoding: str, size: int | None = None):
    complete = len(head) < (1 << 16)
    if encoding == "utf-16":
        sample = head.decode(encoding, errors="ignore")
    else:
        sample = (head if complete else head[: head.rfind(b"\n") + 1]).decode(encoding)
    lines = sample.splitlines()
    if not complete:
        lines = lines[:-1] if len(lines) > 1 else lines
    rows = list(csv.reader(lines[:max(HEADER_SCAN_ROWS, header_row or 0)]))
    if not any(_cell_text(c) for cells in rows for c in cells):
        raise _empty_file(ds, path, layout.key, "it has no header row and no data")
    _check_header_row(ds, path, layout.key, header_row, len(rows))
    index = _find_header(rows, layout, header_row)
    headers = [h.strip() for h in rows[index]] if index < len(rows) else []
    if encoding == "utf-8-sig" and index == 0 and headers:
        headers[0] = headers[0].lstrip("\ufeff")
    mapping = _column_map(headers, layout)
    source = SourceFile(path, index + 2, "row", headers={t: headers[p] for p, t in mapping.items()},
                        all_headers=tuple(headers), header_row=index + 1)
    if not mapping:
        yield pd.DataFrame(), source, 0, 0, True, True
        return
    positions = sorted(mapping)
    names = [mapping[p] for p in positions]
    options = dict(skiprows=index, header=0, index_col=False, usecols=positions, dtype=str, keep_default_na=False,
                   na_values=[""], encoding=encoding, skip_blank_lines=False)
    pieces = _with_final(_csv_frames(path, ds, options, size))
    frame, offset, final = next(pieces)
    if final:  # the whole file
        frame.columns = names
        # Only the wanted columns are read (never a name or a message); a report's footer may have its words
        # in another column, so the last lines of the file are looked at as text to tell what they are.
        source.context = _csv_tail_context(path, encoding, len(frame))
        yield frame, source, 0, 0, True, True
        return
    if encoding != "utf-16":
        _check_encoding(path, encoding)  # before any chunk is used: a later byte in another encoding fails now
    for frame, offset, final in itertools.chain([(frame, offset, final)], pieces):
        frame.columns = names
        chunk = _chunk_source(source, offset)
        if final:
            context = _csv_tail_context(path, encoding, offset + len(frame))
            if context is not None:
                context.index = context.index - offset
                chunk.context = context[context.index >= 0]
        yield frame, chunk, offset, 0, False, final


def _csv_frames(path: Path, ds: str, options: dict, size: int | None) -> Iterator[pd.DataFrame]:
    """The records of a CSV file as one frame, or as frames of ``size`` records, each indexed from 0."""
    try:
        if size is None:
            yield pd.read_csv(path, **options)
            return
        with pd.read_csv(path, chunksize=size, **options) as reader:
            empty = True
            for frame in reader:
                empty = False
                yield frame.reset_index(drop=True)
        if empty:  # a header and no records
            yield pd.read_csv(path, nrows=0, **options)
    except UnicodeError:
        raise
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError([_problem(ds, path.name, f"could not be read as CSV: {_reason(exc)}", (
            "check that every row has as many commas as the header; a value with a comma or a line "
            "break in it must be in double quotes. Saving it again from Excel as CSV UTF-8 does this."))]) from None


def _check_encoding(path: Path, encoding: str) -> None:
    """Raise UnicodeError unless the whole file reads as ``encoding`` (read 4 MiB at a time)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            decoder.decode(block)
    decoder.decode(b"", final=True)


def _csv_tail_context(path: Path, encoding: str, records: int, lines: int = 40) -> pd.DataFrame | None:
    """The row context (see :func:`_row_context`) of a CSV file's last lines, indexed by record position,
    or None when the tail cannot be lined up with the records (a quoted line break near the end)."""
    if not records:
        return None
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - (1 << 15)))
        tail = handle.read()
    try:
        text = tail.decode(encoding if encoding != "utf-8-sig" or size <= (1 << 15) else "utf-8", errors="strict")
    except UnicodeError:
        return None
    rows = text.splitlines()
    if size > (1 << 15):
        rows = rows[1:]  # the first line may have been cut
    rows = rows[-min(lines, records):]
    if any(row.count('"') % 2 for row in rows):
        return None
    parsed = list(csv.reader(rows))
    if len(parsed) != len(rows):
        return None
    width = max((len(r) for r in parsed), default=0)
    cells = [pd.Series([r[j] if j < len(r) else None for r in parsed], dtype=object) for j in range(width)]
    context = _row_context(cells) if cells else pd.DataFrame(
        {ROW_FIRST: pd.Series([pd.NA] * len(rows), dtype="string"), ROW_ONE_VALUE: True, ROW_BLANK: True})
    context.index = np.arange(records - len(rows), records)
    return context


def _read_parquet(path: Path, ds: str, layout: _Layout, size: int | None = None):
    """The records of a Parquet file as (frame, source, offset, part, whole, final): the whole file, or chunks of
    ``size`` records."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def damaged(exc: Exception) -> DataError:
        return DataError([_problem(ds, path.name, (
            f"could not be read as Parquet: the file is damaged or incomplete ({_reason(exc)})"),
            "export it again from the source system, or save the data as CSV instead.")])

    try:
        file = pq.ParquetFile(path)
        headers = [str(h) for h in file.schema_arrow.names]
        records = file.metadata.num_rows
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        raise damaged(exc) from None
    mapping = _column_map(headers, layout)
    source = SourceFile(path, 1, "record", headers={t: headers[p] for p, t in mapping.items()},
                        all_headers=tuple(headers))
    if not mapping:
        yield pd.DataFrame(), source, 0, 0, True, True
        return
    positions = sorted(mapping)
    names = [mapping[p] for p in positions]
    if size is None or records <= size:
        try:
            frame = pd.read_parquet(path, columns=[headers[p] for p in positions])
        except Exception as exc:
            raise damaged(exc) from None
        frame.columns = names
        yield frame, source, 0, 0, True, True
        return

    def batches():
        try:
            for batch in file.iter_batches(batch_size=size, columns=[headers[p] for p in positions]):
                yield pa.Table.from_batches([batch]).to_pandas()
        except Exception as exc:
            raise damaged(exc) from None

    for frame, offset, final in _with_final(batches()):
        frame.columns = names
        yield frame, _chunk_source(source, offset), offset, 0, False, final
