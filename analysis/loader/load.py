"""The loader's driver: every stage, for one dataset and for them all.

:func:`load_dataset` finds a dataset's files, reads, parses and validates each, and joins
them; :func:`check_all` loads every dataset (the register of measures first) and runs the
cross-file checks, returning every problem; :func:`load_all` raises DataError if any is
fatal. Hands :class:`analysis.loader.store.Datasets` to the workbook.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import DATASET_NAMES, EXTRA_SOURCES, Config
from analysis.errors import DataError
from analysis.loader.cross import (
    NAMES_A_MEASURE,
    REGISTERS,
    KnownIds,
    _cross_checks,
    _duplicates_across_files,
    _duplicates_across_stored,
    _unknown_measure_ids,
    known_measure_ids,
)
from analysis.loader import cache
from analysis.loader.cache import StoredPart
from analysis.loader.find import _dataset_files, find_files
from analysis.loader.parse_file import _parse_file
from analysis.loader.problems import Problem, _problem
from analysis.loader.chunks import ChunkedPart
from analysis.loader.read import _read_chunks, chunk_rows
from analysis.loader.schema import SCHEMAS, UNIQUE_TOGETHER, Col
from analysis.loader.store import Datasets, LoadedDataset, assemble
from analysis.loader.validate import _validate


def _value_map_warnings(config: Config, ds: str) -> list[Problem]:
    """A [datasets.KEY.values.COLUMN] section that can do nothing (a misspelt column, a date column) must not
    pass silently."""
    problems = []
    kinds = {c.name: c.kind for c in SCHEMAS[ds]}
    for key in [ds] + [extra for extra, (target, _) in EXTRA_SOURCES.items() if target == ds]:
        spec = config.datasets.get(key)
        for column in (spec.values if spec else {}):
            section = f"[datasets.{key}.values.{column}]"
            if column not in kinds:
                near = difflib.get_close_matches(column, list(kinds), n=1)
                problems.append(_problem(ds, "council.toml", (
                    f"{section} names {column!r}, which is not a column of {ds}: it maps nothing"), (
                    f'name the column as the contract does{f" (did you mean {near[0]!r}?)" if near else ""}.'),
                    fatal=False))
            elif kinds[column] in ("timestamp", "date", "number", "duration", "year", "carried_from"):
                problems.append(_problem(ds, "council.toml", (
                    f"{section} maps values of {column!r}, a column of {kinds[column]}s, which are read as such, "
                    "not through a values map: it maps nothing"), (
                    "remove it; see the data contract for the forms of dates, durations, years and carried_from "
                    "the workbook reads."), fatal=False))
    return problems


def load_dataset(config: Config, ds: str, measure_ids: KnownIds | None = None,
                 ) -> tuple[LoadedDataset | None, list[Problem]]:
    """Read, parse and validate one dataset from all its files, each through the store (:mod:`.cache`).

    Returns the dataset (``None`` when absent or when any problem is fatal) and every
    problem found, warnings included. ``measure_ids``: the measures a dataset's measure_id may name
    (``NAMES_A_MEASURE``), checked with its other faults; not checked without it.
    """
    try:
        files, skipped = _dataset_files(config, ds)
    except DataError as err:
        return None, err.problems
    if not files:
        return None, skipped
    parts: list[StoredPart] = []
    problems = list(skipped) + _value_map_warnings(config, ds)
    ignored: list[str] = []
    for path, key in files:
        stored = cache.lookup(path, ds, key, config)
        if stored is None:
            try:
                stored = cache.save(path, ds, key, config,
                                    lambda folder: _read_parse_validate(path, ds, key, config, folder))
            except DataError as err:
                problems.extend(err.problems)
                continue
        parts.extend(stored)
        for part in stored:
            problems.extend(_part_problems(part, ds, measure_ids))
            ignored.extend(c for c in part.left_out if c not in ignored)
    if len(parts) > 1 and _duplicate_keys(ds):
        if all(p.parquet is not None for p in parts):
            problems.extend(_duplicates_across_stored(ds, [p.parquet for p in parts], [p.source for p in parts]))
        else:
            keys = sorted({c for key in _duplicate_keys(ds) for c in key})
            problems.extend(_duplicates_across_files(ds, [_part_frame(p, keys) for p in parts],
                                                     [p.source for p in parts]))
    if any(p.fatal for p in problems):
        return None, problems
    sources = [p.source for p in parts]
    columns_read = frozenset(c for p in parts for c in p.columns)
    files_read = list(dict.fromkeys(s.path for s in sources))
    if all(p.parquet is not None for p in parts):
        loaded = LoadedDataset(ds, None, files_read, ignored, sources, columns_read,
                               parts=tuple(p.parquet for p in parts))
    else:
        loaded = LoadedDataset(ds, assemble(ds, [_part_frame(p) for p in parts]), files_read, ignored, sources,
                               columns_read)
    return loaded, problems


def _part_problems(part: StoredPart, ds: str, measure_ids: KnownIds | None) -> list[Problem]:
    """What was found in one part, with the checks that depend on other datasets (measure ids) made now."""
    found = list(part.found)
    if measure_ids is not None and ds in NAMES_A_MEASURE:
        found.extend(_unknown_measure_ids(ds, _part_frame(part, ["measure_id"]), part.source,
                                          list(measure_ids.ids), measure_ids.register_unread))
    if part.rows == 0 and not any(p.fatal for p in found):
        found.append(_problem(ds, part.source.name, (
            f"has a header row but no data rows, so it adds no records to {ds}"), (
            "nothing, if there were none; otherwise export it again (check the export's dates and "
            "filters)."), fatal=False))
    return part.skipped + found


def _read_parse_validate(path, ds: str, key: str, config: Config, folder: Path | None = None) -> list[StoredPart]:
    """Stages 2 to 4 for one file: each part read, parsed and validated, with every column of the contract
    (those the file lacks empty). A large CSV or Parquet file is done a chunk at a time (:mod:`.chunks`),
    its records written to ``folder/part-N.parquet`` as they come (or held in memory without a folder)."""
    parts: list[StoredPart] = []
    building: ChunkedPart | None = None
    for chunk in _read_chunks(path, ds, config, key, chunk_rows()):
        raw = chunk.frame.reset_index(drop=True)
        frame, found = _parse_file(ds, raw, chunk.source, config)
        found.extend(_validate(ds, frame, chunk.source, config, raw, unique=chunk.whole))
        columns = frozenset(frame.columns)
        frame = _complete(ds, frame)
        if chunk.whole:
            parts.append(StoredPart(None, frame, chunk.source, list(chunk.left_out), list(chunk.skipped), found,
                                    columns, len(frame)))
            continue
        if building is None:
            building = ChunkedPart(ds, folder / f"part-{len(parts)}.parquet" if folder is not None else None)
        del raw
        try:
            building.add(frame, chunk.source, chunk.left_out, chunk.skipped, found, columns)
        except BaseException:
            building.close()
            raise
        if chunk.final:
            parts.append(building.finish(config))
            building = None
    return parts


def _complete(ds: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Every column of the contract, in its order: those the file lacks empty, set columns as categories."""
    for col in SCHEMAS[ds]:
        if col.name not in frame.columns:
            frame[col.name] = _empty_column(col, len(frame))
        if col.category:  # stored dictionary-encoded, read back as a category without a string per record
            frame[col.name] = frame[col.name].astype("category")
    return frame[[c.name for c in SCHEMAS[ds]]]


