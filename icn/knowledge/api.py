"""The library API: thin adapters over the same selectors (reads) and services (writes)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from icn.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    Pagination,
    Slug,
    by_slug,
    get_or_404,
    require_user,
    viewer,
)
from icn.core.visibility import Visibility
from icn.directory.models import Cluster, Organisation, Topic
from icn.knowledge import selectors, services
from icn.knowledge.filters import DocumentFilter
from icn.knowledge.models import Collection, DocumentKind, KnowledgeDocument

router = Router(tags=["library"])


class VersionOut(Schema):
    number: int
    name: str
    url: str
    content_type: str
    size: int
    extraction_status: str
    extraction_error: str
    extracted_at: datetime | None
    created_at: datetime


class DocumentOut(Schema):
    slug: str
    title: str
    summary: str
    authors: str
    kind: str
    language: str
    licence: str
    published_on: date | None
    year: int
    visibility: str
    organisation: str | None
    cluster: str | None
    topics: list[str]
    sdgs: list[str]
    versions: list[VersionOut]

    @staticmethod
    def resolve_organisation(obj: KnowledgeDocument) -> str | None:
        return obj.organisation.slug if obj.organisation else None

    @staticmethod
    def resolve_cluster(obj: KnowledgeDocument) -> str | None:
        return obj.cluster.slug if obj.cluster else None

    @staticmethod
    def resolve_topics(obj: KnowledgeDocument) -> list[str]:
        return [t.slug for t in obj.topics.all()]

    @staticmethod
    def resolve_sdgs(obj: KnowledgeDocument) -> list[str]:
        return [t.slug for t in obj.sdgs.all()]

    @staticmethod
    def resolve_versions(obj: KnowledgeDocument) -> list[Any]:
        return sorted(obj.versions.all(), key=lambda v: -v.number)


class HitOut(Schema):
    document: DocumentOut
    score: float | None
    passages: list[str]


class FacetOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    count: int
    items: list[HitOut]
    facets: dict[str, list[FacetOut]]


class DocumentIn(Schema):
    title: str
    kind: DocumentKind
    summary: str = ""
    authors: str = ""
    organisation: str | None = None
    cluster: str | None = None
    topics: list[str] = []
    sdgs: list[str] = []
    language: str = "en"
    licence: str = ""
    published_on: date | None = None
    visibility: Visibility = Visibility.NETWORK
    url: str = ""


class DocumentPatch(Schema):
    title: str | None = None
    kind: DocumentKind | None = None
    summary: str | None = None
    authors: str | None = None
    topics: list[str] | None = None
    sdgs: list[str] | None = None
    language: str | None = None
    licence: str | None = None
    published_on: date | None = None
    visibility: Visibility | None = None


class DocumentSuggestionOut(Schema):
    summary: str
    topics: list[str]
    sdgs: list[str]


class CollectionIn(Schema):
    title: str
    description: str = ""
    cluster: str | None = None
    visibility: Visibility = Visibility.NETWORK
    documents: list[str] = []


class CollectionOut(Schema):
    slug: str
    title: str
    description: str
    cluster: str | None
    visibility: str
    documents: list[str]


def _document(user: Any, slug: str) -> KnowledgeDocument:
    document = selectors.document_for_viewer(viewer=user, slug=slug)
    if document is None:
        raise Http404
    return document


def _relations(user: Any, fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("organisation") is not None:
        fields["organisation"] = by_slug(
            Organisation.objects.visible_to(user),
            [fields["organisation"]],
            "organisation",
            "organisation",
        )[0]
    if fields.get("cluster") is not None:
        fields["cluster"] = by_slug(
            Cluster.objects.all(), [fields["cluster"]], "cluster", "cluster"
        )[0]
    for name in ("topics", "sdgs"):
        if fields.get(name) is not None:
            fields[name] = by_slug(Topic.objects.all(), fields[name], name, "topic")
    return fields


def _written(pk: int) -> KnowledgeDocument:
    # The writer sees what it wrote, even when its visibility now hides it from the writer.
    queryset = KnowledgeDocument.objects.select_related("organisation", "cluster")
    return get_or_404(queryset.prefetch_related("topics", "sdgs", "versions"), pk=pk)


@router.get("/library/documents", response={200: SearchOut, **READ_ERRORS})
def document_search(
    request: HttpRequest, filters: Query[DocumentFilter], page: Query[Pagination.Input]
) -> Any:
    """Documents the caller may see; with `q`, by keyword and meaning together, each with
    the passages that matched; facets count what was found. `count` is every hit, `items`
    the `limit` from `offset` on."""
    result = selectors.document_search(viewer=viewer(request), filters=filters)
    items = result.hits[page.offset : page.offset + page.limit]
    return {"count": len(result.hits), "items": items, "facets": result.facets}


@router.get("/library/documents/{slug}", response={200: DocumentOut, **READ_ERRORS})
def document_detail(request: HttpRequest, slug: Slug) -> Any:
    return _document(viewer(request), slug)


@router.get("/library/documents/{slug}/similar", response={200: list[HitOut], **READ_ERRORS})
def document_similar(request: HttpRequest, slug: Slug) -> Any:
    """More like this: documents the caller may see that read most like this one."""
    user = viewer(request)
    return selectors.more_like_this(viewer=user, document=_document(user, slug))


@router.get(
    "/library/documents/{slug}/suggestions", response={200: DocumentSuggestionOut, **WRITE_ERRORS}
)
def document_suggestions(request: HttpRequest, slug: Slug) -> Any:
    """A summary from the current version's text, and topics and SDGs the matching engine
    suggests, for the author to confirm (by saving them)."""
    user = require_user(request)
    suggestions = services.suggestions_for(_document(user, slug))
    return {
        "summary": suggestions.summary,
        "topics": [t.slug for t in suggestions.topics],
        "sdgs": [t.slug for t in suggestions.sdgs],
    }


@router.post("/library/documents", response={201: DocumentOut, **WRITE_ERRORS})
def document_create(
    request: HttpRequest, payload: Form[DocumentIn], file: File[UploadedFile | None] = None
) -> Any:
    """A document from a multipart form: its description with a file, or with `url`."""
    user = require_user(request)
    fields = _relations(user, payload.model_dump())
    document = services.document_create(actor=user, upload=file, **fields)
    return Status(201, _written(document.pk))


@router.patch("/library/documents/{slug}", response={200: DocumentOut, **WRITE_ERRORS})
def document_update(request: HttpRequest, slug: Slug, payload: DocumentPatch) -> Any:
    user = require_user(request)
    document = _document(user, slug)
    fields = _relations(user, payload.model_dump(exclude_unset=True))
    services.document_update(actor=user, document=document, **fields)
    return _written(document.pk)


@router.delete("/library/documents/{slug}", response={204: None, **WRITE_ERRORS})
def document_delete(request: HttpRequest, slug: Slug) -> Any:
    user = require_user(request)
    services.document_delete(actor=user, document=_document(user, slug))
    return Status(204, None)


@router.post("/library/documents/{slug}/versions", response={201: VersionOut, **WRITE_ERRORS})
def version_add(
    request: HttpRequest,
    slug: Slug,
    url: Form[str] = "",
    file: File[UploadedFile | None] = None,
) -> Any:
    """A new version (a file or a link); earlier versions are kept."""
    user = require_user(request)
    version = services.version_add(actor=user, document=_document(user, slug), upload=file, url=url)
    return Status(201, version)


def _collection_out(collection: Collection, user: Any) -> dict[str, Any]:
    documents = selectors.collection_documents(viewer=user, collection=collection)
    return {
        "slug": collection.slug,
        "title": collection.title,
        "description": collection.description,
        "cluster": collection.cluster.slug if collection.cluster else None,
        "visibility": collection.visibility,
        "documents": [d.slug for d in documents],
    }


@router.get("/library/collections", response={200: list[CollectionOut], **READ_ERRORS})
def collection_list(request: HttpRequest) -> Any:
    user = viewer(request)
    return [_collection_out(c, user) for c in selectors.collection_list(viewer=user)[:500]]


@router.get("/library/collections/{slug}", response={200: CollectionOut, **READ_ERRORS})
def collection_detail(request: HttpRequest, slug: Slug) -> Any:
    user = viewer(request)
    return _collection_out(get_or_404(selectors.collection_list(viewer=user), slug=slug), user)


@router.post("/library/collections", response={201: CollectionOut, **WRITE_ERRORS})
def collection_create(request: HttpRequest, payload: CollectionIn) -> Any:
    """Cluster managers curate for their clusters, the secretariat for the network; the
    documents are listed in the order given."""
    user = require_user(request)
    fields = payload.model_dump()
    slugs = fields.pop("documents")
    if fields.get("cluster") is not None:
        fields["cluster"] = by_slug(
            Cluster.objects.all(), [fields["cluster"]], "cluster", "cluster"
        )[0]
    collection = services.collection_create(actor=user, **fields)
    documents = by_slug(KnowledgeDocument.objects.visible_to(user), slugs, "documents", "document")
    services.collection_set_documents(actor=user, collection=collection, documents=documents)
    return Status(201, _collection_out(collection, user))


@router.put("/library/collections/{slug}/documents", response={200: CollectionOut, **WRITE_ERRORS})
def collection_set_documents(request: HttpRequest, slug: Slug, documents: list[str]) -> Any:
    """Replace the collection's documents, in the order given."""
    user = require_user(request)
    collection = get_or_404(selectors.collection_list(viewer=user), slug=slug)
    chosen = by_slug(KnowledgeDocument.objects.visible_to(user), documents, "documents", "document")
    services.collection_set_documents(actor=user, collection=collection, documents=chosen)
    return _collection_out(collection, user)


@router.delete("/library/collections/{slug}", response={204: None, **WRITE_ERRORS})
def collection_delete(request: HttpRequest, slug: Slug) -> Any:
    user = require_user(request)
    collection = get_or_404(selectors.collection_list(viewer=user), slug=slug)
    services.collection_delete(actor=user, collection=collection)
    return Status(204, None)
