"""The committee pack: a covering report in the council's standard form, a one-page summary, the
scorecard and every yearly page, as one PDF members take into the meeting.

The covering report's executive summary and the one-page summary are worked out here from the
scorecard (``present.scorecard_frame``), so they say exactly what the index page and scorecard say.
Each yearly page goes into the pack through nbconvert with the ``pack_page`` template (the
notebook's outputs without the document around them); ``templates/pack/pack.html.j2`` puts the
parts together with a print stylesheet (CSS paged media: A4, running header and footer, page
numbers, a contents list with page numbers, no table row or chart split across pages) and
WeasyPrint writes the PDF, tagged (PDF/UA-1) so that a screen reader keeps the text order and
headings. WeasyPrint needs nothing from the network: it is a Python package over Pango.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.calendar import year_bounds, year_folder
from analysis.errors import WorkbookError
from analysis.present import STATUSES  # a scorecard line's statuses, in the order the summary counts them

# The one-page summary lists at most this many measures under a heading, so that it stays on one page
# whatever the council measures; the rest are counted and left to the scorecard.
SUMMARY_LIST_LIMIT = 8


# --- words ----------------------------------------------------------------------------------


def date_words(value: dt.date | None) -> str:
    """'7 April 2025' (no leading zero), '' for no date."""
    return f"{value.day} {value:%B %Y}" if value else ""


def period_words(year: str, year_start_month: int = 4) -> str:
    """The financial year as dates: '1 April 2024 to 31 March 2025'."""
    first, last = year_bounds(year, year_start_month)
    return f"{date_words(first)} to {date_words(last)}"


def as_at_words(as_at: dict) -> str:
    """The data's as-at date in words for the top of every page. Each dataset is as at its own latest record
    (or the date given with --as-at), so where they differ the range is given, never one date that is true of
    one dataset only: '7 April 2025', '31 March to 7 April 2025', '28 December 2024 to 7 April 2025'."""
    dates = sorted({d for d in as_at.values() if d})
    if not dates:
        return ""
    first, last = dates[0], dates[-1]
    if first == last:
        return date_words(last)
    if first.year == last.year:
        return f"{first.day} {first:%B} to {date_words(last)}"
    return f"{date_words(first)} to {date_words(last)}"


def council_slug(name: str) -> str:
    """A file name from the council's name: 'Brackenford District Council' -> 'brackenford-district-council'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "council"


def pack_file_name(council: str, year: str) -> str:
    """'brackenford-district-council-customer-care-2024-25.pdf'."""
    return f"{council_slug(council)}-customer-care-{year_folder(year)}.pdf"


def css_string(text: str) -> str:
    """``text`` as a CSS string for a running header's ``content``: quotes and backslashes escaped, and ``<``
    written as an escape so that no text can close the style element it sits in."""
    text = " ".join(str(text).split())
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ") + '"'


def _number(n: int) -> str:
    from analysis.present import number_words

    return number_words(n)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{_number(n)} {one if n == 1 else (many or one + 's')}"


def _names(lines: list[dict]) -> str:
    from analysis.present import list_words

    return list_words([line["Measure"] for line in lines])


# --- what the scorecard says, counted -------------------------------------------------------


def status_of(line: dict) -> str:
    """A scorecard line's status in words (the scorecard's "Status" column; "Met" before it had one)."""
    status = line.get("Status", line.get("Met", "")) or ""
    if not status:
        return "no target"
    return str(status)


def status_counts(card: pd.DataFrame) -> list[tuple[str, int]]:
    """How many scorecard lines have each status, in ``STATUSES`` order (every status, zeros included, so that
    one year's summary reads like the next)."""
    found = [status_of(line) for line in card.to_dict("records")] if not card.empty else []
    counts = [(status, found.count(status)) for status in STATUSES]
    others = sorted(set(found) - set(STATUSES))
    return counts + [(status, found.count(status)) for status in others]


@dataclass(frozen=True)
class Comparisons:
    """The scorecard lines a year's summary names: significantly better or worse than the year before and
    than the strategy's baseline year, and those not compared with the baseline because a standard changed."""

    year: str
    previous: str | None
    baseline: str | None           # the baseline year when it is compared separately from the year before
    better_than_previous: list[dict]
    worse_than_previous: list[dict]
    better_than_baseline: list[dict]
    worse_than_baseline: list[dict]
    unlike_baseline: list[dict]


