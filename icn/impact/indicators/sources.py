"""The records indicators count: for each, the date that places it in a period, the routes by
which it counts for a cluster (or for one organisation), what it is broken down by, and the
numbers summed over it.

One source may feed several indicators (passport decisions give both the passports accepted
and the acceptance rate), so each source is read once per computation, for the clusters and
the network together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat

from icn.core.countries import country_name
from icn.directory.models import HELIX, HELIX_LABELS, Organisation
from icn.events.models import (
    Event,
    EventKind,
    EventStatus,
    Meeting,
    MeetingRating,
    RatingMoment,
    Registration,
    RegistrationStatus,
)
from icn.knowledge.models import DocumentDownload, KnowledgeDocument
from icn.knowledge.models import DocumentKind as LibraryKind
from icn.matching.models import STAGES, MatchEvent, MatchStatus
from icn.opportunities.models import Opportunity, OpportunityKind, Reshare
from icn.passports.models import (
    Passport,
    PassportEvent,
    PassportFollowUp,
    PassportReport,
    PassportStatus,
)
from icn.projects.models import ApplicationEvent, ApplicationStatus, MemberStatus

NO_PROGRAMME = "unspecified"  # the category of calls that name no programme
SEPARATOR = "|"


@dataclass(frozen=True)
class Dimension:
    """What an indicator is broken down by: category keys in a fixed order, with labels."""

    name: str
    choices: tuple[tuple[str, str], ...] = ()  # known keys in the order shown, with labels
    named: Callable[[str], str] | None = None  # the label of a key not among the choices
    last: tuple[tuple[str, str], ...] = ()  # keys shown after all others ("none given")

    def order(self, found: Iterable[str]) -> list[str]:
        """The categories found: known ones in their order, the others by label, then the
        ones that go last."""
        seen = set(found)
        first = [key for key, _ in self.choices if key in seen]
        last = [key for key, _ in self.last if key in seen]
        rest = sorted(seen - {*first, *last}, key=lambda key: (self.label(key).casefold(), key))
        return first + rest + last

    def label(self, key: str) -> str:
        for known, label in (*self.choices, *self.last):
            if known == key:
                return label
        return self.named(key) if self.named is not None else key


HELIX_DIMENSION = Dimension("triple-helix kind", tuple(HELIX_LABELS.items()))
COUNTRY_DIMENSION = Dimension("country", named=country_name)
OPPORTUNITY_KIND = Dimension("opportunity kind", tuple(OpportunityKind.choices))
STAGE_DIMENSION = Dimension(
    "match stage", tuple((str(stage), MatchStatus(stage).label) for stage in STAGES)
)
EVENT_KIND = Dimension("event kind", tuple(EventKind.choices))
PROGRAMME_DIMENSION = Dimension("programme", last=((NO_PROGRAMME, "No programme given"),))
DOCUMENT_KIND = Dimension("document kind", tuple(LibraryKind.choices))


@dataclass(frozen=True)
class Route:
    """How a record reaches the cluster (or organisation) it counts for, and when it applies."""

    path: str
    when: Q = field(default_factory=Q)
    # The path starts at the record even where the source has an owner (a participant's
    # own organisation, where the clusters are the event's).
    at_record: bool = False


@dataclass(frozen=True)
class Source:
    """A set of dated records, counted for clusters, the network and single organisations."""

    name: str
    records: Callable[[], QuerySet[Any]]
    date: str  # the timestamp that places a record in a period
    clusters: tuple[Route, ...]  # to the cluster pk(s) a record counts for
    organisations: tuple[Route, ...] = ()  # to the organisation pk(s), for one organisation
    # Where the routes start, when not at the record: its owner (a step's match), so that
    # the records are added up per owner and each owner is joined to its clusters once.
    owner: str = ""
    item: str = "pk"  # what is counted once (a match, where the records are its steps)
    # The raw value a record is broken down by: a field, or an expression built on call.
    category: str | Callable[[], Any] = ""
    dimension: Dimension | None = None
    categorise: Callable[[str], str] | None = None  # a raw value to its category key
    values: tuple[tuple[str, Callable[[], Any]], ...] = ()  # numbers summed over records
    history: bool = False  # records before the first period count too (stocks)
    # An item may fall in several categories in one period (a match reaching two stages);
    # such a source counts its owner as the item.
    overlapping: bool = False
    disjoint: bool = False  # no record reaches one cluster by two of its routes


_HELIX_OF_KIND = {str(kind): helix for kind, helix in HELIX.items()}


def _helix(kind: str) -> str:
    return _HELIX_OF_KIND.get(kind, "other")


def _kind_and_country() -> Concat:
    return Concat("kind", Value(SEPARATOR), "country", output_field=CharField())


def helix_of(raw: str) -> str:
    """The triple-helix kind of a member's "kind|country"."""
    return _helix(raw.partition(SEPARATOR)[0])


