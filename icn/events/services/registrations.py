"""Writes of registrations: registering, the waiting list, cancelling, the participant's profile."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from icn.core.visibility import get_scope
from icn.directory.models import Organisation
from icn.events import selectors
from icn.events.models import (
    OPEN_REQUESTS,
    Event,
    MeetingRequest,
    Registration,
    RegistrationStatus,
    RequestStatus,
    Slot,
)
from icn.events.services import mail
from icn.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus, Solution

PROFILE_LIMIT = 3000


def _clip(text: str, limit: int = PROFILE_LIMIT) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def profile_from_directory(organisation: Organisation | None) -> tuple[str, str]:
    """What an organisation offers (its description and solutions) and seeks (its open
    challenges), as the directory knows it: the first draft of a participant's profile."""
    if organisation is None:
        return "", ""
    offer = [organisation.description.strip()] if organisation.description.strip() else []
    solutions = list(
        Solution.objects.filter(organisation=organisation)
        .order_by("title")[:5]
        .values_list("title", flat=True)
    )
    if solutions:
        offer.append("Solutions: " + "; ".join(solutions) + ".")
    challenges = list(
        Opportunity.objects.filter(
            author_organisation=organisation,
            kind=OpportunityKind.CHALLENGE,
            status=OpportunityStatus.PUBLISHED,
        )
        .order_by("-published_at")[:5]
        .values_list("title", flat=True)
    )
    seek = ("Challenges: " + "; ".join(challenges) + ".") if challenges else ""
    return _clip("\n\n".join(offer)), _clip(seek)


def clean_answers(event: Event, answers: dict[str, Any] | None) -> dict[str, str]:
    """Answers to the event's questions by label; required ones must be there, a choice must
    be one of the choices, other keys are dropped."""
    answers = answers or {}
    cleaned: dict[str, str] = {}
    problems: list[str] = []
    for question in event.registration_questions or []:
        label = question["label"]
        value = str(answers.get(label) or "").strip()[:1000]
        choices = question.get("choices") or []
        if not value:
            if question.get("required"):
                problems.append(f"“{label}” needs an answer.")
            continue
        if choices and value not in choices:
            problems.append(f"“{label}”: choose one of {', '.join(choices)}.")
            continue
        cleaned[label] = value
    if problems:
        raise ValidationError({"answers": problems})
    return cleaned


def _check_slots(event: Event, slots: Iterable[Slot]) -> list[Slot]:
    slots = list(slots)
    if any(slot.session.event_id != event.pk for slot in slots):
        raise ValidationError({"busy_slots": "A slot of another event."})
    return slots


def _acting_organisation(actor: Any, organisation: Organisation | None) -> Organisation | None:
    scope = get_scope(actor)
    if organisation is None:
        if not scope.organisation_ids:
            return None
        return Organisation.objects.filter(pk__in=scope.organisation_ids).order_by("name").first()
    if organisation.pk not in scope.organisation_ids:
        raise ValidationError({"organisation": "Register for an organisation you act for."})
    return organisation


def _waiting_position(registration: Registration) -> int:
    return (
        Registration.objects.filter(
            event_id=registration.event_id, status=RegistrationStatus.WAITING
        )
        .filter(
            Q(registered_at__lt=registration.registered_at)
            | Q(registered_at=registration.registered_at, pk__lte=registration.pk)
        )
        .count()
    )


