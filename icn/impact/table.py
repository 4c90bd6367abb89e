"""The shape every indicator result takes: values per indicator, cluster, period and category.

Plain Python, shared by the computation (`icn.impact.indicators`) and everything that shows
or exports indicators (dashboards, charts, spreadsheets, the yearly report, the API).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

NETWORK = None  # the cluster key of a network-wide value
TOTAL = ""  # the category key of an indicator's total


@dataclass(frozen=True)
class Indicator:
    """What is counted, in words the board and funders read (the same as docs/indicators.md)."""

    key: str
    name: str
    definition: str
    group: str  # Members, Opportunities, Matches, Passports, Events, Projects, Library
    unit: str = "count"  # count, EUR, percent, rating
    # The categories a value is broken down by (a triple-helix kind, a match stage, a
    # programme...), empty when the indicator has a total only. Categories found in the data
    # are listed in `IndicatorTable.categories`.
    dimension: str = ""
    # A stock (members at the end of the period) or a flow (what happened in the period).
    stock: bool = False


@dataclass(frozen=True)
class Period:
    label: str  # "2025" or "2025-Q3"
    start: date  # first day
    end: date  # the day after the last


@dataclass(frozen=True)
class ClusterRef:
    pk: int
    slug: str
    name: str


Key = tuple[str, int | None, str, str]  # indicator, cluster pk (None: network), period, category


@dataclass
class IndicatorTable:
    indicators: list[Indicator]
    periods: list[Period]
    clusters: list[ClusterRef]
    values: dict[Key, float] = field(default_factory=dict)
    categories: dict[str, list[str]] = field(default_factory=dict)
    # What each category key is called (an indicator key to {category: label}), for
    # categories whose key is a code: "industry" is "Companies", "DK" is "Denmark".
    category_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def indicator(self, key: str) -> Indicator:
        return next(i for i in self.indicators if i.key == key)

    def category_label(self, key: str, category: str) -> str:
        """The words for a category of an indicator (the key itself when it has none)."""
        return self.category_labels.get(key, {}).get(category, category)

    def value(
        self, key: str, cluster: int | None, period: str, category: str = TOTAL
    ) -> float | None:
        """The value, 0 for a count with nothing in it, None where a rate has no basis."""
        found = self.values.get((key, cluster, period, category))
        if found is None and self.indicator(key).unit in ("count", "EUR"):
            return 0.0
        return found

    def series(
        self, key: str, cluster: int | None, category: str = TOTAL
    ) -> list[tuple[str, float | None]]:
        return [(p.label, self.value(key, cluster, p.label, category)) for p in self.periods]

    def cluster_values(self, key: str, period: str, category: str = TOTAL) -> dict[int, float]:
        """Each cluster's value (clusters without a value for a rate are left out)."""
        found = {c.pk: self.value(key, c.pk, period, category) for c in self.clusters}
        return {pk: v for pk, v in found.items() if v is not None}

    def network_median(self, key: str, period: str, category: str = TOTAL) -> float | None:
        """The median over clusters: what "a typical cluster" did."""
        values = list(self.cluster_values(key, period, category).values())
        return statistics.median(values) if values else None
