"""Computing indicators from the records: for clusters and the whole network, or for one
member organisation, by year or by quarter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from icn.directory.models import Cluster, ClusterStatus, Organisation
from icn.impact.indicators.aggregate import NETWORK_KEY, Tallies, reading, tally
from icn.impact.indicators.periods import BEFORE, Window, calendar_periods
from icn.impact.indicators.registry import (
    COUNT,
    INDICATORS,
    MEAN,
    MEASURES,
    ORGANISATION_INDICATORS,
    STOCK,
    SUM,
    Measure,
)
from icn.impact.indicators.sources import SOURCES
from icn.impact.table import TOTAL, ClusterRef, Indicator, IndicatorTable


def compute(
    *,
    period: str = "year",
    start: int,
    end: int,
    clusters: Iterable[int] | None = None,
    keys: Iterable[str] | None = None,
) -> IndicatorTable:
    """Every indicator asked for (by default all of them), for each cluster asked for (by
    default every member cluster) and network-wide, for each year or quarter from `start` to
    `end`. Network-wide values are counted on their own: an organisation in two clusters,
    or a match between two clusters, counts once."""
    indicators = _chosen(INDICATORS, keys)
    window = Window(tuple(calendar_periods(period, start, end)))
    refs, every = _cluster_refs(clusters)
    table = IndicatorTable(indicators=indicators, periods=list(window.periods), clusters=refs)
    owners: dict[int, int | None] = {NETWORK_KEY: None, **{ref.pk: ref.pk for ref in refs}}
    # For a few clusters, their memberships are the quick way to their records; for most of
    # the network, reading the records is (and other clusters' rows are left out after).
    asked = [ref.pk for ref in refs] if 2 * len(refs) <= every else None
    with reading():
        for name, measured in _by_source(indicators).items():
            source = SOURCES[name]
            routes = source.clusters if refs else ()
            found = tally(source, window, routes=routes, keys=asked, network=True)
            for indicator, measure in measured:
                _fill(table, indicator, measure, found, owners)
    return table


def organisation_table(
    *, organisation_id: int, period: str = "year", start: int, end: int
) -> IndicatorTable:
    """What one member organisation produced: the matches it is a party to by stage, its
    passports, the events it attended and its meetings there, the applications it led or
    took part in, what it shared and its library documents. Values under cluster None."""
    if not Organisation.objects.filter(pk=organisation_id).exists():
        raise Organisation.DoesNotExist(f"No organisation {organisation_id}.")
    indicators = list(ORGANISATION_INDICATORS)
    window = Window(tuple(calendar_periods(period, start, end)))
    table = IndicatorTable(indicators=indicators, periods=list(window.periods), clusters=[])
    with reading():
        for name, measured in _by_source(indicators).items():
            source = SOURCES[name]
            found = tally(source, window, routes=source.organisations, keys=[organisation_id])
            for indicator, measure in measured:
                _fill(table, indicator, measure, found, {organisation_id: None})
    return table


def _chosen(registry: list[Indicator], keys: Iterable[str] | None) -> list[Indicator]:
    if keys is None:
        return list(registry)
    wanted = set(keys)
    unknown = wanted - {indicator.key for indicator in registry}
    if unknown:
        raise ValueError(f"Unknown indicator(s): {', '.join(sorted(unknown))}.")
    return [indicator for indicator in registry if indicator.key in wanted]


def _cluster_refs(clusters: Iterable[int] | None) -> tuple[list[ClusterRef], int]:
    """The clusters asked for (by default the member clusters), and how many there are."""
    every = list(
        Cluster.objects.order_by("name", "pk").values_list(
            "pk", "slug", "short_name", "name", "status"
        )
    )
    wanted = None if clusters is None else set(clusters)
    refs = [
        ClusterRef(pk=pk, slug=slug, name=short or name)
        for pk, slug, short, name, status in every
        if (status == ClusterStatus.MEMBER if wanted is None else pk in wanted)
    ]
    missing = (wanted or set()) - {ref.pk for ref in refs}
    if missing:
        raise ValueError(f"Unknown cluster(s): {', '.join(map(str, sorted(missing)))}.")
    return refs, len(every)


def _by_source(indicators: Sequence[Indicator]) -> dict[str, list[tuple[Indicator, Measure]]]:
    """The indicators grouped by the source they come from: each source is counted once."""
    grouped: dict[str, list[tuple[Indicator, Measure]]] = defaultdict(list)
    for indicator in indicators:
        measure = MEASURES[indicator.key]
        grouped[measure.source].append((indicator, measure))
    return grouped


def _value(measure: Measure, n: int, total: float) -> float | None:
    """A count or a sum (0 when nothing was found), a mean or a rate (None without a basis),
    from `n` items and the `total` of the measure's value over them."""
    if measure.how in (COUNT, STOCK):
        return float(n)
    if measure.how == SUM:
        return total
    if n == 0:
        return None
    return total / n if measure.how == MEAN else 100.0 * total / n


