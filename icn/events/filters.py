"""One filter definition for the event list: the page and the API parse the same."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Q, QuerySet
from ninja import Schema
from pydantic import field_validator

from icn.core.text import clean_filter_value
from icn.events.models import EventKind

When = Literal["upcoming", "past", "all"]


class EventFilter(Schema):
    """Filters of the event list: upcoming events by default."""

    q: str | None = None
    kind: EventKind | None = None
    cluster: str | None = None
    when: When = "upcoming"

    @field_validator("q", "kind", "cluster", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return clean_filter_value(value)

    @field_validator("when", mode="before")
    @classmethod
    def _blank_is_upcoming(cls, value: Any) -> Any:
        return clean_filter_value(value) or "upcoming"

    def apply(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.when == "upcoming":
            queryset = queryset.upcoming().order_by("starts_at", "pk")  # type: ignore[attr-defined]
        elif self.when == "past":
            queryset = queryset.past().order_by("-starts_at", "-pk")  # type: ignore[attr-defined]
        else:
            queryset = queryset.order_by("-starts_at", "-pk")
        if self.kind:
            queryset = queryset.filter(kind=self.kind)
        if self.cluster:
            queryset = queryset.filter(host_cluster__slug=self.cluster)
        if self.q:
            words = Q()
            for word in self.q.split():
                words &= (
                    Q(title__icontains=word)
                    | Q(summary__icontains=word)
                    | Q(city__icontains=word)
                    | Q(venue__icontains=word)
                )
            queryset = queryset.filter(words)
        return queryset
