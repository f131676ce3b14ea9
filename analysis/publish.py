"""Publishing for members: notebook -> HTML with the members' template, and the index pages.

The notebook export uses nbconvert's HTMLExporter with our own template
(``templates/members``, extending nbconvert's ``lab``): code, prompts and the
papermill parameter cells are left out by exporter options and tags, never by
editing HTML afterwards; the links to the glossary are put in by a preprocessor of
ours (``analysis.glossary.GlossaryLinks``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import nbformat
from jinja2 import Environment, FileSystemLoader, select_autoescape
from nbconvert import HTMLExporter
from traitlets.config import Config as TraitletsConfig

import analysis
from analysis import pack
from analysis.glossary import GLOSSARY_PAGE, facts_of, glossary_terms, link_page
from analysis.provenance import git_commit

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Cells with these tags never reach a members' page: papermill's parameter cells and analysts' notes.
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell", "analyst-only", "papermill-error-cell-tag"}


def page_context(workbook, pages: list[dict]) -> dict:
    """What every page of one run shows around its content: banner, navigation, provenance."""
    return {
        "council": workbook.config.name,
        "year": workbook.year,
        "sample": workbook.config.sample,
        "pages": pages,
        "current": "index",
        "version": analysis.__version__,
        "commit": git_commit(),
        "ran_at": dt.datetime.now().strftime("%d %B %Y at %H:%M"),
        "data_folder": workbook.config.folder.name,
        "files": workbook.data.file_digests(),
        "as_at": [(name, date.strftime("%d %B %Y")) for name, date in workbook.as_at.items() if date],
        "as_at_given": workbook.parameters.get("as_at") or "",
        "measures_csv": "measures.csv",  # beside the year's pages
        # The year's glossary, beside its pages: each page links the first use of each term to it.
        "glossary": GLOSSARY_PAGE,
        "minimum_count": workbook.config.minimum_count,
        # At the top of every page: the period the figures cover and the date the data runs to.
        "period": pack.period_words(workbook.year, workbook.config.year_start_month),
        "data_as_at": pack.as_at_words(workbook.as_at),
        # The committee pack's pages and the glossary, after the yearly pages in the navigation.
        "extras": [{"stem": "covering-report", "href": "covering-report.html", "title": "Covering report"},
                   {"stem": "summary", "href": "summary.html", "title": "The year on one page"},
                   {"stem": "glossary", "href": GLOSSARY_PAGE, "title": "Glossary"}],
        "pack": pack.pack_file_name(workbook.config.name, workbook.year),
    }


def adhoc_context(workbook, slug: str) -> dict:
    """Around an ad-hoc page: the banner, a link back to the question log, provenance."""
    context = page_context(workbook, [])
    # An ad-hoc page has no measures.csv beside it; the year's is in its own folder, which may not be there.
    context.update({"current": slug, "section": "Questions raised in committee", "home_label": "All questions",
                    "measures_csv": "", "glossary": "", "extras": [], "pack": ""})
    # nor a glossary or the committee pack: they are in the year's folder
    return context


def write_question_log(adhoc: Path, slug: str, question: str, workbook) -> None:
    """Add or update the question in ``OUT/adhoc/questions.json`` and rewrite ``OUT/adhoc/index.html``."""
    log_path = adhoc / "questions.json"
    entries = json.loads(log_path.read_text(encoding="utf-8")) if log_path.is_file() else []
    entries = [e for e in entries if e["slug"] != slug]
    entries.append({"slug": slug, "question": question, "published": dt.date.today().isoformat(),
                    "year": workbook.year, "council": workbook.config.name})
    entries.sort(key=lambda e: (e["published"], e["question"]), reverse=True)
    _write_atomic(log_path, json.dumps(entries, indent=2))
    context = adhoc_context(workbook, "index")
    html = _environment().get_template("adhoc_index.html.j2").render(
        wb=context, entries=[{**e, "href": f"{e['slug']}.html",
                              "published_words": dt.date.fromisoformat(e["published"]).strftime("%d %B %Y").lstrip("0")}
                             for e in entries])
    _write_atomic(adhoc / "index.html", html)


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _exporter(template: str = "members") -> HTMLExporter:
    """nbconvert's HTML exporter with a template of ours: ``members`` for a page, ``pack_page`` for the same
    page as a part of the committee pack."""
    config = TraitletsConfig()
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.HTMLExporter.template_name = template
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = HIDDEN_TAGS
    # GlossaryLinks links the first use of each term to the year's glossary, where the page has one.
    config.HTMLExporter.preprocessors = ["nbconvert.preprocessors.TagRemovePreprocessor",
                                         "analysis.glossary.GlossaryLinks"]
    return HTMLExporter(config=config)


def first_heading(notebook) -> str | None:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^# (.+)$", cell.source, flags=re.MULTILINE)
            if match:
                return match.group(1).strip()
    return None


def export_html(executed: Path, html: Path, page: dict) -> None:
    """Write the members' HTML page of an executed notebook."""
    notebook = nbformat.read(executed, as_version=4)
    notebook.metadata["title"] = first_heading(notebook) or executed.stem
    body, _ = _exporter().from_notebook_node(notebook, resources={"workbook": page})
    html.write_text(body, encoding="utf-8")


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader([str(TEMPLATES), str(TEMPLATES / "members")]),
                      autoescape=select_autoescape(["html", "j2"]))
    env.globals["css"] = (TEMPLATES / "members" / "members.css").read_text(encoding="utf-8")
    return env


def write_index(workbook, pages: list[dict], path: Path, context: dict) -> None:
    """The year's entry page: the headline, the key measures and links to every page; and the year's
    glossary beside it (``write_glossary``), which the index and every page link to."""
    from analysis.present import headline_summary, scorecard_table

    html = _environment().get_template("year_index.html.j2").render(
        wb=context, pages=pages, headline=headline_summary(workbook), table=scorecard_table(workbook))
    if context.get("glossary"):
        html = link_page(html, glossary_terms(facts_of(workbook)), context["glossary"])
        write_glossary(workbook, path.parent / context["glossary"], context)
    path.write_text(html, encoding="utf-8")


def write_glossary(workbook, path: Path, context: dict) -> None:
    """``OUT/<YYYY-YY>/glossary.html``: what the words of the year's pages mean, worded from the council's
    own settings, with the same banner, navigation and provenance as the other pages."""
    html = _environment().get_template("glossary.html.j2").render(
        wb={**context, "current": "glossary"}, terms=glossary_terms(facts_of(workbook)))
    path.write_text(html, encoding="utf-8")


def write_outputs_index(out: Path) -> None:
    """``OUT/index.html``: every year that has been run."""
    years = sorted((p.name for p in out.iterdir()
                    if p.is_dir() and re.fullmatch(r"\d{4}-\d{2}", p.name) and (p / "index.html").is_file()),
                   reverse=True)
    html = _environment().get_template("outputs_index.html.j2").render(
        years=[(y, y.replace("-", "/")) for y in years], questions=(out / "adhoc" / "index.html").is_file())
    _write_atomic(out / "index.html", html)



# Shared with the committee pack (analysis.pack), which renders its parts with the same exporter settings,
# templates and atomic writes as the pages.
exporter = _exporter
environment = _environment
write_atomic = _write_atomic
