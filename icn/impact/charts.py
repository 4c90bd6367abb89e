"""Charts of the impact dashboards and the yearly report, drawn on the server with matplotlib.

Only the object-oriented API (`matplotlib.figure.Figure`): pyplot keeps global state and is not
safe in a threaded server. A chart is inline SVG on a page (vector, so it prints sharply, with
its text as selectable text) and PNG bytes in the Word report. The same numbers give the same
SVG, so a drawn chart is kept in the cache under a hash of what it shows.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import matplotlib
from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from icn.impact.selectors import Dashboard, distribution, format_value
from icn.impact.table import Indicator, IndicatorTable

matplotlib.use("Agg")
# Set once, at import, and never changed while charts are drawn.
matplotlib.rcParams.update(
    {
        # The ids matplotlib gives clip paths and glyphs come from a salted hash: a fixed salt
        # gives the same output for the same chart.
        "svg.hashsalt": "icn-impact",
        # Text stays text: selectable, searchable, and drawn in the page's own font.
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.sans-serif": ["Helvetica", "Arial", "DejaVu Sans"],
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#9aa9a3",
        "axes.labelcolor": "#33443e",
        "xtick.color": "#33443e",
        "ytick.color": "#33443e",
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "legend.frameon": False,
        "legend.fontsize": 8,
    }
)

GREEN = "#0f6b4f"
GREEN_LIGHT = "#9ec9b7"
GREEN_MID = "#5fb58f"
ORANGE = "#e8833a"
GREY = "#b8c4bf"
DARK = "#20352d"
GRID = "#e3e8e6"
# Categories of a stacked bar, in order; the platform's green first.
PALETTE = ["#0f6b4f", "#2f7ec1", "#c1752f", "#7a4fc1", "#8a9691", "#5fb58f", "#d4a23a", "#b0506a"]

WIDTH = 5.6  # inches: scaled to a dashboard card's width, or a Word page's less its margins
PNG_DPI = 200
# Changes when the drawing code does, so a shared cache never serves an older drawing.
DRAWING_VERSION = "1"
CACHE_SECONDS = 24 * 3600


def _axis_formatter(unit: str) -> FuncFormatter:
    def short(value: float, _position: object) -> str:
        if unit == "percent":
            return f"{value:.0f} %"
        for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                return f"{value / size:g}{suffix}"
        return f"{value:g}"

    return FuncFormatter(short)


@dataclass
class Chart:
    """A chart, drawn when first asked for, with the sentence a screen reader says instead."""

    label: str  # every number the chart shows, in words
    name: str  # unique on a page: prefixes the ids inside the SVG
    kind: str
    draw: Callable[[], Figure] = field(repr=False)

    @cached_property
    def figure(self) -> Figure:
        return self.draw()

    def _key(self, output: str) -> str:
        digest = hashlib.sha256(
            "\x1f".join([DRAWING_VERSION, output, self.kind, self.name, self.label]).encode()
        ).hexdigest()
        return f"impact-chart:{digest}"

    def svg(self) -> SafeString:
        """The chart as an inline <svg> element, with role="img", a title and an aria-label."""
        key = self._key("svg")
        found = cache.get(key)
        if found is None:
            buffer = io.StringIO()
            self.figure.savefig(buffer, format="svg", metadata={"Date": None})
            found = _inline(buffer.getvalue(), self.label, self.name)
            cache.set(key, found, CACHE_SECONDS)
        # Matplotlib escapes the text it writes, and the label is escaped by _inline.
        return mark_safe(found)

    def png(self, dpi: int = PNG_DPI) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return buffer.getvalue()


_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(xlink:href="#|href="#|url\(#)([^")]+)')


def _inline(document: str, label: str, name: str) -> str:
    """Matplotlib's SVG file made an element of a page: no prologue or metadata, ids prefixed
    (several charts share a page), scaled by CSS, described for screen readers."""
    svg = document[document.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    prefix = re.sub(r"[^a-zA-Z0-9_-]", "-", name)
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _REFERENCE.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    text = escape(label)
    head_end = svg.index(">") + 1
    head = re.sub(r'\s(width|height)="[^"]*"', "", svg[:head_end])
    head = head.replace("<svg ", f'<svg class="icn-chart" role="img" aria-label="{text}" ', 1)
    return f"{head}<title>{text}</title>{svg[head_end:]}"


def _figure(
    height: float,
    *,
    left: float = 0.55,
    right: float = 0.2,
    top: float = 0.35,
    bottom: float = 0.35,
) -> tuple[Figure, Axes]:
    """A figure with fixed margins in inches (a layout engine would draw every chart twice)."""
    figure = Figure(figsize=(WIDTH, height))
    figure.subplots_adjust(
        left=left / WIDTH, right=1 - right / WIDTH, top=1 - top / height, bottom=bottom / height
    )
    return figure, figure.add_subplot()


def _empty(figure: Figure, axes: Axes, title: str, message: str) -> Figure:
    axes.set_title(title)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.text(
        0.5, 0.5, message, ha="center", va="center", color="#6b7a74", transform=axes.transAxes
    )
    return figure


def _describe(pairs: list[tuple[str, float | None]], unit: str) -> str:
    return ", ".join(f"{label} {format_value(value, unit)}" for label, value in pairs)


# Time series --------------------------------------------------------------------------------


@dataclass
class Series:
    """One line, or one stack of bars, over the periods."""

    name: str
    values: list[float | None]
    highlight: bool = False


@dataclass
class Band:
    """The middle half of the clusters (lower to upper quartile), period by period."""

    name: str
    lower: list[float | None]
    upper: list[float | None]


def time_series(
    *,
    title: str,
    periods: list[str],
    series: list[Series],
    unit: str = "count",
    stacked: bool = False,
    band: Band | None = None,
    name: str = "series",
) -> Chart:
    """Values over the periods: stacked bars (a total broken down by category) or lines (one
    cluster against the network's median, with the quartiles as a band)."""
    if not periods or not any(v for s in series for v in s.values):
        return Chart(
            f"{title}: none in these periods.",
            name,
            "empty",
            lambda: _empty(*_figure(1.6), title, "None in these periods"),
        )
    parts = [
        f"{one.name}: " + _describe(list(zip(periods, one.values, strict=True)), unit)
        for one in series
    ]
    if band is not None:
        ranges = ", ".join(
            f"{p} {format_value(lo, unit)} to {format_value(hi, unit)}"
            for p, lo, hi in zip(periods, band.lower, band.upper, strict=True)
        )
        parts.append(f"{band.name}: {ranges}")
    label = f"{title}. " + "; ".join(parts) + "."

    def draw() -> Figure:
        names = [one.name for one in series] + ([band.name] if band is not None else [])
        legend = len(names) > 1
        # As many legend entries a row as fit the width (about 5 points a character at 8 points).
        columns = max(1, min(len(names), int(WIDTH * 72 // (5 * max(map(len, names)) + 30))))
        rows = -(-len(names) // columns) if legend else 0
        rotate = len(periods) > 8
        height = 2.6 + 0.18 * max(rows - 1, 0)
        figure, axes = _figure(height, bottom=(0.75 if rotate else 0.35) + 0.18 * rows + 0.08)
        axes.set_title(title)
        positions = list(range(len(periods)))
        if stacked:
            bottoms = [0.0] * len(periods)
            for index, one in enumerate(series):
                heights = [v or 0.0 for v in one.values]
                axes.bar(
                    positions,
                    heights,
                    bottom=bottoms,
                    color=PALETTE[index % len(PALETTE)],
                    label=one.name,
                    width=0.65,
                )
                bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
            for x, total in zip(positions, bottoms, strict=True):
                if total:
                    axes.annotate(
                        format_value(total, unit),
                        (x, total),
                        ha="center",
                        va="bottom",
                        fontsize=8,
                        color=DARK,
                        xytext=(0, 2),
                        textcoords="offset points",
                    )
            axes.margins(y=0.18)
        else:
            if band is not None:
                points = [
                    (x, lo, hi)
                    for x, lo, hi in zip(positions, band.lower, band.upper, strict=True)
                    if lo is not None and hi is not None
                ]
                if points:
                    axes.fill_between(
                        [p[0] for p in points],
                        [p[1] for p in points],
                        [p[2] for p in points],
                        color=GREEN_LIGHT,
                        alpha=0.45,
                        linewidth=0,
                        label=band.name,
                    )
            for index, one in enumerate(series):
                kept = [(x, v) for x, v in zip(positions, one.values, strict=True) if v is not None]
                first = one.highlight or index == 0
                axes.plot(
                    [x for x, _ in kept],
                    [v for _, v in kept],
                    "-" if first else "--",
                    color=GREEN if first else DARK,
                    marker="o",
                    markersize=3.5,
                    linewidth=1.8 if first else 1.2,
                    label=one.name,
                )
            axes.set_ylim(bottom=0)
            axes.margins(y=0.15)
        if legend:
            figure.legend(loc="lower left", ncols=columns, bbox_to_anchor=(0.5 / WIDTH, 0.0))
        axes.set_xticks(
            positions, periods, rotation=45 if rotate else 0, ha="right" if rotate else "center"
        )
        axes.yaxis.set_major_formatter(_axis_formatter(unit))
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=unit == "count"))
        axes.grid(axis="y", color=GRID, linewidth=0.8)
        axes.set_axisbelow(True)
        return figure

    return Chart(label, name, "stacked" if stacked else "lines", draw)


# Funnel -------------------------------------------------------------------------------------


def funnel(*, title: str, stages: list[tuple[str, float]], name: str = "funnel") -> Chart:
    """Matches by stage, widest first, each bar with its count and its share of the first."""
    if not stages or not any(count for _, count in stages):
        return Chart(
            f"{title}: no matches.",
            name,
            "empty",
            lambda: _empty(*_figure(1.6), title, "No matches in these periods"),
        )
    label = f"{title}: " + _describe(list(stages), "count") + "."

    def draw() -> Figure:
        figure, axes = _figure(0.36 * len(stages) + 0.55, left=1.4, bottom=0.1)
        axes.set_title(title)
        top = max(count for _, count in stages) or 1
        counts = [count for _, count in stages]
        positions = list(range(len(stages)))[::-1]
        lefts = [(top - count) / 2 for count in counts]
        colours = [GREEN if i == 0 else GREEN_MID if i % 2 else GREEN_LIGHT for i in positions]
        axes.barh(positions, counts, left=lefts, color=colours[::-1], height=0.78)
        first = counts[0]
        for index, (y, count) in enumerate(zip(positions, counts, strict=True)):
            share = f"  ({round(100 * count / first)} %)" if first and index else ""
            axes.text(
                top / 2,
                y,
                f"{format_value(count)}{share}",
                ha="center",
                va="center",
                fontsize=8,
                color="#ffffff" if index == 0 else DARK,
            )
        axes.set_yticks(positions, [label for label, _ in stages])
        axes.set_xticks([])
        axes.set_xlim(0, top)
        for side in ("bottom", "left"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="y", length=0)
        return figure

    return Chart(label, name, "funnel", draw)


# Clusters against the network ----------------------------------------------------------------


@dataclass
class Bar:
    label: str  # a cluster's name, or "" when the viewer may not know which cluster it is
    value: float
    highlight: bool = False


@dataclass
class Spread:
    """The network's distribution over clusters."""

    median: float | None
    lower: float | None = None
    upper: float | None = None


def benchmark(
    *,
    title: str,
    bars: list[Bar],
    spread: Spread,
    unit: str = "count",
    name: str = "benchmark",
) -> Chart:
    """Each cluster's value, largest first, with the network's median as a line and the middle
    half of the clusters shaded; the viewer's own cluster stands out. Other clusters are named
    only where the viewer may know them."""
    if not any(bar.value for bar in bars):
        return Chart(
            f"{title}: no cluster has any.",
            name,
            "empty",
            lambda: _empty(*_figure(1.6), title, "No cluster has any in this period"),
        )
    named = any(bar.label for bar in bars)
    ordered = sorted(bars, key=lambda bar: (-bar.value, bar.label))
    median = format_value(spread.median, unit)
    if named:
        described = _describe([(bar.label, bar.value) for bar in ordered], unit)
    else:
        own = [bar for bar in ordered if bar.highlight]
        if own:
            rank = 1 + sum(1 for bar in ordered if bar.value > own[0].value)
            described = (
                f"this cluster {format_value(own[0].value, unit)}, "
                f"{rank} of {len(ordered)} clusters from the highest"
            )
        else:
            described = f"{len(ordered)} clusters"
    label = f"{title}: {described}; network median {median}."

    def draw() -> Figure:
        values = [bar.value for bar in ordered]
        colours = [ORANGE if b.highlight else GREEN if named else GREY for b in ordered]
        band = (
            (spread.lower, spread.upper)
            if spread.lower is not None and spread.upper is not None
            else None
        )
        if named:
            longest = max(len(bar.label) for bar in ordered)
            height = 0.2 * len(ordered) + 0.95
            figure, axes = _figure(
                height, left=min(2.2, 0.2 + 0.062 * longest), right=0.45, bottom=0.6
            )
            ys = list(range(len(ordered)))[::-1]
            if band:
                axes.axvspan(
                    *band,
                    color=GREEN_LIGHT,
                    alpha=0.35,
                    linewidth=0,
                    label="Middle half of the clusters",
                )
            axes.barh(ys, values, color=colours, height=0.7)
            axes.set_yticks(ys, [bar.label for bar in ordered])
            axes.tick_params(axis="y", length=0)
            for y, value in zip(ys, values, strict=True):
                axes.annotate(
                    format_value(value, unit),
                    (value, y),
                    va="center",
                    fontsize=7,
                    xytext=(3, 0),
                    textcoords="offset points",
                    color=DARK,
                )
            if spread.median is not None:
                axes.axvline(
                    spread.median,
                    color=DARK,
                    linestyle="--",
                    linewidth=1,
                    label=f"Network median ({median})",
                )
            axes.xaxis.set_major_formatter(_axis_formatter(unit))
            axes.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=unit == "count"))
            axes.set_xlim(0, (max(values) or 1) * 1.12)
            axes.grid(axis="x", color=GRID, linewidth=0.8)
            figure.legend(loc="lower left", ncols=2, bbox_to_anchor=(0.1 / WIDTH, 0.0))
        else:
            figure, axes = _figure(2.4, bottom=0.6)
            positions = list(range(len(ordered)))
            if band:
                axes.axhspan(
                    *band,
                    color=GREEN_LIGHT,
                    alpha=0.35,
                    linewidth=0,
                    label="Middle half of the clusters",
                )
            axes.bar(positions, values, color=colours, width=0.8)
            axes.set_xticks([])
            for x, bar in zip(positions, ordered, strict=True):
                if bar.highlight:
                    axes.annotate(
                        f"This cluster: {format_value(bar.value, unit)}",
                        (x, bar.value),
                        ha="center",
                        va="bottom",
                        fontsize=8,
                        color=ORANGE,
                        fontweight="bold",
                        xytext=(0, 3),
                        textcoords="offset points",
                    )
            if spread.median is not None:
                axes.axhline(
                    spread.median,
                    color=DARK,
                    linestyle="--",
                    linewidth=1,
                    label=f"Network median ({median})",
                )
            axes.yaxis.set_major_formatter(_axis_formatter(unit))
            axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=unit == "count"))
            axes.set_ylim(0, (max(values) or 1) * 1.2)
            axes.set_xlabel(f"The network's {len(ordered)} clusters, highest to lowest")
            axes.grid(axis="y", color=GRID, linewidth=0.8)
            figure.legend(loc="lower right", ncols=2, bbox_to_anchor=(1 - 0.2 / WIDTH, 0.0))
        axes.set_title(title)
        axes.set_axisbelow(True)
        return figure

    return Chart(label, name, "named bars" if named else "bars", draw)