def comparisons(wb, card: pd.DataFrame) -> Comparisons:
    from analysis.present import compared_baseline

    lines = card.to_dict("records") if not card.empty else []
    return Comparisons(
        year=wb.year, previous=wb.previous_year, baseline=compared_baseline(wb),
        better_than_previous=[line for line in lines if line["previous_verdict"] == "better"],
        worse_than_previous=[line for line in lines if line["previous_verdict"] == "worse"],
        better_than_baseline=[line for line in lines if line["baseline_verdict"] == "better"],
        worse_than_baseline=[line for line in lines if line["baseline_verdict"] == "worse"],
        unlike_baseline=[line for line in lines if line["baseline_unlike"]],
    )


def _actions_sentence(wb) -> str | None:
    achieved = wb.value("actions_achieved")
    if achieved is None or pd.isna(achieved["denominator"]):
        return None
    done, total = int(achieved["numerator"]), int(achieved["denominator"])
    sentence = f"{done} of the {total} actions in the {wb.year} action plan {'was' if done == 1 else 'were'} achieved"
    carried = wb.value("actions_carried_forward")
    if carried is not None and not pd.isna(carried["value"]) and int(carried["value"]) > 0:
        n = int(carried["value"])
        sentence += f"; {_count(n, 'action')} {'is' if n == 1 else 'are'} carried forward to the next plan"
    return sentence + "."


def _line_figure(line: dict, then: str | None = None, which: str = "previous") -> str:
    """'Calls answered within 20 seconds: 76.1% (77.6% in 2021/22)'."""
    text = f"{line['Measure']}: {line['value_shown']}"
    if then:
        text += f" ({line[f'{which}_shown']} in {then})"
    return text


def executive_summary(wb, card: pd.DataFrame, code_appendix: str | None = None) -> list[dict]:
    """The covering report's executive summary: what the year's figures say, in sentences an officer could
    read out. Every claim is one the scorecard makes: a change is only called better or worse when it is
    statistically significant, and the baseline comparison is said beside the year before's. Each paragraph is
    {"text", "items"}: the items of the list it introduces (the targets not met), or none."""
    from analysis.present import began_words

    paragraphs = [
        f"This report gives the outcomes of the Customer Care Strategy for {wb.year} "
        f"({period_words(wb.year, wb.config.year_start_month)}), from the council's records as at "
        f"{as_at_words(wb.as_at)}. The appendices give the figures and how each was counted."]
    actions = _actions_sentence(wb)
    if actions:
        paragraphs.append(actions)
    counts = dict(status_counts(card))
    lines = card.to_dict("records") if not card.empty else []
    with_target = counts["met"] + counts["not met"] + counts["improving but not met"]
    if with_target:
        missed = [line for line in lines if status_of(line) in ("not met", "improving but not met")]
        sentence = f"Of the {_count(with_target, 'measure')} with a target, {_number(counts['met'])} met it"
        if missed:
            sentence += f" and {_number(len(missed))} did not:"
            paragraphs.append({"text": sentence, "items": [
                f"{line['Measure']}: {line['value_shown']}, target {line['Target']}"
                + (" (improving but not met)" if status_of(line) == "improving but not met" else "")
                for line in missed]})
        else:
            paragraphs.append(sentence + ".")
    if counts.get("not judged"):
        n = counts["not judged"]
        unjudged = [line for line in lines if status_of(line) == "not judged"]
        paragraphs.append(f"{_count(n, 'measure').capitalize()} with a target could not be judged this year, as "
                          f"{'its figure was' if n == 1 else 'their figures were'} not recorded or not available: "
                          f"{_names(unjudged)}.")
    if counts["to be agreed"]:
        n = counts["to be agreed"]
        paragraphs.append(f"{_count(n, 'measure').capitalize()} {'has' if n == 1 else 'have'} a target still to be "
                          "agreed; the scorecard shows each beside its baseline.")
    found = comparisons(wb, card)
    if found.previous:
        better, worse = found.better_than_previous, found.worse_than_previous
        sentence = (f"Compared with {found.previous}, {_count(len(better), 'measure')} "
                    f"{'was' if len(better) == 1 else 'were'} significantly better and "
                    f"{_number(len(worse)) if worse else 'none'} significantly worse")
        if worse:
            sentence += f" ({_names(worse)})"
        paragraphs.append(sentence + ".")
    if found.baseline:
        better, worse = found.better_than_baseline, found.worse_than_baseline
        sentence = f"Compared with {began_words(found.baseline)}, "
        if better:
            sentence += f"{_count(len(better), 'measure')} {'is' if len(better) == 1 else 'are'} significantly better ({_names(better)})"
        else:
            sentence += "no measure is significantly better"
        sentence += f" and {_number(len(worse))} significantly worse ({_names(worse)})" if worse else \
            " and none that can be tested is significantly worse"
        paragraphs.append(sentence + ".")
        if found.unlike_baseline:
            n = len(found.unlike_baseline)
            paragraphs.append(f"{_count(n, 'measure').capitalize()} {'is' if n == 1 else 'are'} not compared with "
                              f"{found.baseline} because a standard changed since then: {_names(found.unlike_baseline)}.")
    if code_appendix:
        paragraphs.append(f"Appendix {code_appendix} is the annual complaints performance and service improvement "
                          "report that the Complaint Handling Code asks the council's governing body to receive: "
                          "complaints by stage, how many were answered within the Code's timescales, what was "
                          "upheld, the Ombudsmen's decisions and what the council changed because of complaints.")
    paragraphs.append("A change is only called better or worse when it is statistically significant: too large to "
                      "put down to chance.")
    # Each paragraph with the list it introduces (most have none), as the covering report prints them.
    return [p if isinstance(p, dict) else {"text": p, "items": []} for p in paragraphs]


