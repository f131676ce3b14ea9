"""The glossary page and its links: each page links the first use of each term it uses, and only that one, to
an entry the glossary has; nothing inside a link, a heading, a table's header or caption, code or a closed
<details> is touched; and the notebook pages are linked by an nbconvert preprocessor, not by editing the page."""

from __future__ import annotations

import re

import nbformat
import pytest
from bs4 import BeautifulSoup, NavigableString

from analysis.glossary import Facts, GlossaryLinks, glossary_terms, link_html, link_page

TERMS = glossary_terms()
HREF = "glossary.html"
# Where a page's text may never be linked, written out here apart from the module's own list.
NEVER_LINKED = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "th", "caption", "code", "pre", "summary", "details",
                "script", "style"}


def _links(html: str) -> list[tuple[str, str]]:
    """(anchor, text) of each glossary link, in order."""
    soup = BeautifulSoup(html, "html.parser")
    return [(a["href"].partition("#")[2], a.get_text()) for a in soup.select("a.glossary-term")]


# --- linking, by hand ---------------------------------------------------------------------------


def test_the_first_use_of_each_term_is_linked_and_only_that_one():
    html = ("<p>Responses within 5 working days, a statistically significant change.</p>"
            "<p>Another working day; significant again.</p>")
    assert link_html(html, TERMS, HREF, set()) == (
        '<p>Responses within 5 <a class="glossary-term" href="glossary.html#working-day">working days</a>, a '
        '<a class="glossary-term" href="glossary.html#significant">statistically significant</a> change.</p>'
        "<p>Another working day; significant again.</p>")


def test_links_keep_the_words_as_written_and_prefer_the_longest_phrase():
    # "Significantly" keeps its capital; "not like for like" is one use of "like for like", the whole phrase.
    html = "<p>Significantly better; not like for like.</p>"
    assert _links(link_html(html, TERMS, HREF, set())) == [("significant", "Significantly"),
                                                            ("like-for-like", "not like for like")]


def test_nothing_inside_links_headings_table_headers_captions_code_or_closed_details_changes():
    html = ('<h2>Working days</h2><p><a href="x.html">working days</a></p>'
            '<table><caption>Working days by channel</caption><thead><tr><th>Working days</th></tr></thead>'
            "<tbody><tr><td>5 working days</td></tr></tbody></table>"
            "<details><summary>Show the baseline</summary><p>baseline 51.0%</p></details><code>baseline</code>"
            "<p>Against the baseline.</p>")
    linked = link_html(html, TERMS, HREF, set())
    # Only the table's cell and the last paragraph: the first uses outside every excluded place.
    assert _links(linked) == [("working-day", "working days"), ("baseline", "baseline")]
    soup, before = BeautifulSoup(linked, "html.parser"), BeautifulSoup(html, "html.parser")
    for name in ("h2", "caption", "th", "details", "code"):
        assert str(soup.find(name)) == str(before.find(name)), name
    assert str(soup.find("a")) == '<a href="x.html">working days</a>'


def test_a_page_that_uses_no_term_is_left_exactly_as_it_was():
    html = "<p>11 of the 13 actions were achieved.</p>"
    assert link_html(html, TERMS, HREF, set()) is html


def test_escaped_text_stays_escaped():
    html = "<p>&lt;script&gt;alert(1)&lt;/script&gt; was not yet due.</p>"
    linked = link_html(html, TERMS, HREF, set())
    assert "<script>" not in linked and "&lt;script&gt;alert(1)&lt;/script&gt;" in linked
    assert _links(linked) == [("not-yet-due", "not yet due")]


def test_small_numbers_are_named_with_the_councils_own_minimum():
    # With the minimum count at 10, "fewer than 10" is the suppression; "fewer than 8 members" is not.
    terms = glossary_terms(Facts(minimum_count=10))
    assert _links(link_html("<p>fewer than 8 members; fewer than 10 calls</p>", terms, HREF, set())) == [
        ("too-few-to-report", "fewer than 10")]
    entry = next(t for t in terms if t.anchor == "too-few-to-report")
    assert "a count from 1 to 9 is shown as fewer than 10" in entry.definition[0]


def test_points_are_a_term_only_after_a_number():
    assert _links(link_html("<p>Points of contact; up 4.0 points from 85.3%.</p>", TERMS, HREF, set())) == [
        ("percentage-points", "points")]