def _duplicate_keys(ds: str) -> list[list[str]]:
    keys = [[c.name] for c in SCHEMAS[ds] if c.unique]
    together = UNIQUE_TOGETHER.get(ds)
    return keys + ([list(together)] if together else [])


def _part_frame(part: StoredPart, columns: list[str] | None = None) -> pd.DataFrame:
    """A part's records (only ``columns``, if given), from memory or from its Parquet file."""
    if part.frame is not None:
        return part.frame if columns is None else part.frame[columns]
    return pd.read_parquet(part.parquet, columns=columns)


def _empty_column(col: Col, length: int) -> pd.Series:
    if col.kind in ("timestamp", "date"):
        return pd.Series(pd.NaT, index=range(length), dtype="datetime64[ns]")
    if col.kind == "bool":
        return pd.Series(pd.NA, index=range(length), dtype="boolean")
    if col.kind == "number":
        return pd.Series(np.nan, index=range(length), dtype="float64")
    return pd.Series(pd.NA, index=range(length), dtype="string")


def load_all(config: Config, names=DATASET_NAMES) -> Datasets:
    """Load every dataset; raise :class:`DataError` with all problems if any is fatal."""
    datasets, problems = check_all(config, names)
    if any(p.fatal for p in problems):
        raise DataError([p for p in problems if p.fatal], warnings=datasets.warnings)
    return datasets


def check_all(config: Config, names=DATASET_NAMES) -> tuple[Datasets, list[Problem]]:
    """Load what can be loaded and return every problem found, fatal or not.

    Warnings (``Problem.fatal`` false) are also added to ``Datasets.warnings`` as text,
    so a run shows them.
    """
    datasets = Datasets(config, warnings=list(config.warnings))
    problems: list[Problem] = []
    # The register and the manual figures first: the measure ids of the other datasets are checked against them.
    results = {ds: load_dataset(config, ds) for ds in REGISTERS if ds in names}
    read = {ds: results[ds][0].frame for ds in results if results[ds][0] is not None}
    unread = "measures" in results and "measures" not in read and bool(find_files(config, "measures"))
    known = KnownIds(tuple(known_measure_ids(read.get("measures"), read.get("manual_measures"))), unread)
    for ds in names:
        loaded, found = results[ds] if ds in results else load_dataset(config, ds, known)
        problems.extend(found)
        if loaded is not None:
            datasets.loaded[ds] = loaded
    problems.extend(_cross_checks(datasets))
    datasets.warnings.extend(str(p) for p in problems if not p.fatal)
    return datasets, problems
