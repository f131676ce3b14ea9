"""Officers' commentary (the commentary dataset) and the action plan's outcome measure (action_plan.measure_id).

Built on Riverside (tests/conftest.py), whose every figure was worked out by hand, with a commentary file and an
outcome measure on some of its actions added here; and on the bundled sample for the comparison with the baseline.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLE, write_riverside

from analysis import pages
from analysis.config import load_config
from analysis.datasets import COMPUTED_MEASURES, check_all, load_all
from analysis.present import measure_name, COMMENTARY_COLUMN, scorecard_frame, scorecard_table
from analysis.workbook import prepare

MARKUP = "Waiting for <b>budget</b> & sign-off <script>alert('x')</script>"
HEADER = "measure_id,year,commentary,next_steps,owner\n"


def _riverside(tmp_path: Path, commentary: str | None = None, outcomes: dict | None = None) -> Path:
    """Riverside with ``commentary`` as its commentary.csv and ``outcomes`` ((plan year, ref) -> measure_id) in
    a measure_id column of its action plan."""
    folder = write_riverside(tmp_path / "data")
    if commentary is not None:
        (folder / "commentary.csv").write_text(HEADER + commentary, encoding="utf-8")
    if outcomes is not None:
        path = folder / "plans" / "Action Plan.xlsx"
        book = openpyxl.load_workbook(path)
        sheet = book["Plan"]
        column = sheet.max_column + 1
        sheet.cell(row=1, column=column, value="measure_id")  # the contract's name: read without a column map
        for row in range(2, sheet.max_row + 1):
            key = (sheet.cell(row, 1).value, str(sheet.cell(row, 2).value))
            sheet.cell(row, column, value=outcomes.get(key))
        book.save(path)
    return folder


def _problems_text(folder: Path) -> str:
    _, problems = check_all(load_config(folder))
    return "\n\n".join(str(p) for p in problems)


def _cells(html: str) -> list[list[str]]:
    """The table's rows as lists of cell texts (still escaped), header row first."""
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", html)]


# --- reading and checking the commentary -----------------------------------------------------------------


def test_commentary_from_excel_with_the_councils_headings_and_any_year_spelling(tmp_path):
    folder = write_riverside(tmp_path / "data")
    book = openpyxl.Workbook()
    book.active.append(["Measure", "Year", "Officers' comments", "Next steps", "Lead", "Author's email"])
    book.active.append(["responses_within_standard", "2023-24", "Late letters in March.", None, None,
                        "x@example.invalid"])
    book.active.append(["calls_abandoned", "2022/2023", "A quiet year.", "Keep it so.", "Contact Centre Lead", None])
    book.active.append(["digital_share", "2023-2024", "Webchat added.", None, None, None])
    book.save(folder / "Commentary.xlsx")
    with open(folder / "council.toml", "a", encoding="utf-8") as toml:
        toml.write('\n[datasets.commentary]\npath = "Commentary.xlsx"\n[datasets.commentary.columns]\n'
                   '"Measure" = "measure_id"\n"Year" = "year"\n"Officers\' comments" = "commentary"\n'
                   '"Next steps" = "next_steps"\n"Lead" = "owner"\n')
    commentary = load_all(load_config(folder)).commentary
    # Every year as the pages write it; the author's email is not a column of the contract, so never read.
    assert commentary["year"].tolist() == ["2023/24", "2022/23", "2023/24"]
    assert list(commentary.columns) == ["measure_id", "year", "commentary", "next_steps", "owner"]
    assert commentary["owner"].tolist()[1] == "Contact Centre Lead"


