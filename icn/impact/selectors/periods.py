"""The periods a dashboard, an export or the API shows: years or quarters, from one year to
another, and what makes a range wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

PERIODS = [("year", "Years"), ("quarter", "Quarters")]
EARLIEST_YEAR = 2000
# Longer ranges make charts nobody can read and tables nobody scrolls.
MAX_YEARS = {"year": 20, "quarter": 10}
DEFAULT_YEARS = 5


def this_year() -> int:
    return timezone.localdate().year


@dataclass(frozen=True)
class PeriodChoice:
    """The periods a dashboard, an export or the API shows: years or quarters, from–to."""

    period: str
    start: int
    end: int

    def as_query(self) -> dict[str, str]:
        return {"period": self.period, "start": str(self.start), "end": str(self.end)}

    @property
    def years(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}–{self.end}"

    @property
    def description(self) -> str:
        return f"By {'year' if self.period == 'year' else 'quarter'}, {self.years}"


def default_periods(today: date | None = None) -> PeriodChoice:
    """The last five years, up to this one."""
    year = (today or timezone.localdate()).year
    return PeriodChoice("year", year - DEFAULT_YEARS + 1, year)


def check_periods(*, period: str, start: int, end: int) -> PeriodChoice:
    """The periods asked for, or a ValidationError naming the field and what is wrong."""
    errors: dict[str, list[str]] = {}
    if period not in dict(PERIODS):
        errors["period"] = ["Choose years or quarters."]
    latest = this_year()
    for name, year in (("start", start), ("end", end)):
        if year < EARLIEST_YEAR or year > latest:
            errors.setdefault(name, []).append(
                f"Choose a year from {EARLIEST_YEAR} to {latest}; {year} is outside it."
            )
    if not errors and start > end:
        errors["end"] = [f"The last year ({end}) comes before the first ({start})."]
    if not errors and end - start + 1 > MAX_YEARS[period]:
        unit = "years" if period == "year" else "quarters"
        errors["start"] = [
            f"Show at most {MAX_YEARS[period]} years by {unit.rstrip('s')}; "
            f"{start}–{end} is {end - start + 1} years."
        ]
    if errors:
        raise ValidationError(errors)
    return PeriodChoice(period, start, end)
