"""Charts say their numbers in the unit members read them in, in the alt text and the data table."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.charts import _value_limits, bar_chart, line_chart, small_multiples


@pytest.mark.parametrize("unit, values, shown", [
    ("percent", [84.94, 12.0], ["84.9%", "12.0%"]),
    ("seconds", [19.6, 41.2], ["20 seconds", "41 seconds"]),
    ("days", [3.25, 12.5], ["3.2 days", "12.5 days"]),      # 3.25 rounds half to even
    ("ratio", [0.45, 1.2], ["0.45", "1.20"]),             # 1 is representative: never shown as 0 and 1
    ("score", [4.24, -35.0], ["4.2", "-35.0"]),  # one decimal, as the scorecard writes net satisfaction
    ("count", [12345, 7], ["12,345", "7"]),
])
def test_bar_chart_words_each_unit(unit, values, shown):
    data = pd.DataFrame({"group": ["A", "B"], "value": values})
    html = str(bar_chart(data, category="group", value="value", title="T", subtitle="S", unit=unit))
    alt = html.split('alt="', 1)[1].split('"', 1)[0]
    assert alt == f"Chart: T. S. A: {shown[0]}; B: {shown[1]}." or alt == f"Chart: T. S. B: {shown[1]}; A: {shown[0]}."
    for words in shown:
        assert f">{words}<" in html  # the table behind "Show the numbers in this chart"


def test_line_chart_alt_text_gives_the_latest_value_and_the_direction():
    data = pd.DataFrame({"year": ["2022/23", "2023/24", "2024/25"], "value": [0.61, 0.55, 0.48]})
    html = str(line_chart(data, x="year", y="value", series=None, title="Young people under-represented",
                          subtitle="Panel share over population share", unit="ratio"))
    alt = html.split('alt="', 1)[1].split('"', 1)[0]
    assert "0.48 in 2024/25" in alt and "0.61 in 2022/23" in alt and "down" in alt


def test_small_multiples_order_panels_by_latest_value_and_describe_each():
    data = pd.DataFrame({
        "year": ["2023/24", "2024/25"] * 3,
        "channel": ["Letter", "Letter", "Phone", "Phone", "Email", "Email"],
        "share": [8.0, 5.0, 35.0, 27.0, 18.0, 18.0],
    })
    html = str(small_multiples(data, x="year", y="share", series="channel", title="Phone leads",
                               subtitle="Share of contacts", unit="percent"))
    alt = html.split('alt="', 1)[1].split('"', 1)[0]
    assert alt == ("Chart: Phone leads. Share of contacts. Phone: 27.0% in 2024/25, down from 35.0% in 2023/24. "
                   "Email: 18.0% in 2024/25, unchanged from 18.0% in 2023/24. Letter: 5.0% in 2024/25, down from "
                   "8.0% in 2023/24. Covers 2023/24 to 2024/25.")
    table = html.split("<table", 1)[1]
    assert table.index(">Phone<") < table.index(">Email<") < table.index(">Letter<")


def test_the_value_axis_leaves_room_above_the_top_point():
    """The sample's net satisfaction (46.0, 51.3, 42.3, 52.4): the axis ran from 0 to matplotlib's 52.9, cutting
    the 2024/25 marker in half. By hand: 0 to 52.4 plus 8% of 52.4 (4.192), 56.592. A score below 0 (-35 and
    4.24) keeps room below as well: the span 39.24, 8% of it 3.1392, so -38.1392 to 7.3792. A target above the
    values is inside the axis; a percentage is always 0 to 100."""
    assert _value_limits(pd.Series([46.0, 51.3, 42.3, 52.4]), "score") == pytest.approx((0.0, 56.592))
    assert _value_limits(pd.Series([-35.0, 4.24]), "score") == pytest.approx((-38.1392, 7.3792))
    assert _value_limits(pd.Series([20.0, 30.0]), "days", target=50.0) == pytest.approx((0.0, 54.0))
    assert _value_limits(pd.Series([84.9]), "percent") == (0.0, 100.0)
