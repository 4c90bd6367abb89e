"""Reads of events that depend on who is asking: lists, participants, suggestions, agendas.

Who may organise an event is `can_change` on it (the secretariat, the host cluster's
managers, the host organisation's admins and the event's organisers); who may act for a
participant is the participant and the organisers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from icn.core.visibility import can_change, get_scope
from icn.directory.models import Organisation
from icn.events.filters import EventFilter
from icn.events.models import (
    OPEN_REQUESTS,
    Event,
    EventStatus,
    Meeting,
    MeetingRating,
    MeetingRequest,
    RatingMoment,
    Registration,
    RegistrationStatus,
    RequestStatus,
    ScheduleRun,
    Session,
    Slot,
)

# Rules -------------------------------------------------------------------------------------


def may_create_event(viewer: Any, host_cluster: Any) -> bool:
    """The secretariat organises anywhere; a cluster manager for the clusters it manages."""
    scope = get_scope(viewer)
    if scope.is_secretariat:
        return True
    return host_cluster is not None and host_cluster.pk in scope.managed_cluster_ids


def may_create_any_event(viewer: Any) -> bool:
    scope = get_scope(viewer)
    return scope.is_secretariat or scope.is_cluster_manager


def can_organise(viewer: Any, event: Event) -> bool:
    return bool(getattr(viewer, "is_authenticated", False)) and can_change(viewer, event)


def acts_for(viewer: Any, registration: Registration) -> bool:
    """The participant, and the event's organisers on their behalf."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    if registration.user_id is not None and registration.user_id == viewer.pk:
        return True
    return can_organise(viewer, registration.event)


# Events ------------------------------------------------------------------------------------


def event_list(*, viewer: Any, filters: EventFilter | None = None) -> QuerySet[Event]:
    """The events the viewer may see, upcoming first unless the filters say otherwise."""
    visible = Event.objects.visible_to(viewer).select_related("host_cluster", "organisation")
    queryset: QuerySet[Event] = (filters or EventFilter()).apply(visible)
    return queryset.annotate(
        confirmed=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.CONFIRMED),
            distinct=True,
        )
    )


def event_for_viewer(*, viewer: Any, slug: str) -> Event | None:
    return (
        Event.objects.visible_to(viewer)
        .select_related("host_cluster", "organisation")
        .filter(slug=slug)
        .first()
    )


def organised_events(*, viewer: Any) -> QuerySet[Event]:
    """Events the viewer may organise, newest first."""
    if not getattr(viewer, "is_authenticated", False):
        return Event.objects.none()
    return Event.objects.editable_by(viewer).order_by("-starts_at", "-pk")


def programme(event: Event) -> list[Session]:
    return list(event.sessions.prefetch_related("slots").order_by("starts_at", "pk"))


def meeting_slots(event: Event) -> QuerySet[Slot]:
    """The slots meetings can take place in, in time order: the scheduler's slot numbers."""
    return Slot.objects.filter(session__event=event, session__for_meetings=True).order_by(
        "starts_at", "pk"
    )


def confirmed_count(event: Event) -> int:
    return event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()


def places_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(0, event.capacity - confirmed_count(event))


# Registrations -----------------------------------------------------------------------------


def registration_of(*, viewer: Any, event: Event) -> Registration | None:
    """The viewer's own registration for the event (cancelled ones too), or None."""
    if not getattr(viewer, "is_authenticated", False):
        return None
    return (
        Registration.objects.select_related("organisation", "event")
        .filter(event=event, user=viewer)
        .first()
    )


def active_registration(*, viewer: Any, event: Event) -> Registration | None:
    registration = registration_of(viewer=viewer, event=event)
    return registration if registration is not None and registration.is_active else None


def may_see_participants(viewer: Any, event: Event) -> bool:
    """Participants see each other (registering lists them to the event); so do organisers."""
    if can_organise(viewer, event):
        return True
    registration = active_registration(viewer=viewer, event=event)
    return registration is not None and registration.status == RegistrationStatus.CONFIRMED


def participants(*, viewer: Any, event: Event, q: str = "") -> QuerySet[Registration]:
    """Confirmed participants, for those who may see them; nobody else."""
    if not may_see_participants(viewer, event):
        return Registration.objects.none()
    queryset = event.registrations.filter(status=RegistrationStatus.CONFIRMED).select_related(
        "organisation", "user"
    )
    for word in q.split():
        queryset = queryset.filter(
            Q(name__icontains=word)
            | Q(organisation__name__icontains=word)
            | Q(offer__icontains=word)
            | Q(seek__icontains=word)
        )
    return queryset.order_by("organisation__name", "name", "pk")


def visible_organisation_ids(viewer: Any, ids: set[int]) -> set[int]:
    return set(
        Organisation.objects.visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True)
    )


def registrations_for_organiser(event: Event) -> dict[str, list[Registration]]:
    """Every registration by status; the waiting list in its order."""
    groups: dict[str, list[Registration]] = defaultdict(list)
    for registration in event.registrations.select_related("organisation", "user").order_by(
        "registered_at", "pk"
    ):
        groups[registration.status].append(registration)
    return groups


