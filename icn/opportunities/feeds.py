"""Atom feeds of opportunities (feedgen) and an iCalendar feed of their deadlines (icalendar).

Public feeds show what an anonymous visitor sees; a private feed, reached with the owner's
feed token, shows what its owner sees. The same filters as the opportunity list narrow them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone
from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event

from icn.opportunities.filters import OpportunityFilter
from icn.opportunities.models import AlertSettings, Opportunity, OpportunityStatus

FEED_SIZE = 50
CALENDAR_SIZE = 500
# Deadlines that passed this long ago drop out of the calendar.
CALENDAR_PAST = timedelta(days=90)
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def feed_owner(token: str) -> Any | None:
    """The active user a private feed token belongs to, or None."""
    if not token:
        return None
    row = AlertSettings.objects.select_related("user").filter(feed_token=token).first()
    if row is None or not row.user.is_active:
        return None
    return row.user


def feed_items(
    *, viewer: Any = None, kind: str = "", topic: str = "", cluster: str = ""
) -> QuerySet[Opportunity]:
    """Published items the viewer (a visitor by default) may see, newest first.

    Raises pydantic's ValidationError for a kind that does not exist.
    """
    filters = OpportunityFilter.model_validate(
        {"kind": kind, "topic": topic, "cluster": cluster, "include_closed": True}
    )
    visible = Opportunity.objects.visible_to(viewer or AnonymousUser())
    return (
        filters.apply(visible.filter(status=OpportunityStatus.PUBLISHED))
        .select_related("author_organisation", "cluster")
        .prefetch_related("topics")[:FEED_SIZE]
    )


def deadline_items(*, viewer: Any = None) -> QuerySet[Opportunity]:
    """Published or closed items with a deadline that has not long passed, soonest first."""
    since = timezone.now() - CALENDAR_PAST
    return (
        Opportunity.objects.visible_to(viewer or AnonymousUser())
        .filter(
            status__in=[OpportunityStatus.PUBLISHED, OpportunityStatus.CLOSED],
            deadline__gte=since,
        )
        .select_related("author_organisation")
        .order_by("deadline", "pk")[:CALENDAR_SIZE]
    )


def _entry_id(opportunity: Opportunity) -> str:
    # A tag URI on the primary key: stays the same if the title (and the slug) change.
    created = opportunity.created_at or timezone.now()
    return f"tag:{_host()},{created:%Y-%m-%d}:opportunity:{opportunity.pk}"


def atom_feed(
    items: Iterable[Opportunity], *, title: str, self_url: str, alternate_url: str
) -> bytes:
    """An Atom document of the items."""
    generator = FeedGenerator()
    generator.id(self_url)
    generator.title(title)
    generator.subtitle(f"Opportunities shared in the International Cleantech Network: {title}")
    generator.author({"name": settings.SITE_NAME, "uri": settings.SITE_URL})
    generator.link(href=self_url, rel="self", type="application/atom+xml")
    generator.link(href=alternate_url, rel="alternate", type="text/html")
    generator.language("en")
    latest: datetime | None = None
    for opportunity in items:
        url = settings.SITE_URL + opportunity.get_absolute_url()
        entry = generator.add_entry(order="append")
        entry.id(_entry_id(opportunity))
        entry.title(opportunity.title)
        entry.link(href=url, rel="alternate", type="text/html")
        published = opportunity.published_at or opportunity.created_at
        updated = max(filter(None, [opportunity.updated_at, published]))
        entry.published(published)
        entry.updated(updated)
        latest = updated if latest is None else max(latest, updated)
        entry.summary(_summary(opportunity))
        entry.category(term=opportunity.kind, label=opportunity.get_kind_display())
        for topic in opportunity.topics.all():
            entry.category(term=topic.slug, label=topic.name)
        if opportunity.author_organisation:
            entry.author({"name": opportunity.author_organisation.name})
    generator.updated(latest or timezone.now())
    return bytes(generator.atom_str(pretty=True))


def _summary(opportunity: Opportunity) -> str:
    parts = [opportunity.get_kind_display()]
    if opportunity.country:
        parts.append(opportunity.country_name)
    if opportunity.deadline:
        local = timezone.localtime(opportunity.deadline)
        parts.append(f"deadline {local:%d %b %Y}")
    head = " · ".join(parts)
    return f"{head}. {opportunity.summary}" if opportunity.summary else head


def _is_all_day(deadline: datetime) -> bool:
    """A deadline at midnight or in the day's last minute means "on that day", not an hour."""
    local = timezone.localtime(deadline).time()
    return local == time(0, 0) or (local.hour, local.minute) == (23, 59)


def deadlines_calendar(items: Iterable[Opportunity], *, name: str) -> bytes:
    """An iCalendar document with one event per item's deadline."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for opportunity in items:
        deadline = opportunity.deadline
        if deadline is None:
            continue
        url = settings.SITE_URL + opportunity.get_absolute_url()
        event = Event()
        event.add("uid", f"opportunity-{opportunity.pk}-deadline@{_host()}")
        event.add("dtstamp", stamp)
        event.add("last-modified", opportunity.updated_at or stamp)
        event.add("summary", f"Deadline: {opportunity.title}")
        if _is_all_day(deadline):
            day = timezone.localtime(deadline).date()
            event.add("dtstart", day)
            event.add("dtend", day + timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        else:
            event.add("dtstart", deadline.astimezone(UTC))
        event.add("url", url)
        description = f"{opportunity.get_kind_display()}"
        if opportunity.summary:
            description += f": {opportunity.summary}"
        event.add("description", f"{description}\n\n{url}")
        event.add("categories", [opportunity.get_kind_display()])
        calendar.add_component(event)
    return bytes(calendar.to_ical())
