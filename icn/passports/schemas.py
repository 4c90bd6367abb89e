"""What the passports API answers and takes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from ninja import Field, Schema

from icn.api import StepOut
from icn.directory.models import OrganisationKind
from icn.directory.schemas import CountryCode, InputSchema, PatchSchema
from icn.passports import selectors, services
from icn.passports.models import (
    STEPS,
    Assistance,
    DeskBooking,
    DeskOffer,
    Passport,
    PassportStatus,
)

# An id in a request body: larger numbers cannot be a primary key, and the database would
# overflow on them (a 500) instead of answering that the record is unknown.
RecordRef = Annotated[int, Field(ge=1, le=2**63 - 1)]

# What the API answers -----------------------------------------------------------------------


class BookingOut(Schema):
    """Desks booked for the visitor."""

    id: int
    offer: int
    cluster: str
    address: str
    starts_on: date
    ends_on: date
    desks: int
    cancelled: bool


class IntroductionOut(Schema):
    """A local organisation the host cluster introduced the visitor to."""

    id: int
    organisation: str
    organisation_name: str
    person: str | None
    note: str
    match: int | None
    created_at: datetime


class ReportOut(Schema):
    """The visitor's closing report."""

    meetings_held: int
    leads: int
    summary: str
    next_steps: str
    matches: list[int]
    created_at: datetime


class FollowUpOut(Schema):
    """What came of the visit, months later."""

    rating: int
    deals: int
    projects: str
    comment: str
    matches: list[int]
    applications: list[int] = Field(
        default_factory=list, description="Ids of linked project applications."
    )
    created_at: datetime


class PassportOut(Schema):
    """A passport with its timeline, desks, introductions and reports."""

    id: int
    status: str
    title: str
    purpose: str
    organisation: str | None
    applicant: str
    home_cluster: str
    host_cluster: str | None
    target_country: str
    target_region: str
    topics: list[str]
    wanted_contacts: str
    partner_kinds: list[str]
    assistance: list[str]
    starts_on: date
    ends_on: date
    desk_days: int
    contact_email: str
    host_contact: str | None
    proposed_starts_on: date | None
    proposed_ends_on: date | None
    decline_reason: str
    submitted_at: datetime | None
    answered_at: datetime | None
    follow_up_due_on: date | None
    created_at: datetime
    next_steps: list[str]
    your_steps: list[str] = Field(..., description="The steps the caller may take now.")
    events: list[StepOut]  # steps, and things done on the passport
    bookings: list[BookingOut]
    introductions: list[IntroductionOut]
    report: ReportOut | None
    follow_up: FollowUpOut | None

    @staticmethod
    def resolve_organisation(obj: Passport) -> str | None:
        return obj.organisation.slug if obj.organisation is not None else None

    @staticmethod
    def resolve_applicant(obj: Passport) -> str:
        return obj.applicant_name

    @staticmethod
    def resolve_home_cluster(obj: Passport) -> str:
        return obj.home_cluster.slug

    @staticmethod
    def resolve_host_cluster(obj: Passport) -> str | None:
        return obj.host_cluster.slug if obj.host_cluster is not None else None

    @staticmethod
    def resolve_topics(obj: Passport) -> list[str]:
        return [topic.slug for topic in obj.topics.all()]

    @staticmethod
    def resolve_host_contact(obj: Passport) -> str | None:
        return obj.host_contact.email if obj.host_contact is not None else None

    @staticmethod
    def resolve_next_steps(obj: Passport) -> list[str]:
        return obj.next_steps()

    @staticmethod
    def resolve_your_steps(obj: Passport, context: Any) -> list[str]:
        roles = services.roles_of(context["request"].auth, obj)
        return [to for to in obj.next_steps() if roles & set(STEPS[(obj.status, to)].roles)]

    @staticmethod
    def resolve_events(obj: Passport) -> list[Any]:
        return list(obj.events.all())

    @staticmethod
    def resolve_bookings(obj: Passport) -> list[dict[str, Any]]:
        return [booking_out(booking) for booking in obj.bookings.all()]

    @staticmethod
    def resolve_introductions(obj: Passport) -> list[dict[str, Any]]:
        return [
            {
                "id": introduction.pk,
                "organisation": introduction.organisation.slug,
                "organisation_name": introduction.organisation.name,
                "person": introduction.person.name if introduction.person is not None else None,
                "note": introduction.note,
                "match": introduction.match_id,
                "created_at": introduction.created_at,
            }
            for introduction in obj.introductions.all()
        ]

    @staticmethod
    def resolve_report(obj: Passport) -> dict[str, Any] | None:
        report = selectors.report_of(obj)
        if report is None:
            return None
        return {
            "meetings_held": report.meetings_held,
            "leads": report.leads,
            "summary": report.summary,
            "next_steps": report.next_steps,
            "matches": [match.pk for match in report.matches.all()],
            "created_at": report.created_at,
        }

    @staticmethod
    def resolve_follow_up(obj: Passport) -> dict[str, Any] | None:
        follow_up = selectors.follow_up_of(obj)
        if follow_up is None:
            return None
        return {
            "rating": follow_up.rating,
            "deals": follow_up.deals,
            "projects": follow_up.projects,
            "comment": follow_up.comment,
            "matches": [match.pk for match in follow_up.matches.all()],
            "applications": [application.pk for application in follow_up.applications.all()],
            "created_at": follow_up.created_at,
        }