# The dashboards' charts ---------------------------------------------------------------------

MAX_STACKS = 6  # more categories than this are drawn as one "Other" stack


def _stacks(table: IndicatorTable, key: str, cluster: int | None) -> list[Series] | None:
    """The categories of an indicator as stacks, when they add up to its total (a match
    counted in each stage it reached does not, and is drawn as its total)."""
    categories = table.categories.get(key, [])
    if len(categories) < 2:
        return None
    series = [
        Series(table.category_label(key, c), [v for _, v in table.series(key, cluster, c)])
        for c in categories
    ]
    totals = [v or 0.0 for _, v in table.series(key, cluster)]
    sums = [sum(s.values[i] or 0.0 for s in series) for i in range(len(totals))]
    if any(abs(a - b) > 1e-6 for a, b in zip(sums, totals, strict=True)):
        return None
    if len(series) > MAX_STACKS:
        rest = series[MAX_STACKS - 1 :]
        other: list[float | None] = [
            sum(s.values[i] or 0.0 for s in rest) for i in range(len(totals))
        ]
        series = [*series[: MAX_STACKS - 1], Series("Other", other)]
    return series


def over_time(
    table: IndicatorTable, indicator: Indicator, *, cluster: int | None, compare: bool, name: str
) -> Chart:
    """An indicator over the periods: a cluster against the network's median and middle half
    (compare), else the subject's values, stacked by category where they add up."""
    periods = [p.label for p in table.periods]
    key, unit, title = indicator.key, indicator.unit, indicator.name
    values = [v for _, v in table.series(key, cluster)]
    if compare and cluster is not None:
        spreads = [distribution(table.cluster_values(key, p).values()) for p in periods]
        return time_series(
            title=title,
            periods=periods,
            series=[
                Series("This cluster", values, True),
                Series("Network median", [s.median if s else None for s in spreads]),
            ],
            band=Band(
                "Middle half of the clusters",
                [s.lower if s else None for s in spreads],
                [s.upper if s else None for s in spreads],
            ),
            unit=unit,
            name=name,
        )
    if unit in ("percent", "rating"):
        return time_series(
            title=title, periods=periods, series=[Series(title, values, True)], unit=unit, name=name
        )
    stacks = _stacks(table, key, cluster) or [Series(title, values)]
    return time_series(
        title=title, periods=periods, series=stacks, unit=unit, stacked=True, name=name
    )


