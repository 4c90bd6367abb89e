"""Calendar periods, years or quarters, in the platform's time zone (settings.TIME_ZONE).

The period a record falls in is numbered in SQL by comparing its timestamp with the
periods' boundaries, given as instants: no date function of the database is needed, so
SQLite and PostgreSQL agree, and a record at 00:30 on 1 April in Copenhagen is in the second
quarter whatever the time is in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Case, Expression, IntegerField, Q, Value, When
from django.utils import timezone

from icn.impact.table import Period

YEAR, QUARTER = "year", "quarter"
PERIODS = (YEAR, QUARTER)
BEFORE = "before"  # the label of records older than the first period (the opening stock)


def calendar_periods(period: str, start: int, end: int) -> list[Period]:
    """Every year, or every quarter, from `start` to `end` (years, both included)."""
    if period not in PERIODS:
        raise ValueError(f"Unknown period: {period!r}. Use {' or '.join(PERIODS)}.")
    if start > end:
        raise ValueError(f"The first year ({start}) is after the last ({end}).")
    if start < 1 or end > 9998:
        raise ValueError("Years run from 1 to 9998.")
    found: list[Period] = []
    for year in range(start, end + 1):
        if period == YEAR:
            found.append(Period(str(year), date(year, 1, 1), date(year + 1, 1, 1)))
            continue
        for quarter in range(4):
            first = date(year, 3 * quarter + 1, 1)
            after = date(year + 1, 1, 1) if quarter == 3 else date(year, 3 * quarter + 4, 1)
            found.append(Period(f"{year}-Q{quarter + 1}", first, after))
    return found


def instant(day: date) -> datetime:
    """Midnight at the start of `day` in the platform's time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


@dataclass(frozen=True)
class Window:
    """The periods asked for, and how to tell in SQL which one a timestamp falls in."""

    periods: tuple[Period, ...]

    @property
    def starts_at(self) -> datetime:
        return instant(self.periods[0].start)

    @property
    def ends_at(self) -> datetime:
        return instant(self.periods[-1].end)

    @property
    def labels(self) -> list[str]:
        return [p.label for p in self.periods]

    def within(self, field: str, *, history: bool) -> Q:
        """Records dated in the window; with `history`, also every record before it."""
        inside = Q(**{f"{field}__lt": self.ends_at})
        return inside if history else inside & Q(**{f"{field}__gte": self.starts_at})

    def number(self, field: str) -> Expression:
        """The number of the period `field` falls in: 1 for the first, 0 before the window,
        one more than the periods after it. Numbers sort faster than labels in a large
        GROUP BY; the boundaries are searched by halves (five comparisons for twenty
        quarters)."""
        # Numbers up to n are those before bounds[n].
        bounds = [self.starts_at, *(instant(p.end) for p in self.periods)]

        def search(low: int, high: int) -> Expression:
            if low == high:
                return Value(low, output_field=IntegerField())
            middle = (low + high) // 2
            return Case(
                When(Q(**{f"{field}__lt": bounds[middle]}), then=search(low, middle)),
                default=search(middle + 1, high),
                output_field=IntegerField(),
            )

        return search(0, len(bounds))

    def label(self, number: int) -> str:
        """The label of a period number (BEFORE for 0, "" after the window)."""
        if number == 0:
            return BEFORE
        return self.periods[number - 1].label if number <= len(self.periods) else ""
