"""The scorecard on a phone (390 px wide, an iPhone 12 to 15's viewport) in Debian's headless chromium: each
measure a card, each cell labelled with its column's heading, nothing to scroll sideways; its status in words
with a colour beside them; and axe-core clean at 390 px and at 1280 px, with the glossary page too."""

from __future__ import annotations

import pytest

from test_members_pages import WCAG_TAGS, _open, browser  # noqa: F401 - browser is a fixture

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PHONE, DESKTOP = 390, 1280
SCORECARDS = ("index.html", "00-scorecard.html")
# The columns a member must be able to read on a phone without scrolling: the measure, this year's value, the
# target, the status and the change on the year before.
MUST_READ = ("Measure", "Target", "Status", "Change on the year before")


@pytest.mark.parametrize("name", SCORECARDS)
def test_the_scorecard_needs_no_sideways_scrolling_on_a_phone(browser, sample_run, name):  # noqa: F811
    folder, _ = sample_run
    page, _ = _open(browser, folder / name, PHONE)
    table = page.locator("table.members-table.stacked")
    assert table.count() == 1
    widths = table.evaluate("t => [t.scrollWidth, t.parentElement.scrollWidth, t.parentElement.clientWidth]")
    assert max(widths[:2]) <= widths[2] <= PHONE, widths
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    year = table.locator("thead th").nth(1).inner_text().strip()  # "2024/25": this year's value
    for column in (*MUST_READ, year):
        cells = table.locator(f'tbody td[data-label="{column}"]')
        assert cells.count() >= 10, column  # every measure of the sample has one
        for box in (cells.nth(i).bounding_box() for i in range(cells.count())):
            if box is None:  # an empty cell is not shown on a phone
                continue
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE, (column, box)
    # Each cell but the measure (the card's title) is labelled with its column's heading.
    label = table.locator('tbody tr:first-child td[data-label="Target"]').evaluate(
        "td => getComputedStyle(td, '::before').content")
    assert label == '"Target: "'
    page.close()


@pytest.mark.parametrize("name", SCORECARDS)
def test_on_a_desktop_the_scorecard_is_a_table(browser, sample_run, name):  # noqa: F811
    folder, _ = sample_run
    page, _ = _open(browser, folder / name, DESKTOP)
    table = page.locator("table.members-table.stacked")
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    assert table.locator("thead").evaluate("h => h.getBoundingClientRect().height") > 10  # the headings show
    page.close()


def test_statuses_are_words_with_a_colour_beside_them(browser, sample_run):  # noqa: F811
    folder, _ = sample_run
    page, _ = _open(browser, folder / "index.html", DESKTOP)
    cells = page.locator("table.stacked td.status")
    words = {cells.nth(i).inner_text().strip() for i in range(cells.count())}
    # The sample has all four of these (to be agreed: the measures with no target yet).
    assert {"met", "not met", "improving but not met", "to be agreed"} <= words
    colours = {word: page.locator(f"td.status-{word.replace(' ', '-')}").first.evaluate(
        "c => getComputedStyle(c).color") for word in ("met", "not met", "improving but not met")}
    assert len(set(colours.values())) == 3, colours  # three colours, each repeating its words
    page.close()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_scorecards_and_glossary_are_clean_for_axe(browser, sample_run, width):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    folder, _ = sample_run
    axe, found = Axe(), {}
    for name in (*SCORECARDS, "glossary.html"):
        page, _ = _open(browser, folder / name, width)
        violations = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}}).response["violations"]
        if violations:
            found[name] = [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
        page.close()
    assert found == {}
