"""Stage 5a of the loader, a large file a chunk at a time: :class:`ChunkedPart` puts the chunks of one CSV or
Parquet file back together as one part, so memory does not grow with the file.

Each chunk (``WORKBOOK_CHUNK_ROWS`` records, :func:`analysis.loader.read.chunk_rows`) is read, parsed and
validated as a small file is, its records numbered as in the whole file, and appended to the part's Parquet
file in the store as a row group. What the chunks found is joined into the problems one read of the whole
file gives: one problem per message, with the first rows and examples and the count over every chunk
(:func:`merge_problems`). The repeated ids a chunk cannot see (one record in the first chunk, its repeat in the
last) are looked for over the stored file once all of it is there, by SQL (:func:`analysis.engine.repeats_in_file`).
Without a store (``WORKBOOK_CACHE=off``) the chunks are joined in memory.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import Config
from analysis.loader.problems import Problem, SourceFile
from analysis.loader.schema import EXAMPLES_SHOWN, ROWS_SHOWN


def merge_problems(problems: list[Problem]) -> list[Problem]:
    """Problems with the same words about the same column of the same file as one: the first rows and examples
    (in order), and the rows of them all counted. The order is that of each one's first appearance."""
    merged: dict[tuple, Problem] = {}
    for problem in problems:
        key = (problem.dataset, problem.file, problem.message, problem.column, problem.header, problem.row_word,
               problem.fatal)
        held = merged.get(key)
        if held is None:
            merged[key] = copy.copy(problem)
            continue
        held.rows = tuple((held.rows + problem.rows)[:ROWS_SHOWN])
        held.count += problem.count
        held.examples = tuple(dict.fromkeys(held.examples + problem.examples))[:EXAMPLES_SHOWN + 1]
    return list(merged.values())


class ChunkedPart:
    """One part of a large file, built a chunk at a time: its records appended to ``parquet`` (or held in
    memory when it is None), what each chunk found kept to be merged by :meth:`finish`."""

    def __init__(self, ds: str, parquet: Path | None):
        self.ds, self.parquet = ds, parquet
        self.frames: list[pd.DataFrame] = []  # in memory, without a store
        self.writer = None
        self.schema = None
        self.sources: list[SourceFile] = []
        self.numbers: list[np.ndarray] = []
        self.left_out: list[str] = []
        self.skipped: list[Problem] = []
        self.found: list[Problem] = []
        self.columns: set[str] = set()
        self.rows = 0

    def add(self, frame: pd.DataFrame, source: SourceFile, left_out: list[str], skipped: list[Problem],
            found: list[Problem], columns: frozenset[str]) -> None:
        """One chunk's records (every column of the contract, typed) and what was found in them."""
        if self.parquet is None:
            self.frames.append(frame)
        else:
            self._write(frame)
        self.sources.append(source)
        self.numbers.append(source.rows_of(np.arange(len(frame))))
        self.left_out.extend(c for c in left_out if c not in self.left_out)
        self.skipped.extend(skipped)
        self.found.extend(found)
        self.columns |= columns
        self.rows += len(frame)

    def _write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            # Every chunk written with the first one's types, a set column's values as a dictionary of text
            # whatever the number of values in the first chunk.
            self.schema = pa.schema([pa.field(f.name, pa.dictionary(pa.int32(), pa.large_string()))
                                     if pa.types.is_dictionary(f.type) else f for f in table.schema],
                                    metadata=table.schema.metadata)
            self.writer = pq.ParquetWriter(self.parquet, self.schema)
        self.writer.write_table(table.cast(self.schema))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def source(self) -> SourceFile:
        """The whole part's source: the first chunk's, with every record's row."""
        whole = copy.copy(self.sources[0])
        last = self.sources[-1]
        whole.headers, whole.length, whole.context = last.headers, self.rows, None
        whole.row_numbers = None
        if any(s.row_numbers is not None for s in self.sources):  # rows left out: numbered one by one
            whole.row_numbers = np.concatenate(self.numbers) if self.numbers else np.zeros(0, dtype="int64")
        return whole

    def finish(self, config: Config):
        """The part, as :class:`analysis.loader.cache.StoredPart`, with the problems of every chunk merged and
        the repeated keys of the whole file found."""
        from analysis.loader.cache import StoredPart
        from analysis.loader.store import assemble
        from analysis.loader.validate import repeats_in_file, unique_keys

        self.close()
        source = self.source()
        frame = assemble(self.ds, self.frames) if self.frames else None
        found = merge_problems(self.found)
        for key in unique_keys(self.ds, self.columns):
            positions, values = _repeats(frame, self.parquet, key)
            found.extend(repeats_in_file(self.ds, source, key, positions, values, config))
        self.frames = []
        return StoredPart(None if frame is not None else self.parquet, frame, source, self.left_out,
                          merge_problems(self.skipped), found, frozenset(self.columns), self.rows)


def _repeats(frame: pd.DataFrame | None, parquet: Path | None, key: list[str]) -> tuple[np.ndarray, pd.Series]:
    """Positions (in order) of the records whose filled ``key`` another record has, and their key as text."""
    if frame is None:
        from analysis.engine import repeats_in_file

        found = repeats_in_file(parquet, key)
        return found["row"].to_numpy(dtype="int64"), found["value"].astype(str)
    keyed = frame[key]
    repeated = (keyed.notna().all(axis=1) & keyed.duplicated(keep=False)).to_numpy(dtype=bool)
    positions = np.flatnonzero(repeated)
    values = keyed.iloc[positions[:20]].astype(str).agg(" + ".join, axis=1)
    return positions, values
