"""Two managers book the last desk at the same moment: exactly one of them gets it.

Each booking runs in its own thread with its own database connection, as two web requests
would, so these tests commit for real (`transaction=True`).
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from icn.accounts.models import User
from icn.passports import services
from icn.passports.models import DeskBooking, DeskOffer, Passport, PassportStatus
from tests.conftest import Network

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

S = PassportStatus


def _accepted(network: Network, applicant: Any, home: Any, host: Any, title: str) -> Passport:
    start = timezone.localdate() + timedelta(days=30)
    organisation = applicant.memberships.get().organisation
    passport = services.passport_create(
        actor=applicant,
        organisation=organisation,
        host_cluster=network.nordic_edge,
        title=title,
        purpose="Meet hydrogen companies.",
        starts_on=start,
        ends_on=start + timedelta(days=4),
        submit=True,
    )
    services.passport_transition(actor=home, passport=passport, to=S.ENDORSED)
    return services.passport_transition(actor=host, passport=passport, to=S.ACCEPTED)


def _book_at_once(bookings: list[tuple[Any, Passport]], offer: DeskOffer) -> list[Any]:
    """Start every booking at the same moment; each answer is a booking or an exception."""
    barrier = threading.Barrier(len(bookings))
    answers: list[Any] = [None] * len(bookings)

    def book(n: int, actor: Any, passport: Passport) -> None:
        try:
            barrier.wait()
            for _ in range(200):
                try:
                    answers[n] = services.desk_book(
                        actor=actor,
                        passport=passport,
                        offer=offer,
                        starts_on=passport.starts_on,
                        ends_on=passport.starts_on + timedelta(days=1),
                    )
                    return
                except OperationalError as exc:
                    # The test database on SQLite lives in memory, shared by the connections
                    # of one process, and refuses a lock at once where the file database the
                    # platform runs on waits for it (its busy timeout): wait here instead.
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.01)
            raise AssertionError("The database stayed locked.")
        except Exception as exc:
            answers[n] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(n, actor, passport))
        for n, (actor, passport) in enumerate(bookings)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_two_managers_booking_the_last_desk_at_the_same_moment_get_it_once(
    network, member, cluster_peer, cluster_manager, other_manager
):
    colleague = User.objects.create_user("second.nordic-edge@icn.example", "a-long-password")
    network.nordic_edge.managers.add(colleague)
    first = _accepted(network, member, cluster_manager, other_manager, "First visit")
    second = _accepted(network, cluster_peer, cluster_manager, other_manager, "Second visit")
    offer = services.desk_offer_create(
        actor=other_manager,
        cluster=network.nordic_edge,
        desks=1,
        starts_on=first.starts_on,
        ends_on=first.ends_on,
        address="Nordic Edge house, Stavanger",
    )

    answers = _book_at_once([(other_manager, first), (colleague, second)], offer)

    booked = [a for a in answers if isinstance(a, DeskBooking)]
    refused = [a for a in answers if not isinstance(a, DeskBooking)]
    assert len(booked) == 1, answers
    assert len(refused) == 1 and isinstance(refused[0], services.DeskUnavailable), answers
    assert refused[0].messages[0].startswith("Fully booked: no desk is free at Nordic Edge on ")
    assert DeskBooking.objects.active().count() == 1
    winner = booked[0].passport_id
    loser = second if winner == first.pk else first
    assert not loser.bookings.exists()
    assert not loser.events.filter(note__startswith="Desk booked").exists()


def test_many_managers_booking_at_once_never_exceed_the_desks_offered(
    network, cluster_manager, other_manager
):
    """Five visitors, two desks: two bookings, three refusals, never three desks on a day."""
    visits = []
    for n in range(5):
        user = User.objects.create_user(f"visitor{n}@clean.example", "a-long-password")
        organisation = network.org("clean", "public")
        user.memberships.create(organisation=organisation, role="member")
        visits.append(_accepted(network, user, cluster_manager, other_manager, f"Visit {n}"))
    offer = services.desk_offer_create(
        actor=other_manager,
        cluster=network.nordic_edge,
        desks=2,
        starts_on=visits[0].starts_on,
        ends_on=visits[0].ends_on,
        address="Nordic Edge house, Stavanger",
    )

    answers = _book_at_once([(other_manager, passport) for passport in visits], offer)

    assert sum(isinstance(a, DeskBooking) for a in answers) == 2, answers
    assert sum(isinstance(a, services.DeskUnavailable) for a in answers) == 3, answers
    assert DeskBooking.objects.active().count() == 2
