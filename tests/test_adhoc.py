"""Ad-hoc questions: `workbook ask` starts a notebook, the analyst edits a cell, `workbook publish` writes
the members' page and the question log."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import nbformat
import pytest

from analysis.adhoc import (PLACEHOLDERS, ask, new_question_notebook, placeholders_left, question_of, slug_of,
                            slugify)
from analysis.errors import WorkbookError
from conftest import REPO, SAMPLE, run_cli, write_riverside

QUESTION = "How many of the 79 who opened the survey email completed it?"
TODAY = dt.date(2025, 6, 5)  # the date a notebook's name starts with, given so that no test races midnight
# The template's cells, counted from 1 as in JupyterLab: 1 the question, 2 the guide (analyst-only),
# 3 the parameters, 4 the setup (remove-cell), 5 "The answer in brief", 6 "The evidence", 7 a first code cell.
ANSWER_CELL, EVIDENCE_CELL, LAST_CELL = 5, 6, 7


def answer(path: Path, brief: str, evidence: str = "## The evidence", code: str | None = None) -> None:
    """Do what the analyst does: replace the template's placeholders (and, if given, its last code cell)."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[ANSWER_CELL - 1].source = f"## The answer in brief\n\n{brief}"
    notebook.cells[EVIDENCE_CELL - 1].source = evidence
    if code is not None:
        notebook.cells[LAST_CELL - 1].source = code
    nbformat.write(notebook, path)


def _files(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: its bytes and modification time, to show nothing was touched."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("question, slug", [
    (QUESTION, "how-many-of-the-79-who-opened-the-survey-email-completed-it"),
    ("Is there a standard for 'Report It' responses?", "is-there-a-standard-for-report-it-responses"),
    ("  ", "question"),
    ("a " * 50, "-".join(["a"] * 30)),  # kept under 60 characters, whole words
])
def test_slugify(question, slug):
    assert slugify(question) == slug


def test_ask_writes_a_clean_notebook_from_the_template(tmp_path):
    path = ask("Is the <b>AIC</b> working *now*?", SAMPLE, tmp_path, today=TODAY)
    assert path.name == "2025-06-05-is-the-b-aic-b-working-now.ipynb"
    notebook = nbformat.read(path, as_version=4)
    heading = notebook.cells[0]
    assert heading.cell_type == "markdown" and heading.source == r"# Is the \<b\>AIC\</b\> working \*now\*?"
    tags = [c.metadata.get("tags", []) for c in notebook.cells]
    assert ["analyst-only"] in tags and ["parameters"] in tags and ["remove-cell"] in tags
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    assert "question = 'Is the <b>AIC</b> working *now*?'" in parameters.source
    assert f"data_dir = {str(SAMPLE.resolve())!r}" in parameters.source
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    assert question_of(notebook) == "Is the <b>AIC</b> working *now*?"
    assert slug_of(path) == "is-the-b-aic-b-working-now"
    # the placeholders for the analyst to replace: the answer (cell 5) and the evidence (cell 6), each
    # named by its first line; the guide (cell 2) quotes them but never reaches the page, so it is not named
    assert placeholders_left(notebook) == [(ANSWER_CELL, "## The answer in brief", PLACEHOLDERS[0]),
                                           (EVIDENCE_CELL, "## The evidence", PLACEHOLDERS[1])]
    assert PLACEHOLDERS[0] in notebook.cells[1].source


def test_ask_refuses_to_overwrite_and_bad_folders(tmp_path):
    first = run_cli("ask", QUESTION, "--folder", str(tmp_path), "--today", TODAY.isoformat())
    assert first.returncode == 0, first.stderr
    path = tmp_path / f"2025-06-05-{slugify(QUESTION)}.ipynb"
    assert f"New notebook: {path}" in first.stdout and path.is_file()
    path.write_text(path.read_text().replace("The answer in brief", "My answer"))
    before = path.read_text()
    again = run_cli("ask", QUESTION, "--folder", str(tmp_path), "--today", TODAY.isoformat())
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr
    assert path.read_text() == before
    with pytest.raises(WorkbookError, match="has no council.toml"):
        ask("Anything?", tmp_path / "nowhere", tmp_path)


