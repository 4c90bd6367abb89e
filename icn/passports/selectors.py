"""Reads of passports that depend on who is asking: lists, one passport, the host's suggested
local contacts, desk offers and their free desks, and the secretariat's statistics."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from icn.core.countries import country_name
from icn.core.visibility import get_scope
from icn.directory.models import Cluster, ClusterStatus, Organisation, OrganisationKind, Person
from icn.matching.engine import DEFAULT_WEIGHTS, Profile, rerank
from icn.matching.index import get_index
from icn.matching.models import DocumentKind, MatchRecord
from icn.matching.selectors import KIND_NAMES, Suggestion, topic_names
from icn.passports.models import (
    HOST_ANSWERS,
    DeskBooking,
    DeskOffer,
    Passport,
    PassportEvent,
    PassportFollowUp,
    PassportReport,
    PassportStatus,
)
from icn.projects.models import ProjectApplication

S = PassportStatus

# The lists of the passports page, and who has each.
BOXES = {
    "mine": "My applications",
    "endorse": "From our members",
    "host": "Visits to our cluster",
    "unplaced": "Host to choose",
    "all": "All passports",
}


def boxes_for(viewer: Any) -> list[tuple[str, str]]:
    scope = get_scope(viewer)
    shown = []
    if scope.organisation_ids or scope.managed_cluster_ids:
        shown.append("mine")
    if scope.managed_cluster_ids:
        shown += ["endorse", "host"]
    if scope.is_secretariat:
        shown += ["unplaced", "all"]
    return [(box, BOXES[box]) for box in shown]


def default_box(viewer: Any) -> str:
    scope = get_scope(viewer)
    if scope.is_secretariat:
        return "all"
    if scope.organisation_ids:
        return "mine"
    if scope.managed_cluster_ids:
        return "endorse"
    return "mine"


def passport_list(*, viewer: Any, box: str = "", status: str = "") -> QuerySet[Passport]:
    """The passports of one list of the page, among those the viewer may see, newest first."""
    scope = get_scope(viewer)
    queryset = Passport.objects.visible_to(viewer)
    managed = scope.managed_cluster_ids
    if box == "mine":
        queryset = queryset.filter(
            Q(organisation__in=scope.organisation_ids)
            | Q(organisation__isnull=True, home_cluster__in=managed)
        )
    elif box == "endorse":
        queryset = queryset.filter(home_cluster__in=managed, submitted_at__isnull=False)
    elif box == "host":
        queryset = queryset.filter(host_cluster__in=managed, submitted_at__isnull=False)
    elif box == "unplaced":
        queryset = queryset.filter(host_cluster__isnull=True, submitted_at__isnull=False).open()
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("organisation", "home_cluster", "host_cluster")


def waiting_counts(*, viewer: Any) -> dict[str, int]:
    """How many passports wait for the viewer's clusters: to endorse, to answer, to place."""
    scope = get_scope(viewer)
    visible = Passport.objects.visible_to(viewer)
    counts = {
        "endorse": visible.filter(
            home_cluster__in=scope.managed_cluster_ids, status=S.SUBMITTED
        ).count()
        if scope.managed_cluster_ids
        else 0,
        "host": visible.filter(
            host_cluster__in=scope.managed_cluster_ids, status=S.ENDORSED
        ).count()
        if scope.managed_cluster_ids
        else 0,
        "unplaced": 0,
    }
    if scope.is_secretariat:
        counts["unplaced"] = (
            visible.filter(host_cluster__isnull=True, submitted_at__isnull=False).open().count()
        )
    return counts


def with_details(passports: QuerySet[Passport]) -> QuerySet[Passport]:
    """Passports with everything their page or API answer shows, in a few queries."""
    return passports.select_related(
        "organisation",
        "home_cluster",
        "host_cluster",
        "host_contact",
        "created_by",
        "report",
        "follow_up",
    ).prefetch_related(
        "topics",
        Prefetch("events", queryset=PassportEvent.objects.select_related("actor")),
        Prefetch(
            "bookings",
            queryset=DeskBooking.objects.select_related("offer", "offer__cluster", "booked_by"),
        ),
        "introductions__organisation",
        "introductions__person",
        "introductions__match",
        "report__matches",
        "follow_up__matches",
    )


