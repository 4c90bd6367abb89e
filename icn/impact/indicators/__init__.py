"""Indicators computed from the records, never typed in: per cluster, network-wide and per
member organisation, by year or by quarter. Definitions: docs/indicators.md."""

from __future__ import annotations

from icn.impact.indicators.periods import calendar_periods
from icn.impact.indicators.registry import INDICATORS, ORGANISATION_INDICATORS
from icn.impact.indicators.tables import compute, organisation_table

__all__ = [
    "INDICATORS",
    "ORGANISATION_INDICATORS",
    "calendar_periods",
    "compute",
    "organisation_table",
]
