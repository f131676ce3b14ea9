"""Stage 5 of the loader, what is kept: :class:`LoadedDataset` (one dataset's records and the files they
came from) and :class:`Datasets` (every dataset of a data folder).

A dataset's records are the Parquet files of the store of files read (:mod:`analysis.loader.cache`): the
heavy counting reads them with SQL (:meth:`Datasets.records`), and ``frame`` reads them into pandas only
when something asks (:func:`assemble` joins a dataset's parts). Both classes are pickled into the prepared
workbook with the paths only. Without a store (``WORKBOOK_CACHE=off``) the frames are held in memory and,
inside :func:`frames_kept_apart`, each is pickled to a file of its own, loaded only when a notebook
touches it.
"""

from __future__ import annotations

import contextlib
import contextvars
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.config import DATASET_NAMES, Config
from analysis.engine import Records
from analysis.loader.problems import SourceFile
from analysis.loader.schema import SCHEMAS


# While set (by :func:`frames_kept_apart`), a pickled LoadedDataset leaves its frame in a file of
# its own in this folder, read back only when something asks for it.
_FRAMES_APART: contextvars.ContextVar[Path | None] = contextvars.ContextVar("frames_apart", default=None)


@contextlib.contextmanager
def frames_kept_apart(folder: Path):
    """Pickle datasets without their frames: each goes to ``folder/<name>.pickle``, loaded on first use.

    A notebook kernel that opens the prepared workbook then holds in memory only
    the datasets its page touches, not every contact and call of the council.
    """
    folder.mkdir(parents=True, exist_ok=True)
    token = _FRAMES_APART.set(folder)
    try:
        yield folder
    finally:
        _FRAMES_APART.reset(token)


def assemble(ds: str, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """A dataset's frame from its parts' frames: joined, set columns as categories (their values in order, as
    a category of the joined values would have them), in the contract's order."""
    categories = [c.name for c in SCHEMAS[ds] if c.category]
    if len(frames) > 1:
        frames = [f.copy() for f in frames]
        for column in categories:
            parts = [f[column] if isinstance(f[column].dtype, pd.CategoricalDtype) else f[column].astype("category")
                     for f in frames]
            values = _text_categories(sorted({v for part in parts for v in part.cat.categories}))
            for f, part in zip(frames, parts):
                f[column] = part.cat.set_categories(values)
        frame = pd.concat(frames, ignore_index=True)
    else:
        frame = frames[0].reset_index(drop=True)
    for column in categories:
        if not isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype("category")
        elif (str(frame[column].cat.categories.dtype) != "string"  # as Parquet gives them back: text, as parsed
              or not frame[column].cat.categories.is_monotonic_increasing):  # a large file's, in order of arrival
            frame[column] = frame[column].cat.set_categories(_text_categories(sorted(frame[column].cat.categories)))
    if ds == "complaints":
        frame["stage"] = frame["stage"].astype("int64")
    return frame[[c.name for c in SCHEMAS[ds]]]


def _text_categories(values: list) -> pd.Index:
    """A category's values as the parser's text dtype ("string"), so a frame read back from the store has the
    dtype of one parsed in memory."""
    return pd.Index(values, dtype="string") if all(isinstance(v, str) for v in values) else pd.Index(values)


@dataclass
class LoadedDataset:
    """One dataset, read and validated: its records and the files they came from.

    ``parts``: the records' Parquet files in the store (:mod:`analysis.loader.cache`). With them the
    frame is read only when something asks for ``frame`` (an ad-hoc notebook, a small dataset's
    measures); the heavy counting reads the Parquet files with SQL instead (:meth:`Datasets.records`),
    and a pickled dataset carries only their paths. Without them (no cache) the frame is held in memory.
    """

    name: str
    frame: pd.DataFrame | None
    files: list[Path]
    ignored_columns: list[str]
    sources: list[SourceFile] = field(default_factory=list)  # each file's rows, in the frame's order
    columns_read: frozenset[str] = frozenset()  # the contract's columns some file of the dataset has
    parts: tuple[Path, ...] = ()

    def __post_init__(self) -> None:
        if self.__dict__.get("frame") is None and self.parts:
            del self.__dict__["frame"]  # read on first use, by __getattr__

    @property
    def rows(self) -> int:
        """How many records, without reading them."""
        if "frame" in self.__dict__:
            return len(self.__dict__["frame"])
        return len(Records(self.name, self.parts))

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        if self.parts:
            state.pop("frame", None)  # read back from the store by whoever needs it
            return state
        folder = _FRAMES_APART.get()
        if folder is not None and "frame" in state:
            path = folder / f"{self.name}.pickle"
            if not path.exists():
                with open(path, "wb") as handle:
                    pickle.dump(state["frame"], handle, protocol=pickle.HIGHEST_PROTOCOL)
            del state["frame"]
            state["_frame_file"] = path
        return state

    def __setstate__(self, state: dict) -> None:
        state.setdefault("parts", ())
        self.__dict__.update(state)

    def __getattr__(self, name: str):
        # Only called for an attribute not set: the frame of a dataset kept in the store or pickled apart.
        if name != "frame":
            raise AttributeError(name)
        parts = self.__dict__.get("parts")
        frame_file = self.__dict__.get("_frame_file")
        if parts:
            self.__dict__["frame"] = assemble(self.name, [pd.read_parquet(p) for p in parts])
        elif frame_file is not None:
            with open(frame_file, "rb") as handle:
                self.__dict__["frame"] = pickle.load(handle)
        else:
            raise AttributeError(name)
        return self.__dict__["frame"]


@dataclass
class Datasets:
    """Every canonical dataset of one data folder, validated; ``None`` where a council has none."""

    config: Config
    loaded: dict[str, LoadedDataset] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def get(self, name: str) -> pd.DataFrame | None:
        item = self.loaded.get(name)
        return item.frame if item else None

    def records(self, name: str) -> Records | pd.DataFrame | None:
        """A dataset's records for SQL (:mod:`analysis.engine`) as they are held: its Parquet files in the store,
        not read into memory; or its frame, where there is no store or the frame has been read (and perhaps
        changed, as an ad-hoc notebook may) already."""
        item = self.loaded.get(name)
        if item is None:
            return None
        return Records(name, item.parts) if item.parts and "frame" not in item.__dict__ else item.frame

    def recorded(self, name: str, column: str | None = None) -> bool:
        """Whether the council's exports record a dataset (or one of its columns) at all.

        A column no file has is filled with empty values so that the counting rules
        can run; a page must not read those as "none" (none carried forward, no
        group under-represented): it says the data is not recorded.
        """
        item = self.loaded.get(name)
        if item is None:
            return False
        return column is None or column in item.columns_read

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        if name in DATASET_NAMES:
            return self.get(name)
        raise AttributeError(name)

    def file_digests(self) -> list[tuple[str, str]]:
        """(file, SHA-256) of council.toml (it sets the standards, so the figures) and every file read, for a
        page's provenance footer."""
        toml = self.config.folder / "council.toml"
        digests = [("council.toml", _sha256(toml))] if toml.is_file() else []
        for item in self.loaded.values():
            for path in item.files:
                digests.append((str(path.relative_to(self.config.folder)) if path.is_relative_to(self.config.folder)
                                else str(path), _sha256(path)))
        return digests


def _sha256(path: Path) -> str:
    from analysis.loader.cache import file_digest

    return file_digest(path)
