"""Geometry of the transparency dashboard's charts (pure: no Django).

Issue 21, "Transparency": a public dashboard like the federal "Painel Resolveu?", *with
charts*. The charts are drawn by the server as SVG (no script, nothing from a CDN: the pages'
Content-Security-Policy allows neither), and this module is where their shapes come from: it
turns published figures (:mod:`balcao.ombudsman.transparency`) into rectangles in each chart's
own coordinate system (its ``viewBox``), with the place of each label and value. The template
only draws what it gets.

A suppressed count (``"< 5"``, :data:`balcao.ombudsman.transparency.SMALL_COUNT`) gets no
rectangle at all, only its text: a bar of any length would imply a number that the dashboard
does not publish. A zero gets no rectangle either (its text says 0); any other count gets at
least :data:`MIN_LENGTH` so that it never looks like a zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: What a chart is given for each group: a count (or a share, or an average), the published
#: text of a suppressed count (``"< 5"``), or ``None`` when there is no figure at all.
Value = int | float | str | None

#: The shortest rectangle drawn for a value above zero, in viewBox units.
MIN_LENGTH = 1.0

#: The widths of the charts' viewBoxes: about a phone's width, so that their 12–13 unit text
#: stays readable when a phone fits the chart to its screen (the page's CSS caps how wide a
#: chart grows on a larger one). Twelve columns need a little more room than a row of bars.
WIDTH = 320.0
COLUMNS_WIDTH = 360.0


@dataclass(frozen=True)
class Bar:
    """One group as drawn: its rectangle (absent unless :attr:`drawn`), its label and the
    published text of its value, each with where it goes."""

    label: str
    value: float | None  # None when suppressed or unknown
    text: str  # the value as published: "12", "60%", "< 5", "—"
    suppressed: bool
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float
    sublabel: str = ""
    sublabel_y: float = 0.0

    @property
    def drawn(self) -> bool:
        """A rectangle is drawn only for a published value above zero."""
        return self.value is not None and self.value > 0


@dataclass(frozen=True)
class Chart:
    """A chart's viewBox size and its bars; ``baseline`` is the y of the columns' axis."""

    width: float
    height: float
    bars: tuple[Bar, ...]
    baseline: float = 0.0

    @property
    def empty(self) -> bool:
        """Nothing worth drawing: no group above zero, and none suppressed either."""
        return not any(bar.drawn or bar.suppressed for bar in self.bars)

    @property
    def drawn_count(self) -> int:
        return sum(bar.drawn for bar in self.bars)


@dataclass(frozen=True)
class Gauge:
    """A value on a track from 0 to ``maximum``: the track is ``width`` long, the fill
    ``fill`` long (0 when the value is unknown)."""

    value: float | None
    maximum: float
    width: float
    height: float
    fill: float

    @property
    def fraction(self) -> float | None:
        return None if self.value is None else self.fill / self.width


def _r(number: float) -> float:
    return round(number, 1)


def _number(value: Value) -> float | None:
    """The value as a number, or None when it is suppressed (a string) or missing."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(float(value), 0.0)


def _text(value: Value, *, percent: bool) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    if percent:
        return f"{round(value * 100)}%"
    return str(int(value)) if float(value).is_integer() else str(value)


def _length(number: float | None, scale_max: float, room: float) -> float:
    """The rectangle's length: proportional to the largest value, never under MIN_LENGTH
    for a value above zero, never over ``room``."""
    if number is None or number <= 0 or scale_max <= 0:
        return 0.0
    return _r(min(room, max(MIN_LENGTH, number / scale_max * room)))


