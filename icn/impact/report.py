"""The yearly activity report for funders, as a Word document (python-docx).

The network's (the secretariat) or one cluster's (its managers, the secretariat): the year's
summary numbers, then for each group of indicators a chart and the table of numbers behind
it, and the definitions as an annex. The page link and `icn impact_report` write the same.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils import timezone
from docx import Document
from docx.shared import Inches, Pt, RGBColor

from icn.core.docx import add_table
from icn.directory.models import Cluster
from icn.impact import charts, selectors
from icn.impact.selectors import EARLIEST_YEAR, Dashboard, Line, PeriodChoice, format_value

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The charts show the report's year and the years before it, for the trend.
TREND_YEARS = 5
PICTURE_WIDTH = Inches(6.3)
MUTED = RGBColor(0x5B, 0x6B, 0x65)


def report_filename(year: int, cluster: Cluster | None) -> str:
    return f"icn-activity-report-{year}{f'-{cluster.slug}' if cluster else ''}.docx"


def report_periods(year: int) -> PeriodChoice:
    return PeriodChoice("year", max(EARLIEST_YEAR, year - TREND_YEARS + 1), year)


def _table(document: Any, header: list[str], rows: list[list[str]]) -> Any:
    """Every column after the first is a number."""
    return add_table(document, header, rows, numeric=range(1, len(header)), font_size=9)


def _note(document: Any, text: str) -> None:
    run = document.add_paragraph().add_run(text)
    run.italic = True
    run.font.size = Pt(9)
    run.font.color.rgb = MUTED


def _picture(document: Any, chart: charts.Chart) -> None:
    document.add_picture(BytesIO(chart.png()), width=PICTURE_WIDTH)
    _note(document, chart.label)


def _summary(document: Any, dashboard: Dashboard) -> None:
    year, periods = dashboard.latest, dashboard.periods
    before = periods[-2] if len(periods) > 1 else None
    header = ["Indicator", year]
    if before:
        header += [before, "Change"]
    if dashboard.kind == "cluster":
        header += ["Network median", "Position"]
    rows = []
    for line in dashboard.headlines:
        row = [line.indicator.name, line.latest.text]
        if before:
            row += [line.values[-2].text, line.change or "—"]
        if dashboard.kind == "cluster":
            row += [line.median.text if line.median else "—", _position(line)]
        rows.append(row)
    _table(document, header, rows)


def _position(line: Line) -> str:
    return line.position.label if line.position else "—"


def _group(document: Any, dashboard: Dashboard, group: selectors.Group) -> None:
    document.add_heading(group.name, level=1)
    if group.chart is not None:
        _picture(document, group.chart)
    periods = dashboard.periods
    rows: list[list[str]] = []
    for line in group.lines:
        rows.append([line.indicator.name, *(cell.text for cell in line.values)])
        if line is group.lead:
            rows += [
                [f"    {category.label}", *(cell.text for cell in category.values)]
                for category in line.categories
            ]
            if dashboard.kind == "cluster":
                rows += _spread_rows(dashboard, line)
    _table(document, ["Indicator", *periods], rows)
    if dashboard.kind == "cluster":
        document.add_paragraph()
        if group.benchmark is not None:
            _picture(document, group.benchmark)
        _table(
            document,
            ["Indicator", dashboard.latest, "Network median", "Middle half", "Position"],
            [
                [
                    line.indicator.name,
                    line.latest.text,
                    line.median.text if line.median else "—",
                    line.quartiles,
                    _position(line),
                ]
                for line in group.lines
            ],
        )
    if group.name == "Matches" and dashboard.funnel_chart is not None:
        document.add_paragraph()
        _picture(document, dashboard.funnel_chart)
        _table(
            document,
            ["Stage reached", f"Matches, {dashboard.choice.years}"],
            [[stage.label, format_value(stage.count)] for stage in dashboard.funnel],
        )


def _spread_rows(dashboard: Dashboard, line: Line) -> list[list[str]]:
    """The network's median and quartiles behind a cluster's chart, period by period."""
    table, unit = dashboard.table, line.indicator.unit
    spreads = [
        selectors.distribution(table.cluster_values(line.indicator.key, p).values())
        for p in dashboard.periods
    ]
    return [
        [
            f"    Network {name}",
            *(format_value(getattr(s, attribute) if s else None, unit) for s in spreads),
        ]
        for name, attribute in (
            ("median", "median"),
            ("lower quartile", "lower"),
            ("upper quartile", "upper"),
        )
    ]


def _clusters(document: Any, dashboard: Dashboard) -> None:
    """Every cluster side by side on the first indicator of each group, in the year."""
    document.add_heading("Clusters side by side", level=1)
    members = next((g for g in dashboard.groups if g.name == "Members"), None)
    if members is not None and members.benchmark is not None:
        _picture(document, members.benchmark)
    table = dashboard.table
    leads = [group.lead.indicator for group in dashboard.groups]
    rows = [
        [
            cluster.name,
            *(
                format_value(table.value(i.key, cluster.pk, dashboard.latest), i.unit)
                for i in leads
            ),
        ]
        for cluster in table.clusters
    ]
    rows.append(
        [
            "Network median",
            *(format_value(table.network_median(i.key, dashboard.latest), i.unit) for i in leads),
        ]
    )
    _table(document, ["Cluster", *(i.name for i in leads)], rows)


def yearly_report(*, viewer: Any, year: int, cluster: Cluster | None = None) -> bytes:
    """The report of a year, as the viewer may see it: the network, or one cluster."""
    choice = report_periods(year)
    if cluster is None:
        dashboard = selectors.network_dashboard(viewer=viewer, choice=choice)
        subject = "The International Cleantech Network"
    else:
        dashboard = selectors.cluster_dashboard(viewer=viewer, cluster=cluster, choice=choice)
        subject = f"{cluster.name}, against the network"
    charts.draw(dashboard)

    document = Document()
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(f"Activity report {year}", level=0)
    document.add_paragraph(subject).runs[0].bold = True
    _note(
        document,
        f"Counted from the platform's records on {timezone.localdate():%d %B %Y}; trends "
        f"{choice.years}. Every indicator is defined in the annex.",
    )
    if year == selectors.this_year():
        _note(document, f"{year} is not over: its numbers cover the year so far.")

    document.add_heading("Summary", level=1)
    _summary(document, dashboard)
    if cluster is not None:
        _note(
            document,
            "The network median is what a typical cluster of the network did; the middle half "
            "runs from the lower to the upper quartile of the clusters. The position ranks this "
            "cluster among them (1 is the highest).",
        )
    for group in dashboard.groups:
        _group(document, dashboard, group)
    if cluster is None:
        _clusters(document, dashboard)

    document.add_heading("Annex: definitions", level=1)
    for indicator in dashboard.indicators:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{indicator.name} ({indicator.group}). ").bold = True
        paragraph.add_run(indicator.definition)

    output = BytesIO()
    document.save(output)
    return output.getvalue()
