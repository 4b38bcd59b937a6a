"""Server-side geometry of the console's SVG charts: horizontal bars, plain or stacked, readable on a phone.

Each row puts its label and value on one line and the bar under them across the whole width, so that long
Chinese labels need no column of their own and the chart stays legible when a phone scales it down.
templates/console/charts.html draws a Chart.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 340  # viewBox units: about as wide as a card on a phone, so text keeps its size there
ROW = 42  # height of a row: the label line, the bar and a gap
BAR = 12
FONT = 14  # the text size in viewBox units, as in dashboard.css


@dataclass(frozen=True)
class Segment:
    """One part of a bar: a series' share, placed."""

    series: int
    x: float
    width: float


@dataclass(frozen=True)
class Row:
    """One labelled bar of a chart, placed."""

    label: str  # shortened to fit
    full_label: str
    value_text: str
    top: float
    segments: tuple[Segment, ...]

    @property
    def text_y(self) -> float:
        return self.top + FONT

    @property
    def bar_y(self) -> float:
        return self.top + FONT + 6


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart ready to draw: rows, the series' names, its size, and its numbers in words."""

    title: str
    rows: tuple[Row, ...]
    series: tuple[str, ...]
    description: str
    width: int = WIDTH
    bar_height: int = BAR

    @property
    def height(self) -> int:
        return max(len(self.rows), 1) * ROW


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, float]],
    *,
    unit: str = "",
    scale: float | None = None,
    texts: Sequence[str] | None = None,
) -> Chart:
    """Lay out one bar per (label, value); `scale` is the value of the full width (5 for ratings)."""
    return stacked_chart(
        title, (title,), [(label, (value,)) for label, value in rows], unit=unit, scale=scale, texts=texts
    )


def stacked_chart(
    title: str,
    series: Sequence[str],
    rows: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str = "",
    scale: float | None = None,
    texts: Sequence[str] | None = None,
) -> Chart:
    """Lay out one bar per (label, values of each series), the series one after another; `texts` replace the totals."""
    totals = [sum(values) for _, values in rows]
    full = scale or max(totals, default=0) or 1
    placed, words = [], []
    for index, ((label, values), total) in enumerate(zip(rows, totals, strict=True)):
        value_text = texts[index] if texts else f"{number(total)}{unit}"
        x, segments = 0.0, []
        for series_index, value in enumerate(values):
            width = WIDTH * value / full
            if value > 0:
                segments.append(Segment(series_index, round(x, 1), round(max(width, 2), 1)))
            x += width
        room = WIDTH - text_width(value_text) - FONT
        placed.append(Row(shorten(label, room), label, value_text, index * ROW, tuple(segments)))
        parts = "，".join(f"{name}{number(v)}" for name, v in zip(series, values, strict=True) if v)
        words.append(f"{label}：{value_text}" + (f"（{parts}）" if len(series) > 1 and parts else ""))
    return Chart(title, tuple(placed), tuple(series), "；".join(words) or "没有数据")


def number(value: float) -> str:
    """Show a count as an integer and anything else with at most two decimals."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def text_width(text: str) -> float:
    """Estimate the width of a text in viewBox units: CJK characters are square, Latin ones about half."""
    return sum(FONT if unicodedata.east_asian_width(c) in "WF" else FONT * 0.6 for c in text)


def shorten(text: str, room: float) -> str:
    """Cut a label to fit the room left beside its value, marking the cut with an ellipsis."""
    if text_width(text) <= room:
        return text
    while text and text_width(text + "…") > room:
        text = text[:-1]
    return text + "…"
