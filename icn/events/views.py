"""Event pages for everyone and for participants: thin adapters over selectors and services.

The organisers' pages are in `organiser_views.py`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from icn.core.forms import apply_errors
from icn.core.htmx import is_htmx
from icn.core.pagination import paginate
from icn.events import calendars, selectors, services
from icn.events.forms import (
    EventFilterForm,
    MeetingRequestForm,
    ProfileForm,
    RatingForm,
    RegistrationForm,
)
from icn.events.models import (
    Event,
    Meeting,
    MeetingRequest,
    Registration,
    RegistrationStatus,
)
from icn.events.services.ratings import follow_up_opens


def message_of(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You may not do this."


def visible_event(request: HttpRequest, slug: str) -> Event:
    event = selectors.event_for_viewer(viewer=request.user, slug=slug)
    if event is None:
        raise Http404
    return event


def own_registration(request: HttpRequest, event: Event) -> Registration:
    """The viewer's active registration; an organiser may act for any participant
    (`?participant=` or a posted `participant`)."""
    chosen = request.POST.get("participant") or request.GET.get("participant") or ""
    if chosen.isdigit() and selectors.can_organise(request.user, event):
        registration = (
            event.registrations.select_related("organisation", "event").filter(pk=chosen).first()
        )
    else:
        registration = selectors.active_registration(viewer=request.user, event=event)
    if registration is None or not registration.is_active:
        raise Http404
    return registration


def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    filters = form.to_filter()
    page = paginate(request, selectors.event_list(viewer=request.user, filters=filters))
    registered: set[int] = set()
    if request.user.is_authenticated:
        registered = set(
            Registration.objects.filter(user=request.user)
            .exclude(status=RegistrationStatus.CANCELLED)
            .values_list("event_id", flat=True)
        )
    context = {
        "page": page,
        "filter_form": form,
        "filters": filters,
        "registered": registered,
        "hx_target": "#results",
        "may_create": selectors.may_create_any_event(request.user),
    }
    template = "events/partials/event_results.html" if is_htmx(request) else "events/list.html"
    return render(request, template, context)


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    registration = selectors.registration_of(viewer=request.user, event=event)
    can_register = (
        request.user.is_authenticated
        and event.registration_open()
        and (registration is None or not registration.is_active)
    )
    context = {
        "event": event,
        "sessions": selectors.programme(event),
        "registration": registration,
        "can_register": can_register,
        "can_organise": selectors.can_organise(request.user, event),
        "confirmed": selectors.confirmed_count(event),
        "places_left": selectors.places_left(event),
        "form": RegistrationForm(event=event, user=request.user) if can_register else None,
    }
    return render(request, "events/detail.html", context)


@login_required
def event_register(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    form = RegistrationForm(request.POST or None, event=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        offer = form.cleaned_data.get("offer")
        seek = form.cleaned_data.get("seek")
        try:
            registration = services.registration_create(
                actor=request.user,
                event=event,
                organisation=form.chosen_organisation(),
                answers=form.answers(),
                offer=offer or None,
                seek=seek or None,
            )
        except PermissionDenied as exc:
            messages.error(request, message_of(exc))
            return redirect(event)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if registration.status == RegistrationStatus.CONFIRMED:
                messages.success(request, "You are registered. A confirmation is on its way.")
            else:
                messages.info(
                    request, "The event is full: you are on the waiting list. We e-mail you."
                )
            return redirect(event)
    return render(request, "events/register.html", {"event": event, "form": form})


@login_required
def registration_profile(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    registration = own_registration(request, event)
    slots = list(selectors.meeting_slots(event))
    form = ProfileForm(request.POST or None, registration=registration, slots=slots)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_update(
                actor=request.user,
                registration=registration,
                offer=form.cleaned_data["offer"],
                seek=form.cleaned_data["seek"],
                max_meetings=form.cleaned_data["max_meetings"],
                busy_slots=form.busy_slots() if slots else None,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Your profile and availability are saved.")
            return redirect("events:participants", slug=event.slug)
    return render(
        request,
        "events/profile.html",
        {"event": event, "registration": registration, "form": form},
    )


@login_required
@require_POST
def registration_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    registration = own_registration(request, event)
    try:
        services.registration_cancel(actor=request.user, registration=registration)
    except PermissionDenied as exc:
        messages.error(request, message_of(exc))
    else:
        if registration.user_id == request.user.pk:
            messages.success(request, "Your registration is cancelled.")
        else:
            messages.success(request, f"The registration of {registration} is cancelled.")
    if registration.user_id != request.user.pk:
        return redirect("events:manage", slug=event.slug)
    return redirect(event)


@login_required
def participant_list(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    if not selectors.may_see_participants(request.user, event):
        messages.info(request, "Participants see each other once their registration is confirmed.")
        return redirect(event)
    mine = selectors.active_registration(viewer=request.user, event=event)
    q = request.GET.get("q", "").strip()[:100]
    page = paginate(request, selectors.participants(viewer=request.user, event=event, q=q))
    asked: set[int] = set()
    suggestions: list[selectors.MeetingSuggestion] = []
    if mine is not None and mine.status == RegistrationStatus.CONFIRMED:
        asked = selectors.requested_partner_ids(mine)
        if event.meetings_enabled and not q and page.number == 1:
            suggestions = selectors.suggestions(viewer=request.user, registration=mine)
    visible = selectors.visible_organisation_ids(
        request.user, {r.organisation_id for r in page if r.organisation_id}
    )
    context = {
        "event": event,
        "page": page,
        "mine": mine,
        "asked": asked,
        "suggestions": suggestions,
        "visible_organisations": visible,
        "q": q,
        "can_request": bool(
            mine is not None
            and mine.status == RegistrationStatus.CONFIRMED
            and event.meetings_enabled
            and not event.has_ended()
        ),
    }
    return render(request, "events/participants.html", context)


@login_required
@require_POST
def request_create(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    mine = own_registration(request, event)
    form = MeetingRequestForm(request.POST)
    back = reverse("events:participants", args=[event.slug])
    if not form.is_valid():
        messages.error(request, "The request is not complete.")
        return redirect(back)
    receiver = (
        event.registrations.filter(pk=form.cleaned_data["receiver"]).select_related("event").first()
    )
    if receiver is None:
        raise Http404
    try:
        services.request_create(
            actor=request.user,
            sender=mine,
            receiver=receiver,
            message=form.cleaned_data["message"],
            priority=form.cleaned_data["priority"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, message_of(exc))
        return redirect(back)
    if event.auto_accept:
        messages.success(request, f"Your meeting with {receiver} is agreed.")
    else:
        messages.success(request, f"Request sent to {receiver}.")
    return redirect("events:requests", slug=event.slug)


@login_required
def request_list(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    mine = own_registration(request, event)
    context = {
        "event": event,
        "mine": mine,
        **selectors.requests_of(mine),
    }
    return render(request, "events/requests.html", context)


ACTIONS = {
    "accept": (services.request_accept, "Accepted: the meeting goes into the schedule."),
    "decline": (services.request_decline, "Declined."),
    "cancel": (services.request_cancel, "Called off."),
}


@login_required
@require_POST
def request_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    event = visible_event(request, slug)
    if action not in ACTIONS:
        raise Http404
    meeting_request = (
        MeetingRequest.objects.select_related("event", "sender__event", "receiver__event")
        .filter(event=event, pk=pk)
        .first()
    )
    if meeting_request is None:
        raise Http404
    service, done = ACTIONS[action]
    try:
        service(actor=request.user, request=meeting_request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, done)
    back = request.POST.get("next", "")
    if back == "manage" and selectors.can_organise(request.user, event):
        return redirect("events:manage_requests", slug=event.slug)
    return redirect("events:requests", slug=event.slug)


@login_required
def agenda(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    registration = own_registration(request, event)
    given = selectors.ratings_given(registration)
    items = selectors.agenda(registration)
    for item in items:
        if item.meeting is not None:
            item.rating_due = selectors.rating_due(
                item.meeting, registration, given, settings.ICN_MATCHING_FOLLOW_UP_DAYS
            )
    pending = selectors.requests_of(registration)
    context = {
        "event": event,
        "registration": registration,
        "items": items,
        "accepted_unplaced": [r for r in pending["accepted"] if not hasattr(r, "meeting")],
        "incoming": pending["incoming"],
        "is_own": registration.user_id == request.user.pk,
    }
    return render(request, "events/agenda.html", context)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=calendars.ICS_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def agenda_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    registration = own_registration(request, event)
    return _ics(calendars.agenda_calendar(registration), f"{event.slug}-agenda.ics")


def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    return _ics(calendars.event_calendar(event), f"{event.slug}.ics")


@login_required
def meeting_rate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = visible_event(request, slug)
    registration = own_registration(request, event)
    meeting = (
        selectors.participant_meetings(registration).filter(pk=pk).select_related("slot").first()
    )
    if meeting is None:
        raise Http404
    given = selectors.ratings_given(registration)
    moment = selectors.rating_due(
        meeting, registration, given, settings.ICN_MATCHING_FOLLOW_UP_DAYS
    )
    if not moment:
        if not meeting.has_ended():
            messages.info(request, "Rate the meeting once it has taken place.")
        elif (meeting.pk, "follow_up") in given:
            messages.info(request, "You have rated this meeting. Thank you.")
        else:
            opens = follow_up_opens(meeting)
            messages.info(request, f"Thank you. We ask again after {opens:%-d %B %Y}.")
        return redirect("events:agenda", slug=event.slug)
    form = RatingForm(request.POST or None, moment=moment)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_rate(
                actor=request.user,
                meeting=meeting,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                held=form.cleaned_data["held"],
                outcome=form.cleaned_data.get("outcome") or "",
                moment=moment,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, message_of(exc))
            return redirect("events:agenda", slug=event.slug)
        else:
            messages.success(request, "Thank you for your rating.")
            return redirect("events:agenda", slug=event.slug)
    context: dict[str, Any] = {
        "event": event,
        "meeting": meeting,
        "partner": meeting.request.other(registration),
        "form": form,
        "moment": moment,
    }
    return render(request, "events/rate.html", context)


def meeting_of(event: Event, pk: int) -> Meeting:
    meeting = (
        Meeting.objects.select_related("request__event", "slot")
        .filter(request__event=event, pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting
