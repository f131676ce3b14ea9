"""Charts in one house style; each returns HTML with alt text written from its data.

A chart's title states the finding, the subtitle names the measure, unit and
period; lines are labelled directly rather than through a legend; the numbers
behind every chart sit in a table the reader can open.
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.present import Html, escape, table  # noqa: E402

# After the UK Analysis Function's categorical palette (colour-blind safe), with its lighter
# colours darkened so that every one has at least 3:1 contrast on white.
PALETTE = ("#12436D", "#801650", "#3D3D3D", "#1F7A72", "#B04A0F", "#6E4FA8")


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color("#6f777b")
    ax.tick_params(colors="#1b1b1b", labelsize=10)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)


def _figure_html(fig, alt: str, title: str, subtitle: str, data: pd.DataFrame, numeric: tuple[str, ...]) -> Html:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
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
    return f"{value:,.0f}"


def line_chart(data: pd.DataFrame, *, x: str, y: str, series: str | None, title: str, subtitle: str,
               unit: str, target: float | None = None) -> Html:
    """Lines over ``x`` (e.g. year), one per ``series``, labelled at their last point."""
    fig, ax = plt.subplots(figsize=(7.2, 3.8))
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
    if unit == "percent":
        ax.set_ylim(0, 100)
    else:
        ax.set_ylim(bottom=0)
    bottom, top = ax.get_ylim()
    for value, position, name, colour, label_y in _spread_labels(labels, (top - bottom) * 0.055, (bottom, top)):
        ax.annotate(name, (position, value), xytext=(position + 0.08, label_y), textcoords="data",
                    va="center", color=colour, fontsize=10, fontweight="bold")
    ax.set_xticks(range(len(xs)), xs)
    ax.set_xlim(-0.3, len(xs) - 0.3 + (0.9 if series else 0))
    if unit == "percent":
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter())
    ax.set_title(title, loc="left", fontsize=12.5, fontweight="bold", color="#1b1b1b", pad=10)
    alt = _alt_text(data, x=x, y=y, series=series, title=title, subtitle=subtitle, unit=unit)
    shown = data[[c for c in (series, x, y) if c]].copy()
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
    fig, ax = plt.subplots(figsize=(7.2, 0.45 * len(data) + 1.2))
    _style(ax)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    bars = ax.barh(data[category].astype(str), data[value], color=PALETTE[0])
    for rect, number in zip(bars, data[value]):
        ax.annotate(_format(number, unit), (rect.get_width(), rect.get_y() + rect.get_height() / 2),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=9.5)
    ax.set_title(title, loc="left", fontsize=12.5, fontweight="bold", color="#1b1b1b", pad=10)
    ax.set_xlim(0, max(1.0, float(data[value].max()) * 1.15))
    ordered = data.sort_values(value, ascending=False)
    top = "; ".join(f"{c}: {_format(v, unit)}" for c, v in zip(ordered[category], ordered[value]))
    alt = f"Chart: {title}. {subtitle}. {top}."
    shown = ordered[[category, value]].copy()
    shown[value] = [_format(v, unit) for v in shown[value]]
    return _figure_html(fig, alt, title, subtitle, shown, numeric=(value,))