def test_the_index_is_linked_inside_main_only():
    page = ("<!DOCTYPE html><html><head><title>Working days</title><style>a { color: red; }</style></head>"
            "<body><header><p>Data as at 7 April 2025</p></header><main><h1>Summary</h1><p>5 working days.</p>"
            "</main><footer>working days</footer></body></html>")
    linked = link_page(page, TERMS)
    assert _links(linked) == [("working-day", "working days")]
    soup = BeautifulSoup(linked, "html.parser")
    assert soup.find("main").find("a") is not None and soup.find("header").find("a") is None
    assert linked.startswith("<!DOCTYPE html>") and "<style>a { color: red; }</style>" in linked


# --- the notebook pages: an nbconvert preprocessor ---------------------------------------------------


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Customer care standards"),
        nbformat.v4.new_markdown_cell("## How the standards are counted\n\nTime is counted in *working days*: "
                                      "Monday to Friday.\n\n- The **baseline** is 2021/22."),
        nbformat.v4.new_code_cell("pages.table(wb)", outputs=[nbformat.v4.new_output(
            "execute_result", data={"text/html": "<p>Within 5 working days, against the baseline; "
                                                 "too few to report.</p>", "text/plain": "x"},
            execution_count=1)]),
    ]
    return nb


def _export(nb, page: dict | None):
    from analysis.publish import exporter

    resources = {"workbook": page} if page is not None else None
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    return body


PAGE = {"council": "Test", "year": "2024/25", "sample": False, "pages": [], "current": "x", "files": [],
        "as_at": [], "glossary": HREF, "minimum_count": 5}


def test_the_preprocessor_links_markdown_and_outputs_in_page_order():
    body = _export(_notebook(), PAGE)
    main = BeautifulSoup(body, "html.parser").find("main")
    # The h1 and h2 hold "standards" but are headings; the first uses are in the next paragraph and list, then
    # the output's "too few to report"; its "working days" and "baseline" were linked in the markdown already.
    assert _links(str(main)) == [("working-day", "working days"), ("baseline", "baseline"),
                                 ("too-few-to-report", "too few to report")]
    assert main.find("h1").get_text() == "Customer care standards¶"  # and nbconvert's anchor link
    # The heading keeps the id and anchor link nbconvert gives it.
    heading = main.find("h2")
    assert heading["id"] == "How-the-standards-are-counted" and heading.find("a", class_="anchor-link")
    # The markdown is still rendered as markdown: emphasis and the list are there, inside the markdown cell.
    cell = main.select(".jp-MarkdownCell")[1]
    assert cell.find("em").find("a", class_="glossary-term") and cell.find("li").find("strong")


def test_a_page_without_a_glossary_beside_it_gets_no_links():
    # An ad-hoc page (its context's glossary is empty) and a part of the PDF pack (no page context at all).
    assert _links(_export(_notebook(), {**PAGE, "glossary": ""})) == []
    assert _links(_export(_notebook(), None)) == []


def test_the_preprocessor_is_registered_in_the_members_exporter():
    from analysis.publish import exporter

    assert any(isinstance(p, GlossaryLinks) for p in exporter()._preprocessors)


# --- the glossary page ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_glossary(tmp_path_factory):
    from analysis.publish import page_context, write_glossary
    from analysis.workbook import prepare

    wb = prepare()
    path = tmp_path_factory.mktemp("glossary") / "glossary.html"
    write_glossary(wb, path, page_context(wb, []))
    return path.read_text(encoding="utf-8")


def test_the_glossary_has_an_entry_for_every_term(sample_glossary):
    soup = BeautifulSoup(sample_glossary, "html.parser")
    anchors = [dt["id"] for dt in soup.select("dl.glossary dt")]
    assert sorted(anchors) == sorted(t.anchor for t in TERMS) and len(set(anchors)) == len(anchors)
    for name in ("working-day", "standard", "significant", "baseline", "process-limits", "monthly-pattern",
                 "net-satisfaction", "too-few-to-report", "not-yet-due", "like-for-like"):
        assert name in anchors
    assert soup.find("h1").get_text() == soup.find("title").get_text()


def test_the_glossary_says_what_the_sample_council_counts(sample_glossary):
    text = re.sub(r"\s+", " ", BeautifulSoup(sample_glossary, "html.parser").find("main").get_text(" "))
    # Brackenford: bank holidays of England and Wales, closure days, a minimum count of 5, the strategy from
    # 2021/22 (the first year of the sample), phone calls answered within 20 seconds.
    assert "not counting bank holidays in England and Wales and the days the council is closed" in text
    assert "a count from 1 to 4 is shown as fewer than 5" in text
    assert "the figures of 2021/22, the year the council's Customer Care Strategy began" in text
    assert "a phone call answered within 20 seconds" in text
    assert "from 1 April to 31 March" in text
    # The Complaint Handling Code's timescales as council.toml gives them: 5, 10 and 20 working days.
    assert ("acknowledge a complaint within 5 working days of receiving it; answer at stage 1 within 10 working "
            "days of the acknowledgement; answer at stage 2 within 20 working days") in text


