"""The passports API: applications and their steps, introductions, desks, reports, statistics.

The same services as the pages; a refusal is a 422 with the reason (a 403 when the step is up
to someone else), a full desk a 409, a passport the caller may not see a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.errors import HttpError

from icn.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    RecordId,
    by_slug,
    errors,
    get_or_404,
    paginated,
    require_user,
)
from icn.core.visibility import get_scope
from icn.directory.models import Cluster, ClusterStatus, Organisation, Person, Topic
from icn.matching.models import MatchRecord
from icn.passports import selectors, services
from icn.passports.models import HOST, DeskBooking, DeskOffer, Passport
from icn.passports.schemas import (
    BookingIn,
    BookingOut,
    DayUseOut,
    DeskOfferFilter,
    DeskOfferIn,
    DeskOfferOut,
    FollowUpIn,
    HostIn,
    IntroductionIn,
    PassportFilter,
    PassportIn,
    PassportOut,
    PassportPatch,
    PassportTransitionIn,
    ReportIn,
    StatisticsFilter,
    StatisticsOut,
    SuggestionsOut,
    booking_out,
)
from icn.projects.models import ProjectApplication

router = Router(tags=["passports"])

BOOKING_ERRORS = errors(401, 403, 404, 409, 422)


# Helpers ------------------------------------------------------------------------------------


def _fresh(user: Any, pk: int) -> Passport:
    passport = selectors.passport_for_viewer(viewer=user, pk=pk)
    if passport is None:
        raise Http404
    return passport


def _cluster(slug: str | None, field: str) -> Cluster | None:
    if not slug:
        return None
    return by_slug(Cluster.objects.filter(status=ClusterStatus.MEMBER), [slug], field, "cluster")[0]


def _matches(user: Any, ids: list[int]) -> list[MatchRecord]:
    found = list(MatchRecord.objects.visible_to(user).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"matches": "Unknown match record(s)."})
    return found


# Desk offers and statistics -----------------------------------------------------------------


@router.get("/passports/desks", response=list[DeskOfferOut])
@paginated
def desk_offer_list(request: HttpRequest, filters: Query[DeskOfferFilter]) -> Any:
    """Current desk offers of the network's clusters."""
    user = require_user(request)
    return selectors.desk_offers(viewer=user, cluster=_cluster(filters.cluster, "cluster"))


@router.post("/passports/desks", response={201: DeskOfferOut, **WRITE_ERRORS})
def desk_offer_create(request: HttpRequest, payload: DeskOfferIn) -> Any:
    """Offer desks of a cluster you manage."""
    user = require_user(request)
    data = payload.model_dump()
    cluster = _cluster(data.pop("cluster"), "cluster")
    assert cluster is not None
    return Status(201, services.desk_offer_create(actor=user, cluster=cluster, **data))


@router.get("/passports/desks/{pk}/days", response={200: list[DayUseOut], **READ_ERRORS})
def desk_offer_days(request: HttpRequest, pk: RecordId) -> Any:
    """Each day of an offer with its taken and free desks."""
    user = require_user(request)
    offer = get_or_404(selectors.desk_offers(viewer=user), pk=pk)
    return [
        {"day": use.day, "taken": use.taken, "free": use.free}
        for use in selectors.desk_use(offer, offer.starts_on, offer.ends_on)
    ]


@router.get("/passports/statistics", response={200: StatisticsOut, **READ_ERRORS})
def statistics(request: HttpRequest, filters: Query[StatisticsFilter]) -> Any:
    """Per year and host (or home) cluster: applications, answers, acceptance rate, median days
    to answer, visits made, reports and reported outcomes (the secretariat)."""
    user = require_user(request)
    if not get_scope(user).is_secretariat:
        raise PermissionDenied("Passport statistics are for the secretariat.")
    cluster = None
    if filters.cluster:
        cluster = selectors.statistics_clusters().filter(slug=filters.cluster).first()
        if cluster is None:
            raise ValidationError({"cluster": f"Unknown cluster: {filters.cluster}."})
    return selectors.passport_statistics(
        side=filters.side, year=filters.year, cluster=cluster
    ).as_dict()


# Passports (after the literal paths above, which `{pk}` would otherwise take) ----------------

ONE = "/passports/{pk}"