def covering_header(wb, appendices: int | None = None) -> list[tuple[str, str]]:
    """The standard form's header lines that are known: what ``[committee]`` leaves out is left out here too,
    never shown blank."""
    committee = wb.config.committee
    key_decision = {True: "Yes", False: "No"}.get(committee.key_decision)
    lines = [("Report to", committee.name), ("Date of Meeting", date_words(committee.meeting_date)),
             ("Subject", f"Customer Care Strategy: outcomes for {wb.year}"),
             ("Report of", committee.report_of), ("Lead Member", committee.lead_member),
             ("Contact Officer", committee.contact_officer), ("Wards Affected", committee.wards_affected),
             ("Key Decision", key_decision),
             ("Number of Appendices", _number(appendices).capitalize() if appendices else None)]
    return [(label, value) for label, value in lines if value]


def summary_lists(wb, card: pd.DataFrame, limit: int = SUMMARY_LIST_LIMIT) -> list[dict]:
    """The one-page summary's lists: (heading, items, how many more, what to say when empty). Worse than the
    baseline comes first: it is what the committee most needs to see. Without a separate baseline, the year
    before stands in."""
    from analysis.present import began_words

    found = comparisons(wb, card)
    lines = card.to_dict("records") if not card.empty else []
    lists = []

    def add(heading, chosen, figure, empty):
        lists.append({"heading": heading, "items": [figure(line) for line in chosen[:limit]],
                      "more": max(0, len(chosen) - limit), "empty": empty})

    # Against the baseline where it is compared apart from the year before; else the year before stands in.
    if found.baseline:
        then, which, heading = found.baseline, "baseline", began_words(found.baseline)
        worse, better = found.worse_than_baseline, found.better_than_baseline
    else:
        then, which, heading = found.previous, "previous", found.previous
        worse, better = found.worse_than_previous, found.better_than_previous
    if then:
        add(f"Significantly worse than in {heading}", worse, lambda line: _line_figure(line, then, which),
            f"No measure that can be tested is significantly worse than in {then}.")
        add(f"Significantly better than in {heading}", better, lambda line: _line_figure(line, then, which),
            f"No measure is significantly better than in {then}.")
    missed = [line for line in lines if status_of(line) in ("not met", "improving but not met")]
    add("Targets not met", missed, lambda line: f"{_line_figure(line)}, target {line['Target']}",
        "Every measure with a target met it.")
    return lists


def _letter(index: int) -> str:
    """Appendix letters: A to Z, then AA, AB, ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- the parts ------------------------------------------------------------------------------


def page_fragment(executed: Path) -> str:
    """One executed notebook as a part of the pack: its outputs and markdown, rendered by nbconvert with the
    ``pack_page`` template and the members' exporter settings (no code, no prompts, no hidden cells)."""
    import nbformat

    from analysis.publish import exporter

    notebook = nbformat.read(executed, as_version=4)
    body, _ = exporter("pack_page").from_notebook_node(notebook)
    return body