def test_the_year_runs_from_the_councils_own_start_month():
    from analysis.glossary import _year_words

    assert _year_words(4) == "1 April to 31 March"
    assert _year_words(1) == "1 January to 31 December"
    assert _year_words(3) == "1 March to the end of February"  # 28 or 29 days


# --- every page of the sample run -----------------------------------------------------------------


def _flow(main) -> list[tuple[str, str]]:
    """The page's text in reading order, as ("text", words) for text a link could be put in and ("link",
    anchor) for each glossary link; text anywhere NEVER_LINKED is left out."""
    flow = []
    for node in main.descendants:
        if isinstance(node, NavigableString) and type(node) is NavigableString:
            if not any(p.name in NEVER_LINKED for p in node.parents):
                flow.append(("text", str(node)))
        elif getattr(node, "name", None) == "a" and "glossary-term" in (node.get("class") or []):
            flow.append(("link", node["href"].partition("#")[2]))
    return flow


@pytest.mark.slow
def test_every_page_links_the_first_use_of_each_term_and_only_that(sample_run):
    folder, _ = sample_run
    glossary = BeautifulSoup((folder / "glossary.html").read_text(encoding="utf-8"), "html.parser")
    anchors = {dt["id"] for dt in glossary.select("dl.glossary dt")}
    pages = [p for p in sorted(folder.glob("*.html")) if p.name not in ("glossary.html", "covering-report.html",
                                                                         "summary.html")]
    assert len(pages) >= 8  # the index and every notebook's page
    for path in pages:
        main = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find("main")
        flow = _flow(main)
        linked = [value for kind, value in flow if kind == "link"]
        assert linked, f"{path.name} links no term"
        assert len(linked) == len(set(linked)), f"{path.name} links a term twice: {linked}"
        assert set(linked) <= anchors, f"{path.name} links to entries the glossary does not have"
        for term in TERMS:
            uses = [i for i, (kind, text) in enumerate(flow) if kind == "text" and term.pattern.search(text)]
            link = next((i for i, (kind, value) in enumerate(flow) if kind == "link" and value == term.anchor), None)
            if uses:
                assert link is not None, f"{path.name} uses '{term.name}' but does not link it"
            if link is not None:
                assert not [i for i in uses if i < link], f"{path.name} links '{term.name}' after its first use"
        # No glossary link anywhere a link must not be.
        for a in main.select("a.glossary-term"):
            assert not any(p.name in NEVER_LINKED for p in a.parents), f"{path.name}: a link inside {a.parent.name}"


@pytest.mark.slow
def test_the_index_and_glossary_link_each_other(sample_run):
    folder, _ = sample_run
    index = BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert index.find("a", href="glossary.html") is not None
    glossary = BeautifulSoup((folder / "glossary.html").read_text(encoding="utf-8"), "html.parser")
    assert glossary.find("main").find("a", href="index.html") is not None
    assert glossary.find("a", class_="glossary-term") is None  # the glossary does not link to itself


@pytest.mark.slow
def test_linking_changes_no_word_of_a_notebook_page(sample_run):
    """Each executed notebook exported with and without the glossary: the same text, the same headings and
    the same other links; the only difference is the glossary's links."""
    from analysis.publish import exporter

    folder, _ = sample_run
    for executed in sorted(folder.glob("*.ipynb")):
        pages = {}
        for glossary in (HREF, ""):
            nb = nbformat.read(executed, as_version=4)
            body, _ = exporter().from_notebook_node(nb, resources={"workbook": {**PAGE, "glossary": glossary}})
            pages[glossary] = BeautifulSoup(body, "html.parser").find("main")
        linked, plain = pages[HREF], pages[""]
        assert linked.get_text() == plain.get_text(), executed.name
        for name in ("h1", "h2", "h3", "th", "caption", "details"):
            assert [str(t) for t in linked.find_all(name)] == [str(t) for t in plain.find_all(name)], (executed.name,
                                                                                                    name)
        others = [str(a) for a in linked.find_all("a") if "glossary-term" not in (a.get("class") or [])]
        assert others == [str(a) for a in plain.find_all("a")], executed.name
