"""Charts in one house style; each returns HTML with alt text written from its data.

A chart's title states the finding, the subtitle names the measure, unit and
period; lines are labelled directly rather than through a legend; the numbers
behind every chart sit in a table the reader can open.
"""

from __future__ import annotations

import base64
import io
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.present import Html, escape, table  # noqa: E402

# After the UK Analysis Function's categorical palette (colour-blind safe), with its lighter
# colours darkened so that every one has at least 3:1 contrast on white.
PALETTE = ("#12436D", "#801650", "#3D3D3D", "#1F7A72", "#B04A0F", "#6E4FA8")


# A narrow canvas with the usual type sizes: the image is scaled down on a phone, and its words
# must stay readable when it is.
FIGURE_WIDTH = 5.8
TITLE_CHARACTERS = 52


def _title(ax, title: str) -> None:
    ax.set_title(textwrap.fill(title, TITLE_CHARACTERS), loc="left", fontsize=12.5, fontweight="bold",
                 color="#1b1b1b", pad=10)


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color("#6f777b")
    ax.tick_params(colors="#1b1b1b", labelsize=10)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)


def _figure_html(fig, alt: str, title: str, subtitle: str, data: pd.DataFrame, numeric: tuple[str, ...]) -> Html:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=130, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    data_table = table(data, f"Data for the chart: {title}", numeric=numeric)
    return Html(
        f'<figure class="chart"><img src="data:image/png;base64,{encoded}" alt="{escape(alt)}">'
        f"<figcaption>{escape(subtitle)}</figcaption>"
        f"<details><summary>Show the numbers in this chart</summary>{data_table}</details></figure>")


def _format(value: float, unit: str) -> str:
    if pd.isna(value):
        return "no figure"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "seconds":
        return f"{value:.0f} seconds"
    if unit == "days":
        return f"{value:.1f} days"
    if unit == "ratio":  # 1 is representative: 0.45 and 0.5 must not both read "0"
        return f"{value:.2f}"
    if unit == "score":  # as the scorecard writes it (present.value_words): 52.4, not 52
        return f"{value:.1f}"
    return f"{value:,.0f}"


def _value_limits(values: pd.Series, unit: str, target: float | None = None) -> tuple[float, float]:
    """The value axis of a line chart: 0 to 100 for a percentage; otherwise from 0 (or below the lowest value,
    for a score that can be negative) to a little above the highest value or target, so that the top point's
    marker is drawn whole (matplotlib's own margin, taken from the values' range alone, is too thin once the
    axis starts at 0: a net satisfaction of 52.4 was cut in half at the top)."""
    if unit == "percent":
        return 0.0, 100.0
    shown = pd.to_numeric(values, errors="coerce").dropna().tolist()
    if target is not None and not pd.isna(target):
        shown.append(float(target))
    low, high = min([0.0, *shown]), max([0.0, *shown])
    pad = 0.08 * ((high - low) or 1.0)
    return (low - pad if low < 0 else 0.0), high + pad


def line_chart(data: pd.DataFrame, *, x: str, y: str, series: str | None, title: str, subtitle: str,
               unit: str, target: float | None = None) -> Html:
    """Lines over ``x`` (e.g. year), one per ``series``, labelled at their last point."""
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 3.4))
    _style(ax)
    groups = list(data.groupby(series, sort=False)) if series else [("", data)]
    xs = list(dict.fromkeys(data[x]))
    labels = []
    for index, (name, group) in enumerate(groups):
        colour = PALETTE[index % len(PALETTE)]
        positions = [xs.index(v) for v in group[x]]
        ax.plot(positions, group[y], color=colour, linewidth=2.4, marker="o", markersize=5)
        last = group.dropna(subset=[y]).tail(1)
        if name != "" and len(last):
            labels.append([float(last[y].iloc[0]), xs.index(last[x].iloc[0]), str(name), colour])
    if target is not None and not pd.isna(target):
        ax.axhline(target, color="#1b1b1b", linestyle="--", linewidth=1)
        ax.annotate(f"target {_format(target, unit)}", (0, target), xytext=(0, 4), textcoords="offset points",
                    fontsize=9, color="#1b1b1b")
    ax.set_ylim(*_value_limits(data[y], unit, target))
    bottom, top = ax.get_ylim()
    for value, position, name, colour, label_y in _spread_labels(labels, (top - bottom) * 0.055, (bottom, top)):
        ax.annotate(name, (position, value), xytext=(position + 0.08, label_y), textcoords="data",
                    va="center", color=colour, fontsize=10, fontweight="bold")
    ax.set_xticks(range(len(xs)), xs)
    ax.set_xlim(-0.3, len(xs) - 0.3 + (0.9 if series else 0))
    if unit == "percent":
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter())
    _title(ax, title)
    alt = _alt_text(data, x=x, y=y, series=series, title=title, subtitle=subtitle, unit=unit)
    shown = data[[c for c in (series, x, y) if c]].copy()
    shown[y] = [_format(v, unit) for v in shown[y]]
    return _figure_html(fig, alt, title, subtitle, shown, numeric=(y,))


