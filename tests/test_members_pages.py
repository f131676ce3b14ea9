"""Members' pages in a real headless Chromium (Debian's, never a downloaded browser): WCAG 2.2 AA by
axe-core, nothing fetched from outside the file, images with alt text of their own, no code; and
the suppression and escaping rules on pages made from Riverside's small, hand-made data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import ESCAPE_ME

pytestmark = [pytest.mark.slow, pytest.mark.browser]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed: `make test` installs it")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def all_pages(sample_run, examples_run) -> list[Path]:
    """Every page members can be given: the year's pages, the list of years, the ad-hoc answers and their log."""
    folder, _ = sample_run
    yearly = sorted(folder.glob("*.html")) + [folder.parent / "index.html"]
    assert len(yearly) >= 9  # index, seven notebooks and the list of years
    assert (folder / "06-complaint-handling-code.html").is_file()  # the Complaint Handling Code's annual report
    adhoc = sorted(examples_run.glob("*.html"))
    assert len(adhoc) == 5  # four worked examples and the question log
    return yearly + adhoc


def _open(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.goto(path.as_uri())
    return page, outside


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_wcag_violation(browser, all_pages, width):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = {}
    for path in all_pages:
        page, _ = _open(browser, path, width)
        violations = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}}).response["violations"]
        if violations:
            found[path.name] = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
        page.close()
    assert found == {}


def test_pages_fetch_nothing_show_no_code_and_describe_every_image(browser, all_pages):
    for path in all_pages:
        page, outside = _open(browser, path, 1280)
        assert outside == [], f"{path.name} requested {outside}"
        assert page.locator("h1").count() == 1, path.name
        assert page.title() == page.locator("h1").inner_text().strip(), path.name
        assert page.locator("code, pre, script, .jp-InputArea-editor, .highlight").count() == 0, path.name
        alts = [image.get_attribute("alt") or "" for image in page.locator("img").all()]
        assert all(len(alt) > 60 and "No description" not in alt for alt in alts), path.name
        assert len(set(alts)) == len(alts), f"{path.name} repeats an alt text"
        page.close()


def test_every_chart_has_its_numbers_in_a_table(browser, sample_run):
    folder, _ = sample_run
    page, _ = _open(browser, folder / "02-customer-care-standards.html", 1280)
    figures = page.locator("figure.chart")
    assert figures.count() >= 5
    for index in range(figures.count()):
        figure = figures.nth(index)
        figure.locator("summary").click()  # the reader opens the numbers
        assert figure.locator("table tbody tr").count() >= 2
        assert figure.locator("table caption").inner_text().startswith("Data for the chart")
    page.close()


def test_examples_answer_their_questions_without_the_analysts_notes(examples_run):
    log = (examples_run / "index.html").read_text()
    for page in examples_run.glob("*.html"):
        html = page.read_text()
        assert "For the analyst" not in html and "question = " not in html
        if page.name != "index.html":
            assert f'href="{page.name}"' in log
            assert "How we know" in html  # every answer says how it knows


def test_navigation_links_every_page_of_the_year(browser, sample_run):
    folder, _ = sample_run
    page, _ = _open(browser, folder / "index.html", 1280)
    links = {a.get_attribute("href") for a in page.locator("header nav a").all()}
    # every page of the year, and the committee pack's PDF
    assert links == {"index.html"} | {p.name for p in folder.glob("*.html") if p.name != "index.html"} | {
        "brackenford-district-council-customer-care-2024-25.pdf"}
    assert (folder / "brackenford-district-council-customer-care-2024-25.pdf").is_file()
    page.close()


def test_pages_print_to_pdf(browser, sample_run, tmp_path):
    folder, _ = sample_run
    page, _ = _open(browser, folder / "01-action-plan.html", 1280)
    page.emulate_media(media="print")
    assert page.locator("header nav").is_hidden()  # the print stylesheet drops the navigation
    pdf = page.pdf(path=str(tmp_path / "page.pdf"), format="A4")
    assert pdf[:5] == b"%PDF-" and len(pdf) > 20_000
    page.close()


# --- escaping and suppression, on Riverside ---------------------------------------------------


def test_free_text_is_escaped(browser, riverside_run):
    _, out, result = riverside_run
    assert result.returncode == 0, result.stderr
    path = out / "2023-24" / "01-action-plan.html"
    html = path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert" in html and "&lt;b&gt;budget&lt;/b&gt;" in html and "<script" not in html
    page, _ = _open(browser, path, 1280)
    assert page.get_by_text(ESCAPE_ME, exact=True).count() == 1  # shown as the words typed
    assert page.locator("main b").count() == 0
    page.close()


def _cell(page, caption: str, row: str, column: str) -> str:
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    headers = [h.inner_text().strip() for h in table.locator("thead th").all()]
    for tr in table.locator("tbody tr").all():
        cells = [c.inner_text().strip() for c in tr.locator("td").all()]
        if cells and cells[0] == row:
            return cells[headers.index(column)]
    raise AssertionError(f"no row {row!r} in {caption!r}")


def test_small_counts_and_small_bases_are_suppressed(browser, riverside_run):
    _, out, _ = riverside_run
    page, _ = _open(browser, out / "2023-24" / "03-channels-and-access.html", 1280)
    # One visit to the Library Hub in 2023/24: a count from 1 to 4 is never shown.
    assert _cell(page, "visits by place and year", "Library Hub", "2023/24") == "fewer than 5"
    # Email's 5 is not small, but digital 7 = email 5 + Report It 2 on the same pages, so it is hidden too.
    assert _cell(page, "by channel", "Email", "2023/24") == "not shown"
    page.close()
    page, _ = _open(browser, out / "2023-24" / "02-customer-care-standards.html", 1280)
    # Letters: 1 of 2 due within standard -> a percentage on a base below 5 is never shown.
    assert _cell(page, "Responses within the standard, by channel", "Letter", "2023/24") == "too few to report"
    assert _cell(page, "Responses within the standard, by channel", "Email", "2023/24") == "60.0%"  # 3 of 5
    text = page.locator("main").inner_text()
    assert not re.search(r"\b50\.0%", text)  # letters' and Report It's 1 of 2 appear nowhere
    page.close()
