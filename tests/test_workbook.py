"""The whole workbook through its command line: papermill runs the real notebooks, nbconvert writes
the real HTML, and the figures in measures.csv are checked against ones computed here independently."""

from __future__ import annotations

import datetime as dt
import hashlib
import html as html_module
import json
import math
import os
import re
import shutil
import signal
import subprocess
import time
import tomllib
from pathlib import Path
from types import SimpleNamespace

import holidays
import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import (REPO, RIVERSIDE_COMPARISONS, RIVERSIDE_EXPECTED, SAMPLE, run_cli, workbook_command,
                      write_riverside)

CSV_COLUMNS = ["year", "measure_id", "breakdown", "value", "numerator", "denominator", "unit", "target",
               "target_met", "previous_value", "change", "significant", "baseline_year", "baseline_value",
               "change_since_baseline", "significant_since_baseline"]
pytestmark = pytest.mark.slow


def _read_measures(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"breakdown": str, "target_met": str, "significant": str},
                        keep_default_na=False, na_values=[""])
    frame["breakdown"] = frame["breakdown"].fillna("")
    return frame.set_index(["year", "measure_id", "breakdown"])


# --- Riverside: a council that is not the sample ------------------------------------------


# The committee pack: its covering report and summary as pages, and the PDF named after the council and year.
PACK = ["covering-report.html", "summary.html", "riverside-borough-council-customer-care-2023-24.pdf"]


def test_riverside_run_succeeds_and_says_where(riverside_run):
    _, out, result = riverside_run
    assert result.returncode == 0, result.stderr
    assert f"Members' pages: {out / '2023-24' / 'index.html'}" in result.stdout
    pack = out / "2023-24" / "riverside-borough-council-customer-care-2023-24.pdf"
    assert f"Committee pack: {pack}\nMembers' pages:" in result.stdout
    # exactly the contract's outputs: no prepared data or half-built folder left behind
    stems = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in (out / "2023-24").iterdir()) == sorted(
        ["index.html", "glossary.html", "measures.csv"] + PACK + [f"{s}.html" for s in stems]
        + [f"{s}.ipynb" for s in stems])
    assert sorted(p.name for p in out.iterdir()) == ["2023-24", "index.html"]
    stems = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
    for stem in stems:
        assert f"done    {stem}" in result.stdout
    names = sorted(p.name for p in (out / "2023-24").iterdir())
    assert names == sorted([f"{s}.html" for s in stems] + [f"{s}.ipynb" for s in stems]
                           + ["index.html", "glossary.html", "measures.csv"] + PACK)
    assert "2023-24/index.html" in (out / "index.html").read_text()