def small_multiples(data: pd.DataFrame, *, x: str, y: str, series: str, title: str, subtitle: str,
                    unit: str, columns: int = 4) -> Html:
    """One small line chart per ``series`` on a shared scale, largest latest value first.

    Used instead of :func:`line_chart` when there are too many lines to tell apart
    on one chart: each panel is headed with its name and latest value.
    """
    xs = list(dict.fromkeys(data[x]))
    names = list(dict.fromkeys(data.dropna(subset=[y])[series]))
    if not names:  # every figure hidden as too small: nothing honest to draw
        return Html(f"<p>{escape(title)}: every figure is too small to show, so there is no chart.</p>")
    # Each panel's heading is its figure in the latest period, "not shown" where that one is hidden (never an
    # earlier period's figure passed off as the latest).
    in_latest = data[data[x] == xs[-1]].drop_duplicates(series).set_index(series)[y]
    latest = pd.Series({n: in_latest.get(n, np.nan) for n in names}, dtype="float64")
    names = sorted(names, key=lambda n: -latest[n] if pd.notna(latest[n]) else np.inf)
    columns = max(1, min(columns, len(names)))
    rows = -(-len(names) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(FIGURE_WIDTH, 1.75 * rows + 0.9), sharey=True,
                             squeeze=False)
    top = float(data[y].max()) if len(data) else 1.0
    top = (min(100.0, 10 * (-(-top // 10)) + 5) if unit == "percent" else top * 1.2) or 1.0
    for ax, name in zip(axes.flat, names):
        _style(ax)
        group = data[data[series] == name].dropna(subset=[y])
        positions = [xs.index(v) for v in group[x]]
        ax.plot(positions, group[y], color=PALETTE[0], linewidth=2.2, marker="o", markersize=3.5)
        heading = _format(latest[name], unit) if pd.notna(latest[name]) else "not shown"
        ax.set_title(f"{textwrap.fill(str(name), 16)}\n{heading}", loc="left", fontsize=10,
                     fontweight="bold", color="#1b1b1b", linespacing=1.3)
        ax.set_xticks([0, len(xs) - 1] if len(xs) > 1 else [0],
                      [xs[0], xs[-1]] if len(xs) > 1 else [xs[0]], fontsize=7.5)
        ax.set_xlim(-0.4, max(len(xs) - 1, 0) + 0.4)
        ax.set_ylim(0, top)
        ax.tick_params(labelsize=8)
        if unit == "percent":
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(decimals=0))
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle(textwrap.fill(title, TITLE_CHARACTERS), x=0.02, ha="left", fontsize=12.5, fontweight="bold",
                 color="#1b1b1b")
    fig.tight_layout(w_pad=1.6)
    ordered = data[data[series].isin(names)].copy()
    ordered["_order"] = ordered[series].map({n: i for i, n in enumerate(names)})
    ordered = ordered.sort_values(["_order"], kind="stable").drop(columns="_order")
    alt = _alt_text(ordered, x=x, y=y, series=series, title=title, subtitle=subtitle, unit=unit)
    shown = ordered[[series, x, y]].copy()
    shown[y] = [_format(v, unit) for v in shown[y]]
    return _figure_html(fig, alt, title, subtitle, shown, numeric=(y,))


def _spread_labels(labels: list[list], gap: float, limits: tuple[float, float] | None = None) -> list[tuple]:
    """Move end-of-line labels apart vertically, keeping their order, so none overlap.

    The labels are spaced at least ``gap`` apart, centred on their lines' values
    and kept inside ``limits``.
    """
    ordered = sorted(labels, key=lambda item: item[0])
    placed: list[float] = []
    for value, *_ in ordered:
        placed.append(max(value, placed[-1] + gap) if placed else value)
    if placed:
        shift = sum(item[0] for item in ordered) / len(ordered) - sum(placed) / len(placed)
        placed = [p + shift for p in placed]
        if limits is not None:
            low, high = limits
            placed = [p - max(0.0, placed[-1] - high) for p in placed]
            placed = [p + max(0.0, low - placed[0]) for p in placed]
    return [(*item, label_y) for item, label_y in zip(ordered, placed)]


def _alt_text(data: pd.DataFrame, *, x: str, y: str, series: str | None, title: str, subtitle: str, unit: str) -> str:
    """What the chart shows, the latest values and the direction since the first point."""
    xs = list(dict.fromkeys(data[x]))
    parts = [f"Chart: {title}. {subtitle}."]
    groups = list(data.groupby(series, sort=False)) if series else [(None, data)]
    for name, group in groups:
        group = group.dropna(subset=[y])
        if group.empty:
            continue
        first, last = group.iloc[0], group.iloc[-1]
        label = f"{name}: " if name is not None else ""
        if len(group) > 1:
            direction = "up" if last[y] > first[y] else "down" if last[y] < first[y] else "unchanged"
            parts.append(f"{label}{_format(last[y], unit)} in {last[x]}, {direction} from "
                         f"{_format(first[y], unit)} in {first[x]}.")
        else:
            parts.append(f"{label}{_format(last[y], unit)} in {last[x]}.")
    if len(xs) > 1:
        parts.append(f"Covers {xs[0]} to {xs[-1]}.")
    return " ".join(parts)


def bar_chart(data: pd.DataFrame, *, category: str, value: str, title: str, subtitle: str, unit: str) -> Html:
    """Horizontal bars, largest first, each labelled with its value."""
    data = data.sort_values(value, ascending=True)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 0.45 * len(data) + 1.2))
    _style(ax)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    bars = ax.barh(data[category].astype(str), data[value], color=PALETTE[0])
    for rect, number in zip(bars, data[value]):
        ax.annotate(_format(number, unit), (rect.get_width(), rect.get_y() + rect.get_height() / 2),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=9.5)
    _title(ax, title)
    ax.set_xlim(0, max(1.0, float(data[value].max()) * 1.15))
    ordered = data.sort_values(value, ascending=False)
    top = "; ".join(f"{c}: {_format(v, unit)}" for c, v in zip(ordered[category], ordered[value]))
    alt = f"Chart: {title}. {subtitle}. {top}."
    shown = ordered[[category, value]].copy()
    shown[value] = [_format(v, unit) for v in shown[value]]
    return _figure_html(fig, alt, title, subtitle, shown, numeric=(value,))


def _segment_lines(result, unit: str) -> list[tuple[int, int, float, float, float]]:
    """(first position, last position, mean, shown lower, shown upper) of each judged segment, by point."""
    from analysis.spc import clip_to_unit

    lines = []
    for number, row in result.segments.iterrows():
        if not row["judged"]:
            continue
        positions = np.flatnonzero(result.segment.to_numpy() == number)
        low, high = clip_to_unit(row["lower"], row["upper"], unit)
        lines.append((int(positions[0]), int(positions[-1]), float(row["mean"]), low, high))
    return lines


def _spc_numbers(result, months: pd.PeriodIndex, values: pd.Series, unit: str, polarity: str) -> pd.DataFrame:
    """The table behind an SPC chart: each month's value, its segment's mean and limits (as drawn) and signal."""
    from analysis.spc import clip_to_unit, month_words, point_types, signal_reasons

    names = {"improvement": "improvement", "concern": "concern", "high": "higher than usual",
             "low": "lower than usual"}
    types = point_types(result.direction, polarity)
    reasons = signal_reasons(result)
    judged = result.special_cause != "not judged"
    # A month without data sits inside the segment of the month before it (the lines are drawn across it).
    segment_of = result.segment.reindex(months).ffill().bfill() if len(result.points) else pd.Series(dtype=float)
    line_of = {number: row for number, row in result.segments.iterrows()}
    rows = []
    for month in months:
        row = line_of.get(int(segment_of[month])) if len(result.points) else None
        if row is not None and row["judged"]:
            low, high = clip_to_unit(row["lower"], row["upper"], unit)
            mean, low, high = (_format(row["mean"], unit), _format(low, unit), _format(high, unit))
        else:
            mean = low = high = "not worked out"
        if month not in result.points.index:
            signal = "no data"
        elif not judged[month]:
            signal = "not judged"
        elif types[month] == "common cause":
            signal = "none"
        else:
            signal = f"{names[types[month]]}: {reasons[month]}"
        rows.append({"Month": month_words(month), "Value": _format(values[month], unit), "Mean": mean,
                     "Lower limit": low, "Upper limit": high, "Signal": signal})
    return pd.DataFrame(rows, columns=["Month", "Value", "Mean", "Lower limit", "Upper limit", "Signal"])


def spc_chart(result, *, title: str, subtitle: str, unit: str, target: float | None = None,
              polarity: str = "higher_is_better", words: str = "") -> Html:
    """An XmR chart of one monthly measure (``result`` from ``analysis.spc.xmr``), then its words and numbers.

    The points are joined by a line (broken at a month without data); each
    segment's mean is a solid line and its process limits dashed lines, broken
    where the limits are worked out afresh (a dotted upright marks the month),
    the latest labelled at the right. A special-cause point is marked by colour
    and by shape: a triangle pointing up when higher than usual and down when
    lower, teal for an improvement, orange for a concern, purple on a neutral
    measure; the other points are small circles. For a percentage the limits
    are drawn clipped to 0-100% (``analysis.spc.clip_to_unit``; the numbers in
    ``result`` are not clipped). A segment with too few months has no lines.
    The alt text gives the latest value, the latest mean and limits and the
    signal in words. ``words`` (a paragraph for members) sit directly under the
    chart, before the "Show the numbers" table of every month: value, mean,
    lower and upper limit and signal.
    """
    from matplotlib.lines import Line2D

    from analysis.spc import assurance_words, month_words, point_types, shown_limits, variation_words

    points = result.points
    known = list(points.index) + list(result.months_without_data)
    months = pd.period_range(min(known), max(known), freq="M") if known else pd.PeriodIndex([], freq="M")
    values = points.reindex(months)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 3.4))
    _style(ax)
    line_colour = PALETTE[0]
    # Marker shape carries the direction and colour the judgement, so neither is told by colour alone.
    colours = {"improvement": PALETTE[3], "concern": PALETTE[4], "high": PALETTE[5], "low": PALETTE[5]}
    names = {"improvement": "improvement", "concern": "concern", "high": "higher than usual",
             "low": "lower than usual"}
    # Not clipped: a point at 100% sits on the top of the axis and would lose half its marker.
    ax.plot(range(len(months)), values.to_numpy(), color=line_colour, linewidth=2, marker="o", markersize=4,
            zorder=3, clip_on=False)
    types = point_types(result.direction, polarity)
    shown_types = []
    for kind in ("improvement", "concern", "high", "low"):
        for direction, marker in (("high", "^"), ("low", "v")):
            chosen = (types == kind) & (result.direction == direction)
            if chosen.any():
                positions = [months.get_loc(month) for month in points.index[chosen]]
                ax.plot(positions, points[chosen].to_numpy(), linestyle="none", marker=marker, markersize=10,
                        color=colours[kind], markeredgecolor="white", markeredgewidth=0.8, zorder=4,
                        clip_on=False)
                shown_types.append((kind, marker))
    labels = []
    drawn = list(values.dropna())
    for first, last, mean, low, high in _segment_lines(result, unit):
        # From half a month before the segment's first point to half a month after its last, by month shown.
        left, right = months.get_loc(points.index[first]) - 0.5, months.get_loc(points.index[last]) + 0.5
        ax.hlines(mean, left, right, color=PALETTE[2], linewidth=1.4, zorder=2)
        ax.hlines([low, high], left, right, color=PALETTE[2], linewidth=1.1, linestyles="--", zorder=2)
        if first > 0:
            ax.axvline(left, color=PALETTE[2], linewidth=0.9, linestyle=":", zorder=1)
        drawn += [low, high]
    if result.enough_points:
        low, high = shown_limits(result, unit)
        labels += [[result.mean, 0, f"mean {_format(result.mean, unit)}", PALETTE[2]],
                   [high, 0, "upper limit", PALETTE[2]], [low, 0, "lower limit", PALETTE[2]]]
    has_target = target is not None and not pd.isna(target)
    if has_target:
        ax.axhline(target, color=PALETTE[1], linewidth=1.3, linestyle="-.", zorder=2)
        labels.append([float(target), 0, f"target {_format(target, unit)}", PALETTE[1]])
        drawn.append(float(target))
    if drawn:
        bottom, top = min(drawn), max(drawn)
        pad = (top - bottom) * 0.08 or max(abs(top) * 0.05, 1.0)
        bottom, top = bottom - pad, top + pad
        if unit in ("percent", "count", "seconds", "days"):
            bottom = max(bottom, 0.0)
        if unit == "percent":
            top = min(top, 100.0)
        ax.set_ylim(bottom, top)
    bottom, top = ax.get_ylim()
    for value, _, name, colour, label_y in _spread_labels(labels, (top - bottom) * 0.07, (bottom, top)):
        ax.annotate(name, (1.0, value), xycoords=("axes fraction", "data"), xytext=(1.01, label_y),
                    textcoords=("axes fraction", "data"), va="center", color=colour, fontsize=9.5)
    # At most 8 month labels (more overlap at this width), stepping back from the latest so that it is labelled.
    step = next((s for s in (1, 2, 3, 4, 6, 12, 24) if len(months) <= 8 * s), -(-len(months) // 8))
    ticks = [i for i in range(len(months)) if (len(months) - 1 - i) % step == 0]
    ax.set_xticks(ticks, [months[i].strftime("%b %y") for i in ticks])
    ax.set_xlim(-0.5, max(len(months) - 0.5, 0.5))
    if unit == "percent":
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter())
    if shown_types:
        handles = [Line2D([], [], color=line_colour, marker="o", markersize=4, linestyle="none",
                          label="no signal")]
        handles += [Line2D([], [], color=colours[kind], marker=marker, markersize=9, linestyle="none",
                           label=names[kind]) for kind, marker in shown_types]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.12), ncol=len(handles),
                  frameon=False, fontsize=9, handletextpad=0.3, columnspacing=1.2)
    _title(ax, title)

    parts = [f"Chart: {title}. {subtitle.rstrip('.')}."]
    if len(points):
        parts.append(f"Monthly figures from {month_words(months[0])} to {month_words(months[-1])}; the latest, "
                     f"for {month_words(points.index[-1])}, is {_format(points.iloc[-1], unit)}.")
    else:
        parts.append("There are no figures to show.")
    if result.enough_points:
        low, high = shown_limits(result, unit)
        since = f"Since {month_words(result.start)}, the" if result.rebased else "The"
        between = ", between which the figures usually stay," if result.usual else ""
        parts.append(f"{since} mean is {_format(result.mean, unit)}; the process limits{between} are "
                     f"{_format(low, unit)} (lower) and {_format(high, unit)} (upper).")
    variation = variation_words(result, polarity, unit=unit)
    parts.append(f"Signal: {variation.phrase}. {variation.sentence}")
    if has_target:
        parts.append(f"Target {_format(target, unit)}: {assurance_words(result, target, polarity, unit=unit).phrase}.")
    alt = " ".join(parts)

    shown = _spc_numbers(result, months, values, unit, polarity)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=130, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    data_table = table(shown, f"Data for the chart: {title}", numeric=("Value", "Mean", "Lower limit", "Upper limit"))
    said = f'<p class="chart-words">{escape(words)}</p>' if words else ""
    # The words sit between the chart and its numbers: a reader meets what the chart shows before the table.
    return Html(
        f'<figure class="chart"><img src="data:image/png;base64,{encoded}" alt="{escape(alt)}">'
        f"<figcaption>{escape(subtitle)}</figcaption>{said}"
        f"<details><summary>Show the numbers in this chart</summary>{data_table}</details></figure>")