# Meeting requests --------------------------------------------------------------------------


def open_count(registration: Registration) -> int:
    """Meetings a participant has asked for or agreed to: what the cap counts."""
    return MeetingRequest.objects.filter(
        Q(sender=registration, status__in=OPEN_REQUESTS)
        | Q(receiver=registration, status=RequestStatus.ACCEPTED)
    ).count()


def accepted_count(registration: Registration) -> int:
    return MeetingRequest.objects.filter(
        Q(sender=registration) | Q(receiver=registration), status=RequestStatus.ACCEPTED
    ).count()


def open_request_between(a: Registration, b: Registration) -> MeetingRequest | None:
    return (
        MeetingRequest.objects.filter(status__in=OPEN_REQUESTS)
        .filter(Q(sender=a, receiver=b) | Q(sender=b, receiver=a))
        .first()
    )


def _requests() -> QuerySet[MeetingRequest]:
    return MeetingRequest.objects.select_related(
        "sender__organisation", "receiver__organisation", "event", "meeting__slot"
    )


def requests_of(registration: Registration) -> dict[str, list[MeetingRequest]]:
    """A participant's requests: those to answer, those sent, and the answered ones."""
    received = list(_requests().filter(receiver=registration))
    sent = list(_requests().filter(sender=registration))
    return {
        "incoming": [r for r in received if r.status == RequestStatus.PENDING],
        "outgoing": [r for r in sent if r.status == RequestStatus.PENDING],
        "accepted": sorted(
            [r for r in received + sent if r.status == RequestStatus.ACCEPTED],
            key=lambda r: -r.pk,
        ),
        "closed": sorted(
            [r for r in received + sent if r.status not in OPEN_REQUESTS], key=lambda r: -r.pk
        ),
    }


def requested_partner_ids(registration: Registration) -> set[int]:
    """The participants a participant already has an open request with."""
    pairs = MeetingRequest.objects.filter(status__in=OPEN_REQUESTS).filter(
        Q(sender=registration) | Q(receiver=registration)
    )
    return {
        other
        for sender, receiver in pairs.values_list("sender_id", "receiver_id")
        for other in (sender, receiver)
        if other != registration.pk
    }


def event_requests(event: Event, status: str = "") -> QuerySet[MeetingRequest]:
    queryset = _requests().filter(event=event)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def request_counts(event: Event) -> dict[str, int]:
    counts = dict(
        event.meeting_requests.values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
        .order_by()
    )
    return {status: int(counts.get(status, 0)) for status in RequestStatus.values}


# Suggestions -------------------------------------------------------------------------------


@dataclass
class MeetingSuggestion:
    """Another participant worth meeting, and why."""

    registration: Registration
    score: float
    reasons: list[str] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)


def _query_text(registration: Registration) -> str:
    """What the participant seeks; without it, its organisation's own profile."""
    from icn.matching.index import organisation_text

    if registration.seek.strip():
        return registration.seek
    if registration.organisation is not None:
        return organisation_text(registration.organisation)
    return ""


def suggestions(
    *, viewer: Any, registration: Registration, limit: int = 8
) -> list[MeetingSuggestion]:
    """Other participants whose organisations answer what this participant seeks, ranked by
    the matching engine among the organisations the viewer may see; those already asked
    are left out."""
    from icn.matching.index import get_index
    from icn.matching.models import DocumentKind

    text = _query_text(registration)
    if not text.strip():
        return []
    already = requested_partner_ids(registration)
    others = [
        other
        for other in participants(viewer=viewer, event=registration.event)
        if other.pk != registration.pk
        and other.pk not in already
        and other.organisation_id is not None
        and other.organisation_id != registration.organisation_id
    ]
    by_organisation: dict[int, list[Registration]] = defaultdict(list)
    for other in others:
        assert other.organisation_id is not None
        by_organisation[other.organisation_id].append(other)
    allowed = visible_organisation_ids(viewer, set(by_organisation))
    if not allowed:
        return []
    hits = get_index(DocumentKind.ORGANISATIONS).search(text, k=max(limit * 3, 30), allowed=allowed)
    topics = _topic_names({*allowed, registration.organisation_id})
    own_topics = topics.get(registration.organisation_id or 0, set())
    results: list[MeetingSuggestion] = []
    for hit in hits:
        organisation_id = int(hit.doc_id)
        shared = sorted(own_topics & topics.get(organisation_id, set()))
        # Meaning alone orders the candidates but does not make one: a suggestion shares a
        # word or a topic with what the participant seeks.
        if hit.bm25_rank is None and not shared:
            continue
        for other in by_organisation.get(organisation_id, []):
            reasons = []
            if hit.bm25_rank is not None:
                reasons.append("Their profile answers what you seek")
            if shared:
                reasons.append(f"Shared topics: {', '.join(shared[:4])}")
            if (
                other.seek.strip()
                and registration.offer.strip()
                and _overlap(other.seek, registration.offer)
            ):
                reasons.append("They seek what you offer")
            results.append(
                MeetingSuggestion(
                    registration=other,
                    score=float(hit.score),
                    reasons=reasons,
                    passages=[p for p in hit.passages if len(p.split()) > 2][:2],
                )
            )
        if len(results) >= limit:
            break
    return results[:limit]


