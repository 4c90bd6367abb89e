"""Atom feeds of opportunities and iCalendar feeds of their deadlines, public and private."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

import feedparser
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from icn.accounts.models import User
from icn.core.visibility import Visibility
from icn.directory.models import Cluster, Organisation, Topic
from icn.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus
from icn.opportunities.services import alert_settings_for
from tests.conftest import Network

_numbers = count(1)


def _item(
    title: str,
    *,
    kind: str = OpportunityKind.NEWS,
    visibility: str = Visibility.PUBLIC,
    organisation: Organisation | None = None,
    cluster: Cluster | None = None,
    topics: tuple[str, ...] = (),
    status: str = OpportunityStatus.PUBLISHED,
    **fields: Any,
) -> Opportunity:
    opportunity = Opportunity.objects.create(
        title=title,
        slug=f"feed-item-{next(_numbers)}",
        kind=kind,
        visibility=visibility,
        author_organisation=organisation,
        cluster=cluster,
        status=status,
        published_at=timezone.now() if status == OpportunityStatus.PUBLISHED else None,
        **fields,
    )
    opportunity.topics.set(Topic.objects.filter(slug__in=topics))
    return opportunity


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    base = timezone.localtime() + timedelta(days=day)
    return base.replace(hour=hour, minute=minute, second=0, microsecond=0)


@pytest.fixture
def items(network: Network) -> dict[str, Opportunity]:
    clean, nordic = network.clean, network.nordic_edge
    return {
        "tender": _item(
            "Public hydrogen tender",
            kind=OpportunityKind.TENDER,
            organisation=network.org("clean", "public"),
            cluster=clean,
            topics=("green-hydrogen-production",),
            deadline=_local(20, 23, 59),
            summary="Electrolysers for a harbour.",
        ),
        "news": _item(
            "Public wind news",
            organisation=network.org("nordic-edge", "public"),
            cluster=nordic,
            topics=("wind-power",),
        ),
        "call": _item(
            "Public funding call",
            kind=OpportunityKind.FUNDING_CALL,
            funder="EU",
            organisation=network.org("nordic-edge", "public"),
            cluster=nordic,
            deadline=_local(30, 14, 0),
        ),
        "network": _item(
            "Network-only tender",
            kind=OpportunityKind.TENDER,
            visibility=Visibility.NETWORK,
            organisation=network.org("clean", "network"),
            cluster=clean,
            deadline=_local(10, 12),
        ),
        "cluster": _item(
            "CLEAN-only challenge",
            kind=OpportunityKind.CHALLENGE,
            visibility=Visibility.CLUSTER,
            organisation=network.org("clean", "network"),
            cluster=clean,
            deadline=_local(12, 12),
        ),
        "nordic_cluster": _item(
            "Nordic-only news",
            visibility=Visibility.CLUSTER,
            organisation=network.org("nordic-edge", "network"),
            cluster=nordic,
        ),
        "private": _item(
            "Private news",
            visibility=Visibility.PRIVATE,
            organisation=network.org("clean", "private"),
            cluster=clean,
        ),
        "draft": _item(
            "Public draft",
            organisation=network.org("clean", "public"),
            cluster=clean,
            status=OpportunityStatus.DRAFT,
            deadline=_local(5, 12),
        ),
    }


def _atom(path: str, client: Client | None = None) -> Any:
    response = (client or Client()).get(path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def _titles(parsed: Any) -> set[str]:
    return {entry.title for entry in parsed.entries}


def test_the_atom_feed_has_public_published_items_only(items: dict[str, Opportunity]) -> None:
    parsed = _atom(reverse("opportunities:feed"))

    assert _titles(parsed) == {"Public hydrogen tender", "Public wind news", "Public funding call"}
    entry = next(e for e in parsed.entries if e.title == "Public hydrogen tender")
    assert entry.link == settings.SITE_URL + items["tender"].get_absolute_url()
    assert "Electrolysers for a harbour." in entry.summary
    assert {tag.term for tag in entry.tags} >= {"tender", "green-hydrogen-production"}


def test_the_atom_feed_filters_by_kind(items: dict[str, Opportunity]) -> None:
    by_query = _atom(reverse("opportunities:feed") + "?kind=tender")
    by_path = _atom(reverse("opportunities:kind_feed", args=["tender"]))

    assert _titles(by_query) == _titles(by_path) == {"Public hydrogen tender"}


def test_the_atom_feed_filters_by_topic_with_its_sub_topics(
    items: dict[str, Opportunity],
) -> None:
    by_query = _atom(reverse("opportunities:feed") + "?topic=hydrogen")
    by_path = _atom(reverse("opportunities:topic_feed", args=["wind-power"]))

    assert _titles(by_query) == {"Public hydrogen tender"}
    assert _titles(by_path) == {"Public wind news"}


def test_the_atom_feed_filters_by_cluster(items: dict[str, Opportunity]) -> None:
    by_query = _atom(reverse("opportunities:feed") + "?cluster=clean")
    by_path = _atom(reverse("opportunities:cluster_feed", args=["nordic-edge"]))

    assert _titles(by_query) == {"Public hydrogen tender"}
    assert _titles(by_path) == {"Public wind news", "Public funding call"}


def test_unknown_feed_filters_are_refused(items: dict[str, Opportunity]) -> None:
    client = Client()

    assert client.get(reverse("opportunities:feed") + "?kind=gossip").status_code == 400
    assert client.get(reverse("opportunities:kind_feed", args=["gossip"])).status_code == 404
    assert client.get(reverse("opportunities:topic_feed", args=["nothing"])).status_code == 404
    assert client.get(reverse("opportunities:cluster_feed", args=["nowhere"])).status_code == 404


def test_the_private_feed_shows_what_its_owner_sees(
    items: dict[str, Opportunity], member: User
) -> None:
    token = alert_settings_for(member).feed_token

    response = Client().get(reverse("opportunities:private_feed", args=[token]))
    parsed = feedparser.parse(response.content)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert _titles(parsed) == {
        "Public hydrogen tender",
        "Public wind news",
        "Public funding call",
        "Network-only tender",
        "CLEAN-only challenge",
        "Private news",
    }


def test_the_private_feed_of_another_cluster_leaves_out_cleans_cluster_only_items(
    items: dict[str, Opportunity], other_member: User
) -> None:
    token = alert_settings_for(other_member).feed_token

    parsed = _atom(reverse("opportunities:private_feed", args=[token]))

    assert "CLEAN-only challenge" not in _titles(parsed)
    assert "Nordic-only news" in _titles(parsed)


def test_an_unknown_feed_token_is_not_found(items: dict[str, Opportunity]) -> None:
    client = Client()

    assert client.get(reverse("opportunities:private_feed", args=["wrong"])).status_code == 404
    assert client.get(reverse("opportunities:private_deadlines", args=["wrong"])).status_code == 404


def _events(path: str) -> dict[str, Any]:
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_the_calendar_has_one_event_per_public_deadline_on_the_right_date(
    items: dict[str, Opportunity],
) -> None:
    events = _events(reverse("opportunities:deadlines"))

    assert set(events) == {"Deadline: Public hydrogen tender", "Deadline: Public funding call"}
    end_of_day = events["Deadline: Public hydrogen tender"]
    assert end_of_day["DTSTART"].dt == timezone.localtime(items["tender"].deadline).date()
    timed = events["Deadline: Public funding call"]
    assert timed["DTSTART"].dt == items["call"].deadline
    assert str(timed["URL"]) == settings.SITE_URL + items["call"].get_absolute_url()
    assert str(timed["URL"]) in str(timed["DESCRIPTION"])


def test_calendar_uids_stay_the_same_from_one_download_to_the_next(
    items: dict[str, Opportunity],
) -> None:
    first = _events(reverse("opportunities:deadlines"))
    second = _events(reverse("opportunities:deadlines"))

    assert {str(e["UID"]) for e in first.values()} == {str(e["UID"]) for e in second.values()}
    assert len({str(e["UID"]) for e in first.values()}) == 2


def test_the_private_calendar_adds_the_owners_cluster_deadlines(
    items: dict[str, Opportunity], member: User
) -> None:
    token = alert_settings_for(member).feed_token

    events = _events(reverse("opportunities:private_deadlines", args=[token]))

    assert set(events) == {
        "Deadline: Public hydrogen tender",
        "Deadline: Public funding call",
        "Deadline: Network-only tender",
        "Deadline: CLEAN-only challenge",
    }
