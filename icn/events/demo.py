"""The demo's events: an annual meeting hosted by CLEAN with its programme, about forty
participants from the demo network, meeting requests (accepted and waiting) and a schedule.

Deterministic and keyed by slug: a second run creates nothing. Participants come from the
demo's member organisations; the demo logins (the two members and the partner) are among
them, so they see a filled agenda, requests to answer and suggestions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from icn.accounts.models import User
from icn.core.visibility import Visibility
from icn.directory.demo.vocabulary import (
    CLEAN,
    NORDIC_EDGE,
    PARTNER_EMAIL,
    SECRETARIAT_EMAIL,
    manager_email,
    member_email,
)
from icn.directory.models import Cluster, ClusterStatus, Organisation, OrganisationKind, Person
from icn.events import scheduler
from icn.events.models import (
    Event,
    EventKind,
    EventStatus,
    MeetingRequest,
    Priority,
    Registration,
    RegistrationStatus,
    RequestStatus,
    ScheduleRun,
    ScheduleRunStatus,
    Session,
    Slot,
)
from icn.events.services.registrations import profile_from_directory
from icn.events.services.scheduling import build_problem, store_schedule

SEED = 2025
SLUG = "icn-annual-meeting"
PARTICIPANTS = 40
TABLES = 12
SCHEDULE_SECONDS = 3.0
MESSAGES = [
    "We would like to hear how you work with cities on this.",
    "Your solution could fit a pilot we are preparing; shall we talk?",
    "Looking for a partner for a Horizon Europe proposal in this field.",
    "We export to your market and look for a local partner.",
    "",
]


@dataclass
class EventDemoSummary:
    """What a run created."""

    events: int = 0
    registrations: int = 0
    requests: int = 0
    meetings: int = 0


def _local(day: datetime, hour: int, minute: int = 0) -> datetime:
    naive = datetime.combine(day.date(), time(hour, minute))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def _slots(session: Session, minutes: int, pause: int) -> list[Slot]:
    slots, start = [], session.starts_at
    while start + timedelta(minutes=minutes) <= session.ends_at:
        slots.append(
            Slot(session=session, starts_at=start, ends_at=start + timedelta(minutes=minutes))
        )
        start += timedelta(minutes=minutes + pause)
    return slots


def _event(host: Cluster, office: Organisation | None, first_day: datetime) -> Event:
    event = Event(
        slug=SLUG,
        title=f"ICN Annual Meeting {first_day.year}",
        kind=EventKind.ANNUAL_MEETING,
        status=EventStatus.PUBLISHED,
        visibility=Visibility.NETWORK,
        summary="Two days with the network's clusters and their members in Copenhagen: "
        "keynotes, the cluster speed-dating and one-to-one B2B meetings.",
        description=(
            "The network meets once a year. On the first afternoon and the second morning, "
            "participants meet one to one at tables in 20-minute slots: ask the participants "
            "you want to meet, accept the requests you get, and the organisers place every "
            "agreed meeting into the grid. Your agenda and its calendar file follow."
        ),
        host_cluster=host,
        organisation=office,
        starts_at=_local(first_day, 9),
        ends_at=_local(first_day + timedelta(days=1), 16),
        venue="Bella Center",
        city="Copenhagen",
        country="DK",
        capacity=60,
        registration_questions=[
            {"label": "Dietary needs", "required": False},
            {
                "label": "Will you join the dinner?",
                "required": True,
                "choices": ["Yes", "No"],
            },
        ],
        meetings_enabled=True,
        auto_accept=False,
        request_expiry_days=10,
        max_meetings=8,
        tables=TABLES,
        table_names=[f"Table {n}" for n in range(1, TABLES + 1)],
        schedule_seconds=20,
    )
    event.full_clean(exclude=["slug"])
    event.save()
    return event


def _programme(event: Event, first_day: datetime) -> list[Slot]:
    second_day = first_day + timedelta(days=1)
    talks = [
        ("Welcome and keynote: cleantech clusters in 2030", first_day, (9, 0), (10, 30)),
        ("Cluster speed-dating", first_day, (11, 0), (12, 30)),
        ("Panel: funding calls for cluster consortia", second_day, (13, 30), (15, 0)),
        ("Closing and next year's host", second_day, (15, 15), (16, 0)),
    ]
    for title, day, (h1, m1), (h2, m2) in talks:
        Session.objects.create(
            event=event,
            title=title,
            starts_at=_local(day, h1, m1),
            ends_at=_local(day, h2, m2),
            for_meetings=False,
            location="Hall A",
        )
    slots: list[Slot] = []
    for title, day, (h1, m1), (h2, m2) in [
        ("B2B meetings, first afternoon", first_day, (13, 30), (17, 0)),
        ("B2B meetings, second morning", second_day, (9, 0), (12, 30)),
    ]:
        session = Session.objects.create(
            event=event,
            title=title,
            starts_at=_local(day, h1, m1),
            ends_at=_local(day, h2, m2),
            for_meetings=True,
            location="Meeting area, hall B",
        )
        slots += _slots(session, 20, 5)
    Slot.objects.bulk_create(slots)
    return list(Slot.objects.filter(session__event=event).order_by("starts_at", "pk"))


def _seek(organisation: Organisation, drafted: str) -> str:
    if drafted:
        return drafted
    topics = [t.name for t in organisation.topics.all()[:3]]
    if not topics:
        return "Partners for pilots and joint projects."
    return f"Partners and pilot sites for {', '.join(topics)}; customers in other countries."


def _participants(
    event: Event, rng: random.Random, slots: list[Slot]
) -> tuple[list[Registration], set[int]]:
    """The demo logins first, then one listed person from each of a spread of member
    organisations in other clusters."""
    chosen: list[tuple[Organisation, Any, str, str]] = []  # organisation, user, name, email
    for email in (member_email(CLEAN), member_email(NORDIC_EDGE), PARTNER_EMAIL):
        user = User.objects.filter(email=email).first()
        membership = user.memberships.select_related("organisation").first() if user else None
        if user is not None and membership is not None:
            chosen.append((membership.organisation, user, user.get_full_name(), user.email))
    taken = {organisation.pk for organisation, *_ in chosen}
    people = list(
        Person.objects.filter(
            listed=True,
            organisation__clusters__status=ClusterStatus.MEMBER,
            organisation__visibility__in=[Visibility.PUBLIC, Visibility.NETWORK],
        )
        .exclude(email="")
        .exclude(organisation__kind=OrganisationKind.PARTNER)
        .exclude(organisation__slug__in=Cluster.objects.values("slug"))  # cluster offices
        .select_related("organisation", "user")
        .order_by("organisation__slug", "pk")
        .distinct()
    )
    rng.shuffle(people)
    for person in people:
        if len(chosen) >= PARTICIPANTS:
            break
        if person.organisation_id in taken:
            continue
        taken.add(person.organisation_id)
        chosen.append((person.organisation, person.user, person.name, person.email))
    registrations = []
    logins = set()
    now = timezone.now()
    for n, (organisation, user, name, email) in enumerate(chosen):
        offer, seek = profile_from_directory(organisation)
        registration = Registration(
            event=event,
            user=user,
            organisation=organisation,
            name=name,
            email=email,
            status=RegistrationStatus.CONFIRMED,
            answers={"Will you join the dinner?": rng.choice(["Yes", "Yes", "No"])},
            offer=offer or f"{organisation.name}: {organisation.get_kind_display()}.",
            seek=_seek(organisation, seek),
            registered_at=now - timedelta(days=30 - n % 20, minutes=n),
            confirmed_at=now - timedelta(days=30 - n % 20, minutes=n),
        )
        registration.save()
        registrations.append(registration)
        if user is not None and n < 3:
            logins.add(registration.pk)
        # Some participants arrive late or leave early: busy in a few slots.
        if rng.random() < 0.3:
            registration.busy_slots.set(rng.sample(slots, k=rng.randint(1, 4)))
    return registrations, logins


def _requests(
    event: Event, registrations: list[Registration], logins: set[int], rng: random.Random
) -> list[MeetingRequest]:
    """Each participant asks two to four others; most are accepted, some wait, a few were
    declined. The demo logins receive requests still to answer."""
    now = timezone.now()
    pairs: set[frozenset[int]] = set()
    asked: dict[int, int] = {r.pk: 0 for r in registrations}
    agreed: dict[int, int] = {r.pk: 0 for r in registrations}
    cap = event.max_meetings or 8
    made: list[MeetingRequest] = []
    for sender in registrations:
        for receiver in rng.sample(registrations, k=min(len(registrations), 8)):
            if asked[sender.pk] >= rng.randint(2, 4):
                break
            pair = frozenset({sender.pk, receiver.pk})
            if (
                receiver.pk == sender.pk
                or receiver.organisation_id == sender.organisation_id
                or pair in pairs
                or asked[sender.pk] + agreed[sender.pk] >= cap
                or agreed[receiver.pk] >= cap
            ):
                continue
            pairs.add(pair)
            roll = rng.random()
            if receiver.pk in logins and roll < 0.5:
                status = RequestStatus.PENDING
            elif roll < 0.78:
                status = RequestStatus.ACCEPTED
            elif roll < 0.93:
                status = RequestStatus.PENDING
            else:
                status = RequestStatus.DECLINED
            asked[sender.pk] += 1
            if status == RequestStatus.ACCEPTED:
                agreed[receiver.pk] += 1
            made.append(
                MeetingRequest(
                    event=event,
                    sender=sender,
                    receiver=receiver,
                    message=rng.choice(MESSAGES),
                    status=status,
                    priority=rng.choice(
                        [Priority.NICE, Priority.NICE, Priority.IMPORTANT, Priority.ESSENTIAL]
                    ),
                    expires_at=now + timedelta(days=event.request_expiry_days)
                    if status == RequestStatus.PENDING
                    else None,
                    answered_at=None if status == RequestStatus.PENDING else now,
                    created_by=sender.user,
                )
            )
    MeetingRequest.objects.bulk_create(made)
    return made


def _schedule(event: Event, organiser: User | None) -> int:
    """Place the accepted requests; the participants are not e-mailed in the demo."""
    built = build_problem(event)
    run = ScheduleRun.objects.create(
        event=event,
        started_by=organiser,
        status=ScheduleRunStatus.RUNNING,
        time_limit=int(SCHEDULE_SECONDS),
        started_at=timezone.now(),
        requests=len(built.requests),
    )
    result = scheduler.solve(built.problem, time_limit=SCHEDULE_SECONDS)
    store_schedule(run, built, result, notify=False)
    return result.placed


def load(stdout: Any = None) -> EventDemoSummary:
    """Create the demo's annual meeting if it is missing; an existing one stays as it is."""
    summary = EventDemoSummary()
    if Event.objects.filter(slug=SLUG).exists():
        if stdout is not None:
            stdout.write("The demo's events are loaded already.")
        return summary
    host = Cluster.objects.filter(slug=CLEAN).first()
    if host is None:
        if stdout is not None:
            stdout.write("No demo events: load the demo network first.")
        return summary
    rng = random.Random(SEED)
    today = timezone.localtime()
    first_day = (today + timedelta(days=45)).replace(hour=0, minute=0, second=0, microsecond=0)
    office = Organisation.objects.filter(slug=host.slug).first()  # the cluster's own office
    organisers = list(
        User.objects.filter(email__in=[manager_email(CLEAN), SECRETARIAT_EMAIL]).order_by("email")
    )
    with transaction.atomic():
        event = _event(host, office, first_day)
        event.organisers.set(organisers)
        event.created_by = organisers[0] if organisers else None
        event.save(update_fields=["created_by"])
        slots = _programme(event, first_day)
        registrations, logins = _participants(event, rng, slots)
        made = _requests(event, registrations, logins, rng)
        summary.events = 1
        summary.registrations = len(registrations)
        summary.requests = len(made)
        summary.meetings = _schedule(event, organisers[0] if organisers else None)
    if stdout is not None:
        stdout.write(
            f"Events: {event.title} with {summary.registrations} participants, "
            f"{summary.requests} meeting requests and {summary.meetings} meetings scheduled."
        )
    return summary
