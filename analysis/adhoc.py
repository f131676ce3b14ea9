"""Ad-hoc questions raised in committee: start a notebook from a template, publish it as a members' page.

``ask`` writes ``notebooks/adhoc/<YYYY-MM-DD>-<slug>.ipynb`` with the question as
its heading, the data loaded and validated through ``analysis``, the helpers
imported, and a short guide for the analyst (tagged ``analyst-only``, so it never
reaches the published page). ``publish`` executes it with papermill, exports it
with the members' template to ``OUT/adhoc/<slug>.html`` beside the executed
notebook, and keeps the question log, ``OUT/adhoc/index.html``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.errors import WorkbookError
from analysis.workbook import (
    DEFAULT_DATA,
    DEFAULT_NOTEBOOKS,
    DEFAULT_OUT,
    execute_and_export,
    kernel_name,
    prepare,
    quiet_worker,
    save_prepared,
)

ADHOC_DIR = DEFAULT_NOTEBOOKS / "adhoc"
LOG_NAME = "questions.json"

GUIDE = """**For the analyst: this cell never appears on the published page.**

1. Run the cells once (JupyterLab: *Run > Run All Cells*). The data of the folder in `data_dir` is loaded and
   validated as for the yearly workbook: `wb.data.contacts`, `wb.data.calls`, `wb.data.complaints`,
   `wb.data.feedback`, `wb.data.survey`, `wb.data.panel`, `wb.data.panel_invitations`, `wb.data.population`,
   and every yearly measure in `wb.measures` (as in `measures.csv`).
2. Answer the question in short cells: a sentence for members in a markdown cell, then the table or chart that
   shows it. Helpers:
   - `inv.select(frame, service=..., category=..., location=..., ward=..., channel=..., start=..., end=...)`
   - `inv.compare_periods(frame, success, (start, end), (start, end))` and `inv.compare_rates(...)`: two rates
     with a test of significance; `.words` says it in plain English, `.table()` as a table.
   - `inv.before_and_after(date, months=12)`: the periods either side of a change, such as a handover.
   - `inv.funnel(wb.data.panel_invitations)` and `inv.funnel_table(...)`: invited, opened, completed.
   - `inv.monthly_counts(frame, by="location")`; `within_standard(wb.calendar, received, done, n, as_at)`.
   - `present.table(frame, caption)` shows a table to members (escaped; use `present.count_words` and
     `present.percent_words` so small numbers are suppressed); `charts.line_chart(...)` and
     `charts.bar_chart(...)` draw a chart with its alt text and numbers.
3. Don't print raw frames: members see every output. Cells tagged `remove-cell` or `analyst-only` are left out.
4. Publish: `workbook publish {path}` writes the page and adds it to the question log.
"""

SETUP = """from analysis import charts, present
from analysis import investigate as inv
from analysis.calendar import within_standard
from analysis.workbook import open_workbook

wb = open_workbook(data_dir, year, as_at, prepared)
minimum = wb.config.minimum_count"""


def slugify(question: str, limit: int = 60) -> str:
    """'How many of the 79 who opened it completed it?' -> 'how-many-of-the-79-who-opened-it-completed-it'."""
    words = re.findall(r"[a-z0-9]+", question.lower().replace("'", ""))
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "question"


def _markdown_text(text: str) -> str:
    """The question as literal text in a markdown heading."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", " ".join(text.split()))


