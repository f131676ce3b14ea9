"""Stage 2a of the loader, the shape of a file: how its headers become the contract's columns.

:class:`_Layout` is what council.toml says about one section (renames, constants, skips,
section rows); :func:`_find_header` finds the header among a file's first rows;
:func:`_column_map` maps header positions to the contract's names. Also the few
helpers every reader shares (empty files, a header_row past the end). Hands a layout
to the readers of :mod:`analysis.loader.read` and :mod:`analysis.loader.excel`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analysis.config import EXTRA_SOURCES, Config
from analysis.errors import DataError
from analysis.loader.fixmystreet import CLOSED, FIXMYSTREET_COLUMNS, FIXMYSTREET_VALUES
from analysis.loader.problems import _problem
from analysis.loader.schema import DERIVED, HEADER_SCAN_ROWS, SCHEMAS, SKIP_PREFIX, _normalise_header


@dataclass(frozen=True)
class _Layout:
    key: str                      # council.toml section: the dataset, or an extra source
    renames: dict[str, str]       # normalised export header -> contract's name
    identity: bool                # headers already named as in the contract are read as they are
    wanted: frozenset[str]
    constants: dict[str, str]     # columns every record of the file has, e.g. channel = report_it
    format: str | None
    section_rows: str | None = None  # "theme": heading rows give the theme of the rows below
    # [datasets.KEY.skip]: the column read for it (the contract's name, or a private one for an export column
    # the contract does not have) -> (its name in council.toml, the values whose rows are left out)
    skip: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


def _layout(config: Config, ds: str, key: str) -> _Layout:
    spec = config.datasets.get(key)
    data_format = spec.format if spec else (EXTRA_SOURCES[key][1] if key in EXTRA_SOURCES else None)
    wanted = {c.name for c in SCHEMAS[ds]} - DERIVED
    user = {_normalise_header(k): v for k, v in (spec.columns if spec else {}).items()}
    if data_format == "fixmystreet":
        known = {_normalise_header(k): v for k, v in FIXMYSTREET_COLUMNS.items() if v not in user.values()}
        return _Layout(key, known | user, False, frozenset(wanted | {CLOSED}), dict(FIXMYSTREET_VALUES),
                       data_format)
    skip = {}
    for column, values in (spec.skip if spec else {}).items():
        name = _normalise_header(column)
        target = user.get(name) or (name if name in wanted else f"{SKIP_PREFIX}{name}")
        skip[target] = (column, values)
    private = {n for n in skip if n.startswith(SKIP_PREFIX)}
    renames = user | {n[len(SKIP_PREFIX):]: n for n in private}
    return _Layout(key, renames, True, frozenset(wanted | private), {}, None,
                   spec.section_rows if spec else None, skip)


def _column_map(headers, layout: _Layout) -> dict[int, str]:
    """Position of each header the contract wants -> the contract's name; the first wins."""
    mapping: dict[int, str] = {}
    for position, header in enumerate(headers):
        key = _normalise_header(header)
        if not key:
            continue
        target = layout.renames.get(key) or (key if layout.identity and key in layout.wanted else None)
        if target in layout.wanted and target not in mapping.values():
            mapping[position] = target
    return mapping


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _find_header(rows: list, layout: _Layout, header_row: int | None) -> int:
    """Index (0-based) of the header among a file's first rows: the row holding the most of the
    expected column names, the first such; else the first row that is not blank."""
    if header_row is not None:
        return header_row - 1
    best, best_score = None, 0
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = len(_column_map(cells, layout))
        if score > best_score:
            best, best_score = index, score
    if best is not None:
        return best
    return next((i for i, cells in enumerate(rows) if any(_cell_text(c) for c in cells)), 0)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _head(path: Path, size: int = 1 << 16) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def _empty_file(ds: str, path: Path, key: str, what: str) -> DataError:
    return DataError([_problem(ds, path.name, f"is empty: {what}", (
        "export it again; if the council has no data for it, remove the file "
        f"(and its [datasets.{key}] path in council.toml)."))])


def _check_header_row(ds: str, path: Path, key: str, header_row: int | None, rows: int) -> None:
    if header_row is not None and header_row > rows:
        raise DataError([_problem(ds, path.name, (
            f"has {rows} row{'s' if rows != 1 else ''} before the data ends, but council.toml says its header "
            f"is row {header_row}"), f"correct header_row under [datasets.{key}], or remove it to let the "
            "workbook find the header itself.")])
