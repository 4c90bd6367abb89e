"""Alert pages and feeds: settings, saved searches, "not relevant", unsubscribe, Atom and iCal.

Thin adapters over `alerts`, `feeds` and `services`. Two views act without a log-in because a
token is the proof: unsubscribe (the e-mail's one-click link, RFC 8058) and the e-mail's signed
"not relevant" link. Both write only on POST: mail scanners fetch every link in a message, so
a GET that wrote would unsubscribe people and mark items they never saw.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError as PydanticValidationError

from icn.core.forms import StyledFormMixin, apply_errors
from icn.core.htmx import is_htmx
from icn.directory.models import Cluster, Topic, TopicKind
from icn.opportunities import alerts, feeds, selectors, services
from icn.opportunities.filters import OpportunityFilter
from icn.opportunities.models import (
    AlertSettings,
    DigestFrequency,
    Feedback,
    Opportunity,
    OpportunityKind,
    SavedSearch,
)

# Forms ------------------------------------------------------------------------------------


class AlertSettingsForm(StyledFormMixin, forms.Form):
    """How often the digest comes and which topics it follows."""

    frequency = forms.ChoiceField(
        label="Digest e-mail",
        choices=DigestFrequency.choices,
        widget=forms.RadioSelect,
        help_text="New opportunities that fit your organisation, best fit first.",
    )
    topics = forms.ModelMultipleChoiceField(
        label="Topics you follow",
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Items on these topics rank higher, besides your organisation's own topics.",
    )


class SavedSearchForm(StyledFormMixin, forms.Form):
    """The name of a search kept from the opportunity list."""

    name = forms.CharField(label="Name", max_length=100)


# Alert settings ---------------------------------------------------------------------------


def _topic_groups(topics: list[Topic]) -> list[tuple[str, list[Topic]]]:
    """Cleantech areas with their sub-topics, then the SDGs, for the checkbox list."""
    children: dict[int, list[Topic]] = {}
    for topic in topics:
        if topic.parent_id is not None:
            children.setdefault(topic.parent_id, []).append(topic)
    groups = [
        (topic.name, [topic, *children.get(topic.pk, [])])
        for topic in topics
        if topic.parent_id is None and topic.kind == TopicKind.AREA
    ]
    goals = [topic for topic in topics if topic.kind == TopicKind.SDG and topic.parent_id is None]
    if goals:
        groups.append(("Sustainable Development Goals", goals))
    return groups


def _feed_urls(row: AlertSettings) -> dict[str, str]:
    token = row.feed_token
    return {
        "private_atom": settings.SITE_URL + reverse("opportunities:private_feed", args=[token]),
        "private_ics": settings.SITE_URL + reverse("opportunities:private_deadlines", args=[token]),
        "public_atom": settings.SITE_URL + reverse("opportunities:feed"),
        "public_ics": settings.SITE_URL + reverse("opportunities:deadlines"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def alert_settings(request: HttpRequest) -> HttpResponse:
    row = services.alert_settings_for(request.user)
    initial = {"frequency": row.frequency, "topics": list(row.topics.values_list("pk", flat=True))}
    form = AlertSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_settings_update(
                actor=request.user,
                frequency=form.cleaned_data["frequency"],
                topics=form.cleaned_data["topics"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Your alert settings are saved.")
            return redirect("opportunities:alerts")
    checked = {str(value) for value in form["topics"].value() or []}
    searches = [
        (saved, reverse("opportunities:list") + "?" + urlencode(saved.query))
        for saved in alerts.saved_searches_of(viewer=request.user)
    ]
    return render(
        request,
        "opportunities/alerts/settings.html",
        {
            "form": form,
            "row": row,
            "topic_groups": _topic_groups(list(Topic.objects.all())),
            "checked_topics": checked,
            "frequency_value": str(form["frequency"].value() or ""),
            "searches": searches,
            "feeds": _feed_urls(row),
        },
    )


# Saved searches ---------------------------------------------------------------------------


def _search_name(filters: OpportunityFilter) -> str:
    """A name for a search, from what it filters."""
    parts: list[str] = []
    if filters.kind:
        parts.append(OpportunityKind(filters.kind).label)
    if filters.topic:
        topic = Topic.objects.filter(slug=filters.topic).first()
        parts.append(topic.name if topic else filters.topic)
    if filters.cluster:
        cluster = Cluster.objects.filter(slug=filters.cluster).first()
        parts.append(str(cluster) if cluster else filters.cluster)
    if filters.country:
        parts.append(filters.country.upper())
    if filters.q:
        parts.append(f"“{filters.q}”")
    return " · ".join(parts)[:100]


@login_required
@require_http_methods(["GET", "POST"])
def saved_search_create(request: HttpRequest) -> HttpResponse:
    """Keep the opportunity list's current filters (in the query string) under a name."""
    query = {key: request.GET[key] for key in SavedSearch.FILTER_KEYS if request.GET.get(key)}
    filters: OpportunityFilter | None = None
    problem = ""
    try:
        filters = OpportunityFilter.model_validate(query)
    except PydanticValidationError:
        problem = "These filters are not valid: go back to the list and choose them again."
    form = SavedSearchForm(
        request.POST if request.method == "POST" else None,
        initial={"name": _search_name(filters) if filters else ""},
    )
    if request.method == "POST" and filters is not None and form.is_valid():
        try:
            saved = services.saved_search_create(
                actor=request.user, name=form.cleaned_data["name"], query=filters.as_query()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Saved “{saved.name}”: its new items come in your digest.")
            return redirect("opportunities:alerts")
    return render(
        request,
        "opportunities/alerts/saved_search_form.html",
        {
            "form": form,
            "problem": problem,
            "filters": filters.as_query() if filters else {},
            "query_string": urlencode(query),
            "list_url": reverse("opportunities:list") + ("?" + urlencode(query) if query else ""),
        },
    )


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(alerts.saved_searches_of(viewer=request.user), pk=pk)
    services.saved_search_delete(actor=request.user, saved_search=saved)
    messages.success(request, f"Deleted the saved search “{saved.name}”.")
    return redirect("opportunities:alerts")


# "Not relevant" ---------------------------------------------------------------------------


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
def not_relevant(request: HttpRequest, slug: str) -> HttpResponse:
    """A logged-in user's "not relevant" on an item, from any page."""
    opportunity = selectors.opportunity_for_viewer(viewer=request.user, slug=slug)
    if opportunity is None:
        raise Http404("No such opportunity.")
    services.feedback_not_relevant(actor=request.user, opportunity=opportunity)
    if is_htmx(request):
        return render(
            request, "opportunities/alerts/not_relevant_partial.html", {"opportunity": opportunity}
        )
    messages.success(
        request, f"Marked “{opportunity.title}” not relevant: similar items will rank lower."
    )
    return redirect(_next_url(request, reverse("opportunities:list")))


def _from_link(token: str) -> tuple[Any, Opportunity]:
    found = alerts.read_not_relevant_token(token)
    if found is None:
        raise Http404("This link is not valid.")
    user_id, opportunity_id = found
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    opportunity = (
        Opportunity.objects.visible_to(user).filter(pk=opportunity_id).first() if user else None
    )
    if user is None or opportunity is None:
        raise Http404("This link is no longer valid.")
    return user, opportunity


@require_http_methods(["GET", "POST"])
def not_relevant_link(request: HttpRequest, token: str) -> HttpResponse:
    """The digest's signed link: GET asks to confirm, POST records (no log-in needed)."""
    user, opportunity = _from_link(token)
    done = Feedback.objects.filter(user=user, opportunity=opportunity).exists()
    if request.method == "POST" and not done:
        try:
            services.feedback_not_relevant(actor=user, opportunity=opportunity)
        except PermissionDenied as exc:
            raise Http404("This link is no longer valid.") from exc
        done = True
    return render(
        request,
        "opportunities/alerts/not_relevant_confirm.html",
        {"opportunity": opportunity, "done": done, "token": token},
    )


# Unsubscribe ------------------------------------------------------------------------------


@csrf_exempt  # RFC 8058: the mail client POSTs without a form; the token is the proof.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a one-button page; POST (the button, or a mail client's one-click) stops."""
    if request.method == "POST":
        row = services.unsubscribe(token=token)
        if row is None:
            raise Http404("This unsubscribe link is not valid.")
        return render(request, "opportunities/alerts/unsubscribed.html", {"row": row})
    row = get_object_or_404(AlertSettings.objects.select_related("user"), unsubscribe_token=token)
    return render(request, "opportunities/alerts/unsubscribe.html", {"row": row, "token": token})


# Feeds ------------------------------------------------------------------------------------


def _titled(base: str, kind: str, topic: str, cluster: str) -> str:
    parts = [base]
    if kind and kind in OpportunityKind.values:
        parts.append(OpportunityKind(kind).label)
    if topic:
        found = Topic.objects.filter(slug=topic).first()
        parts.append(found.name if found else topic)
    if cluster:
        found_cluster = Cluster.objects.filter(slug=cluster).first()
        parts.append(str(found_cluster) if found_cluster else cluster)
    return " · ".join(parts)


def _atom_response(
    request: HttpRequest, *, viewer: Any, kind: str = "", topic: str = "", cluster: str = ""
) -> HttpResponse:
    kind = kind or request.GET.get("kind", "")
    topic = topic or request.GET.get("topic", "")
    cluster = cluster or request.GET.get("cluster", "")
    try:
        items = feeds.feed_items(viewer=viewer, kind=kind, topic=topic, cluster=cluster)
    except PydanticValidationError:
        return HttpResponseBadRequest("Unknown kind of opportunity.", content_type="text/plain")
    chosen = (("kind", kind), ("topic", topic), ("cluster", cluster))
    list_query = urlencode({key: value for key, value in chosen if value})
    base = f"{settings.SITE_NAME}: opportunities"
    if viewer is not None:
        base += f" for {viewer.get_short_name() or viewer.email}"
    body = feeds.atom_feed(
        items,
        title=_titled(base, kind, topic, cluster),
        self_url=settings.SITE_URL + request.get_full_path(),
        alternate_url=settings.SITE_URL
        + reverse("opportunities:list")
        + (f"?{list_query}" if list_query else ""),
    )
    return HttpResponse(body, content_type=feeds.ATOM_CONTENT_TYPE)


def _public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=300)
    return response


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_cache=True)
    response["X-Robots-Tag"] = "noindex"
    return response