def country_of(raw: str) -> str:
    """The country of a member's "kind|country"."""
    return raw.partition(SEPARATOR)[2]


def _programme(name: str) -> str:
    return name.strip() or NO_PROGRAMME


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _in_a_cluster() -> QuerySet[Organisation]:
    memberships = Organisation.clusters.through.objects.filter(organisation=OuterRef("pk"))
    return Organisation.objects.filter(Exists(memberships))


def _shared_opportunities() -> QuerySet[Opportunity]:
    # Items imported from outside sources have no author, no organisation and no cluster.
    from_the_network = (
        Q(cluster__isnull=False) | Q(author_organisation__isnull=False) | Q(author__isnull=False)
    )
    return Opportunity.objects.filter(from_the_network, published_at__isnull=False)


def _owned(owner: str) -> tuple[Route, ...]:
    """The owning cluster; without one, every cluster of the owning organisation."""
    return (
        Route("cluster", Q(cluster__isnull=False)),
        Route(f"{owner}__clusters", Q(cluster__isnull=True)),
    )


def _steps(model: Any, to: Iterable[str]) -> QuerySet[Any]:
    """Steps of a recorded history into one of the states `to` (not notes kept in a state)."""
    return model.objects.filter(to_status__in=list(to)).exclude(from_status=F("to_status"))


def _consortium(last: str) -> tuple[Route, ...]:
    """From an application: its lead and every partner that has not declined, on to `last`
    (their clusters), or themselves."""
    taking_part = Q(members__status__in=[MemberStatus.INVITED, MemberStatus.CONFIRMED])
    tail = f"__{last}" if last else ""
    return (Route(f"members__organisation{tail}", taking_part), Route(f"lead{tail}"))


def _published_events(prefix: str) -> Q:
    return Q(**{f"{prefix}status": EventStatus.PUBLISHED})


def _held() -> Q:
    return Q(Exists(MeetingRating.objects.filter(meeting=OuterRef("pk"), held=True)))


def _eur_grant() -> Case:
    in_eur = Q(application__call__currency__iexact="EUR") | Q(application__call__currency="")
    money: DecimalField[Any, Any] = DecimalField(max_digits=16, decimal_places=2)
    return Case(
        When(
            Q(to_status=ApplicationStatus.GRANTED) & in_eur,
            then=Coalesce("application__amount_granted", Value(Decimal(0)), output_field=money),
        ),
        default=Value(Decimal(0)),
        output_field=money,
    )


