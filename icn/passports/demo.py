"""Demo passports on the demo network: desks offered at several clusters, and visits in every
state, one of them made, reported and linked to the match it started.

The records are written with their history (who took each step, and when), which the services
could not do for visits in the past. Keyed by the desks' addresses and the passports' titles:
a second run creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from icn.accounts.models import User
from icn.directory.demo.vocabulary import (
    CLEAN,
    NORDIC_EDGE,
    SECRETARIAT_EMAIL,
    manager_email,
    member_email,
)
from icn.directory.models import Cluster, ClusterStatus, Organisation, OrganisationKind, Topic
from icn.matching.models import MatchEvent, MatchRecord, MatchStatus
from icn.passports.models import (
    Assistance,
    DeskBooking,
    DeskOffer,
    Passport,
    PassportEvent,
    PassportIntroduction,
    PassportReport,
    PassportStatus,
)
from icn.passports.services import FOLLOW_UP_DAYS

S = PassportStatus
OTHER_DESK_CLUSTERS = 4


@dataclass
class PassportsDemoSummary:
    """What a run created."""

    desk_offers: int = 0
    passports: int = 0
    names: list[str] = field(default_factory=list)


@dataclass
class Cast:
    """The demo's people and places."""

    home: Cluster
    host: Cluster
    third: Cluster | None
    secretariat: User | None
    managers: dict[str, User | None]
    members: dict[str, User | None]
    organisations: dict[str, list[Organisation]]
    offers: dict[str, DeskOffer] = field(default_factory=dict)


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _user(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


def _own_organisation(user: User | None, cluster: Cluster) -> Organisation | None:
    """The organisation the demo member acts for, else the cluster's first company."""
    if user is not None:
        found = Organisation.objects.filter(memberships__user=user, clusters=cluster).first()
        if found is not None:
            return found
    return _companies(cluster)[0] if _companies(cluster) else None


def _companies(cluster: Cluster) -> list[Organisation]:
    return list(
        cluster.organisations.filter(
            kind__in=[OrganisationKind.SME, OrganisationKind.LARGE_COMPANY]
        ).order_by("slug")
    )


def _offer(cluster: Cluster, today: date, desks: int, summary: PassportsDemoSummary) -> DeskOffer:
    address = f"{cluster.short_name} office, {cluster.city}"
    offer = DeskOffer.objects.filter(cluster=cluster, address=address).first()
    if offer is not None:
        return offer
    offer = DeskOffer(
        cluster=cluster,
        desks=desks,
        starts_on=today - timedelta(days=120),
        ends_on=today + timedelta(days=270),
        address=address,
        notes="Open 8:30–17:00. Ask at the front desk for the cluster's host contact.",
    )
    offer.full_clean()
    offer.save()
    summary.desk_offers += 1
    return offer


def _road(passport: Passport, steps: list[tuple[str, str, datetime, User | None, str]]) -> None:
    """The passport's history: (from, to, when, who, note), written with its dates."""
    for from_status, to_status, at, actor, note in steps:
        event = PassportEvent.objects.create(
            passport=passport,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
        PassportEvent.objects.filter(pk=event.pk).update(at=at)
    first = steps[0][2]
    Passport.objects.filter(pk=passport.pk).update(created_at=first, updated_at=steps[-1][2])


def _passport(
    cast: Cast,
    title: str,
    *,
    applicant: str,
    host: Cluster | None,
    starts_in: int,
    days: int,
    status: str,
    purpose: str,
    topics: list[Topic],
    **fields: Any,
) -> Passport | None:
    """A passport of a member of the `applicant` cluster, unless one with the title exists."""
    if Passport.objects.filter(title=title).exists():
        return None
    home = cast.home if applicant == "home" else cast.host
    organisation = _own_organisation(cast.members[applicant], home)
    if organisation is None:
        return None
    today = timezone.localdate()
    starts_on = today + timedelta(days=starts_in)
    member = cast.members[applicant]
    passport = Passport(
        organisation=organisation,
        home_cluster=home,
        host_cluster=host,
        title=title,
        purpose=purpose,
        wanted_contacts=fields.pop(
            "wanted_contacts", "Municipal utilities, engineering firms and possible distributors."
        ),
        partner_kinds=fields.pop(
            "partner_kinds", [OrganisationKind.PUBLIC_AUTHORITY, OrganisationKind.SME]
        ),
        assistance=fields.pop("assistance", [Assistance.INTRODUCTIONS, Assistance.MEETINGS]),
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1),
        desk_days=min(days, 3),
        contact_email=member.email
        if member is not None
        else f"contact@{organisation.slug}.example",
        created_by=member,
        status=status,
        **fields,
    )
    passport.full_clean()
    passport.save()
    passport.topics.set(topics)
    return passport


def _topics(organisation: Organisation | None) -> list[Topic]:
    if organisation is None:
        return []
    return list(organisation.topics.all()[:3])


def _reported(cast: Cast, now: datetime, summary: PassportsDemoSummary) -> None:
    home, host = cast.home, cast.host
    applicant = _own_organisation(cast.members["home"], home)
    passport = _passport(
        cast,
        f"{home.short_name} in {host.city}: district energy partners",
        applicant="home",
        host=host,
        starts_in=-60,
        days=4,
        status=S.REPORTED,
        purpose=(
            f"{applicant} brings its heat-recovery controllers to {host.country_name} and wants "
            "to meet utilities and installers who run district energy networks."
            if applicant
            else "Meet utilities and installers."
        ),
        topics=_topics(applicant),
        host_contact=cast.managers["host"],
    )
    if passport is None:
        return
    home_manager, host_manager, member = (
        cast.managers["home"],
        cast.managers["host"],
        cast.members["home"],
    )
    submitted = now - timedelta(days=82)
    answered = now - timedelta(days=76)
    ends = datetime.combine(passport.ends_on, datetime.min.time(), tzinfo=now.tzinfo)
    Passport.objects.filter(pk=passport.pk).update(
        submitted_at=submitted,
        answered_at=answered,
        follow_up_due_on=passport.ends_on + timedelta(days=FOLLOW_UP_DAYS),
    )
    local = [o for o in _companies(host) if o.visibility != "private"][:2]
    steps: list[tuple[str, str, datetime, User | None, str]] = [
        ("", S.DRAFT, submitted - timedelta(days=2), member, ""),
        (S.DRAFT, S.SUBMITTED, submitted, member, ""),
        (S.SUBMITTED, S.ENDORSED, submitted + timedelta(days=2), home_manager, "A good fit."),
        (S.ENDORSED, S.ACCEPTED, answered, host_manager, "Welcome to our office."),
    ]
    offer = cast.offers.get("host")
    if offer is not None:
        DeskBooking.objects.create(
            passport=passport,
            offer=offer,
            starts_on=passport.starts_on,
            ends_on=passport.ends_on,
            desks=1,
            booked_by=host_manager,
        )
        steps.append(
            (S.ACCEPTED, S.ACCEPTED, answered + timedelta(hours=1), host_manager, "Desk booked.")
        )
    matches = []
    for n, organisation in enumerate(local):
        match = None
        if applicant is not None:
            match = MatchRecord.objects.create(
                organisation=applicant,
                target_organisation=organisation,
                created_by=host_manager,
                status=MatchStatus.MEETING_HELD if n == 0 else MatchStatus.INTRODUCED,
                reasons=["Introduced during a passport visit"],
                introduced_at=answered + timedelta(days=2),
                follow_up_due_on=(answered + timedelta(days=92)).date(),
            )
            road = [MatchStatus.SUGGESTED, MatchStatus.INTRODUCED]
            if n == 0:
                road.append(MatchStatus.MEETING_HELD)
            previous = ""
            for status in road:
                MatchEvent.objects.create(
                    match=match, actor=host_manager, from_status=previous, to_status=status
                )
                previous = status
            matches.append(match)
        introduction = PassportIntroduction.objects.create(
            passport=passport,
            organisation=organisation,
            match=match,
            booked_by=host_manager,
            note="Meeting on the second day of the visit.",
        )
        PassportIntroduction.objects.filter(pk=introduction.pk).update(
            created_at=answered + timedelta(days=2, hours=n)
        )
        steps.append(
            (
                S.ACCEPTED,
                S.ACCEPTED,
                answered + timedelta(days=2, hours=n),
                host_manager,
                f"Introduction booked: {organisation}.",
            )
        )
    report_at = ends + timedelta(days=3)
    steps += [
        (S.ACCEPTED, S.VISITED, ends + timedelta(days=1), host_manager, ""),
        (S.VISITED, S.REPORTED, report_at, member, "6 meeting(s), 3 lead(s)."),
    ]
    _road(passport, steps)
    report = PassportReport.objects.create(
        passport=passport,
        meetings_held=6,
        leads=3,
        summary=(
            "Met two utilities and four installers. One utility wants a pilot on a school "
            "campus next winter; two installers asked for prices."
        ),
        next_steps="Send the pilot offer in three weeks; a second visit in the spring.",
        author=member,
    )
    PassportReport.objects.filter(pk=report.pk).update(created_at=report_at)
    report.matches.set(matches)
    summary.passports += 1
    summary.names.append("reported")


def _accepted(cast: Cast, now: datetime, summary: PassportsDemoSummary) -> None:
    home, host = cast.host, cast.home  # the other way round
    applicant = _own_organisation(cast.members["host"], home)
    passport = _passport(
        cast,
        f"{home.short_name} in {host.city}: offshore wind service market",
        applicant="host",
        host=host,
        starts_in=21,
        days=5,
        status=S.ACCEPTED,
        purpose=(
            f"{applicant} services offshore installations and looks for a partner in "
            f"{host.country_name} to bid together on maintenance tenders."
            if applicant
            else "Find a partner for maintenance tenders."
        ),
        topics=_topics(applicant),
        host_contact=cast.managers["home"],
        assistance=[Assistance.INTRODUCTIONS, Assistance.MARKET_BRIEFING, Assistance.EVENTS],
    )
    if passport is None:
        return
    submitted, answered = now - timedelta(days=12), now - timedelta(days=5)
    Passport.objects.filter(pk=passport.pk).update(submitted_at=submitted, answered_at=answered)
    steps: list[tuple[str, str, datetime, User | None, str]] = [
        ("", S.DRAFT, submitted - timedelta(days=1), cast.members["host"], ""),
        (S.DRAFT, S.SUBMITTED, submitted, cast.members["host"], ""),
        (S.SUBMITTED, S.ENDORSED, submitted + timedelta(days=3), cast.managers["host"], ""),
        (S.ENDORSED, S.ACCEPTED, answered, cast.managers["home"], "See you in the spring."),
    ]
    offer = cast.offers.get("home")
    if offer is not None:
        DeskBooking.objects.create(
            passport=passport,
            offer=offer,
            starts_on=passport.starts_on,
            ends_on=passport.starts_on + timedelta(days=2),
            desks=1,
            booked_by=cast.managers["home"],
        )
        steps.append((S.ACCEPTED, S.ACCEPTED, answered, cast.managers["home"], "Desk booked."))
    _road(passport, steps)
    summary.passports += 1
    summary.names.append("accepted")


def _waiting(cast: Cast, now: datetime, summary: PassportsDemoSummary) -> None:
    """Passports waiting at each step: endorsed, submitted, other dates, declined, a draft,
    and one whose host cluster the secretariat still has to choose."""
    home, host = cast.home, cast.host
    third = cast.third or host  # a network of two clusters visits the other one
    plans: list[tuple[str, str, Cluster | None, str, int, dict[str, Any]]] = [
        ("home", "Cities as first customers", host, S.ENDORSED, 40, {}),
        ("host", "Battery recycling partners", home, S.SUBMITTED, 50, {}),
        ("home", "Biogas upgrading pilots", third, S.DATES_PROPOSED, 30, {}),
        ("host", "Hydrogen refuelling network", home, S.DECLINED, 15, {}),
        ("home", "Smart grid test beds", third, S.DRAFT, 70, {}),
        ("host", "Market entry, building renovation", None, S.SUBMITTED, 60, {}),
    ]
    for applicant, topic, target, status, starts_in, extra in plans:
        if target is None and status != S.SUBMITTED:
            continue
        own = home if applicant == "home" else host
        organisation = _own_organisation(cast.members[applicant], own)
        if target is None:
            # Only a country: the secretariat picks the host cluster.
            country = cast.third.country if cast.third is not None else "DE"
            extra = {**extra, "target_country": country, "target_region": ""}
        passport = _passport(
            cast,
            f"{own.short_name}: {topic}",
            applicant=applicant,
            host=target,
            starts_in=starts_in,
            days=3,
            status=status,
            purpose=f"{organisation} looks for {topic.lower()} abroad: customers, partners "
            "and the rules of the market."
            if organisation
            else topic,
            topics=_topics(organisation),
            **extra,
        )
        if passport is None:
            continue
        member, home_manager = cast.members[applicant], cast.managers[applicant]
        other = "host" if applicant == "home" else "home"
        host_manager = cast.managers[other] if target in (home, host) else cast.secretariat
        created = now - timedelta(days=9)
        steps: list[tuple[str, str, datetime, User | None, str]] = [
            ("", S.DRAFT, created, member, "")
        ]
        if status != S.DRAFT:
            steps.append((S.DRAFT, S.SUBMITTED, created + timedelta(days=1), member, ""))
            Passport.objects.filter(pk=passport.pk).update(submitted_at=created + timedelta(days=1))
        if status in (S.ENDORSED, S.DATES_PROPOSED, S.DECLINED):
            steps.append((S.SUBMITTED, S.ENDORSED, created + timedelta(days=2), home_manager, ""))
        answered = created + timedelta(days=5)
        if status == S.DATES_PROPOSED:
            proposed = passport.starts_on + timedelta(days=14)
            Passport.objects.filter(pk=passport.pk).update(
                proposed_starts_on=proposed,
                proposed_ends_on=proposed + timedelta(days=2),
                answered_at=answered,
                host_contact=host_manager,
            )
            steps.append(
                (
                    S.ENDORSED,
                    S.DATES_PROPOSED,
                    answered,
                    host_manager,
                    f"Proposed: {proposed:%-d %B %Y} – {proposed + timedelta(days=2):%-d %B %Y}. "
                    "Our office is closed that week.",
                )
            )
        if status == S.DECLINED:
            reason = "We cannot host in that period: the whole team is at a trade fair."
            Passport.objects.filter(pk=passport.pk).update(
                decline_reason=reason, answered_at=answered
            )
            steps.append((S.ENDORSED, S.DECLINED, answered, host_manager, reason))
        _road(passport, steps)
        summary.passports += 1
        summary.names.append(str(status))


def _cast(today: date, summary: PassportsDemoSummary) -> Cast | None:
    clusters = list(Cluster.objects.filter(status=ClusterStatus.MEMBER).order_by("slug"))
    by_slug = {cluster.slug: cluster for cluster in clusters}
    home, host = by_slug.get(CLEAN), by_slug.get(NORDIC_EDGE)
    if home is None or host is None:
        return None
    others = [
        c for c in clusters if c.slug not in (CLEAN, NORDIC_EDGE) and c.organisations.exists()
    ]
    cast = Cast(
        home=home,
        host=host,
        third=others[0] if others else None,
        secretariat=_user(SECRETARIAT_EMAIL),
        managers={"home": _user(manager_email(CLEAN)), "host": _user(manager_email(NORDIC_EDGE))},
        members={"home": _user(member_email(CLEAN)), "host": _user(member_email(NORDIC_EDGE))},
        organisations={},
    )
    cast.offers["home"] = _offer(home, today, 3, summary)
    cast.offers["host"] = _offer(host, today, 2, summary)
    for n, cluster in enumerate(others[:OTHER_DESK_CLUSTERS]):
        _offer(cluster, today, 2 + n % 3, summary)
    return cast


def load(stdout: Any = None) -> PassportsDemoSummary:
    """Create the demo desks and passports that are missing; existing ones stay as they are."""
    summary = PassportsDemoSummary()
    now = timezone.now()
    with transaction.atomic():
        cast = _cast(timezone.localdate(), summary)
        if cast is None:
            _say(stdout, "The demo network is not loaded: no demo passports.")
            return summary
        _reported(cast, now, summary)
        _accepted(cast, now, summary)
        _waiting(cast, now, summary)
    if summary.desk_offers or summary.passports:
        _say(
            stdout,
            f"Created {summary.desk_offers} desk offers and {summary.passports} passports"
            + (f" ({', '.join(summary.names)})." if summary.names else "."),
        )
    return summary
