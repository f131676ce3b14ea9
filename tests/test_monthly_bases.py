"""A monthly chart shows each month's percentage, so it is drawn only where every month has enough to count."""

from __future__ import annotations

import pytest

from analysis import pages
from analysis.workbook import monthly_signals, prepare
from tests.test_pages_not_recorded import council, words

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _calls(per_month: dict[str, int]) -> str:
    """Every call answered in 10 seconds: ``per_month`` calls offered in each month ("2023-04": 30)."""
    rows = [f"C{m}-{i},{m}-03 09:{i % 60:02d},yes,10\n" for m, n in per_month.items() for i in range(n)]
    return "call_id,offered_at,answered,wait_seconds\n" + "".join(rows)


def test_a_month_with_a_base_below_the_minimum_stops_the_monthly_chart(tmp_path):
    # April 2023 to March 2024, 30 calls a month, but only 3 in August: August's percentage is on a base of 3,
    # below 5, so no monthly chart (which would show it) and no monthly pattern.
    months = {f"{y}-{m:02d}": 30 for y, m in [(2023, m) for m in range(4, 13)] + [(2024, m) for m in range(1, 4)]}
    months["2023-08"] = 3
    wb = prepare(council(tmp_path / "thin", {"calls.csv": _calls(months)}), year="2023/24")
    assert wb.thin_months("calls_abandoned")
    text = words(pages.monthly_chart(wb, "calls_abandoned", "Calls abandoned"))
    assert text.startswith("Some months have fewer than 5 to count, too few to show calls abandoned month by month")
    assert monthly_signals(wb)["calls_abandoned"] == "too few in some months to judge"
    # With 30 every month the chart is drawn.
    months["2023-08"] = 30
    full = prepare(council(tmp_path / "full", {"calls.csv": _calls(months)}), year="2023/24")
    assert not full.thin_months("calls_abandoned")
    assert "Show the numbers" in str(pages.monthly_chart(full, "calls_abandoned", "Calls abandoned"))


def test_the_latest_months_not_yet_due_are_left_out_of_the_chart(tmp_path):
    """Emails (5 working days) received 10 a day on 3 April 2023 to 1 March 2024, all answered the next working day,
    and 10 received Mon 25 March 2024 with no answer: as at Wed 27 March their deadline (Tue 2 April, after Good
    Friday and Easter Monday) is still to come, so March 2024 is not final and is left out of the monthly chart."""
    rows = []
    for i, month in enumerate([f"2023-{m:02d}" for m in range(4, 13)] + ["2024-01", "2024-02", "2024-03"]):
        for k in range(10):
            rows.append(f"E{i}-{k},{month}-01 09:00,email,Waste,{month}-01 15:00\n")
    rows += [f"L{k},2024-03-25 09:00,email,Waste,\n" for k in range(10)]
    contacts = "contact_id,received_at,channel,service,responded_at\n" + "".join(rows)
    # The base council.toml of these tests has email = 5 under [standards.respond_within_working_days].
    wb = prepare(council(tmp_path / "late", {"contacts.csv": contacts}), year="2023/24", as_at="2024-03-27")
    assert [(str(m), n) for m, n in wb.provisional_months("responses_within_standard")] == [("2024-03", 10)]
    result = wb.spc("responses_within_standard")
    assert str(result.points.index[-1]) == "2024-02"  # March is not charted
    text = words(pages.monthly_chart(wb, "responses_within_standard", "Responses within the standard"))
    assert ("March 2024 is left out of the chart: 10 of the items received then were not yet due when the data "
            "was taken, so the figure is not final") in text