def passport_for_viewer(*, viewer: Any, pk: int) -> Passport | None:
    return with_details(Passport.objects.visible_to(viewer)).filter(pk=pk).first()


def report_of(passport: Passport) -> PassportReport | None:
    """The closing report, if any (read with the passport by `passport_for_viewer`)."""
    try:
        return passport.report
    except PassportReport.DoesNotExist:
        return None


def follow_up_of(passport: Passport) -> PassportFollowUp | None:
    try:
        return passport.follow_up
    except PassportFollowUp.DoesNotExist:
        return None


def linkable_matches(*, viewer: Any, passport: Passport) -> QuerySet[MatchRecord]:
    """Matches the visitor may link to its report: its organisation's, newest first."""
    if passport.organisation_id is None:
        return MatchRecord.objects.none()
    side = Q(organisation=passport.organisation_id) | Q(
        target_organisation=passport.organisation_id
    )
    return (
        MatchRecord.objects.visible_to(viewer)
        .filter(side)
        .select_related("organisation", "target_organisation")
    )


def linkable_applications(*, viewer: Any, passport: Passport) -> QuerySet[ProjectApplication]:
    """Project applications the visitor may link to its follow-up: those its organisation is in."""
    if passport.organisation_id is None:
        return ProjectApplication.objects.none()
    return (
        ProjectApplication.objects.visible_to(viewer)
        .filter(members__organisation=passport.organisation_id)
        .distinct()
        .order_by("-created_at")
    )


# Suggested local contacts -----------------------------------------------------------------


@dataclass
class LocalMatch(Suggestion):
    """An organisation of the host cluster suggested for the visitor, with people to meet."""

    organisation: Organisation | None = None
    people: list[Person] = field(default_factory=list)
    introduced: bool = False


@dataclass
class KeyContact:
    """A key contact of the host cluster, and the passport's topics they know about."""

    person: Person
    shared_topics: list[str]


def passport_text(passport: Passport) -> str:
    """What the visitor looks for, as the engine reads it."""
    parts = [
        passport.title,
        passport.purpose,
        passport.wanted_contacts,
        ", ".join(topic.name for topic in passport.topics.all()),
        ", ".join(passport.partner_kind_labels()),
    ]
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def passport_profile(passport: Passport) -> Profile:
    countries = {passport.host_cluster.country} if passport.host_cluster else set()
    return Profile(
        topics=frozenset(topic.slug for topic in passport.topics.all()),
        countries=frozenset(countries),
        markets=frozenset(countries),
    )


def _reason(text: str) -> str:
    kind = text.removeprefix("Organisation kind: ").removesuffix(", as wanted")
    if kind != text and kind in OrganisationKind.values:
        return f"A kind of partner sought: {KIND_NAMES[OrganisationKind(kind)]}"
    return text


