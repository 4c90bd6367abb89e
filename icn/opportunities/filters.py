"""One filter definition for the opportunity list: the page and the API parse the same."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from ninja import Schema
from pydantic import field_validator

from icn.core.text import clean_filter_value
from icn.opportunities.models import OpportunityKind
from icn.opportunities.search import search

Sort = Literal["relevance", "deadline", "newest"]


class OpportunityFilter(Schema):
    """Filters and sorting of the opportunity list."""

    q: str | None = None
    kind: OpportunityKind | None = None
    topic: str | None = None
    country: str | None = None
    cluster: str | None = None
    deadline_after: date | None = None
    deadline_before: date | None = None
    include_closed: bool = False
    sort: Sort | None = None

    @field_validator(
        "q",
        "kind",
        "topic",
        "country",
        "cluster",
        "deadline_after",
        "deadline_before",
        "sort",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return clean_filter_value(value)

    @field_validator("deadline_after", "deadline_before")
    @classmethod
    def _plausible_date(cls, value: date | None) -> date | None:
        # Dates of the year 1 cannot be turned into UTC; nobody means them anyway.
        if value is not None and value.year < 1900:
            raise ValueError("Give a date from the year 1900 on.")
        return value

    @field_validator("include_closed", mode="before")
    @classmethod
    def _blank_is_false(cls, value: Any) -> Any:
        return clean_filter_value(value) or False

    def as_query(self) -> dict[str, Any]:
        """The filters that are set, as a saved search keeps them."""
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items() if v}

    def apply(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.include_closed:
            queryset = queryset.filter(status="published").filter(
                Q(deadline__isnull=True) | Q(deadline__gte=timezone.now())
            )
        if self.kind:
            queryset = queryset.filter(kind=self.kind)
        if self.topic:
            queryset = queryset.filter(
                Q(topics__slug=self.topic) | Q(topics__parent__slug=self.topic)
            ).distinct()
        if self.country:
            queryset = queryset.filter(country=self.country.upper())
        if self.cluster:
            queryset = queryset.filter(
                Q(cluster__slug=self.cluster)
                | Q(author_organisation__clusters__slug=self.cluster)
                | Q(reshares__cluster__slug=self.cluster)
            ).distinct()
        tz = timezone.get_current_timezone()
        if self.deadline_after:
            start = datetime.combine(self.deadline_after, time.min, tzinfo=tz)
            queryset = queryset.filter(deadline__gte=start)
        if self.deadline_before:
            end = datetime.combine(self.deadline_before, time.max, tzinfo=tz)
            queryset = queryset.filter(deadline__lte=end)
        if self.q:
            queryset = search(queryset, self.q)
        return queryset.order_by(*self.ordering())

    def ordering(self) -> list[Any]:
        sort = self.sort or ("relevance" if self.q else "newest")
        if sort == "relevance" and self.q:
            return ["-search_rank", "-published_at", "pk"]
        if sort == "deadline":
            return [F("deadline").asc(nulls_last=True), "pk"]
        return [F("published_at").desc(nulls_last=True), "-created_at", "pk"]