Cell = tuple[int, str, str]  # owner, period, category


def _cells(
    measure: Measure, found: Tallies, owners: dict[int, int | None]
) -> tuple[dict[Cell, int], dict[Cell, float]]:
    """Items and the sums of the measure's value per owner, period and category (the
    total, "", being the sum of the categories)."""
    items: dict[Cell, int] = defaultdict(int)
    sums: dict[Cell, float] = defaultdict(float)
    categories: dict[str, str] = {}  # raw value: category key
    for (owner, period, raw), counted in found.groups.items():
        if owner not in owners:
            continue
        key = categories.get(raw)
        if key is None:
            key = categories[raw] = measure.category(raw)
        total = counted.sums.get(measure.value, 0.0) if measure.value else 0.0
        for cell in (
            ((owner, period, key), (owner, period, TOTAL)) if key else ((owner, period, TOTAL),)
        ):
            items[cell] += counted.n
            sums[cell] += total
    if measure.of.overlapping:
        # An item in two categories is one item: the total counts distinct items.
        for (owner, period), n in found.totals.items():
            if (owner, period, TOTAL) in items:
                items[(owner, period, TOTAL)] = n
    return items, sums


def _fill(
    table: IndicatorTable,
    indicator: Indicator,
    measure: Measure,
    found: Tallies,
    owners: dict[int, int | None],
) -> None:
    """Put one indicator's values, for every owner (cluster, network or organisation),
    period and category, into the table."""
    items, sums = _cells(measure, found, owners)
    labels = [p.label for p in table.periods]
    if measure.how == STOCK:
        items, sums = _stock(items, labels), {}
    shown = set(labels)
    seen: set[str] = set()
    zero_is_a_value = indicator.unit not in ("count", "EUR")  # table.value gives 0 for these
    for (owner, period, category), n in items.items():
        if period not in shown:
            continue
        value = _value(measure, n, sums.get((owner, period, category), 0.0))
        if value is None or (value == 0 and not zero_is_a_value):
            continue
        table.values[(indicator.key, owners[owner], period, category)] = value
        seen.add(category)
    dimension = measure.dimension
    found_categories = dimension.order(c for c in seen if c != TOTAL) if dimension else []
    table.categories[indicator.key] = found_categories
    if dimension is not None:
        table.category_labels[indicator.key] = {c: dimension.label(c) for c in found_categories}


def _stock(added: dict[Cell, int], labels: list[str]) -> dict[Cell, int]:
    """What exists at the end of each period: what was added before the first period and
    in every period up to it."""
    stock: dict[Cell, int] = {}
    for owner, category in {(owner, category) for owner, _, category in added}:
        n = added.get((owner, BEFORE, category), 0)
        for label in labels:
            n += added.get((owner, label, category), 0)
            stock[(owner, label, category)] = n
    return stock
