"""Writes of an event's frame: the event itself, its organisers, sessions and time slots."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from icn.core.models import assign
from icn.core.visibility import get_scope
from icn.directory.models import Cluster, Organisation
from icn.directory.services import unique_slug
from icn.events import selectors
from icn.events.models import (
    Event,
    EventStatus,
    RegistrationStatus,
    Session,
    Slot,
)
from icn.events.services import mail

MAX_SLOTS_PER_SESSION = 200


def require_organiser(actor: Any, event: Event) -> None:
    if not selectors.can_organise(actor, event):
        raise PermissionDenied("Only the event's organisers may do this.")


def _check_host(
    actor: Any, host_cluster: Cluster | None, organisation: Organisation | None
) -> None:
    if not selectors.may_create_event(actor, host_cluster):
        raise PermissionDenied(
            "Events are organised by the host cluster's managers and the secretariat."
        )
    if organisation is None or get_scope(actor).is_secretariat:
        return
    if host_cluster is None or not organisation.clusters.filter(pk=host_cluster.pk).exists():
        raise ValidationError(
            {"organisation": "The organisation running the event is a member of its host cluster."}
        )


def _organisers(users: Iterable[Any]) -> list[Any]:
    users = list(users)
    inactive = [str(u) for u in users if not u.is_active]
    if inactive:
        raise ValidationError({"organisers": f"Not an active user: {', '.join(inactive)}."})
    return users


def organisers_by_email(emails: Iterable[str]) -> list[Any]:
    """Users named by e-mail address; unknown addresses are an error on the field."""
    wanted = [e.strip().lower() for e in emails if e and e.strip()]
    found = {
        str(u.email).lower(): u
        for u in get_user_model().objects.filter(email__in=wanted, is_active=True)
    }
    unknown = [e for e in wanted if e not in found]
    if unknown:
        raise ValidationError({"organisers": f"No user with the address: {', '.join(unknown)}."})
    return [found[e] for e in dict.fromkeys(wanted)]


@transaction.atomic
def event_create(
    *,
    actor: Any,
    host_cluster: Cluster | None = None,
    organisation: Organisation | None = None,
    organisers: Iterable[Any] = (),
    publish: bool = False,
    **fields: Any,
) -> Event:
    """A new event, a draft unless published at once; its creator organises it."""
    _check_host(actor, host_cluster, organisation)
    event = Event(host_cluster=host_cluster, organisation=organisation, created_by=actor, **fields)
    event.slug = unique_slug(Event, event.title, max_length=200)
    if publish:
        event.status = EventStatus.PUBLISHED
    event.full_clean()
    event.save()
    event.organisers.set([actor, *_organisers(organisers)])
    return event


@transaction.atomic
def event_update(
    *, actor: Any, event: Event, organisers: Iterable[Any] | None = None, **fields: Any
) -> Event:
    """Change an event; raising its capacity gives the freed places to the waiting list."""
    require_organiser(actor, event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    host = fields.get("host_cluster", event.host_cluster)
    organisation = fields.get("organisation", event.organisation)
    # Whoever may change the event keeps its host (the host organisation's admins manage no
    # cluster); moving it to another host needs the right to organise there.
    if (host, organisation) != (event.host_cluster, event.organisation):
        _check_host(actor, host, organisation)
    if fields.get("status") == EventStatus.CANCELLED:
        raise ValidationError({"status": "Cancel an event with its own action."})
    assign(event, fields)
    event.full_clean()
    event.save()
    if organisers is not None:
        chosen = _organisers(organisers)
        if not chosen:
            raise ValidationError({"organisers": "An event keeps at least one organiser."})
        event.organisers.set(chosen)
    if "capacity" in fields:
        from icn.events.services.registrations import promote_waiting

        promote_waiting(event)
    return event


@transaction.atomic
def event_publish(*, actor: Any, event: Event) -> Event:
    require_organiser(actor, event)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError("A cancelled event stays cancelled.")
    event.status = EventStatus.PUBLISHED
    event.full_clean()
    event.save(update_fields=["status", "updated_at"])
    return event


@transaction.atomic
def event_cancel(*, actor: Any, event: Event) -> Event:
    """Call the event off; every participant still registered hears of it."""
    require_organiser(actor, event)
    if event.status == EventStatus.CANCELLED:
        return event
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    active = event.registrations.exclude(status=RegistrationStatus.CANCELLED)
    mail.send_on_commit(mail.event_cancelled(registration) for registration in active)
    return event


def _slot_times(
    starts_at: datetime, ends_at: datetime, minutes: int, break_minutes: int
) -> list[tuple[datetime, datetime]]:
    length, pause = timedelta(minutes=minutes), timedelta(minutes=break_minutes)
    times, start = [], starts_at
    while start + length <= ends_at:
        times.append((start, start + length))
        start += length + pause
    return times


@transaction.atomic
def session_create(
    *,
    actor: Any,
    event: Event,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    for_meetings: bool = True,
    slot_minutes: int | None = 20,
    break_minutes: int = 5,
    location: str = "",
) -> Session:
    """A part of the programme; a meeting session is cut into slots of `slot_minutes`
    with `break_minutes` between them."""
    require_organiser(actor, event)
    session = Session(
        event=event,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        for_meetings=for_meetings,
        location=location,
    )
    session.full_clean()
    if starts_at < event.starts_at or ends_at > event.ends_at:
        raise ValidationError({"starts_at": "The session lies outside the event's dates."})
    if for_meetings:
        if not slot_minutes or slot_minutes < 5 or slot_minutes > 240:
            raise ValidationError({"slot_minutes": "A meeting slot lasts 5 to 240 minutes."})
        if break_minutes < 0 or break_minutes > 120:
            raise ValidationError({"break_minutes": "A break lasts 0 to 120 minutes."})
        times = _slot_times(starts_at, ends_at, slot_minutes, break_minutes)
        if not times:
            raise ValidationError({"slot_minutes": "Not one slot fits into the session."})
        if len(times) > MAX_SLOTS_PER_SESSION:
            raise ValidationError(
                {"slot_minutes": f"More than {MAX_SLOTS_PER_SESSION} slots: make them longer."}
            )
    session.save()
    if for_meetings:
        Slot.objects.bulk_create(
            Slot(session=session, starts_at=start, ends_at=end) for start, end in times
        )
    return session


@transaction.atomic
def session_delete(*, actor: Any, session: Session) -> None:
    """Remove a session; meetings in its slots go back to the accepted requests to place."""
    require_organiser(actor, session.event)
    session.delete()