def column_chart(
    items: Sequence[tuple[str, Value]],
    *,
    sublabels: Sequence[str] = (),
    width: float = COLUMNS_WIDTH,
    height: float = 200.0,
    top: float = 18.0,
    bottom: float = 34.0,
    gap: float = 0.25,
) -> Chart:
    """Vertical columns, one per item in the order given (months, oldest first), scaled to
    the largest published value; ``gap`` is the share of each slot left between columns.
    The value goes above its column (on the axis when nothing is drawn), the label under the
    axis, and the sublabel (a year, say) under the label."""
    baseline = height - bottom
    room = baseline - top
    numbers = [_number(value) for _label, value in items]
    scale_max = max((n for n in numbers if n is not None), default=0.0)
    slot = width / len(items) if items else width
    column = slot * (1 - gap)
    bars = []
    for i, ((label, value), number) in enumerate(zip(items, numbers, strict=True)):
        length = _length(number, scale_max, room)
        x = i * slot + (slot - column) / 2
        middle = _r(x + column / 2)
        bars.append(
            Bar(
                label=label,
                value=number,
                text=_text(value, percent=False),
                suppressed=isinstance(value, str),
                x=_r(x),
                y=_r(baseline - length),
                width=_r(column),
                height=length,
                label_x=middle,
                label_y=_r(baseline + 14),
                value_x=middle,
                value_y=_r(baseline - length - 4),
                sublabel=sublabels[i] if i < len(sublabels) else "",
                sublabel_y=_r(baseline + 28),
            )
        )
    return Chart(width=width, height=height, bars=tuple(bars), baseline=baseline)


def bar_chart(
    items: Sequence[tuple[str, Value]],
    *,
    maximum: float | None = None,
    percent: bool = False,
    width: float = WIDTH,
    row: float = 40.0,
    thickness: float = 14.0,
    value_room: float = 48.0,
) -> Chart:
    """Horizontal bars, one row per item in the order given: the label on a line of its own
    (long names fit on a phone), the bar under it and the value after the bar. Scaled to
    ``maximum`` when given (1.0 for shares, so that bars read as parts of a whole), else to
    the largest published value. A suppressed value is written where its bar would start."""
    room = width - value_room
    numbers = [_number(value) for _label, value in items]
    if maximum is None:
        maximum = max((n for n in numbers if n is not None), default=0.0)
    bars = []
    for i, ((label, value), number) in enumerate(zip(items, numbers, strict=True)):
        length = _length(number, maximum, room)
        top = i * row
        bar_y = top + 20
        bars.append(
            Bar(
                label=label,
                value=number,
                text=_text(value, percent=percent),
                suppressed=isinstance(value, str),
                x=0.0,
                y=_r(bar_y),
                width=length,
                height=thickness if length else 0.0,
                label_x=0.0,
                label_y=_r(top + 14),
                value_x=_r(length + 6 if length else 0.0),
                value_y=_r(bar_y + thickness - 3),
            )
        )
    return Chart(width=width, height=_r(len(items) * row + 4), bars=tuple(bars))


def gauge(
    value: float | None, maximum: float, *, width: float = WIDTH, height: float = 16.0
) -> Gauge:
    """A share (``maximum`` 1) or an average rating (``maximum`` 5) as the filled part of
    a track; an unknown value fills nothing."""
    number = _number(value)
    fill = 0.0 if number is None or maximum <= 0 else _r(min(number, maximum) / maximum * width)
    return Gauge(value=number, maximum=maximum, width=width, height=height, fill=fill)


def ranked(groups: Mapping[str, Mapping[str, object]]) -> list[tuple[str, Value]]:
    """A breakdown's groups as chart items, largest first, the suppressed ones after the
    published ones, ties by name."""
    items: list[tuple[str, Value]] = []
    for name, summary in groups.items():
        count = summary.get("count")
        items.append((name, count if isinstance(count, int | str) else None))

    def key(item: tuple[str, Value]) -> tuple[int, float, str]:
        number = _number(item[1])
        return (0, -number, item[0]) if number is not None else (1, 0.0, item[0])

    return sorted(items, key=key)


def _month_index(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def last_months(end: str, count: int = 12) -> list[str]:
    """The ``count`` months ("YYYY-MM") that end with ``end``, oldest first."""
    last = _month_index(end)
    return [_month(i) for i in range(last - count + 1, last + 1)]


def year_months(year: int, until: str) -> list[str]:
    """The months of ``year``, oldest first, none after ``until`` (the current month: a
    month still to come is not a month with no manifestation)."""
    last = min(_month_index(f"{year:04d}-12"), _month_index(until))
    return [_month(i) for i in range(_month_index(f"{year:04d}-01"), last + 1)]


def month_series(
    by_month: Mapping[str, Mapping[str, object]], months: Sequence[str]
) -> list[tuple[str, Value]]:
    """The count of each of ``months`` from the month breakdown, 0 for a month without
    any manifestation, the published text for a suppressed one."""
    series: list[tuple[str, Value]] = []
    for month in months:
        count = by_month.get(month, {}).get("count", 0)
        series.append((month, count if isinstance(count, int | str) else None))
    return series
