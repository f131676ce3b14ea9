"""Stage 5 of the loader, the store: each file's records, once read, parsed and validated, kept as typed Parquet.

A council's exports are large and change little from one run to the next: an analyst corrects one
file and runs again. So every file, once read, parsed and validated, is written to a cache folder
outside the data folder (:func:`cache_folder`): its records as a Parquet file per part (a CSV or
Parquet file is one part, a workbook one per sheet), typed as the contract says, and what the
loader found (the problems with their row numbers, the columns left unread, how records map back
to the file's rows) beside them. The next run that finds the same file, read with the same
settings by the same code, takes all of that from the cache instead of reading the file again.
``workbook check`` and ``workbook run`` share it.

An entry is found by:

- the file's path and the council.toml section it is read under;
- the SHA-256 of the file's bytes, so a corrected file is read again however its date is set;
- the council.toml settings that decide how it is read (its ``[datasets.NAME]`` sections, the
  themes, status labels, in-person places, survey questions and the start of the financial year);
  for a file that had problems, all of council.toml, since their messages quote its lines;
- the package's version and the source of the loader, so a new version never reuses old results.

Only the latest entry of each file is kept. The cache can be deleted at any time: the next run
reads every file again. Set ``WORKBOOK_CACHE`` to put it elsewhere (default
``~/.cache/scrutiny-workbook``, or under ``$XDG_CACHE_HOME``), or to ``off`` to read every file every
time. A cache that cannot be written (a read-only home folder) is not an error: the run keeps the
records in memory instead.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.config import Config
from analysis.loader.problems import Problem, SourceFile
from analysis.provenance import package_version

CACHE_ENV = "WORKBOOK_CACHE"
META = "meta.pickle"
FORMAT = 1  # the layout of an entry; a change makes every older entry a miss


def cache_folder() -> Path | None:
    """Where the store is kept, or None when ``WORKBOOK_CACHE=off``."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() in ("off", "none", "0", "no"):
        return None
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "scrutiny-workbook"


@dataclass
class StoredPart:
    """One part of a file as the store holds it."""

    parquet: Path | None            # None: kept in memory only (no cache)
    frame: pd.DataFrame | None      # the records, while in memory
    source: SourceFile
    left_out: list[str]
    skipped: list[Problem]
    found: list[Problem]
    columns: frozenset[str]         # the contract's columns the part has (before empty ones are added)
    rows: int


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The package version and the source of the code that reads, parses and validates a file."""
    digest = hashlib.sha256(f"{package_version()}/{FORMAT}".encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted((package / "loader").glob("*.py")) + [package / "config.py"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a megabyte at a time. Kept for the run, by the file's size and time,
    so the provenance footer does not read a large export a second time."""
    stat = path.stat()
    return _digest(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=1024)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def settings_digest(config: Config, ds: str, key: str) -> str:
    """The council.toml settings that decide how a file of ``ds`` under section ``key`` is read."""
    settings = (ds, key, repr(config.datasets.get(ds)), repr(config.datasets.get(key)), config.themes,
                config.in_person_locations, repr(config.status_labels), config.year_start_month,
                repr(config.survey_questions))
    return hashlib.sha256(repr(settings).encode()).hexdigest()


def _toml_digest(config: Config) -> str:
    toml = config.folder / "council.toml"
    return file_digest(toml) if toml.is_file() else ""


def _entry(folder: Path, path: Path, ds: str, key: str, config: Config) -> tuple[Path, str]:
    """(the file's folder in the cache, the name of its entry for today's bytes, settings and code)."""
    where = hashlib.sha256(f"{path.resolve()}\0{ds}\0{key}".encode()).hexdigest()[:24]
    name = hashlib.sha256("\0".join((file_digest(path), settings_digest(config, ds, key),
                                     code_fingerprint())).encode()).hexdigest()[:32]
    return folder / where, name


def lookup(path: Path, ds: str, key: str, config: Config) -> list[StoredPart] | None:
    """The stored parts of a file read before with the same bytes, settings and code; None if there are none."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        home, name = _entry(folder, path, ds, key, config)
        with open(home / name / META, "rb") as handle:
            meta = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None
    if meta.get("toml") and meta["toml"] != _toml_digest(config):
        return None  # its messages quote council.toml, which has changed
    parts = []
    for index, part in enumerate(meta["parts"]):
        parquet = home / name / f"part-{index}.parquet"
        if not parquet.is_file():
            return None
        source = part["source"]
        source.path = path  # the path as found this time (the same file)
        parts.append(StoredPart(parquet, None, source, part["left_out"], part["skipped"], part["found"],
                                part["columns"], part["rows"]))
    return parts


def save(path: Path, ds: str, key: str, config: Config,
         produce: Callable[[Path | None], list[StoredPart]]) -> list[StoredPart]:
    """Read a file with ``produce`` and write its parts to the store. ``produce(folder)`` reads, parses and
    validates the file; a large file's parts it writes to ``folder/part-N.parquet`` itself as it goes (its
    parts' frames are None), a small file's it returns as frames, written here. On any failure to write,
    the parts are kept in memory instead (the run goes on without the store); a DataError from ``produce``
    leaves nothing behind."""
    folder = cache_folder()
    building = None
    if folder is not None:
        try:
            home, name = _entry(folder, path, ds, key, config)
            home.mkdir(parents=True, exist_ok=True)
            building = home / f".{name}-{secrets.token_hex(4)}"
            building.mkdir()
        except OSError:
            building = None
    if building is None:
        return produce(None)
    try:
        parts = produce(building)
    except OSError:  # the store filled up or went away while a large file was written: in memory instead
        shutil.rmtree(building, ignore_errors=True)
        return produce(None)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    try:
        meta = {"parts": [], "toml": _toml_digest(config) if any(p.skipped or p.found for p in parts) else ""}
        for index, part in enumerate(parts):
            if part.frame is not None:
                part.frame.to_parquet(building / f"part-{index}.parquet", index=False)
            source = part.source
            context, source.context = source.context, None  # only the reader's, and dropped once used
            meta["parts"].append({"source": source, "left_out": part.left_out, "skipped": part.skipped,
                                  "found": part.found, "columns": part.columns, "rows": part.rows})
            source.context = context
        with open(building / META, "wb") as handle:
            pickle.dump(meta, handle, protocol=pickle.HIGHEST_PROTOCOL)
        if (home / name).exists():  # an entry that lost its records (deleted by hand): replaced
            shutil.rmtree(home / name, ignore_errors=True)
        os.rename(building, home / name)
    except (OSError, ValueError, TypeError):
        # Another run storing the same file at this moment, or a store that cannot be written: in memory.
        for index, part in enumerate(parts):
            if part.frame is None:
                part.frame = pd.read_parquet(building / f"part-{index}.parquet")
                part.parquet = None
        shutil.rmtree(building, ignore_errors=True)
        return parts
    for other in home.iterdir():  # an older version of the file is not needed again
        if other.name != name and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)
    stored = []
    for index, part in enumerate(parts):
        stored.append(StoredPart(home / name / f"part-{index}.parquet", None, part.source, part.left_out,
                                 part.skipped, part.found, part.columns, part.rows))
    return stored
