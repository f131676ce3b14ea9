"""The committee pack: the covering report, the one-page summary and the PDF, read back with pypdf.

The PDF is checked by reading it, not by trusting the generator: its pages, the running header and
footer on each, the contents list's page numbers against the pages the parts really start on, and
what the covering report says. The layout promise (no table row or chart split across pages) is
checked on WeasyPrint's rendered boxes.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis import pack
from analysis.config import Committee, load_config
from analysis.errors import ConfigError

pypdf = pytest.importorskip("pypdf")


# --- small pure pieces ----------------------------------------------------------------------


def test_the_file_name_is_made_from_the_council_and_the_year():
    assert pack.pack_file_name("Brackenford District Council", "2024/25") == \
        "brackenford-district-council-customer-care-2024-25.pdf"
    # accents and punctuation fold to plain letters and hyphens
    assert pack.council_slug("Ynys Môn / Isle of Anglesey County Council") == \
        "ynys-mon-isle-of-anglesey-county-council"
    assert pack.council_slug("") == "council"


def test_css_strings_cannot_break_out_of_the_running_header():
    assert pack.css_string('Say "hi"') == '"Say \\"hi\\""'
    assert pack.css_string("a\\b") == '"a\\\\b"'
    # a council name with markup cannot close the style element the header sits in
    assert "</style>" not in pack.css_string("</style><script>")
    assert pack.css_string("two\nlines") == '"two lines"'


def test_period_words():
    assert pack.period_words("2024/25", 4) == "1 April 2024 to 31 March 2025"
    assert pack.period_words("2024/25", 1) == "1 January 2024 to 31 December 2024"


def test_the_as_at_date_is_a_range_where_the_datasets_differ():
    import datetime as dt
    assert pack.as_at_words({"contacts": dt.date(2025, 4, 7), "calls": dt.date(2025, 4, 7), "x": None}) == \
        "7 April 2025"
    # the sample: calls and feedback to 31 March, complaints to 3 April, contacts to 7 April
    assert pack.as_at_words({"contacts": dt.date(2025, 4, 7), "calls": dt.date(2025, 3, 31),
                             "complaints": dt.date(2025, 4, 3)}) == "31 March to 7 April 2025"
    assert pack.as_at_words({"a": dt.date(2024, 12, 28), "b": dt.date(2025, 4, 7)}) == \
        "28 December 2024 to 7 April 2025"
    assert pack.as_at_words({}) == ""


def test_appendix_letters_run_on_after_z():
    assert [pack._letter(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]


def test_status_counts_list_every_status_in_order_with_zeros():
    card = pd.DataFrame({"Status": ["met", "not met", "met", "to be agreed", "improving but not met", "",
                                    "not judged"]})
    # met 2, improving 1, not met 1, to be agreed 1, the blank (a measure with no target) 1, not judged 1
    assert pack.status_counts(card) == [("met", 2), ("improving but not met", 1), ("not met", 1),
                                        ("to be agreed", 1), ("no target", 1), ("not judged", 1)]
    assert pack.status_counts(pd.DataFrame()) == [(status, 0) for status in pack.STATUSES]


def _wb(committee: Committee):
    return SimpleNamespace(config=SimpleNamespace(committee=committee), year="2024/25")


def test_the_covering_header_leaves_out_what_is_not_given():
    full = Committee(name="Overview and Scrutiny Committee", meeting_date=pd.Timestamp("2025-06-10").date(),
                     report_of="Head of Customer Services", lead_member="Lead Member for Customer Focus")
    assert pack.covering_header(_wb(full), 7) == [
        ("Report to", "Overview and Scrutiny Committee"), ("Date of Meeting", "10 June 2025"),
        ("Subject", "Customer Care Strategy: outcomes for 2024/25"), ("Report of", "Head of Customer Services"),
        ("Lead Member", "Lead Member for Customer Focus"), ("Number of Appendices", "Seven")]
    assert pack.covering_header(_wb(Committee()), None) == [
        ("Subject", "Customer Care Strategy: outcomes for 2024/25")]


# --- [committee] in council.toml ------------------------------------------------------------

MINIMAL = """\
[council]
name = "Example Borough Council"
"""


def _load(tmp_path, extra: str):
    (tmp_path / "council.toml").write_text(MINIMAL + textwrap.dedent(extra), encoding="utf-8")
    return load_config(tmp_path)


def test_committee_is_read_from_council_toml(tmp_path):
    config = _load(tmp_path, """
        [committee]
        name = "Overview and Scrutiny Committee"
        meeting_date = 2025-06-10
        report_of = "Head of Customer Services"
        recommendation = "To CONSIDER the report."

        [committee.implications]
        "Legal Implications" = "None directly resulting from this report."
        """)
    committee = config.committee
    assert committee.name == "Overview and Scrutiny Committee"
    assert str(committee.meeting_date) == "2025-06-10"
    assert committee.lead_member is None
    assert committee.recommendation == "To CONSIDER the report."
    assert committee.implications == {"Legal Implications": "None directly resulting from this report."}


def test_a_meeting_date_in_quotes_is_read_and_a_bad_one_is_an_error(tmp_path):
    assert str(_load(tmp_path, '[committee]\nmeeting_date = "2025-06-10"\n').committee.meeting_date) == "2025-06-10"
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, '[committee]\nmeeting_date = "10/06/2025"\n')
    assert "[committee.meeting_date] (line 4) must be a date written like 2025-06-10" in str(info.value)


def test_the_standard_form_s_other_lines(tmp_path):
    committee = _load(tmp_path, """
        [committee]
        contact_officer = "Customer Services Manager, 01234 567890"
        wards_affected = "All"
        key_decision = false
        background_papers = "None."
        """).committee
    assert (committee.contact_officer, committee.wards_affected, committee.key_decision,
            committee.background_papers) == ("Customer Services Manager, 01234 567890", "All", False, "None.")
    header = dict(pack.covering_header(_wb(committee), 3))
    assert header["Key Decision"] == "No" and header["Wards Affected"] == "All"
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, '[committee]\nkey_decision = "no"\n')
    assert "[committee.key_decision] (line 4) must be true or false" in str(info.value)


def test_no_committee_section_gives_an_empty_committee_and_a_typo_is_a_warning(tmp_path):
    assert _load(tmp_path, "").committee == Committee()
    config = _load(tmp_path, '[committee]\nmeeting = "2025-06-10"\n')
    assert any("[committee.meeting]" in w and "not a key the workbook knows" in w for w in config.warnings)


# --- the layout promise ---------------------------------------------------------------------


def test_split_rows_are_found_so_the_check_can_fail():
    """A row taller than a page cannot stay on one; the check must name it. A short table reports nothing."""
    from weasyprint import HTML

    tall = "<br>".join(["line"] * 150)
    document = HTML(string=f"<table><thead><tr><th>Head</th></tr></thead><tbody><tr><td>{tall}</td></tr>"
                           "<tr><td>short</td></tr></tbody></table>").render()
    split = pack.split_across_pages(document)
    assert len(split) == 1 and split[0].startswith("tr on pages 1-3: lineline")
    short = HTML(string="<table><tr><td>one</td></tr><tr><td>two</td></tr></table>").render()
    assert pack.split_across_pages(short) == []


def test_a_heading_left_at_the_foot_of_a_page_is_found():
    from weasyprint import HTML

    alone = HTML(string='<p>x</p><div><h2>Alone here</h2></div><div style="break-before: page"><p>y</p></div>')
    assert pack.headings_at_page_foot(alone.render()) == ["page 1: Alone here"]
    assert pack.headings_at_page_foot(HTML(string="<p>x</p><h2>Fine</h2><p>y</p>").render()) == []


def test_a_page_without_any_of_its_data_is_left_out_of_the_pack():
    """A council without feedback, a survey or a panel: its satisfaction page would be 'not recorded' throughout."""
    wb = SimpleNamespace(data=SimpleNamespace(recorded=lambda name: name in {"contacts", "complaints"}))
    pages = [{"stem": s, "title": s} for s in ("00-scorecard", "02-customer-care-standards",
                                                "05-satisfaction-and-panel", "06-complaint-handling-code")]
    # the scorecard always has data; the standards page has contacts; the Code's page has complaints
    assert [p["stem"] for p in pack.pages_without_data(wb, pages)] == ["05-satisfaction-and-panel"]


@pytest.mark.slow
def test_the_sample_pack_splits_no_row_or_chart_and_leaves_no_heading_alone(sample_run):
    from weasyprint import HTML

    from analysis.publish import page_context
    from analysis.workbook import DEFAULT_NOTEBOOKS, notebook_title, prepare

    folder, _ = sample_run
    wb = prepare()
    pages = [{"stem": nb.stem, "title": notebook_title(nb), "href": f"{nb.stem}.html"}
             for nb in sorted(DEFAULT_NOTEBOOKS.glob("*.ipynb"))]
    document = HTML(string=pack.pack_html(wb, pages, folder, page_context(wb, pages)), base_url=str(folder)).render()
    assert len(document.pages) >= 15
    assert pack.split_across_pages(document) == []
    assert pack.headings_at_page_foot(document) == []


# --- the sample's pack, read back -----------------------------------------------------------


def _pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


@pytest.fixture(scope="module")
def sample_pack(sample_run):
    folder, result = sample_run
    pdf = folder / "brackenford-district-council-customer-care-2024-25.pdf"
    assert pdf.is_file(), sorted(p.name for p in folder.iterdir())
    return folder, pdf, _pdf_pages(pdf)


@pytest.mark.slow
def test_every_page_has_the_running_header_footer_and_its_number(sample_pack):
    _, _, pages = sample_pack
    total = len(pages)
    assert 15 <= total <= 60  # the sample's pack: covering report, summary, seven yearly pages and the glossary
    for number, text in enumerate(pages, start=1):
        flat = " ".join(text.split())
        assert f"Page {number} of {total}" in flat, (number, flat[:200])
        assert "Brackenford District Council" in flat and "Customer Care Strategy 2024/25" in flat
        assert "Covers 1 April 2024 to 31 March 2025" in flat and "Data as at 31 March to 7 April 2025" in flat
        assert "Sample data, not real figures" in flat


@pytest.mark.slow
def test_the_contents_page_numbers_are_where_the_parts_start(sample_pack):
    _, _, pages = sample_pack
    cover = " ".join(pages[0].split())
    entries = re.findall(r"(Covering report|Appendix ([A-Z]+): ([^.]+?))\s*\.+\s*(\d+)", cover)
    titles = [e[0] for e in entries]
    assert titles[:3] == ["Covering report", "Appendix A: The year on one page", "Appendix B: Scorecard"]
    notebooks = len(list((Path(__file__).parents[1] / "notebooks").glob("*.ipynb")))
    assert len(entries) == notebooks + 3  # the covering report, the summary, each yearly page and the glossary
    assert titles[-1] == f"Appendix {pack._letter(notebooks + 1)}: Glossary"
    for whole, letter, title, number in entries:
        start = " ".join(pages[int(number) - 1].split())
        if letter:
            # the part's page begins (after the running header) with its appendix label and its title
            assert f"Appendix {letter} " in start and title.strip() in start, (whole, number, start[:300])
            # and the page before it belongs to another part
            assert f"Appendix {letter} {title.strip()}" not in " ".join(pages[int(number) - 2].split())
        else:
            assert "Executive Summary" in start
    numbers = [int(e[3]) for e in entries]
    assert numbers == sorted(numbers) and numbers[0] == 2


@pytest.mark.slow
def test_the_summary_is_one_page(sample_pack):
    _, _, pages = sample_pack
    flat = [" ".join(p.split()) for p in pages]
    first = next(i for i, p in enumerate(flat) if "Appendix A The year on one page: Customer Care Strategy" in p)
    assert "Measures by status against their targets" in flat[first]
    assert "Compared with 2023/24: 12 measures significantly better, none significantly worse." in flat[first]
    # what is worse than the baseline is on it, as is the closing note, so it all fits on this page
    assert "Significantly worse than in 2021/22 when the strategy began" in flat[first]
    assert "Every figure is on the scorecard" in flat[first]
    assert flat[first + 1].count("Appendix B") >= 1


@pytest.mark.slow
def test_the_covering_report_says_what_the_scorecard_says(sample_pack, sample_run):
    """Each count in the executive summary, checked against the scorecard's own lines."""
    from analysis.present import scorecard_frame
    from analysis.workbook import prepare

    _, _, pages = sample_pack
    text = " ".join(" ".join(pages[1:3]).split())
    for label in ("Report to: Overview and Scrutiny Committee", "Date of Meeting: 10 June 2025",
                  "Report of: Head of Customer Services", "Lead Member: Lead Member for Customer Focus",
                  "Wards Affected: All", "Key Decision: No", "Recommendation To CONSIDER the outcomes",
                  "Legal Implications None directly", "Background Papers Customer Care Strategy",
                  "is the annual complaints performance and service improvement report"):
        assert label in text, label
    card = scorecard_frame(prepare())
    status = card["Status"] if "Status" in card else card["Met"]
    met = int((status == "met").sum())
    with_target = int(status.isin(["met", "not met", "improving but not met"]).sum())
    assert f"Of the {with_target} measures with a target, " in text
    # each target not met is listed with its figure and target
    for line in card[status.isin(["not met", "improving but not met"])].to_dict("records"):
        assert f"{line['Measure']}: {line['value_shown']}, target {line['Target']}" in text
    better = int((card["previous_verdict"] == "better").sum())
    assert f"Compared with 2023/24, {better} measures were significantly better" in text
    worse_baseline = card.loc[card["baseline_verdict"] == "worse", "Measure"].tolist()
    assert worse_baseline and all(name in text for name in worse_baseline)
    assert met >= 1