def side_by_side(
    table: IndicatorTable, indicator: Indicator, *, highlight: int | None, named: bool, name: str
) -> Chart:
    """Each cluster's value in the latest period against the network's median."""
    latest = table.periods[-1].label
    values = table.cluster_values(indicator.key, latest)
    names = {c.pk: c.name for c in table.clusters}
    found = distribution(values.values())
    return benchmark(
        title=f"{indicator.name}, {latest}: each cluster",
        bars=[Bar(names[pk] if named else "", v, pk == highlight) for pk, v in values.items()],
        spread=Spread(
            found.median if found else None,
            found.lower if found else None,
            found.upper if found else None,
        ),
        unit=indicator.unit,
        name=name,
    )


def draw(dashboard: Dashboard) -> Dashboard:
    """Give a dashboard its charts: each group's first indicator over time and, for the network
    and a cluster, the clusters side by side; the match funnel."""
    table = dashboard.table
    cluster = dashboard.cluster_id
    for group in dashboard.groups:
        indicator = group.lead.indicator
        group.chart = over_time(
            table,
            indicator,
            cluster=cluster,
            compare=dashboard.kind == "cluster",
            name=f"{group.slug}-time",
        )
        if dashboard.kind in ("network", "cluster") and table.clusters:
            group.benchmark = side_by_side(
                table,
                indicator,
                highlight=cluster,
                named=dashboard.kind == "network",
                name=f"{group.slug}-clusters",
            )
    if dashboard.funnel:
        dashboard.funnel_chart = funnel(
            title=f"Matches by stage reached, {dashboard.choice.years}",
            stages=[(stage.label, stage.count) for stage in dashboard.funnel],
        )
    return dashboard
