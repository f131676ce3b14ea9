"""Load the canonical datasets of a data folder, stage by stage:

1. :mod:`~analysis.loader.find` finds a dataset's files (paths, globs, default names; lock files skipped);
2. :mod:`~analysis.loader.read` reads one file's wanted columns as raw values (CSV and Parquet; workbooks in
   :mod:`~analysis.loader.excel`; the header found by :mod:`~analysis.loader.layout`; rows that are not
   records left out by :mod:`~analysis.loader.rows`; FixMyStreet exports by :mod:`~analysis.loader.fixmystreet`);
3. :mod:`~analysis.loader.parse_file` turns them into typed columns (single values by
   :mod:`~analysis.loader.parse`, set values by :mod:`~analysis.loader.value_sets`);
4. :mod:`~analysis.loader.validate` checks each file against the contract and words what is wrong;
   :mod:`~analysis.loader.cross` checks across files and datasets;
5. :mod:`~analysis.loader.cache` keeps each file's result, as typed Parquet and the problems found, in the
   store of files read (outside the data folder, keyed by the file's SHA-256, its council.toml settings and
   the code), so that a file is read again only when it changes; :mod:`~analysis.loader.store` holds the
   result (:class:`Datasets`), whose records stay in the store until asked for.

:mod:`~analysis.loader.load` drives them (``load_all``, ``check_all``); :mod:`~analysis.loader.schema` is the
contract they all read, and :mod:`~analysis.loader.problems` the words they report in.

Each dataset may be CSV, Excel or Parquet, found by its default name or by the
paths and globs in ``council.toml``. Only the contract's columns are ever read
(after the council's renames), so names, email addresses and customers' own
words never enter the workbook. Every problem of every file is collected and
reported together, with the row numbers the user sees in the file; each says
what was expected and how to fix it.

Real-world shapes the reader copes with:

- **Title rows above the header** (CSV and Excel): the header is the first row,
  among the first 50, holding the most of the expected column names (the
  contract's or the council's renamed ones). ``header_row = N`` under
  ``[datasets.NAME]`` says which row it is (1-based, as the spreadsheet shows it).
  Row numbers in messages are always the spreadsheet's own.
- **Blank rows** (every column read is empty) are skipped, never reported as
  empty required values; the rows after them keep their own numbers.
- **Merged cells** in Excel (a theme merged down several rows) give their value
  to every cell of the merged range.
- **Labels** with other capitals or stray spaces: status labels, themes and
  in-person places match council.toml's lists without regard to either and take
  council.toml's spelling; channels also ignore spaces and hyphens.
- **CSV encodings**: UTF-8 (with or without a byte-order mark) is tried on the
  whole file, then Windows-1252; UTF-16 with a byte-order mark is read too.
- **FixMyStreet** ("Report It") dashboard exports: ``format = "fixmystreet"``
  under ``[datasets.contacts]`` reads the contacts files as FixMyStreet exports;
  a ``[datasets.report_it]`` section (``path = "..."``; its format is FixMyStreet)
  or a file named ``report_it.csv|.xlsx|.parquet`` in the data folder adds a
  FixMyStreet export *beside* the council's other contacts. Either way Report ID
  -> contact_id, Confirmed -> received_at, Acknowledged -> acknowledged_at, the
  earlier of Fixed and Closed -> responded_at, Category -> category, Ward ->
  ward, with channel ``report_it`` and service "Report It". Title, Detail, User
  Name, coordinates, Report URL and the rest are never read. contact_id must be
  unique across every contacts file, FixMyStreet's included.

Problems that make the data unusable are fatal (``Problem.fatal``); a few are
warnings that ``workbook check`` shows and the workbook runs on: a file with a
header but no rows (it adds no records), and a response or acknowledgement dated
on a day before the contact (or complaint) was received, which the counting
rules then treat as done on day 0.
"""

from analysis.loader.load import check_all, load_all, load_dataset
from analysis.loader.problems import Problem, SourceFile
from analysis.loader.schema import SCHEMAS, Col
from analysis.loader.store import Datasets, LoadedDataset, frames_kept_apart

__all__ = ["SCHEMAS", "Col", "Datasets", "LoadedDataset", "Problem", "SourceFile", "check_all", "frames_kept_apart",
           "load_all", "load_dataset"]