@pytest.mark.slow
def test_the_covering_report_and_summary_are_html_pages_too(sample_pack):
    folder, _, _ = sample_pack
    covering = (folder / "covering-report.html").read_text(encoding="utf-8")
    summary = (folder / "summary.html").read_text(encoding="utf-8")
    assert "Executive Summary" in covering and "Date of Meeting:" in covering
    assert "Measures by status against their targets" in summary
    for page in (covering, summary):
        assert "Covers 1 April 2024 to 31 March 2025; data as at 31 March to 7 April 2025." in page


@pytest.mark.slow
def test_the_pdf_keeps_text_order_and_headings_tagged(sample_pack):
    """PDF/UA: the document is tagged (a structure tree with headings and tables), has a title and a language,
    and its text can be selected (pypdf reads it)."""
    _, pdf, pages = sample_pack
    reader = pypdf.PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert str(root.get("/Lang", "")).startswith("en")
    assert "Customer Care Strategy 2024/25" in str(reader.metadata.title)

    def roles(node, found):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/S" in node:
                found.add(str(node["/S"]))
            if "/K" in node:
                roles(node["/K"], found)
        elif isinstance(node, list):
            for child in node:
                roles(child, found)
        return found

    found = roles(root["/StructTreeRoot"], set())
    assert {"/H1", "/H2", "/P", "/Table", "/TH", "/TR", "/Figure", "/L", "/LI"} <= found, found
    assert "Executive Summary" in pages[1]