def test_placeholders_are_found_however_they_are_wrapped_and_only_where_members_would_see_them(tmp_path):
    notebook = new_question_notebook("Q?", str(SAMPLE), tmp_path / "q.ipynb")
    notebook.cells[ANSWER_CELL - 1].source = "## The answer in brief\n\nYes.\n\n*write the answer\nhere: ...*"
    notebook.cells[EVIDENCE_CELL - 1].source = "## The evidence"
    assert placeholders_left(notebook) == [(ANSWER_CELL, "## The answer in brief", PLACEHOLDERS[0])]
    notebook.cells[ANSWER_CELL - 1].metadata["tags"] = ["remove-cell"]  # a hidden cell never reaches the page
    assert placeholders_left(notebook) == []
    # a notebook started from the template before its placeholders were marked is caught by its old words
    notebook.cells[LAST_CELL - 1] = nbformat.v4.new_markdown_cell(
        "Write two or three sentences for members here: the answer, the figures behind it, and how sure we can be.")
    assert [number for number, _, _ in placeholders_left(notebook)] == [LAST_CELL]


@pytest.mark.parametrize("example", sorted((REPO / "notebooks" / "adhoc" / "examples").glob("*.ipynb")),
                         ids=lambda p: p.stem)
def test_the_worked_examples_hold_no_placeholder(example):
    assert placeholders_left(nbformat.read(example, as_version=4)) == []


def test_publish_refuses_a_notebook_that_still_holds_placeholders_and_writes_nothing(tmp_path):
    path = ask(QUESTION, SAMPLE, tmp_path / "questions", today=TODAY)
    out = tmp_path / "out"
    fresh = run_cli("publish", str(path), "--out", str(out))
    assert fresh.returncode == 2 and "Traceback" not in fresh.stderr + fresh.stdout
    assert f"{path} still holds the template's placeholder text" in fresh.stderr
    assert 'cell 5 ("## The answer in brief"): still says "Write the answer here"' in fresh.stderr
    assert 'cell 6 ("## The evidence"): still says "Introduce each table or chart here"' in fresh.stderr
    assert "Nothing was published." in fresh.stderr
    assert not out.exists()  # not even an empty folder

    # With pages published before, and only the evidence still to write: only cell 6 is named, and not one
    # byte of the earlier output changes (nor its time), nor the notebook itself.
    answer(path, "Most of those who opened it completed it.", evidence="## The evidence\n\n*Introduce each "
           "table or chart here, with a sentence a councillor would understand.*")
    earlier = out / "adhoc"
    earlier.mkdir(parents=True)
    (earlier / f"{slug_of(path)}.html").write_text("<p>the page published last week</p>")
    (earlier / "questions.json").write_text('[{"slug": "%s"}]' % slug_of(path))
    (out / "index.html").write_text("<p>every year</p>")
    before, notebook_before = _files(out), path.read_bytes()
    again = run_cli("publish", str(path), "--out", str(out))
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert 'cell 6 ("## The evidence")' in again.stderr and "cell 5" not in again.stderr
    assert _files(out) == before and path.read_bytes() == notebook_before