def new_question_notebook(question: str, data_dir: str, path: Path) -> nbformat.NotebookNode:
    notebook = new_notebook()
    guide = new_markdown_cell(GUIDE.replace("{path}", str(path)))
    guide.metadata["tags"] = ["analyst-only"]
    parameters = new_code_cell(
        "# Parameters: `workbook publish` can give another data folder or year.\n"
        f"question = {question!r}\n"
        f"data_dir = {data_dir!r}\n"
        'year = ""      # empty: the latest complete financial year in the data\n'
        'as_at = ""\n'
        'prepared = ""')
    parameters.metadata["tags"] = ["parameters"]
    setup = new_code_cell(SETUP)
    setup.metadata["tags"] = ["remove-cell"]
    notebook.cells = [
        new_markdown_cell(f"# {_markdown_text(question)}"),
        guide,
        parameters,
        setup,
        new_markdown_cell("## The answer in brief\n\nWrite two or three sentences for members here: the answer, "
                          "the figures behind it, and how sure we can be."),
        new_markdown_cell("## The evidence\n\nIntroduce each table or chart with a sentence a councillor would "
                          "understand."),
        new_code_cell('present.paragraph(f"The data covers {wb.years[0]} to {wb.year}.")'),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def ask(question: str, data_dir: str | Path = DEFAULT_DATA, folder: str | Path = ADHOC_DIR,
        today: dt.date | None = None) -> Path:
    """Write a new investigation notebook for ``question``; refuse to overwrite one."""
    if not question.strip():
        raise WorkbookError('Give the question in quotes, e.g. workbook ask "Is the Report It standard met?"')
    data_dir = Path(data_dir).resolve()
    if not (data_dir / "council.toml").is_file():
        raise WorkbookError(f"{data_dir} has no council.toml: give the council's data folder with --data.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{(today or dt.date.today()).isoformat()}-{slugify(question)}.ipynb"
    if path.exists():
        raise WorkbookError(f"{path} already exists: open it, or ask the question in other words. "
                            "Nothing was overwritten.")
    notebook = new_question_notebook(question, str(data_dir), path)
    with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        nbformat.write(notebook, handle)
    return path


def question_of(notebook: nbformat.NotebookNode) -> str:
    for cell in notebook.cells:
        if "parameters" in cell.metadata.get("tags", []):
            match = re.search(r"^question\s*=\s*(.+)$", cell.source, re.MULTILINE)
            if match:
                try:
                    import ast

                    return str(ast.literal_eval(match.group(1).split("#")[0].strip()))
                except (ValueError, SyntaxError):
                    pass
    from analysis.publish import first_heading

    return first_heading(notebook) or "Question"


def slug_of(path: Path) -> str:
    return re.sub(r"^\d{4}-\d{2}-\d{2}-", "", path.stem)


def publish(notebooks: list[str | Path], data_dir: str | Path | None = None, out: str | Path = DEFAULT_OUT,
            echo=print) -> list[Path]:
    """Execute each notebook and write ``OUT/adhoc/<slug>.html`` and ``.ipynb``; update the question log."""
    from analysis.publish import adhoc_context, write_outputs_index, write_question_log

    paths = [Path(n) for n in notebooks]
    for path in paths:
        if not path.is_file():
            raise WorkbookError(f"{path} does not exist. Start a question with: workbook ask \"...\"")
    adhoc = Path(out).resolve() / "adhoc"
    adhoc.mkdir(parents=True, exist_ok=True)
    published = []
    kernel = kernel_name()
    prepared_for: dict[str, Path] = {}
    workbooks: dict = {}
    build = Path(tempfile.mkdtemp(prefix=".publishing-", dir=adhoc))
    try:
        for path in paths:
            notebook = nbformat.read(path, as_version=4)
            question = question_of(notebook)
            folder = str(Path(data_dir).resolve()) if data_dir else _notebook_data_dir(notebook) or str(DEFAULT_DATA)
            if folder not in prepared_for:
                workbook = prepare(folder)
                prepared_for[folder] = save_prepared(workbook, build / f"prepared-{len(prepared_for)}.pickle")
                workbooks[folder] = workbook
            workbook = workbooks[folder]
            slug = slug_of(path)
            page = adhoc_context(workbook, slug)
            parameters = {"question": question, "data_dir": folder, "prepared": str(prepared_for[folder])}
            with ProcessPoolExecutor(max_workers=1, initializer=quiet_worker) as pool:
                seconds, failure = pool.submit(execute_and_export, str(path.resolve()), str(build / f"{slug}.ipynb"),
                                               str(build / f"{slug}.html"), parameters, kernel, page).result()
            if failure:
                raise WorkbookError(failure + "\n  Nothing was published.")
            for suffix in (".ipynb", ".html"):
                os.replace(build / f"{slug}{suffix}", adhoc / f"{slug}{suffix}")
            write_question_log(adhoc, slug, question, workbook)
            echo(f"  published {slug:<40} {seconds:5.1f} s")
            published.append(adhoc / f"{slug}.html")
    finally:
        shutil.rmtree(build, ignore_errors=True)
    write_outputs_index(adhoc.parent)
    return published


def _notebook_data_dir(notebook: nbformat.NotebookNode) -> str | None:
    for cell in notebook.cells:
        if "parameters" in cell.metadata.get("tags", []):
            match = re.search(r"^data_dir\s*=\s*['\"](.*)['\"]", cell.source, re.MULTILINE)
            if match and match.group(1):
                return match.group(1)
    return None