@pytest.mark.slow
def test_a_council_without_committee_gets_a_pack_without_blanks(riverside_run):
    data, out, result = riverside_run
    assert result.returncode == 0, result.stderr
    pdf = out / "2023-24" / "riverside-borough-council-customer-care-2023-24.pdf"
    pages = _pdf_pages(pdf)
    text = " ".join(" ".join(pages).split())
    assert "Riverside Borough Council" in text and "Executive Summary" in text
    for blank in ("Report to", "Date of Meeting", "Report of", "Lead Member", "Recommendation", "Sample data"):
        assert blank not in text, blank
    for word in ("None", "nan", "NaN", "NaT", "undefined"):
        assert not re.search(rf"\b{word}\b", text), word
    assert f"Page {len(pages)} of {len(pages)}" in " ".join(pages[-1].split())


# --- officers' commentary, read back from the PDF --------------------------------------------


@pytest.mark.slow
def test_the_sample_s_commentary_is_in_the_pack(sample_pack):
    """Every commentary of the sample's year, as the officers wrote it (whitespace aside), is in the PDF's text."""
    _, _, pages = sample_pack
    text = " ".join(" ".join(pages).split())
    commentary = pd.read_csv(Path(__file__).parents[1] / "data" / "sample" / "commentary.csv")
    rows = commentary[commentary["year"] == "2024/25"]
    assert len(rows) >= 3
    for words in rows["commentary"]:
        assert " ".join(str(words).split())[:80] in text, words[:80]


@pytest.mark.slow
def test_commentary_with_markup_is_text_in_the_pack_with_a_committee(tmp_path):
    """A council's own folder with [committee] and a commentary file whose words hold markup: the pack has the
    covering report's lines and the markup as text (it is never read as markup), beside its measure."""
    from conftest import run_cli, write_riverside

    data = write_riverside(tmp_path / "data")
    with (data / "council.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[committee]\nname = "Scrutiny Panel"\nmeeting_date = 2024-06-20\n')
    (data / "commentary.csv").write_text(
        "measure_id,year,commentary,next_steps,owner\n"
        "responses_within_standard,2023/24,\"Two late letters <b>in January</b> & one <script>alert(1)</script>\","
        "Check the post room rota,Customer Services Manager\n", encoding="utf-8")
    result = run_cli("run", "--data", str(data), "--year", "2023/24", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    pages = _pdf_pages(tmp_path / "out" / "2023-24" / "riverside-borough-council-customer-care-2023-24.pdf")
    text = " ".join(" ".join(pages).split())
    assert "Report to: Scrutiny Panel" in text and "Date of Meeting: 20 June 2024" in text
    assert "Two late letters <b>in January</b> & one <script>alert(1)</script>" in text
    assert "Next steps: Check the post room rota" in text