SOURCES: dict[str, Source] = {
    source.name: source
    for source in [
        Source(
            # Broken down by kind and country at once: one query for both breakdowns.
            "members",
            _in_a_cluster,
            date="created_at",
            clusters=(Route("clusters"),),
            category=_kind_and_country,
            dimension=HELIX_DIMENSION,
            categorise=helix_of,
            history=True,
        ),
        Source(
            "opportunities",
            _shared_opportunities,
            date="published_at",
            clusters=_owned("author_organisation"),
            disjoint=True,
            organisations=(Route("author_organisation"),),
            category="kind",
            dimension=OPPORTUNITY_KIND,
        ),
        Source(
            "reshares",
            Reshare.objects.all,
            date="created_at",
            clusters=(Route("cluster"),),
            organisations=(Route("opportunity__author_organisation"),),
            category="opportunity__kind",
            dimension=OPPORTUNITY_KIND,
        ),
        Source(
            "match_stages",
            lambda: _steps(MatchEvent, STAGES),
            date="at",
            owner="match",
            clusters=(Route("organisation__clusters"), Route("target_organisation__clusters")),
            organisations=(Route("organisation"), Route("target_organisation")),
            item="match_id",
            category="to_status",
            dimension=STAGE_DIMENSION,
            overlapping=True,
        ),
        Source(
            "passport_submissions",
            lambda: Passport.objects.filter(submitted_at__isnull=False),
            date="submitted_at",
            clusters=(Route("home_cluster"), Route("host_cluster")),
            disjoint=True,  # a passport visits another cluster than its home
            organisations=(Route("organisation"),),
        ),
        Source(
            "passport_decisions",
            lambda: _steps(PassportEvent, [PassportStatus.ACCEPTED, PassportStatus.DECLINED]),
            date="at",
            clusters=(Route("passport__home_cluster"), Route("passport__host_cluster")),
            disjoint=True,
            organisations=(Route("passport__organisation"),),
            item="passport_id",
            values=(("accepted", lambda: _flag(Q(to_status=PassportStatus.ACCEPTED))),),
        ),
        Source(
            "passport_visits",
            lambda: _steps(PassportEvent, [PassportStatus.VISITED]),
            date="at",
            clusters=(Route("passport__home_cluster"), Route("passport__host_cluster")),
            disjoint=True,
            organisations=(Route("passport__organisation"),),
            item="passport_id",
        ),
        Source(
            "passport_reports",
            PassportReport.objects.all,
            date="created_at",
            clusters=(Route("passport__home_cluster"), Route("passport__host_cluster")),
            disjoint=True,
            organisations=(Route("passport__organisation"),),
            values=(("leads", lambda: Coalesce("leads", Value(0))),),
        ),
        Source(
            "passport_follow_ups",
            PassportFollowUp.objects.all,
            date="created_at",
            clusters=(Route("passport__home_cluster"), Route("passport__host_cluster")),
            disjoint=True,
            organisations=(Route("passport__organisation"),),
            values=(
                ("deals", lambda: Coalesce("deals", Value(0))),
                ("rating", lambda: Coalesce("rating", Value(0))),
            ),
        ),
        Source(
            "events",
            lambda: Event.objects.filter(_published_events("")),
            date="starts_at",
            clusters=(Route("host_cluster"),),
            category="kind",
            dimension=EVENT_KIND,
        ),
        Source(
            "events_attended",
            lambda: Registration.objects.filter(
                _published_events("event__"), status=RegistrationStatus.CONFIRMED
            ),
            date="event__starts_at",
            clusters=(),
            organisations=(Route("organisation"),),
            item="event_id",
            category="event__kind",
            dimension=EVENT_KIND,
        ),
        Source(
            "participants",
            lambda: Registration.objects.filter(
                _published_events("event__"), status=RegistrationStatus.CONFIRMED
            ),
            date="event__starts_at",
            owner="event",
            clusters=(Route("host_cluster"),),
            organisations=(Route("organisation", at_record=True),),
            category="event__kind",
            dimension=EVENT_KIND,
        ),
        Source(
            "meetings_held",
            lambda: Meeting.objects.filter(_published_events("request__event__"), _held()),
            date="slot__starts_at",
            clusters=(Route("request__event__host_cluster"),),
            organisations=(
                Route("request__sender__organisation"),
                Route("request__receiver__organisation"),
            ),
        ),
        Source(
            "meeting_ratings",
            lambda: MeetingRating.objects.filter(
                _published_events("meeting__request__event__"),
                moment=RatingMoment.AFTER_MEETING,
                held=True,
            ),
            date="meeting__slot__starts_at",
            clusters=(Route("meeting__request__event__host_cluster"),),
            organisations=(
                Route("meeting__request__sender__organisation"),
                Route("meeting__request__receiver__organisation"),
            ),
            values=(("rating", lambda: Coalesce("rating", Value(0))),),
        ),
        Source(
            "project_submissions",
            lambda: _steps(ApplicationEvent, [ApplicationStatus.SUBMITTED]),
            date="at",
            owner="application",
            clusters=_consortium("clusters"),
            organisations=_consortium(""),
            item="application_id",
            category="application__call__programme",
            dimension=PROGRAMME_DIMENSION,
            categorise=_programme,
        ),
        Source(
            "project_results",
            lambda: _steps(
                ApplicationEvent, [ApplicationStatus.GRANTED, ApplicationStatus.REJECTED]
            ),
            date="at",
            owner="application",
            clusters=_consortium("clusters"),
            organisations=_consortium(""),
            item="application_id",
            category="application__call__programme",
            dimension=PROGRAMME_DIMENSION,
            categorise=_programme,
            values=(
                ("granted", lambda: _flag(Q(to_status=ApplicationStatus.GRANTED))),
                ("amount", _eur_grant),
            ),
        ),
        Source(
            "library_documents",
            KnowledgeDocument.objects.all,
            date="created_at",
            clusters=_owned("organisation"),
            disjoint=True,
            organisations=(Route("organisation"),),
            category="kind",
            dimension=DOCUMENT_KIND,
        ),
        Source(
            "library_downloads",
            DocumentDownload.objects.all,
            date="at",
            owner="document",
            clusters=_owned("organisation"),
            disjoint=True,
            organisations=(Route("organisation"),),
            category="document__kind",
            dimension=DOCUMENT_KIND,
        ),
    ]
}