@transaction.atomic
def registration_create(
    *,
    actor: Any,
    event: Event,
    organisation: Organisation | None = None,
    answers: dict[str, Any] | None = None,
    offer: str | None = None,
    seek: str | None = None,
    max_meetings: int | None = None,
    busy_slots: Iterable[Slot] = (),
) -> Registration:
    """Register the actor: confirmed while places are left, else on the waiting list; an
    e-mail says which. The profile starts from the organisation's directory entry."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Log in to register.")
    if not Event.objects.visible_to(actor).filter(pk=event.pk).exists():
        raise PermissionDenied("You may not see this event.")
    # One registration at a time per event: the capacity is counted under this lock.
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not event.registration_open():
        raise ValidationError("Registration for this event is closed.")
    organisation = _acting_organisation(actor, organisation)
    existing = Registration.objects.filter(event=event, user=actor).first()
    if existing is not None and existing.is_active:
        raise ValidationError("You are registered already.")
    registration = existing or Registration(event=event, user=actor)
    drafted_offer, drafted_seek = profile_from_directory(organisation)
    registration.organisation = organisation
    registration.name = str(actor.get_full_name() or actor.email)
    registration.email = str(actor.email)
    registration.answers = clean_answers(event, answers)
    registration.offer = _clip(offer) if offer is not None else drafted_offer
    registration.seek = _clip(seek) if seek is not None else drafted_seek
    registration.max_meetings = max_meetings
    registration.registered_at = timezone.now()
    registration.cancelled_at = None
    left = selectors.places_left(event)
    if left is None or left > 0:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = timezone.now()
    else:
        registration.status = RegistrationStatus.WAITING
        registration.confirmed_at = None
    registration.full_clean(exclude=["event", "user"])
    registration.save()
    registration.busy_slots.set(_check_slots(event, busy_slots))
    if registration.status == RegistrationStatus.CONFIRMED:
        mail.send_on_commit([mail.registration_confirmed(registration)])
    else:
        position = _waiting_position(registration)
        mail.send_on_commit([mail.registration_waiting(registration, position)])
    return registration


@transaction.atomic
def registration_update(
    *,
    actor: Any,
    registration: Registration,
    busy_slots: Iterable[Slot] | None = None,
    answers: dict[str, Any] | None = None,
    **fields: Any,
) -> Registration:
    """The participant changes its profile (offer, seek, most meetings) or availability."""
    if not selectors.acts_for(actor, registration):
        raise PermissionDenied("You may not change this registration.")
    if not registration.is_active:
        raise ValidationError("This registration is cancelled.")
    allowed = {"offer", "seek", "max_meetings"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Cannot change: {', '.join(sorted(unknown))}.")
    for name in ("offer", "seek"):
        if name in fields:
            fields[name] = _clip(fields[name] or "")
    for name, value in fields.items():
        setattr(registration, name, value)
    if answers is not None:
        registration.answers = clean_answers(registration.event, answers)
    registration.full_clean(exclude=["event", "user"])
    registration.save()
    if busy_slots is not None:
        registration.busy_slots.set(_check_slots(registration.event, busy_slots))
    return registration


def _call_off_requests(registration: Registration) -> list[MeetingRequest]:
    """Cancel a leaving participant's open requests; their meetings go with them."""
    requests = list(
        MeetingRequest.objects.select_for_update(of=("self",))
        .filter(Q(sender=registration) | Q(receiver=registration), status__in=OPEN_REQUESTS)
        .select_related("event", "sender", "receiver")
    )
    for request in requests:
        request.status = RequestStatus.CANCELLED
        request.answered_at = timezone.now()
        request.save(update_fields=["status", "answered_at", "updated_at"])
        if hasattr(request, "meeting"):
            request.meeting.delete()
    return requests


@transaction.atomic
def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    """Cancel a registration: its meetings are called off, and a freed place goes to the
    first on the waiting list (with an e-mail)."""
    if not selectors.acts_for(actor, registration):
        raise PermissionDenied("You may not cancel this registration.")
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not registration.is_active:
        return registration
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    called_off = _call_off_requests(registration)
    messages = [mail.registration_cancelled(registration)]
    for request in called_off:
        if request.status == RequestStatus.CANCELLED:
            messages.append(mail.request_called_off(request, request.other(registration)))
    mail.send_on_commit(messages)
    if was_confirmed:
        promote_waiting(registration.event)
    return registration


@transaction.atomic
def promote_waiting(event: Event) -> list[Registration]:
    """Confirm the first on the waiting list while places are free; each hears of it."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    left = selectors.places_left(event)
    waiting = Registration.objects.filter(event=event, status=RegistrationStatus.WAITING).order_by(
        "registered_at", "pk"
    )
    chosen = list(waiting if left is None else waiting[:left])
    now = timezone.now()
    for registration in chosen:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at", "updated_at"])
    mail.send_on_commit(mail.registration_promoted(registration) for registration in chosen)
    return chosen
