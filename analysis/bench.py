"""``make bench``: a large council through the whole workbook, with measured time and memory.

    python -m analysis.bench --contacts-per-year 1000000 --calls-per-year 1500000
    make bench CONTACTS=1000000 CALLS=1500000

Each step runs as a child process, as an analyst would run it: generating the data (the sample's
generator, a year and a chunk at a time), ``workbook check`` and ``workbook run`` each with an empty
store of files read (so each reads every file), then ``workbook run`` again after one file is saved
again as corrected (new bytes, so only that file is read again), and last DuckDB alone doing the run's
heaviest step (counting contacts, calls and feedback) on the same files. For each
step it prints the wall time and the peak memory of all the processes running at once: this
benchmark, the step's process and every process it starts (the run's worker processes and their
Jupyter kernels), summed while they run by sampling /proc. ``ru_maxrss`` would miss them: it is the
peak of one process, and of a child only once it has ended. README's "Speed" section quotes these
figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

# Not from analysis.workbook: importing it loads pandas, and this process's own memory is counted
# in every step's figure, so it imports only the standard library.
REPO_DIR = Path(__file__).resolve().parents[1]
PROC = Path("/proc")
SAMPLE_EVERY = 0.1  # seconds between samples of the process tree
MIB = 1024  # KiB in a MiB


# --- memory of a process tree, from /proc -------------------------------------------------------

def parent_pids(proc: Path = PROC) -> dict[int, int]:
    """Every process in ``proc`` (a /proc folder) as pid -> parent pid, read from /proc/PID/stat.

    Processes that end while the folder is read are left out, as are entries that are not processes.
    """
    parents = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError, NotADirectoryError):
            continue  # the process ended between listing and reading
        parent = parent_from_stat(stat)
        if parent is not None:
            parents[int(entry.name)] = parent
    return parents


def parent_from_stat(stat: str) -> int | None:
    """The parent pid in the text of /proc/PID/stat ("pid (comm) state ppid ..."), or None if unreadable.

    The command name can itself hold spaces and brackets, so the fields are counted from its last ')'.
    """
    fields = stat.rpartition(")")[2].split()
    return int(fields[1]) if len(fields) > 1 and fields[1].lstrip("-").isdigit() else None


def descendants(parents: dict[int, int], root: int) -> set[int]:
    """``root`` and every process below it (children, their children, ...), given pid -> parent pid."""
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    tree, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in tree:  # a pid reused while /proc was read could otherwise loop
                tree.add(child)
                todo.append(child)
    return tree


def memory_kib(proc: Path, pid: int) -> int:
    """A process's memory in KiB: its proportional set size (Pss, from smaps_rollup), so pages it shares
    with other processes (the libraries every kernel maps, pages a fork shares) are counted once in a sum
    over processes; VmRSS from status where smaps_rollup cannot be read; 0 for a process that has ended
    or has no memory of its own (a zombie, a kernel thread)."""
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            text = (proc / str(pid) / name).read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError, NotADirectoryError):
            continue
        for line in text.splitlines():
            if line.startswith(key):
                return int(line.split()[1])  # "Pss:   123456 kB"
    return 0


def tree_memory_kib(proc: Path, root: int) -> tuple[int, int]:
    """(total KiB, number of processes) of ``root`` and all its descendants at this moment."""
    tree = descendants(parent_pids(proc), root)
    return sum(memory_kib(proc, pid) for pid in tree), len(tree)


class PeakMemory:
    """Samples the memory of a process tree in a background thread while a step runs, keeping the
    peak of the sum over the processes alive at each moment (with ``with PeakMemory(): ...``)."""

    def __init__(self, root: int | None = None, every: float = SAMPLE_EVERY, proc: Path = PROC):
        self.root = os.getpid() if root is None else root
        self.every, self.proc = every, proc
        self.peak_kib = 0
        self.most_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)

    def sample(self) -> None:
        kib, processes = tree_memory_kib(self.proc, self.root)
        self.peak_kib = max(self.peak_kib, kib)
        self.most_processes = max(self.most_processes, processes)
        self.samples += 1

    def _sample_until_stopped(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- the steps -----------------------------------------------------------------------------------

class Step:
    """One measured step: its name, wall time, peak summed memory and the most processes seen at once."""

    def __init__(self, name: str, seconds: float, peak: PeakMemory):
        self.name, self.seconds = name, seconds
        self.peak_mib = peak.peak_kib / MIB
        self.most_processes = peak.most_processes


def measure(name: str, command: list[str], **run_options) -> tuple[Step, subprocess.CompletedProcess]:
    """Run ``command`` as a child process, timing it and sampling the memory of the whole tree."""
    with PeakMemory() as peak:
        started = time.perf_counter()
        done = subprocess.run(command, check=True, cwd=REPO_DIR, **run_options)
        seconds = time.perf_counter() - started
    return Step(name, seconds, peak), done


def correct(path: Path) -> None:
    """Save a file again as an analyst saving a corrected export would: new bytes (a line end added at the
    end, so the records are the same and the figures do not move) and a new modification time. Its SHA-256
    changes, so the re-run reads, parses and validates it again; every other file comes from the store."""
    data = path.read_bytes()
    path.write_bytes(data + (b"\r\n" if data.endswith(b"\r\n") else b"\n"))


DUCKDB_ALONE = """
import sys, time
from analysis.bench import duckdb_alone
print(f"DuckDB alone: {duckdb_alone(sys.argv[1]):.2f} s")
"""


def duckdb_alone(data: str) -> float:
    """Seconds DuckDB takes, alone, for the run's heaviest step: the contacts, calls and feedback of every
    year reduced to their counts by year, month, channel, service and place (the SQL of
    :mod:`analysis.engine`), straight from the data folder's Parquet files, with no reading, parsing or
    validating, and nothing else of the run."""
    from analysis.calendar import WorkingCalendar
    from analysis.config import load_config
    from analysis.engine import Records, call_cube, contact_cube, feedback_cube, latest

    config = load_config(data)
    folder = Path(data)
    started = time.perf_counter()
    contacts = Records("contacts", (folder / "contacts.parquet",))
    contact_cube(contacts, config, WorkingCalendar.for_council(config),
                 latest(contacts, ["received_at", "acknowledged_at", "responded_at"]))
    call_cube(Records("calls", (folder / "calls.parquet",)), config)
    feedback_cube(Records("feedback", (folder / "feedback.parquet",)), config)
    return time.perf_counter() - started


PROBE = """
import sys
from analysis.workbook import open_workbook
wb = open_workbook(prepared=sys.argv[1])
wb.measure("responses_within_standard")
if sys.argv[2] == "contacts":
    len(wb.data.contacts)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024)
