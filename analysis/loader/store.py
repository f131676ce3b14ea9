"""Stage 5 of the loader, what is kept: :class:`LoadedDataset` (one dataset's frame and the files it
came from) and :class:`Datasets` (every dataset of a data folder).

Both are pickled into the prepared workbook; inside :func:`frames_kept_apart` each
dataset's frame goes to a file of its own, loaded only when a notebook touches it.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.config import DATASET_NAMES, Config
from analysis.loader.problems import SourceFile


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


@dataclass
class LoadedDataset:
    name: str
    frame: pd.DataFrame
    files: list[Path]
    ignored_columns: list[str]
    sources: list[SourceFile] = field(default_factory=list)  # each file's rows, in the frame's order
    columns_read: frozenset[str] = frozenset()  # the contract's columns some file of the dataset has

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
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
        self.__dict__.update(state)

    def __getattr__(self, name: str):
        # Only called for an attribute not set: the frame of a dataset pickled apart, on first use.
        frame_file = self.__dict__.get("_frame_file")
        if name != "frame" or frame_file is None:
            raise AttributeError(name)
        with open(frame_file, "rb") as handle:
            self.__dict__["frame"] = pickle.load(handle)
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
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
