"""Ad-hoc questions raised in committee: start a notebook from a template, publish it as a members' page.

``ask`` writes ``notebooks/adhoc/<YYYY-MM-DD>-<slug>.ipynb`` with the question as
its heading, the data loaded and validated through ``analysis``, the helpers
imported, and a short guide for the analyst (tagged ``analyst-only``, so it never
reaches the published page). ``publish`` executes it with papermill, exports it
with the members' template to ``OUT/adhoc/<slug>.html`` beside the executed
notebook, and keeps the question log, ``OUT/adhoc/index.html``.

The template's answer and evidence cells hold placeholder text (``PLACEHOLDERS``) for
the analyst to replace; ``publish`` refuses a notebook that still has any of it, so a
members' page never says "Write the answer here".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
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
    new_build_folder,
    prepare,
    quiet_worker,
    save_prepared,
)

ADHOC_DIR = DEFAULT_NOTEBOOKS / "adhoc"
LOG_NAME = "questions.json"

# What the template writes for the analyst to replace. A notebook whose members' cells still hold any of
# these is not published. The last two are the words of the template before these were added, so that a
# notebook started then is caught too.
ANSWER_PLACEHOLDER = "Write the answer here"
EVIDENCE_PLACEHOLDER = "Introduce each table or chart here"
PLACEHOLDERS = (ANSWER_PLACEHOLDER, EVIDENCE_PLACEHOLDER,
                "Write two or three sentences for members here",
                "Introduce each table or chart with a sentence a councillor would understand")

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
   - `wb.sql("SELECT ... FROM contacts ...")`: SQL over every record of the data folder without loading them
     into memory (for a large council, use it rather than `wb.data.contacts`); each dataset is a table of its
     name, and `working_days` (day, before) counts working days: `b.before - a.before`. The cell below the
     evidence is an example, for you only.
   - `present.table(frame, caption)` shows a table to members (escaped; use `present.count_words` and
     `present.percent_words` so small numbers are suppressed); `charts.line_chart(...)` and
     `charts.bar_chart(...)` draw a chart with its alt text and numbers.
3. Don't print raw frames: members see every output. Cells tagged `remove-cell` or `analyst-only` are left out.
4. Replace the placeholders in italics under *The answer in brief* and *The evidence*:
   "Write the answer here" and "Introduce each table or chart here". `workbook publish` refuses a notebook
   that still has them, naming each cell.
5. Publish: `workbook publish {path}` writes the page and adds it to the question log.
"""

SETUP = """from analysis import charts, present
from analysis import investigate as inv
from analysis.calendar import within_standard
from analysis.workbook import open_workbook

wb = open_workbook(data_dir, year, as_at, prepared)
minimum = wb.config.minimum_count"""