def test_publish_names_a_file_that_is_not_a_notebook(tmp_path):
    (tmp_path / "answer.ipynb").write_text("print('not a notebook')")
    result = run_cli("publish", str(tmp_path / "answer.ipynb"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "answer.ipynb could not be read as a Jupyter notebook" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_ask_edit_one_cell_publish(tmp_path):
    asked = run_cli("ask", QUESTION, "--folder", str(tmp_path / "questions"), "--today", TODAY.isoformat())
    assert asked.returncode == 0, asked.stderr
    path = tmp_path / "questions" / f"2025-06-05-{slugify(QUESTION)}.ipynb"
    answer(path, "Of the 79 who opened the invitation email, most completed the consultation.",
           code='present.table(inv.funnel_table(inv.funnel(wb.data.panel_invitations, "council-plan-2024"), '
                'minimum), "The Council Plan consultation: invited, opened, completed")')

    out = tmp_path / "out"
    published = run_cli("publish", str(path), "--out", str(out))
    assert published.returncode == 0, published.stderr
    slug = "how-many-of-the-79-who-opened-the-survey-email-completed-it"
    page = out / "adhoc" / f"{slug}.html"
    assert f"Page for members: {page}" in published.stdout
    assert (out / "adhoc" / f"{slug}.ipynb").is_file()
    html = page.read_text()
    assert f"<title>{QUESTION}</title>" in html and html.count("<h1") == 1
    assert "For the analyst" not in html and "open_workbook" not in html and "<pre" not in html
    assert "Sample data, not real figures." in html and "All questions" in html
    # the funnel the analyst added: 79 opened the Council Plan consultation email
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert "Council plan 2024" in cells and "79" in cells  # council-plan-2024, named in words

    log = json.loads((out / "adhoc" / "questions.json").read_text())
    assert [(e["slug"], e["question"]) for e in log] == [(slug, QUESTION)]
    index = (out / "adhoc" / "index.html").read_text()
    assert f'href="{slug}.html"' in index and QUESTION in index
    assert 'href="adhoc/index.html"' in (out / "index.html").read_text()

    again = run_cli("publish", str(path), "--out", str(out))  # publishing again updates, never duplicates
    assert again.returncode == 0 and len(json.loads((out / "adhoc" / "questions.json").read_text())) == 1
    assert [p.name for p in (out / "adhoc").iterdir() if p.name.startswith(".")] == []


@pytest.mark.slow
def test_a_failing_question_publishes_nothing(tmp_path):
    path = ask("Does this break?", SAMPLE, tmp_path / "questions", today=TODAY)
    answer(path, "It does not.", code="wb.data.contacts['no_such_column']")
    result = run_cli("publish", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Nothing was published." in result.stderr
    # the last cell, 7, named by its first line, with the error
    assert f'{path} stopped at cell 7 ("wb.data.contacts[\'no_such_column\']"): KeyError' in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()  # no page, no log, not even an empty folder
    missing = run_cli("publish", str(tmp_path / "nope.ipynb"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_template_parameters_match_what_publish_passes(tmp_path):
    notebook = new_question_notebook("Q?", str(SAMPLE), tmp_path / "q.ipynb")
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    for name in ("question", "data_dir", "year", "as_at", "prepared"):
        assert re.search(rf"^{name} = ", parameters.source, re.MULTILINE)
    assert (REPO / "notebooks" / "adhoc").is_dir()


@pytest.mark.slow
def test_a_failed_republish_keeps_the_earlier_page_and_log_byte_for_byte(tmp_path):
    """Riverside's consultation c1 (tests/conftest.py): 3 invited, 2 opened. Published once, then the same
    notebook breaks in its last cell and is published again: the page, the executed notebook, the log and
    OUT/index.html are exactly as before, and the message names the cell."""
    data = write_riverside(tmp_path / "data")
    path = ask("How many Riverside panel members opened the c1 invitation?", data, tmp_path / "questions",
               today=TODAY)
    answer(path, "Two of the three members invited opened the email.",
           code='present.say(f"{wb.value(\'panel_open_rate\', breakdown=\'consultation_id=c1\').numerator:.0f} '
                'opened.")')
    out = tmp_path / "out"
    first = run_cli("publish", str(path), "--out", str(out))
    assert first.returncode == 0, first.stderr
    page = out / "adhoc" / f"{slug_of(path)}.html"
    assert "2 opened." in page.read_text(encoding="utf-8")
    before = _files(out)
    assert {"index.html", "adhoc/index.html", "adhoc/questions.json", f"adhoc/{page.name}"} <= set(before)

    notebook = nbformat.read(path, as_version=4)
    notebook.cells[LAST_CELL - 1].source = "wb.value('no_such_measure').numerator"
    nbformat.write(notebook, path)
    again = run_cli("publish", str(path), "--out", str(out))
    assert again.returncode == 2 and "Traceback" not in again.stderr
    # wb.value returns None for a measure it does not have, so the cell fails on None.numerator
    assert (f'{path} stopped at cell 7 ("wb.value(\'no_such_measure\').numerator"): AttributeError'
            in again.stderr)
    assert f"Nothing was published: the page published before, {page}, is unchanged." in again.stderr
    assert _files(out) == before
