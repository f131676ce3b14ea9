"""``make bench``: a large council (1 million contacts a year) through the whole workbook.

Prints wall time and peak memory for generating the data, checking it and the
yearly run, so README can quote measured figures rather than guesses.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from analysis.workbook import REPO_DIR


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


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


def _kernel_memory(workbook, path: Path) -> dict[str, float]:
    """Peak memory of a fresh Python opening the prepared workbook as a notebook kernel does."""
    from analysis.workbook import remove_prepared, save_prepared

    path.parent.mkdir(parents=True, exist_ok=True)
    save_prepared(workbook, path)
    try:
        return {touch: float(subprocess.run([sys.executable, "-c", PROBE, str(path), touch], check=True,
                                            capture_output=True, text=True).stdout)
                for touch in ("measures", "contacts")}
    finally:
        remove_prepared(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.bench")
    parser.add_argument("--contacts-per-year", type=int, default=1_000_000)
    parser.add_argument("--calls-per-year", type=int, default=1_500_000)
    parser.add_argument("--folder", default=str(REPO_DIR / ".bench"))
    args = parser.parse_args(argv)

    from analysis import sample
    from analysis.config import load_config
    from analysis.datasets import load_all
    from analysis.workbook import prepare, run

    folder = Path(args.folder)
    data, out = folder / "data", folder / "outputs"
    started = time.perf_counter()
    sample.generate(data, contacts_per_year=args.contacts_per_year, calls_per_year=args.calls_per_year)
    generated = time.perf_counter()
    datasets = load_all(load_config(data))
    rows = sum(len(item.frame) for item in datasets.loaded.values())
    loaded = time.perf_counter()
    index = run(data, None, out)
    finished = time.perf_counter()
    kernels = _kernel_memory(prepare(data, datasets=datasets), folder / "prepared" / "prepared.pickle")
    print()
    print(f"Benchmark: {args.contacts_per_year:,} contacts and {args.calls_per_year:,} calls a year, "
          f"{rows:,} rows in all")
    print(f"  generate the data        {generated - started:7.1f} s")
    print(f"  read and validate once   {loaded - generated:7.1f} s")
    print(f"  workbook run (all steps) {finished - loaded:7.1f} s")
    print(f"  peak memory of the runner: {_peak_mib(resource.RUSAGE_SELF):,.0f} MiB")
    print(f"  a notebook kernel opening the prepared workbook: {kernels['measures']:,.0f} MiB for a yearly page, "
          f"{kernels['contacts']:,.0f} MiB for an ad-hoc notebook that reads every contact")
    print(f"  pages: {index}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
