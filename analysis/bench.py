"""``make bench``: a large council (1 million contacts a year) through the whole workbook.

Prints wall time and peak memory for generating the data, checking it and the
yearly run, so README can quote measured figures rather than guesses.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from analysis.workbook import REPO_DIR


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.bench")
    parser.add_argument("--contacts-per-year", type=int, default=1_000_000)
    parser.add_argument("--calls-per-year", type=int, default=1_500_000)
    parser.add_argument("--folder", default=str(REPO_DIR / ".bench"))
    args = parser.parse_args(argv)

    from analysis import sample
    from analysis.config import load_config
    from analysis.datasets import load_all
    from analysis.workbook import run

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
    print()
    print(f"Benchmark: {args.contacts_per_year:,} contacts and {args.calls_per_year:,} calls a year, "
          f"{rows:,} rows in all")
    print(f"  generate the data        {generated - started:7.1f} s")
    print(f"  read and validate once   {loaded - generated:7.1f} s")
    print(f"  workbook run (all steps) {finished - loaded:7.1f} s")
    print(f"  peak memory: this process {_peak_mib(resource.RUSAGE_SELF):,.0f} MiB, "
          f"largest notebook kernel or worker {_peak_mib(resource.RUSAGE_CHILDREN):,.0f} MiB")
    print(f"  pages: {index}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
