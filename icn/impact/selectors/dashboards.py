"""What each dashboard shows, computed for one viewer: the network's, a cluster's against the
network, an organisation's own; and the rows a viewer may export."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

from icn.core.geo import MAP_HEIGHT, MAP_WIDTH, land_path, project, spread_labels
from icn.directory.models import Cluster, ClusterStatus, Organisation
from icn.impact.indicators import compute
from icn.impact.indicators import organisation_table as compute_for_organisation
from icn.impact.selectors.access import (
    access_for,
    landing_for,
    organisation_for_viewer,
    require_network,
)
from icn.impact.selectors.periods import PeriodChoice
from icn.impact.selectors.values import (
    Distribution,
    Position,
    Row,
    distribution,
    format_value,
    position,
    rows_of,
)
from icn.impact.table import ClusterRef, Indicator, IndicatorTable
from icn.matching.models import STAGES, MatchStatus

# The indicator the network map sizes its clusters by, and the one the funnel draws.
MAP_INDICATOR = "members"
FUNNEL_INDICATOR = "matches"
MAX_SHOWN_CATEGORIES = 8


@dataclass(frozen=True)
class Cell:
    """A value and how it is shown."""

    value: float | None
    unit: str = "count"

    @property
    def text(self) -> str:
        return format_value(self.value, self.unit)

    @property
    def number(self) -> str:
        """Without the currency, for tables whose header names it."""
        if self.unit == "EUR" and self.value is not None:
            return f"{self.value:,.0f}"
        return self.text

    def __str__(self) -> str:
        return self.text


@dataclass
class CategoryLine:
    key: str
    label: str
    values: list[Cell]
    periods: list[str] = field(default_factory=list)

    @property
    def by_period(self) -> list[tuple[str, Cell]]:
        return list(zip(self.periods, self.values, strict=True))


@dataclass
class Line:
    """One indicator on a dashboard: the subject's value per period, and how it compares."""

    indicator: Indicator
    values: list[Cell]
    periods: list[str] = field(default_factory=list)
    categories: list[CategoryLine] = field(default_factory=list)
    # The network's distribution over clusters in the latest period (cluster dashboards).
    spread: Distribution | None = None
    position: Position | None = None
    # Each named cluster's value in the latest period (the network dashboard).
    clusters: list[Cell] = field(default_factory=list)
    network: Cell | None = None

    @property
    def latest(self) -> Cell:
        return self.values[-1]

    @property
    def by_period(self) -> list[tuple[str, Cell]]:
        return list(zip(self.periods, self.values, strict=True))

    @property
    def shown_categories(self) -> list[CategoryLine]:
        """The breakdown shown on a page: a long one (countries) is left to the exports."""
        return self.categories if len(self.categories) <= MAX_SHOWN_CATEGORIES else []

    @property
    def previous(self) -> Cell | None:
        return self.values[-2] if len(self.values) > 1 else None

    @property
    def change(self) -> str:
        """The change from the period before: +12, −3, ±0 (empty without a value to compare)."""
        before = self.previous
        if before is None or before.value is None or self.latest.value is None:
            return ""
        delta = self.latest.value - before.value
        if not delta:
            return "±0"
        unit = self.indicator.unit
        shown = (
            f"{abs(delta):,.1f}"
            if unit in ("percent", "rating")
            else format_value(abs(delta), unit)
        )
        return ("+" if delta > 0 else "−") + shown

    def cell(self, value: float | None) -> Cell:
        return Cell(value, self.indicator.unit)

    @property
    def median(self) -> Cell | None:
        return self.cell(self.spread.median) if self.spread else None

    @property
    def quartiles(self) -> str:
        if self.spread is None:
            return "—"
        unit = self.indicator.unit
        return f"{format_value(self.spread.lower, unit)} – {format_value(self.spread.upper, unit)}"


@dataclass
class Group:
    """The indicators of one group (Members, Matches...), the first of them drawn."""

    name: str
    lines: list[Line]
    # Filled in by `charts.draw`: the lead indicator over time, and the clusters side by side.
    chart: Any = None
    benchmark: Any = None

    @property
    def lead(self) -> Line:
        return self.lines[0]

    @property
    def slug(self) -> str:
        return self.name.lower().replace(" ", "-")


@dataclass
class FunnelStage:
    status: str
    label: str
    count: int


@dataclass
class MapMarker:
    cluster: ClusterRef
    x: float
    y: float
    radius: float
    value: Cell
    labelled: bool = False

    @property
    def label_x(self) -> float:
        return round(self.x + self.radius + 3, 1)