@router.get("/passports", response=list[PassportOut])
@paginated
def passport_list(request: HttpRequest, filters: Query[PassportFilter]) -> Any:
    """The passports the caller may see: its applications, those of its clusters' members and
    the visits to its clusters; everything for the secretariat."""
    user = require_user(request)
    return selectors.with_details(
        selectors.passport_list(viewer=user, box=filters.box or "", status=filters.status or "")
    )


@router.post("/passports", response={201: PassportOut, **WRITE_ERRORS})
def passport_create(request: HttpRequest, payload: PassportIn) -> Any:
    """Apply for a passport: a draft, or submitted to the home cluster at once (`submit`)."""
    user = require_user(request)
    data = payload.model_dump()
    slug = data.pop("organisation")
    visible = Organisation.objects.visible_to(user)
    organisation = by_slug(visible, [slug], "organisation", "organisation")[0] if slug else None
    as_cluster = data.pop("as_cluster")
    home = _cluster(data.pop("home_cluster") or as_cluster, "home_cluster")
    if organisation is None and home is None:
        raise ValidationError({"organisation": "Name the organisation that travels."})
    topics = by_slug(Topic.objects.all(), data.pop("topics"), "topics", "topic")
    passport = services.passport_create(
        actor=user,
        organisation=organisation,
        home_cluster=home,
        host_cluster=_cluster(data.pop("host_cluster"), "host_cluster"),
        topics=topics,
        **data,
    )
    return Status(201, _fresh(user, passport.pk))


@router.get(ONE, response={200: PassportOut, **READ_ERRORS})
def passport_detail(request: HttpRequest, pk: RecordId) -> Any:
    return _fresh(require_user(request), pk)


@router.patch(ONE, response={200: PassportOut, **WRITE_ERRORS})
def passport_update(request: HttpRequest, pk: RecordId, payload: PassportPatch) -> Any:
    """Change a draft, or an application returned with comments; `submit` sends it."""
    user = require_user(request)
    passport = _fresh(user, pk)
    sent = payload.model_dump(exclude_unset=True)
    fields: dict[str, Any] = {
        "host_cluster": _cluster(sent.pop("host_cluster"), "host_cluster")
        if "host_cluster" in sent
        else passport.host_cluster,
        "submit": bool(sent.pop("submit", False)),
    }
    if "topics" in sent:
        fields["topics"] = by_slug(Topic.objects.all(), sent.pop("topics"), "topics", "topic")
    services.passport_update(actor=user, passport=passport, **fields, **sent)
    return _fresh(user, pk)