def _owner_or_404(token: str) -> Any:
    owner = feeds.feed_owner(token)
    if owner is None:
        raise Http404("Unknown feed.")
    return owner


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    return _public(_atom_response(request, viewer=None))


@require_GET
def kind_feed(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in OpportunityKind.values:
        raise Http404("Unknown kind of opportunity.")
    return _public(_atom_response(request, viewer=None, kind=kind))


@require_GET
def topic_feed(request: HttpRequest, slug: str) -> HttpResponse:
    get_object_or_404(Topic, slug=slug)
    return _public(_atom_response(request, viewer=None, topic=slug))


@require_GET
def cluster_feed(request: HttpRequest, slug: str) -> HttpResponse:
    get_object_or_404(Cluster, slug=slug)
    return _public(_atom_response(request, viewer=None, cluster=slug))


@require_GET
def private_feed(request: HttpRequest, token: str) -> HttpResponse:
    return _private(_atom_response(request, viewer=_owner_or_404(token)))


def _calendar_response(viewer: Any, name: str) -> HttpResponse:
    body = feeds.deadlines_calendar(feeds.deadline_items(viewer=viewer), name=name)
    response = HttpResponse(body, content_type=feeds.ICS_CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    return response


@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    return _public(_calendar_response(None, f"{settings.SITE_NAME}: deadlines"))


@require_GET
def private_deadlines(request: HttpRequest, token: str) -> HttpResponse:
    owner = _owner_or_404(token)
    name = f"{settings.SITE_NAME}: deadlines for {owner.get_short_name() or owner.email}"
    return _private(_calendar_response(owner, name))