@dataclass
class Dashboard:
    """What one dashboard shows, for one viewer and periods."""

    kind: str  # network, cluster, organisation
    title: str
    choice: PeriodChoice
    table: IndicatorTable
    groups: list[Group]
    subject: Any = None  # the Cluster or Organisation, None for the network
    named_clusters: list[ClusterRef] = field(default_factory=list)
    funnel: list[FunnelStage] = field(default_factory=list)
    markers: list[MapMarker] = field(default_factory=list)
    # Filled in by `charts.draw`.
    funnel_chart: Any = None

    @property
    def periods(self) -> list[str]:
        return [p.label for p in self.table.periods]

    @property
    def latest(self) -> str:
        return self.periods[-1]

    @property
    def headlines(self) -> list[Line]:
        return [group.lead for group in self.groups]

    @property
    def indicators(self) -> list[Indicator]:
        return self.table.indicators

    @property
    def cluster_id(self) -> int | None:
        return self.subject.pk if self.kind == "cluster" else None

    @property
    def standing(self) -> list[tuple[str, list[Line]]]:
        """A cluster's indicators by where it stands: top quarter, above the median, ..."""
        bands = ["top quarter", "above the median", "at the median", "below the median"]
        found: dict[str, list[Line]] = {band: [] for band in [*bands, "bottom quarter"]}
        for group in self.groups:
            for line in group.lines:
                if line.position is not None:
                    found[line.position.band].append(line)
        return list(found.items())

    @property
    def funnel_total(self) -> int:
        return self.funnel[0].count if self.funnel else 0

    @property
    def map_size(self) -> tuple[int, int]:
        return MAP_WIDTH, MAP_HEIGHT

    @property
    def land(self) -> str:
        return land_path()


def _line(
    table: IndicatorTable, indicator: Indicator, cluster: int | None, *, compare: bool
) -> Line:
    key, unit, latest = indicator.key, indicator.unit, table.periods[-1].label
    periods = [p.label for p in table.periods]
    line = Line(
        indicator=indicator,
        values=[Cell(v, unit) for _, v in table.series(key, cluster)],
        periods=periods,
        categories=[
            CategoryLine(
                category,
                table.category_label(key, category),
                [Cell(v, unit) for _, v in table.series(key, cluster, category)],
                periods,
            )
            for category in table.categories.get(key, [])
        ],
    )
    if compare:
        others = table.cluster_values(key, latest)
        line.spread = distribution(others.values())
        if cluster is not None:
            line.position = position(table.value(key, cluster, latest), others.values())
    return line


def _groups(
    table: IndicatorTable, cluster: int | None, *, compare: bool, named: list[ClusterRef]
) -> list[Group]:
    groups: dict[str, list[Line]] = {}
    latest = table.periods[-1].label
    for indicator in table.indicators:
        line = _line(table, indicator, cluster, compare=compare)
        if named:
            line.clusters = [line.cell(table.value(indicator.key, c.pk, latest)) for c in named]
            line.network = line.cell(table.value(indicator.key, None, latest))
        groups.setdefault(indicator.group, []).append(line)
    return [Group(name, lines) for name, lines in groups.items()]


def _funnel(table: IndicatorTable, cluster: int | None) -> list[FunnelStage]:
    """Matches that reached each stage in the periods, every stage shown, in order."""
    if FUNNEL_INDICATOR not in {i.key for i in table.indicators}:
        return []
    return [
        FunnelStage(
            str(stage),
            MatchStatus(stage).label,
            round(
                sum(
                    table.value(FUNNEL_INDICATOR, cluster, p.label, str(stage)) or 0
                    for p in table.periods
                )
            ),
        )
        for stage in STAGES
    ]


def _markers(table: IndicatorTable) -> list[MapMarker]:
    """Clusters on the world map, each circle's area proportional to its members."""
    if MAP_INDICATOR not in {i.key for i in table.indicators}:
        return []
    unit = table.indicator(MAP_INDICATOR).unit
    latest = table.periods[-1].label
    places: dict[int, tuple[float, float]] = {}
    for pk, latitude, longitude in Cluster.objects.filter(
        pk__in=[c.pk for c in table.clusters]
    ).values_list("pk", "latitude", "longitude"):
        if latitude is not None and longitude is not None:
            places[pk] = (latitude, longitude)
    values = {c.pk: table.value(MAP_INDICATOR, c.pk, latest) or 0.0 for c in table.clusters}
    largest = max(values.values(), default=0.0) or 1.0
    markers = []
    # Largest first, so smaller circles are drawn on top and stay clickable.
    for cluster in sorted(table.clusters, key=lambda c: -values[c.pk]):
        if cluster.pk not in places:
            continue
        latitude, longitude = places[cluster.pk]
        x, y = project(longitude, latitude)
        radius = round(3 + 13 * (values[cluster.pk] / largest) ** 0.5, 1)
        markers.append(MapMarker(cluster, x, y, radius, Cell(values[cluster.pk], unit)))
    shown = spread_labels([(m.x + m.radius, m.y) for m in markers])
    for marker, labelled in zip(markers, shown, strict=True):
        marker.labelled = labelled
    return markers