@router.post(ONE + "/transition", response={200: PassportOut, **WRITE_ERRORS})
def passport_transition(request: HttpRequest, pk: RecordId, payload: PassportTransitionIn) -> Any:
    """One step along the road: submitted → endorsed (or returned) → accepted, other dates
    proposed or declined → visited; withdrawn before the visit. The closing report has its
    own endpoint."""
    user = require_user(request)
    passport = _fresh(user, pk)
    host_contact = None
    if payload.host_contact:
        host_contact = get_user_model().objects.filter(email__iexact=payload.host_contact).first()
        if host_contact is None:
            raise ValidationError({"host_contact": "No user with this e-mail address."})
    services.passport_transition(
        actor=user,
        passport=passport,
        to=payload.to,
        note=payload.note,
        host_contact=host_contact,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return _fresh(user, pk)


@router.post(ONE + "/host", response={200: PassportOut, **WRITE_ERRORS})
def passport_host(request: HttpRequest, pk: RecordId, payload: HostIn) -> Any:
    """The secretariat chooses the host cluster."""
    user = require_user(request)
    passport = _fresh(user, pk)
    cluster = _cluster(payload.host_cluster, "host_cluster")
    assert cluster is not None
    services.passport_choose_host(
        actor=user, passport=passport, host_cluster=cluster, note=payload.note
    )
    return _fresh(user, pk)


@router.get(ONE + "/suggestions", response={200: SuggestionsOut, **errors(401, 403, 404)})
def passport_suggestions(request: HttpRequest, pk: RecordId) -> Any:
    """Organisations and key contacts of the host cluster for the visit (its managers)."""
    user = require_user(request)
    passport = _fresh(user, pk)
    if HOST not in services.roles_of(user, passport):
        raise PermissionDenied("Suggestions are for the host cluster's managers.")
    return {
        "organisations": [
            {
                "organisation": r.organisation.slug,
                "name": r.organisation.name,
                "kind": r.organisation.kind,
                "score": r.score,
                "percent": r.percent,
                "reasons": r.reasons,
                "people": [person.name for person in r.people],
                "introduced": r.introduced,
            }
            for r in selectors.local_suggestions(viewer=user, passport=passport)
            if r.organisation is not None
        ],
        "key_contacts": [
            {
                "id": c.person.pk,
                "name": c.person.name,
                "organisation": c.person.organisation.slug,
                "shared_topics": c.shared_topics,
            }
            for c in selectors.key_contacts(viewer=user, passport=passport)
        ],
    }


@router.post(ONE + "/introductions", response={201: PassportOut, **WRITE_ERRORS})
def introduction_book(request: HttpRequest, pk: RecordId, payload: IntroductionIn) -> Any:
    """The host cluster introduces the visitor to a local organisation; for a member's visit
    it is followed as a match record."""
    user = require_user(request)
    passport = _fresh(user, pk)
    organisation = by_slug(
        Organisation.objects.visible_to(user),
        [payload.organisation],
        "organisation",
        "organisation",
    )[0]
    person = None
    if payload.person is not None:
        person = Person.objects.visible_to(user).filter(pk=payload.person).first()
        if person is None:
            raise ValidationError({"person": "Unknown person."})
    services.introduction_book(
        actor=user, passport=passport, organisation=organisation, person=person, note=payload.note
    )
    return Status(201, _fresh(user, pk))


@router.post(ONE + "/bookings", response={201: BookingOut, **BOOKING_ERRORS})
def desk_book(request: HttpRequest, pk: RecordId, payload: BookingIn) -> Any:
    """Book desks of the host cluster's offer for the visitor. 409 when the desks are taken on
    a day of the booking, or the visitor has a desk then already."""
    user = require_user(request)
    passport = _fresh(user, pk)
    offer = get_or_404(DeskOffer.objects.select_related("cluster"), pk=payload.offer)
    try:
        booking = services.desk_book(
            actor=user,
            passport=passport,
            offer=offer,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            desks=payload.desks,
        )
    except services.DeskUnavailable as exc:
        raise HttpError(409, " ".join(exc.messages)) from exc
    return Status(201, booking_out(booking))


@router.post(ONE + "/bookings/{booking_pk}/cancel", response={200: BookingOut, **WRITE_ERRORS})
def booking_cancel(request: HttpRequest, pk: RecordId, booking_pk: RecordId) -> Any:
    user = require_user(request)
    passport = _fresh(user, pk)
    booking = get_or_404(
        DeskBooking.objects.select_related("offer__cluster", "passport"),
        pk=booking_pk,
        passport=passport,
    )
    return booking_out(services.desk_booking_cancel(actor=user, booking=booking))


@router.post(ONE + "/report", response={201: PassportOut, **WRITE_ERRORS})
def passport_report(request: HttpRequest, pk: RecordId, payload: ReportIn) -> Any:
    """The visitor's closing report, once the visit is marked as made."""
    user = require_user(request)
    passport = _fresh(user, pk)
    data = payload.model_dump()
    services.passport_report(
        actor=user, passport=passport, **{**data, "matches": _matches(user, data["matches"])}
    )
    return Status(201, _fresh(user, pk))


@router.post(ONE + "/follow-up", response={201: PassportOut, **WRITE_ERRORS})
def passport_follow_up(request: HttpRequest, pk: RecordId, payload: FollowUpIn) -> Any:
    """What came of the visit, once the follow-up is due (months after the visit)."""
    user = require_user(request)
    passport = _fresh(user, pk)
    data = payload.model_dump()
    wanted = data["applications"]
    applications = list(ProjectApplication.objects.visible_to(user).filter(pk__in=wanted))
    if len(applications) != len(set(wanted)):
        raise ValidationError({"applications": "Unknown project application(s)."})
    services.passport_follow_up(
        actor=user,
        passport=passport,
        **{**data, "matches": _matches(user, data["matches"]), "applications": applications},
    )
    return Status(201, _fresh(user, pk))