def pack_context(wb, context: dict) -> dict:
    """The run's page context (which already has the period and the as-at date for the top of every page) and
    the committee the pack goes to."""
    return {**context, "committee": wb.config.committee}


def covering_parts(wb, appendices: list[tuple[str, str, str]] | None) -> dict:
    """The covering report's and the one-page summary's content, shared by their HTML pages and the pack."""
    from analysis.present import scorecard_frame

    card = scorecard_frame(wb)
    code = next((letter for letter, _, target in appendices or [] if target.endswith("complaint-handling-code")),
                None)
    found = comparisons(wb, card)
    return {
        "header": covering_header(wb, len(appendices) if appendices else None),
        "executive_summary": executive_summary(wb, card, code),
        "year_before": (f"Compared with {found.previous}: {_count(len(found.better_than_previous), 'measure')} "
                        f"significantly better, {_number(len(found.worse_than_previous)) if found.worse_than_previous else 'none'}"
                        " significantly worse.") if found.previous else None,
        "actions": _actions_sentence(wb),
        "status_counts": status_counts(card),
        "lists": summary_lists(wb, card),
    }


# The datasets each yearly page is made from. A page whose datasets the council has none of would be a page of
# "not recorded" in the pack, so the pack leaves it out and its cover says so; the HTML page is still written.
PAGE_DATASETS = {
    "01-action-plan": ("action_plan",),
    "02-customer-care-standards": ("contacts", "calls"),
    "03-channels-and-access": ("contacts", "calls"),
    "04-complaints": ("complaints",),
    "05-satisfaction-and-panel": ("feedback", "survey", "panel", "panel_invitations"),
    "06-complaint-handling-code": ("complaints", "ombudsman"),
}


def pages_without_data(wb, pages: list[dict]) -> list[dict]:
    """The yearly pages none of whose datasets the council's data folder has (a page not listed in
    ``PAGE_DATASETS`` always has data)."""
    return [page for page in pages if page["stem"] in PAGE_DATASETS
            and not any(wb.data.recorded(name) for name in PAGE_DATASETS[page["stem"]])]


def glossary_fragment(wb) -> str:
    """The glossary as the pack's last appendix: the same entries as the year's glossary page."""
    from analysis.glossary import facts_of, glossary_terms

    return _environment().get_template("pack/_glossary.html.j2").render(
        wb={"year": wb.year}, terms=glossary_terms(facts_of(wb)))


def pack_parts(pages: list[dict], folder: Path, wb=None) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """Each yearly page executed in ``folder`` as a part of the pack (and, given the workbook, the glossary
    last), and the appendices: (letter, title, id)."""
    # The scorecard page is printed across the page (landscape): it has the most columns.
    parts = [{"id": f"page-{page['stem']}", "title": page["title"], "wide": page["stem"].endswith("scorecard"),
              "html": page_fragment(folder / f"{page['stem']}.ipynb")}
             for page in pages if (folder / f"{page['stem']}.ipynb").is_file()
             and (wb is None or not pages_without_data(wb, [page]))]
    if wb is not None:
        parts.append({"id": "glossary", "title": "Glossary", "wide": False, "html": glossary_fragment(wb)})
    # Appendices: the one-page summary, then each yearly page (the scorecard first, as the notebooks are ordered).
    appendices = [("A", "The year on one page", "summary")] + [
        (_letter(i + 1), part["title"], part["id"]) for i, part in enumerate(parts)]
    return parts, appendices


def _environment():
    from analysis.publish import environment

    env = environment()
    env.globals["css_string"] = css_string
    return env


def pack_html(wb, pages: list[dict], folder: Path, context: dict, parts=None) -> str:
    """The pack as one HTML document for WeasyPrint, from the notebooks executed in ``folder`` (or ``parts``,
    what :func:`pack_parts` gave for them)."""
    parts, appendices = parts or pack_parts(pages, folder, wb)
    content = covering_parts(wb, appendices)
    return _environment().get_template("pack/pack.html.j2").render(
        wb=pack_context(wb, context), parts=parts, appendices=appendices, **content,
        left_out=[page["title"] for page in pages_without_data(wb, pages)])


