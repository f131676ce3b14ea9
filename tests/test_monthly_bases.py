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
    assert monthly_signals(wb)["calls_abandoned"] == "too few some months to judge"
    # With 30 every month the chart is drawn.
    months["2023-08"] = 30
    full = prepare(council(tmp_path / "full", {"calls.csv": _calls(months)}), year="2023/24")
    assert not full.thin_months("calls_abandoned")
    assert "Show the numbers" in str(pages.monthly_chart(full, "calls_abandoned", "Calls abandoned"))
