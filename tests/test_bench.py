"""The benchmark's measuring (``make bench``): memory summed over a process tree, the options, and the
generator's chunks for large sizes. No timings are asserted: they depend on the machine."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis import bench, sample
from analysis.workbook import REPO_DIR

MIB = 1024  # KiB


# --- the process tree, from a hand-written /proc ----------------------------------------------------

def fake_process(proc: Path, pid: int, ppid: int, comm: str = "python3", pss: int | None = None,
                 rss: int | None = None, smaps: str | None = None) -> None:
    """A /proc/PID folder with the lines the benchmark reads (stat's ppid, smaps_rollup's Pss, status's VmRSS)."""
    folder = proc / str(pid)
    folder.mkdir()
    (folder / "stat").write_text(f"{pid} ({comm}) S {ppid} {pid} {pid} 0 -1 4194304 2000 0 0 0\n")
    if smaps is not None:
        (folder / "smaps_rollup").write_text(smaps)
    elif pss is not None:
        (folder / "smaps_rollup").write_text(
            "55d0c0000000-7ffc00000000 ---p 00000000 00:00 0                  [rollup]\n"
            f"Rss:              {pss + 500} kB\nPss:              {pss} kB\nPss_Anon:         {pss} kB\n")
    status = f"Name:\t{comm}\nState:\tS (sleeping)\nPPid:\t{ppid}\n"
    if rss is not None:
        status += f"VmHWM:\t{rss + 1000} kB\nVmRSS:\t{rss} kB\n"
    (folder / "status").write_text(status)


@pytest.fixture
def proc(tmp_path):
    """A small machine: init (1) runs the bench (10) and an unrelated process (20).

    The bench's tree: 10 -> 11 -> 12 -> 30, and 10 -> 13 (a zombie, no memory). 14 ended while /proc was
    listed (a folder without stat); "self" is not a process.
    """
    proc = tmp_path / "proc"
    proc.mkdir()
    fake_process(proc, 1, 0, "systemd", pss=900, rss=1_200)
    fake_process(proc, 10, 1, pss=5_000, rss=8_000)          # Pss is preferred to VmRSS
    fake_process(proc, 11, 10, "Web (Content) x", rss=3_000)  # no smaps_rollup: VmRSS; a comm with ') '
    fake_process(proc, 12, 11, pss=2_000, rss=2_500)          # a grandchild
    fake_process(proc, 13, 10, "python3", smaps="")            # a zombie: empty smaps_rollup, no VmRSS
    fake_process(proc, 20, 1, pss=7_000, rss=7_500)           # not below the bench
    fake_process(proc, 30, 12, pss=100, rss=150)              # a great-grandchild
    (proc / "14").mkdir()
    (proc / "self").mkdir()
    return proc


def test_parent_pid_is_read_after_the_command_name():
    assert bench.parent_from_stat("1234 (python3) S 1 1234 1234 0 -1") == 1
    # A command name with spaces and brackets: the fields after its last ')' are state, then ppid.
    assert bench.parent_from_stat("77 (a) (b) c) R 42 77 77 0") == 42
    assert bench.parent_from_stat("garbage") is None


def test_parents_of_every_process(proc):
    # 14 (no stat) and self (not a number) are left out.
    assert bench.parent_pids(proc) == {1: 0, 10: 1, 11: 10, 12: 11, 13: 10, 20: 1, 30: 12}


def test_descendants_follow_children_of_children(proc):
    parents = bench.parent_pids(proc)
    assert bench.descendants(parents, 10) == {10, 11, 12, 13, 30}
    assert bench.descendants(parents, 12) == {12, 30}
    assert bench.descendants(parents, 20) == {20}
    # A pid reused while /proc was being read can make a loop; it must still end.
    assert bench.descendants({2: 3, 3: 2}, 2) == {2, 3}


def test_memory_is_pss_falling_back_to_vmrss(proc):
    assert bench.memory_kib(proc, 10) == 5_000  # Pss, not VmRSS's 8,000
    assert bench.memory_kib(proc, 11) == 3_000  # VmRSS: no smaps_rollup
    assert bench.memory_kib(proc, 13) == 0      # a zombie
    assert bench.memory_kib(proc, 99) == 0      # ended


def test_tree_memory_sums_the_tree_only(proc):
    # 10: 5,000 + 11: 3,000 + 12: 2,000 + 13: 0 + 30: 100 = 10,100 KiB over 5 processes; 20 and 1 are not in it.
    assert bench.tree_memory_kib(proc, 10) == (10_100, 5)
    # From init: 900 + 10,100 + 7,000 (process 20) = 18,000 KiB over 7 processes.
    assert bench.tree_memory_kib(proc, 1) == (18_000, 7)


def test_peak_is_the_largest_sum_at_one_moment(proc):
    peak = bench.PeakMemory(root=10, proc=proc)
    peak.sample()                      # 10,100 KiB, 5 processes
    fake_process(proc, 40, 13, pss=6_000)
    peak.sample()                      # a new child of the zombie: 16,100 KiB, 6 processes
    (proc / "40" / "smaps_rollup").unlink()
    (proc / "40" / "stat").unlink()    # it ended
    (proc / "12" / "smaps_rollup").write_text("Pss:  9000 kB\n")
    peak.sample()                      # 5,000 + 3,000 + 9,000 + 0 + 100 = 17,100 KiB, 5 processes
    (proc / "12" / "smaps_rollup").write_text("Pss:  1000 kB\n")
    peak.sample()                      # 9,100 KiB
    # The peak is the largest sum at one sample (17,100), not the sum of each process's own peak
    # (5,000 + 3,000 + 9,000 + 100 + 6,000 = 23,100).
    assert (peak.peak_kib, peak.most_processes, peak.samples) == (17_100, 6, 4)


# --- the real /proc: a child holding 200 MiB is counted -------------------------------------------

HOLD = textwrap.dedent("""
    import sys
    held = b"x" * (200 * 1024 * 1024)  # written, so every page is really there (calloc'd pages would not be)
    print("ready", flush=True)
    sys.stdin.read()
""")


@pytest.fixture
def child_holding_200_mib():
    child = subprocess.Popen([sys.executable, "-c", HOLD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        yield child
    finally:
        child.stdin.close()
        child.wait(timeout=60)


def test_a_child_process_is_counted(child_holding_200_mib):
    proc, me = Path("/proc"), os.getpid()
    assert child_holding_200_mib.pid in bench.descendants(bench.parent_pids(proc), me)
    child = bench.memory_kib(proc, child_holding_200_mib.pid)
    assert child >= 200 * MIB
    total, processes = bench.tree_memory_kib(proc, me)
    assert processes >= 2
    assert total - bench.memory_kib(proc, me) >= 200 * MIB


PARENT = textwrap.dedent("""
    import subprocess, sys
    subprocess.run([sys.executable, "-c", sys.argv[1]])  # the child shares this one's stdin and stdout
""")


def test_the_sampler_sees_a_child_while_it_runs():
    # The sampled tree is a small parent and its child holding 200 MiB, not this test's own process,
    # whose memory can shrink while it runs (the garbage collector, earlier tests' frames freed).
    parent = subprocess.Popen([sys.executable, "-c", PARENT, HOLD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert parent.stdout.readline().strip() == "ready"
        with bench.PeakMemory(root=parent.pid, every=0.05) as peak:
            deadline = time.monotonic() + 60
            while peak.samples < 2 and time.monotonic() < deadline:  # two samples with the child holding
                time.sleep(0.05)
        own = bench.memory_kib(Path("/proc"), parent.pid)
    finally:
        parent.stdin.close()
        parent.wait(timeout=60)
    assert peak.samples >= 2
    assert peak.most_processes == 2
    assert own > 0
    assert peak.peak_kib >= own + 200 * MIB  # the parent and the child, summed


# --- the options, make bench, touching a file ------------------------------------------------------

def test_options_default_to_a_million_contacts_and_a_million_and_a_half_calls():
    args = bench.parse_args([])
    assert (args.contacts_per_year, args.calls_per_year, args.touch) == (1_000_000, 1_500_000, "complaints.csv")
    args = bench.parse_args(["--contacts-per-year", "10000000", "--calls-per-year", "15000000"])
    assert (args.contacts_per_year, args.calls_per_year) == (10_000_000, 15_000_000)


def test_too_small_a_council_is_refused(capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(["--contacts-per-year", "50"])
    assert "--contacts-per-year and --calls-per-year must be at least 100" in capsys.readouterr().err


def _make_bench(*variables: str) -> str:
    # Run under `make test`, make's own variables are inherited: without them (and with --no-print-directory) the
    # nested make neither prints "Entering directory" lines nor takes the outer make's flags.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    done = subprocess.run(["make", "--no-print-directory", "-n", "bench", *variables], cwd=REPO_DIR,
                          capture_output=True, text=True, check=True, env=env)
    return done.stdout.strip().splitlines()[-1]


def test_make_bench_passes_the_sizes_through():
    assert _make_bench().endswith("-m analysis.bench --contacts-per-year 1000000 --calls-per-year 1500000")
    assert _make_bench("CONTACTS=10000000", "CALLS=15000000").endswith(
        "-m analysis.bench --contacts-per-year 10000000 --calls-per-year 15000000")
    assert _make_bench("BENCH_ARGS=--contacts-per-year 2000 --touch panel.csv").endswith(
        "-m analysis.bench --contacts-per-year 2000 --touch panel.csv")


def test_correcting_changes_the_bytes_but_not_the_records(tmp_path):
    path = tmp_path / "complaints.csv"
    path.write_bytes(b"complaint_id\r\nCMP-1\r\n")
    os.utime(path, (1_000_000_000, 1_000_000_000))  # 9 September 2001
    bench.correct(path)
    # A line end of the file's own kind at the end: another SHA-256, so the store reads it again; the
    # same records, so the figures of the re-run are those of the first.
    assert path.read_bytes() == b"complaint_id\r\nCMP-1\r\n\r\n"
    assert path.stat().st_mtime > 1_000_000_000
    unix = tmp_path / "panel.csv"
    unix.write_bytes(b"panel_id\nP1\n")
    bench.correct(unix)
    assert unix.read_bytes() == b"panel_id\nP1\n\n"
    assert pd.read_csv(path).equals(pd.read_csv(tmp_path / "complaints.csv"))


def test_a_run_s_step_times_are_read_from_its_output():
    output = ("Brackenford District Council: 2024/25, data read and checked (calls, contacts)\n"
              "  done    read and check the data             18.2 s\n"
              "  done    count every measure                  4.0 s\n"
              "  done    00-scorecard                         3.1 s\n"
              "  done    committee pack (PDF)                 4.4 s\n"
              "Finished in 46 s.\n")
    assert bench.run_timings(output) == {"read and check the data": 18.2, "count every measure": 4.0,
                                         "00-scorecard": 3.1, "committee pack (PDF)": 4.4}


def test_report_has_a_line_per_step():
    class Peak:
        peak_kib, most_processes = 1_536 * MIB, 6

    args = bench.parse_args([])
    steps = [bench.Step("generate the data", 12.34, Peak()), bench.Step("workbook run, first", 41.0, Peak()),
             bench.Step("workbook run again, after correcting complaints.csv", 10.25, Peak()),
             bench.Step(bench.DUCKDB_STEP, 2.5, Peak())]
    text = bench.report(args, steps, {"measures": 189.4, "contacts": 380.0, "rows": 11_200_000},
                        {"count every measure": 5.0})
    assert "1,000,000 contacts and 1,500,000 calls a year, four years, 11,200,000 rows in all datasets" in text
    # 1,536 MiB summed, printed without decimals; 12.34 s to one decimal.
    assert "generate the data" + " " * 36 + "   12.3 s       1,536 MiB (6 processes at most)" in text
    assert "189 MiB for a yearly page, 380 MiB for an ad-hoc notebook" in text
    # 41 / 2.5 = 16.4; 5 / 2.5 = 2; 10.25 / 41 = 0.25
    assert "the whole first run took 16.4 times as long as DuckDB alone" in text
    assert "the run's own counting of every measure took 5.0 s, 2.0 times DuckDB alone" in text
    assert "the re-run took 0.25 of the first run's time" in text


# --- generation in chunks ------------------------------------------------------------------------

def test_a_large_year_is_generated_in_chunks(tmp_path, monkeypatch):
    """1,000 contacts and 2,000 calls a year with chunks of at most 400 rows, worked by hand:

    contacts a year = 1,000 x growth (0.97, 1.00, 1.01, 1.03) = 970, 1,000, 1,010, 1,030, each in
    ceil(rows / 400) = 3 chunks split as evenly as possible (largest remainder, first chunks first):
    970 = 324 + 323 + 323, 1,000 = 334 + 333 + 333, 1,010 = 337 + 337 + 336, 1,030 = 344 + 343 + 343.
    Feedback, 30% of contacts: 291 in 2021/22, split like its contacts (97.2, 96.9, 96.9 -> 97, 97, 97).
    Calls = 2,000 x (1.03, 1.00, 0.98, 0.95) = 2,060, 2,000, 1,960, 1,900: 6, 5, 5 and 5 chunks, e.g.
    2,060 = 344 + 344 + 343 + 343 + 343 + 343, numbered on across chunks and years to 7,920.
    """
    largest = []
    for name in ("_contacts_year", "_calls_year"):
        original = getattr(sample, name)

        def recorded(*args, _original=original, **kwargs):
            made = _original(*args, **kwargs)
            largest.append(len(made[0] if isinstance(made, tuple) else made))
            return made

        monkeypatch.setattr(sample, name, recorded)
    out = sample.generate(tmp_path, contacts_per_year=1_000, calls_per_year=2_000, chunk_rows=400)
    assert max(largest) <= 400  # no year drawn whole: memory does not grow with the year

    contacts_file = pq.ParquetFile(out / "contacts.parquet")
    assert [contacts_file.metadata.row_group(i).num_rows for i in range(contacts_file.num_row_groups)] == [
        324, 323, 323, 334, 333, 333, 337, 337, 336, 344, 343, 343]
    contacts = pd.read_parquet(out / "contacts.parquet")
    prefix = contacts["contact_id"].str[:3]
    assert prefix.value_counts().sort_index().tolist() == [970, 1_000, 1_010, 1_030]
    # ids run on across the chunks of a year, all with the year's width (6 digits)
    first_year = contacts.loc[prefix == "C21", "contact_id"]
    assert first_year.tolist() == [f"C21-{i:06d}" for i in range(1, 971)]
    # each chunk is its own draw, not the first repeated
    chunk_1, chunk_2 = contacts["received_at"].iloc[:324], contacts["received_at"].iloc[324:647]
    assert chunk_1.is_monotonic_increasing and chunk_2.is_monotonic_increasing
    assert chunk_1.iloc[:323].tolist() != chunk_2.tolist()
    # every contact is of the financial year its id says
    received = contacts["received_at"]
    fy = received.dt.year - (received.dt.month < 4)
    assert ((fy % 100).astype(str).str.zfill(2) == contacts["contact_id"].str[1:3]).all()

    feedback_file = pq.ParquetFile(out / "feedback.parquet")
    assert [feedback_file.metadata.row_group(i).num_rows for i in range(3)] == [97, 97, 97]
    feedback = pd.read_parquet(out / "feedback.parquet")
    assert feedback["feedback_id"].is_unique
    assert feedback["feedback_id"].str[:3].value_counts().sort_index().tolist() == [291, 300, 303, 309]

    calls = pd.read_parquet(out / "calls.parquet")
    assert calls["call_id"].tolist() == [f"CALL-{i:07d}" for i in range(1, 7_921)]
    calls_file = pq.ParquetFile(out / "calls.parquet")
    assert [calls_file.metadata.row_group(i).num_rows for i in range(6)] == [344, 344, 343, 343, 343, 343]


def test_a_year_within_one_chunk_is_drawn_as_before(tmp_path):
    """Chunks of at most the year's size change nothing: the bundled sample stays byte for byte the same
    (tests/test_sample.py checks the committed files) and so do the benchmark's sizes up to the chunk size."""
    whole = sample.generate(tmp_path / "whole", contacts_per_year=1_000, calls_per_year=2_000)
    one_chunk = sample.generate(tmp_path / "one", contacts_per_year=1_000, calls_per_year=2_000, chunk_rows=2_000)
    for name in ("contacts.parquet", "feedback.parquet", "calls.parquet"):
        assert (whole / name).read_bytes() == (one_chunk / name).read_bytes(), name
    chunked = sample.generate(tmp_path / "chunked", contacts_per_year=1_000, calls_per_year=2_000, chunk_rows=999)
    assert (whole / "contacts.parquet").read_bytes() != (chunked / "contacts.parquet").read_bytes()


# --- the whole benchmark, small ---------------------------------------------------------------------

@pytest.mark.slow
def test_the_benchmark_counts_the_runs_workers_and_kernels(tmp_path, capsys):
    assert bench.main(["--contacts-per-year", "500", "--calls-per-year", "500", "--folder", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    report = out[out.index("Benchmark: 500 contacts"):]
    lines = {line.split("  ")[1].strip(): line for line in report.splitlines()[2:7]}
    assert list(lines) == ["generate the data", "workbook check (read and validate every file)",
                           "workbook run, first", "workbook run again, after correcting complaints.csv",
                           bench.DUCKDB_STEP]
    # The runner starts one worker per CPU and each worker a kernel: with this benchmark's own process,
    # at least 4 processes at once (bench, runner, a worker, its kernel), where generating has 2.
    most = {name: int(line.split("(")[-1].split()[0]) for name, line in lines.items()}
    assert most["generate the data"] == 2
    assert most["workbook run, first"] >= 4 and most["workbook run again, after correcting complaints.csv"] >= 4
    # The store of files read is the benchmark's own, in its folder, never the user's.
    assert any((tmp_path / "store").iterdir())
    assert "times as long as DuckDB alone" in report and "of the first run's time" in report
    assert (tmp_path / "outputs" / "2024-25" / "index.html").is_file()