def _topic_names(organisation_ids: set[int | None]) -> dict[int, set[str]]:
    """The topics of each organisation, by name, in one query."""
    names: dict[int, set[str]] = defaultdict(set)
    for organisation_id, name in Organisation.topics.through.objects.filter(
        organisation_id__in=[pk for pk in organisation_ids if pk is not None]
    ).values_list("organisation_id", "topic__name"):
        names[organisation_id].add(name)
    return names


_STOP = {
    "and", "the", "for", "with", "our", "we", "a", "an", "of", "to", "in", "on", "or", "is",
    "are", "who", "that", "partners", "partner", "looking", "seek", "offer",
}  # fmt: skip


def _overlap(first: str, second: str) -> bool:
    """Two texts share a meaningful word (a cheap check for "they seek what you offer")."""

    def words(text: str) -> set[str]:
        return {w.strip(".,;:()").lower() for w in text.split() if len(w) > 3} - _STOP

    return bool(words(first) & words(second))


# Schedule ----------------------------------------------------------------------------------


def latest_run(event: Event) -> ScheduleRun | None:
    return event.schedule_runs.order_by("-created_at", "-pk").first()


def event_meetings(event: Event) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(request__event=event)
        .select_related("slot", "request__sender__organisation", "request__receiver__organisation")
        .order_by("slot__starts_at", "table")
    )


@dataclass
class GridRow:
    """One slot of the grid, a cell per table."""

    slot: Slot
    cells: list[Meeting | None]


def schedule_grid(event: Event) -> list[GridRow]:
    """The meeting grid: slots down, tables across."""
    slots = list(meeting_slots(event))
    placed: dict[tuple[int, int], Meeting] = {
        (m.slot_id, m.table): m for m in event_meetings(event)
    }
    return [
        GridRow(
            slot=slot,
            cells=[placed.get((slot.pk, table)) for table in range(1, event.tables + 1)],
        )
        for slot in slots
    ]


def unplaced_requests(run: ScheduleRun | None) -> list[tuple[MeetingRequest, str]]:
    """The requests a run could not place, with the scheduler's reasons."""
    if run is None or not run.unplaced:
        return []
    reasons = {int(pk): reason for pk, reason in run.unplaced.items()}
    requests = _requests().in_bulk(list(reasons))
    return [(requests[pk], reasons[pk]) for pk in reasons if pk in requests]


# Agenda ------------------------------------------------------------------------------------


@dataclass
class AgendaItem:
    """One line of a participant's agenda: a session of the programme or a meeting."""

    starts_at: datetime
    ends_at: datetime
    title: str
    where: str = ""
    meeting: Meeting | None = None
    partner: Registration | None = None
    session: Session | None = None
    rating_due: str = ""  # the rating the participant owes for the meeting now, if any

    @property
    def is_meeting(self) -> bool:
        return self.meeting is not None


def participant_meetings(registration: Registration) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(
            Q(request__sender=registration) | Q(request__receiver=registration),
            request__status=RequestStatus.ACCEPTED,
        )
        .select_related(
            "slot__session",
            "request__event",
            "request__sender__organisation",
            "request__receiver__organisation",
        )
        .order_by("slot__starts_at", "table")
    )


def agenda(registration: Registration) -> list[AgendaItem]:
    """The programme's sessions without meetings, and the participant's meetings, in order."""
    event = registration.event
    items = [
        AgendaItem(
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            title=session.title,
            where=session.location or event.place,
            session=session,
        )
        for session in event.sessions.filter(for_meetings=False)
    ]
    for meeting in participant_meetings(registration):
        partner = meeting.request.other(registration)
        items.append(
            AgendaItem(
                starts_at=meeting.slot.starts_at,
                ends_at=meeting.slot.ends_at,
                title=f"Meeting with {partner}",
                where=meeting.table_name,
                meeting=meeting,
                partner=partner,
                session=meeting.slot.session,
            )
        )
    return sorted(items, key=lambda item: (item.starts_at, not item.is_meeting))


def ratings_given(registration: Registration) -> set[tuple[int, str]]:
    return set(
        MeetingRating.objects.filter(registration=registration).values_list("meeting_id", "moment")
    )


def rating_due(
    meeting: Meeting, registration: Registration, given: set[tuple[int, str]], follow_up_days: int
) -> str:
    """The rating a participant owes for a meeting now: right after it, then months later."""
    now = timezone.now()
    if not meeting.has_ended(now):
        return ""
    if (meeting.pk, RatingMoment.AFTER_MEETING) not in given:
        return RatingMoment.AFTER_MEETING
    opens = meeting.slot.ends_at + timedelta(days=follow_up_days)
    if (meeting.pk, RatingMoment.FOLLOW_UP) not in given and now >= opens:
        return RatingMoment.FOLLOW_UP
    return ""


def published_events() -> QuerySet[Event]:
    return Event.objects.filter(status=EventStatus.PUBLISHED)