def test_commentary_faults_are_reported_together_with_rows_and_fixes(tmp_path):
    folder = _riverside(tmp_path, (
        "responses_within_standrd,2023/24,A typo in the id.,,\n"   # row 2: near responses_within_standard
        "customer_delight,2023/24,No such measure.,,\n"            # row 3: near nothing
        "calls_abandoned,2023/24,First words.,,\n"                 # row 4 } the same measure and year,
        "calls_abandoned,2023-24,Second words.,,\n"                # row 5 } the year spelt another way
        "staff_trained,2023-25,Not a financial year.,,\n"          # row 6: 2023 to 2025
        "staff_trained,2022/23,The register's own measure.,,\n"))  # fine: staff_trained is in register.csv
    text = _problems_text(folder)
    assert ("commentary.csv (commentary), column 'measure_id': has 'responses_within_standrd', which is not a "
            "measure the workbook computes nor one in the register of measures\n  1 row: row 2") in text
    assert ('[datasets.commentary.values.measure_id] in council.toml (start that heading if it is not there):\n'
            '      "responses_within_standrd" = "responses_within_standard"') in text
    # Nothing near 'customer_delight': every id is listed, the register's own (staff_trained) among them.
    far = next(p for p in text.split("\n\n") if "customer_delight" in p)
    assert "1 row: row 3" in far and "use one of the workbook's measure ids: actions_achieved," in far
    assert "staff_trained" in far and "calls_callback" in far
    # Both rows of the repeated measure and year are named.
    assert ("commentary.csv (commentary): has the same measure_id + year more than once; each must be unique\n"
            "  2 rows: rows 4, 5") in text
    assert "keep one row for each measure and year" in text
    assert ("commentary.csv (commentary), column 'year': expected a financial year written like 2023/24 or 2023-24"
            "\n  1 row: row 6\n  found: '2023-25'") in text
    assert "staff_trained'" not in text and "row 7" not in text


def test_an_empty_commentary_is_reported_and_blank_next_steps_are_fine(tmp_path):
    folder = _riverside(tmp_path, "digital_share,2023/24,,Next steps only,Someone\n"
                                  "calls_abandoned,2023/24,Fine words.,,\n")
    text = _problems_text(folder)
    assert "column 'commentary': is empty where a value is required\n  1 row: row 2" in text
    assert "row 3" not in text


def test_an_outcome_measure_the_workbook_does_not_know_is_a_problem_and_a_blank_one_is_none(tmp_path):
    folder = _riverside(tmp_path, outcomes={("2023/24", "1"): "digital_shar", ("2023/24", "3"): "calls_abandoned"})
    _, problems = check_all(load_config(folder))
    assert len(problems) == 1, problems
    text = str(problems[0])
    # Row 6 of the Plan sheet: the header, then four 2022/23 actions, then 2023/24 action 1.
    assert text.startswith("Action Plan.xlsx (action_plan), column 'measure_id': has 'digital_shar', which is not a "
                           "measure the workbook computes") and "1 row: row 6" in text
    assert '"digital_shar" = "digital_share"' in text and "[datasets.action_plan.values.measure_id]" in text
    assert "Leave the cell empty" in text


def test_a_value_map_gives_the_outcome_measure_the_councils_own_words(tmp_path):
    folder = _riverside(tmp_path, outcomes={("2023/24", "1"): "Digital take-up"})
    with open(folder / "council.toml", "a", encoding="utf-8") as toml:
        toml.write('\n[datasets.action_plan.values.measure_id]\n"Digital take-up" = "digital_share"\n')
    plan = load_all(load_config(folder)).action_plan
    assert plan.loc[plan["action"] == "Add a webchat service", "measure_id"].tolist() == ["digital_share"]


def test_every_measure_the_workbook_computes_can_be_named():
    """COMPUTED_MEASURES lists what analysis/measures.py computes (a commentary may name one before any figure is
    worked out): every id of the sample's figures is in it, but for the figures reported by services."""
    workbook = prepare(SAMPLE)
    computed = set(workbook.measures["measure_id"]) - set(workbook.data.manual_measures["measure_id"])
    assert len(computed) >= 25 and computed - set(COMPUTED_MEASURES) == set()


# --- the scorecard ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_commentary(tmp_path_factory):
    """Riverside's 2023/24 with commentary on two of its measures, one for another year, and markup in one."""
    folder = _riverside(tmp_path_factory.mktemp("commentary"), (
        "responses_within_standard,2023/24,Two late letters in January\n"        # no full stop: one is added
        "digital_share,2023/24,Webchat added in May.,Promote it in the council tax bills,Head of Digital\n"
        "calls_abandoned,2022/23,Words for the year before.,,\n"                 # another year: never shown
        f'net_satisfaction,2023/24,"{MARKUP}",,\n'))
    return prepare(folder, "2023/24")


