"""One filter definition for the organisation and people lists: pages and API parse the same."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from ninja import Schema
from pydantic import field_validator

from icn.core.text import clean_filter_value
from icn.directory.models import OrganisationKind


class OrganisationFilter(Schema):
    """Filters of the organisation list, for the page's form and the API's query parameters."""

    q: str | None = None
    kind: OrganisationKind | None = None
    country: str | None = None
    cluster: str | None = None
    topic: str | None = None
    visibility: str | None = None

    @field_validator("q", "country", "cluster", "topic", "visibility", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return clean_filter_value(value)

    @field_validator("kind", mode="before")
    @classmethod
    def _blank_kind(cls, value: Any) -> Any:
        return None if value in ("", None) else value

    def apply(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.q:
            for word in self.q.split()[:8]:
                queryset = queryset.filter(
                    Q(name__icontains=word)
                    | Q(description__icontains=word)
                    | Q(city__icontains=word)
                    | Q(topics__name__icontains=word)
                ).distinct()
        if self.kind:
            queryset = queryset.filter(kind=self.kind)
        if self.country:
            queryset = queryset.filter(country=self.country.upper())
        if self.cluster:
            queryset = queryset.filter(clusters__slug=self.cluster)
        if self.topic:
            queryset = queryset.filter(
                Q(topics__slug=self.topic) | Q(topics__parent__slug=self.topic)
            ).distinct()
        if self.visibility:
            queryset = queryset.filter(visibility=self.visibility)
        return queryset


class PersonFilter(Schema):
    """Filters of the people list."""

    q: str | None = None
    organisation: str | None = None
    cluster: str | None = None
    topic: str | None = None
    key_contact: bool | None = None

    @field_validator("q", "organisation", "cluster", "topic", "key_contact", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return clean_filter_value(value)

    def apply(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.q:
            for word in self.q.split()[:8]:
                queryset = queryset.filter(
                    Q(name__icontains=word)
                    | Q(job_title__icontains=word)
                    | Q(organisation__name__icontains=word)
                )
        if self.organisation:
            queryset = queryset.filter(organisation__slug=self.organisation)
        if self.cluster:
            queryset = queryset.filter(organisation__clusters__slug=self.cluster).distinct()
        if self.topic:
            queryset = queryset.filter(topics__slug=self.topic).distinct()
        if self.key_contact is not None:
            queryset = queryset.filter(key_contact_for__isnull=not self.key_contact).distinct()
        return queryset
