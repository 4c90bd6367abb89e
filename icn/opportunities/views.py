"""Opportunity and solution pages: thin adapters over selectors (reads) and services (writes)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from icn.core.htmx import is_htmx
from icn.core.pages import form_page
from icn.core.pagination import paginate
from icn.core.visibility import can_change, get_scope
from icn.opportunities import selectors, services
from icn.opportunities.forms import (
    CommentForm,
    InterestForm,
    OpportunityFilterForm,
    OpportunityForm,
    ReshareForm,
    SolutionForm,
)
from icn.opportunities.models import Attachment, Opportunity, Solution


def opportunity_list(request: HttpRequest) -> HttpResponse:
    filter_form = OpportunityFilterForm(request.GET or None)
    filters = filter_form.to_filter()
    page = paginate(request, selectors.opportunity_list(viewer=request.user, filters=filters))
    context = {
        "page": page,
        "filter_form": filter_form,
        "filters": filters,
        "hx_target": "#results",
        "saved_query": request.GET.urlencode(),
    }
    template = (
        "opportunities/partials/results.html" if is_htmx(request) else "opportunities/list.html"
    )
    return render(request, template, context)


def _visible(request: HttpRequest, slug: str) -> Opportunity:
    opportunity = selectors.opportunity_for_viewer(viewer=request.user, slug=slug)
    if opportunity is None:
        raise Http404
    return opportunity


def opportunity_detail(request: HttpRequest, slug: str) -> HttpResponse:
    opportunity = _visible(request, slug)
    scope = get_scope(request.user)
    context = {
        "opportunity": opportunity,
        "can_change": can_change(request.user, opportunity),
        "interest_form": InterestForm(),
        "comment_form": CommentForm(),
        "reshare_form": ReshareForm(user=request.user) if scope.managed_cluster_ids else None,
        **selectors.opportunity_activity(viewer=request.user, opportunity=opportunity),
    }
    return render(request, "opportunities/detail.html", context)


@login_required
def own_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.own_opportunities(viewer=request.user))
    return render(request, "opportunities/mine.html", {"page": page})


@login_required
def opportunity_create(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if not (scope.organisation_ids or scope.managed_cluster_ids or scope.is_secretariat):
        raise PermissionDenied("Items are posted for an organisation of the network.")
    return form_page(
        request,
        OpportunityForm(request.POST or None, user=request.user),
        save=lambda data: services.opportunity_create(actor=request.user, **data),
        success="Saved.",
        title="Share an opportunity",
        back=reverse("opportunities:list"),
        template="opportunities/form.html",
        data=OpportunityForm.service_fields,
    )


@login_required
def opportunity_edit(request: HttpRequest, slug: str) -> HttpResponse:
    opportunity = _visible(request, slug)
    if not can_change(request.user, opportunity):
        raise PermissionDenied
    return form_page(
        request,
        OpportunityForm(request.POST or None, instance=opportunity, user=request.user),
        save=lambda data: services.opportunity_update(
            actor=request.user, opportunity=Opportunity.objects.get(pk=opportunity.pk), **data
        ),
        success="Saved.",
        title=f"Edit {opportunity}",
        back=opportunity.get_absolute_url(),
        template="opportunities/form.html",
        data=OpportunityForm.service_fields,
    )


def _act(request: HttpRequest, slug: str, action: Any, success: str) -> HttpResponse:
    """Run a POST action on a visible item; its refusal becomes a message, not an error page."""
    opportunity = _visible(request, slug)
    try:
        action(opportunity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(opportunity)


@login_required
@require_POST
def opportunity_status(request: HttpRequest, slug: str) -> HttpResponse:
    action = request.POST.get("action", "")
    return _act(
        request,
        slug,
        lambda o: services.opportunity_transition(actor=request.user, opportunity=o, action=action),
        "Status changed.",
    )


@login_required
@require_POST
def opportunity_follow(request: HttpRequest, slug: str) -> HttpResponse:
    following = request.POST.get("follow") == "1"
    return _act(
        request,
        slug,
        lambda o: services.follow_set(actor=request.user, opportunity=o, following=following),
        "You follow this item." if following else "You no longer follow this item.",
    )


@login_required
@require_POST
def opportunity_interest(request: HttpRequest, slug: str) -> HttpResponse:
    form = InterestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say a few words about your interest.")
        return redirect(_visible(request, slug))
    return _act(
        request,
        slug,
        lambda o: services.interest_express(
            actor=request.user, opportunity=o, message=form.cleaned_data["message"]
        ),
        "Your interest was sent to the contact.",
    )


@login_required
@require_POST
def opportunity_comment(request: HttpRequest, slug: str) -> HttpResponse:
    form = CommentForm(request.POST)
    body = form.cleaned_data["body"] if form.is_valid() else ""
    return _act(
        request,
        slug,
        lambda o: services.comment_add(actor=request.user, opportunity=o, body=body),
        "Comment added.",
    )


@login_required
@require_POST
def opportunity_reshare(request: HttpRequest, slug: str) -> HttpResponse:
    form = ReshareForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "Choose one of your clusters.")
        return redirect(_visible(request, slug))
    return _act(
        request,
        slug,
        lambda o: services.reshare_create(actor=request.user, opportunity=o, **form.cleaned_data),
        f"Re-shared to {form.cleaned_data['cluster']}.",
    )


@login_required
@require_POST
def attachment_add(request: HttpRequest, slug: str) -> HttpResponse:
    opportunity = _visible(request, slug)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a file to attach.")
        return redirect(opportunity)
    return _act(
        request,
        slug,
        lambda o: services.attachment_add(actor=request.user, opportunity=o, upload=upload),
        f"Attached {upload.name}.",
    )


def attachment_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """Files are served only to those who see the item, and always as downloads."""
    opportunity = _visible(request, slug)
    attachment = get_object_or_404(Attachment, pk=pk, opportunity=opportunity)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )


@login_required
@require_POST
def attachment_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    opportunity = _visible(request, slug)
    attachment = get_object_or_404(Attachment, pk=pk, opportunity=opportunity)
    return _act(
        request,
        slug,
        lambda o: services.attachment_delete(actor=request.user, attachment=attachment),
        f"Removed {attachment.name}.",
    )


# Solutions ----------------------------------------------------------------------------------


def solution_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").replace("\x00", "")
    page = paginate(request, selectors.solution_list(viewer=request.user, q=q))
    return render(request, "opportunities/solution_list.html", {"page": page, "q": q})


def _visible_solution(request: HttpRequest, slug: str) -> Solution:
    return get_object_or_404(selectors.solution_list(viewer=request.user), slug=slug)


def solution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    solution = _visible_solution(request, slug)
    return render(
        request,
        "opportunities/solution_detail.html",
        {"solution": solution, "can_change": services.may_change_solution(request.user, solution)},
    )


@login_required
def solution_create(request: HttpRequest) -> HttpResponse:
    if not (get_scope(request.user).organisation_ids or get_scope(request.user).is_secretariat):
        raise PermissionDenied("Solutions are posted by member organisations.")
    return form_page(
        request,
        SolutionForm(request.POST or None, user=request.user),
        save=lambda data: services.solution_create(actor=request.user, **data),
        success="Solution saved.",
        title="Offer a solution",
        back=reverse("opportunities:solution_list"),
    )


@login_required
def solution_edit(request: HttpRequest, slug: str) -> HttpResponse:
    solution = _visible_solution(request, slug)
    if not services.may_change_solution(request.user, solution):
        raise PermissionDenied
    return form_page(
        request,
        SolutionForm(request.POST or None, instance=solution, user=request.user),
        save=lambda data: services.solution_update(
            actor=request.user, solution=Solution.objects.get(pk=solution.pk), **data
        ),
        success="Solution saved.",
        title=f"Edit {solution}",
        back=solution.get_absolute_url(),
    )
