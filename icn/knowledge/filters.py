"""One filter definition for the library's search: the page and the API parse the same."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, ExtractYear
from ninja import Schema
from pydantic import field_validator

from icn.core.text import clean_filter_value
from icn.knowledge.models import DocumentKind


class DocumentFilter(Schema):
    """Search words and the facets chosen."""

    q: str | None = None
    kind: DocumentKind | None = None
    topic: str | None = None
    cluster: str | None = None
    year: int | None = None
    language: str | None = None

    @field_validator("q", "kind", "topic", "cluster", "year", "language", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return clean_filter_value(value)

    def apply(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The facets chosen (not the words: the index answers those)."""
        if self.kind:
            queryset = queryset.filter(kind=self.kind)
        if self.topic:
            queryset = queryset.filter(
                Q(topics__slug=self.topic) | Q(topics__parent__slug=self.topic)
            ).distinct()
        if self.cluster:
            queryset = queryset.filter(cluster__slug=self.cluster)
        if self.year:
            queryset = with_year(queryset).filter(document_year=self.year)
        if self.language:
            queryset = queryset.filter(language=self.language.lower())
        return queryset


def with_year(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The year a document is filed under: when it was published, else when it was added."""
    return queryset.annotate(
        document_year=Coalesce(ExtractYear("published_on"), ExtractYear("created_at"))
    )