"""

KERNEL_PROBE = """
import json, sys
from analysis.bench import kernel_memory
print(json.dumps(kernel_memory(sys.argv[1], sys.argv[2])))
"""


def kernel_memory(data: str, path: str) -> dict[str, float]:
    """Peak memory (MiB) of a fresh Python opening the prepared workbook as a notebook kernel does, for a
    yearly page and for an ad-hoc notebook that reads every contact; and the rows read in all."""
    from analysis.workbook import prepare, remove_prepared, save_prepared

    workbook = prepare(data)
    rows = sum(item.rows for item in workbook.data.loaded.values())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_prepared(workbook, path)
    del workbook
    try:
        figures = {touch: float(subprocess.run([sys.executable, "-c", PROBE, str(path), touch], check=True,
                                               capture_output=True, text=True).stdout)
                   for touch in ("measures", "contacts")}
    finally:
        remove_prepared(path)
    return {**figures, "rows": rows}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The benchmark's options (``make bench`` passes CONTACTS and CALLS, or BENCH_ARGS, through)."""
    parser = argparse.ArgumentParser(prog="python -m analysis.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--contacts-per-year", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--calls-per-year", type=int, default=1_500_000, help="default 1,500,000")
    parser.add_argument("--folder", default=str(REPO_DIR / ".bench"), help="where the data and pages go")
    parser.add_argument("--touch", default="complaints.csv",
                        help="the data file saved again, as corrected, before the re-run (default complaints.csv)")
    args = parser.parse_args(argv)
    if args.contacts_per_year < 100 or args.calls_per_year < 100:
        parser.error("--contacts-per-year and --calls-per-year must be at least 100")
    return args


def report(args: argparse.Namespace, steps: list[Step], kernels: dict[str, float],
           timings: dict[str, float] | None = None) -> str:
    """The benchmark's printed table: one line per step, with wall time and peak summed memory; then how the
    run compares with DuckDB alone, and the re-run with the first run."""
    lines = [f"Benchmark: {args.contacts_per_year:,} contacts and {args.calls_per_year:,} calls a year, "
             f"four years, {int(kernels['rows']):,} rows in all datasets",
             f"  {'step':<52} {'wall time':>9}  {'peak memory, all processes':>26}"]
    for step in steps:
        lines.append(f"  {step.name:<52} {step.seconds:7.1f} s  {step.peak_mib:>10,.0f} MiB "
                     f"({step.most_processes} processes at most)")
    seconds = {step.name: step.seconds for step in steps}
    first, alone = seconds.get("workbook run, first"), seconds.get(DUCKDB_STEP)
    again = next((s for name, s in seconds.items() if name.startswith("workbook run again")), None)
    if first and alone:
        lines.append(f"  the whole first run took {first / alone:,.1f} times as long as DuckDB alone")
    counting = (timings or {}).get("count every measure")
    if counting is not None and alone:
        lines.append(f"  the run's own counting of every measure took {counting:,.1f} s, "
                     f"{counting / alone:,.1f} times DuckDB alone")
    if first and again:
        lines.append(f"  the re-run took {again / first:.2f} of the first run's time")
    lines.append(f"  a notebook kernel opening the prepared workbook: {kernels['measures']:,.0f} MiB for a yearly "
                 f"page, {kernels['contacts']:,.0f} MiB for an ad-hoc notebook that reads every contact")
    own = memory_kib(PROC, os.getpid()) / MIB
    lines.append(f"  (each step's memory includes this benchmark's own process, {own:,.0f} MiB)")
    return "\n".join(lines)


DUCKDB_STEP = "DuckDB alone: the heaviest step on the same files"


def run_timings(output: str) -> dict[str, float]:
    """The seconds of each step a run prints ("  done    count every measure   12.3 s")."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"\s+done\s+(.+?)\s+([0-9.]+) s$", line)
        if match:
            found[match.group(1)] = float(match.group(2))
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    folder = Path(args.folder).resolve()
    data, out, store = folder / "data", folder / "outputs", folder / "store"
    shutil.rmtree(out, ignore_errors=True)  # the first run starts from nothing
    python = sys.executable
    workbook = [python, "-m", "analysis.cli"]
    env = {**os.environ, "WORKBOOK_CACHE": str(store)}  # the store of files read: the benchmark's own
    steps = []

    def step(name, command, **options):
        print(f"--- {name}", flush=True)
        try:
            measured, done = measure(name, command, env=env, **options)
        except subprocess.CalledProcessError as exc:
            if exc.stdout:
                print(exc.stdout, end="")
            raise SystemExit(f"The benchmark stopped: {name} failed (exit code {exc.returncode}); see above.")
        steps.append(measured)
        if options.get("capture_output"):
            print(done.stdout, end="", flush=True)
        return done

    step("generate the data", [python, "-m", "analysis.sample", "--out", str(data),
                               "--contacts-per-year", str(args.contacts_per_year),
                               "--calls-per-year", str(args.calls_per_year)])
    shutil.rmtree(store, ignore_errors=True)
    step("workbook check (read and validate every file)",
         [*workbook, "check", "--data", str(data), "--out", str(out)])
    shutil.rmtree(store, ignore_errors=True)  # the first run reads every file, as on a new machine
    first = step("workbook run, first", [*workbook, "run", "--data", str(data), "--out", str(out)],
                 capture_output=True, text=True)
    touched = data / args.touch
    if not touched.is_file():
        raise SystemExit(f"--touch {args.touch}: there is no such file in {data}")
    correct(touched)
    step(f"workbook run again, after correcting {args.touch}", [*workbook, "run", "--data", str(data), "--out",
                                                                str(out)])
    step(DUCKDB_STEP, [python, "-c", DUCKDB_ALONE, str(data)])
    print("--- notebook kernels opening the prepared workbook (not timed)", flush=True)
    probe = subprocess.run([python, "-c", KERNEL_PROBE, str(data), str(folder / "prepared" / "prepared.pickle")],
                           check=True, cwd=REPO_DIR, capture_output=True, text=True, env=env)
    kernels = json.loads(probe.stdout.strip().splitlines()[-1])
    print()
    print(report(args, steps, kernels, run_timings(first.stdout)))
    print(f"  pages: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
