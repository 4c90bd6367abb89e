"""The e-mails of events: registration, waiting list, meeting requests, schedule changes."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from icn.events.models import Event, Meeting, MeetingRequest, Registration


def send_on_commit(messages: Iterable[EmailMessage]) -> None:
    """Send once the change is saved: a rolled-back change sends nothing."""
    for message in messages:
        if message.to:
            transaction.on_commit(partial(message.send, fail_silently=False))


def _link(name: str, event: Event) -> str:
    return settings.SITE_URL + reverse(name, args=[event.slug])


def _when(event: Event) -> str:
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    if start.date() == end.date():
        return f"{start:%A %-d %B %Y, %H:%M}–{end:%H:%M}"
    return f"{start:%-d %B %Y, %H:%M} – {end:%-d %B %Y, %H:%M}"


def _event_lines(event: Event) -> list[str]:
    lines = [f"When: {_when(event)}"]
    if event.place:
        lines.append(f"Where: {event.place}")
    if event.online_url:
        lines.append(f"Online: {event.online_url}")
    return lines


def _message(registration: Registration, subject: str, lines: list[str]) -> EmailMessage:
    greeting = f"Dear {registration.name}," if registration.name else "Hello,"
    body = "\n".join([greeting, "", *lines, "", f"— {settings.SITE_NAME}"])
    return EmailMessage(subject=subject, body=body, to=[registration.email])


def registration_confirmed(registration: Registration) -> EmailMessage:
    event = registration.event
    lines = [
        f"You are registered for {event.title}.",
        "",
        *_event_lines(event),
        "",
        f"The event: {_link('events:detail', event)}",
    ]
    if event.meetings_enabled:
        lines += [
            "",
            "Ask other participants for one-to-one meetings; your agenda and its calendar "
            f"file are here: {_link('events:agenda', event)}",
        ]
    return _message(registration, f"Registered: {event.title}", lines)


def registration_waiting(registration: Registration, position: int) -> EmailMessage:
    event = registration.event
    lines = [
        f"{event.title} is full, so you are on the waiting list (number {position}).",
        "When a place becomes free, the first on the list gets it and an e-mail.",
        "",
        *_event_lines(event),
        "",
        f"The event: {_link('events:detail', event)}",
    ]
    return _message(registration, f"Waiting list: {event.title}", lines)


def registration_promoted(registration: Registration) -> EmailMessage:
    event = registration.event
    lines = [
        f"A place became free at {event.title}: you are now registered.",
        "",
        *_event_lines(event),
        "",
        f"If you can no longer come, cancel here so the next one gets your place: "
        f"{_link('events:detail', event)}",
    ]
    return _message(registration, f"You have a place: {event.title}", lines)


def registration_cancelled(registration: Registration) -> EmailMessage:
    event = registration.event
    lines = [
        f"Your registration for {event.title} is cancelled; your meetings there are called off.",
        f"Changed your mind? Register again while registration is open: "
        f"{_link('events:detail', event)}",
    ]
    return _message(registration, f"Cancelled: {event.title}", lines)


def event_cancelled(registration: Registration) -> EmailMessage:
    event = registration.event
    lines = [
        f"{event.title} ({_when(event)}) is cancelled. We are sorry.",
        f"The organisers' note, if any, is on the event's page: {_link('events:detail', event)}",
    ]
    return _message(registration, f"Event cancelled: {event.title}", lines)


def request_received(request: MeetingRequest) -> EmailMessage:
    event = request.event
    lines = [f"{request.sender} asks to meet you at {event.title}."]
    if request.message:
        lines += ["", request.message]
    lines += ["", f"Accept or decline: {_link('events:requests', event)}"]
    if request.expires_at:
        expires = timezone.localtime(request.expires_at)
        lines.append(f"The request expires on {expires:%-d %B %Y}.")
    return _message(request.receiver, f"Meeting request at {event.title}", lines)


def request_answered(request: MeetingRequest) -> EmailMessage:
    event = request.event
    answer = request.get_status_display().lower()
    lines = [f"{request.receiver} has {answer} your meeting request at {event.title}."]
    if request.status == "accepted":
        lines.append(
            "The organisers place accepted meetings into time slots and tables; you will get "
            f"an e-mail with your agenda. It is here: {_link('events:agenda', event)}"
        )
    return _message(request.sender, f"Meeting request {answer}: {event.title}", lines)


def request_auto_accepted(request: MeetingRequest, registration: Registration) -> EmailMessage:
    event = request.event
    other = request.other(registration)
    lines = [
        f"You and {other} will meet at {event.title}: the event accepts meeting requests "
        "without asking.",
    ]
    if request.message and registration.pk == request.receiver_id:
        lines += ["", request.message]
    lines += ["", f"Your agenda: {_link('events:agenda', event)}"]
    return _message(registration, f"Meeting with {other}: {event.title}", lines)


def request_called_off(request: MeetingRequest, registration: Registration) -> EmailMessage:
    event = request.event
    other = request.other(registration)
    lines = [
        f"The meeting with {other} at {event.title} is called off.",
        f"Your agenda: {_link('events:agenda', event)}",
    ]
    return _message(registration, f"Meeting called off: {event.title}", lines)


def schedule_changed(
    registration: Registration, meetings: list[Meeting], first: bool
) -> EmailMessage:
    event = registration.event
    head = (
        f"Your meetings at {event.title} are scheduled."
        if first
        else f"Your meetings at {event.title} have changed."
    )
    lines = [head, ""]
    if meetings:
        for meeting in meetings:
            start = timezone.localtime(meeting.slot.starts_at)
            end = timezone.localtime(meeting.slot.ends_at)
            partner = meeting.request.other(registration)
            lines.append(f"- {start:%a %-d %b %H:%M}–{end:%H:%M}, {meeting.table_name}: {partner}")
    else:
        lines.append("You have no meetings in the schedule now.")
    lines += [
        "",
        f"Your agenda, to print: {_link('events:agenda', event)}",
        f"For your calendar: {_link('events:agenda_ics', event)}",
    ]
    subject = "Your meeting schedule" if first else "Your meeting schedule has changed"
    return _message(registration, f"{subject}: {event.title}", lines)
