"""The events API: events and their programme, registration, meeting requests, the scheduler's
runs, agendas and ratings. Thin adapters over the same selectors and services as the pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from icn.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    RecordId,
    Slug,
    by_slug,
    errors,
    get_or_404,
    paginated,
    require_user,
    viewer,
)
from icn.directory.models import Cluster, Organisation
from icn.events import selectors, services
from icn.events.filters import EventFilter
from icn.events.models import Event, Meeting, MeetingRequest, Registration, Slot
from icn.events.schemas import (
    AgendaItemOut,
    EventIn,
    EventOut,
    EventPatch,
    LockIn,
    MeetingOut,
    MeetingSuggestionOut,
    ParticipantOut,
    RatingIn,
    RatingOut,
    RegistrationIn,
    RegistrationOut,
    RegistrationPatch,
    RequestIn,
    RequestOut,
    RunOut,
    ScheduleIn,
    ScheduleOut,
    SessionIn,
    SessionOut,
)

router = Router(tags=["events"])


def _event(user: Any, slug: str) -> Event:
    event = selectors.event_for_viewer(viewer=user, slug=slug)
    if event is None:
        raise Http404
    return event


def _organised(user: Any, slug: str) -> Event:
    event = _event(user, slug)
    if not selectors.can_organise(user, event):
        raise PermissionDenied("Only the event's organisers may do this.")
    return event


def _mine(user: Any, event: Event) -> Registration:
    registration = selectors.active_registration(viewer=user, event=event)
    if registration is None:
        raise Http404
    return registration


def _relations(user: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """Slugs and e-mail addresses in the body as records."""
    if fields.get("host_cluster") is not None:
        fields["host_cluster"] = by_slug(
            Cluster.objects.all(), [fields["host_cluster"]], "host_cluster", "cluster"
        )[0]
    if fields.get("organisation") is not None:
        fields["organisation"] = by_slug(
            Organisation.objects.visible_to(user),
            [fields["organisation"]],
            "organisation",
            "organisation",
        )[0]
    if fields.get("organisers") is not None:
        fields["organisers"] = services.organisers_by_email(fields["organisers"])
    if fields.get("registration_questions") is not None:
        fields["registration_questions"] = [
            {key: value for key, value in question.items() if value not in (None, [])}
            for question in fields["registration_questions"]
        ]
    return fields


def _slots(event: Event, ids: list[int] | None) -> list[Slot] | None:
    """The busy slots of an availability given as the slots a participant is free in."""
    if ids is None:
        return None
    slots = list(selectors.meeting_slots(event).select_related("session"))
    known = {slot.pk for slot in slots}
    unknown = sorted(set(ids) - known)
    if unknown:
        raise ValidationError(
            {"availability": f"Not a meeting slot of this event: {', '.join(map(str, unknown))}."}
        )
    return [slot for slot in slots if slot.pk not in set(ids)]


# Events ------------------------------------------------------------------------------------


@router.get("/events", response=list[EventOut])
@paginated
def event_list(request: HttpRequest, filters: Query[EventFilter]) -> Any:
    """The events the caller may see: upcoming by default (`when=past`, `when=all`)."""
    return selectors.event_list(viewer=viewer(request), filters=filters).prefetch_related(
        "sessions__slots"
    )


@router.post("/events", response={201: EventOut, **WRITE_ERRORS})
def event_create(request: HttpRequest, payload: EventIn) -> Any:
    """Organise an event: cluster managers for their clusters, the secretariat for any. A
    draft unless `publish` is true."""
    user = require_user(request)
    event = services.event_create(actor=user, **_relations(user, payload.model_dump()))
    return Status(201, _event(user, event.slug))


@router.get("/events/{slug}", response={200: EventOut, **READ_ERRORS})
def event_detail(request: HttpRequest, slug: Slug) -> Any:
    return _event(viewer(request), slug)


@router.patch("/events/{slug}", response={200: EventOut, **WRITE_ERRORS})
def event_update(request: HttpRequest, slug: Slug, payload: EventPatch) -> Any:
    """Only the fields sent change. A larger capacity gives places to the waiting list."""
    user = require_user(request)
    event = _event(user, slug)
    fields = _relations(user, payload.model_dump(exclude_unset=True))
    organisers = fields.pop("organisers", None)
    services.event_update(actor=user, event=event, organisers=organisers, **fields)
    return _event(user, slug)


@router.post("/events/{slug}/publish", response={200: EventOut, **WRITE_ERRORS})
def event_publish(request: HttpRequest, slug: Slug) -> Any:
    user = require_user(request)
    services.event_publish(actor=user, event=_event(user, slug))
    return _event(user, slug)


@router.post("/events/{slug}/cancel", response={200: EventOut, **WRITE_ERRORS})
def event_cancel(request: HttpRequest, slug: Slug) -> Any:
    """Call the event off; every participant gets an e-mail."""
    user = require_user(request)
    services.event_cancel(actor=user, event=_event(user, slug))
    return _event(user, slug)


@router.post("/events/{slug}/sessions", response={201: SessionOut, **WRITE_ERRORS})
def session_create(request: HttpRequest, slug: Slug, payload: SessionIn) -> Any:
    """Add a session; a meeting session is cut into slots of `slot_minutes`."""
    user = require_user(request)
    session = services.session_create(actor=user, event=_event(user, slug), **payload.model_dump())
    return Status(201, session)


@router.delete("/events/{slug}/sessions/{pk}", response={204: None, **WRITE_ERRORS})
def session_delete(request: HttpRequest, slug: Slug, pk: RecordId) -> Any:
    user = require_user(request)
    event = _organised(user, slug)
    services.session_delete(actor=user, session=get_or_404(event.sessions.all(), pk=pk))
    return Status(204, None)


# Registration ------------------------------------------------------------------------------


@router.post("/events/{slug}/registration", response={201: RegistrationOut, **WRITE_ERRORS})
def registration_create(request: HttpRequest, slug: Slug, payload: RegistrationIn) -> Any:
    """Register yourself: confirmed while places are left, else on the waiting list."""
    user = require_user(request)
    event = _event(user, slug)
    organisation = None
    if payload.organisation:
        organisation = by_slug(
            Organisation.objects.visible_to(user),
            [payload.organisation],
            "organisation",
            "organisation",
        )[0]
    registration = services.registration_create(
        actor=user,
        event=event,
        organisation=organisation,
        answers=payload.answers,
        offer=payload.offer,
        seek=payload.seek,
        max_meetings=payload.max_meetings,
        busy_slots=_slots(event, payload.availability) or [],
    )
    return Status(201, registration)


@router.get("/events/{slug}/registration", response={200: RegistrationOut, **READ_ERRORS})
def registration_detail(request: HttpRequest, slug: Slug) -> Any:
    """Your registration (a cancelled one too)."""
    user = require_user(request)
    registration = selectors.registration_of(viewer=user, event=_event(user, slug))
    if registration is None:
        raise Http404
    return registration


@router.patch("/events/{slug}/registration", response={200: RegistrationOut, **WRITE_ERRORS})
def registration_update(request: HttpRequest, slug: Slug, payload: RegistrationPatch) -> Any:
    """Your offer and seek, your most meetings, your availability (the slots you are free in)."""
    user = require_user(request)
    event = _event(user, slug)
    registration = _mine(user, event)
    fields = payload.model_dump(exclude_unset=True)
    availability = fields.pop("availability", None)
    services.registration_update(
        actor=user,
        registration=registration,
        busy_slots=_slots(event, availability),
        **fields,
    )
    registration.refresh_from_db()
    return registration


@router.delete("/events/{slug}/registration", response={200: RegistrationOut, **WRITE_ERRORS})
def registration_cancel(request: HttpRequest, slug: Slug) -> Any:
    """Cancel: your meetings are called off, the first on the waiting list gets your place."""
    user = require_user(request)
    registration = _mine(user, _event(user, slug))
    return services.registration_cancel(actor=user, registration=registration)


@router.get("/events/{slug}/registrations", response={200: list[RegistrationOut], **READ_ERRORS})
def registration_list(request: HttpRequest, slug: Slug) -> Any:
    """Every registration, confirmed, waiting and cancelled (the organisers)."""
    user = require_user(request)
    event = _organised(user, slug)
    return list(
        event.registrations.select_related("organisation", "event").order_by("registered_at", "pk")
    )


@router.get("/events/{slug}/participants", response={200: list[ParticipantOut], **READ_ERRORS})
@paginated
def participant_list(request: HttpRequest, slug: Slug, q: str = "") -> Any:
    """Confirmed participants, for participants and organisers."""
    user = require_user(request)
    return selectors.participants(viewer=user, event=_event(user, slug), q=q[:100])


@router.get("/events/{slug}/suggestions", response={200: list[MeetingSuggestionOut], **READ_ERRORS})
def suggestion_list(request: HttpRequest, slug: Slug) -> Any:
    """Participants worth meeting for you, from the matching engine."""
    user = require_user(request)
    registration = _mine(user, _event(user, slug))
    return selectors.suggestions(viewer=user, registration=registration)


# Meeting requests --------------------------------------------------------------------------


def _request(event: Event, pk: int) -> MeetingRequest:
    return get_or_404(
        MeetingRequest.objects.select_related(
            "event",
            "sender__organisation",
            "receiver__organisation",
            "sender__event",
            "receiver__event",
        ).filter(event=event),
        pk=pk,
    )


# Organisers only see every request (`all=true`): a 403 for the others.
@router.get("/events/{slug}/requests", response={200: list[RequestOut], **errors(401, 403, 404)})
@paginated
def request_list(request: HttpRequest, slug: Slug, all: bool = False) -> Any:
    """Your requests, sent and received; organisers see every request with `all=true`."""
    user = require_user(request)
    event = _event(user, slug)
    if all:
        if not selectors.can_organise(user, event):
            raise PermissionDenied("Only the event's organisers see every request.")
        return selectors.event_requests(event)
    mine = _mine(user, event)
    return selectors.event_requests(event).filter(pk__in=_own_request_ids(mine))


def _own_request_ids(registration: Registration) -> Any:
    return MeetingRequest.objects.filter(Q(sender=registration) | Q(receiver=registration)).values(
        "pk"
    )


@router.post("/events/{slug}/requests", response={201: RequestOut, **WRITE_ERRORS})
def request_create(request: HttpRequest, slug: Slug, payload: RequestIn) -> Any:
    """Ask a participant for a meeting; caps are checked now. Some events accept at once."""
    user = require_user(request)
    event = _event(user, slug)
    sender = _mine(user, event)
    receiver = event.registrations.filter(pk=payload.receiver).first()
    if receiver is None:
        raise ValidationError({"receiver": "Not a participant of this event."})
    created = services.request_create(
        actor=user,
        sender=sender,
        receiver=receiver,
        message=payload.message,
        priority=payload.priority,
    )
    return Status(201, _request(event, created.pk))


def _answer(request: HttpRequest, slug: str, pk: int, service: Any) -> Any:
    user = require_user(request)
    event = _event(user, slug)
    service(actor=user, request=_request(event, pk))
    return _request(event, pk)


@router.post("/events/{slug}/requests/{pk}/accept", response={200: RequestOut, **WRITE_ERRORS})
def request_accept(request: HttpRequest, slug: Slug, pk: RecordId) -> Any:
    return _answer(request, slug, pk, services.request_accept)


@router.post("/events/{slug}/requests/{pk}/decline", response={200: RequestOut, **WRITE_ERRORS})
def request_decline(request: HttpRequest, slug: Slug, pk: RecordId) -> Any:
    return _answer(request, slug, pk, services.request_decline)


@router.post("/events/{slug}/requests/{pk}/cancel", response={200: RequestOut, **WRITE_ERRORS})
def request_cancel(request: HttpRequest, slug: Slug, pk: RecordId) -> Any:
    """Either side withdraws a request or calls a meeting off."""
    return _answer(request, slug, pk, services.request_cancel)


# Schedule ----------------------------------------------------------------------------------


@router.post("/events/{slug}/schedule", response={202: RunOut, **WRITE_ERRORS})
def schedule_start(request: HttpRequest, slug: Slug, payload: ScheduleIn) -> Any:
    """Start the scheduler in the background; follow the run at
    /events/{slug}/schedule/runs/{id}."""
    user = require_user(request)
    run = services.schedule_start(
        actor=user, event=_event(user, slug), time_limit=payload.time_limit
    )
    run.refresh_from_db()
    return Status(202, run)


@router.get("/events/{slug}/schedule", response={200: ScheduleOut, **READ_ERRORS})
def schedule_detail(request: HttpRequest, slug: Slug) -> Any:
    """The latest run and the meetings of the grid (the organisers)."""
    user = require_user(request)
    event = _organised(user, slug)
    return {"run": selectors.latest_run(event), "meetings": list(selectors.event_meetings(event))}


@router.get("/events/{slug}/schedule/runs/{pk}", response={200: RunOut, **READ_ERRORS})
def run_detail(request: HttpRequest, slug: Slug, pk: RecordId) -> Any:
    user = require_user(request)
    event = _organised(user, slug)
    return get_or_404(event.schedule_runs.all(), pk=pk)


def _meeting(event: Event, pk: int) -> Meeting:
    return get_or_404(
        Meeting.objects.select_related("slot", "request__event").filter(request__event=event),
        pk=pk,
    )


@router.post("/events/{slug}/meetings/{pk}/lock", response={200: MeetingOut, **WRITE_ERRORS})
def meeting_lock(request: HttpRequest, slug: Slug, pk: RecordId, payload: LockIn) -> Any:
    """A locked meeting stays where it is when the scheduler runs again."""
    user = require_user(request)
    event = _organised(user, slug)
    return services.meeting_lock(actor=user, meeting=_meeting(event, pk), locked=payload.locked)


# Agenda and ratings ------------------------------------------------------------------------


@router.get("/events/{slug}/agenda", response={200: list[AgendaItemOut], **READ_ERRORS})
def agenda(request: HttpRequest, slug: Slug) -> Any:
    """Your agenda: the programme's sessions and your meetings, in time order."""
    user = require_user(request)
    registration = _mine(user, _event(user, slug))
    given = selectors.ratings_given(registration)
    return [
        {
            "kind": "meeting" if item.is_meeting else "session",
            "starts_at": item.starts_at,
            "ends_at": item.ends_at,
            "title": item.title,
            "where": item.where,
            "partner": item.partner,
            "meeting": item.meeting.pk if item.meeting is not None else None,
            "rating_due": selectors.rating_due(
                item.meeting, registration, given, settings.ICN_MATCHING_FOLLOW_UP_DAYS
            )
            if item.meeting is not None
            else "",
        }
        for item in selectors.agenda(registration)
    ]


@router.post("/events/{slug}/meetings/{pk}/rating", response={201: RatingOut, **WRITE_ERRORS})
def meeting_rate(request: HttpRequest, slug: Slug, pk: RecordId, payload: RatingIn) -> Any:
    """Rate a meeting right after it and again months later; a meeting held moves the two
    organisations' match to "meeting held", the follow-up's outcome further."""
    user = require_user(request)
    event = _event(user, slug)
    rating = services.meeting_rate(
        actor=user,
        meeting=_meeting(event, pk),
        rating=payload.rating,
        comment=payload.comment,
        held=payload.held,
        outcome=payload.outcome,
        moment=payload.moment,
    )
    return Status(201, rating)
