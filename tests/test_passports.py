"""Passports: a member applies to visit a cluster abroad, its cluster endorses, the host cluster
accepts and books a desk and introductions, the visitor reports; every step is recorded and
announced, no step can be skipped, and only the people concerned see a passport."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from icn.accounts.models import Membership, User
from icn.directory.models import Cluster, Organisation
from icn.matching.models import MatchRecord
from icn.opportunities.models import Opportunity
from icn.passports import demo, selectors, services
from icn.passports.models import (
    DeskBooking,
    DeskOffer,
    Passport,
    PassportEvent,
    PassportFollowUp,
    PassportReport,
    PassportStatus,
)
from icn.projects import services as project_services
from tests.conftest import Network, client_for

pytestmark = pytest.mark.django_db

S = PassportStatus


@dataclass
class Clock:
    """The platform's clock, moved on by the tests (events and dates follow it)."""

    now: datetime

    def travel(self, days: int) -> None:
        self.now += timedelta(days=days)

    def today(self) -> date:
        return timezone.localtime(self.now).date()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Clock]:
    settings.SESSION_COOKIE_AGE = 10 * 365 * 86400  # a log-in outlasts the months travelled
    started = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    clock = Clock(started)
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    yield clock


def _apply(
    actor: Any,
    organisation: Organisation,
    host: Cluster | None,
    *,
    starts_in: int = 30,
    days: int = 5,
    submit: bool = True,
    **fields: Any,
) -> Passport:
    start = timezone.localdate() + timedelta(days=starts_in)
    fields.setdefault("title", "Hydrogen partners abroad")
    fields.setdefault("purpose", "Meet hydrogen companies and a utility for a pilot.")
    return services.passport_create(
        actor=actor,
        organisation=organisation,
        host_cluster=host,
        starts_on=start,
        ends_on=start + timedelta(days=days - 1),
        submit=submit,
        **fields,
    )


def _accepted(network: Network, applicant: Any, home: Any, host: Any, **kwargs: Any) -> Passport:
    organisation = Organisation.objects.get(pk=next(iter(_orgs(applicant))))
    passport = _apply(applicant, organisation, network.nordic_edge, **kwargs)
    passport = services.passport_transition(actor=home, passport=passport, to=S.ENDORSED)
    return services.passport_transition(actor=host, passport=passport, to=S.ACCEPTED)


def _orgs(user: Any) -> list[int]:
    return list(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))


def _offer(actor: Any, cluster: Cluster, passport: Passport, desks: int = 1) -> DeskOffer:
    return services.desk_offer_create(
        actor=actor,
        cluster=cluster,
        desks=desks,
        starts_on=passport.starts_on - timedelta(days=10),
        ends_on=passport.ends_on + timedelta(days=10),
        address="Nordic Edge house, Stavanger",
    )


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# The whole road, on the pages -------------------------------------------------------------


