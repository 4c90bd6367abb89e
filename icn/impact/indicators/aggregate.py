"""Counting a source's records per cluster (or for the network, or one organisation), period
and category, in grouped queries: one or two per source, whatever the clusters and periods.

A record may reach the same cluster twice (a match between two members of one cluster, a
consortium with two partners in it) and must count once; a grant added twice would be
wrong. Two ways, by where the source's routes start:

- At the record itself (an opportunity's cluster, an event's host cluster): the query lists
  (cluster, item, period, category, numbers) rows for all routes (a UNION ALL) and groups
  them, counting distinct items; rows whose numbers are added up are made distinct first (a
  UNION). The network is counted by a second query without routes.
- At the record's owner (a match step's match, an application event's application, a
  download's document): the records are first added up per owner and period; each owner is
  joined to its clusters once (the pairs, each pair once) and the owners' subtotals are
  added up per cluster, and for the network, in one statement. Where the owner is the item
  counted (a match), it counts once per period however many of its steps fall in it.

Where no row can repeat (routes that never meet, no two many-valued steps, the record
itself counted) rows are counted as they are. Django has no GROUP BY over a compound query
or a subquery, so the grouping is written here around the SQL Django generates for the rows.

A source's records must not be filtered through a many-valued relation (use Exists): that
would repeat them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, IntegerField, Model, Q, QuerySet, Value

from icn.impact.indicators.periods import Window
from icn.impact.indicators.sources import Route, Source

KEY = "impact_key"
OWNER = "impact_owner"
ITEM = "impact_item"
PERIOD = "impact_period"
CATEGORY = "impact_category"
NETWORK_KEY = 0  # the key of network-wide rows (no cluster has pk 0)


@dataclass
class Tally:
    """How many items, and the sums of the source's numbers over them."""

    n: int = 0
    sums: dict[str, float] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        self.n += other.n
        for name, value in other.sums.items():
            self.sums[name] = self.sums.get(name, 0.0) + value


Group = tuple[int, str, str]  # key (cluster or organisation pk, NETWORK_KEY), period, category


@dataclass
class Tallies:
    """A source counted: per group, and (for overlapping categories) distinct items per
    key and period."""

    groups: dict[Group, Tally] = field(default_factory=dict)
    totals: dict[tuple[int, str], int] = field(default_factory=dict)


@contextmanager
def reading() -> Iterator[None]:
    """Where a computation's queries run. On PostgreSQL, in one transaction without JIT
    compilation: on these queries it costs more than it saves (a second on the matches,
    for a query of less than one, on 20 clusters and 50,000 organisations). SQLite needs no
    transaction, and would lock writers out for the time of one (IMMEDIATE)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _value(name: str) -> str:
    return f"impact_v_{name}"


def _sql(queryset: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def _compound(parts: list[QuerySet[Any]], *, distinct: bool) -> QuerySet[Any]:
    """The parts' rows together; with `distinct`, each row once (UNION, not UNION ALL)."""
    if len(parts) > 1:
        return parts[0].union(*parts[1:], all=not distinct)
    return parts[0].distinct() if distinct else parts[0]


def _rows(source: Source, records: QuerySet[Any], key: Any, window: Window) -> QuerySet[Any]:
    """The source's records as (key, item, period, category, numbers) rows."""
    columns: dict[str, Any] = {
        KEY: key,
        ITEM: F(source.item),
        PERIOD: window.number(source.date),
        CATEGORY: _category(source),
    }
    for name, expression in source.values:
        columns[_value(name)] = expression()
    return records.annotate(**columns).values(*columns).order_by()


def _category(source: Source) -> Any:
    if callable(source.category):
        return source.category()
    return F(source.category) if source.category else Value("")


def _reaches(route: Route, keys: Sequence[int] | None) -> Q:
    """The route's condition, and that it leads to one of `keys` (None: anywhere)."""
    if keys is None:
        return route.when & Q(**{f"{route.path}__isnull": False})
    return route.when & Q(**{f"{route.path}__in": keys})


def _many_valued_steps(model: type[Model], path: str) -> int:
    """How many steps of `path` lead to many records (a many-to-many or a reverse key)."""
    steps = 0
    for name in path.split("__"):
        relation = model._meta.get_field(name)
        if relation.many_to_many or relation.one_to_many:
            steps += 1
        if relation.related_model is None:
            break
        model = relation.related_model  # type: ignore[assignment]
    return steps