SQL_EXAMPLE = """# For the analyst (never published): SQL over every record, without loading them into memory.
# Each dataset is a table of its name; working_days (day, before) counts working days as the standards do.
wb.sql(\"\"\"
    SELECT channel, COUNT(*) AS contacts,
           AVG(CASE WHEN responded_at IS NOT NULL THEN answered.before - received.before END) AS mean_working_days
    FROM contacts
    LEFT JOIN working_days AS received ON received.day = CAST(contacts.received_at AS DATE)
    LEFT JOIN working_days AS answered ON answered.day = CAST(contacts.responded_at AS DATE)
    WHERE CAST(received_at AS DATE) BETWEEN ? AND ?
    GROUP BY channel
    ORDER BY contacts DESC
\"\"\", list(wb.year_bounds))  # the year's first and last days"""


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
    sql = new_code_cell(SQL_EXAMPLE)
    sql.metadata["tags"] = ["analyst-only"]
    notebook.cells = [
        new_markdown_cell(f"# {_markdown_text(question)}"),
        guide,
        parameters,
        setup,
        new_markdown_cell(f"## The answer in brief\n\n*{ANSWER_PLACEHOLDER}: two or three sentences for members "
                          "with the answer, the figures behind it, and how sure we can be.*"),
        new_markdown_cell(f"## The evidence\n\n*{EVIDENCE_PLACEHOLDER}, with a sentence a councillor would "
                          "understand, then show it in a cell below.*"),
        new_code_cell('present.paragraph(f"The data covers {wb.years[0]} to {wb.year}.")'),
        sql,
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


def placeholders_left(notebook: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """The template's placeholder text still in cells that members would see: (cell number, first line,
    placeholder), cells counted from 1 at the top of the notebook as the analyst sees them in JupyterLab
    (hidden cells count too: they are there while editing)."""
    from analysis.publish import HIDDEN_TAGS

    found = []
    for number, cell in enumerate(notebook.cells, start=1):
        if HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
            continue  # the analyst's guide quotes the placeholders; it never reaches the page
        text = " ".join(cell.source.split()).casefold()  # a placeholder re-wrapped over lines is still one
        for placeholder in PLACEHOLDERS:
            if placeholder.casefold() in text:
                found.append((number, first_line(cell.source), placeholder))
                break
    return found


def first_line(source: str, limit: int = 70) -> str:
    """A cell's first line that is not blank, shortened to ``limit`` characters, to name the cell by."""
    line = next((text.strip() for text in source.splitlines() if text.strip()), "(an empty cell)")
    return line if len(line) <= limit else line[:limit - 3].rstrip() + "..."


def _refuse_placeholders(paths: list[Path], notebooks: list[nbformat.NotebookNode]) -> None:
    """Raise one message naming every cell, in every notebook given, that still holds placeholder text."""
    parts = []
    for path, notebook in zip(paths, notebooks):
        found = placeholders_left(notebook)
        if found:
            cells = "\n".join(f'    cell {number} ("{line}"): still says "{placeholder}"'
                              for number, line, placeholder in found)
            parts.append(f"{path} still holds the template's placeholder text:\n{cells}")
    if parts:
        raise WorkbookError(
            "\n".join(parts) + "\n  to fix: open the notebook in JupyterLab and write the answer for members in "
            "place of each placeholder (or delete the cell), save it, and publish again. Cells are counted "
            "from the top of the notebook, 1 for the first.\n  Nothing was published.")


def failed_cell_words(source: nbformat.NotebookNode, executed: Path) -> str | None:
    """'cell 7 ("present.table(...)"): KeyError: 'x'' for the cell of ``source`` that failed, read from the
    notebook papermill wrote; None when no cell failed (the export did) or the cells cannot be matched.

    papermill adds cells to the executed notebook (the injected parameters, and a note on the error), so
    these are left out to find the failed cell's place in the notebook the analyst edits.
    """
    try:
        ran = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return None
    added = {"injected-parameters", "papermill-error-cell-tag"}
    cells = [c for c in ran.cells if not added & set(c.metadata.get("tags", []))]
    if len(cells) != len(source.cells):
        return None
    for number, (cell, original) in enumerate(zip(cells, source.cells), start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return (f'cell {number} ("{first_line(original.source)}"): '
                        f"{output.get('ename')}: {output.get('evalue')}")
    return None


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
    sources = [_read_notebook(path) for path in paths]
    _refuse_placeholders(paths, sources)  # before anything is written
    adhoc = Path(out).resolve() / "adhoc"
    made = [folder for folder in (adhoc.parent, adhoc) if not folder.exists()]
    adhoc.mkdir(parents=True, exist_ok=True)
    published = []
    kernel = kernel_name()
    prepared_for: dict[str, Path] = {}
    workbooks: dict = {}
    build = new_build_folder(adhoc, ".publishing-")
    try:
        for path, notebook in zip(paths, sources):
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
                raise WorkbookError(_failure_words(path, notebook, build / f"{slug}.ipynb", failure, adhoc, slug,
                                                   published))
            for suffix in (".ipynb", ".html"):
                os.replace(build / f"{slug}{suffix}", adhoc / f"{slug}{suffix}")
            write_question_log(adhoc, slug, question, workbook)
            echo(f"  published {slug:<40} {seconds:5.1f} s")
            published.append(adhoc / f"{slug}.html")
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        if published:  # the pages published before the failure are in the log: link the log from OUT/index.html
            write_outputs_index(adhoc.parent)
        else:  # leave no empty folders behind where there were none
            for folder in reversed(made):
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise
    shutil.rmtree(build, ignore_errors=True)
    write_outputs_index(adhoc.parent)
    return published


def _failure_words(path: Path, notebook, executed: Path, failure: str, adhoc: Path, slug: str,
                   published: list[Path]) -> str:
    """The message for a notebook that failed: which cell and why, and that nothing of it was published."""
    cell = failed_cell_words(notebook, executed)
    if cell:
        words = (f"{path} stopped at {cell}\n  Open it in JupyterLab and run all its cells to see the full error "
                 "(cells are counted from the top of the notebook, 1 for the first).")
    else:
        words = failure
    earlier = adhoc / f"{slug}.html"
    kept = f": the page published before, {earlier}, is unchanged" if earlier.is_file() else ""
    if published:  # the notebooks given before this one were published: say so rather than "nothing"
        return (words + f"\n  {path.name} was not published{kept}. Published before it: "
                + ", ".join(str(p) for p in published) + ".")
    return words + f"\n  Nothing was published{kept}."


def _read_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path``, or a plain message when the file is not one."""
    try:
        return nbformat.read(path, as_version=4)
    except (ValueError, KeyError, UnicodeDecodeError) as exc:  # nbformat's NotJSONError is a ValueError
        raise WorkbookError(f"{path} could not be read as a Jupyter notebook ({type(exc).__name__}): give the "
                            ".ipynb file that workbook ask wrote.") from None


def _notebook_data_dir(notebook: nbformat.NotebookNode) -> str | None:
    for cell in notebook.cells:
        if "parameters" in cell.metadata.get("tags", []):
            match = re.search(r"^data_dir\s*=\s*['\"](.*)['\"]", cell.source, re.MULTILINE)
            if match and match.group(1):
                return match.group(1)
    return None

