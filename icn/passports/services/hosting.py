"""What the host cluster does for a visitor: introductions to local organisations, and desks."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from icn.core.visibility import can_view, get_scope
from icn.directory.models import Cluster, Organisation, Person
from icn.passports.models import (
    HOST,
    HOSTING_STATES,
    DeskBooking,
    DeskOffer,
    Passport,
    PassportEvent,
    PassportIntroduction,
    PassportStatus,
)
from icn.passports.services.access import day, locked, require_role, today
from icn.passports.services.messages import announce, booking_message, introduction_message

logger = logging.getLogger(__name__)
S = PassportStatus


class DeskUnavailable(ValidationError):
    """A booking that the desks cannot take: full on a day, or the visitor is booked already.

    A conflict with other bookings rather than bad input: the API answers it with 409.
    """


# Introductions ------------------------------------------------------------------------------


def _require_hosting(passport: Passport, what: str) -> None:
    if passport.status not in HOSTING_STATES:
        raise ValidationError(
            f"{what} once the host cluster has accepted the visit; this passport is "
            f"{passport.get_status_display().lower()}."
        )


@transaction.atomic
def introduction_book(
    *,
    actor: Any,
    passport: Passport,
    organisation: Organisation,
    person: Person | None = None,
    note: str = "",
) -> PassportIntroduction:
    """The host cluster introduces the visitor to a local organisation (and a person there).

    For a member organisation's visit it also suggests a match between the two, so what comes
    of the introduction is followed like any other match; when the visitor's profile is not
    shown to the host (a private organisation), the introduction stands without one.
    """
    passport = locked(passport)
    require_role(actor, passport, HOST, "Booking introductions")
    _require_hosting(passport, "Introductions are booked")
    if not can_view(actor, organisation):
        raise PermissionDenied("You may not see this organisation.")
    if organisation.pk == passport.organisation_id:
        raise ValidationError({"organisation": "That is the visitor's own organisation."})
    assert passport.host_cluster_id is not None  # the host role needs a host cluster
    if not organisation.clusters.filter(pk=passport.host_cluster_id).exists():
        raise ValidationError(
            {"organisation": f"Introduce organisations of {passport.host_cluster}."}
        )
    if person is not None:
        if not can_view(actor, person):
            raise PermissionDenied("You may not see this person.")
        if person.organisation_id != organisation.pk:
            raise ValidationError({"person": f"{person} does not work at {organisation}."})
    if passport.introductions.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": f"{organisation} has been introduced already."})
    match = None
    if passport.organisation is not None:
        from icn.matching.services import match_suggest

        try:
            match = match_suggest(
                actor=actor, organisation=passport.organisation, target_organisation=organisation
            )
        except (PermissionDenied, ValidationError) as exc:
            logger.info("No match record for passport %s: %s", passport.pk, exc)
    introduction = PassportIntroduction(
        passport=passport,
        organisation=organisation,
        person=person,
        note=(note or "").strip(),
        match=match,
        booked_by=actor,
    )
    introduction.full_clean()
    introduction.save()
    who = f"{organisation}" + (f" ({person})" if person is not None else "")
    PassportEvent.objects.create(
        passport=passport,
        actor=actor,
        from_status=passport.status,
        to_status=passport.status,
        note=f"Introduction booked: {who}.",
    )
    announce(introduction_message(introduction, actor=actor))
    return introduction


# Desks --------------------------------------------------------------------------------------


def _require_manager(actor: Any, cluster: Cluster) -> None:
    scope = get_scope(actor)
    if not (scope.is_secretariat or cluster.pk in scope.managed_cluster_ids):
        raise PermissionDenied(f"Desks of {cluster} are offered by its managers.")


@transaction.atomic
def desk_offer_create(
    *,
    actor: Any,
    cluster: Cluster,
    desks: int,
    starts_on: date,
    ends_on: date,
    address: str,
    notes: str = "",
) -> DeskOffer:
    """A cluster offers desks at its workplace over a range of dates."""
    _require_manager(actor, cluster)
    if ends_on < today():
        raise ValidationError({"ends_on": "The offer would be over already."})
    offer = DeskOffer(
        cluster=cluster,
        desks=desks,
        starts_on=starts_on,
        ends_on=ends_on,
        address=(address or "").strip(),
        notes=(notes or "").strip(),
        created_by=actor,
    )
    offer.full_clean()
    offer.save()
    return offer


def _use_per_day(
    bookings: Iterable[DeskBooking], starts_on: date, ends_on: date
) -> dict[date, int]:
    """Desks taken on each day from `starts_on` to `ends_on`, by the given bookings."""
    used: dict[date, int] = {}
    for booking in bookings:
        first = max(booking.starts_on, starts_on)
        last = min(booking.ends_on, ends_on)
        for n in range((last - first).days + 1):
            when = first + timedelta(days=n)
            used[when] = used.get(when, 0) + booking.desks
    return used


@transaction.atomic
def desk_offer_update(*, actor: Any, offer: DeskOffer, **fields: Any) -> DeskOffer:
    """Change an offer; it keeps room for the bookings it has."""
    offer = DeskOffer.objects.select_for_update(of=("self",)).get(pk=offer.pk)
    _require_manager(actor, offer.cluster)
    for name in ("desks", "starts_on", "ends_on", "address", "notes"):
        if name in fields:
            value = fields[name]
            setattr(offer, name, value.strip() if isinstance(value, str) else value)
    offer.full_clean()
    bookings = list(offer.bookings.active())
    outside = [b for b in bookings if b.starts_on < offer.starts_on or b.ends_on > offer.ends_on]
    if outside:
        raise ValidationError(
            {"starts_on": f"{len(outside)} booking(s) fall outside these dates: cancel them first."}
        )
    used = _use_per_day(bookings, offer.starts_on, offer.ends_on)
    if used and max(used.values()) > offer.desks:
        busiest = max(used, key=lambda d: used[d])
        raise ValidationError(
            {
                "desks": f"{used[busiest]} desks are booked on {day(busiest)}: keep at least "
                "that many."
            }
        )
    offer.save()
    return offer


@transaction.atomic
def desk_offer_delete(*, actor: Any, offer: DeskOffer) -> None:
    _require_manager(actor, offer.cluster)
    if offer.bookings.exists():
        raise ValidationError("The offer has bookings: change its dates or desks instead.")
    offer.delete()


@transaction.atomic
def desk_book(
    *,
    actor: Any,
    passport: Passport,
    offer: DeskOffer,
    starts_on: date,
    ends_on: date,
    desks: int = 1,
) -> DeskBooking:
    """Book desks of the host cluster's offer for the visitor.

    The passport's row and then the offer's are locked (always in that order, so two bookings
    cannot wait on each other): two managers booking the last desk at the same moment are
    served one after the other, and the second finds it taken. SQLite serialises writing
    transactions at their start (`transaction_mode` IMMEDIATE in the settings).
    """
    passport = locked(passport)
    require_role(actor, passport, HOST, "Booking desks")
    _require_hosting(passport, "Desks are booked")
    offer = (
        DeskOffer.objects.select_for_update(of=("self",)).select_related("cluster").get(pk=offer.pk)
    )
    if offer.cluster_id != passport.host_cluster_id:
        raise ValidationError({"offer": f"This desk offer is not {passport.host_cluster}'s."})
    if desks < 1:
        raise ValidationError({"desks": "Book one desk or more."})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The booking ends before it starts."})
    if starts_on < passport.starts_on or ends_on > passport.ends_on:
        raise ValidationError(
            {
                "starts_on": f"Book within the visit: {day(passport.starts_on)} – "
                f"{day(passport.ends_on)}."
            }
        )
    if starts_on < offer.starts_on or ends_on > offer.ends_on:
        raise ValidationError(
            {"starts_on": f"The offer runs from {day(offer.starts_on)} to {day(offer.ends_on)}."}
        )
    own = passport.bookings.active().overlapping(starts_on, ends_on).first()
    if own is not None:
        raise DeskUnavailable(
            f"The visitor has a desk from {day(own.starts_on)} to {day(own.ends_on)} already."
        )
    taken = _use_per_day(
        offer.bookings.active().overlapping(starts_on, ends_on), starts_on, ends_on
    )
    full = sorted(d for d, n in taken.items() if n + desks > offer.desks)
    if full:
        free = offer.desks - taken[full[0]]
        what = "no desk is" if free <= 0 else f"only {free} desk{'s are' if free > 1 else ' is'}"
        raise DeskUnavailable(
            f"Fully booked: {what} free at {offer.cluster} on {day(full[0])}"
            + (f" and {len(full) - 1} more day(s)." if len(full) > 1 else ".")
        )
    booking = DeskBooking(
        passport=passport,
        offer=offer,
        starts_on=starts_on,
        ends_on=ends_on,
        desks=desks,
        booked_by=actor,
    )
    booking.full_clean()
    booking.save()
    PassportEvent.objects.create(
        passport=passport,
        actor=actor,
        from_status=passport.status,
        to_status=passport.status,
        note=f"Desk booked at {offer.address}: {day(starts_on)} – {day(ends_on)}"
        + (f", {desks} desks." if desks > 1 else "."),
    )
    announce(booking_message(booking, actor=actor))
    return booking


@transaction.atomic
def desk_booking_cancel(*, actor: Any, booking: DeskBooking) -> DeskBooking:
    passport = locked(booking.passport)
    require_role(actor, passport, HOST, "Cancelling a desk")
    booking = DeskBooking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
    if booking.cancelled_at is not None:
        return booking
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["cancelled_at"])
    PassportEvent.objects.create(
        passport=passport,
        actor=actor,
        from_status=passport.status,
        to_status=passport.status,
        note=f"Desk cancelled: {day(booking.starts_on)} – {day(booking.ends_on)}.",
    )
    return booking
