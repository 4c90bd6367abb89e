"""Values as people read them, the network's distribution over clusters, a cluster's position
in it, and the rows exports and the API give."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from icn.directory.models import Organisation
from icn.impact.table import TOTAL, Indicator, IndicatorTable


@dataclass(frozen=True)
class Distribution:
    """How the clusters' values spread: median and quartiles ("the middle half")."""

    count: int
    median: float
    lower: float  # lower quartile
    upper: float  # upper quartile
    minimum: float
    maximum: float


def distribution(values: Iterable[float]) -> Distribution | None:
    found = sorted(values)
    if not found:
        return None
    if len(found) == 1:
        lower = upper = found[0]
    else:
        # "inclusive": quartiles between the smallest and largest values actually seen.
        lower, _, upper = statistics.quantiles(found, n=4, method="inclusive")
    return Distribution(
        count=len(found),
        median=statistics.median(found),
        lower=lower,
        upper=upper,
        minimum=found[0],
        maximum=found[-1],
    )


@dataclass(frozen=True)
class Position:
    """Where one cluster stands among the network's clusters on one indicator."""

    rank: int  # 1 is the highest value; clusters with the same value share a rank
    of: int
    band: str  # top quarter, above the median, at the median, below the median, bottom quarter

    @property
    def label(self) -> str:
        return f"{self.band.capitalize()} (rank {self.rank} of {self.of})"

    @property
    def tone(self) -> str:
        """One word for the band: top, above, at, below, bottom."""
        return self.band.split()[0]


def position(value: float | None, values: Iterable[float]) -> Position | None:
    found = list(values)
    spread = distribution(found)
    if value is None or spread is None:
        return None
    rank = 1 + sum(1 for other in found if other > value)
    if value > spread.upper:
        band = "top quarter"
    elif value < spread.lower:
        band = "bottom quarter"
    elif value > spread.median:
        band = "above the median"
    elif value < spread.median:
        band = "below the median"
    else:
        band = "at the median"
    return Position(rank=rank, of=len(found), band=band)


# Rows: what exports and the API give -------------------------------------------------------

NETWORK_SCOPE = "network"
CLUSTER_SCOPE = "cluster"
ORGANISATION_SCOPE = "organisation"
MEDIAN_SCOPE = "network median"
LOWER_SCOPE = "network lower quartile"
UPPER_SCOPE = "network upper quartile"

ROW_COLUMNS = [
    "indicator",
    "indicator_name",
    "group",
    "unit",
    "scope",
    "subject",
    "subject_name",
    "period",
    "category",
    "value",
    "definition",
]


@dataclass(frozen=True)
class Row:
    """One value: an indicator, for the network, a cluster or an organisation, in a period,
    for a category (empty: the total), with the indicator's definition."""

    indicator: str
    indicator_name: str
    group: str
    unit: str
    scope: str
    subject: str
    subject_name: str
    period: str
    category: str
    value: float | None
    definition: str

    def as_list(self) -> list[Any]:
        return [getattr(self, column) for column in ROW_COLUMNS]

    def as_dict(self) -> dict[str, Any]:
        return {column: getattr(self, column) for column in ROW_COLUMNS}


def _plain(value: float | None) -> float | None:
    """A whole number as an integer, so a count reads 4 rather than 4.0 in a spreadsheet."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _categories(table: IndicatorTable, indicator: Indicator) -> list[str]:
    return [TOTAL, *table.categories.get(indicator.key, [])] if indicator.dimension else [TOTAL]


def rows_of(
    table: IndicatorTable,
    *,
    clusters: Iterable[int] | None = None,
    network: bool = True,
    spread: bool = True,
    organisation: Organisation | None = None,
) -> list[Row]:
    """The table as rows: network values, the named clusters' values, and the distribution
    over all clusters (median and quartiles), per indicator, period and category. With an
    organisation, the table is that organisation's and its values are its own."""
    wanted = set(clusters or ())
    named = [c for c in table.clusters if c.pk in wanted]
    rows: list[Row] = []

    def add(
        indicator: Indicator,
        scope: str,
        subject: str,
        name: str,
        period: str,
        category: str,
        value: float | None,
    ) -> None:
        rows.append(
            Row(
                indicator=indicator.key,
                indicator_name=indicator.name,
                group=indicator.group,
                unit=indicator.unit,
                scope=scope,
                subject=subject,
                subject_name=name,
                period=period,
                category=category,
                value=_plain(value),
                definition=indicator.definition,
            )
        )

    for indicator in table.indicators:
        for category in _categories(table, indicator):
            for period in table.periods:
                label = period.label
                if organisation is not None:
                    add(
                        indicator,
                        ORGANISATION_SCOPE,
                        organisation.slug,
                        organisation.name,
                        label,
                        category,
                        table.value(indicator.key, None, label, category),
                    )
                    continue
                if network:
                    add(
                        indicator,
                        NETWORK_SCOPE,
                        NETWORK_SCOPE,
                        "The network",
                        label,
                        category,
                        table.value(indicator.key, None, label, category),
                    )
                for cluster in named:
                    add(
                        indicator,
                        CLUSTER_SCOPE,
                        cluster.slug,
                        cluster.name,
                        label,
                        category,
                        table.value(indicator.key, cluster.pk, label, category),
                    )
                if spread:
                    found = distribution(
                        table.cluster_values(indicator.key, label, category).values()
                    )
                    for scope, value in (
                        (MEDIAN_SCOPE, found.median if found else None),
                        (LOWER_SCOPE, found.lower if found else None),
                        (UPPER_SCOPE, found.upper if found else None),
                    ):
                        add(
                            indicator,
                            scope,
                            NETWORK_SCOPE,
                            "The network's clusters",
                            label,
                            category,
                            value,
                        )
    return rows


def format_value(value: float | None, unit: str = "count") -> str:
    """A value as people read it: 1,234 · 12.5 % · 4.2 · 150,000 EUR · — when there is none."""
    if value is None:
        return "—"
    if unit == "percent":
        return f"{value:,.1f} %"
    if unit == "rating":
        return f"{value:,.1f}"
    if unit == "EUR":
        return f"{value:,.0f} EUR"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"