def test_the_scorecard_shows_the_commentary_beside_its_measure_and_year_only(with_commentary):
    frame = scorecard_frame(with_commentary).set_index("measure_id")
    words = frame[COMMENTARY_COLUMN]
    assert words["responses_within_standard"] == "Two late letters in January."
    assert words["digital_share"] == ("Webchat added in May. Next steps: Promote it in the council tax bills. "
                                      "(Head of Digital)")
    assert words["calls_abandoned"] == ""  # its commentary is for 2022/23
    assert words["calls_answered_within_standard"] == ""
    # In the table, commentary is a row of its own, across the table, straight under its measure's row.
    html = scorecard_table(with_commentary)
    rows = re.findall(r"<tr( class=\"note-row\")?>(.*?)</tr>", html)
    notes = [(index, body) for index, (note, body) in enumerate(rows) if note]
    assert len(notes) == 3  # responses, digital share, net satisfaction; none for 2022/23's words
    assert "Officers&#x27; commentary" not in _cells(html)[0]  # not a column
    for index, body in notes:
        assert "Officers&#x27; commentary:</span>" in body and 'colspan="' in body
    above = {re.findall(r"<td[^>]*>(.*?)</td>", rows[index - 1][1])[0]: body for index, body in notes}
    names = {name: measure_name(measure_id, with_commentary.data.get("measures"))
             for name, measure_id in (("responses", "responses_within_standard"), ("digital", "digital_share"))}
    assert "Two late letters in January." in above[names["responses"]]
    assert "Webchat added in May." in above[names["digital"]]


def test_markup_in_the_commentary_is_shown_as_text(with_commentary):
    escaped = "Waiting for &lt;b&gt;budget&lt;/b&gt; &amp; sign-off &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    table = scorecard_table(with_commentary)
    page = pages.commentary(with_commentary, "net_satisfaction")
    for html in (table, page):
        assert escaped in html and "<script" not in html and "<b>" not in html


def test_the_scorecard_has_no_commentary_column_in_a_year_without_any(tmp_path):
    folder = _riverside(tmp_path, "calls_abandoned,2022/23,Words for 2022/23.,,\n")
    workbook = prepare(folder, "2023/24")
    assert COMMENTARY_COLUMN not in scorecard_frame(workbook)
    assert "commentary" not in scorecard_table(workbook)
    assert pages.commentary(workbook, ["calls_abandoned"]) == ""


# --- the measure's own page ------------------------------------------------------------------------------


def test_a_page_shows_the_commentary_of_its_own_measures_only(with_commentary):
    assert pages.commentary(with_commentary, ["calls_abandoned", "calls_answered_within_standard"]) == ""
    html = pages.commentary(with_commentary, ["calls_abandoned", "digital_share"])
    # Riverside's register names digital_share "Digital share".
    assert html == ('<div class="commentary"><h3>Officers&#x27; commentary: Digital share, 2023/24</h3>'
                    "<p>Webchat added in May.</p><p><strong>Next steps:</strong> Promote it in the council tax "
                    "bills</p><p><strong>Responsible:</strong> Head of Digital</p></div>")
    both = pages.commentary(with_commentary, ["digital_share", "responses_within_standard"])
    assert both.index("Digital share") < both.index("Responses within standard")  # in the order asked


def test_a_commentary_typed_over_several_lines_keeps_its_paragraphs(tmp_path):
    folder = _riverside(tmp_path, 'calls_abandoned,2023/24,"First paragraph.\n\nSecond, after a blank line.",,\n')
    workbook = prepare(folder, "2023/24")
    assert "<p>First paragraph.</p><p>Second, after a blank line.</p>" in pages.commentary(workbook, "calls_abandoned")
    # On the scorecard it is one cell: the lines joined.
    assert scorecard_frame(workbook).set_index("measure_id")[COMMENTARY_COLUMN]["calls_abandoned"] == (
        "First paragraph. Second, after a blank line.")