def local_suggestions(*, viewer: Any, passport: Passport, limit: int = 8) -> list[LocalMatch]:
    """Organisations of the host cluster that fit the visit's purpose and topics, among those
    the viewer may see, best first, each with the listed people the viewer may see there."""
    if passport.host_cluster_id is None:
        return []
    candidates = (
        Organisation.objects.visible_to(viewer)
        .filter(clusters=passport.host_cluster_id)
        .exclude(kind=OrganisationKind.PARTNER)
    )
    if passport.organisation_id is not None:
        candidates = candidates.exclude(pk=passport.organisation_id)
    allowed = list(candidates.values_list("pk", flat=True))
    if not allowed:
        return []
    index = get_index(DocumentKind.ORGANISATIONS)
    hits = index.search(passport_text(passport), k=50, allowed=allowed)
    if not hits:
        return []
    query = passport_profile(passport)
    profiles = {hit.doc_id: index.profiles.get(int(hit.doc_id), Profile()) for hit in hits}
    places = set(query.countries)
    for profile in profiles.values():
        places |= profile.countries | profile.markets
    ranked = rerank(
        hits,
        query,
        profiles,
        DEFAULT_WEIGHTS,
        topic_names=topic_names(),
        want_kinds=frozenset(passport.partner_kinds) or None,
        place_names={code: country_name(code) for code in places},
    )
    # As in the partner search: closeness in meaning alone does not make a suggestion.
    lexical = {hit.doc_id for hit in hits if hit.bm25_rank is not None}
    ranked = [r for r in ranked if r.doc_id in lexical or r.fit.get("topics", 0.0) > 0][:limit]
    organisations = Organisation.objects.in_bulk([int(r.doc_id) for r in ranked])
    people: dict[int, list[Person]] = defaultdict(list)
    for person in Person.objects.visible_to(viewer).filter(organisation__in=list(organisations)):
        people[person.organisation_id].append(person)
    introduced = set(passport.introductions.values_list("organisation_id", flat=True))
    results = []
    for r in ranked:
        organisation = organisations.get(int(r.doc_id))
        if organisation is None:
            continue
        results.append(
            LocalMatch(
                score=r.score,
                reasons=[_reason(reason) for reason in r.reasons],
                passages=[p for p in r.passages if p.strip(" .") != organisation.name][:2],
                fit=dict(r.fit),
                organisation=organisation,
                people=people.get(organisation.pk, []),
                introduced=organisation.pk in introduced,
            )
        )
    return results


def key_contacts(*, viewer: Any, passport: Passport, limit: int = 6) -> list[KeyContact]:
    """The host cluster's key contacts the viewer may see, those who know the visit's topics
    first."""
    if passport.host_cluster_id is None:
        return []
    wanted = {topic.pk: topic.name for topic in passport.topics.all()}
    people = (
        Person.objects.visible_to(viewer)
        .filter(key_contact_for=passport.host_cluster_id)
        .select_related("organisation")
        .prefetch_related("topics")
        .distinct()
    )
    contacts = [
        KeyContact(person, [wanted[t.pk] for t in person.topics.all() if t.pk in wanted])
        for person in people
    ]
    contacts.sort(key=lambda c: (-len(c.shared_topics), c.person.name))
    return contacts[:limit]


# Desks --------------------------------------------------------------------------------------


def desk_offers(*, viewer: Any, cluster: Cluster | None = None) -> QuerySet[DeskOffer]:
    """Current desk offers; everyone of the network may see where desks are."""
    if not get_scope(viewer).is_network:
        return DeskOffer.objects.none()
    offers = DeskOffer.objects.current(timezone.localdate()).select_related("cluster")
    if cluster is not None:
        offers = offers.filter(cluster=cluster)
    return offers


def managed_clusters(*, viewer: Any) -> QuerySet[Cluster]:
    """The clusters whose desks the viewer manages (every member cluster for the secretariat)."""
    scope = get_scope(viewer)
    if scope.is_secretariat:
        return Cluster.objects.filter(status=ClusterStatus.MEMBER).order_by("short_name")
    return Cluster.objects.filter(pk__in=scope.managed_cluster_ids).order_by("short_name")


@dataclass
class DayUse:
    """Desks of an offer taken and free on one day."""

    day: date
    taken: int
    free: int


def desk_use(offer: DeskOffer, starts_on: date, ends_on: date) -> list[DayUse]:
    """Each day from `starts_on` to `ends_on` inside the offer, with its taken and free desks."""
    first, last = max(starts_on, offer.starts_on), min(ends_on, offer.ends_on)
    taken: dict[date, int] = defaultdict(int)
    for booking in offer.bookings.active().overlapping(first, last):
        for n in range((min(booking.ends_on, last) - max(booking.starts_on, first)).days + 1):
            taken[max(booking.starts_on, first) + timedelta(days=n)] += booking.desks
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [DayUse(d, taken[d], offer.desks - taken[d]) for d in days]


