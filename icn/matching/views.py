"""Matchmaking pages: thin adapters over selectors (reads) and services (writes)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from icn.core.pagination import paginate
from icn.core.visibility import get_scope
from icn.directory.models import Organisation
from icn.matching import selectors, services
from icn.matching.forms import FeedbackForm, FunnelFilterForm, SuggestForm, TransitionForm
from icn.matching.models import FeedbackMoment, MatchRecord, MatchStatus
from icn.opportunities.models import Opportunity, Solution


def acting_organisation(viewer: Any, slug: str = "") -> Organisation | None:
    """The organisation a page works for: the one asked for if the viewer may act on it,
    else the first the viewer acts for."""
    visible = Organisation.objects.visible_to(viewer).prefetch_related("topics", "solutions")
    if slug:
        organisation = visible.filter(slug=slug).first()
        if organisation is None or not services.may_act_on(viewer, [organisation]):
            raise Http404
        return organisation
    ids = get_scope(viewer).organisation_ids
    return visible.filter(pk__in=ids).order_by("name").first() if ids else None


@login_required
def partner_search(request: HttpRequest) -> HttpResponse:
    organisation = acting_organisation(request.user, request.GET.get("organisation", ""))
    scope = get_scope(request.user)
    own = Organisation.objects.filter(pk__in=scope.organisation_ids).order_by("name")
    results = (
        selectors.partners_for(viewer=request.user, organisation=organisation)
        if organisation is not None
        else []
    )
    return render(
        request,
        "matching/partners.html",
        {"organisation": organisation, "own": own, "results": results},
    )


@login_required
def match_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in MatchStatus.values:
        status = ""
    page = paginate(request, selectors.match_list(viewer=request.user, status=status))
    return render(
        request,
        "matching/match_list.html",
        {"page": page, "status": status, "statuses": MatchStatus.choices},
    )


def _visible_match(request: HttpRequest, pk: int) -> MatchRecord:
    match = selectors.match_for_viewer(viewer=request.user, pk=pk)
    if match is None:
        raise Http404
    return match


@login_required
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    match = _visible_match(request, pk)
    moment = _feedback_moment(request, match)
    steps = [(status, MatchStatus(status).label) for status in match.next_steps()]
    return render(
        request,
        "matching/match_detail.html",
        {
            "match": match,
            "steps": steps,
            "transition_form": TransitionForm(),
            "feedback_form": FeedbackForm() if moment else None,
            "feedback_moment": moment,
            "can_act": services.may_act_on(
                request.user, [match.organisation, match.target_organisation]
            ),
        },
    )


def _feedback_moment(request: HttpRequest, match: MatchRecord) -> str:
    """The feedback the viewer's side owes now: after the introduction, then the follow-up."""
    if match.introduced_at is None:
        return ""
    given = {(f.organisation_id, f.moment) for f in match.feedback.all()}
    for side in selectors.viewer_sides(viewer=request.user, match=match):
        if (side.pk, FeedbackMoment.INTRODUCTION) not in given:
            return FeedbackMoment.INTRODUCTION
        due = match.follow_up_due_on
        if (side.pk, FeedbackMoment.FOLLOW_UP) not in given and (
            due is None or due <= timezone.localdate()
        ):
            return FeedbackMoment.FOLLOW_UP
    return ""


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _by_slug(queryset: Any, slug: str, what: str) -> Any:
    if not slug:
        return None
    record = queryset.filter(slug=slug).first()
    if record is None:
        raise ValidationError(f"Unknown {what}.")
    return record


@login_required
@require_POST
def match_suggest(request: HttpRequest) -> HttpResponse:
    form = SuggestForm(request.POST)
    back = _back(request, reverse("matching:match_list"))
    if not form.is_valid():
        messages.error(request, "The suggestion is not complete.")
        return redirect(back)
    data = form.cleaned_data
    viewer = request.user
    try:
        match = services.match_suggest(
            actor=viewer,
            source_opportunity=_by_slug(
                Opportunity.objects.visible_to(viewer), data["source"], "challenge or call"
            ),
            solution=_by_slug(Solution.objects.visible_to(viewer), data["solution"], "solution"),
            organisation=_by_slug(
                Organisation.objects.visible_to(viewer), data["organisation"], "organisation"
            ),
            target_organisation=_by_slug(
                Organisation.objects.visible_to(viewer), data["target"], "organisation"
            ),
        )
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return redirect(back)
    messages.success(
        request, "Introduction suggested. Introduce the two sides when they are ready."
    )
    return redirect(match)


@login_required
@require_POST
def match_transition(request: HttpRequest, pk: int) -> HttpResponse:
    match = _visible_match(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a step.")
        return redirect(match)
    to = form.cleaned_data["to"]
    try:
        services.match_transition(
            actor=request.user, match=match, to=to, note=form.cleaned_data["note"]
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        done = (
            "Introduced: the e-mail goes to both sides and their cluster managers."
            if to == MatchStatus.INTRODUCED
            else f"Moved to {MatchStatus(to).label.lower()}."
        )
        messages.success(request, done)
    return redirect(match)


def _message(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You may not do this."


@login_required
@require_POST
def match_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    match = _visible_match(request, pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a rating from 1 to 5.")
        return redirect(match)
    try:
        services.match_feedback(
            actor=request.user,
            match=match,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, "Thank you for your feedback.")
    return redirect(match)


@login_required
def funnel(request: HttpRequest) -> HttpResponse:
    if not get_scope(request.user).is_secretariat:
        raise PermissionDenied("The funnel is for the secretariat.")
    clusters = selectors.funnel_clusters()
    overall = selectors.funnel()
    form = FunnelFilterForm(request.GET or None, clusters=clusters, years=overall.years)
    cluster = year = None
    if form.is_valid():
        slug = form.cleaned_data.get("cluster")
        cluster = clusters.filter(slug=slug).first() if slug else None
        year = form.cleaned_data.get("year")
    result = selectors.funnel(cluster=cluster, year=year) if cluster or year else overall
    return render(request, "matching/funnel.html", {"form": form, "funnel": result})