def write_covering_pages(wb, pages: list[dict], folder: Path, context: dict,
                         appendices: list[tuple[str, str, str]]) -> None:
    """The covering report and the one-page summary as HTML pages of the year's output, with the masthead."""
    from analysis.glossary import facts_of, glossary_terms, link_page
    from analysis.publish import write_atomic

    terms = glossary_terms(facts_of(wb))
    content = covering_parts(wb, appendices)
    context = pack_context(wb, context)
    for template, name in (("pack/covering_page.html.j2", "covering-report.html"),
                           ("pack/summary_page.html.j2", "summary.html")):
        html = _environment().get_template(template).render(
            wb={**context, "current": name.removesuffix(".html")}, pages=pages, **content)
        if context.get("glossary"):  # the first use of each term links to the glossary, as on every page
            html = link_page(html, terms, context["glossary"])
        write_atomic(folder / name, html)


def split_across_pages(document, selectors=("tr", "figure", "img")) -> list[str]:
    """The elements of a rendered WeasyPrint document that start on one page and end on another (a table row, a
    chart), named like 'tr on pages 4-5: Calls answered ...'. The pack's stylesheet promises there are none."""
    seen: dict[int, tuple[object, set[int]]] = {}

    def walk(box, number):
        if getattr(box, "is_header", False) or getattr(box, "is_footer", False):
            return  # a table's header row is repeated at the top of each page it runs over, as it should be
        element = getattr(box, "element", None)
        if element is not None and getattr(element, "tag", None) in selectors:
            seen.setdefault(id(element), (element, set()))[1].add(number)
        for child in getattr(box, "children", ()) or ():
            walk(child, number)

    for number, page in enumerate(document.pages, start=1):
        walk(page._page_box, number)
    split = []
    for element, numbers in seen.values():
        if len(numbers) > 1:
            text = " ".join("".join(element.itertext()).split())[:60]
            split.append(f"{element.tag} on pages {min(numbers)}-{max(numbers)}: {text}")
    return split


def headings_at_page_foot(document) -> list[str]:
    """Headings that end a page of a rendered WeasyPrint document, parted from what they head (the pack's
    stylesheet keeps each heading with what follows it), named like 'page 12: Phone calls'."""
    found = []

    def last_block(box):
        children = [child for child in getattr(box, "children", ()) or ()
                    if getattr(child, "element", None) is not None and not getattr(box, "is_header", False)]
        blocks = [child for child in children if type(child).__name__.endswith(("BlockBox", "TableBox",
                                                                                "TableWrapperBox"))]
        return blocks[-1] if blocks else None

    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        while True:
            if getattr(box, "element", None) is not None and box.element.tag in ("h1", "h2", "h3", "h4"):
                found.append(f"page {number}: {' '.join(''.join(box.element.itertext()).split())[:60]}")
                break
            child = last_block(box)
            if child is None:
                break
            box = child
    return found


def write_pack(wb, pages: list[dict], folder: Path, context: dict) -> Path:
    """Write the committee pack's PDF into ``folder`` (the year's output being built) from the executed
    notebooks there, and the covering report and one-page summary as HTML pages beside it. Returns the PDF.

    PDF/UA-1 makes WeasyPrint tag the PDF (headings, paragraphs, tables, lists, figures with their alt text) in
    reading order, with the document's title and language."""
    try:
        from weasyprint import HTML
    except OSError as exc:  # WeasyPrint is installed but the system's Pango library is not
        raise WorkbookError(
            "The committee pack's PDF could not be made: WeasyPrint needs the Pango library, which is not "
            f"installed ({exc}). `make run` installs it; or run: sudo apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0. Nothing was published.") from None

    parts, appendices = pack_parts(pages, folder, wb)
    html = pack_html(wb, pages, folder, context, (parts, appendices))
    target = folder / pack_file_name(wb.config.name, wb.year)
    write_covering_pages(wb, pages, folder, {**context, "pack": target.name}, appendices)
    temporary = target.with_name(f".{target.name}.tmp")
    HTML(string=html, base_url=str(folder)).render().write_pdf(temporary, pdf_variant="pdf/ua-1")
    temporary.replace(target)
    return target
