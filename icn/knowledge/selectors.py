"""Reads of the library that depend on who is asking: lists, search with facets, similar."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Prefetch, QuerySet

from icn.core.visibility import get_scope
from icn.directory.models import Topic
from icn.knowledge.filters import DocumentFilter, with_year
from icn.knowledge.models import Collection, DocumentKind, DocumentVersion, KnowledgeDocument
from icn.matching.index import get_index

SEARCH_DEPTH = 200
# Cosine similarity a document must reach to be found by meaning alone.
SEMANTIC_MIN = 0.35
SIMILAR = 5


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class DocumentHit:
    """A document found, with the passages of its text that matched."""

    document: KnowledgeDocument
    score: float | None = None
    passages: list[str] = field(default_factory=list)


@dataclass
class SearchPage:
    hits: list[DocumentHit]
    facets: dict[str, list[FacetValue]]


def _detailed(queryset: QuerySet[KnowledgeDocument]) -> QuerySet[KnowledgeDocument]:
    versions = DocumentVersion.objects.defer("text").order_by("-number")
    return queryset.select_related("organisation", "cluster").prefetch_related(
        "topics", "sdgs", Prefetch("versions", queryset=versions)
    )


def document_list(*, viewer: Any) -> QuerySet[KnowledgeDocument]:
    return _detailed(KnowledgeDocument.objects.visible_to(viewer))


def template_list(*, viewer: Any) -> QuerySet[KnowledgeDocument]:
    """Templates the viewer may use to seed an application's sections (those with a file)."""
    return (
        KnowledgeDocument.objects.visible_to(viewer)
        .filter(kind=DocumentKind.TEMPLATE, versions__file__gt="")
        .distinct()
        .order_by("title")
    )


def document_for_viewer(*, viewer: Any, slug: str) -> KnowledgeDocument | None:
    return document_list(viewer=viewer).filter(slug=slug).first()


def _similarity(a: Any, b: Any) -> float:
    if b is None:
        return 0.0
    a, b = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm else 0.0


def _without_title(passages: list[str], title: str) -> list[str]:
    return [p for p in passages if p.strip(" .") != title.strip(" .") and len(p.split()) > 2]


def document_search(*, viewer: Any, filters: DocumentFilter) -> SearchPage:
    """Documents the viewer may see, by keyword and meaning together when words are given,
    with the passages that matched and facet counts over what was found."""
    visible = KnowledgeDocument.objects.visible_to(viewer)
    if filters.q:
        allowed = list(visible.values_list("pk", flat=True))
        index = get_index("documents")
        query = index.embedder.encode([filters.q])[0]
        found = index.search(filters.q, k=SEARCH_DEPTH, allowed=allowed, vector=query)
        # The dense side ranks every document and fused scores are relative, so a hit that
        # shares no word must also be close in meaning by itself.
        found = [
            h
            for h in found
            if h.bm25_rank is not None
            or _similarity(query, index.engine.vector(h.doc_id)) >= SEMANTIC_MIN
        ]
        order = {int(hit.doc_id): hit for hit in found}
        matched = visible.filter(pk__in=list(order))
    else:
        order = {}
        matched = visible
    facets = _facets(matched)
    rows = list(_detailed(filters.apply(matched)))
    if filters.q:
        hits = [
            DocumentHit(
                document=row,
                score=order[row.pk].score,
                passages=_without_title(list(order[row.pk].passages), row.title),
            )
            for row in rows
        ]
        hits.sort(key=lambda h: -(h.score or 0.0))
    else:
        hits = [DocumentHit(document=row) for row in rows]
    return SearchPage(hits=hits, facets=facets)


def _facets(queryset: QuerySet[KnowledgeDocument]) -> dict[str, list[FacetValue]]:
    """How many of the documents found fall under each kind, topic, cluster, year, language."""
    kinds = Counter(queryset.values_list("kind", flat=True))
    languages = Counter(queryset.values_list("language", flat=True))
    years = Counter(with_year(queryset).values_list("document_year", flat=True))
    clusters = Counter(
        queryset.exclude(cluster=None).values_list("cluster__slug", "cluster__short_name")
    )
    topics = Counter(
        Topic.objects.filter(library_documents__in=queryset.values("pk")).values_list(
            "slug", "name"
        )
    )
    labels = dict(DocumentKind.choices)
    return {
        "kind": [FacetValue(k, labels.get(k, k), n) for k, n in kinds.most_common()],
        "topic": [FacetValue(s, name, n) for (s, name), n in topics.most_common()],
        "cluster": [FacetValue(s, name, n) for (s, name), n in clusters.most_common()],
        "year": [FacetValue(str(y), str(y), n) for y, n in sorted(years.items(), reverse=True)],
        "language": [FacetValue(c, c, n) for c, n in languages.most_common()],
    }


def more_like_this(
    *, viewer: Any, document: KnowledgeDocument, k: int = SIMILAR
) -> list[DocumentHit]:
    """Documents the viewer may see that read most like this one."""
    index = get_index("documents")
    vector = index.vector(document.pk)
    allowed = list(
        KnowledgeDocument.objects.visible_to(viewer)
        .exclude(pk=document.pk)
        .values_list("pk", flat=True)
    )
    if vector is None or not allowed:
        return []
    text = index.texts.get(document.pk, document.title)
    hits = index.search(text[:2000], k=k, allowed=allowed, vector=vector)
    rows = {
        row.pk: row
        for row in _detailed(KnowledgeDocument.objects.filter(pk__in=[int(h.doc_id) for h in hits]))
    }
    return [
        DocumentHit(document=rows[int(h.doc_id)], score=h.score)
        for h in hits
        if int(h.doc_id) in rows
    ]


def collection_list(*, viewer: Any) -> QuerySet[Collection]:
    return Collection.objects.visible_to(viewer).select_related("cluster")


def may_curate_any(*, viewer: Any) -> bool:
    """Cluster managers curate for their clusters, the secretariat for the network."""
    scope = get_scope(viewer)
    return scope.is_secretariat or bool(scope.managed_cluster_ids)


def collections_to_add(*, viewer: Any, document: KnowledgeDocument) -> QuerySet[Collection]:
    """The collections the viewer curates that do not hold the document yet."""
    return (
        Collection.objects.editable_by(viewer)
        .exclude(items__document=document)
        .select_related("cluster")
        .order_by("title")
    )


def collection_documents(*, viewer: Any, collection: Collection) -> list[KnowledgeDocument]:
    """The collection's documents in order, those the viewer may not see left out."""
    visible = KnowledgeDocument.objects.visible_to(viewer)
    items = collection.items.filter(document__in=visible.values("pk")).select_related(
        "document", "document__organisation"
    )
    return [item.document for item in items]