def test_riverside_panel_ratios_never_give_a_small_count_away(riverside_run):
    """Riverside's panel at 31 March 2024 is M1 (16-24, female), M2 (65-74, male) and M4 (75+, female): 3 members.
    16-24's representation, (1/3) / (100/500) = 1.67, with the panel size would give its count of 1 away, so the
    page shows neither; 35-44 has no member, but every ratio stands on the panel's size of 3, below 5, so none is
    reported; men, 1 of 3 (0.67), is named without it."""
    _, out, _ = riverside_run
    html = (out / "2023-24" / "05-satisfaction-and-panel.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Aged 16 to 24 fewer than 5 too few to report over-represented" in text
    assert "Aged 35 to 44 none too few to report under-represented" in text
    assert "suggest): aged 35 to 44 and men." in text
    assert "1.67" not in text and "0.67" not in text


def test_riverside_measures_csv_is_as_the_contract_says(riverside_run):
    _, out, _ = riverside_run
    raw = pd.read_csv(out / "2023-24" / "measures.csv", dtype=str, keep_default_na=False)
    assert list(raw.columns) == CSV_COLUMNS
    assert set(raw["year"]) == {"2022/23", "2023/24"}  # the run's year and every earlier year
    assert set(raw["target_met"]) <= {"true", "false", ""} and set(raw["significant"]) <= {"true", "false", ""}
    rows = _read_measures(out / "2023-24" / "measures.csv")
    for key, (value, numerator, denominator) in RIVERSIDE_EXPECTED.items():
        assert math.isclose(rows.loc[key, "value"], value, rel_tol=1e-9), key
        if numerator is not None:
            assert (rows.loc[key, "numerator"], rows.loc[key, "denominator"]) == (numerator, denominator), key
    headline = rows.loc[("2023/24", "responses_within_standard", "")]
    assert headline["target"] == 80 and headline["target_met"] == "false"
    assert headline["previous_value"] == 50 and headline["significant"] == "false"
    assert pd.isna(rows.loc[("2023/24", "digital_share", ""), "target"])  # to be agreed: no target
    # Riverside's council.toml sets no baseline year: the first in the data, 2022/23, so for 2023/24 the
    # baseline comparison is the year-on-year one, and the baseline year is not tested against itself.
    assert set(raw["baseline_year"]) == {"2022/23"}
    latest = raw[raw["year"] == "2023/24"]
    assert (latest["baseline_value"] == latest["previous_value"]).all()
    assert (latest["significant_since_baseline"] == latest["significant"]).all()
    assert set(raw.loc[raw["year"] == "2022/23", "significant_since_baseline"]) == {""}


@pytest.mark.parametrize("key", sorted(RIVERSIDE_COMPARISONS), ids=lambda k: "|".join(k))
def test_riverside_comparisons_and_targets_in_measures_csv(riverside_run, key):
    _, out, _ = riverside_run
    raw = pd.read_csv(out / "2023-24" / "measures.csv", dtype=str, keep_default_na=False)
    row = raw[(raw["year"] == key[0]) & (raw["measure_id"] == key[1]) & (raw["breakdown"] == key[2])]
    assert len(row) == 1
    row = row.iloc[0]
    previous, change, significant, target, target_met = RIVERSIDE_COMPARISONS[key]
    assert math.isclose(float(row["previous_value"]), previous)
    assert math.isclose(float(row["change"]), change, abs_tol=1e-9)
    assert row["significant"] == (significant or "")
    assert row["target"] == ("" if target is None else f"{float(target)}")
    assert row["target_met"] == (target_met or "")


def test_no_personal_data_in_any_output(riverside_run):
    _, out, _ = riverside_run
    for path in (out / "2023-24").iterdir():
        if path.suffix == ".pdf":  # the committee pack: its text as a reader would copy it
            import pypdf
            text = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
        else:
            text = path.read_text(encoding="utf-8")
        for personal in ("Ann Example", "Example", "@example.invalid", "Customer Name", "Officer email"):
            assert personal not in text, f"{personal!r} in {path.name}"


def test_members_pages_hide_code_and_fetch_nothing(riverside_run):
    _, out, _ = riverside_run
    for page in (out / "2023-24").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html and "<code" not in html and "<pre" not in html
        # lab puts rendered markdown in an input area too; code would be an editor with highlighting
        assert not re.search(r'class="[^"]*(jp-InputArea-editor|highlight)', html)
        assert '<html lang="en">' in html
        assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//|url\(\s*["\']?(https?:)?//|@import', html)
        assert "data_dir =" not in html and "open_workbook" not in html
        assert html.count("<h1") == 1


def test_executed_notebooks_carry_the_parameters(riverside_run):
    data, out, _ = riverside_run
    notebook = json.loads((out / "2023-24" / "01-action-plan.ipynb").read_text())
    injected = [c for c in notebook["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1
    source = "".join(injected[0]["source"])
    assert 'year = "2023/24"' in source and str(data) in source


# --- bad input and failures leave earlier output intact -----------------------------------


@pytest.fixture
def good_run(tmp_path):
    data = write_riverside(tmp_path / "data")
    out = tmp_path / "out"
    first = run_cli("run", "--data", str(data), "--out", str(out))
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in (out / "2023-24").iterdir()}
    return data, out, before


def _unchanged(out: Path, before: dict) -> None:
    after = {p.name: p.read_bytes() for p in (out / "2023-24").iterdir()}
    assert after == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no half-built folders left


def test_broken_file_gives_plain_message_and_keeps_earlier_output(good_run):
    data, out, before = good_run
    export = data / "crm" / "export_2023.csv"
    text = export.read_text().replace("04/03/2024 08:00", "31/02/2024 08:00").replace(",Email,Waste,", ",Fax,Waste,", 1)
    export.write_text(text)
    raw_before = export.read_bytes()
    result = run_cli("run", "--data", str(data), "--out", str(out))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "export_2023.csv (contacts), column 'received_at'" in result.stderr and "'31/02/2024 08:00'" in result.stderr
    assert "row 5" in result.stderr  # E4 is the fourth record, row 5 under the header
    assert "column 'channel'" in result.stderr and "'Fax'" in result.stderr
    _unchanged(out, before)
    assert export.read_bytes() == raw_before  # raw data never modified


def test_failing_notebook_publishes_nothing_and_keeps_earlier_output(good_run, tmp_path):
    data, out, before = good_run
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(REPO / "notebooks" / "01-action-plan.ipynb", notebooks)
    broken = json.loads((REPO / "notebooks" / "02-customer-care-standards.ipynb").read_text())
    broken["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                            "source": "raise ValueError('a deliberate failure')"})
    (notebooks / "02-broken.ipynb").write_text(json.dumps(broken))
    result = run_cli("run", "--data", str(data), "--out", str(out), "--notebooks", str(notebooks))
    assert result.returncode == 2
    assert "02-broken.ipynb stopped at cell" in result.stderr and "a deliberate failure" in result.stderr
    assert "Traceback" not in result.stderr
    _unchanged(out, before)


def _corrupt_plan(data: Path) -> None:
    (data / "plans" / "Action Plan.xlsx").write_bytes(b"PK\x03\x04 half a workbook")


def _empty_contacts(data: Path) -> None:
    (data / "crm" / "export_2023.csv").write_text("")


def _duplicate_case(data: Path) -> None:
    export = data / "crm" / "export_2023.csv"
    lines = export.read_text().splitlines()
    export.write_text("\n".join(lines + [lines[1]]) + "\n")


def _wrong_type_in_config(data: Path) -> None:
    toml = data / "council.toml"
    toml.write_text(toml.read_text().replace("answer_within_seconds = 30", 'answer_within_seconds = "thirty"'))


def _renamed_column(data: Path) -> None:
    export = data / "crm" / "export_2022.csv"
    export.write_text(export.read_text().replace("Date Logged", "Logged On", 1))


FAULTS = {  # what a user can do to a data folder -> words the message must contain
    _corrupt_plan: ["Action Plan.xlsx (action_plan)", "could not be opened as an Excel workbook"],
    _empty_contacts: ["export_2023.csv (contacts)", "empty"],
    _duplicate_case: ["export_2023.csv (contacts), column 'contact_id'", "rows 2, 16", "'E1'"],
    _wrong_type_in_config: ["[standards.phone.answer_within_seconds]", "line"],
    _renamed_column: ["export_2022.csv (contacts): required column 'received_at' not found",
                      '"Logged On" = "received_at"'],
}


def test_the_earlier_output_survives_every_fault(good_run, tmp_path):
    data, out, before = good_run
    for fault, words in FAULTS.items():
        broken = tmp_path / fault.__name__
        shutil.copytree(data, broken)
        fault(broken)
        raw = {p: p.read_bytes() for p in broken.rglob("*") if p.is_file()}
        result = run_cli("run", "--data", str(broken), "--out", str(out))
        assert result.returncode == 2, (fault.__name__, result.stdout)
        assert "Traceback" not in result.stderr + result.stdout, fault.__name__
        for word in words:
            assert word in result.stderr, (fault.__name__, word, result.stderr)
        _unchanged(out, before)
        assert {p: p.read_bytes() for p in broken.rglob("*") if p.is_file()} == raw, fault.__name__


def test_debug_shows_the_traceback(tmp_path):
    data = write_riverside(tmp_path / "data")
    _wrong_type_in_config(data)
    plain = run_cli("check", "--data", str(data), "--out", str(tmp_path / "out"))
    debug = run_cli("check", "--data", str(data), "--out", str(tmp_path / "out"), "--debug")
    assert plain.returncode == debug.returncode == 2
    assert "Traceback" not in plain.stderr and "Traceback (most recent call last)" in debug.stderr
    assert "[standards.phone.answer_within_seconds]" in debug.stderr


# A notebook that says it is running (a file beside it: papermill runs a notebook in its own folder) and then
# waits, so that a Ctrl+C is certain to come while notebooks run, however fast or slow the machine is. It stops
# waiting when the test lets it go, or after five minutes, so that no kernel is ever left behind for long.
WAITING_NOTEBOOK = {"nbformat": 4, "nbformat_minor": 5, "cells": [
    {"cell_type": "markdown", "id": "title", "metadata": {}, "source": "# Waiting"},
    {"cell_type": "code", "id": "wait", "metadata": {}, "outputs": [], "execution_count": None, "source": (
        "import pathlib, time\n"
        "pathlib.Path('running').touch()\n"
        "end = time.monotonic() + 300\n"
        "while time.monotonic() < end and not pathlib.Path('release').exists():\n"
        "    time.sleep(0.1)")}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                 "language_info": {"name": "python"}}}


@pytest.mark.parametrize("when", ["as-workers-start", "while-notebooks-run"])
def test_an_interrupted_run_keeps_the_earlier_output(good_run, tmp_path, when):
    data, out, before = good_run
    command = workbook_command() + ["run", "--data", str(data), "--out", str(out)]
    if when == "as-workers-start":  # the run has saved the prepared data: workers are about to start
        ready = lambda: list(out.glob(".2023-24-building-*/prepared.pickle"))  # noqa: E731
    else:  # a yearly notebook, and one that waits until it is interrupted
        notebooks = tmp_path / "notebooks"
        notebooks.mkdir()
        shutil.copy(REPO / "notebooks" / "01-action-plan.ipynb", notebooks)
        (notebooks / "02-waits.ipynb").write_text(json.dumps(WAITING_NOTEBOOK))
        command += ["--notebooks", str(notebooks)]
        ready = (notebooks / "running").exists
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not ready():
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)  # Ctrl+C reaches the whole process group, as in a terminal
        _, stderr = process.communicate(timeout=120)
    finally:
        if when != "as-workers-start":
            (tmp_path / "notebooks" / "release").touch()
    assert process.returncode != 0
    assert "Traceback" not in stderr and "nothing was published" in stderr
    _unchanged(out, before)


def test_unknown_key_is_a_warning_not_a_failure(tmp_path):
    data = write_riverside(tmp_path / "data")
    toml = (data / "council.toml").read_text().replace("sample = false", "sample = false\nsampel = true")
    (data / "council.toml").write_text(toml)
    result = run_cli("run", "--data", str(data), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "warning: council.toml: [council.sampel] (line 6) is not a key the workbook knows" in result.stdout


def test_unknown_year_and_bad_config(tmp_path):
    data = write_riverside(tmp_path / "data")
    result = run_cli("run", "--data", str(data), "--year", "2019/20", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "no data for 2019/20" in result.stderr and "2022/23 to 2024/25" in result.stderr
    toml = (data / "council.toml").read_text().replace("answer_within_seconds = 30", 'answer_within_seconds = "30s"')
    (data / "council.toml").write_text(toml)
    result = run_cli("check", "--data", str(data))
    assert result.returncode == 2 and "[standards.phone.answer_within_seconds]" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_check_reports_every_dataset(tmp_path):
    data = write_riverside(tmp_path / "data")
    out = ["--out", str(tmp_path / "out")]  # the data-quality page goes here, not into the repository's outputs/
    good = run_cli("check", "--data", str(data), *out)
    assert good.returncode == 0, good.stderr
    assert "contacts" in good.stdout and "18 rows from export_2022.csv, export_2023.csv" in good.stdout
    assert "complaints" in good.stdout and "6 rows from complaints.csv" in good.stdout
    assert "No problems found." in good.stdout
    (data / "feedback.csv").unlink()
    absent = run_cli("check", "--data", str(data), *out)
    assert absent.returncode == 0 and "feedback" in absent.stdout and "not present" in absent.stdout
    (data / "telephony" / "calls.parquet").write_bytes(b"not a parquet file")
    bad = run_cli("check", "--data", str(data), *out)
    assert bad.returncode == 1 and "calls.parquet (calls)" in bad.stderr and "could not be read" in bad.stderr
    assert "Traceback" not in bad.stderr


# --- what run, publish and check write, and what they leave alone -------------------------


def _data_folder_state(folder: Path) -> dict[str, tuple]:
    """Everything about a data folder that writing to it would change: each file's SHA-256, size and
    modification time, and each folder's modification time (a file made and deleted again changes it)."""
    state = {}
    for path in sorted([folder, *folder.rglob("*")]):
        info = path.stat()
        name = str(path.relative_to(folder))
        if path.is_dir():
            state[name + "/"] = ("folder", info.st_mtime_ns)
        else:
            state[name] = (hashlib.sha256(path.read_bytes()).hexdigest(), info.st_size, info.st_mtime_ns)
    return state


def _answered_question(folder: Path, data: Path) -> Path:
    """A question started on ``data`` with workbook ask, its placeholders replaced as an analyst would."""
    import nbformat

    from analysis.adhoc import ask

    path = ask("How many Riverside panel members opened the c1 invitation?", data, folder,
               today=dt.date(2025, 6, 5))
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[4].source = "## The answer in brief\n\nTwo of the three members invited opened the email."
    notebook.cells[5].source = "## The evidence"
    nbformat.write(notebook, path)
    return path


# (umask, folders, files): 0o777 & ~0o022 = 0o755 and 0o666 & ~0o022 = 0o644;
#                          0o777 & ~0o027 = 0o750 and 0o666 & ~0o027 = 0o640.
UMASKS = [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)]


@pytest.fixture(scope="module", params=UMASKS, ids=lambda u: f"umask-{u[0]:03o}")
def riverside_written(request, tmp_path_factory):
    """Riverside through run, publish --data and check, each a command run with the umask given (set in
    the command's own process, so the tests' umask is left alone), the data folder's state after each."""
    umask, folder_mode, file_mode = request.param
    root = tmp_path_factory.mktemp(f"umask-{umask:03o}")
    data = write_riverside(root / "data")
    # started on the sample, published with --data Riverside: the page must come from Riverside's files
    question = _answered_question(root / "questions", SAMPLE)
    out = root / "out"
    states = {"written": _data_folder_state(data)}
    results = {}
    for step, args in (("run", ["run", "--data", data, "--out", out]),
                       ("publish", ["publish", question, "--data", data, "--out", out]),
                       ("check", ["check", "--data", data, "--out", out])):
        results[step] = subprocess.run([*workbook_command(), *map(str, args)], capture_output=True, text=True,
                                       cwd=REPO, env={**os.environ, "PYTHONWARNINGS": "ignore"}, umask=umask,
                                       timeout=900)
        states[step] = _data_folder_state(data)
    return SimpleNamespace(umask=umask, folder_mode=folder_mode, file_mode=file_mode, data=data, out=out,
                           question=question, results=results, states=states)


def test_outputs_are_readable_as_the_umask_allows(riverside_written):
    written = riverside_written
    for step, result in written.results.items():
        assert result.returncode == 0, (step, result.stderr)
    folders = [written.out, *(p for p in written.out.rglob("*") if p.is_dir())]
    files = [p for p in written.out.rglob("*") if p.is_file()]
    names = {str(p.relative_to(written.out)) for p in files}
    # what the three commands write: the year, the ad-hoc page and its log, the data-quality page
    assert {"index.html", "2023-24/index.html", "2023-24/measures.csv", "adhoc/index.html", "adhoc/questions.json",
            "adhoc/how-many-riverside-panel-members-opened-the-c1-invitation.html",
            "data-quality/data.html"} <= names
    assert {oct(p.stat().st_mode & 0o777) for p in folders} == {oct(written.folder_mode)}, \
        {str(p): oct(p.stat().st_mode & 0o777) for p in folders}
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {oct(written.file_mode)}, \
        {str(p): oct(p.stat().st_mode & 0o777) for p in files}


def test_a_successful_run_and_publish_leave_the_data_folder_as_it_was(riverside_written):
    written = riverside_written
    assert written.results["run"].returncode == 0 and written.results["publish"].returncode == 0
    before = written.states["written"]
    assert "crm/export_2023.csv" in before and "plans/Action Plan.xlsx" in before and "council.toml" in before
    for step in ("run", "publish", "check"):
        assert written.states[step] == before, step


def _footer_fingerprints(page: Path) -> dict[str, str]:
    """The data files and SHA-256 fingerprints a page's "How this page was made" footer lists."""
    text = page.read_text(encoding="utf-8")
    footer = text[text.index('<footer class="provenance">'):]
    rows = re.findall(r'<tr><td>([^<]*)</td><td class="digest">([0-9a-f]*)</td></tr>', footer)
    return {html_module.unescape(name): digest for name, digest in rows}


def test_every_footer_lists_each_data_file_with_its_true_fingerprint(riverside_written):
    """The footer of every yearly page, the ad-hoc page (published with --data Riverside) and the question
    log: every file of the data folder, council.toml included (it sets the standards), each with hashlib's
    SHA-256 of the file itself; and a link to measures.csv only where there is one beside the page."""
    written = riverside_written
    actual = {str(p.relative_to(written.data)): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in written.data.rglob("*") if p.is_file()}
    data_files = set(actual) - {"council.toml"}
    assert len(data_files) == 12 and "telephony/calls.parquet" in data_files  # see write_riverside
    pages = sorted((written.out / "2023-24").glob("*.html")) + sorted((written.out / "adhoc").glob("*.html"))
    # + the year's index, glossary, covering report and summary; the ad-hoc page and the log
    assert len(pages) == len(list((REPO / "notebooks").glob("*.ipynb"))) + 4 + 2
    for page in pages:
        listed = _footer_fingerprints(page)
        assert set(listed) == data_files | {"council.toml"}, page.name
        assert {name: actual.get(name) for name in listed} == listed, page.name
        links_measures = 'href="measures.csv"' in page.read_text(encoding="utf-8")
        assert links_measures == (page.parent / "measures.csv").is_file(), page.name


# --- the sample council, against figures computed here -----------------------------------


@pytest.fixture(scope="module")
def sample_measures(sample_run):
    folder, result = sample_run
    return folder, _read_measures(folder / "measures.csv"), result


def _independent_calendar(council: dict) -> np.busdaycalendar:
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(2019, 2028))
    closures = [dt.date.fromisoformat(str(d)) for d in council["calendar"].get("closure_days", [])]
    return np.busdaycalendar(weekmask="1111100", holidays=sorted(set(bank) | set(closures)))


def _year_of(stamps: pd.Series) -> pd.Series:
    start = stamps.dt.year - (stamps.dt.month < 4)
    return start.astype("Int64").astype(str) + "/" + ((start + 1) % 100).astype("Int64").astype(str).str.zfill(2)


def test_sample_defaults_to_the_latest_complete_year(sample_measures):
    folder, rows, result = sample_measures
    assert folder.name == "2024-25"
    assert {y for y, _, _ in rows.index} == {"2021/22", "2022/23", "2023/24", "2024/25"}


def test_sample_responses_within_standard_match_an_independent_count(sample_measures):
    _, rows, _ = sample_measures
    council = tomllib.loads((SAMPLE / "council.toml").read_text())
    calendar = _independent_calendar(council)
    contacts = pd.read_parquet(SAMPLE / "contacts.parquet")
    as_at = max(contacts[c].max() for c in ("received_at", "acknowledged_at", "responded_at")).date()
    contacts["year"] = _year_of(contacts["received_at"])
    checked = 0
    for channel, standard in council["standards"]["respond_within_working_days"].items():
        part = contacts[contacts["channel"] == channel]
        for year, group in part.groupby("year"):
            if isinstance(standard, dict):  # {"first year it applies": N}
                n = [v for k, v in sorted(standard.items()) if k <= year][-1]
            else:
                n = standard
            received = group["received_at"].to_numpy().astype("datetime64[D]")
            done = group["responded_at"]
            answered = done.notna().to_numpy()
            taken = np.busday_count(received[answered], done[answered].to_numpy().astype("datetime64[D]"),
                                    busdaycal=calendar)
            deadlines = np.busday_offset(received[~answered], n, roll="forward", busdaycal=calendar)
            overdue = int((deadlines < np.datetime64(as_at)).sum())  # due on the as-at day: not over, not yet due
            within, due = int((taken <= n).sum()), int(answered.sum()) + overdue
            row = rows.loc[(year, "responses_within_standard", f"channel={channel}")]
            assert (row["numerator"], row["denominator"]) == (within, due), (year, channel)
            assert math.isclose(row["value"], 100 * within / due)
            checked += 1
    assert checked >= 16


def test_sample_phone_measures_match_an_independent_count(sample_measures):
    _, rows, _ = sample_measures
    calls = pd.read_parquet(SAMPLE / "calls.parquet")
    calls["year"] = _year_of(calls["offered_at"])
    seconds = tomllib.loads((SAMPLE / "council.toml").read_text())["standards"]["phone"]["answer_within_seconds"]
    for year, group in calls.groupby("year"):
        answered = group[group["answered"].astype(bool)]
        quick = int((answered["wait_seconds"] <= seconds).sum())
        row = rows.loc[(year, "calls_answered_within_standard", "")]
        assert (row["numerator"], row["denominator"]) == (quick, len(answered))
        abandoned = rows.loc[(year, "calls_abandoned", "")]
        assert (abandoned["numerator"], abandoned["denominator"]) == (len(group) - len(answered), len(group))
        speed = rows.loc[(year, "average_speed_of_answer", "")]
        assert math.isclose(speed["value"], answered["wait_seconds"].mean())


def test_sample_action_plan_matches_the_spreadsheet(sample_measures):
    _, rows, _ = sample_measures
    sheet = openpyxl.load_workbook(SAMPLE / "action_plan.xlsx", read_only=True).worksheets[0]
    records = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in records[0]]
    plan = pd.DataFrame(records[1:], columns=header)
    year_col, status_col = header[0], next(h for h in header if "status" in h.lower())
    plan = plan[plan[year_col].notna()]
    achieved_words = {"achieved", "complete", "completed"}
    for year, group in plan.groupby(year_col):
        if (year, "actions_achieved", "") not in rows.index:
            continue  # a plan year after the run's year
        achieved = int(group[status_col].astype(str).str.strip().str.lower().isin(achieved_words).sum())
        row = rows.loc[(year, "actions_achieved", "")]
        assert (row["numerator"], row["denominator"]) == (achieved, len(group)), year
    # As in the minutes: 10 of 13 in 2021/22 and 10 of 14 in 2023/24.
    assert (rows.loc[("2021/22", "actions_achieved", ""), "numerator"],
            rows.loc[("2021/22", "actions_achieved", ""), "denominator"]) == (10, 13)
    assert (rows.loc[("2023/24", "actions_achieved", ""), "numerator"],
            rows.loc[("2023/24", "actions_achieved", ""), "denominator"]) == (10, 14)
    assert rows.loc[("2021/22", "actions_carried_forward", ""), "value"] == 2


def test_sample_pages_carry_the_banner(sample_run):
    folder, _ = sample_run
    for page in folder.glob("*.html"):
        assert "Sample data, not real figures." in page.read_text(), page.name


# --- A FixMyStreet export beside the CRM's contacts, end to end ------------------------------

PERSONAL = ("Zebedee Quartermaine", "PERSONAL-TITLE-", "lives at 14 Acacia Avenue", "51.4321", "-0.9876",
            "541234", "172345", "example.invalid/report/")


def _as_fixmystreet(report_it: pd.DataFrame) -> pd.DataFrame:
    """The sample's Report It contacts as a FixMyStreet dashboard export, names and places included."""
    stamp = lambda s: s.dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("")  # noqa: E731
    responded = report_it["responded_at"]
    half = np.arange(len(report_it)) % 2 == 0
    # On half the reports Fixed is the response and Closed comes two days later; on the others only
    # Closed is filled in. Either way the earlier of the two is the sample's responded_at.
    fixed = responded.where(half)
    closed = responded.where(~half, responded + pd.Timedelta(days=2))
    return pd.DataFrame({
        "Report ID": report_it["contact_id"].to_numpy(),
        "Title": "PERSONAL-TITLE-" + report_it["category"].astype(str).to_numpy(),
        "Detail": "<b>Outside my house</b>, lives at 14 Acacia Avenue",
        "User Name": "Zebedee Quartermaine",
        "Category": report_it["category"].to_numpy(),
        "Created": stamp(report_it["received_at"] - pd.Timedelta(minutes=3)).to_numpy(),
        "Confirmed": stamp(report_it["received_at"]).to_numpy(),
        "Acknowledged": stamp(report_it["acknowledged_at"]).to_numpy(),
        "Fixed": stamp(fixed).to_numpy(),
        "Closed": stamp(closed).to_numpy(),
        "Status": np.where(responded.notna(), "fixed", "confirmed"),
        "Latitude": 51.4321, "Longitude": -0.9876, "Query": "",
        "Ward": report_it["ward"].to_numpy(),
        "Easting": 541234, "Northing": 172345,
        "Report URL": "https://example.invalid/report/" + report_it["contact_id"].to_numpy(),
        "Device Type": "iPhone", "Site Used": "fixmystreet", "Reported As": "",
    })


def test_fixmystreet_export_beside_the_crm_gives_the_same_figures_and_no_personal_data(sample_run, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    contacts = pd.read_parquet(data / "contacts.parquet")
    is_report_it = contacts["channel"].eq("report_it")
    contacts[~is_report_it].to_parquet(data / "contacts.parquet", index=False)
    (data / "fixmystreet").mkdir()
    _as_fixmystreet(contacts[is_report_it]).to_csv(data / "fixmystreet" / "Reports.csv", index=False,
                                                   encoding="utf-8-sig")
    with open(data / "council.toml", "a", encoding="utf-8") as toml:
        toml.write('\n[datasets.report_it]\npath = "fixmystreet/*.csv"\n')

    out = tmp_path / "out"
    result = run_cli("run", "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    year_folder = out / sample_run[0].name

    # Every figure is as when the same reports came in the CRM export, except the split by service:
    # FixMyStreet has no service column, so its reports are all the service "Report It".
    ours, theirs = _read_measures(year_folder / "measures.csv"), _read_measures(sample_run[0] / "measures.csv")
    by_service = lambda frame: frame.index.get_level_values("breakdown").str.contains("service=")  # noqa: E731
    pd.testing.assert_frame_equal(ours[~by_service(ours)], theirs[~by_service(theirs)])
    report_it_by_service = ours.loc[(slice(None), "contacts_received", "service=Report It"), "value"]
    year = sample_run[0].name.replace("-", "/")
    assert report_it_by_service.loc[year].item() == is_report_it[
        contacts["received_at"].between(pd.Timestamp(f"{year[:4]}-04-01"),
                                        pd.Timestamp(f"{int(year[:4]) + 1}-04-01"), inclusive="left")].sum()

    # Names, details, coordinates and links never reach a page, the CSV or an executed notebook.
    for path in year_folder.iterdir():
        if path.suffix in {".html", ".csv", ".ipynb"}:
            text = path.read_text(encoding="utf-8")
            for personal in PERSONAL:
                assert personal not in text, f"{personal!r} in {path.name}"


def test_panel_page_says_how_many_of_those_who_opened_completed(sample_measures):
    """The minutes' question, "How many of the 79 who opened the survey email completed it?", answered on the
    page for each of the year's consultations, from the invitations counted here."""
    folder, _, _ = sample_measures
    invitations = pd.read_csv(SAMPLE / "panel_invitations.csv", parse_dates=["invited_on", "opened_on", "completed_on"])
    per = invitations.groupby("consultation_id").agg(first=("invited_on", "min"), opened=("opened_on", "count"),
                                                     completed=("completed_on", "count"))
    this_year = per[_year_of(per["first"]) == "2024/25"]
    assert len(this_year) == 3
    html = (folder / "05-satisfaction-and-panel.html").read_text(encoding="utf-8")
    assert "Completed (% of those who opened)" in html
    rows = {re.sub(r"<[^>]+>", "|", row).split("|")[2]: row for row in re.findall(r"<tr>.*?</tr>", html, re.S)}
    for consultation, counts in this_year.iterrows():
        share = 100 * counts["completed"] / counts["opened"]
        row = rows[consultation.replace("-", " ").capitalize()]  # "budget-2025" reads "Budget 2025"
        assert f">{counts['opened']:,}<" in row and f">{share:.1f}%<" in row
    # and the panel's groups are named as members would say them
    assert ">Aged 16 to 24<" in html and ": aged 16 to 24 (0." in html and "age band" not in html


def test_no_yearly_notebook_reads_every_contact_or_call(tmp_path):
    """The kernels get the measures and the few figures the pages state from the records (worked out
    once in the runner, by SQL over the store); with the contacts' and calls' records taken away from the store,
    every yearly notebook still runs."""
    from analysis.publish import page_context
    from analysis.workbook import execute_and_export, kernel_name, prepare, save_prepared

    workbook = prepare(write_riverside(tmp_path / "data"))
    prepared = save_prepared(workbook, tmp_path / "build" / "prepared.pickle")
    for name in ("contacts", "calls"):  # the records, in the store of files read: taken away
        parts = workbook.data.loaded[name].parts
        assert parts
        for part in parts:
            part.unlink()
    notebooks = sorted((REPO / "notebooks").glob("*.ipynb"))
    pages = [{"stem": nb.stem, "title": nb.stem, "href": f"{nb.stem}.html"} for nb in notebooks]
    context = page_context(workbook, pages)
    parameters = {"data_dir": str(tmp_path / "data"), "year": workbook.year, "as_at": "",
                  "output_dir": str(tmp_path / "out"), "prepared": str(prepared)}
    for nb in notebooks:
        _, failure = execute_and_export(str(nb), str(tmp_path / "build" / nb.name),
                                        str(tmp_path / "build" / f"{nb.stem}.html"), parameters, kernel_name(),
                                        {**context, "current": nb.stem})
        assert failure is None, failure


def test_a_ctrl_c_lost_on_its_way_still_stops_publication():
    # Python may run the handler inside code that discards exceptions (a __del__, a hasattr in C): the
    # interrupt is then lost, but the run remembers it and refuses to publish.
    from analysis.workbook import _ctrl_c_remembered, _not_interrupted

    with _ctrl_c_remembered():
        _not_interrupted()  # nothing pressed yet
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:
            pass  # swallowed, as a __del__ would
        with pytest.raises(KeyboardInterrupt):
            _not_interrupted()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