def booking_out(booking: DeskBooking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "offer": booking.offer_id,
        "cluster": booking.offer.cluster.slug,
        "address": booking.offer.address,
        "starts_on": booking.starts_on,
        "ends_on": booking.ends_on,
        "desks": booking.desks,
        "cancelled": booking.cancelled_at is not None,
    }


class HostSuggestionOut(Schema):
    """An organisation of the host cluster suggested for the visitor, and why."""

    organisation: str
    name: str
    kind: str
    score: float
    percent: int
    reasons: list[str]
    people: list[str]
    introduced: bool


class KeyContactOut(Schema):
    """A key contact of the host cluster."""

    id: int
    name: str
    organisation: str
    shared_topics: list[str]


class SuggestionsOut(Schema):
    """Local organisations and key contacts for the visit."""

    organisations: list[HostSuggestionOut]
    key_contacts: list[KeyContactOut]


class DeskOfferOut(Schema):
    """Desks a cluster offers visitors."""

    id: int
    cluster: str
    desks: int
    starts_on: date
    ends_on: date
    address: str
    notes: str

    @staticmethod
    def resolve_cluster(obj: DeskOffer) -> str:
        return obj.cluster.slug


class DayUseOut(Schema):
    """Desks taken and free on one day."""

    day: date
    taken: int
    free: int


class StatRowOut(Schema):
    """Passports of one year and cluster, and what became of them."""

    year: int | None
    cluster: str | None
    cluster_name: str
    applications: int
    answered: int
    accepted: int
    declined: int
    acceptance_rate: float | None = Field(
        ..., description="Accepted among those the host cluster answered."
    )
    median_days_to_answer: float | None = Field(
        ..., description="From submission to the host cluster's first answer."
    )
    visits: int
    reports: int
    reports_with_outcomes: int
    meetings: int
    leads: int


class StatisticsOut(Schema):
    """Passports per year and host (or home) cluster."""

    side: str
    year: int | None
    cluster: str | None
    rows: list[StatRowOut]
    total: StatRowOut
    years: list[int]


# What the API takes -------------------------------------------------------------------------


class PassportIn(InputSchema):
    """An application. Name the organisation that travels (or `as_cluster` for a cluster's own
    delegation), and the host cluster or the country or region to visit."""

    organisation: str | None = Field(None, description="Slug of the organisation that travels.")
    as_cluster: str | None = Field(
        None, description="Slug of a cluster you manage, when the cluster itself travels."
    )
    home_cluster: str | None = Field(
        None, description="Slug of the endorsing cluster (by default the organisation's)."
    )
    host_cluster: str | None = Field(None, description="Slug of the cluster to visit.")
    target_country: CountryCode = Field("", description="ISO 3166-1 alpha-2 code.")
    target_region: str = Field("", max_length=120)
    title: str = Field(..., max_length=200)
    purpose: str = Field(..., max_length=5000)
    topics: list[str] = Field(default_factory=list, description="Topic slugs.")
    wanted_contacts: str = Field("", max_length=2000)
    partner_kinds: list[OrganisationKind] = Field(default_factory=list)
    assistance: list[Assistance] = Field(default_factory=list)
    starts_on: date
    ends_on: date
    desk_days: int = Field(0, ge=0, le=services.MAX_VISIT_DAYS)
    contact_email: str = Field("", max_length=254)
    submit: bool = Field(False, description="Submit to the home cluster at once.")


