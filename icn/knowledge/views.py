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
from icn.knowledge.forms import (
    CollectionForm,
    CollectionItemForm,
    DocumentForm,
    SearchForm,
    VersionForm,
)
from icn.knowledge.models import Collection, DocumentVersion, KnowledgeDocument

FEED_CONTENT_TYPE = "application/atom+xml; charset=utf-8"


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    filters = form.to_filter()
    result = selectors.document_search(viewer=request.user, filters=filters)
    context = {
        "form": form,
        "filters": filters,
        "page": paginate(request, result.hits),
        "facets": _facet_links(request, result.facets),
        "query": query_without_page(request),
    }
    template = "library/partials/results.html" if is_htmx(request) else "library/search.html"
    return render(request, template, context)


def _facet_links(
    request: HttpRequest, facets: dict[str, list[selectors.FacetValue]]
) -> dict[str, list[dict[str, Any]]]:
    """Each facet value with the link that adds it to the search (keeping the words and the
    other facets chosen), or takes it off again when it is chosen."""
    links: dict[str, list[dict[str, Any]]] = {}
    for name, values in facets.items():
        links[name] = []
        for facet in values:
            query = request.GET.copy()
            query.pop("page", None)
            chosen = query.get(name) == str(facet.value)
            if chosen:
                query.pop(name)
            else:
                query[name] = str(facet.value)
            links[name].append({"facet": facet, "chosen": chosen, "url": f"?{query.urlencode()}"})
    return links


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
        "collections": selectors.collections_to_add(viewer=request.user, document=document),
        "in_collections": selectors.collection_list(viewer=request.user).filter(
            items__document=document
        ),
    }
    return render(request, "library/detail.html", context)


def download(request: HttpRequest, slug: str, number: int) -> HttpResponseBase:
    document = _visible(request, slug)
    version = get_object_or_404(DocumentVersion, document=document, number=number)
    services.download_record(actor=request.user, version=version)
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
    suggestions = services.suggestions_for(document) if request.method == "GET" else None
    initial: dict[str, Any] = {}
    if suggestions is not None and request.GET.get("suggest"):
        # Filled in, not saved: the author confirms the suggestions by saving.
        initial = {
            "topics": {*document.topics.all(), *suggestions.topics},
            "sdgs": {*document.sdgs.all(), *suggestions.sdgs},
        }
        if not document.summary and suggestions.summary:
            initial["summary"] = suggestions.summary
    form = DocumentForm(
        request.POST or None,
        instance=document,
        initial=initial,
        user=request.user,
        creating=False,
    )
    return form_page(
        request,
        form,
        save=lambda data: services.document_update(actor=request.user, document=document, **data),
        success="Document saved.",
        title=f"Edit {document.title}",
        back=document.get_absolute_url(),
        template="library/form.html",
        context={"suggestions": suggestions, "suggested": bool(initial)},
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


@login_required
def delete(request: HttpRequest, slug: str) -> HttpResponse:
    document = _visible(request, slug)
    if not can_change(request.user, document):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.document_delete(actor=request.user, document=document)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(document.get_absolute_url())
        messages.success(request, f"“{document.title}” deleted with its versions.")
        return redirect("library:search")
    return render(
        request,
        "library/confirm_delete.html",
        {
            "title": f"Delete {document.title}?",
            "consequence": "Every version and its file go; collections listing it lose it.",
            "back": document.get_absolute_url(),
        },
    )


def collection_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.collection_list(viewer=request.user))
    context = {"page": page, "may_curate": selectors.may_curate_any(viewer=request.user)}
    return render(request, "library/collections.html", context)


def _visible_collection(request: HttpRequest, slug: str) -> Collection:
    return get_object_or_404(selectors.collection_list(viewer=request.user), slug=slug)


def _curated_collection(request: HttpRequest, slug: str) -> Collection:
    collection = _visible_collection(request, slug)
    if not can_change(request.user, collection):
        raise PermissionDenied
    return collection


def collection_detail(request: HttpRequest, slug: str) -> HttpResponse:
    collection = _visible_collection(request, slug)
    context = {
        "collection": collection,
        "documents": selectors.collection_documents(viewer=request.user, collection=collection),
        "can_change": can_change(request.user, collection),
    }
    return render(request, "library/collection.html", context)


@login_required
def collection_create(request: HttpRequest) -> HttpResponse:
    if not selectors.may_curate_any(viewer=request.user):
        raise PermissionDenied
    form = CollectionForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        save=lambda data: services.collection_create(actor=request.user, **data),
        success="Collection created. Add documents from their pages.",
        title="New collection",
        back=reverse("library:collections"),
        template="library/form.html",
    )


@login_required
def collection_edit(request: HttpRequest, slug: str) -> HttpResponse:
    collection = _curated_collection(request, slug)
    form = CollectionForm(request.POST or None, instance=collection, user=request.user)
    return form_page(
        request,
        form,
        save=lambda data: services.collection_update(
            actor=request.user, collection=collection, **data
        ),
        success="Collection saved.",
        title=f"Edit {collection.title}",
        back=collection.get_absolute_url(),
        template="library/form.html",
    )


@login_required
def collection_delete(request: HttpRequest, slug: str) -> HttpResponse:
    collection = _curated_collection(request, slug)
    if request.method == "POST":
        services.collection_delete(actor=request.user, collection=collection)
        messages.success(request, f"Collection “{collection.title}” deleted.")
        return redirect("library:collections")
    return render(
        request,
        "library/confirm_delete.html",
        {
            "title": f"Delete the collection {collection.title}?",
            "consequence": "Its documents stay in the library.",
            "back": collection.get_absolute_url(),
        },
    )


@login_required
@require_POST
def collection_items(request: HttpRequest, slug: str) -> HttpResponse:
    """Remove or move a document on the collection's page."""
    return _change_items(request, _curated_collection(request, slug))


@login_required
@require_POST
def collection_add(request: HttpRequest) -> HttpResponse:
    """Add a document to the collection chosen on the document's page, then go back there."""
    return _change_items(request, _curated_collection(request, request.POST.get("collection", "")))


def _change_items(request: HttpRequest, collection: Collection) -> HttpResponse:
    form = CollectionItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a document and what to do with it.")
        return redirect(collection.get_absolute_url())
    action = form.cleaned_data["action"]
    document = _visible(request, form.cleaned_data["document"])
    try:
        if action == "add":
            services.collection_add_document(
                actor=request.user, collection=collection, document=document
            )
            messages.success(request, f"Added to “{collection.title}”.")
        elif action == "remove":
            services.collection_remove_document(
                actor=request.user, collection=collection, document=document
            )
            messages.success(request, f"“{document.title}” taken out of the collection.")
        else:
            services.collection_move_document(
                actor=request.user,
                collection=collection,
                document=document,
                offset=CollectionItemForm.ACTIONS[action],
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    target = document if action == "add" else collection
    return redirect(target.get_absolute_url())