def test_a_member_applies_is_endorsed_accepted_books_a_desk_visits_and_reports_on_the_pages(
    network,
    member,
    cluster_manager,
    other_manager,
    secretariat,
    clock,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    ours = network.org("clean", "private")
    applicant = client_for(member)
    page = applicant.get("/passports/apply/")
    assert page.status_code == 200
    assert "Apply for a passport" in page.content.decode()
    start = clock.today() + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant.post(
            "/passports/apply/",
            {
                "applicant": f"o{ours.pk}-{network.clean.pk}",
                "title": "Hydrogen partners in Stavanger",
                "purpose": "We make electrolyser stacks and look for a hydrogen utility.",
                "topics": [network.topic.pk],
                "host_cluster": network.nordic_edge.pk,
                "partner_kinds": ["public_authority", "sme"],
                "assistance": ["introductions", "market_briefing"],
                "starts_on": start.isoformat(),
                "ends_on": (start + timedelta(days=4)).isoformat(),
                "desk_days": 3,
                "submit": "1",
            },
        )
    assert response.status_code == 302, response.content.decode()
    passport = Passport.objects.get()
    assert response["Location"] == f"/passports/{passport.pk}/"
    assert passport.status == S.SUBMITTED and passport.contact_email == member.email
    assert passport.assistance == ["introductions", "market_briefing"]
    # The home cluster's managers are asked to endorse.
    assert [m.to for m in mailoutbox] == [[cluster_manager.email]]
    assert "To endorse" in mailoutbox[0].subject
    assert f"/passports/{passport.pk}/" in mailoutbox[0].body
    url = f"/passports/{passport.pk}/"

    home = client_for(cluster_manager)
    page = home.get(url).content.decode()
    assert 'value="endorsed"' in page and 'value="returned"' in page
    assert 'value="accepted"' not in page  # the host's step, not the home cluster's
    clock.travel(1)
    with django_capture_on_commit_callbacks(execute=True):
        home.post(f"{url}transition/", {"to": "endorsed", "note": "A strong company."})
    passport.refresh_from_db()
    assert passport.status == S.ENDORSED
    assert set(mailoutbox[-1].to) == {other_manager.email, member.email}

    host = client_for(other_manager)
    page = host.get(url).content.decode()
    assert "Suggested local contacts" in page
    assert 'value="accepted"' in page and 'value="dates_proposed"' in page
    clock.travel(2)
    with django_capture_on_commit_callbacks(execute=True):
        host.post(f"{url}transition/", {"to": "accepted", "note": "Welcome!"})
    passport.refresh_from_db()
    assert passport.status == S.ACCEPTED and passport.host_contact == other_manager
    assert set(mailoutbox[-1].to) == {member.email, cluster_manager.email}
    assert "Host contact: Nils Manager" in mailoutbox[-1].body

    # The host cluster offers desks and books one for the visit.
    response = host.post(
        "/passports/desks/",
        {
            "cluster": network.nordic_edge.pk,
            "desks": 2,
            "starts_on": (start - timedelta(days=30)).isoformat(),
            "ends_on": (start + timedelta(days=60)).isoformat(),
            "address": "Nordic Edge house, Stavanger",
        },
    )
    assert response.status_code == 302
    offer = DeskOffer.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = host.post(
            f"{url}desks/",
            {
                "offer": offer.pk,
                "starts_on": start.isoformat(),
                "ends_on": (start + timedelta(days=2)).isoformat(),
                "desks": 1,
            },
        )
    assert response.status_code == 302
    booking = DeskBooking.objects.get()
    assert (booking.passport, booking.days, booking.booked_by) == (passport, 3, other_manager)
    assert "Desk booked" in mailoutbox[-1].subject and member.email in mailoutbox[-1].to
    assert "Nordic Edge house" in host.get("/passports/desks/").content.decode()

    # An introduction to a local company; our private organisation is hidden from the host
    # cluster, so it stands without a match record.
    local = network.org("nordic-edge", "network")
    page = host.get(url).content.decode()
    assert f'data-organisation="{local.slug}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        host.post(f"{url}introductions/", {"organisation": local.pk, "note": "Tuesday at 10"})
    introduction = passport.introductions.get()
    assert introduction.organisation == local and introduction.match is None
    assert "network@nordic-edge.example" in mailoutbox[-1].to
    assert member.email in mailoutbox[-1].to

    # The report waits for the visit.
    response = applicant.get(f"{url}report/", follow=True)
    assert "The closing report comes after the visit" in _messages(response)
    clock.travel(40)
    with django_capture_on_commit_callbacks(execute=True):
        applicant.post(f"{url}transition/", {"to": "visited"})
    passport.refresh_from_db()
    assert passport.status == S.VISITED
    assert "closing report" in mailoutbox[-1].body
    assert applicant.get(f"{url}report/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant.post(
            f"{url}report/",
            {
                "meetings_held": 5,
                "leads": 2,
                "summary": "Met the utility and two engineering firms.",
                "next_steps": "A pilot offer in May.",
            },
        )
    assert response.status_code == 302
    passport.refresh_from_db()
    assert passport.status == S.REPORTED
    assert set(mailoutbox[-1].to) == {cluster_manager.email, other_manager.email}
    page = applicant.get(url).content.decode()
    assert "Closing report" in page and "A pilot offer in May." in page
    assert passport.follow_up_due_on == clock.today() + timedelta(days=90)

    # Months later, the follow-up.
    assert applicant.post(f"{url}follow-up/", {"rating": 4}).status_code == 200  # not yet open
    assert not PassportFollowUp.objects.exists()
    clock.travel(90)
    page = applicant.get(url).content.decode()
    assert "tell us what came of it" in page
    applicant.post(f"{url}follow-up/", {"rating": 4, "deals": 1, "projects": "Pilot at Lyse"})
    assert PassportFollowUp.objects.get().deals == 1

    # The timeline: each step, who took it and when, in order.
    changes = [
        (e.from_status, e.to_status, e.actor)
        for e in PassportEvent.objects.filter(passport=passport)
        if e.from_status != e.to_status
    ]
    assert changes == [
        ("", S.DRAFT, member),
        (S.DRAFT, S.SUBMITTED, member),
        (S.SUBMITTED, S.ENDORSED, cluster_manager),
        (S.ENDORSED, S.ACCEPTED, other_manager),
        (S.ACCEPTED, S.VISITED, member),
        (S.VISITED, S.REPORTED, member),
    ]
    page = client_for(secretariat).get(url).content.decode()
    for label in ("Endorsed", "Accepted", "Desk booked at", "Introduction booked", "Reported"):
        assert label in page


def test_the_home_cluster_returns_an_application_and_the_applicant_edits_and_resubmits_it(
    network, member, cluster_manager, mailoutbox, django_capture_on_commit_callbacks
):
    passport = _apply(member, network.org("clean", "private"), network.nordic_edge)
    url = f"/passports/{passport.pk}/"
    home = client_for(cluster_manager)
    home.post(f"{url}transition/", {"to": "returned"})  # comments are required
    passport.refresh_from_db()
    assert passport.status == S.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        home.post(f"{url}transition/", {"to": "returned", "note": "Name the utility you target."})
    passport.refresh_from_db()
    assert passport.status == S.RETURNED
    assert mailoutbox[-1].to == [member.email] and "Name the utility" in mailoutbox[-1].body
    applicant = client_for(member)
    page = applicant.get(url).content.decode()
    assert "Name the utility you target." in page and "Edit the application" in page
    form = applicant.get(f"{url}edit/")
    assert form.status_code == 200
    response = applicant.post(
        f"{url}edit/",
        {
            "title": "Hydrogen partners: Lyse",
            "purpose": "We target Lyse, the regional utility.",
            "host_cluster": network.nordic_edge.pk,
            "starts_on": passport.starts_on.isoformat(),
            "ends_on": passport.ends_on.isoformat(),
            "desk_days": 0,
            "submit": "1",
        },
    )
    assert response.status_code == 302
    passport.refresh_from_db()
    assert (passport.status, passport.title) == (S.SUBMITTED, "Hydrogen partners: Lyse")
    assert client_for(cluster_manager).get(f"{url}edit/").status_code == 403


# Steps that cannot be taken -----------------------------------------------------------------


def test_a_draft_cannot_be_accepted(network, member, other_manager, secretariat):
    draft = _apply(member, network.org("clean", "private"), network.nordic_edge, submit=False)
    with pytest.raises(ValidationError) as refused:
        services.passport_transition(actor=member, passport=draft, to=S.ACCEPTED)
    assert refused.value.messages[0].startswith(
        "A draft cannot be accepted: it must be submitted and endorsed by the home cluster first."
    )
    with pytest.raises(ValidationError, match="must be submitted and endorsed"):
        services.passport_transition(actor=secretariat, passport=draft, to=S.ACCEPTED)
    # The host cluster does not even see a draft.
    with pytest.raises(PermissionDenied):
        services.passport_transition(actor=other_manager, passport=draft, to=S.ACCEPTED)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.events.count() == 1


def test_no_step_can_be_skipped_and_each_refusal_says_why(
    network, member, cluster_manager, other_manager
):
    passport = _apply(member, network.org("clean", "private"), network.nordic_edge)
    with pytest.raises(ValidationError, match="must be endorsed by the home cluster first"):
        services.passport_transition(actor=other_manager, passport=passport, to=S.ACCEPTED)
    with pytest.raises(PermissionDenied, match="up to the managers of CLEAN, the home cluster"):
        services.passport_transition(actor=other_manager, passport=passport, to=S.ENDORSED)
    with pytest.raises(PermissionDenied, match="up to the managers of CLEAN"):
        services.passport_transition(actor=member, passport=passport, to=S.ENDORSED)
    with pytest.raises(
        ValidationError,
        match="A submitted application cannot be submitted: it is at that step already",
    ):
        services.passport_transition(actor=member, passport=passport, to=S.SUBMITTED)
    services.passport_transition(actor=cluster_manager, passport=passport, to=S.ENDORSED)
    with pytest.raises(ValidationError, match="Give the applicant a reason"):
        services.passport_transition(actor=other_manager, passport=passport, to=S.DECLINED)
    with pytest.raises(PermissionDenied, match="up to the managers of Nordic Edge"):
        services.passport_transition(actor=cluster_manager, passport=passport, to=S.ACCEPTED)
    with pytest.raises(ValidationError, match="the host cluster must accept the visit first"):
        services.passport_transition(actor=member, passport=passport, to=S.VISITED)
    services.passport_transition(
        actor=other_manager, passport=passport, to=S.DECLINED, note="Fully booked in June."
    )
    passport.refresh_from_db()
    assert passport.decline_reason == "Fully booked in June."
    with pytest.raises(ValidationError, match="This passport is declined: it cannot change"):
        services.passport_transition(actor=member, passport=passport, to=S.WITHDRAWN)


def test_the_closing_report_comes_after_the_visit(
    network, member, cluster_manager, other_manager, clock
):
    passport = _accepted(network, member, cluster_manager, other_manager)
    ends = f"{passport.ends_on:%-d %B %Y}"
    with pytest.raises(ValidationError) as refused:
        services.passport_report(
            actor=member, passport=passport, meetings_held=1, leads=0, summary="Too early"
        )
    assert refused.value.messages == [f"The closing report comes after the visit (ends on {ends})."]
    with pytest.raises(ValidationError, match=f"The visit ends on {ends}: it can be marked"):
        services.passport_transition(actor=member, passport=passport, to=S.VISITED)
    with pytest.raises(ValidationError, match="The closing report comes after the visit"):
        services.passport_transition(actor=member, passport=passport, to=S.REPORTED)
    response = client_for(member).post(
        f"/passports/{passport.pk}/transition/", {"to": "reported"}, follow=True
    )
    assert f"The closing report comes after the visit (ends on {ends})." in _messages(response)
    assert not PassportReport.objects.exists()
    clock.travel(40)
    services.passport_transition(actor=other_manager, passport=passport, to=S.VISITED)
    with pytest.raises(PermissionDenied, match="up to the applicant"):
        services.passport_report(
            actor=other_manager, passport=passport, meetings_held=1, leads=0, summary="Mine"
        )
    services.passport_report(
        actor=member, passport=passport, meetings_held=3, leads=1, summary="Three meetings"
    )
    with pytest.raises(ValidationError, match="This passport is reported"):
        services.passport_report(
            actor=member, passport=passport, meetings_held=3, leads=1, summary="Again"
        )


def test_the_host_proposes_other_dates_and_the_applicant_accepts_them(
    network, member, cluster_manager, other_manager, mailoutbox, django_capture_on_commit_callbacks
):
    passport = _apply(member, network.org("clean", "private"), network.nordic_edge, desk_days=5)
    services.passport_transition(actor=cluster_manager, passport=passport, to=S.ENDORSED)
    new_start = passport.starts_on + timedelta(days=14)
    with pytest.raises(ValidationError, match="Give the dates"):
        services.passport_transition(actor=other_manager, passport=passport, to=S.DATES_PROPOSED)
    with django_capture_on_commit_callbacks(execute=True):
        services.passport_transition(
            actor=other_manager,
            passport=passport,
            to=S.DATES_PROPOSED,
            starts_on=new_start,
            ends_on=new_start + timedelta(days=2),
            note="Our office is closed that week.",
        )
    assert set(mailoutbox[-1].to) == {member.email, cluster_manager.email}
    assert "Other dates proposed" in mailoutbox[-1].subject
    page = client_for(member).get(f"/passports/{passport.pk}/").content.decode()
    assert 'value="accepted"' in page and "Accept the new dates" in page
    with pytest.raises(PermissionDenied, match="up to the applicant"):
        services.passport_transition(actor=other_manager, passport=passport, to=S.ACCEPTED)
    services.passport_transition(actor=member, passport=passport, to=S.ACCEPTED)
    passport.refresh_from_db()
    assert (passport.status, passport.starts_on, passport.days) == (S.ACCEPTED, new_start, 3)
    assert passport.desk_days == 3 and passport.proposed_starts_on is None
    assert passport.host_contact == other_manager


def test_withdrawing_an_accepted_visit_frees_its_desks(
    network, member, cluster_manager, other_manager
):
    passport = _accepted(network, member, cluster_manager, other_manager)
    offer = _offer(other_manager, network.nordic_edge, passport)
    services.desk_book(
        actor=other_manager,
        passport=passport,
        offer=offer,
        starts_on=passport.starts_on,
        ends_on=passport.ends_on,
    )
    services.passport_transition(actor=member, passport=passport, to=S.WITHDRAWN, note="Ill")
    assert DeskBooking.objects.active().count() == 0
    assert selectors.desk_use(offer, passport.starts_on, passport.starts_on)[0].free == 1


# A country instead of a cluster: the secretariat picks ---------------------------------------


def test_the_secretariat_chooses_the_host_when_only_a_country_is_given(
    network,
    member,
    cluster_manager,
    other_manager,
    secretariat,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with pytest.raises(ValidationError, match="or the country or region"):
        _apply(member, network.org("clean", "private"), None)
    passport = _apply(
        member, network.org("clean", "private"), None, target_country="NO", target_region="Rogaland"
    )
    assert passport.destination == "Rogaland, Norway"
    with django_capture_on_commit_callbacks(execute=True):
        services.passport_transition(actor=cluster_manager, passport=passport, to=S.ENDORSED)
    assert secretariat.email in mailoutbox[-1].to  # the secretariat picks the host now
    with pytest.raises(ValidationError, match="has not chosen the host cluster yet"):
        services.passport_transition(actor=secretariat, passport=passport, to=S.ACCEPTED)
    assert not Passport.objects.visible_to(other_manager).exists()
    assert passport in selectors.passport_list(viewer=secretariat, box="unplaced")
    with pytest.raises(PermissionDenied):
        services.passport_choose_host(
            actor=cluster_manager, passport=passport, host_cluster=network.nordic_edge
        )
    with pytest.raises(ValidationError, match="CLEAN is the home cluster"):
        services.passport_choose_host(
            actor=secretariat, passport=passport, host_cluster=network.clean
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(secretariat).post(
            f"/passports/{passport.pk}/host/", {"host_cluster": network.nordic_edge.pk}
        )
    assert response.status_code == 302
    passport.refresh_from_db()
    assert passport.host_cluster == network.nordic_edge
    assert passport.events.last().note.startswith("Host cluster: Nordic Edge.")
    assert set(mailoutbox[-1].to) == {other_manager.email, member.email}
    assert "Host chosen" in mailoutbox[-1].subject
    services.passport_transition(actor=other_manager, passport=passport, to=S.ACCEPTED)


def test_the_secretariat_stands_in_for_a_cluster_without_managers(network, member, secretariat):
    passport = _apply(member, network.org("clean", "private"), network.nordic_edge)
    services.passport_transition(actor=secretariat, passport=passport, to=S.ENDORSED)
    services.passport_transition(actor=secretariat, passport=passport, to=S.ACCEPTED)
    passport.refresh_from_db()
    assert passport.host_contact == secretariat


# Who sees what --------------------------------------------------------------------------------

SEES_SUBMITTED = {
    "secretariat": True,
    "cluster_manager": True,  # home cluster
    "other_manager": True,  # host cluster
    "member": True,  # the applicant
    "cluster_peer": False,  # another organisation of the same cluster
    "other_member": False,
    "partner": False,
}


@pytest.mark.parametrize("role", sorted(SEES_SUBMITTED))
def test_a_passport_is_seen_by_the_applicant_both_clusters_managers_and_the_secretariat(
    role, request, network, member
):
    user = request.getfixturevalue(role)
    submitted = _apply(member, network.org("clean", "private"), network.nordic_edge)
    draft = _apply(member, network.org("clean", "private"), network.nordic_edge, submit=False)
    visible = set(Passport.objects.visible_to(user))
    assert (submitted in visible) is SEES_SUBMITTED[role]
    # A draft is the applicant's own (the secretariat sees everything).
    assert (draft in visible) is (role in ("member", "secretariat"))
    client = client_for(user)
    expected = 200 if SEES_SUBMITTED[role] else 404
    assert client.get(f"/passports/{submitted.pk}/").status_code == expected
    listed = {p.pk for p in selectors.passport_list(viewer=user)}
    assert (submitted.pk in listed) is SEES_SUBMITTED[role]


def test_visitors_who_are_not_logged_in_are_sent_to_log_in(network, member):
    passport = _apply(member, network.org("clean", "private"), network.nordic_edge)
    anonymous = client_for(None)
    for url in ("/passports/", f"/passports/{passport.pk}/", "/passports/apply/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Passport.objects.visible_to(None).exists()


def test_an_outsider_cannot_act_on_a_passport_it_cannot_see(network, member, other_member):
    passport = _apply(member, network.org("clean", "private"), network.nordic_edge)
    client = client_for(other_member)
    response = client.post(f"/passports/{passport.pk}/transition/", {"to": "withdrawn"})
    assert response.status_code == 404
    assert client.get(f"/passports/{passport.pk}/report/").status_code == 404
    passport.refresh_from_db()
    assert passport.status == S.SUBMITTED


def test_the_lists_of_the_passports_page(
    network, member, cluster_manager, other_manager, cluster_peer
):
    ours = _apply(member, network.org("clean", "private"), network.nordic_edge, title="Ours")
    theirs = _apply(cluster_peer, network.org("clean", "network"), network.nordic_edge)
    assert set(selectors.passport_list(viewer=member, box="mine")) == {ours}
    assert set(selectors.passport_list(viewer=cluster_manager, box="endorse")) == {ours, theirs}
    assert set(selectors.passport_list(viewer=cluster_manager, box="host")) == set()
    assert set(selectors.passport_list(viewer=other_manager, box="host")) == {ours, theirs}
    assert selectors.waiting_counts(viewer=cluster_manager)["endorse"] == 2
    page = client_for(cluster_manager).get("/passports/?box=endorse").content.decode()
    assert "From our members" in page and "Ours" in page
    partial = client_for(member).get("/passports/?status=submitted", headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "Ours" in partial.content.decode()


def test_only_member_organisations_and_cluster_managers_apply(network, partner, member):
    assert client_for(partner).get("/passports/apply/").status_code == 403
    with pytest.raises(ValidationError, match="not a member of a cluster"):
        _apply(partner, network.partner_org, network.nordic_edge)
    with pytest.raises(PermissionDenied):  # not an organisation it acts for
        _apply(member, network.org("clean", "network"), network.nordic_edge)
    with pytest.raises(ValidationError, match="home cluster"):
        _apply(member, network.org("clean", "private"), network.clean)


def test_a_cluster_applies_as_itself_through_its_managers(network, cluster_manager, other_manager):
    start = timezone.localdate() + timedelta(days=20)
    passport = services.passport_create(
        actor=cluster_manager,
        home_cluster=network.clean,
        host_cluster=network.nordic_edge,
        title="CLEAN delegation to Stavanger",
        purpose="A delegation of five members.",
        starts_on=start,
        ends_on=start + timedelta(days=1),
        submit=True,
    )
    assert passport.applicant_name == "CLEAN" and passport.organisation is None
    services.passport_transition(actor=cluster_manager, passport=passport, to=S.ENDORSED)
    services.passport_transition(actor=other_manager, passport=passport, to=S.ACCEPTED)


# Introductions and suggestions ------------------------------------------------------------


def test_the_host_sees_local_organisations_it_may_see_and_an_introduction_becomes_a_match(
    network, cluster_peer, cluster_manager, other_manager, other_member
):
    passport = _accepted(network, cluster_peer, cluster_manager, other_manager)
    suggested = selectors.local_suggestions(viewer=other_manager, passport=passport)
    slugs = {s.organisation.slug for s in suggested if s.organisation}
    assert "nordic-edge-network-org" in slugs
    assert "nordic-edge-private-org" not in slugs  # private to its own organisation
    assert all(s.reasons for s in suggested)
    local = network.org("nordic-edge", "cluster")
    person = network.people["nordic-edge"]["cluster"]
    introduction = services.introduction_book(
        actor=other_manager, passport=passport, organisation=local, person=person
    )
    match = introduction.match
    assert match is not None
    assert (match.organisation, match.target_organisation) == (
        network.org("clean", "network"),
        local,
    )
    with pytest.raises(ValidationError, match="introduced already"):
        services.introduction_book(actor=other_manager, passport=passport, organisation=local)
    with pytest.raises(ValidationError, match="Introduce organisations of Nordic Edge"):
        services.introduction_book(
            actor=other_manager, passport=passport, organisation=network.partner_org
        )
    with pytest.raises(PermissionDenied, match="up to the managers of Nordic Edge"):
        services.introduction_book(
            actor=cluster_manager,
            passport=passport,
            organisation=network.org("nordic-edge", "public"),
        )
    assert selectors.local_suggestions(viewer=other_manager, passport=passport)
    # Introduced organisations are marked as such.
    marked = {
        s.organisation.slug: s.introduced
        for s in selectors.local_suggestions(viewer=other_manager, passport=passport)
        if s.organisation
    }
    assert marked.get(local.slug) is True


# Desks ----------------------------------------------------------------------------------------


def test_desk_bookings_never_exceed_the_desks_offered_on_any_day(
    network, member, cluster_peer, cluster_manager, other_manager
):
    first = _accepted(network, member, cluster_manager, other_manager)
    second = _accepted(network, cluster_peer, cluster_manager, other_manager)
    third = _accepted(network, member, cluster_manager, other_manager, title="Second visit")
    offer = _offer(other_manager, network.nordic_edge, first, desks=2)
    day = first.starts_on
    services.desk_book(actor=other_manager, passport=first, offer=offer, starts_on=day, ends_on=day)
    services.desk_book(
        actor=other_manager,
        passport=second,
        offer=offer,
        starts_on=day + timedelta(days=1),
        ends_on=day + timedelta(days=1),
    )
    # Two desks on the first day would make three.
    with pytest.raises(services.DeskUnavailable) as refused:
        services.desk_book(
            actor=other_manager,
            passport=third,
            offer=offer,
            starts_on=day,
            ends_on=day + timedelta(days=2),
            desks=2,
        )
    assert refused.value.messages == [
        f"Fully booked: only 1 desk is free at Nordic Edge on {day:%-d %B %Y} and 1 more day(s)."
    ]
    services.desk_book(
        actor=other_manager,
        passport=third,
        offer=offer,
        starts_on=day + timedelta(days=2),
        ends_on=day + timedelta(days=3),
        desks=2,
    )
    # The same visitor cannot hold two desks on one day.
    with pytest.raises(services.DeskUnavailable, match="has a desk from"):
        services.desk_book(
            actor=other_manager, passport=first, offer=offer, starts_on=day, ends_on=day
        )
    with pytest.raises(ValidationError, match="Book within the visit"):
        services.desk_book(
            actor=other_manager,
            passport=first,
            offer=offer,
            starts_on=first.ends_on,
            ends_on=first.ends_on + timedelta(days=1),
        )
    with pytest.raises(PermissionDenied, match="Booking desks is up to the managers"):
        services.desk_book(actor=member, passport=first, offer=offer, starts_on=day, ends_on=day)
    use = {u.day: (u.taken, u.free) for u in selectors.desk_use(offer, day, day + timedelta(3))}
    assert use == {
        day: (1, 1),
        day + timedelta(days=1): (1, 1),
        day + timedelta(days=2): (2, 0),
        day + timedelta(days=3): (2, 0),
    }
    # An offer keeps room for its bookings.
    with pytest.raises(ValidationError, match="2 desks are booked"):
        services.desk_offer_update(actor=other_manager, offer=offer, desks=1)
    with pytest.raises(ValidationError, match="has bookings"):
        services.desk_offer_delete(actor=other_manager, offer=offer)


def test_only_a_clusters_managers_offer_its_desks(network, cluster_manager, member):
    start = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.desk_offer_create(
            actor=cluster_manager,
            cluster=network.nordic_edge,
            desks=1,
            starts_on=start,
            ends_on=start,
            address="Elsewhere",
        )
    assert client_for(member).get("/passports/desks/").status_code == 403


def test_the_database_refuses_a_booking_or_an_offer_that_ends_before_it_starts(
    network, member, cluster_manager, other_manager
):
    passport = _accepted(network, member, cluster_manager, other_manager)
    offer = _offer(other_manager, network.nordic_edge, passport)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeskBooking.objects.create(
            passport=passport,
            offer=offer,
            starts_on=passport.ends_on,
            ends_on=passport.starts_on,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DeskOffer.objects.filter(pk=offer.pk).update(ends_on=offer.starts_on - timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Passport.objects.filter(pk=passport.pk).update(host_cluster=network.clean)


# Statistics -----------------------------------------------------------------------------------


def test_the_statistics_count_what_the_records_say(
    network, member, cluster_peer, cluster_manager, other_manager, secretariat, clock
):
    ours, peers = network.org("clean", "private"), network.org("clean", "network")
    accepted = _apply(member, ours, network.nordic_edge, title="A")
    declined = _apply(cluster_peer, peers, network.nordic_edge, title="B")
    waiting = _apply(member, ours, network.nordic_edge, title="C")
    _apply(member, ours, network.nordic_edge, title="Draft", submit=False)  # not counted
    for passport in (accepted, declined, waiting):
        services.passport_transition(actor=cluster_manager, passport=passport, to=S.ENDORSED)
    clock.travel(2)
    services.passport_transition(actor=other_manager, passport=accepted, to=S.ACCEPTED)
    clock.travel(4)
    services.passport_transition(
        actor=other_manager, passport=declined, to=S.DECLINED, note="No room."
    )
    clock.travel(40)
    services.passport_transition(actor=member, passport=accepted, to=S.VISITED)
    services.passport_report(
        actor=member, passport=accepted, meetings_held=4, leads=2, summary="Good"
    )

    stats = selectors.passport_statistics()
    year = accepted.submitted_at.year
    assert [(r.year, r.cluster) for r in stats.rows] == [(year, network.nordic_edge)]
    row = stats.rows[0]
    assert (row.applications, row.answered, row.accepted, row.declined) == (3, 2, 1, 1)
    assert row.acceptance_rate == 0.5
    assert row.median_days_to_answer == 4.0  # answers after 2 and 6 days
    assert (row.visits, row.reports, row.reports_with_outcomes) == (1, 1, 1)
    assert (row.meetings, row.leads) == (4, 2)
    by_home = selectors.passport_statistics(side="home")
    assert by_home.rows[0].cluster == network.clean and by_home.rows[0].applications == 3
    assert selectors.passport_statistics(year=year - 1).rows == []
    assert selectors.passport_statistics(cluster=network.clean).rows == []

    client = client_for(secretariat)
    page = client.get("/passports/statistics/").content.decode()
    assert 'data-col="applications">3<' in page and 'data-col="acceptance_rate">50 %<' in page
    export = client.get("/passports/statistics.csv?side=host")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["year", "host_cluster", "applications"]
    assert rows[1][:6] == [str(year), "Nordic Edge", "3", "2", "1", "1"]
    assert rows[1][6:8] == ["0.5", "4.0"]
    assert client_for(cluster_manager).get("/passports/statistics/").status_code == 403
    assert client_for(cluster_manager).get("/passports/statistics.csv").status_code == 403


# Follow-up reminders and the demo -------------------------------------------------------------


def test_visitors_are_asked_for_the_follow_up_once_it_is_due(
    network, member, cluster_manager, other_manager, clock, mailoutbox
):
    passport = _accepted(network, member, cluster_manager, other_manager)
    clock.travel(40)
    services.passport_transition(actor=member, passport=passport, to=S.VISITED)
    services.passport_report(actor=member, passport=passport, meetings_held=1, leads=0, summary=".")
    mailoutbox.clear()
    assert services.passport_follow_up_reminders() == 0
    with pytest.raises(ValidationError, match="The follow-up opens on"):
        services.passport_follow_up(actor=member, passport=passport, rating=3)
    clock.travel(91)
    assert services.passport_follow_up_reminders() == 1
    assert mailoutbox[-1].to == [member.email] and "What came of your visit" in (
        mailoutbox[-1].subject
    )
    assert services.passport_follow_up_reminders() == 0  # once
    match = MatchRecord.objects.create(
        organisation=network.org("clean", "private"),
        target_organisation=network.org("nordic-edge", "public"),
    )
    call = Opportunity.objects.create(
        kind="funding_call",
        status="published",
        title="Harbour heat pilots",
        slug="harbour-heat-pilots",
        cluster=network.clean,
        visibility="network",
        funder="Interreg North Sea",
        deadline=timezone.now() + timedelta(days=30),
        published_at=timezone.now(),
    )
    ours = project_services.application_create(
        actor=member, call=call, lead=network.org("clean", "private"), title="Harbour heat"
    )
    theirs = project_services.application_create(
        actor=other_manager, call=call, lead=network.org("nordic-edge", "public"), title="Other"
    )
    with pytest.raises(ValidationError, match="of the visiting organisation only"):
        services.passport_follow_up(
            actor=member, passport=passport, rating=5, applications=[theirs]
        )
    services.passport_follow_up(
        actor=member, passport=passport, rating=5, deals=2, matches=[match], applications=[ours]
    )
    assert list(PassportFollowUp.objects.get().matches.all()) == [match]
    assert list(PassportFollowUp.objects.get().applications.all()) == [ours]
    page = client_for(member).get(passport.get_absolute_url()).content.decode()
    assert "Harbour heat" in page and ours.get_absolute_url() in page
    with pytest.raises(ValidationError, match="given already"):
        services.passport_follow_up(actor=member, passport=passport, rating=5)


def test_the_demo_loads_passports_in_every_state_once(
    network, cluster_manager, other_manager, member, other_member, secretariat
):
    first = demo.load()
    assert first.passports >= 6 and first.desk_offers == 2
    statuses = set(Passport.objects.values_list("status", flat=True))
    assert {S.REPORTED, S.ACCEPTED, S.ENDORSED, S.SUBMITTED, S.DECLINED, S.DRAFT} <= statuses
    reported = Passport.objects.get(status=S.REPORTED)
    assert reported.report.matches.exists() and reported.bookings.exists()
    assert reported.events.filter(to_status=S.ENDORSED, actor=cluster_manager).exists()
    again = demo.load()
    assert (again.passports, again.desk_offers) == (0, 0)
    stats = selectors.passport_statistics()
    assert stats.total.applications == Passport.objects.exclude(status=S.DRAFT).count()
    assert stats.total.visits == 1 and stats.total.reports_with_outcomes == 1
    for user in (member, cluster_manager, other_manager, secretariat):
        assert client_for(user).get("/passports/").status_code == 200
    page = client_for(member).get(f"/passports/{reported.pk}/").content.decode()
    assert "Closing report" in page


def test_a_user_without_an_organisation_or_cluster_sees_an_empty_list(network):
    user = User.objects.create_user("nobody@icn.example", "a-long-test-password")
    page = client_for(user).get("/passports/").content.decode()
    assert "No passports here yet." in page and "Apply for a passport" not in page


def test_the_apply_form_shows_refusals_next_to_the_fields(network, member):
    ours = network.org("clean", "private")
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_for(member).post(
        "/passports/apply/",
        {
            "applicant": f"o{ours.pk}-{network.clean.pk}",
            "title": "Too late",
            "purpose": "A visit in the past.",
            "host_cluster": network.clean.pk,
            "starts_on": yesterday.isoformat(),
            "ends_on": yesterday.isoformat(),
            "desk_days": 0,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "CLEAN is the home cluster" in errors["host_cluster"][0]
    page = response.content.decode()
    assert "invalid-feedback" in page and "choose a cluster in another region" in page
    response = client_for(member).post(
        "/passports/apply/",
        {
            "applicant": f"o{ours.pk}-{network.clean.pk}",
            "title": "Too late",
            "purpose": "A visit in the past.",
            "host_cluster": network.nordic_edge.pk,
            "starts_on": yesterday.isoformat(),
            "ends_on": yesterday.isoformat(),
            "desk_days": 0,
        },
    )
    assert response.context["form"].errors["starts_on"] == ["The visit must start today or later."]
    assert not Passport.objects.exists()


def test_refusals_name_where_the_passport_stands_and_what_it_can_do_now(
    network, member, cluster_manager, other_manager, clock
):
    passport = _accepted(network, member, cluster_manager, other_manager)
    assert services.refusal(passport, S.ENDORSED) == (
        "An accepted visit cannot be endorsed: it is past that step. "
        "What it can do now: mark as visited, withdraw."
    )
    clock.travel(40)
    services.passport_transition(actor=member, passport=passport, to=S.VISITED)
    passport.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.passport_transition(actor=member, passport=passport, to=S.WITHDRAWN)
    assert refused.value.messages == [
        "A visit already made cannot be withdrawn: the visit has been made; what remains is the "
        "closing report. What it can do now: send the closing report."
    ]


def test_withdrawing_tells_the_clusters_that_were_involved(
    network, member, cluster_manager, other_manager, mailoutbox, django_capture_on_commit_callbacks
):
    passport = _apply(member, network.org("clean", "private"), network.nordic_edge)
    services.passport_transition(actor=cluster_manager, passport=passport, to=S.ENDORSED)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(
            f"/passports/{passport.pk}/transition/", {"to": "withdrawn", "note": "Plans changed"}
        )
    assert response.status_code == 302
    assert set(mailoutbox[-1].to) == {cluster_manager.email, other_manager.email}
    assert "Plans changed" in mailoutbox[-1].body
    draft = _apply(member, network.org("clean", "private"), network.nordic_edge, submit=False)
    sent = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        services.passport_transition(actor=member, passport=draft, to=S.WITHDRAWN)
    assert len(mailoutbox) == sent  # nobody else knew of the draft


def test_the_secretariats_home_shows_the_passport_figures(network, secretariat, member):
    demo.load()
    total = selectors.passport_statistics().total
    page = client_for(secretariat).get("/").content.decode()
    assert "Passports, all years" in page and f">{total.applications}<" in page
    assert "Passports, all years" not in client_for(member).get("/").content.decode()