class PassportPatch(PatchSchema):
    """Changes to a draft or a returned application; `submit` sends it (again)."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"host_cluster"})

    host_cluster: str | None = None
    target_country: CountryCode | None = None
    target_region: str | None = Field(None, max_length=120)
    title: str | None = Field(None, max_length=200)
    purpose: str | None = Field(None, max_length=5000)
    topics: list[str] | None = None
    wanted_contacts: str | None = Field(None, max_length=2000)
    partner_kinds: list[OrganisationKind] | None = None
    assistance: list[Assistance] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    desk_days: int | None = Field(None, ge=0, le=services.MAX_VISIT_DAYS)
    contact_email: str | None = Field(None, max_length=254)
    submit: bool | None = None


class PassportTransitionIn(InputSchema):
    """The next state, and what it needs: a note to return or decline; new dates to propose
    other dates; the host contact's e-mail to accept (by default the caller)."""

    to: PassportStatus
    note: str = Field("", max_length=2000)
    host_contact: str | None = Field(None, description="E-mail of a host cluster manager.")
    starts_on: date | None = None
    ends_on: date | None = None


class HostIn(InputSchema):
    """The secretariat's choice of host cluster."""

    host_cluster: str = Field(..., min_length=1, description="Cluster slug.")
    note: str = Field("", max_length=2000)


class IntroductionIn(InputSchema):
    """A local organisation to introduce the visitor to, and a person there."""

    organisation: str = Field(..., description="Organisation slug.")
    person: RecordRef | None = Field(None, description="Id of a person at that organisation.")
    note: str = Field("", max_length=2000)


class DeskOfferIn(InputSchema):
    """Desks a cluster offers."""

    cluster: str = Field(..., min_length=1, description="Cluster slug.")
    desks: int = Field(..., ge=1, le=500)
    starts_on: date
    ends_on: date
    address: str = Field(..., max_length=300)
    notes: str = Field("", max_length=2000)


class BookingIn(InputSchema):
    """Desks of the host cluster's offer for the visitor, from one day to another."""

    offer: RecordRef
    starts_on: date
    ends_on: date
    desks: int = Field(1, ge=1, le=50)


class ReportIn(InputSchema):
    """The closing report."""

    meetings_held: int = Field(..., ge=0, le=500)
    leads: int = Field(..., ge=0, le=500)
    summary: str = Field(..., max_length=5000)
    next_steps: str = Field("", max_length=5000)
    matches: list[RecordRef] = Field(default_factory=list, description="Ids of match records.")


class FollowUpIn(InputSchema):
    """What came of the visit."""

    rating: int = Field(..., ge=1, le=5)
    deals: int = Field(0, ge=0, le=500)
    projects: str = Field("", max_length=2000)
    comment: str = Field("", max_length=2000)
    matches: list[RecordRef] = Field(default_factory=list, description="Ids of match records.")
    applications: list[RecordRef] = Field(
        default_factory=list, description="Ids of project applications the organisation is in."
    )


class PassportFilter(Schema):
    """One list of the passports page, and a state."""

    box: str | None = Field(None, pattern="^(mine|endorse|host|unplaced|all)$")
    status: PassportStatus | None = None


class StatisticsFilter(Schema):
    """The statistics' side, cluster and year."""

    side: str = Field("host", pattern="^(host|home)$")
    cluster: str | None = None
    year: int | None = Field(None, ge=2000, le=2100)


class DeskOfferFilter(Schema):
    cluster: str | None = None