def offers_for(passport: Passport) -> list[tuple[DeskOffer, int]]:
    """The host cluster's offers that overlap the visit, each with its fewest free desks then."""
    if passport.host_cluster_id is None:
        return []
    offers = DeskOffer.objects.filter(
        cluster=passport.host_cluster_id,
        starts_on__lte=passport.ends_on,
        ends_on__gte=passport.starts_on,
    ).select_related("cluster")
    result = []
    for offer in offers:
        use = desk_use(offer, passport.starts_on, passport.ends_on)
        result.append((offer, min((u.free for u in use), default=0)))
    return result


def offer_bookings(offer: DeskOffer) -> QuerySet[DeskBooking]:
    return (
        offer.bookings.active()
        .select_related("passport", "passport__organisation", "passport__home_cluster")
        .order_by("starts_on", "pk")
    )


# Statistics ---------------------------------------------------------------------------------


@dataclass
class StatRow:
    """The passports of one year and one cluster (or of all), and what became of them."""

    year: int | None
    cluster: Cluster | None
    applications: int = 0
    answered: int = 0
    accepted: int = 0
    declined: int = 0
    visits: int = 0
    reports: int = 0
    reports_with_outcomes: int = 0
    meetings: int = 0
    leads: int = 0
    days_to_answer: list[float] = field(default_factory=list)
    label: str = ""

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted of those the host cluster answered (accepted, other dates, declined)."""
        return round(self.accepted / self.answered, 3) if self.answered else None

    @property
    def acceptance_percent(self) -> int | None:
        rate = self.acceptance_rate
        return None if rate is None else round(rate * 100)

    @property
    def median_days_to_answer(self) -> float | None:
        if not self.days_to_answer:
            return None
        return round(statistics.median(self.days_to_answer), 1)

    @property
    def cluster_name(self) -> str:
        if self.label:
            return self.label
        return str(self.cluster) if self.cluster is not None else "Host not chosen yet"

    def add(self, other: StatRow) -> None:
        for name in (
            "applications",
            "answered",
            "accepted",
            "declined",
            "visits",
            "reports",
            "reports_with_outcomes",
            "meetings",
            "leads",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days_to_answer += other.days_to_answer

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "cluster": self.cluster.slug if self.cluster is not None else None,
            "cluster_name": self.cluster_name,
            "applications": self.applications,
            "answered": self.answered,
            "accepted": self.accepted,
            "declined": self.declined,
            "acceptance_rate": self.acceptance_rate,
            "median_days_to_answer": self.median_days_to_answer,
            "visits": self.visits,
            "reports": self.reports,
            "reports_with_outcomes": self.reports_with_outcomes,
            "meetings": self.meetings,
            "leads": self.leads,
        }


STAT_COLUMNS = [
    "year",
    "cluster",
    "applications",
    "answered",
    "accepted",
    "declined",
    "acceptance_rate",
    "median_days_to_answer",
    "visits",
    "reports",
    "reports_with_outcomes",
    "meetings",
    "leads",
]


@dataclass
class PassportStatistics:
    """Passports per year and cluster, on the host's or the home side."""

    side: str
    year: int | None
    cluster: Cluster | None
    rows: list[StatRow]
    total: StatRow
    years: list[int]

    def bars(self) -> list[tuple[StatRow, int, int, int]]:
        """Each row with the widths (percent of the largest) of its three bars."""
        top = max((row.applications for row in self.rows), default=0) or 1
        return [
            (
                row,
                round(100 * row.applications / top),
                round(100 * row.accepted / top),
                round(100 * row.visits / top),
            )
            for row in self.rows
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "year": self.year,
            "cluster": self.cluster.slug if self.cluster is not None else None,
            "rows": [row.as_dict() for row in self.rows],
            "total": self.total.as_dict(),
            "years": self.years,
        }


