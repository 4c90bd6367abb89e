"""The library's pages: search, a document with its versions, upload, collections, the feed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from icn.core.forms import apply_errors
from icn.core.htmx import is_htmx
from icn.core.pages import form_page
from icn.core.pagination import paginate, query_without_page
from icn.core.visibility import can_change
from icn.knowledge import feeds, selectors, services
from icn.knowledge.forms import DocumentForm, SearchForm, VersionForm
from icn.knowledge.models import DocumentVersion, KnowledgeDocument

FEED_CONTENT_TYPE = "application/atom+xml; charset=utf-8"


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    filters = form.to_filter()
    result = selectors.document_search(viewer=request.user, filters=filters)
    context = {
        "form": form,
        "filters": filters,
        "page": paginate(request, result.hits),
        "facets": result.facets,
        "query": query_without_page(request),
    }
    template = "library/partials/results.html" if is_htmx(request) else "library/search.html"
    return render(request, template, context)


def _visible(request: HttpRequest, slug: str) -> KnowledgeDocument:
    document = selectors.document_for_viewer(viewer=request.user, slug=slug)
    if document is None:
        raise Http404
    return document


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    document = _visible(request, slug)
    context = {
        "document": document,
        "versions": list(document.versions.all()),
        "can_change": can_change(request.user, document),
        "similar": selectors.more_like_this(viewer=request.user, document=document),
        "version_form": VersionForm(),
    }
    return render(request, "library/detail.html", context)


def download(request: HttpRequest, slug: str, number: int) -> HttpResponseBase:
    document = _visible(request, slug)
    version = get_object_or_404(DocumentVersion, document=document, number=number)
    if version.url:
        return HttpResponseRedirect(version.url)
    return FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.name,
        content_type=version.content_type or "application/octet-stream",
    )


def _save_document(request: HttpRequest, data: dict[str, Any]) -> KnowledgeDocument:
    return services.document_create(
        actor=request.user,
        upload=data.pop("file", None),
        url=data.pop("url", "") or "",
        **data,
    )


@login_required
def create(request: HttpRequest) -> HttpResponse:
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user)
    return form_page(
        request,
        form,
        save=lambda data: _save_document(request, data),
        success="Document added. Its text is being read.",
        title="Add a document",
        back=reverse("library:search"),
        template="library/form.html",
    )


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    document = _visible(request, slug)
    if not can_change(request.user, document):
        raise PermissionDenied
    form = DocumentForm(request.POST or None, instance=document, user=request.user, creating=False)
    return form_page(
        request,
        form,
        save=lambda data: services.document_update(actor=request.user, document=document, **data),
        success="Document saved.",
        title=f"Edit {document.title}",
        back=document.get_absolute_url(),
        template="library/form.html",
    )


@login_required
@require_POST
def version_add(request: HttpRequest, slug: str) -> HttpResponse:
    document = _visible(request, slug)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.version_add(
                actor=request.user,
                document=document,
                upload=form.cleaned_data.get("file"),
                url=form.cleaned_data.get("url") or "",
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "New version added. Its text is being read.")
            return redirect(document.get_absolute_url())
    for errors in form.errors.values():
        for error_text in errors:
            messages.error(request, str(error_text))
    return redirect(document.get_absolute_url())


def feed(request: HttpRequest) -> HttpResponse:
    body = feeds.atom_feed(
        feeds.feed_documents(),
        self_url=request.build_absolute_uri(reverse("library:feed")),
        alternate_url=request.build_absolute_uri(reverse("library:search")),
    )
    return HttpResponse(body, content_type=FEED_CONTENT_TYPE)


def collection_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.collection_list(viewer=request.user))
    return render(request, "library/collections.html", {"page": page})


def collection_detail(request: HttpRequest, slug: str) -> HttpResponse:
    collection = get_object_or_404(selectors.collection_list(viewer=request.user), slug=slug)
    context = {
        "collection": collection,
        "documents": selectors.collection_documents(viewer=request.user, collection=collection),
        "can_change": can_change(request.user, collection),
    }
    return render(request, "library/collection.html", context)