def _compute(choice: PeriodChoice, clusters: Iterable[int] | None = None) -> IndicatorTable:
    return compute(period=choice.period, start=choice.start, end=choice.end, clusters=clusters)


def _with_member_clusters(shown: Iterable[int]) -> list[int] | None:
    """Every member cluster (the network's distribution), and those shown if they are not
    members (any more); None when that is just the member clusters."""
    extra = set(shown)
    if not extra:
        return None
    pks = set(Cluster.objects.filter(status=ClusterStatus.MEMBER).values_list("pk", flat=True))
    return None if extra <= pks else sorted(pks | extra)


def network_table(*, viewer: Any, choice: PeriodChoice) -> IndicatorTable:
    require_network(viewer=viewer)
    return _compute(choice)


def network_dashboard(*, viewer: Any, choice: PeriodChoice) -> Dashboard:
    """The whole network: its totals, every cluster by name side by side, the map."""
    table = network_table(viewer=viewer, choice=choice)
    return Dashboard(
        kind="network",
        title="The network",
        choice=choice,
        table=table,
        groups=_groups(table, None, compare=True, named=table.clusters),
        named_clusters=table.clusters,
        funnel=_funnel(table, None),
        markers=_markers(table),
    )


def cluster_table(*, viewer: Any, cluster: Cluster, choice: PeriodChoice) -> IndicatorTable:
    if not access_for(viewer).may_see_cluster(cluster.pk):
        raise PermissionDenied("A cluster's figures are for its managers and the secretariat.")
    return _compute(choice, _with_member_clusters([cluster.pk]))


def cluster_dashboard(*, viewer: Any, cluster: Cluster, choice: PeriodChoice) -> Dashboard:
    """One cluster against the network's distribution; the other clusters are not named."""
    table = cluster_table(viewer=viewer, cluster=cluster, choice=choice)
    return Dashboard(
        kind="cluster",
        title=cluster.name,
        choice=choice,
        table=table,
        groups=_groups(table, cluster.pk, compare=True, named=[]),
        subject=cluster,
        funnel=_funnel(table, cluster.pk),
    )


def organisation_table(
    *, viewer: Any, organisation: Organisation, choice: PeriodChoice
) -> IndicatorTable:
    if not access_for(viewer).may_see_organisation(organisation):
        raise PermissionDenied("An organisation's figures are for its own people.")
    return compute_for_organisation(
        organisation_id=organisation.pk, period=choice.period, start=choice.start, end=choice.end
    )


def organisation_dashboard(
    *, viewer: Any, organisation: Organisation, choice: PeriodChoice
) -> Dashboard:
    """One member organisation's own matches, passports, events, projects and shares."""
    table = organisation_table(viewer=viewer, organisation=organisation, choice=choice)
    return Dashboard(
        kind="organisation",
        title=organisation.name,
        choice=choice,
        table=table,
        groups=_groups(table, None, compare=False, named=[]),
        subject=organisation,
        funnel=_funnel(table, None),
    )


def viewer_rows(
    *,
    viewer: Any,
    choice: PeriodChoice,
    cluster: Cluster | None = None,
    organisation: Organisation | None = None,
) -> tuple[list[Row], list[Indicator], str]:
    """The rows a viewer may export, the indicators they use, and a name for the file.

    One organisation's own values, or one cluster's with the network's distribution, when
    asked for. Otherwise what the viewer's dashboard shows: for the secretariat the network
    and every cluster; for a cluster manager its own clusters and the network's distribution;
    for a member its organisation's own values."""
    if organisation is not None:
        table = organisation_table(viewer=viewer, organisation=organisation, choice=choice)
        return rows_of(table, organisation=organisation), table.indicators, organisation.slug
    if cluster is not None:
        table = cluster_table(viewer=viewer, cluster=cluster, choice=choice)
        return rows_of(table, clusters=[cluster.pk]), table.indicators, cluster.slug
    landing = landing_for(viewer=viewer)
    if landing.kind == "organisation":
        found = organisation_for_viewer(viewer=viewer, slug=landing.slug)
        return viewer_rows(viewer=viewer, choice=choice, organisation=found)
    access = access_for(viewer)
    if access.whole_network:
        table = _compute(choice)
        return rows_of(table, clusters=[c.pk for c in table.clusters]), table.indicators, "network"
    table = _compute(choice, _with_member_clusters(access.cluster_ids))
    subject = "clusters" if len(access.cluster_ids) > 1 else landing.slug
    return rows_of(table, clusters=access.cluster_ids), table.indicators, subject
