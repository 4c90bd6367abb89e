"""Events: registration with its waiting list, meeting requests and their rules, the scheduler's
runs storing a grid without double booking, re-scheduling that moves few meetings, who sees
which event, the agenda and its calendar files, ratings feeding the match records."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar

from icn.accounts.models import Membership, User
from icn.directory.models import Organisation, OrganisationKind
from icn.events import scheduler, selectors, services
from icn.events.models import (
    Event,
    Meeting,
    MeetingRating,
    MeetingRequest,
    Registration,
    RegistrationStatus,
    RequestStatus,
    ScheduleRun,
    ScheduleRunStatus,
    Slot,
)
from icn.events.services.scheduling import build_problem, explain, store_schedule
from icn.matching.models import MatchEvent, MatchRecord, MatchStatus
from tests.conftest import Network, client_for

pytestmark = pytest.mark.django_db


# A small event and its people ---------------------------------------------------------------


def _start() -> Any:
    return (timezone.now() + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)


def make_event(actor: Any, network: Network, **fields: Any) -> Event:
    start = fields.pop("starts_at", _start())
    values: dict[str, Any] = {
        "kind": "annual_meeting",
        "title": "ICN Annual Meeting",
        "starts_at": start,
        "ends_at": start + timedelta(hours=8),
        "venue": "Bella Center",
        "city": "Copenhagen",
        "country": "DK",
        "publish": True,
        "tables": 2,
        "host_cluster": network.clean,
    }
    values.update(fields)
    return services.event_create(actor=actor, **values)


def add_meeting_session(actor: Any, event: Event, slots: int = 4, minutes: int = 20) -> list[Slot]:
    services.session_create(
        actor=actor,
        event=event,
        title="B2B meetings",
        starts_at=event.starts_at + timedelta(hours=1),
        ends_at=event.starts_at + timedelta(hours=1, minutes=slots * minutes),
        slot_minutes=minutes,
        break_minutes=0,
    )
    return list(selectors.meeting_slots(event))


def make_member(network: Network, email: str, name: str, country: str = "DK") -> User:
    """A user acting for an organisation of its own in CLEAN."""
    organisation = Organisation.objects.create(
        name=f"{name} Energy",
        slug=f"{name.lower()}-energy",
        kind=OrganisationKind.SME,
        country=country,
        visibility="network",
        description=f"{name} Energy builds heat pumps and district heating controls.",
    )
    organisation.clusters.add(network.clean)
    user = User.objects.create_user(email, "a-long-test-password", full_name=name)
    Membership.objects.create(user=user, organisation=organisation, role="admin")
    return user


@pytest.fixture
def event(network, cluster_manager) -> Event:
    return make_event(cluster_manager, network)


@pytest.fixture
def slots(event, cluster_manager) -> list[Slot]:
    return add_meeting_session(cluster_manager, event)


@pytest.fixture
def people(network) -> list[User]:
    """Six members of six organisations."""
    return [
        make_member(network, f"p{n}@example.com", name)
        for n, name in enumerate(["Anna", "Bo", "Carl", "Dina", "Erik", "Frida"])
    ]


def register_all(event: Event, users: list[User]) -> list[Registration]:
    return [services.registration_create(actor=user, event=event) for user in users]


def agree(sender: Registration, receiver: Registration, priority: int = 1) -> MeetingRequest:
    request = services.request_create(
        actor=sender.user, sender=sender, receiver=receiver, priority=priority
    )
    return services.request_accept(actor=receiver.user, request=request)


def run_scheduler(actor: Any, event: Event, capture: Any, seconds: int = 2) -> ScheduleRun:
    with capture(execute=True):
        run = services.schedule_start(actor=actor, event=event, time_limit=seconds)
    run.refresh_from_db()
    return run


def assert_no_double_booking(event: Event) -> None:
    meetings = list(Meeting.objects.filter(request__event=event).select_related("request"))
    tables = Counter((m.slot_id, m.table) for m in meetings)
    assert max(tables.values(), default=0) <= 1
    busy = Counter(
        (m.slot_id, side) for m in meetings for side in (m.request.sender_id, m.request.receiver_id)
    )
    assert max(busy.values(), default=0) <= 1
    assert all(1 <= m.table <= event.tables for m in meetings)


# Creating events -----------------------------------------------------------------------------


def test_a_cluster_manager_organises_an_event_of_its_cluster_and_is_its_organiser(
    network, cluster_manager
):
    event = make_event(cluster_manager, network)
    assert list(event.organisers.all()) == [cluster_manager]
    assert selectors.can_organise(cluster_manager, event)


def test_members_and_other_clusters_managers_cannot_organise_for_a_cluster(
    network, member, other_manager
):
    with pytest.raises(PermissionDenied):
        make_event(member, network)
    with pytest.raises(PermissionDenied):
        make_event(other_manager, network)


def test_the_secretariat_organises_network_events_without_a_host_cluster(network, secretariat):
    event = make_event(
        secretariat,
        network,
        host_cluster=None,
        kind="webinar",
        venue="",
        city="",
        online_url="https://meet.example/icn",
    )
    assert event.host_cluster is None and event.is_online


def test_a_meeting_session_is_cut_into_slots_with_breaks(event, cluster_manager):
    services.session_create(
        actor=cluster_manager,
        event=event,
        title="B2B",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(minutes=70),
        slot_minutes=20,
        break_minutes=5,
    )
    starts = [s.starts_at - event.starts_at for s in selectors.meeting_slots(event)]
    assert starts == [timedelta(0), timedelta(minutes=25), timedelta(minutes=50)]


def test_a_session_outside_the_event_is_refused(event, cluster_manager):
    with pytest.raises(ValidationError) as error:
        services.session_create(
            actor=cluster_manager,
            event=event,
            title="Too late",
            starts_at=event.ends_at,
            ends_at=event.ends_at + timedelta(hours=1),
        )
    assert "outside" in str(error.value)


# Who sees which event ----------------------------------------------------------------------

ROLES = [
    "anonymous",
    "secretariat",
    "cluster_manager",
    "other_manager",
    "member",
    "cluster_peer",
    "other_member",
    "partner",
]


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("anonymous", {"public"}),
        ("secretariat", {"public", "network", "cluster", "draft"}),
        ("cluster_manager", {"public", "network", "cluster", "draft"}),
        ("other_manager", {"public", "network"}),
        ("member", {"public", "network", "cluster"}),
        ("cluster_peer", {"public", "network", "cluster"}),
        ("other_member", {"public", "network"}),
        ("partner", {"public", "network"}),
    ],
)
def test_each_role_sees_the_events_its_visibility_allows(
    request, network, cluster_manager, role, seen
):
    for visibility in ("public", "network", "cluster"):
        make_event(cluster_manager, network, title=visibility, visibility=visibility)
    make_event(cluster_manager, network, title="draft", visibility="public", publish=False)
    viewer = request.getfixturevalue(role)
    titles = set(selectors.event_list(viewer=viewer).values_list("title", flat=True))
    assert titles == seen


def test_a_cluster_only_event_is_a_404_outside_the_cluster(
    network, cluster_manager, other_member, member
):
    event = make_event(cluster_manager, network, visibility="cluster")
    assert client_for(other_member).get(f"/events/{event.slug}/").status_code == 404
    assert client_for(None).get(f"/events/{event.slug}/").status_code == 404
    assert client_for(member).get(f"/events/{event.slug}/").status_code == 200


def test_the_event_list_page_shows_upcoming_events_and_filters_by_kind(
    network, cluster_manager, member
):
    make_event(cluster_manager, network, title="Summit", kind="annual_meeting")
    make_event(cluster_manager, network, title="Heat pump workshop", kind="workshop")
    make_event(
        cluster_manager,
        network,
        title="Last year's meeting",
        starts_at=timezone.now() - timedelta(days=300),
    )
    client = client_for(member)
    page = client.get("/events/").content.decode()
    assert "Summit" in page and "Heat pump workshop" in page and "Last year" not in page
    page = client.get("/events/?kind=workshop").content.decode()
    assert "Heat pump workshop" in page and "Summit" not in page
    page = client.get("/events/?when=past").content.decode()
    assert "Last year" in page and "Summit" not in page
    fragment = client.get("/events/?kind=workshop", headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()


# Registration, waiting list, cancellation --------------------------------------------------


def test_registering_confirms_and_sends_a_confirmation(
    event, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_create(actor=people[0], event=event)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert [m.to for m in mailoutbox] == [["p0@example.com"]]
    assert "Registered" in mailoutbox[0].subject and "/agenda/" in mailoutbox[0].body


def test_the_profile_starts_from_the_organisations_directory_entry(event, people):
    registration = services.registration_create(actor=people[0], event=event)
    assert "heat pumps" in registration.offer
    assert registration.organisation.name == "Anna Energy"


def test_registering_twice_is_refused(event, people):
    services.registration_create(actor=people[0], event=event)
    with pytest.raises(ValidationError, match="registered already"):
        services.registration_create(actor=people[0], event=event)


def test_a_full_event_puts_later_registrations_on_the_waiting_list(
    network, cluster_manager, people, mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event(cluster_manager, network, capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        first, second, third, fourth = register_all(event, people[:4])
    assert [r.status for r in (first, second, third, fourth)] == [
        "confirmed",
        "confirmed",
        "waiting",
        "waiting",
    ]
    assert "waiting list (number 2)" in mailoutbox[-1].body


def test_cancelling_gives_the_place_to_the_first_on_the_waiting_list_with_an_email(
    network, cluster_manager, people, mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event(cluster_manager, network, capacity=2)
    first, _second, third, fourth = register_all(event, people[:4])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=people[0], registration=first)
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert third.status == "confirmed" and fourth.status == "waiting"
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects["p0@example.com"].startswith("Cancelled")
    assert subjects["p2@example.com"].startswith("You have a place")
    assert "p3@example.com" not in subjects


def test_a_larger_capacity_confirms_the_waiting_list(network, cluster_manager, people):
    event = make_event(cluster_manager, network, capacity=1)
    _first, second = register_all(event, people[:2])
    services.event_update(actor=cluster_manager, event=event, capacity=2)
    second.refresh_from_db()
    assert second.status == "confirmed"


def test_cancelling_calls_off_the_participants_meetings(event, slots, people, cluster_manager):
    a, b = register_all(event, people[:2])
    request = agree(a, b)
    services.meeting_place(actor=cluster_manager, request=request, slot=slots[0], table=1)
    services.registration_cancel(actor=people[1], registration=b)
    request.refresh_from_db()
    assert request.status == "cancelled"
    assert not Meeting.objects.filter(request=request).exists()


def test_required_questions_must_be_answered(network, cluster_manager, people):
    event = make_event(
        cluster_manager,
        network,
        registration_questions=[
            {"label": "Dinner?", "required": True, "choices": ["Yes", "No"]},
            {"label": "Dietary needs"},
        ],
    )
    with pytest.raises(ValidationError, match="needs an answer"):
        services.registration_create(actor=people[0], event=event, answers={})
    with pytest.raises(ValidationError, match="choose one of"):
        services.registration_create(actor=people[0], event=event, answers={"Dinner?": "Maybe"})
    registration = services.registration_create(
        actor=people[0], event=event, answers={"Dinner?": "Yes", "Other": "dropped"}
    )
    assert registration.answers == {"Dinner?": "Yes"}


def test_registration_closes_when_the_event_is_not_published(network, cluster_manager, people):
    event = make_event(cluster_manager, network, publish=False)
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=people[0], event=event)


def test_registering_on_the_page_with_the_events_questions(
    network, cluster_manager, people, mailoutbox
):
    event = make_event(
        cluster_manager,
        network,
        registration_questions=[{"label": "Dinner?", "required": True, "choices": ["Yes", "No"]}],
    )
    client = client_for(people[0])
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Dinner?" in page and 'name="question_0"' in page
    response = client.post(f"/events/{event.slug}/register/", {"question_0": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post(
        f"/events/{event.slug}/register/",
        {"question_0": "Yes", "offer": "Heat pumps", "seek": "Cities"},
    )
    assert response.status_code == 302
    registration = Registration.objects.get(event=event, user=people[0])
    assert registration.answers == {"Dinner?": "Yes"} and registration.seek == "Cities"
    page = client.get(event.get_absolute_url()).content.decode()
    assert "You are registered" in page


# Meeting requests --------------------------------------------------------------------------


def test_a_request_waits_for_the_receiver_who_gets_an_email(
    event, people, mailoutbox, django_capture_on_commit_callbacks
):
    a, b = register_all(event, people[:2])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_create(
            actor=people[0], sender=a, receiver=b, message="Let us talk heat pumps."
        )
    assert request.status == "pending" and request.expires_at is not None
    assert mailoutbox[0].to == ["p1@example.com"]
    assert "Let us talk heat pumps." in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.request_accept(actor=people[1], request=request)
    assert mailoutbox[-1].to == ["p0@example.com"] and "accepted" in mailoutbox[-1].subject


def test_only_the_receiver_answers_a_request(event, people):
    a, b, _c = register_all(event, people[:3])
    request = services.request_create(actor=people[0], sender=a, receiver=b)
    with pytest.raises(PermissionDenied):
        services.request_accept(actor=people[0], request=request)
    with pytest.raises(PermissionDenied):
        services.request_decline(actor=people[2], request=request)
    assert services.request_decline(actor=people[1], request=request).status == "declined"


def test_nobody_asks_in_another_participants_name(event, people):
    a, b, _c = register_all(event, people[:3])
    with pytest.raises(PermissionDenied):
        services.request_create(actor=people[2], sender=a, receiver=b)


def test_an_event_may_accept_requests_without_asking(
    network, cluster_manager, people, mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event(cluster_manager, network, auto_accept=True)
    a, b = register_all(event, people[:2])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_create(actor=people[0], sender=a, receiver=b)
    assert request.status == "accepted" and request.expires_at is None
    assert sorted(m.to[0] for m in mailoutbox) == ["p0@example.com", "p1@example.com"]


def test_the_same_pair_is_asked_once_in_either_direction(event, people):
    a, b = register_all(event, people[:2])
    services.request_create(actor=people[0], sender=a, receiver=b)
    with pytest.raises(ValidationError, match=r"asked .* already"):
        services.request_create(actor=people[0], sender=a, receiver=b)
    with pytest.raises(ValidationError, match="answer their request"):
        services.request_create(actor=people[1], sender=b, receiver=a)


def test_the_cap_refuses_a_request_with_a_clear_message(network, cluster_manager, people):
    event = make_event(cluster_manager, network, max_meetings=2)
    a, b, c, d = register_all(event, people[:4])
    services.request_create(actor=people[0], sender=a, receiver=b)
    services.request_create(actor=people[0], sender=a, receiver=c)
    with pytest.raises(ValidationError) as error:
        services.request_create(actor=people[0], sender=a, receiver=d)
    assert "2 meeting requests waiting or accepted" in str(error.value)
    assert "Withdraw one" in str(error.value)


def test_a_receiver_with_a_full_agenda_cannot_accept_more(network, cluster_manager, people):
    event = make_event(cluster_manager, network, max_meetings=1)
    a, b, c = register_all(event, people[:3])
    first = services.request_create(actor=people[1], sender=b, receiver=a)
    second = services.request_create(actor=people[2], sender=c, receiver=a)
    services.request_accept(actor=people[0], request=first)
    with pytest.raises(ValidationError, match="Your agenda is full"):
        services.request_accept(actor=people[0], request=second)


def test_a_participants_own_lower_cap_counts(event, people):
    a, b, c = register_all(event, people[:3])
    services.registration_update(actor=people[0], registration=a, max_meetings=1)
    services.request_create(actor=people[0], sender=a, receiver=b)
    with pytest.raises(ValidationError, match="you asked for"):
        services.request_create(actor=people[0], sender=a, receiver=c)


def test_unanswered_requests_expire(event, people):
    a, b = register_all(event, people[:2])
    request = services.request_create(actor=people[0], sender=a, receiver=b)
    MeetingRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="expired"):
        services.request_accept(actor=people[1], request=request)
    assert services.requests_expire() == 1
    request.refresh_from_db()
    assert request.status == "expired"
    # An expired request no longer blocks asking again.
    assert services.request_create(actor=people[0], sender=a, receiver=b).status == "pending"


def test_waiting_participants_and_colleagues_cannot_be_asked(network, cluster_manager, people):
    event = make_event(cluster_manager, network, capacity=2)
    a, b, c = register_all(event, people[:3])
    with pytest.raises(ValidationError, match="not a confirmed participant"):
        services.request_create(actor=people[0], sender=a, receiver=c)
    colleague = User.objects.create_user("colleague@example.com", "a-long-test-password")
    Membership.objects.create(user=colleague, organisation=a.organisation, role="member")
    services.event_update(actor=cluster_manager, event=event, capacity=10)
    mate = services.registration_create(actor=colleague, event=event)
    with pytest.raises(ValidationError, match="same organisation"):
        services.request_create(actor=people[0], sender=a, receiver=mate)
    assert b.status == "confirmed"


def test_the_requests_page_lets_the_receiver_accept(event, people):
    a, b = register_all(event, people[:2])
    client = client_for(people[0])
    response = client.post(
        f"/events/{event.slug}/requests/new/",
        {"receiver": b.pk, "message": "Coffee?", "priority": "2"},
    )
    assert response.status_code == 302
    request = MeetingRequest.objects.get(sender=a, receiver=b)
    assert request.priority == 2
    receiver = client_for(people[1])
    page = receiver.get(f"/events/{event.slug}/requests/").content.decode()
    assert "Coffee?" in page and f"/requests/{request.pk}/accept/" in page
    receiver.post(f"/events/{event.slug}/requests/{request.pk}/accept/")
    request.refresh_from_db()
    assert request.status == "accepted"


def test_a_refused_request_on_the_page_says_why(network, cluster_manager, people):
    event = make_event(cluster_manager, network, max_meetings=1)
    _a, b, c = register_all(event, people[:3])
    client = client_for(people[0])
    client.post(f"/events/{event.slug}/requests/new/", {"receiver": b.pk})
    response = client.post(f"/events/{event.slug}/requests/new/", {"receiver": c.pk}, follow=True)
    assert "the most this event allows (1)" in response.content.decode()


# Suggestions -------------------------------------------------------------------------------


def test_suggestions_rank_participants_whose_organisation_answers_what_one_seeks(
    network, event, people
):
    a, _b, c = register_all(event, people[:3])
    c.organisation.description = "Offshore wind turbine foundations and floating platforms."
    c.organisation.save()
    services.registration_update(
        actor=people[0], registration=a, seek="Floating offshore wind platforms"
    )
    a.refresh_from_db()
    found = selectors.suggestions(viewer=people[0], registration=a)
    assert found and found[0].registration.pk == c.pk
    assert found[0].reasons


def test_suggestions_leave_out_organisations_the_viewer_may_not_see(
    network, event, people, other_member
):
    a = services.registration_create(actor=people[0], event=event)
    # other_member's organisation is private to Nordic Edge: not visible to a CLEAN member.
    hidden = services.registration_create(actor=other_member, event=event)
    services.registration_update(actor=people[0], registration=a, seek="hydrogen company")
    a.refresh_from_db()
    found = selectors.suggestions(viewer=people[0], registration=a)
    assert hidden.pk not in {s.registration.pk for s in found}


def test_participants_page_lists_confirmed_participants_with_a_request_button(
    event, people, cluster_peer
):
    _a, b = register_all(event, people[:2])
    page = client_for(people[0]).get(f"/events/{event.slug}/participants/").content.decode()
    assert "Bo" in page and "Request a meeting" in page and f'value="{b.pk}"' in page
    # Someone not registered is sent back to the event.
    response = client_for(cluster_peer).get(f"/events/{event.slug}/participants/")
    assert response.status_code == 302


# Scheduling --------------------------------------------------------------------------------


def test_scheduling_places_accepted_requests_without_double_booking(
    event, slots, people, cluster_manager, mailoutbox, django_capture_on_commit_callbacks
):
    regs = register_all(event, people)
    requests = [
        agree(regs[i], regs[j])
        for i, j in [(0, 1), (0, 2), (0, 3), (1, 2), (2, 3), (3, 4), (4, 5), (1, 5)]
    ]
    mailoutbox.clear()
    run = run_scheduler(cluster_manager, event, django_capture_on_commit_callbacks)
    assert run.status == ScheduleRunStatus.DONE, run.error
    assert run.requests == len(requests)
    assert run.placed == Meeting.objects.filter(request__event=event).count() == len(requests)
    assert run.bound >= run.weight and run.gap == 0.0
    assert run.progress
    assert_no_double_booking(event)
    assert {m.to[0] for m in mailoutbox} == {f"p{n}@example.com" for n in range(6)}
    assert all("scheduled" in m.body for m in mailoutbox)


def test_a_run_interrupted_with_its_worker_starts_again_and_completes(
    event, slots, people, cluster_manager
):
    regs = register_all(event, people[:3])
    agree(regs[0], regs[1])
    agree(regs[1], regs[2])
    # The worker that was computing it was killed: the run stays marked running.
    run = ScheduleRun.objects.create(
        event=event, status=ScheduleRunStatus.RUNNING, started_at=timezone.now(), time_limit=5
    )
    from icn.events.services.scheduling import schedule_execute

    done = schedule_execute(run.pk)
    assert done is not None and done.status == ScheduleRunStatus.DONE, done and done.error
    assert Meeting.objects.filter(request__event=event).count() == 2
    assert_no_double_booking(event)


def test_a_request_that_cannot_be_placed_is_explained_in_the_organisers_words(
    event, slots, people, cluster_manager, django_capture_on_commit_callbacks
):
    a, b = register_all(event, people[:2])
    request = agree(a, b)
    services.registration_update(actor=people[0], registration=a, busy_slots=slots[:2])
    services.registration_update(actor=people[1], registration=b, busy_slots=slots[2:])
    run = run_scheduler(cluster_manager, event, django_capture_on_commit_callbacks)
    assert run.placed == 0
    reason = run.unplaced[str(request.pk)]
    assert "share no available slot" in reason
    assert "Anna" in reason and "Bo" in reason
    assert timezone.localtime(slots[2].starts_at).strftime("%H:%M") in reason
    assert not re.search(r"\br\d+\b", reason)


def test_rescheduling_after_a_late_change_keeps_most_meetings(
    event, slots, people, cluster_manager, mailoutbox, django_capture_on_commit_callbacks
):
    regs = register_all(event, people)
    for i, j in [(0, 1), (2, 3), (4, 5), (0, 2), (1, 3), (0, 4)]:
        agree(regs[i], regs[j])
    first = run_scheduler(cluster_manager, event, django_capture_on_commit_callbacks)
    assert first.placed == 6
    before = {m.request_id: (m.slot_id, m.table) for m in Meeting.objects.all()}
    locked = Meeting.objects.order_by("pk").first()
    services.meeting_lock(actor=cluster_manager, meeting=locked, locked=True)
    # A late change: one more agreed meeting, and Frida is busy in the first slot.
    agree(regs[5], regs[1])
    services.registration_update(actor=people[5], registration=regs[5], busy_slots=slots[:1])
    mailoutbox.clear()
    second = run_scheduler(cluster_manager, event, django_capture_on_commit_callbacks)
    after = {m.request_id: (m.slot_id, m.table) for m in Meeting.objects.all()}
    kept = sum(1 for pk, where in before.items() if after.get(pk) == where)
    assert second.placed == 7
    assert kept >= len(before) - 1
    assert second.moved == len(before) - kept
    assert after[locked.request_id] == before[locked.request_id]
    assert_no_double_booking(event)
    # Only participants whose meetings changed hear of it.
    told = {m.to[0] for m in mailoutbox}
    assert "p5@example.com" in told and "p1@example.com" in told
    assert len(told) == second.changed_participants
    assert all("changed" in m.subject for m in mailoutbox)


def test_changes_made_while_the_scheduler_works_are_not_overwritten(
    event, slots, people, cluster_manager
):
    regs = register_all(event, people[:4])
    called_off = agree(regs[0], regs[1])
    by_hand = agree(regs[2], regs[3])
    built = build_problem(event)
    result = scheduler.solve(built.problem, time_limit=2)
    assert result.placed == 2
    # Meanwhile: one meeting is called off, the other placed by hand where the solver put none.
    services.request_cancel(actor=people[0], request=called_off)
    index = next(i for i, r in enumerate(built.requests) if r.pk == by_hand.pk)
    taken = result.assignments[index][0]
    elsewhere = next(slot for n, slot in enumerate(slots) if n != taken)
    services.meeting_place(actor=cluster_manager, request=by_hand, slot=elsewhere, table=2)
    run = ScheduleRun.objects.create(event=event, status=ScheduleRunStatus.RUNNING)
    store_schedule(run, built, result, notify=False)
    assert list(Meeting.objects.values_list("request_id", "slot_id", "table")) == [
        (by_hand.pk, elsewhere.pk, 2)
    ]
    assert run.placed == 1 and str(called_off.pk) not in run.unplaced


def test_a_second_run_is_refused_while_one_is_at_work(event, slots, cluster_manager):
    services.schedule_start(actor=cluster_manager, event=event)  # queued, not run
    with pytest.raises(ValidationError, match="at work"):
        services.schedule_start(actor=cluster_manager, event=event)


def test_only_organisers_schedule(event, slots, member):
    with pytest.raises(PermissionDenied):
        services.schedule_start(actor=member, event=event)


def test_the_problem_carries_availability_caps_and_locks(event, slots, people, cluster_manager):
    a, b, c = register_all(event, people[:3])
    first = agree(a, b, priority=3)
    agree(a, c)
    services.registration_update(actor=people[0], registration=a, max_meetings=1)
    services.registration_update(actor=people[2], registration=c, busy_slots=slots[:1])
    services.meeting_place(actor=cluster_manager, request=first, slot=slots[1], table=2)
    built = build_problem(event)
    problem = built.problem
    assert problem.slots == 4 and problem.tables == 2
    assert [r.weight for r in problem.requests] == [3, 1]
    assert problem.requests[0].locked == (1, 1)
    assert problem.caps == {a.key: 1}
    assert problem.available == {c.key: frozenset({1, 2, 3})}
    assert problem.previous == {0: (1, 1)}
    assert explain(f"r{a.pk} is busy in 0-1, 3", built, event).startswith("Anna")


def test_the_organisers_schedule_page_starts_a_run_and_shows_the_grid(
    event, slots, people, cluster_manager, member, django_capture_on_commit_callbacks
):
    a, b = register_all(event, people[:2])
    agree(a, b)
    client = client_for(cluster_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{event.slug}/manage/schedule/", {"time_limit": "2"})
    assert response.status_code == 302
    page = client.get(f"/events/{event.slug}/manage/schedule/").content.decode()
    assert "Last run" in page and "requests placed" in page and "gap to the bound" in page
    assert 'class="meeting' in page and "Anna" in page
    run = ScheduleRun.objects.get()
    fragment = client.get(
        f"/events/{event.slug}/manage/schedule/?run={run.pk}&polling=1",
        headers={"HX-Request": "true"},
    )
    assert fragment["HX-Refresh"] == "true" and "<html" not in fragment.content.decode()
    assert client_for(member).get(f"/events/{event.slug}/manage/schedule/").status_code == 403


def test_a_running_run_is_polled_with_a_progress_bar(event, slots, cluster_manager):
    run = ScheduleRun.objects.create(
        event=event,
        status=ScheduleRunStatus.RUNNING,
        started_at=timezone.now(),
        time_limit=10,
        requests=5,
        placed=3,
        solver_status="greedy",
    )
    fragment = client_for(cluster_manager).get(
        f"/events/{event.slug}/manage/schedule/", headers={"HX-Request": "true"}
    )
    html = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in html and "progress-bar" in html
    assert "A first result" in html and f"run={run.pk}" in html


def test_an_organiser_places_a_meeting_by_hand_and_it_is_locked(
    event, slots, people, cluster_manager
):
    a, b, c = register_all(event, people[:3])
    request = agree(a, b)
    meeting = services.meeting_place(actor=cluster_manager, request=request, slot=slots[0], table=1)
    assert meeting.locked
    other = agree(a, c)
    with pytest.raises(ValidationError, match="another meeting"):
        services.meeting_place(actor=cluster_manager, request=other, slot=slots[0], table=2)


# The agenda and calendars ------------------------------------------------------------------


@pytest.fixture
def scheduled(event, slots, people, cluster_manager, django_capture_on_commit_callbacks):
    a, b, c = register_all(event, people[:3])
    agree(a, b)
    agree(a, c)
    services.session_create(
        actor=cluster_manager,
        event=event,
        title="Keynote",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(minutes=45),
        for_meetings=False,
    )
    run_scheduler(cluster_manager, event, django_capture_on_commit_callbacks)
    return a, b, c


def test_the_agenda_page_lists_meetings_and_sessions_and_prints(event, scheduled, people):
    page = client_for(people[0]).get(f"/events/{event.slug}/agenda/").content.decode()
    assert "My agenda" in page
    assert "Meeting with Bo" in page and "Meeting with Carl" in page and "Keynote" in page
    assert "events/events.css" in page and "data-print" in page
    assert "Table " in page


def test_the_participants_calendar_file_holds_their_meetings(event, scheduled, people):
    response = client_for(people[0]).get(f"/events/{event.slug}/agenda.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = sorted(str(c.get("summary")) for c in calendar.walk("VEVENT"))
    assert "Meeting: Bo (Bo Energy)" in summaries and "Meeting: Carl (Carl Energy)" in summaries
    assert any("Keynote" in s for s in summaries)
    meeting = Meeting.objects.filter(request__receiver=scheduled[1]).get()
    event_of_meeting = next(
        c for c in calendar.walk("VEVENT") if str(c.get("summary")).startswith("Meeting: Bo")
    )
    assert event_of_meeting.decoded("dtstart") == meeting.slot.starts_at
    # Bo's file has only Bo's meeting.
    calendar = Calendar.from_ical(
        client_for(people[1]).get(f"/events/{event.slug}/agenda.ics").content
    )
    meetings = [c for c in calendar.walk("VEVENT") if str(c.get("summary")).startswith("Meeting")]
    assert [str(c.get("summary")) for c in meetings] == ["Meeting: Anna (Anna Energy)"]


def test_the_events_calendar_file_holds_the_event_and_its_programme(event, scheduled, partner):
    response = client_for(partner).get(f"/events/{event.slug}/calendar.ics")
    calendar = Calendar.from_ical(response.content)
    summaries = [str(c.get("summary")) for c in calendar.walk("VEVENT")]
    assert summaries[0] == event.title
    assert any(s.startswith("Keynote") for s in summaries)
    assert any(s.startswith("B2B meetings") for s in summaries)


def test_the_agenda_is_the_participants_own(event, scheduled, cluster_peer, cluster_manager):
    assert client_for(cluster_peer).get(f"/events/{event.slug}/agenda/").status_code == 404
    a = scheduled[0]
    page = client_for(cluster_manager).get(f"/events/{event.slug}/agenda/?participant={a.pk}")
    assert page.status_code == 200 and "Agenda of Anna" in page.content.decode()
    hidden = client_for(cluster_peer).get(f"/events/{event.slug}/agenda.ics?participant={a.pk}")
    assert hidden.status_code == 404


# Ratings -----------------------------------------------------------------------------------


@pytest.fixture
def held_meeting(network, cluster_manager, people) -> Meeting:
    """A meeting between Anna and Bo (organisations in Denmark and Norway) that is over."""
    start = timezone.now() - timedelta(days=2)
    event = make_event(cluster_manager, network, starts_at=start)
    slots = add_meeting_session(cluster_manager, event, slots=2)
    bo = people[1]
    bo_org = Organisation.objects.get(memberships__user=bo)
    bo_org.country = "NO"
    bo_org.save()
    a, b = [
        Registration.objects.create(
            event=event,
            user=user,
            organisation=Organisation.objects.get(memberships__user=user),
            name=user.full_name,
            email=user.email,
            status=RegistrationStatus.CONFIRMED,
        )
        for user in people[:2]
    ]
    request = MeetingRequest.objects.create(
        event=event, sender=a, receiver=b, status=RequestStatus.ACCEPTED
    )
    return Meeting.objects.create(request=request, slot=slots[0], table=1)


def test_rating_a_meeting_that_took_place_marks_the_match_as_meeting_held(held_meeting, people):
    rating = services.meeting_rate(actor=people[0], meeting=held_meeting, rating=4, comment="Good")
    assert rating.moment == "after_meeting"
    match = MatchRecord.objects.get()
    assert rating.match == match and match.status == MatchStatus.MEETING_HELD
    assert {match.organisation.name, match.target_organisation.name} == {"Anna Energy", "Bo Energy"}
    assert MatchEvent.objects.filter(match=match, to_status="meeting_held").exists()
    # The other side's rating moves the same match no further.
    services.meeting_rate(actor=people[1], meeting=held_meeting, rating=5)
    assert MatchRecord.objects.count() == 1


def test_the_follow_up_rating_opens_months_later_and_moves_the_match_on(
    held_meeting, people, settings
):
    services.meeting_rate(actor=people[0], meeting=held_meeting, rating=4)
    with pytest.raises(ValidationError, match="follow-up opens"):
        services.meeting_rate(actor=people[0], meeting=held_meeting, rating=4)
    settings.ICN_MATCHING_FOLLOW_UP_DAYS = 0
    rating = services.meeting_rate(
        actor=people[0], meeting=held_meeting, rating=5, outcome="in_discussion"
    )
    assert rating.moment == "follow_up"
    assert MatchRecord.objects.get().status == MatchStatus.IN_DISCUSSION
    with pytest.raises(ValidationError, match="rated this meeting already"):
        services.meeting_rate(actor=people[0], meeting=held_meeting, rating=5, moment="follow_up")


def test_a_meeting_that_did_not_take_place_makes_no_match(held_meeting, people):
    services.meeting_rate(actor=people[0], meeting=held_meeting, rating=1, held=False)
    assert not MatchRecord.objects.exists()
    assert MeetingRating.objects.get().held is False


def test_meetings_are_rated_only_after_they_took_place_and_by_their_participants(
    event, scheduled, people, held_meeting
):
    upcoming = Meeting.objects.filter(request__event=event).first()
    with pytest.raises(ValidationError, match="once it has taken place"):
        services.meeting_rate(actor=people[0], meeting=upcoming, rating=3)
    with pytest.raises(PermissionDenied):
        services.meeting_rate(actor=people[2], meeting=held_meeting, rating=3)


def test_the_rating_page_records_a_rating(held_meeting, people):
    event = held_meeting.request.event
    client = client_for(people[0])
    agenda = client.get(f"/events/{event.slug}/agenda/").content.decode()
    assert "Rate this meeting" in agenda
    url = f"/events/{event.slug}/meetings/{held_meeting.pk}/rate/"
    assert "How was your meeting with Bo" in client.get(url).content.decode()
    response = client.post(url, {"held": "1", "rating": "5", "comment": "Great"})
    assert response.status_code == 302
    assert MeetingRating.objects.get().rating == 5


# Organiser pages ---------------------------------------------------------------------------


def test_an_organiser_creates_an_event_and_its_slots_on_the_pages(network, cluster_manager):
    client = client_for(cluster_manager)
    start = _start()
    response = client.post(
        "/events/new/",
        {
            "kind": "matchmaking_mission",
            "title": "Mission to New York",
            "host_cluster": network.clean.pk,
            "visibility": "network",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
            "city": "New York",
            "country": "US",
            "questions": "Dinner? * | Yes | No\nDietary needs",
            "table_names_text": "Hudson\nEast River",
            "meetings_enabled": "on",
            "request_expiry_days": "5",
            "tables": "4",
            "schedule_seconds": "10",
            "publish": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    event = Event.objects.get(title="Mission to New York")
    assert response["Location"] == f"/events/{event.slug}/manage/sessions/"
    assert event.registration_questions == [
        {"label": "Dinner?", "required": True, "choices": ["Yes", "No"]},
        {"label": "Dietary needs", "required": False},
    ]
    assert event.table_name(2) == "East River" and event.table_name(3) == "Table 3"
    local = timezone.localtime(event.starts_at)
    response = client.post(
        f"/events/{event.slug}/manage/sessions/",
        {
            "title": "B2B",
            "starts_at": (local + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "for_meetings": "on",
            "slot_minutes": "15",
            "break_minutes": "0",
        },
    )
    assert response.status_code == 302
    assert selectors.meeting_slots(event).count() == 4
    for url in ("manage/", "manage/requests/", "manage/schedule/", "edit/"):
        assert client.get(f"/events/{event.slug}/{url}").status_code == 200


def test_the_manage_page_shows_registrations_and_the_waiting_list(
    network, cluster_manager, people, member
):
    event = make_event(cluster_manager, network, capacity=1)
    register_all(event, people[:2])
    page = client_for(cluster_manager).get(f"/events/{event.slug}/manage/").content.decode()
    assert "Anna" in page and "Waiting list" in page and "Bo" in page
    assert client_for(member).get(f"/events/{event.slug}/manage/").status_code == 403


def test_an_organiser_cancels_a_participant_and_the_waiting_list_moves_up(
    network, cluster_manager, people
):
    event = make_event(cluster_manager, network, capacity=1)
    first, second = register_all(event, people[:2])
    client_for(cluster_manager).post(f"/events/{event.slug}/cancel/", {"participant": first.pk})
    second.refresh_from_db()
    assert second.status == "confirmed"


def test_cancelling_an_event_tells_every_participant(
    network, cluster_manager, people, mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event(cluster_manager, network)
    register_all(event, people[:3])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cluster_manager).post(f"/events/{event.slug}/status/", {"action": "cancel"})
    event.refresh_from_db()
    assert event.status == "cancelled"
    assert len(mailoutbox) == 3 and all("cancelled" in m.subject for m in mailoutbox)


def test_an_organiser_edits_the_event_and_adds_a_co_organiser(
    network, cluster_manager, people, secretariat
):
    event = make_event(cluster_manager, network, capacity=1)
    _first, second = register_all(event, people[:2])
    client = client_for(cluster_manager)
    form = client.get(f"/events/{event.slug}/edit/").context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("registration_questions", "table_names")
    }
    data.update(
        starts_at=timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        ends_at=timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        host_cluster=network.clean.pk,
        capacity=2,
        organiser_emails=secretariat.email,
        meetings_enabled="on",
    )
    data.pop("registration_closes_at", None)
    data.pop("organisation", None)
    data.pop("max_meetings", None)
    response = client.post(f"/events/{event.slug}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    event.refresh_from_db()
    second.refresh_from_db()
    assert event.capacity == 2 and second.status == "confirmed"
    assert set(event.organisers.all()) == {cluster_manager, secretariat}


def test_expired_requests_are_swept_by_a_command(event, people):
    a, b = register_all(event, people[:2])
    request = services.request_create(actor=people[0], sender=a, receiver=b)
    MeetingRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now())
    out = StringIO()
    call_command("expire-meeting-requests", "--now", stdout=out)
    assert "1 meeting request(s) expired" in out.getvalue()
    out = StringIO()
    call_command("expire-meeting-requests", stdout=out)
    assert "queued" in out.getvalue()