def _local_year(moment: datetime) -> int:
    return timezone.localtime(moment).year


def _first_answers(ids: Iterable[int]) -> dict[int, datetime]:
    """When the host cluster first answered each passport."""
    return dict(
        PassportEvent.objects.filter(passport__in=list(ids), to_status__in=HOST_ANSWERS)
        .exclude(from_status=S.DATES_PROPOSED)  # the applicant accepting new dates
        .values("passport_id")
        .annotate(first=Min("at"))
        .values_list("passport_id", "first")
        .order_by()
    )


def statistics_years() -> list[int]:
    """The years in which applications were submitted, latest first."""
    moments = Passport.objects.filter(submitted_at__isnull=False).values_list(
        "submitted_at", flat=True
    )
    return sorted({_local_year(at) for at in moments}, reverse=True)


def passport_statistics(
    *, side: str = "host", year: int | None = None, cluster: Cluster | None = None
) -> PassportStatistics:
    """Per year of submission and per host (or home) cluster: applications, answers,
    acceptances, the median days from submission to the host's first answer, visits made,
    closing reports and those that report outcomes (leads or linked matches)."""
    if side not in ("host", "home"):
        raise ValueError(f"Unknown side: {side}.")
    passports = Passport.objects.filter(submitted_at__isnull=False)
    if cluster is not None:
        passports = passports.filter(**{f"{side}_cluster": cluster})
    records = [
        (pk, at, cluster_id)
        for pk, at, cluster_id in passports.values_list("pk", "submitted_at", f"{side}_cluster_id")
        if year is None or _local_year(at) == year
    ]
    ids = [pk for pk, _, _ in records]
    reached: dict[int, set[str]] = defaultdict(set)
    for pk, status in (
        PassportEvent.objects.filter(passport__in=ids)
        .values_list("passport_id", "to_status")
        .distinct()
        .order_by()
    ):
        reached[pk].add(status)
    answers = _first_answers(ids)
    reports = {
        passport_id: (meetings, leads, linked)
        for passport_id, meetings, leads, linked in PassportReport.objects.filter(passport__in=ids)
        .annotate(linked=Count("matches"))
        .values_list("passport_id", "meetings_held", "leads", "linked")
    }
    clusters = Cluster.objects.in_bulk({c for _, _, c in records if c is not None})
    rows: dict[tuple[int, int | None], StatRow] = {}
    for pk, at, cluster_id in records:
        key = (_local_year(at), cluster_id)
        row = rows.setdefault(
            key, StatRow(key[0], clusters.get(cluster_id) if cluster_id else None)
        )
        row.applications += 1
        got = reached[pk]
        if got & HOST_ANSWERS:
            row.answered += 1
        if S.ACCEPTED in got:
            row.accepted += 1
        if S.DECLINED in got:
            row.declined += 1
        if S.VISITED in got:
            row.visits += 1
        if pk in answers:
            row.days_to_answer.append(round((answers[pk] - at).total_seconds() / 86400, 2))
        if pk in reports:
            meetings, leads, linked = reports[pk]
            row.reports += 1
            row.meetings += meetings
            row.leads += leads
            if leads > 0 or linked > 0:
                row.reports_with_outcomes += 1
    ordered = sorted(
        rows.values(), key=lambda r: (-(r.year or 0), r.cluster is None, r.cluster_name)
    )
    total = StatRow(year, cluster, label=str(cluster) if cluster is not None else "All clusters")
    for row in ordered:
        total.add(row)
    return PassportStatistics(
        side=side, year=year, cluster=cluster, rows=ordered, total=total, years=statistics_years()
    )


def statistics_clusters() -> QuerySet[Cluster]:
    return Cluster.objects.filter(status__in=[ClusterStatus.MEMBER, ClusterStatus.FORMER]).order_by(
        "short_name"
    )
