"""iCalendar files: a participant's meetings and the programme, and an event's programme."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from icn.events import selectors
from icn.events.models import Event, Registration

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _entry(
    uid: str, summary: str, starts_at: datetime, ends_at: datetime, **extra: object
) -> CalendarEvent:
    entry = CalendarEvent()
    entry.add("uid", f"{uid}@{_host()}")
    entry.add("dtstamp", timezone.now().astimezone(UTC))
    entry.add("summary", summary)
    entry.add("dtstart", starts_at.astimezone(UTC))
    entry.add("dtend", ends_at.astimezone(UTC))
    for key, value in extra.items():
        if value:
            entry.add(key.replace("_", "-"), value)
    return entry


def _event_entry(event: Event) -> CalendarEvent:
    url = settings.SITE_URL + event.get_absolute_url()
    description = "\n\n".join(part for part in (event.summary, event.online_url, url) if part)
    status = "CANCELLED" if event.status == "cancelled" else "CONFIRMED"
    return _entry(
        f"event-{event.pk}",
        event.title,
        event.starts_at,
        event.ends_at,
        location=event.place,
        url=url,
        description=description,
        status=status,
        categories=[event.get_kind_display()],
    )


def event_calendar(event: Event) -> bytes:
    """The event and the sessions of its programme."""
    calendar = _calendar(event.title)
    calendar.add_component(_event_entry(event))
    for session in event.sessions.order_by("starts_at", "pk"):
        calendar.add_component(
            _entry(
                f"event-{event.pk}-session-{session.pk}",
                f"{session.title} · {event.title}",
                session.starts_at,
                session.ends_at,
                location=session.location or event.place,
                url=settings.SITE_URL + event.get_absolute_url(),
            )
        )
    return bytes(calendar.to_ical())


def agenda_calendar(registration: Registration) -> bytes:
    """A participant's agenda: the event, the sessions without meetings, and each meeting with
    its table and partner. A meeting keeps its UID when it moves, so calendars update it."""
    event = registration.event
    calendar = _calendar(f"{event.title}: my agenda")
    calendar.add_component(_event_entry(event))
    agenda_url = settings.SITE_URL + reverse("events:agenda", args=[event.slug])
    for item in selectors.agenda(registration):
        if item.meeting is not None and item.partner is not None:
            partner = item.partner
            lines = [f"One-to-one meeting with {partner}", f"Where: {item.where}"]
            if partner.offer:
                lines.append(f"They offer: {partner.offer[:500]}")
            if item.meeting.request.message:
                lines.append(f"Request: {item.meeting.request.message[:500]}")
            lines.append(agenda_url)
            calendar.add_component(
                _entry(
                    f"event-{event.pk}-meeting-{item.meeting.request_id}",
                    f"Meeting: {partner}",
                    item.starts_at,
                    item.ends_at,
                    location=", ".join(part for part in (item.where, event.place) if part),
                    description="\n".join(lines),
                    url=agenda_url,
                )
            )
        elif item.session is not None:
            calendar.add_component(
                _entry(
                    f"event-{event.pk}-session-{item.session.pk}",
                    f"{item.title} · {event.title}",
                    item.starts_at,
                    item.ends_at,
                    location=item.where,
                )
            )
    return bytes(calendar.to_ical())
