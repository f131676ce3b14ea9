"""Ad-hoc questions: `workbook ask` starts a notebook, the analyst edits a cell, `workbook publish` writes
the members' page and the question log."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from analysis.adhoc import ask, new_question_notebook, question_of, slug_of, slugify
from analysis.errors import WorkbookError
from conftest import REPO, SAMPLE, run_cli

QUESTION = "How many of the 79 who opened the survey email completed it?"


@pytest.mark.parametrize("question, slug", [
    (QUESTION, "how-many-of-the-79-who-opened-the-survey-email-completed-it"),
    ("Is there a standard for 'Report It' responses?", "is-there-a-standard-for-report-it-responses"),
    ("  ", "question"),
    ("a " * 50, "-".join(["a"] * 30)),  # kept under 60 characters, whole words
])
def test_slugify(question, slug):
    assert slugify(question) == slug


def test_ask_writes_a_clean_notebook_from_the_template(tmp_path):
    import datetime as dt

    path = ask("Is the <b>AIC</b> working *now*?", SAMPLE, tmp_path, today=dt.date(2025, 6, 5))
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


def test_ask_refuses_to_overwrite_and_bad_folders(tmp_path):
    first = run_cli("ask", QUESTION, "--folder", str(tmp_path))
    assert first.returncode == 0, first.stderr
    path = next(tmp_path.glob("*.ipynb"))
    assert f"New notebook: {path}" in first.stdout
    path.write_text(path.read_text().replace("The answer in brief", "My answer"))
    before = path.read_text()
    again = run_cli("ask", QUESTION, "--folder", str(tmp_path))
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr
    assert path.read_text() == before
    with pytest.raises(WorkbookError, match="has no council.toml"):
        ask("Anything?", tmp_path / "nowhere", tmp_path)


@pytest.mark.slow
def test_ask_edit_one_cell_publish(tmp_path):
    asked = run_cli("ask", QUESTION, "--folder", str(tmp_path / "questions"))
    assert asked.returncode == 0, asked.stderr
    path = next((tmp_path / "questions").glob("*.ipynb"))
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[-1].source = (
        'present.table(inv.funnel_table(inv.funnel(wb.data.panel_invitations, "council-plan-2024"), minimum), '
        '"The Council Plan consultation: invited, opened, completed")')
    nbformat.write(notebook, path)

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
    path = ask("Does this break?", SAMPLE, tmp_path / "questions")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[-1].source = "wb.data.contacts['no_such_column']"
    nbformat.write(notebook, path)
    result = run_cli("publish", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Nothing was published" in result.stderr and "KeyError" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "out" / "adhoc").glob("*.html"))
    missing = run_cli("publish", str(tmp_path / "nope.ipynb"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_template_parameters_match_what_publish_passes(tmp_path):
    notebook = new_question_notebook("Q?", str(SAMPLE), tmp_path / "q.ipynb")
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    for name in ("question", "data_dir", "year", "as_at", "prepared"):
        assert re.search(rf"^{name} = ", parameters.source, re.MULTILINE)
    assert (REPO / "notebooks" / "adhoc").is_dir()
