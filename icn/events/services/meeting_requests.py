"""Writes of meeting requests: asking, accepting, declining, calling off, expiring."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from icn.events import selectors
from icn.events.models import (
    OPEN_REQUESTS,
    EventStatus,
    MeetingRequest,
    Priority,
    Registration,
    RegistrationStatus,
    RequestStatus,
)
from icn.events.services import mail


def _locked(registration: Registration) -> Registration:
    # Both sides' rows are locked while their caps are counted: two requests at once
    # cannot both take a participant's last place.
    return Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)


def _check_cap_of_sender(sender: Registration) -> None:
    cap = sender.meeting_cap()
    if cap is None:
        return
    count = selectors.open_count(sender)
    if count >= cap:
        raise ValidationError(
            f"You have {count} meeting requests waiting or accepted: the most "
            f"{'this event allows' if cap == sender.event.max_meetings else 'you asked for'} "
            f"({cap}). Withdraw one before asking for another."
        )


def _check_cap_of_receiver(receiver: Registration, *, yours: bool = False) -> None:
    cap = receiver.meeting_cap()
    if cap is None:
        return
    count = selectors.accepted_count(receiver)
    if count >= cap:
        if yours:
            raise ValidationError(
                f"Your agenda is full: you have {count} accepted meetings, the most allowed "
                f"({cap}). Call one off before accepting another."
            )
        raise ValidationError(
            f"{receiver.name}'s agenda is full: {count} accepted meetings, the most allowed "
            f"({cap})."
        )


@transaction.atomic
def request_create(
    *,
    actor: Any,
    sender: Registration,
    receiver: Registration,
    message: str = "",
    priority: int = Priority.NICE,
) -> MeetingRequest:
    """Ask another participant for a meeting. Caps are checked now, so the answer is clear
    at once; an event may accept requests without asking the receiver."""
    if not selectors.acts_for(actor, sender):
        raise PermissionDenied("You ask for meetings as yourself.")
    # Locked in the order of their keys, so two requests between the same two participants
    # in opposite directions wait for each other instead of deadlocking.
    first, second = sorted([sender, receiver], key=lambda r: r.pk)
    locked = {r.pk: r for r in (_locked(first), _locked(second))}
    sender, receiver = locked[sender.pk], locked[receiver.pk]
    event = sender.event
    if receiver.event_id != event.pk:
        raise ValidationError({"receiver": "The participant is not at this event."})
    if not event.meetings_enabled:
        raise ValidationError("This event has no one-to-one meetings.")
    if event.status != EventStatus.PUBLISHED or event.has_ended():
        raise ValidationError("Meeting requests are closed for this event.")
    if sender.pk == receiver.pk:
        raise ValidationError({"receiver": "You cannot meet yourself."})
    if sender.status != RegistrationStatus.CONFIRMED:
        raise ValidationError("Only confirmed participants ask for meetings.")
    if receiver.status != RegistrationStatus.CONFIRMED:
        raise ValidationError({"receiver": f"{receiver.name} is not a confirmed participant."})
    if sender.organisation_id is not None and sender.organisation_id == receiver.organisation_id:
        raise ValidationError({"receiver": "You work for the same organisation."})
    if priority not in Priority.values:
        raise ValidationError({"priority": "Choose a priority from 1 to 3."})
    existing = selectors.open_request_between(sender, receiver)
    if existing is not None:
        if existing.sender_id == sender.pk:
            raise ValidationError({"receiver": f"You have asked {receiver.name} already."})
        raise ValidationError(
            {"receiver": f"{receiver.name} has asked you already: answer their request."}
        )
    _check_cap_of_sender(sender)
    _check_cap_of_receiver(receiver)
    now = timezone.now()
    request = MeetingRequest(
        event=event,
        sender=sender,
        receiver=receiver,
        message=(message or "").strip(),
        priority=priority,
        created_by=actor,
    )
    if event.auto_accept:
        request.status = RequestStatus.ACCEPTED
        request.answered_at = now
    else:
        request.expires_at = now + timedelta(days=event.request_expiry_days)
    request.full_clean()
    request.save()
    if request.status == RequestStatus.ACCEPTED:
        mail.send_on_commit(
            [
                mail.request_auto_accepted(request, sender),
                mail.request_auto_accepted(request, receiver),
            ]
        )
    else:
        mail.send_on_commit([mail.request_received(request)])
    return request


def _pending(request: MeetingRequest) -> MeetingRequest:
    request = (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("event", "sender__event", "receiver__event")
        .get(pk=request.pk)
    )
    overdue = request.expires_at is not None and request.expires_at < timezone.now()
    if request.status == RequestStatus.PENDING and overdue:
        request.status = RequestStatus.EXPIRED
        request.save(update_fields=["status", "updated_at"])
    if request.status != RequestStatus.PENDING:
        when = ""
        if request.status == RequestStatus.EXPIRED and request.expires_at is not None:
            when = f" on {timezone.localtime(request.expires_at):%-d %B %Y}"
        raise ValidationError(
            f"This request is {request.get_status_display().lower()}{when}: it cannot be "
            "answered any more."
        )
    return request


@transaction.atomic
def request_accept(*, actor: Any, request: MeetingRequest) -> MeetingRequest:
    """The receiver agrees to meet; the organisers' scheduler then finds a slot and a table."""
    if not selectors.acts_for(actor, request.receiver):
        raise PermissionDenied("The participant asked answers the request.")
    request = _pending(request)
    _check_cap_of_receiver(_locked(request.receiver), yours=True)
    request.status = RequestStatus.ACCEPTED
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at", "updated_at"])
    mail.send_on_commit([mail.request_answered(request)])
    return request


@transaction.atomic
def request_decline(*, actor: Any, request: MeetingRequest) -> MeetingRequest:
    if not selectors.acts_for(actor, request.receiver):
        raise PermissionDenied("The participant asked answers the request.")
    request = _pending(request)
    request.status = RequestStatus.DECLINED
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at", "updated_at"])
    mail.send_on_commit([mail.request_answered(request)])
    return request


@transaction.atomic
def request_cancel(*, actor: Any, request: MeetingRequest) -> MeetingRequest:
    """Either side withdraws or calls off a meeting; a scheduled one leaves its table free."""
    sides = [request.sender, request.receiver]
    acting = [side for side in sides if selectors.acts_for(actor, side)]
    if not acting:
        raise PermissionDenied("Only the two participants and the organisers call a meeting off.")
    request = (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("event", "sender", "receiver")
        .get(pk=request.pk)
    )
    if request.status not in OPEN_REQUESTS:
        raise ValidationError(f"This request is {request.get_status_display().lower()} already.")
    request.status = RequestStatus.CANCELLED
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at", "updated_at"])
    if hasattr(request, "meeting"):
        request.meeting.delete()
    # Tell the side that did not call it off (both, when an organiser did).
    told = [s for s in (request.sender, request.receiver) if s.user_id != actor.pk]
    mail.send_on_commit(mail.request_called_off(request, side) for side in told)
    return request


def requests_expire(*, now: datetime | None = None) -> int:
    """Pending requests nobody answered in time expire; returns how many."""
    now = now or timezone.now()
    return MeetingRequest.objects.filter(
        status=RequestStatus.PENDING, expires_at__isnull=False, expires_at__lt=now
    ).update(status=RequestStatus.EXPIRED, updated_at=now)
