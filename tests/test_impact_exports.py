"""Exports of the indicators (CSV, XLSX), the charts they are drawn with, and the yearly
activity report (Word, from the page and from `icn impact_report`), on the hand-counted
network of tests/test_impact_pages.py and on tables built by hand."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from icn.impact import charts, exports, selectors
from icn.impact.indicators import INDICATORS
from icn.impact.table import ClusterRef, Indicator, IndicatorTable, Period
from tests.conftest import Network, client_for
from tests.test_impact_pages import PERIODS, Counted, count_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(network: Network) -> Counted:
    return count_on(network)


def download(user: Any, url: str) -> Any:
    response = client_for(user).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def csv_of(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def value(rows: list[dict[str, str]], **where: str) -> str:
    found = [row for row in rows if all(row[k] == v for k, v in where.items())]
    assert len(found) == 1, (where, len(found))
    return found[0]["value"]


# A table built by hand ------------------------------------------------------------------------

MEMBERS = Indicator(
    key="members",
    name="Member organisations",
    definition="Organisations in the cluster at the end of the period.",
    group="Members",
    dimension="triple-helix kind",
    stock=True,
)
RATE = Indicator(
    key="acceptance",
    name="Acceptance rate",
    definition="=Share accepted, in per cent.",
    group="Passports",
    unit="percent",
)


def hand_table() -> IndicatorTable:
    periods = [Period(str(y), date(y, 1, 1), date(y + 1, 1, 1)) for y in (2024, 2025)]
    clusters = [ClusterRef(1, "north", "North"), ClusterRef(2, "south", "=South")]
    table = IndicatorTable(indicators=[MEMBERS, RATE], periods=periods, clusters=clusters)
    table.values.update(
        {
            ("members", None, "2024", ""): 5,
            ("members", None, "2024", "industry"): 4,
            ("members", None, "2024", "research"): 1,
            ("members", None, "2025", ""): 7,
            ("members", None, "2025", "industry"): 6,
            ("members", None, "2025", "research"): 1,
            ("members", 1, "2024", ""): 3,
            ("members", 1, "2024", "industry"): 3,
            ("members", 1, "2025", ""): 4,
            ("members", 1, "2025", "industry"): 4,
            ("members", 2, "2024", ""): 2,
            ("members", 2, "2024", "industry"): 2,
            # An organisation in both categories: they add up to more than the total.
            ("members", 2, "2025", ""): 3,
            ("members", 2, "2025", "industry"): 2,
            ("members", 2, "2025", "research"): 2,
            ("acceptance", None, "2025", ""): 50.0,
            ("acceptance", 1, "2025", ""): 50.0,
        }
    )
    table.categories = {"members": ["industry", "research"], "acceptance": []}
    table.category_labels = {"members": {"industry": "Companies", "research": "Research"}}
    return table


def test_rows_give_every_value_once_with_the_distribution_over_clusters():
    rows = selectors.rows_of(hand_table(), clusters=[1])
    # 2 periods × (total + 2 categories) × (network, North, median, two quartiles) for members,
    # 2 periods × 5 for the rate.
    assert len(rows) == 2 * 3 * 5 + 2 * 5
    found = {(r.indicator, r.scope, r.subject, r.period, r.category): r.value for r in rows}
    assert found[("members", "cluster", "north", "2025", "")] == 4
    assert found[("members", "network", "network", "2025", "")] == 7
    assert found[("members", "network median", "network", "2025", "")] == 3.5
    assert found[("members", "network lower quartile", "network", "2025", "")] == 3.25
    assert found[("members", "network upper quartile", "network", "2025", "")] == 3.75
    assert found[("members", "cluster", "north", "2025", "research")] == 0
    # A rate without a basis has no value, and only North has one to take the median of.
    assert found[("acceptance", "cluster", "north", "2024", "")] is None
    assert found[("acceptance", "network median", "network", "2025", "")] == 50.0
    assert not any(r.subject == "south" for r in rows)


def test_the_workbook_has_numbers_as_numbers_and_a_definitions_sheet():
    table = hand_table()
    rows = selectors.rows_of(table, clusters=[1, 2])
    workbook = load_workbook(io.BytesIO(exports.xlsx_bytes(rows, table.indicators)))
    assert workbook.sheetnames == ["Indicators", "Definitions"]
    sheet = workbook["Indicators"]
    header = [c.value for c in sheet[1]]
    assert header == exports.HEADER and all(c.font.b for c in sheet[1])
    lines = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(lines) == len(rows)
    south = [line for line in lines if line[5] == "south" and line[7] == "2025" and not line[8]]
    assert south[0][0] == "members" and south[0][9] == 3 and isinstance(south[0][9], int | float)
    # A name or definition starting with "=" is text, not a formula.
    assert south[0][6] == "'=South"
    definitions = list(workbook["Definitions"].iter_rows(min_row=2, values_only=True))
    assert [d[0] for d in definitions] == ["members", "acceptance"]
    assert definitions[1][-1] == "'=Share accepted, in per cent."
    assert definitions[0][5].startswith("stock")


def test_the_csv_has_a_header_and_leaves_a_value_without_basis_empty():
    table = hand_table()
    text = "".join(exports.csv_rows(selectors.rows_of(table, clusters=[1])))
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0]) == selectors.ROW_COLUMNS
    assert value(rows, indicator="acceptance", subject="north", period="2024") == ""
    assert value(rows, indicator="members", subject="north", period="2025", category="") == "4"


def test_the_distribution_and_a_clusters_position_are_counted_as_by_hand():
    spread = selectors.distribution([1, 4, 4])
    assert spread is not None
    assert (spread.median, spread.lower, spread.upper) == (4, 2.5, 4)
    assert selectors.position(4, [1, 4, 4]) == selectors.Position(1, 3, "at the median")
    assert selectors.position(1, [1, 4, 4]) == selectors.Position(3, 3, "bottom quarter")
    assert selectors.position(9, [1, 2, 3, 9]).band == "top quarter"
    assert selectors.position(2.8, [1, 2, 3, 9]).band == "above the median"
    assert selectors.position(2.5, [1, 2, 3, 9]).band == "at the median"
    assert selectors.position(None, [1, 2]) is None
    assert selectors.distribution([]) is None


# Charts -------------------------------------------------------------------------------------


def test_a_chart_is_a_stable_described_svg_with_selectable_text_and_a_png():
    def draw() -> charts.Chart:
        return charts.funnel(
            title="Matches by stage reached",
            stages=[("Suggested", 3), ("Introduced", 2), ("Meeting held", 1)],
            name="funnel",
        )

    svg = draw().svg()
    assert svg.startswith('<svg class="icn-chart" role="img" aria-label="Matches by stage')
    label = "Matches by stage reached: Suggested 3, Introduced 2, Meeting held 1."
    assert f"<title>{label}</title>" in svg
    # Text is text (selectable, in the page's font), not glyph outlines.
    assert re.search(r"<text [^>]*>Introduced</text>", svg)
    assert re.search(r"<text [^>]*>2  \(67 %\)</text>", svg)
    assert 'id="funnel-' in svg and "<metadata>" not in svg and "<?xml" not in svg
    # Drawn twice, not from the cache: the same bytes.
    first, second = io.StringIO(), io.StringIO()
    draw().figure.savefig(first, format="svg", metadata={"Date": None})
    draw().figure.savefig(second, format="svg", metadata={"Date": None})
    assert first.getvalue() == second.getvalue()
    assert draw().png(dpi=50).startswith(b"\x89PNG")


def test_charts_escape_the_names_they_show():
    chart = charts.benchmark(
        title="Members",
        bars=[charts.Bar('<script>"x"</script>', 3.0), charts.Bar("B", 1.0)],
        spread=charts.Spread(2.0, 1.5, 2.5),
    )
    svg = chart.svg()
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_a_cluster_dashboard_chart_names_no_other_cluster():
    table = hand_table()
    chart = charts.side_by_side(table, MEMBERS, highlight=1, named=False, name="x")
    assert "North" not in chart.label and "South" not in chart.label
    assert "this cluster 4, 1 of 2 clusters from the highest" in chart.label
    assert "South" not in chart.svg()
    named = charts.side_by_side(table, MEMBERS, highlight=None, named=True, name="y")
    assert "North 4" in named.label and "=South 3" in named.label


def test_a_breakdown_is_stacked_only_where_it_adds_up_to_the_total():
    table = hand_table()
    stacked = charts.over_time(table, MEMBERS, cluster=None, compare=False, name="a")
    assert stacked.kind == "stacked"
    assert "Companies: 2024 4, 2025 6; Research: 2024 1, 2025 1" in stacked.label
    # South's 2 companies and 2 research centres are 3 organisations: drawn as the total.
    total = charts.over_time(table, MEMBERS, cluster=2, compare=False, name="b")
    assert total.label == "Member organisations. Member organisations: 2024 2, 2025 3."
    compared = charts.over_time(table, MEMBERS, cluster=1, compare=True, name="c")
    assert "This cluster: 2024 3, 2025 4; Network median: 2024 2.5, 2025 3.5" in compared.label


# Exports over HTTP ----------------------------------------------------------------------------


def test_the_secretariat_exports_every_cluster_and_the_network_as_csv(counted, secretariat):
    response = download(secretariat, f"/impact/export.csv?{PERIODS}")
    assert response["Content-Type"].startswith("text/csv")
    assert "icn-indicators-network-year-2024-2025.csv" in response["Content-Disposition"]
    rows = csv_of(response)
    assert {r["subject"] for r in rows} >= {"network", "clean", "nordic-edge", "greentech-south"}
    assert (
        value(
            rows, indicator="members", scope="cluster", subject="clean", period="2025", category=""
        )
        == "4"
    )
    assert value(rows, indicator="members", scope="network", period="2025", category="") == "9"
    assert (
        value(rows, indicator="matches", scope="network", period="2025", category="introduced")
        == "2"
    )
    assert (
        value(rows, indicator="matches", scope="network median", period="2025", category="") == "1"
    )
    definitions = {i.key: i.definition for i in INDICATORS}
    assert all(r["definition"] == definitions[r["indicator"]] for r in rows)
    assert {r["indicator"] for r in rows} == set(definitions)


def test_the_workbook_opens_in_a_spreadsheet_with_the_definitions(counted, secretariat):
    response = download(secretariat, f"/impact/export.xlsx?{PERIODS}")
    assert response["Content-Type"] == exports.FORMATS["xlsx"]
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    lines = list(workbook["Indicators"].iter_rows(values_only=True))
    assert list(lines[0]) == exports.HEADER
    clean = [
        line
        for line in lines[1:]
        if line[0] == "members" and line[5] == "clean" and line[7] == "2025" and not line[8]
    ]
    assert clean[0][9] == 4
    keys = [row[0] for row in workbook["Definitions"].iter_rows(min_row=2, values_only=True)]
    assert keys == [i.key for i in INDICATORS]


def test_a_cluster_manager_exports_its_cluster_and_the_distribution_only(counted, cluster_manager):
    rows = csv_of(download(cluster_manager, f"/impact/export.csv?{PERIODS}"))
    assert {r["subject"] for r in rows} == {"network", "clean"}
    assert {r["scope"] for r in rows} == {
        "network",
        "cluster",
        "network median",
        "network lower quartile",
        "network upper quartile",
    }
    text = repr(rows)
    for other in ("Nordic Edge", "nordic-edge", "Greentech South", "greentech-south"):
        assert other not in text
    assert value(rows, indicator="matches", scope="cluster", period="2025", category="") == "3"
    assert (
        value(rows, indicator="members", scope="network median", period="2025", category="") == "4"
    )
    workbook = load_workbook(
        io.BytesIO(
            download(cluster_manager, f"/impact/export.xlsx?{PERIODS}&cluster=clean").content
        )
    )
    assert "nordic-edge" not in repr(list(workbook["Indicators"].values))
    for url in (
        "/impact/export.csv?cluster=nordic-edge",
        "/impact/export.xlsx?cluster=greentech-south",
    ):
        assert client_for(cluster_manager).get(url).status_code == 403


def test_a_member_exports_its_own_organisation(counted, member):
    rows = csv_of(download(member, f"/impact/export.csv?{PERIODS}"))
    assert {(r["scope"], r["subject"]) for r in rows} == {("organisation", "clean-private-org")}
    assert value(rows, indicator="matches", period="2025", category="suggested") == "2"
    assert (
        client_for(member).get("/impact/export.csv?organisation=clean-network-org").status_code
        == 403
    )
    assert client_for(member).get("/impact/export.csv?cluster=clean").status_code == 403


def test_an_export_with_a_wrong_range_is_a_bad_request_saying_why(counted, secretariat):
    response = client_for(secretariat).get("/impact/export.csv?period=year&start=2025&end=2024")
    assert response.status_code == 400
    assert "comes before the first" in response.content.decode()
    assert client_for(secretariat).get("/impact/export.xlsx?period=decade").status_code == 400


def test_a_partner_exports_nothing(counted, partner):
    assert client_for(partner).get("/impact/export.csv").status_code == 403


# The yearly report ----------------------------------------------------------------------------


def _texts(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_the_network_report_has_charts_the_numbers_behind_them_and_the_definitions(
    counted,
    secretariat,
):
    response = download(secretariat, "/impact/report.docx?year=2025")
    assert "icn-activity-report-2025.docx" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    groups = {i.group for i in INDICATORS}
    # A chart per group, the funnel and the clusters side by side.
    assert len(document.inline_shapes) == len(groups) + 2
    assert document.paragraphs[0].text == "Activity report 2025"
    summary = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert summary[0] == ["Indicator", "2025", "2024", "Change"]
    assert ["Member organisations", "9", "8", "+1"] in summary
    assert ["Matches by stage reached", "3", "0", "+3"] in summary
    funnel = next(t for t in document.tables if t.rows[0].cells[0].text == "Stage reached")
    assert [[c.text for c in row.cells] for row in funnel.rows][1:4] == [
        ["Suggested", "3"],
        ["Introduced", "2"],
        ["Meeting held", "1"],
    ]
    text = _texts(document)
    assert "Annex: definitions" in text
    for indicator in INDICATORS:
        assert indicator.definition in text
    assert "Greentech South" in text  # every cluster side by side


def test_a_cluster_manager_reports_on_its_own_cluster_only(counted, cluster_manager):
    response = download(cluster_manager, "/impact/report.docx?year=2025&cluster=clean")
    assert "icn-activity-report-2025-clean.docx" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    groups = {i.group for i in INDICATORS}
    # Over time and against the other clusters for each group, and the funnel.
    assert len(document.inline_shapes) == 2 * len(groups) + 1
    text = _texts(document)
    assert "CLEAN, against the network" in text
    for other in ("Nordic Edge", "Greentech South"):
        assert other not in text
    summary = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert ["Member organisations", "4", "4", "±0", "4", "At the median (rank 1 of 3)"] in summary
    client = client_for(cluster_manager)
    assert client.get("/impact/report.docx?year=2025").status_code == 403
    assert client.get("/impact/report.docx?year=2025&cluster=nordic-edge").status_code == 403


def test_a_report_for_a_wrong_year_goes_back_with_the_reason(counted, secretariat):
    response = client_for(secretariat).get("/impact/report.docx?year=1990", follow=True)
    assert "Yearly report: Choose a year from 2000" in response.content.decode()


def test_the_command_writes_the_same_report(counted, tmp_path: Path):
    output = tmp_path / "clean.docx"
    out = io.StringIO()
    call_command(
        "impact_report", "--year", "2025", "--cluster", "clean", "--output", str(output), stdout=out
    )
    assert "Wrote the 2025 activity report of CLEAN" in out.getvalue()
    document = Document(str(output))
    assert len(document.inline_shapes) > 0
    assert "CLEAN, against the network" in _texts(document)
    call_command(
        "impact_report", "--year", "2025", "--output", str(tmp_path / "n.docx"), stdout=out
    )
    assert "Nordic Edge" in _texts(Document(str(tmp_path / "n.docx")))
    with pytest.raises(CommandError, match="No cluster 'atlantis'"):
        call_command(
            "impact_report", "--year", "2025", "--cluster", "atlantis", "--output", str(output)
        )
    with pytest.raises(CommandError, match="Choose a year"):
        call_command("impact_report", "--year", "1999", "--output", str(output))