def _routes_meet(source: Source, model: type[Model], routes: Sequence[Route]) -> bool:
    """Whether one record may reach the same key twice: by two routes that may meet, or
    by two many-valued steps (two partners of one consortium in one cluster)."""
    if len(routes) > 1 and not source.disjoint:
        return True
    return any(_many_valued_steps(model, route.path) > 1 for route in routes)


@dataclass(frozen=True)
class Rows:
    """SQL listing a source's (key, item, period, category, numbers) rows."""

    sql: str
    params: list[Any]
    distinct_items: bool  # an item may be in several rows of a group: COUNT(DISTINCT item)


def _network_rows(source: Source, records: QuerySet[Any], window: Window) -> Rows:
    rows = _rows(source, records, Value(NETWORK_KEY, output_field=IntegerField()), window)
    if source.item == "pk":
        return Rows(*_sql(rows), distinct_items=False)
    if source.values:
        return Rows(*_sql(rows.distinct()), distinct_items=False)
    return Rows(*_sql(rows), distinct_items=True)


def _direct_rows(
    source: Source,
    records: QuerySet[Any],
    window: Window,
    routes: Sequence[Route],
    keys: Sequence[int] | None,
) -> Rows:
    """Rows of records whose routes to the keys start at the record itself. The route's
    condition and the key filter go in one filter() so that they, and the key itself, use
    the same join through a many-valued relation."""
    parts = [
        _rows(source, records.filter(_reaches(route, keys)), F(route.path), window)
        for route in routes
    ]
    repeats = source.item != "pk" or _routes_meet(source, records.model, routes)
    # Items are counted with COUNT(DISTINCT), which is cheap; numbers to add up need each
    # row once, so those rows are made distinct first.
    distinct = repeats and bool(source.values)
    sql, params = _sql(_compound(parts, distinct=distinct))
    return Rows(sql, params, distinct_items=repeats and not distinct)


def _count_by_owner(
    cursor: Any,
    q: Callable[[str], str],
    source: Source,
    records: QuerySet[Any],
    window: Window,
    routes: Sequence[Route],
    keys: Sequence[int] | None,
    *,
    network: bool,
) -> Tallies:
    """Count records whose routes start at their owner (a match's steps, an application's
    history, a document's downloads). The records are first added up per owner, period and
    category; each owner is joined to its keys once (the pairs, each pair once); then the
    owners' subtotals are added up per key, and, with `network`, on their own for the
    network, in the same statement. The item counted is the record itself or its owner (a
    match, counted once however many of its steps fall in the period)."""
    model = records.model._meta.get_field(source.owner).related_model
    assert model is not None and not isinstance(model, str), source.owner
    assert routes or network
    per_record = source.item == "pk"
    assert per_record or source.item == f"{source.owner}_id", source.item
    pairs = [
        model._default_manager.filter(_reaches(route, keys))
        .annotate(**{OWNER: F("pk"), KEY: F(route.path)})
        .values(OWNER, KEY)
        .order_by()
        for route in routes
    ]
    pairs_sql, pairs_params = (
        _sql(_compound(pairs, distinct=_routes_meet(source, model, routes))) if pairs else ("", [])
    )
    if keys is not None:
        # One organisation, or a few clusters: only their owners' records are added up
        # (the network then has a statement of its own).
        assert not network
        reaching = reduce(or_, (_reaches(route, keys) for route in routes))
        owners = model._default_manager.filter(reaching).values("pk")
        records = records.filter(**{f"{source.owner}__in": owners})
    records_sql, records_params = _sql(_rows(source, records, F(source.owner), window))
    owner, period, category = q(KEY), q(PERIOD), q(CATEGORY)
    names = [name for name, _ in source.values]
    # One flag per category where an owner (a match) may be in several in one period.
    known = (
        [code for code, _ in source.dimension.choices]
        if source.overlapping and source.dimension is not None and not per_record
        else []
    )
    if known:
        flags = [f"impact_f{n}" for n in range(len(known))]
        per_owner = ", ".join(
            f"MAX(CASE WHEN {category} = %s THEN 1 ELSE 0 END) AS {flag}" for flag in flags
        )
        group = [period]
        subtotal = f"SELECT {owner}, {period}, {per_owner} FROM ({records_sql}) r"
        subtotal_params = [*known, *records_params]  # in the order they appear
        added = ["COUNT(*)", *(f"SUM(s.{flag})" for flag in flags)]
    else:
        # An owner counted as the item counts once per group, with its own numbers.
        add = "SUM" if per_record else "MAX"
        numbers = "".join(f", {add}({q(_value(n))}) AS {q(_value(n))}" for n in names)
        group = [period, category]
        subtotal = (
            f"SELECT {owner}, {period}, {category}, "
            f"{'COUNT(*)' if per_record else '1'} AS impact_n{numbers} FROM ({records_sql}) r"
        )
        subtotal_params = records_params
        added = ["SUM(s.impact_n)", *(f"SUM(s.{q(_value(n))})" for n in names)]
    grouped = ", ".join(f"s.{column}" for column in group)
    selects = []
    if pairs:
        selects.append(
            # SQLite takes CROSS JOIN as the order: the subtotals, each looking up its
            # owner's keys; PostgreSQL plans it as any join.
            f"SELECT p.{q(KEY)}, {grouped}, {', '.join(added)} FROM impact_subtotals s "
            f"CROSS JOIN ({pairs_sql}) p WHERE p.{q(OWNER)} = s.{owner} "
            f"GROUP BY p.{q(KEY)}, {grouped}"
        )
    if network:
        selects.append(
            f"SELECT {NETWORK_KEY}, {grouped}, {', '.join(added)} "
            f"FROM impact_subtotals s GROUP BY {grouped}"
        )
    cursor.execute(
        f"WITH impact_subtotals AS ({subtotal} GROUP BY {owner}, {', '.join(group)}) "
        + " UNION ALL ".join(selects),
        [*subtotal_params, *pairs_params],
    )
    if not known:
        return _tallies(cursor.fetchall(), window, names)
    found = Tallies()
    for key, number, total, *counts in cursor.fetchall():
        label = window.label(int(number))
        found.totals[(int(key), label)] = int(total)
        for code, n in zip(known, counts, strict=True):
            if n:
                found.groups.setdefault((int(key), label, code), Tally()).add(Tally(int(n)))
    return found


