"""The organisers' pages: the event and its programme, registrations, requests, the schedule."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from icn.core.forms import apply_errors
from icn.core.htmx import is_htmx
from icn.core.pages import form_page
from icn.core.pagination import paginate
from icn.events import selectors, services
from icn.events.forms import EventForm, PlaceForm, ScheduleForm, SessionForm
from icn.events.models import (
    Event,
    MeetingRequest,
    RequestStatus,
    ScheduleRun,
)
from icn.events.views import meeting_of, message_of, visible_event


def organised_event(request: HttpRequest, slug: str) -> Event:
    event = visible_event(request, slug)
    if not selectors.can_organise(request.user, event):
        raise PermissionDenied("Only the event's organisers see this page.")
    return event


def _event_fields(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    data["organisers"] = services.organisers_by_email(data.pop("organiser_emails", []))
    return data


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    if not selectors.may_create_any_event(request.user):
        raise PermissionDenied("Events are organised by cluster managers and the secretariat.")
    form = EventForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        save=lambda data: services.event_create(
            actor=request.user, **_event_fields(request.user, data)
        ),
        success="Event created. Add its sessions and meeting slots.",
        title="Organise an event",
        back=reverse("events:list"),
        template="events/event_form.html",
        data=EventForm.service_fields,
        next_url=lambda event: reverse("events:sessions", args=[event.slug]),
    )


@login_required
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    event = organised_event(request, slug)
    form = EventForm(request.POST or None, instance=event, user=request.user)

    def save(data: dict[str, Any]) -> Event:
        fields = _event_fields(request.user, data)
        listed = fields.pop("organisers", [])
        # The form lists the co-organisers; the one editing stays if it organises already.
        keep = list(event.organisers.filter(pk=request.user.pk))
        organisers = [*keep, *listed]
        return services.event_update(
            actor=request.user,
            event=Event.objects.get(pk=event.pk),
            organisers=organisers or None,
            **fields,
        )

    return form_page(
        request,
        form,
        save=save,
        success="Saved.",
        title=f"Edit {event}",
        back=reverse("events:manage", args=[event.slug]),
        template="events/event_form.html",
        data=EventForm.service_fields,
    )


@login_required
@require_POST
def event_status(request: HttpRequest, slug: str) -> HttpResponse:
    event = organised_event(request, slug)
    action = request.POST.get("action", "")
    try:
        if action == "publish":
            services.event_publish(actor=request.user, event=event)
            messages.success(request, "Published: registration is open.")
        elif action == "cancel":
            services.event_cancel(actor=request.user, event=event)
            messages.success(request, "The event is cancelled; the participants are told.")
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, message_of(exc))
    return redirect("events:manage", slug=event.slug)


@login_required
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    event = organised_event(request, slug)
    groups = selectors.registrations_for_organiser(event)
    context = {
        "event": event,
        "confirmed": groups.get("confirmed", []),
        "waiting": groups.get("waiting", []),
        "cancelled": groups.get("cancelled", []),
        "counts": selectors.request_counts(event),
        "run": selectors.latest_run(event),
        "slots": selectors.meeting_slots(event).count(),
        "meetings": selectors.event_meetings(event).count(),
        "tab": "registrations",
    }
    return render(request, "events/manage.html", context)


@login_required
def sessions(request: HttpRequest, slug: str) -> HttpResponse:
    event = organised_event(request, slug)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_create(
                actor=request.user,
                event=event,
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                for_meetings=data["for_meetings"],
                slot_minutes=data["slot_minutes"] or 20,
                break_minutes=data["break_minutes"] or 0,
                location=data["location"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Session added.")
            return redirect("events:sessions", slug=event.slug)
    context = {
        "event": event,
        "sessions": selectors.programme(event),
        "form": form,
        "tab": "sessions",
    }
    return render(request, "events/sessions.html", context)


@login_required
@require_POST
def session_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = organised_event(request, slug)
    session = event.sessions.filter(pk=pk).first()
    if session is None:
        raise Http404
    services.session_delete(actor=request.user, session=session)
    messages.success(request, f"“{session.title}” removed.")
    return redirect("events:sessions", slug=event.slug)


@login_required
def manage_requests(request: HttpRequest, slug: str) -> HttpResponse:
    event = organised_event(request, slug)
    status = request.GET.get("status", "")
    if status not in RequestStatus.values:
        status = ""
    page = paginate(request, selectors.event_requests(event, status))
    context = {
        "event": event,
        "page": page,
        "status": status,
        "statuses": RequestStatus.choices,
        "counts": selectors.request_counts(event),
        "tab": "requests",
    }
    return render(request, "events/manage_requests.html", context)


def _run_of(request: HttpRequest, event: Event) -> ScheduleRun | None:
    wanted = request.GET.get("run", "")
    if wanted.isdigit():
        return event.schedule_runs.filter(pk=wanted).first()
    return selectors.latest_run(event)


@login_required
def schedule(request: HttpRequest, slug: str) -> HttpResponse:
    """The schedule: start a run, follow its progress (an htmx-polled fragment), read the
    result (placed, bound and gap, the requests left out and why) and the grid."""
    event = organised_event(request, slug)
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                services.schedule_start(
                    actor=request.user,
                    event=event,
                    time_limit=form.cleaned_data.get("time_limit"),
                )
            except ValidationError as exc:
                messages.error(request, message_of(exc))
            else:
                messages.success(request, "The scheduler is at work.")
        else:
            messages.error(request, "Give the scheduler 1 to 600 seconds.")
        return redirect("events:schedule", slug=event.slug)
    run = _run_of(request, event)
    context: dict[str, Any] = {"event": event, "run": run}
    if is_htmx(request):
        response = render(request, "events/partials/schedule_status.html", context)
        if run is not None and run.is_finished and request.GET.get("polling"):
            # The run ended while the page watched it: reload to show the new grid.
            response["HX-Refresh"] = "true"
        return response
    context.update(
        form=ScheduleForm(initial={"time_limit": event.schedule_seconds}),
        grid=selectors.schedule_grid(event),
        tables=[(n, event.table_name(n)) for n in range(1, event.tables + 1)],
        unplaced=selectors.unplaced_requests(run) if run is not None and run.is_finished else [],
        slots=list(selectors.meeting_slots(event)),
        accepted=event.meeting_requests.filter(status=RequestStatus.ACCEPTED).count(),
        tab="schedule",
    )
    return render(request, "events/schedule.html", context)


@login_required
@require_POST
def meeting_lock(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = organised_event(request, slug)
    meeting = meeting_of(event, pk)
    locked = request.POST.get("locked") == "1"
    services.meeting_lock(actor=request.user, meeting=meeting, locked=locked)
    messages.success(request, "Locked: it stays put." if locked else "Unlocked.")
    return redirect(reverse("events:schedule", args=[event.slug]) + f"#slot-{meeting.slot_id}")


@login_required
@require_POST
def meeting_place(request: HttpRequest, slug: str) -> HttpResponse:
    event = organised_event(request, slug)
    form = PlaceForm(request.POST)
    back = reverse("events:schedule", args=[event.slug])
    if not form.is_valid():
        messages.error(request, "Choose a slot and a table.")
        return redirect(back)
    meeting_request = (
        MeetingRequest.objects.select_related("event", "sender", "receiver")
        .filter(event=event, pk=form.cleaned_data["request"])
        .first()
    )
    slot = selectors.meeting_slots(event).filter(pk=form.cleaned_data["slot"]).first()
    if meeting_request is None or slot is None:
        raise Http404
    try:
        services.meeting_place(
            actor=request.user,
            request=meeting_request,
            slot=slot,
            table=form.cleaned_data["table"],
        )
    except ValidationError as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, "Placed and locked.")
    return redirect(back)
