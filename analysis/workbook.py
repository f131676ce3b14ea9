"""The yearly run: prepare the data once, execute every notebook with papermill, publish HTML.

``prepare`` reads and validates the data folder and computes every measure;
the result is pickled once per run (``save_prepared``: the measures in one
file, each dataset's records in a file of its own) and each notebook opens it
with ``open_workbook`` instead of reading the files again, loading a dataset's
records only if its page uses them. Notebooks run in
parallel processes; the year's output is built in a temporary folder and only
replaces ``OUT/<YYYY-YY>/`` when every step has succeeded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import pickle
import secrets
import shutil
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.calendar import (
    WorkingCalendar,
    financial_years,
    year_bounds,
    year_folder,
    year_label,
    year_start,
)
from analysis.compare import add_comparisons, break_comparisons, to_csv_frame
from analysis.config import Config, load_config
from analysis.datasets import Datasets, frames_kept_apart, load_all
from analysis.errors import WorkbookError
from analysis.provenance import git_commit  # noqa: F401 (kept importable as analysis.workbook.git_commit)
from analysis.measures import (
    CALL_MONTHLY,
    MEASURE_NEEDS,
    COMPLAINT_RATE_MEASURES,
    CONTACT_MONTHLY,
    COMPLAINT_CODE_NEEDS,
    action_plan_measures,
    as_at_date,
    call_cube,
    call_measures,
    call_monthly_series,
    complaint_code_measures,
    complaint_measures,
    complaint_monthly_series,
    contact_monthly_series,
    contact_cube,
    contact_measures,
    feedback_measures,
    in_person_purposes,
    manual_measure_rows,
    not_yet_due_count,
    ombudsman_measures,
    panel_measures,
    record_years,
    survey_measures,
)
from analysis.survey import comparison_breaks

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DEFAULT_DATA = REPO_DIR / "data" / "sample"
DEFAULT_NOTEBOOKS = REPO_DIR / "notebooks"
DEFAULT_OUT = REPO_DIR / "outputs"
KERNEL_NAME = "scrutiny-workbook"
KERNEL_ATTEMPTS = 2

# The columns whose latest timestamp is each dataset's 'as at' date.
AS_AT_COLUMNS = {
    "contacts": ["received_at", "acknowledged_at", "responded_at"],
    "calls": ["offered_at"],
    "complaints": ["received_at", "acknowledged_at", "responded_at"],
    "feedback": ["given_at"],
}


@dataclass
class Workbook:
    """Everything a notebook needs for one year: config, validated data and every measure."""

    config: Config
    data: Datasets
    year: str
    years: list[str]               # every year in the data up to and including ``year``
    as_at: dict[str, dt.date | None]
    measures: pd.DataFrame         # all years up to ``year``, with comparisons
    parameters: dict = field(default_factory=dict)
    monthly: dict[str, pd.DataFrame] = field(default_factory=dict)  # measure_id -> numerator, denominator, value
    signals: dict[str, str] = field(default_factory=dict)           # measure_id -> the monthly pattern in words
    facts: dict = field(default_factory=dict)  # figures the pages state that need every record (see year_facts)
    timings: dict[str, float] = field(default_factory=dict)  # seconds each step of prepare took

    @property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar.for_council(self.config)

    @property
    def year_bounds(self) -> tuple[dt.date, dt.date]:
        """The first and last days of the year of the pages."""
        return year_bounds(self.year, self.config.year_start_month)

    @property
    def previous_year(self) -> str | None:
        index = self.years.index(self.year)
        return self.years[index - 1] if index > 0 else None

    def polarity(self, measure_id: str) -> str:
        register = self.data.get("measures")
        if register is not None and measure_id in set(register["measure_id"]):
            return str(register.loc[register["measure_id"] == measure_id, "polarity"].iloc[0])
        return "neutral"

    def spc(self, measure_id: str):
        """The XmR analysis of a measure's monthly series, or None where there is none.

        Where a standard the measure counts against changed within the series,
        only the months since the latest change are charted: before it the
        process was measured against another standard, so one mean and one set
        of limits across both would mislead (Making Data Count recalculates
        limits at such a change). Moving ranges are screened unless
        ``[spc] screen_outliers = false``; the measure's ``[spc.rebase]`` months
        start fresh limits (those before the chart's first month start none).
        """
        from analysis.spc import xmr

        series = self.monthly.get(measure_id)
        if series is None or series["value"].notna().sum() == 0:
            return None
        values = series["value"].drop(index=[month for month, _ in self.provisional_months(measure_id)])
        start, _ = self.process_start(measure_id)
        if start is not None:
            values = values[values.index >= start]
        return xmr(values, polarity=self.polarity(measure_id), screen_outliers=self.config.spc_screen_outliers,
                   rebase=self.config.spc_rebase.get(measure_id, ()))

    def provisional_months(self, measure_id: str) -> list[tuple[pd.Period, int]]:
        """The latest months whose items are not all due yet (month, how many are not), oldest first: their
        percentages leave those items out and may fall once they are answered, so no monthly pattern is
        judged on them. Only a run of such months at the end of the series: earlier ones are final."""
        series = self.monthly.get(measure_id)
        if series is None or "not_yet_due" not in series:
            return []
        waiting = series["not_yet_due"].fillna(0)
        months = []
        for month, count in zip(reversed(series.index), reversed(waiting.to_numpy())):
            if count <= 0:
                break
            months.append((month, int(count)))
        return months[::-1]

    def thin_months(self, measure_id: str) -> bool:
        """Whether some month charted has a base below ``disclosure.minimum_count``: its percentage may not be
        shown (the chart and its numbers would show it), and a monthly pattern on so few means nothing."""
        series = self.monthly.get(measure_id)
        if series is None or "denominator" not in series or series["value"].notna().sum() == 0:
            return False
        start, _ = self.process_start(measure_id)
        charted = series if start is None else series[series.index >= start]
        charted = charted.drop(index=[month for month, _ in self.provisional_months(measure_id)])
        bases = charted.loc[charted["value"].notna(), "denominator"]
        return bool((bases < self.config.minimum_count).any())

    def process_start(self, measure_id: str) -> tuple[pd.Period | None, str]:
        """The first month measured against today's standards, when a standard the measure counts against
        changed within the years charted, and the change in words ("the email standard changed from 10 to 5
        working days"); (None, "") otherwise."""
        from analysis.present import list_words, standard_changes

        for year in reversed(self.years[1:]):
            changes = standard_changes(self.config, measure_id, "", year)
            if changes:
                start = pd.Period(year_bounds(year, self.config.year_start_month)[0], freq="M")
                return start, list_words(changes)
        return None, ""

    def measure(self, measure_id: str, breakdown: str | None = "") -> pd.DataFrame:
        """Rows of one measure: the headline (breakdown ''), a breakdown name ('channel'), or all (None)."""
        rows = self.measures[self.measures["measure_id"] == measure_id]
        if breakdown is None:
            return rows.reset_index(drop=True)
        if breakdown == "":
            return rows[rows["breakdown"] == ""].reset_index(drop=True)
        return rows[rows["breakdown"].str.startswith(breakdown + "=")].reset_index(drop=True)

    def sql(self, query: str, params: list | dict | None = None) -> pd.DataFrame:
        """The result of SQL over every record of the data folder, each dataset a table of its name
        (``contacts``, ``calls``, ``complaints``, ...), with ``working_days`` for counting working days.

        The records are not loaded into memory: DuckDB reads the store's Parquet files and only the result
        comes back, e.g. ``wb.sql("SELECT channel, COUNT(*) AS contacts FROM contacts GROUP BY channel")``.
        Personal data was never read, so none can be queried; members see only what a cell shows, so
        small counts must still go through ``present.count_words``.
        """
        from analysis.engine import query as run_query

        return run_query({name: self.data.records(name) for name in self.data.loaded}, query, self.calendar,
                         params)

    def value(self, measure_id: str, year: str | None = None, breakdown: str = ""):
        rows = self.measures[(self.measures["measure_id"] == measure_id) & (self.measures["breakdown"] == breakdown)
                             & (self.measures["year"] == (year or self.year))]
        return rows.iloc[0] if len(rows) else None


# --- preparing the data ---------------------------------------------------------------------


def data_years(datasets: Datasets) -> tuple[list[str], dt.date | None]:
    """Financial years that have dated records, and the latest record date."""
    config = datasets.config
    labels: set[str] = set()
    latest: dt.date | None = None
    for name, columns in AS_AT_COLUMNS.items():
        records = datasets.records(name)
        if records is None or len(records) == 0:
            continue
        labels |= set(record_years(records, columns[0], config.year_start_month))
        found = as_at_date(records, columns)
        if found and (latest is None or found > latest):
            latest = found
    for name, column in (("action_plan", "plan_year"), ("survey", "survey_year"), ("manual_measures", "year")):
        frame = datasets.get(name)
        if frame is not None:
            labels |= set(frame[column].dropna().astype(str).unique())
    return sorted(labels), latest


def latest_complete_year(datasets: Datasets) -> str:
    """The latest financial year whose last day is on or before the latest record date."""
    config = datasets.config
    _, latest = data_years(datasets)
    if latest is None:
        raise WorkbookError("The data has no dated records (contacts, calls, complaints or feedback), so the "
                            "year cannot be worked out: give it with --year, e.g. --year 2023/24.")
    start = latest.year if latest.month >= config.year_start_month else latest.year - 1
    label = year_label(start)
    if year_bounds(label, config.year_start_month)[1] > latest:
        label = year_label(start - 1)
    return label


@dataclass
class Cubes:
    """The contacts and calls reduced by SQL, once per run, to the small tables every figure of theirs is
    worked out from (:func:`analysis.measures.contact_cube`, :func:`analysis.measures.call_cube`); None where
    the data folder has no such records."""

    contacts: pd.DataFrame | None = None
    calls: tuple[pd.DataFrame, bool] | None = None


def record_cubes(datasets: Datasets, as_at: dict[str, dt.date | None]) -> Cubes:
    config = datasets.config
    contacts, calls = datasets.records("contacts"), datasets.records("calls")
    return Cubes(
        contact_cube(contacts, config, WorkingCalendar.for_council(config), as_at.get("contacts"))
        if contacts is not None and len(contacts) else None,
        call_cube(calls, config) if calls is not None and len(calls) else None)


def compute_measures(datasets: Datasets, as_at: dict[str, dt.date | None], years: list[str],
                     cubes: Cubes | None = None) -> pd.DataFrame:
    """Every measure for every year in the data, with comparisons and targets."""
    config = datasets.config
    calendar = WorkingCalendar.for_council(config)
    cubes = cubes or record_cubes(datasets, as_at)
    parts = [
        action_plan_measures(datasets.get("action_plan")),
        contact_measures(None, config, calendar, cube=cubes.contacts) if cubes.contacts is not None else None,
        call_measures(None, config, cube=cubes.calls) if cubes.calls is not None else None,
        complaint_measures(datasets.get("complaints"), config, calendar, as_at.get("complaints")),
        # The Complaint Handling Code's measures, from the columns the exports record (none: no rows).
        complaint_code_measures(datasets.get("complaints"), config, calendar, as_at.get("complaints"),
                                recorded={c for c in COMPLAINT_CODE_NEEDS.values()
                                          if datasets.recorded("complaints", c)}),
        ombudsman_measures(datasets.get("ombudsman"), config,
                           recorded={c for c in ("remedy_complied",) if datasets.recorded("ombudsman", c)}),
        feedback_measures(datasets.records("feedback"), config),
        survey_measures(datasets.get("survey"), config),
        panel_measures(datasets.get("panel"), datasets.get("population"), datasets.get("panel_invitations"),
                       config, years),
        manual_measure_rows(datasets.get("manual_measures"), datasets.get("measures")),
    ]
    rows = pd.concat([p for p in parts if p is not None and not p.empty], ignore_index=True)
    unrecorded = [m for m, (name, column) in MEASURE_NEEDS.items() if not datasets.recorded(name, column)]
    # The denominator (invited, contacts due) is still known; what it would be compared with is not.
    rows.loc[rows["measure_id"].isin(unrecorded), ["value", "numerator"]] = np.nan
    rows = add_comparisons(rows, datasets.get("measures"), config.baseline_year or (years[0] if years else None))
    rows = untested_where_unlike(rows, config)
    return break_comparisons(rows, comparison_breaks(datasets.get("survey")))


def untested_where_unlike(rows: pd.DataFrame, config: Config) -> pd.DataFrame:
    """measures.csv's ``significant`` and ``significant_since_baseline`` left empty where a standard the figure
    counts against changed between the two years: the figures are given (previous_value, change, ...) as the
    contract defines them, but a test of two figures measured against different standards would claim a change
    in the service that may be only a change in the standard, and the pages never make that claim."""
    from analysis.present import STANDARD_MEASURES, standard_changes

    rows = rows.copy()
    candidates = rows[rows["measure_id"].isin(list(STANDARD_MEASURES))]
    keys = candidates[["measure_id", "breakdown", "year", "baseline_year"]].drop_duplicates()
    for measure_id, breakdown, year, baseline in keys.itertuples(index=False):
        at = (rows["measure_id"] == measure_id) & (rows["breakdown"] == breakdown) & (rows["year"] == year)
        if standard_changes(config, measure_id, breakdown, str(year)):
            rows.loc[at, "significant"] = pd.NA
        if isinstance(baseline, str) and baseline < str(year) and standard_changes(
                config, measure_id, breakdown, str(year), baseline):
            rows.loc[at, "significant_since_baseline"] = pd.NA
    return rows


def compute_monthly(datasets: Datasets, as_at: dict[str, dt.date | None], year: str,
                    cubes: Cubes | None = None) -> dict[str, pd.DataFrame]:
    """Monthly series of every measure that has one, up to the last month of ``year``."""
    config = datasets.config
    calendar = WorkingCalendar.for_council(config)
    last_month = pd.Period(year_bounds(year, config.year_start_month)[1], freq="M")
    cubes = cubes or record_cubes(datasets, as_at)
    makers = {
        **({m: lambda m=m: contact_monthly_series(None, config, calendar, as_at.get("contacts"), m,
                                                  cube=cubes.contacts) for m in CONTACT_MONTHLY}
           if cubes.contacts is not None else {}),
        **({m: lambda m=m: call_monthly_series(None, config, m, cube=cubes.calls) for m in CALL_MONTHLY}
           if cubes.calls is not None else {}),
        **{m: lambda m=m: complaint_monthly_series(datasets.get("complaints"), config, calendar,
                                                   as_at.get("complaints"), m) for m in COMPLAINT_RATE_MEASURES},
    }
    monthly = {}
    for measure_id, make in makers.items():
        series = make()
        series = series[series.index <= last_month]
        if series["value"].notna().any():
            monthly[measure_id] = series
    return monthly


SHORT_ASSURANCE = {
    "expected to meet the target every month": "target expected to be met every month",
    "not expected to meet the target without a change in how the service works":
        "target not expected to be met without a change",
    "may or may not meet the target in any month (it is inside the normal range of variation)":
        "target may or may not be met in a month",
}


def monthly_signals(workbook: "Workbook") -> dict[str, str]:
    """The scorecard's "monthly pattern": the SPC reading and, with a target, the assurance."""
    from analysis.spc import assurance_words, variation_words

    register = workbook.data.get("measures")
    targets = dict(zip(register["measure_id"], register["target"])) if register is not None else {}
    signals = {}
    for measure_id in workbook.monthly:
        if workbook.thin_months(measure_id):
            signals[measure_id] = "too few in some months to judge"
            continue
        result = workbook.spc(measure_id)
        if result is None:
            continue
        unit = "seconds" if measure_id == "average_speed_of_answer" else "percent"
        words = variation_words(result, unit=unit).phrase
        target = targets.get(measure_id)
        if target is not None and not pd.isna(target) and result.polarity != "neutral" and result.enough_points:
            words += "; " + SHORT_ASSURANCE.get(assurance := assurance_words(result, target, unit=unit).phrase,
                                                assurance)
        signals[measure_id] = words
    return signals


def prepare(data_dir: str | Path = DEFAULT_DATA, year: str | None = None, as_at: str | dt.date | None = None,
            datasets: Datasets | None = None) -> Workbook:
    """Load and validate the data folder (unless given) and compute every measure for the year."""
    started = time.perf_counter()
    config = load_config(data_dir) if datasets is None else datasets.config
    datasets = datasets or load_all(config)
    read = time.perf_counter()
    if isinstance(as_at, str) and as_at:
        try:
            as_at = dt.date.fromisoformat(as_at)
        except ValueError:
            raise WorkbookError(f'--as-at "{as_at}" is not a date: write it like 2024-04-30.') from None
    as_at_by_dataset = {
        name: (as_at or (as_at_date(datasets.records(name), cols) if name in datasets.loaded else None))
        for name, cols in AS_AT_COLUMNS.items()
    }
    available, _ = data_years(datasets)
    if year is None:
        year = latest_complete_year(datasets)
    else:
        try:
            year = year_label(year_start(year))  # 2023-24 or 2023/2024 as typed: 2023/24
        except ValueError as exc:
            raise WorkbookError(f"--year {exc}.") from None
        if year not in available:
            covered = f"{available[0]} to {available[-1]}" if available else "no year at all"
            raise WorkbookError(f"There is no data for {year}: the data folder covers {covered}.")
    years = [y for y in available if y <= year]
    cubes = record_cubes(datasets, as_at_by_dataset)
    measures = compute_measures(datasets, as_at_by_dataset, years, cubes)
    measures = measures[measures["year"].isin(years)].reset_index(drop=True)
    workbook = Workbook(config, datasets, year, years, as_at_by_dataset, measures,
                        {"data_dir": str(config.folder), "year": year, "as_at": str(as_at or "")},
                        monthly=compute_monthly(datasets, as_at_by_dataset, year, cubes))
    workbook.signals = monthly_signals(workbook)
    workbook.facts = year_facts(workbook, cubes)
    workbook.timings = {"read and check the data": read - started, "count every measure": time.perf_counter() - read}
    return workbook


def year_facts(workbook: Workbook, cubes: Cubes | None = None) -> dict:
    """What the pages say from the records themselves rather than from the measures, worked out here
    once so that no notebook has to read every contact."""
    contacts, year, config = workbook.data.records("contacts"), workbook.year, workbook.config
    cubes = cubes or record_cubes(workbook.data, workbook.as_at)
    return {
        "not_yet_due": not_yet_due_count(contacts, config, workbook.calendar, workbook.as_at.get("contacts"), year,
                                         cube=cubes.contacts),
        "in_person_purposes": in_person_purposes(contacts, config, year, cube=cubes.contacts),
    }


def save_prepared(workbook: Workbook, path: Path) -> Path:
    """Pickle the prepared workbook for the notebooks of a run: the measures and settings in ``path``,
    each dataset's records in a file of its own beside it, read only by a notebook that uses them."""
    with frames_kept_apart(path.with_name(f"{path.stem}-frames")), open(path, "wb") as handle:
        pickle.dump(workbook, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def remove_prepared(path: Path) -> None:
    path.unlink(missing_ok=True)
    shutil.rmtree(path.with_name(f"{path.stem}-frames"), ignore_errors=True)


def open_workbook(data_dir: str = "", year: str = "", as_at: str = "", prepared: str = "") -> Workbook:
    """For notebooks: the run's prepared workbook if there is one, otherwise prepare it now."""
    if prepared and Path(prepared).is_file():
        with open(prepared, "rb") as handle:
            return pickle.load(handle)
    return prepare(data_dir or DEFAULT_DATA, year or None, as_at or None)


# --- running notebooks ----------------------------------------------------------------------


def kernel_name() -> str:
    """A kernelspec for this very Python, registered in its environment if missing.

    papermill refuses a notebook without a kernel it can find; on a fresh machine
    the environment has none until this registers one.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if spec.argv and Path(spec.argv[0]).resolve() == Path(sys.executable).resolve():
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    try:
        from ipykernel.kernelspec import install

        install(kernel_name=KERNEL_NAME, display_name="Scrutiny workbook (Python)", prefix=sys.prefix)
        return KERNEL_NAME
    except OSError:
        return "python3"


def notebook_title(path: Path) -> str:
    """The page's title: the notebook's first markdown heading."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", "")).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem.replace("-", " ").replace("_", " ").capitalize()


@contextlib.contextmanager
def _ctrl_c_remembered():
    """Raise KeyboardInterrupt on Ctrl+C as usual, and remember it: :func:`_not_interrupted` raises it again.

    Python runs a signal handler between any two bytecodes, including inside code whose exceptions the
    interpreter itself discards (a ``__del__``, a ``hasattr`` in C), so an interrupt can, rarely, be lost
    on its way; remembering it means a Ctrl+C still never publishes a run's output.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _INTERRUPTED.clear()

    def interrupted(signum, frame):
        _INTERRUPTED.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


_INTERRUPTED: list[int] = []


def _not_interrupted() -> None:
    if _INTERRUPTED:
        raise KeyboardInterrupt


@contextlib.contextmanager
def _ctrl_c_held():
    """Hold a Ctrl+C back while worker processes are forked, then raise it.

    A worker forked in this window inherits the holding handler, so a Ctrl+C
    reaching it before :func:`quiet_worker` has silenced its stderr sets a flag
    rather than printing a traceback over the user's terminal.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        raise KeyboardInterrupt


def quiet_worker() -> None:
    """Notebook kernels write start-up chatter to stderr; the user sees our progress lines instead."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl+C stops the worker, quietly now
    # Kernels import this very checkout of the package, whatever else is installed.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_DIR), os.environ.get("PYTHONPATH")]))


def execute_and_export(notebook: str, executed: str, html: str, parameters: dict, kernel: str,
                       page: dict) -> tuple[float, str | None]:
    """Run one notebook with papermill and write its HTML: (seconds taken, failure message or None).

    Runs in a worker process, so it returns a plain message rather than raising.
    """
    import papermill

    from analysis.publish import export_html  # lazily: a notebook kernel opening the workbook never needs nbconvert

    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    for attempt in range(KERNEL_ATTEMPTS):
        try:
            papermill.execute_notebook(notebook, executed, parameters=parameters, kernel_name=kernel,
                                       progress_bar=False, cwd=str(Path(notebook).parent))
            export_html(Path(executed), Path(html), page)
            return time.perf_counter() - started, None
        except PapermillExecutionError as exc:  # an error in a cell: running again would not help
            return time.perf_counter() - started, _explain_failure(Path(notebook).name, exc)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message for the user
            # A kernel that did not start (two kernels starting at once can race for ports) is tried again.
            if attempt + 1 < KERNEL_ATTEMPTS and "Kernel" in str(exc):
                continue
            return time.perf_counter() - started, _explain_failure(Path(notebook).name, exc)
    return time.perf_counter() - started, None


class NotebookFailed(WorkbookError):
    pass


def _explain_failure(name: str, exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        lines = [line for line in str(exc.source or "").splitlines() if line.strip()]
        first = f' ("{lines[0].strip()[:80]}")' if lines else ""
        return (f"The notebook {name} stopped at cell {exc.exec_count}{first}: {exc.ename}: {exc.evalue}\n"
                f"  Nothing was published. To see the full error, open notebooks/{name} in JupyterLab, set "
                "data_dir in its parameters cell to your data folder, and run it.")
    return f"The notebook {name} failed: {type(exc).__name__}: {exc}"


def run(data_dir: str | Path = DEFAULT_DATA, year: str | None = None, out: str | Path = DEFAULT_OUT,
        as_at: str | None = None, notebooks_dir: str | Path = DEFAULT_NOTEBOOKS, jobs: int | None = None,
        echo=print) -> Path:
    """Run the yearly workbook and return the path of the year's ``index.html``."""
    with _ctrl_c_remembered():
        return _run(data_dir, year, out, as_at, notebooks_dir, jobs, echo)


def _run(data_dir, year, out, as_at, notebooks_dir, jobs, echo) -> Path:
    from analysis.pack import write_pack
    from analysis.publish import page_context, write_index, write_outputs_index

    started = time.perf_counter()
    data_dir = Path(data_dir).resolve()
    out = Path(out).resolve()
    notebooks = sorted(Path(notebooks_dir).glob("*.ipynb"))
    if not notebooks:
        raise WorkbookError(f"There are no notebooks in {notebooks_dir}.")
    workbook = prepare(data_dir, year, as_at)
    for warning in workbook.data.warnings:
        echo(f"warning: {warning}")
    echo(f"{workbook.config.name}: {workbook.year}, data read and checked "
         f"({', '.join(sorted(workbook.data.loaded))})")
    for step, seconds in workbook.timings.items():
        echo(f"  done    {step:<32} {seconds:5.1f} s")

    out.mkdir(parents=True, exist_ok=True)
    final = out / year_folder(workbook.year)
    build = new_build_folder(out, f".{final.name}-building-")
    try:
        prepared = save_prepared(workbook, build / "prepared.pickle")
        # The runner too lets go of the records while the notebooks run; what it still needs
        # (the measures, the register) is read back from the prepared files on demand.
        workbook = open_workbook(prepared=str(prepared))
        pages = [{"stem": nb.stem, "title": notebook_title(nb), "href": f"{nb.stem}.html"} for nb in notebooks]
        context = page_context(workbook, pages)
        kernel = kernel_name()
        parameters = {"data_dir": str(data_dir), "year": workbook.year, "as_at": as_at or "",
                      "output_dir": str(final), "prepared": str(prepared)}
        jobs = jobs or max(1, min(len(notebooks), os.cpu_count() or 1))
        failures = []
        with ProcessPoolExecutor(max_workers=jobs, initializer=quiet_worker) as pool:
            with _ctrl_c_held():  # a Ctrl+C while workers start is acted on once they have
                futures = {
                    pool.submit(execute_and_export, str(nb), str(build / nb.name), str(build / f"{nb.stem}.html"),
                                parameters, kernel, {**context, "current": nb.stem}): nb
                    for nb in notebooks
                }
            for future in as_completed(futures):
                nb = futures[future]
                seconds, failure = future.result()
                if failure:
                    echo(f"  FAILED  {nb.stem:<32} {seconds:5.1f} s")
                    failures.append(failure)
                else:
                    echo(f"  done    {nb.stem:<32} {seconds:5.1f} s")
        if failures:
            raise NotebookFailed("\n".join(failures) + f"\n  The earlier output in {final} is unchanged.")
        to_csv_frame(workbook.measures).to_csv(build / "measures.csv", index=False)
        started_pack = time.perf_counter()
        pdf = write_pack(workbook, pages, build, context)
        echo(f"  done    {'committee pack (PDF)':<32} {time.perf_counter() - started_pack:5.1f} s")
        write_index(workbook, pages, build / "index.html", {**context, "pack": pdf.name})
        remove_prepared(prepared)
        _not_interrupted()
        _replace_folder(build, final)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    write_outputs_index(out)
    echo(f"Finished in {time.perf_counter() - started:.0f} s.")
    return final / "index.html"


def new_build_folder(parent: Path, prefix: str) -> Path:
    """A new, empty folder in ``parent``, named ``prefix`` and a random tail, to build output in aside.

    Made with ``os.mkdir(path, 0o777)`` so that the umask decides who may read it, as for every other
    folder the workbook writes: ``tempfile.mkdtemp`` would make it 0700, and once swapped in as the
    year's folder a shared drive or an intranet server could not serve it to anyone else.
    """
    for _ in range(100):
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            os.mkdir(path, 0o777)
            return path
        except FileExistsError:  # another run chose the same name: choose again
            continue
    raise WorkbookError(f"Could not make a new folder to build the output in, in {parent}.")


def _replace_folder(build: Path, final: Path) -> None:
    """Swap the new year folder in with two renames, so a reader never sees half of one."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}-old-{os.getpid()}")
        final.rename(old)
    build.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
