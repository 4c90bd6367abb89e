"""Indicators computed from the records, each on a small data set counted by hand.

The network of tests/conftest.py (CLEAN in Denmark, Nordic Edge in Norway, four SMEs in
each) gets a research centre in both clusters, a city in CLEAN and a late-comer in Nordic
Edge. Times are in Copenhagen (the platform's time zone): 00:30 on 1 April is in the second
quarter although it is still 31 March in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from icn.accounts.models import User
from icn.directory.models import Cluster, Organisation, OrganisationKind
from icn.events.models import (
    Event,
    EventKind,
    EventStatus,
    Meeting,
    MeetingRating,
    MeetingRequest,
    Registration,
    Session,
    Slot,
)
from icn.impact.indicators import (
    INDICATORS,
    ORGANISATION_INDICATORS,
    calendar_periods,
    compute,
    organisation_table,
)
from icn.impact.table import IndicatorTable
from icn.knowledge.models import DocumentDownload, KnowledgeDocument
from icn.matching.models import MatchEvent, MatchRecord
from icn.opportunities.models import Opportunity, Reshare
from icn.passports.models import Passport, PassportEvent, PassportFollowUp, PassportReport
from icn.projects.models import ApplicationEvent, ConsortiumMember, ProjectApplication
from tests.conftest import Network

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
DOCS = Path(__file__).resolve().parent.parent / "docs" / "indicators.md"


@pytest.fixture(autouse=True)
def _copenhagen(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Copenhagen"


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=COPENHAGEN)


def dated(record: Any, **fields: Any) -> None:
    """Set timestamps the models fill in themselves (auto_now_add)."""
    type(record).objects.filter(pk=record.pk).update(**fields)


@dataclass
class Members:
    both: Organisation  # research, in CLEAN and Nordic Edge, Sweden
    city: Organisation  # public authority, CLEAN, Denmark
    late: Organisation  # SME, Nordic Edge, registered in 2026


def _organisation(slug: str, kind: str, country: str, *clusters: Cluster) -> Organisation:
    organisation = Organisation.objects.create(name=slug, slug=slug, kind=kind, country=country)
    organisation.clusters.set(clusters)
    return organisation


@pytest.fixture
def members(network: Network) -> Members:
    """Eight SMEs registered in 2023, a research centre in both clusters registered at 00:30
    on 1 April 2024 (second quarter), a city in 2025 and a late-comer at 00:30 on
    1 January 2026 (still 2025 in UTC). C40 Cities belongs to no cluster."""
    Organisation.objects.update(created_at=at(2023, 6, 1))
    both = _organisation(
        "both", OrganisationKind.RESEARCH, "SE", network.clean, network.nordic_edge
    )
    dated(both, created_at=at(2024, 4, 1, 0, 30))
    city = _organisation("city", OrganisationKind.PUBLIC_AUTHORITY, "DK", network.clean)
    dated(city, created_at=at(2025, 2, 1))
    late = _organisation("late", OrganisationKind.SME, "NO", network.nordic_edge)
    dated(late, created_at=at(2026, 1, 1, 0, 30))
    return Members(both, city, late)


def values(table: IndicatorTable, key: str, period: str, category: str = "") -> tuple[Any, ...]:
    """(network, CLEAN, Nordic Edge) for one indicator, period and category."""
    pks = {ref.slug: ref.pk for ref in table.clusters}
    return (
        table.value(key, None, period, category),
        table.value(key, pks["clean"], period, category),
        table.value(key, pks["nordic-edge"], period, category),
    )


def rounded(found: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(None if v is None else round(v, 2) for v in found)


# Periods ------------------------------------------------------------------------------------


def test_periods_are_calendar_years_or_quarters_with_their_first_day_and_the_day_after():
    years = calendar_periods("year", 2024, 2025)
    assert [(p.label, p.start, p.end) for p in years] == [
        ("2024", date(2024, 1, 1), date(2025, 1, 1)),
        ("2025", date(2025, 1, 1), date(2026, 1, 1)),
    ]
    quarters = calendar_periods("quarter", 2025, 2025)
    assert [p.label for p in quarters] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert (quarters[3].start, quarters[3].end) == (date(2025, 10, 1), date(2026, 1, 1))


def test_a_wrong_period_a_reversed_range_or_an_unknown_key_or_cluster_is_refused(network):
    with pytest.raises(ValueError, match="Unknown period"):
        compute(period="month", start=2025, end=2025)
    with pytest.raises(ValueError, match="after the last"):
        compute(start=2025, end=2024)
    with pytest.raises(ValueError, match="Unknown indicator"):
        compute(start=2025, end=2025, keys=["members", "happiness"])
    with pytest.raises(ValueError, match="Unknown cluster"):
        compute(start=2025, end=2025, clusters=[network.clean.pk, 999_999])


def test_by_default_every_member_cluster_is_computed_and_applicants_are_not(network):
    Cluster.objects.create(
        name="Candidate",
        short_name="Cand",
        slug="cand",
        country="SE",
        city="Lund",
        status="applicant",
    )
    table = compute(start=2025, end=2025, keys=["members"])
    assert [ref.slug for ref in table.clusters] == ["clean", "nordic-edge"]
    assert [ref.name for ref in table.clusters] == ["CLEAN", "Nordic Edge"]
    only = compute(start=2025, end=2025, keys=["members"], clusters=[network.nordic_edge.pk])
    assert [ref.slug for ref in only.clusters] == ["nordic-edge"]
    assert [i.key for i in only.indicators] == ["members"]


# Members ------------------------------------------------------------------------------------


def test_members_are_the_organisations_at_the_end_of_each_year_counted_once_network_wide(members):
    table = compute(start=2024, end=2025, keys=["members", "members_by_country", "members_joined"])
    # The research centre is in both clusters: 6 + 5 members, 10 in the network in 2025.
    assert values(table, "members", "2024") == (9, 5, 5)
    assert values(table, "members", "2025") == (10, 6, 5)
    assert values(table, "members", "2025", "industry") == (8, 4, 4)
    assert values(table, "members", "2025", "research") == (1, 1, 1)
    assert values(table, "members", "2025", "government") == (1, 1, 0)
    assert table.categories["members"] == ["industry", "government", "research"]
    assert table.category_label("members", "industry") == "Companies"
    assert values(table, "members_by_country", "2025", "DK") == (5, 5, 0)
    assert values(table, "members_by_country", "2025", "SE") == (1, 1, 1)
    assert table.categories["members_by_country"] == ["DK", "NO", "SE"]
    assert table.category_label("members_by_country", "SE") == "Sweden"
    assert values(table, "members_joined", "2024") == (1, 1, 1)
    assert values(table, "members_joined", "2025", "government") == (1, 1, 0)
    assert table.indicator("members").stock and not table.indicator("members_joined").stock


def test_members_by_quarter_place_a_registration_at_half_past_midnight_in_the_local_quarter(
    members,
):
    table = compute(period="quarter", start=2024, end=2024, keys=["members", "members_joined"])
    assert values(table, "members", "2024-Q1") == (8, 4, 4)
    assert values(table, "members", "2024-Q2") == (9, 5, 5)
    assert values(table, "members_joined", "2024-Q1") == (0, 0, 0)
    assert values(table, "members_joined", "2024-Q2") == (1, 1, 1)
    assert values(table, "members", "2024-Q4") == (9, 5, 5)


# Opportunities -------------------------------------------------------------------------------


def _opportunity(slug: str, kind: str, published: datetime | None, **fields: Any) -> Opportunity:
    return Opportunity.objects.create(
        slug=slug,
        title=slug,
        kind=kind,
        status="published" if published else "draft",
        published_at=published,
        **fields,
    )


@pytest.fixture
def secretariat_call(secretariat: User) -> Opportunity:
    """A funding call the secretariat posted for the whole network: no cluster."""
    return _opportunity(
        "he-call",
        "funding_call",
        at(2025, 1, 10),
        author=secretariat,
        funder="European Commission",
        programme="Horizon Europe",
    )


@pytest.fixture
def opportunities(network: Network, members: Members, secretariat_call: Opportunity) -> None:
    news = _opportunity(
        "news",
        "news",
        at(2024, 3, 15),
        cluster=network.clean,
        author_organisation=network.org("clean", "public"),
    )
    challenge = _opportunity(
        "challenge", "challenge", at(2025, 6, 1), author_organisation=members.both
    )
    _opportunity("imported-tender", "tender", at(2025, 5, 1), ocid="ocds-1")
    _opportunity("draft", "news", None, cluster=network.clean)
    _opportunity("old", "news", at(2023, 12, 31, 23, 30), cluster=network.nordic_edge)
    for item, when in ((secretariat_call, at(2025, 2, 1)), (news, at(2025, 3, 1))):
        dated(
            Reshare.objects.create(opportunity=item, cluster=network.nordic_edge), created_at=when
        )
    assert challenge.cluster is None


def test_opportunities_count_for_the_owning_cluster_or_the_authors_clusters_not_imports(
    opportunities,
):
    table = compute(start=2024, end=2025, keys=["opportunities", "reshares"])
    # 2024: CLEAN's news. 2025: the research centre's challenge (no cluster: both of its
    # clusters, the network once) and the secretariat's call (the network only). The
    # imported tender, the draft and the item of 31 December 2023 are not counted.
    assert values(table, "opportunities", "2024") == (1, 1, 0)
    assert values(table, "opportunities", "2025") == (2, 1, 1)
    assert values(table, "opportunities", "2025", "challenge") == (1, 1, 1)
    assert values(table, "opportunities", "2025", "funding_call") == (1, 0, 0)
    assert table.categories["opportunities"] == ["news", "challenge", "funding_call"]
    assert values(table, "reshares", "2025") == (2, 0, 2)
    assert values(table, "reshares", "2025", "news") == (1, 0, 1)
    assert values(table, "reshares", "2024") == (0, 0, 0)


# Matches ------------------------------------------------------------------------------------


def _match(a: Organisation, b: Organisation, *steps: tuple[str, str, datetime]) -> MatchRecord:
    match = MatchRecord.objects.create(organisation=a, target_organisation=b, status=steps[-1][1])
    for before, after, when in steps:
        dated(MatchEvent.objects.create(match=match, from_status=before, to_status=after), at=when)
    return match


@pytest.fixture
def matches(network: Network, members: Members) -> None:
    # CLEAN and Nordic Edge; the meeting at 00:30 on 1 April is in the second quarter.
    _match(
        network.org("clean", "public"),
        network.org("nordic-edge", "public"),
        ("", "suggested", at(2025, 1, 10)),
        ("suggested", "introduced", at(2025, 2, 1)),
        ("introduced", "meeting_held", at(2025, 4, 1, 0, 30)),
        ("meeting_held", "meeting_held", at(2025, 4, 2)),  # a note, not a step
    )
    # Both sides in CLEAN (the research centre in Nordic Edge too); closing is no stage.
    _match(
        network.org("clean", "network"),
        members.both,
        ("", "suggested", at(2024, 11, 1)),
        ("suggested", "introduced", at(2025, 1, 15)),
        ("introduced", "closed", at(2025, 3, 1)),
    )
    # Nordic Edge and a partner in no cluster.
    _match(
        network.org("nordic-edge", "network"),
        network.partner_org,
        ("", "suggested", at(2025, 5, 1)),
    )


def test_matches_count_once_per_stage_reached_for_the_clusters_of_both_sides(matches):
    table = compute(start=2024, end=2025, keys=["matches"])
    assert values(table, "matches", "2024", "suggested") == (1, 1, 1)
    assert values(table, "matches", "2024") == (1, 1, 1)
    assert values(table, "matches", "2025", "suggested") == (2, 1, 2)
    assert values(table, "matches", "2025", "introduced") == (2, 2, 2)
    assert values(table, "matches", "2025", "meeting_held") == (1, 1, 1)
    assert values(table, "matches", "2025", "closed") == (0, 0, 0)
    # Each match with a stage reached in 2025 once, not once per stage.
    assert values(table, "matches", "2025") == (3, 2, 3)
    assert table.categories["matches"] == ["suggested", "introduced", "meeting_held"]
    assert table.category_label("matches", "meeting_held") == "Meeting held"


def test_matches_by_quarter_follow_the_local_calendar(matches):
    table = compute(period="quarter", start=2025, end=2025, keys=["matches"])
    assert values(table, "matches", "2025-Q1", "introduced") == (2, 2, 2)
    assert values(table, "matches", "2025-Q1", "meeting_held") == (0, 0, 0)
    assert values(table, "matches", "2025-Q2", "meeting_held") == (1, 1, 1)
    assert values(table, "matches", "2025-Q1") == (2, 2, 2)
    assert values(table, "matches", "2025-Q2") == (2, 1, 2)


# Passports ----------------------------------------------------------------------------------


def _passport(
    organisation: Organisation | None,
    home: Cluster,
    host: Cluster | None,
    submitted: datetime,
    *steps: tuple[str, str, datetime],
) -> Passport:
    passport = Passport.objects.create(
        organisation=organisation,
        home_cluster=home,
        host_cluster=host,
        title="Visit",
        purpose="Meet partners",
        starts_on=date(2025, 4, 1),
        ends_on=date(2025, 4, 5),
        contact_email="visitor@example.org",
        submitted_at=submitted,
        status=steps[-1][1] if steps else "submitted",
    )
    for before, after, when in [("draft", "submitted", submitted), *steps]:
        dated(
            PassportEvent.objects.create(passport=passport, from_status=before, to_status=after),
            at=when,
        )
    return passport


@pytest.fixture
def passports(network: Network) -> dict[str, Passport]:
    clean, nordic = network.clean, network.nordic_edge
    visited = _passport(
        network.org("clean", "private"),
        clean,
        nordic,
        at(2025, 1, 20),
        ("submitted", "endorsed", at(2025, 1, 25)),
        ("endorsed", "accepted", at(2025, 2, 10)),
        ("accepted", "accepted", at(2025, 3, 1)),  # a desk booked: a note, not a decision
        ("accepted", "visited", at(2025, 4, 6)),
        ("visited", "reported", at(2025, 5, 10)),
    )
    dated(
        PassportReport.objects.create(passport=visited, meetings_held=5, leads=3, summary="Good"),
        created_at=at(2025, 5, 10),
    )
    dated(
        PassportFollowUp.objects.create(passport=visited, rating=4, deals=2),
        created_at=at(2025, 9, 1),
    )
    _passport(
        network.org("nordic-edge", "private"),
        nordic,
        clean,
        at(2025, 3, 1),
        ("submitted", "endorsed", at(2025, 3, 5)),
        ("endorsed", "declined", at(2025, 4, 2)),
    )
    # Submitted in 2024, returned and submitted again in 2025; other dates, then accepted.
    moved = _passport(
        network.org("clean", "network"),
        clean,
        nordic,
        at(2024, 12, 1),
        ("submitted", "returned", at(2024, 12, 5)),
        ("returned", "submitted", at(2025, 1, 5)),
        ("submitted", "endorsed", at(2025, 1, 6)),
        ("endorsed", "dates_proposed", at(2025, 2, 1)),
        ("dates_proposed", "accepted", at(2025, 2, 15)),
    )
    dated(
        PassportFollowUp.objects.create(passport=moved, rating=2, deals=0),
        created_at=at(2025, 10, 1),
    )
    _passport(None, clean, nordic, at(2025, 6, 1), ("submitted", "endorsed", at(2025, 6, 3)))
    _passport(network.org("nordic-edge", "network"), nordic, None, at(2025, 7, 1))
    return {"visited": visited, "moved": moved}


def test_passports_count_for_home_and_host_and_the_acceptance_rate_has_a_basis(passports):
    keys = [i.key for i in INDICATORS if i.group == "Passports"]
    table = compute(start=2024, end=2025, keys=keys)
    assert values(table, "passport_applications", "2024") == (1, 1, 1)
    # The resubmitted passport is not counted again; the one without a host counts for home.
    assert values(table, "passport_applications", "2025") == (4, 3, 4)
    assert values(table, "passports_accepted", "2025") == (2, 2, 2)
    assert rounded(values(table, "passport_acceptance_rate", "2025")) == (66.67, 66.67, 66.67)
    # Nothing was decided in 2024: no rate, not 0 %.
    assert values(table, "passport_acceptance_rate", "2024") == (None, None, None)
    assert values(table, "passports_accepted", "2024") == (0, 0, 0)
    assert values(table, "passport_visits", "2025") == (1, 1, 1)
    assert values(table, "passport_leads", "2025") == (3, 3, 3)
    assert values(table, "passport_deals", "2025") == (2, 2, 2)
    assert values(table, "passport_rating", "2025") == (3.0, 3.0, 3.0)
    assert values(table, "passport_rating", "2024") == (None, None, None)
    assert table.indicator("passport_acceptance_rate").unit == "percent"


def test_a_cluster_that_only_declined_has_an_acceptance_rate_of_zero(network, passports):
    table = compute(period="quarter", start=2025, end=2025, keys=["passport_acceptance_rate"])
    # Q1: two acceptances; Q2: one refusal.
    assert values(table, "passport_acceptance_rate", "2025-Q1") == (100.0, 100.0, 100.0)
    assert values(table, "passport_acceptance_rate", "2025-Q2") == (0.0, 0.0, 0.0)
    assert values(table, "passport_acceptance_rate", "2025-Q3") == (None, None, None)


# Events -------------------------------------------------------------------------------------


def _event(slug: str, kind: str, host: Cluster | None, starts: datetime, status: str) -> Event:
    return Event.objects.create(
        slug=slug,
        title=slug,
        kind=kind,
        host_cluster=host,
        starts_at=starts,
        ends_at=starts.replace(hour=23, minute=59) if starts.hour < 23 else starts,
        city="Copenhagen",
        status=status,
    )


def _registration(
    event: Event, organisation: Organisation, status: str = "confirmed"
) -> Registration:
    return Registration.objects.create(
        event=event,
        organisation=organisation,
        name=organisation.name,
        email="p@example.org",
        status=status,
    )


def _meeting(sender: Registration, receiver: Registration, starts: datetime, table: int) -> Meeting:
    session = Session.objects.create(
        event=sender.event, title="Meetings", starts_at=starts, ends_at=starts.replace(minute=59)
    )
    slot = Slot.objects.create(session=session, starts_at=starts, ends_at=starts.replace(minute=59))
    request = MeetingRequest.objects.create(
        event=sender.event, sender=sender, receiver=receiver, status="accepted"
    )
    return Meeting.objects.create(request=request, slot=slot, table=table)


def _rating(
    meeting: Meeting,
    by: Registration,
    rating: int,
    held: bool = True,
    moment: str = "after_meeting",
) -> None:
    MeetingRating.objects.create(
        meeting=meeting, registration=by, rating=rating, held=held, moment=moment
    )


@pytest.fixture
def events(network: Network, members: Members) -> None:
    clean_public = network.org("clean", "public")
    nordic_public = network.org("nordic-edge", "public")
    # CLEAN's workshop at 23:30 on 31 March (first quarter); the network's annual meeting,
    # with no host cluster, at 00:30 on 1 April (second quarter).
    workshop = _event(
        "workshop", EventKind.WORKSHOP, network.clean, at(2025, 3, 31, 23, 30), "published"
    )
    annual = _event("annual", EventKind.ANNUAL_MEETING, None, at(2025, 4, 1, 0, 30), "published")
    cancelled = _event(
        "cancelled", EventKind.WEBINAR, network.nordic_edge, at(2025, 5, 1), EventStatus.CANCELLED
    )
    _event("draft", EventKind.WORKSHOP, network.nordic_edge, at(2025, 5, 1), EventStatus.DRAFT)
    _event("old", EventKind.WORKSHOP, network.clean, at(2023, 12, 31, 23, 30), "published")

    a = _registration(workshop, clean_public)
    b = _registration(workshop, nordic_public)
    _registration(workshop, network.org("clean", "network"), "waiting")
    _registration(workshop, members.both, "cancelled")
    c = _registration(annual, clean_public)
    d = _registration(annual, members.both)
    e = _registration(annual, network.org("nordic-edge", "network"))
    _registration(cancelled, network.org("clean", "private"))

    held = _meeting(a, b, at(2025, 3, 31, 23, 30), 1)
    _rating(held, a, 5)
    _rating(held, b, 3)
    missed = _meeting(c, d, at(2025, 4, 1, 10), 1)
    _rating(missed, c, 1, held=False)
    later = _meeting(e, d, at(2025, 4, 1, 11), 2)
    _rating(later, e, 2)
    _rating(later, d, 5, moment="follow_up")


def test_events_participants_and_meetings_count_for_the_host_cluster(events):
    keys = ["events", "event_participants", "meetings_held", "meeting_rating"]
    table = compute(start=2024, end=2025, keys=keys)
    # The cancelled and the draft event count nowhere, the network's meeting network-wide.
    assert values(table, "events", "2025") == (2, 1, 0)
    assert values(table, "events", "2025", "annual_meeting") == (1, 0, 0)
    assert values(table, "events", "2024") == (0, 0, 0)
    assert table.categories["events"] == ["annual_meeting", "workshop"]
    # Confirmed only: not the waiting list, not the cancelled registration.
    assert values(table, "event_participants", "2025") == (5, 2, 0)
    # Held when a participant said so: not the meeting reported as missed.
    assert values(table, "meetings_held", "2025") == (2, 1, 0)
    # Ratings right after the meetings held: (5 + 3 + 2) / 3 in the network, no basis in
    # Nordic Edge; the follow-up rating is not one of them.
    assert rounded(values(table, "meeting_rating", "2025")) == (3.33, 4.0, None)


def test_an_event_at_half_past_midnight_on_1_april_is_in_the_second_quarter(events):
    table = compute(period="quarter", start=2025, end=2025, keys=["events", "meetings_held"])
    assert values(table, "events", "2025-Q1") == (1, 1, 0)
    assert values(table, "events", "2025-Q2") == (1, 0, 0)
    assert values(table, "meetings_held", "2025-Q1") == (1, 1, 0)
    assert values(table, "meetings_held", "2025-Q2") == (1, 0, 0)


# Projects -----------------------------------------------------------------------------------


def _application(
    call: Opportunity,
    lead: Organisation,
    partners: list[tuple[Organisation, str]],
    *steps: tuple[str, str, datetime],
    granted: int | None = None,
) -> ProjectApplication:
    application = ProjectApplication.objects.create(
        call=call,
        title="Project",
        lead=lead,
        status=steps[-1][1],
        amount_granted=Decimal(granted) if granted is not None else None,
    )
    ConsortiumMember.objects.create(
        application=application, organisation=lead, is_coordinator=True, status="confirmed"
    )
    for organisation, status in partners:
        ConsortiumMember.objects.create(
            application=application, organisation=organisation, status=status
        )
    for before, after, when in steps:
        ApplicationEvent.objects.create(
            application=application, from_status=before, to_status=after, at=when
        )
    return application


@pytest.fixture
def projects(network: Network, members: Members, secretariat_call: Opportunity) -> None:
    unnamed = _opportunity("unnamed", "funding_call", None, funder="A foundation")
    norwegian = _opportunity(
        "nok",
        "funding_call",
        None,
        funder="Innovation Norway",
        programme="Innovation Norway",
        currency="NOK",
    )
    drafting = ("consortium", "drafting", at(2024, 10, 1))
    # CLEAN (three members: counted once) and Nordic Edge (the research centre): granted.
    _application(
        secretariat_call,
        network.org("clean", "public"),
        [(network.org("clean", "network"), "confirmed"), (members.both, "confirmed")],
        drafting,
        ("drafting", "submitted", at(2025, 2, 1)),
        ("submitted", "granted", at(2025, 6, 1)),
        granted=500_000,
    )
    # Nordic Edge only: CLEAN's partner declined. Reserve list, then rejected.
    _application(
        secretariat_call,
        network.org("nordic-edge", "public"),
        [(network.org("clean", "private"), "declined")],
        drafting,
        ("drafting", "submitted", at(2025, 3, 1)),
        ("submitted", "reserve", at(2025, 5, 1)),
        ("reserve", "rejected", at(2025, 7, 1)),
    )
    # Submitted at 00:30 on 1 January 2025 (still 2024 in UTC), to a call with no programme.
    _application(
        unnamed,
        network.org("clean", "private"),
        [],
        drafting,
        ("drafting", "submitted", at(2025, 1, 1, 0, 30)),
        ("submitted", "granted", at(2025, 9, 1)),
        granted=100_000,
    )
    # Granted in Norwegian kroner: a grant, but no euro.
    _application(
        norwegian,
        network.org("nordic-edge", "network"),
        [],
        drafting,
        ("drafting", "submitted", at(2024, 11, 1)),
        ("submitted", "granted", at(2025, 4, 1)),
        granted=2_000_000,
    )
    # On the reserve list at the end of 2025: no final answer.
    _application(
        secretariat_call,
        network.org("clean", "network"),
        [],
        drafting,
        ("drafting", "submitted", at(2025, 10, 1)),
        ("submitted", "reserve", at(2025, 12, 1)),
    )


def test_projects_count_once_per_cluster_of_the_consortium_by_programme(projects):
    keys = ["project_submissions", "projects_granted", "project_success_rate", "grant_amount"]
    table = compute(start=2024, end=2025, keys=keys)
    assert values(table, "project_submissions", "2024") == (1, 0, 1)
    assert values(table, "project_submissions", "2025") == (4, 3, 2)
    assert values(table, "project_submissions", "2025", "Horizon Europe") == (3, 2, 2)
    assert values(table, "project_submissions", "2025", "unspecified") == (1, 1, 0)
    # Categories found in any period shown, the calls without a programme last.
    assert table.categories["project_submissions"] == [
        "Horizon Europe",
        "Innovation Norway",
        "unspecified",
    ]
    assert table.category_label("project_submissions", "unspecified") == "No programme given"
    assert values(table, "projects_granted", "2025") == (3, 2, 2)
    assert values(table, "projects_granted", "2025", "Innovation Norway") == (1, 0, 1)
    # Granted of granted or rejected: 3 of 4, CLEAN 2 of 2, Nordic Edge 2 of 3.
    assert rounded(values(table, "project_success_rate", "2025")) == (75.0, 100.0, 66.67)
    assert values(table, "project_success_rate", "2025", "Horizon Europe") == (50.0, 100.0, 50.0)
    assert values(table, "project_success_rate", "2024") == (None, None, None)
    # Each grant once per cluster (not once per member), euro only.
    assert values(table, "grant_amount", "2025") == (600_000, 600_000, 500_000)
    assert values(table, "grant_amount", "2025", "unspecified") == (100_000, 100_000, 0)
    assert table.categories["grant_amount"] == ["Horizon Europe", "unspecified"]
    assert table.indicator("grant_amount").unit == "EUR"


# Library ------------------------------------------------------------------------------------


@pytest.fixture
def library(network: Network, members: Members) -> None:
    report = KnowledgeDocument.objects.create(
        slug="report",
        title="Report",
        kind="report",
        cluster=network.clean,
        organisation=network.org("clean", "public"),
    )
    dated(report, created_at=at(2025, 2, 1))
    case = KnowledgeDocument.objects.create(
        slug="case", title="Case", kind="case_study", organisation=members.both
    )
    dated(case, created_at=at(2025, 5, 1))
    template = KnowledgeDocument.objects.create(slug="template", title="Template", kind="template")
    dated(template, created_at=at(2024, 6, 1))
    for document, when in (
        (report, at(2025, 12, 31, 23, 30)),
        (report, at(2026, 1, 1, 0, 30)),  # 2026 in Copenhagen, 2025 in UTC
        (case, at(2025, 6, 1)),
        (template, at(2025, 7, 1)),
    ):
        dated(DocumentDownload.objects.create(document=document, version=1), at=when)


def test_library_documents_and_downloads_count_for_the_documents_cluster(library):
    table = compute(start=2024, end=2025, keys=["library_documents", "library_downloads"])
    assert values(table, "library_documents", "2024") == (1, 0, 0)
    assert values(table, "library_documents", "2025") == (2, 2, 1)
    assert values(table, "library_documents", "2025", "case_study") == (1, 1, 1)
    assert values(table, "library_downloads", "2025") == (3, 2, 1)
    assert values(table, "library_downloads", "2025", "report") == (1, 1, 0)
    assert table.categories["library_downloads"] == ["report", "case_study", "template"]


# One organisation ---------------------------------------------------------------------------


def test_an_organisations_table_counts_what_it_took_part_in(
    members, opportunities, matches, passports, events, projects, library
):
    table = organisation_table(organisation_id=members.both.pk, start=2024, end=2025)
    assert table.clusters == []
    assert [i.key for i in table.indicators] == [i.key for i in ORGANISATION_INDICATORS]

    def value(key: str, period: str = "2025", category: str = "") -> Any:
        return table.value(key, None, period, category)

    assert value("opportunities") == 1
    assert value("matches", "2024", "suggested") == 1
    assert (value("matches"), value("matches", "2025", "introduced")) == (1, 1)
    assert value("passport_applications") == 0
    assert value("passport_acceptance_rate") is None
    assert (value("events_attended"), value("event_participants")) == (1, 1)
    assert (value("meetings_held"), value("meeting_rating")) == (1, 2.0)
    assert (value("project_submissions"), value("projects_granted")) == (1, 1)
    assert (value("project_success_rate"), value("grant_amount")) == (100.0, 500_000)
    assert (value("library_documents"), value("library_downloads")) == (1, 1)


def test_an_organisations_passports_and_a_declined_consortium_place(network, passports, projects):
    visitor = organisation_table(
        organisation_id=network.org("clean", "private").pk, start=2025, end=2025
    )
    assert visitor.value("passport_applications", None, "2025") == 1
    assert visitor.value("passport_acceptance_rate", None, "2025") == 100.0
    assert visitor.value("passport_leads", None, "2025") == 3
    # Its own application with no programme; not the one it declined to join.
    assert visitor.value("project_submissions", None, "2025") == 1
    assert visitor.categories["project_submissions"] == ["unspecified"]
    with pytest.raises(Organisation.DoesNotExist):
        organisation_table(organisation_id=999_999, start=2025, end=2025)


# Shape, cost and definitions ---------------------------------------------------------------


def test_the_registry_is_grouped_in_the_order_shown_and_every_key_is_unique():
    groups = [i.group for i in INDICATORS]
    order = ["Members", "Opportunities", "Matches", "Passports", "Events", "Projects", "Library"]
    assert list(dict.fromkeys(groups)) == order
    assert groups == sorted(groups, key=order.index)
    assert len({i.key for i in INDICATORS}) == len(INDICATORS)
    assert {i.unit for i in INDICATORS} == {"count", "EUR", "percent", "rating"}


def test_one_cluster_asked_for_alone_has_the_values_it_has_among_all(
    network, opportunities, matches, passports, events, projects, library
):
    everything = compute(period="quarter", start=2024, end=2025)
    alone = compute(period="quarter", start=2024, end=2025, clusters=[network.clean.pk])
    mine = {k: v for k, v in everything.values.items() if k[1] in (None, network.clean.pk)}
    assert alone.values == mine
    assert len([k for k in mine if k[1] == network.clean.pk]) > 50


def test_the_number_of_queries_depends_neither_on_clusters_nor_on_periods(
    network, members, opportunities, matches
):
    def queries(**arguments: Any) -> int:
        """The queries reading records (not the transaction's own statements)."""
        with CaptureQueriesContext(connection) as captured:
            compute(**arguments)
        found = [q["sql"] for q in captured.captured_queries]
        return len([sql for sql in found if sql.startswith(("SELECT", "WITH"))])

    sources = {"members", "opportunities", "reshares"}
    sources |= {"match_stages", "passport_submissions", "passport_decisions", "passport_visits"}
    sources |= {"passport_reports", "passport_follow_ups", "events", "participants"}
    sources |= {"meetings_held", "meeting_ratings", "project_submissions", "project_results"}
    sources |= {"library_documents", "library_downloads"}
    # Records added up per owner (a step's match, a download's document, a registration's
    # event) are counted for all clusters and the network in one statement; for one
    # cluster, the network has its own. Other records: one for the clusters, one for the
    # network. Plus the clusters.
    owned = {"match_stages", "project_submissions", "project_results", "library_downloads"}
    owned |= {"participants"}
    everywhere = queries(start=2025, end=2025)
    assert queries(period="quarter", start=2021, end=2025) == everywhere
    assert everywhere == 2 * len(sources) - len(owned) + 1
    alone = queries(start=2025, end=2025, clusters=[network.clean.pk])
    assert queries(period="quarter", start=2021, end=2025, clusters=[network.clean.pk]) == alone
    assert alone == 2 * len(sources) + 1


def _words(text: str) -> str:
    return " ".join(text.split())


def test_every_indicator_is_defined_in_the_docs_with_the_same_words():
    docs = _words(re.sub(r"[*`]", "", DOCS.read_text()))
    for indicator in [*INDICATORS, *ORGANISATION_INDICATORS]:
        assert f"Key: {indicator.key}" in docs, indicator.key
        assert indicator.definition in docs, indicator.key
