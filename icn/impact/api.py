"""The impact API: the indicators' definitions, and their values as the dashboards show them.

The same selectors as the pages and the exports: the secretariat reads the network and every
cluster, a cluster manager its own cluster(s) with the network's distribution, a member its
organisation's own values. A value row is a row of the CSV export.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from icn.api import READ_ERRORS, errors, paginated, require_user
from icn.impact import selectors
from icn.impact.indicators import INDICATORS

router = Router(tags=["impact"])


class IndicatorOut(Schema):
    key: str
    name: str
    group: str
    unit: str = Field(description="count, EUR, percent or rating")
    dimension: str = Field(description="What the value is broken down by; empty for a total only")
    stock: bool = Field(description="True: the state at the end of a period; False: a flow")
    definition: str


class ValueOut(Schema):
    indicator: str
    indicator_name: str
    group: str
    unit: str
    scope: str = Field(
        description=(
            "network, cluster, organisation, or the network's distribution over clusters: "
            "network median, network lower quartile, network upper quartile"
        )
    )
    subject: str = Field(description="The cluster's or organisation's slug, or network")
    subject_name: str
    period: str = Field(description="2025 or 2025-Q3")
    category: str = Field(description="Empty for the total")
    value: float | None = Field(description="Empty where a rate or a mean has no basis")
    definition: str


class ValueFilter(Schema):
    """Periods as on the dashboards; one cluster or one organisation, else what the caller's
    dashboard shows."""

    period: str = Field("year", pattern="^(year|quarter)$")
    start: int | None = Field(None, ge=1, le=9998, description="First year; five years ago")
    end: int | None = Field(None, ge=1, le=9998, description="Last year; this year by default")
    cluster: str | None = Field(None, pattern=r"^[-a-zA-Z0-9_]+$", max_length=60)
    organisation: str | None = Field(None, pattern=r"^[-a-zA-Z0-9_]+$", max_length=220)


@router.get("/impact/indicators", response=list[IndicatorOut])
def indicator_list(request: HttpRequest) -> Any:
    """Every indicator with its definition, in the order the dashboards show them."""
    return INDICATORS


@router.get("/impact/values", response={200: list[ValueOut], **READ_ERRORS, **errors(403, 422)})
@paginated
def value_list(request: HttpRequest, filters: Query[ValueFilter]) -> Any:
    """Indicator values per cluster (or network, or organisation), period and category."""
    user = require_user(request)
    default = selectors.default_periods()
    try:
        choice = selectors.check_periods(
            period=filters.period,
            start=filters.start if filters.start is not None else default.start,
            end=filters.end if filters.end is not None else default.end,
        )
    except ValidationError as exc:
        # A wrong parameter, named as the other query parameters' errors are.
        raise NinjaValidationError(
            [
                {"loc": ["query", field], "msg": message}
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        ) from exc
    cluster = organisation = None
    if filters.cluster:
        cluster = selectors.cluster_for_viewer(viewer=user, slug=filters.cluster)
    if filters.organisation:
        organisation = selectors.organisation_for_viewer(viewer=user, slug=filters.organisation)
    rows, _, _ = selectors.viewer_rows(
        viewer=user, choice=choice, cluster=cluster, organisation=organisation
    )
    return [row.as_dict() for row in rows]