def tally(
    source: Source,
    window: Window,
    *,
    routes: Sequence[Route] = (),
    keys: Sequence[int] | None = None,
    network: bool = False,
) -> Tallies:
    """Count `source` per key, period and category: by `routes` for the given cluster (or
    organisation) pks (None: every one the routes lead to), and with `network` network-wide
    (under NETWORK_KEY), counted on its own. One statement for the routes and one for the
    network, or one for both where the records are added up per owner for every key."""
    # Distinct totals of items in several categories are counted per owner (the item).
    assert not source.overlapping or source.owner, source.name
    records = source.records().filter(window.within(source.date, history=source.history))
    connection = connections[records.db]
    q = connection.ops.quote_name
    found = Tallies()
    with connection.cursor() as cursor:
        from_owner = [not route.at_record for route in routes]
        assert all(from_owner) or not any(from_owner), source.name
        if routes and source.owner and all(from_owner):
            if keys is None:
                return _count_by_owner(
                    cursor, q, source, records, window, routes, keys, network=network
                )
            found = _count_by_owner(cursor, q, source, records, window, routes, keys, network=False)
            if network:
                everything = _count_by_owner(
                    cursor, q, source, records, window, (), None, network=True
                )
                found.groups.update(everything.groups)
                found.totals.update(everything.totals)
            return found
        chosen = [_direct_rows(source, records, window, routes, keys)] if routes else []
        if network:
            chosen.append(_network_rows(source, records, window))
        for rows in chosen:
            found.groups.update(_count(cursor, q, source, window, rows).groups)
    return found


def _count(
    cursor: Any, q: Callable[[str], str], source: Source, window: Window, rows: Rows
) -> Tallies:
    """Items (and the sums of their numbers) per key, period and category."""
    key, period, category = q(KEY), q(PERIOD), q(CATEGORY)
    count = f"COUNT(DISTINCT {q(ITEM)})" if rows.distinct_items else "COUNT(*)"
    names = [name for name, _ in source.values]
    sums = "".join(f", SUM({q(_value(name))})" for name in names)
    cursor.execute(
        f"WITH impact_rows AS ({rows.sql}) SELECT {key}, {period}, {category}, {count}{sums} "
        f"FROM impact_rows GROUP BY {key}, {period}, {category}",
        rows.params,
    )
    return _tallies(cursor.fetchall(), window, names)


def _tallies(fetched: list[Any], window: Window, names: list[str]) -> Tallies:
    """(key, period number, category, items, sums...) rows, one per group, as tallies."""
    found = Tallies()
    labels: dict[int, str] = {}
    for key, number, raw, n, *values in fetched:
        label = labels.get(number)
        if label is None:
            label = labels[number] = window.label(int(number))
        sums = {name: float(v or 0) for name, v in zip(names, values, strict=True)} if names else {}
        found.groups[(int(key), label, "" if raw is None else str(raw))] = Tally(int(n), sums)
    return found