# --- did the action work? -----------------------------------------------------------------------------------

OUTCOMES = {
    ("2023/24", "1"): "digital_share",                    # Add a webchat service (Done)
    ("2023/24", "2"): "staff_trained",                    # Review opening hours (Missed): a reported figure
    ("2023/24", "3"): "calls_answered_within_standard",   # Publish response standards (DONE): a small base
    ("2023/24", "4"): "complaints_received",              # Mystery shopping (Dropped): not on the scorecard
    ("2022/23", "1"): "calls_abandoned",                  # another year's action: not on the 2023/24 page
}


@pytest.fixture(scope="module")
def with_outcomes(tmp_path_factory):
    return prepare(_riverside(tmp_path_factory.mktemp("outcomes"), outcomes=OUTCOMES), "2023/24")


def test_each_action_of_the_year_is_shown_beside_its_outcome(with_outcomes):
    rows = _cells(pages.actions_and_outcomes(with_outcomes))
    # Riverside's first year, 2022/23, is the baseline and the year before: no column "since" of its own.
    assert rows[0] == ["Ref", "Action", "Action&#x27;s status", "Outcome measure", "2023/24", "Against its target",
                       "Change on the year before"]
    by_ref = {row[0]: row for row in rows[1:]}
    assert sorted(by_ref) == ["1", "2", "3", "4"]  # action 5 names no measure; 2022/23's action is not this year's
    # and the page says the table is of 4 of the year's 5 actions, not the whole plan
    assert pages.actions_and_outcomes(with_outcomes).startswith(
        "<p>4 of the 5 actions in the 2023/24 plan name the outcome measure they are meant to move; the others "
        "name none, so they are not in this table.</p>")
    # Digital share: 7 of 14 contacts digital = 50.0%; no target in the register ("to be agreed"); 2022/23's 4 of 4
    # stand on a base of 4 contacts, below the minimum of 5, so the change is not given.
    assert by_ref["1"] == ["1", "Add a webchat service", "Achieved", "Digital share", "50.0%", "to be agreed",
                           "too few to compare"]
    # Staff trained, reported by HR: 90% against a target of 85 (met), up 10.0 points from 80% in 2022/23.
    assert by_ref["2"][2:] == ["Not achieved", "Staff trained", "90.0%", "met",
                               "up 10.0 points from 80.0% (a reported figure, so not tested for significance)"]
    # Complaints received is not on the scorecard: the same words all the same. 5 in 2023/24 (K1 and K1's stage
    # 2, K2, K3, K4); 2022/23 had one (K5), fewer than 5, so no change is given.
    assert by_ref["4"][2:] == ["Withdrawn", "Complaints received", "5", "no target", "too few to compare"]


def test_a_small_figure_stays_hidden_beside_an_action(with_outcomes):
    """Calls answered within 30 seconds: 2 of the 4 answered calls of 2023/24, a base below 5, so the scorecard
    says "too few to report" and gives no change: the action plan page must not show 50.0% either."""
    html = pages.actions_and_outcomes(with_outcomes)
    row = next(r for r in _cells(html) if r[0] == "3")
    assert row[3:] == ["Calls answered within the standard", "too few to report", "no target", "too few to compare"]
    scorecard = scorecard_frame(with_outcomes).set_index("measure_id")
    assert scorecard.loc["calls_answered_within_standard", "2023/24"] == "too few to report"
    assert "50.0%" not in row[4]


def test_a_plan_without_outcome_measures_says_so(tmp_path):
    workbook = prepare(_riverside(tmp_path), "2023/24")
    assert pages.actions_and_outcomes(workbook) == (
        "<p>The action plan does not record the outcome measure each action is meant to move, so the actions "
        "cannot be shown beside their outcomes.</p>")


def test_the_sample_shows_its_actions_beside_the_change_since_the_baseline():
    """Digital share in the sample: 13,390 of 20,600 contacts in 2024/25 = 65.0%; 12,120 of 20,200 = 60.0% in
    2023/24; 9,894 of 19,400 = 51.0% in 2021/22, when the strategy began. Both rises are significant on these
    bases (the scorecard's own test)."""
    workbook = prepare(SAMPLE)
    rows = _cells(pages.actions_and_outcomes(workbook))
    assert rows[0][-1] == "Since 2021/22 when the strategy began"
    portal = next(r for r in rows if r[0] == "3a")
    assert portal[1:] == ["Launch the new omni-channel customer portal", "Achieved",
                          "Contacts logged in the CRM made digitally", "65.0%", "to be agreed",
                          "improved: up 5.0 points from 60.0%", "improved: up 14.0 points from 51.0%"]
    assert {r[0] for r in rows[1:]} == {"3a", "3b", "4a", "5a", "5b"}


def test_the_sample_commentary_quotes_the_samples_own_figures():
    """Every percentage an officer quotes in the sample's commentary is one of that measure's figures (any year,
    at the decimals quoted) or its target: regenerating the sample with other figures must not leave the words
    behind."""
    workbook = prepare(SAMPLE)
    commentary = workbook.data.commentary
    assert set(commentary["year"]) == {"2024/25"} and commentary["next_steps"].notna().any()
    assert (commentary["next_steps"].notna() & commentary["owner"].notna()).any()
    register = workbook.data.measures.set_index("measure_id")
    for measure_id, text in zip(commentary["measure_id"], commentary["commentary"]):
        values = workbook.measure(measure_id)["value"].dropna().tolist() + [float(register.loc[measure_id, "target"])]
        for quoted in re.findall(r"(\d+(?:\.(\d))?)%", text):
            number, decimal = quoted
            decimals = 1 if decimal else 0
            assert any(round(v, decimals) == float(number) for v in values), (measure_id, number, values)


# --- end to end: the real notebooks through papermill and the members' template ----------------------------


@pytest.mark.slow
@pytest.mark.parametrize("notebook", ["01-action-plan", "02-customer-care-standards"])
def test_the_notebooks_show_commentary_as_text_and_actions_beside_outcomes(notebook, tmp_path, monkeypatch):
    from analysis.publish import page_context
    from analysis.workbook import REPO_DIR, execute_and_export, kernel_name

    folder = _riverside(tmp_path, (
        f'responses_within_standard,2023/24,"{MARKUP}",Chase late letters weekly,Customer Services Manager\n'
        "actions_achieved,2023/24,Three of the five actions were achieved.,,\n"
        "calls_abandoned,2022/23,Words for the year before.,,\n"), outcomes=OUTCOMES)
    monkeypatch.setenv("PYTHONPATH", str(REPO_DIR))  # the kernel imports this checkout of the package
    wb = prepare(folder, year="2023/24")
    path = REPO_DIR / "notebooks" / f"{notebook}.ipynb"
    page = {**page_context(wb, [{"stem": notebook, "title": notebook, "href": f"{notebook}.html"}]),
            "current": notebook}
    out = tmp_path / f"{notebook}.html"
    _, failure = execute_and_export(str(path), str(tmp_path / path.name), str(out),
                                    {"data_dir": str(folder), "year": "2023/24", "as_at": "", "output_dir": "",
                                     "prepared": ""}, kernel_name(), page)
    assert failure is None, failure
    html = out.read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))  # what a reader sees
    assert "Words for the year before" not in text
    if notebook == "01-action-plan":
        assert "Officers' commentary: Actions achieved, 2023/24 Three of the five actions were achieved." in text
        # Publishing links the glossary's terms, so the cells are read as text.
        assert ("3 Publish response standards Achieved Calls answered within the standard too few to report "
                "no target too few to compare") in text
        assert "2 Review opening hours Not achieved Staff trained 90.0% met up 10.0 points from 80.0%" in text
    else:
        assert MARKUP in text and "<script>alert" not in html and "<b>budget" not in html
        assert ("Officers' commentary: Responses within standard, 2023/24 " + MARKUP
                + " Next steps: Chase late letters weekly Responsible: Customer Services Manager") in text
